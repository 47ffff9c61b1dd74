"""The AOF manifest of Redis 7's multi-part AOF: which files make the AOF and in what
order, one line per file, `file <name> seq <n> type <b|h|i>`.

A base file (`<appendfilename>.<seq>.base.rdb` or `.base.aof`, at most one) holds the
dataset as of the last rewrite; incremental files (`<appendfilename>.<seq>.incr.aof`,
strictly increasing seq) hold the writes since; history files (type h) are what a
rewrite replaced and are about to be deleted. The text is written as aof.c
getAofManifestAsString lays it out (base, then history, then incr; names quoted as
sdscatrepr when they need it) and read as aofLoadManifestFromFile checks it, with the
same error texts. Writing goes through a temp file, fsync and rename, so a crash never
leaves a half-written manifest.
Neighbours: aof.py (the owner), check_aof.py (the checker tool), aofload.py (loading).
"""

from __future__ import annotations

import os

from moredis.protocol.parser import split_args

BASE, HIST, INCR = "b", "h", "i"
MAX_LINE = 1024  # MANIFEST_MAX_LINE


class ManifestError(Exception):
    """A manifest Redis would refuse: `msg` is its error, `line`/`linenum` where."""

    def __init__(self, msg: str, line: str | None = None, linenum: int = 0) -> None:
        super().__init__(msg)
        self.msg = msg
        self.line = line
        self.linenum = linenum

    def log_lines(self) -> list[str]:
        """The lines aofLoadManifestFromFile logs before exiting."""
        out = ["\n*** FATAL AOF MANIFEST FILE ERROR ***\n"]
        if self.line is not None:
            out.append(f"Reading the manifest file, at line {self.linenum}\n")
            out.append(f">>> '{self.line}'\n")
        out.append(f"{self.msg}\n")
        return out


class AofInfo:
    __slots__ = ("name", "seq", "type")

    def __init__(self, name: str, seq: int, ftype: str) -> None:
        self.name = name
        self.seq = seq
        self.type = ftype

    def dup(self) -> AofInfo:
        return AofInfo(self.name, self.seq, self.type)

    def __repr__(self) -> str:
        return f"AofInfo({self.name!r}, {self.seq}, {self.type!r})"


def _needs_repr(s: str) -> bool:
    """sdsneedsrepr: quoting is needed for blanks, quotes, backslashes, control bytes."""
    return any(ch in b'\\"' or ch < 33 or ch > 126 for ch in s.encode("utf-8", "surrogateescape"))


def _repr(s: str) -> str:
    """sdscatrepr of a file name."""
    out = ['"']
    esc = {0x5C: "\\\\", 0x22: '\\"', 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x07: "\\a", 0x08: "\\b"}
    for ch in s.encode("utf-8", "surrogateescape"):
        if ch in esc:
            out.append(esc[ch])
        elif 32 <= ch < 127:
            out.append(chr(ch))
        else:
            out.append("\\x%02x" % ch)
    out.append('"')
    return "".join(out)


def _atoll(s: bytes) -> int:
    """C atoll: optional blanks and sign, then digits; 0 when there are none."""
    t = s.lstrip(b" \t\n\v\f\r")
    sign = 1
    if t[:1] in (b"+", b"-"):
        sign = -1 if t[:1] == b"-" else 1
        t = t[1:]
    n = 0
    for ch in t:
        if 48 <= ch <= 57:
            n = n * 10 + ch - 48
        else:
            break
    return sign * n


