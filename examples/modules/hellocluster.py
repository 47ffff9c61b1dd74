"""hellocluster: the cluster message API, in Python (after Redis's modules/hellocluster.c).

Nodes of a cluster ping each other through module messages carried by the cluster bus:

HELLOCLUSTER.PINGALL   send a PING message ("Hey") to every node; replies OK
HELLOCLUSTER.LIST      the cluster's nodes, as [node id, port] pairs

A node receiving a PING logs it, answers every node with a PONG ("Ohi!") and
increments the key `pings_received`; a PONG is only logged. On load the module turns off
cluster redirection (CLUSTER_FLAG_NO_REDIRECTION) so that every node may write that key
whatever its slot.

Without cluster mode, as in the C module: PINGALL still replies OK (sending fails, and
the C code ignores that), LIST replies the error "Cluster not enabled" (no error code,
as the C module words it), and the message receivers are not registered (Redis ignores
the call when cluster mode is off).

moredis has no cluster bus yet (moredis/module/cluster.py): with `cluster-enabled yes`
the receivers are registered, ready for the bus, but no message reaches another node and
the node calls still answer as without a cluster, so LIST replies the same error.
"""

from __future__ import annotations

from moredis import module as rm

MSGTYPE_PING = 1
MSGTYPE_PONG = 2


def pingall(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLOCLUSTER.PINGALL (arguments are ignored, as in C)."""
    ctx.send_cluster_message(None, MSGTYPE_PING, b"Hey")
    return ctx.reply_with_simple_string("OK")


def list_nodes(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """HELLOCLUSTER.LIST: [node id, port] for every node."""
    ids = ctx.get_cluster_nodes_list()
    if ids is None:
        return ctx.reply_with_error("Cluster not enabled")
    ctx.reply_with_array(len(ids))
    for node_id in ids:
        info = ctx.get_cluster_node_info(node_id)
        port = info[2] if info is not None else 0
        ctx.reply_with_array(2)
        ctx.reply_with_string_buffer(node_id.encode() if isinstance(node_id, str) else node_id,
                                     rm.NODE_ID_LEN)
        ctx.reply_with_long_long(port)
    return rm.OK


def _text(b: bytes | str) -> str:
    return b if isinstance(b, str) else b.decode("utf-8", "replace")


def ping_receiver(ctx: rm.Ctx, sender_id: bytes | str, msg_type: int, payload: bytes) -> None:
    """A PING from another node: log it, PONG every node, count it in `pings_received`."""
    ctx.log("notice", "PING (type %d) RECEIVED from %s: '%s'", msg_type, _text(sender_id)[:rm.NODE_ID_LEN],
            _text(payload))
    ctx.send_cluster_message(None, MSGTYPE_PONG, b"Ohi!")
    ctx.call("INCR", "c", "pings_received")


def pong_receiver(ctx: rm.Ctx, sender_id: bytes | str, msg_type: int, payload: bytes) -> None:
    """A PONG: only logged."""
    ctx.log("notice", "PONG (type %d) RECEIVED from %s: '%s'", msg_type, _text(sender_id)[:rm.NODE_ID_LEN],
            _text(payload))


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    if ctx.init("hellocluster", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    if ctx.create_command("hellocluster.pingall", pingall, "readonly", 0, 0, 0) == rm.ERR:
        return rm.ERR
    if ctx.create_command("hellocluster.list", list_nodes, "readonly", 0, 0, 0) == rm.ERR:
        return rm.ERR
    # Every node may then touch every key (here: `pings_received`), whatever its slot.
    ctx.set_cluster_flags(rm.CLUSTER_FLAG_NO_REDIRECTION)
    # The C module does not check these: without cluster mode they do nothing.
    ctx.register_cluster_message_receiver(MSGTYPE_PING, ping_receiver)
    ctx.register_cluster_message_receiver(MSGTYPE_PONG, pong_receiver)
    return rm.OK
