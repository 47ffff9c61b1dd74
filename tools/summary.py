"""Set our own one-line summaries in the spec files.

    python tools/summary.py get "Returns the string stored at a key." set "..."
    python tools/summary.py --missing      # list specs still without a summary
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SPEC_DIR = Path(__file__).resolve().parent.parent / "moredis" / "commands" / "specs"


def walk(table: dict, prefix: str = ""):
    for name, spec in table.items():
        yield name, spec
        yield from walk(spec.get("subcommands", {}))


def main() -> None:
    args = sys.argv[1:]
    files = {p: json.loads(p.read_text()) for p in sorted(SPEC_DIR.glob("*.json"))}
    if args == ["--missing"]:
        for table in files.values():
            for name, spec in walk(table):
                if not spec.get("summary"):
                    print(name)
        return
    pairs = dict(zip(args[::2], args[1::2], strict=True))
    for p, table in files.items():
        changed = False
        for name, spec in walk(table):
            if name in pairs:
                spec["summary"] = pairs.pop(name)
                changed = True
        if changed:
            p.write_text(json.dumps(table, indent=1) + "\n")
    if pairs:
        sys.exit(f"no spec for: {', '.join(pairs)}")


if __name__ == "__main__":
    main()
