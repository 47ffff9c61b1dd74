"""Differential: CLIENT answers byte for byte as Redis 7.4 does (errors, validation,
shapes); CLIENT LIST/INFO lines compared field by field with per-connection values masked."""

from __future__ import annotations

import re

import pytest
from respclient import RawBytesClient

# values that depend on the connection or the allocator, not on the command semantics
MASKED = {"id", "addr", "laddr", "fd", "age", "idle", "rbs", "rbp", "tot-mem", "redir"}
FIELDS = ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub", "ssub", "multi",
          "watch", "qbuf", "qbuf-free", "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem", "tot-mem",
          "events", "cmd", "user", "redir", "resp", "lib-name", "lib-ver"]


def _lines(reply: bytes) -> list[list[tuple[str, str]]]:
    """The CLIENT LIST/INFO payload (bulk or verbatim) as lists of (field, value)."""
    head, _, body = reply.partition(b"\r\n")
    assert head[:1] in (b"$", b"="), reply
    text = body[: int(head[1:])]
    if head[:1] == b"=":
        assert text[:4] == b"txt:"
        text = text[4:]
    if not text:
        return []
    assert text.endswith(b"\n")
    out = []
    for line in text.decode().split("\n")[:-1]:
        out.append([tuple(kv.split("=", 1)) for kv in line.split(" ")])
    return out


def _masked(line):
    return [(k, "?" if k in MASKED else v) for k, v in line]


def _check_info(x, *args):
    mine, theirs = x.both(*args)
    assert mine[:1] == theirs[:1], (mine, theirs)
    a, b = _lines(mine), _lines(theirs)
    assert len(a) == len(b)
    for la, lb in zip(a, b, strict=True):
        assert [k for k, _ in la] == FIELDS
        assert _masked(la) == _masked(lb), (la, lb)
        vals = dict(la)
        for k in ("id", "fd", "age", "idle", "rbs", "rbp", "tot-mem"):
            assert re.fullmatch(r"-?\d+", vals[k]), (k, vals[k])
        assert re.fullmatch(r"[^ ]+:\d+", vals["addr"])


def test_names_and_info_validation(d, d3):
    for x in (d, d3):
        x.check("CLIENT", "GETNAME")
        x.check("CLIENT", "SETNAME", "a b")
        x.check("CLIENT", "SETNAME", "a\nb")
        x.check("CLIENT", "SETNAME", "\xe9")
        x.check("CLIENT", "SETNAME", "conn-1")
        x.check("CLIENT", "GETNAME")
        x.check("CLIENT", "SETNAME", "")
        x.check("CLIENT", "GETNAME")
        x.check("CLIENT", "SETNAME", "a", "b")
        x.check("CLIENT", "SETINFO", "lib-name", "redis-py(x)")
        x.check("CLIENT", "SETINFO", "LIB-VER", "5.0.1")
        x.check("CLIENT", "SETINFO", "LIB-NAME", "a b")
        x.check("CLIENT", "SETINFO", "Lib-Ver", "1\n2")
        x.check("CLIENT", "SETINFO", "lib-name", "caf\xe9")
        x.check("CLIENT", "SETINFO", "lib-ver", "")
        x.check("CLIENT", "SETINFO", "lib-foo", "x")
        x.check("CLIENT", "SETINFO", "lib-name")
        x.check("CLIENT", "SETINFO", "lib-name", "a", "b")
        _check_info(x, "CLIENT", "INFO")
        x.check("CLIENT", "SETINFO", "lib-name", "")


def test_arity_and_unknown(d, d3):
    for x in (d, d3):
        x.check("CLIENT")
        x.check("CLIENT", "NOPE")
        x.check("client", "NoPe", "x")
        for sub in ("ID", "INFO", "GETNAME", "GETREDIR", "TRACKINGINFO", "UNPAUSE", "HELP"):
            x.check("CLIENT", sub, "extra")
        for sub in ("SETNAME", "REPLY", "NO-EVICT", "NO-TOUCH", "CACHING", "KILL", "PAUSE", "UNBLOCK",
                    "TRACKING"):
            x.check("CLIENT", sub)
        x.check("CLIENT", "PAUSE", "0", "WRITE", "x")
        x.check("client", "pause", "0", "write", "x")
        x.check("CLIENT", "UnBlock", "0", "error", "x")


