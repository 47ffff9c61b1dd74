"""Keyspace notifications for modules (keyspace_events.tcl / postnotifications.tcl):
subscriptions by class (KEY_MISS, NEW, MODULE ...), notify_keyspace_event, post jobs
and their replication, nesting."""

from __future__ import annotations

import time

import pytest

from moredis import module as rm

from .test_propagation import Recorder, attach


@pytest.fixture
def s(modsrv):
    return modsrv("keyspace")


def events(r, clear=True):
    return [(t, e.decode(), k) for t, e, k in r.execute_command("keyspace.events", *(["clear"] if clear else []))]


def test_classes_reach_modules_without_notify_keyspace_events(s):
    r = s.client()
    assert r.config_get("notify-keyspace-events")["notify-keyspace-events"] == ""
    events(r)
    r.set("k", "v")
    r.delete("k")
    r.rpush("l", "a")
    got = events(r)
    assert (rm.NOTIFY_NEW, "new", b"k") in got
    assert (rm.NOTIFY_STRING, "set", b"k") in got
    assert (rm.NOTIFY_GENERIC, "del", b"k") in got
    assert (rm.NOTIFY_LIST, "rpush", b"l") in got
    assert got.index((rm.NOTIFY_NEW, "new", b"k")) < got.index((rm.NOTIFY_STRING, "set", b"k"))


def test_key_miss(s):
    r = s.client()
    events(r)
    r.get("missing")
    assert events(r) == [(rm.NOTIFY_KEY_MISS, "keymiss", b"missing")]
    r.set("present", "1")
    events(r)
    r.get("present")
    assert events(r) == []


def test_module_event_and_pubsub(s):
    r = s.client()
    r.config_set("notify-keyspace-events", "KEd")
    p = s.client().pubsub()
    p.psubscribe("__key*__:*")
    p.get_message(timeout=1)
    events(r)
    r.execute_command("keyspace.notify", "mk")
    assert events(r) == [(rm.NOTIFY_MODULE, "notify", b"mk")]
    msgs = []
    end = time.time() + 2
    while len(msgs) < 2 and time.time() < end:
        m = p.get_message(timeout=0.2)
        if m and m["type"] == "pmessage":
            msgs.append((m["channel"], m["data"]))
    assert sorted(msgs) == [(b"__keyevent@0__:notify", b"mk"), (b"__keyspace@0__:mk", b"notify")]
    p.close()


def test_flags(s):
    r = s.client()
    r.config_set("notify-keyspace-events", "KEg")
    cur, every = r.execute_command("keyspace.flags")
    assert cur == rm.NOTIFY_KEYSPACE | rm.NOTIFY_KEYEVENT | rm.NOTIFY_GENERIC
    assert every == (1 << 15) - 1


def test_expired_notification_lazy_and_active(s):
    r = s.client()
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    r.set("e1", "v", px=1)
    time.sleep(0.01)
    events(r)
    assert r.get("e1") is None
    got = events(r)
    assert (rm.NOTIFY_EXPIRED, "expired", b"e1") in got
    assert got.index((rm.NOTIFY_EXPIRED, "expired", b"e1")) < got.index((rm.NOTIFY_KEY_MISS, "keymiss", b"e1"))
    # the post job's INCR comes after the command's own notifications
    assert got.index((rm.NOTIFY_KEY_MISS, "keymiss", b"e1")) < got.index((rm.NOTIFY_STRING, "incrby", b"expired"))
    assert r.get("expired") == b"1"  # the post job ran after the GET
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    r.set("e2", "v", px=1)
    end = time.time() + 3
    while r.get("expired") != b"2" and time.time() < end:
        time.sleep(0.02)
    assert r.get("expired") == b"2"


def test_post_job_writes_replicate_after_the_command(s):
    rec = attach(s, Recorder())
    r = s.client()
    r.set("string_x", "1")
    assert r.get("string_changed{string_x}") == b"1"
    r.set("string_x", "2")
    assert r.get("string_changed{string_x}") == b"2"
    assert rec.take() == [
        "MULTI", "SET string_x 1", "INCR string_changed{string_x}", "INCR string_total", "EXEC",
        "MULTI", "SET string_x 2", "INCR string_changed{string_x}", "INCR string_total", "EXEC"]


def test_post_job_on_lazy_expire_replicates_with_the_del(s):
    rec = attach(s, Recorder())
    r = s.client()
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    r.set("x", "1", px=1)
    rec.take()
    time.sleep(0.01)
    assert r.get("x") is None
    assert rec.take() == ["MULTI", "DEL x", "INCR expired", "EXEC"]
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")


def test_post_job_on_active_expire_replicates_with_the_del(s):
    rec = attach(s, Recorder())
    r = s.client()
    r.set("y", "1", px=1)
    rec.take()
    end = time.time() + 3
    while r.get("expired") is None and time.time() < end:
        time.sleep(0.02)
    assert rec.take() == ["MULTI", "DEL y", "INCR expired", "EXEC"]


def test_nested_notifications_suppressed_by_default(s):
    r = s.client()
    events(r)
    r.set("nested_trigger", "1")
    got = events(r)
    assert (rm.NOTIFY_STRING, "set", b"nested_trigger") in got
    assert not [e for e in got if e[2] == b"nested_write"]
    assert r.get("nested_write") == b"1"


def test_nested_notifications_allowed_by_option(modsrv):
    s = modsrv(("keyspace", "nested"))
    r = s.client()
    events(r)
    r.set("nested_trigger", "1")
    got = events(r)
    assert (rm.NOTIFY_STRING, "set", b"nested_write") in got


def test_add_post_job_from_a_command(s):
    assert s.client().execute_command("keyspace.post_outside") == rm.OK
