"""Client-library recipes built on server-side Lua, through redis-py: its Lock, a
sliding-window rate limiter, and a job queue's atomic dequeue."""

from __future__ import annotations

import time

RATE_LIMIT = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local n = redis.call('ZCARD', key)
if n >= limit then return 0 end
redis.call('ZADD', key, now, now .. '-' .. math.random(1000000))
redis.call('PEXPIRE', key, window)
return 1
"""

DEQUEUE = """
local job = redis.call('RPOPLPUSH', KEYS[1], KEYS[2])
if not job then return false end
redis.call('HSET', KEYS[3], job, ARGV[1])
return job
"""


def test_redis_py_lock(r):
    lock = r.lock("resource", timeout=5)
    assert lock.acquire(blocking=False)
    other = r.lock("resource", timeout=5)
    assert not other.acquire(blocking=False)
    assert lock.extend(5)
    assert r.pttl("resource") > 5000
    assert lock.reacquire()
    lock.release()
    assert other.acquire(blocking=False)
    other.release()
    assert r.get("resource") is None


def test_sliding_window_rate_limiter(r):
    limiter = r.register_script(RATE_LIMIT)
    now = int(time.time() * 1000)
    got = [limiter(keys=["rl:user"], args=[now + i, 1000, 3]) for i in range(5)]
    assert got == [1, 1, 1, 0, 0]
    assert r.zcard("rl:user") == 3
    assert 0 < r.pttl("rl:user") <= 1000
    assert limiter(keys=["rl:user"], args=[now + 2000, 1000, 3]) == 1  # the window slid


def test_job_queue_dequeue(r):
    dequeue = r.register_script(DEQUEUE)
    r.lpush("jobs", "j1", "j2")
    assert dequeue(keys=["jobs", "processing", "owners"], args=["worker-1"]) == b"j1"
    assert dequeue(keys=["jobs", "processing", "owners"], args=["worker-2"]) == b"j2"
    assert dequeue(keys=["jobs", "processing", "owners"], args=["worker-1"]) is None
    assert r.lrange("processing", 0, -1) == [b"j2", b"j1"]
    assert r.hgetall("owners") == {b"j1": b"worker-1", b"j2": b"worker-2"}
