"""Differential: Lua scripting and Functions, byte for byte against Redis 7.4.

Each case is a script run by EVAL on both servers (RESP2 and RESP3 clients); error
texts carry the script's digest and line, so they are compared exactly too. The
reference's `error({})` crash (a NULL message) is the one input left out.
"""

from __future__ import annotations

import hashlib

import pytest

RETURNS = [
    "return 1", "return -3.99", "return 3.99", "return 1e30", "return 0/0", "return 1/0", "return -1/0",
    "return 2^63", "return -2^63", "return 2^53 + 1", "return 'x'", "return ''", "return true", "return false",
    "return nil", "return", "return {}", "return {1, 2, {3, {4, nil, 5}}, 'x'}", "return {a=1}", "return {1,2,a=3}",
    "return {[1]=1,[3]=3}", "return {true, false, 3}", "return {double=3.5}", "return {double='3.5'}",
    "return {double=0/0}", "return {double=1/0}", "return {double=-0.0}", "return {double=1e300}",
    "return {map={a=1}}", "return {map={a=1, b={1, 2}, c={ok='x'}}}", "return {set={a=true, b=1}}",
    "return {big_number='123'}", "return {big_number='12\\r\\n3'}", "return {big_number=123}",
    "return {verbatim_string={format='txt', string='abc'}}", "return {verbatim_string={format='txtx', string='a'}}",
    "return {verbatim_string={string='abc'}}", "return {verbatim_string={format='tx', string=' 1'}}",
    "return {verbatim_string={format='', string='a'}}", "return {verbatim_string={format='a\\0b', string='c\\0d'}}",
    "return {ok='a\\0b'}", "return {err='a\\0b'}", "return {err='\\0'}", "return {1, {err='a\\0b'}, {ok='c\\0d'}}",
    "return {big_number='1\\0 2'}", "return redis.error_reply('x\\0y')", "return redis.status_reply('x\\0y')",
    "return {map={['a\\0b']='c\\0d'}}", "return 'a\\0b'", "return {map={}}", "return {map=5}", "return {set=5}",
    "return {map={[1]='a', [2]='b'}}", "return {map={[1.5]='a'}}", "return {map={[true]='a'}}",
    "return {ok='X y'}", "return {ok='a\\r\\nb'}", "return {ok=5}", "return {err='boom'}", "return {err='MY boom'}",
    "return {err='-MY boom'}", "return {err=''}", "return {err='a\\nb'}", "return {err=12}",
    "return {ok='x', err='y'}", "return {1, {ok='fine'}, {err='bad'}, {double=1.5}}",
    "return redis.error_reply('boom')", "return redis.error_reply('MY boom')", "return redis.error_reply('-x y')",
    "return redis.error_reply('')", "return redis.error_reply('a\\nb\\n')", "return redis.error_reply()",
    "return redis.error_reply(12)", "return redis.status_reply('X')", "return redis.status_reply()",
    "return function() end", "return coroutine.create(function() end)", "return {function() end, 1}",
    "return redis.sha1hex('abc')", "return redis.sha1hex('')", "return redis.sha1hex(12)",
    "return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM}", "return redis.LOG_WARNING",
    "return {redis.REPL_ALL, redis.REPL_AOF, redis.REPL_REPLICA, redis.REPL_SLAVE, redis.REPL_NONE}",
    "return redis.replicate_commands()",
    "return tostring(redis.breakpoint())",
    "local r = tostring(redis.debug('x')) return r",
    "return type(redis.call)", "return type(redis.pcall)", "return tostring(getmetatable(redis.call))",
    "return tostring(1e15)", "return tostring(0.1)", "return tostring(2^63)", "return 'a' .. 1.5",
    "return _VERSION", "return {type(os), type(os.clock), type(os.time)}", "return type(string.dump)",
]

