"""Side-by-side benchmark: moredis against the reference Redis (tools/reference-redis).

Starts both servers, runs the same redis-benchmark invocations against each in turn
(same run, same machine), and prints the moredis/reference throughput ratio per test,
plain and pipelined (-P 16), with each server's CPU time per request, then the RSS ratio
after DEBUG POPULATE 1000000.

    python bench/bench.py                  # the full set
    python bench/bench.py --suite core     # just ping,set,get,incr,mset
    python bench/bench.py -n 20000 --no-memory   # a quick look
    python bench/bench.py --suite module   # module command vs core command, moredis only
    python bench/bench.py --suite persistence   # AOF everysec writes; save/load of 1M mixed keys

Ratios, not absolute figures, are what we track: both servers share the 2 cores
with redis-benchmark itself. The CPU ratio says whether a throughput ratio is the
servers' own speed (both CPU-bound: the two ratios agree) or the client's limit.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from respclient import RawClient  # noqa: E402

SUITES = {
    # issue 2: the foundation
    "core": ["ping", "set", "get", "incr", "mset"],
    # issue 3: the data types (redis-benchmark's own tests)
    "types": ["lpush", "rpush", "lpop", "rpop", "sadd", "hset", "spop", "zadd", "zpopmin",
              "lrange_100", "lrange_600", "xadd"],
}
CUSTOM: dict[str, list[str]] = {}  # name -> command line for `redis-benchmark ... <cmd>`
SETUP: dict[str, list[list[str]]] = {}  # name -> commands sent to each server before a CUSTOM test

# redis-benchmark's own xadd test (7.2+: "XADD mystream * myfield <3 bytes>"), spelled out
# because older redis-benchmark builds (Debian's 7.0) do not have it
CUSTOM["xadd"] = ["XADD", "mystream", "*", "myfield", "xxx"]

# issue 6: a small read-modify-write script, as EVALSHA and as a function (target >= 0.4)
_RMW = "local v = tonumber(redis.call('GET', KEYS[1]) or '0') + 1 redis.call('SET', KEYS[1], v) return v"
_RMW_SHA = __import__("hashlib").sha1(_RMW.encode()).hexdigest()
CUSTOM["evalsha"] = ["EVALSHA", _RMW_SHA, "1", "key:__rand_int__"]
SETUP["evalsha"] = [["SCRIPT", "LOAD", _RMW]]
CUSTOM["fcall"] = ["FCALL", "rmw", "1", "key:__rand_int__"]
SETUP["fcall"] = [["FUNCTION", "LOAD", "REPLACE",
                   "#!lua name=bench\nredis.register_function('rmw', function(keys, args) "
                   "local v = tonumber(redis.call('GET', keys[1]) or '0') + 1 redis.call('SET', keys[1], v) "
                   "return v end)"]]
SUITES["scripting"] = ["evalsha", "fcall"]

# issue 5: the probabilistic module, Bloom filters (target >= 0.4); -r makes __rand_int__ vary
CUSTOM["bf_add"] = ["-r", "100000", "BF.ADD", "bf", "__rand_int__"]
SETUP["bf_add"] = [["BF.RESERVE", "bf", "0.01", "100000"]]
CUSTOM["bf_exists"] = ["-r", "100000", "BF.EXISTS", "bf", "__rand_int__"]
SETUP["bf_exists"] = [["BF.RESERVE", "bf", "0.01", "100000"],
                      ["BF.MADD", "bf", *[f"{i:012d}" for i in range(0, 100000, 7)]]]
SUITES["bloom"] = ["bf_add", "bf_exists"]

# issue 5: the probabilistic module, sketches (target >= 0.4); one random item or value per call
CUSTOM["cms_incrby"] = ["-r", "100000", "CMS.INCRBY", "cms", "__rand_int__", "1"]
SETUP["cms_incrby"] = [["CMS.INITBYPROB", "cms", "0.001", "0.01"]]  # 2000 x 7 counters
CUSTOM["topk_add"] = ["-r", "100000", "TOPK.ADD", "topk", "__rand_int__"]
SETUP["topk_add"] = [["TOPK.RESERVE", "topk", "10", "2000", "7", "0.925"]]
CUSTOM["tdigest_add"] = ["-r", "100000", "TDIGEST.ADD", "td", "__rand_int__"]
SETUP["tdigest_add"] = [["TDIGEST.CREATE", "td"]]
SUITES["sketches"] = ["cms_incrby", "topk_add", "tdigest_add"]

# issue 5: the JSON module (target >= 0.4): a 1 KB document replaced and read at a nested
# path, and a number incremented in place
_JSON_DOC = __import__("json").dumps({
    "id": 1, "name": "widget", "tags": ["a", "b", "c"], "price": 12.5, "stock": {"warehouse": 40, "shop": 3},
    "items": [{"sku": f"sku-{i:04d}", "qty": i, "ok": i % 2 == 0, "note": "x" * 20} for i in range(14)],
}, separators=(",", ":"))
CUSTOM["json_set"] = ["JSON.SET", "doc", "$.a.b", _JSON_DOC]
SETUP["json_set"] = [["JSON.SET", "doc", "$", '{"a":{"b":{}},"n":0}']]
CUSTOM["json_get"] = ["JSON.GET", "doc", "$.a.b"]
SETUP["json_get"] = [["JSON.SET", "doc", "$", '{"a":{"b":' + _JSON_DOC + '},"n":0}']]
CUSTOM["json_numincrby"] = ["JSON.NUMINCRBY", "doc", "$.n", "1"]
SETUP["json_numincrby"] = [["JSON.SET", "doc", "$", '{"a":{"b":' + _JSON_DOC + '},"n":0}']]
SUITES["json"] = ["json_set", "json_get", "json_numincrby"]

# issue 4: the Modules API's own cost. A module command that opens a key and replies
# (examples/modules/hellotype.py, loaded with --loadmodule) against a core command of the
# same shape, both on moredis: the module/core ratio within moredis (target >= 0.7).
# name -> (module command, core command, setup of the module key, setup of the core key)
_HT = str(ROOT / "examples" / "modules" / "hellotype.py")
MODULE_VS_CORE: dict[str, tuple[list[str], list[str], list[list[str]], list[list[str]]]] = {
    # write: one random key, insert one value, reply the new length
    # (the value is fixed: __rand_int__ has leading zeros, which HELLOTYPE.INSERT refuses as
    # the C module does)
    "hellotype_insert": (["-r", "100000", "HELLOTYPE.INSERT", "ht:__rand_int__", "42"],
                         ["-r", "100000", "RPUSH", "l:__rand_int__", "42"], [], []),
    # read: one key of 10 elements, reply them all
    "hellotype_range": (["HELLOTYPE.RANGE", "ht", "0", "10"], ["LRANGE", "l", "0", "9"],
                        [["HELLOTYPE.INSERT", "ht", str(v)] for v in range(10)],
                        [["RPUSH", "l", *[str(v) for v in range(10)]]]),
}
SUITES["module"] = list(MODULE_VS_CORE)


# issue 7: persistence. Writes with appendonly yes / appendfsync everysec (both servers in a
# temp dir), and SAVE and start-up load times of 1,000,000 keys of mixed types.
AOF_TESTS = ["set", "incr", "lpush", "hset", "zadd"]
SUITES["persistence"] = ["aof_everysec", "save_load"]
PERSISTENCE = set(SUITES["persistence"])


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port: int, timeout: float = 30) -> None:
    t = time.time()
    while time.time() - t < timeout:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on {port}")


class Moredis:
    def __init__(self, port: int, extra: tuple[str, ...] = ()) -> None:
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="moredis-bench-")  # no stray dump.rdb is loaded
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moredis", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--dir", self.dir, "--enable-debug-command", "yes", "--loglevel", "warning", *extra],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(port)
        self.pid = self.proc.pid

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


class Reference:
    def __init__(self, port: int) -> None:
        self.port = port
        script = ROOT / "tools" / "reference-redis"
        out = subprocess.run([str(script), "start", str(port)], capture_output=True, text=True, check=True)
        wait_port(port)
        self.pid = int(out.stdout.strip().splitlines()[-1])

    def stop(self) -> None:
        subprocess.run([str(ROOT / "tools" / "reference-redis"), "stop", str(self.port)], capture_output=True)


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


_RPS = re.compile(r"^([A-Za-z0-9_ ():]+): ([0-9.]+) requests per second", re.M)
# the summary line: "<command>: 123.45 requests per second" (newer redis-benchmark adds
# ", p50=... msec"); the progress lines say "rps=" and do not match
_ANY_RPS = re.compile(r": ([0-9.]+) requests per second(?:,|$)", re.M)


def redis_benchmark(port: int, tests: list[str], n: int, pipeline: int, clients: int) -> dict[str, float]:
    cmd = ["redis-benchmark", "-p", str(port), "-q", "-c", str(clients), "-n", str(n), "-P", str(pipeline),
           "-t", ",".join(tests)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800).stdout.replace("\r", "\n")
    res = {}
    for name, rps in _RPS.findall(out):
        res[name.strip().split(" (")[0].lower()] = float(rps)
    return res


def custom_benchmark(port: int, name: str, args: list[str], n: int, pipeline: int, clients: int) -> float:
    cmd = ["redis-benchmark", "-p", str(port), "-q", "-c", str(clients), "-n", str(n), "-P", str(pipeline), *args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800).stdout.replace("\r", "\n")
    found = _ANY_RPS.findall(out)  # the command name may hold dots (BF.ADD, JSON.SET)
    return float(found[-1]) if found else 0.0


def flush(port: int) -> None:
    c = RawClient(port=port)
    c.call("FLUSHALL")
    c.close()


# test, moredis rps, reference rps, then each one's CPU us per request (None: not measured)
Row = tuple[str, float, float, float | None, float | None]


def compare(md: Moredis, ref: Reference, tests: list[str], n: int, pipeline: int, clients: int,
            rounds: int) -> list[Row]:
    """Each test on moredis then on the reference, `rounds` times; medians per result row
    (redis-benchmark's "ping" gives two rows: PING_INLINE and PING_MBULK). Also each
    server's CPU time per request, for tests that give one row: when the reference is not
    CPU-bound (redis-benchmark is the limit, often, on this machine) the CPU ratio falls
    below the throughput ratio."""
    rows: list[Row] = []
    for t in tests:
        mine: dict[str, list[float]] = {}
        theirs: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {"moredis": [], "redis": []}
        for _ in range(rounds):
            for srv, acc, side in ((md, mine, "moredis"), (ref, theirs, "redis")):
                flush(srv.port)
                for cmd in SETUP.get(t, ()):
                    c = RawClient(port=srv.port)
                    c.call(*cmd)
                    c.close()
                before = cpu_seconds(srv.pid)
                if t in CUSTOM:
                    res = {t: custom_benchmark(srv.port, t, CUSTOM[t], n, pipeline, clients)}
                else:
                    res = redis_benchmark(srv.port, [t], n, pipeline, clients)
                cpu[side].append((cpu_seconds(srv.pid) - before) / n * 1e6)
                for name, rps in res.items():
                    acc.setdefault(name, []).append(rps)
        one = len(theirs) == 1
        for name in theirs:
            rows.append((name, statistics.median(mine.get(name, [0.0])), statistics.median(theirs[name]),
                         statistics.median(cpu["moredis"]) if one else None,
                         statistics.median(cpu["redis"]) if one else None))
    return rows


def print_rows(title: str, rows: list[Row]) -> float:
    print(f"\n== {title}")
    print(f"{'test':<16}{'moredis rps':>14}{'redis rps':>14}{'ratio':>8}{'moredis us':>12}{'redis us':>10}"
          f"{'cpu ratio':>11}")
    ratios = []
    for t, a, b, ca, cb in rows:
        ratio = a / b if b else 0.0
        ratios.append(ratio)
        us = f"{ca:>12.1f}{cb:>10.1f}{(cb / ca if ca else 0.0):>11.2f}" if ca is not None and cb is not None else ""
        print(f"{t:<16}{a:>14.0f}{b:>14.0f}{ratio:>8.3f}{us}")
    med = statistics.median(ratios) if ratios else 0.0
    print(f"{'median':<16}{'':>14}{'':>14}{med:>8.3f}   min {min(ratios):.3f}")
    print("(us: each server's CPU time per request, user + system; cpu ratio = redis us / moredis us)")
    return med


def memory(md: Moredis, ref: Reference, keys: int) -> None:
    out = {}
    for name, srv in (("moredis", md), ("redis", ref)):
        flush(srv.port)
        before = rss_kb(srv.pid)
        c = RawClient(port=srv.port, timeout=600)
        t = time.time()
        c.call("DEBUG", "POPULATE", str(keys))
        dt = time.time() - t
        size = c.call("DBSIZE")
        c.close()
        time.sleep(0.5)
        out[name] = (rss_kb(srv.pid), before, dt, size)
    a, b = out["moredis"][0], out["redis"][0]
    print(f"\n== memory after DEBUG POPULATE {keys}")
    for name, (rss, before, dt, size) in out.items():
        print(f"{name:<10} RSS {rss / 1024:8.1f} MB (was {before / 1024:.1f} MB), {size} keys, populate {dt:.2f}s")
    print(f"RSS ratio moredis/redis: {a / b:.2f}")


def module_benchmark(port: int, args: list[str], n: int, pipeline: int, clients: int) -> float:
    """redis-benchmark on one command line; its rps (the name may hold any character,
    e.g. the dot of HELLOTYPE.RANGE)."""
    cmd = ["redis-benchmark", "-p", str(port), "-q", "-c", str(clients), "-n", str(n), "-P", str(pipeline), *args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800).stdout.replace("\r", "\n")
    found = _ANY_RPS.findall(out)
    return float(found[-1]) if found else 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (/proc/<pid>/stat fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def module_vs_core(md: Moredis, tests: list[str], n: int, pipeline: int, clients: int,
                   rounds: int) -> list[tuple[str, float, float, float, float]]:
    """Each MODULE_VS_CORE pair on the same moredis (hellotype loaded), module and core
    alternating: (test, module rps, core rps, module CPU us/request, core CPU us/request),
    medians of `rounds` runs. The server's CPU time per request does not depend on what
    else the shared machine is doing, so it is the steadier of the two figures."""
    rows = []
    for t in tests:
        mod_cmd, core_cmd, mod_setup, core_setup = MODULE_VS_CORE[t]
        rps: dict[str, list[float]] = {"module": [], "core": []}
        cpu: dict[str, list[float]] = {"module": [], "core": []}
        for _ in range(rounds):
            for side, cmd, setup in (("module", mod_cmd, mod_setup), ("core", core_cmd, core_setup)):
                flush(md.port)
                c = RawClient(port=md.port)
                for s in setup:
                    c.call(*s)
                c.close()
                before = cpu_seconds(md.pid)
                rps[side].append(module_benchmark(md.port, cmd, n, pipeline, clients))
                cpu[side].append((cpu_seconds(md.pid) - before) / n * 1e6)
        rows.append((t, statistics.median(rps["module"]), statistics.median(rps["core"]),
                     statistics.median(cpu["module"]), statistics.median(cpu["core"])))
    return rows


def print_module_rows(title: str, rows: list[tuple[str, float, float, float, float]]) -> None:
    print(f"\n== module vs core command on moredis, {title} (target: module/core throughput >= 0.7)")
    print(f"{'test':<18}{'module rps':>12}{'core rps':>12}{'ratio':>8}{'module us':>11}{'core us':>9}"
          f"{'cpu ratio':>11}   core command")
    for t, a, b, ca, cb in rows:
        core = " ".join(x for x in MODULE_VS_CORE[t][1] if x not in ("-r", "100000"))
        print(f"{t:<18}{a:>12.0f}{b:>12.0f}{(a / b if b else 0.0):>8.2f}{ca:>11.1f}{cb:>9.1f}"
              f"{(cb / ca if ca else 0.0):>11.2f}   {core}")
    print("(us: the server's CPU time per request; cpu ratio = core us / module us, the throughput "
          "ratio a CPU-bound server would reach)")


def run_module_suite(tests: list[str], o: argparse.Namespace) -> None:
    md = Moredis(free_port(), ("--loadmodule", _HT))
    try:
        print(f"moredis pid {md.pid} port {md.port} with {_HT}; {os.cpu_count()} cpus; -n {o.n} -c {o.clients}")
        print_module_rows("plain (-P 1)", module_vs_core(md, tests, o.n, 1, o.clients, o.rounds))
        if not o.no_pipeline:
            print_module_rows("pipelined (-P 16)", module_vs_core(md, tests, o.n, 16, o.clients, o.rounds))
    finally:
        md.stop()


class RefProc:
    """The reference redis-server started directly (not through tools/reference-redis,
    whose options are fixed), with our own directory and options."""

    def __init__(self, port: int, directory: str, extra: tuple[str, ...] = ()) -> None:
        out = subprocess.run([str(ROOT / "tools" / "reference-redis"), "path"], capture_output=True, text=True,
                             check=True).stdout.strip().splitlines()
        env = dict(os.environ)
        for ln in out:
            if ln.startswith("LD_LIBRARY_PATH="):
                env["LD_LIBRARY_PATH"] = ln.split("=", 1)[1]
        self.port = port
        self.proc = subprocess.Popen(
            [os.path.join(out[0], "redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--dir", directory, "--enable-debug-command", "yes", *extra],
            cwd=directory, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(port)
        self.pid = self.proc.pid

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def aof_everysec(o: argparse.Namespace) -> None:
    """Write throughput with appendonly yes and appendfsync everysec, moredis/reference."""
    import tempfile

    extra = ("--appendonly", "yes", "--appendfsync", "everysec")
    with tempfile.TemporaryDirectory(prefix="bench-aof-") as tmp:
        os.makedirs(f"{tmp}/m")
        os.makedirs(f"{tmp}/r")
        md = Moredis(free_port(), ("--dir", f"{tmp}/m", *extra))
        ref = RefProc(free_port(), f"{tmp}/r", extra)
        try:
            print(f"\nappendonly yes, appendfsync everysec; -n {o.n} -c {o.clients}")
            print_rows("AOF everysec writes, plain (-P 1)", compare(md, ref, AOF_TESTS, o.n, 1, o.clients, o.rounds))
            if not o.no_pipeline:
                print_rows("AOF everysec writes, pipelined (-P 16)",
                           compare(md, ref, AOF_TESTS, o.n, 16, o.clients, o.rounds))
        finally:
            md.stop()
            ref.stop()


def mixed_dataset(port: int, keys: int) -> None:
    """`keys` keys, pipelined: 60% strings, then lists, sets, hashes and sorted sets of 5
    elements, 10% each; every tenth key with a TTL."""
    c = RawClient(port=port, timeout=600)
    batch: list[bytes] = []

    def send() -> None:
        c.sock.sendall(b"".join(batch))
        for _ in batch:
            c.read()
        batch.clear()

    for i in range(keys):
        kind = i % 10
        k = f"key:{i}"
        if kind < 6:
            cmd: tuple = ("SET", k, f"value-{i}")
        elif kind == 6:
            cmd = ("RPUSH", k, "a", "b", "c", str(i), "e")
        elif kind == 7:
            cmd = ("SADD", k, "a", "b", "c", str(i), "e")
        elif kind == 8:
            cmd = ("HSET", k, "f1", "v1", "f2", str(i), "f3", "v3", "f4", "v4", "f5", "v5")
        else:
            cmd = ("ZADD", k, "1", "a", "2", "b", "3", "c", str(i), "d", "5", "e")
        batch.append(RawClient.encode(cmd))
        if i % 10 == 3:
            batch.append(RawClient.encode(("PEXPIREAT", k, "4102444800000")))
        if len(batch) >= 5000:
            send()
    if batch:
        send()
    c.close()


def _loaded_seconds(log: str) -> float:
    m = re.findall(r"DB loaded from disk: ([0-9.]+) seconds", log)
    return float(m[-1]) if m else 0.0


def save_load(o: argparse.Namespace) -> None:
    """SAVE and start-up load time of the same mixed dataset, moredis/reference."""
    import tempfile

    times: dict[str, tuple[float, float, int]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-rdb-") as tmp:
        for name in ("moredis", "redis"):
            d = f"{tmp}/{name}"
            os.makedirs(d)
            log = f"{d}/server.log"
            extra = ("--dir", d, "--logfile", log, "--loglevel", "notice")
            srv: Any = Moredis(free_port(), extra) if name == "moredis" else RefProc(free_port(), d, extra)
            try:
                mixed_dataset(srv.port, o.keys)
                c = RawClient(port=srv.port, timeout=600)
                t = time.time()
                assert c.call("SAVE") == b"OK"
                save = time.time() - t
                c.close()
            finally:
                srv.stop()
            srv = Moredis(free_port(), extra) if name == "moredis" else RefProc(free_port(), d, extra)
            try:
                c = RawClient(port=srv.port, timeout=600)
                while c.call("PING") != b"PONG":
                    time.sleep(0.1)
                size = c.call("DBSIZE")
                c.close()
            finally:
                srv.stop()
            with open(log) as f:
                times[name] = (save, _loaded_seconds(f.read()), size)
    print(f"\n== RDB save and load of {o.keys} keys of mixed types (strings, lists, sets, hashes, zsets)")
    for name, (save, load, size) in times.items():
        print(f"{name:<10} SAVE {save:7.2f}s   load {load:7.2f}s   ({size} keys)")
    (ms, ml, _), (rs, rl, _) = times["moredis"], times["redis"]
    print(f"time ratio moredis/redis: save {ms / rs if rs else 0.0:.2f}, load {ml / rl if rl else 0.0:.2f}")


def run_persistence_suite(tests: list[str], o: argparse.Namespace) -> None:
    if "aof_everysec" in tests:
        aof_everysec(o)
    if "save_load" in tests:
        save_load(o)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", action="append", choices=sorted(SUITES) + ["all"], help="default: all")
    ap.add_argument("-t", "--tests", help="comma-separated redis-benchmark tests instead of suites")
    ap.add_argument("-n", type=int, default=200000)
    ap.add_argument("-c", "--clients", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=1, help="runs per test and server; the median is kept")
    ap.add_argument("--keys", type=int, default=1000000)
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--no-pipeline", action="store_true")
    o = ap.parse_args()
    if o.tests:
        tests = o.tests.split(",")
    else:
        suites = o.suite or ["all"]
        names = sorted(SUITES) if "all" in suites else suites
        tests = [t for s in names for t in SUITES[s]]
    module_tests = [t for t in tests if t in MODULE_VS_CORE]
    persistence_tests = [t for t in tests if t in PERSISTENCE]
    tests = [t for t in tests if t not in MODULE_VS_CORE and t not in PERSISTENCE]
    if module_tests:
        run_module_suite(module_tests, o)
    if persistence_tests:
        run_persistence_suite(persistence_tests, o)
    if not tests:
        return
    md = Moredis(free_port())
    ref = Reference(free_port())
    try:
        print(f"moredis pid {md.pid} port {md.port}; reference redis pid {ref.pid} port {ref.port}; "
              f"{os.cpu_count()} cpus; -n {o.n} -c {o.clients}")
        print_rows("plain (-P 1)", compare(md, ref, tests, o.n, 1, o.clients, o.rounds))
        if not o.no_pipeline:
            print_rows("pipelined (-P 16)", compare(md, ref, tests, o.n, 16, o.clients, o.rounds))
        if not o.no_memory:
            memory(md, ref, o.keys)
    finally:
        md.stop()
        ref.stop()


if __name__ == "__main__":
    main()