class Manifest:
    """aofManifest: the base, the history list and the incr list, the seq counters."""

    __slots__ = ("base", "curr_base_seq", "curr_incr_seq", "dirty", "history", "incr")

    def __init__(self) -> None:
        self.base: AofInfo | None = None
        self.incr: list[AofInfo] = []
        self.history: list[AofInfo] = []
        self.curr_base_seq = 0
        self.curr_incr_seq = 0
        self.dirty = False

    def dup(self) -> Manifest:
        m = Manifest()
        m.base = self.base.dup() if self.base is not None else None
        m.incr = [a.dup() for a in self.incr]
        m.history = [a.dup() for a in self.history]
        m.curr_base_seq = self.curr_base_seq
        m.curr_incr_seq = self.curr_incr_seq
        m.dirty = self.dirty
        return m

    def empty(self) -> bool:
        return self.base is None and not self.incr

    # --- names --------------------------------------------------------------------------
    def new_base(self, appendfilename: str, rdb_preamble: bool) -> str:
        """getNewBaseFileNameAndMarkPreAsHistory."""
        if self.base is not None:
            self.base.type = HIST
            self.history.insert(0, self.base)
        suffix = ".rdb" if rdb_preamble else ".aof"
        taken = self._history_names()
        self.curr_base_seq += 1
        while f"{appendfilename}.{self.curr_base_seq}.base{suffix}" in taken:
            self.curr_base_seq += 1
        self.base = AofInfo(f"{appendfilename}.{self.curr_base_seq}.base{suffix}", self.curr_base_seq, BASE)
        self.dirty = True
        return self.base.name

    def _history_names(self) -> set[str]:
        """Names a new file must not take: history files are deleted once the new manifest
        is written, and a manifest whose line turned an incr file into history (damage)
        would otherwise hand that very name to the new incr file, deleted with it. Redis
        reuses the name there and loses the file; here the sequence number moves on."""
        return {ai.name for ai in self.history}

    def new_incr(self, appendfilename: str) -> str:
        """getNewIncrAofName (skipping a name a history file still holds)."""
        taken = self._history_names()
        self.curr_incr_seq += 1
        while f"{appendfilename}.{self.curr_incr_seq}.incr.aof" in taken:
            self.curr_incr_seq += 1
        ai = AofInfo(f"{appendfilename}.{self.curr_incr_seq}.incr.aof", self.curr_incr_seq, INCR)
        self.incr.append(ai)
        self.dirty = True
        return ai.name

    def last_incr(self, appendfilename: str) -> str:
        """getLastIncrAofName: the last incr file, a new one if there is none."""
        if not self.incr:
            return self.new_incr(appendfilename)
        return self.incr[-1].name

    def mark_rewritten_incr_as_history(self, keep_last: bool) -> None:
        """markRewrittenIncrAofAsHistory: every incr file but the one being written
        (the last, when the AOF is on) becomes history, newest first."""
        if not self.incr:
            return
        keep = self.incr[-1:] if keep_last else []
        old = self.incr[:-1] if keep_last else self.incr
        for ai in old:
            h = ai.dup()
            h.type = HIST
            self.history.insert(0, h)
        self.incr = keep
        self.dirty = True

    # --- text ---------------------------------------------------------------------------
    def to_text(self) -> str:
        out = []
        for ai in ([self.base] if self.base is not None else []) + self.history + self.incr:
            name = _repr(ai.name) if _needs_repr(ai.name) else ai.name
            out.append(f"file {name} seq {ai.seq} type {ai.type}\n")
        return "".join(out)

    @classmethod
    def parse(cls, data: bytes) -> Manifest:
        """aofLoadManifestFromFile's reading and checks; ManifestError on a bad file."""
        m = cls()
        maxseq = 0
        pos = 0
        n = len(data)
        linenum = 0
        if n == 0:
            raise ManifestError("Found an empty AOF manifest")
        while pos < n:
            # fgets with a MAX_LINE+1 buffer: up to MAX_LINE bytes or through the newline
            end = data.find(b"\n", pos, pos + MAX_LINE)
            raw = data[pos:end + 1] if end >= 0 else data[pos:pos + MAX_LINE]
            pos += len(raw)
            if b"\x00" in raw:  # C strings end at a NUL
                raw = raw[:raw.index(b"\x00")]
            linenum += 1
            if raw[:1] == b"#":
                continue
            if b"\n" not in raw:
                raise ManifestError("The AOF manifest file contains too long line")
            line = raw.strip(b" \t\r\n")
            shown = line.decode("utf-8", "surrogateescape")
            if not line:
                raise ManifestError("Invalid AOF manifest file format", shown, linenum)
            argv = split_args(line)
            if argv is None or len(argv) < 6 or len(argv) % 2:
                raise ManifestError("Invalid AOF manifest file format", shown, linenum)
            name: str | None = None
            seq = 0
            ftype = ""
            for i in range(0, len(argv), 2):
                k = argv[i].lower()
                v = argv[i + 1]
                if k == b"file":
                    name = v.split(b"\x00", 1)[0].decode("utf-8", "surrogateescape")
                    if "/" in name or "\\" in name:
                        raise ManifestError("File can't be a path, just a filename", shown, linenum)
                elif k == b"seq":
                    seq = _atoll(v)
                elif k == b"type":
                    ftype = chr(v[0]) if v else ""
            if not name or not seq or not ftype:
                raise ManifestError("Invalid AOF manifest file format", shown, linenum)
            ai = AofInfo(name, seq, ftype)
            if ftype == BASE:
                if m.base is not None:
                    raise ManifestError("Found duplicate base file information", shown, linenum)
                m.base = ai
                m.curr_base_seq = seq
            elif ftype == HIST:
                m.history.append(ai)
            elif ftype == INCR:
                if seq <= maxseq:
                    raise ManifestError("Found a non-monotonic sequence number", shown, linenum)
                m.incr.append(ai)
                m.curr_incr_seq = seq
                maxseq = seq
            else:
                raise ManifestError("Unknown AOF file type", shown, linenum)
        return m

    @classmethod
    def read(cls, path: str) -> Manifest:
        """Parse the manifest at `path` (OSError if it cannot be read)."""
        with open(path, "rb") as f:
            return cls.parse(f.read())


def manifest_name(appendfilename: str) -> str:
    return appendfilename + ".manifest"


def temp_incr_name(appendfilename: str) -> str:
    """getTempIncrAofName: where writes go while the first base is being made."""
    return "temp-" + appendfilename + ".incr"


def fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_manifest(dirpath: str, appendfilename: str, m: Manifest) -> str | None:
    """writeAofManifestFile: temp file, fsync, rename, fsync of the directory. None on
    success, else the warning Redis logs."""
    name = manifest_name(appendfilename)
    tmp_name = "temp-" + name
    tmp = os.path.join(dirpath, tmp_name)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | os.O_CREAT, 0o644)
    except OSError as e:
        return f"Can't open the AOF manifest file {tmp_name}: {e.strerror}"
    try:
        data = m.to_text().encode("utf-8", "surrogateescape")
        try:
            while data:
                k = os.write(fd, data)
                data = data[k:]
        except OSError as e:
            return f"Error trying to write the temporary AOF manifest file {tmp_name}: {e.strerror}"
        try:
            os.fsync(fd)
        except OSError as e:
            return f"Fail to fsync the temp AOF file {tmp_name}: {e.strerror}."
    finally:
        os.close(fd)
    final = os.path.join(dirpath, name)
    try:
        os.rename(tmp, final)
    except OSError as e:
        return f"Error trying to rename the temporary AOF manifest file {tmp_name} into {name}: {e.strerror}"
    try:
        fsync_dir(dirpath)
    except OSError as e:
        return f"Fail to fsync AOF directory {final}: {e.strerror}."
    return None