def test_list_filters(d, d3):
    for x in (d, d3):
        _check_info(x, "CLIENT", "INFO")
        _check_info(x, "CLIENT", "LIST", "TYPE", "master")
        _check_info(x, "CLIENT", "LIST", "TYPE", "replica")
        _check_info(x, "CLIENT", "LIST", "TYPE", "slave")
        x.check("CLIENT", "LIST", "TYPE", "foo")
        x.check("CLIENT", "LIST", "TYPE")
        x.check("CLIENT", "LIST", "ID")
        x.check("CLIENT", "LIST", "foo")
        x.check("CLIENT", "LIST", "x", "y")
        x.check("CLIENT", "LIST", "TYPE", "normal", "x")
        x.check("CLIENT", "LIST", "TYPE", "normal", "TYPE", "pubsub")
        for bad in ("abc", "1.5", "+5", " 5", "-0", "0x10", "18446744073709551615", "99999999999999999999"):
            x.check("CLIENT", "LIST", "ID", bad)
        x.check("CLIENT", "LIST", "ID", "1", "TYPE", "normal")
        x.check("CLIENT", "LIST", "ID", "0")
        x.check("CLIENT", "LIST", "ID", "-1")
        x.check("CLIENT", "LIST", "ID", "999999999")


def test_list_own_line_by_id(d, d3):
    for x in (d, d3):
        for c in (x.mine, x.theirs):
            cid = int(c.call("CLIENT", "ID")[1:-2])
            c.call("CLIENT", "SETNAME", "me")
            got = _lines(c.call("CLIENT", "LIST", "ID", str(cid), "999999999", str(cid)))
            assert len(got) == 2 and dict(got[0])["id"] == str(cid) and dict(got[0])["name"] == "me"
            assert dict(got[0])["cmd"] == "client|list"
            c.call("CLIENT", "SETNAME", "")


def test_info_fields_follow_state(d, d3):
    """flags, db, multi, watch, multi-mem, cmd, argv-mem as Redis computes them."""
    for x in (d, d3):
        x.check("SELECT", "3")
        x.check("CLIENT", "NO-TOUCH", "on")
        x.check("CLIENT", "NO-EVICT", "on")
        _check_info(x, "CLIENT", "INFO")
        x.check("CLIENT", "NO-TOUCH", "off")
        x.check("CLIENT", "NO-EVICT", "off")
        x.check("WATCH", "w1", "w2")
        x.check("MULTI")
        x.check("SET", "aaaa", "bbbbbbbb")
        x.check("GET", "x")
        seen = []
        for c in (x.mine, x.theirs):
            other = RawBytesClient(port=c.sock.getpeername()[1])
            cid = c.call("CLIENT", "ID")  # queued
            assert cid == b"+QUEUED\r\n"
            listing = _lines(other.call("CLIENT", "LIST", "TYPE", "normal"))
            seen.append([_masked(line) for line in listing if dict(line)["multi"] != "-1"])
            other.close()
        assert seen[0] == seen[1] and len(seen[0]) == 1
        assert dict(seen[0][0])["cmd"] == "client|id" and dict(seen[0][0])["flags"] == "x"
        x.check("DISCARD")
        x.check("UNWATCH")
        x.check("SELECT", "0")


def test_kill_errors(d, d3):
    for x in (d, d3):
        x.check("CLIENT", "KILL", "1.2.3.4:5")
        x.check("CLIENT", "KILL", "nonsense")
        x.check("CLIENT", "KILL", "ID")
        for bad in ("x", "0", "-1", "1.0", "+1", "18446744073709551615"):
            x.check("CLIENT", "KILL", "ID", bad)
        x.check("CLIENT", "KILL", "ID", "999999999")
        x.check("CLIENT", "KILL", "ID", "1", "ID", "999999999")
        x.check("CLIENT", "KILL", "TYPE", "foo")
        x.check("CLIENT", "KILL", "TYPE", "master")
        x.check("CLIENT", "KILL", "TYPE", "slave")
        x.check("CLIENT", "KILL", "USER", "nouser")
        x.check("CLIENT", "KILL", "USER", "default", "SKIPME", "maybe")
        x.check("CLIENT", "KILL", "ADDR", "1.1.1.1:1")
        x.check("CLIENT", "KILL", "LADDR", "1.1.1.1:1")
        x.check("CLIENT", "KILL", "ADDR", "1.1.1.1:1", "SKIPME", "no")
        for bad in ("x", "1.5", "99999999999999999999"):
            x.check("CLIENT", "KILL", "MAXAGE", bad)
        x.check("CLIENT", "KILL", "MAXAGE", "-1")
        x.check("CLIENT", "KILL", "MAXAGE", "0")
        x.check("CLIENT", "KILL", "MAXAGE", "100000")
        x.check("CLIENT", "KILL", "ID", "x", "FOO")
        x.check("CLIENT", "KILL", "TYPE", "foo", "FOO")
        x.check("CLIENT", "KILL", "SKIPME", "no", "ID")
        x.check("CLIENT", "KILL", "ID", "1", "SKIPME")
        x.check("CLIENT", "KILL", "LADDR", "x", "MAXAGE", "0")
        x.check("CLIENT", "KILL", "a", "b", "c")
        x.check("CLIENT", "KILL", "FOO", "bar")


