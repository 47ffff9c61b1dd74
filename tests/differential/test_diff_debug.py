"""Differential: DEBUG against Redis 7.4 (byte for byte unless said otherwise).

Never send the reference anything that crashes it on purpose (SEGFAULT, PANIC, OOM,
ASSERT, RELOAD NOSAVE NOFLUSH without MERGE on a non-empty dataset, and STRINGMATCH-TEST:
its fuzzer crashes Redis 7.4 itself now and then)."""

import re
import time

from moredis.engine.objects import DIGESTERS

PROTOCOL_TYPES = ("string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib",
                  "verbatim", "true", "false", "STRING", "nosuch")


def test_protocol_every_type(d, d3):
    for x in (d, d3):
        for t in PROTOCOL_TYPES:
            x.check("DEBUG", "PROTOCOL", t)
        x.check("DEBUG", "PROTOCOL")
    d.check("DEBUG", "PROTOCOL", "push")  # an error under RESP2
    d3.check("DEBUG", "PROTOCOL", "push")  # the real reply first ...
    assert d3.mine.read() == d3.theirs.read() == b">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n"  # then the push


def _same_writes(x):
    for args in (("SET", "a", "1"), ("SET", "b", "hello"), ("SET", "c", "x" * 100), ("INCR", "n"),
                 ("INCRBY", "n", "41"), ("APPEND", "b", " world"), ("SETRANGE", "c", "3", "yy"),
                 ("SET", "e", "v", "EX", "1000"), ("SELECT", "5"), ("SET", "a", "other-db"), ("SELECT", "0")):
        x.check(*args)


