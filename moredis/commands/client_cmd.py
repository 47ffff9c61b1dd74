"""CLIENT subcommands (networking.c clientCommand, tracking.c for the caching ones).

Connection introspection (ID, INFO, LIST, GETNAME, SETNAME, SETINFO), control of other
connections (KILL, PAUSE, UNPAUSE, UNBLOCK), of this one (REPLY, NO-EVICT, NO-TOUCH),
and client-side caching (TRACKING, CACHING, GETREDIR, TRACKINGINFO).
Neighbours: server/client.py (the state shown and changed), server/tracking.py (the
invalidation table), server/server.py (pause, reply modes), commands/connection.py.
"""

from __future__ import annotations

import time
from typing import Any

from moredis import errors as E
from moredis.commands.connection import set_client_name
from moredis.commands.registry import command
from moredis.errors import RedisError
from moredis.numbers import LLONG_MAX, parse_int
from moredis.server.client import MASTER, NORMAL, PUBSUB, REPLICA
from moredis.server.tracking import TrackingTable

_TYPES = {b"normal": NORMAL, b"slave": REPLICA, b"replica": REPLICA, b"pubsub": PUBSUB, b"master": MASTER}
_QBUF_ALLOC = 20474  # what Redis's query buffer allocation shows as qbuf + qbuf-free
_CLIENT_BASE_MEM = 22400  # tot-mem of an idle connection in Redis 7.4 (an approximation here)
_PAUSE_MAX_MS = 1 << 45  # longer pauses are the same to us; keeps the loop's timer in range


def _client_type(name: bytes) -> str:
    t = _TYPES.get(name.lower())
    if t is None:
        raise RedisError("ERR Unknown client type '%s'" % name.decode("utf-8", "surrogateescape"))
    return t


def _subcommand_syntax(argv: list[bytes]) -> RedisError:
    """addReplySubcommandSyntaxError: the subcommand as the client typed it."""
    return RedisError("ERR unknown subcommand or wrong number of arguments for '%s'. Try CLIENT HELP."
                      % argv[1].decode("utf-8", "surrogateescape"))


# --- CLIENT LIST / INFO lines (catClientInfoString) ----------------------------------------
def _flags(cl: Any) -> str:
    f = ""
    if cl.is_monitor:
        f += "O"
    elif cl.is_replica:
        f += "S"
    if cl.is_master:
        f += "M"
    if cl.channels or cl.patterns or cl.shard_channels:
        f += "P"
    if cl.multi is not None:
        f += "x"
    if cl.blocked is not None:
        f += "b"
    st = cl.tracking
    if st is not None:
        f += "t"
        if st.broken_redirect:
            f += "R"
        if st.bcast:
            f += "B"
    if cl.dirty_cas:
        f += "d"
    if cl.close_after_reply:
        f += "c"
    if cl.closing:
        f += "A"
    if cl.unix:
        f += "U"
    f += cl.flags_extra
    if cl.no_evict:
        f += "e"
    if cl.no_touch:
        f += "T"
    return f or "N"


def _request_len(argv: list[bytes]) -> int:
    """Bytes of argv as a RESP request: what the query buffer holds while it runs."""
    n = len(b"*%d\r\n" % len(argv))
    for a in argv:
        n += len(b"$%d\r\n" % len(a)) + len(a) + 2
    return n