def test_kill_own_id_is_skipped(d, d3):
    for x in (d, d3):
        for c in (x.mine, x.theirs):
            cid = c.call("CLIENT", "ID")[1:-2].decode()
            assert c.call("CLIENT", "KILL", "ID", cid) == b":0\r\n"
            assert c.call("CLIENT", "KILL", "ID", cid, "SKIPME", "yes") == b":0\r\n"


def test_pause_unblock_reply_modes_errors(d, d3):
    for x in (d, d3):
        for t in ("abc", "1.5", "99999999999999999999"):
            x.check("CLIENT", "PAUSE", t, "write")
        x.check("CLIENT", "PAUSE", "-1", "write")
        x.check("CLIENT", "PAUSE", "9223372036854775807", "write")
        x.check("CLIENT", "PAUSE", "0", "foo")
        x.check("CLIENT", "PAUSE", "abc", "foo")
        x.check("CLIENT", "PAUSE", "0", "write")
        x.check("CLIENT", "PAUSE", "9000000000000000000", "WRITE")  # a very long pause ...
        x.check("GET", "k")  # ... lets reads through
        x.check("CLIENT", "UNPAUSE")
        x.check("CLIENT", "PAUSE", "0", "ALL")
        x.check("CLIENT", "PAUSE", "0")
        x.check("CLIENT", "UNPAUSE")
        for t in ("abc", "1.5", "99999999999999999999"):
            x.check("CLIENT", "UNBLOCK", t)
        for t in ("-1", "0", "999999999"):
            x.check("CLIENT", "UNBLOCK", t)
        x.check("CLIENT", "UNBLOCK", "1", "foo")
        x.check("CLIENT", "UNBLOCK", "abc", "foo")
        x.check("CLIENT", "UNBLOCK", "999999999", "TIMEOUT")
        x.check("CLIENT", "UNBLOCK", "999999999", "error")
        x.check("CLIENT", "REPLY", "foo")
        x.check("CLIENT", "REPLY", "on")
        x.check("CLIENT", "NO-EVICT", "maybe")
        x.check("CLIENT", "NO-TOUCH", "maybe")
        x.check("CLIENT", "NO-EVICT", "ON")
        x.check("CLIENT", "NO-EVICT", "off")
        x.check("CLIENT", "NO-TOUCH", "On")
        x.check("CLIENT", "NO-TOUCH", "OFF")


def test_reply_off_skip(d, d3):
    for x in (d, d3):
        x.check("SET", "k", "v")
        for c in (x.mine, x.theirs):
            # OFF and SKIP answer nothing; the next reply seen is the PING's
            c.send("CLIENT", "REPLY", "OFF")
            c.send("GET", "k")
            c.send("CLIENT", "REPLY", "SKIP")
            c.send("GET", "k")
        x.check("CLIENT", "REPLY", "ON")
        for c in (x.mine, x.theirs):
            c.send("CLIENT", "REPLY", "SKIP")
            c.send("GET", "k")
        x.check("PING", "after-skip")
        for c in (x.mine, x.theirs):
            c.send("CLIENT", "REPLY", "SKIP")
            c.send("CLIENT", "REPLY", "SKIP")
            c.send("GET", "k")
        x.check("PING", "after-double-skip")
        for c in (x.mine, x.theirs):
            c.send("CLIENT", "REPLY", "SKIP")
        x.check("CLIENT", "REPLY", "ON")
        x.check("PING", "after-skip-on")


