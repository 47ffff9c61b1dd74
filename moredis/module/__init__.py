"""moredis.module: the Modules API, mirrored from redismodule.h in Python.

The only thing module authors import. A module is a Python file or package with

    from moredis import module as rm

    def hello(ctx, argv):
        return ctx.reply_with_simple_string("Hello")

    def on_load(ctx, args):
        if ctx.init("hello", 1, rm.APIVER_1) == rm.ERR:
            return rm.ERR
        return ctx.create_command("hello.world", hello, "readonly fast", 0, 0, 0)

Naming: `RedisModule_ReplyWithLongLong(ctx, n)` is `ctx.reply_with_long_long(n)`;
`RedisModule_StringSet(key, s)` is `key.string_set(s)`; constants drop the
`REDISMODULE_` prefix (`rm.READ`, `rm.KEYTYPE_STRING`, `rm.NOTIFY_GENERIC`). Strings are
bytes. Calls that fill a C out-parameter return the value (None where C returns ERR).
docs/module-api.md maps every RedisModule_* name to its Python form.
"""

from __future__ import annotations

from moredis.errors import RedisError as Error  # raise rm.Error("ERR ...") to reply an error
from moredis.module.blocking import BlockedClient
from moredis.module.callreply import CallReply
from moredis.module.cluster import cluster_canonical_key_name_in_slot, cluster_key_slot
from moredis.module.commandinfo import (
    Arg,
    BeginSearchIndex,
    BeginSearchKeyword,
    BeginSearchUnknown,
    CommandInfo,
    FindKeysKeynum,
    FindKeysRange,
    FindKeysUnknown,
    KeySpec,
)
from moredis.module.constants import *  # noqa: F403
from moredis.module.context import (
    Ctx,
    cached_microseconds,
    get_random_bytes,
    get_random_hex_chars,
    is_sub_event_supported,
    microseconds,
    milliseconds,
    monotonic_microseconds,
)
from moredis.module.datatype import (
    IO,
    Digest,
    KeyOptCtx,
    ModuleType,
    ModuleValue,
    TypeMethods,
    load_data_type_from_string,
    load_data_type_from_string_encver,
)
from moredis.module.declarative import NO_REPLY, Args, DataType, Module, SimpleString, WrongArity, reply_value
from moredis.module.defrag import DefragCtx
from moredis.module.dict import Dict, DictIterator
from moredis.module.filters import CommandFilterCtx
from moredis.module.fork import exit_from_child, send_child_heartbeat
from moredis.module.info import InfoCtx, ServerInfo
from moredis.module.key import Key
from moredis.module.rdbstream import RdbStream, rdb_stream_create_from_file
from moredis.module.scan import ScanCursor, scan_cursor_create, scan_cursor_destroy, scan_cursor_restart
from moredis.module.strings import *  # noqa: F403


def create_dict(ctx: Ctx | None = None) -> Dict:
    """RedisModule_CreateDict."""
    return Dict()


__all__ = [
    "IO",
    "NO_REPLY",
    "Arg",
    "Args",
    "BeginSearchIndex",
    "BeginSearchKeyword",
    "BeginSearchUnknown",
    "BlockedClient",
    "CallReply",
    "CommandFilterCtx",
    "CommandInfo",
    "Ctx",
    "DataType",
    "DefragCtx",
    "Dict",
    "DictIterator",
    "Digest",
    "Error",
    "FindKeysKeynum",
    "FindKeysRange",
    "FindKeysUnknown",
    "InfoCtx",
    "Key",
    "KeyOptCtx",
    "KeySpec",
    "Module",
    "ModuleType",
    "ModuleValue",
    "RdbStream",
    "ScanCursor",
    "ServerInfo",
    "SimpleString",
    "TypeMethods",
    "WrongArity",
    "cached_microseconds",
    "cluster_canonical_key_name_in_slot",
    "cluster_key_slot",
    "create_dict",
    "exit_from_child",
    "get_random_bytes",
    "get_random_hex_chars",
    "is_sub_event_supported",
    "load_data_type_from_string",
    "load_data_type_from_string_encver",
    "microseconds",
    "milliseconds",
    "monotonic_microseconds",
    "rdb_stream_create_from_file",
    "reply_value",
    "scan_cursor_create",
    "scan_cursor_destroy",
    "scan_cursor_restart",
    "send_child_heartbeat",
]
