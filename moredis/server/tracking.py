"""Server-assisted client-side caching (tracking.c).

A client that turns tracking on (CLIENT TRACKING ON) gets its own `TrackingState` in
`c.tracking`; the first one installs the server's `TrackingTable` as
`srv.tracking_table`, which stays for the life of the server as Redis's table does.

Two modes, as in Redis:
- default (optionally OPTIN / OPTOUT): the table remembers, per key name, the ids of
  the clients that read it (`remember`, called from `RedisServer.call` for read-only
  commands while a tracking client's command runs). When the key changes
  (`invalidate_key`, reached through `Database.signal_modified`) each of those clients
  gets one invalidation message and the key is forgotten.
- BCAST: no per-key memory; every change to a key under one of the client's prefixes
  is collected and sent once per event-loop turn, one message per prefix.

Messages go to the client itself when it speaks RESP3 (a push
`["invalidate", [keys]]`), or to the REDIRECT client: RESP3 push, or for a RESP2
client in Pub/Sub mode a message on `__redis__:invalidate`. A flush sends a null key
list to every tracking client. Key invalidations for the client whose command is running
wait until its reply is written, as tracking.c's pending-invalidation list does.
Neighbours: server/server.py (the two hooks), commands/client_cmd.py (CLIENT TRACKING,
CACHING, GETREDIR, TRACKINGINFO), engine/keyspace.py (signal_modified).
"""

from __future__ import annotations

from typing import Any

from moredis.commands import registry as R
from moredis.errors import RedisError

INVALIDATE_CHANNEL = b"__redis__:invalidate"
_NULLS = {2: b"$-1\r\n", 3: b"_\r\n"}  # shared.null[resp]: the flush message's key list
_NOT_TRACKED = frozenset(("eval_ro", "evalsha_ro", "fcall_ro"))  # scripts: their inner commands count


class TrackingState:
    """One client's tracking options (the CLIENT_TRACKING_* flags of server.h)."""

    __slots__ = ("bcast", "broken_redirect", "caching", "noloop", "optin", "optout", "prefixes", "redirect")

    def __init__(self) -> None:
        self.bcast = False
        self.optin = False
        self.optout = False
        self.noloop = False
        self.caching = False  # CLIENT CACHING given for the next command (or transaction)
        self.broken_redirect = False
        self.redirect = 0  # client id receiving our messages; 0 = ourselves
        self.prefixes: dict[bytes, None] = {}  # BCAST prefixes


class _Prefix:
    """bcastState: the BCAST clients of one prefix and the keys changed since the last send."""

    __slots__ = ("clients", "keys")

    def __init__(self) -> None:
        self.clients: dict[Any, None] = {}
        self.keys: dict[bytes, Any] = {}  # key -> client that changed it last (NOLOOP)


def key_positions(cmd: Any, argv: list[bytes]) -> Any:
    """getKeysFromCommand for tracking: the movable-keys function, else the key range."""
    if cmd.getkeys is not None:
        try:
            return cmd.getkeys(argv)
        except RedisError:
            return ()
    first = cmd.first_key
    if first <= 0:
        return ()
    n = len(argv)
    last = cmd.last_key
    if last < 0:
        last += n
    return range(first, min(last, n - 1) + 1, cmd.step or 1)