def test_digest_strings(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("DEBUG", "DIGEST")
        x.check("DEBUG", "DIGEST-VALUE", "a", "nosuch")
        x.check("DEBUG", "DIGEST-VALUE")
        _same_writes(x)
        x.check("DEBUG", "DIGEST")
        x.check("DEBUG", "DIGEST-VALUE", "a", "b", "c", "n", "e", "nosuch")
        x.check("PERSIST", "e")
        x.check("DEBUG", "DIGEST-VALUE", "e")
        x.check("DEBUG", "DIGEST")
        x.check("DEBUG", "POPULATE", "200")
        x.check("DEBUG", "DIGEST")


# writes per type; a type is compared once its implementation has registered a digest
TYPED_WRITES = {
    "list": [("RPUSH", "l", "a", "1", "b" * 70), ("LPUSH", "l", "z")],
    "hash": [("HSET", "h", "f", "v", "n", "12", "long", "y" * 80)],
    "set": [("SADD", "s", "a", "b", "3")],
    "zset": [("ZADD", "z", "1", "a", "2.5", "b", "-3", "c")],
}


def test_digest_other_types(srv, d):
    core = srv.core
    done = 0
    for writes in TYPED_WRITES.values():
        if core.table.get(writes[0][0].lower().encode()) is None:
            continue
        d.check("FLUSHALL")
        for w in writes:
            d.check(*w)
        key = writes[0][1]
        value = core.dbs[0].data.get(key.encode())
        if value is None or type(value) not in DIGESTERS:
            continue
        d.check("DEBUG", "DIGEST-VALUE", key)
        d.check("DEBUG", "DIGEST")
        done += 1
    assert done


def test_populate_naming(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        x.check("DEBUG", "POPULATE", "100")
        x.check("DBSIZE")
        x.check_sorted("KEYS", "*")
        x.check("MGET", "key:0", "key:50", "key:99", "key:100")
        x.check("SET", "p:1", "mine")
        x.check("DEBUG", "POPULATE", "5", "p", "12")
        x.check("MGET", "p:0", "p:1", "p:4")
        x.check("DEBUG", "POPULATE", "3", "q", "2")
        x.check("GET", "q:2")
        x.check("DEBUG", "POPULATE", "3", "r" * 130)
        x.check_sorted("KEYS", "r*")
        x.check("DEBUG", "POPULATE", "0")
        x.check("DEBUG", "POPULATE", "-1")
        x.check("DEBUG", "POPULATE", "1x")
        x.check("DEBUG", "POPULATE", "2", "p", "-3")
        x.check("DEBUG", "POPULATE", "1", "a", "1", "extra")
        x.check("DEBUG", "POPULATE", "100000000000000")
        x.check("DEBUG", "DIGEST")


def test_set_active_expire(d):
    try:
        d.check("FLUSHALL")
        d.check("DEBUG", "SET-ACTIVE-EXPIRE", "0")
        d.check("SET", "k", "v", "PX", "50")
        d.check("SET", "keep", "v")
        time.sleep(0.4)
        d.check("DBSIZE")  # nobody touched k: it is still counted
        d.check("DEBUG", "SET-ACTIVE-EXPIRE", "1")
        deadline = time.time() + 3
        while time.time() < deadline:
            mine, theirs = d.both("DBSIZE")
            if mine == theirs == b":1\r\n":
                break
            time.sleep(0.05)
        d.check("DBSIZE")
        d.check("EXISTS", "k")
    finally:
        d.both("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def _masked(reply: bytes) -> bytes:
    return re.sub(rb"lru:\d+ lru_seconds_idle:\d+", b"lru:- lru_seconds_idle:-",
                  re.sub(rb"at:0x[0-9a-f]+", b"at:-", reply))


def test_object_shape(d, d3):
    for x in (d, d3):
        x.check("FLUSHALL")
        for key, value in (("s", "abc"), ("shared", "123"), ("n", "123456"), ("neg", "-70000"),
                           ("big", "9999999999999"), ("alpha", "abcdefghijklmnopqrstuvwxyz0123456789")):
            x.check("SET", key, value)
            mine, theirs = x.both("DEBUG", "OBJECT", key)
            assert _masked(mine) == _masked(theirs), key
        x.check("DEBUG", "OBJECT", "nosuch")
        x.check("DEBUG", "OBJECT")
        x.check("DEBUG", "SDSLEN", "n")
        x.check("DEBUG", "SDSLEN", "nosuch")
        x.check("DEBUG", "LISTPACK", "s")
        x.check("DEBUG", "QUICKLIST", "s")
        x.check("DEBUG", "LISTPACK", "nosuch")
        x.check("DEBUG", "HTSTATS-KEY", "s")
        x.check("DEBUG", "HTSTATS", "99")
        x.check("DEBUG", "HTSTATS", "-1")
        x.check("DEBUG", "HTSTATS", "zero")


def test_reload(d):
    d.check("FLUSHALL")
    _same_writes(d)
    before = d.check("DEBUG", "DIGEST")
    d.check("DEBUG", "RELOAD")
    assert d.check("DEBUG", "DIGEST") == before
    d.check("SET", "a", "changed")
    d.check("DEBUG", "RELOAD", "NOSAVE")
    d.check("GET", "a")
    d.check("SET", "a", "changed")
    d.check("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE")
    d.check("GET", "a")
    d.check("DEBUG", "RELOAD", "BOGUS")
    d.check("DEBUG", "DIGEST")


def test_small_subcommands_and_errors(d, d3):
    for x in (d, d3):
        x.check("DEBUG", "SLEEP", "0")
        x.check("DEBUG", "SLEEP", "abc")
        x.check("DEBUG", "SLEEP", "0.01")
        x.check("DEBUG", "SLEEP")
        x.check("DEBUG", "LOG", "differential test")
        x.check("DEBUG", "ERROR", "CUSTOM some text")
        x.check("DEBUG", "ERROR", "with\r\nnewline")
        x.check("DEBUG", "NOSUCH")
        x.check("DEBUG", "jmap")
        x.check("DEBUG", "stringmatch-len")
        x.check("DEBUG")
        x.check("DEBUG", "HELP", "extra")
        x.check("DEBUG", "DIGEST", "extra")
        x.check("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb")
        x.check("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1x")
        x.check("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0")
        x.check("DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "abc")
        x.check("DEBUG", "REPLYBUFFER", "nosuch", "1")
        x.check("DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "RESET")
        x.check("DEBUG", "REPLYBUFFER", "RESIZING", "1")
        x.check("DEBUG", "DICT-RESIZING", "1")
        x.check("DEBUG", "SET-DISABLE-DENY-SCRIPTS", "0")
        x.check("DEBUG", "PAUSE-CRON", "0")
        x.check("DEBUG", "CHANGE-REPL-ID")
        x.check("DEBUG", "DROP-CLUSTER-PACKET-FILTER", "x")
        x.check("DEBUG", "RELOAD", "x")
        x.check("DEBUG", "CLIENT-EVICTION")
