"""DEBUG subcommands (in-process harness and redis-py). Byte-for-byte comparisons with
Redis live in tests/differential/test_diff_debug.py."""

import re
import time

import pytest
import redis
from harness import Err, Harness

import moredis
from moredis.commands import debug as D
from moredis.engine.digest import dataset_digest

ZEROS = b"0" * 40


def test_populate_naming_and_values(run):
    assert run("debug", "populate", "3") == b"OK"
    assert sorted(run("keys", "*")) == [b"key:0", b"key:1", b"key:2"]
    assert run("mget", "key:0", "key:2") == [b"value:0", b"value:2"]
    assert run("debug", "populate", "2", "p", "10") == b"OK"
    assert run("get", "p:1") == b"value:1\x00\x00\x00"
    assert run("debug", "populate", "1", "q", "3") == b"OK"
    assert run("get", "q:0") == b"val"
    assert run("debug", "populate", "2", "r", "0") == b"OK"  # size 0: the plain value
    assert run("get", "r:1") == b"value:1"
    assert run("debug", "populate", "0") == b"OK"
    assert run("dbsize") == 8


def test_populate_skips_existing_keys_and_counts_no_changes(run):
    run("set", "key:1", "mine")
    dirty = run.srv.dirty
    assert run("debug", "populate", "3") == b"OK"
    assert run("get", "key:1") == b"mine"
    assert run("get", "key:2") == b"value:2"
    assert run.srv.dirty == dirty
    assert run("object", "encoding", "key:0") == b"embstr"


def test_populate_replaces_logically_expired_keys(run):
    srv = run.srv
    now = [1_000_000]
    srv.mstime = lambda: now[0]
    run("set", "key:0", "old", "px", "10")
    now[0] += 100
    assert run("debug", "populate", "1") == b"OK"
    assert run("get", "key:0") == b"value:0"
    assert run("pttl", "key:0") == -1


def test_populate_long_prefix_is_cut_like_the_c_buffer(run):
    prefix = "a" * 130
    assert run("debug", "populate", "3", prefix) == b"OK"
    assert run("keys", "*") == [b"a" * 127]  # every name cut to 127 bytes: only the first survives
    assert run("get", "a" * 127) == b"value:0"
    assert run("debug", "populate", "2", "x\x00y") == b"OK"  # a C string stops at NUL
    assert run("exists", "x:0", "x:1") == 2


def test_populate_errors(run):
    positive = Err("ERR value is out of range, must be positive")
    assert run("debug", "populate", "-1") == positive
    assert run("debug", "populate", "abc") == positive
    assert run("debug", "populate", "2", "p", "-1") == positive
    assert run("debug", "populate", "2", "p", "x") == positive
    assert run("debug", "populate", str(1 << 62)) == Err("ERR OOM in dictTryExpand")
    assert run("debug", "populate") == Err(
        "ERR unknown subcommand or wrong number of arguments for 'populate'. Try DEBUG HELP.")
    assert run("debug", "populate", "1", "a", "1", "x") == Err(
        "ERR unknown subcommand or wrong number of arguments for 'populate'. Try DEBUG HELP.")
    assert run("dbsize") == 0


def test_populate_a_million_keys_is_fast():
    h = Harness()
    t = time.perf_counter()
    assert h("debug", "populate", "1000000") == b"OK"
    took = time.perf_counter() - t
    assert h("dbsize") == 1_000_000
    assert h("get", "key:999999") == b"value:999999"
    assert len(h.srv.dbs[0].access) == 1_000_000
    assert took < 8, took


def test_populate_signals_watchers(srv):
    a = redis.Redis(port=srv.port)
    b = redis.Redis(port=srv.port)
    a.flushall()
    with a.pipeline() as p:
        p.watch("key:0")
        b.execute_command("DEBUG", "POPULATE", "1")
        p.multi()
        p.set("other", "1")
        with pytest.raises(redis.WatchError):
            p.execute()
    a.close()
    b.close()


def test_set_active_expire(run):
    srv = run.srv
    now = [1_000_000]
    srv.mstime = lambda: now[0]
    try:
        run("set", "k", "v", "px", "100")
        assert run("debug", "set-active-expire", "0") == b"OK"
        assert srv.active_expire_enabled is False
        now[0] += 1000
        srv.cron()
        assert b"k" in srv.dbs[0].data  # still there: nothing expires it in the background
        assert run("debug", "set-active-expire", "1") == b"OK"
        srv.cron()
        assert b"k" not in srv.dbs[0].data
        assert run("debug", "set-active-expire", "abc") == b"OK"  # atoi: 0
        assert srv.active_expire_enabled is False
    finally:
        srv.active_expire_enabled = True


