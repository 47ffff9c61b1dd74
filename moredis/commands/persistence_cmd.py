"""Persistence commands: SAVE and BGSAVE (server group), DUMP and RESTORE (generic
group). LASTSAVE lives with the server commands.

DUMP's payload is cluster.c createDumpPayload's: the RDB type and value, the RDB
version (2 bytes, little endian) and a CRC64 of all that. RESTORE follows
restoreCommand: options first, then BUSYKEY, the TTL, the payload's version and
checksum, the value itself ("Bad data format"), an already expired TTL (nothing is
created, an existing key with REPLACE is deleted) and finally the key with its TTL,
LRU idle time or LFU frequency.
Neighbours: persistence/rdb.py (payloads), persistence/manager.py (SAVE/BGSAVE).
"""

from __future__ import annotations

from typing import Any

from moredis import errors as E
from moredis.commands.registry import command
from moredis.engine import notify as N
from moredis.engine.objects import adopted
from moredis.errors import RedisError
from moredis.numbers import parse_int
from moredis.persistence import rdb
from moredis.persistence.manager import ensure
from moredis.persistence.rdbio import RdbError

BUSYKEY = "BUSYKEY Target key name already exists."
BAD_PAYLOAD = "ERR DUMP payload version or checksum are wrong"
BAD_FORMAT = "ERR Bad data format"


@command("save")
def save_command(c: Any, argv: list[bytes]) -> None:
    """SAVE"""
    ensure(c.srv).save_command()
    c.w.ok()


@command("bgsave")
def bgsave_command(c: Any, argv: list[bytes]) -> None:
    """BGSAVE [SCHEDULE]: inside MULTI/EXEC the save is scheduled for the cron."""
    schedule = False
    if len(argv) > 1:
        if len(argv) == 2 and argv[1].lower() == b"schedule":
            schedule = True
        else:
            raise RedisError(E.SYNTAX)
    in_exec = bool(c.deny_blocking) and not c.in_script  # EXEC runs its commands with deny_blocking
    c.w.simple(ensure(c.srv).bgsave_command(schedule, in_exec).encode())


@command("dump")
def dump_command(c: Any, argv: list[bytes]) -> None:
    """DUMP key"""
    v = c.db.lookup_read(argv[1])
    if v is None:
        c.w.null()
        return
    srv = c.srv
    try:
        payload = rdb.dump_payload(v, srv, argv[1], c.db.id, bool(srv.config["rdbcompression"]))
    except RdbError as e:
        raise RedisError(f"ERR {e}") from None
    c.w.bulk(payload)


@command("restore")
def restore_command(c: Any, argv: list[bytes]) -> None:
    """RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]"""
    replace = absttl = False
    lfu_freq = lru_idle = -1
    n = len(argv)
    j = 4
    while j < n:
        opt = argv[j].lower()
        more = n - j - 1
        if opt == b"replace":
            replace = True
        elif opt == b"absttl":
            absttl = True
        elif opt == b"idletime" and more >= 1 and lfu_freq == -1:
            lru_idle = parse_int(argv[j + 1])
            if lru_idle < 0:
                raise RedisError("ERR Invalid IDLETIME value, must be >= 0")
            j += 1
        elif opt == b"freq" and more >= 1 and lru_idle == -1:
            lfu_freq = parse_int(argv[j + 1])
            if lfu_freq < 0 or lfu_freq > 255:
                raise RedisError("ERR Invalid FREQ value, must be >= 0 and <= 255")
            j += 1
        else:
            raise RedisError(E.SYNTAX)
        j += 1
    db = c.db
    key = argv[1]
    if not replace and db.lookup_write(key) is not None:
        raise RedisError(BUSYKEY)
    ttl = parse_int(argv[2])
    if ttl < 0:
        raise RedisError("ERR Invalid TTL value, must be >= 0")
    srv = c.srv
    payload = argv[3]
    if not rdb.verify_payload(payload, not getattr(srv, "skip_checksum_validation", False)):
        raise RedisError(BAD_PAYLOAD)
    try:
        value = rdb.load_payload(srv, payload, key, db.id)
    except RdbError as e:
        srv.log.verbose(f"RESTORE of a bad payload: {e}")
        raise RedisError(BAD_FORMAT) from None
    deleted = db.delete(key) if replace else False
    if ttl and not absttl:
        ttl += srv.mstime()
    if ttl and ttl < srv.mstime():  # checkAlreadyExpired: nothing is created
        if deleted:
            srv.rewrite_propagation([[b"DEL", key]])
            db.signal_modified(key)
            db.notify(N.GENERIC, "del", key)
            srv.dirty += 1
        c.w.ok()
        return
    db.add(key, value)
    adopted(db, key, value)
    if ttl:
        db.set_expire(key, ttl)
        if not absttl:  # replicated with the absolute time
            srv.rewrite_propagation([[*argv[:2], b"%d" % ttl, *argv[3:], b"ABSTTL"]])
    if lfu_freq >= 0 and srv.lfu:  # objectSetLRUOrLFU; an IDLETIME leaves no trace in 7.4.1
        db.access[key] = (srv._lfu_minutes() << 8) | lfu_freq
    db.signal_modified(key)
    db.notify(N.GENERIC, "restore", key)
    srv.dirty += 1
    c.w.ok()

