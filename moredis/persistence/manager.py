"""The server's RDB side (`srv.rdb`): SAVE, BGSAVE in a forked child, save points,
the save FLUSHALL does, DEBUG RELOAD, loading the file at start-up, INFO persistence.

Files are written as rdb.c rdbSave does: into `temp-<pid>.rdb` in `dir`, flushed and
fsynced, then renamed over `dbfilename`, so a crash mid-save never damages the last good
file. BGSAVE forks (os.fork): the child writes the file and leaves with os._exit; the
parent keeps serving and reaps the child from the cron (checkChildrenDone), which also
runs the save points (`save <seconds> <changes> ...`) and a scheduled BGSAVE.
Paths are absolute (`dir` is kept absolute by the config), so several embedded servers
in one process never mix their files even though `dir` also chdirs.
Neighbours: rdb.py (the format), commands/persistence_cmd.py (SAVE, BGSAVE, DUMP,
RESTORE), server/server.py (creates it; prepare_shutdown calls save()), server/info.py.
"""

from __future__ import annotations

import gc
import os
import signal
import time
from typing import Any

from moredis.errors import RedisError
from moredis.module import constants as K
from moredis.persistence import rdb
from moredis.persistence.rdbio import RdbError

BGSAVE_RETRY_DELAY = 5  # CONFIG_BGSAVE_RETRY_DELAY
MISCONF = ("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. "
           "Commands that may modify the data set are disabled, because this instance is configured to report "
           "errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check "
           "the Redis logs for details about the RDB error.")


class LoadFailed(Exception):
    """The RDB file could not be loaded; the message is what the log says."""


