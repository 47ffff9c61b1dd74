"""List key API (RedisModule_List*): the scenarios of Redis's tests/unit/moduleapi/list.tcl,
plus the error and errno answers Redis 7.4.1 gives (checked with a C module loaded into
the reference server)."""

from __future__ import annotations

import errno
import threading
import time

import pytest
import redis

WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
LIST, EMPTY = 2, 0


@pytest.fixture(scope="module")
def srv(modserver):
    return modserver("list")


@pytest.fixture
def r(srv):
    c = srv.client()
    c.flushall()
    c.config_set("list-max-listpack-size", -2)
    return c


def edit(r, *args) -> dict:
    flat = r.execute_command("list.edit", *args)
    return {flat[i].decode(): flat[i + 1] for i in range(0, len(flat), 2)}


def getall(r, key="k", *extra):
    return [x.decode() for x in r.execute_command("list.getall", key, *extra)]


def test_set_get_insert_delete(r):
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.execute_command("list.set", "k", 1, "xyz")
    r.rpush("k", "x")
    r.execute_command("list.insert", "k", 0, "foo")
    r.execute_command("list.insert", "k", -1, "bar")
    r.execute_command("list.set", "k", 1, "xyz")
    assert getall(r) == ["foo", "xyz", "bar"]
    assert [r.execute_command("list.get", "k", i) for i in (0, 1, 2, -1, -3)] == [b"foo", b"xyz", b"bar",
                                                                                 b"bar", b"foo"]
    for i in (-4, 3):
        with pytest.raises(redis.ResponseError, match=r"^index out of bounds"):
            r.execute_command("list.get", "k", i)
        with pytest.raises(redis.ResponseError, match=r"^index out of bounds"):
            r.execute_command("list.delete", "k", i)
    r.execute_command("list.delete", "k", 0)
    r.execute_command("list.delete", "k", -1)
    assert getall(r) == ["xyz"]
    r.execute_command("list.delete", "k", 0)  # removing the last element deletes the list
    assert r.exists("k") == 0


def test_iteration(r):
    r.rpush("k", "x", "y", "z")
    assert getall(r) == ["x", "y", "z"]
    assert getall(r, "k", "REVERSE") == ["z", "y", "x"]


@pytest.mark.parametrize("args,expect,result", [
    (("ikikdi", "foo", "bar", "baz"), {"i": 3, "index": 5}, ["foo", "x", "bar", "y", "baz"]),
    (("REVERSE", "ikikdi", "foo", "bar", "baz"), {"i": 3, "index": -6}, ["baz", "y", "bar", "z", "foo"]),
    (("rkr", "foo", "bar"), {"r": 2, "index": 3}, ["foo", "y", "bar"]),
    (("reverse", "rkr", "foo", "bar"), {"r": 2, "index": -4}, ["bar", "y", "foo"]),
])
def test_edit_while_iterating(r, args, expect, result):
    r.rpush("k", "x", "y", "z")
    got = edit(r, "k", *args)
    assert {k: got[k] for k in expect} == expect
    assert getall(r) == result


def test_encoding_conversion_while_inserting(r):
    r.config_set("list-max-listpack-size", 4)
    r.rpush("k", "a", "b", "c", "d")
    assert r.object("encoding", "k") == b"listpack"
    edit(r, "k", "dii", "foo", "bar")  # the second insert outgrows the listpack
    assert r.object("encoding", "k") == b"quicklist"
    assert getall(r) == ["foo", "bar", "b", "c", "d"]
    edit(r, "k", "ddd", "e")  # a single node of two entries shrinks back
    assert r.object("encoding", "k") == b"listpack"
    assert getall(r) == ["c", "d"]


def test_encoding_conversion_while_replacing(r):
    r.config_set("list-max-listpack-size", -1)
    r.rpush("k", "x", "y", "z")
    assert r.object("encoding", "k") == b"listpack"
    big = "x" * 4096
    edit(r, "k", "r", big)
    assert r.object("encoding", "k") == b"quicklist"
    assert getall(r) == [big, "y", "z"]
    edit(r, "k", "d")
    assert r.object("encoding", "k") == b"listpack"
    assert getall(r) == ["y", "z"]


@pytest.mark.parametrize("args,expect,result", [
    (("dd",), {"d": 2, "index": 0, "entry": b"z"}, ["z"]),
    (("reverse", "kkd"), {"d": 1, "index": -3}, ["y", "z"]),
    (("kkd",), {"d": 1, "index": 2}, ["x", "y"]),
    (("reverse", "dd"), {"d": 2, "index": -1, "entry": b"x"}, ["x"]),
    (("kdd",), {"d": 2, "index": 1}, ["x"]),
    (("reverse", "kdd"), {"d": 2, "index": -2}, ["z"]),
])
def test_entry_and_index_after_deletion(r, args, expect, result):
    r.config_set("list-max-listpack-size", 1)
    r.rpush("k", "x", "y", "z")
    got = edit(r, "k", *args)
    assert {k: got.get(k) for k in expect} == expect
    assert getall(r) == result


