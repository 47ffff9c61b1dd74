"""Stream key API (RedisModule_Stream*): Redis's tests/unit/moduleapi/stream.tcl and the
errno answers of Redis 7.4.1 (checked with a C module loaded into the reference server)."""

from __future__ import annotations

import errno
import threading
import time

import pytest
import redis

EINVAL, ENOTSUP, EBADF, EDOM, ENOENT = (1000 + e for e in (errno.EINVAL, errno.ENOTSUP, errno.EBADF,
                                                            errno.EDOM, errno.ENOENT))
MAX = (1 << 64) - 1


@pytest.fixture(scope="module")
def srv(modserver):
    return modserver("stream")


@pytest.fixture
def r(srv):
    c = srv.client()
    c.flushall()
    c.config_set("stream-node-max-entries", 100)
    return c


@pytest.fixture
def st(r):
    for i in range(1, 6):
        r.xadd("st", {f"f{i}": f"v{i}", "a": "x"}, id=f"{i}-0")
    return r


def ops(r, key, mode, *args):
    return r.execute_command("stream.ops", key, mode, *args)


def test_add(r):
    id1 = r.execute_command("stream.add", "s", "item", 1, "value", "a")  # creates the key
    id2 = r.execute_command("stream.add", "s", "item", 2, "value", "b")
    assert b"-" in id1 and id2 > id1
    assert r.xrange("s") == [(id1, {b"item": b"1", b"value": b"a"}), (id2, {b"item": b"2", b"value": b"b"})]
    r.delete("s")
    r.set("s", "mystring")
    with pytest.raises(redis.ResponseError, match="StreamAdd failed"):
        r.execute_command("stream.add", "s", "item", 1, "value", "a")


def test_add_many(r):
    assert r.execute_command("stream.addn", "s", 3000, "field", "value") == 3000
    assert r.xlen("s") == 3000
    assert r.xinfo_stream("s")["entries-added"] == 3000


def test_add_ids_and_errors(r):
    assert ops(r, "s", "w", "add", "0-0", "f", "v") == [EDOM, None]
    assert r.exists("s") == 0  # refused before the key is made
    assert ops(r, "s", "w", "add", "5-1", "f", "v", "add", "5-1", "f", "v", "add", "5-0", "f", "v",
               "add", "5-2", "f", "v") == [0, b"5-1", EDOM, None, EDOM, None, 0, b"5-2"]
    assert ops(r, "s", "r", "add", "auto", "a", "b") == [EBADF, None]
    got = ops(r, "s", "w", "add", "auto", "a", "b")
    assert got[0] == 0 and int(got[1].split(b"-")[0]) > 5
    r.set("str", "x")
    assert ops(r, "str", "w", "add", "1-1", "f", "v") == [ENOTSUP, None]
    r.delete("s")
    r.xadd("s", {"f": "v"}, id=f"{MAX}-{MAX}")
    assert ops(r, "s", "w", "add", "auto", "f", "v") == [1000 + errno.EFBIG, None]


def flat(entries) -> list:
    """XRANGE as redis-py parses it, back to the reply's shape."""
    return [[i, [x for kv in fv.items() for x in kv]] for i, fv in entries]


def test_iterator(r):
    id1 = r.xadd("s", {"item": 1, "value": "a"})
    id2 = r.xadd("s", {"item": 2, "value": "b"})
    assert r.execute_command("stream.range", "s", "-", "+") == flat(r.xrange("s", "-", "+"))
    assert r.execute_command("stream.range", "s", "+", "-") == flat(r.xrevrange("s", "+", "-"))
    assert r.execute_command("stream.range", "s", "-", id1) == [[id1, [b"item", b"1", b"value", b"a"]]]
    assert r.execute_command("stream.range", "s", id2, id2) == [[id2, [b"item", b"2", b"value", b"b"]]]
    assert r.execute_command("stream.range", "s", id2, id1) == flat(r.xrevrange("s", id2, id1))


