"""RM_Scan / RM_ScanKey: Redis's tests/unit/moduleapi/scan.tcl, and the value texts, errors
and guarantees of Redis 7.4.1 (checked with a C module loaded into the reference server)."""

from __future__ import annotations

import errno
import time

import pytest


@pytest.fixture(scope="module")
def srv(modserver):
    return modserver("scan")


@pytest.fixture
def r(srv):
    c = srv.client()
    c.flushall()
    for k, v in (("hash-max-listpack-entries", 128), ("zset-max-listpack-entries", 128),
                 ("set-max-intset-entries", 512)):
        c.config_set(k, v)
    return c


def scan_key(r, key):
    return sorted((f, v) for f, v in r.execute_command("scan.scan_key", key))


def test_scan_keyspace(r):
    r.set("x", 1)
    r.set("y", 2)
    r.set("z", 3)
    r.hset("h", "f", "v")
    assert sorted(map(tuple, r.execute_command("scan.scan_strings"))) == [(b"x", b"1"), (b"y", b"2"),
                                                                          (b"z", b"3")]


def test_scan_hash(r):
    r.hset("hh", mapping={"f1": "v1", "f2": "v2"})
    assert scan_key(r, "hh") == [(b"f1", b"v1"), (b"f2", b"v2")]
    r.hset("hh1", "f1", 1)
    assert scan_key(r, "hh1") == [(b"f1", b"1")]
    r.config_set("hash-max-listpack-entries", 2)
    r.hset("hh", "f3", "v3")
    assert r.object("encoding", "hh") == b"hashtable"
    assert scan_key(r, "hh") == [(b"f1", b"v1"), (b"f2", b"v2"), (b"f3", b"v3")]


def test_scan_zset(r):
    r.zadd("zz", {"f1": 1, "f2": 2})
    assert scan_key(r, "zz") == [(b"f1", b"1"), (b"f2", b"2")]
    r.config_set("zset-max-listpack-entries", 2)
    r.zadd("zz", {"f3": 3})
    assert r.object("encoding", "zz") == b"skiplist"
    assert scan_key(r, "zz") == [(b"f1", b"1"), (b"f2", b"2"), (b"f3", b"3")]


def test_zset_score_texts(r):
    scores = {"a": 1.5, "b": 0.1, "c": 3, "d": 1e20}
    r.zadd("zl", scores)  # a listpack holds the shortest text of each score
    assert scan_key(r, "zl") == [(b"a", b"1.5"), (b"b", b"0.1"), (b"c", b"3"), (b"d", b"1e+20")]
    r.config_set("zset-max-listpack-entries", 1)
    r.zadd("zs", {**scores, "e": -0.0, "f": float("inf")})  # a skiplist's doubles print as %.17Lg
    assert scan_key(r, "zs") == [(b"a", b"1.5"), (b"b", b"0.10000000000000001"), (b"c", b"3"),
                                 (b"d", b"1e+20"), (b"e", b"-0"), (b"f", b"inf")]


def test_scan_set(r):
    r.sadd("ss", 1, 2)
    assert scan_key(r, "ss") == [(b"1", None), (b"2", None)]
    r.config_set("set-max-intset-entries", 2)
    r.sadd("ss", 3)
    assert r.object("encoding", "ss") == b"hashtable"
    assert scan_key(r, "ss") == [(b"1", None), (b"2", None), (b"3", None)]
    r.sadd("sl", "x", "y")
    assert scan_key(r, "sl") == [(b"x", None), (b"y", None)]


def test_scan_key_errors(r):
    r.set("str", "x")
    r.rpush("l", "a")
    assert r.execute_command("scan.key_errors", "str") == [0, errno.EINVAL, 0, errno.EINVAL]
    assert r.execute_command("scan.key_errors", "l") == [0, errno.EINVAL, 0, errno.EINVAL]
    r.hset("h", "f", "v")
    assert r.execute_command("scan.key_errors", "h") == [0, 0, 0, errno.ENOENT]


def test_big_hash_is_walked_in_several_calls(r):
    r.config_set("hash-max-listpack-entries", 16)
    r.hset("big", mapping={f"f{i}": i for i in range(500)})
    got = r.execute_command("scan.scan_key", "big")
    assert sorted(f for f, _ in got) == sorted(f"f{i}".encode() for i in range(500))


def all_keys(r, *args):
    got = r.execute_command("scan.all", *args)
    pairs = sorted(zip(got[:-3:2], got[1:-3:2], strict=True))
    return pairs, got[-3:]


def test_scan_reports_each_key_once_with_its_type(r):
    for i in range(95):
        r.set(f"s{i}", i)
    r.rpush("l", "a")
    r.hset("h", "f", "v")
    pairs, (calls, again, err) = all_keys(r)
    assert len(pairs) == 97 and len({p[0] for p in pairs}) == 97
    assert dict(pairs)[b"l"] == 2 and dict(pairs)[b"h"] == 3 and dict(pairs)[b"s1"] == 1
    assert calls > 1  # 1 while more remain
    assert (again, err) == (0, errno.ENOENT)  # a finished cursor


def test_scan_empty_db(r):
    assert all_keys(r) == ([], [0, 0, errno.ENOENT])


def test_changes_from_the_callback(r):
    for i in range(30):
        r.set(f"k{i}", i)
    pairs, _ = all_keys(r, "delete")  # deleting the current key is safe
    assert len(pairs) == 30 and r.dbsize() == 0
    for i in range(30):
        r.set(f"k{i}", i)
    pairs, _ = all_keys(r, "add")  # every key present from start to end is reported
    assert {p[0] for p in pairs} >= {f"k{i}".encode() for i in range(30)}
    assert r.dbsize() >= 60


def test_expired_but_not_deleted_keys_are_reported(r):
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 0)
    try:
        r.set("a", 1)
        r.set("b", 2, px=1)
        time.sleep(0.01)
        pairs, _ = all_keys(r)
        assert pairs == [(b"a", 1), (b"b", 1)]  # dictScan sees b until it is deleted
    finally:
        r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 1)
