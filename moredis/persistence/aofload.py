"""Loading the AOF into the server (aof.c loadAppendOnlyFiles / loadSingleAppendOnlyFile).

The files the manifest lists (base first, then each incr file) are replayed in order by
a connection-less client, the way Redis's AOF client runs them: command handlers are
called directly (no ACL, no stats, no propagation, nothing blocks), MULTI queues until
EXEC, an error reply is only logged ("== CRITICAL == ..."). A base (or an old
preamble file) starting with "REDIS" is loaded with rdb.load_rdb first. The server is
`loading` meanwhile (keys do not expire, commands that check for it behave as during
Redis's loading) and modules see the Loading and LoadingProgress events.

Outcomes and their log lines are Redis's: a short read in the last file is truncated
away when aof-load-truncated is yes (the torn command, or the whole open transaction),
anything else refuses the load, and the server does not start.
Neighbours: aof.py (owner, srv.aof), aofread.py (parsing), rdb.py.
"""

from __future__ import annotations

import os
import time
from typing import Any

from moredis.errors import RedisError
from moredis.module import constants as K
from moredis.persistence import rdb
from moredis.persistence.aofread import AofFormatError, AofTruncated, iter_commands, rdb_end_safe
from moredis.persistence.rdbio import RdbError

AOF_OK, AOF_NOT_EXIST, AOF_EMPTY, AOF_OPEN_ERR, AOF_FAILED, AOF_TRUNCATED = range(6)
CLIENT_ID_AOF = (1 << 64) - 1


