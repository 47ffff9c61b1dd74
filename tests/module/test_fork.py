"""Fork API (fork.c scenarios): the child exits with a code the done handler receives;
a killed child calls no done handler; one child at a time."""

from __future__ import annotations

import os
import time

import pytest
import redis


@pytest.fixture(scope="module")
def srv(modserver, tmp_path_factory):
    log = tmp_path_factory.mktemp("fork") / "moredis.log"
    s = modserver("fork", logfile=str(log), loglevel="verbose")
    s.core.log.quiet = False
    s.logpath = log
    return s


def count_log(srv, text: str) -> int:
    return srv.logpath.read_text().count(text)


def wait_for(pred, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < end, "condition not reached"
        time.sleep(0.02)


def test_fork_and_done_handler(srv):
    r = srv.client()
    pid = r.execute_command("fork.create", 3, 100000)
    assert pid > 0 and pid != os.getpid()
    assert r.execute_command("fork.flags") == 1
    wait_for(lambda: r.execute_command("fork.exitcode")[0] != -1)
    assert r.execute_command("fork.exitcode") == [3, 0, b"deadbeef"]
    assert r.execute_command("fork.flags") == 0
    assert count_log(srv, f"Module fork exited pid: {pid}, retcode: 3, bysignal: 0") == 1
    assert count_log(srv, "fork child started") == 1 and count_log(srv, "fork child exiting") == 1


def test_fork_kill(srv):
    r = srv.client()
    r.execute_command("fork.create", 3, 5_000_000)
    time.sleep(0.25)
    assert r.execute_command("fork.kill") == 1
    assert r.execute_command("fork.exitcode")[0] == -1  # no done handler for a killed child
    assert count_log(srv, "fork child started") == 2
    wait_for(lambda: count_log(srv, "Received SIGUSR1 in child") == 1)
    assert count_log(srv, "fork child exiting") == 1
    with pytest.raises(redis.ResponseError, match="KillForkChild failed"):
        r.execute_command("fork.kill")


def test_fork_twice(srv):
    r = srv.client()
    r.execute_command("fork.create", 0, 300000)
    with pytest.raises(redis.ResponseError, match="Fork failed"):
        r.execute_command("fork.create", 0, 0)
    assert count_log(srv, "Can't fork for module: File exists") == 1
    wait_for(lambda: r.execute_command("fork.exitcode")[0] == 0)


def test_exit_from_child_in_parent(srv):
    r = srv.client()
    assert r.execute_command("fork.exit_in_parent") == 1
    assert r.ping()
