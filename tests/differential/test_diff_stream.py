"""Differential: stream commands answer byte for byte as Redis 7.4 does (RESP2 and RESP3):
errors and their order, ID parsing edge cases, ranges, trimming (the listpack node
layout decides what "~" removes, and what XINFO and MEMORY USAGE report), consumer
groups, lag and entries-read, claims, XINFO, keyspace events, keyspace hits, what is
replicated (read from a private reference through SYNC), digests, and hypothesis runs of
random command sequences against both servers."""

from __future__ import annotations

import random
import shlex
import subprocess
import time
from pathlib import Path

import hiredis
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from respclient import RawBytesClient
from string_helpers import Events, ReplicationStream, configured

# Replies carrying times (delivery times, idle times) are compared after _normalize.
SCRIPT_BASICS = r"""
SET str x
XADD s 1-1 a 1
XADD s 1-1 a 1
XADD s 0-0 a 1
XADD s 0 a 1
XADD s2 0-0 a 1
XADD s2 0-1 a 1
XADD s 1-* a 1
XADD s 1 a 1
XADD s 2 a 1
XADD s 2-* a 1
XADD s 1-* a 1
XADD s abc a 1
XADD s 1-x a 1
XADD s * a
XADD s * a 1 b
XADD s *
XADD nos NOMKSTREAM 5 a 1
EXISTS nos
XADD s maxlen -1 * a 1
XADD s maxlen abc * a 1
XADD s maxlen ~ 0 limit 5 3-0 a 1
XADD s maxlen 0 limit 5 3-1 a 1
XADD s maxlen = 0 limit 5 3-1 a 1
XADD s minid 5 maxlen 4 6 a 1
XADD s maxlen 4 minid 5 6 a 1
XADD s limit 5 6 a 1
XADD s limit 0 6 a 1
XADD s maxlen ~ 0 limit -1 6 a 1
XADD s maxlen ~ 0 limit abc 6 a 1
XADD s maxlen 18446744073709551616 7 a 1
XADD s minid abc 7 a 1
XADD s minid -1 7 a 1
XADD s minid 5-* 7 a 1
XADD s minid - 7 a 1
XADD s minid ~ 2 7 a 1
XADD s MAXLEN = 20 8 a 1
XADD s maxlen ~ 20 NOMKSTREAM 9 a 1
XADD s maxlen 2 maxlen 3 10 a 1
XADD s foo 10 a 1
XADD s maxlen 5
XADD s maxlen 5 nomkstream
XADD s nomkstream nomkstream 10 a 1 b 2
XRANGE s - +
XADD str 11 a 1
XADD str 0 a 1
XADD str nomkstream 11 a 1
XADD str maxlen x 11 a 1
XADD s 18446744073709551615-18446744073709551615 a 1
XADD s 18446744073709551615-* a 1
XADD s * a 1
XADD s 5 a 1
XADD t 5-18446744073709551615 a 1
XADD t 5-* a 1
XADD t 01-01 a 1
XADD t ' 7' a 1
XADD t '\t8-+5' a 1
XADD t +9 a 1
XADD t 10- a 1
XADD t 11-0x a 1
XADD t 0x12 a 1
XADD t -05 a 1
XADD t 13--03 a 1
XADD t 20000000000000000000000 a 1
XADD t 000000000000000000000000000000014 a 1
XADD t {zeros}15 a 1
XRANGE t - +
XADD t 18446744073709551615-0 a 1
XADD t 18446744073709551615-* a 1
XADD t 18446744073709551615-* a 1
XLEN t
DEL s t s2
XADD s 1-1 a 1
XADD s 1-2 b 2
XADD s 2-0 c 3
XADD s 3-5 d 4 e 5
XRANGE s - +
XRANGE s - + COUNT 2
XRANGE s - + count 0
XRANGE s - + count -1
XRANGE s - + count abc
XRANGE s - + count
XRANGE s - + foo 1
XRANGE s - + count 1 count 2
XRANGE s (1-1 +
XRANGE s (1 +
XRANGE s 1 1
XRANGE s 1 (2
XRANGE s (- +
XRANGE s - (+
XRANGE s ( +
XRANGE s (18446744073709551615-18446744073709551615 +
XRANGE s - (0-0
XRANGE s 2 1
XRANGE s + -
XRANGE s 3 3
XRANGE s 3-* +
XRANGE s -5 +
XRANGE nokey - +
XREVRANGE s + -
XREVRANGE s + - COUNT 1
XREVRANGE s (3-5 -
XREVRANGE s 2 -
XREVRANGE s 1 1
XREVRANGE s (2 (1
XREVRANGE s - +
XREVRANGE s + - count 0
XREVRANGE s (+ -
XREVRANGE s (0 -
XRANGE s - + COUNT 9223372036854775807
XRANGE s - + COUNT 9223372036854775808
XRANGE str - +
XRANGE str x +
XLEN s
XLEN str
XLEN nokey
XRANGE str - + count 0
XRANGE nokey - + count 0
XRANGE str - + count abc
XRANGE str abc abc count abc
XRANGE nokey (0-0 (0-0
XRANGE nokey ((1 +
XRANGE nokey 1-01 +
XRANGE nokey 1--01 +
XDEL s
XDEL s 1-1 9 9
XDEL s 1-1
XDEL s bad
XDEL s -
XDEL str 1
XDEL str bad
XDEL nokey bad
XINFO STREAM s
XDEL s 3-5 3-5
XINFO STREAM s
XDEL s 1-2 2
XINFO STREAM s
XADD s 4 a 1
XSETID s
XSETID nokey 1
XSETID str 1
XSETID nokey bad
XSETID s 1
XSETID s 4
XSETID s 3
XSETID s 5
XSETID s +
XSETID s 6 entriesadded
XSETID s 6 entriesadded -1
XSETID s 6 entriesadded 0
XSETID s 6 entriesadded 1
XSETID s 6 ENTRIESADDED 100
XSETID s 6 maxdeletedid 7
XSETID s 6 maxdeletedid 6
XSETID s 6 maxdeletedid bad
XSETID s 6 maxdeletedid 2 entriesadded 100 foo
XSETID s 6 foo 2
XINFO STREAM s
XSETID s 7 maxdeletedid 2
XSETID s 7 maxdeletedid 0
XSETID s 5
XINFO STREAM s
"""

