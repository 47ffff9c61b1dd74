"""The one error type of moredis, and the catalogue of Redis's error texts.

Clients map error prefixes (ERR, WRONGTYPE, NOAUTH, ...) to exceptions, so every text a
client can see lives here, worded exactly as Redis 7.4 words it. Handlers raise
`RedisError(TEXT)`; the dispatcher turns it into an error reply. The text never starts
with '-' and never holds CR or LF.
"""

from __future__ import annotations


class RedisError(Exception):
    """An error reply: `message` is the full text, code first ("ERR syntax error")."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __str__(self) -> str:
        return self.message

    @property
    def code(self) -> str:
        return self.message.split(" ", 1)[0]


class ProtocolError(Exception):
    """Malformed request: the reply is `ERR Protocol error: <text>` and the connection closes."""


# --- generic ---------------------------------------------------------------------------
SYNTAX = "ERR syntax error"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
NOT_INTEGER = "ERR value is not an integer or out of range"
NOT_FLOAT = "ERR value is not a valid float"
OVERFLOW = "ERR increment or decrement would overflow"
NAN_OR_INF = "ERR increment would produce NaN or Infinity"
NO_SUCH_KEY = "ERR no such key"
OUT_OF_RANGE = "ERR index out of range"
INVALID_DB = "ERR DB index is out of range"
SAME_OBJECT = "ERR source and destination objects are the same"
INVALID_EXPIRE = "ERR invalid expire time in '{}' command"
NOT_POSITIVE_TIMEOUT = "ERR timeout is negative"
BIT_OFFSET = "ERR bit offset is not an integer or out of range"
BIT_VALUE = "ERR bit is not an integer or out of range"
STRING_TOO_LONG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
OFFSET_OUT_OF_RANGE = "ERR offset is out of range"
NEGATIVE_COUNT = "ERR value is out of range, must be positive"
NOAUTH = "NOAUTH Authentication required."
WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled."
AUTH_NOPASS = (
    "ERR AUTH <password> called without any password configured for the default user. "
    "Are you sure your configuration is correct?"
)
NOPROTO = "NOPROTO unsupported protocol version"
EXECABORT = "EXECABORT Transaction discarded because of previous errors."
MULTI_NESTED = "ERR MULTI calls can not be nested"
EXEC_WITHOUT_MULTI = "ERR EXEC without MULTI"
DISCARD_WITHOUT_MULTI = "ERR DISCARD without MULTI"
WATCH_IN_MULTI = "ERR WATCH inside MULTI is not allowed"
OOM = "OOM command not allowed when used memory > 'maxmemory'."
READONLY = "READONLY You can't write against a read only replica."
LOADING = "LOADING Redis is loading the dataset in memory"
BUSY_SCRIPT = (
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
)
SUBSCRIBE_CONTEXT = (
    "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
    "are allowed in this context"
)
CLIENT_NAME = "ERR Client names cannot contain spaces, newlines or special characters."


def wrong_arity(name: str) -> RedisError:
    return RedisError(f"ERR wrong number of arguments for '{name}' command")


def unknown_command(argv: list[bytes]) -> RedisError:
    """As server.c processCommand words it: the name cut at 128 bytes, then the args."""
    name = argv[0][:128].decode("utf-8", "replace")
    args = ""
    for a in argv[1:]:
        if len(args) >= 128:
            break
        args += "'%s' " % a[: 128 - len(args)].decode("utf-8", "replace")
    return RedisError(f"ERR unknown command '{name}', with args beginning with: {args}")


def unknown_subcommand(sub: bytes, container: str) -> RedisError:
    return RedisError(
        "ERR unknown subcommand '%s'. Try %s HELP." % (sub[:128].decode("utf-8", "replace"), container.upper())
    )
