"""Function libraries (functions.c, function_lua.c): load, link, delete, dump, restore.

A library is Lua source whose first line is `#!lua name=<lib>`; running it (with only
`redis.register_function` and `redis.log` reachable) registers its functions. Libraries
are compiled into their own Lua state (`LuaEngine("function")`), built before they are
linked, so a failed LOAD or RESTORE leaves the current set untouched. Function names
are matched without regard to case, library names exactly, as Redis's dicts do.
DUMP/RESTORE payloads are Redis's: RDB_OPCODE_FUNCTION2 + the library code as an RDB
string, per library, then the RDB version (2 bytes, little endian) and the CRC64.
Neighbours: core.py (running), lua.py, commands/functions.py, persistence/crc64.py.
"""

from __future__ import annotations

import time
from typing import Any

from moredis.errors import RedisError
from moredis.persistence import lzf, rdbio
from moredis.persistence.crc64 import crc64
from moredis.protocol.parser import split_args
from moredis.scripting.core import FLAG_NAMES

RDB_OPCODE_FUNCTION_PRE_GA = 246
RDB_OPCODE_FUNCTION2 = 245
RDB_VERSION = 12
LOAD_TIMEOUT_MS = 500
ENGINE = "LUA"


def valid_name(name: bytes) -> bool:
    """functionsVerifyName: letters, digits and underscores, at least one."""
    return bool(name) and all(c == 95 or 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122 for c in name)


class Function:
    __slots__ = ("desc", "flag_names", "flags", "fn", "lib", "name", "str_name")

    def __init__(self, name: bytes, fn: Any, flags: int, flag_names: list[bytes], desc: bytes | None,
                 lib: Library) -> None:
        self.name = name
        self.str_name = name.decode("utf-8", "surrogateescape")  # as errors and logs name it
        self.fn = fn
        self.flags = flags
        self.flag_names = flag_names
        self.desc = desc
        self.lib = lib


class Library:
    __slots__ = ("code", "functions", "name")

    def __init__(self, name: bytes, code: bytes) -> None:
        self.name = name
        self.code = code
        self.functions: dict[bytes, Function] = {}  # lowercase name -> function


def extract_metadata(code: bytes) -> tuple[bytes, bytes, int]:
    """functionExtractLibMetaData: (library name, engine, shebang length)."""
    if not code.startswith(b"#!"):
        raise RedisError("ERR Missing library metadata")
    end = code.find(b"\n")
    if end < 0:
        raise RedisError("ERR Invalid library metadata")
    parts = split_args(code[:end])
    if not parts:
        raise RedisError("ERR Invalid library metadata")
    engine = parts[0][2:]
    name = None
    for p in parts[1:]:
        if p[:5].lower() == b"name=":
            if name is not None:
                raise RedisError("ERR Invalid metadata value, name argument was given multiple times")
            name = p[5:]
            continue
        raise RedisError("ERR Invalid metadata value given: " + p.decode("utf-8", "replace"))
    if name is None:
        raise RedisError("ERR Library name was not given")
    return name, engine, end


