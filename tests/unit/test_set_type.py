"""The Set value on its own: the three encodings and the conversions between them
(setTypeAdd's rules, with Redis's default limits and small ones), member order per
encoding, removal, random draws (uniform, also after removals in a hashtable), copies,
digests and memory estimates. No server involved; Redis's own answers for the same
steps are checked in tests/differential/test_diff_set.py."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from moredis.engine.digest import object_digest
from moredis.engine.objects import OBJ_SET, copy_value, encoding, type_code, type_name
from moredis.engine.types.set import (
    HASHTABLE,
    INTSET,
    LISTPACK,
    Set,
    canonical_int,
    new_set,
)

DEFAULTS = {"set-max-intset-entries": 512, "set-max-listpack-entries": 128, "set-max-listpack-value": 64}


def cfg(**kw) -> dict:
    v = dict(DEFAULTS)
    for k, x in kw.items():
        v["set-max-" + k.replace("_", "-")] = x
    return v


def make(members, vals=DEFAULTS) -> Set:
    members = [m if isinstance(m, bytes) else str(m).encode() for m in members]
    s = new_set(members[0], len(members), vals)
    s.add_many(members, vals)
    return s


def test_registered_as_set():
    s = make([1, 2])
    assert type_code(s) == OBJ_SET and type_name(s) == "set" and encoding(s) == "intset"


@pytest.mark.parametrize("text, value", [
    (b"0", 0), (b"-1", -1), (b"9223372036854775807", 2**63 - 1), (b"-9223372036854775808", -2**63),
    (b"9223372036854775808", None), (b"-9223372036854775809", None), (b"01", None), (b"-0", None),
    (b"+1", None), (b" 1", None), (b"1 ", None), (b"", None), (b"1_0", None), (b"1.0", None),
    (b"-", None), (b"\xd9\xa1", None), (b"0x10", None),
])
def test_canonical_int_is_string2ll(text, value):
    assert canonical_int(text) == value


def test_new_set_follows_the_first_member_and_the_batch_size():
    assert new_set(b"1", 512, DEFAULTS).enc == INTSET
    assert new_set(b"1", 513, DEFAULTS).enc == HASHTABLE
    assert new_set(b"a", 128, DEFAULTS).enc == LISTPACK
    assert new_set(b"a", 129, DEFAULTS).enc == HASHTABLE
    assert new_set(b"01", 3, DEFAULTS).enc == LISTPACK
    assert new_set(b"1", 0, cfg(intset_entries=0)).enc == INTSET
    assert new_set(b"1", 1, cfg(intset_entries=0, listpack_entries=0)).enc == HASHTABLE


def test_intset_keeps_members_sorted():
    s = make([5, -3, 100, 0, 5, -9223372036854775808, 9223372036854775807])
    assert s.enc == INTSET
    assert s.members() == [b"-9223372036854775808", b"-3", b"0", b"5", b"100", b"9223372036854775807"]
    assert b"5" in s and b"05" not in s and b"x" not in s and b"6" not in s
    assert s.remove(b"0") and not s.remove(b"0") and not s.remove(b"abc")
    assert list(s) == [b"-9223372036854775808", b"-3", b"5", b"100", b"9223372036854775807"]


def test_intset_becomes_listpack_with_its_integers_first():
    s = make([3, 1, 2])
    assert s.add(b"b", DEFAULTS) and s.add(b"a", DEFAULTS) and s.add(b"0", DEFAULTS)
    assert s.enc == LISTPACK
    assert s.members() == [b"1", b"2", b"3", b"b", b"a", b"0"]


def test_intset_limits():
    s = make(range(127))
    s.add(b"x", DEFAULTS)
    assert s.enc == LISTPACK
    s = make(range(128))
    s.add(b"x", DEFAULTS)
    assert s.enc == HASHTABLE  # too many for a listpack: straight to a hashtable
    s = make(range(512))
    assert s.enc == INTSET and not s.add(b"511", DEFAULTS) and s.enc == INTSET
    s.add(b"512", DEFAULTS)
    assert s.enc == HASHTABLE and len(s) == 513
    s = make([1])
    s.add(b"x" * 65, DEFAULTS)
    assert s.enc == HASHTABLE


def test_intset_to_listpack_needs_its_integers_to_fit_the_value_limit():
    small = cfg(listpack_value=3)
    for members, enc in (([1000, 5], HASHTABLE), ([100, 5], LISTPACK), ([-100, 5], HASHTABLE), ([-10, 5], LISTPACK)):
        s = make(members, small)
        s.add(b"ab", small)
        assert s.enc == enc, members
    s = make([1], small)
    s.add(b"abcd", small)
    assert s.enc == HASHTABLE


def test_listpack_keeps_insertion_order_and_converts():
    s = make([b"b", b"a", b"1", b"c"])
    assert s.enc == LISTPACK and s.members() == [b"b", b"a", b"1", b"c"]
    s.remove(b"a")
    s.add(b"a", DEFAULTS)
    assert s.members() == [b"b", b"1", b"c", b"a"]
    s = make([b"m%d" % i for i in range(128)])
    assert s.enc == LISTPACK
    s.add(b"m0", DEFAULTS)
    assert s.enc == LISTPACK
    s.add(b"new", DEFAULTS)
    assert s.enc == HASHTABLE and len(s) == 129
    s = make([b"a"])
    s.add(b"x" * 64, DEFAULTS)
    assert s.enc == LISTPACK
    s.add(b"y" * 65, DEFAULTS)
    assert s.enc == HASHTABLE


def test_maybe_convert_presizes_for_a_batch():
    s = make([b"a"])
    s.maybe_convert(128, DEFAULTS)
    assert s.enc == LISTPACK
    s.maybe_convert(129, DEFAULTS)
    assert s.enc == HASHTABLE
    s = make([1])
    s.maybe_convert(512, DEFAULTS)
    assert s.enc == INTSET
    s.maybe_convert(513, DEFAULTS)
    assert s.enc == HASHTABLE


def test_nothing_converts_back():
    s = make([b"m%d" % i for i in range(200)])
    for i in range(199):
        s.remove(b"m%d" % i)
    assert s.enc == HASHTABLE and s.members() == [b"m199"]
    s = make([1, 2, b"a"])
    s.remove(b"a")
    assert s.enc == LISTPACK


def test_maybe_to_intset():
    s = make([b"x", b"3", b"1"])
    s.remove(b"x")
    s.maybe_to_intset(DEFAULTS)
    assert s.enc == INTSET and s.members() == [b"1", b"3"]
    s = make([b"a", b"1"])
    s.maybe_to_intset(DEFAULTS)
    assert s.enc == LISTPACK
    s = make([b"m%d" % i for i in range(600)])
    for i in range(600):
        s.remove(b"m%d" % i)
    s.add_many([b"%d" % i for i in range(513)], DEFAULTS)
    s.maybe_to_intset(DEFAULTS)
    assert s.enc == HASHTABLE  # more than set-max-intset-entries
    s.remove(b"0")
    s.maybe_to_intset(DEFAULTS)
    assert s.enc == INTSET and len(s) == 512


def test_union_update_of_intsets_converts_past_the_limit():
    a = make(range(300))
    b = make(range(200, 600))
    added = a.union_update(b, DEFAULTS)
    assert added == 300 and a.enc == HASHTABLE and len(a) == 600
    a = make(range(10))
    assert a.union_update(make(range(5)), DEFAULTS) == 0 and a.enc == INTSET
    a = make(range(3))
    a.union_update(make([b"z", b"1", b"y"]), DEFAULTS)
    assert a.members() == [b"0", b"1", b"2", b"z", b"y"]


def test_add_many_switches_to_bulk_once_a_hashtable():
    s = make([1, 2])
    members = [b"%d" % i for i in range(1000)] + [b"x", b"1"]
    assert s.add_many(members, DEFAULTS) == 999
    assert s.enc == HASHTABLE and len(s) == 1001


@pytest.mark.parametrize("members", [list(range(20)), [b"m%d" % i for i in range(20)],
                                     [b"m%d" % i for i in range(300)]], ids=["intset", "listpack", "hashtable"])
def test_random_members_are_uniform(members):
    rnd_state = random.getstate()
    random.seed(7)
    try:
        s = make(members)
        n = len(s)
        draws = Counter(s.random_member() for _ in range(n * 200))
        assert set(draws) == set(s.members())
        assert max(draws.values()) < 2 * min(draws.values())
        reps = Counter(s.random_with_repeats(n * 200))
        assert set(reps) == set(s.members())
        assert max(reps.values()) < 2 * min(reps.values())
    finally:
        random.setstate(rnd_state)


def test_hashtable_draws_stay_uniform_through_removals_and_additions():
    random.seed(11)
    s = make([b"m%d" % i for i in range(300)])
    s.random_member()  # builds the pick list
    for i in range(0, 300, 2):
        s.remove(b"m%d" % i)
    s.add(b"m0", DEFAULTS)  # re-added while stale entries exist: the pick list is dropped
    s.random_member()
    s.add(b"new", DEFAULTS)  # appended to a clean pick list
    live = set(s.members())
    draws = Counter(s.random_member() for _ in range(len(live) * 200))
    assert set(draws) == live
    assert max(draws.values()) < 2 * min(draws.values())


def test_pick_list_model_check():
    """Random adds, removes, draws and pops on a hashtable agree with a plain set."""
    rnd = random.Random(5)
    s = make([b"m%d" % i for i in range(200)])
    model = set(s.members())
    for _ in range(5000):
        op = rnd.randrange(5)
        x = b"m%d" % rnd.randrange(260)
        if op == 0:
            assert s.add(x, DEFAULTS) == (x not in model)
            model.add(x)
        elif op == 1:
            assert s.remove(x) == (x in model)
            model.discard(x)
        elif op == 2 and model:
            assert s.random_member() in model
        elif op == 3 and model:
            y = s.pop_random()
            assert y in model
            model.remove(y)
        elif op == 4 and len(model) > 3:
            picks = s.random_sample(3)
            assert len(set(picks)) == 3 and set(picks) <= model
        assert len(s) == len(model)
        if s.pick is not None:
            live = [p for p in s.pick if p in s.m]
            assert len(live) == len(set(live)) == len(model)
            assert len(s.pick) - len(live) == s.stale
    assert set(s.members()) == model


@pytest.mark.parametrize("members", [list(range(30)), [b"m%d" % i for i in range(30)],
                                     [b"m%d" % i for i in range(300)]], ids=["intset", "listpack", "hashtable"])
def test_pops_and_samples(members):
    s = make(members)
    order = s.members()
    n = len(s)
    got = [s.pop_random() for _ in range(n // 2)]
    assert len(set(got)) == n // 2 and not set(got) & set(s.members())
    assert len(s) == n - n // 2
    left = s.members()
    assert left == [x for x in order if x in set(left)]  # the others keep their order
    k = len(s) // 3
    sample = s.random_sample(k)
    assert len(set(sample)) == k and set(sample) <= set(left)
    inorder = s.random_in_order(k)
    assert inorder == [x for x in left if x in set(inorder)]


def test_keep_only_builds_what_spop_leaves():
    s = make(range(20))
    s.keep_only([b"7", b"3"], DEFAULTS)
    assert s.enc == INTSET and s.members() == [b"3", b"7"]
    s = make([b"c", b"a", b"b", b"d"])
    s.keep_only([b"d", b"a"], DEFAULTS)
    assert s.enc == LISTPACK and s.members() == [b"a", b"d"]
    s = make(range(600))
    s.keep_only([b"9", b"5"], DEFAULTS)
    assert s.enc == LISTPACK and s.members() == [b"9", b"5"]  # a hashtable's survivors: a listpack
    s = make([b"m%d" % i for i in range(300)])
    s.keep_only([b"m%d" % i for i in range(200)], DEFAULTS)
    assert s.enc == HASHTABLE and len(s) == 200


def test_copies_are_independent():
    for members in (range(5), [b"a", b"b"], [b"m%d" % i for i in range(200)]):
        s = make(list(members))
        s.random_member()
        t = copy_value(s)
        assert t is not s and t.members() == s.members() and t.enc == s.enc
        t.add(b"zz", DEFAULTS)
        assert b"zz" not in s


def test_digest_is_order_free():
    class Db:
        def get_expire(self, key):
            return -1

    a = make([b"a", b"1", b"b"])
    b = make([b"b", b"a", b"1"])
    c = make([b"1", b"a", b"b"])
    assert a.enc == b.enc == LISTPACK and c.enc == LISTPACK
    assert object_digest(Db(), b"k", a) == object_digest(Db(), b"k", b) == object_digest(Db(), b"k", c)
    c.to_hashtable()
    assert object_digest(Db(), b"k", a) == object_digest(Db(), b"k", c)
    assert object_digest(Db(), b"k", make([1, 2])) != object_digest(Db(), b"k", make([1, 3]))


def test_memory_estimates_grow_with_content():
    from moredis.engine.objects import MEMORY

    fn = MEMORY[Set]
    assert fn(make(range(10)), 5) < fn(make(range(100)), 5)
    assert fn(make([1, 2]), 5) < fn(make([1, 1 << 40]), 5)
    assert fn(make([b"a"]), 5) < fn(make([b"a" * 50]), 5)
    big = make([b"m%d" % i for i in range(1000)])
    assert fn(big, 5) > 1000 * 8 and fn(big, 0) > 1000 * 8
