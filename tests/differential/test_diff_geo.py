"""Differential: geo commands answer byte for byte as Redis 7.4 does (RESP2 and RESP3):
errors, units, coordinates at the limits, scores no GEOADD makes, every search option,
ties cut by COUNT (Redis's partial quicksort), the store forms, keyspace events and
COMMAND GETKEYS; plus hypothesis runs of random points, centres, radii and boxes, where
every reply, borderline points included, must be identical."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from string_helpers import keyevents

LAT_MAX = 85.05112878


def _run(x, script: str) -> None:
    """One command per line, arguments split on spaces."""
    for line in script.strip().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            x.check(*line.split(" "))


def both(d, d3, script: str) -> None:
    for x in (d, d3):
        x.check("FLUSHALL")
        _run(x, script)


BASICS = """
GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
GEOADD Sicily 12.758489 38.788135 edge1 17.241510 38.788135 edge2
GEODIST Sicily Palermo Catania
GEODIST Sicily Palermo Catania km
GEODIST Sicily Palermo Catania MI
GEODIST Sicily Palermo Catania Ft
GEODIST Sicily Palermo Palermo
GEODIST Sicily Palermo nothere
GEODIST nokey a b
GEODIST nokey a b parsec
GEODIST Sicily Palermo Catania km x
GEODIST Sicily Palermo Catania parsec
GEOHASH Sicily Palermo Catania nope edge1
GEOHASH nokey a b
GEOHASH Sicily
GEOPOS Sicily Palermo Catania nope edge2
GEOPOS nokey a b
GEOPOS Sicily
GEORADIUS Sicily 15 37 100 km
GEORADIUS Sicily 15 37 200 km WITHDIST
GEORADIUS Sicily 15 37 200 km WITHCOORD
GEORADIUS Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH
GEORADIUS Sicily 15 37 200 km WITHHASH WITHCOORD WITHDIST DESC
GEORADIUS Sicily 15 37 200 km COUNT 1
GEORADIUS Sicily 15 37 200 km COUNT 1 ANY
GEORADIUS Sicily 15 37 200 km COUNT 1 ANY DESC
GEORADIUS Sicily 15 37 200 km ANY
GEORADIUS Sicily 15 37 200 km COUNT 0
GEORADIUS Sicily 15 37 200 km COUNT -1
GEORADIUS Sicily 15 37 200 km COUNT x
GEORADIUS Sicily 15 37 200 km COUNT
GEORADIUS Sicily 15 37 -200 km
GEORADIUS Sicily 15 37 abc km
GEORADIUS Sicily 15 37 200 lightyears
GEORADIUS Sicily 200 37 200 km
GEORADIUS Sicily 15 91 200 km
GEORADIUS Sicily 15 37 200 km STORE
GEORADIUS Sicily 15 37 200 km FROMMEMBER Palermo
GEORADIUS Sicily 15 37 0 km
GEORADIUS Sicily 15 37 1e400 km
GEORADIUS Sicily 15 37 1e300 km COUNT 2
GEORADIUS_RO Sicily 15 37 200 km WITHDIST ASC
GEORADIUS_RO Sicily 15 37 200 km STORE dst
GEORADIUS_RO Sicily 15 37 200 km STOREDIST dst
GEORADIUSBYMEMBER Sicily Palermo 200 km WITHDIST
GEORADIUSBYMEMBER Sicily Palermo 200 km WITHDIST STORE dst
GEORADIUSBYMEMBER Sicily nope 200 km WITHDIST
GEORADIUSBYMEMBER Sicily nope abc km
GEORADIUSBYMEMBER Sicily Palermo abc km
GEORADIUSBYMEMBER nokey nope abc xyz
GEORADIUSBYMEMBER nokey nope abc xyz STORE d
GEORADIUSBYMEMBER_RO Sicily Palermo 200 km WITHDIST WITHHASH
GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC
GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHCOORD WITHDIST WITHHASH
GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 400 400 km ASC WITHCOORD WITHDIST
GEOSEARCH Sicily FROMMEMBER Palermo FROMMEMBER Catania BYRADIUS 10 km
GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 200 km BYBOX 400 400 km
GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 200 km BYRADIUS 10 km
GEOSEARCH Sicily FROMMEMBER Palermo FROMLONLAT 1 1 BYRADIUS 200 km
GEOSEARCH Sicily FROMLONLAT 1 1 FROMMEMBER Palermo BYRADIUS 200 km
GEOSEARCH Sicily BYRADIUS 200 km ASC WITHDIST
GEOSEARCH Sicily FROMLONLAT 15 37 ASC WITHDIST
geosearch Sicily FROMLONLAT 15 37 count 1 asc
GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 -1 km
GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX x 1 km
GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 x km
GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1 x
GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1
GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST
GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km STORE d
GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 2 ANY WITHDIST
GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ANY
GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 0 0 km
GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 0 m WITHDIST
GEOSEARCH nokey FROMMEMBER x BYRADIUS 200 km
GEOSEARCH nokey FROMMEMBER x BYRADIUS 200 km ANY
GEOSEARCH nokey FROMLONLAT 1 1 BYRADIUS -1 km
GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC COUNT 3
GEOSEARCH dst FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHCOORD WITHDIST WITHHASH
ZRANGE dst 0 -1 WITHSCORES
GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC COUNT 3 STOREDIST
ZRANGE dst 0 -1 WITHSCORES
GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km WITHDIST
GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 km STORE x
GEOSEARCHSTORE dst Sicily FROMLONLAT 0 0 BYBOX 1 1 km
EXISTS dst
GEOSEARCHSTORE dst nokey FROMLONLAT 15 37 BYBOX 400 400 km
GEORADIUS Sicily 15 37 200 km STORE dst
ZRANGE dst 0 -1 WITHSCORES
GEORADIUS Sicily 15 37 200 km STOREDIST dst STORE dst2
ZRANGE dst2 0 -1 WITHSCORES
GEORADIUS Sicily 15 37 200 km STORE dst2 STOREDIST dst
ZRANGE dst 0 -1 WITHSCORES
GEORADIUS Sicily 15 37 200 mi STOREDIST dst COUNT 2 DESC
ZRANGE dst 0 -1 WITHSCORES
GEORADIUS Sicily 15 37 1 km STORE dst
EXISTS dst
GEOADD Sicily XX CH 13.361389 38.115556 Palermo 1 1 New
GEOADD Sicily NX CH 13.5 38.1 Palermo 1 1 New
GEOADD Sicily CH 13.5 38.1 Palermo 1 1 New
GEOADD Sicily NX XX 13.361389 38.115556 Palermo
GEOADD Sicily GT 13.361389 38.115556 Palermo
GEOADD Sicily INCR 13.361389 38.115556 Palermo
GEOADD Sicily 13.361389 38.115556 a 1
GEOADD Sicily CH NX
GEOADD Sicily 181 0 x
GEOADD Sicily 1e400 0 x
GEOADD Sicily inf 0 x
GEOADD Sicily -inf 0 x
GEOADD Sicily 10 -90 x
GEOADD Sicily 10 85.05112879 x
GEOADD Sicily 10 nan x
GEOADD Sicily 0x10 0x1p3 hex
GEOADD Sicily 1e-300 -1e-300 tiny
GEOADD Sicily 180 85.05112878 ne -180 -85.05112878 sw 180 -85.05112878 se -180 85.05112878 nw
ZRANGE Sicily 0 -1 WITHSCORES
GEOPOS Sicily hex tiny ne sw se nw
GEOHASH Sicily hex tiny ne sw se nw
GEODIST Sicily ne sw
GEODIST Sicily ne se km
GEOSEARCH Sicily FROMMEMBER ne BYRADIUS 100 km WITHCOORD
GEOSEARCH Sicily FROMMEMBER sw BYBOX 100 100 km WITHCOORD
SET str x
GEOADD str 1 1 a
GEOPOS str a
GEOHASH str a
GEODIST str a b
GEODIST str a b km
GEOSEARCH str FROMLONLAT 1 1 BYRADIUS 1 km
GEOSEARCH str FROMLONLAT 1 1 BYRADIUS 1 badunit
GEOSEARCHSTORE d str FROMLONLAT 1 1 BYRADIUS 1 km
GEOSEARCHSTORE str Sicily FROMLONLAT 13 38 BYRADIUS 100 km
TYPE str
GEORADIUS str 1 1 1 km
GEORADIUS str 1 1 x km
GEORADIUSBYMEMBER str a 1 km
MULTI
GEOPOS Sicily Palermo nope
GEOSEARCH Sicily FROMLONLAT 13 38 BYRADIUS 100 km WITHCOORD WITHDIST
GEOADD Sicily 1 1 inmulti
EXEC
"""


def test_commands_errors_and_edges(d, d3):
    both(d, d3, BASICS)


ODD_SCORES = """
ZADD z -1 a 1e30 b inf c -inf d 5e18 e 1.9 f 1e19 g -9.3e18 h 4503599627370495.5 i 9.2233720368547758e18 j
ZADD z 4503599627370496 k 4503599627370497 l 0 m -0 n 123456789 o
GEOPOS z a b c d e f g h i j k l m n o nope
GEOHASH z a b c d e f g h i j k l m n o nope
GEODIST z a b
GEODIST z a f km
GEODIST z d e mi
GEODIST z o m
GEOSEARCH z FROMMEMBER f BYRADIUS 5000 km WITHHASH WITHCOORD WITHDIST ASC
GEOSEARCH z FROMMEMBER o BYBOX 20000 20000 km WITHHASH ASC
GEOSEARCH z FROMLONLAT 180 85 BYRADIUS 1000 km WITHHASH ASC
GEORADIUSBYMEMBER z a 100 km WITHDIST
"""


def test_scores_no_geoadd_makes(d, d3):
    """Scores outside the 52-bit range decode through C's (uint64_t) cast."""
    both(d, d3, ODD_SCORES)


