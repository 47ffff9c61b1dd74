"""`moredis check-aof [--fix|--truncate-to-timestamp <ts>] <file.manifest|file.aof>`:
validate an AOF the way redis-check-aof does, with its report lines and exit status.

The input is recognised as redis-check-aof does it: a manifest (a line starting with
"file") is checked file by file (the base, RDB or commands, then each incr file); a
file starting with "REDIS" is an old RDB-preamble AOF; anything else a plain AOF. Each
command file is walked with the checker's own rules (stricter than the server's loader:
every CRLF is checked, MULTI/EXEC must pair up) and reported as "AOF analyzed: ...
ok_up_to=..., diff=...". With --fix a bad tail of the last file is cut off after a
y/N confirmation on stdin; --truncate-to-timestamp cuts the last file at the first
`#TS:` annotation later than the given time. Quirks kept on purpose: the line counter
runs on across files, "*-5" counts as an empty command, an error names the offset where
the last read started, bytes above 0x7f print sign-extended (the C char was signed).
Neighbours: check.py (dispatch, check-rdb), manifest.py, aofread.py (RDB end).
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from moredis.persistence.manifest import Manifest, ManifestError

LONG_MAX = (1 << 63) - 1
CHECK_OK, CHECK_EMPTY, CHECK_TRUNCATED, CHECK_TIMESTAMP_TRUNCATED = range(4)


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _strtol(b: bytes) -> tuple[int, int]:
    """strtol(s, &end, 10): the value (saturated to a C long) and where parsing stopped."""
    i = 0
    n = len(b)
    while i < n and b[i] in b" \t\n\v\f\r":
        i += 1
    neg = False
    j = i
    if j < n and b[j] in b"+-":
        neg = b[j] == 45
        j += 1
    k = j
    v = 0
    while k < n and 48 <= b[k] <= 57:
        v = v * 10 + b[k] - 48
        k += 1
    if k == j:
        return 0, 0
    v = -v if neg else v
    return max(min(v, LONG_MAX), -LONG_MAX - 1), k


def _hexchar(b: int) -> str:
    """printf("%02x", (char)b) with a signed char."""
    return "%02x" % b if b < 0x80 else "ffffff%02x" % b


class _File:
    """Just enough of stdio over a file held in memory: a position, fgets, fread."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def fgets(self, size: int) -> bytes | None:
        data = self.data
        if self.pos >= len(data):
            return None
        nl = data.find(b"\n", self.pos, self.pos + size - 1)
        end = nl + 1 if nl >= 0 else min(self.pos + size - 1, len(data))
        out = data[self.pos:end]
        self.pos = end
        return out

    def fread(self, n: int) -> bytes:
        out = self.data[self.pos:self.pos + n]
        self.pos += len(out)
        return out

    def eof(self) -> bool:
        return self.pos >= len(self.data)