class TrackingTable:
    def __init__(self, srv: Any) -> None:
        self.srv = srv
        self.keys: dict[bytes, set[int]] = {}  # key name -> ids of clients that read it
        self.total_items = 0  # sum of the id sets' sizes (INFO tracking_total_items)
        self.prefixes: dict[bytes, _Prefix] = {}
        self.clients = 0  # clients with tracking on (INFO tracking_clients)
        self.current: Any = None  # the tracking client whose command is running
        self.pending: list[bytes] = []  # keys to invalidate for `current`, sent after its reply
        self._bcast_scheduled = False
        self._flush_mark: Any = None
        self._limit_rounds = 0  # trackingLimitUsedSlots' timeout_counter
        srv.config.watch("tracking-table-max-keys", self._max_keys_changed)
        srv.cron_hooks.append(self.limit_keys)

    # --- INFO ------------------------------------------------------------------------
    @property
    def total_keys(self) -> int:
        return len(self.keys)

    @property
    def total_prefixes(self) -> int:
        return len(self.prefixes)

    # --- turning tracking on and off ------------------------------------------------------
    def enable(self, c: Any, redirect: int, bcast: bool, optin: bool, optout: bool, noloop: bool,
               prefixes: list[bytes]) -> None:
        """enableTracking: options are replaced, BCAST prefixes accumulate, CACHING stays."""
        st = c.tracking
        if st is None:
            st = TrackingState()
            c.tracking = st
            self.clients += 1
            c.refresh_guard()
        st.redirect = redirect
        st.broken_redirect = False
        st.bcast = bcast
        st.optin = optin
        st.optout = optout
        st.noloop = noloop
        if bcast:
            for p in prefixes or (b"",):
                bs = self.prefixes.get(p)
                if bs is None:
                    bs = self.prefixes[p] = _Prefix()
                if c not in bs.clients:
                    bs.clients[c] = None
                    st.prefixes[p] = None

    def disable(self, c: Any) -> None:
        """disableTracking. The key table keeps the client's id; it is skipped on use."""
        st = c.tracking
        if st is None:
            return
        if st.bcast:
            for p in st.prefixes:
                bs = self.prefixes.get(p)
                if bs is not None:
                    bs.clients.pop(c, None)
                    if not bs.clients:
                        del self.prefixes[p]
        c.tracking = None
        self.clients -= 1
        c.refresh_guard()

    # --- a tracking client's command -------------------------------------------------
    def run(self, c: Any, cmd: Any, argv: list[bytes]) -> None:
        """Run a command of a tracking client (processCommand's slow path sends it here).

        While it runs, reads are remembered (RedisServer.call asks `remember`) and
        invalidations addressed to it wait; they are written after its reply. CLIENT
        CACHING lasts one command, or one whole transaction, and CLIENT subcommands
        do not use it up (resetClient)."""
        srv = self.srv
        if self.keys and len(self.keys) > srv.config["tracking-table-max-keys"] > 0:
            self.limit_keys()
        st = c.tracking
        # nested when CLIENT UNPAUSE replays a paused tracking client's command
        outer = (self.current, srv.tracking_reader, self.pending)
        self.current = c
        self.pending = []
        if not st.bcast:
            srv.tracking_reader = c
        try:
            if c.reply_mode != "on":
                srv._call_reply_mode(c, cmd, argv)
            else:
                srv.call(c, cmd, argv)
        finally:
            pending = self.pending
            self.current, srv.tracking_reader, self.pending = outer
        for key in pending:
            if c.tracking is not None:
                self.send(c, [key])
        self.command_done(c, cmd)

    def command_done(self, c: Any, cmd: Any) -> None:
        """resetClient: CLIENT CACHING is used up by the next command, including a
        refused one (`cmd` None when unknown), unless in MULTI or a CLIENT subcommand."""
        st = c.tracking
        if st is not None and st.caching and c.multi is None and (
                cmd is None or not cmd.fullname.startswith("client|")):
            st.caching = False

    def remember(self, c: Any, outer: Any, cmd: Any, argv: list[bytes]) -> None:
        """trackingRememberKeys: the keys of read-only command `cmd`, run by `c`
        (the tracking client itself, or a script on its behalf), are now cached by it."""
        reader = self.srv.tracking_reader
        if c is not reader and outer is None:
            return  # a blocked client served after the tracking client's command
        st = reader.tracking
        if st is None or st.bcast:
            return
        if (st.optin and not st.caching) or (st.optout and st.caching):
            return
        if cmd.flags & R.PUBSUB or cmd.fullname in _NOT_TRACKED:
            return
        cid = reader.id
        keys = self.keys
        added = 0
        for i in key_positions(cmd, argv):
            k = argv[i]
            ids = keys.get(k)
            if ids is None:
                keys[bytes(k)] = {cid}
                added += 1
            elif cid not in ids:
                ids.add(cid)
                added += 1
        self.total_items += added

    # --- invalidation ------------------------------------------------------------------
    def invalidate_key(self, key: bytes, bcast: bool = True) -> None:
        """trackingInvalidateKey: message every client caching `key`, then forget it."""
        if bcast and self.prefixes:
            self._collect_bcast(key)
        ids = self.keys.pop(key, None)
        if ids is None:
            return
        self.total_items -= len(ids)
        clients = self.srv.clients
        cur = self.current
        for cid in ids:
            t = clients.get(cid)
            if t is None:
                continue
            st = t.tracking
            if st is None or st.bcast:
                continue
            if t is cur:
                if not st.noloop:
                    self.pending.append(key)
            else:
                self.send(t, [key])

    def invalidate_all(self) -> None:
        """trackingInvalidateKeysOnFlush: a null key list to every tracking client, at
        once (the flushing client gets it before its OK, as in Redis 7.4).

        FLUSHALL empties each database in turn; one flush command sends one message."""
        srv = self.srv
        mark = (srv.stat_numcommands, srv.current_client)
        if mark == self._flush_mark:
            return
        self._flush_mark = mark
        if self.clients:
            for c in list(srv.clients.values()):
                if c.tracking is not None:
                    self.send(c, None, True)
        self.keys = {}
        self.total_items = 0

    def send(self, c: Any, keys: list[bytes] | None, flush: bool = False) -> None:
        """sendTrackingMessage: to `c`, or to its redirect client, if the protocol allows."""
        st = c.tracking
        target = c
        redirected = False
        if st.redirect:
            target = self.srv.clients.get(st.redirect)
            if target is None:
                st.broken_redirect = True
                if c.resp == 3:
                    w = c.w
                    w.push(2)
                    w.bulk(b"tracking-redir-broken")
                    w.integer(st.redirect)
                    c.push_to()
                return
            redirected = True
        w = target.w
        if target.resp == 3:
            w.push(2)
            w.bulk(b"invalidate")
        elif redirected and (target.channels or target.patterns or target.shard_channels):
            w.push(3)
            w.bulk(b"message")
            w.bulk(INVALIDATE_CHANNEL)
        else:
            return  # a RESP2 connection cannot receive pushes
        if flush:
            w.raw(_NULLS[c.resp])  # the null of the tracking client's protocol
        else:
            w.array(len(keys))
            for k in keys:
                w.bulk(k)
        target.push_to()

    # --- BCAST -----------------------------------------------------------------------
    def _collect_bcast(self, key: bytes) -> None:
        """trackingRememberKeyToBroadcast: note the key under every matching prefix."""
        modifier = self.srv.current_client
        hit = False
        for p, bs in self.prefixes.items():
            if key.startswith(p):
                bs.keys[bytes(key)] = modifier
                hit = True
        if hit and not self._bcast_scheduled:
            loop = self.srv.loop
            if loop is not None:
                self._bcast_scheduled = True
                loop.call_soon(self.broadcast)

    def broadcast(self) -> None:
        """trackingBroadcastInvalidationMessages (beforeSleep): one message per prefix
        with the changed keys in byte order; NOLOOP clients miss their own changes."""
        self._bcast_scheduled = False
        for p in sorted(self.prefixes):
            bs = self.prefixes[p]
            if not bs.keys:
                continue
            changed = bs.keys
            bs.keys = {}
            keys = sorted(changed)
            for c in list(bs.clients):
                st = c.tracking
                if st is None:
                    continue
                if st.noloop:
                    mine = [k for k in keys if changed[k] is not c]
                    if mine:
                        self.send(c, mine)
                else:
                    self.send(c, keys)
        self.srv.flush_pending()

    # --- tracking-table-max-keys -------------------------------------------------------
    def _max_keys_changed(self, value: int) -> None:
        loop = self.srv.loop
        if loop is not None:
            loop.call_soon(self.limit_keys)
        else:
            self.limit_keys()

    def limit_keys(self) -> None:
        """trackingLimitUsedSlots: over the limit, invalidate keys (oldest first here,
        Redis picks them at random) with an effort that grows while it stays over."""
        limit = self.srv.config["tracking-table-max-keys"]
        keys = self.keys
        if limit == 0 or len(keys) <= limit:
            self._limit_rounds = 0
            return
        effort = 100 * (self._limit_rounds + 1)
        while effort > 0 and keys:
            effort -= 1
            self.invalidate_key(next(iter(keys)), bcast=False)
            if len(keys) <= limit:
                self._limit_rounds = 0
                self.srv.flush_pending()
                return
        self._limit_rounds += 1
        self.srv.flush_pending()
