"""Module data types: RedisModuleType, the values they hold in the keyspace, and the
IO, digest and key-option contexts their callbacks receive.

A module value is `ModuleValue(mtype, value)`; it is a first-class keyspace value
(engine/objects.py registers it as OBJ_MODULE), so TYPE, COPY, MEMORY USAGE, DEBUG
DIGEST, DUMP/RESTORE and RDB treat it like any other. The RDB encoding follows Redis:
type 7 (MODULE_2), the 64-bit type id made of the 9-character name and encver, then
the values the type's rdb_save wrote, each behind its opcode, then the EOF opcode.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from moredis.engine import objects as O
from moredis.engine.digest import mix_digest, xor_digest
from moredis.errors import RedisError
from moredis.module import constants as K
from moredis.persistence import rdbio
from moredis.persistence.rdbio import RdbError

NAME_CHARSET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_NAME_RE = re.compile(r"[A-Za-z0-9_-]{9}\Z")


def encode_type_id(name: str, encver: int) -> int:
    """moduleTypeEncodeId: 9 chars x 6 bits, then 10 bits of encoding version; 0 if invalid."""
    if not _NAME_RE.match(name) or not 0 <= encver <= 1023:
        return 0
    tid = 0
    for ch in name:
        tid = (tid << 6) | NAME_CHARSET.index(ch)
    return (tid << 10) | encver


def decode_type_id(tid: int) -> tuple[str, int]:
    """moduleTypeNameByID: the 9-character name and encver inside a type id."""
    encver = tid & 1023
    tid >>= 10
    name = "".join(NAME_CHARSET[(tid >> (6 * (8 - j))) & 63] for j in range(9))
    return name, encver


@dataclass
class TypeMethods:
    """RedisModuleTypeMethods (version 5). Every callback is optional except the ones
    persistence needs (rdb_load, rdb_save) when the type is to be saved."""

    version: int = K.TYPE_METHOD_VERSION
    rdb_load: Any = None
    rdb_save: Any = None
    aof_rewrite: Any = None
    mem_usage: Any = None
    digest: Any = None
    free: Any = None
    aux_load: Any = None
    aux_save: Any = None
    aux_save_triggers: int = 0
    free_effort: Any = None
    unlink: Any = None
    copy: Any = None
    defrag: Any = None
    mem_usage2: Any = None
    free_effort2: Any = None
    unlink2: Any = None
    copy2: Any = None
    aux_save2: Any = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def of(cls, methods: Any) -> TypeMethods:
        if isinstance(methods, TypeMethods):
            return methods
        if isinstance(methods, dict):
            known = {k: v for k, v in methods.items() if k in cls.__dataclass_fields__}
            return cls(**known)
        tm = cls()
        for name in cls.__dataclass_fields__:
            if name != "extra" and hasattr(methods, name):
                setattr(tm, name, getattr(methods, name))
        return tm


class ModuleType:
    """RedisModuleType: created by ctx.create_data_type(name, encver, methods)."""

    __slots__ = ("encver", "id", "methods", "module", "name")

    def __init__(self, name: str, encver: int, module: Any, methods: TypeMethods) -> None:
        self.name = name
        self.encver = encver
        self.module = module
        self.methods = methods
        self.id = encode_type_id(name, encver)

    def __repr__(self) -> str:
        return f"<ModuleType {self.name} encver={self.encver}>"


class ModuleValue:
    """A module type's value stored under a key."""

    __slots__ = ("mtype", "value")

    def __init__(self, mtype: ModuleType, value: Any) -> None:
        self.mtype = mtype
        self.value = value

    def encoding(self) -> str:
        return "raw"

    def __repr__(self) -> str:
        return f"<ModuleValue {self.mtype.name}>"


class KeyOptCtx:
    """RedisModuleKeyOptCtx: key names and dbs for copy2/unlink2/free_effort2/mem_usage2."""

    __slots__ = ("from_dbid", "from_key", "to_dbid", "to_key")

    def __init__(self, from_key: bytes | None, from_dbid: int, to_key: bytes | None = None,
                 to_dbid: int = -1) -> None:
        self.from_key = from_key
        self.to_key = to_key
        self.from_dbid = from_dbid
        self.to_dbid = to_dbid

    def get_key_name(self) -> bytes | None:
        return self.from_key

    def get_to_key_name(self) -> bytes | None:
        return self.to_key

    def get_db_id(self) -> int:
        return self.from_dbid

    def get_to_db_id(self) -> int:
        return self.to_dbid