class Checker:
    def __init__(self, out: TextIO, stdin: TextIO, to_timestamp: int = 0) -> None:
        self.out = out
        self.stdin = stdin
        self.line = 1
        self.epos = 0
        self.error = ""
        self.to_timestamp = to_timestamp

    def say(self, text: str) -> None:
        self.out.write(text + "\n")

    def fail(self, msg: str) -> bool:
        self.error = "0x%16x: %s" % (self.epos, msg)
        return False

    # --- the RESP reader (readLong, readString, processRESP) ------------------------------
    def _newline(self, b: bytes) -> bool:
        if b[:2] != b"\r\n":
            c0 = b[0] if len(b) > 0 else 0
            c1 = b[1] if len(b) > 1 else 0
            return self.fail(f"Expected \\r\\n, got: {_hexchar(c0)}{_hexchar(c1)}")
        self.line += 1
        return True

    def _read_long(self, f: _File, prefix: str) -> int | None:
        self.epos = f.pos
        buf = f.fgets(128)
        if buf is None:
            return None
        if buf[:1] != prefix.encode():
            got = chr(buf[0]) if buf else ""
            self.fail(f"Expected prefix '{prefix}', got: '{got}'")
            return None
        v, stop = _strtol(buf[1:])
        if not self._newline(buf[1 + stop:]):
            return None
        return v

    def _read_string(self, f: _File) -> bytes | None:
        n = self._read_long(f, "$")
        if n is None:
            return None
        if n < 0 or n > LONG_MAX - 2:
            self.fail(f"Expected to read string of {n} bytes, which is not in the suitable range")
            return None
        self.epos = f.pos
        got = f.fread(n + 2)
        if len(got) != n + 2:
            self.fail(f"Expected to read {n + 2} bytes, got {len(got)} bytes")
            return None
        if not self._newline(got[n:]):
            return None
        return got[:n]

    def _process_resp(self, f: _File, filename: str, multi: list[int]) -> bool:
        argc = self._read_long(f, "*")
        if argc is None:
            return False
        for i in range(argc):
            s = self._read_string(f)
            if s is None:
                return False
            if i == 0:
                name = s.split(b"\x00", 1)[0].lower()
                if name == b"multi":
                    multi[0] += 1
                    if multi[0] > 1:
                        return self.fail(f"Unexpected MULTI in AOF {filename}")
                elif name == b"exec":
                    multi[0] -= 1
                    if multi[0]:
                        return self.fail(f"Unexpected EXEC in AOF {filename}")
        return True

    def _annotation(self, f: _File, path: str, filename: str, last_file: bool) -> bool:
        """processAnnotations: False once the file was cut at a later timestamp."""
        self.epos = f.pos
        buf = f.fgets(1024)
        if buf is None:
            self.say(f"Failed to read annotations from AOF {path}, aborting...")
            raise _Exit(1)
        if self.to_timestamp and buf.startswith(b"#TS:"):
            ts, stop = _strtol(buf[4:])
            if stop == 0 or buf[4 + stop:4 + stop + 1] != b"\r":
                self.say("Invalid timestamp annotation")
                raise _Exit(1)
            if ts <= self.to_timestamp:
                return True
            if self.epos == 0:
                self.say(f"AOF {path} has nothing before timestamp {self.to_timestamp}, aborting...")
                raise _Exit(1)
            if not last_file:
                self.say(f"Failed to truncate AOF {path} to timestamp {self.to_timestamp} to offset {self.epos} "
                         "because it is not the last file.")
                self.say("If you insist, please delete all files after this file according to the manifest file "
                         "and delete the corresponding records in manifest file manually. Then re-run "
                         "redis-check-aof.")
                raise _Exit(1)
            try:
                os.truncate(path, self.epos)
            except OSError:
                self.say(f"Failed to truncate AOF {path} to timestamp {self.to_timestamp}")
                raise _Exit(1) from None
            return False
        return True

    # --- one file (checkSingleAof) --------------------------------------------------------
    def check_single(self, filename: str, path: str, last_file: bool, fix: bool, preamble: bool) -> int:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as e:
            self.say(f"Cannot open file {path}: {e.strerror}, aborting...")
            raise _Exit(1) from None
        size = len(data)
        if size == 0:
            return CHECK_EMPTY
        f = _File(data)
        if preamble:
            from moredis.persistence import check
            from moredis.persistence.aofread import rdb_end_safe

            end = rdb_end_safe(data)
            if not check.check(data, path, self.out):
                self._log_line("Terminating server after rdb file reading failure.")  # rdbReportError exits
                raise _Exit(1)
            if end is None:
                self.say("RDB preamble of AOF file is not sane, aborting.")
                raise _Exit(1)
            self.say("RDB preamble is OK, proceeding with AOF tail...")
            f.pos = end
        multi = [0]
        pos = f.pos
        while True:
            if not multi[0]:
                pos = f.pos
            if f.eof():
                break
            c = f.data[f.pos]
            if c == 35:  # '#'
                if not self._annotation(f, path, filename, last_file):
                    return CHECK_TIMESTAMP_TRUNCATED
            elif c == 42:  # '*'
                if not self._process_resp(f, path, multi):
                    break
            else:
                self.say(f"AOF {filename} format error")
                break
        if f.eof() and multi[0] and not self.error:
            self.fail("Reached EOF before reading EXEC for MULTI")
        if self.error:
            self.say(self.error)
        diff = size - pos
        if diff == 0 and self.to_timestamp:
            self.say(f"Truncate nothing in AOF {filename} to timestamp {self.to_timestamp}")
            return CHECK_OK
        self.say(f"AOF analyzed: filename={filename}, size={size}, ok_up_to={pos}, ok_up_to_line={self.line}, "
                 f"diff={diff}")
        if diff > 0:
            if not fix:
                self.say(f"AOF {filename} is not valid. Use the --fix option to try fixing it.")
                raise _Exit(1)
            if not last_file:
                self.say(f"Failed to truncate AOF {filename} because it is not the last file")
                raise _Exit(1)
            self.say(f"This will shrink the AOF {filename} from {size} bytes, with {diff} bytes, to {pos} bytes")
            self.out.write("Continue? [y/N]: ")
            self.out.flush()
            answer = self.stdin.readline()
            if not answer or answer[:1].lower() != "y":
                self.say("Aborting...")
                raise _Exit(1)
            try:
                os.truncate(path, pos)
            except OSError:
                self.say(f"Failed to truncate AOF {filename}")
                raise _Exit(1) from None
            return CHECK_TRUNCATED
        return CHECK_OK

    def report(self, ret: int, name: str, kind: str) -> None:
        """printAofStyle."""
        if ret == CHECK_OK:
            self.say(f"{kind} {name} is valid")
        elif ret == CHECK_EMPTY:
            self.say(f"{kind} {name} is empty")
        elif ret == CHECK_TIMESTAMP_TRUNCATED:
            self.say(f"Successfully truncated AOF {name} to timestamp {self.to_timestamp}")
        elif ret == CHECK_TRUNCATED:
            self.say(f"Successfully truncated AOF {name}")

    # --- inputs ------------------------------------------------------------------------------
    def check_multi_part(self, dirpath: str, manifest_path: str, fix: bool) -> None:
        self.say("Start checking Multi Part AOF")
        try:
            m = Manifest.read(manifest_path)
        except ManifestError as e:
            for text in e.log_lines():
                self._log_line(text)
            raise _Exit(1) from None
        except OSError as e:
            self._log_line(f"Fatal error: can't open the AOF manifest file {manifest_path} for reading: {e.strerror}")
            raise _Exit(1) from None
        total = (1 if m.base is not None else 0) + len(m.incr)
        num = 0
        if m.base is not None:
            path = os.path.join(dirpath, m.base.name)
            num += 1
            rdb = _file_is_rdb(path, self)
            self.say(f"Start to check BASE AOF ({'RDB' if rdb else 'RESP'} format).")
            ret = self.check_single(m.base.name, path, num == total, fix, rdb)
            self.report(ret, m.base.name, "BASE AOF")
        if m.incr:
            self.say("Start to check INCR files.")
            for ai in m.incr:
                num += 1
                ret = self.check_single(ai.name, os.path.join(dirpath, ai.name), num == total, fix, False)
                self.report(ret, ai.name, "INCR AOF")
        self.say("All AOF files and manifest are valid")

    def _log_line(self, msg: str) -> None:
        t = time.time()
        stamp = time.strftime("%d %b %Y %H:%M:%S", time.localtime(t)) + ".%03d" % int((t % 1) * 1000)
        self.say(f"{os.getpid()}:C {stamp} # {msg}")

    def check_old_style(self, path: str, fix: bool, preamble: bool) -> None:
        self.say("Start checking Old-Style AOF")
        ret = self.check_single(path, path, True, fix, preamble)
        self.report(ret, path, "AOF")


