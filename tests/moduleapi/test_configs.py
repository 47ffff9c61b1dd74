"""Module configs (moduleconfigs.tcl scenarios): CONFIG GET/SET, flags, limits, enums and
bit flags, apply callbacks, MODULE LOADEX CONFIG, config file lines, removal on unload."""

from __future__ import annotations

import pytest
import redis

from .conftest import modpath


def cfg(r, name):
    return r.config_get(name).get(name)


@pytest.fixture
def s(modsrv):
    return modsrv("moduleconfigs")


@pytest.fixture
def r(s):
    return s.client(decode_responses=True)


def test_config_get(r):
    assert cfg(r, "moduleconfigs.mutable-bool") == "yes"
    assert cfg(r, "moduleconfigs.immutable-bool") == "no"
    assert cfg(r, "moduleconfigs.memory-numeric") == "1024"
    assert cfg(r, "moduleconfigs.string") == "secret password"
    assert cfg(r, "moduleconfigs.enum") == "one"
    assert cfg(r, "moduleconfigs.flags") == "one two"
    assert cfg(r, "moduleconfigs.numeric") == "-1"
    allc = r.config_get("moduleconfigs.*")
    assert "moduleconfigs.hidden" not in allc  # HIDDEN: only by its exact name
    assert cfg(r, "moduleconfigs.hidden") == "h"


def test_config_set(r):
    r.config_set("moduleconfigs.mutable-bool", "no")
    assert cfg(r, "moduleconfigs.mutable-bool") == "no"
    r.config_set("moduleconfigs.memory-numeric", "1mb")
    assert cfg(r, "moduleconfigs.memory-numeric") == "1048576"
    r.config_set("moduleconfigs.string", "wafflewednesdays")
    assert cfg(r, "moduleconfigs.string") == "wafflewednesdays"
    r.config_set("moduleconfigs.enum", "TWO")
    assert cfg(r, "moduleconfigs.enum") == "two"
    r.config_set("moduleconfigs.numeric", "-2")
    assert cfg(r, "moduleconfigs.numeric") == "-2"


def test_bitflags(r):
    for value, shown in [("none", "none"), ("two four", "two four"), ("five", "five"), ("one four", "five"),
                         ("one two four", "five two"), ("two", "two")]:
        r.config_set("moduleconfigs.flags", value)
        assert cfg(r, "moduleconfigs.flags") == shown, value


def test_errors(r):
    with pytest.raises(redis.ResponseError) as e:
        r.config_set("moduleconfigs.immutable-bool", "yes")
    assert str(e.value) == ("CONFIG SET failed (possibly related to argument 'moduleconfigs.immutable-bool') - "
                            "can't set immutable config")
    with pytest.raises(redis.ResponseError) as e:
        r.config_set("moduleconfigs.string", "rejectisfreed")
    assert str(e.value).endswith("- Cannot set string to 'rejectisfreed'")
    with pytest.raises(redis.ResponseError, match="argument must be between 0 and 3145728 inclusive"):
        r.config_set("moduleconfigs.memory-numeric", "200gb")
    with pytest.raises(redis.ResponseError, match="argument must be a memory value"):
        r.config_set("moduleconfigs.memory-numeric", "-5")
    with pytest.raises(redis.ResponseError, match="argument must be between -5 and 2000 inclusive"):
        r.config_set("moduleconfigs.numeric", "-10")
    with pytest.raises(redis.ResponseError, match=r"argument\(s\) must be one of the following: none, one, two, three"):
        r.config_set("moduleconfigs.enum", "asdf")
    with pytest.raises(redis.ResponseError, match="argument must be 'yes' or 'no'"):
        r.config_set("moduleconfigs.mutable-bool", "maybe")
    assert cfg(r, "moduleconfigs.string") == "secret password"


def test_protected_and_sensitive(s, r):
    with pytest.raises(redis.ResponseError, match="can't set protected config"):
        r.config_set("moduleconfigs.protected", "x")
    r.config_set("moduleconfigs.denyloading", "yes")  # refused only while loading
    assert cfg(r, "moduleconfigs.denyloading") == "yes"
    r.config_set("slowlog-log-slower-than", 0)
    r.config_set("moduleconfigs.sensitive", "hunter2")
    entry = r.slowlog_get(1)[0]["command"]
    entry = entry.decode() if isinstance(entry, bytes) else entry
    assert "hunter2" not in entry and "(redacted)" in entry