def client_info_line(cl: Any, caller: Any, now: float | None = None) -> bytes:
    """One CLIENT LIST line, fields in Redis 7.4's order. Memory and buffer figures are
    estimates shaped like Redis's (Python has no equivalent allocations)."""
    if now is None:
        now = time.time()
    running = cl is caller
    age = int(now) - int(cl.created)
    idle = max(0, int(now) - int(cl.last_interaction))
    blk = cl.blocked
    if blk is not None:
        argv = blk.data if blk.kind == "pause" else blk.argv  # a paused command is kept in data
    else:
        argv = cl.argv if running else None
    qbuf = _request_len(argv) if running and argv else 0
    argv_mem = sum(len(a) for a in argv) if argv else 0
    multi_mem = 0
    if cl.multi is not None:
        for _cmd, qargv in cl.multi:
            multi_mem += sum(len(a) for a in qargv) + 8 * len(qargv)
    rbs, rbp = (16384, 16384) if running and age < 2 else (1024, 0)
    omem = 0
    conn = cl.conn
    if conn is not None and getattr(conn, "transport", None) is not None:
        try:
            omem = conn.transport.get_write_buffer_size()
        except Exception:  # a transport being torn down
            omem = 0
    nsub, npsub, nssub = len(cl.channels), len(cl.patterns), len(cl.shard_channels)
    tot_mem = _CLIENT_BASE_MEM + (rbs - 1024) + qbuf + multi_mem + omem + 56 * (nsub + npsub + nssub)
    cmd = cl.cmd if running else cl.last_cmd
    st = cl.tracking
    user = cl.user.name if cl.user is not None else "(superuser)"
    return b"".join((
        b"id=%d addr=%s laddr=%s fd=%d name=%s age=%d idle=%d flags=%s db=%d sub=%d psub=%d ssub=%d "
        % (cl.id, cl.addr.encode(), cl.laddr.encode(), cl.fd, cl.name or b"", age, idle, _flags(cl).encode(),
           cl.db.id, nsub, npsub, nssub),
        b"multi=%d watch=%d qbuf=%d qbuf-free=%d argv-mem=%d multi-mem=%d rbs=%d rbp=%d obl=0 oll=0 "
        % (len(cl.multi) if cl.multi is not None else -1, len(cl.watched), qbuf, max(0, _QBUF_ALLOC - qbuf),
           argv_mem, multi_mem, rbs, rbp),
        b"omem=%d tot-mem=%d events=%s cmd=%s user=%s redir=%d resp=%d lib-name=%s lib-ver=%s\n"
        % (omem, tot_mem, b"rw" if omem else b"r", cmd.fullname.encode() if cmd is not None else b"NULL",
           user.encode(), st.redirect if st is not None else -1, cl.resp, cl.lib_name, cl.lib_ver),
    ))


@command("client|id")
def client_id_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT ID"""
    c.w.integer(c.id)


@command("client|info")
def client_info_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT INFO: this connection's CLIENT LIST line (a verbatim string in RESP3)."""
    c.w.verbatim(client_info_line(c, c))


@command("client|list")
def client_list_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id ...]

    Either one TYPE or an ID list, not both; ids are listed in the order given, an id
    named twice shows twice, unknown ids (including 0 and negatives) show nothing."""
    srv = c.srv
    n = len(argv)
    if n == 2:
        chosen = list(srv.clients.values())
    elif n == 4 and argv[2].lower() == b"type":
        kind = _client_type(argv[3])
        chosen = [cl for cl in srv.clients.values() if cl.client_type() == kind]
    elif n >= 4 and argv[2].lower() == b"id":
        ids = [parse_int(a, "ERR Invalid client ID") for a in argv[3:]]
        chosen = [srv.clients[i] for i in ids if i in srv.clients]
    else:
        raise RedisError(E.SYNTAX)
    now = time.time()
    c.w.verbatim(b"".join(client_info_line(cl, c, now) for cl in chosen))


@command("client|getname")
def client_getname_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT GETNAME"""
    c.w.bulk_or_null(c.name)


@command("client|setname")
def client_setname_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT SETNAME name: an empty name removes it."""
    set_client_name(c, argv[2])
    c.w.ok()


@command("client|setinfo")
def client_setinfo_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT SETINFO LIB-NAME|LIB-VER value: printable ASCII without spaces; the error
    names the attribute as the client spelled it."""
    attr = argv[2]
    low = attr.lower()
    if low not in (b"lib-name", b"lib-ver"):
        raise RedisError("ERR Unrecognized option '%s'" % attr.decode("utf-8", "surrogateescape"))
    value = argv[3]
    if not all(0x21 <= b <= 0x7E for b in value):
        raise RedisError("ERR %s cannot contain spaces, newlines or special characters."
                         % attr.decode("utf-8", "surrogateescape"))
    if low == b"lib-name":
        c.lib_name = value
    else:
        c.lib_ver = value
    c.w.ok()


# --- KILL ----------------------------------------------------------------------------------
def kill_client(srv: Any, cl: Any) -> None:
    """freeClient for another connection: gone from CLIENT LIST at once, socket closed."""
    cl.close()
    srv.free_client(cl)
    conn = cl.conn
    if conn is not None:
        conn.client = None  # connection_lost must not free it a second time


