"""The Lua side of the sandbox: the source run once in every new Lua state.

Redis runs scripts in a patched Lua 5.1 whose tables can be made read-only by the VM.
lupa ships a stock Lua 5.1, so the same world is built here from Lua itself:
- every library table (string, math, redis, ...) and the globals are seen through an
  empty *proxy* whose metatable reads from the real table and refuses writes with
  Redis's "Attempt to modify a readonly table"; the few builtins that bypass
  metatables (rawset, rawget, next, setmetatable, getmetatable, getfenv, table.*,
  unpack) are wrapped to treat proxies as their real tables;
- reading a global that does not exist raises Redis's "Script attempted to access
  nonexistent global variable"; the thread's global table is the proxy, so chunks
  made by loadstring/load inherit the protection, and binary chunks are refused the way
  Redis's Lua refuses them (parsed as text);
- pcall turns Redis error tables ({err=...}) into their message, as Redis's pcall does;
- the error handler finds the frame Redis would name (skipping this file's frames);
- scripts' results are flattened here (luaReplyToRedisReply's rules) and command replies
  are rebuilt here (redisProtocolToLuaType's shapes), so Python and Lua exchange flat
  lists of primitives instead of walking tables across the boundary.
Nothing of Python is reachable from a script: the bridge functions live only in the
upvalues of this file's closures, the `python` module lupa registers is dropped, and
the debug library is kept private (count hook, error handler).
Neighbours: lua.py (creates the state and answers the bridge calls), libs.py (bit,
struct, cjson, cmsgpack bridges).
"""

