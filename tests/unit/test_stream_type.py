"""Unit tests for the stream value (engine/types/stream.py), without a server: ID parsing
(strtoull-like edges), listpack byte sizes and node packing, tombstones and trimming,
the radix-tree node count, lag bookkeeping, copies, digests and MEMORY USAGE figures
taken from Redis 7.4."""

from __future__ import annotations

import pytest

from moredis.engine.digest import object_digest
from moredis.engine.types.stream import (
    ID_MAX,
    INVALID_ENTRIES_READ,
    MASK64,
    Consumer,
    Stream,
    id_bytes,
    jemalloc_size,
    lp_int_size,
    make_id,
    memory_of,
    parse_add_id,
    parse_id,
    string2ull,
)
from moredis.errors import RedisError


def sid(ms: int, seq: int = 0) -> int:
    return make_id(ms, seq)


def build(n: int, max_entries: int = 100, max_bytes: int = 4096, fields=(b"f",)) -> Stream:
    s = Stream()
    for i in range(1, n + 1):
        fv = []
        for f in fields:
            fv += [f, b"%d" % i]
        s.append(sid(i), fv, max_bytes, max_entries)
    return s


def ids(s: Stream, start: int = 0, end: int = ID_MAX, rev: bool = False) -> list[int]:
    return [i for i, _ in s.iter_range(start, end, rev)]


# --- IDs ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, value", [
    (b"0", 0), (b"5", 5), (b"18446744073709551615", MASK64), (b"01", 1), (b" 7", 7), (b"\t8", 8), (b"+9", 9),
    (b"-05", MASK64 - 4), (b"-0", 0), (b"000000000000000000000000000014", 14),
    (b"-5", None), (b"", None), (b"18446744073709551616", None), (b"0x12", None), (b"5 ", None), (b"- 5", None),
    (b"+", None), (b"1.5", None), (b"-9223372036854775808", None), (b"-9223372036854775809", (1 << 64) - (1 << 63) - 1),
])
def test_string2ull(text, value):
    assert string2ull(text) == value


def test_parse_id():
    assert parse_id(b"5") == sid(5)
    assert parse_id(b"5", MASK64) == sid(5, MASK64)
    assert parse_id(b"5-3") == sid(5, 3)
    assert parse_id(b"-") == 0 and parse_id(b"+") == ID_MAX
    assert parse_id(b"5-+5") == sid(5, 5)
    assert parse_id(b"13--03") == sid(13, MASK64 - 2)
    assert parse_id(b"6-1\x00junk") == sid(6, 1)  # a C string ends at NUL
    assert parse_id(b"0" * 127) == 0
    for bad in (b"0" * 128, b"abc", b"5-", b"-5", b"5-x", b"5-*", b"", b"(5"):
        with pytest.raises(RedisError, match="Invalid stream ID"):
            parse_id(bad)
    for bad in (b"-", b"+"):
        with pytest.raises(RedisError):
            parse_id(bad, strict=True)
    assert parse_add_id(b"7-*") == (sid(7), False)
    assert parse_add_id(b"7-*\x00x") == (sid(7), False)
    assert parse_add_id(b"7-1") == (sid(7, 1), True)
    assert parse_add_id(b"7") == (sid(7), True)
    assert id_bytes(sid(18446744073709551615, 3)) == b"18446744073709551615-3"


def test_listpack_integer_sizes():
    values = (0, 127, 128, -1, 4095, -4096, 4096, 32767, -32769, 8388607, 8388608, 2147483647, 2147483648, -(1 << 63))
    assert [lp_int_size(v) for v in values] == [2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 10, 10]


# --- packing ---------------------------------------------------------------------------
def test_node_bytes_of_a_first_entry():
    s = Stream()
    s.append(sid(1, 1), [b"a", b"1"], 4096, 100)
    node = s.nodes[0]
    # header+end 7, master entry: count 2, deleted 2, num-fields 2, "a" 3, terminator 2;
    # entry: flags 2, ms-diff 2, seq-diff 2, value 1 as an integer 2, lp-count 2
    assert node.lpbytes == 28
    assert node.vals == [b"1"]  # SAMEFIELDS: the value alone
    s.append(sid(1, 2), [b"b", b"x" * 70], 4096, 100)  # other fields: stored in full
    # flags, ms-diff, seq-diff, num-fields, "b" 3, 70 bytes with a 2-byte header, lp-count
    assert node.lpbytes == 28 + 2 + 2 + 2 + 2 + 3 + 73 + 2
    assert node.vals[1] == [b"b", b"x" * 70]
    s.append(sid(1, 3), [b"a", b"2", b"c", b"3"], 4096, 100)
    assert node.vals[2] == [b"a", b"2", b"c", b"3"]
    s.append(sid(2), [b"x", b"1", b"y", b"2"], 4096, 1)
    assert s.nodes[1].vals == [(b"1", b"2")] and s.get(sid(2)) == (b"x", b"1", b"y", b"2")
    assert s.get(sid(1, 2)) == (b"b", b"x" * 70) and s.get(sid(1, 1)) == (b"a", b"1")


