"""The list containers (engine/types/list.py): listpack sizes, the quicklist node layout
and the conversions, without a server. Figures marked "Redis" were read off Redis 7.4
(DEBUG OBJECT's ql_nodes / ql_uncompressed_size, DEBUG DIGEST-VALUE)."""

import random
from collections import deque

import pytest

from moredis.engine.digest import object_digest
from moredis.engine.objects import OBJ_LIST, copy_value, encoding, type_code, type_name
from moredis.engine.types.list import (
    LP_EMPTY,
    ListpackList,
    QuicklistList,
    exceeds_limit,
    grow_for,
    lp_entry_size,
    node_limits,
    shrink_check,
    to_quicklist,
)


def test_entry_sizes_match_redis_listpack():
    # Redis: with list-max-listpack-size 1 every element has its own node, and
    # RPUSH q a 1 127 128 -4096 4095 4096 32767 32768 8388607 8388608 2147483647
    # 2147483648 -0 01 "" gives ql_nodes:16 ql_uncompressed_size:178
    vals = [b"a", b"1", b"127", b"128", b"-4096", b"4095", b"4096", b"32767", b"32768",
            b"8388607", b"8388608", b"2147483647", b"2147483648", b"-0", b"01", b""]
    assert sum(LP_EMPTY + lp_entry_size(v) for v in vals) == 178
    assert [lp_entry_size(v) for v in (b"0", b"-1", b"-4097", b"9223372036854775807",
                                       b"9223372036854775808", b"+1", b" 1", b"1_0")] == [2, 3, 4, 10, 21, 4, 4, 5]


def test_entry_sizes_of_long_strings():
    assert lp_entry_size(b"x" * 63) == 65  # 6-bit length
    assert lp_entry_size(b"x" * 64) == 67  # 12-bit length, 1-byte back-length
    assert lp_entry_size(b"x" * 125) == 128
    assert lp_entry_size(b"x" * 126) == 130  # back-length needs 2 bytes
    assert lp_entry_size(b"x" * 4095) == 4099
    assert lp_entry_size(b"x" * 4096) == 4103  # 32-bit length


def test_limits():
    assert node_limits(-2) == (8192, (1 << 32) - 1)
    assert node_limits(-9)[0] == 65536
    assert node_limits(0)[1] == 1 and node_limits(7)[1] == 7
    assert exceeds_limit(-1, 4097, 1) and not exceeds_limit(-1, 4096, 10**6)
    assert exceeds_limit(128, 8193, 2) and exceeds_limit(128, 100, 129) and not exceeds_limit(128, 100, 128)


def test_listpack_tracks_its_byte_size():
    lp = ListpackList()
    assert lp.lpsz == LP_EMPTY and lp.encoding() == "listpack"
    for v in (b"a", b"12", b"x" * 70):
        lp.push_tail(v)
    lp.push_head(b"-1")
    assert lp == [b"-1", b"a", b"12", b"x" * 70]
    assert lp.lpsz == LP_EMPTY + 3 + 3 + 2 + 73
    assert lp.pop_many(2, False) == [b"x" * 70, b"12"]
    assert lp.lpsz == LP_EMPTY + 3 + 3
    lp.replace(0, b"hello")
    lp.insert_at(1, b"7", True)
    assert lp == [b"hello", b"a", b"7"]
    assert lp.remove_matches(b"a", 0) == 1
    assert lp.lpsz == LP_EMPTY + 7 + 2 == ListpackList(lp).lpsz
    lp.trim(1, 0)
    assert lp == [b"7"] and lp.lpsz == LP_EMPTY + 2


def test_growth_converts_on_bytes_and_counts():
    lp = ListpackList([b"x" * 60] * 100)
    assert grow_for(lp, -2, 100, 1) is lp
    q = grow_for(lp, -1, 100, 1)  # 4 KB limit
    assert type(q) is QuicklistList and list(q) == list(lp)
    assert list(q.nodes) == [[100, lp.lpsz, False]]
    assert type(grow_for(ListpackList([b"a"] * 5), 5, 1, 1)) is QuicklistList
    assert type(grow_for(ListpackList([b"a"] * 4), 5, 1, 1)) is ListpackList


def test_quicklist_push_fills_nodes_by_bytes():
    q = QuicklistList((), -1)
    for _ in range(1000):
        q.push_tail(b"x" * 10)
    # a 4 KB node takes entries while size + 10 + 8 <= 4096
    per = (4096 - LP_EMPTY - 8 - 10) // 12 + 1
    assert q.nodes[0][0] == per
    assert sum(n[0] for n in q.nodes) == 1000
    assert all(n[1] <= 4096 for n in q.nodes)
    q.push_head(b"y" * 5000)  # above the node limit: a plain node of its own
    assert q.nodes[0] == [1, 5000, True]
    assert q.pop_head() == b"y" * 5000 and q.nodes[0][2] is False


def test_quicklist_count_fill():
    q = QuicklistList((), 3)
    for i in range(10):
        q.push_tail(b"%d" % i)
    assert [n[0] for n in q.nodes] == [3, 3, 3, 1]
    assert q.pop_many(4, True) == [b"0", b"1", b"2", b"3"]
    assert [n[0] for n in q.nodes] == [2, 3, 1]


