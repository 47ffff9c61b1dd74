"""In-process tests: effects propagation, the sandbox, the script cache, CRC64, INFO fields."""

from __future__ import annotations

from harness import Harness

from moredis.persistence.crc64 import crc64
from moredis.scripting.core import Rand48, parse_shebang


def _capture(h):
    got = []
    h.srv.propagators.append(lambda dbid, argvs: got.append((dbid, argvs)))
    return got


def test_effects_replication():
    h = Harness()
    got = _capture(h)
    h("eval", "redis.call('set', 'a', '1') redis.call('incr', 'a') return 1", "0")
    assert got == [(0, [[b"MULTI"], [b"set", b"a", b"1"], [b"incr", b"a"], [b"EXEC"]])]
    got.clear()
    h("eval", "return redis.call('set', 'b', '1')", "0")
    assert got == [(0, [[b"set", b"b", b"1"]])]
    got.clear()
    h("eval", "return redis.call('get', 'b')", "0")
    assert got == []
    h("eval", "redis.set_repl(redis.REPL_NONE) redis.call('set', 'c', '1') return 1", "0")
    assert got == []
    h("eval", "redis.call('set', 'd', '1') redis.call('select', 2) redis.call('set', 'e', '1')", "0")
    assert got == [(0, [[b"MULTI"], [b"set", b"d", b"1"], [b"SELECT", b"2"], [b"set", b"e", b"1"], [b"EXEC"]])]
    assert h("get", "e") is None  # the caller's database is unchanged


def test_sandbox_has_no_python():
    h = Harness()
    for s in ("return python", "return type(getmetatable(redis.call).__index)", "return debug",
              "return io", "return os.execute", "return package"):
        out = h("eval", s, "0")
        assert out is None or "nonexistent global" in str(out) or "attempt to index" in str(out), (s, out)
    assert "nonexistent global variable 'python'" in str(h("eval", "return getfenv(0).python", "0"))
    assert h("eval", "return tostring(redis.call):sub(1, 9)", "0") == b"function:"
    out = h("eval", "return redis.call.__class__", "0")
    assert "ERR" in str(out)


def test_script_cache_and_lru():
    h = Harness()
    sha = h("script", "load", "return 7")
    assert h("evalsha", sha, "0") == 7
    for i in range(501):
        h("eval", "return %d" % (1000 + i), "0")
    assert h.srv.scripting.cached_scripts() == 501  # the oldest EVAL script went, SCRIPT LOAD ones stay
    assert h("evalsha", sha, "0") == 7
    assert h.srv.stat_evictedscripts == 1
    h("script", "flush")
    assert "NOSCRIPT" in str(h("evalsha", sha, "0"))


def test_shebang_parser_and_rand48():
    assert parse_shebang(b"return 1") == (16, 0)
    assert parse_shebang(b"#!lua flags=no-writes,allow-oom\nreturn 1") == (3, 31)
    r = Rand48()
    r.seed(0)
    assert r.next31() == (0x5DEECE66D * 0x330E + 0xB & 0xFFFFFFFFFFFF) >> 17


def test_crc64():
    assert crc64(0, b"123456789") == 0xE9C6D914C4B8D9CA
    data = bytes(range(256)) * 7
    assert crc64(crc64(0, data[:13]), data[13:]) == crc64(0, data)


def test_info_fields():
    h = Harness()
    h("function", "load", "#!lua name=x\nredis.register_function('fx', function() return 1 end)")
    h("script", "load", "return 1")
    info = h("info", "memory")
    assert b"number_of_cached_scripts:1" in info and b"number_of_functions:1" in info
    assert b"number_of_libraries:1" in info
