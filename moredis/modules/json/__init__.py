"""ReJSON: the JSON module (RedisJSON 2.8), built on the public Modules API only.

on_load names the module "ReJSON" (version 20803, as MODULE LIST shows RedisJSON
2.8.3), creates the "ReJSON-RL" data type with RedisJSON's encoding version 3 (the
value is saved as its compact JSON text, so DUMP payloads and RDB files move between
moredis and Redis), and registers the 25 JSON.* commands with RedisJSON's flags and key
positions. Module arguments, like RedisJSON's, must come in pairs.
Neighbours: commands.py (the commands), document.py (values), path.py (JSONPath).
"""

from __future__ import annotations

from typing import Any

from moredis import module as rm

from . import commands as C
from . import document as D

MODULE_NAME = "ReJSON"
MODULE_VERSION = 20803
TYPE_NAME = "ReJSON-RL"
TYPE_ENCVER = 3

# name, handler, flags, first key, last key, key step (RedisJSON's table), and a one-line
# summary in our own words (RedisJSON 2.8 sets none; COMMAND DOCS shows ours)
COMMANDS = [
    ("json.del", C.json_del, "write", 1, 1, 1, "Removes the values a path selects, or the whole document."),
    ("json.get", C.json_get, "readonly", 1, 1, 1, "Returns the JSON text of what one or more paths select."),
    ("json.mget", C.json_mget, "readonly", 1, 1, 1, "Returns what one path selects in each of several documents."),
    ("json.set", C.json_set, "write deny-oom", 1, 1, 1, "Stores a JSON value at a path (a new document at the root)."),
    ("json.mset", C.json_mset, "write deny-oom", 1, -1, 3, "Stores JSON values at paths of several documents at once."),
    ("json.type", C.json_type, "readonly", 1, 1, 1, "Names the JSON type of each value a path selects."),
    ("json.numincrby", C.json_numincrby, "write", 1, 1, 1, "Adds a number to each number a path selects."),
    ("json.toggle", C.json_toggle, "write deny-oom", 1, 1, 1, "Flips each boolean a path selects."),
    ("json.nummultby", C.json_nummultby, "write", 1, 1, 1, "Multiplies each number a path selects."),
    ("json.numpowby", C.json_numpowby, "write", 1, 1, 1, "Raises each number a path selects to a power."),
    ("json.strappend", C.json_strappend, "write deny-oom", 1, 1, 1, "Appends text to each string a path selects."),
    ("json.strlen", C.json_strlen, "readonly", 1, 1, 1, "Returns the byte length of each string a path selects."),
    ("json.arrappend", C.json_arrappend, "write deny-oom", 1, 1, 1, "Appends values to each array a path selects."),
    ("json.arrindex", C.json_arrindex, "readonly", 1, 1, 1, "Finds a value's first index in each selected array."),
    ("json.arrinsert", C.json_arrinsert, "write deny-oom", 1, 1, 1, "Inserts values into each selected array."),
    ("json.arrlen", C.json_arrlen, "readonly", 1, 1, 1, "Returns the length of each array a path selects."),
    ("json.arrpop", C.json_arrpop, "write", 1, 1, 1, "Removes and returns an element of each selected array."),
    ("json.arrtrim", C.json_arrtrim, "write", 1, 1, 1, "Keeps only an index range of each array a path selects."),
    ("json.objkeys", C.json_objkeys, "readonly", 1, 1, 1, "Lists the member names of each object a path selects."),
    ("json.objlen", C.json_objlen, "readonly", 1, 1, 1, "Counts the members of each object a path selects."),
    ("json.clear", C.json_clear, "write", 1, 1, 1, "Empties selected containers and zeroes selected numbers."),
    ("json.debug", C.json_debug, "readonly", 2, 2, 1, "Reports the memory a document or its selected values use."),
    ("json.forget", C.json_del, "write", 1, 1, 1, "Same as JSON.DEL: removes the values a path selects."),
    ("json.resp", C.json_resp, "readonly", 1, 1, 1, "Returns selected values as native RESP structures."),
    ("json.merge", C.json_merge, "write deny-oom", 1, 1, 1, "Merges a JSON patch (RFC 7386) into each selected value."),
]


def error_text(msg: str) -> str:
    """How redis-module-rs sends an error: every character as one byte (its code point
    cut to 8 bits), CR, LF and NUL as spaces. Bytes above 0x7f travel as surrogate
    escapes, which the reply writer turns back into those single bytes."""
    if msg.isascii() and "\r" not in msg and "\n" not in msg and "\0" not in msg:
        return msg
    out = []
    for ch in msg:
        if ch in "\r\n\0":
            out.append(" ")
            continue
        b = ord(ch) & 0xFF
        out.append(chr(b) if 0 < b < 0x80 else " " if b == 0 else chr(0xDC00 + b))
    return "".join(out)


def _command(fn: Any) -> Any:
    """Arity errors raised deep in argument reading become the dispatcher's text; error
    texts are sent the way RedisJSON's are."""

    def run(ctx: rm.Ctx, argv: list[bytes]) -> int:
        try:
            return fn(ctx, argv)
        except C._Arity:
            return ctx.wrong_arity()
        except rm.Error as e:
            text = str(e)
            if text.isascii() and "\r" not in text and "\n" not in text:
                raise
            raise rm.Error(error_text(text)) from None

    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    return run


# --- the data type ------------------------------------------------------------------------

def rdb_save(io: rm.IO, doc: D.Doc) -> None:
    io.save_string(D.dumps(doc.root))


def rdb_load(io: rm.IO, encver: int) -> D.Doc | None:
    if encver not in (2, 3):
        io.log_io_error("warning", "Can't load old RedisJSON RDB (encoding version %d)", encver)
        return None
    data = io.load_string()
    if encver == 2:  # a leftover aux field of old RediSearch integrations
        if io.load_unsigned() > 0:
            io.load_string()
            io.load_string()
    if io.is_io_error():
        return None
    try:
        return D.Doc(D.loads(bytes(data), limit=False))
    except (D.JsonError, UnicodeDecodeError):
        return None


def aof_rewrite(io: rm.IO, key: bytes, doc: D.Doc) -> None:
    io.emit_aof("JSON.SET", "sss", key, b"$", D.dumps(doc.root))


def mem_usage(doc: D.Doc) -> int:
    return doc.memory(doc.root)


def copy(fromkey: bytes, tokey: bytes, doc: D.Doc) -> D.Doc:
    new = D.Doc(D.clone(doc.root))
    new.cloned(new.root)
    return new


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    if ctx.init(MODULE_NAME, MODULE_VERSION, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    if len(args) % 2:
        ctx.log("warning", "RedisJson arguments must be key:value pairs")
        return rm.ERR
    ctx.set_module_options(rm.OPTIONS_HANDLE_IO_ERRORS)
    mt = ctx.create_data_type(TYPE_NAME, TYPE_ENCVER, rm.TypeMethods(
        rdb_load=rdb_load, rdb_save=rdb_save, aof_rewrite=aof_rewrite, mem_usage=mem_usage, copy=copy))
    if mt is None:
        return rm.ERR
    C.JSON_TYPE = mt
    for name, fn, flags, first, last, step, summary in COMMANDS:
        if ctx.create_command(name, _command(fn), flags, first, last, step) == rm.ERR:
            return rm.ERR
        ctx.get_command(name).set_command_info(rm.CommandInfo(summary=summary))
    return rm.OK
