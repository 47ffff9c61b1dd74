"""examples/modules/hellocluster.py behaves as Redis's modules/hellocluster.c.

Without cluster mode (the case a real Redis can be compared with): PINGALL replies OK,
LIST replies `-Cluster not enabled`, no receiver is registered. With cluster-enabled the
receivers are registered; moredis has no cluster bus, so the test hands them a message
the way the bus would and checks what they do.
"""

from __future__ import annotations

import pytest
from respclient import RawBytesClient

from moredis import module as rm


@pytest.fixture(scope="module")
def plain(modserver):
    return modserver("examples/hellocluster")


@pytest.fixture(scope="module")
def clustered(modserver, tmp_path_factory):
    log = tmp_path_factory.mktemp("hellocluster") / "moredis.log"
    s = modserver("examples/hellocluster", **{"cluster-enabled": "yes", "logfile": str(log), "loglevel": "notice",
                                              "quiet": False})
    s.log = log
    return s


def test_pingall_replies_ok_without_a_cluster(plain):
    raw = RawBytesClient(port=plain.port)
    assert raw.call("HELLOCLUSTER.PINGALL") == b"+OK\r\n"
    assert raw.call("hellocluster.pingall", "extra", "args") == b"+OK\r\n"  # argv ignored, as in C
    raw.close()
    r = plain.client()
    assert r.get("pings_received") is None  # nothing was delivered to this node


def test_list_is_an_error_without_a_cluster(plain):
    raw = RawBytesClient(port=plain.port)
    assert raw.call("HELLOCLUSTER.LIST") == b"-Cluster not enabled\r\n"
    raw3 = RawBytesClient(port=plain.port)
    raw3.call("HELLO", "3")
    assert raw3.call("HELLOCLUSTER.LIST") == b"-Cluster not enabled\r\n"
    raw.close()
    raw3.close()


def test_commands_are_registered_as_in_c(plain):
    r = plain.client()
    info = r.execute_command("COMMAND", "INFO", "hellocluster.pingall", "hellocluster.list")
    for name in ("hellocluster.pingall", "hellocluster.list"):
        c = info[name]
        assert c["arity"] == -1
        assert sorted(c["flags"]) == ["module", "readonly"]
        assert (c["first_key_pos"], c["last_key_pos"], c["step_count"]) == (0, 0, 0)
    mods = r.execute_command("MODULE", "LIST")
    assert [dict(zip(m[::2], m[1::2], strict=True))[b"name"] for m in mods] == [b"hellocluster"]


def test_receivers_only_in_cluster_mode(plain, clustered):
    def receivers(s):
        m = s.server.call_in_loop(lambda: s.core.modules.get("hellocluster"))
        return dict(getattr(m, "cluster_receivers", None) or {})

    assert receivers(plain) == {}
    got = receivers(clustered)
    assert sorted(got) == [1, 2]
    # redirection is off for the module's sake, in both modes (SetClusterFlags is not mode-dependent)
    for s in (plain, clustered):
        assert s.server.call_in_loop(lambda s=s: s.core.cluster_module_flags) & rm.CLUSTER_FLAG_NO_REDIRECTION


def _deliver(s, msg_type: int, sender: str, payload: bytes) -> None:
    """What the cluster bus does with a module message: the receiver runs on the loop."""

    def run():
        core = s.core
        m = core.modules.get("hellocluster")
        c = core.modules.fake_client(2)
        ctx = rm.Ctx(core, m, c)
        try:
            m.cluster_receivers[msg_type](ctx, sender, msg_type, payload)
        finally:
            ctx._finish()
            core.modules.release_fake_client(c)

    s.server.call_in_loop(run)


def test_ping_received_counts_and_logs(clustered):
    r = clustered.client()
    r.delete("pings_received")
    sender = "a" * 40
    _deliver(clustered, 1, sender, b"Hey")
    _deliver(clustered, 1, sender, b"Hey")
    assert r.get("pings_received") == b"2"
    _deliver(clustered, 2, sender, b"Ohi!")
    assert r.get("pings_received") == b"2"  # a PONG is only logged
    text = clustered.log.read_text()
    assert f"<hellocluster> PING (type 1) RECEIVED from {sender}: 'Hey'" in text
    assert f"<hellocluster> PONG (type 2) RECEIVED from {sender}: 'Ohi!'" in text
