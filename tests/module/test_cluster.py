"""Cluster helpers: CRC16 key slots with hash tags, the canonical key name of each slot
(the same 16384 names as Redis 7.4.1's table), and the node calls without a cluster."""

from __future__ import annotations

import hashlib

import pytest


@pytest.fixture(scope="module")
def r(modserver):
    return modserver("cluster").client()


@pytest.mark.parametrize("key,slot", [
    ("foo", 12182), ("{user1000}.following", 3443), ("", 0), ("a{}b", 13694), ("foo{bar", 15278),
    ("{a}{b}", 15495), ("x{}{a}", 15756), ("{user1000}.followers", 3443), ("123456789", 12739),
])
def test_key_slot(r, key, slot):
    assert r.execute_command("cluster.keyslot", key) == slot


def test_canonical_names(r):
    assert r.execute_command("cluster.canonical", 0) == [b"06S", 0]
    assert r.execute_command("cluster.canonical", 5) == [b"460", 5]
    assert r.execute_command("cluster.canonical", 16383) == [b"6ZJ", 16383]
    assert r.execute_command("cluster.canonical", 16384) is None
    assert r.execute_command("cluster.canonical", -1) is None
    table = r.execute_command("cluster.alltable")
    assert hashlib.sha1(table).hexdigest() == "264f7c08e606e11a0b1bd66cbeca5042c124d018"  # Redis's table


def test_without_cluster(r):
    assert r.execute_command("cluster.info") == [0, None, None, None, 1, 1]
