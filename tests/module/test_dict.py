"""rm.Dict iterators with the rax semantics of RedisModule_DictIterator*: the first step
after a seek returns the element sought, later steps move from the last one returned,
and DictCompare looks at that current element. No server needed."""

from __future__ import annotations

import pytest

from moredis import module as rm


@pytest.fixture
def d():
    d = rm.create_dict()
    for k in (b"b", b"d", b"a", b"c"):
        assert d.set(k, k.upper())
    return d


def keys(it, step="next", n=10):
    out = []
    for _ in range(n):
        item = getattr(it, step)()
        if item is None:
            break
        out.append(item[0])
    return out


def test_set_replace_get_delete(d):
    assert not d.set(b"a", b"x")  # DictSet refuses an existing key
    assert d.get(b"a") == b"A"
    assert not d.replace(b"a", b"x") and d.get(b"a") == b"x"
    assert d.replace(b"z", b"Z") and d.size() == 5
    assert d.delete(b"z") == (True, b"Z") and d.delete(b"z") == (False, None)
    assert d.get(b"zz") is None and b"zz" not in d


@pytest.mark.parametrize("op,key,forward,backward", [
    ("^", b"", [b"a", b"b", b"c", b"d"], [b"a"]),
    ("$", b"", [b"d"], [b"d", b"c", b"b", b"a"]),
    (">=", b"b", [b"b", b"c", b"d"], [b"b", b"a"]),
    (">", b"b", [b"c", b"d"], [b"c", b"b", b"a"]),
    ("<=", b"bb", [b"b", b"c", b"d"], [b"b", b"a"]),
    ("<", b"b", [b"a", b"b", b"c", b"d"], [b"a"]),
    ("==", b"c", [b"c", b"d"], [b"c", b"b", b"a"]),
    ("==", b"cc", [], []),
    (">", b"d", [], []),
])
def test_seek_then_walk(d, op, key, forward, backward):
    assert keys(d.iterator(op, key)) == forward
    assert keys(d.iterator(op, key), "prev") == backward


def test_direction_changes_step_from_the_last_returned(d):
    it = d.iterator(">=", b"b")
    assert it.next()[0] == b"b" and it.next()[0] == b"c"
    assert it.prev()[0] == b"b" and it.prev()[0] == b"a"
    assert it.prev() is None and it.next() is None  # the end is sticky until a reseek
    assert it.reseek("$") and it.prev()[0] == b"d"
    assert not it.reseek(">", b"z") and it.next() is None


def test_compare_looks_at_the_current_element(d):
    it = d.iterator(">=", b"b")
    assert it.compare("==", b"b")  # the seek position before any step
    it.next()
    assert it.compare("==", b"b") and it.compare("<=", b"b") and not it.compare(">", b"b")
    it.next()
    assert it.compare(">", b"b") and it.compare("<", b"d") and it.compare(">=", b"c")
    assert not it.compare("^", b"c")  # not an operator raxCompare knows
    while it.next() is not None:
        pass
    assert not it.compare("<=", b"zzz")  # at the end