class RdbManager:
    def __init__(self, srv: Any) -> None:
        self.srv = srv
        self.child_pid = -1
        self.child_start = 0
        self.dirty_before_bgsave = 0
        self.lastbgsave_try = 0
        self.last_bgsave_time = -1
        self.saves = 0
        self.scheduled = False
        self.aborted = False
        self.keys_loaded = 0
        self.keys_expired = 0
        self.loading_start = 0
        self.loading_total = 0
        self.loading_loaded = 0
        self.loading_used_mem = 0
        self.load_on_start = True  # embedded servers without a `dir` of their own skip it
        srv.cron_hooks.append(self.cron)
        for name in ("save", "stop-writes-on-bgsave-error"):
            srv.config.watch(name, lambda _v: self.update_write_guard())

    def update_write_guard(self) -> None:
        """writeCommandsDeniedByDiskError's RDB case: save points set, the last BGSAVE
        failed and stop-writes-on-bgsave-error: writes (and PING) get MISCONF."""
        srv = self.srv
        cfg = srv.config
        err = MISCONF if (cfg["stop-writes-on-bgsave-error"] and cfg["save"]
                          and srv.lastbgsave_status == "err") else None
        if err != getattr(srv, "disk_write_error", None):
            srv.disk_write_error = err
            srv._recompute_guard()

    # --- paths --------------------------------------------------------------------------
    def dir(self) -> str:
        return self.srv.config["dir"] or os.getcwd()

    @staticmethod
    def _cwd() -> str:
        try:
            return os.getcwd()
        except OSError:
            return "unknown"

    def path(self) -> str:
        return os.path.join(self.dir(), self.srv.config["dbfilename"])

    def temp_path(self, pid: int) -> str:
        return os.path.join(self.dir(), f"temp-{pid}.rdb")

    # --- events -----------------------------------------------------------------------
    def _fire(self, event: int, sub: int, data: Any = None) -> None:
        mods = getattr(self.srv, "modules", None)
        if mods is not None and mods.has_subscribers(event):
            mods.fire(event, sub, data)

    # --- writing ------------------------------------------------------------------------
    def write_file(self, path: str, aof_base: bool = False) -> int:
        """rdbSaveInternal: the dataset into `path` (fsynced); the key count. OSError or
        RdbError on failure, with the partial file removed."""
        srv = self.srv
        try:
            f = open(path, "wb")  # noqa: SIM115
        except OSError as e:
            srv.log.warning(f"Failed opening the temp RDB file {os.path.basename(path)} (in server root dir "
                            f"{self._cwd()}) for saving: {e.strerror}")
            raise
        try:
            with f:
                sink = rdb.Sink(f, bool(srv.config["rdbchecksum"]))
                keys = rdb.write_rdb(srv, sink, aof_base=aof_base)
                f.flush()
                os.fsync(f.fileno())
        except (OSError, RdbError) as e:
            srv.log.warning(f"Write error while saving DB to the disk(rdbSaveRio): {getattr(e, 'strerror', None) or e}")
            try:
                os.unlink(path)
            except OSError:
                pass
            raise
        return keys

    def _save_and_rename(self, pid: int) -> None:
        tmp = self.temp_path(pid)
        self.write_file(tmp)
        final = self.path()
        try:
            os.rename(tmp, final)
        except OSError as e:
            self.srv.log.warning(f"Error moving temp DB file {os.path.basename(tmp)} on the final destination "
                                 f"{os.path.basename(final)} (in server root dir {self._cwd()}): {e.strerror}")
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        try:
            fd = os.open(self.dir(), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError:
            pass

    def save(self) -> None:
        """rdbSave in the server process (SAVE, SHUTDOWN, FLUSHALL, DEBUG RELOAD). A BGSAVE
        child still running is killed first, as finishShutdown does. Raises on failure."""
        srv = self.srv
        if self.child_pid > 0:
            srv.log.warning("There is a child saving an .rdb. Killing it!")
            self.kill_child(wait=True)
        self._fire(K.EVENT_PERSISTENCE, K.SUBEVENT_PERSISTENCE_SYNC_RDB_START)
        try:
            self._save_and_rename(os.getpid())
        except (OSError, RdbError):
            self._fire(K.EVENT_PERSISTENCE, K.SUBEVENT_PERSISTENCE_FAILED)
            raise
        srv.log.notice("DB saved on disk")
        srv.dirty = 0
        srv.lastsave = int(time.time())
        srv.lastbgsave_status = "ok"
        self.update_write_guard()
        self._fire(K.EVENT_PERSISTENCE, K.SUBEVENT_PERSISTENCE_ENDED)

    def save_command(self) -> None:
        """SAVE: refuses while a BGSAVE runs; any failure is a bare ERR (shared.err)."""
        if self.child_pid > 0:
            raise RedisError("ERR Background save already in progress")
        self.saves += 1
        try:
            self.save()
        except (OSError, RdbError):
            raise RedisError("ERR") from None

    # --- background saving ------------------------------------------------------------
    def in_progress(self) -> bool:
        return self.child_pid > 0

    def bgsave(self) -> bool:
        """rdbSaveBackground: fork a child that writes the file; False if fork failed."""
        srv = self.srv
        if self.child_pid > 0 or self.other_child():
            return False
        self.saves += 1
        self.dirty_before_bgsave = srv.dirty
        self.lastbgsave_try = int(time.time())
        try:
            pid = os.fork()
        except OSError as e:
            srv.lastbgsave_status = "err"
            self.update_write_guard()
            srv.log.warning(f"Can't save in background: fork: {e.strerror}")
            return False
        if pid == 0:  # the child: write, rename, leave without running any cleanup
            code = 1
            try:
                gc.disable()  # no collections touching every page (copy-on-write)
                srv.log.role = "C"
                self._fire(K.EVENT_PERSISTENCE, K.SUBEVENT_PERSISTENCE_RDB_START)  # in the child, as Redis
                self._save_and_rename(os.getpid())
                srv.log.notice("DB saved on disk")
                self._fire(K.EVENT_PERSISTENCE, K.SUBEVENT_PERSISTENCE_ENDED)
                srv.log.notice("Fork CoW for RDB: current 0 MB, peak 0 MB, average 0 MB")
                code = 0
            except BaseException:  # the exit code is the report
                try:
                    self._fire(K.EVENT_PERSISTENCE, K.SUBEVENT_PERSISTENCE_FAILED)
                except BaseException:
                    pass
                code = 1
            finally:
                os._exit(code)
        srv.log.notice(f"Background saving started by pid {pid}")
        self._fire(K.EVENT_FORK_CHILD, K.SUBEVENT_FORK_CHILD_BORN)
        self.child_pid = pid
        self.child_start = int(time.time())
        self.aborted = False
        return True

    def other_child(self) -> bool:
        """hasActiveChildProcess for children that are not ours (a module's fork, an AOF
        rewrite)."""
        srv = self.srv
        if getattr(srv, "child_pid", 0):
            return True
        aof = srv.aof
        return aof is not None and getattr(aof, "child_pid", -1) > 0

    def bgsave_command(self, schedule: bool, in_exec: bool) -> str:
        """bgsaveCommand's decisions; returns the status reply."""
        if self.child_pid > 0:
            raise RedisError("ERR Background save already in progress")
        if in_exec or self.other_child():
            if schedule or in_exec:
                self.scheduled = True
                return "Background saving scheduled"
            raise RedisError("ERR Another child process is active (AOF?): can't BGSAVE right now. "
                             "Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")
        if self.bgsave():
            return "Background saving started"
        raise RedisError("ERR")

    def kill_child(self, wait: bool = False) -> None:
        """killRDBChild: SIGUSR1, the child's temp file removed; the parent does not take
        the result as an error."""
        pid = self.child_pid
        if pid <= 0:
            return
        try:
            os.kill(pid, signal.SIGUSR1)
        except OSError:
            pass
        self.aborted = True
        if wait:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            self._child_done(pid, 0, signal.SIGUSR1)

    def _child_done(self, pid: int, code: int, sig: int) -> None:
        """backgroundSaveDoneHandlerDisk."""
        srv = self.srv
        now = int(time.time())
        if self.aborted:
            sig = signal.SIGUSR1
        if not sig and code == 0:
            srv.log.notice("Background saving terminated with success")
            srv.dirty = srv.dirty - self.dirty_before_bgsave
            srv.lastsave = now
            srv.lastbgsave_status = "ok"
        elif not sig:
            srv.log.warning("Background saving error")
            srv.lastbgsave_status = "err"
        else:
            srv.log.warning(f"Background saving terminated by signal {sig}")
            try:
                os.unlink(self.temp_path(pid))
            except OSError:
                pass
            if sig != signal.SIGUSR1:
                srv.lastbgsave_status = "err"
        self.last_bgsave_time = now - self.child_start
        self.child_pid = -1
        self.aborted = False
        self.update_write_guard()
        self._fire(K.EVENT_FORK_CHILD, K.SUBEVENT_FORK_CHILD_DIED)

    def reap(self) -> None:
        pid = self.child_pid
        if pid <= 0:
            return
        try:
            got, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            self._child_done(pid, 1, 0)
            return
        if got == 0:
            return
        if os.WIFSIGNALED(status):
            self._child_done(pid, 0, os.WTERMSIG(status))
        else:
            self._child_done(pid, os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1, 0)

    def cron(self) -> None:
        """serverCron's persistence part: reap the child, then a scheduled BGSAVE or
        the first save point reached."""
        if self.child_pid > 0:
            self.reap()
            return
        srv = self.srv
        if self.other_child():
            return
        if self.scheduled:
            self.scheduled = False
            self.bgsave()
            return
        points = srv.config["save"]
        if not points:
            return
        now = int(time.time())
        for seconds, changes in points:
            if (srv.dirty >= changes and now - srv.lastsave > seconds
                    and (now - self.lastbgsave_try > BGSAVE_RETRY_DELAY or srv.lastbgsave_status == "ok")):
                srv.log.notice(f"{changes} changes in {seconds} seconds. Saving...")
                self.bgsave()
                break

    def save_after_flushall(self) -> None:
        """flushAllDataAndResetRDB: with save points set, an empty dataset goes to disk
        at once (a running BGSAVE is killed first); dirty ends at 1 so FLUSHALL still
        propagates."""
        srv = self.srv
        if self.child_pid > 0:
            self.kill_child(wait=True)
        try:
            self.save()
        except (OSError, RdbError):
            pass
        srv.dirty += 1
        c = srv.current_client
        if c is not None and c.argv and srv.prop_override is None:
            srv.rewrite_propagation([list(c.argv)])

    # --- loading ------------------------------------------------------------------------
    def load_file(self, path: str, allow_dup: bool = False, startup: bool = False) -> rdb.LoadStats | None:
        """rdbLoad: None when the file does not exist; LoadFailed (message logged) when it
        cannot be loaded, in which case nothing of it was installed."""
        srv = self.srv
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return None
        except OSError as e:
            msg = f"Fatal error: can't open the RDB file {os.path.basename(path)} for reading: {e.strerror}"
            srv.log.warning(msg)
            raise LoadFailed(msg) from None
        self.loading_start = int(time.time())
        self.loading_total = len(data)
        self.loading_loaded = 0
        self.keys_loaded = self.keys_expired = 0
        was = srv.loading
        srv.loading = True
        self._fire(K.EVENT_LOADING, K.SUBEVENT_LOADING_RDB_START)
        ok = False
        try:
            stats = rdb.load_rdb(srv, data, allow_dup=allow_dup, progress=self._progress)
            ok = True
        except RdbError as e:
            msg = str(e)
            if msg == "unexpected end of data":
                msg = "Short read or OOM loading DB. Unrecoverable error, aborting now."
            srv.log.warning(msg)
            raise LoadFailed(msg) from None
        finally:
            srv.loading = was
            self._fire(K.EVENT_LOADING, K.SUBEVENT_LOADING_ENDED if ok else K.SUBEVENT_LOADING_FAILED)
        self.loading_loaded = len(data)
        self.keys_loaded = stats.keys_loaded
        self.keys_expired = stats.keys_expired
        try:
            self.loading_used_mem = int(stats.aux.get(b"used-mem", b"0"))
        except ValueError:
            self.loading_used_mem = 0
        return stats

    def _progress(self, pos: int, total: int) -> None:
        self.loading_loaded = pos
        if total >= 16 << 20:
            self.srv.log.notice("Loading RDB: %.2f%% done" % (100.0 * pos / total))
        mods = getattr(self.srv, "modules", None)
        if mods is not None and hasattr(mods, "fire_loading_progress"):
            mods.fire_loading_progress(K.SUBEVENT_LOADING_PROGRESS_RDB, pos * 1024 // max(total, 1))

    def load_at_startup(self) -> None:
        """loadDataFromDisk for RDB: the file in dir/dbfilename, if any. A file that
        cannot be loaded stops the server (StartupError), as Redis exits."""
        from moredis.server.admin import StartupError

        srv = self.srv
        if srv.config["appendonly"] or not self.load_on_start:
            return  # the AOF is the source of truth then
        t0 = time.perf_counter()
        try:
            stats = self.load_file(self.path(), startup=True)
        except LoadFailed:
            srv.log.warning("Fatal error loading the DB, check server logs. Exiting.")
            raise StartupError("the RDB file could not be loaded") from None
        if stats is not None:
            srv.log.notice("DB loaded from disk: %.3f seconds" % (time.perf_counter() - t0))
            srv.dirty = 0

    def debug_reload(self, merge: bool = False, flush: bool = True, save: bool = True) -> None:
        """DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save (unless NOSAVE), empty the
        dataset (unless NOFLUSH), load the file back (MERGE lets its keys replace
        existing ones). Raises RedisError with Redis's replies on failure."""
        from moredis.commands.server import flush_db

        srv = self.srv
        if save:
            try:
                self.save()
            except (OSError, RdbError):
                raise RedisError("ERR") from None
        if flush:  # emptyData: the keys and the function libraries, one FlushDB event pair
            hooks = srv.module_hooks
            if hooks is not None:
                hooks.flushed(-1, start=True)
            for db in srv.dbs:
                flush_db(srv, db, events=False)
            if hooks is not None:
                hooks.flushed(-1)
            sc = getattr(srv, "scripting", None)
            if sc is not None:
                sc.fn.flush()
        try:
            stats = self.load_file(self.path(), allow_dup=merge)
        except LoadFailed:
            stats = None
        if stats is None:
            raise RedisError("ERR Error trying to load the RDB dump, check server logs.")
        srv.log.notice("DB reloaded by DEBUG RELOAD")

    # --- INFO ----------------------------------------------------------------------------
    def info_fields(self) -> list[tuple[str, Any]]:
        now = int(time.time())
        running = self.child_pid > 0
        f: list[tuple[str, Any]] = [
            ("rdb_bgsave_in_progress", int(running)),
            ("rdb_last_bgsave_time_sec", self.last_bgsave_time),
            ("rdb_current_bgsave_time_sec", now - self.child_start if running else -1),
            ("rdb_saves", self.saves),
            ("rdb_last_load_keys_expired", self.keys_expired),
            ("rdb_last_load_keys_loaded", self.keys_loaded),
        ]
        if self.srv.loading:
            total = self.loading_total or 1
            done = self.loading_loaded
            elapsed = max(now - self.loading_start, 0)
            eta = int((total - done) / (done / elapsed)) if done and elapsed else 1
            f += [
                ("loading_start_time", self.loading_start),
                ("loading_total_bytes", self.loading_total),
                ("loading_rdb_used_mem", self.loading_used_mem),
                ("loading_loaded_bytes", done),
                ("loading_loaded_perc", "%.2f" % (100.0 * done / total)),
                ("loading_eta_seconds", eta),
            ]
        return f


def ensure(srv: Any) -> RdbManager:
    """srv.rdb, created on first use for servers built without one (tests' harness)."""
    m = srv.rdb
    if m is None:
        m = srv.rdb = RdbManager(srv)
    return m