ERRORS = [
    "return x", "x = 1", "rawset(_G, 'x', 1)", "string.x = 1", "setmetatable(_G, nil)", "table.insert(string, 1)",
    "_G.x = 5", "local s = string; s.len = nil", "KEYS = 1", "error('boom')", "error({err='boom'})",
    "error({err='MY boom'})", "error('MY boom', 0)", "error(nil)", "error(12)", "error({err=12})",
    "error('a\\nb')", "error('a\\0b')", "error({err='a\\0b'})", "return type(debug)", "return print",
    "return dofile", "return require", "return io",
    "return redis.call('get')", "return redis.call('nosuch', 'a')", "return redis.call()", "return redis.call({})",
    "return redis.call('set', 'k', {})", "return redis.call('set', 'k', nil)", "return redis.call('set', 'k', true)",
    "return redis.call('eval', 'return 1', 0)", "return redis.call('multi')", "return redis.call('subscribe', 'x')",
    "return redis.call('config')", "return redis.call('config', 'nosuch')", "return redis.pcall('get')",
    "return redis.pcall('nosuch')", "return redis.pcall()", "return redis.pcall('set', 'k', {})",
    "redis.call('set', 'lk', 'v') return redis.call('lpush', 'lk', 'a')",
    "redis.call('set', 'lk', 'v') return redis.pcall('lpush', 'lk', 'a')",
    "local function f() return f() + 1 end return f()", "return 1 + {}", "return #nil",
    "\nlocal a = 1\n\nerror('line4')", "local function f()\n error('in f')\nend\nf()",
    "local function f()\n redis.call('nosuch')\nend\nf()", "return string.rep('x', -1)",
    "redis.setresp(4)", "redis.setresp()", "redis.set_repl(9)", "redis.set_repl()", "redis.log()",
    "redis.log('x', 'y')",
    "redis.log(9, 'y')",
    "local r = redis.sha1hex() return r",
    "local r = redis.acl_check_cmd() return r",
    "local r = redis.acl_check_cmd('nosuch') return r", "local r = math.random(0) return r",
    "local r = math.random(1, 2, 3) return r",
    "local r = math.random('x') return r",
    "return tostring(math.random(3, 1))",
    "math.randomseed()",
    "local r = loadstring() return r", "setmetatable(string, {})",
]

PCALLS = [
    "return {pcall(error)}", "return {pcall(error, 'x')}", "return {pcall(function() local x = nil; return x.y end)}",
    "return {pcall(redis.call, 'nosuch')}", "local ok, e = pcall(redis.call, 'nosuch') return e",
    "local ok, e = pcall(error, {err='x'}) return {type(e), tostring(e)}",
    "local ok, e = pcall(error, {err=5}) return {type(e), tostring(e)}",
    "local ok, e = pcall(error, {err={}}) return {type(e)}",
    "local ok, e = pcall(error, setmetatable({}, {__index={err='m'}})) return {type(e), tostring(e)}",
    "local ok, e, f = pcall(function() return 1, 2 end) return {tostring(ok), e, f}",
    "return select('#', pcall(error, {err='x'}))", "local ok, e = pcall(error) return {type(e), tostring(e)}",
    "local ok, e = pcall() return {type(e), tostring(e)}", "local ok, e = pcall(pcall) return {type(e), tostring(e)}",
    "local ok, e = xpcall(function() error({err='x'}) end, function(m) return m end) return {type(e), e.err}",
    "local e = redis.pcall('nosuch') local t = {} for k, v in pairs(e) do t[#t+1] = k .. '=' .. tostring(v) end "
    "table.sort(t) return t",
    "return {loadstring(string.dump(function() return 1 end))}",
    "local a, b = loadstring(string.dump(function() return 1 end)) return {tostring(a), b}",
    "local f, e = loadstring('x = 1') return {pcall(f)}",
    "local f, e = loadstring('return 1 +') return {tostring(f), e}",
    "local f, e = loadstring('error(1)', 'mychunk') return {pcall(f)}",
    "return tostring(getfenv(0) == _G)",
    "return tostring(getfenv(1) == _G)",
    "return tostring(getfenv(tostring) == _G)",
    "local f = function() return x end setfenv(f, {x=5}) return f()",
    "local co = coroutine.wrap(function() coroutine.yield(1) end) return co()",
    "return {pcall(string.rep)}", "return {pcall(redis.sha1hex)}",
    "local t = {} for k in pairs(getmetatable(_G)) do t[#t + 1] = k end return t",
    "return {rawget(_G, 'x'), rawget(string, 'len') ~= nil, #string}",
    "local t = {} for k, v in pairs(redis) do t[#t + 1] = k end table.sort(t) return t",
    "local t = {} for k, v in pairs(string) do t[#t + 1] = k end table.sort(t) return t",
    "return tostring(redis.nosuch)", "return tostring(string.nosuch)",
    "return {math.huge, math.pi * 1000, math.floor(2.5), math.fmod(7, 3)}",
]


@pytest.mark.parametrize("script", RETURNS + ERRORS + PCALLS)
def test_eval_cases(d, d3, script):
    for x in (d, d3):
        x.check("SCRIPT", "FLUSH")
        x.check("DEL", "lk")
        x.check("EVAL", script, "0")


