"""Pub/Sub commands (pubsub.c): SUBSCRIBE and friends, PUBLISH, SPUBLISH, PUBSUB.
The registry and delivery live in server/pubsub.py. Subscription replies are pushes
(RESP3) or arrays (RESP2); under RESP2 a subscribed client enters subscribed mode,
which the dispatcher enforces.
"""

from __future__ import annotations

from typing import Any

from moredis.commands.registry import command
from moredis.errors import RedisError
from moredis.util.glob import compile_glob


def _confirm(c: Any, kind: bytes, name: bytes | None, count: int) -> None:
    w = c.w
    w.push(3)
    w.bulk(kind)
    if name is None:
        w.null()
    else:
        w.bulk(name)
    w.integer(count)


def _count(c: Any) -> int:
    return len(c.channels) + len(c.patterns)


@command("subscribe")
def subscribe_command(c: Any, argv: list[bytes]) -> None:
    """SUBSCRIBE channel [channel ...]"""
    if c.deny_blocking and c.multi is None and c.in_script:
        raise RedisError("ERR SUBSCRIBE isn't allowed for a DENY BLOCKING client")
    ps = c.srv.pubsub
    for ch in argv[1:]:
        ps.subscribe(c, ch)
        _confirm(c, b"subscribe", ch, _count(c))
    c.refresh_guard()


@command("unsubscribe")
def unsubscribe_command(c: Any, argv: list[bytes]) -> None:
    """UNSUBSCRIBE [channel ...]: all channels when none is named."""
    ps = c.srv.pubsub
    chans = argv[1:] or list(c.channels)
    if not chans:
        _confirm(c, b"unsubscribe", None, _count(c))
    for ch in chans:
        ps.unsubscribe(c, ch)
        _confirm(c, b"unsubscribe", ch, _count(c))
    c.refresh_guard()


@command("psubscribe")
def psubscribe_command(c: Any, argv: list[bytes]) -> None:
    """PSUBSCRIBE pattern [pattern ...]"""
    ps = c.srv.pubsub
    for p in argv[1:]:
        ps.psubscribe(c, p)
        _confirm(c, b"psubscribe", p, _count(c))
    c.refresh_guard()


@command("punsubscribe")
def punsubscribe_command(c: Any, argv: list[bytes]) -> None:
    """PUNSUBSCRIBE [pattern ...]"""
    ps = c.srv.pubsub
    pats = argv[1:] or list(c.patterns)
    if not pats:
        _confirm(c, b"punsubscribe", None, _count(c))
    for p in pats:
        ps.punsubscribe(c, p)
        _confirm(c, b"punsubscribe", p, _count(c))
    c.refresh_guard()


@command("ssubscribe")
def ssubscribe_command(c: Any, argv: list[bytes]) -> None:
    """SSUBSCRIBE shardchannel [shardchannel ...]"""
    srv = c.srv
    if srv.config["cluster-enabled"]:
        check = getattr(srv, "cluster_check_channels", None)
        if check is not None:
            check(c, argv[1:])
    ps = srv.pubsub
    for ch in argv[1:]:
        ps.subscribe(c, ch, shard=True)
        _confirm(c, b"ssubscribe", ch, len(c.shard_channels))
    c.refresh_guard()


@command("sunsubscribe")
def sunsubscribe_command(c: Any, argv: list[bytes]) -> None:
    """SUNSUBSCRIBE [shardchannel ...]"""
    ps = c.srv.pubsub
    chans = argv[1:] or list(c.shard_channels)
    if not chans:
        _confirm(c, b"sunsubscribe", None, len(c.shard_channels))
    for ch in chans:
        ps.unsubscribe(c, ch, shard=True)
        _confirm(c, b"sunsubscribe", ch, len(c.shard_channels))
    c.refresh_guard()


@command("publish")
def publish_command(c: Any, argv: list[bytes]) -> None:
    """PUBLISH channel message: the number of clients that received it."""
    srv = c.srv
    n = srv.pubsub.publish(argv[1], argv[2])
    hook = getattr(srv, "cluster_publish", None)
    if hook is not None:
        hook(argv[1], argv[2])
    srv.dirty += 0
    c.w.integer(n)


@command("spublish")
def spublish_command(c: Any, argv: list[bytes]) -> None:
    """SPUBLISH shardchannel message"""
    c.w.integer(c.srv.pubsub.publish(argv[1], argv[2], shard=True))


def _channels(c: Any, table: dict, argv: list[bytes]) -> None:
    pat = argv[2] if len(argv) > 2 else None
    match = compile_glob(pat) if pat is not None else None
    names = [ch for ch, subs in table.items() if subs and (match is None or match(ch))]
    c.w.array(len(names))
    for ch in names:
        c.w.bulk(ch)


@command("pubsub|channels")
def pubsub_channels_command(c: Any, argv: list[bytes]) -> None:
    """PUBSUB CHANNELS [pattern]"""
    _channels(c, c.srv.pubsub.channels, argv)


@command("pubsub|shardchannels")
def pubsub_shardchannels_command(c: Any, argv: list[bytes]) -> None:
    """PUBSUB SHARDCHANNELS [pattern]"""
    _channels(c, c.srv.pubsub.shard_channels, argv)


def _numsub(c: Any, table: dict, argv: list[bytes]) -> None:
    w = c.w
    w.array(2 * (len(argv) - 2))
    for ch in argv[2:]:
        w.bulk(ch)
        w.integer(len(table.get(ch, ())))


@command("pubsub|numsub")
def pubsub_numsub_command(c: Any, argv: list[bytes]) -> None:
    """PUBSUB NUMSUB [channel ...]"""
    _numsub(c, c.srv.pubsub.channels, argv)


@command("pubsub|shardnumsub")
def pubsub_shardnumsub_command(c: Any, argv: list[bytes]) -> None:
    """PUBSUB SHARDNUMSUB [shardchannel ...]"""
    _numsub(c, c.srv.pubsub.shard_channels, argv)


@command("pubsub|numpat")
def pubsub_numpat_command(c: Any, argv: list[bytes]) -> None:
    """PUBSUB NUMPAT"""
    c.w.integer(c.srv.pubsub.numpat())


@command("pubsub|help")
def pubsub_help_command(c: Any, argv: list[bytes]) -> None:
    """PUBSUB HELP"""
    c.w.help([
        "PUBSUB <subcommand> [<arg> ...]. Subcommands:",
        "CHANNELS [<pattern>]",
        "    Active channels (with at least one subscriber), optionally filtered by a glob.",
        "NUMPAT",
        "    How many pattern subscriptions exist.",
        "NUMSUB [<channel> ...]",
        "    Subscriber count of each channel, pattern subscribers not included.",
        "SHARDCHANNELS [<pattern>]",
        "    Active shard channels, optionally filtered by a glob.",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Subscriber count of each shard channel.",
        "HELP",
        "    This text.",
    ])
