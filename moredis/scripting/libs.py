"""The C libraries Redis loads into Lua, written here: bit, struct, cjson, cmsgpack.

lupa ships only Lua's standard libraries, so these are Python functions behind thin
Lua fronts (the `make_libs` chunk prepended to prelude.py's source). The fronts check
argument types and raise errors at the caller's level, as luaL_check* would; the
Python side never raises into Lua: it returns (ok, values...) or (False, message).
Neighbours: prelude.py, lua.py; the codecs live in luabit.py, luastruct.py,
luacjson.py, luamsgpack.py.
"""

from __future__ import annotations

__all__ = ["LUA", "build_all"]

LUA = r"""
local make_libs = function(pylibs, cf)
  local out = {}
  for name, pyt in next, pylibs do
    local t = {}
    for k, v in next, pyt do
      if type(v) == 'userdata' then cf(v, name == 'cjson' and k == 'null') end
      t[k] = v
    end
    out[name] = t
  end
  return out
end
"""


def build_all(eng):
    """The Python halves of the four libraries, per Lua state."""
    from moredis.scripting import luabit, luacjson, luamsgpack, luastruct

    return {b"bit": luabit.build(eng), b"struct": luastruct.build(eng), b"cjson": luacjson.build(eng),
            b"cmsgpack": luamsgpack.build(eng)}
