"""Replication of module effects (propagate.tcl scenarios): what reaches srv.propagators,
grouped in MULTI/EXEC per execution unit. A test-only propagator records the stream."""

from __future__ import annotations

import time

import pytest

from moredis import module as rm


class Recorder:
    def __init__(self, target: str | None = None) -> None:
        self.cmds: list[list[bytes]] = []
        if target is not None:
            self.propagation_target = target

    def __call__(self, dbid, argvs):
        self.cmds.append([b"SELECT", b"%d" % dbid])
        for a in argvs:
            self.cmds.append([bytes(x) for x in a])

    def take(self):
        """The stream without SELECTs of db 0 (as a replica would apply it)."""
        out = [c for c in self.cmds if c != [b"SELECT", b"0"]]
        self.cmds = []
        return [b" ".join(c).decode() for c in out]


def attach(s, *recs):
    def add():
        for rec in recs:
            s.core.propagators.append(rec)

    s.in_loop(add)
    return recs[0]


@pytest.fixture
def s(modsrv):
    return modsrv("propagate")


def test_replicate_two_commands_multi_exec(s):
    rec = attach(s, Recorder())
    r = s.client()
    assert r.execute_command("propagate-test.simple") == b"OK"
    assert rec.take() == ["MULTI", "INCR counter-1", "INCR counter-2", "EXEC"]
    r.execute_command("propagate-test.single")
    assert rec.take() == ["INCR only"]


def test_mixed_call_and_replicate_keep_order(s):
    rec = attach(s, Recorder())
    s.client().execute_command("propagate-test.mixed")
    assert rec.take() == ["MULTI", "INCR using-call", "INCR counter-1", "INCR counter-2", "INCR after-call", "EXEC"]


def test_nested_module_calls(s):
    rec = attach(s, Recorder())
    s.client().execute_command("propagate-test.nested")
    # the '!' call replicates the inner command's effects, the plain one does not
    assert rec.take() == ["MULTI", "INCR counter-1", "INCR counter-2", "INCR after-nested", "EXEC"]


def test_call_without_bang_does_not_replicate(s):
    rec = attach(s, Recorder())
    r = s.client()
    r.execute_command("propagate-test.nobang")
    assert r.get("silent") == b"1"
    assert rec.take() == []


def test_replicate_verbatim(s):
    rec = attach(s, Recorder())
    s.client().execute_command("propagate-test.verbatim", "1", "a")
    assert rec.take() == ["propagate-test.verbatim 1 a"]


def test_a_and_r_modifiers(s):
    aof = Recorder("aof")
    repl = Recorder("replicas")
    attach(s, aof, repl)
    s.client().execute_command("propagate-test.targets")
    assert repl.take() == ["MULTI", "INCR replicas-only", "INCR call-replicas-only", "EXEC"]
    assert aof.take() == ["INCR aof-only"]


def test_bad_format(s):
    rec = attach(s, Recorder())
    assert s.client().execute_command("propagate-test.badformat") == rm.ERR
    assert rec.take() == []


def test_select_between_databases(s):
    rec = attach(s, Recorder())
    s.client().execute_command("propagate-test.select")
    assert rec.take() == ["MULTI", "SET k db0", "SELECT 1", "SET k db1", "EXEC"]


def _wait(rec, n, timeout=3.0):
    end = time.time() + timeout
    while time.time() < end and len([c for c in rec.cmds if c[0] != b"SELECT"]) < n:
        time.sleep(0.01)


def test_timer_each_fire_is_its_own_unit(s):
    rec = attach(s, Recorder())
    s.client().execute_command("propagate-test.timer")
    _wait(rec, 3)
    assert rec.take() == ["INCR timer", "INCR timer", "INCR timer"]


def test_timer_with_call_and_replicate(s):
    rec = attach(s, Recorder())
    s.client().execute_command("propagate-test.timer-mixed")
    _wait(rec, 4)
    assert rec.take() == ["MULTI", "INCR timer-call", "INCR timer-replicate", "EXEC"]


@pytest.mark.parametrize("detached", [False, True])
def test_thread_lock_section_is_one_unit(s, detached):
    rec = attach(s, Recorder())
    r = s.client()
    r.execute_command("propagate-test.thread", *(["detached"] if detached else []))
    _wait(rec, 15)
    assert rec.take() == ["MULTI", "INCR a-from-thread", "INCR thread-call", "INCR b-from-thread", "EXEC"] * 3
    assert r.get("thread-call") == b"3"
    assert r.get("a-from-thread") is None  # replicated only, never executed here


def test_notification_write_joins_the_command(modsrv):
    s = modsrv(("propagate", "notify"))
    rec = attach(s, Recorder())
    r = s.client()
    r.set("x", "y")
    assert rec.take() == ["MULTI", "INCR notifications", "SET x y", "EXEC"]
    r.get("x")  # a read: no notification, nothing replicated
    assert rec.take() == []


def test_multi_exec_of_module_commands(s):
    rec = attach(s, Recorder())
    r = s.client()
    p = r.pipeline(transaction=True)
    p.execute_command("propagate-test.single")
    p.set("plain", "1")
    p.execute()
    got = rec.take()
    assert got[0] == "MULTI" and got[-1] == "EXEC"
    assert got[1:-1] == ["INCR only", "SET plain 1"]