def test_tracking_errors(d, d3):
    for x in (d, d3):
        x.check("CLIENT", "GETREDIR")
        x.check("CLIENT", "TRACKINGINFO")
        for opt in ("yes", "no", "foo"):
            x.check("CLIENT", "CACHING", opt)
        x.check("CLIENT", "TRACKING", "foo")
        x.check("CLIENT", "TRACKING", "on", "foo")
        x.check("CLIENT", "TRACKING", "on", "redirect")
        x.check("CLIENT", "TRACKING", "on", "redirect", "abc")
        for rid in ("0", "-1", "999999999"):
            x.check("CLIENT", "TRACKING", "on", "redirect", rid)
        x.check("CLIENT", "TRACKING", "on", "prefix", "a")
        x.check("CLIENT", "TRACKING", "on", "prefix")
        x.check("CLIENT", "TRACKING", "on", "optin", "optout")
        x.check("CLIENT", "TRACKING", "on", "bcast", "optin")
        x.check("CLIENT", "TRACKING", "on", "bcast", "optout")
        x.check("CLIENT", "TRACKING", "on", "bcast", "prefix", "a", "prefix", "ab")
        x.check("CLIENT", "TRACKING", "on", "bcast", "prefix", "ab", "prefix", "a")
        x.check("CLIENT", "TRACKING", "on", "bcast", "prefix", "a", "prefix", "a")
        x.check("CLIENT", "TRACKING", "on", "bcast", "prefix", "", "prefix", "a")
        x.check("CLIENT", "TRACKING", "off", "bcast")
        x.check("CLIENT", "TRACKING", "off", "prefix", "x")
        x.check("CLIENT", "TRACKING", "off", "redirect", "999999999")
        x.check("CLIENT", "TRACKING", "off", "foo")
        x.check("CLIENT", "TRACKING", "maybe", "bcast")
        x.check("CLIENT", "TRACKING", "OFF")
        x.check("CLIENT", "TRACKINGINFO")
        x.check("CLIENT", "GETREDIR")


def test_tracking_modes_and_info(d, d3):
    for x in (d, d3):
        x.check("CLIENT", "TRACKING", "on", "optin")
        x.check("CLIENT", "GETREDIR")
        x.check("CLIENT", "TRACKINGINFO")
        x.check("CLIENT", "CACHING", "no")
        x.check("CLIENT", "CACHING", "maybe")
        x.check("CLIENT", "CACHING", "yes")
        x.check("CLIENT", "TRACKINGINFO")
        x.check("CLIENT", "TRACKING", "on", "optout")
        x.check("CLIENT", "TRACKING", "on", "bcast")
        x.check("CLIENT", "TRACKING", "on", "noloop")
        x.check("CLIENT", "TRACKINGINFO")
        _check_info(x, "CLIENT", "INFO")
        x.check("CLIENT", "TRACKING", "off")
        x.check("CLIENT", "TRACKING", "on", "optout")
        x.check("CLIENT", "CACHING", "yes")
        x.check("CLIENT", "CACHING", "no")
        x.check("CLIENT", "TRACKINGINFO")
        x.check("CLIENT", "TRACKING", "off")
        # BCAST prefixes accumulate across TRACKING ON calls and are listed in byte order
        x.check("CLIENT", "TRACKING", "on", "bcast", "prefix", "b", "prefix", "a")
        x.check("CLIENT", "TRACKING", "on", "bcast", "prefix", "abc")
        x.check("CLIENT", "TRACKING", "on", "bcast", "prefix", "c")
        x.check("CLIENT", "TRACKING", "on", "bcast")
        x.check("CLIENT", "TRACKINGINFO")
        x.check("CLIENT", "TRACKING", "on", "bcast", "prefix", "zz")
        x.check("CLIENT", "TRACKING", "on")
        _check_info(x, "CLIENT", "INFO")
        x.check("CLIENT", "TRACKING", "OFF")
        x.check("CLIENT", "TRACKING", "on", "prefix", "a", "BCAST", "PREFIX", "b\x00c")
        x.check("CLIENT", "TRACKINGINFO")
        x.check("CLIENT", "TRACKING", "off")


def test_tracking_prefix_clash_quirk(d, d3):
    """A clash between the 2nd and 3rd prefix: Redis answers the error AND then OK."""
    for x in (d, d3):
        x.check("CLIENT", "TRACKING", "on", "bcast", "prefix", "x", "prefix", "a", "prefix", "ab")
        x.check("PING")  # the extra +OK is read here on both sides
        x.check("CLIENT", "TRACKINGINFO")
        x.check("CLIENT", "TRACKING", "off")


