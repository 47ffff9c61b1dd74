"""Transactions and Pub/Sub with several real connections."""

import threading
import time

import redis


def test_publish_reaches_channel_and_pattern_subscribers(srv, r):
    p = redis.Redis(port=srv.port).pubsub()
    p.subscribe("news")
    p.psubscribe("n*")
    for _ in range(2):
        p.get_message(timeout=1)
    assert r.publish("news", "hello") == 2
    msgs = [p.get_message(timeout=1) for _ in range(2)]
    assert {m["type"] for m in msgs} == {"message", "pmessage"}
    assert all(m["data"] == b"hello" for m in msgs)
    p.close()


def test_resp3_push_messages(srv, r):
    c = redis.Redis(port=srv.port, protocol=3)
    got = []
    p = c.pubsub(push_handler_func=None)
    p.subscribe(ch=lambda m: got.append(m))
    t = p.run_in_thread(sleep_time=0.01)
    time.sleep(0.1)
    r.publish("ch", "x")
    for _ in range(50):
        if got:
            break
        time.sleep(0.02)
    t.stop()
    t.join(2)
    p.close()
    c.close()
    assert got and got[0]["data"] == b"x"


def test_watch_aborts_exec_when_another_client_writes(srv, r):
    other = redis.Redis(port=srv.port)
    r.set("k", "1")
    pipe = r.pipeline()
    pipe.watch("k")
    other.set("k", "2")
    pipe.multi()
    pipe.set("k", "3")
    try:
        pipe.execute()
        raised = False
    except redis.WatchError:
        raised = True
    assert raised
    assert r.get("k") == b"2"


def test_watch_breaks_on_expiry_and_flushall(srv, r):
    r.set("e", "1", px=50)
    pipe = r.pipeline()
    pipe.watch("e")
    time.sleep(0.1)
    pipe.multi()
    pipe.get("e")
    try:
        pipe.execute()
        ok = True
    except redis.WatchError:
        ok = False
    assert not ok
    r.set("f", "1")
    pipe = r.pipeline()
    pipe.watch("f")
    redis.Redis(port=srv.port).flushall()
    pipe.multi()
    pipe.get("f")
    try:
        pipe.execute()
        ok = True
    except redis.WatchError:
        ok = False
    assert not ok


def test_exec_is_atomic_for_other_clients(srv, r):
    other = redis.Redis(port=srv.port)
    seen = []

    def reader():
        for _ in range(200):
            v = other.mget("a", "b")
            seen.append(v)

    t = threading.Thread(target=reader)
    t.start()
    for i in range(200):
        p = r.pipeline(transaction=True)
        p.set("a", i)
        p.set("b", i)
        p.execute()
    t.join()
    assert all(a == b for a, b in seen)
