"""Geo commands in-process (tests/harness.py) and through redis-py: GEOADD replicated as
ZADD, dirty counts and keyspace events of the store forms, encodings of stored results,
reply types (RESP2 strings, RESP3 doubles, captured replies), hit/miss statistics and the
sorted-set commands on a geo set. Byte-exact replies against Redis are in
tests/differential/test_diff_geo.py."""

from __future__ import annotations

import pytest
from harness import Err, Harness
from respclient import RawBytesClient

from moredis.engine import notify as N
from moredis.engine.types.zset import ZSet

PALERMO = ("13.361389", "38.115556", "Palermo")
CATANIA = ("15.087269", "37.502669", "Catania")


@pytest.fixture
def h():
    """A harness recording propagated commands and keyspace events."""
    x = Harness()
    srv = x.srv
    x.props = []
    x.events = []
    srv.propagators.append(lambda dbid, argvs: x.props.extend(
        [[a.decode("latin-1") for a in argv] for argv in argvs]))
    srv.keyspace_listeners.append(lambda cls, ev, key, dbid: x.events.append((ev, key)))
    srv.module_notify_mask = N.ALL
    srv._recompute_notify_mask()
    return x


def dirty(h, *args):
    before = h.srv.dirty
    reply = h(*args)
    return reply, h.srv.dirty - before


def take(lst):
    out = list(lst)
    lst.clear()
    return out


def test_geoadd_is_zadd(h):
    assert dirty(h, "geoadd", "Sicily", *PALERMO, *CATANIA) == (2, 2)
    assert take(h.props) == [["zadd", "Sicily", "3479099956230698", "Palermo", "3479447370796909", "Catania"]]
    assert take(h.events) == [("zadd", b"Sicily")]
    assert h("zscore", "Sicily", "Palermo") == 3479099956230698.0
    assert h("type", "Sicily") == b"zset"
    # options are kept in the replicated ZADD; nothing changed: nothing replicated
    assert dirty(h, "geoadd", "Sicily", "xx", "CH", *PALERMO) == (0, 0)
    assert dirty(h, "geoadd", "Sicily", "CH", "NX", "1", "2", "Palermo", "3", "4", "New") == (1, 1)
    assert take(h.props) == [["zadd", "Sicily", "CH", "NX", "3378080408407459", "Palermo",
                              "3379626039612548", "New"]]
    assert h("geoadd", "Sicily", "xx", "ch", "1", "2", "Palermo") == 1
    assert h("geoadd", "Sicily", "nx", "xx", *PALERMO) == Err("ERR syntax error")
    assert h("geoadd", "Sicily", "gt", *PALERMO) == Err("ERR syntax error")
    assert h("geoadd", "Sicily", "1", "2") == Err("ERR wrong number of arguments for 'geoadd' command")
    assert h("geoadd", "Sicily", "1", "2", "a", "3") == Err("ERR syntax error")
    # every pair is checked before anything is written
    assert dirty(h, "geoadd", "g", "1", "1", "a", "181", "1", "b") == (
        Err("ERR invalid longitude,latitude pair 181.000000,1.000000"), 0)
    assert h("geoadd", "g", "1", "x", "a") == Err("ERR value is not a valid float")
    assert h("geoadd", "g", "1", "nan", "a") == Err("ERR value is not a valid float")
    assert h("geoadd", "g", "inf", "1", "a") == Err("ERR invalid longitude,latitude pair inf,1.000000")
    assert h("exists", "g") == 0
    h("set", "str", "x")
    assert h("geoadd", "str", *PALERMO) == Err("WRONGTYPE Operation against a key holding the wrong kind of value")


def test_geo_set_is_a_sorted_set(h):
    h("geoadd", "g", *PALERMO, *CATANIA)
    assert isinstance(h.srv.dbs[0].data[b"g"], ZSet)
    assert h("zrange", "g", "0", "-1") == [b"Palermo", b"Catania"]
    assert h("zrem", "g", "Palermo") == 1
    assert h("geopos", "g", "Palermo", "Catania") == [None, [b"15.08726745843887329", b"37.50266842333162032"]]
    # any sorted set decodes, whatever its scores
    h("zadd", "z", "0", "a", "-1", "b")
    assert h("geopos", "z", "a", "b") == [[b"-179.99999731779098511", b"-85.05112751263942528"],
                                          [b"180", b"85.0511287799999991"]]
    assert h("geohash", "z", "a", "nope") == [b"00bh0hbj200", None]