def _ties_script() -> str:
    """Many members on a few points, so equal distances meet COUNT cuts of every size
    (insertion sort below 7 elements, median of three, ninther above 40)."""
    rng = random.Random(7)
    pts = [(13.0 + rng.randint(0, 5) * 0.01, 38.0 + rng.randint(0, 5) * 0.01) for _ in range(10)]
    args = ["GEOADD", "t"]
    for _ in range(150):
        x, y = rng.choice(pts)
        args += ["%.2f" % x, "%.2f" % y, "p%03d" % rng.randint(0, 999)]
    lines = [" ".join(args)]
    for cnt in [1, 2, 3, 5, 7, 8, 20, 41, 50, 80, 119, 200]:
        for order in ["ASC", "DESC"]:
            lines.append(f"GEOSEARCH t FROMLONLAT 13.02 38.02 BYRADIUS 50 km {order} COUNT {cnt} WITHDIST")
            lines.append(f"GEORADIUS t 13.02 38.02 50 km COUNT {cnt} {order}")
            lines.append(f"GEOSEARCHSTORE d t FROMLONLAT 13.02 38.02 BYRADIUS 50 km {order} COUNT {cnt} STOREDIST")
            lines.append("ZRANGE d 0 -1 WITHSCORES")
        lines.append(f"GEOSEARCH t FROMLONLAT 13.02 38.02 BYRADIUS 50 km COUNT {cnt}")
        lines.append(f"GEOSEARCH t FROMLONLAT 13.02 38.02 BYRADIUS 50 km COUNT {cnt} ANY")
        lines.append(f"GEOSEARCH t FROMLONLAT 13.02 38.02 BYBOX 80 80 km COUNT {cnt} ANY DESC")
    lines.append("GEOSEARCH t FROMLONLAT 13.02 38.02 BYRADIUS 50 km")
    lines.append("GEOSEARCH t FROMLONLAT 13.02 38.02 BYRADIUS 50 km DESC")
    lines.append("GEOSEARCH t FROMLONLAT 13.02 38.02 BYRADIUS 50 km ASC")
    return "\n".join(lines)


