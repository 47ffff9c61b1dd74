"""engine/types/hash.py without a server: listpack order rules, TTL bookkeeping,
expiry order, conversions, copies, digests (checked against Redis's DEBUG DIGEST-VALUE)."""

from moredis.engine.digest import object_digest
from moredis.engine.objects import copy_value, encoding, type_code, type_name
from moredis.engine.types.hash import HASHTABLE, LISTPACK, LISTPACK_EX, Hash
from moredis.server.memory import value_size


def make(*pairs: bytes, enc: int = LISTPACK) -> Hash:
    h = Hash(enc)
    for i in range(0, len(pairs), 2):
        h.set_value(pairs[i], pairs[i + 1])
    return h


class _DB:
    def get_expire(self, key):
        return -1


def test_type_registration():
    h = make(b"a", b"1")
    assert type_name(h) == "hash" and type_code(h) == 4
    assert encoding(h) == "listpack"
    h.set_ttl(b"a", 5)
    assert encoding(h) == "listpackex"
    h.to_hashtable()
    assert encoding(h) == "hashtable"


def test_set_value_keeps_listpack_order():
    h = make(b"a", b"1", b"b", b"2", b"c", b"3")
    assert h.set_value(b"b", b"9") is False
    assert h.set_value(b"d", b"4") is True
    assert list(h.items()) == [(b"a", b"1"), (b"b", b"9"), (b"c", b"3"), (b"d", b"4")]


def test_listpack_ex_keeps_fields_sorted_by_ttl():
    h = make(b"a", b"1", b"b", b"2", b"c", b"3", b"d", b"4")
    h.set_ttl(b"c", 100)
    assert h.enc == LISTPACK_EX and list(h) == [b"c", b"a", b"b", b"d"]
    h.set_ttl(b"a", 50)
    assert list(h) == [b"a", b"c", b"b", b"d"]
    h.set_ttl(b"d", 100)  # a tie goes before the equal one
    assert list(h) == [b"a", b"d", b"c", b"b"]
    h.set_ttl(b"c", 100)  # re-set to the same time: re-inserted all the same
    assert list(h) == [b"a", b"c", b"d", b"b"]
    h.set_value(b"b", b"x")  # TTL-less and updated: stays
    assert list(h) == [b"a", b"c", b"d", b"b"]
    h.set_value(b"c", b"x")  # loses its TTL: to the end
    assert list(h) == [b"a", b"d", b"b", b"c"] and h.get_ttl(b"c") == -1
    h.set_value(b"a", b"y", keepttl=True)  # HINCRBY: TTL and place kept
    assert list(h) == [b"a", b"d", b"b", b"c"] and h.get_ttl(b"a") == 50
    assert h.persist(b"a") is True and list(h) == [b"d", b"b", b"c", b"a"]
    assert h.persist(b"a") is False
    assert h.next_expire() == 100
    h.persist(b"d")
    assert h.ttl is None and h.next_expire() is None and h.enc == LISTPACK_EX


def test_expiry_queries_and_pops():
    h = make(b"a", b"1", b"b", b"2", b"c", b"3")
    h.set_ttl(b"b", 10)
    h.set_ttl(b"a", 10)
    h.set_ttl(b"c", 30)
    assert not h.is_expired(b"a", 10) and h.is_expired(b"a", 11)
    assert h.count_expired(11) == 2
    assert h.live_items(11) == [(b"c", b"3")]
    assert h.pop_expired(11, 1) == [b"a"]  # listpack order: the later tie came first
    assert h.pop_expired(11) == [b"b"]
    assert h.pop_expired(11) == []
    assert dict(h) == {b"c": b"3"} and h.next_expire() == 30
    assert h.pop_expired(31) == [b"c"] and not h and h.ttl is None


def test_hashtable_heap_survives_updates():
    h = make(*(x for i in range(20) for x in (b"f%d" % i, b"v")), enc=HASHTABLE)
    for i in range(20):
        h.set_ttl(b"f%d" % i, 100 - i)
    for i in range(0, 20, 2):
        h.set_ttl(b"f%d" % i, 1000 + i)  # stale heap entries left behind
    h.persist(b"f1")
    h.delete(b"f3")
    assert h.next_expire() == 100 - 19
    assert h.pop_expired(90) == [b"f19", b"f17", b"f15", b"f13", b"f11"]
    got = h.pop_expired(2000)
    assert got[:3] == [b"f9", b"f7", b"f5"] and got[3:] == [b"f%d" % i for i in range(0, 20, 2)]
    assert dict(h) == {b"f1": b"v"} and h.ttl is None


def test_conversion_to_hashtable_keeps_ttls():
    h = make(b"a", b"1", b"b", b"2")
    h.set_ttl(b"a", 7)
    h.to_hashtable()
    assert h.enc == HASHTABLE and h.get_ttl(b"a") == 7 and h.next_expire() == 7
    h.to_hashtable()
    assert h.pop_expired(8) == [b"a"]


def test_copy_is_independent():
    h = make(b"a", b"1", b"b", b"2")
    h.set_ttl(b"b", 9)
    c = copy_value(h)
    assert type(c) is Hash and c == h and c.enc == h.enc and list(c) == list(h)
    assert c.ttl is not h.ttl and c.ttl.when == {b"b": 9} and c.ttl.key is None
    c.delete(b"b")
    assert h.get_ttl(b"b") == 9 and b"b" in h


def test_delete_drops_the_ttl():
    h = make(b"a", b"1")
    h.set_ttl(b"a", 5)
    assert h.delete(b"a") is True and h.delete(b"a") is False and h.ttl is None


def test_digest_matches_redis():
    """Values from DEBUG DIGEST-VALUE on Redis 7.4: the field order does not matter,
    a field with a TTL adds a marker whatever its time, the encoding does not matter."""
    plain = "6c8f22b3bf510fdcfd6122dd0f908a80e88243bf"
    with_ttl = "c07db73128914a41e685572f9d83e5ec946f598d"
    assert object_digest(_DB(), b"h", make(b"a", b"1", b"b", b"2")).hex() == plain
    assert object_digest(_DB(), b"h", make(b"b", b"2", b"a", b"1", enc=HASHTABLE)).hex() == plain
    h = make(b"a", b"1", b"b", b"2")
    h.set_ttl(b"a", 123)
    assert object_digest(_DB(), b"h", h).hex() == with_ttl
    h.set_ttl(b"a", 999_999)
    assert object_digest(_DB(), b"h", h).hex() == with_ttl
    h.persist(b"a")
    assert object_digest(_DB(), b"h", h).hex() == plain


def test_memory_estimate_grows():
    small = make(b"a", b"1")
    big = make(*(x for i in range(200) for x in (b"f%d" % i, b"v" * 10)))
    assert 0 < value_size(small, 5) < value_size(big, 5)
    big.to_hashtable()
    assert value_size(big, 5) > value_size(make(b"a", b"1", enc=HASHTABLE), 5)
