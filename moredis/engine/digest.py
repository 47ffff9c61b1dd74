"""DEBUG DIGEST and DIGEST-VALUE, computed the way debug.c computes them, so the same
dataset gives the same digest on moredis and on Redis.

Primitives: `xor_digest(d, data)` XORs SHA1(data) into the 20-byte state d;
`mix_digest(d, data)` does that and then replaces d with SHA1(d). Each value type
registers `digest(value, d)` (engine/objects.py DIGESTERS) that continues the state
after the key's type code was mixed in, as xorObjectDigest does.
"""

from __future__ import annotations

import hashlib
import struct
from typing import Any

from moredis.engine.objects import DIGESTERS, type_code


def xor_digest(d: bytearray, data: bytes) -> None:
    h = hashlib.sha1(data).digest()
    for i in range(20):
        d[i] ^= h[i]


def mix_digest(d: bytearray, data: bytes) -> None:
    xor_digest(d, data)
    d[:] = hashlib.sha1(bytes(d)).digest()


def _string_digest(v: Any, d: bytearray) -> None:
    mix_digest(d, b"%d" % v if type(v) is int else bytes(v))


for _t in (bytes, bytearray, int):
    DIGESTERS[_t] = _string_digest


def object_digest(db: Any, key: bytes, value: Any, d: bytearray | None = None) -> bytearray:
    """xorObjectDigest: continue `d` (20 zero bytes by default) with the type code, the
    value and the expire flag."""
    if d is None:
        d = bytearray(20)
    mix_digest(d, struct.pack(">I", type_code(value)))
    fn = DIGESTERS.get(type(value))
    if fn is None:
        raise TypeError(f"no digest for {type(value).__name__}")
    fn(value, d)
    if db.get_expire(key) != -1:
        xor_digest(d, b"!!expire!!")
    return d


def dataset_digest(dbs: list) -> bytes:
    """computeDatasetDigest: 20 zero bytes for an empty dataset."""
    final = bytearray(20)
    for db in dbs:
        if not db.data:
            continue
        mix_digest(final, struct.pack(">I", db.id))
        for key, value in list(db.data.items()):
            d = bytearray(20)
            mix_digest(d, key)
            object_digest(db, key, value, d)
            xor_digest(final, bytes(d))
    return bytes(final)