def test_command_replies_in_lua(d, d3):
    setup = [("HSET", "h", "a", "1", "b", "2"), ("SADD", "s", "x"), ("ZADD", "z", "1.5", "m"),
             ("RPUSH", "l", "a", "b", "c"), ("SET", "n", "10")]
    scripts = [
        "return redis.call('hgetall', 'h')", "local r = redis.call('set', 'a', '1') return type(r) .. r.ok",
        "return redis.call('incr', 'n')", "return type(redis.call('incr', 'n'))", "return redis.call('get', 'nokey')",
        "return type(redis.call('get', 'nokey'))", "return redis.call('lrange', 'l', 0, -1)",
        "return redis.call('mget', 'a', 'nokey', 'l')", "return redis.call('zscore', 'z', 'm')",
        "return redis.call('ping')", "return redis.call('PiNg', 'x')",
        "redis.setresp(3) return redis.call('hgetall', 'h')", "redis.setresp(3) return redis.call('smembers', 's')",
        "redis.setresp(3) local r = redis.call('smembers', 's') return tostring(r.set.x)",
        "redis.setresp(3) return redis.call('zscore', 'z', 'm')",
        "redis.setresp(3) local r = redis.call('zscore', 'z', 'm') return type(r.double)",
        "redis.setresp(3) return redis.call('get', 'nokey')",
        "redis.setresp(3) return type(redis.call('get', 'nokey'))", "redis.setresp('3') return 1",
        "redis.setresp(3) return {true, false}", "redis.setresp(3) return true",
        "redis.setresp(3) return redis.call('zrange', 'z', 0, -1, 'withscores')",
        "redis.setresp(2) return redis.call('zrange', 'z', 0, -1, 'withscores')",
        "return redis.call('blpop', 'nolist', 0)", "return redis.call('time')[1] ~= nil",
        "redis.call('set', 'k', 0.1) return redis.call('get', 'k')",
        "redis.call('set', 'k', 1e20) return redis.call('get', 'k')",
        "redis.call('set', 'k', 1/3) return redis.call('get', 'k')",
        "redis.call('set', 'k', -0.0) return redis.call('get', 'k')",
        "redis.call('set', 'k', 1/0) return redis.call('get', 'k')",
        "redis.call('set', 'k', 0/0) return redis.call('get', 'k')",
        "redis.call('set', 'k', 5e18) return redis.call('get', 'k')",
        "redis.call('set', 'k', 123456789012345678) return redis.call('get', 'k')",
        "redis.call('set', 'k', 4611686018427387904) return redis.call('get', 'k')",
        "redis.call('select', 1) redis.call('set', 'indb1', 'x') return redis.call('dbsize')",
    ]
    for x in (d, d3):
        for cmd in setup:
            x.check(*cmd)
        for s in scripts:
            x.check("EVAL", s, "0")
        x.check("EXISTS", "indb1")
        x.check("SELECT", "1")
        x.check("EXISTS", "indb1")
        x.check("FLUSHDB")
        x.check("SELECT", "0")


def test_keys_argv_and_numkeys(d):
    d.check("EVAL", "return {KEYS[1], ARGV[1], #KEYS, #ARGV}", "1", "a", "b", "c")
    d.check("EVAL", "return 1", "x")
    d.check("EVAL", "return 1", "-1")
    d.check("EVAL", "return 1", "2", "a")
    d.check("EVAL", "return 1", "1a")
    d.check("EVAL", "return {1,2")
    d.check("EVAL", "return {1,2", "0")
    d.check("EVAL", " #!lua\nreturn 1", "0")
    d.check("EVAL", "KEYS[1] = 'a' return KEYS[1]", "0")


@pytest.mark.parametrize("shebang", [
    "#!lua", "#!lua flags=no-writes", "#!lua flags=bad", "#!lua name=foo", "#!luax", "#!lua flags=no-writes,allow-oom",
    "#!lua flags=no-writes, allow-oom", "#!lua flags=", "#!lua  flags=no-writes", "#!lua foo=bar",
    "#!lua flags=no-writes,", "#!lua flags=,no-writes", "#!lua flags=no-writes allow-oom",
    "#!lua flags=no-writes flags=allow-oom", "#!lua \"flags=no-writes\"", "#!lua 'a", "#!lua   ",
    "#!lua flags=NO-WRITES", "#!lua flags=no-cluster", "#!lua flags=allow-stale", "#!LUA", "#!python",
    "#!lua flags=allow-cross-slot-keys",
])
def test_shebangs(d, shebang):
    d.check("EVAL", shebang + "\nreturn redis.call('set', 'x', '1')", "0")
    d.check("EVAL", shebang + "\nreturn redis.pcall('set', 'x', '1')", "0")
    d.check("EVAL", shebang + "\nreturn redis.call('get', 'x')", "0")
    d.check("EVAL_RO", shebang + "\nreturn redis.call('get', 'x')", "0")
    d.check("EVAL_RO", shebang + "\nreturn redis.call('set', 'x', '1')", "0")


def test_shebang_edge(d):
    d.check("EVAL", "#!lua", "0")
    d.check("EVAL", "#!", "0")
    d.check("EVAL_RO", "return redis.call('set', 'a', '1')", "0")
    d.check("EVAL_RO", "return redis.pcall('set', 'a', '1')", "0")
    d.check("EVAL_RO", "return redis.call('get', 'a')", "0")


