"""Generic key calls from misc.c (KeyExists, DbSize, RandomKey, ResetDataset, LRU/LFU,
OPEN_KEY_NOTOUCH / NOEFFECTS) and a misbehaving module: exceptions become error
replies, writes through READ keys and typed calls on the wrong type fail, and the
keyspace is left as it was."""

from __future__ import annotations

import time

import pytest
import redis


@pytest.fixture(scope="module")
def srv(modserver):
    return modserver("misc")


@pytest.fixture
def r(srv):
    c = srv.client()
    c.flushall()
    c.config_set("maxmemory-policy", "noeviction")
    c.config_set("notify-keyspace-events", "")
    return c


def test_db_commands(r):
    r.set("x", "foo")
    assert r.execute_command("test.randomkey") == b"x"
    assert r.execute_command("test.dbsize") == 1
    r.execute_command("SELECT", 5)
    r.set("y", 1)
    r.execute_command("SELECT", 0)
    r.execute_command("test.flushall")
    assert r.execute_command("test.dbsize") == 0
    r.execute_command("SELECT", 5)
    assert r.dbsize() == 0  # every database
    r.execute_command("SELECT", 0)
    assert r.execute_command("test.randomkey") is None


def test_keyexists(r):
    r.set("x", "foo")
    assert r.execute_command("test.keyexists", "x") == 1
    r.delete("x")
    assert r.execute_command("test.keyexists", "x") == 0


def test_lru(r):
    r.config_set("maxmemory-policy", "allkeys-lru")
    r.set("x", "foo")
    assert r.execute_command("test.getlru", "x") <= 1000
    assert r.execute_command("test.setlru", "x", 100000) == 1
    assert r.object("idletime", "x") >= 100
    assert r.execute_command("test.getlru", "x") >= 100000
    r.config_set("maxmemory-policy", "allkeys-lfu")
    assert r.execute_command("test.getlru", "x") == -1
    assert r.execute_command("test.setlru", "x", 100000) == 0


def test_lfu(r):
    r.config_set("maxmemory-policy", "allkeys-lfu")
    r.set("x", "foo")
    assert r.execute_command("test.getlfu", "x") >= 1
    assert r.execute_command("test.setlfu", "x", 100) == 1
    assert r.object("freq", "x") <= 100
    assert r.execute_command("test.getlfu", "x") <= 100
    r.config_set("maxmemory-policy", "allkeys-lru")
    assert r.execute_command("test.getlfu", "x") == -1
    assert r.execute_command("test.setlfu", "x", 100) == 0


def test_notouch(r):
    r.config_set("maxmemory-policy", "allkeys-lru")
    r.set("x", "foo")
    r.execute_command("test.setlru", "x", 100000)
    assert r.execute_command("test.open", "x", "rT") == 1
    assert r.object("idletime", "x") >= 100  # NOTOUCH kept the access time
    assert r.execute_command("test.open", "x", "r") == 1
    assert r.object("idletime", "x") < 100  # a plain open touched it


def test_noeffects(r, srv):
    r.set("x", "foo")
    stats = r.info("stats")
    assert r.execute_command("test.open", "x", "rE") == 1
    assert r.execute_command("test.open", "missing", "rE") == -1
    after = r.info("stats")
    assert (after["keyspace_hits"], after["keyspace_misses"]) == (stats["keyspace_hits"], stats["keyspace_misses"])
    assert r.execute_command("test.open", "missing", "r") == -1
    assert r.info("stats")["keyspace_misses"] == stats["keyspace_misses"] + 1
    # keymiss events: none with NONOTIFY / NOEFFECTS
    r.config_set("notify-keyspace-events", "Em")
    p = srv.client().pubsub()
    p.subscribe("__keyevent@0__:keymiss")
    p.get_message(timeout=1)
    r.execute_command("test.open", "missing", "rN")
    r.execute_command("test.open", "missing", "rE")
    assert p.get_message(timeout=0.2) is None
    r.execute_command("test.open", "missing", "r")
    assert p.get_message(timeout=1)["data"] == b"missing"
    p.close()
    # an expired key is hidden but not deleted by NOEXPIRE / NOEFFECTS
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 0)
    try:
        r.set("e", "v", px=1)
        time.sleep(0.01)
        assert r.execute_command("test.open", "e", "rE") == -1
        assert r.execute_command("test.open", "e", "rX") == -1
        assert r.execute_command("DEBUG", "OBJECT", "e")  # still stored
        assert r.execute_command("test.open", "e", "r") == -1
        with pytest.raises(redis.ResponseError, match="no such key"):
            r.execute_command("DEBUG", "OBJECT", "e")
    finally:
        r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", 1)


def test_exception_is_an_error_reply(r):
    with pytest.raises(redis.ResponseError):
        r.execute_command("test.raise")
    assert r.ping()
    with pytest.raises(redis.ResponseError):
        r.execute_command("test.raise", "L")
    assert r.ping()
    assert r.lrange("L", 0, -1) == [b"before-the-error"]  # what ran before the error stays: no rollback


@pytest.mark.parametrize("setup", ["list", "hash", "zset", "stream", "string"])
def test_read_keys_refuse_writes(r, setup):
    if setup == "list":
        r.rpush("k", "a")
    elif setup == "hash":
        r.hset("k", "a", "1")
    elif setup == "zset":
        r.zadd("k", {"a": 1})
    elif setup == "stream":
        r.xadd("k", {"a": "1"}, id="1-0")
    else:
        r.set("k", "a")
    dump = r.dump("k")
    assert r.execute_command("test.readwrite", "k") == [1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1]
    assert r.dump("k") == dump and r.ttl("k") == -1


def test_wrong_types_refused(r):
    r.set("s", "x")
    assert r.execute_command("test.wrongtype", "s") == [1, 0, 1, 0, 1, 1]
    assert r.get("s") == b"x"
    r.rpush("l", "a")
    assert r.execute_command("test.wrongtype", "l") == [0, 0, 1, 0, 1, 1]  # the push itself works
    assert r.lrange("l", 0, -1) == [b"a", b"x"]
