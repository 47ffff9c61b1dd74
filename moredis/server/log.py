"""Logging in Redis's line format: `pid:role dd Mon yyyy HH:MM:SS.mmm <level> message`.

Levels as Redis: debug '.', verbose '-', notice '*', warning '#'. `loglevel` filters,
`logfile` ("" is stdout) chooses the sink. Neighbours: server/server.py wires the config.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

DEBUG, VERBOSE, NOTICE, WARNING, NOTHING = 0, 1, 2, 3, 4
LEVELS = {"debug": DEBUG, "verbose": VERBOSE, "notice": NOTICE, "warning": WARNING, "nothing": NOTHING}
_MARK = {DEBUG: ".", VERBOSE: "-", NOTICE: "*", WARNING: "#"}


class Logger:
    def __init__(self) -> None:
        self.level = NOTICE
        self.path = ""
        self.role = "M"
        self.stream: TextIO | None = sys.stdout
        self.quiet = False  # embedded servers stay silent unless asked
        self.lines: list[str] = []  # the last lines, for tests and DEBUG LOG checks
        self.keep = 0

    def configure(self, level: str | None = None, path: str | None = None) -> None:
        if level is not None:
            self.level = LEVELS[level]
        if path is not None and path != self.path:
            self.path = path
            if self.stream not in (None, sys.stdout, sys.stderr):
                self.stream.close()  # type: ignore[union-attr]
            self.stream = open(path, "a", buffering=1) if path else sys.stdout  # noqa: SIM115

    def log(self, level: int, msg: str) -> None:
        if level < self.level:
            return
        t = time.time()
        stamp = time.strftime("%d %b %Y %H:%M:%S", time.localtime(t)) + ".%03d" % int((t % 1) * 1000)
        line = f"{os.getpid()}:{self.role} {stamp} {_MARK.get(level, '#')} {msg}"
        if self.keep:
            self.lines.append(line)
            del self.lines[: -self.keep]
        if self.quiet or self.stream is None:
            return
        try:
            self.stream.write(line + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            pass

    def debug(self, msg: str) -> None:
        self.log(DEBUG, msg)

    def verbose(self, msg: str) -> None:
        self.log(VERBOSE, msg)

    def notice(self, msg: str) -> None:
        self.log(NOTICE, msg)

    def warning(self, msg: str) -> None:
        self.log(WARNING, msg)
