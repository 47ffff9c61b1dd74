"""The append-only file (`srv.aof`), Redis 7's multi-part layout (aof.c).

`appendonly yes` keeps `<dir>/<appenddirname>/` holding the manifest, one base file (the
dataset at the last rewrite: an RDB when aof-use-rdb-preamble is yes, else commands,
see aofrw.py) and the incremental files the writes since then go to, in RESP, with
SELECT when the database changes and `#TS:` annotations when aof-timestamp-enabled.

Writes reach the AOF through the server's propagation hook: `feed` is one of
`srv.propagators` while the AOF is on, so it receives exactly what Redis would
replicate (MULTI/EXEC around transactions, script and module effects, SET EX as PXAT,
expirations as DEL). It appends to an in-memory buffer; the buffer is written with one
write() before any reply leaves (`srv.before_reply`, called by the connection just
before it writes, installed only while the AOF is on) and at the end of the loop
iteration (call_soon) for writes nobody replies to (expiry, timers). So a write a
client saw acknowledged is in the page cache: a killed process loses nothing. The fsync
policy decides what a machine crash may cost: `always` fsyncs before replying,
`everysec` hands an fsync to a background thread at most once a second (bio.c), `no`
leaves it to the kernel.

BGREWRITEAOF forks: the child writes the new base into temp-rewriteaof-bg-<pid>.aof
while the parent switches the writes to a new incr file; when the child is reaped the
base is renamed into the directory, the manifest is replaced atomically (temp file,
fsync, rename) and the files it no longer names become history and are deleted.
CONFIG SET appendonly yes starts such a rewrite (the writes meanwhile go to
temp-<appendfilename>.incr); no stops and closes. Loading at start-up follows
loadAppendOnlyFiles (base, then each incr file), with aof-load-truncated recovering a
torn last command and anything else refused with Redis's log lines.

Deliberate differences, all on the safe side: a torn command inside MULTI truncates the
file before the MULTI (Redis keeps a dangling MULTI that swallows later writes); a torn
file that is not the last one is refused without truncating it; the incr file created at
start-up when the manifest names none starts empty even if a stale file has its name;
the buffer is never postponed behind a slow fsync.
Neighbours: manifest.py, aofread.py (reading), aofload.py (loading), aofrw.py (base as commands), rdb.py,
manager.py (the RDB side, srv.rdb), commands/aof_cmd.py (BGREWRITEAOF), server.py.
"""

from __future__ import annotations

import errno as E
import gc
import os
import queue
import signal
import threading
import time
from typing import Any

import hiredis

from moredis.errors import RedisError
from moredis.module import constants as K
from moredis.persistence import aofrw
from moredis.persistence.aofload import (
    AOF_EMPTY,
    AOF_FAILED,
    AOF_NOT_EXIST,
    AOF_OK,
    AOF_OPEN_ERR,
    AOF_TRUNCATED,
    AofLoader,
)
from moredis.persistence.manifest import (
    Manifest,
    ManifestError,
    manifest_name,
    temp_incr_name,
    write_manifest,
)
from moredis.persistence.rdbio import RdbError

OFF, ON, WAIT_REWRITE = 0, 1, 2
WRITE_LOG_ERROR_RATE = 30  # AOF_WRITE_LOG_ERROR_RATE
REWRITE_LIMIT_THRESHOLD = 3
REWRITE_LIMIT_MAX_MINUTES = 60
MISCONF_AOF = "MISCONF Errors writing to the AOF file: "

_pack = hiredis.pack_command


def _select(dbid: int) -> bytes:
    d = b"%d" % dbid
    return b"*2\r\n$6\r\nSELECT\r\n$%d\r\n%b\r\n" % (len(d), d)


def _arg(a: Any) -> bytes:
    if isinstance(a, bytes):
        return a
    if isinstance(a, bytearray | memoryview):
        return bytes(a)
    if isinstance(a, str):
        return a.encode("utf-8", "surrogateescape")
    if isinstance(a, float):
        return aofrw.dbl(a)
    return b"%d" % a


def encode(argv: list[Any]) -> bytes:
    """One command in RESP (catAppendOnlyGenericCommand)."""
    try:
        return _pack(tuple(argv))
    except TypeError:
        return aofrw.command([_arg(a) for a in argv])


def _mstime() -> int:
    return time.time_ns() // 1_000_000


class Bio:
    """bio.c's AOF jobs in one daemon thread: fsync, fsync-and-close, unlink."""

    def __init__(self) -> None:
        self.q: queue.Queue = queue.Queue()
        self.thread: threading.Thread | None = None
        self.pending_fsync = 0
        self.lock = threading.Lock()
        self.fsync_errno = 0  # aof_bio_fsync_status / aof_bio_fsync_errno
        self.pid = os.getpid()

    def submit(self, kind: str, arg: Any) -> None:
        if self.thread is None or not self.thread.is_alive() or self.pid != os.getpid():
            self.pid = os.getpid()
            self.thread = threading.Thread(target=self._run, name="moredis-bio-aof", daemon=True)
            self.thread.start()
        if kind == "fsync":
            with self.lock:
                self.pending_fsync += 1
        self.q.put((kind, arg))

    def _run(self) -> None:
        q = self.q
        while True:
            kind, arg = q.get()
            try:
                if kind == "fsync":
                    try:
                        os.fsync(arg)
                        self.fsync_errno = 0
                    except OSError as e:
                        if e.errno not in (E.EBADF, E.EINVAL):
                            self.fsync_errno = e.errno or E.EIO
                    finally:
                        with self.lock:
                            self.pending_fsync -= 1
                elif kind == "close":
                    try:
                        os.fsync(arg)
                    except OSError:
                        pass
                    try:
                        os.close(arg)
                    except OSError:
                        pass
                elif kind == "unlink":
                    try:
                        os.unlink(arg)
                    except OSError:
                        pass
            finally:
                q.task_done()

    def drain(self) -> None:
        """bioDrainWorker: wait until every job handed over so far is done."""
        if self.thread is not None and self.thread.is_alive() and self.pid == os.getpid():
            self.q.join()


