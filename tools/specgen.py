"""Write command-spec facts (arity, flags, ACL categories, key specs, arguments) for
the given commands into moredis/commands/specs/<group>.json, read off a running
reference server's COMMAND INFO and COMMAND DOCS.

Only facts carry over: Redis's prose (summaries, complexity, history notes, key-spec
notes) is dropped, and our own one-line summary is kept from the existing file
(new entries get an empty one, which tests/commands/test_specs.py refuses).

    python tools/specgen.py --port 6400 get set mget ...
    python tools/specgen.py --port 6400 --group string      # every command of a group
    python tools/specgen.py --port 6400 --list              # name and group of all core commands
    python tools/specgen.py --port 6400 --file server_debug command debug
        # write into specs/server_debug.json instead of the group's file (a group shared
        # by several owners can be split over several files; load_specs reads them all)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from respclient import RawClient

SPEC_DIR = Path(__file__).resolve().parent.parent / "moredis" / "commands" / "specs"
ARG_KEYS = ("name", "type", "display_text", "key_spec_index", "token", "since", "flags",
            "deprecated_since", "value")


def s(b):
    return b.decode() if isinstance(b, bytes) else b


def conv_arg(a: dict) -> dict:
    out = {}
    for k in ARG_KEYS:
        if k.encode() in a:
            v = a[k.encode()]
            out[k] = [s(x) for x in v] if isinstance(v, list) else s(v)
    if b"arguments" in a:
        out["arguments"] = [conv_arg(x) for x in a[b"arguments"]]
    return out


def conv_keyspec(ks: dict) -> dict:
    def dec(v):
        if isinstance(v, dict):
            return {s(k): dec(x) for k, x in v.items()}
        if isinstance(v, list):
            return [dec(x) for x in v]
        return s(v)
    return {s(k): dec(v) for k, v in ks.items() if k != b"notes"}


def build(info: list, docs: dict, old: dict) -> dict:
    spec = {
        "arity": info[1],
        "flags": [s(f) for f in info[2]],
        "first_key": info[3], "last_key": info[4], "step": info[5],
        "acl": [s(c)[1:] for c in info[6]],
        "tips": [s(t) for t in info[7]],
        "key_specs": [conv_keyspec(k) for k in info[8]],
        "summary": old.get("summary", ""),
    }
    for k in ("since", "group", "deprecated_since"):
        if k.encode() in docs:
            spec[k] = s(docs[k.encode()])
    if b"doc_flags" in docs:
        spec["doc_flags"] = [s(f) for f in docs[b"doc_flags"]]
    if b"arguments" in docs:
        spec["arguments"] = [conv_arg(a) for a in docs[b"arguments"]]
    subs = info[9]
    if subs:
        sub_docs = docs.get(b"subcommands", {})
        old_subs = old.get("subcommands", {})
        spec["subcommands"] = {}
        for sub in subs:
            sname = s(sub[0])
            spec["subcommands"][sname] = build(sub, sub_docs.get(sub[0], {}), old_subs.get(sname, {}))
    return spec


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=6400)
    ap.add_argument("--group")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--file", help="spec file name (without .json) to write instead of <group>.json")
    ap.add_argument("names", nargs="*")
    o = ap.parse_args()
    c = RawClient(port=o.port, resp=3)
    all_docs = c.call("COMMAND", "DOCS")
    core = {s(k): v for k, v in all_docs.items() if s(v.get(b"group", b"")) != "module"}
    if o.list:
        for n in sorted(core):
            print(n, s(core[n][b"group"]))
        return
    names = [n.lower() for n in o.names]
    if o.group:
        names += [n for n, d in core.items() if s(d[b"group"]) == o.group]
    for n in names:
        info = c.call("COMMAND", "INFO", n)[0]
        if info is None:
            sys.exit(f"unknown command {n}")
        docs = all_docs[n.encode()]
        group = s(docs[b"group"])
        stem = o.file.removesuffix(".json") if o.file else group.replace("-", "_")
        path = SPEC_DIR / f"{stem}.json"
        table = json.loads(path.read_text()) if path.exists() else {}
        table[n] = build(info, docs, table.get(n, {}))
        path.write_text(json.dumps(dict(sorted(table.items())), indent=1) + "\n")
        print(f"{n} -> {path.name}")


if __name__ == "__main__":
    main()