def test_script_commands(d, d3):
    for x in (d, d3):
        x.check("SCRIPT", "FLUSH")
        x.check("SCRIPT", "LOAD", "return 1")
        x.check("SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "nosuch",
                "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB")
        x.check("EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0")
        x.check("EVALSHA_RO", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0")
        x.check("EVALSHA", "nosuch", "0")
        x.check("EVALSHA", "nosuch", "x")
        x.check("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8dd", "x")
        x.check("EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8dbx", "0")
        x.check("SCRIPT", "LOAD", "return +")
        x.check("SCRIPT", "LOAD", "#!lua flags=bad\nreturn 1")
        x.check("SCRIPT", "FLUSH", "ASYNC")
        x.check("SCRIPT", "EXISTS", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
        x.check("SCRIPT", "FLUSH", "SYNC")
        x.check("SCRIPT", "FLUSH", "BAD")
        x.check("SCRIPT", "FLUSH", "SYNC", "ASYNC")
        x.check("SCRIPT", "KILL")
        x.check("FUNCTION", "KILL")
        x.check("SCRIPT", "DEBUG", "NO")
        x.check("SCRIPT", "DEBUG", "BAD")
        x.check("SCRIPT", "NOSUCH")
        x.check("SCRIPT", "EXISTS")
        x.check("SCRIPT")
        x.check("EVAL", "return 1")
        x.check("EVAL", "return redis.call('set', KEYS[1], ARGV[1])", "1", "k", "v")
        x.check("EVALSHA", "a2c7e4fb3a6d8cbd7d1ab4e7e9e8d4e3e1e3d4a1", "0")


def test_math_random_sequence(d):
    d.check("EVAL", "math.randomseed(42) return {math.random(1000), math.random(5, 10), tostring(math.random())}", "0")
    d.check("EVAL", "return {math.random(1000), math.random(1000)}", "0")
    d.check("EVAL", "math.randomseed(-7) return {math.random(), math.random(2.9)}", "0")


def test_nesting_limit(d):
    import sys

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 30000))  # the raw client parses recursively
    script = "local t = {} local c = t for i=1,ARGV[1] do local n = {} c[1] = n c = n end return t"
    for n in ("10", "7994", "7995", "7996", "9000"):
        d.check("EVAL", script, "0", n)
    d.check("EVAL", "local t = {} local c = t for i=1,ARGV[1] do local n = {} c.map = {x = n} c = n end return t",
            "0", "3000")


FUNCTIONS_LIB = """#!lua name=mylib
redis.register_function('f1', function(keys, args) return redis.call('nosuch') end)
redis.register_function('f2', function(keys, args) error('boom') end)
redis.register_function('f3', function(keys, args) return x end)
redis.register_function{function_name='f4', callback=function(keys, args) return {keys, args} end,
  flags={'no-writes'}, description='desc'}
redis.register_function('f5', function(keys, args) return redis.call('set', 'a', 'b') end)
redis.register_function('f6', function(keys, args) return {type(KEYS), type(ARGV)} end)
"""


def test_functions(d, d3):
    for x in (d, d3):
        x.check("FUNCTION", "FLUSH")
        x.check("FUNCTION", "LOAD", FUNCTIONS_LIB)
        for args in (("f1", "0"), ("f2", "0"), ("f3", "0"), ("f4", "2", "a", "b", "c", "d"), ("f5", "0"),
                     ("f6", "0"), ("nosuch", "0"), ("f1", "-1"), ("f1", "5"), ("f1", "x"), ("F4", "0")):
            x.check("FCALL", *args)
        x.check("FCALL_RO", "f4", "0")
        x.check("FCALL_RO", "f5", "0")
        x.check("FUNCTION", "LIST", "LIBRARYNAME", "nomatch")
        x.check("FUNCTION", "LIST", "LIBRARYNAME")
        x.check("FUNCTION", "LIST", "BAD")
        x.check("FUNCTION", "DELETE", "nosuch")
        x.check("FUNCTION", "STATS")
        x.check("FUNCTION", "FLUSH", "BAD")
        x.check("FUNCTION", "FLUSH", "SYNC", "X")
        x.check("FUNCTION", "DELETE", "mylib")
        x.check("FCALL", "f1", "0")


