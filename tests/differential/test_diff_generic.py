"""Differential: the generic keyspace commands (DEL ... OBJECT) answer byte for byte as
Redis 7.4 does, RESP2 and RESP3, errors and keyspace notifications included."""

import random
import time

import pytest
from respclient import RawClient, parse_reply

FAR = 4102444800  # 2100-01-01, in seconds: absolute times make PEXPIRETIME comparable
FAR_MS = FAR * 1000


def scan_check(x, *args):
    """SCAN replies whose single batch is the whole answer: compare with keys sorted."""
    mine, theirs = x.both("SCAN", *args)
    pm, pt = parse_reply(mine), parse_reply(theirs)
    if isinstance(pm, list):
        pm = [pm[0], sorted(pm[1])]
    if isinstance(pt, list):
        pt = [pt[0], sorted(pt[1])]
    assert pm == pt, f"SCAN {args!r}: moredis {mine!r} != reference {theirs!r}"
    return pm


def set_config(d, srv, name, value):
    """CONFIG SET on the reference; on moredis straight into its registry, on its loop."""
    import asyncio

    async def apply():
        srv.core.config.set_many([(name, value)])

    asyncio.run_coroutine_threadsafe(apply(), srv.core.loop).result(5)
    assert d.theirs.call("CONFIG", "SET", name, value) == b"+OK\r\n"


def has(srv, name):
    return name.encode() in srv.core.table


def test_arity_errors(d):
    for cmd in ("DEL", "UNLINK", "EXISTS", "TYPE", "KEYS", "SCAN", "RENAME", "RENAMENX", "MOVE",
                "COPY", "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT", "TTL", "PTTL", "EXPIRETIME",
                "PEXPIRETIME", "PERSIST", "TOUCH", "OBJECT"):
        d.check(cmd)
    d.check("RANDOMKEY", "x")
    d.check("TYPE", "a", "b")
    d.check("KEYS", "a", "b")
    d.check("RENAME", "a")
    d.check("RENAME", "a", "b", "c")
    d.check("MOVE", "a", "1", "2")
    d.check("COPY", "a")
    d.check("EXPIRE", "a")
    d.check("TTL", "a", "b")
    d.check("PERSIST", "a", "b")
    d.check("OBJECT", "ENCODING")
    d.check("OBJECT", "ENCODING", "a", "b")
    d.check("OBJECT", "FREQ")
    d.check("OBJECT", "IDLETIME", "a", "b")
    d.check("OBJECT", "REFCOUNT")
    d.check("OBJECT", "HELP", "x")
    d.check("OBJECT", "nosuch", "k")
    d.check("object", "Encoding")


