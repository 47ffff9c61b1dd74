"""Differential: MULTI/EXEC/WATCH and Pub/Sub replies as Redis 7.4 gives them."""


def test_transaction_flow(d, d3):
    for x in (d, d3):
        x.check("MULTI")
        x.check("MULTI")
        x.check("WATCH", "x")
        x.check("SET", "a")
        x.check("EXEC")
        x.check("EXEC")
        x.check("DISCARD")
        x.check("MULTI")
        x.check("SET", "a", "1")
        x.check("INCR", "a")
        x.check("GET", "a")
        x.check("EXEC")
        x.check("MULTI")
        x.check("FOO")
        x.check("EXEC")
        x.check("MULTI")
        x.check("SELECT", "1")
        x.check("SET", "b", "2")
        x.check("EXEC")
        x.check("GET", "b")
        x.check("SELECT", "0")
        x.check("UNWATCH")
        x.check("MULTI")
        x.check("PING")
        x.check("DISCARD")


def test_watch_breaks_on_change(d):
    d.check("SET", "w", "1")
    d.check("WATCH", "w")
    d.check("SET", "w", "2")
    d.check("MULTI")
    d.check("INCR", "w")
    d.check("EXEC")
    d.check("GET", "w")


def test_subscribe_context(d, d3):
    for x in (d, d3):
        x.check("SUBSCRIBE", "a", "b")
        x.check("PSUBSCRIBE", "p*")
        x.check("PING")
        x.check("PING", "hi")
        x.check("GET", "x")
        x.check("MULTI")
        x.check("EXEC")
        x.check("FOO")
        x.check("UNSUBSCRIBE", "a")
        x.check("PUNSUBSCRIBE")
        x.check("UNSUBSCRIBE")
        x.check("UNSUBSCRIBE")
        x.check("SSUBSCRIBE", "s1")
        x.check("SUNSUBSCRIBE")
        x.check("PUBSUB", "NUMSUB", "a", "zz")
        x.check("PUBSUB", "NUMPAT")
        x.check("PUBSUB", "CHANNELS", "nomatch*")
        x.check("PUBSUB", "SHARDNUMSUB", "s1")
        x.check("PUBLISH", "nobody", "m")
        x.check("RESET")