@pytest.mark.parametrize("code", [
    "#!lua name=mylib\nreturn 1", "#!lua name=lib2\nreturn 1",
    "#!lua name=lib2\nredis.register_function('f1', function() end)",
    "#!lua name=lib2\nredis.call('ping')", "#!lua name=lib2\nx = 1", "#!lua name=lib2\nlocal y = x",
    "#!lua name=lib2\nerror('boom')", "#!lua name=lib2\nerror({err='boom'})",
    "#!lua name=lib2\nredis.register_function('g', function() end) redis.register_function('g', function() end)",
    "return 1", "#!lua", "#!lua\nreturn 1", "#!lua name=a name=b\nreturn 1", "#!lua name=a flags=no-writes\nreturn 1",
    "#!lua name=a-b\nreturn 1", "#!lua name=\nreturn 1", "#!python name=a\nreturn 1", "#!LUA name=up\nreturn 1",
    "#!lua NAME=a\nredis.register_function('fa', function() return 1 end)",
    "#!lua name=a\nredis.register_function()", "#!lua name=a\nredis.register_function(1, 2, 3)",
    "#!lua name=a\nredis.register_function('x-y', function() end)",
    "#!lua name=a\nredis.register_function(1, function() end)",
    "#!lua name=a\nredis.register_function('a', 'b')", "#!lua name=a\nredis.register_function({})",
    "#!lua name=a\nredis.register_function('a')", "#!lua name=a\nredis.register_function{function_name='a'}",
    "#!lua name=a\nredis.register_function{callback=function() end}",
    "#!lua name=a\nredis.register_function{function_name='a', callback=function() end, flags='no-writes'}",
    "#!lua name=a\nredis.register_function{function_name='a', callback=function() end, flags={'bad'}}",
    "#!lua name=a\nredis.register_function{function_name='a', callback=function() end, foo=1}",
    # keys are checked in the order next() gives them: here the flags before the unknown key
    "#!lua name=a\nredis.register_function{function_name='1f', callback=function() end, "
    "flags={'no-cluster', 1}, bad=1}",
    "#!lua name=a\nredis.register_function{function_name='f', callback=function() end, flags={'bad'}, bad=1}",
    "#!lua name=a\nredis.register_function{function_name='a', callback=function() end, description=1}",
    "#!lua name=a\nredis.register_function{function_name='a', callback=1}",
    "#!lua name=a\nredis.register_function{[1]='a'}",
    "#!lua name=a\nlocal t = redis.call",
    "#!lua name=a\nredis.log(redis.LOG_DEBUG, 'x') redis.register_function('fl', function() return 1 end)",
    "#!lua name=a\nreturn +",
])
def test_function_load_errors(d, code):
    d.check("FUNCTION", "FLUSH")
    d.check("FUNCTION", "LOAD", "#!lua name=mylib\nredis.register_function('f1', function() return 1 end)")
    d.check("FUNCTION", "LOAD", code)
    d.check("FUNCTION", "LOAD", "REPLACE", code)
    d.check("FUNCTION", "STATS")


def test_function_names_differing_in_case(d):
    # (FUNCTION LOAD REPLACE of such a library crashes Redis 7.4.1, so only a first load)
    d.check("FUNCTION", "FLUSH")
    d.check("FUNCTION", "LOAD", "#!lua name=lib2\nredis.register_function('G', function() return 'big' end) "
            "redis.register_function('g', function() return 'small' end)")
    d.check("FUNCTION", "STATS")  # which of the two FCALL g finds depends on Redis's hash seed
    d.check("FUNCTION", "LOAD", "#!lua name=LIB2\nredis.register_function('x', function() return 'x' end)")
    d.check("FCALL", "X", "0")
    d.check("FUNCTION", "LOAD", "#!lua name=lib4\nredis.register_function('X', function() return 'x' end)")
    d.check("FUNCTION", "DELETE", "LIB2")
    d.check("FUNCTION", "LOAD", "#!lua name=lib4\nredis.register_function('X', function() return 'x' end)")
    d.check("FUNCTION", "FLUSH")


def test_function_load_options(d):
    d.check("FUNCTION", "FLUSH")
    lib = "#!lua name=o\nredis.register_function('fo', function() return 'o' end)"
    d.check("FUNCTION", "LOAD", "BAD", lib)
    d.check("FUNCTION", "LOAD", "REPLACE")
    d.check("FUNCTION", "LOAD", lib)
    d.check("FUNCTION", "LOAD", "replace", lib)
    d.check("FCALL", "fo", "0")
    d.check("FUNCTION", "LIST")
    d.check("FUNCTION", "LIST", "WITHCODE")
    d.check("FUNCTION", "LIST", "withcode", "libraryname", "O*")
    d.check("FUNCTION", "DUMP")
    d.check("FUNCTION", "RESTORE", "garbage")
    d.check("FUNCTION", "RESTORE", "x", "BAD")
    d.check("FUNCTION", "RESTORE", "x", "APPEND", "y")


def test_function_dump_restore(d, d3):
    for x in (d, d3):
        x.check("FUNCTION", "FLUSH")
        x.check("FUNCTION", "LOAD", "#!lua name=a\nredis.register_function('fa', function() return 1 end)")
        payload = x.mine.call("FUNCTION", "DUMP")
        theirs = x.theirs.call("FUNCTION", "DUMP")
        assert payload == theirs
        raw = payload.split(b"\r\n", 1)[1][:-2]
        x.check("FUNCTION", "RESTORE", raw)
        x.check("FUNCTION", "RESTORE", raw, "APPEND")
        x.check("FUNCTION", "RESTORE", raw, "REPLACE")
        x.check("FUNCTION", "RESTORE", raw, "FLUSH")
        x.check("FCALL", "fa", "0")
        x.check("FUNCTION", "RESTORE", raw[:-1] + b"x")
        x.check("FUNCTION", "FLUSH")
        x.check("FUNCTION", "LOAD", "#!lua name=b\nredis.register_function('fa', function() return 2 end)")
        x.check("FUNCTION", "RESTORE", raw, "REPLACE")
        x.check("FCALL", "fa", "0")
        x.check("FUNCTION", "RESTORE", raw, "FLUSH")
        x.check("FCALL", "fa", "0")
        x.check("FUNCTION", "FLUSH")
        x.check("FUNCTION", "DUMP")