def test_iterator_steps(st):
    r = st
    # a READ key iterates; NextField runs out (ENOENT); Delete needs WRITE (EBADF)
    assert ops(r, "st", "r", "start", 0, "-", "-", "nextid", "nextf", "nextf", "nextf", "nextid", "idel",
               "stop") == [0, 0, b"1-0", 2, 0, b"f1", b"v1", 0, b"a", b"x", ENOENT, None, None,
                           0, b"2-0", 2, EBADF, 0]
    assert ops(r, "st", "r", "start", 1, "2-0", "4-0", "nextid", "nextid") == [0, 0, b"3-0", 2,
                                                                              ENOENT, None, -1]
    assert ops(r, "st", "r", "start", 2, "-", "-", "nextid", "nextid", "stop") == [0, 0, b"5-0", 2,
                                                                                  0, b"4-0", 2, 0]
    assert ops(r, "st", "r", "start", 3, "2-0", "5-0", "nextid", "nextid", "nextid", "nextid") == [
        0, 0, b"4-0", 2, 0, b"3-0", 2, ENOENT, None, -1, ENOENT, None, -1]
    assert ops(r, "st", "r", "start", 0, "5-0", "2-0", "nextid") == [0, ENOENT, None, -1]


def test_iterator_errors(st):
    r = st
    assert ops(r, "st", "w", "start", 1, "0-0", "-", "stop") == [0, 0]
    assert ops(r, "st", "w", "start", 1, "-", "0-0") == [EDOM]
    assert ops(r, "st", "w", "start", 1, f"{MAX}-{MAX}", "-") == [EDOM]
    assert ops(r, "st", "w", "start", 4, "-", "-") == [EINVAL]
    assert ops(r, "st", "w", "start", 0, "-", "-", "start", 0, "-", "-", "stop", "stop") == [0, EBADF, 0, EBADF]
    assert ops(r, "st", "w", "nextid", "nextf", "idel") == [EBADF, None, -1, EBADF, None, None, EBADF]
    assert ops(r, "nokey", "w", "del", "1-1", "start", 0, "-", "-", "nextid", "nextf", "idel", "stop",
               "trimlen", 0, 1, "trimid", 0, "1-1") == [ENOTSUP, ENOTSUP, ENOTSUP, None, -1, ENOTSUP, None,
                                                      None, ENOTSUP, ENOTSUP, -1, errno.ENOTSUP,
                                                      -1, errno.ENOTSUP]
    assert r.exists("nokey") == 0
    assert ops(r, "st", "r", "del", "3-0", "trimlen", 0, 1, "trimid", 0, "1-1", "trimlen", 2, 1,
               "trimlen", 0, -1) == [EBADF, -1, errno.EBADF, -1, errno.EBADF, -1, errno.EINVAL,
                                     -1, errno.EINVAL]
    assert r.xlen("st") == 5


def test_delete(st):
    r = st
    assert ops(r, "st", "w", "del", "3-0", "del", "3-0", "start", 0, "-", "-", "del", "4-0", "stop",
               "len") == [0, ENOENT, 0, EBADF, 0, 4]
    # like Redis, a module delete moves neither max-deleted-entry-id nor recorded-first-entry-id
    assert ops(r, "st", "w", "del", "1-0") == [0]
    info = r.xinfo_stream("st")
    assert info["max-deleted-entry-id"] == b"0-0"
    assert info["recorded-first-entry-id"] == b"1-0"
    assert info["first-entry"][0] == b"2-0"


def test_iterator_delete(st):
    r = st
    assert ops(r, "st", "w", "start", 0, "-", "-", "nextid", "nextf", "idel", "idel", "nextf", "stop") == [
        0, 0, b"1-0", 2, 0, b"f1", b"v1", 0, ENOENT, ENOENT, None, None, 0]
    assert [i for i, _ in r.xrange("st")] == [b"2-0", b"3-0", b"4-0", b"5-0"]
    assert r.execute_command("stream.delrange", "st", "3-0", "4-0") == 2
    assert [i for i, _ in r.xrange("st")] == [b"2-0", b"5-0"]
    assert r.execute_command("stream.delrange", "st", "-", "+") == 2
    assert r.exists("st") == 1 and r.xlen("st") == 0  # an empty stream stays