SCRIPT_GROUPS = r"""
SET str x
XGROUP CREATE nokey g $
XGROUP CREATE nokey g $ mkstream foo
XGROUP CREATE nokey g $ entriesread
XGROUP CREATE nokey g $ entriesread -2
XGROUP CREATE nokey g $ entriesread abc
XGROUP CREATE nokey g $ mkstream mkstream mkstream mkstream
XGROUP CREATE nokey g $ mkstream mkstream mkstream
XGROUP CREATE str g $
XGROUP CREATE str g bad mkstream
XGROUP CREATE nokey g bad mkstream
XGROUP CREATE nokey g - mkstream
XGROUP CREATE nokey g 5-* mkstream
XGROUP CREATE nokey g 5 mkstream
XGROUP CREATE nokey G 5 mkstream
XGROUP CrEaTe nokey G2 5 MKSTREAM ENTRIESREAD 7
XGROUP SETID nokey g
XGROUP SETID nokey g 1 2
XGROUP SETID nokey g 1 entriesread
XGROUP SETID nokey g 1 foo 5
XGROUP SETID nokey nog 1
XGROUP SETID missing nog 1
XGROUP SETID str nog 1
XGROUP SETID nokey g -
XINFO GROUPS nokey
XGROUP SETID nokey g +
XINFO GROUPS nokey
XGROUP SETID nokey g 3 entriesread -2
XGROUP SETID nokey g 3 entriesread 18446744073709551615
XGROUP SETID missing nog 1 foo 5
XGROUP SETID missing nog 1 entriesread -5
XGROUP SETID nokey g bad entriesread -5
XGROUP SETID nokey g $ ENTRIESREAD 3
XGROUP DESTROY nokey nog
XGROUP DESTROY missing g
XGROUP DESTROY str g
XGROUP DESTROY nokey g x
XGROUP CREATECONSUMER nokey g c
XGROUP CREATECONSUMER nokey g c
XGROUP CREATECONSUMER nokey nog c
XGROUP CREATECONSUMER missing nog c
XGROUP DELCONSUMER nokey g c
XGROUP DELCONSUMER nokey g c
XGROUP DELCONSUMER nokey nog c
XGROUP HELP
XGROUP help x
XGROUP foo
XGROUP
XINFO HELP
XINFO help x
XINFO foo
XGROUP CREATE nokey g9 18446744073709551615-18446744073709551615
XINFO GROUPS nokey
DEL s
XADD s 1 a 1
XADD s 2 b 2
XADD s 3 c 3
XREAD STREAMS s 0
XREAD STREAMS s
XREAD STREAMS s s2 0
XREAD COUNT 1 STREAMS s 0
XREAD count -1 STREAMS s 0
XREAD count x STREAMS s 0
XREAD BLOCK -1 STREAMS s 0
XREAD BLOCK x STREAMS s 0
XREAD BLOCK 1.5 STREAMS s 0
XREAD BLOCK 9223372036854775807 STREAMS s $
XREAD foo STREAMS s 0
XREAD STREAMS
XREAD GROUP g c STREAMS s 0
XREAD NOACK STREAMS s 0
XREAD STREAMS s >
XREAD STREAMS s $
XREAD STREAMS s +
XREAD STREAMS nokey +
XREAD STREAMS str 0
XREAD STREAMS missing str 0 0
XREAD STREAMS s s 0 1
XREAD STREAMS s missing 0 0
XDEL s 3
XREAD STREAMS s +
XREAD STREAMS s (2
XREADGROUP STREAMS s 0
XREADGROUP GROUP g c STREAMS s 0
XGROUP CREATE s g 0
XREADGROUP GROUP g c STREAMS s $
XREADGROUP GROUP g c STREAMS s +
XREADGROUP GROUP g c STREAMS s >
XREADGROUP GROUP g STREAMS s >
XREADGROUP GROUP g c COUNT 1 STREAMS s s > >
XREADGROUP GROUP g c STREAMS s
XREADGROUP GROUP g c STREAMS nokey s > >
XREADGROUP GROUP g c STREAMS str s > >
XREAD BLOCK 10 STREAMS s2 s 0 0
XREADGROUP GROUP g c NOACK COUNT 1 STREAMS s 0
XREADGROUP GROUP g c2 STREAMS s 0
XGROUP CREATE e g $ MKSTREAM
XREAD STREAMS e +
XREAD STREAMS e 0
DEL s
XADD s 1 a 1
XADD s 2 b 2
XADD s 3 c 3
XGROUP CREATE s g 0
XPENDING s g
XPENDING s nog
XPENDING nokey g
XPENDING str g
XPENDING s g - +
XPENDING s g - + 10 c 5
XPENDING s g - + x
XPENDING s g - + -5
XPENDING s g x + 5
XPENDING s g idle 5 - +
XPENDING s g idle x - + 10
XPENDING s g (- + 10
XPENDING s g (18446744073709551615-18446744073709551615 + 10
XPENDING s g - (0 10
XPENDING nokey g bad + 10
XPENDING s g - + 10 c 5 6 7
XREADGROUP GROUP g c1 COUNT 1 STREAMS s >
XREADGROUP GROUP g c2 STREAMS s >
XPENDING s g
XPENDING s g - + 10
XPENDING s g - + 10 c2
XPENDING s g - + 10 c3
XPENDING s g (1 + 1
XPENDING s g idle 100000 - + 10
XDEL s 2
XREADGROUP GROUP g c2 STREAMS s 0
XREADGROUP GROUP g c2 COUNT 1 STREAMS s 0
XREADGROUP GROUP g c1 STREAMS s (0
XACK str g 1
XACK nokey g bad
XACK s nog bad
XACK s g bad
XACK s g 1 -
XACK s g 1 1 9
XPENDING s g
XINFO GROUPS s
XREADGROUP GROUP g c1 NOACK STREAMS s >
XADD s 4 d 4
XADD s 5 e 5
XREADGROUP GROUP g c1 NOACK COUNT 1 STREAMS s >
XINFO GROUPS s
XGROUP SETID s g 0
XREADGROUP GROUP g c3 STREAMS s >
XPENDING s g
XINFO CONSUMERS s g
XGROUP DELCONSUMER s g c3
XPENDING s g
XINFO GROUPS s
"""