@command("client|kill")
def client_kill_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT KILL addr | CLIENT KILL [ID id] [TYPE type] [USER name] [ADDR addr]
    [LADDR addr] [SKIPME yes|no] [MAXAGE seconds]

    The old form answers OK or "No such client" and may kill the caller; the filter
    form answers the count and skips the caller unless SKIPME no."""
    srv = c.srv
    n = len(argv)
    cid = 0
    kind = None
    user = None
    addr = laddr = None
    skipme = True
    maxage = 0
    old_form = n == 3
    if old_form:
        addr = argv[2]
        skipme = False
    else:
        i = 2
        while i < n:
            if i + 1 >= n:
                raise RedisError(E.SYNTAX)
            opt = argv[i].lower()
            val = argv[i + 1]
            if opt == b"id":
                try:
                    cid = parse_int(val)
                except RedisError:
                    cid = 0
                if cid < 1:
                    raise RedisError("ERR client-id should be greater than 0")
            elif opt == b"type":
                kind = _client_type(val)
            elif opt == b"addr":
                addr = val
            elif opt == b"laddr":
                laddr = val
            elif opt == b"user":
                name = val.decode("utf-8", "surrogateescape")
                user = srv.acl.users.get(name)
                if user is None:
                    raise RedisError("ERR No such user '%s'" % name)
            elif opt == b"skipme":
                yn = val.lower()
                if yn == b"yes":
                    skipme = True
                elif yn == b"no":
                    skipme = False
                else:
                    raise RedisError(E.SYNTAX)
            elif opt == b"maxage":
                maxage = parse_int(val, "ERR maxage is not an integer or out of range")
                if maxage <= 0:
                    raise RedisError("ERR maxage should be greater than 0")
            else:
                raise RedisError(E.SYNTAX)
            i += 2
    now = int(time.time())
    victims = []
    for cl in srv.clients.values():
        if addr is not None and cl.addr.encode() != addr:
            continue
        if laddr is not None and cl.laddr.encode() != laddr:
            continue
        if kind is not None and cl.client_type() != kind:
            continue
        if cid and cl.id != cid:
            continue
        if user is not None and cl.user is not user:
            continue
        if skipme and cl is c:
            continue
        if maxage and now - int(cl.created) < maxage:
            continue
        victims.append(cl)
    for cl in victims:
        if cl is c:
            c.close_after_reply = True
        else:
            kill_client(srv, cl)
    if old_form:
        if not victims:
            raise RedisError("ERR No such client")
        c.w.ok()
    else:
        c.w.integer(len(victims))


# --- PAUSE / UNPAUSE / UNBLOCK -------------------------------------------------------------
@command("client|pause")
def client_pause_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT PAUSE timeout [WRITE|ALL]: the mode is checked before the timeout."""
    if len(argv) > 4:
        raise _subcommand_syntax(argv)
    kind = "all"
    if len(argv) == 4:
        mode = argv[3].lower()
        if mode == b"write":
            kind = "write"
        elif mode != b"all":
            raise RedisError("ERR CLIENT PAUSE mode must be WRITE or ALL")
    ms = parse_int(argv[2], "ERR timeout is not an integer or out of range")
    if ms < 0:
        raise RedisError(E.NOT_POSITIVE_TIMEOUT)
    if ms > 0 and ms > LLONG_MAX - int(time.time() * 1000):
        raise RedisError("ERR timeout is out of range")
    c.srv.pause(kind, min(ms, _PAUSE_MAX_MS))
    c.w.ok()


@command("client|unpause")
def client_unpause_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT UNPAUSE"""
    c.srv.unpause()
    c.w.ok()


@command("client|unblock")
def client_unblock_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT UNBLOCK client-id [TIMEOUT|ERROR]: 1 if the client was blocked (on keys, a
    module or WAIT; not a pause) and is now released, else 0."""
    if len(argv) > 4:
        raise _subcommand_syntax(argv)
    how = "timeout"
    if len(argv) == 4:
        reason = argv[3].lower()
        if reason == b"error":
            how = "error"
        elif reason != b"timeout":
            raise RedisError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
    cid = parse_int(argv[2])
    srv = c.srv
    target = srv.clients.get(cid)
    done = target is not None and target.blocked is not None and srv.blocking.unblock_with(target, how)
    c.w.integer(1 if done else 0)


# --- this connection's modes -------------------------------------------------------------
def _on_off(arg: bytes) -> bool:
    v = arg.lower()
    if v == b"on":
        return True
    if v == b"off":
        return False
    raise RedisError(E.SYNTAX)