def test_function_runtime_env(d):
    d.check("FUNCTION", "FLUSH")
    d.check("FUNCTION", "LOAD", """#!lua name=probe
redis.register_function('g', function(keys, args) local t = {} for k in pairs(_G) do t[#t+1]=k end
  table.sort(t) return t end)
redis.register_function('r', function(keys, args) local t = {} for k in pairs(redis) do t[#t+1]=k end
  table.sort(t) return t end)
redis.register_function('n', function(keys, args) return tostring(redis.nosuch) end)
redis.register_function('y', function(keys, args) y = 5 end)
redis.register_function('w', function(keys, args) return redis.call('set', keys[1], args[1]) end)
redis.register_function{function_name='ro', callback=function(keys, args) return redis.call('set', 'x', 1) end,
  flags={'no-writes'}}
""")
    for f in ("g", "r", "n", "y", "ro"):
        d.check("FCALL", f, "0")
    d.check("FCALL", "w", "1", "k", "v")
    d.check("GET", "k")
    d.check("FCALL_RO", "w", "1", "k", "v")


LIBS = [
    "return cjson.encode({1,2,'a/b\"\\\\', {x=1}, true, false, cjson.null, 1.5, 1e100, 3})",
    "return cjson.encode(string.char(1,8,9,10,12,13,31,127,128,255))", "return cjson.encode({})",
    "return cjson.encode({[1]=1,[3]=3})", "return cjson.encode({[1]=1,[20]=3})", "return cjson.encode({[1.5]=1})",
    "return cjson.encode(1/0)", "return cjson.encode(function() end)", "return cjson.encode({[true]=1})",
    "local t = cjson.decode('[1,2,{\"a\":null,\"b\":[true,false]},\"x\\\\u00e9\\\\ud83d\\\\ude00\",1.5e3]') "
    "return {t[1], t[3].b[1], tostring(t[3].a == cjson.null), t[4], t[5]}",
    "return cjson.decode('bad')", "return cjson.decode('')", "return cjson.decode('[1,')",
    "return cjson.decode('{1:2}')", "return cjson.decode('{\"a\" 2}')", "return cjson.decode('[1] x')",
    "return cjson.decode()", "return tostring(cjson.null)", "return cjson.encode({a=1})",
    "return cjson.decode('\"abc')", "return cjson.decode('[1 2]')", "return cjson.decode('{\"a\":1 \"b\"}')",
    "return cjson.decode('0x10')", "return {cjson._NAME, cjson._VERSION, type(cjson.encode), type(cjson.null)}",
    "return cmsgpack.pack(1, -1, 200, -200, 70000, 1.5, 0.1, 'abc', {1,2}, {a=1}, true, nil, {}, 2^40)",
    "return {cmsgpack.unpack(cmsgpack.pack(1, 'x', {1,2,{a=3}}))}", "return cmsgpack.unpack('\\145')",
    "return cmsgpack.pack()", "return {cmsgpack.unpack_one(cmsgpack.pack(1, 2), 0)}",
    "return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2, 0)}",
    "return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}",
    "return {struct.pack('>iHb', 1, 2, 3), struct.size('>iHb'), struct.unpack('>iHb', struct.pack('>iHb', -1, 2, 3))}",
    "return {struct.pack('<d', 1.5), struct.pack('s', 'ab'), struct.unpack('c2', 'abcd')}",
    "return struct.pack('q', 1)", "return struct.unpack('>i', 'ab')", "return struct.pack('!4 b i', 1, 2)",
    "return {bit.band(0xff, 0x0f), bit.bor(1,2,4), bit.bxor(3,1), bit.bnot(0), bit.lshift(1, 31), "
    "bit.rshift(-1, 28), bit.arshift(-16, 2), bit.rol(1, 33), bit.ror(1,1), bit.tohex(255), bit.tohex(-1, -4), "
    "bit.tobit(2^32 + 5), bit.bswap(1), bit.tobit(2.5), bit.tobit(3.5)}",
    "return bit.band('x')", "return bit.band()", "return bit.band('12', 4)",
    # argument errors name the function as the caller did ('?' through pcall, a method's self)
    "return {pcall(struct.pack, 'xbx')}", "local p = struct.pack return p('b')", "return struct:pack('b')",
    "return {pcall(cjson.encode)}", "local t = {f = bit.band} return t.f('x')", "return {pcall(bit.ror, 0.3)}",
    "return {pcall(struct.unpack, 'b', 'x', 'y')}", "return {pcall(struct.pack, 'c5l', 1/0)}",
    # struct: C's integer conversions, no sign extension past 8 bytes, float overflow, odd alignments
    "return {struct.pack('<l', -1/0), struct.pack('<L', 0/0), struct.pack('<L', 1/0), struct.pack('<L', 2^64)}",
    "return {struct.pack('<l', -1e300), struct.pack('<L', 2^63), struct.pack('<i7', -1/0)}",
    "return {struct.pack('<i10', -1), struct.pack('>i10', -2), struct.pack('<f', 1e300), struct.pack('<f', -1e300)}",
    "return {struct.pack('!i3', 1), struct.pack('!bi3', 1, 2), struct.pack('!bbbi7', 1, 2, 3, 4)}",
    "return {struct.unpack('!bi3', struct.pack('!bi3', 1, 2))}", "return struct.pack('!3bi', 1, 2)",
    "return struct.pack('!0i', 1)", "return {struct.unpack('xsBs', struct.pack('xsBs', 2^64, 2^64, 0/0))}",
    # cmsgpack: int64 when C says so, float32 when exact (the infinities), nil leaves a hole
    "return {cmsgpack.pack(1/0), cmsgpack.pack(-1/0), cmsgpack.pack(0/0), cmsgpack.pack(-2^63), cmsgpack.pack(2^63)}",
    "return {cmsgpack.pack(1e39), cmsgpack.pack(3.4028235e38), cmsgpack.pack(0.5)}",
    "local p = cmsgpack.pack({1, cjson.null, 2, cjson.null}) return {cmsgpack.unpack(p)}",
    "local p = cmsgpack.pack({2^53, 'x', cjson.null}) return {cmsgpack.unpack(p)}",
]