SCRIPT_CLAIMS = r"""
SET str x
XADD s 1 a 1
XADD s 2 b 2
XADD s 3 c 3
XADD s 4 d 4
XADD s 5 e 5
XGROUP CREATE s g 0
XREADGROUP GROUP g c1 STREAMS s >
XCLAIM s g c2 0
XCLAIM s g c2 0 1
XCLAIM s nog c2 0 1
XCLAIM nokey g c2 0 1
XCLAIM str g c2 0 1
XCLAIM s g c2 x 1
XCLAIM s g c2 -5 1
XCLAIM s g c2 0 bad
XCLAIM s g c9 0 1 bad
XCLAIM s g c2 0 1 idle
XCLAIM s g c2 0 1 IDLE x
XCLAIM s g c2 0 1 TIME x
XCLAIM s g c2 0 1 RETRYCOUNT x
XCLAIM s g c2 0 1 LASTID x
XCLAIM s g c2 0 1 LASTID -
XCLAIM s g c2 0 1 2 JUSTID
XPENDING s g
XCLAIM s g c3 100000 1 2 3
XPENDING s g
XCLAIM s g c3 0 10 FORCE
XCLAIM s g c3 0 3 RETRYCOUNT 7 IDLE 5000
XCLAIM s g c3 0 3 RETRYCOUNT 7 IDLE 5000 JUSTID
XCLAIM s g c3 0 4 TIME 1 JUSTID
XCLAIM s g c3 0 4 TIME 99999999999999 JUSTID
XCLAIM s g c3 0 4 IDLE -1000 JUSTID
XPENDING s g - + 10
XDEL s 4
XCLAIM s g c4 0 4
XPENDING s g
XCLAIM s g c4 0 1 LASTID 10 FORCE
XINFO GROUPS s
XCLAIM s g c4 0 1 LASTID 5 FORCE 1
XCLAIM s g c4 0 1 1 1
XACK s g 1 2 3 5
XCLAIM s g c5 0 5 FORCE
XCLAIM s g c5 0 3 FORCE JUSTID
XCLAIM s g c5 0 2 FORCE RETRYCOUNT 9
XINFO STREAM s FULL
XINFO STREAM s FULL COUNT 1
XAUTOCLAIM s g c2 0 0 COUNT 0
XAUTOCLAIM s g c2 0 0 count x
XAUTOCLAIM s g c2 0 0 count 576460752303423488
XAUTOCLAIM s g c2 0 0 count 576460752303423487
XAUTOCLAIM s g c2 0 0 count 100000000
XAUTOCLAIM s g c2 x 0
XAUTOCLAIM s g c2 0 x
XAUTOCLAIM s g c2 0 (18446744073709551615-18446744073709551615
XAUTOCLAIM s g c2 0 - foo
XAUTOCLAIM s g c2 0 - count
XAUTOCLAIM s g c6 0 +
XAUTOCLAIM s nog c2 0 +
XAUTOCLAIM nokey nog c2 0 x
XAUTOCLAIM str nog c2 0 +
XAUTOCLAIM s g c7 0 0 COUNT 1
XAUTOCLAIM s g c7 0 0 JUSTID
XAUTOCLAIM s g c8 0 (2 COUNT 2 JUSTID
XDEL s 3
XAUTOCLAIM s g c9 10000000 0 COUNT 1
XAUTOCLAIM s g c9 0 0
XPENDING s g
XINFO STREAM s FULL
XGROUP DELCONSUMER s g c9
XINFO STREAM s FULL
XINFO STREAM s FULL COUNT 0
XINFO STREAM s FULL COUNT -5
XINFO STREAM s FULL x 5
XINFO STREAM s fulls
XINFO STREAM s FULL COUNT
XINFO STREAM s FULL COUNT x
XINFO STREAM nokey
XINFO STREAM str
XINFO STREAM str FULL COUNT
XINFO STREAM nokey bad
XINFO GROUPS nokey
XINFO GROUPS str
XINFO GROUPS s x
XINFO CONSUMERS s
XINFO CONSUMERS s nog
XINFO CONSUMERS nokey nog
XINFO CONSUMERS str nog
XINFO CONSUMERS s g
"""


def _parse(b: bytes):
    r = hiredis.Reader()
    r.feed(b)
    v = r.gets()
    return ("error", str(v)) if isinstance(v, Exception) else v