def test_nodes_close_on_entries_and_bytes():
    s = build(25, max_entries=10)
    assert [len(n.ids) for n in s.nodes] == [10, 10, 5]
    assert s.starts == [sid(1), sid(11), sid(21)]
    s = Stream()
    for i in range(1, 6):
        s.append(sid(i), [b"f", b"x" * 40], 120, 0)
    # a node takes entries while its size plus the new fields and values stay under 120:
    # 68 bytes with one entry, 118 with two
    assert [len(n.ids) for n in s.nodes] == [2, 2, 1]
    assert [n.lpbytes for n in s.nodes] == [118, 118, 68]
    s = build(3, max_entries=0, max_bytes=0)  # no limits at all
    assert len(s.nodes) == 1


def test_deleted_entries_stay_until_the_node_is_empty():
    s = build(6, max_entries=3)
    assert s.xdel([sid(2), sid(2), sid(9)]) == 1
    assert s.length == 5 and s.max_deleted == sid(2)
    assert ids(s) == [sid(1), sid(3), sid(4), sid(5), sid(6)]
    assert len(s.nodes[0].ids) == 3 and s.nodes[0].live == 2
    s.append(sid(7), [b"f", b"7"], 4096, 3)  # the deleted entry still counts for the node size
    assert [len(n.ids) for n in s.nodes] == [3, 3, 1]
    assert s.xdel([sid(1), sid(3)]) == 2
    assert s.starts == [sid(4), sid(7)]
    assert s.first_id == sid(4)
    assert s.xdel([sid(4), sid(5), sid(6), sid(7)]) == 4
    assert s.length == 0 and s.first_id == 0 and s.nodes == []
    assert s.rax_nodes() == 1


def test_iteration_both_ways_skips_tombstones():
    s = build(10, max_entries=4)
    s.xdel([sid(4), sid(5)])
    assert ids(s, sid(3), sid(6)) == [sid(3), sid(6)]
    assert ids(s, sid(3), sid(6), True) == [sid(6), sid(3)]
    assert ids(s, sid(11), ID_MAX) == [] and ids(s, sid(6), sid(5)) == []
    assert s.get(sid(4)) is None and s.get(sid(6)) == (b"f", b"6")
    assert s.last_valid_id() == sid(10)
    assert s.first_id_with_tombstones() == sid(1)


def test_trimming():
    s = build(10, max_entries=3)  # nodes [1-3] [4-6] [7-9] [10]
    assert s.trim(8, None, True, 0) == 0  # approximate: whole nodes only, [1-3] would leave 7
    assert s.trim(7, None, True, 0) == 3
    assert s.trim(5, None, False, 0) == 2  # exact: flags 4 and 5 inside their node
    assert ids(s)[0] == sid(6) and s.first_id == sid(6)
    assert s.first_id_with_tombstones() == sid(4)
    assert s.trim(None, sid(8), True, 0) == 1  # the [4-6] node only held 6 alive
    assert s.trim(None, sid(9), False, 0) == 2
    assert s.length == 2 and ids(s) == [sid(9), sid(10)]
    s = build(10, max_entries=2)
    assert s.trim(0, None, True, 3) == 2  # LIMIT: a node that would pass the limit stays
    assert s.trim(0, None, True, 4) == 4


def test_radix_tree_node_count():
    s = Stream()
    assert s.rax_nodes() == 1
    s.starts = [sid(1, 1)]
    assert s.rax_nodes() == 2
    s.starts = [sid(1, 1), sid(1, 2)]
    assert s.rax_nodes() == 4  # root chain, a branch, two leaves
    s.starts = [sid(i) for i in range(101, 301)]
    assert s.rax_nodes() == 404  # as XINFO STREAM reports it on Redis