def test_fill_is_clamped_like_quicklistSetFill():
    assert QuicklistList((), 100000).fill == 32767
    assert QuicklistList((), -40).fill == -5


def test_shrinking_back_needs_one_packed_node_under_half_the_limit():
    q = QuicklistList((), -2)
    for _ in range(600):
        q.push_tail(b"x" * 20)  # two nodes
    assert len(q.nodes) == 2
    while len(q) > 100:
        q.pop_tail()
    # one node left, 100 * 22 + 7 bytes <= 4096: back to a listpack
    assert len(q.nodes) == 1
    lp = shrink_check(q, -2)
    assert type(lp) is ListpackList and list(lp) == list(q) and lp.lpsz == q.nodes[0][1]
    # over half of the byte limit: stays
    q2 = to_quicklist(ListpackList([b"x" * 20] * 300), -2)
    assert shrink_check(q2, -2) is q2
    # count fills halve the count
    q3 = to_quicklist(ListpackList([b"a"] * 2), 4)
    assert type(shrink_check(q3, 4)) is ListpackList
    q4 = to_quicklist(ListpackList([b"a"] * 3), 4)
    assert shrink_check(q4, 4) is q4
    # a plain node never converts
    q5 = QuicklistList((), -1)
    q5.push_tail(b"z" * 5000)
    assert shrink_check(q5, -5) is q5


def _check_layout(q: QuicklistList) -> None:
    """Invariants of the shadow layout: counts add up, packed sizes are exact."""
    vals = list(q)
    i = 0
    for cnt, sz, plain in q.nodes:
        assert cnt >= 1
        part = vals[i:i + cnt]
        if plain:
            assert cnt == 1 and sz == len(part[0])
        else:
            assert sz == LP_EMPTY + sum(map(lp_entry_size, part))
        i += cnt
    assert i == len(vals)


@pytest.mark.parametrize("fill", [-1, -2, 1, 3, 16])
def test_random_operations_keep_the_layout_consistent(fill):
    rnd = random.Random(fill)
    q = QuicklistList((), fill)
    model: list[bytes] = []

    def elem():
        k = rnd.random()
        if k < 0.3:
            return b"%d" % rnd.choice([0, 5, 300, -70000, 2**33])
        if k < 0.9:
            return b"e" * rnd.randint(0, 80)
        return b"L" * rnd.randint(3000, 9000)

    for _ in range(1500):
        r = rnd.random()
        if r < 0.4 or not model:
            v = elem()
            if rnd.random() < 0.5:
                q.push_head(v)
                model.insert(0, v)
            else:
                q.push_tail(v)
                model.append(v)
        elif r < 0.5:
            n = rnd.randint(1, 4)
            head = rnd.random() < 0.5
            got = q.pop_many(n, head)
            exp = model[:n] if head else model[::-1][:n]
            assert got == exp
            if head:
                del model[:len(got)]
            else:
                del model[len(model) - len(got):]
        elif r < 0.62:
            i = rnd.randrange(len(model))
            v = elem()
            q.replace(i, v)
            model[i] = v
        elif r < 0.77:
            i = rnd.randrange(len(model))
            v = elem()
            after = rnd.random() < 0.5
            q.insert_at(i, v, after)
            model.insert(i + 1 if after else i, v)
        elif r < 0.85:
            v = rnd.choice(model)
            cnt = rnd.randint(-2, 2)
            before = len(model)
            removed = q.remove_matches(v, cnt)
            idx = [j for j, x in enumerate(model) if x == v]
            if cnt > 0:
                idx = idx[:cnt]
            elif cnt < 0:
                idx = idx[cnt:]
            model = [x for j, x in enumerate(model) if j not in set(idx)]
            assert removed == before - len(model)
        else:
            lt = rnd.randint(0, 2)
            rt = rnd.randint(0, 2)
            if lt + rt > len(model):
                lt, rt = len(model), 0
            q.trim(lt, rt)
            model = model[lt:len(model) - rt]
        assert list(q) == model
        _check_layout(q)


def test_registration_digest_and_copy():
    lp = ListpackList([b"a", b"1", b"-5", b"", b"bcd", b"9999999999"])
    q = to_quicklist(lp, 1)
    for v in (lp, q):
        assert type_code(v) == OBJ_LIST and type_name(v) == "list"

    class _DB:
        def get_expire(self, key):
            return -1

    # Redis: RPUSH l a 1 -5 "" bcd 9999999999; DEBUG DIGEST-VALUE l (either encoding)
    want = "f206aecc0d78e6ca9206f7b660db030cd5a50469"
    assert object_digest(_DB(), b"l", lp).hex() == want
    assert object_digest(_DB(), b"l", q).hex() == want
    c1, c2 = copy_value(lp), copy_value(q)
    assert encoding(c1) == "listpack" and encoding(c2) == "quicklist"
    assert c1 == lp and c1 is not lp and c1.lpsz == lp.lpsz
    assert list(c2) == list(q) and c2.nodes == q.nodes and c2.nodes[0] is not q.nodes[0]
    assert isinstance(q, deque)