def _pairs(v) -> list:
    """The key/value pairs of a map reply in either protocol."""
    if isinstance(v, dict):
        return list(v.items())
    return list(zip(v[0::2], v[1::2], strict=True))


def _normalize(cmd: list[str], v):
    """Blank the parts of a reply that depend on when it was produced."""
    name = cmd[0].upper()
    if not isinstance(v, (list, dict)):
        return v
    if name == "XPENDING" and len(cmd) > 3:
        return [[e[0], e[1], 0, e[3]] for e in v]
    if name == "XINFO" and cmd[1].upper() == "CONSUMERS":
        return [[(k, x if k not in (b"idle", b"inactive") or x == -1 else 0) for k, x in _pairs(m)] for m in v]
    if name == "XINFO":
        return _mask_times(v)
    return v


def _mask_times(v):
    if isinstance(v, list):
        return [_mask_times(x) for x in v]
    if isinstance(v, dict):
        return {k: _mask_times(x) for k, x in v.items()}
    if isinstance(v, int) and v > 10**12:
        return "T"
    return v


def _timed(cmd: list[str]) -> bool:
    name = cmd[0].upper()
    return (name == "XPENDING" and len(cmd) > 3) or (name == "XINFO" and cmd[1].upper() in ("CONSUMERS", "STREAM")
                                                     and len(cmd) > 3)


def check(d, *cmd: str) -> None:
    """d.check, with time-dependent replies compared after _normalize."""
    if not _timed(list(cmd)):
        d.check(*cmd)
        return
    mine, theirs = d.both(*cmd)
    assert _normalize(list(cmd), _parse(mine)) == _normalize(list(cmd), _parse(theirs)), \
        f"{cmd!r}: moredis {mine!r} != reference {theirs!r}"


def run_script(d, script: str) -> None:
    d.check("FLUSHALL")
    for line in script.strip().replace("{zeros}", "0" * 126).splitlines():
        check(d, *shlex.split(line))


@pytest.mark.parametrize("script", [SCRIPT_BASICS, SCRIPT_GROUPS, SCRIPT_CLAIMS], ids=["basics", "groups", "claims"])
def test_scripts(d, d3, script):
    run_script(d, script)
    run_script(d3, script)


def test_ids_in_arguments_are_c_strings(d):
    """An ID argument ends at a NUL byte, as C's string functions see it."""
    d.check("FLUSHALL")
    for cmd in (("XADD", "n", b"5\x00abc", "a", "1"), ("XADD", "n", b"6-1\x00x", "a", "1"),
                ("XADD", "n", b"7-*\x00x", "a", "1"), ("XRANGE", "n", b"-\x00x", b"+\x00"),
                ("XADD", "n", b"0" * 127, "a", "1"), ("XADD", "n", b"0" * 128, "a", "1"),
                ("XRANGE", "n", "-", "+"), ("XADD", "n", b"MAXLEN\x00", b"~\x00", "0", "8", "a", "1"),
                ("XRANGE", "n", "-", "+", b"COUNT\x00z", "1")):
        d.check(*cmd)


# --- node layout: trimming, XINFO radix tree figures, MEMORY USAGE ---------------------------
def _layout_script(seed: int) -> list[list[str]]:
    rnd = random.Random(seed)
    out: list[list[str]] = []
    ms = 1
    for k in range(160):
        r = rnd.random()
        ms += rnd.choice([0, 1, 1, 1, 300, 70000, 1 << 40])
        fields = rnd.choice([["a"], ["a", "b"], ["f%d" % rnd.randint(0, 3)], ["x", "y", "z"], ["1", "2"]])
        fv: list[str] = []
        for f in fields:
            fv += [f, rnd.choice(["v", "1", "-5", "100000", "x" * rnd.randint(0, 100),
                                  str(rnd.randint(-10**12, 10**12)), "9223372036854775807", "-9223372036854775808",
                                  "01"])]
        if r < 0.05:
            out.append(["XTRIM", "s", "MAXLEN", "~", str(rnd.randint(0, 120))])
        elif r < 0.08:
            out.append(["XTRIM", "s", "MAXLEN", str(rnd.randint(0, 120))])
        elif r < 0.1:
            out.append(["XTRIM", "s", "MINID", "~", str(rnd.randint(0, ms))])
        elif r < 0.12:
            out.append(["XTRIM", "s", "MINID", str(rnd.randint(0, ms))])
        elif r < 0.2:
            out.append(["XDEL", "s", "%d-%d" % (ms, rnd.randint(0, 3)), str(rnd.randint(0, ms))])
        elif r < 0.25:
            out.append(["XADD", "s", "MAXLEN", "~", str(rnd.randint(0, 120)), "%d-*" % ms, *fv])
        elif r < 0.27:
            out.append(["XADD", "s", "MINID", "~", str(rnd.randint(0, ms)), "LIMIT", str(rnd.randint(0, 200)),
                        "%d-*" % ms, *fv])
        elif r < 0.3:
            out.append(["XTRIM", "s", "MAXLEN", "~", str(rnd.randint(0, 120)), "LIMIT", str(rnd.randint(0, 120))])
        else:
            out.append(["XADD", "s", "%d-*" % ms, *fv])
        if k % 10 == 0:
            out += [["XINFO", "STREAM", "s"], ["XRANGE", "s", "-", "+", "COUNT", "3"], ["MEMORY", "USAGE", "s"],
                    ["DEBUG", "DIGEST-VALUE", "s"]]
    out += [["XINFO", "STREAM", "s", "FULL", "COUNT", "0"], ["MEMORY", "USAGE", "s", "SAMPLES", "0"]]
    return out