def test_apply_functions(r):
    r.config_set("moduleconfigs.mutable-bool", "no")
    with pytest.raises(redis.ResponseError, match="These configs cannot equal each other"):
        r.execute_command("CONFIG", "SET", "moduleconfigs.memory-numeric", "1000", "moduleconfigs.numeric", "1000")
    assert cfg(r, "moduleconfigs.memory-numeric") == "1024"  # all or nothing
    assert cfg(r, "moduleconfigs.numeric") == "-1"


def test_registration_outside_on_load(r):
    assert r.execute_command("moduleconfigs.register_outside") == "OK"


def test_unload_removes_configs_and_reload_restores_defaults(r):
    r.config_set("moduleconfigs.string", "changed")
    assert r.execute_command("MODULE", "UNLOAD", "moduleconfigs") == "OK"
    assert r.config_get("moduleconfigs.*") == {}
    r.execute_command("MODULE", "LOAD", modpath("moduleconfigs"))
    assert cfg(r, "moduleconfigs.string") == "secret password"


def test_loadex(modsrv):
    s = modsrv()
    r = s.client(decode_responses=True)
    assert r.execute_command("MODULE", "LOADEX", modpath("moduleconfigs"), "CONFIG", "moduleconfigs.mutable-bool",
                             "no", "CONFIG", "moduleconfigs.immutable-bool", "yes", "CONFIG",
                             "moduleconfigs.memory-numeric", "2mb", "CONFIG", "moduleconfigs.string",
                             "tclortickle") == "OK"
    assert cfg(r, "moduleconfigs.mutable-bool") == "no"
    assert cfg(r, "moduleconfigs.immutable-bool") == "yes"
    assert cfg(r, "moduleconfigs.memory-numeric") == "2097152"
    assert cfg(r, "moduleconfigs.string") == "tclortickle"
    assert cfg(r, "moduleconfigs.enum") == "one"
    with pytest.raises(redis.ResponseError, match="Bool configs cannot both be yes"):
        r.config_set("moduleconfigs.mutable-bool", "yes")


@pytest.mark.parametrize("args", [
    ["CONFIG", "moduleconfigs.mutable-bool", "yes", "CONFIG", "moduleconfigs.mutable-bool", "no"],  # twice
    ["CONFIG", "moduleconfigs.string", "cool", "ARGS", "noload"],  # never applied: no load_configs
    ["CONFIG", "moduleconfigs.memory-numeric", "200gb", "ARGS"],  # out of range
    ["CONFIG", "moduleconfigs.mutable-bool", "CONFIG", "moduleconfigs.enum", "two", "ARGS"],  # no value
    ["CONFIG", "moduleconfigs.string", "rejectisfreed"],  # refused by the module
    ["CONFIG", "maxclients", "333"],  # not a config of this module
    ["CONFIG", "configs.test", "no"],  # another module's
])
def test_loadex_failures_leave_nothing(modsrv, args):
    s = modsrv("moduleconfigstwo")
    r = s.client(decode_responses=True)
    with pytest.raises(redis.ResponseError, match=r"Error loading the extension\. Please check the server logs\."):
        r.execute_command("MODULE", "LOADEX", modpath("moduleconfigs"), *args)
    assert r.config_get("moduleconfigs.*") == {}
    assert [m["name"] for m in r.module_list()] == ["configs"]
    assert cfg(r, "maxclients") != "333"
    assert cfg(r, "configs.test") == "yes"
    # and it loads fine afterwards
    assert r.execute_command("MODULE", "LOAD", modpath("moduleconfigs")) == "OK"


def test_config_file_values_before_and_after_loadmodule(modsrv):
    s = modsrv("moduleconfigs", **{"moduleconfigs.string": "fromfile", "moduleconfigs.enum": "three"})
    r = s.client(decode_responses=True)
    assert cfg(r, "moduleconfigs.string") == "fromfile"
    assert cfg(r, "moduleconfigs.enum") == "three"


def test_config_rewrite(modsrv, tmp_path):
    conf = tmp_path / "redis.conf"
    conf.write_text("")
    s = modsrv("moduleconfigs")
    r = s.client(decode_responses=True)
    s.core.config_file = str(conf)
    r.config_set("moduleconfigs.string", "rewritten value")
    r.config_set("moduleconfigs.flags", "four two")
    try:
        r.config_rewrite()
    except redis.ResponseError as e:  # pragma: no cover - depends on the core's rewrite support
        pytest.skip(f"CONFIG REWRITE unavailable here: {e}")
    text = conf.read_text()
    assert "loadmodule " in text and "moduleconfigs.py" in text
    assert 'moduleconfigs.string "rewritten value"' in text
    assert "moduleconfigs.flags" in text