class Digest:
    """RedisModuleDigest: feeds DEBUG DIGEST the way moduleDigest does (o mixed, x xored)."""

    __slots__ = ("dbid", "key", "o", "x")

    def __init__(self, key: bytes | None = None, dbid: int = 0) -> None:
        self.o = bytearray(20)
        self.x = bytearray(20)
        self.key = key
        self.dbid = dbid

    def add_string_buffer(self, data: bytes | str) -> None:
        mix_digest(self.o, data.encode() if isinstance(data, str) else bytes(data))

    def add_long_long(self, n: int) -> None:
        mix_digest(self.o, b"%d" % n)

    def end_sequence(self) -> None:
        xor_digest(self.x, bytes(self.o))
        self.o[:] = bytes(20)

    def get_key_name(self) -> bytes | None:
        return self.key

    def get_db_id(self) -> int:
        return self.dbid


# --- the RDB IO context --------------------------------------------------------------------

def ld_to_hex(v: Any) -> bytes:
    """ld2string(LD_STR_HEX): "%La" of an x86 80-bit long double, as glibc prints it."""
    import numpy as np

    x = np.longdouble(v)
    if x != x:
        return b"nan" if not np.signbit(x) else b"-nan"
    if np.isinf(x):
        return b"-inf" if x < 0 else b"inf"
    sign = "-" if np.signbit(x) else ""
    if x == 0:
        return f"{sign}0x0p+0".encode()
    num, den = abs(x).as_integer_ratio()
    # value = num/den with den a power of two: find M (64 bits, top bit set) and E, value = M * 2**E
    e = num.bit_length() - den.bit_length()
    frac = Fraction(num, den)
    m = frac / (Fraction(2) ** (e - 63))
    while m >= 1 << 64:
        e += 1
        m = frac / (Fraction(2) ** (e - 63))
    while m < 1 << 63:
        e -= 1
        m = frac / (Fraction(2) ** (e - 63))
    mant = int(m)
    lead = mant >> 60
    rest = ("%015x" % (mant & ((1 << 60) - 1))).rstrip("0")
    exp = e - 63 + 60
    body = f"0x{lead:x}" + (f".{rest}" if rest else "")
    return f"{sign}{body}p{exp:+d}".encode()


def ld_from_text(s: bytes) -> Any:
    """strtold for the hex ("%La") and decimal forms RM_SaveLongDouble may have written."""
    import numpy as np

    t = s.decode("ascii").strip()
    low = t.lower()
    if low in ("inf", "+inf", "infinity"):
        return np.longdouble("inf")
    if low in ("-inf", "-infinity"):
        return np.longdouble("-inf")
    if "nan" in low:
        return np.longdouble("nan")
    neg = t.startswith("-")
    body = t.lstrip("+-")
    if body[:2].lower() == "0x":
        mant, _, exp = body[2:].lower().partition("p")
        ip, _, fp = mant.partition(".")
        n = int(ip or "0", 16)
        for ch in fp:
            n = n * 16 + int(ch, 16)
        e = int(exp or "0") - 4 * len(fp)
        val = np.longdouble(n) * np.longdouble(2) ** e if e >= -16000 else np.longdouble(0)
    else:
        val = np.longdouble(body)
    return -val if neg else val