@pytest.mark.parametrize("entries, size", [(100, 4096), (3, 4096), (5, 60), (0, 100), (2, 0), (1, 10), (150, 100000)])
def test_node_layout_trimming_and_memory(d, srv, entries, size):
    """stream-node-max-entries/-bytes decide the nodes; "~" trimming, the radix-tree
    figures of XINFO and MEMORY USAGE all follow from them."""
    d.check("FLUSHALL")
    with configured(srv, d, "stream-node-max-entries", str(entries), "100"), \
            configured(srv, d, "stream-node-max-bytes", str(size), "4096"):
        for cmd in _layout_script(entries * 7 + size):
            d.check(*cmd)


def test_approximate_trimming_default_limit(d, srv):
    """Without LIMIT, "~" trims at most 100 * stream-node-max-entries entries (10000 when 0)."""
    d.check("FLUSHALL")
    with configured(srv, d, "stream-node-max-entries", "1", "100"):
        for i in range(1, 251):
            d.check("XADD", "s", str(i), "a", "1")
        d.check("XTRIM", "s", "MAXLEN", "~", "0")
        d.check("XINFO", "STREAM", "s")
        d.check("XADD", "s", "MAXLEN", "~", "0", "LIMIT", "30", "300", "a", "1")
        d.check("XTRIM", "s", "MINID", "~", "1000", "LIMIT", "0")
        d.check("XINFO", "STREAM", "s")


# --- lag and entries-read ------------------------------------------------------------------
def test_lag_and_entries_read(d, d3):
    script = """
    XADD s 1 f v
    XADD s 2 f v
    XADD s 3 f v
    XADD s 4 f v
    XADD s 5 f v
    XGROUP CREATE s g1 0
    XGROUP CREATE s g2 $
    XGROUP CREATE s g3 3 ENTRIESREAD 3
    XGROUP CREATE s g4 2
    XINFO GROUPS s
    XREADGROUP GROUP g1 c COUNT 2 STREAMS s >
    XREADGROUP GROUP g4 c COUNT 1 STREAMS s >
    XINFO GROUPS s
    XDEL s 4
    XINFO GROUPS s
    XREADGROUP GROUP g1 c COUNT 1 STREAMS s >
    XREADGROUP GROUP g3 c COUNT 1 STREAMS s >
    XINFO GROUPS s
    XREADGROUP GROUP g1 c STREAMS s >
    XINFO GROUPS s
    XDEL s 1
    XINFO GROUPS s
    XADD s 6 f v
    XTRIM s MAXLEN 1
    XINFO GROUPS s
    XGROUP SETID s g2 0
    XGROUP SETID s g4 $
    XGROUP SETID s g3 2 ENTRIESREAD 1
    XINFO GROUPS s
    XREADGROUP GROUP g2 c STREAMS s >
    XINFO GROUPS s
    XSETID s 10 ENTRIESADDED 30 MAXDELETEDID 8
    XINFO GROUPS s
    XADD s 11 f v
    XINFO GROUPS s
    XDEL s 6 11
    XINFO GROUPS s
    XINFO STREAM s FULL
    XGROUP CREATE empty g $ MKSTREAM
    XINFO GROUPS empty
    XSETID empty 5
    XINFO GROUPS empty
    XGROUP SETID empty g 3
    XINFO GROUPS empty
    """
    for x in (d, d3):
        run_script(x, script)


# --- keyspace events, hits and misses, replication --------------------------------------------
def test_keyspace_events(d, srv, ref):
    d.check("FLUSHALL")
    with configured(srv, d, "notify-keyspace-events", "KEA", ""):
        ev = Events(srv, ref, d)
        try:
            for line in """
                XADD s 1 a 1
                XADD s MAXLEN 0 2 a 1
                XADD s MAXLEN 5 3 a 1
                XGROUP CREATE s g 0
                XGROUP CREATE s2 g 0 MKSTREAM
                XREADGROUP GROUP g c1 STREAMS s >
                XCLAIM s g c2 0 3
                XAUTOCLAIM s g c3 0 0
                XACK s g 3
                XGROUP CREATECONSUMER s g c4
                XGROUP CREATECONSUMER s g c4
                XGROUP DELCONSUMER s g c4
                XGROUP DELCONSUMER s g c4
                XGROUP SETID s g 0
                XDEL s 3
                XDEL s 3
                XADD s 4 a 1
                XTRIM s MAXLEN 0
                XTRIM s MAXLEN 0
                XSETID s 10
                XGROUP DESTROY s g
                XGROUP DESTROY s g
                XREADGROUP GROUP g c5 NOACK STREAMS s >
                XGROUP CREATE s g 0
                XREADGROUP GROUP g c5 NOACK STREAMS s >
                XADD nokey NOMKSTREAM 5 a 1
                DEL s
            """.strip().splitlines():
                ev.check(*shlex.split(line))
        finally:
            ev.close()


def _stats(client) -> tuple[int, int]:
    info = client.call("INFO", "stats").decode()
    vals = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return int(vals["keyspace_hits"]), int(vals["keyspace_misses"])