class AofManager:
    def __init__(self, srv: Any) -> None:
        self.srv = srv
        self.state = OFF
        self.started = False  # load_at_startup ran: config changes act from then on
        self.fd = -1
        self.buf: list[bytes] = []  # never rebound: the feed closure holds it
        self.selected_db = -1
        self.cur_timestamp = 0
        self.ts_enabled = bool(srv.config["aof-timestamp-enabled"])
        self.policy = srv.config["appendfsync"]  # mirrors of configs read on every write
        self.no_fsync_on_rewrite = bool(srv.config["no-appendfsync-on-rewrite"])
        self.manifest = Manifest()
        self.bio = Bio()
        self.armed = False
        self.current_size = 0
        self.rewrite_base_size = 0
        self.last_incr_size = 0
        self.last_incr_fsync_offset = 0
        self.last_fsync = _mstime()
        self.delayed_fsync = 0
        self.last_write_status = "ok"
        self.last_write_errno = 0
        self.last_write_error_log = 0.0
        self.child_pid = -1
        self.rewrite_time_start = -1
        self.rewrite_time_last = -1
        self.scheduled = False
        self.rewrites = 0
        self.consecutive_failures = 0
        self.last_bgrewrite_status = "ok"
        self.next_delay_minutes = 0
        self.next_rewrite_time = 0
        self.plist: list = srv.propagators  # the server's own list (EXEC and scripts swap theirs in)
        self.feed = self._make_feed()
        srv.cron_hooks.append(self.cron)
        cfg = srv.config
        cfg.watch("appendonly", self._on_appendonly)
        cfg.watch("appendfsync", self._on_appendfsync)
        cfg.watch("aof-timestamp-enabled", lambda v: setattr(self, "ts_enabled", bool(v)))
        cfg.watch("no-appendfsync-on-rewrite", lambda v: setattr(self, "no_fsync_on_rewrite", bool(v)))

    # --- paths ----------------------------------------------------------------------------
    def base_dir(self) -> str:
        rdbm = self.srv.rdb
        if rdbm is not None:
            return rdbm.dir()
        return self.srv.config["dir"] or os.getcwd()

    def dirpath(self) -> str:
        return os.path.join(self.base_dir(), self.srv.config["appenddirname"])

    def fname(self) -> str:
        return self.srv.config["appendfilename"]

    def path(self, name: str) -> str:
        return os.path.join(self.dirpath(), name)

    def temp_rewrite_path(self, pid: int, bg: bool = True) -> str:
        return os.path.join(self.base_dir(), f"temp-rewriteaof-{'bg-' if bg else ''}{pid}.aof")

    @property
    def enabled(self) -> bool:
        return self.state != OFF

    @property
    def buffer_size(self) -> int:
        return sum(map(len, self.buf))

    # --- events ---------------------------------------------------------------------------
    def _fire(self, event: int, sub: int) -> None:
        mods = getattr(self.srv, "modules", None)
        if mods is not None and mods.has_subscribers(event):
            mods.fire(event, sub)

    # --- feeding (feedAppendOnlyFile) -----------------------------------------------------
    def _make_feed(self) -> Any:
        buf = self.buf
        me = self
        pack = _pack

        def feed(dbid: int, argvs: list[list[bytes]]) -> None:
            if not buf and not me.armed:
                me.arm()
            if me.ts_enabled:
                me.timestamp()
            if len(argvs) == 1:
                if dbid != me.selected_db:
                    buf.append(_select(dbid))
                    me.selected_db = dbid
                try:
                    buf.append(pack(tuple(argvs[0])))
                except TypeError:
                    buf.append(encode(argvs[0]))
                return
            me.feed_many(dbid, argvs)

        feed.propagation_target = "aof"  # type: ignore[attr-defined]  # module/propagation.py
        feed.target = "aof"  # type: ignore[attr-defined]  # scripting/core.py
        return feed

    def feed_many(self, dbid: int, argvs: list[list[bytes]]) -> None:
        """Several commands at once: a transaction the caller already wrapped (MULTI first,
        SELECT between databases), or several effects of one command, which Redis wraps in
        MULTI/EXEC (propagatePendingCommands). MULTI and EXEC go without SELECT; a command
        gets SELECT when its database is not the last one written."""
        if not argvs:
            return
        buf = self.buf
        first = argvs[0]
        wrap = not (len(first) == 1 and bytes(first[0]).upper() == b"MULTI")
        if wrap:
            buf.append(b"*1\r\n$5\r\nMULTI\r\n")
        cur = dbid
        for argv in argvs:
            name = bytes(argv[0]).upper() if argv else b""
            if len(argv) == 1 and name in (b"MULTI", b"EXEC"):
                buf.append(encode(argv))
                continue
            if len(argv) == 2 and name == b"SELECT":
                try:
                    cur = int(argv[1])
                except ValueError:
                    pass
                continue
            if cur != self.selected_db:
                buf.append(_select(cur))
                self.selected_db = cur
            buf.append(encode(argv))
        if wrap:
            buf.append(b"*1\r\n$4\r\nEXEC\r\n")

    def timestamp(self) -> None:
        """genAofTimestampAnnotationIfNeeded."""
        now = int(time.time())
        if self.cur_timestamp < now:
            self.cur_timestamp = now
            self.buf.append(b"#TS:%d\r\n" % now)

    def arm(self) -> None:
        """Have the buffer written at the end of this loop iteration (beforeSleep) for
        writes no reply will flush (expiry, timers, module threads)."""
        loop = self.srv.loop
        if loop is None or loop.is_closed():
            return
        self.armed = True
        try:
            if threading.current_thread() is self.srv.loop_thread:
                loop.call_soon(self._flush_cb)
            else:
                loop.call_soon_threadsafe(self._flush_cb)
        except RuntimeError:
            self.armed = False

    def _flush_cb(self) -> None:
        self.armed = False
        if not self.buf:
            return
        gil = self.srv.gil
        if gil is not None:
            with gil:
                self.write_buffer()
        else:
            self.write_buffer()

    def before_reply(self) -> None:
        """srv.before_reply while the AOF is on: the buffer goes to the file before any
        reply leaves (the connection calls this just before writing)."""
        if self.buf:
            self.write_buffer()

    def _install(self) -> None:
        if self.feed not in self.plist:
            self.plist.append(self.feed)
        self.srv.before_reply = self.before_reply

    def _uninstall(self) -> None:
        try:
            self.plist.remove(self.feed)
        except ValueError:
            pass
        if self.srv.before_reply == self.before_reply:
            self.srv.before_reply = None

    # --- writing (flushAppendOnlyFile) ----------------------------------------------------
    def write_buffer(self, force: bool = False) -> None:
        buf = self.buf
        if not buf:
            if self.fd >= 0 and self.last_incr_fsync_offset != self.last_incr_size:
                policy = self.policy
                if policy == "everysec" and _mstime() - self.last_fsync >= 1000 and not self.bio.pending_fsync:
                    self._try_fsync(policy)
                elif policy == "always":
                    self._try_fsync(policy)
            return
        fd = self.fd
        if fd < 0:
            buf.clear()
            return
        data = buf[0] if len(buf) == 1 else b"".join(buf)
        buf.clear()
        srv = self.srv
        sleep = srv.__dict__.get("aof_flush_sleep")  # DEBUG AOF-FLUSH-SLEEP
        if sleep:
            time.sleep(sleep / 1e6)
        monitor = srv.latency_threshold_us < 1 << 62
        t0 = time.perf_counter() if monitor else 0.0
        n = len(data)
        try:
            written = os.write(fd, data)
            err = 0
        except OSError as e:
            written, err = 0, e.errno or E.EIO
        if written != n and not err:
            written, err = self._write_rest(data, written)
        if monitor:
            self._latency("aof-write", t0)
        if written != n:
            self._write_failed(data, written, err, self.policy)
            return
        if self.last_write_status != "ok":
            srv.log.notice("AOF write error looks solved, Redis can write again.")
            self.last_write_status = "ok"
            self._update_write_guard()
        self.current_size += n
        self.last_incr_size += n
        self._try_fsync(self.policy)

    def _write_rest(self, data: bytes, total: int) -> tuple[int, int]:
        """aofWrite: a short write is retried; (bytes written, errno of the failure)."""
        fd = self.fd
        view = memoryview(data)
        n = len(data)
        while total < n:
            try:
                k = os.write(fd, view[total:])
            except OSError as e:
                return total, e.errno or E.EIO
            if k == 0:
                return total, E.ENOSPC
            total += k
        return total, 0

    def _write_failed(self, data: bytes, written: int, err: int, policy: str) -> None:
        srv = self.srv
        now = time.time()
        can_log = now - self.last_write_error_log > WRITE_LOG_ERROR_RATE
        if can_log:
            self.last_write_error_log = now
        if written == 0:
            if can_log:
                srv.log.warning(f"Error writing to the AOF file: {os.strerror(err)}")
            self.last_write_errno = err
        else:
            if can_log:
                srv.log.warning(f"Short write while writing to the AOF file: (nwritten={written}, "
                                f"expected={len(data)})")
            try:
                os.ftruncate(self.fd, self.last_incr_size)
                written = 0
            except OSError as e:
                if can_log:
                    srv.log.warning("Could not remove short write from the append-only file.  Redis may refuse "
                                    f"to load the AOF the next time it starts.  ftruncate: {e.strerror}")
            self.last_write_errno = E.ENOSPC
        if policy == "always":
            srv.log.warning("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...")
            os._exit(1)
        self.last_write_status = "err"
        if written > 0:
            self.current_size += written
            self.last_incr_size += written
        self.buf.insert(0, data[written:])  # kept for the next attempt
        self._update_write_guard()

    def _try_fsync(self, policy: str) -> None:
        srv = self.srv
        if policy == "no" or (self.no_fsync_on_rewrite and self.has_active_child()):
            return
        if policy == "always":
            t0 = time.perf_counter()
            try:
                os.fsync(self.fd)
            except OSError as e:
                srv.log.warning(f"Can't persist AOF for fsync error when the AOF fsync policy is 'always': "
                                f"{e.strerror}. Exiting...")
                os._exit(1)
            self._latency("aof-fsync-always", t0)
            self.last_incr_fsync_offset = self.last_incr_size
            self.last_fsync = _mstime()
        elif policy == "everysec":
            now = _mstime()
            if now - self.last_fsync >= 1000:
                if not self.bio.pending_fsync:
                    self.bio.submit("fsync", self.fd)
                    self.last_incr_fsync_offset = self.last_incr_size
                elif now - self.last_fsync >= 2000:
                    self.delayed_fsync += 1
                self.last_fsync = now

    def _latency(self, event: str, t0: float) -> None:
        ms = int((time.perf_counter() - t0) * 1000)
        if ms:
            from moredis.server.latency import add_sample_if_needed

            add_sample_if_needed(self.srv, event, ms)

    def _update_write_guard(self) -> None:
        """writeCommandsDeniedByDiskError's AOF case: MISCONF while writing or a
        background fsync fails (an RDB MISCONF, set by srv.rdb, takes precedence)."""
        srv = self.srv
        err = None
        if self.state != OFF:
            code = self.last_write_errno if self.last_write_status == "err" else self.bio.fsync_errno
            if code:
                err = MISCONF_AOF + os.strerror(code)
        cur = getattr(srv, "disk_write_error", None)
        if err is not None and (cur is None or cur.startswith(MISCONF_AOF)) and cur != err:
            srv.disk_write_error = err
            srv._recompute_guard()
        elif err is None and cur is not None and cur.startswith(MISCONF_AOF):
            srv.disk_write_error = None
            srv._recompute_guard()

    # --- manifest ---------------------------------------------------------------------------
    def persist_manifest(self, m: Manifest) -> bool:
        if not m.dirty:
            return True
        err = write_manifest(self.dirpath(), self.fname(), m)
        if err is not None:
            self.srv.log.warning(err)
            return False
        m.dirty = False
        return True

    def load_manifest_from_disk(self) -> None:
        """aofLoadManifestFromDisk: a missing directory or manifest is an empty one."""
        from moredis.server.admin import StartupError

        self.manifest = Manifest()
        d = self.dirpath()
        if not os.path.isdir(d):
            self.srv.log.debug(f"The AOF directory {self.srv.config['appenddirname']} doesn't exist")
            return
        name = manifest_name(self.fname())
        p = os.path.join(d, name)
        if not os.path.exists(p):
            self.srv.log.debug(f"The AOF manifest file {name} doesn't exist")
            return
        try:
            self.manifest = Manifest.read(p)
        except ManifestError as e:
            for line in e.log_lines():
                self.srv.log.warning(line)
            raise StartupError("bad AOF manifest") from None
        except OSError as e:
            self.srv.log.warning(f"Fatal error: can't open the AOF manifest file {p} for reading: {e.strerror}")
            raise StartupError("unreadable AOF manifest") from None

    def del_history_files(self) -> None:
        """aofDelHistoryFiles: history files are deleted in the background."""
        m = self.manifest
        if not m.history or self.srv.config.values.get("aof-disable-auto-gc"):
            return
        for ai in m.history:
            self.srv.log.notice(f"Removing the history file {ai.name} in the background")
            self.bio.submit("unlink", self.path(ai.name))
        m.history = []
        m.dirty = True
        self.persist_manifest(m)

    # --- start and stop (CONFIG SET appendonly) ------------------------------------------
    def _on_appendonly(self, v: bool) -> None:
        from moredis.server.config import ConfigError

        if not self.started:
            return  # start-up: load_at_startup reads the value
        if not v and self.state != OFF:
            self.stop()
        elif v and self.state == OFF:
            if not self.start():
                raise ConfigError("Unable to turn on AOF. Check server logs.")

    def _on_appendfsync(self, v: str) -> None:
        self.policy = v
        if v == "always":
            self.bio.drain()

    def _in_exec(self) -> bool:
        c = self.srv.current_client
        return c is not None and c.conn is not None and bool(c.deny_blocking) and not c.in_script

    def start(self) -> bool:
        """startAppendOnly: the first base comes from a rewrite; until it is done the AOF
        waits (WAIT_REWRITE) and writes collect in a temporary incr file."""
        srv = self.srv
        self.state = WAIT_REWRITE
        if self.other_child_active():
            self.scheduled = True
            srv.log.notice("AOF was enabled but there is already another background operation. An AOF "
                           "background was scheduled to start when possible.")
        elif self._in_exec():
            self.scheduled = True
            srv.log.notice("AOF was enabled during a transaction. An AOF background was scheduled to start "
                           "when possible.")
        else:
            if self.child_pid > 0:
                srv.log.notice("AOF was enabled but there is already an AOF rewriting in background. Stopping "
                               "background AOF and starting a rewrite now.")
                self.kill_child()
            if not self.rewrite_background():
                self.state = OFF
                srv.log.warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite "
                                "operation. Check the above logs for more info about the error.")
                return False
        self.last_fsync = _mstime()
        if self.bio.fsync_errno:
            srv.log.warning("AOF reopen, just ignore the AOF fsync error in bio job")
            self.bio.fsync_errno = 0
        if self.last_write_status == "err":
            srv.log.warning("AOF reopen, just ignore the last error.")
            self.last_write_status = "ok"
        self._update_write_guard()
        return True

    def stop(self) -> None:
        """stopAppendOnly: write and fsync what is buffered, close, kill a rewrite."""
        srv = self.srv
        self.write_buffer(force=True)
        if self.fd >= 0:
            self.bio.drain()
            try:
                os.fsync(self.fd)
                self.last_fsync = _mstime()
            except OSError as e:
                srv.log.warning(f"Fail to fsync the AOF file: {e.strerror}")
            try:
                os.close(self.fd)
            except OSError:
                pass
        self.fd = -1
        self.selected_db = -1
        self.state = OFF
        self.scheduled = False
        self.last_incr_size = 0
        self.last_incr_fsync_offset = 0
        self.kill_child()
        self.buf.clear()
        self._uninstall()
        self._update_write_guard()

    # --- rewriting ----------------------------------------------------------------------------
    def other_child_active(self) -> bool:
        srv = self.srv
        if getattr(srv, "child_pid", 0):
            return True
        rdbm = srv.rdb
        return rdbm is not None and rdbm.child_pid > 0

    def has_active_child(self) -> bool:
        return self.child_pid > 0 or self.other_child_active()

    def open_new_incr_for_append(self) -> bool:
        """openNewIncrAofForAppend: a new incr file (or, while waiting for the first
        base, the temporary one) takes the writes; the manifest names it first."""
        srv = self.srv
        if self.state == OFF:
            return True
        temp_m = None
        if self.state == WAIT_REWRITE:
            name = temp_incr_name(self.fname())
        else:
            temp_m = self.manifest.dup()
            name = temp_m.new_incr(self.fname())
        try:
            fd = os.open(self.path(name), os.O_WRONLY | os.O_TRUNC | os.O_CREAT | os.O_APPEND, 0o644)
        except OSError as e:
            srv.log.warning(f"Can't open the append-only file {name}: {e.strerror}")
            return False
        if temp_m is not None and not self.persist_manifest(temp_m):
            os.close(fd)
            return False
        srv.log.notice(f"Creating AOF incr file {name} on background rewrite")
        if self.fd >= 0:
            self.bio.submit("close", self.fd)
            self.last_fsync = _mstime()
        self.fd = fd
        self.last_incr_size = 0
        self.last_incr_fsync_offset = 0
        if temp_m is not None:
            self.manifest = temp_m
        return True

    def rewrite_to(self, final: str) -> bool:
        """rewriteAppendOnlyFile: the dataset into a temp file (fsynced), renamed to
        `final`. In the rewrite child or, at start-up, in the server itself."""
        srv = self.srv
        cfg = srv.config
        in_child = os.getpid() != srv.pid
        tmp = self.temp_rewrite_path(os.getpid(), bg=False)
        self._fire(K.EVENT_PERSISTENCE, K.SUBEVENT_PERSISTENCE_AOF_START if in_child
                   else K.SUBEVENT_PERSISTENCE_SYNC_AOF_START)
        try:
            f = open(tmp, "wb")  # noqa: SIM115
        except OSError as e:
            srv.log.warning(f"Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): {e.strerror}")
            self._fire(K.EVENT_PERSISTENCE, K.SUBEVENT_PERSISTENCE_FAILED)
            return False
        try:
            with f:
                if cfg["aof-use-rdb-preamble"]:
                    from moredis.persistence import rdb

                    rdb.write_rdb(srv, rdb.Sink(f, bool(cfg["rdbchecksum"])), aof_base=True)
                else:
                    aofrw.write_dataset(srv, f, bool(cfg["aof-timestamp-enabled"]), cfg["rdb-key-save-delay"])
                f.flush()
                os.fsync(f.fileno())
        except (OSError, RdbError) as e:
            srv.log.warning(f"Write error writing append only file on disk: {getattr(e, 'strerror', None) or e}")
            _unlink(tmp)
            self._fire(K.EVENT_PERSISTENCE, K.SUBEVENT_PERSISTENCE_FAILED)
            return False
        try:
            os.rename(tmp, final)
        except OSError as e:
            srv.log.warning(f"Error moving temp append only file on the final destination: {e.strerror}")
            _unlink(tmp)
            self._fire(K.EVENT_PERSISTENCE, K.SUBEVENT_PERSISTENCE_FAILED)
            return False
        self._fire(K.EVENT_PERSISTENCE, K.SUBEVENT_PERSISTENCE_ENDED)
        return True

    def rewrite_background(self) -> bool:
        """rewriteAppendOnlyFileBackground."""
        srv = self.srv
        if self.has_active_child():
            return False
        try:
            os.makedirs(self.dirpath(), exist_ok=True)
        except OSError as e:
            srv.log.warning(f"Can't open or create append-only dir {srv.config['appenddirname']}: {e.strerror}")
            self.last_bgrewrite_status = "err"
            return False
        self.selected_db = -1  # the next write starts with SELECT
        self.write_buffer(force=True)
        if not self.open_new_incr_for_append():
            self.last_bgrewrite_status = "err"
            return False
        if self.state == WAIT_REWRITE:
            self.bio.drain()
        self.rewrites += 1
        try:
            pid = os.fork()
        except OSError as e:
            self.last_bgrewrite_status = "err"
            srv.log.warning(f"Can't rewrite append only file in background: fork: {e.strerror}")
            return False
        if pid == 0:
            self._child_main()
        srv.log.notice(f"Background append only file rewriting started by pid {pid}")
        self.child_pid = pid
        self.scheduled = False
        self.rewrite_time_start = int(time.time())
        self._fire(K.EVENT_FORK_CHILD, K.SUBEVENT_FORK_CHILD_BORN)
        if self.state == WAIT_REWRITE:
            self._install()  # writes go to the temporary incr file while the child runs
        return True

    def _child_main(self) -> None:
        """The rewrite child: write the base, report through the exit code."""
        code = 1
        try:
            gc.disable()  # no collections touching every page (copy-on-write)
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, signal.SIG_DFL)
            try:
                signal.set_wakeup_fd(-1)
            except (ValueError, OSError):
                pass
            self.srv.log.role = "C"
            tmp = self.temp_rewrite_path(os.getpid())
            if self.rewrite_to(tmp):
                self.srv.log.notice(f"Successfully created the temporary AOF base file {os.path.basename(tmp)}")
                self.srv.log.notice("Fork CoW for AOF rewrite: current 0 MB, peak 0 MB, average 0 MB")
                code = 0
        except BaseException:
            code = 1
        finally:
            os._exit(code)

    def kill_child(self) -> None:
        """killAppendOnlyChild: SIGUSR1, wait, remove its temp files; not an error."""
        pid = self.child_pid
        if pid <= 0:
            return
        self.srv.log.notice(f"Killing running AOF rewrite child: {pid}")
        try:
            os.kill(pid, signal.SIGUSR1)
            os.waitpid(pid, 0)
        except OSError:
            pass
        self._remove_temp_files(pid)
        self.child_pid = -1
        self.rewrite_time_start = -1
        self._fire(K.EVENT_FORK_CHILD, K.SUBEVENT_FORK_CHILD_DIED)

    def _remove_temp_files(self, pid: int) -> None:
        """aofRemoveTempFile."""
        self.bio.submit("unlink", self.temp_rewrite_path(pid))
        self.bio.submit("unlink", self.temp_rewrite_path(pid, bg=False))

    def _del_temp_incr(self) -> None:
        name = temp_incr_name(self.fname())
        self.srv.log.notice(f"Removing the temp incr aof file {name} in the background")
        self.bio.submit("unlink", self.path(name))

    def reap(self) -> None:
        pid = self.child_pid
        if pid <= 0:
            return
        try:
            got, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            got, status = pid, 1 << 8
        if got == 0:
            return
        if os.WIFSIGNALED(status):
            self._child_done(0, os.WTERMSIG(status))
        else:
            self._child_done(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1, 0)

    def _child_done(self, code: int, sig: int) -> None:
        """backgroundRewriteDoneHandler."""
        srv = self.srv
        log = srv.log
        pid = self.child_pid
        if not sig and code == 0:
            log.notice("Background AOF rewrite terminated with success")
            self._install_new_base(pid)
        elif not sig:
            self.last_bgrewrite_status = "err"
            self.consecutive_failures += 1
            log.warning("Background AOF rewrite terminated with error")
        else:
            if sig != signal.SIGUSR1:
                self.last_bgrewrite_status = "err"
                self.consecutive_failures += 1
            log.warning(f"Background AOF rewrite terminated by signal {sig}")
        self._remove_temp_files(pid)
        if self.state == WAIT_REWRITE:  # the first base failed: start over later
            self.buf.clear()
            self._uninstall()
            if self.fd >= 0:
                self.bio.submit("close", self.fd)
                self.fd = -1
            self._del_temp_incr()
            self.scheduled = True
        self.rewrite_time_last = int(time.time()) - self.rewrite_time_start
        self.rewrite_time_start = -1
        self.child_pid = -1
        self._fire(K.EVENT_FORK_CHILD, K.SUBEVENT_FORK_CHILD_DIED)

    def _install_new_base(self, pid: int) -> None:
        """The success half of backgroundRewriteDoneHandler: rename the base (and the
        temporary incr file), history the old files, swap the manifest atomically."""
        srv = self.srv
        log = srv.log
        tmp = self.temp_rewrite_path(pid)
        tmp_name = os.path.basename(tmp)
        temp_m = self.manifest.dup()
        base_name = temp_m.new_base(self.fname(), _is_rdb(tmp))  # named after what the child wrote
        base_path = self.path(base_name)
        t0 = time.perf_counter()
        try:
            os.rename(tmp, base_path)
        except OSError as e:
            log.warning(f"Error trying to rename the temporary AOF base file {tmp_name} into {base_path}: "
                        f"{e.strerror}")
            self.last_bgrewrite_status = "err"
            self.consecutive_failures += 1
            return
        self._latency("aof-rename", t0)
        log.notice(f"Successfully renamed the temporary AOF base file {tmp_name} into {base_name}")
        incr_path = None
        if self.state == WAIT_REWRITE:
            temp_incr = temp_incr_name(self.fname())
            new_incr = temp_m.new_incr(self.fname())
            incr_path = self.path(new_incr)
            try:
                os.rename(self.path(temp_incr), incr_path)
            except OSError as e:
                log.warning(f"Error trying to rename the temporary AOF incr file {self.path(temp_incr)} into "
                            f"{incr_path}: {e.strerror}")
                self.bio.submit("unlink", base_path)
                self.last_bgrewrite_status = "err"
                self.consecutive_failures += 1
                return
            log.notice(f"Successfully renamed the temporary AOF incr file {temp_incr} into {new_incr}")
        temp_m.mark_rewritten_incr_as_history(keep_last=self.fd >= 0)
        if not self.persist_manifest(temp_m):
            self.bio.submit("unlink", base_path)
            if incr_path is not None:
                self.bio.submit("unlink", incr_path)
            self.last_bgrewrite_status = "err"
            self.consecutive_failures += 1
            return
        self.manifest = temp_m
        if self.state != OFF:
            try:
                base_size = os.path.getsize(base_path)
            except OSError:
                base_size = 0
            self.current_size = base_size + self.last_incr_size
            self.rewrite_base_size = self.current_size
        self.del_history_files()
        self.last_bgrewrite_status = "ok"
        self.consecutive_failures = 0
        log.notice("Background AOF rewrite finished successfully")
        if self.state == WAIT_REWRITE:
            self.state = ON

    def rewrite_limited(self) -> bool:
        """aofRewriteLimited: after 3 failures in a row, automatic and scheduled rewrites
        wait 1, 2, 4 ... up to 60 minutes (BGREWRITEAOF resets the count)."""
        if self.consecutive_failures < REWRITE_LIMIT_THRESHOLD:
            self.next_delay_minutes = 0
            self.next_rewrite_time = 0
            return False
        now = int(time.time())
        if self.next_rewrite_time:
            if now < self.next_rewrite_time:
                return True
            self.next_rewrite_time = 0
            return False
        self.next_delay_minutes = min(self.next_delay_minutes * 2 if self.next_delay_minutes else 1,
                                      REWRITE_LIMIT_MAX_MINUTES)
        self.next_rewrite_time = now + self.next_delay_minutes * 60
        self.srv.log.warning("Background AOF rewrite has repeatedly failed and triggered the limit, will retry "
                             f"in {self.next_delay_minutes} minutes")
        return True

    def bgrewriteaof_command(self, in_exec: bool) -> str:
        """bgrewriteaofCommand's decisions; the status reply."""
        if self.child_pid > 0:
            raise RedisError("ERR Background append only file rewriting already in progress")
        if self.has_active_child() or in_exec:
            self.scheduled = True
            self.consecutive_failures = 0
            return "Background append only file rewriting scheduled"
        if self.rewrite_background():
            return "Background append only file rewriting started"
        raise RedisError("ERR Can't execute an AOF background rewriting. Please check the server logs for more "
                         "information.")

    # --- cron ---------------------------------------------------------------------------------
    def cron(self) -> None:
        """serverCron's AOF part: reap the child, a scheduled or automatic rewrite, the
        everysec fsync of data written a while ago, retrying after a write error."""
        srv = self.srv
        if self.child_pid > 0:
            self.reap()
        if self.scheduled and not self.has_active_child() and not self.rewrite_limited():
            self.rewrite_background()
        cfg = srv.config
        perc = cfg["auto-aof-rewrite-percentage"]
        if (self.state == ON and perc and not self.has_active_child()
                and self.current_size > cfg["auto-aof-rewrite-min-size"]):
            base = self.rewrite_base_size or 1
            growth = self.current_size * 100 // base - 100
            if growth >= perc and not self.rewrite_limited():
                srv.log.notice(f"Starting automatic rewriting of AOF on {growth}% growth")
                self.rewrite_background()
        if self.state != OFF:
            self.write_buffer()
            self._update_write_guard()
        if self.plist is not srv.propagators and srv.current_client is None:
            self._adopt_list()

    def _adopt_list(self) -> None:
        """Someone replaced srv.propagators for good: move the feed over."""
        srv = self.srv
        had = self.feed in self.plist
        if had:
            self.plist.remove(self.feed)
        self.plist = srv.propagators
        if had and self.feed not in self.plist:
            self.plist.append(self.feed)

    # --- start-up ------------------------------------------------------------------------------
    def load_at_startup(self) -> None:
        """main()'s AOF steps: the manifest, the data when appendonly is yes (the RDB is
        not read then), the incr file opened for appending, history files deleted.
        StartupError when Redis would exit."""
        from moredis.server.admin import StartupError

        srv = self.srv
        self.started = True
        self.load_manifest_from_disk()
        if srv.config["appendonly"]:
            self.state = ON
            t0 = time.perf_counter()
            ret = self.load_files()
            if ret in (AOF_FAILED, AOF_OPEN_ERR):
                self.state = OFF
                raise StartupError("the AOF could not be loaded")
            if ret != AOF_NOT_EXIST:
                srv.log.notice("DB loaded from append only file: %.3f seconds" % (time.perf_counter() - t0))
            self.open_on_server_start()
        self.del_history_files()

    def open_on_server_start(self) -> None:
        """aofOpenIfNeededOnServerStart."""
        from moredis.server.admin import StartupError

        srv = self.srv
        d = self.dirpath()
        try:
            os.makedirs(d, exist_ok=True)
        except OSError as e:
            srv.log.warning(f"Can't open or create append-only dir {srv.config['appenddirname']}: {e.strerror}")
            raise StartupError("no AOF directory") from None
        m = self.manifest
        had_incr = bool(m.incr)
        if m.base is None and not m.incr:
            name = m.new_base(self.fname(), bool(srv.config["aof-use-rdb-preamble"]))
            if not self.rewrite_to(os.path.join(d, name)):
                raise StartupError("could not create the AOF base")
            srv.log.notice(f"Creating AOF base file {name} on server start")
        name = m.last_incr(self.fname())
        # a new incr file starts empty: a stale file of that name (a manifest that lost its
        # line) must not come back to life behind the writes (Redis only appends to it)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | (0 if had_incr else os.O_TRUNC)
        try:
            fd = os.open(os.path.join(d, name), flags, 0o644)
        except OSError as e:
            srv.log.warning(f"Can't open the append-only file {name}: {e.strerror}")
            raise StartupError("cannot open the AOF") from None
        if not self.persist_manifest(m):
            os.close(fd)
            raise StartupError("cannot write the AOF manifest")
        self.fd = fd
        self.last_incr_size = os.fstat(fd).st_size
        self.last_incr_fsync_offset = self.last_incr_size
        if had_incr:
            srv.log.notice(f"Opening AOF incr file {name} on server start")
        else:
            srv.log.notice(f"Creating AOF incr file {name} on server start")
        self._install()

    def _upgrade_if_needed(self) -> None:
        """aofUpgradePrepare: an old single-file AOF (<dir>/<appendfilename>) becomes the
        base of a new multi-part AOF."""
        from moredis.server.admin import StartupError

        srv = self.srv
        fname = self.fname()
        old = os.path.join(self.base_dir(), fname)
        if not os.path.isfile(old):
            return
        m = self.manifest
        d = self.dirpath()
        if not (not os.path.isdir(d) or m.empty()
                or (m.base is not None and not m.incr and m.base.name == fname
                    and not os.path.exists(self.path(fname)))):
            return
        try:
            os.makedirs(d, exist_ok=True)
        except OSError as e:
            srv.log.warning(f"Can't open or create append-only dir {srv.config['appenddirname']}: {e.strerror}")
            raise StartupError("no AOF directory") from None
        from moredis.persistence.manifest import BASE, AofInfo

        m.base = AofInfo(fname, 1, BASE)
        m.curr_base_seq = 1
        m.dirty = True
        if not self.persist_manifest(m):
            raise StartupError("cannot write the AOF manifest")
        try:
            os.rename(old, self.path(fname))
        except OSError as e:
            srv.log.warning(f"Error trying to move the old AOF file {fname} into dir "
                            f"{srv.config['appenddirname']}: {e.strerror}")
            raise StartupError("cannot move the old AOF") from None
        srv.log.notice(f"Successfully migrated an old-style AOF file ({fname}) into the AOF directory "
                       f"({srv.config['appenddirname']}).")

    # --- loading ----------------------------------------------------------------------------
    def load_files(self) -> int:
        """loadAppendOnlyFiles: the base then each incr file, as the manifest lists them."""
        self._upgrade_if_needed()
        return AofLoader(self).load_all()

    def debug_loadaof(self) -> bool:
        """DEBUG LOADAOF's work (the DEBUG command owns the reply): write what is buffered,
        empty the dataset, read the manifest again and replay the AOF with the feed
        detached (Redis turns the AOF off while loading). False when the load failed:
        Redis exits then."""
        from moredis.commands.server import flush_db
        from moredis.server.admin import StartupError

        srv = self.srv
        if self.state == ON:
            self.write_buffer(force=True)
        hooks = srv.module_hooks
        if hooks is not None:
            hooks.flushed(-1, start=True)
        for db in srv.dbs:
            flush_db(srv, db, events=False)
        if hooks is not None:
            hooks.flushed(-1)
        try:
            self.load_manifest_from_disk()
        except StartupError:
            return False
        self.del_history_files()
        attached = self.feed in self.plist
        if attached:
            self.plist.remove(self.feed)
        try:
            ret = self.load_files()
        finally:
            if attached:
                self.plist.append(self.feed)
        if ret not in (AOF_OK, AOF_EMPTY, AOF_NOT_EXIST, AOF_TRUNCATED):
            return False
        srv.dirty = 0
        srv.log.notice("Append Only File loaded by DEBUG LOADAOF")
        return True

    # --- shutdown ------------------------------------------------------------------------------
    def shutdown(self, force: bool = False) -> bool:
        """finishShutdown's AOF steps; False when the server must not exit (the first
        base is still being written)."""
        srv = self.srv
        if self.child_pid > 0:
            if self.state == WAIT_REWRITE:
                if not force:
                    srv.log.warning("Writing initial AOF, can't exit.")
                    return False
                srv.log.warning("Writing initial AOF. Exit anyway.")
            srv.log.warning("There is a child rewriting the AOF. Killing it!")
            self.kill_child()
        if self.state != OFF:
            srv.log.notice("Calling fsync() on the AOF file.")
            self.write_buffer(force=True)
            if self.fd >= 0:
                try:
                    os.fsync(self.fd)
                except OSError as e:
                    srv.log.warning(f"Fail to fsync the AOF file: {e.strerror}.")
        self.bio.drain()
        return True

    def close(self) -> None:
        """Release the file (an embedded server going away)."""
        if self.fd >= 0:
            self.write_buffer(force=True)
            self.bio.drain()
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = -1
        self._uninstall()

    # --- INFO --------------------------------------------------------------------------------
    def info_fields(self) -> list[tuple[str, Any]]:
        now = int(time.time())
        running = self.child_pid > 0
        f: list[tuple[str, Any]] = [
            ("aof_enabled", int(self.state != OFF)),
            ("aof_rewrite_in_progress", int(running)),
            ("aof_rewrite_scheduled", int(self.scheduled)),
            ("aof_last_rewrite_time_sec", self.rewrite_time_last),
            ("aof_current_rewrite_time_sec", now - self.rewrite_time_start if running else -1),
            ("aof_last_bgrewrite_status", self.last_bgrewrite_status),
            ("aof_rewrites", self.rewrites),
            ("aof_rewrites_consecutive_failures", self.consecutive_failures),
            ("aof_last_write_status", "ok" if self.last_write_status == "ok" and not self.bio.fsync_errno else "err"),
            ("aof_last_cow_size", 0),
        ]
        if self.srv.config["appendonly"]:
            f += [
                ("aof_current_size", self.current_size),
                ("aof_base_size", self.rewrite_base_size),
                ("aof_pending_rewrite", int(self.scheduled)),
                ("aof_buffer_length", self.buffer_size),
                ("aof_pending_bio_fsync", self.bio.pending_fsync),
                ("aof_delayed_fsync", self.delayed_fsync),
            ]
        return f


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _is_rdb(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(5) == b"REDIS"
    except OSError:
        return False