# builtins the sandbox wraps fail as the builtins themselves do: the script's position (none
# from C, as through pcall), the name the caller used, "no value" for a missing argument
WRAPPED = [
    "return {pcall(rawget)}", "return {pcall(function() return (rawget()) end)}", "local x = rawget() return x",
    "return {pcall(setmetatable)}", "return {pcall(next, 'x')}", "local x = getfenv(37) return x",
    "local x = setfenv() return x", "local x = ipairs() return x", "return {pcall(tostring)}", "return {pcall(type)}",
    "return {pcall(table.concat, ARGV, true, KEYS)}", "local x = table.sort() return x", "local x = rawset() return x",
    "return {pcall(function() return (coroutine.wrap({})) end)}", "return {pcall(loadstring, 'x', {})}",
    "return {pcall(math.randomseed, {})}", "return {pcall(function() return (math.random({})) end)}",
    "return {pcall(function() return (math.random({}, 1, 2)) end)}", "return {pcall(pcall, {}, 1)}",
    "return {pcall(xpcall)}", "return {pcall(function() return (xpcall(print)) end)}",
    "return {pcall(function() return (getmetatable()) end)}", "return {pcall(rawset, string)}",
    "return {pcall(function() return (setfenv(0, '10')) end)}", "return {pcall(function() return (pairs()) end)}",
    "return {pcall(1)}", "return {pcall(function() error('y', 2) end)}",
    "local t = {f = rawget} local x = t.f() return x", "local p = table.insert p()", "return {pcall(unpack)}",
    "return {pcall(redis.log, 0/0, 'x')}", "return {pcall(redis.set_repl, 0/0)}",
    "math.randomseed(3) pcall(math.random, 'x', 1, 2) return math.random(10)",
    "math.randomseed(3) return {math.random(2^31, 16), math.random(-2^31, 2^31 - 1), math.random(2.5, 36)}",
    "math.randomseed(1/0) local a = math.random(1000) math.randomseed(1e10) return {a, math.random(1e10)}",
    # a read-only table: the arguments are checked first, and only a write is refused
    "return {pcall(table.insert, string, 'x', 1)}", "return {pcall(table.insert, string, 1)}",
    "return {pcall(table.insert, string, 1, 2, 3)}", "return {pcall(table.insert, string)}",
    "return {pcall(table.remove, string)}", "return {pcall(table.sort, string, 1)}", "return {pcall(table.sort, _G)}",
    "return {pcall(setmetatable, string)}", "return {pcall(setmetatable, string, {})}", "table.setn(string, 1)",
]

# cjson.decode's numbers (strtod's grammar, json_is_invalid_number) and error positions
CJSON_DECODE = ["-1e400", "1e400", "nan", "-inf", "[-nan]", "-Infinity", "Infinity", ".5", "-.5", "1.", "01", "-",
                "+1", "0x10", "-0x1p3", "1e5", "1.5e", ".e1", '"\\x"', '"ab\\u12"', '"ab\\ud800"', '"abc',
                '["a", "b\\q"]', '[1, "ab\\uzzzz"]', "nan(12)", "[1,]", "infinit"]