def test_sleep(run):
    t = time.perf_counter()
    assert run("debug", "sleep", "0.2") == b"OK"
    assert time.perf_counter() - t >= 0.19
    t = time.perf_counter()
    assert run("debug", "sleep", "0") == b"OK"
    assert run("debug", "sleep", "abc") == b"OK"
    assert run("debug", "sleep", "-5") == b"OK"
    assert time.perf_counter() - t < 0.2


def test_object(run):
    run("set", "s", "abc")
    out = run("debug", "object", "s")
    assert re.fullmatch(rb"Value at:0x[0-9a-f]+ refcount:1 encoding:embstr serializedlength:4 "
                        rb"lru:\d+ lru_seconds_idle:\d+", out), out
    run("set", "shared", "123")
    assert b" refcount:2147483647 encoding:int serializedlength:2 " in run("debug", "object", "shared")
    run("set", "n", "123456")
    assert b" refcount:1 encoding:int serializedlength:5 " in run("debug", "object", "n")
    run("set", "big", "x" * 100)
    assert b" encoding:raw serializedlength:102 " in run("debug", "object", "big")
    assert run("debug", "object", "nokey") == Err("ERR no such key")
    assert run.raw("debug", "object", "s").kind == "simple"


def test_object_sees_logically_expired_keys(run):
    srv = run.srv
    now = [1_000_000]
    srv.mstime = lambda: now[0]
    run("set", "e", "v", "px", "10")
    now[0] += 100
    assert run("debug", "object", "e").startswith(b"Value at:")
    assert run("debug", "digest-value", "e") != [ZEROS]
    assert run("debug", "sdslen", "e").startswith(b"key_sds_len:1, key_sds_avail:0, key_zmalloc: ")
    assert run("debug", "listpack", "e") == Err("ERR no such key")  # that one looks the key up


def test_serialized_length_of_strings():
    assert D.serialized_length(b"") == 1
    assert D.serialized_length(b"-128") == 2
    assert D.serialized_length(b"-129") == 3
    assert D.serialized_length(2**31) == 1 + 10
    assert D.serialized_length(b"007") == 4  # not canonical: stored as a string
    assert D.serialized_length(b"x" * 64) == 66
    assert D.serialized_length(b"x" * 16384) == 16389


def test_digest(run):
    assert run("debug", "digest") == ZEROS
    assert run("debug", "digest-value", "nokey") == [ZEROS]
    assert run("debug", "digest-value") == []
    run("set", "a", "1")
    d1 = run("debug", "digest")
    assert d1 != ZEROS and len(d1) == 40
    run("set", "b", "1")
    va, vb, missing = run("debug", "digest-value", "a", "b", "zz")
    assert va == vb and missing == ZEROS
    run("expire", "b", "100")
    assert run("debug", "digest-value", "b") != [vb]
    run("incr", "a")
    run("append", "b", "x")
    run("select", "2")
    run("set", "a", "q")
    assert run("debug", "digest") == dataset_digest(run.srv.dbs).hex().encode()


def test_fast_digest_matches_engine_digest(run):
    run("debug", "populate", "50")
    run("set", "i", "5")
    run("incr", "i")
    run("append", "ba", "xy")
    run("set", "e", "v", "ex", "100")
    run("select", "7")
    run("debug", "populate", "5", "other")
    assert D.fast_dataset_digest(run.srv.dbs) == dataset_digest(run.srv.dbs)