def test_equal_distances_cut_by_count(d, d3):
    both(d, d3, _ties_script())


def test_stored_results_encodings_and_digests(d, srv):
    d.check("FLUSHALL")
    args = ["GEOADD", "g"]
    for i in range(200):
        args += ["%.5f" % (2 + i * 0.0007), "%.5f" % (48 + (i % 13) * 0.001), "m%d" % i]
    d.check(*args)
    for count in ("100", "128", "129", "200"):
        d.check("GEOSEARCHSTORE", "s", "g", "FROMLONLAT", "2.05", "48", "BYRADIUS", "50", "km", "ASC", "COUNT", count)
        d.check("OBJECT", "ENCODING", "s")
        d.check("DEBUG", "DIGEST-VALUE", "s")
        d.check("GEORADIUS", "g", "2.05", "48", "50", "km", "COUNT", count, "STOREDIST", "s")
        d.check("OBJECT", "ENCODING", "s")
        d.check("DEBUG", "DIGEST-VALUE", "s")
    d.check("OBJECT", "ENCODING", "g")
    d.check("DEBUG", "DIGEST-VALUE", "g")
    d.check("DEBUG", "DIGEST")


def test_keyspace_events(d, srv):
    d.check("FLUSHALL")
    script = [
        ("GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"),
        ("GEOADD", "g", "13.361389", "38.115556", "Palermo"), ("GEOADD", "g", "XX", "1", "1", "new"),
        ("GEOADD", "g", "200", "1", "bad"), ("GEOADD", "g2", "NX", "1", "1", "a"),
        ("GEORADIUS", "g", "15", "37", "200", "km", "STORE", "d1"),
        ("GEORADIUS", "g", "15", "37", "200", "km", "STOREDIST", "d1"),
        ("GEORADIUSBYMEMBER", "g", "Palermo", "1", "km", "STORE", "d1"),
        ("GEORADIUSBYMEMBER", "g", "Palermo", "1", "km", "STORE", "d1"),
        ("GEOSEARCHSTORE", "d2", "g", "FROMMEMBER", "Catania", "BYBOX", "10", "10", "km"),
        ("GEOSEARCHSTORE", "d2", "nokey", "FROMMEMBER", "Catania", "BYBOX", "10", "10", "km"),
        ("GEOSEARCHSTORE", "d2", "g", "FROMMEMBER", "Catania", "BYBOX", "10", "10", "km", "WITHDIST"),
        ("SET", "s", "x"), ("GEORADIUS", "g", "15", "37", "200", "km", "STORE", "s"),
        ("GEOSEARCH", "nokey", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"),
    ]
    d.check("CONFIG", "SET", "notify-keyspace-events", "KEA")
    try:
        mine = keyevents(srv.port, script)
        theirs = keyevents(d.theirs.sock.getpeername()[1], script)
    finally:
        d.check("CONFIG", "SET", "notify-keyspace-events", "")
    assert mine == theirs
    assert (b"geosearchstore", b"d2") in mine and (b"georadiusstore", b"s") in mine


GETKEYS = """
COMMAND GETKEYS GEORADIUS k 1 2 3 km
COMMAND GETKEYS GEORADIUS k 1 2 3 km STORE d
COMMAND GETKEYS GEORADIUS k 1 2 3 km STORE d STOREDIST e
COMMAND GETKEYSANDFLAGS GEORADIUS k 1 2 3 km STORE d
COMMAND GETKEYSANDFLAGS GEORADIUS k 1 2 3 km STOREDIST d
COMMAND GETKEYS GEORADIUSBYMEMBER k m 3 km STORE d
COMMAND GETKEYS GEORADIUSBYMEMBER k STORE d km STORE e
COMMAND GETKEYS GEORADIUSBYMEMBER k m STORE d
COMMAND GETKEYSANDFLAGS GEORADIUSBYMEMBER k m 3 km STOREDIST d
COMMAND GETKEYS GEORADIUS_RO k 1 2 3 km STORE d
COMMAND GETKEYSANDFLAGS GEOSEARCHSTORE d s FROMLONLAT 1 1 BYRADIUS 1 km
COMMAND GETKEYSANDFLAGS GEOSEARCH s FROMLONLAT 1 1 BYRADIUS 1 km
COMMAND GETKEYSANDFLAGS GEOADD k 1 1 m
COMMAND GETKEYS GEODIST k a b
COMMAND INFO GEOADD GEODIST GEOHASH GEOPOS GEORADIUS GEORADIUS_RO GEORADIUSBYMEMBER
COMMAND INFO GEORADIUSBYMEMBER_RO GEOSEARCH GEOSEARCHSTORE
"""


def test_command_getkeys(d):
    _run(d, GETKEYS)


# --- random points, centres and radii ----------------------------------------------------------
def _coord_text(v: float, digits: int) -> str:
    return "%.*f" % (digits, v)


@st.composite
def _scenario(draw):
    """A geo set around a centre (sometimes at a pole or on the antimeridian), with
    duplicates, then searches of every kind around points near it."""
    cx = draw(st.one_of(st.floats(-180, 180), st.sampled_from([180.0, -180.0, 0.0, 179.9999])))
    cy = draw(st.one_of(st.floats(-LAT_MAX, LAT_MAX), st.sampled_from([LAT_MAX, -LAT_MAX, 84.9, -80.5, 66.1])))
    spread = draw(st.sampled_from([0.0001, 0.01, 0.1, 1.0, 10.0, 90.0]))
    offsets = draw(st.lists(st.tuples(st.floats(-1, 1), st.floats(-1, 1), st.integers(0, 8)), min_size=1,
                            max_size=40))
    args = ["GEOADD", "g"]
    for i, (dx, dy, digits) in enumerate(offsets):
        x = min(180.0, max(-180.0, cx + dx * spread))
        y = min(LAT_MAX, max(-LAT_MAX, cy + dy * spread))
        args += [_coord_text(x, digits), _coord_text(y, digits), "m%d" % i]
        if digits == 8:  # the same point again under another name
            args += [_coord_text(x, digits), _coord_text(y, digits), "dup%d" % i]
    cmds = [args]
    for _ in range(draw(st.integers(1, 8))):
        unit = draw(st.sampled_from(["m", "km", "mi", "ft", "KM"]))
        scale = {"m": 1.0, "km": 1000.0, "mi": 1609.34, "ft": 0.3048, "KM": 1000.0}[unit]
        metres = draw(st.sampled_from([0.0, 10.0, 1e3, 1e4, 1e5, 1e6, 5e6, 2e7])) * draw(st.floats(0, 1.5))
        r = "%.3f" % (metres / scale)
        opts = []
        order = draw(st.sampled_from([[], ["ASC"], ["DESC"]]))
        opts += order
        count = draw(st.sampled_from([[], ["COUNT", "1"], ["COUNT", "3"], ["COUNT", "10"], ["COUNT", "3", "ANY"],
                                      ["COUNT", "50", "ANY"]]))
        opts += count
        withs = draw(st.lists(st.sampled_from(["WITHDIST", "WITHCOORD", "WITHHASH"]), max_size=3, unique=True))
        qx = min(180.0, max(-180.0, cx + draw(st.floats(-1, 1)) * spread))
        qy = min(LAT_MAX, max(-LAT_MAX, cy + draw(st.floats(-1, 1)) * spread))
        sx, sy = "%.6f" % qx, "%.6f" % qy
        kind = draw(st.integers(0, 4))
        if kind == 0:
            cmds.append(["GEOSEARCH", "g", "FROMLONLAT", sx, sy, "BYRADIUS", r, unit, *opts, *withs])
        elif kind == 1:
            w = "%.3f" % (float(r) * draw(st.floats(0.2, 3)))
            hgt = "%.3f" % (float(r) * draw(st.floats(0.2, 3)))
            cmds.append(["GEOSEARCH", "g", "FROMLONLAT", sx, sy, "BYBOX", w, hgt, unit, *opts, *withs])
        elif kind == 2:
            cmds.append(["GEORADIUSBYMEMBER", "g", "m0", r, unit, *opts, *withs])
        elif kind == 3:
            cmds.append(["GEORADIUS", "g", sx, sy, r, unit, *opts, *withs])
        else:
            dist = draw(st.sampled_from([[], ["STOREDIST"]]))
            cmds.append(["GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "m0", "BYRADIUS", r, unit, *opts, *dist])
            cmds.append(["ZRANGE", "d", "0", "-1", "WITHSCORES"])
    cmds.append(["GEODIST", "g", "m0", "m%d" % (len(offsets) - 1), draw(st.sampled_from(["m", "km", "mi", "ft"]))])
    cmds.append(["GEOPOS", "g", *("m%d" % i for i in range(min(len(offsets), 5)))])
    cmds.append(["GEOHASH", "g", *("m%d" % i for i in range(min(len(offsets), 5)))])
    return cmds


def _scenario_test(x, cmds) -> None:
    x.check("FLUSHALL")
    for cmd in cmds:
        x.check(*cmd)
    x.check("DEBUG", "DIGEST")


@settings(max_examples=40, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cmds=_scenario())
def test_random_points_and_searches(d, cmds):
    _scenario_test(d, cmds)


@settings(max_examples=10, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cmds=_scenario())
def test_random_points_and_searches_resp3(d3, cmds):
    _scenario_test(d3, cmds)


@pytest.mark.slow
@settings(max_examples=1500, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cmds=_scenario())
def test_random_points_and_searches_long(d, cmds):
    _scenario_test(d, cmds)


def test_borderline_points_on_circles_and_boxes(d):
    """Points placed right on the edge of the searched circle or box: both servers must
    keep or drop each of them alike (same haversine, same cells, same rounding)."""
    rng = random.Random(11)
    d.check("FLUSHALL")
    for _ in range(30):
        lon, lat = rng.uniform(-179, 179), rng.uniform(-84, 84)
        d.check("DEL", "b")
        members = []
        for i in range(24):
            ang = i * 15
            # about 1 km away in every direction, at the limits of float precision
            dx = 0.009 * rng.choice([1, 1 + 1e-9, 1 - 1e-9]) * (1 if ang < 180 else -1)
            dy = 0.009 * rng.choice([1, 1 + 1e-9, 1 - 1e-9]) * (1 if 90 < ang < 270 else -1)
            members += ["%.9f" % min(180, max(-180, lon + dx * (i % 3))), "%.9f" % (lat + dy * (i % 4 > 1)),
                        "e%d" % i]
        d.check("GEOADD", "b", *members)
        for r in ("999", "1000", "1000.5", "1001", "1500", "2000"):
            d.check("GEOSEARCH", "b", "FROMLONLAT", "%.9f" % lon, "%.9f" % lat, "BYRADIUS", r, "m", "ASC", "WITHDIST")
            d.check("GEOSEARCH", "b", "FROMLONLAT", "%.9f" % lon, "%.9f" % lat, "BYBOX", r, r, "m", "ASC", "WITHDIST")
            d.check("GEOSEARCH", "b", "FROMMEMBER", "e0", "BYBOX", "2000", r, "m", "DESC", "WITHDIST")