def test_reply_types_resp2_resp3_and_captured():
    h2 = Harness(resp=2)
    h2("geoadd", "g", *PALERMO)
    pos = h2.raw("geopos", "g", "Palermo", "x")
    assert [n.kind for n in pos.value[0].value] == ["bulk", "bulk"]
    assert pos.value[1].kind == "null_array"
    h3 = Harness(resp=3)
    h3("geoadd", "g", *PALERMO)
    pos = h3.raw("geopos", "g", "Palermo")
    assert [n.kind for n in pos.value[0].value] == ["double", "double"]
    assert pos.value[0].value[0].value == 13.361389338970184
    dist = h3.raw("geosearch", "g", "fromlonlat", "13", "38", "byradius", "100", "km", "withdist", "withhash")
    assert [n.kind for n in dist.value[0].value] == ["bulk", "bulk", "integer"]
    assert h3.raw("geodist", "g", "Palermo", "Palermo").kind == "bulk"
    assert h3.raw("geodist", "g", "Palermo", "nope").kind == "null"


def test_resp3_coordinates_are_doubles_in_human_form(r3, srv):
    r3.execute_command("GEOADD", "g", *PALERMO)
    assert r3.execute_command("GEOPOS", "g", "Palermo") == [[13.361389338970184, 38.1155563954963]]
    raw = RawBytesClient(port=srv.port)
    try:
        raw.call("HELLO", "3")
        assert raw.call("GEOPOS", "g", "Palermo") == b"*1\r\n*2\r\n,13.36138933897018433\r\n,38.11555639549629859\r\n"
    finally:
        raw.close()


def test_store_forms_dirty_events_and_encodings(h):
    h("geoadd", "Sicily", *PALERMO, *CATANIA)
    take(h.events)
    take(h.props)
    assert dirty(h, "georadius", "Sicily", "15", "37", "200", "km", "store", "d1") == (2, 2)
    assert h("zrange", "d1", "0", "-1", "withscores") == [b"Palermo", b"3479099956230698",
                                                          b"Catania", b"3479447370796909"]
    assert dirty(h, "georadiusbymember", "Sicily", "Palermo", "200", "km", "storedist", "d2") == (2, 2)
    assert h("zrange", "d2", "0", "-1", "withscores") == [b"Palermo", b"0", b"Catania", b"166.27415156960032"]
    assert dirty(h, "geosearchstore", "d3", "Sicily", "frommember", "Catania", "bybox", "10", "10", "km") == (1, 1)
    assert take(h.events) == [("georadiusstore", b"d1"), ("georadiusstore", b"d2"), ("geosearchstore", b"d3")]
    assert take(h.props) == [
        ["georadius", "Sicily", "15", "37", "200", "km", "store", "d1"],
        ["georadiusbymember", "Sicily", "Palermo", "200", "km", "storedist", "d2"],
        ["geosearchstore", "d3", "Sicily", "frommember", "Catania", "bybox", "10", "10", "km"],
    ]
    # an empty result deletes the destination ('del', one change); a missing one stays missing
    assert dirty(h, "geosearchstore", "d3", "Sicily", "fromlonlat", "0", "0", "byradius", "1", "m") == (0, 1)
    assert dirty(h, "geosearchstore", "d3", "Sicily", "fromlonlat", "0", "0", "byradius", "1", "m") == (0, 0)
    assert dirty(h, "georadius", "nokey", "0", "0", "1", "m", "store", "d1") == (0, 1)
    assert take(h.events) == [("del", b"d3"), ("del", b"d1")]
    assert h("exists", "d1", "d3") == 0
    # the stored set is encoded as Redis encodes a fresh result
    h("config", "set", "zset-max-listpack-entries", "1")
    h("geosearchstore", "big", "Sicily", "fromlonlat", "15", "37", "byradius", "300", "km")
    assert h("object", "encoding", "big") == b"skiplist"
    h("geosearchstore", "small", "Sicily", "fromlonlat", "15", "37", "byradius", "300", "km", "count", "1")
    assert h("object", "encoding", "small") == b"listpack"
    # the destination is replaced whatever it held, and loses its TTL
    h("set", "s", "x", "ex", "100")
    h("geosearchstore", "s", "Sicily", "fromlonlat", "15", "37", "byradius", "300", "km")
    assert (h("type", "s"), h("ttl", "s")) == (b"zset", -1)