def test_reload(run):
    srv = run.srv
    now = [10_000_000]
    srv.mstime = lambda: now[0]
    run("set", "a", "1")
    run("set", "t", "v", "px", "5000")
    run("select", "3")
    run("set", "b", "2")
    run("select", "0")
    before = run("debug", "digest")
    assert run("debug", "reload") == b"OK"
    assert run("debug", "digest") == before
    assert run("pttl", "t") == 5000
    assert srv.dirty == 0
    run("set", "a", "changed")
    run("set", "c", "new")
    assert run("debug", "reload", "nosave") == b"OK"  # back to the last snapshot
    assert run("get", "a") == b"1" and run("get", "c") is None
    assert run("debug", "digest") == before
    run("set", "c", "new")
    assert run("debug", "reload", "nosave", "noflush") == Err(
        "ERR Error trying to load the RDB dump, check server logs.")
    run("set", "a", "changed")
    assert run("debug", "reload", "NOSAVE", "NOFLUSH", "MERGE") == b"OK"
    assert run("get", "a") == b"1" and run("get", "c") == b"new"
    assert run("debug", "reload", "bogus") == Err(
        "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.")
    now[0] += 10_000  # t expired "on disk": dropped on load
    assert run("debug", "reload", "nosave") == b"OK"
    assert run("exists", "t") == 0 and run("exists", "a") == 1


def test_reload_nosave_without_snapshot_flushes_and_fails():
    h = Harness()
    h("set", "a", "1")
    assert h("debug", "reload", "nosave") == Err("ERR Error trying to load the RDB dump, check server logs.")
    assert h("dbsize") == 0


def test_reload_keeps_values_independent_of_the_snapshot(run):
    run("set", "s", "ab")
    run("debug", "reload")
    run("append", "s", "cd")  # a bytearray now, mutated in place
    run("debug", "reload", "nosave")
    assert run("get", "s") == b"ab"