def test_lag_bookkeeping():
    s = build(5)
    assert s.estimate_distance(sid(5)) == 5
    assert s.estimate_distance(sid(9)) == INVALID_ENTRIES_READ
    assert s.estimate_distance(sid(1)) == 1
    assert s.estimate_distance(sid(0, 5)) == 0
    assert s.estimate_distance(sid(3)) == INVALID_ENTRIES_READ
    g = s.create_group(b"g", sid(2), INVALID_ENTRIES_READ)
    assert s.create_group(b"g", 0, 0) is None
    assert s.group_lag(g) is None
    g.entries_read = 2
    assert s.group_lag(g) == 3
    s.xdel([sid(4)])
    assert s.range_has_tombstones(sid(2)) and not s.range_has_tombstones(sid(5))
    assert s.group_lag(g) is None
    assert Stream().group_lag(g) == 0


def test_copy_is_deep():
    s = build(4, max_entries=2)
    g = s.create_group(b"g", sid(2), 2)
    cons = g.create_consumer(b"alice", 100)
    from moredis.engine.types.stream import NACK

    for i in (sid(1), sid(2)):
        g.pel_insert(i, NACK(cons, 100))
        cons.pel_add(i)
    t = s.copy()
    tg = t.group(b"g")
    assert tg is not g and tg.pel[sid(1)].consumer is tg.consumers[b"alice"]
    tg.pel_delete(sid(1))
    assert sid(1) in g.pel and cons.pel == [sid(1), sid(2)]
    t.xdel([sid(1)])
    assert s.length == 4 and t.length == 3


def test_consumer_pel_order():
    c = Consumer(b"c", 0)
    for i in (5, 3, 9, 1):
        c.pel_add(sid(i))
    assert c.pel == [sid(1), sid(3), sid(5), sid(9)]
    c.pel_remove(sid(3))
    c.pel_remove(sid(4))
    assert c.pel == [sid(1), sid(5), sid(9)]


class _Db:
    def get_expire(self, key):
        return -1


def test_digest_matches_redis():
    s = Stream()
    s.append(sid(1, 1), [b"a", b"1", b"b", b"2"], 4096, 100)
    assert object_digest(_Db(), b"s", s).hex() == "e4a21e3ca2d9a960e9859bb0985cc334bb4f2e58"
    s.create_group(b"g", 0, 0)  # groups are not part of the digest
    assert object_digest(_Db(), b"s", s).hex() == "e4a21e3ca2d9a960e9859bb0985cc334bb4f2e58"


def test_memory_usage_matches_redis():
    """Figures from MEMORY USAGE on Redis 7.4, minus the key's sds (8) and dict entry (24)."""
    s = Stream()
    s.append(sid(1, 1), [b"a", b"1"], 4096, 100)
    assert memory_of(s) == 4728 - 32
    s.append(sid(1, 2), [b"a", b"100000", b"b", b"x"], 4096, 100)
    assert memory_of(s) == 4728 - 32
    g = s.create_group(b"g", 0, INVALID_ENTRIES_READ)
    assert memory_of(s) == 5012 - 32
    from moredis.engine.types.stream import NACK

    cons = g.create_consumer(b"alice", 0)
    for i in (sid(1, 1), sid(1, 2)):
        g.pel_insert(i, NACK(cons, 0))
        cons.pel_add(i)
    assert memory_of(s) == 6869 - 32


def test_nodes_rebuilt_from_their_entries():
    """What an RDB loader does: the rebuilt nodes have the same layout and byte sizes."""
    s = Stream()
    for k in range(1, 40):
        fv = [b"a", b"%d" % k] if k % 4 else [b"a", b"x" * k, b"b", b"-3"]
        s.append(sid(k // 3, k % 3), fv, 300, 7)
    s.xdel([sid(1, 1), sid(5, 0), sid(12, 1)])
    s.trim(None, sid(2, 1), False, 0)
    t = Stream()
    for node in s.nodes:
        entries = [(i, list(fv), deleted) for i, fv, deleted, _ in node.entries()]
        t.add_node(type(node).from_entries(node.key, node.fields, entries))
    assert [n.lpbytes for n in t.nodes] == [n.lpbytes for n in s.nodes]
    assert [n.alloc for n in t.nodes] == [jemalloc_size(n.lpbytes) for n in s.nodes]
    assert t.length == s.length and t.range(0, ID_MAX) == s.range(0, ID_MAX)
    assert [e[3] for e in s.nodes[0].entries()] == [True, True, True, False, True, True, True]