def test_tracking_redirect_ids(d, d3):
    for x in (d, d3):
        for c in (x.mine, x.theirs):
            cid = c.call("CLIENT", "ID")[1:-2].decode()
            assert c.call("CLIENT", "TRACKING", "on", "redirect", cid, "redirect", cid) == (
                b"-ERR A client can only redirect to a single other client\r\n")
            assert c.call("CLIENT", "TRACKING", "on", "redirect", cid) == b"+OK\r\n"
            assert c.call("CLIENT", "GETREDIR") == b":%s\r\n" % cid.encode()
            assert b"redir=%s " % cid.encode() in c.call("CLIENT", "INFO")
            assert c.call("CLIENT", "TRACKING", "off") == b"+OK\r\n"
            assert c.call("CLIENT", "GETREDIR") == b":-1\r\n"


@pytest.mark.parametrize("resp", [2, 3])
def test_help_shape(d, d3, resp):
    x = d if resp == 2 else d3
    mine, theirs = x.both("CLIENT", "HELP")
    # our own wording; the same reply type and first line, every line a status string
    assert mine[:1] == theirs[:1] == b"*"
    assert mine.split(b"\r\n")[1] == theirs.split(b"\r\n")[1]
    n = int(mine[1:mine.index(b"\r\n")])
    assert mine.count(b"\r\n+") == n and n >= 40


def _peer_line(x, setup, blocking=None, resp=2):
    """The masked CLIENT LIST line of a second connection on each side, after `setup`
    (commands whose replies are read) and `blocking` (sent, never answered)."""
    seen = []
    peers = []
    for main in (x.mine, x.theirs):
        peer = RawBytesClient(port=main.sock.getpeername()[1])
        if resp == 3:
            peer.call("HELLO", "3")
        pid = peer.call("CLIENT", "ID")[1:-2].decode()
        for cmd in setup:
            peer.call(*cmd)
            if cmd[0] in ("SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"):
                for _ in cmd[2:]:  # one confirmation per channel
                    peer.read()
        if blocking is not None:
            peer.send(*blocking)
            for _ in range(100):
                if b"flags=b" in main.call("CLIENT", "LIST", "ID", pid):
                    break
        seen.append([_masked(line) for line in _lines(main.call("CLIENT", "LIST", "ID", pid))])
        peers.append(peer)
    for p in peers:
        p.close()
    assert seen[0] == seen[1], seen
    assert len(seen[0]) == 1
    return dict(seen[0][0])


def test_peer_lines(d, d3):
    for x in (d, d3):
        sub = _peer_line(x, [("SUBSCRIBE", "c1", "c2"), ("PSUBSCRIBE", "p*"), ("SSUBSCRIBE", "s1")])
        assert sub["flags"] == "P" and (sub["sub"], sub["psub"], sub["ssub"]) == ("2", "1", "1")
        sub3 = _peer_line(x, [("SUBSCRIBE", "c1")], resp=3)
        assert sub3["flags"] == "P" and sub3["resp"] == "3"
        trk = _peer_line(x, [("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "a"), ("SELECT", "2")], resp=3)
        assert trk["flags"] == "tB" and trk["cmd"] == "select" and trk["db"] == "2"
        unk = _peer_line(x, [("NOSUCHCOMMAND", "x")])
        assert unk["cmd"] == "NULL"
        ar = _peer_line(x, [("GET",)])
        assert ar["cmd"] == "get"
        named = _peer_line(x, [("CLIENT", "SETNAME", "n1"), ("CLIENT", "SETINFO", "LIB-NAME", "lib"),
                               ("CLIENT", "SETINFO", "LIB-VER", "9"), ("CLIENT", "NO-EVICT", "on")])
        assert (named["name"], named["lib-name"], named["lib-ver"], named["flags"]) == ("n1", "lib", "9", "e")
        mon = _peer_line(x, [("MONITOR",)])
        assert mon["flags"] == "O" and mon["cmd"] == "monitor"
        blk = _peer_line(x, [], blocking=("BZPOPMIN", "nozset", "0"))
        assert blk["flags"] == "b" and blk["cmd"] == "bzpopmin" and blk["argv-mem"] == "15"