class Functions:
    """The current libraries and functions, and the Lua state they run in."""

    def __init__(self, sc: Any) -> None:
        self.sc = sc
        self._engine: Any = None
        self.libraries: dict[bytes, Library] = {}
        self.functions: dict[bytes, Function] = {}  # lowercase name -> function

    @property
    def engine(self) -> Any:
        if self._engine is None:
            from moredis.scripting.lua import LuaEngine

            self._engine = LuaEngine(self.sc, "function")
        return self._engine

    def memory(self) -> int:
        return self._engine.memory() if self._engine is not None else 32768

    def caches_memory(self) -> int:
        return 192 + sum(len(lib.code) + 64 * (1 + len(lib.functions)) for lib in self.libraries.values())

    # --- building ---------------------------------------------------------------------------
    def build(self, code: bytes, timeout_ms: int = LOAD_TIMEOUT_MS) -> Library:
        """Compile and run a library's code; its functions registered, nothing linked."""
        name, engine, sb_len = extract_metadata(code)
        if not valid_name(name):
            raise RedisError("ERR Library names can only contain letters, numbers, or underscores(_) and "
                             "must be at least one character long")
        if engine.upper() != b"LUA":
            raise RedisError("ERR Engine '%s' not found" % engine.decode("utf-8", "replace"))
        eng = self.engine
        fn, err = eng.compile(code[sb_len:], b"@user_function")
        if fn is None:
            raise RedisError("ERR Error compiling function: "
                             + err.decode("utf-8", "replace").replace("\r", " ").replace("\n", " "))
        lib = Library(name, code)
        sc = self.sc
        prev = eng.registering
        eng.registering = lib
        sc.load_deadline = time.monotonic() + timeout_ms / 1000 if timeout_ms else 0.0
        try:
            err = eng.load_library(fn)
        finally:
            eng.registering = prev
            sc.load_deadline = 0.0
        if err is not None:
            raise RedisError("ERR Error registering functions: "
                             + err.decode("utf-8", "replace").replace("\r", " ").replace("\n", " "))
        return lib

    def register(self, lib: Library, name: bytes, fn: Any, flags: list[bytes], desc: bytes | None) -> bytes | None:
        """functionLibCreateFunction (the error goes back to Lua as a raised error)."""
        bits = 0
        names = []
        for f in flags:
            b = FLAG_NAMES.get(f.lower())
            if b is None:
                return b"unknown flag given"
            if not bits & b:
                names.append(f.lower())
            bits |= b
        if not valid_name(name):  # Redis words this one with "Library names" too
            return (b"Library names can only contain letters, numbers, or underscores(_) and must be at "
                    b"least one character long")
        if name in lib.functions:
            return b"Function already exists in the library"
        lib.functions[name] = Function(name, fn, bits, names, desc, lib)
        return None

    # --- linking ----------------------------------------------------------------------------
    def _link(self, lib: Library) -> None:
        self.libraries[lib.name] = lib
        for k, f in lib.functions.items():
            self.functions[k.lower()] = f  # names differing in case: the last one wins

    def _unlink(self, lib: Library) -> None:
        del self.libraries[lib.name]
        for k in lib.functions:
            f = self.functions.get(k.lower())
            if f is not None and f.lib is lib:
                del self.functions[k.lower()]

    def function_count(self) -> int:
        return sum(len(lib.functions) for lib in self.libraries.values())

    def load(self, code: bytes, replace: bool, timeout_ms: int = LOAD_TIMEOUT_MS) -> bytes:
        """functionsCreateWithLibraryCtx on the current libraries: the library's name."""
        name, engine, _ = extract_metadata(code)
        if not valid_name(name):
            raise RedisError("ERR Library names can only contain letters, numbers, or underscores(_) and "
                             "must be at least one character long")
        if engine.upper() != b"LUA":
            raise RedisError("ERR Engine '%s' not found" % engine.decode("utf-8", "replace"))
        old = self.libraries.get(name)
        if old is not None and not replace:
            raise RedisError("ERR Library '%s' already exists" % name.decode("utf-8", "replace"))
        if old is not None:
            self._unlink(old)
        try:
            lib = self.build(code, timeout_ms)
            if not lib.functions:
                raise RedisError("ERR No functions registered")
            for k, f in lib.functions.items():
                if k.lower() in self.functions:
                    raise RedisError("ERR Function %s already exists" % f.name.decode("utf-8", "replace"))
        except RedisError:
            if old is not None:
                self._link(old)
            raise
        self._link(lib)
        return lib.name

    def delete(self, name: bytes) -> None:
        lib = self.libraries.get(name)
        if lib is None:
            raise RedisError("ERR Library not found")
        self._unlink(lib)

    def flush(self) -> None:
        self.libraries.clear()
        self.functions.clear()
        if self._engine is not None:
            self._engine.gc()

    # --- DUMP / RESTORE -------------------------------------------------------------------------
    def dump(self) -> bytes:
        out = bytearray()
        for lib in self.libraries.values():
            out.append(RDB_OPCODE_FUNCTION2)
            _save_raw_string(out, lib.code)
        out += RDB_VERSION.to_bytes(2, "little")
        out += crc64(0, out).to_bytes(8, "little")
        return bytes(out)

    def restore(self, payload: bytes, policy: str) -> None:
        """FUNCTION RESTORE: all libraries of the payload, or none of them."""
        n = len(payload)
        if n < 10:
            raise RedisError("ERR DUMP payload version or checksum are wrong")
        ver = int.from_bytes(payload[-10:-8], "little")
        if ver > RDB_VERSION or crc64(0, payload[:-8]) != int.from_bytes(payload[-8:], "little"):
            raise RedisError("ERR DUMP payload version or checksum are wrong")
        rd = rdbio.Reader(payload)
        new: dict[bytes, Library] = {}
        funcs: dict[bytes, Function] = {}
        while n - rd.pos > 10:
            try:
                t = rd.byte()
            except rdbio.RdbError:
                raise RedisError("ERR can not read data type")
            if t == RDB_OPCODE_FUNCTION_PRE_GA:
                raise RedisError("ERR Pre-GA function format not supported")
            if t != RDB_OPCODE_FUNCTION2:
                raise RedisError("ERR given type is not a function")
            try:
                code = rd.string()
            except rdbio.RdbError:
                raise RedisError("ERR failed loading the given functions payload")
            name, _, _ = extract_metadata(code)
            if name in new:
                raise RedisError("ERR Library '%s' already exists" % name.decode("utf-8", "replace"))
            lib = self.build(code, 0)
            if not lib.functions:
                raise RedisError("ERR No functions registered")
            for k, f in lib.functions.items():
                if k.lower() in funcs:
                    raise RedisError("ERR Function %s already exists" % f.name.decode("utf-8", "replace"))
                funcs[k.lower()] = f
            new[name] = lib
        if policy == "flush":
            self.libraries = new
            self.functions = funcs
            return
        replaced = []
        for name in new:
            old = self.libraries.get(name)
            if old is not None:
                if policy != "replace":
                    for lib in replaced:
                        self._link(lib)
                    raise RedisError("ERR Library %s already exists" % name.decode("utf-8", "replace"))
                self._unlink(old)
                replaced.append(old)
        for k, f in funcs.items():
            if k in self.functions:
                for lib in replaced:
                    self._link(lib)
                raise RedisError("ERR Function %s already exists" % f.name.decode("utf-8", "replace"))
        for lib in new.values():
            self._link(lib)


def _save_raw_string(out: bytearray, s: bytes) -> None:
    """rdbSaveRawString for library code: LZF only when it saves more than 4 bytes
    (rdbSaveLzfStringObject gives lzf_compress len-4 bytes of room)."""
    n = len(s)
    if n > 20:
        c = lzf.compress(s)
        if c is not None and len(c) <= n - 4:
            out.append(0xC0 | rdbio.RDB_ENC_LZF)
            rdbio.save_len(out, len(c))
            rdbio.save_len(out, n)
            out += c
            return
    rdbio.save_string(out, s, compress=False)