class IO:
    """RedisModuleIO for rdb_save/rdb_load/aof_rewrite.

    Writing appends opcode-tagged values to `out`; reading consumes them from a
    persistence.rdbio.Reader. A load error sets `error`; with the module option
    OPTIONS_HANDLE_IO_ERRORS the loaders then return 0/empty values (check
    `io.is_io_error()`), otherwise RdbError propagates and the load fails."""

    __slots__ = ("aof_cmds", "compress", "ctx", "dbid", "error", "key", "mtype", "out", "reader", "srv")

    def __init__(self, srv: Any, mtype: ModuleType | None, out: bytearray | None = None,
                 reader: rdbio.Reader | None = None, key: bytes | None = None, dbid: int = 0,
                 compress: bool = True) -> None:
        self.srv = srv
        self.out = out
        self.reader = reader
        self.error = False
        self.key = key
        self.dbid = dbid
        self.mtype = mtype
        self.ctx: Any = None
        self.compress = compress
        self.aof_cmds: list[list[bytes]] | None = None

    # --- saving -------------------------------------------------------------------------
    def _op(self, op: int) -> bytearray:
        assert self.out is not None, "save_* called on a loading IO"
        rdbio.save_len(self.out, op)
        return self.out

    def save_unsigned(self, n: int) -> None:
        rdbio.save_len(self._op(rdbio.MOD_UINT), n & 0xFFFFFFFFFFFFFFFF)

    def save_signed(self, n: int) -> None:
        """RM_SaveSigned stores the two's complement through RM_SaveUnsigned, so under
        the UINT opcode (the SINT opcode is never written)."""
        rdbio.save_len(self._op(rdbio.MOD_UINT), n & 0xFFFFFFFFFFFFFFFF)

    def save_string(self, s: bytes | str) -> None:
        rdbio.save_string(self._op(rdbio.MOD_STRING), s.encode() if isinstance(s, str) else bytes(s),
                          self.compress)

    save_string_buffer = save_string

    def save_double(self, d: float) -> None:
        self._op(rdbio.MOD_DOUBLE).extend(struct.pack("<d", d))

    def save_float(self, f: float) -> None:
        self._op(rdbio.MOD_FLOAT).extend(struct.pack("<f", f))

    def save_long_double(self, v: Any) -> None:
        self.save_string(ld_to_hex(v))

    # --- loading ------------------------------------------------------------------------
    def _expect(self, op: int) -> bool:
        if self.error:
            return False
        try:
            assert self.reader is not None, "load_* called on a saving IO"
            got = self.reader.length()
            if got != op:
                raise RdbError(f"module value opcode {got} where {op} was expected")
            return True
        except RdbError:
            self._fail()
            return False

    def _fail(self) -> None:
        self.error = True
        mt = self.mtype
        if mt is None or not mt.module.options & K.OPTIONS_HANDLE_IO_ERRORS:
            raise RdbError("module data could not be loaded (short read or wrong format)")

    def _guard(self, fn: Any, default: Any) -> Any:
        try:
            return fn()
        except RdbError:
            self._fail()
            return default

    def load_unsigned(self) -> int:
        if not self._expect(rdbio.MOD_UINT):
            return 0
        return self._guard(self.reader.length, 0)  # type: ignore[union-attr]

    def load_signed(self) -> int:
        if not self._expect(rdbio.MOD_UINT):  # as RM_LoadSigned: an unsigned reinterpreted
            return 0
        n = self._guard(self.reader.length, 0)  # type: ignore[union-attr]
        return n - (1 << 64) if n >= 1 << 63 else n

    def load_string(self) -> bytes:
        if not self._expect(rdbio.MOD_STRING):
            return b""
        return self._guard(self.reader.string, b"")  # type: ignore[union-attr]

    load_string_buffer = load_string

    def load_double(self) -> float:
        if not self._expect(rdbio.MOD_DOUBLE):
            return 0.0
        return self._guard(self.reader.binary_double, 0.0)  # type: ignore[union-attr]

    def load_float(self) -> float:
        if not self._expect(rdbio.MOD_FLOAT):
            return 0.0
        return self._guard(self.reader.binary_float, 0.0)  # type: ignore[union-attr]

    def load_long_double(self) -> Any:
        s = self.load_string()
        if self.error:
            return 0.0
        try:
            return ld_from_text(s)
        except (ValueError, UnicodeDecodeError):
            self._fail()
            return 0.0

    # --- AOF rewrite ----------------------------------------------------------------------
    def emit_aof(self, cmdname: str | bytes, fmt: str = "", *args: Any) -> None:
        """RedisModule_EmitAOF: a command that rebuilds the value when replayed."""
        from moredis.module.call import parse_format

        parsed = parse_format(fmt, args)
        if parsed is None:
            self.error = True
            return
        name = cmdname.encode() if isinstance(cmdname, str) else cmdname
        if self.aof_cmds is None:
            self.aof_cmds = []
        self.aof_cmds.append([name, *parsed[0]])

    # --- context ------------------------------------------------------------------------
    def is_io_error(self) -> bool:
        return self.error

    def get_context(self) -> Any:
        if self.ctx is None:
            from moredis.module.context import Ctx

            mod = self.mtype.module if self.mtype is not None else None
            self.ctx = Ctx(self.srv, mod, self.srv.modules.fake_client(2))
        return self.ctx

    def get_key_name(self) -> bytes | None:
        return self.key

    def get_db_id(self) -> int:
        return self.dbid

    def log_io_error(self, level: str, fmt: str, *args: Any) -> None:
        self.get_context().log(level, fmt, *args)


# --- value operations used by the keyspace, RDB and DUMP --------------------------------------