def test_protocol(run):
    assert run("debug", "protocol", "string") == b"Hello World"
    assert run("debug", "protocol", "integer") == 12345
    assert run("debug", "protocol", "null") is None
    assert run("debug", "protocol", "array") == [0, 1, 2]
    assert run("debug", "protocol", "true") == 1
    assert run("debug", "protocol", "attrib") == b"Some real reply following the attribute"
    assert run("debug", "protocol", "push") == Err("ERR RESP2 is not supported by this command")
    assert run("debug", "protocol", "nosuch") == Err(
        "ERR Wrong protocol type name. Please use one of the following: "
        "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
    h3 = Harness(resp=3)
    kinds = {t: h3.raw("debug", "protocol", t).kind for t in
             ("string", "integer", "double", "bignum", "null", "array", "set", "map", "verbatim", "true", "false")}
    assert kinds == {"string": "bulk", "integer": "integer", "double": "double", "bignum": "big_number",
                     "null": "null", "array": "array", "set": "set", "map": "map", "verbatim": "verbatim",
                     "true": "bool", "false": "bool"}
    assert h3("debug", "protocol", "map") == {0: False, 1: True, 2: False}
    assert h3("debug", "protocol", "double") == 3.141


def test_refused_and_unknown_subcommands(run):
    for sub in ("segfault", "panic", "oom", "assert", "restart", "crash-and-recover"):
        reply = run("debug", sub)
        assert isinstance(reply, Err) and "disabled in moredis" in reply, sub
    assert run("debug", "nosuch") == Err(
        "ERR unknown subcommand or wrong number of arguments for 'nosuch'. Try DEBUG HELP.")
    assert run("debug", "OBJECT") == Err(
        "ERR unknown subcommand or wrong number of arguments for 'OBJECT'. Try DEBUG HELP.")
    assert run("debug") == Err("ERR wrong number of arguments for 'debug' command")
    assert run("debug", "jmap") == Err(  # Redis 7.4 has no JMAP
        "ERR unknown subcommand or wrong number of arguments for 'jmap'. Try DEBUG HELP.")


def test_help(run):
    lines = run("debug", "help")
    assert lines[0].startswith(b"DEBUG <subcommand>")
    for sub in (b"DIGEST", b"OBJECT", b"POPULATE", b"PROTOCOL", b"RELOAD", b"SLEEP", b"SET-ACTIVE-EXPIRE", b"HELP"):
        assert any(line.startswith(sub) for line in lines), sub
    assert run.raw("debug", "help").value[0].kind == "simple"


def test_small_settings(run):
    srv = run.srv
    assert run("debug", "quicklist-packed-threshold", "10mb") == b"OK"
    assert srv.quicklist_packed_threshold == 10 * 1024 * 1024
    assert run("debug", "quicklist-packed-threshold", "0") == b"OK"
    assert srv.quicklist_packed_threshold == 1 << 30
    err = Err("ERR argument must be a memory value bigger than 1 and smaller than 4gb")
    for bad in ("5gb", "abc", "-1", "1kx"):
        assert run("debug", "quicklist-packed-threshold", bad) == err, bad
    assert run("debug", "set-disable-deny-scripts", "1") == b"OK" and srv.script_disable_deny_script == 1
    assert run("debug", "dict-resizing", "0") == b"OK" and srv.dict_resizing == 0
    assert run("debug", "replybuffer", "peak-reset-time", "never") == b"OK"
    assert srv.reply_buffer_peak_reset_time == -1
    assert run("debug", "replybuffer", "peak-reset-time", "abc") == Err("ERR value is not an integer or out of range")
    assert run("debug", "replybuffer", "resizing", "0") == b"OK"
    assert run("debug", "replybuffer", "foo", "1") == Err(
        "ERR unknown subcommand or wrong number of arguments for 'replybuffer'. Try DEBUG HELP.")
    def replid():
        info = run("info", "replication").decode()
        return re.search(r"master_replid:([0-9a-f]{40})", info).group(1)

    old = replid()
    assert run("debug", "change-repl-id") == b"OK"
    assert replid() == srv.replid != old
    assert run("debug", "leak", "x") == b"OK"
    assert run("debug", "error", "BOOM it\r\nbroke") == Err("BOOM it  broke")


def test_pause_cron(run):
    srv = run.srv
    assert run("debug", "pause-cron", "1") == b"OK"
    loops = srv.cron_loops
    srv.cron()
    assert srv.cron_loops == loops
    assert run("debug", "pause-cron", "0") == b"OK"
    srv.cron()
    assert srv.cron_loops == loops + 1


def test_log(run):
    srv = run.srv
    srv.log.keep = 10
    srv.log.quiet = True
    assert run("debug", "log", "hello there") == b"OK"
    assert srv.log.lines[-1].endswith("# DEBUG LOG: hello there")


def test_structures(run):
    run("set", "s", "v")
    assert run("debug", "listpack", "s") == Err("ERR Not a listpack encoded object.")
    assert run("debug", "quicklist", "s") == Err("ERR Not a quicklist encoded object.")
    assert run("debug", "quicklist", "nokey", "1") == Err("ERR no such key")
    assert run("debug", "htstats-key", "s") == Err(
        "ERR The value stored at the specified key is not represented using an hash table")
    run("set", "n", "12")
    assert run("debug", "sdslen", "n") == Err("ERR Not an sds encoded string.")
    stats = run("debug", "htstats", "0")
    assert stats.startswith(b"[Dictionary HT]\nHash table 0 stats (main hash table):\n table size: 8\n"
                            b" number of elements: 2\n[Expires HT]\n")
    assert stats.endswith(b"No stats available for empty dictionaries\n")
    assert b"Chain length distribution" in run("debug", "htstats", "0", "full")
    assert run.raw("debug", "htstats", "0").kind == "verbatim"
    assert run("debug", "htstats", "16") == Err("ERR Out of range database")
    assert run("debug", "htstats", "x") == Err("ERR value is not an integer or out of range")
    assert run("debug", "structsize").startswith(b"bits:64 ")
    assert run("debug", "stringmatch-test") == b"Apparently Redis did not crash: test passed"


def test_quicklist_layout_follows_the_fill_setting(run):
    srv = run.srv
    nodes = D.quicklist_layout(srv, [b"x" * 100] * 200)  # 8kb nodes by default (fill -2)
    assert len(nodes) == 3 and sum(n for n, _, _ in nodes) == 200
    assert all(size <= 8192 for _, size, _ in nodes)
    srv.quicklist_packed_threshold = 50
    nodes = D.quicklist_layout(srv, [b"a", b"y" * 60, b"b"])
    assert nodes == [(1, 10, False), (1, 60, True), (1, 10, False)]


def test_debug_command_refused_unless_enabled():
    with moredis.Server(enable_debug_command="no") as s:
        r = redis.Redis(port=s.port)
        with pytest.raises(redis.ResponseError) as e:
            r.execute_command("DEBUG", "SLEEP", "0")
        assert str(e.value) == D.NOT_ALLOWED[4:]
        r.close()
    with moredis.Server(enable_debug_command="local") as s:
        r = redis.Redis(port=s.port)
        assert r.execute_command("DEBUG", "SLEEP", "0") == b"OK"  # 127.0.0.1 is local
        r.close()