def test_search_errors_and_parsing(h):
    h("geoadd", "Sicily", *PALERMO, *CATANIA)
    assert h("geosearch", "Sicily", "frommember", "nope", "byradius", "1", "km") == Err(
        "ERR could not decode requested zset member")
    assert h("geosearch", "Sicily", "byradius", "1", "km", "asc", "withdist") == Err(
        "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch")
    assert h("GeoSearch", "Sicily", "fromlonlat", "1", "1", "desc", "withhash") == Err(
        "ERR exactly one of BYRADIUS and BYBOX can be specified for GeoSearch")
    assert h("geosearch", "Sicily", "fromlonlat", "1", "1", "byradius", "1", "km", "any") == Err(
        "ERR the ANY argument requires COUNT argument")
    assert h("geosearch", "Sicily", "fromlonlat", "1", "1", "byradius", "1", "km", "count", "0") == Err(
        "ERR COUNT must be > 0")
    assert h("geosearch", "Sicily", "fromlonlat", "1", "1", "byradius", "-1", "km") == Err(
        "ERR radius cannot be negative")
    assert h("geosearch", "Sicily", "fromlonlat", "1", "1", "bybox", "1", "-1", "km") == Err(
        "ERR height or width cannot be negative")
    assert h("geosearch", "Sicily", "fromlonlat", "1", "1", "bybox", "1", "1", "au") == Err(
        "ERR unsupported unit provided. please use M, KM, FT, MI")
    assert h("geosearch", "Sicily", "fromlonlat", "1", "1", "byradius", "1", "km", "storedist") == Err(
        "ERR syntax error")
    assert h("geosearchstore", "d", "Sicily", "fromlonlat", "1", "1", "byradius", "1", "km", "withcoord") == Err(
        "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
    assert h("georadius", "Sicily", "1", "1", "1", "km", "withhash", "store", "d") == Err(
        "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
    assert h("georadius_ro", "Sicily", "1", "1", "1", "km", "store", "d") == Err("ERR syntax error")
    assert h("georadius", "Sicily", "1", "1", "x", "km") == Err("ERR need numeric radius")
    # a missing key: the member, radius and unit of GEORADIUSBYMEMBER go unchecked
    assert h("georadiusbymember", "nokey", "m", "x", "y") == []
    assert h("geosearch", "nokey", "frommember", "m", "byradius", "1", "km") == []
    # option words are compared up to a NUL byte, as strcasecmp does
    assert h("geosearch", "Sicily", "fromlonlat", "15", "37", "byradius", "200", "km", "asc\x00x") == [
        b"Catania", b"Palermo"]


def test_hits_and_misses(h):
    srv = h.srv
    h("geoadd", "g", *PALERMO)
    hits, misses = srv.stat_keyspace_hits, srv.stat_keyspace_misses
    h("geopos", "g", "Palermo")
    h("geohash", "nokey", "a")
    h("geodist", "g", "Palermo", "Palermo")
    h("geosearch", "g", "fromlonlat", "1", "1", "byradius", "1", "km")
    h("geosearchstore", "d", "nokey", "fromlonlat", "1", "1", "byradius", "1", "km")
    assert (srv.stat_keyspace_hits - hits, srv.stat_keyspace_misses - misses) == (3, 2)


def test_count_any_stops_early_and_count_sorts(h):
    args = []
    for i in range(30):
        args += ["%.4f" % (10 + i * 0.001), "10", "m%02d" % i]
    h("geoadd", "g", *args)
    near = h("geosearch", "g", "fromlonlat", "10.02", "10", "byradius", "100", "km", "count", "3")
    assert near == [b"m20", b"m19", b"m21"] or near == [b"m20", b"m21", b"m19"]
    anyr = h("geosearch", "g", "fromlonlat", "10.02", "10", "byradius", "100", "km", "count", "3", "any")
    assert len(anyr) == 3
    assert h("geosearch", "g", "fromlonlat", "10.02", "10", "byradius", "100", "km", "count", "3", "desc") == [
        b"m00", b"m01", b"m02"]