def save_value(srv: Any, mv: ModuleValue, key: bytes | None = None, dbid: int = 0,
               compress: bool = True) -> bytes:
    """The MODULE_2 payload of a value, after the type byte: id, values, EOF opcode."""
    mt = mv.mtype
    if mt.methods.rdb_save is None:
        raise RdbError(f"module type {mt.name} has no rdb_save callback")
    out = bytearray()
    rdbio.save_len(out, mt.id)
    io = IO(srv, mt, out=out, key=key, dbid=dbid, compress=compress)
    mt.methods.rdb_save(io, mv.value)
    rdbio.save_len(out, rdbio.MOD_EOF)
    return bytes(out)


def load_value(srv: Any, reader: rdbio.Reader, key: bytes | None = None, dbid: int = 0) -> ModuleValue:
    """Read a MODULE_2 payload (after the type byte) into a ModuleValue."""
    tid = reader.length()
    name, encver = decode_type_id(tid)
    mods = getattr(srv, "modules", None)
    mt = mods.find_type_by_name(name) if mods is not None else None
    if mt is None:
        raise RdbError(f"The RDB file contains module data I can't load: no matching module type '{name}'")
    if mt.methods.rdb_load is None:
        raise RdbError(f"module type {name} has no rdb_load callback")
    io = IO(srv, mt, reader=reader, key=key, dbid=dbid)
    value = mt.methods.rdb_load(io, encver)
    if value is None or io.error:
        raise RdbError(f"module type {name} failed to load its value")
    if reader.length() != rdbio.MOD_EOF:
        raise RdbError(f"module type {name} left unread data in its value")
    return ModuleValue(mt, value)


def save_data_type_to_string(srv: Any, data: Any, mt: ModuleType) -> bytes | None:
    """RedisModule_SaveDataTypeToString: what `mt`'s rdb_save writes for `data` (each
    value behind its opcode, no type id, no EOF opcode); None when the save failed."""
    io = IO(srv, mt, out=bytearray(), dbid=-1)
    mt.methods.rdb_save(io, data)
    return None if io.error else bytes(io.out)  # type: ignore[arg-type]


def load_data_type_from_string_encver(s: bytes, mt: ModuleType, encver: int, srv: Any = None) -> Any:
    """RedisModule_LoadDataTypeFromStringEncver: `mt`'s rdb_load over a string made by
    save_data_type_to_string; its result (None when it failed). Short or malformed data
    is an IO error: a module with OPTIONS_HANDLE_IO_ERRORS sees io.is_io_error(), else
    RdbError is raised (Redis would stop the server there)."""
    if srv is None:
        srv = getattr(mt.module, "srv", None)
    io = IO(srv, mt, reader=rdbio.Reader(bytes(s)), dbid=-1)
    return mt.methods.rdb_load(io, encver)


def load_data_type_from_string(s: bytes, mt: ModuleType, srv: Any = None) -> Any:
    """RedisModule_LoadDataTypeFromString: with encoding version 0."""
    return load_data_type_from_string_encver(s, mt, 0, srv)


def _copy(mv: ModuleValue, info: Any = None) -> ModuleValue:
    m = mv.mtype.methods
    src_db, src_key, dst_db, dst_key = info if info is not None else (None, None, None, None)
    if m.copy2 is not None:
        new = m.copy2(KeyOptCtx(src_key, getattr(src_db, "id", -1), dst_key, getattr(dst_db, "id", -1)),
                      mv.value)
    elif m.copy is not None:
        new = m.copy(src_key, dst_key, mv.value)
    else:
        raise KeyError("copy")  # COPY answers "not supported for this module key"
    if new is None:
        raise RedisError("ERR module key failed to copy")  # moduleTypeDupOrReply
    return ModuleValue(mv.mtype, new)


def _digest(mv: ModuleValue, state: bytearray, key: bytes | None = None, dbid: int = 0) -> None:
    m = mv.mtype.methods
    if m.digest is not None:
        md = Digest(key, dbid)
        m.digest(md, mv.value)
        xor_digest(state, bytes(md.x))


def _memory(mv: ModuleValue, samples: int = 5) -> int:
    m = mv.mtype.methods
    if m.mem_usage2 is not None:
        return int(m.mem_usage2(KeyOptCtx(None, -1), mv.value, samples) or 0)
    if m.mem_usage is not None:
        return int(m.mem_usage(mv.value) or 0)
    return 0


O.register_type(ModuleValue, O.OBJ_MODULE, copier=_copy, digest=_digest, memory=_memory)
O.KEYED_COPIERS.add(ModuleValue)