def _open_or_exit(path: str, chk: Checker) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        chk.say(f"Cannot open file {path}: {e.strerror}")
        raise _Exit(1) from None


def _file_is_rdb(path: str, chk: Checker) -> bool:
    data = _open_or_exit(path, chk)
    return len(data) >= 8 and data[:5] == b"REDIS"


def _file_is_manifest(path: str, chk: Checker) -> bool:
    data = _open_or_exit(path, chk)
    f = _File(data)
    found = False
    while True:
        line = f.fgets(1025)
        if line is None:
            return found
        if line[:1] == b"#":
            continue
        if line.startswith(b"file"):
            found = True


def run(args: list[str], out: TextIO, stdin: TextIO, prog: str = "moredis check-aof") -> int:
    """redis_check_aof_main; the exit status."""
    fix = False
    ts = 0
    chk = Checker(out, stdin)
    try:
        if len(args) == 1:
            path = args[0]
        elif len(args) == 2 and args[0] == "--fix":
            fix = True
            path = args[1]
        elif len(args) == 3 and args[0] == "--truncate-to-timestamp":
            v, stop = _strtol(args[1].encode())
            if stop != len(args[1].encode()) or not args[1]:
                chk.say("Invalid timestamp, aborting...")
                return 1
            ts = v
            path = args[2]
        else:
            chk.say(f"Usage: {prog} [--fix|--truncate-to-timestamp $timestamp] <file.manifest|file.aof>")
            return 1
        chk.to_timestamp = ts
        dirpath = os.path.dirname(path) or "."
        if _file_is_manifest(path, chk):
            chk.check_multi_part(dirpath, path, fix)
        else:
            chk.check_old_style(path, fix, _file_is_rdb(path, chk))
        return 0
    except _Exit as e:
        return e.code
    finally:
        out.flush()


def main(args: list[str]) -> int:
    return run(args, sys.stdout, sys.stdin)


def check_files(args: list[str], answer: str = "") -> tuple[int, str]:
    """For tests: run the checker with `answer` on stdin; (status, output)."""
    import io

    out = io.StringIO()
    code = run(args, out, io.StringIO(answer))
    return code, out.getvalue()


__all__ = ["Checker", "check_files", "main", "run"]
