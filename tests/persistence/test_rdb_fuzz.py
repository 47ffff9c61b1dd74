"""Fuzzing the RDB loader: random corruptions of real files and DUMP payloads (flipped
bits, overwritten bytes, cuts, insertions, duplicated or deleted ranges, huge lengths)
must either load or be refused with RdbError: never another exception, never a hang,
and whatever loads must still be usable (DEBUG DIGEST answers)."""

from __future__ import annotations

import io
import random
import time

import pytest
from harness import Err, Harness
from rdb_dataset import commands, group_reads

from moredis.persistence import rdb
from moredis.persistence.rdbio import RdbError


def _base_files() -> tuple[Harness, list[bytes], list[bytes]]:
    h = Harness()
    for c in commands() + group_reads():
        h(*c)
    files = []
    for comp in ("yes", "no"):
        h("config", "set", "rdbcompression", comp)
        buf = io.BytesIO()
        rdb.write_rdb(h.srv, rdb.Sink(buf, True))
        files.append(buf.getvalue())
    payloads = []
    for db in (0, 1, 9):
        h("select", db)
        for k in h("keys", "*"):
            payloads.append(h("dump", k))
    h("select", 0)
    return h, files, payloads


def _mutate(rnd: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rnd.choice((1, 1, 1, 2, 3, 8))):
        if not b:
            break
        kind = rnd.randrange(7)
        i = rnd.randrange(len(b))
        if kind == 0:
            b[i] ^= 1 << rnd.randrange(8)
        elif kind == 1:
            b[i] = rnd.randrange(256)
        elif kind == 2:
            del b[i:]
        elif kind == 3:
            b[i:i] = rnd.randbytes(rnd.randrange(1, 16))
        elif kind == 4:
            del b[i:i + rnd.randrange(1, 64)]
        elif kind == 5:
            j = rnd.randrange(len(b))
            b[i:i] = b[j:j + rnd.randrange(1, 64)]
        else:
            b[i:i + 1] = rnd.choice((b"\x80\xff\xff\xff\xff", b"\x81" + b"\xff" * 8, b"\xc3", b"\xbf"))
    return bytes(b)


def _fuzz(iterations: int, seed: int, budget: float) -> None:
    _src, files, payloads = _base_files()
    rnd = random.Random(seed)
    target = Harness()
    srv = target.srv
    started = time.monotonic()
    loaded = refused = 0
    for n in range(iterations):
        if rnd.random() < 0.5:
            data = _mutate(rnd, rnd.choice(files))
            t0 = time.monotonic()
            try:
                rdb.load_rdb(srv, data, check_crc=rnd.random() < 0.3, log=False)
                loaded += 1
            except RdbError:
                refused += 1
        else:
            data = _mutate(rnd, rnd.choice(payloads))
            t0 = time.monotonic()
            try:
                v = rdb.load_payload(srv, data + b"\x0c\x00" + b"\0" * 8, b"k", 0)
                srv.dbs[0].data[b"k"] = v
                loaded += 1
            except RdbError:
                refused += 1
        assert time.monotonic() - t0 < 5, f"iteration {n} took too long"
        for db in range(len(srv.dbs)):
            if srv.dbs[db].data:
                target("select", db)
                r = target("debug", "digest")
                assert not (isinstance(r, Err) and "internal error" in r), (n, r)
                srv.dbs[db].clear()
        target("select", 0)
    assert loaded + refused == iterations and refused > 0
    assert time.monotonic() - started < budget


def test_fuzz_loader_quick():
    _fuzz(250, seed=20261125, budget=120)


@pytest.mark.slow
def test_fuzz_loader_long():
    for seed in range(4):
        _fuzz(2500, seed=seed, budget=1200)
