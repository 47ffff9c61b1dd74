"""Test module for the cluster helpers (after the ClusterKeySlot /
ClusterCanonicalKeyNameInSlot parts of Redis's tests/modules/misc.c)."""

from __future__ import annotations

from moredis import module as rm

received: list = []


def cluster_keyslot(ctx: rm.Ctx, argv: list[bytes]) -> int:
    return ctx.reply_with_long_long(rm.cluster_key_slot(argv[1]))


def cluster_canonical(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CLUSTER.CANONICAL slot: the canonical key name, and its slot as the module sees it."""
    name = rm.cluster_canonical_key_name_in_slot(int(argv[1]))
    if name is None:
        return ctx.reply_with_null()
    ctx.reply_with_array(2)
    ctx.reply_with_cstring(name)
    return ctx.reply_with_long_long(rm.cluster_key_slot(name))


def cluster_alltable(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CLUSTER.ALLTABLE: every slot's canonical name, one string joined by newlines."""
    names = [rm.cluster_canonical_key_name_in_slot(i) for i in range(16384)]
    return ctx.reply_with_string("\n".join(names))


def cluster_info(ctx: rm.Ctx, argv: list[bytes]) -> int:
    """CLUSTER.INFO: size, my id, node list, info of a node, send and register results."""
    out = [ctx.get_cluster_size(), ctx.get_my_cluster_id(), ctx.get_cluster_nodes_list(),
           ctx.get_cluster_node_info("0" * 40), ctx.send_cluster_message(None, 1, b"hi"),
           ctx.register_cluster_message_receiver(1, lambda *a: received.append(a))]
    ctx.set_cluster_flags(rm.CLUSTER_FLAG_NO_FAILOVER)
    ctx.reply_with_array(len(out))
    for x in out:
        if x is None:
            ctx.reply_with_null()
        else:
            ctx.reply_with_long_long(x)
    return rm.OK


def on_load(ctx: rm.Ctx, args: list[bytes]) -> int:
    if ctx.init("cluster", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    for name, fn in (("cluster.keyslot", cluster_keyslot), ("cluster.canonical", cluster_canonical),
                     ("cluster.alltable", cluster_alltable), ("cluster.info", cluster_info)):
        if ctx.create_command(name, fn, "", 0, 0, 0) == rm.ERR:
            return rm.ERR
    return rm.OK