PRELUDE = r"""
local init = function(flavour, B)
  local _R = _G
  local type, next, ipairs, rawget, rawset, rawequal = type, next, ipairs, rawget, rawset, rawequal
  local setmetatable, getmetatable, error, pcall, xpcall = setmetatable, getmetatable, error, pcall, xpcall
  local select, tostring, tonumber, unpack, setfenv, getfenv = select, tostring, tonumber, unpack, setfenv, getfenv
  local loadstring, load, collectgarbage = loadstring, load, collectgarbage
  local string, table, math, coroutine, debug, os = string, table, math, coroutine, debug, os
  local sethook, getinfo = debug.sethook, debug.getinfo
  local sfind, ssub, sformat = string.find, string.sub, string.format
  local SRC = getinfo(1, 'S').source
  local RO = "Attempt to modify a readonly table"
  local floor, ceil = math.floor, math.ceil
  local function trunc(x) if x >= 0 then return floor(x) end return ceil(x) end
  local MAXC = 8000

  -- python bridge (positional, so no attribute access on Python objects is ever needed)
  local py_call, py_pcall, py_unwrap, py_log, py_sha1, py_acl, py_setresp, py_setrepl, py_hook,
        py_random, py_seed, py_register = unpack(B)
  -- redis.call/pcall are the Python callables themselves (a C frame, like Redis's, so a
  -- `return redis.call(...)` keeps the caller's line); they look like functions to scripts
  local LUPA_MT = getmetatable(py_call)
  local call_name = tostring(function() end)
  local pcall_name = tostring(function() end)
  local function conv(e)
    if type(e) == 'userdata' then
      local t = py_unwrap(e)
      if t ~= nil then return t end
    end
    return e
  end
  -- Python callables that stand for C functions (the libraries): type() says function
  local cfuncs = setmetatable({}, {__mode = 'k'})
  local function cf(o, is_null)
    if is_null then cfuncs[o] = 'userdata: (nil)' else cfuncs[o] = tostring(function() end) end
    return o
  end
  local function w_type(...)
    if select('#', ...) == 0 then error("bad argument #1 to 'type' (value expected)", 2) end
    local o = ...
    local t = type(o)
    if t == 'userdata' and (rawequal(o, py_call) or rawequal(o, py_pcall)) then return 'function' end
    if t == 'userdata' and cfuncs[o] and cfuncs[o] ~= 'userdata: (nil)' then return 'function' end
    return t
  end
  local function w_tostring(...)
    if select('#', ...) == 0 then error("bad argument #1 to 'tostring' (value expected)", 2) end
    local o = ...
    if rawequal(o, py_call) then return call_name end
    if rawequal(o, py_pcall) then return pcall_name end
    if type(o) == 'userdata' and cfuncs[o] then return cfuncs[o] end
    return tostring(o)
  end

  -- proxies --------------------------------------------------------------------------
  local real_of = setmetatable({}, {__mode = 'k'})
  local shown_mt = setmetatable({}, {__mode = 'k'})
  local function ro_newindex() error(RO, 2) end
  local function protect(real, index)
    local p = {}
    local mt = {__index = index or real, __newindex = ro_newindex, __metatable = false}
    setmetatable(p, mt)
    real_of[p] = real
    return p, mt
  end

  local function missing(t, k)
    if type(k) ~= 'string' and type(k) ~= 'number' then
      error("Second argument to luaProtectedTableError must be a string or number", 2)
    end
    error("Script attempted to access nonexistent global variable '" .. k .. "'", 2)
  end
  local function error_table(real)
    setmetatable(real, {__index = missing})
    local p = protect(real)
    local fake = protect({__index = missing})
    shown_mt[p] = fake
    return p
  end

  -- wrapped builtins -------------------------------------------------------------------
  -- (the wrappers pass on as many arguments as they got, so that a builtin refusing a
  -- missing one says "no value", and call builtins directly: relocate() below then
  -- finds the script's call above the wrapper)
  local function w_rawget(...)
    local r = real_of[(...)]
    if r ~= nil then return rawget(r, select(2, ...)) end
    return rawget(...)
  end
  local function w_rawset(...)
    if real_of[(...)] ~= nil and select('#', ...) >= 3 then error(RO, 0) end  -- (arguments are checked first)
    return rawset(...)
  end
  local function w_next(...)
    local r = real_of[(...)]
    if r ~= nil then return next(r, select(2, ...)) end
    return next(...)
  end
  local function w_pairs(...)
    local t = ...
    if real_of[t] ~= nil then return w_next, t, nil end
    if type(t) ~= 'table' then
      error("bad argument #1 to 'pairs' (table expected, got " .. (select('#', ...) == 0 and 'no value' or type(t)) ..
            ")", 2)
    end
    return next, t, nil
  end
  local function w_ipairs(...)
    local r = real_of[(...)]
    if r ~= nil then return ipairs(r) end
    return ipairs(...)
  end
  local function w_setmetatable(...)
    if real_of[(...)] ~= nil then
      local mt = select(2, ...)
      if select('#', ...) < 2 or (mt ~= nil and type(mt) ~= 'table') then return setmetatable(...) end  -- (its error)
      error(RO, 0)
    end
    return setmetatable(...)
  end
  local strmeta_proxy
  local function w_getmetatable(...)
    if select('#', ...) == 0 then return getmetatable() end  -- (the builtin's error)
    local o = ...
    if type(o) == 'string' then return strmeta_proxy end
    if real_of[o] ~= nil then return shown_mt[o] end
    local mt = getmetatable(o)
    if rawequal(mt, LUPA_MT) then return nil end
    return mt
  end
  local globals_proxy, thread_env
  local function w_getfenv(f)
    if f == nil then f = 1 end
    if type(f) == 'number' and f > 0 then f = f + 1 end
    local env = getfenv(f)
    if env == _R then return thread_env end
    return env
  end
  local function w_setfenv(...)
    local f, t = ...
    if type(t) ~= 'table' then return setfenv(...) end  -- (the builtin's error: it checks t first)
    if type(f) == 'number' then
      if f == 0 then error("'setfenv' cannot change the environment of the running thread", 2) end
      if f > 0 then f = f + 1 end
    end
    return setfenv(f, t)
  end
  local function w_unpack(...)
    local r = real_of[(...)]
    if r ~= nil then return unpack(r, select(2, ...)) end
    return unpack(...)
  end
  local function chunkid(s)
    local nul = sfind(s, '\0', 1, true)
    if nul then s = ssub(s, 1, nul - 1) end
    local c = ssub(s, 1, 1)
    if c == '=' then return ssub(s, 2, 60) end
    if c == '@' then
      s = ssub(s, 2)
      if #s > 52 then s = '...' .. ssub(s, -52) end
      return s
    end
    local nl = sfind(s, '[\r\n]')
    local len = nl and nl - 1 or #s
    local trunc = nl ~= nil
    if len > 45 then len = 45; trunc = true end
    if trunc then return '[string "' .. ssub(s, 1, len) .. '..."]' end
    return '[string "' .. s .. '"]'
  end
  local function w_loadstring(...)
    local s, name = ...
    if type(s) ~= 'string' and type(s) ~= 'number' then
      error("bad argument #1 to 'loadstring' (string expected, got " ..
            (select('#', ...) == 0 and 'no value' or type(s)) .. ")", 2)
    end
    if type(s) == 'string' and ssub(s, 1, 1) == '\27' then
      if name == nil then name = s end
      return nil, chunkid(tostring(name)) .. ":1: unexpected symbol near 'char(27)'"
    end
    local f, e
    if name == nil then f, e = loadstring(s) else f, e = loadstring(s, name) end
    if f ~= nil then setfenv(f, thread_env) end
    return f, e
  end
  local function w_load(f, name)
    if type(f) ~= 'function' then
      local g, e = load(f, name)
      if g ~= nil then setfenv(g, thread_env) end
      return g, e
    end
    local first = f()
    if type(first) == 'string' and ssub(first, 1, 1) == '\27' then
      return nil, chunkid(tostring(name or '=(load)')) .. ":1: unexpected symbol near 'char(27)'"
    end
    local done = false
    local reader = function()
      if not done then done = true; return first end
      return f()
    end
    local g, e
    if name == nil then g, e = load(reader) else g, e = load(reader, name) end
    if g ~= nil then setfenv(g, thread_env) end
    return g, e
  end
  local function pack(...) return {n = select('#', ...), ...} end

  -- A builtin that a wrapper of this file calls places its errors at the wrapper, in this
  -- file. Seen from the error handler (still at the error), such a message is given the
  -- position and the name the builtin would have had if the script had called it itself:
  -- the script's line (none when the caller is C, as for pcall(f, ...)) and the name the
  -- caller used ('?' from C). lvl: the level of the function that raised, from here.
  local smatch = string.match
  local HERE = '^' .. string.gsub(getinfo(1, 'S').short_src, '%p', '%%%0') .. ':(%d+): '
  local function relocate(msg, lvl)
    if type(msg) ~= 'string' then return msg end
    local _, e, line = sfind(msg, HERE)
    if e == nil then return msg end
    line = tonumber(line)
    local info = getinfo(lvl, 'Sl')
    while info and not (info.source == SRC and info.currentline == line) do
      lvl = lvl + 1
      info = getinfo(lvl, 'Sl')
    end
    if info == nil then return msg end
    local up = getinfo(lvl + 1, 'Sl')
    while up and up.source == SRC do  -- the wrapper the script called (wrappers may nest)
      lvl = lvl + 1
      up = getinfo(lvl + 1, 'Sl')
    end
    local where = ''
    if up and up.what ~= 'C' and up.currentline > 0 then where = up.short_src .. ':' .. up.currentline .. ': ' end
    local rest = ssub(msg, e + 1)
    if up and up.what ~= 'tail' then  -- (a tail call leaves no caller to name the wrapper by)
      local n, tail = smatch(rest, "^bad argument #(%d+) to '[^']*'(.*)$")
      if n then rest = "bad argument #" .. n .. " to '" .. (getinfo(lvl, 'n').name or '?') .. "'" .. tail end
    end
    return where .. rest
  end
  local function relocated(e) return relocate(e, 3) end
  local function pass(...) return ... end

  -- Redis's pcall: a Redis error table ({err=...}) caught becomes its message. The call
  -- runs under xpcall so that relocate() sees the stack of an error; pc_body takes its
  -- arguments from upvalues at once (a pcall inside f sets them anew, after that).
  -- pcall calls f from C: here f is not tail-called, so a frame stays above it, and it is
  -- a call's result, so "attempt to call" names no variable.
  local pc_f, pc_a, pc_b, pc_c, pc_n, pc_t  -- (up to three arguments without a table)
  local function pc_body()
    local f, n, a, b, c, t = pc_f, pc_n, pc_a, pc_b, pc_c, pc_t
    pc_f, pc_a, pc_b, pc_c, pc_t = nil, nil, nil, nil, nil
    if n == 1 then return pass(pass(f)()) end
    if n == 2 then return pass(pass(f)(a)) end
    if n == 3 then return pass(pass(f)(a, b)) end
    if n == 4 then return pass(pass(f)(a, b, c)) end
    return pass(pass(f)(unpack(t, 2, n)))
  end
  local function w_pcall(...)
    local n = select('#', ...)
    if n == 0 then return false, "attempt to call a boolean value" end
    pc_n = n
    if n <= 4 then pc_f, pc_a, pc_b, pc_c = ... else pc_f, pc_t = ..., {...} end
    local r = pack(xpcall(pc_body, relocated))
    if r[1] then return unpack(r, 1, r.n) end
    local e = conv(r[2])
    if type(e) == 'table' then
      local m = e.err
      if type(m) == 'string' or type(m) == 'number' then e = m end
    end
    return false, e
  end

  local tbl = {}
  for k, v in next, table do tbl[k] = v end
  -- On a read-only table Redis's builtins check their arguments first and fail only when
  -- they would write: insert's arguments are checked on a scratch table (it raises before
  -- writing when they are wrong), and remove or sort of a table with nothing to move (the
  -- library tables have no array part) runs on the real table, writing nothing.
  tbl.insert = function(...)
    if real_of[(...)] ~= nil then
      local n = select('#', ...)
      if n == 2 or (n == 3 and tonumber((select(2, ...))) ~= nil) then error(RO, 0) end
      return table.insert({}, select(2, ...))  -- (the arguments are wrong: its error)
    end
    return table.insert(...)
  end
  tbl.remove = function(...)
    local r = real_of[(...)]
    if r ~= nil then
      if #r > 0 then error(RO, 0) end
      return table.remove(r, select(2, ...))
    end
    return table.remove(...)
  end
  tbl.sort = function(...)
    local r = real_of[(...)]
    if r ~= nil then
      if #r > 1 then error(RO, 0) end
      return table.sort(r, select(2, ...))
    end
    return table.sort(...)
  end
  tbl.setn = function(...) return table.setn(...) end  -- (always "'setn' is obsolete")
  -- (written out rather than made by one helper: each calls its builtin by its own name,
  -- which the builtin's errors then carry when a tail call hides the script's call)
  tbl.concat = function(...)
    local r = real_of[(...)]
    if r ~= nil then return table.concat(r, select(2, ...)) end
    return table.concat(...)
  end
  tbl.foreach = function(...)
    local r = real_of[(...)]
    if r ~= nil then return table.foreach(r, select(2, ...)) end
    return table.foreach(...)
  end
  tbl.foreachi = function(...)
    local r = real_of[(...)]
    if r ~= nil then return table.foreachi(r, select(2, ...)) end
    return table.foreachi(...)
  end
  tbl.getn = function(...)
    local r = real_of[(...)]
    if r ~= nil then return table.getn(r) end
    return table.getn(...)
  end
  tbl.maxn = function(...)
    local r = real_of[(...)]
    if r ~= nil then return table.maxn(r) end
    return table.maxn(...)
  end

  -- the count hook (busy scripts, SCRIPT KILL) ---------------------------------------------
  -- (installed once and left on: Python answers it cheaply when no script runs; a run
  -- that was killed puts the count hook back when it ends)
  local hook_lines = false  -- a kill switched this state to the line hook
  local hook
  hook = function()
    local where = getinfo(2, 'S')
    if where and where.source == SRC then return end  -- never inside this file's own code
    local msg = py_hook()
    if msg then
      sethook(hook, 'l')      -- keep raising on every line: pcall cannot swallow the kill
      hook_lines = true
      local t = {}
      t.err = msg
      error(t)
    end
  end
  local co = {}
  for k, v in next, coroutine do co[k] = v end
  co.create = function(f)
    local c = coroutine.create(f)
    sethook(c, hook, '', 100000)
    return c
  end
  co.wrap = function(f)
    local c = co.create(f)
    return function(...)
      local r = pack(coroutine.resume(c, ...))
      if r[1] then return unpack(r, 2, r.n) end
      error(conv(r[2]), 0)
    end
  end
  co.resume = function(c, ...)
    local r = pack(coroutine.resume(c, ...))
    if not r[1] then return false, conv(r[2]) end
    return unpack(r, 1, r.n)
  end
  local function w_xpcall(...)
    if select('#', ...) < 2 then return xpcall(...) end  -- (the builtin's error)
    local f, h = ...
    return xpcall(f, function(e) return h(conv(relocate(e, 3))) end)
  end

  -- math.random / randomseed on Redis's rand48 ---------------------------------------------
  local m = {}
  for k, v in next, math do m[k] = v end
  m.random = function(...)
    local n = select('#', ...)
    local l, u = ...
    if n > 2 or (n >= 1 and tonumber(l) == nil) or (n >= 2 and tonumber(u) == nil) then
      py_random(0)  -- (Redis draws the number before it looks at the arguments)
    end
    if n > 2 then error("wrong number of arguments", 2) end
    if n >= 1 then
      if tonumber(l) == nil then
        error("bad argument #1 to 'random' (number expected, got " .. (l == nil and 'nil' or type(l)) .. ")", 2)
      end
    end
    if n >= 2 then
      if tonumber(u) == nil then
        error("bad argument #2 to 'random' (number expected, got " .. (u == nil and 'nil' or type(u)) .. ")", 2)
      end
    end
    local r, err, argn = py_random(n, tonumber(l), tonumber(u))
    if err then error("bad argument #" .. argn .. " to 'random' (interval is empty)", 2) end
    return r
  end
  m.randomseed = function(...)
    local s = ...
    if tonumber(s) == nil then
      error("bad argument #1 to 'randomseed' (number expected, got " ..
            (select('#', ...) == 0 and 'no value' or type(s)) .. ")", 2)
    end
    py_seed(tonumber(s))
  end

  -- replies: command reply (flat, from Python) -> Lua values ---------------------------------
  local dec
  dec = function(f, i)
    local tag = f[i]
    if tag == 1 then return f[i + 1], i + 2 end
    if tag == 5 then
      local n = f[i + 1]
      i = i + 2
      local t = {}
      for j = 1, n do
        local x
        x, i = dec(f, i)
        t[j] = x
      end
      return t, i
    end
    if tag == 2 then local t = {}; t.ok = f[i + 1]; return t, i + 2 end
    if tag == 3 then
      local t = {}
      t.err = f[i + 1]
      t.ignore_error_stats_update = true
      return t, i + 2
    end
    if tag == 4 then return nil, i + 1 end
    if tag == 6 then
      local n = f[i + 1]
      i = i + 2
      local t, mp = {}, {}
      for j = 1, n do
        local k, x
        k, i = dec(f, i)
        x, i = dec(f, i)
        mp[k] = x
      end
      t.map = mp
      return t, i
    end
    if tag == 7 then
      local n = f[i + 1]
      i = i + 2
      local t, st = {}, {}
      for j = 1, n do
        local k
        k, i = dec(f, i)
        st[k] = true
      end
      t.set = st
      return t, i
    end
    if tag == 8 then local t = {}; t.double = f[i + 1]; return t, i + 2 end
    if tag == 9 then local t = {}; t.big_number = f[i + 1]; return t, i + 2 end
    if tag == 10 then
      local t, v = {}, {}
      v.string = f[i + 2]
      v.format = f[i + 1]
      t.verbatim_string = v
      return t, i + 3
    end
    if tag == 11 then  -- attribute: parsed and dropped, the reply that follows counts
      local n = f[i + 1]
      i = i + 2
      for j = 1, 2 * n do
        local _
        _, i = dec(f, i)
      end
      return dec(f, i)
    end
    error("bad reply tag " .. tostring(tag))
  end

  local function raise(msg)  -- luaPushError + luaError: an error table, "ERR " in front
    local t = {}
    t.err = 'ERR ' .. msg
    error(t)
  end
  -- script result -> flat list for Python (luaReplyToRedisReply) ---------------------------
  local flat
  flat = function(v, out, n, top)
    if top + 4 > MAXC then out[n + 1] = 13; return n + 1 end
    local t = type(v)
    if t == 'string' then out[n + 1] = 1; out[n + 2] = v; return n + 2 end
    if t == 'number' then out[n + 1] = 2; out[n + 2] = v; return n + 2 end
    if t == 'boolean' then out[n + 1] = 3; out[n + 2] = v; return n + 2 end
    if t ~= 'table' then out[n + 1] = 4; return n + 1 end
    local x = rawget(v, 'err')
    if type(x) == 'string' then
      local msg = v.err
      if type(msg) == 'number' then msg = tostring(msg) end
      out[n + 1] = 5; out[n + 2] = msg; out[n + 3] = v.ignore_error_stats_update and true or false
      return n + 3
    end
    x = rawget(v, 'ok')
    if type(x) == 'string' then out[n + 1] = 6; out[n + 2] = x; return n + 2 end
    x = rawget(v, 'double')
    if type(x) == 'number' then
      if x == 0 and 1 / x < 0 then out[n + 1] = 14; return n + 1 end  -- lupa would lose the sign
      out[n + 1] = 7; out[n + 2] = x; return n + 2
    end
    x = rawget(v, 'big_number')
    if type(x) == 'string' then out[n + 1] = 8; out[n + 2] = x; return n + 2 end
    x = rawget(v, 'verbatim_string')
    if type(x) == 'table' then
      local f = rawget(x, 'format')
      if type(f) == 'string' then
        local s = rawget(x, 'string')
        if type(s) == 'string' then
          out[n + 1] = 9; out[n + 2] = f; out[n + 3] = s
          return n + 3
        end
      end
    end
    x = rawget(v, 'map')
    if type(x) == 'table' then
      out[n + 1] = 10
      local ci = n + 2
      n = n + 2
      local cnt = 0
      for k, y in next, x do
        n = flat(k, out, n, top + 4)
        n = flat(y, out, n, top + 3)
        cnt = cnt + 1
      end
      out[ci] = cnt
      return n
    end
    x = rawget(v, 'set')
    if type(x) == 'table' then
      out[n + 1] = 11
      local ci = n + 2
      n = n + 2
      local cnt = 0
      for k in next, x do
        n = flat(k, out, n, top + 3)
        cnt = cnt + 1
      end
      out[ci] = cnt
      return n
    end
    out[n + 1] = 12
    local ci = n + 2
    n = n + 2
    local j = 1
    while true do
      local y = rawget(v, j)
      if y == nil then break end
      n = flat(y, out, n, top + 1)
      j = j + 1
    end
    out[ci] = j - 1
    return n
  end

  -- the error handler (Redis's __redis__err__handler, looking past this file's frames) ------
  local function frame(lvl)
    local info = getinfo(lvl, 'nSl')
    while info do
      if info.source == SRC then
        lvl = lvl + 1
      elseif info.what == 'C' then
        local up = getinfo(lvl + 1, 'S')
        if up and up.source == SRC then lvl = lvl + 1 else break end
      else
        break
      end
      info = getinfo(lvl, 'nSl')
    end
    return info, lvl
  end
  local function errh(err)
    err = relocate(err, 3)
    local info, lvl = frame(3)
    if info and info.what == 'C' then
      info = frame(lvl + 1)
    end
    err = conv(err)
    if type(err) ~= 'table' or real_of[err] ~= nil then
      local t = {}
      t.err = 'ERR ' .. tostring(err)
      err = t
    end
    if info then
      err.source = info.source
      err.line = info.currentline
    end
    return err
  end

  -- what a run returns to Python: a plain value as it is (the common case: one value,
  -- no tuple to build), else a tuple (kind, ...)
  local function result(ok, v)
    if ok then
      if type(v) ~= 'table' then return v end
      local out = {}
      local n = flat(v, out, 0, 2)
      if n < 7000 then return 1, unpack(out, 1, n) end
      return 2, out, n
    end
    if type(v) ~= 'table' then return 3, tostring(v) end
    local msg = v.err
    if type(msg) == 'number' then msg = tostring(msg) elseif type(msg) ~= 'string' then msg = nil end
    local src, line = v.source, v.line
    if type(line) == 'number' then line = tostring(line) end
    if type(src) ~= 'string' and type(src) ~= 'number' then src = nil end
    if type(line) ~= 'string' then line = nil end
    return 3, msg, src, line, v.ignore_error_stats_update and true or false
  end

  local function restore_hook()  -- the count hook back after a killed run
    if hook_lines then
      hook_lines = false
      sethook(hook, '', 100000)
    end
  end

  -- the redis table ---------------------------------------------------------------------
  local LOG = {LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3}
  local function log(...)
    local n = select('#', ...)
    if n < 2 then raise("redis.log() requires two arguments or more.") end
    local lvl = tonumber((...))
    if lvl == nil then raise("First argument must be a number (log level).") end
    lvl = trunc(lvl)
    if lvl ~= lvl or lvl < 0 or lvl > 3 then raise("Invalid log level.") end  -- ((int)NaN is INT_MIN)
    local parts = {}
    for i = 2, n do
      local x = select(i, ...)
      if type(x) == 'string' or type(x) == 'number' then
        if i ~= 2 then parts[#parts + 1] = ' ' end
        parts[#parts + 1] = tostring(x)
      end
    end
    py_log(lvl, table.concat(parts))
  end
  local rd = {}
  for k, v in next, LOG do rd[k] = v end
  local FN_FLAGS = B[14]  -- the flags a function may be registered with
  rd.REDIS_VERSION = B[17]
  rd.REDIS_VERSION_NUM = B[18]
  rd.log = log
  do
    rd.call = py_call
    rd.pcall = py_pcall
    rd.REPL_ALL = 3; rd.REPL_AOF = 1; rd.REPL_REPLICA = 2; rd.REPL_SLAVE = 2; rd.REPL_NONE = 0
    rd.setresp = function(...)
      if select('#', ...) ~= 1 then raise("redis.setresp() requires one argument.") end
      local v = trunc(tonumber((...)) or 0)
      if v ~= 2 and v ~= 3 then raise("RESP version must be 2 or 3.") end
      py_setresp(v)
    end
    rd.set_repl = function(...)
      if select('#', ...) ~= 1 then raise("redis.set_repl() requires one argument.") end
      local v = trunc(tonumber((...)) or 0)
      if v ~= v or v < 0 or v > 3 then  -- ((int)NaN is INT_MIN)
        raise("Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
      end
      py_setrepl(v)
    end
    rd.error_reply = function(...)
      local e = ...
      if select('#', ...) ~= 1 or type(e) ~= 'string' then
        local t = {}; t.err = 'ERR wrong number or type of arguments'; return t
      end
      if ssub(e, 1, 1) ~= '-' then e = '-' .. e end
      local sp = sfind(e, ' ', 1, true)
      local code, msg
      if sp then code, msg = ssub(e, 2, sp - 1), ssub(e, sp + 1) else code, msg = 'ERR', ssub(e, 2) end
      msg = string.gsub(msg, '^[\r\n]+', '')
      msg = string.gsub(msg, '[\r\n]+$', '')
      local t = {}
      t.err = code .. ' ' .. msg
      return t
    end
    rd.status_reply = function(...)
      local s = ...
      if select('#', ...) ~= 1 or type(s) ~= 'string' then
        local t = {}; t.err = 'ERR wrong number or type of arguments'; return t
      end
      local t = {}
      t.ok = s
      return t
    end
    rd.sha1hex = function(...)
      if select('#', ...) ~= 1 then raise("wrong number of arguments") end
      local s = ...
      if type(s) == 'number' then s = tostring(s) end
      if type(s) ~= 'string' then s = '' end
      return py_sha1(s)
    end
    rd.acl_check_cmd = function(...)
      local n = select('#', ...)
      if n == 0 then raise("Please specify at least one argument for this redis lib call") end
      local k, v = py_acl(...)
      if k == 3 then local t = {}; t.err = v; error(t) end
      return v
    end
    rd.replicate_commands = function() return true end
    rd.breakpoint = function() return false end
    rd.debug = function() end
  end

  local function build_redis(kind)
    local t = {}
    for k, v in next, rd do t[k] = v end
    if kind == 'load' then
      local lt = {}
      for k, v in next, LOG do lt[k] = v end
      lt.REDIS_VERSION = rd.REDIS_VERSION
      lt.REDIS_VERSION_NUM = rd.REDIS_VERSION_NUM
      lt.log = log
      lt.register_function = function(...)
        local n = select('#', ...)
        if n < 1 or n > 2 then raise("wrong number of arguments to redis.register_function") end
        local name, cb, flags, desc
        if n == 1 then
          local a = ...
          if type(a) ~= 'table' then
            raise("calling redis.register_function with a single argument is only applicable to " ..
                  "Lua table (representing named arguments).")
          end
          flags = {}
          for k, v in next, a do
            if type(k) ~= 'string' and type(k) ~= 'number' then
              raise("named argument key given to redis.register_function is not a string")
            end
            local lk = string.lower(tostring(k))
            if lk == 'function_name' then
              if type(v) ~= 'string' and type(v) ~= 'number' then
                raise("function_name argument given to redis.register_function must be a string")
              end
              name = tostring(v)
            elseif lk == 'description' then
              if type(v) ~= 'string' and type(v) ~= 'number' then
                raise("description argument given to redis.register_function must be a string")
              end
              desc = tostring(v)
            elseif lk == 'callback' then
              if type(v) ~= 'function' then
                raise("callback argument given to redis.register_function must be a function")
              end
              cb = v
            elseif lk == 'flags' then
              if type(v) ~= 'table' then
                raise("flags argument to redis.register_function must be a table representing function flags")
              end
              local j = 1
              while true do
                local f = v[j]
                if f == nil then break end
                -- (checked here, in the order the keys come, as Redis reads them)
                if (type(f) ~= 'string' and type(f) ~= 'number') or not FN_FLAGS[string.lower(tostring(f))] then
                  raise("unknown flag given")
                end
                flags[j] = tostring(f)
                j = j + 1
              end
            else
              raise("unknown argument given to redis.register_function")
            end
          end
          if name == nil then raise("redis.register_function must get a function name argument") end
          if cb == nil then raise("redis.register_function must get a callback argument") end
        else
          local a, b = ...
          if type(a) ~= 'string' and type(a) ~= 'number' then
            raise("first argument to redis.register_function must be a string")
          end
          if type(b) ~= 'function' then
            raise("second argument to redis.register_function must be a function")
          end
          name, cb, flags = tostring(a), b, {}
        end
        local err = py_register(name, cb, flags, desc)
        if err then raise(err) end
      end
      return lt
    end
    if kind ~= 'eval' then
      t.replicate_commands = nil
      t.breakpoint = nil
      t.debug = nil
    end
    return t
  end

  local libs = make_libs(B[13], cf)

  -- the globals ---------------------------------------------------------------------------
  local G = {}
  G.type = w_type; G.tostring = w_tostring; G.xpcall = w_xpcall
  for _, k in ipairs({'assert', 'collectgarbage', 'error', 'gcinfo', 'newproxy', 'rawequal',
                      'select', 'tonumber', '_VERSION'}) do
    G[k] = _R[k]
  end
  G.rawget = w_rawget; G.rawset = w_rawset; G.next = w_next; G.pairs = w_pairs
  G.ipairs = w_ipairs; G.setmetatable = w_setmetatable; G.getmetatable = w_getmetatable
  G.getfenv = w_getfenv; G.setfenv = w_setfenv; G.unpack = w_unpack; G.pcall = w_pcall
  G.loadstring = w_loadstring; G.load = w_load
  G.string = protect(string)
  G.table = protect(tbl)
  G.math = protect(m)
  G.coroutine = protect(co)
  G.os = protect({clock = os.clock})
  G.bit = protect(libs.bit)
  G.struct = protect(libs.struct)
  G.cjson = protect(libs.cjson)
  G.cmsgpack = protect(libs.cmsgpack)
  G.redis = protect(build_redis(flavour))
  if flavour == 'eval' then G.__redis__err__handler = errh end
  -- strings find their methods through the protected string table
  local smeta = getmetatable('')
  smeta.__index = G.string
  strmeta_proxy = protect(smeta)

  -- empty the real global table (lupa's `python`, io, os, debug, package ... go away); it
  -- stays the thread's globals for lupa, scripts get `env` as their environment instead
  for k in next, _R do _R[k] = nil end
  local RG = {}
  for k, v in next, G do RG[k] = v end
  setmetatable(RG, {__index = missing})
  globals_proxy = protect(RG)
  shown_mt[globals_proxy] = protect({__index = missing})
  RG._G = globals_proxy

  local env, env_mt, load_g = globals_proxy, nil, nil
  if flavour == 'function' then
    -- Redis's functions state: empty globals whose __index is switched between the load
    -- API (only redis.register_function/log) and the runtime globals
    env, env_mt = protect({}, RG)
    shown_mt[env] = protect({__index = globals_proxy})
    load_g = {}
    load_g.redis = error_table(build_redis('load'))
    setmetatable(load_g, {__index = missing})
  end
  thread_env = env

  local api = {}
  api.compile = function(body, name)
    local f, e = loadstring(body, name)
    if f == nil then return nil, e end
    setfenv(f, thread_env)
    return f, nil
  end
  -- KEYS and ARGV from the arguments after numkeys (one table constructor when they are
  -- all keys or all arguments, the common shapes)
  local function split(nk, ...)
    local n = select('#', ...)
    if nk == n then return {...}, {} end
    if nk == 0 then return {}, {...} end
    local keys, argv = {}, {}
    for i = 1, nk do keys[i] = (select(i, ...)) end
    for i = nk + 1, n do argv[i - nk] = (select(i, ...)) end
    return keys, argv
  end
  api.run_eval = function(f, nk, ...)
    local keys, argv = split(nk, ...)
    RG.KEYS = keys
    RG.ARGV = argv
    local ok, v = xpcall(f, errh)
    if hook_lines then restore_hook() end
    if ok and type(v) ~= 'table' then return v end  -- the common result, without a call
    return result(ok, v)
  end
  api.run_eval_t = function(f, keys, argv)
    RG.KEYS = keys
    RG.ARGV = argv
    local ok, v = xpcall(f, errh)
    restore_hook()
    return result(ok, v)
  end
  local fn_f, fn_keys, fn_argv
  local function fn_body() return fn_f(fn_keys, fn_argv) end
  api.run_fn = function(f, nk, ...)
    fn_f = f
    fn_keys, fn_argv = split(nk, ...)
    local ok, v = xpcall(fn_body, errh)
    fn_f, fn_keys, fn_argv = nil, nil, nil
    if hook_lines then restore_hook() end
    if ok and type(v) ~= 'table' then return v end  -- the common result, without a call
    return result(ok, v)
  end
  api.run_fn_t = function(f, keys, argv)
    local ok, v = xpcall(function() return f(keys, argv) end, errh)
    restore_hook()
    return result(ok, v)
  end
  api.load_library = function(f)
    env_mt.__index = load_g
    local ok, v = xpcall(f, errh)
    restore_hook()
    env_mt.__index = RG
    if ok then return nil end
    if type(v) == 'table' then
      local msg = v.err
      if type(msg) == 'number' then msg = tostring(msg) end
      if type(msg) == 'string' then return msg end
    end
    return tostring(v)
  end
  api.dec = function(f) return (dec(f, 1)) end
  api.mk_ok = function(v) local t = {}; t.ok = v; return t end
  api.mk_oks = function(v, n)
    local r = {}
    for i = 1, n do local t = {}; t.ok = v; r[i] = t end
    return unpack(r, 1, n)
  end
  api.mk_err = function(v, ignore)
    local t = {}
    t.err = v
    if ignore then t.ignore_error_stats_update = true end
    return t
  end
  api.where = function()
    local lvl = 3
    local info = getinfo(lvl, 'Sl')
    while info and info.source == SRC do  -- called through this file (pcall's call): its caller
      lvl = lvl + 1
      info = getinfo(lvl, 'Sl')
    end
    if info and info.what ~= 'C' and info.currentline > 0 then
      return info.short_src .. ':' .. info.currentline .. ': '
    end
    return ''
  end
  -- the name the calling Python "C function" was called by, as luaL_argerror finds it
  -- ('?' when called from C, as pcall(f, ...) does), and whether it was a method call
  api.callee = function()
    local info = getinfo(2, 'n')
    return info and info.name or '?', info and info.namewhat == 'method'
  end
  local function build(f, i)
    local tag = f[i]
    if tag == 1 then return f[i + 1], i + 2 end
    if tag == 4 then return libs.cjson.null, i + 1 end
    if tag == 5 then return nil, i + 1 end  -- (msgpack's nil: a hole in an array)
    local n = f[i + 1]
    i = i + 2
    local t = {}
    if tag == 2 then
      for j = 1, n do
        local x
        x, i = build(f, i)
        t[j] = x
      end
    else
      for j = 1, n do
        local k, x
        k, i = build(f, i)
        x, i = build(f, i)
        t[k] = x
      end
    end
    return t, i
  end
  api.build = function(f) return (build(f, 1)) end
  api.memory = function() return collectgarbage('count') end
  api.gc = function() collectgarbage('collect') end
  sethook(hook, '', 100000)
  return api
end
return init
"""
