"""`moredis check-aof` next to the reference redis-check-aof: the same report lines and
exit status on the same files (good and damaged manifests, RDB and command bases, torn
and malformed incr files, old single-file AOFs with an RDB preamble), the --fix
confirmation and truncation, --truncate-to-timestamp; and the `moredis check-rdb` /
`moredis check-aof` command line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from procs import ROOT, reference_bin

from moredis.persistence import aofrw

C = aofrw.command


def _cmds(*argvs) -> bytes:
    return b"".join(C([a.encode() if isinstance(a, str) else a for a in argv]) for argv in argvs)


def _rdb_bytes() -> bytes:
    from moredis.persistence import rdb
    from moredis.server.server import RedisServer

    srv = RedisServer()
    srv.dbs[0].data[b"k"] = b"v"
    srv.dbs[0].data[b"n"] = b"12"
    srv.dbs[2].data[b"o"] = b"x" * 50

    class F:
        def __init__(self):
            self.b = bytearray()

        def write(self, x):
            self.b += x

    f = F()
    rdb.write_rdb(srv, rdb.Sink(f, True), aof_base=True)
    return bytes(f.b)


INCR = _cmds(["SELECT", "0"], ["SET", "a", "1"], ["MULTI"], ["INCR", "n"], ["EXEC"], ["SET", "b", "2"])


def _multi(d: Path, base: bytes, incrs: list[bytes], manifest: str | None = None, rdb: bool = True) -> Path:
    d.mkdir(parents=True)
    suffix = "rdb" if rdb else "aof"
    (d / f"appendonly.aof.1.base.{suffix}").write_bytes(base)
    lines = [f"file appendonly.aof.1.base.{suffix} seq 1 type b\n"]
    for i, data in enumerate(incrs, 1):
        (d / f"appendonly.aof.{i}.incr.aof").write_bytes(data)
        lines.append(f"file appendonly.aof.{i}.incr.aof seq {i} type i\n")
    (d / "appendonly.aof.manifest").write_text(manifest if manifest is not None else "".join(lines))
    return d / "appendonly.aof.manifest"


def _cases(tmp: Path) -> dict[str, Path]:
    rdb = _rdb_bytes()
    base_aof = _cmds(["SELECT", "0"], ["SET", "x", "y"])
    out = {
        "multi-good": _multi(tmp / "good", rdb, [INCR]),
        "multi-aof-base": _multi(tmp / "aofbase", base_aof, [INCR], rdb=False),
        "multi-torn-last": _multi(tmp / "torn", rdb, [INCR, INCR[:-5]]),
        "multi-torn-middle": _multi(tmp / "tornmid", rdb, [INCR[:-5], INCR]),
        "multi-empty-incr": _multi(tmp / "emptyincr", rdb, [b""]),
        "multi-bad-manifest": _multi(tmp / "badman", rdb, [INCR], manifest="file x seq 1 type q\n"),
        "multi-missing-incr": _multi(tmp / "missing", rdb, [INCR],
                                     manifest="file appendonly.aof.1.base.rdb seq 1 type b\n"
                                              "file appendonly.aof.7.incr.aof seq 7 type i\n"),
        "multi-bad-rdb": _multi(tmp / "badrdb", rdb[:20] + b"\xee" + rdb[21:], [INCR]),
    }
    files = {
        "plain-good": INCR,
        "plain-torn": INCR[:-3],
        "plain-format": INCR[:20] + b"?" + INCR[21:],
        "plain-crlf": INCR.replace(b"$1\r\na\r\n", b"$1\r\nab\n", 1),
        "plain-nested-multi": _cmds(["MULTI"], ["MULTI"], ["EXEC"]),
        "plain-lone-exec": _cmds(["SET", "a", "1"], ["EXEC"]),
        "plain-open-multi": _cmds(["SET", "a", "1"], ["MULTI"], ["SET", "b", "1"]),
        "plain-negative": b"*-3\r\n" + INCR + b"*1\r\n$-7\r\n",
        "plain-huge": INCR + b"*1\r\n$99999999999999999999\r\n",
        "plain-prefix": INCR + b"*1\r\n#4\r\nPING\r\n",
        "plain-annotations": b"#TS:100\r\n" + INCR + b"#TS:200\r\n" + INCR,
        "plain-signed-bytes": b"*1\r\n$4\r\nPING\xfe\xff",
        "plain-empty": b"",
        "preamble-good": rdb + INCR,
        "preamble-torn": rdb + INCR[:-2],
    }
    for name, data in files.items():
        p = tmp / f"{name}.aof"
        p.write_bytes(data)
        out[name] = p
    return out


def _pair(tmp: Path) -> tuple[dict[str, Path], dict[str, Path]]:
    """The same files twice (the RDB's ctime and used-mem differ between builds)."""
    theirs = _cases(tmp / "theirs")
    shutil.copytree(tmp / "theirs", tmp / "mine")
    return theirs, {k: tmp / "mine" / v.relative_to(tmp / "theirs") for k, v in theirs.items()}


def _norm(text: str, tmp: Path) -> str:
    text = text.replace(str(tmp) + "/", "")
    return re.sub(r"^\d+:C \d+ \w+ \d+ [\d:.]+ ", "<log> ", text, flags=re.M)


def _reference(args: list[str], answer: str = "") -> tuple[int, str]:
    rb = reference_bin()
    if rb is None:
        pytest.skip("reference redis-check-aof unavailable")
    bindir, env = rb
    out = subprocess.run([os.path.join(bindir, "redis-check-aof"), *args], input=answer, capture_output=True,
                         text=True, env=env, timeout=60)
    return out.returncode, out.stdout


def _mine(args: list[str], answer: str = "") -> tuple[int, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-m", "moredis", "check-aof", *args], input=answer, capture_output=True,
                         text=True, env=env, timeout=60)
    return out.returncode, out.stdout


def test_reports_match_redis_check_aof(tmp_path):
    """Every case in one run of each tool per file (two interpreter starts per case would
    be slow): moredis's checker in-process, the reference as a process."""
    from moredis.persistence.check_aof import check_files

    theirs_dir = tmp_path / "theirs"
    mine_dir = tmp_path / "mine"
    cases_t, cases_m = _pair(tmp_path)
    for name in cases_t:
        code_t, out_t = _reference([str(cases_t[name])])
        code_m, out_m = check_files([str(cases_m[name])])
        assert code_m == code_t, (name, out_m, out_t)
        got, want = _norm(out_m, mine_dir), _norm(out_t, theirs_dir)
        if name == "multi-bad-rdb":  # check-rdb's own wording of the damage aside, the same report
            assert "--- RDB ERROR DETECTED ---" in got and "[additional info] While doing: read-aux" in got
            got, want = got.split("--- RDB ERROR")[0], want.split("--- RDB ERROR")[0]
            assert out_m.endswith("# Terminating server after rdb file reading failure.\n")
        assert got == want, name


@pytest.mark.parametrize("case,answer", [("multi-torn-last", "y\n"), ("multi-torn-last", "n\n"),
                                         ("multi-torn-middle", "y\n"), ("plain-torn", "Y\n"),
                                         ("plain-open-multi", "yes\n"), ("preamble-torn", "y\n"),
                                         ("plain-format", "\n")])
def test_fix_matches_redis_check_aof(tmp_path, case, answer):
    from moredis.persistence.check_aof import check_files

    cases_t, cases_m = _pair(tmp_path)
    code_t, out_t = _reference(["--fix", str(cases_t[case])], answer)
    code_m, out_m = check_files(["--fix", str(cases_m[case])], answer)
    assert (code_m, _norm(out_m, tmp_path / "mine")) == (code_t, _norm(out_t, tmp_path / "theirs"))
    for t in sorted((tmp_path / "theirs").rglob("*")):
        if t.is_file():
            m = tmp_path / "mine" / t.relative_to(tmp_path / "theirs")
            assert m.read_bytes() == t.read_bytes(), t.name


@pytest.mark.parametrize("ts", ["150", "50", "250", "abc"])
def test_truncate_to_timestamp_matches_redis(tmp_path, ts):
    from moredis.persistence.check_aof import check_files

    data = b"#TS:100\r\n" + INCR + b"#TS:200\r\n" + INCR
    for side in ("theirs", "mine"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "t.aof").write_bytes(data)
    code_t, out_t = _reference(["--truncate-to-timestamp", ts, str(tmp_path / "theirs" / "t.aof")])
    code_m, out_m = check_files(["--truncate-to-timestamp", ts, str(tmp_path / "mine" / "t.aof")])
    assert (code_m, _norm(out_m, tmp_path / "mine")) == (code_t, _norm(out_t, tmp_path / "theirs"))
    assert (tmp_path / "mine" / "t.aof").read_bytes() == (tmp_path / "theirs" / "t.aof").read_bytes()


def test_command_line(tmp_path):
    cases = _cases(tmp_path)
    code, out = _mine([str(cases["multi-good"])])
    assert code == 0 and out.endswith("All AOF files and manifest are valid\n")
    code, out = _mine(["--fix", str(cases["plain-torn"])], "y\n")
    assert code == 0 and "Continue? [y/N]: Successfully truncated AOF" in out
    code, out = _mine([])
    assert code == 1 and out.startswith("Usage: moredis check-aof [--fix|--truncate-to-timestamp $timestamp]")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    rdb = tmp_path / "dump.rdb"
    shutil.copy(tmp_path / "good" / "appendonly.aof.1.base.rdb", rdb)
    r = subprocess.run([sys.executable, "-m", "moredis", "check-rdb", str(rdb)], capture_output=True, text=True,
                       env=env, timeout=60)
    assert r.returncode == 0 and "\\o/ RDB looks OK! \\o/" in r.stdout
