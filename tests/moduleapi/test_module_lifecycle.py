"""MODULE LOAD/LOADEX/UNLOAD/LIST/HELP, failure rollback, enable-module-command, shared
APIs between modules, logging at the four levels."""

from __future__ import annotations

import time

import pytest
import redis

from .conftest import cmd, modpath, parse

LOAD_ERR = "Error loading the extension. Please check the server logs."


def test_module_list_and_help(modsrv):
    s = modsrv(("sharedapi_provider", "a1", "a2"))
    r = s.client()
    mods = r.execute_command("MODULE", "LIST")
    assert mods == [[b"name", b"provider", b"ver", 3, b"path", modpath("sharedapi_provider").encode(),
                     b"args", [b"a1", b"a2"]]]
    assert r.execute_command("MODULE", "HELP")[0].startswith(b"MODULE <subcommand>")
    with pytest.raises(redis.ResponseError, match="unknown subcommand"):
        r.execute_command("MODULE", "NOPE")


def test_load_errors(modsrv):
    s = modsrv()
    r = s.client()
    for path in (modpath("does_not_exist"), modpath("noonload")):
        with pytest.raises(redis.ResponseError) as e:
            r.execute_command("MODULE", "LOAD", path)
        assert str(e.value) == LOAD_ERR
    r.execute_command("MODULE", "LOAD", modpath("sharedapi_provider"))
    with pytest.raises(redis.ResponseError, match="Error loading the extension"):
        r.execute_command("MODULE", "LOAD", modpath("sharedapi_provider"))  # name taken
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("MODULE", "UNLOAD", "nosuch")
    assert str(e.value) == "Error unloading module: no such module with that name"
    assert [m[1] for m in r.execute_command("MODULE", "LIST")] == [b"provider"]


@pytest.mark.parametrize("mode", ["err", "raise", "noinit"])
def test_failed_on_load_leaves_nothing(modsrv, mode):
    s = modsrv()
    r = s.client()
    with pytest.raises(redis.ResponseError, match="Error loading the extension"):
        r.execute_command("MODULE", "LOAD", modpath("failing"), mode)
    assert r.execute_command("MODULE", "LIST") == []
    assert cmd(s, "COMMAND", "INFO", "failing.cmd") == [None]
    assert r.config_get("failing.*") == {}
    core = s.core
    assert core.modules.find_type_by_name("failtype1") is None
    assert not core.modules.event_subs and not core.modules.filters
    assert "failing.api" not in getattr(core, "shared_apis", {})
    # everything is free again: the same module loads fine
    r.execute_command("MODULE", "LOAD", modpath("failing"), "ok")
    assert r.execute_command("failing.cmd") == b"OK"


def test_enable_module_command(modsrv):
    s = modsrv(enable_module_command="no")
    r = s.client()
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("MODULE", "LOAD", modpath("sharedapi_provider"))
    assert str(e.value) == ("MODULE command not allowed. If the enable-module-command option is set to "
                            '"local", you can run it from a local connection, otherwise you need to set this '
                            "option in the configuration file, and then restart the server.")
    assert r.execute_command("MODULE", "LIST") == []  # LIST and HELP are not gated
    with pytest.raises(redis.ResponseError, match="can't set immutable config"):
        r.config_set("enable-module-command", "yes")


def test_enable_module_command_local(modsrv):
    s = modsrv(enable_module_command="local")
    assert s.client().execute_command("MODULE", "LOAD", modpath("sharedapi_provider")) == b"OK"


def test_shared_api_between_modules(modsrv):
    s = modsrv("sharedapi_provider", "sharedapi_user")
    r = s.client()
    assert r.execute_command("user.missing") == 0
    assert r.execute_command("user.add", 2, 40) == 42
    info = parse(s.raw().call("INFO", "modules")).decode()
    assert "module:name=provider,ver=3,api=1,filters=0,usedby=[user],using=[],options=[]" in info
    assert "module:name=user,ver=1,api=1,filters=0,usedby=[],using=[provider],options=[]" in info
    with pytest.raises(redis.ResponseError) as e:
        r.execute_command("MODULE", "UNLOAD", "provider")
    assert str(e.value) == ("Error unloading module: the module exports APIs used by other modules. "
                            "Please unload them first and try again")
    assert r.execute_command("MODULE", "UNLOAD", "user") == b"OK"
    assert r.execute_command("MODULE", "UNLOAD", "provider") == b"OK"


def test_unload_refused_with_data_type(modsrv):
    s = modsrv("withtype")
    with pytest.raises(redis.ResponseError) as e:
        s.client().execute_command("MODULE", "UNLOAD", "withtype")
    assert str(e.value) == ("Error unloading module: the module exports one or more module-side data types, "
                            "can't unload")


def test_logging_levels_and_format(modsrv, tmp_path):
    logfile = tmp_path / "moredis.log"
    s = modsrv(logfile=str(logfile), loglevel="verbose", quiet=False)
    r = s.client()
    r.execute_command("MODULE", "LOAD", modpath("sharedapi_provider"), "x")
    time.sleep(0.05)
    text = logfile.read_text()
    assert "<provider> loaded at verbose level with 1 args" in text
    assert "<provider> loaded at notice level with 1 args" in text
    assert "<provider> loaded at warning level with 1 args" in text
    assert "<provider> loaded at debug level" not in text  # below loglevel
    line = next(ln for ln in text.splitlines() if "<provider> loaded at warning" in ln)
    assert " # <provider>" in line  # warnings carry Redis's '#' level mark
