"""INFO from modules (infotest.tcl scenarios): sections, dict fields, which INFO
arguments include them, and get_server_info."""

from __future__ import annotations

import pytest

from .conftest import parse


@pytest.fixture
def s(modsrv):
    return modsrv("infotest")


def info(r, *args):
    """INFO's text (raw: redis-py would parse it into a dict)."""
    return parse(r.call("INFO", *args)).decode()


def test_module_sections_by_module_name(s):
    r = s.raw()
    text = info(r, "infotest")
    assert "# infotest\r\ninfotest_global:-2\r\ninfotest_uglobal:18446744073709551614\r\n" in text
    assert "# infotest_Spanish\r\ninfotest_uno:one\r\ninfotest_dos:2\r\n" in text
    assert "# infotest_Italian\r\ninfotest_due:2\r\ninfotest_tre:3.2999999999999998\r\n" in text
    assert "infotest_db0:keys=3,expires=1\r\n" in text
    assert "# Server" not in text


def test_default_and_all_leave_module_sections_out(s):
    r = s.raw()
    assert "infotest_" not in info(r)
    assert "infotest_" not in info(r, "all")
    assert "infotest_global" in info(r, "everything")
    assert "infotest_global" in info(r, "all", "infotest")


def test_one_module_section(s):
    r = s.raw()
    text = info(r, "infotest_spanish")
    assert "infotest_uno:one" in text and "infotest_global" not in text and "infotest_due" not in text


def test_core_and_module_sections_together(s):
    r = s.raw()
    text = info(r, "keyspace", "infotest_italian")
    assert "# Keyspace" in text and "infotest_due:2" in text and "infotest_uno" not in text


def test_modules_section_lists_the_module(s):
    r = s.raw()
    text = info(r, "modules")
    assert "module:name=infotest,ver=1,api=1,filters=0,usedby=[],using=[],options=[]" in text


def test_get_server_info(s):
    r = s.client()
    r.set("k", "v")
    assert r.execute_command("info.get", "server", "redis_version", "string") == r.info("server")[
        "redis_version"].encode()
    assert r.execute_command("info.get", "clients", "connected_clients", "signed") >= 1
    assert r.execute_command("info.get", "", "tcp_port", "unsigned") == s.port
    assert float(r.execute_command("info.get", "memory", "mem_fragmentation_ratio", "double")) > 0
    with pytest.raises(Exception, match="not found"):
        r.execute_command("info.get", "server", "no_such_field", "string")
    with pytest.raises(Exception, match="not found"):
        r.execute_command("info.get", "server", "redis_version", "signed")  # not a number
