"""engine/scan.py: the cursor grammar and the snapshot scanner's guarantees."""

import random

import pytest

from moredis.engine import scan as S
from moredis.engine.scan import Scanner, parse_cursor
from moredis.errors import RedisError


@pytest.mark.parametrize(("text", "value"), [
    (b"0", 0), (b"17", 17), (b" 5", 5), (b"+5", 5), (b"00", 0), (b"-0", 0),
    (b"-01", (1 << 64) - 1),  # not string2ll's form, so strtoull wraps it
    (b"18446744073709551615", (1 << 64) - 1),
    (b"-18446744073709551615", 1),
    (b"-9223372036854775809", (1 << 63) - 1),
    (b"5\x00junk", 5),  # C strings end at NUL
    (b"\x0b7", 7),
])
def test_cursor_grammar(text, value):
    assert parse_cursor(text) == value


@pytest.mark.parametrize("text", [
    b"-1", b"-9223372036854775808", b"5 ", b"", b" ", b"0x1", b"1_0", b"18446744073709551616",
    b"\x1c7", b"\x007", b"1.0", b"--1", b"+-1",
])
def test_invalid_cursors(text):
    with pytest.raises(RedisError, match=r"^ERR invalid cursor$"):
        parse_cursor(text)


def _full_scan(sc, data, count, owner=None, between=None):
    seen = []
    cur = 0
    while True:
        cur, batch = sc.scan(cur, lambda: list(data), count, lambda k: k in data, owner)
        seen.extend(batch)
        if between is not None:
            between()
        if cur == 0:
            return seen


def test_small_sets_come_back_in_one_call():
    sc = Scanner()
    data = {b"a", b"b"}
    cur, batch = sc.scan(0, lambda: list(data), 10, lambda k: True)
    assert cur == 0 and sorted(batch) == [b"a", b"b"]
    assert len(sc) == 0


def test_every_element_present_throughout_is_returned_under_churn():
    rnd = random.Random(7)
    stable = {b"s%d" % i for i in range(500)}
    data = set(stable) | {b"t%d" % i for i in range(500)}
    n = [0]

    def churn():
        for _ in range(20):
            n[0] += 1
            data.add(b"new%d" % n[0])
            victim = rnd.choice(sorted(data - stable))
            data.discard(victim)

    seen = _full_scan(Scanner(), data, 7, between=churn)
    assert stable <= set(seen)
    assert all(k in data or not k.startswith(b"s") for k in seen)


def test_deleted_elements_are_filtered_from_later_batches():
    sc = Scanner()
    data = {b"k%d" % i for i in range(30)}
    cur, first = sc.scan(0, lambda: sorted(data), 10, lambda k: k in data)
    assert cur != 0 and len(first) == 10
    data.clear()
    cur, second = sc.scan(cur, lambda: sorted(data), 10, lambda k: k in data)
    assert second == [] and cur != 0


def test_snapshots_are_bounded(monkeypatch):
    monkeypatch.setattr(S, "MAX_ITEMS", 100)
    sc = Scanner()
    items = list(range(40))
    for _ in range(10):
        cur, _ = sc.scan(0, lambda: items, 5, lambda x: True)
        assert cur != 0
    assert len(sc) == 2  # 3 x 40 items would pass the bound
    monkeypatch.setattr(S, "MAX_ITEMS", 10)
    sc.scan(0, lambda: items, 5, lambda x: True)
    assert len(sc) == 1  # the newest snapshot is always kept


def test_finished_iterations_free_their_snapshot():
    sc = Scanner()
    data = set(range(100))
    _full_scan(sc, data, 10)
    assert len(sc) == 0


def test_unknown_or_foreign_cursor_restarts_on_a_fresh_snapshot():
    sc = Scanner()
    a = [b"a%d" % i for i in range(20)]
    b = [b"b%d" % i for i in range(20)]
    cur, _ = sc.scan(0, lambda: a, 5, lambda x: True, owner="A")
    _, batch = sc.scan(cur, lambda: b, 5, lambda x: True, owner="B")
    assert batch == b[5:10]  # B's elements at the position the cursor names
    cur2, batch = sc.scan(12345, lambda: b, 5, lambda x: True, owner="B")
    assert batch == [] and cur2 == 0  # a position past the end ends the iteration


def test_scanner_for_is_per_server():
    class Srv:
        pass

    s1, s2 = Srv(), Srv()
    assert S.scanner_for(s1) is S.scanner_for(s1)
    assert S.scanner_for(s1) is not S.scanner_for(s2)