def test_del_unlink_exists_touch(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("MSET", "a", "1", "b", "2", "c", "3")
        x.check("EXISTS", "a", "a", "nope", "b")
        x.check("TOUCH", "a", "nope", "b", "b")
        x.check("DEL", "a", "a", "nope")
        x.check("UNLINK", "b", "c", "b")
        x.check("EXISTS", "a", "b", "c")
        x.check("DEL", "nope")
        x.check("SET", "", "empty")
        x.check("EXISTS", "")
        x.check("DEL", "")


def test_type(d, srv):
    d.check("TYPE", "nope")
    d.check("SET", "s", "v")
    d.check("TYPE", "s")
    d.check("INCR", "n")
    d.check("TYPE", "n")
    types = (
        ("RPUSH", ("l", "a"), ("RPUSH", "b"), ("LRANGE", "0", "-1")),
        ("SADD", ("st", "a"), ("SADD", "b"), ("SCARD",)),
        ("ZADD", ("z", "1", "a"), ("ZADD", "2", "b"), ("ZRANGE", "0", "-1", "WITHSCORES")),
        ("HSET", ("h", "f", "v"), ("HSET", "g", "w"), ("HLEN",)),
        ("XADD", ("x", "1-1", "f", "v"), ("XADD", "2-1", "f", "v"), ("XLEN",)),
    )
    for cmd, args, (wcmd, *wargs), (rcmd, *rargs) in types:
        if not has(srv, cmd.lower()):
            continue
        key = args[0]
        d.check(cmd, *args)
        tname = d.check("TYPE", key)[1:-2].decode()
        d.check("OBJECT", "ENCODING", key)
        d.check("OBJECT", "REFCOUNT", key)
        d.check("COPY", key, key + "-copy")
        d.check("TYPE", key + "-copy")
        d.check(wcmd, key + "-copy", *wargs)  # the copy is deep: the source is unchanged
        d.check(rcmd, key, *rargs)
        d.check(rcmd, key + "-copy", *rargs)
        d.check("RENAME", key + "-copy", key + "-renamed")
        d.check("TYPE", key + "-renamed")
        d.check("MOVE", key + "-renamed", "1")
        scan_check(d, "0", "TYPE", tname)
        d.check("INCR", key)
    if has(srv, "json.set"):
        d.check("JSON.SET", "j", "$", '{"a":1}')
        d.check("TYPE", "j")
        scan_check(d, "0", "TYPE", "rejson-rl")


def test_object_encoding_and_refcount(d, d3, srv):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("OBJECT", "ENCODING", "nope")
        x.check("OBJECT", "REFCOUNT", "nope")
        x.check("OBJECT", "IDLETIME", "nope")
        x.check("OBJECT", "FREQ", "nope")
        for key, val in (("i", "123"), ("neg", "-5"), ("big", "9223372036854775807"),
                         ("over", "9223372036854775808"), ("lead0", "0123"), ("e", "x" * 44),
                         ("r", "x" * 45), ("z", "0"), ("edge", "9999"), ("edge2", "10000"),
                         ("sp", " 1"), ("neg0", "-0"), ("emp", "")):
            x.check("SET", key, val)
            x.check("OBJECT", "ENCODING", key)
            x.check("OBJECT", "REFCOUNT", key)
        x.check("INCR", "ctr")
        x.check("OBJECT", "ENCODING", "ctr")
        x.check("OBJECT", "REFCOUNT", "ctr")
        x.check("INCRBY", "ctr", "20000")
        x.check("OBJECT", "REFCOUNT", "ctr")
        if has(srv, "append"):
            x.check("APPEND", "ap", "12")
            x.check("OBJECT", "ENCODING", "ap")
            x.check("OBJECT", "REFCOUNT", "ap")
        # not "i": Redis's shared integers carry one access clock for all keys (not mirrored)
        x.check("OBJECT", "IDLETIME", "e")
        x.check("OBJECT", "FREQ", "e")


def test_object_under_lfu_policy(d, srv):
    try:
        set_config(d, srv, "maxmemory-policy", "allkeys-lfu")
        d.check("SET", "k", "v")
        d.check("OBJECT", "FREQ", "k")  # LFU_INIT_VAL
        d.check("GET", "k")  # the first access always increments
        d.check("OBJECT", "FREQ", "k")
        d.check("OBJECT", "IDLETIME", "k")
        d.check("OBJECT", "FREQ", "nope")
        d.check("SET", "n", "5")
        d.check("OBJECT", "REFCOUNT", "n")  # no maxmemory: shared integers still in use
    finally:
        set_config(d, srv, "maxmemory-policy", "noeviction")


def test_keys(d, d3):
    names = ["foo", "foobar", "bar", "fo", "f", "", "a*b", "a?b", "a[b", "a\\b", "hello", "hallo",
             "hillo", "h\xe9llo", "user:1:name", "user:22:name", "user::name", "UPPER", "x-y", "]"]
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("KEYS", "*")
        for k in names:
            x.check("SET", k, "v")
        for pat in ("*", "**", "", "f*", "*o", "fo?", "?", "h[ae]llo", "h[^e]llo", "h[a-e]llo",
                    "a\\*b", "a\\?b", "a\\[b", "a\\\\b", "a[\\[]b", "user:*:name", "*:*", "*[", "[",
                    "[]", "[^]", "]", "[a-]", "*\\", "\\", "upper", "UPPER", "*E*", "[x-x]-y",
                    "nomatch*", "*bar", "f*o*b*r"):
            x.check_sorted("KEYS", pat)


def test_keys_glob_random_patterns_match_redis(d):
    rnd = random.Random(1234)
    alpha = ["a", "b", "A", "-", "]", "[", "^", "\\", "*", "?", "z", "_"]
    keys = {"".join(rnd.choice(alpha) for _ in range(rnd.randint(0, 4))) for _ in range(150)}
    for k in keys:
        d.check("SET", k, "1")
    for _ in range(250):
        pat = "".join(rnd.choice(alpha) for _ in range(rnd.randint(1, 6)))
        d.check_sorted("KEYS", pat)


def test_keys_hides_logically_expired_keys(d):
    d.check("SET", "live", "1")
    d.check("SET", "dying", "1", "PX", "1")
    time.sleep(0.01)
    d.check_sorted("KEYS", "*")
    d.check_sorted("KEYS", "*i*")


def test_scan_errors_and_single_batches(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("SCAN", "0")
        for cur in ("-1", "abc", "", "1.5", "18446744073709551616", "5 ", "0x10", "-9223372036854775808"):
            x.check("SCAN", cur)
        x.check("SCAN", "0", "COUNT", "0")
        x.check("SCAN", "0", "COUNT", "-1")
        x.check("SCAN", "0", "COUNT", "abc")
        x.check("SCAN", "0", "COUNT", "9223372036854775808")
        x.check("SCAN", "0", "COUNT")
        x.check("SCAN", "0", "MATCH")
        x.check("SCAN", "0", "TYPE")
        x.check("SCAN", "0", "FOO", "bar")
        x.check("SCAN", "0", "NOVALUES")
        x.check("SCAN", "abc", "FOO")
        x.check("SCAN", "0", "COUNT", "abc", "FOO")
        x.check("SCAN", "0", "FOO", "COUNT", "abc")
        for k in ("k1", "k2", "other", "k3"):
            x.check("SET", k, "v")
        scan_check(x, "0")
        scan_check(x, "0", "COUNT", "100")
        scan_check(x, "0", "MATCH", "k*")
        scan_check(x, "0", "MATCH", "*")
        scan_check(x, "0", "MATCH", "nothing*")
        scan_check(x, "0", "TYPE", "string")
        scan_check(x, "0", "TYPE", "STRING")
        scan_check(x, "0", "TYPE", "list")
        scan_check(x, "0", "TYPE", "nosuchtype")
        scan_check(x, "0", "MATCH", "k*", "TYPE", "string", "COUNT", "10")
        scan_check(x, "0", "MATCH", "x*", "MATCH", "k*")  # the last one wins
        scan_check(x, "00")
        scan_check(x, " 0")
        scan_check(x, "+0")


def test_scan_full_iteration_matches_keys(d):
    for i in range(300):
        d.check("SET", "key:%d" % i, "v")
    for c in (d.mine, d.theirs):
        seen = set()
        cur = b"0"
        while True:
            reply = parse_reply(c.call("SCAN", cur, "COUNT", "17", "MATCH", "key:1*"))
            cur = reply[0]
            seen.update(reply[1])
            if cur == b"0":
                break
        assert seen == {b"key:%d" % i for i in range(300) if str(i).startswith("1")}


def test_randomkey(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("RANDOMKEY")
        x.check("SET", "only", "v")
        x.check("RANDOMKEY")
        x.check("SET", "gone", "v", "PX", "1")
    time.sleep(0.01)
    for x in (d, d3):
        x.check("DEL", "only")
        x.check("RANDOMKEY")  # the only key left is expired: it is deleted, nil


def test_rename_and_renamenx(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("RENAME", "nope", "x")
        x.check("RENAMENX", "nope", "x")
        x.check("RENAME", "nope", "nope")
        x.check("RENAMENX", "nope", "nope")
        x.check("SET", "a", "1")
        x.check("RENAME", "a", "a")
        x.check("RENAMENX", "a", "a")
        x.check("PEXPIREAT", "a", str(FAR_MS))
        x.check("RENAME", "a", "b")
        x.check("EXISTS", "a")
        x.check("PEXPIRETIME", "b")
        x.check("GET", "b")
        x.check("SET", "c", "3", "PXAT", str(FAR_MS + 5))
        x.check("RENAMENX", "b", "c")
        x.check("PEXPIRETIME", "c")
        x.check("SET", "d", "4")
        x.check("RENAME", "d", "c")  # the target's TTL goes with its old value
        x.check("PEXPIRETIME", "c")
        x.check("GET", "c")
        x.check("RENAMENX", "b", "e")
        x.check("PEXPIRETIME", "e")
        x.check("SET", "gone", "v", "PX", "1")
    time.sleep(0.01)
    for x in (d, d3):
        x.check("RENAME", "gone", "z")
        x.check("EXISTS", "z")


def test_move(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("MOVE", "nope", "1")
        x.check("SET", "k", "v")
        for arg in ("0", "16", "-1", "x", "1.0", "2147483648", "-2147483649", "99999999999999999999"):
            x.check("MOVE", "k", arg)
        x.check("MOVE", "nope", "0")
        x.check("PEXPIREAT", "k", str(FAR_MS))
        x.check("MOVE", "k", "1")
        x.check("EXISTS", "k")
        x.check("SELECT", "1")
        x.check("PEXPIRETIME", "k")
        x.check("GET", "k")
        x.check("SELECT", "0")
        x.check("SET", "k", "again")
        x.check("MOVE", "k", "1")  # exists in the target: 0, nothing moves
        x.check("GET", "k")
        x.check("SELECT", "1")
        x.check("MOVE", "k", "0")
        x.check("SELECT", "0")


def test_copy(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("COPY", "nope", "x")
        x.check("SET", "k", "v")
        x.check("COPY", "k", "k")
        x.check("COPY", "k", "k", "DB", "0")
        x.check("COPY", "k", "k2", "FOO")
        x.check("COPY", "k", "k2", "DB")
        x.check("COPY", "k", "k2", "DB", "x")
        x.check("COPY", "k", "k2", "DB", "16")
        x.check("COPY", "k", "k2", "DB", "-1")
        x.check("COPY", "k", "k2", "DB", "2147483648")
        x.check("COPY", "k", "k2", "REPLACE", "FOO")
        x.check("COPY", "nope", "x", "DB", "99")  # options are checked first
        x.check("PEXPIREAT", "k", str(FAR_MS))
        x.check("COPY", "k", "k2")
        x.check("PEXPIRETIME", "k2")
        x.check("GET", "k2")
        x.check("SET", "other", "o")
        x.check("COPY", "other", "k2")
        x.check("COPY", "other", "k2", "replace")
        x.check("PEXPIRETIME", "k2")
        x.check("GET", "k2")
        x.check("COPY", "k", "k", "DB", "1")
        x.check("COPY", "k", "k", "DB", "1")
        x.check("COPY", "k", "k", "DB", "1", "REPLACE", "DB", "2")
        x.check("SELECT", "1")
        x.check("PEXPIRETIME", "k")
        x.check("SELECT", "2")
        x.check("GET", "k")
        x.check("SELECT", "0")
        x.check("INCR", "n")
        x.check("COPY", "n", "n2")
        x.check("OBJECT", "ENCODING", "n2")
        x.check("INCR", "n2")
        x.check("GET", "n")


def test_expire_options_and_errors(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("EXPIRE", "nope", "100")
        x.check("SET", "k", "v")
        for opts in (("NX", "XX"), ("NX", "GT"), ("NX", "LT"), ("GT", "LT"), ("XX", "NX"),
                     ("FOO",), ("nx", "foo"), ("NX", "NX", "LT")):
            x.check("EXPIRE", "k", "100", *opts)
            x.check("PEXPIREAT", "k", "100", *opts)
        x.check("EXPIRE", "k", "abc", "FOO")  # options are parsed before the number
        x.check("EXPIRE", "k", "abc")
        x.check("EXPIRE", "k", "1.5")
        x.check("EXPIRE", "k", "9223372036854776")
        x.check("EXPIRE", "k", "-9223372036854776")
        x.check("EXPIREAT", "k", "9223372036854776")
        x.check("PEXPIRE", "k", "9223372036854775807")
        x.check("PEXPIRE", "k", "9223372036854775808")
        x.check("EXPIRE", "nope", "9223372036854776")  # overflow is found before the key
        x.check("TTL", "k")
        # NX / XX / GT / LT on a key without TTL
        x.check("EXPIREAT", "k", str(FAR), "XX")
        x.check("EXPIREAT", "k", str(FAR), "GT")  # no TTL counts as infinite
        x.check("PEXPIRETIME", "k")
        x.check("EXPIREAT", "k", str(FAR), "LT")
        x.check("PEXPIRETIME", "k")
        x.check("EXPIREAT", "k", str(FAR - 10), "NX")
        x.check("EXPIREAT", "k", str(FAR + 10), "GT")
        x.check("EXPIRETIME", "k")
        x.check("EXPIREAT", "k", str(FAR + 10), "GT")  # equal is not greater
        x.check("EXPIREAT", "k", str(FAR + 10), "LT")
        x.check("EXPIREAT", "k", str(FAR - 10), "lt")
        x.check("EXPIRETIME", "k")
        x.check("PEXPIREAT", "k", str(FAR_MS), "XX", "GT")
        x.check("PEXPIREAT", "k", str(FAR_MS + 1), "XX", "GT")
        x.check("PEXPIRETIME", "k")
        x.check("PEXPIREAT", "k", str(FAR_MS + 2), "GT", "GT")
        x.check("EXPIREAT", "k", "1", "GT")  # fails GT: the key stays
        x.check("EXISTS", "k")
        x.check("PERSIST", "k")
        x.check("EXPIREAT", "k", "-1", "LT")  # no TTL: LT applies, the past deletes
        x.check("EXISTS", "k")


def test_expire_in_the_past_deletes(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        for cmd, arg in (("EXPIRE", "0"), ("EXPIRE", "-1"), ("PEXPIRE", "-100"), ("EXPIREAT", "0"),
                         ("EXPIREAT", "1"), ("PEXPIREAT", "-9223372036854775808"),
                         ("EXPIRE", "-9223372036854775"), ("PEXPIRE", "-9223372036854775808")):
            x.check("SET", "k", "v")
            x.check(cmd, "k", arg)
            x.check("EXISTS", "k")
            x.check("TTL", "k")


def test_ttl_family(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        for cmd in ("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"):
            x.check(cmd, "nope")
        x.check("SET", "k", "v")
        for cmd in ("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"):
            x.check(cmd, "k")
        x.check("PEXPIREAT", "k", str(FAR_MS + 499))
        x.check("EXPIRETIME", "k")  # rounded to the nearest second
        x.check("PEXPIREAT", "k", str(FAR_MS + 500))
        x.check("EXPIRETIME", "k")
        x.check("PEXPIRETIME", "k")
        x.check("EXPIRE", "k", "100")
        x.check("TTL", "k")
        x.check("PERSIST", "k")
        x.check("PERSIST", "k")
        x.check("PERSIST", "nope")
        x.check("TTL", "k")
        x.check("SET", "k", "v", "EX", "100")
        x.check("SET", "k", "v2")  # SET drops the TTL
        x.check("TTL", "k")


def _sub(port, resp=2):
    c = RawClient(port=port, resp=resp)
    c.call("PSUBSCRIBE", "__key*__:*")
    return c


def _events(c):
    c.sock.sendall(RawClient.encode(("PING", "done")))
    out = []
    while True:
        m = c.read()
        if m[0] in (b"pong", "pong"):
            return out
        out.append((m[2], m[3]))


def test_keyspace_notifications(d, srv):
    try:
        set_config(d, srv, "notify-keyspace-events", "KEAn")
        subs = (_sub(d.mine.sock.getpeername()[1]), _sub(d.theirs.sock.getpeername()[1]))
        script = [
            ("SET", "a", "1"), ("DEL", "a", "nope"), ("MSET", "a", "1", "b", "2"), ("UNLINK", "a"),
            ("RENAME", "b", "c"), ("SET", "d", "x"), ("RENAME", "c", "d"), ("RENAMENX", "d", "e"),
            ("RENAME", "e", "e"), ("RENAMENX", "nope", "x"), ("EXPIRE", "e", "100"),
            ("EXPIRE", "e", "100", "NX"), ("PERSIST", "e"), ("PERSIST", "e"),
            ("MOVE", "e", "3"), ("SELECT", "3"), ("COPY", "e", "f"), ("COPY", "e", "f", "REPLACE"),
            ("COPY", "e", "g", "DB", "0"), ("SELECT", "0"), ("PEXPIRE", "g", "-5"),
            ("SET", "h", "1"), ("EXPIREAT", "h", "1"), ("TOUCH", "h", "x"), ("TYPE", "zz"),
            ("SET", "i", "1", "PX", "1"),
        ]
        for args in script:
            d.check(*args)
        time.sleep(0.01)
        d.check("DEL", "i")
        mine, theirs = (_events(s) for s in subs)
        assert mine == theirs
        assert (b"__keyevent@0__:rename_from", b"b") in mine
        for s in subs:
            s.close()
    finally:
        for c in (d.mine, d.theirs):
            c.call("SELECT", "0")
        set_config(d, srv, "notify-keyspace-events", "")


def test_keyspace_miss_events(d, srv):
    try:
        set_config(d, srv, "notify-keyspace-events", "Em")
        subs = (_sub(d.mine.sock.getpeername()[1]), _sub(d.theirs.sock.getpeername()[1]))
        d.check("SET", "k", "v")
        for args in (("EXISTS", "m1"), ("TYPE", "m2"), ("TTL", "m3"), ("TOUCH", "m4", "k"),
                     ("OBJECT", "ENCODING", "m5"), ("COPY", "m6", "x"), ("DEL", "m7"),
                     ("RENAME", "m8", "y"), ("EXPIRE", "m9", "1"), ("PERSIST", "m10"),
                     ("MOVE", "m11", "1"), ("PEXPIRETIME", "m12"), ("SCAN", "0", "MATCH", "m13")):
            d.check(*args)
        mine, theirs = (_events(s) for s in subs)
        assert mine == theirs
        for s in subs:
            s.close()
    finally:
        set_config(d, srv, "notify-keyspace-events", "")


@pytest.mark.parametrize("cmd", ["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"])
def test_expire_on_replies_resp3(d3, cmd):
    d3.check("SET", "k", "v")
    d3.check(cmd, "k", str(FAR if "AT" in cmd else 1000))
    d3.check(cmd, "k", "10", "NX")
    d3.check(cmd, "nope", "10")
    d3.check(cmd, "k", "10", "BAD")


def test_binary_keys_and_odd_option_bytes(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        for k in (b"\x00", b"a\x00b", b"\xff\xfe", b"\r\n", b" "):
            x.check("SET", k, b"v")
        x.check_sorted("KEYS", b"*\x00*")
        x.check_sorted("KEYS", b"?")
        x.check_sorted("KEYS", b"[\xfe-\xff]*")
        scan_check(x, "0", "MATCH", b"a\x00?")
        x.check("RENAME", b"a\x00b", b"a\x00c")
        x.check("TYPE", b"a\x00c")
        x.check("EXPIRE", b"\x00", "10", b"\xff\xfe")
        x.check("EXPIRE", b"\x00", "10", b"a\r\nb")
        x.check("EXPIRE", b"\x00", "10", b"xx\x00yy")
        x.check("EXPIRE", b"\x00", "10", b"n\x00x")
        scan_check(x, b"0\x00x", "COUNT", "1000")  # the cursor text ends at the NUL
        x.check("SET", "src", "v")
        x.check("COPY", "src", "dst", b"replace\x00junk")
        x.check("COPY", "src", "dst", b"db\x00", "1")
        scan_check(x, "0", b"count\x00", "1000", b"match\x00x", "s*")


def test_random_generic_sequences(d):
    """Random mixes of the generic commands over a few keys and databases, every reply
    compared (absolute expiry times only, so replies do not depend on timing)."""
    rnd = random.Random(99)
    keys = ["a", "b", "c", "d"]
    opts = [[], ["NX"], ["XX"], ["GT"], ["LT"], ["XX", "GT"], ["NX", "LT"]]
    for _ in range(600):
        k, k2 = rnd.choice(keys), rnd.choice(keys)
        op = rnd.randrange(16)
        if op == 0:
            args = ("SET", k, str(rnd.randrange(20000)))
        elif op == 1:
            args = ("DEL", k, k2)
        elif op == 2:
            args = (rnd.choice(("RENAME", "RENAMENX")), k, k2)
        elif op == 3:
            args = ("MOVE", k, str(rnd.randrange(3)))
        elif op == 4:
            args = ("COPY", k, k2, *rnd.choice([[], ["REPLACE"], ["DB", "1"], ["DB", "2", "REPLACE"]]))
        elif op == 5:
            t = rnd.choice([FAR + rnd.randrange(-3, 3), 1, 0, -5])
            args = ("EXPIREAT", k, str(t), *rnd.choice(opts))
        elif op == 6:
            t = rnd.choice([FAR_MS + rnd.randrange(-3000, 3000), 1])
            args = ("PEXPIREAT", k, str(t), *rnd.choice(opts))
        elif op == 7:
            args = ("PERSIST", k)
        elif op == 8:
            args = (rnd.choice(("EXPIRETIME", "PEXPIRETIME")), k)
        elif op == 9:
            args = ("SELECT", str(rnd.randrange(3)))
        elif op == 10:
            args = ("TYPE", k)
        elif op == 11:
            args = ("EXISTS", k, k2)
        elif op == 12:
            args = ("OBJECT", "ENCODING", k)
        elif op == 13:
            args = ("INCR", k)
        elif op == 14:
            args = ("TOUCH", k, k2)
        else:
            args = ("DBSIZE",)
        d.check(*args)
        if op == 15:
            d.check_sorted("KEYS", "*")
    for c in (d.mine, d.theirs):
        c.call("SELECT", "0")


def _hits_misses(c):
    info = parse_reply(c.call("INFO", "stats"))
    assert isinstance(info, bytes), info
    fields = dict(line.split(b":", 1) for line in info.split(b"\r\n") if b":" in line)
    return int(fields[b"keyspace_hits"]), int(fields[b"keyspace_misses"])


def test_keyspace_hit_and_miss_counting(d):
    """Successful COPY and RENAME are left out: on Redis Stack, RediSearch reacts to their
    copy_to/rename_to events by opening the key for reading, one more hit than core Redis."""
    d.check("SET", "k", "v")
    d.check("SET", "t", "v", "EX", "100")
    before = [_hits_misses(c) for c in (d.mine, d.theirs)]
    for args in (("EXISTS", "k", "nope"), ("TYPE", "k"), ("TYPE", "nope"), ("TTL", "t"), ("PTTL", "nope"),
                 ("TOUCH", "k", "nope"), ("OBJECT", "ENCODING", "k"), ("OBJECT", "REFCOUNT", "nope"),
                 ("COPY", "nope", "k3"), ("DEL", "k2", "nope"), ("EXPIRE", "t", "50"), ("PERSIST", "t"),
                 ("MOVE", "k", "1"), ("KEYS", "*"), ("SCAN", "0"), ("RANDOMKEY",), ("EXPIRETIME", "t")):
        d.check(*args)
    after = [_hits_misses(c) for c in (d.mine, d.theirs)]
    mine = (after[0][0] - before[0][0], after[0][1] - before[0][1])
    theirs = (after[1][0] - before[1][0], after[1][1] - before[1][1])
    assert mine == theirs
