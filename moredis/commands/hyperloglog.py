"""HyperLogLog commands (hyperloglog.c): PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.

A sketch is an ordinary string value holding Redis's exact bytes (engine/hll.py has the
layout and the algorithms), so GET, SET, DUMP and friends see what Redis would. Commands
that touch a sketch first make it a bytearray owned by the key (dbUnshareStringValue)
and then edit it in place.
Neighbours: engine/hll.py (encoding, hashing, estimator), commands/string.py.
"""

from __future__ import annotations

import random
from typing import Any

from moredis import errors as E
from moredis.commands.registry import command
from moredis.commands.string import unshare_string
from moredis.commands.util import cstr
from moredis.engine import hll
from moredis.engine import notify as N
from moredis.errors import RedisError
from moredis.util.lazy import numpy as np

INVALID_HLL = "INVALIDOBJ Corrupted HLL object detected"
NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value."
NO_KEY = "ERR The specified key does not exist"
NOT_SPARSE = "ERR HLL encoding is not sparse"


def check_hll(v: Any) -> None:
    """isHLLObjectOrReply: the generic WRONGTYPE for other types, the HyperLogLog one for
    strings that are not sketches (too short, bad magic or encoding, wrong dense size)."""
    t = type(v)
    if t is not bytes and t is not bytearray and t is not int:
        raise RedisError(E.WRONGTYPE)
    if not hll.is_hll(v):
        raise RedisError(NOT_HLL)


@command("pfadd")
def pfadd_command(c: Any, argv: list[bytes]) -> None:
    """PFADD key [element ...]: 1 when the key was created or a register grew. A corrupt
    sparse sketch answers INVALIDOBJ but keeps the updates made before the bad one."""
    key = argv[1]
    db = c.db
    v = db.lookup_write(key)
    if v is None:
        buf = bytearray(hll.EMPTY)
        db.add(key, buf)
        updated = 1
    else:
        check_hll(v)
        buf = v if type(v) is bytearray else unshare_string(db, key, v)
        updated = 0
    n = len(argv)
    if n > 2:
        if n == 3 and buf[4] == hll.DENSE:  # the common case, kept short
            i, cnt = hll.pat_len(argv[2])
            if cnt > hll.dense_get(buf, i):
                hll.dense_set(buf, i, cnt)
                updated += 1
        else:
            changed, ok = hll.add_elements(buf, argv[2:], c.srv.config["hll-sparse-max-bytes"])
            if not ok:
                raise RedisError(INVALID_HLL)
            updated += changed
    if updated:
        buf[15] |= hll.CARD_STALE
        db.signal_modified(key)
        db.notify(N.STRING, "pfadd", key)
        c.srv.dirty += updated
        c.w.integer(1)
    else:
        c.w.integer(0)


@command("pfcount")
def pfcount_command(c: Any, argv: list[bytes]) -> None:
    """PFCOUNT key [key ...]

    One key answers the cached cardinality, or computes it and stores it in the header:
    that changes the string, so it counts as a write (dirty, WATCH) although the command
    is read-only. Several keys are merged on the fly and nothing is written."""
    db = c.db
    if len(argv) > 2:
        regs = np.zeros(hll.REGISTERS, dtype=np.uint8)
        for key in argv[1:]:
            v = db.lookup_read(key)
            if v is None:
                continue
            check_hll(v)
            if not hll.merge_into(regs, v):
                raise RedisError(INVALID_HLL)
        c.w.integer(hll.as_signed(hll.estimate(hll.histogram(regs))))
        return
    key = argv[1]
    v = db.lookup_read(key)
    if v is None:
        c.w.integer(0)
        return
    check_hll(v)
    buf = v if type(v) is bytearray else unshare_string(db, key, v)
    if not buf[15] & hll.CARD_STALE:
        c.w.integer(int.from_bytes(buf[8:16], "little"))
        return
    card = hll.count(buf)
    if card is None:
        raise RedisError(INVALID_HLL)
    buf[8:16] = card.to_bytes(8, "little")
    db.signal_modified(key)
    c.srv.dirty += 1
    c.w.integer(hll.as_signed(card))


@command("pfmerge")
def pfmerge_command(c: Any, argv: list[bytes]) -> None:
    """PFMERGE destkey [sourcekey ...]: the destination is one of the inputs. It ends
    dense if any input was dense, else it is built by sparse updates (and may turn dense
    on the way). The keyspace event is "pfadd", as in Redis."""
    db = c.db
    regs = np.zeros(hll.REGISTERS, dtype=np.uint8)
    use_dense = False
    for key in argv[1:]:
        v = db.lookup_read(key)
        if v is None:
            continue
        check_hll(v)
        if v[4] == hll.DENSE:
            use_dense = True
        if not hll.merge_into(regs, v):
            raise RedisError(INVALID_HLL)
    dest = argv[1]
    v = db.lookup_write(dest)
    if v is None:
        buf = bytearray(hll.EMPTY)
        db.add(dest, buf)
    else:
        buf = v if type(v) is bytearray else unshare_string(db, dest, v)
    if use_dense:
        if not hll.to_dense(buf):
            raise RedisError(INVALID_HLL)
        buf[hll.HDR_SIZE:] = hll.pack_registers(regs)
    else:
        hll.set_registers(buf, regs, c.srv.config["hll-sparse-max-bytes"])
    buf[15] |= hll.CARD_STALE
    db.signal_modified(dest)
    db.notify(N.STRING, "pfadd", dest)
    c.srv.dirty += 1
    c.w.ok()


@command("pfdebug")
def pfdebug_command(c: Any, argv: list[bytes]) -> None:
    """PFDEBUG <GETREG | DECODE | ENCODING | TODENSE> key

    The key is checked before the subcommand name. GETREG and TODENSE convert a sparse
    sketch to dense and count as a write, so the conversion replicates."""
    sub = cstr(argv[1]).lower()
    key = argv[2]
    db = c.db
    v = db.lookup_write(key)
    if v is None:
        raise RedisError(NO_KEY)
    check_hll(v)
    buf = v if type(v) is bytearray else unshare_string(db, key, v)
    w = c.w
    if sub == b"getreg":
        if buf[4] == hll.SPARSE:
            if not hll.to_dense(buf):
                raise RedisError(INVALID_HLL)
            c.srv.dirty += 1
        regs = hll.dense_registers(buf).tolist()
        w.array(len(regs))
        integer = w.integer
        for r in regs:
            integer(r)
    elif sub == b"decode":
        if buf[4] != hll.SPARSE:
            raise RedisError(NOT_SPARSE)
        w.bulk(hll.decode_text(buf))
    elif sub == b"encoding":
        w.simple(b"dense" if buf[4] == hll.DENSE else b"sparse")
    elif sub == b"todense":
        if buf[4] == hll.SPARSE:
            if not hll.to_dense(buf):
                raise RedisError(INVALID_HLL)
            c.srv.dirty += 1
            w.integer(1)
        else:
            w.integer(0)
    else:
        raise RedisError("ERR Unknown PFDEBUG subcommand '%s'" % cstr(argv[1]).decode("utf-8", "surrogateescape"))


@command("pfselftest")
def pfselftest_command(c: Any, argv: list[bytes]) -> None:
    """PFSELFTEST: register access and estimation-error checks (about a second)."""
    err = hll.selftest(c.srv.config["hll-sparse-max-bytes"], random.Random())
    if err is not None:
        raise RedisError("ERR " + err)
    c.w.ok()
