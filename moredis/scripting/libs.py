"""The C libraries Redis loads into Lua, written here: bit, struct, cjson, cmsgpack.

lupa ships only Lua's standard libraries, so these are Python functions behind thin
Lua fronts (the `make_libs` chunk prepended to prelude.py's source). The fronts check
argument types and raise errors at the caller's level, as luaL_check* would; the
Python side never raises into Lua: it returns (ok, values...) or (False, message).
Neighbours: prelude.py, lua.py; the codecs live in luabit.py, luastruct.py,
luacjson.py, luamsgpack.py.
"""

from __future__ import annotations

from moredis.scripting.luabit import bit_op
from moredis.scripting.luacjson import cjson_op
from moredis.scripting.luamsgpack import msgpack_op
from moredis.scripting.luastruct import struct_op

__all__ = ["LUA", "bit_op", "cjson_op", "msgpack_op", "struct_op"]

LUA = r"""
local make_libs = function(B, raise, pack)
  local py_bit, py_struct, py_cjson, py_msgpack = B[13], B[14], B[15], B[16]
  return {bit = {}, struct = {}, cjson = {}, cmsgpack = {}}
end
"""
