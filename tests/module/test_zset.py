"""Sorted set key API (RedisModule_Zset*): Redis's tests/unit/moduleapi/zset.tcl, the
flag and error answers of Redis 7.4.1 (checked with a C module loaded into the
reference server) and the range iterators in both encodings."""

from __future__ import annotations

import threading
import time

import pytest
import redis

ZSET, EMPTY, STRING = 5, 0, 1
ADDED, UPDATED, NOP = 4, 8, 16


@pytest.fixture(scope="module")
def srv(modserver):
    return modserver("zset")


@pytest.fixture
def r(srv):
    c = srv.client()
    c.flushall()
    c.config_set("zset-max-listpack-entries", 128)
    return c


def test_rem(r):
    r.zadd("k", {"hello": 100, "world": 200})
    assert r.execute_command("zset.rem", "k", "hello") == 1
    assert r.execute_command("zset.rem", "k", "hello") == 0
    assert r.exists("k") == 1
    assert r.execute_command("zset.rem", "k", "world") == 1  # the last element: the key goes
    assert r.exists("k") == 0


def test_add(r):
    with pytest.raises(redis.ResponseError, match="ZsetAdd failed"):
        r.execute_command("zset.add", "k", "nan", "hello")
    assert r.exists("k") == 0  # a failed add leaves no empty key
    r.execute_command("zset.add", "k", 100, "hello")
    assert r.zrange("k", 0, -1, withscores=True) == [(b"hello", 100.0)]


def test_incrby(r):
    with pytest.raises(redis.ResponseError, match="ZsetIncrby failed"):
        r.execute_command("zset.incrby", "k", "hello", "nan")
    assert r.exists("k") == 0
    assert float(r.execute_command("zset.incrby", "k", "hello", 100)) == 100
    assert r.zrange("k", 0, -1, withscores=True) == [(b"hello", 100.0)]


def addx(r, *args):
    return r.execute_command("zset.addx", *args)


def incrx(r, *args):
    got = r.execute_command("zset.incrx", *args)
    return [got[0], got[1], None if got[2] is None else float(got[2]), got[3]]


def test_add_flags(r):
    assert addx(r, "k", "w", "", "1", "a") == [0, ADDED, ZSET]
    assert addx(r, "k", "w", "", "1", "a") == [0, 0, ZSET]  # same score: neither flag
    assert addx(r, "k", "w", "", "2", "a") == [0, UPDATED, ZSET]
    assert addx(r, "k", "w", "n", "3", "a") == [0, NOP, ZSET]
    assert addx(r, "k", "w", "x", "3", "b") == [0, NOP, ZSET]
    assert addx(r, "k", "w", "g", "1", "a") == [0, NOP, ZSET]
    assert addx(r, "k", "w", "l", "1", "a") == [0, UPDATED, ZSET]
    assert addx(r, "k", "w", "gx", "5", "a") == [0, UPDATED, ZSET]
    assert addx(r, "k", "w", "nx", "7", "a") == [0, NOP, ZSET]
    assert addx(r, "k", "w", "n", "4", "c") == [0, ADDED, ZSET]
    assert addx(r, "k", "r", "", "1", "a") == [1, 0, ZSET]  # not opened for writing
    assert r.zrange("k", 0, -1, withscores=True) == [(b"c", 4.0), (b"a", 5.0)]


def test_incr_flags(r):
    r.zadd("k", {"a": 5, "c": 4})
    assert incrx(r, "k", "w", "", "1", "a") == [0, UPDATED, 6.0, ZSET]
    assert incrx(r, "k", "w", "n", "1", "a") == [0, NOP, None, ZSET]
    assert incrx(r, "k", "w", "x", "1", "zz") == [0, NOP, None, ZSET]
    assert incrx(r, "k", "w", "", "inf", "a") == [0, UPDATED, float("inf"), ZSET]
    assert incrx(r, "k", "w", "", "-inf", "a") == [1, 0, None, ZSET]  # inf + -inf is NaN
    assert incrx(r, "k", "w", "g", "-1", "c") == [0, NOP, None, ZSET]  # GT compares the sum
    assert incrx(r, "k", "w", "", "10", "newm") == [0, ADDED, 10.0, ZSET]
    assert incrx(r, "k", "w", "", "0", "z0") == [0, ADDED, 0.0, ZSET]
    assert r.zscore("k", "a") == float("inf")


def test_rem_and_score(r):
    r.zadd("k", {"a": 5, "c": 4})
    assert r.execute_command("zset.remx", "k", "w", "a") == [0, 1, None, ZSET]
    assert r.execute_command("zset.remx", "k", "r", "c") == [1, 0, b"4", ZSET]  # READ: ERR, still there
    assert r.execute_command("zset.remx", "k", "w", "nope") == [0, 0, None, ZSET]
    assert r.execute_command("zset.remx", "nokey", "w", "a") == [0, 0, None, EMPTY]
    assert r.exists("nokey") == 0
    r.set("s", "x")
    assert addx(r, "s", "w", "", "1", "a") == [1, 0, STRING]
    assert r.execute_command("zset.remx", "s", "w", "a") == [1, 0, None, STRING]


def test_noop_on_missing_key_leaves_no_empty_zset(r):
    # Redis 7.4 keeps an empty sorted set here (ZCARD 0); moredis deletes it
    assert addx(r, "k", "w", "x", "1", "a") == [0, NOP, EMPTY]
    assert r.exists("k") == 0
    assert addx(r, "k", "w", "", "nan", "a") == [1, 0, EMPTY]
    assert r.exists("k") == 0


