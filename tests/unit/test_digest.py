"""DEBUG DIGEST's algorithm: the same dataset gives Redis's digest."""

from moredis.engine.digest import dataset_digest
from moredis.server.server import RedisServer


def test_empty_dataset_is_zero():
    assert dataset_digest(RedisServer().dbs) == bytes(20)


def test_known_digest_from_redis():
    # read off Redis 7.4: SET a 1; SET bb hello; SELECT 2; SET x y; PEXPIRE x 100000; DEBUG DIGEST
    s = RedisServer()
    s.dbs[0].data[b"a"] = b"1"
    s.dbs[0].data[b"bb"] = b"hello"
    s.dbs[2].data[b"x"] = b"y"
    s.dbs[2].set_expire(b"x", 10**13)
    assert dataset_digest(s.dbs).hex() == "ab08e34205891c9ea736faf354f77e8975d6d52f"
    s.dbs[0].data[b"a"] = 1  # an int-encoded string digests as its decimal text
    assert dataset_digest(s.dbs).hex() == "ab08e34205891c9ea736faf354f77e8975d6d52f"
