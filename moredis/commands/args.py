"""A small cursor over a command's arguments, so handlers read options by name rather
than juggling indexes. Errors are Redis's texts (syntax error, not an integer, ...).

    a = Args(argv, 2)
    while a.more():
        opt = a.upper()
        if opt == b"EX": ex = a.next_int()
        else: a.syntax()
"""

from __future__ import annotations

from typing import NoReturn

from moredis.errors import SYNTAX, RedisError
from moredis.numbers import parse_float, parse_int


class Args:
    __slots__ = ("argv", "i", "n")

    def __init__(self, argv: list[bytes], start: int = 1) -> None:
        self.argv = argv
        self.i = start
        self.n = len(argv)

    def more(self) -> bool:
        return self.i < self.n

    def left(self) -> int:
        return self.n - self.i

    def peek(self) -> bytes | None:
        return self.argv[self.i] if self.i < self.n else None

    def next(self) -> bytes:
        if self.i >= self.n:
            raise RedisError(SYNTAX)
        v = self.argv[self.i]
        self.i += 1
        return v

    def upper(self) -> bytes:
        """The next argument uppercased (option names)."""
        return self.next().upper()

    def next_int(self, err: str | None = None) -> int:
        return parse_int(self.next(), err) if err else parse_int(self.next())

    def next_float(self, err: str | None = None) -> float:
        return parse_float(self.next(), err) if err else parse_float(self.next())

    def check(self, token: bytes) -> bool:
        """Consume the next argument if it equals `token` (case-insensitive)."""
        if self.i < self.n and self.argv[self.i].upper() == token:
            self.i += 1
            return True
        return False

    def rest(self) -> list[bytes]:
        r = self.argv[self.i :]
        self.i = self.n
        return r

    def finish(self) -> None:
        if self.i < self.n:
            raise RedisError(SYNTAX)

    @staticmethod
    def syntax() -> NoReturn:
        raise RedisError(SYNTAX)