def ops(r, key, mode, *triples):
    return r.execute_command("list.ops", key, mode, *triples)


def test_push_pop_and_errno(r):
    assert ops(r, "L", "w", "push", 0, "a", "push", 1, "b", "push", 7, "c", "get", 0, "-") == [
        0, 0, None, 0, 0, None, 0, 0, None, 1, errno.EBADF, None, LIST]  # `where` other than HEAD: tail
    assert r.lrange("L", 0, -1) == [b"a", b"b", b"c"]
    assert ops(r, "L", "r", "get", 0, "-", "get", -1, "-", "get", 3, "-", "get", -4, "-") == [
        0, 0, b"a", 0, 0, b"c", 1, errno.EDOM, None, 1, errno.EDOM, None, LIST]
    # a key opened for reading only refuses every write (EBADF), the list is untouched
    assert ops(r, "L", "r", "set", 0, "q", "ins", 1, "q", "del", 0, "-", "pop", 0, "-", "push", 0, "q") == [
        1, errno.EBADF, None] * 5 + [LIST]
    assert r.lrange("L", 0, -1) == [b"a", b"b", b"c"]
    assert ops(r, "L", "w", "none", 0, "-") == [1, errno.EINVAL, None, LIST]
    # popping the last element deletes the key
    assert ops(r, "L1", "w", "push", 0, "a", "pop", 0, "-") == [0, 0, None, 0, 0, b"a", EMPTY]
    assert r.exists("L1") == 0


def test_empty_and_wrong_type_keys(r):
    assert ops(r, "nokey", "w", "get", 0, "-", "set", 0, "x", "del", 0, "-", "pop", 0, "-") == [
        1, errno.ENOTSUP, None] * 4 + [EMPTY]
    assert r.exists("nokey") == 0
    assert ops(r, "nokey", "w", "ins", 1, "x", "ins", -2, "x") == [1, errno.ENOTSUP, None] * 2 + [EMPTY]
    assert ops(r, "nokey", "w", "ins", 0, "first") == [0, 0, None, LIST]  # 0 / -1 on an empty key: a push
    assert ops(r, "nokey2", "w", "ins", -1, "first") == [0, 0, None, LIST]
    r.set("s", "x")
    assert ops(r, "s", "rw", "push", 0, "a", "pop", 0, "-", "get", 0, "-", "set", 0, "a", "ins", 0, "a",
               "ins", 3, "a", "del", 0, "-") == [1, errno.ENOTSUP, None] * 7 + [1]
    assert r.get("s") == b"x"


def test_insert_positions(r):
    r.rpush("L", "a", "b", "c")
    # n (the length) and -1 append, 0 and -n-1 prepend, others insert at that index
    assert ops(r, "L", "rw", "ins", 3, "end", "ins", -5, "beg", "ins", -2, "mid", "ins", 2, "two",
               "ins", 9, "x", "ins", -9, "x") == [0, 0, None] * 4 + [1, errno.EDOM, None] * 2 + [LIST]
    assert r.lrange("L", 0, -1) == [b"beg", b"a", b"two", b"b", b"c", b"mid", b"end"]


def test_set_on_read_key_still_converts(r):
    # RM_ListSet / RM_ListInsert run the listpack size check before the mode check
    r.config_set("list-max-listpack-size", 4)
    r.rpush("L", "a", "b", "c", "d")
    assert ops(r, "L", "r", "set", 0, "x") == [1, errno.EBADF, None, LIST]
    assert r.object("encoding", "L") == b"quicklist"
    assert r.lrange("L", 0, -1) == [b"a", b"b", b"c", b"d"]


def test_big_element_converts_on_push(r):
    assert ops(r, "L", "w", "push", 1, "x" * 9000) == [0, 0, None, LIST]
    assert r.object("encoding", "L") == b"quicklist"


def test_no_events_no_dirty(srv, r):
    r.config_set("notify-keyspace-events", "KEA")
    p = srv.client().pubsub()
    p.psubscribe("__key*__:*")
    p.get_message(timeout=1)
    dirty = r.info("persistence")["rdb_changes_since_last_save"]
    ops(r, "L", "w", "push", 0, "a", "push", 0, "b", "del", 0, "-", "set", 0, "c", "pop", 0, "-")
    assert r.exists("L") == 0
    assert p.get_message(timeout=0.2) is None
    assert r.info("persistence")["rdb_changes_since_last_save"] == dirty
    p.close()
    r.config_set("notify-keyspace-events", "")


def test_push_wakes_blocked_client(srv, r):
    other = srv.client()
    got = []
    t = threading.Thread(target=lambda: got.append(other.blpop("L", 5)))
    t.start()
    time.sleep(0.2)
    ops(r, "L", "w", "push", 1, "hello")
    t.join(5)
    assert got == [(b"L", b"hello")]
    assert r.exists("L") == 0


def test_key_deleted_behind_the_handle(r):
    r.rpush("L", "a")
    # list.edit keeps its handle while deleting; the emptied list is gone, the key type is empty
    assert edit(r, "L", "d") == {"d": 1, "index": 0}
    assert r.exists("L") == 0