def test_trim_to_empty_keeps_the_stream(st):
    r = st
    assert ops(r, "st", "w", "del", "3-0", "trimid", 0, "5-0", "len", "trimlen", 0, 0, "len") == [
        0, 3, 0, 1, 1, 0, 0]
    info = r.xinfo_stream("st")
    assert info["length"] == 0 and info["recorded-first-entry-id"] == b"0-0"


def test_trim_by_length(r):
    for i in range(1, 4):
        r.xadd("s", {"item": i})
    assert r.execute_command("stream.trim", "s", "maxlen", "=", 5) == 0
    assert r.xlen("s") == 3
    assert r.execute_command("stream.trim", "s", "maxlen", "=", 1) == 2
    assert r.xlen("s") == 1
    assert r.execute_command("stream.trim", "s", "maxlen", "=", 0) == 1
    r.execute_command("stream.addn", "s", 20000, "item", "x", "value", "y")
    assert r.execute_command("stream.trim", "s", "maxlen", "=", 0) == 20000  # no limit when exact
    r.execute_command("stream.addn", "s", 20000, "item", "x", "value", "y")
    # approximate: whole nodes of 100 entries, at most 100 * 100 entries per call
    assert r.execute_command("stream.trim", "s", "maxlen", "~", 2) == 10000
    assert r.execute_command("stream.trim", "s", "maxlen", "~", 2) == 9900
    assert r.execute_command("stream.trim", "s", "maxlen", "~", 2) == 0
    assert r.xlen("s") == 100
    assert r.execute_command("stream.trim", "s", "maxlen", "~", 0) == 100
    assert r.xlen("s") == 0


def test_trim_by_id(r):
    r.xadd("s", {"item": 1})
    r.xadd("s", {"item": 2})
    minid = r.xadd("s", {"item": 3})
    assert r.execute_command("stream.trim", "s", "minid", "=", "-") == 0
    assert r.execute_command("stream.trim", "s", "minid", "=", minid) == 2
    assert r.xlen("s") == 1
    assert r.execute_command("stream.trim", "s", "minid", "=", "+") == 1
    r.execute_command("stream.addn", "s", 20000, "item", "x", "value", "y")
    assert r.execute_command("stream.trim", "s", "minid", "=", "+") == 20000
    r.execute_command("stream.addn", "s", 19980, "item", "x", "value", "y")
    minid = r.xadd("s", {"item": "x", "value": "y"})
    r.execute_command("stream.addn", "s", 19, "item", "x", "value", "y")
    assert r.xlen("s") == 20000
    assert r.execute_command("stream.trim", "s", "minid", "~", minid) == 10000
    assert r.execute_command("stream.trim", "s", "minid", "~", minid) == 9900
    assert r.execute_command("stream.trim", "s", "minid", "~", minid) == 0
    assert r.xlen("s") == 100
    assert r.execute_command("stream.trim", "s", "minid", "~", "+") == 100
    assert r.xlen("s") == 0


def test_add_wakes_xread(srv, r):
    r.xadd("s", {"f": "v"}, id="1-0")
    other = srv.client()
    got = []
    t = threading.Thread(target=lambda: got.append(other.xread({"s": "$"}, block=5000)))
    t.start()
    time.sleep(0.2)
    r.execute_command("stream.add", "s", "k", "v")  # an existing stream: signalled when the key closes
    t.join(5)
    assert got and got[0][0][1][0][1] == {b"k": b"v"}


def test_no_events_no_dirty(srv, r):
    r.config_set("notify-keyspace-events", "KEA")
    p = srv.client().pubsub()
    p.psubscribe("__key*__:*")
    p.get_message(timeout=1)
    dirty = r.info("persistence")["rdb_changes_since_last_save"]
    r.execute_command("stream.add", "s", "f", "v")
    r.execute_command("stream.trim", "s", "maxlen", "=", 0)
    assert p.get_message(timeout=0.2) is None
    assert r.info("persistence")["rdb_changes_since_last_save"] == dirty
    p.close()
    r.config_set("notify-keyspace-events", "")
