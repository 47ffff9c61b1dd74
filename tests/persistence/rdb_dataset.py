"""A dataset with every value type and every encoding Redis 7.4 writes to RDB files,
built by plain commands (so both moredis and the reference can build it), with key
TTLs and hash-field TTLs far in the future and fixed stream IDs, so nothing depends on
when it runs. Used by the RDB round trips and the DUMP/RESTORE differential tests."""

from __future__ import annotations

FAR_MS = 4102444800000  # 2100-01-01


def _flat(pairs):
    return [x for p in pairs for x in p]


def commands() -> list[tuple]:
    cmds: list[tuple] = []
    add = cmds.append
    # strings: int-encoded (8/16/32 bit and longer), embstr, raw, LZF-compressible, binary
    add(("SET", "str:small", "hello"))
    for k, v in (("i8", "-7"), ("i16", "1234"), ("i32", "-123456789"), ("i64", "1234567890123"),
                 ("imin", "-9223372036854775808"), ("notint", "007"), ("plus", "+5"), ("empty", "")):
        add(("SET", f"str:{k}", v))
    add(("SET", "str:emb44", "e" * 44))
    add(("SET", "str:raw45", "r" * 45))
    add(("SET", "str:lzf", "abcabcabc" * 40))
    add(("SET", "str:rand", bytes((i * 7919 + 13) % 251 for i in range(300))))
    add(("SET", "str:bin", b"\x00\xff\r\n\x01" * 5))
    add(("INCR", "str:ctr"))
    add(("APPEND", "str:app", "xyz"))
    add(("SETRANGE", "str:range", "3", "abc"))
    add(("SET", "str:ttl", "v", "PXAT", str(FAR_MS)))
    # lists: listpack, quicklist of several nodes, count-limited nodes, big elements
    add(("RPUSH", "list:lp", "a", "1", "-5", "bbb", "12345678901", "c" * 70))
    add(("RPUSH", "list:ql", *[f"elem-{i}" for i in range(2000)]))
    add(("RPUSH", "list:big", "x" * 9000, "small", "y" * 20000, "z"))
    add(("LPUSH", "list:ints", *[str(i * 37 - 500) for i in range(300)]))
    add(("RPUSH", "list:ttl", "a", "b"))
    add(("PEXPIREAT", "list:ttl", str(FAR_MS)))
    # sets: intset (16/32/64-bit), listpack, hashtable (too many / too long / mixed)
    add(("SADD", "set:i16", "1", "2", "3", "-100"))
    add(("SADD", "set:i32", "70000", "-70000", "5"))
    add(("SADD", "set:i64", "9223372036854775807", "-9223372036854775808", "0"))
    add(("SADD", "set:lp", "a", "b", "c", "10"))
    add(("SADD", "set:ht", *[f"member-{i}" for i in range(200)]))
    add(("SADD", "set:bigint", *[str(i) for i in range(600)]))
    add(("SADD", "set:long", "short", "l" * 100))
    # sorted sets: listpack (integer, fractional, infinite, negative zero scores), skiplist
    add(("ZADD", "zset:lp", "1", "one", "2.5", "two", "-0", "zero", "inf", "top", "-inf", "bottom",
         "1e20", "huge", "0.1", "tenth", "-3", "neg"))
    add(("ZADD", "zset:sl", *_flat((str(i * 1.25), f"m{i}") for i in range(300))))
    add(("ZADD", "zset:long", "1", "k" * 100, "2", "b"))
    add(("ZADD", "zset:negzero", "-0", "a", "1", "k" * 100))
    # hashes: listpack, hashtable (many / long), listpack-ex and hashtable with field TTLs
    add(("HSET", "hash:lp", "f1", "v1", "f2", "2", "num", "-12"))
    add(("HSET", "hash:ht", *_flat((f"field-{i}", f"value-{i}") for i in range(600))))
    add(("HSET", "hash:long", "f", "v" * 100))
    add(("HSET", "hash:lpex", "a", "1", "b", "2", "c", "3", "d", "4"))
    add(("HPEXPIREAT", "hash:lpex", str(FAR_MS + 5000), "FIELDS", "2", "c", "a"))
    add(("HPEXPIREAT", "hash:lpex", str(FAR_MS), "FIELDS", "1", "d"))
    add(("HSET", "hash:lpex-persisted", "a", "1", "b", "2"))
    add(("HPEXPIREAT", "hash:lpex-persisted", str(FAR_MS), "FIELDS", "1", "a"))
    add(("HPERSIST", "hash:lpex-persisted", "FIELDS", "1", "a"))
    add(("HSET", "hash:meta", *_flat((f"f{i}", f"v{i}") for i in range(600))))
    add(("HPEXPIREAT", "hash:meta", str(FAR_MS), "FIELDS", "3", "f1", "f7", "f500"))
    add(("HPEXPIREAT", "hash:meta", str(FAR_MS + 123456), "FIELDS", "1", "f2"))
    add(("HSET", "hash:ttl", "f", "v"))
    add(("PEXPIREAT", "hash:ttl", str(FAR_MS)))
    # streams: one node, several nodes, tombstones, consumer groups with pending entries
    add(("XADD", "stream:small", "1-1", "a", "1", "b", "x"))
    add(("XADD", "stream:small", "1-2", "a", "2", "b", "y"))
    add(("XADD", "stream:small", "2-0", "c", "3"))
    for i in range(1, 251):
        add(("XADD", "stream:nodes", f"{1000 + i}-{i % 3}", "field", f"v{i}", "n", str(i)))
    add(("XDEL", "stream:nodes", "1005-2", "1100-1", "1200-2"))
    add(("XTRIM", "stream:nodes", "MINID", "1020"))
    add(("XADD", "stream:groups", "5-1", "k", "v"))
    add(("XADD", "stream:groups", "5-2", "k", "w"))
    add(("XGROUP", "CREATE", "stream:groups", "g1", "0"))
    add(("XGROUP", "CREATE", "stream:groups", "g2", "$", "ENTRIESREAD", "2"))
    add(("XGROUP", "CREATECONSUMER", "stream:groups", "g2", "idle"))
    add(("XSETID", "stream:groups", "9-9", "ENTRIESADDED", "7", "MAXDELETEDID", "3-3"))
    add(("XADD", "stream:empty", "1-1", "f", "v"))
    add(("XDEL", "stream:empty", "1-1"))
    # other databases
    add(("SELECT", "1"))
    add(("SET", "db1:key", "one"))
    add(("SADD", "db1:set", "x"))
    add(("SELECT", "9"))
    add(("HSET", "db9:hash", "f", "v"))
    add(("SELECT", "0"))
    return cmds


def group_reads() -> list[tuple]:
    """Commands that create pending entries (their delivery times are 'now')."""
    return [("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "1", "STREAMS", "stream:groups", ">"),
            ("XREADGROUP", "GROUP", "g1", "bob", "STREAMS", "stream:groups", ">")]
