"""A client: connection state that commands read and change (server.h `client`).

The same class serves network connections and internal callers (scripts, modules,
AOF loading): those have no transport and usually a CaptureWriter. Contract:
- `w` is the reply writer for the client's protocol; `out` is what it appends to.
- `db` is the selected Database.
- `guard` is True whenever something needs the slow path of dispatch (not authenticated,
  in MULTI, subscribed under RESP2, CLIENT REPLY OFF/SKIP, NO-TOUCH, restricted ACL user,
  tracking); `refresh_guard()` recomputes it after any of those change.
"""

from __future__ import annotations

import time
from typing import Any

from moredis.protocol.writer import Resp2Writer, Resp3Writer, Writer

# client type classes, for CLIENT LIST TYPE / KILL TYPE and output buffer limits
NORMAL, REPLICA, PUBSUB, MASTER = "normal", "replica", "pubsub", "master"


class Client:
    __slots__ = (
        "addr",
        "argv",
        "authenticated",
        "blocked",
        "channels",
        "close_after_reply",
        "closing",
        "cmd",
        "commands_processed",
        "conn",
        "created",
        "cur_cmd_start",
        "db",
        "deny_blocking",
        "dirty_cas",
        "fd",
        "flags_extra",
        "guard",
        "id",
        "in_script",
        "is_fake",
        "is_master",
        "is_monitor",
        "is_replica",
        "kind",
        "laddr",
        "last_cmd",
        "last_interaction",
        "lib_name",
        "lib_ver",
        "multi",
        "multi_error",
        "name",
        "net_in",
        "net_out",
        "no_evict",
        "no_touch",
        "out",
        "patterns",
        "pending_push",
        "reblock_deadline",
        "reply_bytes",
        "reply_mode",
        "resp",
        "shard_channels",
        "srv",
        "tracking",
        "unix",
        "user",
        "user_data",
        "w",
        "watched",
    )

    def __init__(self, srv: Any, cid: int, conn: Any = None, writer: Writer | None = None) -> None:
        self.id = cid
        self.srv = srv
        self.conn = conn  # server/connection.Connection or None for internal clients
        self.out: list = []
        self.resp = 2
        self.w: Writer = writer if writer is not None else Resp2Writer(self.out, srv.record_error)
        if writer is not None:
            self.out = writer.out
            self.resp = writer.resp
        self.db = srv.dbs[0]
        self.name: bytes | None = None
        self.lib_name = b""
        self.lib_ver = b""
        self.addr = ""
        self.laddr = ""
        self.fd = -1
        self.unix = False
        self.authenticated = not srv.auth_required
        self.user = srv.acl.default_user if srv.acl is not None else None
        now = time.time()
        self.created = now
        self.last_interaction = now
        self.multi: list | None = None  # queued (cmd, argv) while in MULTI
        self.multi_error = False
        self.dirty_cas = False
        self.watched: list[tuple[Any, bytes]] = []
        self.channels: set[bytes] = set()
        self.patterns: set[bytes] = set()
        self.shard_channels: set[bytes] = set()
        self.blocked: Any = None
        self.reply_mode = "on"  # on, off, skip, skip-next
        self.closing = False
        self.close_after_reply = False
        self.cmd: Any = None
        self.last_cmd: Any = None
        self.no_evict = False
        self.no_touch = False
        self.tracking: Any = None
        self.is_monitor = False
        self.is_replica = False
        self.is_master = False
        self.is_fake = False  # an internal client of module calls and callbacks
        self.flags_extra = ""
        self.argv: list[bytes] | None = None
        self.user_data: dict = {}
        self.kind = NORMAL
        self.in_script = False
        self.deny_blocking = False
        self.cur_cmd_start = 0
        self.reply_bytes = 0
        self.net_in = 0
        self.net_out = 0
        self.commands_processed = 0
        self.pending_push = False
        self.reblock_deadline = 0.0  # set while a blocked command re-runs: keep its deadline
        self.guard = False
        self.refresh_guard()

    def __repr__(self) -> str:
        return f"<Client id={self.id} addr={self.addr}>"

    # --- protocol ------------------------------------------------------------------
    def set_resp(self, resp: int) -> None:
        if resp == self.resp:
            return
        self.resp = resp
        cls = Resp3Writer if resp == 3 else Resp2Writer
        self.w = cls(self.out, self.srv.record_error)
        self.refresh_guard()

    def refresh_guard(self) -> None:
        self.guard = (
            not self.authenticated
            or self.multi is not None
            or (self.resp == 2 and bool(self.channels or self.patterns or self.shard_channels))
            or self.reply_mode != "on"
            or self.no_touch
            or self.tracking is not None
            or (self.user is not None and not self.user.unrestricted)
            or self.is_master
        )

    @property
    def subscriptions(self) -> int:
        return len(self.channels) + len(self.patterns)

    def flush(self) -> None:
        """Send what the writer collected (network clients only)."""
        if self.conn is not None and self.out:
            self.conn.flush()

    def push_to(self) -> None:
        """Mark that something outside this client's own command wrote to it."""
        if self.conn is not None and not self.pending_push:
            self.pending_push = True
            self.srv.pending_flush.append(self)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close_client()
        else:
            self.closing = True

    def client_type(self) -> str:
        if self.is_master:
            return MASTER
        if self.is_replica:
            return REPLICA
        if self.channels or self.patterns or self.shard_channels:
            return PUBSUB
        return NORMAL