@pytest.mark.parametrize("script", LIBS)
def test_lua_libraries(d, script):
    d.check("EVAL", script, "0")


@pytest.mark.parametrize("script", WRAPPED)
def test_wrapped_builtin_errors(d, script):
    d.check("EVAL", script, "0")


@pytest.mark.parametrize("text", CJSON_DECODE)
def test_cjson_decode_numbers_and_errors(d, text):
    d.check("EVAL", "local ok, v = pcall(cjson.decode, ARGV[1]) if type(v) == 'table' then v = v[1] end "
            "return {tostring(ok), tostring(v)}", "0", text)


def test_evalsha_and_fcall_argument_spellings(d, d3):
    """EVALSHA/FCALL take a shortcut for digests and numkeys as clients usually send them
    (lower-case digest, canonical small count); every other spelling gets Redis's answer."""
    body = "return {#KEYS, #ARGV, KEYS[1], ARGV[1]}"
    for x in (d, d3):
        x.check("FUNCTION", "FLUSH")
        x.check("FUNCTION", "LOAD", "#!lua name=spell\nredis.register_function('kv', function(keys, args) "
                "return {#keys, #args, keys[1], args[1]} end)")
        x.check("SCRIPT", "LOAD", body)
        sha = hashlib.sha1(body.encode()).hexdigest()
        for nk in ("0", "1", "2", "3", "01", "+1", " 1", "1 ", "-0", "-1", "99", "100", "1.0", "",
                   "9223372036854775808"):
            x.check("EVALSHA", sha, nk, "a", "b")
            x.check("EVALSHA", sha.upper(), nk, "a", "b")
            x.check("EVALSHA", "f" * 40, nk, "a", "b")
            x.check("EVALSHA", "f" * 39, nk, "a", "b")
            x.check("EVAL", body, nk, "a", "b")
            x.check("FCALL", "kv", nk, "a", "b")
            x.check("FCALL", "KV", nk, "a", "b")
            x.check("FCALL", "nosuch", nk, "a", "b")


def test_status_replies_are_fresh_tables(d):
    """Every {ok='OK'} redis.call hands a script is a table of its own, however many."""
    d.check("EVAL", "local a = redis.call('SET', KEYS[1], '1') local b = redis.call('SET', KEYS[1], '2') "
            "a.ok = 'changed' return {a.ok, b.ok, rawequal(a, b)}", "1", "k")
    d.check("EVAL", "local t = {} for i = 1, 100 do t[i] = redis.call('SET', KEYS[1], i) end "
            "t[1].ok = 'z' t[100].extra = 1 local same = 0 "
            "for i = 2, 100 do if rawequal(t[i], t[i - 1]) then same = same + 1 end end "
            "return {t[1].ok, t[2].ok, t[99].ok, t[100].ok, t[99].extra, same, #t}", "1", "k")
    d.check("EVAL", "local r = redis.pcall('SET', KEYS[1], 'v') r.ok = r.ok .. '!' "
            "return {r.ok, redis.pcall('SET', KEYS[1], 'w').ok, redis.call('PING').ok, redis.call('TYPE', KEYS[1]).ok}",
            "1", "k")
    d.check("EVAL", "return redis.call('SET', KEYS[1], 5)", "1", "k")
    d.check("EVAL", "return {redis.call('SET', KEYS[1], 5), redis.call('GET', KEYS[1]), "
            "redis.call('SET', KEYS[1], 2.5), redis.call('GET', KEYS[1])}", "1", "k")


def test_script_results_written_directly(d, d3):
    """Integer and string results take a shortcut to the reply; the edges of both."""
    for x in (d, d3):
        for r in ("0", "1023", "1024", "-1", "123456789", "2^53", "-2^53", "2^62", "2^63 - 1024", "-2^63",
                  "'1'", "''", "string.rep('x', 70000)", "3.7", "-3.7", "tonumber('12')"):
            x.check("EVAL", "return " + r, "0")
            x.check("EVAL", "#!lua\nreturn " + r, "0")


def test_errorstats_code_of_script_errors(d):
    """afterErrorReply: the code is what precedes a space within the first 32 bytes of
    "-<text>", else ERR; a leading space gives an empty code."""
    for script in ["return {err='x'}", "return {err=' x'}", "return {err='MY x'}", "return {err=''}",
                   "return {err='ABCDEFGHIJKLMNOPQRSTUVWXYZABCD x'}",
                   "return {err='ABCDEFGHIJKLMNOPQRSTUVWXYZABCDE x'}",
                   "return redis.error_reply('x')", "error({err='x'})", "return {1, {err='x'}}"]:
        d.check("CONFIG", "RESETSTAT")
        d.check("EVAL", script, "0")
        d.check("INFO", "errorstats")