class AofLoader:
    def __init__(self, aof: Any) -> None:
        self.aof = aof
        self.srv = aof.srv
        self.total = 0
        self.done_before = 0  # bytes of the files already loaded
        self.next_event = 0.0
        self.cmd_name = ""
        self.client: Any = None

    # --- loading state --------------------------------------------------------------------
    def _fire_loading(self, sub: int) -> None:
        mods = getattr(self.srv, "modules", None)
        if mods is None:
            return
        if hasattr(mods, "fire_loading"):
            mods.fire_loading(sub)
        elif mods.has_subscribers(K.EVENT_LOADING):
            mods.fire(K.EVENT_LOADING, sub)

    def _progress(self, loaded: int, sub: int = K.SUBEVENT_LOADING_PROGRESS_AOF) -> None:
        """loadingAbsProgress + processModuleLoadingProgressEvent (at most hz a second)."""
        srv = self.srv
        rdbm = srv.rdb
        if rdbm is not None:
            rdbm.loading_loaded = loaded
        now = time.monotonic()
        if now < self.next_event:
            return
        self.next_event = now + 1.0 / max(srv.hz, 1)
        mods = getattr(srv, "modules", None)
        if mods is not None and hasattr(mods, "fire_loading_progress"):
            mods.fire_loading_progress(sub, loaded * 1024 // max(self.total, 1))

    def _start_loading(self, total: int) -> bool:
        srv = self.srv
        was = srv.loading
        srv.loading = True
        srv._recompute_guard()
        rdbm = srv.rdb
        if rdbm is not None:
            rdbm.loading_start = int(time.time())
            rdbm.loading_total = total
            rdbm.loading_loaded = 0
            rdbm.keys_loaded = rdbm.keys_expired = 0
        self._fire_loading(K.SUBEVENT_LOADING_AOF_START)
        return was

    def _stop_loading(self, was: bool, ok: bool) -> None:
        srv = self.srv
        srv.loading = was
        srv._recompute_guard()
        self._fire_loading(K.SUBEVENT_LOADING_ENDED if ok else K.SUBEVENT_LOADING_FAILED)

    # --- the fake client ------------------------------------------------------------------
    def _make_client(self) -> Any:
        from moredis.protocol.writer import CaptureWriter

        srv = self.srv
        c = srv.new_client(None, CaptureWriter(2, self._on_error))
        c.id = CLIENT_ID_AOF  # what modules see (RM_IsAOFClient)
        c.authenticated = True
        c.deny_blocking = True  # CLIENT_DENY_BLOCKING: the AOF client never blocks
        c.refresh_guard()
        return c

    def _on_error(self, msg: str) -> None:
        """afterErrorReply for the AOF client: the error only goes to the log."""
        text = msg[4:] if msg.startswith("ERR ") else msg
        self.srv.log.warning(f"== CRITICAL == This server is sending an error to its AOF-loading-client: "
                             f"'{text}' after processing the command '{self.cmd_name}'")

    def _run_one(self, c: Any, cmd: Any, argv: list[bytes]) -> None:
        srv = self.srv
        self.cmd_name = cmd.fullname
        n, a = len(argv), cmd.arity
        if (a > 0 and n != a) or n < -a:
            c.w.error(f"ERR wrong number of arguments for '{cmd.fullname}' command")
            return
        c.cmd = cmd
        c.argv = argv
        c.last_cmd = cmd
        prev, prev_exec = srv.current_client, srv.executing_client
        srv.current_client = srv.executing_client = c
        try:
            cmd.handler(c, argv)
        except RedisError as e:
            c.w.error(e.message)
        except Exception as e:  # a bug must not stop the load
            c.w.error(f"ERR internal error in '{cmd.fullname}': {type(e).__name__}: {e}")
        finally:
            srv.current_client, srv.executing_client = prev, prev_exec

    def _run(self, c: Any, cmd: Any, argv: list[bytes]) -> None:
        if cmd.fullname == "exec" and c.multi is not None:
            queued = c.multi  # execCommand's loop, without call()'s bookkeeping
            c.multi = None
            c.multi_error = False
            c.refresh_guard()
            for qcmd, qargv in queued:
                self._run_one(c, qcmd, qargv)
            return
        self._run_one(c, cmd, argv)

    def _lookup(self, argv: list[bytes]) -> Any:
        """lookupCommand: an unknown subcommand is an unknown command."""
        cmd = self.srv.lookup_command(argv)
        if cmd is not None and cmd.subcommands is not None and len(argv) > 1:
            return None
        return cmd

    # --- files ------------------------------------------------------------------------------
    def load_all(self) -> int:
        """loadAppendOnlyFiles."""
        aof = self.aof
        log = self.srv.log
        m = aof.manifest
        if m.empty():
            return AOF_NOT_EXIST
        files = ([m.base] if m.base is not None else []) + list(m.incr)
        sizes = []
        for ai in files:
            try:
                sizes.append(os.stat(aof.path(ai.name)).st_size)
            except OSError as e:
                log.warning(f"Unable to obtain the AOF file {ai.name} length. stat: {e.strerror}")
                return AOF_FAILED if isinstance(e, FileNotFoundError) else AOF_OPEN_ERR
        total = self.total = sum(sizes)
        if total == 0:
            return AOF_EMPTY
        was = self._start_loading(total)
        ok = False
        self.client = self._make_client()
        try:
            ret = AOF_OK
            base_size = 0
            for idx, ai in enumerate(files):
                last = idx == len(files) - 1
                is_base = ai is m.base
                if is_base:
                    base_size = sizes[idx]
                t0 = time.perf_counter()
                ret = self.load_single(ai.name, last)
                if ret == AOF_OK or (ret == AOF_TRUNCATED and last):
                    log.notice("DB loaded from %s file %s: %.3f seconds"
                               % ("base" if is_base else "incr", ai.name, time.perf_counter() - t0))
                if not is_base and ret == AOF_EMPTY:
                    ret = AOF_OK
                if ret == AOF_TRUNCATED and not last:
                    ret = AOF_FAILED
                    log.warning("Fatal error: the truncated file is not the last file")
                if ret in (AOF_OPEN_ERR, AOF_FAILED):
                    return ret
                self.done_before += sizes[idx]
            aof.current_size = total
            aof.rewrite_base_size = base_size
            ok = True
            return ret
        finally:
            self.srv.free_client(self.client)
            self._stop_loading(was, ok)

    def _rdb_part_end(self, data: bytes, old_style: bool) -> int | None:
        """Where the RDB part ends. A base file Redis 7 writes is a whole RDB ending with
        the EOF opcode and the checksum: that is taken as is; anything else (an old
        preamble file with its command tail) is walked to find the end."""
        if not old_style and len(data) >= 9 and data[-9] == rdb.OP_EOF:
            return len(data)
        return rdb_end_safe(data, self.srv)

    def load_single(self, name: str, last: bool) -> int:
        """loadSingleAppendOnlyFile."""
        aof = self.aof
        srv = self.srv
        log = srv.log
        path = aof.path(name)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError as e:
            log.warning(f"The append log file {name} doesn't exist: {e.strerror}")
            return AOF_NOT_EXIST
        except OSError as e:
            log.warning(f"Fatal error: can't open the append log file {name} for reading: {e.strerror}")
            return AOF_OPEN_ERR
        if not data:
            return AOF_EMPTY
        pos = 0
        old_style = name == aof.fname()
        if data[:5] == b"REDIS":
            log.notice("Reading RDB preamble from AOF file..." if old_style
                       else "Reading RDB base file on AOF loading...")
            end = self._rdb_part_end(data, old_style)
            base = self.done_before
            try:
                part = data if end is None or end == len(data) else data[:end]
                stats = rdb.load_rdb(srv, part, aof_preamble=True,
                                     progress=lambda p, _t: self._progress(base + p, K.SUBEVENT_LOADING_PROGRESS_RDB))
            except RdbError as e:
                msg = str(e)
                if msg == "unexpected end of data":
                    msg = "Short read or OOM loading DB. Unrecoverable error, aborting now."
                log.warning(msg)
                log.warning(f"Error reading the RDB preamble of the AOF file {name}, AOF loading aborted" if old_style
                            else f"Error reading the RDB base file {name}, AOF loading aborted")
                return AOF_FAILED
            rdbm = srv.rdb
            if rdbm is not None:
                rdbm.keys_loaded = stats.keys_loaded
                rdbm.keys_expired = stats.keys_expired
            pos = len(data) if end is None else end
            self._progress(base + pos)
            if old_style:
                log.notice("Reading the remaining AOF tail...")
        return self._replay(data, pos, name, path, last)

    def _replay(self, data: bytes, pos: int, name: str, path: str, last: bool) -> int:
        srv = self.srv
        log = srv.log
        cfg = srv.config
        c = self.client
        base = self.done_before
        delay = cfg["key-load-delay"]
        pause = delay / 1e6 if delay > 0 else 0.0
        valid_up_to = pos  # Redis starts at 0 even after an RDB preamble; this keeps the preamble
        valid_before_multi = pos
        truncated = False
        loops = 0
        try:
            for argv, end in iter_commands(data, pos):
                loops += 1
                if not loops & 1023:
                    self._progress(base + end)
                    c.w.replies.clear()
                cmd = self._lookup(argv)
                if cmd is None:
                    shown = argv[0].split(b"\x00", 1)[0].decode("utf-8", "replace")  # a C string
                    log.warning(f"Unknown command '{shown}' reading the append only file {name}")
                    return AOF_FAILED
                if cmd.fullname == "multi":
                    valid_before_multi = valid_up_to
                if c.multi is not None and cmd.fullname != "exec":
                    c.multi.append((cmd, argv))
                else:
                    self._run(c, cmd, argv)
                valid_up_to = end
                if pause:
                    time.sleep(pause)
            if c.multi is not None:
                log.warning(f"Revert incomplete MULTI/EXEC transaction in AOF file {name}")
                valid_up_to = valid_before_multi
                truncated = True
        except AofTruncated:
            if c.multi is not None:  # the open transaction goes with the torn command
                valid_up_to = valid_before_multi
            truncated = True
        except AofFormatError:
            log.warning(f"Bad file format reading the append only file {name}: make a backup of your AOF file, "
                        "then use ./redis-check-aof --fix <filename.manifest>")
            return AOF_FAILED
        finally:
            if c.multi is not None:
                c.multi = None
                c.refresh_guard()
            c.w.replies.clear()
        if not truncated:
            self._progress(base + len(data))
            return AOF_OK
        if cfg["aof-load-truncated"]:
            log.warning(f"!!! Warning: short read while loading the AOF file {name}!!!")
            if not last:
                return AOF_TRUNCATED  # refused by the caller, the file left as it is
            log.warning(f"!!! Truncating the AOF {name} at offset {valid_up_to} !!!")
            try:
                os.truncate(path, valid_up_to)
            except OSError as e:
                log.warning(f"Error truncating the AOF file {name}: {e.strerror}")
            else:
                log.warning(f"AOF {name} loaded anyway because aof-load-truncated is enabled")
                self._progress(base + len(data))
                return AOF_TRUNCATED
        log.warning(f"Unexpected end of file reading the append only file {name}. You can: 1) Make a backup of "
                    "your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can "
                    "set the 'aof-load-truncated' configuration option to yes and restart the server.")
        return AOF_FAILED