def test_conversion_to_skiplist(r):
    r.config_set("zset-max-listpack-entries", 2)
    addx(r, "k", "w", "", "1", "a")
    addx(r, "k", "w", "", "2", "b")
    assert r.object("encoding", "k") == b"listpack"
    addx(r, "k", "w", "", "3", "c")
    assert r.object("encoding", "k") == b"skiplist"
    r.config_set("zset-max-listpack-value", 4)
    addx(r, "k2", "w", "", "1", "abcde")
    assert r.object("encoding", "k2") == b"skiplist"
    r.config_set("zset-max-listpack-value", 64)


@pytest.fixture(params=["listpack", "skiplist"])
def z(r, request):
    if request.param == "skiplist":
        r.config_set("zset-max-listpack-entries", 1)
    r.zadd("z", {"a": 1, "b": 2, "c": 3, "d": 4})
    assert r.object("encoding", "z").decode() == request.param
    return r


def test_score_ranges(z):
    r = z
    assert r.execute_command("zset.range", "z", "score", "first", 1, 3, 0, 0) == [b"a", b"1", b"b", b"2",
                                                                                     b"c", b"3"]
    assert r.execute_command("zset.range", "z", "score", "last", 1, 3, 0, 0) == [b"c", b"3", b"b", b"2",
                                                                                    b"a", b"1"]
    assert r.execute_command("zset.range", "z", "score", "first", 1, 3, 1, 1) == [b"b", b"2"]
    assert r.execute_command("zset.range", "z", "score", "first", "-inf", "inf", 0, 0)[::2] == [b"a", b"b",
                                                                                                  b"c", b"d"]
    assert r.execute_command("zset.range", "z", "score", "first", 5, 9, 0, 0) == []
    assert r.execute_command("zset.range", "z", "score", "first", 3, 1, 0, 0) == []
    assert r.execute_command("zset.range", "z", "score", "first", 2, 2, 1, 0) == []


def test_iterator_steps(z):
    r = z
    # once the end is reached the last element stays current, next keeps answering 0
    assert r.execute_command("zset.iter", "z", "score", "first", 1, 3, 0, 0, "cncncncnce") == [
        0, 0, b"a", b"1", 1, b"b", b"2", 1, b"c", b"3", 0, b"c", b"3", 0, b"c", b"3", 1]
    assert r.execute_command("zset.iter", "z", "score", "last", 1, 3, 0, 0, "cpcpcpcpce") == [
        0, 0, b"c", b"3", 1, b"b", b"2", 1, b"a", b"1", 0, b"a", b"1", 0, b"a", b"1", 1]
    assert r.execute_command("zset.iter", "z", "score", "first", 5, 9, 0, 0, "cnpe") == [
        0, 1, None, None, 0, 0, 1]
    assert r.execute_command("zset.iter", "z", "score", "first", 1, 3, 0, 0, "scnpe") == [
        0, 0, None, None, 0, 0, 1]  # stopped
    assert r.execute_command("zset.iter", "nokey", "score", "first", 1, 3, 0, 0, "ce") == [1, 1, None, None, 1]
    r.set("str", "x")
    assert r.execute_command("zset.iter", "str", "score", "first", 1, 3, 0, 0, "ce") == [1, 1, None, None, 1]


def test_lex_ranges(z):
    r = z
    assert r.execute_command("zset.iter", "z", "lex", "first", "-", "+", "cncncncnc") == [
        0, 0, b"a", b"1", 1, b"b", b"2", 1, b"c", b"3", 1, b"d", b"4", 0, b"d", b"4"]
    assert r.execute_command("zset.iter", "z", "lex", "first", "[b", "(d", "cncnc") == [
        0, 0, b"b", b"2", 1, b"c", b"3", 0, b"c", b"3"]
    assert r.execute_command("zset.iter", "z", "lex", "last", "[b", "(d", "cpcpc") == [
        0, 0, b"c", b"3", 1, b"b", b"2", 0, b"b", b"2"]
    assert r.execute_command("zset.iter", "z", "lex", "first", "[d", "[b", "ce") == [0, 1, None, None, 1]
    # a range that does not parse: ERR, and (as in Redis) the end flag is left cleared
    assert r.execute_command("zset.iter", "z", "lex", "first", "b", "d", "cen") == [1, 0, None, None, 0, 0]
    with pytest.raises(redis.ResponseError, match="range setup failed"):
        r.execute_command("zset.range", "z", "lex", "first", "b", "d")


def test_modified_during_iteration(z):
    r = z
    # an element added ahead of the iterator is met; one removed ahead is skipped
    assert r.execute_command("zset.iter", "z", "score", "first", 1, 4, 0, 0, "cAncncncn") == [
        0, 0, b"a", b"1", 1, b"b", b"2", 1, b"ins", b"2.5", 1, b"c", b"3", 1]
    r.zrem("z", "ins")
    assert r.execute_command("zset.iter", "z", "score", "first", 1, 4, 0, 0, "cDncn") == [
        0, 0, b"a", b"1", 1, b"c", b"3", 1]
    r.zadd("z", {"b": 2})
    # the current element removed (here through RM_Call): the iteration is over
    assert r.execute_command("zset.iter", "z", "score", "first", 1, 4, 0, 0, "ncCcnpe") == [
        0, 0, 1, b"b", b"2", None, None, 0, 0, 1]
    assert r.zrange("z", 0, -1) == [b"a", b"c", b"d"]


def test_add_to_missing_key_wakes_bzpopmin(srv, r):
    other = srv.client()
    got = []
    t = threading.Thread(target=lambda: got.append(other.bzpopmin("bz", 5)))
    t.start()
    time.sleep(0.2)
    addx(r, "bz", "w", "", "3", "m")  # the key is created through dbAdd: readiness signalled
    t.join(5)
    assert got == [(b"bz", b"m", 3.0)]
    assert r.exists("bz") == 0
