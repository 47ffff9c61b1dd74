"""Command filters (commandfilter.tcl scenarios)."""

from __future__ import annotations

import threading
import time

import pytest

from .conftest import modpath


@pytest.fixture
def s(modsrv):
    return modsrv(("commandfilter", "log-key", "0"))


@pytest.fixture
def r(s):
    return s.client()


def test_redirected_command_is_logged(r):
    r.set("mykey", "@log")
    assert r.lrange("log-key", 0, -1) == [b"SET mykey @log"]
    assert r.get("mykey") == b"@log"


def test_delete_insert_replace(r):
    r.rpush("mylist", "elem1", "@delme", "elem2")
    assert r.lrange("mylist", 0, -1) == [b"elem1", b"elem2"]
    r.delete("mylist")
    r.rpush("mylist", "elem1", "@insertbefore", "elem2", "@insertafter", "elem3")
    assert r.lrange("mylist", 0, -1) == [b"elem1", b"--inserted-before--", b"@insertbefore", b"elem2",
                                         b"@insertafter", b"--inserted-after--", b"elem3"]
    r.delete("mylist")
    r.rpush("mylist", "elem1", "@replaceme", "elem2")
    assert r.lrange("mylist", 0, -1) == [b"elem1", b"--replaced--", b"elem2"]


def test_filters_apply_to_module_calls(r):
    r.delete("log-key")
    assert r.execute_command("commandfilter.ping") == b"@log"
    assert r.lrange("log-key", 0, -1) == [b"PING @log"]


def test_filters_apply_to_lua_redis_call(r):
    r.delete("log-key")
    assert r.eval("return redis.call('ping', '@log')", 0) == b"@log"
    assert r.lrange("log-key", 0, -1) == [b"ping @log"]
    r.delete("log-key")
    r.eval("return redis.call('commandfilter.ping')", 0)  # a module command called by a script
    assert r.lrange("log-key", 0, -1) == [b"PING @log"]


def test_retained_argument(r):
    r.set("x", "@retain")
    assert r.execute_command("commandfilter.retained") == b"@retain"


def test_client_id_seen_by_filter(s, r):
    assert int(r.execute_command("commandfilter.whoami")) == r.client_id()


def test_unload_unregisters(r):
    r.execute_command("MODULE", "UNLOAD", "commandfilter")
    r.delete("log-key")
    r.set("mykey", "@log")
    assert r.lrange("log-key", 0, -1) == []


def test_unregister(r):
    r.delete("log-key")
    r.set("mykey", "@log")
    assert r.lrange("log-key", 0, -1) == [b"SET mykey @log"]
    assert r.execute_command("commandfilter.unregister") == 0
    assert r.execute_command("commandfilter.unregister") == 1  # already gone: ERR
    r.delete("log-key")
    r.set("mykey", "@log")
    assert r.lrange("log-key", 0, -1) == []


def test_noself(modsrv):
    s = modsrv(("commandfilter", "log-key", "1"))
    r = s.client()
    r.execute_command("commandfilter.ping")
    assert r.lrange("log-key", 0, -1) == []  # the module's own call is not filtered
    r.set("k", "@log")
    assert r.lrange("log-key", 0, -1) == [b"SET k @log"]


def test_info_modules_counts_filters(r):
    assert r.info("modules")["modules"][0]["filters"] == 2


def test_blocked_commands_are_not_filtered_again_when_served(s, r):
    r.lpush("list2{t}", "a", "b", "c", "d", "e")
    c2 = s.client()
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("v", c2.blmove("list1{t}", "list2{t}", 0, "LEFT", "RIGHT")))
    t.start()
    end = time.time() + 3
    while r.info("clients")["blocked_clients"] < 1 and time.time() < end:
        time.sleep(0.01)
    r.lpush("list1{t}", 1, 2, 3, 4, 5)
    t.join()
    # the filter swapped LEFT/RIGHT once: the rightmost element moved, to the left
    assert out["v"] == b"1"
    assert r.lrange("list2{t}", 0, -1) == [b"1", b"e", b"d", b"c", b"b", b"a"]


def test_load_path_helper():
    assert modpath("commandfilter").endswith("commandfilter.py")