def test_keyspace_hits_and_misses(d):
    d.check("FLUSHALL")
    d.check("XADD", "s", "1", "a", "1")
    d.check("XGROUP", "CREATE", "s", "g", "0")
    for cmd in (("XRANGE", "s", "-", "+"), ("XREVRANGE", "nokey", "+", "-"), ("XLEN", "s"), ("XLEN", "nokey"),
                ("XREAD", "STREAMS", "s", "nokey", "0", "0"), ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"),
                ("XPENDING", "s", "g"), ("XPENDING", "nokey", "g"), ("XACK", "s", "g", "1"),
                ("XACK", "nokey", "g", "1"),
                ("XCLAIM", "s", "g", "c", "0", "1"), ("XAUTOCLAIM", "s", "g", "c", "0", "0"),
                ("XINFO", "STREAM", "s"), ("XINFO", "GROUPS", "nokey"), ("XADD", "s", "2", "a", "1"),
                ("XDEL", "nokey", "1"), ("XTRIM", "s", "MAXLEN", "5"), ("XGROUP", "SETID", "s", "g", "0"),
                ("XSETID", "s", "9"), ("XGROUP", "CREATE", "t", "g", "$", "MKSTREAM")):
        before = _stats(d.mine), _stats(d.theirs)
        d.both(*cmd)
        after = _stats(d.mine), _stats(d.theirs)
        mine = (after[0][0] - before[0][0], after[0][1] - before[0][1])
        theirs = (after[1][0] - before[1][0], after[1][1] - before[1][1])
        assert mine == theirs, cmd


def _free_port() -> int:
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


