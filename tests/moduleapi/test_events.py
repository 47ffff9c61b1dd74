"""Server events (hooks.tcl scenarios): each event fired at the moment Redis fires it."""

from __future__ import annotations

import time

import pytest
import redis

from moredis import module as rm


@pytest.fixture
def s(modsrv):
    return modsrv("hooks")


@pytest.fixture
def r(s):
    return s.client()


def count(r, name):
    return r.execute_command("hooks.event_count", name)


def last(r, name):
    return r.execute_command("hooks.event_last", name)


def wait_for(fn, timeout=3.0):
    end = time.time() + timeout
    while time.time() < end:
        if fn():
            return True
        time.sleep(0.02)
    return fn()


def test_client_change(s, r):
    r.execute_command("hooks.clear")
    r2 = s.client()
    cid = r2.client_id()
    assert last(r, "client-connected") == cid
    r2.close()
    assert wait_for(lambda: last(r, "client-disconnected") == cid)


def test_flushdb_start_before_end_after(s):
    r = s.client(db=9)
    r.set("a", 1)
    r.set("b", 2)
    r.execute_command("hooks.clear")
    r.flushdb()
    assert last(r, "flush-start") == 9 and last(r, "flush-end") == 9
    assert last(r, "flush-start-dbsize") == 2 and last(r, "flush-end-dbsize") == 0
    assert last(r, "flush-sync") == 1
    r.flushall(asynchronous=True)
    assert last(r, "flush-start") == -1 and last(r, "flush-end") == -1
    assert count(r, "flush-start") == 2 and count(r, "flush-end") == 2  # one pair for all dbs
    assert last(r, "flush-sync") == 0


def test_swapdb(r):
    r.swapdb(0, 10)
    assert last(r, "swapdb-first") == 0 and last(r, "swapdb-second") == 10


def test_config_change(r):
    r.execute_command("hooks.clear")
    r.config_set("maxmemory-policy", "allkeys-lru")
    assert count(r, "config-change-count") == 1
    assert last(r, "config-change-first") == b"maxmemory-policy"
    r.execute_command("CONFIG", "SET", "hash-max-listpack-entries", "100", "maxmemory", "0")
    assert last(r, "config-change-count") == 2
    assert last(r, "config-change-first") == b"hash-max-listpack-entries"
    with pytest.raises(redis.ResponseError):
        r.config_set("nosuchconfig", "1")
    assert count(r, "config-change-count") == 2  # a refused CONFIG SET changes nothing
    r.config_set("maxmemory-policy", "noeviction")


def test_key_events(s, r):
    r.set("k1", "v1")
    r.delete("k1")
    assert last(r, "deleted") == b"k1" and last(r, "key-info-k1") == b"v1"
    r.set("k2", "old")
    r.set("k2", "new")
    assert last(r, "overwritten") == b"k2" and last(r, "key-info-k2") == b"old"
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    r.set("k3", "v3", px=1)
    time.sleep(0.01)
    assert r.get("k3") is None  # lazy expiry
    assert last(r, "expired") == b"k3" and last(r, "key-info-k3") == b"v3"
    r.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")
    r.set("k4", "v4", px=1)
    assert wait_for(lambda: last(r, "expired") == b"k4")  # active expiry
    assert count(r, "deleted") == 1
    assert count(r, "reopen-failed") == 0


def test_key_event_hook_only_while_subscribed(s, r):
    assert s.core.key_event_hook is not None
    r.execute_command("hooks.subscribe", rm.EVENT_KEY, "off")
    assert s.core.key_event_hook is None
    r.set("k", "v")
    r.delete("k")
    assert count(r, "deleted") == 0


def test_module_change(modsrv):
    s = modsrv("hooks")
    r = s.client()
    from .conftest import modpath

    r.execute_command("MODULE", "LOAD", modpath("replies"))
    assert last(r, "module-loaded") == b"replywith:1"
    r.execute_command("MODULE", "UNLOAD", "replywith")
    assert last(r, "module-unloaded") == b"replywith:1"


def test_cron_loop(r):
    assert r.execute_command("hooks.subscribe", rm.EVENT_CRON_LOOP) == rm.OK
    r.config_set("hz", "100")
    assert wait_for(lambda: count(r, "cron-loop") >= 3)
    assert last(r, "cron-loop") == 100
    r.config_set("hz", "10")


def test_eventloop_before_and_after_sleep(s, r):
    assert s.core.eventloop_hook is None
    r.execute_command("hooks.subscribe", rm.EVENT_EVENTLOOP)
    a = count(r, "before-sleep")
    b = count(r, "before-sleep")
    assert b > a  # every round trip wakes the loop at least once
    assert abs(count(r, "after-sleep") - count(r, "before-sleep")) <= 1
    r.execute_command("hooks.subscribe", rm.EVENT_EVENTLOOP, "off")
    n = count(r, "before-sleep")
    r.ping()
    assert count(r, "before-sleep") == n
    assert s.core.eventloop_hook is None


def test_persistence_loading_fork_helpers(s, r):
    mods = s.core.modules
    s.in_loop(mods.fire_persistence, rm.SUBEVENT_PERSISTENCE_SYNC_RDB_START)
    s.in_loop(mods.fire_persistence, rm.SUBEVENT_PERSISTENCE_ENDED)
    s.in_loop(mods.fire_loading, rm.SUBEVENT_LOADING_RDB_START)
    s.in_loop(mods.fire_loading_progress, rm.SUBEVENT_LOADING_PROGRESS_RDB, 512)
    s.in_loop(mods.fire_fork_child, rm.SUBEVENT_FORK_CHILD_BORN)
    s.in_loop(mods.fire_master_link, rm.SUBEVENT_MASTER_LINK_DOWN)
    assert count(r, "persistence-2") == 1 and count(r, "persistence-3") == 1
    assert count(r, "loading-0") == 1 and count(r, "loading-progress-0") == 1
    assert count(r, "fork-child-0") == 1 and count(r, "master-link-1") == 1


def test_shutdown_event(s, r):
    from moredis.server import log as L

    assert count(r, "shutdown") == 0
    s.in_loop(s.core.prepare_shutdown, False)
    assert count(r, "shutdown") == 1
    assert L is not None


def test_is_sub_event_supported(r):
    assert r.execute_command("hooks.supported", rm.EVENT_FLUSHDB, rm.SUBEVENT_FLUSHDB_END) == 1
    assert r.execute_command("hooks.supported", rm.EVENT_FLUSHDB, 2) == 0
    assert r.execute_command("hooks.supported", rm.EVENT_KEY, rm.SUBEVENT_KEY_OVERWRITTEN) == 1
    assert r.execute_command("hooks.supported", rm.EVENT_KEY, 4) == 0
    assert r.execute_command("hooks.supported", rm.EVENT_SHUTDOWN, 0) == 0  # no subevents at all
    assert r.execute_command("hooks.supported", rm.EVENT_PERSISTENCE, rm.SUBEVENT_PERSISTENCE_SYNC_AOF_START) == 1
    assert r.execute_command("hooks.supported", 18, 0) == 0
