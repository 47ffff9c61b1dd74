"""RM_RdbSave / RM_RdbLoad (rdbloadsave.c scenarios) with the errno answers and the
empty-dataset-on-failure behaviour of Redis 7.4.1 (checked with a C module loaded into the
reference server)."""

from __future__ import annotations

import time

import pytest
import redis


@pytest.fixture(scope="module")
def srv(modserver, tmp_path_factory):
    d = tmp_path_factory.mktemp("rdbloadsave")
    s = modserver("rdbloadsave", "datatype", dir=str(d))
    s.dir = d
    return s


@pytest.fixture
def r(srv):
    c = srv.client()
    c.flushall()
    c.config_set("save", "")
    c.config_set("rdb-key-save-delay", 0)
    return c


def test_sanity(r, srv):
    assert r.execute_command("test.sanity", "sanity-new.rdb") == b"OK"
    assert (srv.dir / "sanity-new.rdb").exists()  # relative names are in `dir`


def test_save_and_load(r):
    with pytest.raises(redis.ResponseError, match="No such file or directory"):
        r.execute_command("test.rdbload", "sanity.rdb")
    r.set("x", 1)
    r.execute_command("datatype.set", "dt", 7, "seven")
    assert r.execute_command("test.rdbsave", "sanity.rdb") == b"OK"
    r.flushdb()
    r.set("y", 2)
    assert r.execute_command("test.rdbload", "sanity.rdb") == b"OK"
    assert r.get("x") == b"1" and r.exists("y") == 0  # the file replaces the dataset
    assert r.execute_command("datatype.get", "dt") == [7, b"seven"]


def test_failed_load_leaves_an_empty_dataset(r, srv):
    r.set("x", 1)
    with pytest.raises(redis.ResponseError, match="No such file or directory"):
        r.execute_command("test.rdbload", "missing.rdb")
    assert r.dbsize() == 0  # emptied before the file was looked for, as Redis does
    (srv.dir / "bad.rdb").write_bytes(b"garbage\n")
    r.set("z", 3)
    with pytest.raises(redis.ResponseError, match="Input/output error"):
        r.execute_command("test.rdbload", "bad.rdb")
    assert r.dbsize() == 0
    assert r.ping()


def test_save_errors(r):
    with pytest.raises(redis.ResponseError, match="No such file or directory"):
        r.execute_command("test.rdbsave", "/nonexistent-dir/x.rdb")


def test_load_kills_a_bgsave(r, srv):
    r.set("k", "v1")
    assert r.execute_command("test.rdbsave", "bgsave.rdb") == b"OK"
    r.set("k", "v2")
    r.config_set("rdb-key-save-delay", 500000)
    r.bgsave()
    assert r.info("persistence")["rdb_bgsave_in_progress"] == 1
    assert r.execute_command("test.rdbload", "bgsave.rdb") == b"OK"
    assert r.info("persistence")["rdb_bgsave_in_progress"] == 0
    assert r.get("k") == b"v1"


def test_save_from_a_module_fork(r, srv):
    r.set("k", "v1")
    assert r.execute_command("test.rdbsave_fork", "rdbfork.rdb") == b"OK"
    end = time.monotonic() + 10
    while srv.core.module_fork is not None:
        assert time.monotonic() < end
        time.sleep(0.05)
    r.set("k", "v2")
    assert r.execute_command("test.rdbload", "rdbfork.rdb") == b"OK"
    assert r.get("k") == b"v1"


def test_one_child_at_a_time(r):
    r.set("k", "v")
    r.config_set("rdb-key-save-delay", 500000)
    r.bgsave()
    with pytest.raises(redis.ResponseError, match="File exists"):
        r.execute_command("test.rdbsave_fork", "x.rdb")  # a BGSAVE child runs
    r.config_set("rdb-key-save-delay", 0)
    end = time.monotonic() + 10
    while r.info("persistence")["rdb_bgsave_in_progress"]:
        assert time.monotonic() < end
        time.sleep(0.05)