PROPAGATED = [
    ("XADD", "s", "1", "a", "1"), ("XADD", "s", "*", "b", "2"), ("XADD", "s", "MAXLEN", "~", "1", "*", "c", "3"),
    ("XADD", "s", "MINID", "~", "1", "LIMIT", "10", "*", "c", "3"), ("XADD", "s", "MAXLEN", "=", "100", "*", "d", "4"),
    ("XADD", "s", "MAXLEN", "1000", "99999999999999-*", "e", "5"), ("XTRIM", "s", "MAXLEN", "~", "0"),
    ("XTRIM", "s", "MAXLEN", "100"),
    ("XADD", "s", "100000000000000", "f", "6"), ("XADD", "s", "100000000000001", "f", "6"),
    ("XGROUP", "CREATE", "s", "g", "0"), ("XGROUP", "CREATE", "s", "g2", "$"),
    ("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">"),
    ("XREADGROUP", "GROUP", "g", "bob", "NOACK", "COUNT", "1", "STREAMS", "s", ">"),
    ("XREADGROUP", "GROUP", "g", "carol", "STREAMS", "s", "0"),
    ("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"),
    ("XCLAIM", "s", "g", "dave", "0", "100000000000000", "RETRYCOUNT", "5"),
    ("XCLAIM", "s", "g", "dave", "10000000", "100000000000000", "LASTID", "200000000000000"),
    ("XCLAIM", "s", "g", "erin", "10000000", "100000000000000"),
    ("XADD", "s", "200000000000001", "g", "7"), ("XADD", "s", "200000000000002", "g", "7"),
    ("XREADGROUP", "GROUP", "g", "frank", "STREAMS", "s", ">"), ("XDEL", "s", "200000000000001"),
    ("XAUTOCLAIM", "s", "g", "gina", "0", "0", "COUNT", "10"),
    ("XACK", "s", "g", "200000000000002"), ("XACK", "s", "g", "200000000000002"),
    ("XGROUP", "SETID", "s", "g", "$"), ("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "0"),
    ("XGROUP", "CREATECONSUMER", "s", "g", "hank"), ("XGROUP", "DELCONSUMER", "s", "g", "hank"),
    ("XGROUP", "DESTROY", "s", "g2"), ("XSETID", "s", "300000000000000"), ("XDEL", "s", "1"),
    ("XGROUP", "CREATE", "t", "g", "$", "MKSTREAM"),
]


def test_propagation_matches_the_replication_stream(srv):
    """Each command runs on moredis (its propagators record what it replicates) and on a
    private reference read through SYNC; generated IDs and delivery times must agree
    within a few seconds."""
    script = Path(__file__).resolve().parents[2] / "tools" / "reference-redis"
    port = _free_port()
    if subprocess.run([str(script), "start", str(port)], capture_output=True, timeout=300).returncode != 0:
        pytest.skip("private reference server could not start")
    got: list[list[bytes]] = []

    def record(dbid, argvs):
        got.append([list(a) for a in argvs])

    mine = RawBytesClient(port=srv.port)
    srv.call_in_loop(srv.core.propagators.append, record)
    try:
        for _ in range(100):
            try:
                ref = RawBytesClient(port=port)
                break
            except OSError:
                time.sleep(0.05)
        stream = ReplicationStream(port)
        mine.call("FLUSHALL")
        ref.call("FLUSHALL")
        for cmd in PROPAGATED:
            a, b = mine.call(*cmd), ref.call(*cmd)
            if "*" not in cmd:  # generated IDs follow each server's clock
                assert a == b, (cmd, a, b)
        mine.call("SET", "--end--", "x")
        ref.call("SET", "--end--", "x")
        theirs = [x for x in stream.commands(b"--end--") if x[0].upper() != b"FLUSHALL"]
        flat = [a for group in got for a in (group if len(group) == 1 else [[b"MULTI"], *group, [b"EXEC"]])]
        flat = [a for a in flat if a[:2] != [b"SET", b"--end--"] and a[0].upper() not in (b"FLUSHALL", b"SELECT")]
        assert len(flat) == len(theirs) > 30, (flat, theirs)
        for a, b in zip(flat, theirs, strict=True):
            assert len(a) == len(b), (a, b)
            for x, y in zip(a, b, strict=True):
                if x != y:
                    xs, ys = x.split(b"-")[0], y.split(b"-")[0]
                    assert xs.isdigit() and ys.isdigit() and int(xs) > 10**12, (a, b)
                    assert abs(int(xs) - int(ys)) < 5000, (a, b)
        stream.close()
        ref.close()
    finally:
        srv.call_in_loop(srv.core.propagators.remove, record)
        mine.call("FLUSHALL")
        mine.close()
        subprocess.run([str(script), "stop", str(port)], capture_output=True, timeout=60)


def test_digest_and_copy(d):
    d.check("FLUSHALL")
    for cmd in (("XADD", "s", "1", "a", "1", "b", "-2"), ("XADD", "s", "2", "a", "x" * 100),
                ("XADD", "s", "3", "c", ""), ("XGROUP", "CREATE", "s", "g", "0"),
                ("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"),
                ("DEBUG", "DIGEST-VALUE", "s"), ("DEBUG", "DIGEST"), ("XDEL", "s", "2"), ("DEBUG", "DIGEST-VALUE", "s"),
                ("COPY", "s", "t"), ("DEBUG", "DIGEST-VALUE", "t"), ("XINFO", "GROUPS", "t"), ("XPENDING", "t", "g"),
                ("XTRIM", "s", "MAXLEN", "0"), ("DEBUG", "DIGEST-VALUE", "s"), ("DEBUG", "DIGEST"),
                ("OBJECT", "ENCODING", "t"), ("TYPE", "t"), ("MEMORY", "USAGE", "t")):
        d.check(*cmd)


# --- random command sequences ---------------------------------------------------------------
KEYS = ["s1", "s2", "str"]
GROUPS = ["g1", "g2", "G1"]
CONSUMERS = ["alice", "bob", "c"]
IDS = ["0", "1", "2", "2-1", "3", "4-0", "5", "6", "8", "10", "-", "+", "(2", "(4", "$", ">", "x", "0-0", "5-*",
       "18446744073709551615"]
FIELDS = ["f", "g", "1", "-7", "x" * 30]
PREAMBLE = [["XADD", "s1", str(i), "f", str(i), *(["g", "x"] if i % 3 == 0 else [])] for i in range(1, 7)] + [
    ["XADD", "s2", "2", "f", "v"], ["XADD", "s2", "4", "g", "v"], ["XGROUP", "CREATE", "s1", "g1", "0"],
    ["XGROUP", "CREATE", "s1", "g2", "$"], ["XGROUP", "CREATE", "s2", "g1", "0"],
    ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "2", "STREAMS", "s1", ">"]]


def _commands() -> st.SearchStrategy:
    k = st.sampled_from(["s1", "s1", "s1", "s2", "s2", "str"])
    g = st.sampled_from(["g1", "g1", "g2", "G1"])
    c = st.sampled_from(CONSUMERS)
    i = st.sampled_from(IDS)
    n = st.sampled_from(["0", "1", "2", "5", "-1", "x"])
    fv = st.lists(st.sampled_from(FIELDS), min_size=2, max_size=6).map(lambda xs: xs if len(xs) % 2 == 0 else xs[:-1])
    ms = st.integers(1, 12)
    return st.one_of(
        st.builds(lambda k_, m, s, f, o: ["XADD", k_, *o, "%d-%s" % (m, s), *f], k, ms,
                  st.sampled_from(["0", "1", "*"]), fv,
                  st.sampled_from([[], ["NOMKSTREAM"], ["MAXLEN", "~", "2"], ["MAXLEN", "3"], ["MINID", "4"],
                                   ["MINID", "~", "6", "LIMIT", "1"]])),
        st.builds(lambda k_, a, b, o: ["XRANGE", k_, a, b, *o], k, i, i, st.sampled_from([[], ["COUNT", "2"]])),
        st.builds(lambda k_, a, b: ["XREVRANGE", k_, a, b], k, i, i),
        st.builds(lambda k_: ["XLEN", k_], k),
        st.builds(lambda k_, ids: ["XDEL", k_, *ids], k, st.lists(i, min_size=1, max_size=3)),
        st.builds(lambda k_, s, v: ["XTRIM", k_, s, *v], k, st.sampled_from(["MAXLEN", "MINID"]),
                  st.sampled_from([["0"], ["1"], ["~", "1"], ["=", "3"], ["5"], ["~", "2", "LIMIT", "1"]])),
        st.builds(lambda k_, g_, i_, o: ["XGROUP", "CREATE", k_, g_, i_, *o], k, g, i,
                  st.sampled_from([[], ["MKSTREAM"], ["ENTRIESREAD", "2"]])),
        st.builds(lambda k_, g_, i_, o: ["XGROUP", "SETID", k_, g_, i_, *o], k, g, i,
                  st.sampled_from([[], ["ENTRIESREAD", "1"], ["ENTRIESREAD", "-1"]])),
        st.builds(lambda k_, g_: ["XGROUP", "DESTROY", k_, g_], k, g),
        st.builds(lambda s, k_, g_, c_: ["XGROUP", s, k_, g_, c_], st.sampled_from(["CREATECONSUMER", "DELCONSUMER"]),
                  k, g, c),
        st.builds(lambda g_, c_, o, ks, ids: ["XREADGROUP", "GROUP", g_, c_, *o, "STREAMS", *ks, *ids[:len(ks)]],
                  g, c, st.sampled_from([[], ["COUNT", "1"], ["NOACK"], ["COUNT", "2", "NOACK"]]),
                  st.lists(k, min_size=1, max_size=2), st.lists(st.sampled_from([">", ">", "0", "2"]), min_size=2,
                                                                max_size=2)),
        st.builds(lambda g_, c_, o, ks, ids: ["XREADGROUP", "GROUP", g_, c_, *o, "STREAMS", *ks, *ids[:len(ks)]],
                  g, c, st.sampled_from([[], ["COUNT", "1"], ["NOACK"], ["COUNT", "2", "NOACK"]]),
                  st.lists(k, min_size=1, max_size=2), st.lists(st.sampled_from([">", ">", "0", "2"]), min_size=2,
                                                                max_size=2)),
        st.builds(lambda o, ks, ids: ["XREAD", *o, "STREAMS", *ks, *ids[:len(ks)]],
                  st.sampled_from([[], ["COUNT", "1"]]), st.lists(k, min_size=1, max_size=2),
                  st.lists(i, min_size=2, max_size=2)),
        st.builds(lambda k_, g_, ids: ["XACK", k_, g_, *ids], k, g, st.lists(i, min_size=1, max_size=3)),
        st.builds(lambda k_, g_, o: ["XPENDING", k_, g_, *o], k, g,
                  st.sampled_from([[], ["-", "+", "10"], ["-", "+", "2", "alice"], ["(1", "+", "1"]])),
        st.builds(lambda k_, g_, c_, ids, o: ["XCLAIM", k_, g_, c_, "0", *ids, *o], k, g, c,
                  st.lists(i, min_size=1, max_size=2),
                  st.sampled_from([[], ["JUSTID"], ["FORCE"], ["RETRYCOUNT", "4"], ["LASTID", "9"]])),
        st.builds(lambda k_, g_, c_, i_, o: ["XAUTOCLAIM", k_, g_, c_, "0", i_, *o], k, g, c, i,
                  st.sampled_from([[], ["COUNT", "1"], ["JUSTID"], ["COUNT", "2", "JUSTID"]])),
        st.builds(lambda k_, i_, o: ["XSETID", k_, i_, *o], k, i,
                  st.sampled_from([[], ["ENTRIESADDED", "9"], ["MAXDELETEDID", "2"]])),
        st.builds(lambda k_: ["XINFO", "GROUPS", k_], k),
        st.builds(lambda k_: ["XINFO", "STREAM", k_], k),
        st.builds(lambda k_, g_: ["XINFO", "CONSUMERS", k_, g_], k, g),
        st.builds(lambda k_: ["DEL", k_], k),
        st.builds(lambda n_: ["SET", "str", n_], n),
    )


def _sequence_test(d, cmds) -> None:
    d.check("FLUSHALL")
    for cmd in PREAMBLE + cmds:
        check(d, *cmd)
    for k in KEYS[:2]:
        check(d, "XINFO", "STREAM", k, "FULL", "COUNT", "0")
        d.check("DEBUG", "DIGEST-VALUE", k)
        d.check("MEMORY", "USAGE", k)
        for g in GROUPS:
            d.check("XPENDING", k, g)
    d.check("DEBUG", "DIGEST")


@settings(max_examples=30, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cmds=st.lists(_commands(), min_size=20, max_size=50))
def test_random_sequences(d, cmds):
    _sequence_test(d, cmds)


@settings(max_examples=10, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cmds=st.lists(_commands(), min_size=15, max_size=40))
def test_random_sequences_resp3_small_nodes(d3, srv, cmds):
    with configured(srv, d3, "stream-node-max-entries", "2", "100"):
        _sequence_test(d3, cmds)


@pytest.mark.slow
@settings(max_examples=500, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cmds=st.lists(_commands(), min_size=20, max_size=100))
def test_random_sequences_long(d, cmds):
    _sequence_test(d, cmds)


WATCH_CASES = [
    ("XSETID", "s", "10"), ("XGROUP", "CREATE", "s", "g2", "0"), ("XGROUP", "SETID", "s", "g", "0"),
    ("XGROUP", "DESTROY", "s", "g"), ("XGROUP", "CREATECONSUMER", "s", "g", "c9"),
    ("XGROUP", "DELCONSUMER", "s", "g", "c1"),
    ("XACK", "s", "g", "1"), ("XCLAIM", "s", "g", "c2", "0", "1"), ("XAUTOCLAIM", "s", "g", "c2", "0", "0"),
    ("XREADGROUP", "GROUP", "g", "c1", "STREAMS", "s", ">"), ("XREADGROUP", "GROUP", "g", "c5", "STREAMS", "s", "0"),
    ("XDEL", "s", "1"), ("XDEL", "s", "9"), ("XTRIM", "s", "MAXLEN", "0"), ("XTRIM", "s", "MAXLEN", "5"),
    ("XADD", "s", "3", "f", "v"), ("XGROUP", "CREATE", "new", "g", "$", "MKSTREAM"),
    ("XADD", "s", "NOMKSTREAM", "4", "f", "v"), ("XADD", "new", "NOMKSTREAM", "4", "f", "v"),
]


@pytest.mark.parametrize("cmd", WATCH_CASES, ids=[" ".join(c[:2]) for c in WATCH_CASES])
def test_which_writes_touch_watched_keys(srv, ref, cmd):
    """Only entry changes (and a stream created by XGROUP CREATE MKSTREAM) break a WATCH;
    group and consumer bookkeeping does not, as in Redis."""
    def outcome(port: int) -> bytes:
        a, b = RawBytesClient(port=port), RawBytesClient(port=port)
        b.call("FLUSHALL")
        for x in (("XADD", "s", "1", "f", "v"), ("XADD", "s", "2", "f", "v"), ("XGROUP", "CREATE", "s", "g", "0"),
                  ("XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", ">")):
            b.call(*x)
        a.call("WATCH", "s", "new")
        b.call(*cmd)
        a.call("MULTI")
        a.call("PING")
        out = a.call("EXEC")
        a.close()
        b.close()
        return out

    assert outcome(srv.port) == outcome(ref.port)