@command("client|reply")
def client_reply_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT REPLY ON|OFF|SKIP: only ON answers (OK). SKIP while OFF changes nothing;
    SKIP while skipping skips the command after it too (the dispatcher's "skip-next")."""
    mode = argv[2].lower()
    if mode == b"on":
        c.reply_mode = "on"
        c.refresh_guard()
        c.w.ok()
    elif mode == b"off":
        c.reply_mode = "off"
        c.refresh_guard()
    elif mode == b"skip":
        if c.reply_mode == "on":
            c.reply_mode = "skip"
        elif c.reply_mode == "skip":
            c.reply_mode = "skip-next"
        c.refresh_guard()
    else:
        raise RedisError(E.SYNTAX)


@command("client|no-evict")
def client_no_evict_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT NO-EVICT ON|OFF"""
    c.no_evict = _on_off(argv[2])
    c.w.ok()


@command("client|no-touch")
def client_no_touch_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT NO-TOUCH ON|OFF: this connection's reads leave keys' LRU/LFU alone."""
    c.no_touch = _on_off(argv[2])
    c.refresh_guard()
    c.w.ok()


# --- client-side caching -----------------------------------------------------------------
def _check_prefixes(c: Any, prefixes: list[bytes]) -> bool:
    """checkPrefixCollisionsOrReply: no prefix may be a prefix of another one, new or
    already registered. Redis's quirk kept: a clash among the new prefixes found past the
    first one is reported, yet tracking is still enabled (and OK follows the error)."""
    st = c.tracking
    existing = list(st.prefixes) if st is not None else []
    for i, p in enumerate(prefixes):
        for q in existing:
            if q.startswith(p) or p.startswith(q):
                raise RedisError("ERR Prefix '%s' overlaps with an existing prefix '%s'. "
                                 "Prefixes for a single client must not overlap." % (_txt(p), _txt(q)))
        for q in prefixes[i + 1:]:
            if q.startswith(p) or p.startswith(q):
                msg = ("ERR Prefix '%s' overlaps with another provided prefix '%s'. "
                       "Prefixes for a single client must not overlap." % (_txt(p), _txt(q)))
                if i == 0:
                    raise RedisError(msg)
                c.w.error(msg)
                return True
    return True


def _txt(b: bytes) -> str:
    return b.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


@command("client|tracking")
def client_tracking_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX prefix ...] [BCAST] [OPTIN] [OPTOUT]
    [NOLOOP]: options are read (and REDIRECT checked) before ON/OFF is looked at."""
    srv = c.srv
    redirect = 0
    bcast = optin = optout = noloop = False
    prefixes: list[bytes] = []
    n = len(argv)
    j = 3
    while j < n:
        opt = argv[j].lower()
        more = j + 1 < n
        if opt == b"redirect" and more:
            j += 1
            if redirect:
                raise RedisError("ERR A client can only redirect to a single other client")
            redirect = parse_int(argv[j])
            if redirect not in srv.clients:
                raise RedisError("ERR The client ID you want redirect to does not exist")
        elif opt == b"bcast":
            bcast = True
        elif opt == b"optin":
            optin = True
        elif opt == b"optout":
            optout = True
        elif opt == b"noloop":
            noloop = True
        elif opt == b"prefix" and more:
            j += 1
            prefixes.append(argv[j])
        else:
            raise RedisError(E.SYNTAX)
        j += 1
    onoff = argv[2].lower()
    if onoff == b"on":
        if prefixes and not bcast:
            raise RedisError("ERR PREFIX option requires BCAST mode to be enabled")
        st = c.tracking
        if st is not None and st.bcast != bcast:
            raise RedisError("ERR You can't switch BCAST mode on/off before disabling tracking for this "
                             "client, and then re-enabling it with a different mode.")
        if bcast and (optin or optout):
            raise RedisError("ERR OPTIN and OPTOUT are not compatible with BCAST")
        if optin and optout:
            raise RedisError("ERR You can't specify both OPTIN mode and OPTOUT mode")
        if st is not None and ((optin and st.optout) or (optout and st.optin)):
            raise RedisError("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this "
                             "client, and then re-enabling it with a different mode.")
        if bcast:
            _check_prefixes(c, prefixes)
        table = srv.tracking_table
        if table is None:
            table = srv.tracking_table = TrackingTable(srv)
        table.enable(c, redirect, bcast, optin, optout, noloop, prefixes)
    elif onoff == b"off":
        if c.tracking is not None:
            srv.tracking_table.disable(c)
    else:
        raise RedisError(E.SYNTAX)
    c.w.ok()


@command("client|caching")
def client_caching_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT CACHING YES|NO: YES in OPTIN mode caches the next command's keys, NO in
    OPTOUT mode does not."""
    st = c.tracking
    if st is None:
        raise RedisError("ERR CLIENT CACHING can be called only when the client is in tracking mode with "
                         "OPTIN or OPTOUT mode enabled")
    opt = argv[2].lower()
    if opt == b"yes":
        if not st.optin:
            raise RedisError("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
    elif opt == b"no":
        if not st.optout:
            raise RedisError("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
    else:
        raise RedisError(E.SYNTAX)
    st.caching = True
    c.w.ok()


@command("client|getredir")
def client_getredir_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT GETREDIR: the redirect id, 0 when tracking without one, -1 when off."""
    st = c.tracking
    c.w.integer(st.redirect if st is not None else -1)


@command("client|trackinginfo")
def client_trackinginfo_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT TRACKINGINFO: a map of flags (a set), redirect and prefixes (byte order)."""
    st = c.tracking
    w = c.w
    w.map(3)
    w.bulk(b"flags")
    if st is None:
        w.set(1)
        w.bulk(b"off")
    else:
        flags = [b"on"]
        if st.bcast:
            flags.append(b"bcast")
        if st.optin:
            flags.append(b"optin")
            if st.caching:
                flags.append(b"caching-yes")
        if st.optout:
            flags.append(b"optout")
            if st.caching:
                flags.append(b"caching-no")
        if st.noloop:
            flags.append(b"noloop")
        if st.broken_redirect:
            flags.append(b"broken_redirect")
        w.set(len(flags))
        for f in flags:
            w.bulk(f)
    w.bulk(b"redirect")
    w.integer(st.redirect if st is not None else -1)
    w.bulk(b"prefixes")
    prefixes = sorted(st.prefixes) if st is not None else []
    w.array(len(prefixes))
    for p in prefixes:
        w.bulk(p)


# --- HELP ----------------------------------------------------------------------------------
_HELP = [
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CACHING (YES|NO)",
    "    In OPTIN mode YES tracks the keys of the next command; in OPTOUT mode NO skips them.",
    "GETREDIR",
    "    The id of the client that receives this connection's invalidations (-1: tracking off).",
    "GETNAME",
    "    The name given to this connection.",
    "ID",
    "    The id of this connection.",
    "INFO",
    "    This connection described in the CLIENT LIST format.",
    "KILL <ip:port>",
    "    Close the connection coming from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Close every connection matching all the filters given:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Its remote address.",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      The local address it connected to.",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Its kind.",
    "    * USER <username>",
    "      The user it is authenticated as.",
    "    * SKIPME (YES|NO)",
    "      Whether this connection is spared (YES unless told otherwise).",
    "    * ID <client-id>",
    "      Its id.",
    "    * MAXAGE <maxage>",
    "      Connected for at least <maxage> seconds.",
    "LIST [options ...]",
    "    One line per connection. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Only connections of this kind.",
    "    * ID <client-id> [<client-id> ...]",
    "      Only these connections.",
    "UNPAUSE",
    "    End a pause started by CLIENT PAUSE.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Hold back commands from clients (all of them, or only writes) for <timeout> ms.",
    "REPLY (ON|OFF|SKIP)",
    "    Have the server answer this connection, stay silent, or skip the next reply.",
    "SETNAME <name>",
    "    Name this connection.",
    "SETINFO <option> <value>",
    "    Record facts about the client library:",
    "    * LIB-NAME: its name.",
    "    * LIB-VER: its version.",
    "UNBLOCK <clientid> [TIMEOUT|ERROR]",
    "    Release a client waiting in a blocking command.",
    "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
    "         [OPTIN] [OPTOUT] [NOLOOP]",
    "    Turn server-assisted client-side caching on or off.",
    "TRACKINGINFO",
    "    How client-side caching is set up for this connection.",
    "NO-EVICT (ON|OFF)",
    "    Keep this connection out of client eviction, or not.",
    "NO-TOUCH (ON|OFF)",
    "    Leave the LRU/LFU of the keys read by this connection untouched, or not.",
    "HELP",
    "    Print this help.",
]


@command("client|help")
def client_help_command(c: Any, argv: list[bytes]) -> None:
    """CLIENT HELP"""
    c.w.help(_HELP)
