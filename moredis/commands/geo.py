"""Geo commands (geo.c): GEOADD, GEODIST, GEOHASH, GEOPOS and the searches GEOSEARCH,
GEOSEARCHSTORE, GEORADIUS[BYMEMBER][_RO].

A geo set is an ordinary sorted set (engine/types/zset.py) whose scores are 52-bit
geohashes, so every sorted-set command works on it; GEOADD is ZADD with the scores
computed (and is replicated as that ZADD). A search scans the score ranges of the 3x3
cells engine/geohash.py picks, keeps the points inside the circle or box by Redis's
haversine distance, and sorts by distance as Redis does (a stable full sort, or pqsort
when COUNT cuts the result). Replies print distances with four decimals and
coordinates in Redis's "human" long double format.
Neighbours: engine/geohash.py (the arithmetic), commands/sorted_set.py (ZADD, number
parsing), util/pqsort.py.
"""

from __future__ import annotations

import math
from typing import Any

from moredis import errors as E
from moredis.commands.registry import command, getkeys
from moredis.commands.sorted_set import parse_score, zadd_command
from moredis.commands.util import cstr_lower
from moredis.engine import geohash as G
from moredis.engine import notify as N
from moredis.engine.types.zset import ZSet, from_sorted
from moredis.errors import RedisError
from moredis.numbers import parse_int
from moredis.protocol.writer import CaptureWriter
from moredis.util.pqsort import pqsort

UNIT_ERROR = "ERR unsupported unit provided. please use M, KM, FT, MI"
NOT_DECODABLE = "ERR could not decode requested zset member"
_UNITS = {b"m": 1.0, b"km": 1000.0, b"ft": 0.3048, b"mi": 1609.34}

# georadiusGeneric flags
RADIUS_COORDS = 1
RADIUS_MEMBER = 2
RADIUS_NOSTORE = 4
GEOSEARCH = 8
GEOSEARCHSTORE = 16

SORT_NONE, SORT_ASC, SORT_DESC = 0, 1, 2


# --- argument helpers ----------------------------------------------------------------------
def _double(b: bytes, err: str = E.NOT_FLOAT) -> float:
    """getDoubleFromObjectOrReply (string2d: no spaces, NaN or out-of-range values)."""
    try:
        return parse_score(b, err)
    except OverflowError:  # a hexadecimal number beyond the double range
        raise RedisError(err) from None


def _lonlat(lon_b: bytes, lat_b: bytes) -> tuple[float, float]:
    """extractLongLatOrReply: two doubles inside Redis's Mercator limits."""
    lon = _double(lon_b)
    lat = _double(lat_b)
    if lon < G.LONG_MIN or lon > G.LONG_MAX or lat < G.LAT_MIN or lat > G.LAT_MAX:
        raise RedisError("ERR invalid longitude,latitude pair %f,%f" % (lon, lat))
    return lon, lat


def _unit(b: bytes) -> float:
    """extractUnitOrReply: metres per unit (m, km, ft, mi; any case)."""
    f = _UNITS.get(cstr_lower(b))
    if f is None:
        raise RedisError(UNIT_ERROR)
    return f


def _radius(num: bytes, unit: bytes) -> tuple[float, float]:
    """extractDistanceOrReply: (radius, metres per unit)."""
    r = _double(num, "ERR need numeric radius")
    if r < 0:
        raise RedisError("ERR radius cannot be negative")
    return r, _unit(unit)


def _box(wb: bytes, hb: bytes, unit: bytes) -> tuple[float, float, float]:
    """extractBoxOrReply: (width, height, metres per unit)."""
    w = _double(wb, "ERR need numeric width")
    h = _double(hb, "ERR need numeric height")
    if h < 0 or w < 0:
        raise RedisError("ERR height or width cannot be negative")
    return w, h, _unit(unit)


def _read(c: Any, key: bytes) -> ZSet | None:
    v = c.db.lookup_read(key)
    if v is not None and type(v) is not ZSet:
        raise RedisError(E.WRONGTYPE)
    return v


def human_double(w: Any, x: float) -> None:
    """addReplyHumanLongDouble: a bulk string on RESP2, a double on RESP3, both spelled
    in the "%.17Lf"-trimmed form (the writer's own double format is the shortest one)."""
    if w.resp == 2:
        w.bulk(G.human(x))
    elif isinstance(w, CaptureWriter):
        w.double(x)
    else:
        w.raw(b",%b\r\n" % G.human(x))


# --- GEOADD --------------------------------------------------------------------------------
@command("geoadd")
def geoadd_command(c: Any, argv: list[bytes]) -> None:
    """GEOADD key [NX | XX] [CH] longitude latitude member [...]: runs as the ZADD it
    is replicated as (options kept, scores computed)."""
    n = len(argv)
    i = 2
    nx = xx = False
    while i < n:
        opt = cstr_lower(argv[i])
        if opt == b"nx":
            nx = True
        elif opt == b"xx":
            xx = True
        elif opt != b"ch":
            break
        i += 1
    if (n - i) % 3 or (nx and xx):
        raise RedisError(E.SYNTAX)
    zargv = [b"zadd", *argv[1:i]]
    for j in range(i, n, 3):
        lon, lat = _lonlat(argv[j], argv[j + 1])
        zargv.append(b"%d" % G.score_of(lon, lat))
        zargv.append(argv[j + 2])
    srv = c.srv
    dirty = srv.dirty
    zadd_command(c, zargv)
    if srv.dirty != dirty:
        srv.rewrite_propagation([zargv])


# --- GEODIST / GEOHASH / GEOPOS --------------------------------------------------------------
@command("geodist")
def geodist_command(c: Any, argv: list[bytes]) -> None:
    """GEODIST key member1 member2 [M | KM | FT | MI]"""
    to_meter = 1.0
    if len(argv) == 5:
        to_meter = _unit(argv[4])
    elif len(argv) > 5:
        raise RedisError(E.SYNTAX)
    z = _read(c, argv[1])
    if z is None:
        c.w.null()
        return
    s1 = z.scores.get(argv[2])
    s2 = z.scores.get(argv[3])
    if s1 is None or s2 is None:
        c.w.null()
        return
    x1, y1 = G.decode_score(s1)
    x2, y2 = G.decode_score(s2)
    c.w.bulk(G.fixed4(G.distance(x1, y1, x2, y2) / to_meter))


@command("geohash")
def geohash_command(c: Any, argv: list[bytes]) -> None:
    """GEOHASH key [member ...]: standard 11-character geohashes (nil for a missing one)."""
    z = _read(c, argv[1])
    w = c.w
    w.array(len(argv) - 2)
    scores = z.scores if z is not None else {}
    for m in argv[2:]:
        s = scores.get(m)
        if s is None:
            w.null()
        else:
            w.bulk(G.geohash_string(s))


@command("geopos")
def geopos_command(c: Any, argv: list[bytes]) -> None:
    """GEOPOS key [member ...]: [longitude, latitude] each (a null array when missing)."""
    z = _read(c, argv[1])
    w = c.w
    w.array(len(argv) - 2)
    scores = z.scores if z is not None else {}
    for m in argv[2:]:
        s = scores.get(m)
        if s is None:
            w.null_array()
        else:
            x, y = G.decode_score(s)
            w.array(2)
            human_double(w, x)
            human_double(w, y)


# --- searches --------------------------------------------------------------------------------
class _Shape:
    """GeoShape: centre, circle radius or box size (in the request's unit), unit."""

    __slots__ = ("box", "conversion", "height", "radius", "width", "x", "y")

    def __init__(self) -> None:
        self.x = self.y = 0.0
        self.box = False
        self.radius = self.width = self.height = 0.0
        self.conversion = 1.0


def _collect(z: ZSet, shape: _Shape, limit: int) -> list[list]:
    """membersOfAllNeighbors: the points inside the shape as [dist, member, score, lon,
    lat], box by box in Redis's scan order, stopping once `limit` (ANY) are found."""
    conv = shape.conversion
    cx, cy = shape.x, shape.y
    if shape.box:
        hw = conv * (shape.width / 2)
        hh = conv * (shape.height / 2)
        w2, h2 = shape.width / 2, shape.height / 2
        radius_m = math.sqrt(w2 * w2 + h2 * h2) * conv
        width_m = shape.width * conv
        height_m = shape.height * conv
    else:
        hw = hh = conv * shape.radius
        radius_m = shape.radius * conv
        width_m = height_m = 0.0
    ranges = G.search_ranges(cx, cy, hw, hh, radius_m)
    zsl = z.zsl
    out: list[list] = []
    for lo, hi in ranges:
        if limit and out and len(out) >= limit:
            break
        start, end = z.score_span(lo, False, hi, True)
        if end <= start:
            continue
        if shape.box:
            G.filter_box(zsl[start:end], cx, cy, width_m, height_m, out, limit)
        else:
            G.filter_circle(zsl[start:end], cx, cy, radius_m, out, limit)
    return out


def _cmp_asc(a: list, b: list) -> int:
    """sort_gp_asc."""
    if a[0] > b[0]:
        return 1
    if a[0] == b[0]:
        return 0
    return -1


def _cmp_desc(a: list, b: list) -> int:
    return -_cmp_asc(a, b)


def _sort_points(ga: list[list], sort: int, returned: int) -> None:
    """qsort (glibc's merge sort: stable) for the full result, pqsort for a COUNT cut;
    with no equal distances both give the plain sorted order."""
    desc = sort == SORT_DESC
    if returned == len(ga) or len({p[0] for p in ga}) == len(ga):
        ga.sort(key=lambda p: p[0], reverse=desc)
    else:
        pqsort(ga, _cmp_desc if desc else _cmp_asc, 0, returned - 1)


def georadius_generic(c: Any, argv: list[bytes], src_index: int, flags: int) -> None:
    """georadiusGeneric: GEORADIUS[BYMEMBER][_RO], GEOSEARCH and GEOSEARCHSTORE."""
    storekey: bytes | None = None
    storedist = False
    z = _read(c, argv[src_index])
    shape = _Shape()
    if flags & RADIUS_COORDS:
        base = 6
        shape.x, shape.y = _lonlat(argv[2], argv[3])
        shape.radius, shape.conversion = _radius(argv[4], argv[5])
    elif flags & RADIUS_MEMBER:
        base = 5
        if z is not None:
            s = z.scores.get(argv[2])
            if s is None:
                raise RedisError(NOT_DECODABLE)
            shape.x, shape.y = G.decode_score(s)
            shape.radius, shape.conversion = _radius(argv[3], argv[4])
    else:
        base = 2
        if flags & GEOSEARCHSTORE:
            base = 3
            storekey = argv[1]
    withdist = withhash = withcoord = False
    frommember = fromloc = byradius = bybox = False
    sort = SORT_NONE
    any_ = False
    count = 0
    n = len(argv)
    remaining = n - base
    i = 0
    while i < remaining:
        raw = argv[base + i]
        arg = cstr_lower(raw)
        if arg == b"withdist":
            withdist = True
        elif arg == b"withhash":
            withhash = True
        elif arg == b"withcoord":
            withcoord = True
        elif arg == b"any":
            any_ = True
        elif arg == b"asc":
            sort = SORT_ASC
        elif arg == b"desc":
            sort = SORT_DESC
        elif arg == b"count" and i + 1 < remaining:
            count = parse_int(argv[base + i + 1])
            if count <= 0:
                raise RedisError("ERR COUNT must be > 0")
            i += 1
        elif arg in (b"store", b"storedist") and i + 1 < remaining and not flags & (RADIUS_NOSTORE | GEOSEARCH):
            storekey = argv[base + i + 1]
            storedist = arg == b"storedist"
            i += 1
        elif arg == b"storedist" and flags & GEOSEARCHSTORE:
            storedist = True
        elif arg == b"frommember" and i + 1 < remaining and flags & GEOSEARCH and not fromloc:
            if z is not None:
                s = z.scores.get(argv[base + i + 1])
                if s is None:
                    raise RedisError(NOT_DECODABLE)
                shape.x, shape.y = G.decode_score(s)
            frommember = True
            i += 1
        elif arg == b"fromlonlat" and i + 2 < remaining and flags & GEOSEARCH and not frommember:
            shape.x, shape.y = _lonlat(argv[base + i + 1], argv[base + i + 2])
            fromloc = True
            i += 2
        elif arg == b"byradius" and i + 2 < remaining and flags & GEOSEARCH and not bybox:
            shape.radius, shape.conversion = _radius(argv[base + i + 1], argv[base + i + 2])
            shape.box = False
            byradius = True
            i += 2
        elif arg == b"bybox" and i + 3 < remaining and flags & GEOSEARCH and not byradius:
            shape.width, shape.height, shape.conversion = _box(argv[base + i + 1], argv[base + i + 2],
                                                               argv[base + i + 3])
            shape.box = True
            bybox = True
            i += 3
        else:
            raise RedisError(E.SYNTAX)
        i += 1

    if storekey is not None and (withdist or withhash or withcoord):
        what = "GEOSEARCHSTORE" if flags & GEOSEARCHSTORE else "STORE option in GEORADIUS"
        raise RedisError(f"ERR {what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
    name = argv[0].decode("utf-8", "replace")
    if flags & GEOSEARCH and not (frommember or fromloc):
        raise RedisError(f"ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}")
    if flags & GEOSEARCH and not (byradius or bybox):
        raise RedisError(f"ERR exactly one of BYRADIUS and BYBOX can be specified for {name}")
    if any_ and not count:
        raise RedisError("ERR the ANY argument requires COUNT argument")

    db = c.db
    srv = c.srv
    if z is None:
        if storekey is not None:
            if db.delete(storekey):
                db.signal_modified(storekey)
                db.notify(N.GENERIC, "del", storekey)
                srv.dirty += 1
            c.w.integer(0)
        else:
            c.w.array(0)
        return

    if count and sort == SORT_NONE and not any_:
        sort = SORT_ASC
    ga = _collect(z, shape, count if any_ else 0)
    if not ga and storekey is None:
        c.w.array(0)
        return
    total = len(ga)
    returned = total if not count or total < count else count
    if sort != SORT_NONE and ga:
        _sort_points(ga, sort, returned)
    conv = shape.conversion

    if storekey is None:
        w = c.w
        opts = withdist + withhash + withcoord
        w.array(returned)
        for k in range(returned):
            p = ga[k]
            if opts:
                w.array(opts + 1)
            w.bulk(p[1])
            if withdist:
                w.bulk(G.fixed4(p[0] / conv))
            if withhash:
                w.integer(int(p[2]))
            if withcoord:
                w.array(2)
                human_double(w, p[3])
                human_double(w, p[4])
        return

    if returned:
        if storedist:
            items = sorted((p[0] / conv, p[1]) for p in ga[:returned])
        else:
            items = sorted((p[2], p[1]) for p in ga[:returned])
        cfg = srv.config.values
        db.set_key(storekey, from_sorted(items, cfg["zset-max-listpack-entries"], cfg["zset-max-listpack-value"]))
        db.notify(N.ZSET, "geosearchstore" if flags & GEOSEARCH else "georadiusstore", storekey)
        srv.dirty += returned
    elif db.delete(storekey):
        db.signal_modified(storekey)
        db.notify(N.GENERIC, "del", storekey)
        srv.dirty += 1
    c.w.integer(returned)


@command("georadius")
def georadius_command(c: Any, argv: list[bytes]) -> None:
    """GEORADIUS key longitude latitude radius M|KM|FT|MI [WITHCOORD] [WITHDIST] [WITHHASH]
    [COUNT count [ANY]] [ASC | DESC] [STORE key | STOREDIST key]"""
    georadius_generic(c, argv, 1, RADIUS_COORDS)


@command("georadiusbymember")
def georadiusbymember_command(c: Any, argv: list[bytes]) -> None:
    """GEORADIUSBYMEMBER key member radius M|KM|FT|MI [options] [STORE key | STOREDIST key]:
    on a missing key the radius and unit go unchecked, as in Redis."""
    georadius_generic(c, argv, 1, RADIUS_MEMBER)


@command("georadius_ro")
def georadius_ro_command(c: Any, argv: list[bytes]) -> None:
    """GEORADIUS_RO key longitude latitude radius M|KM|FT|MI [options]"""
    georadius_generic(c, argv, 1, RADIUS_COORDS | RADIUS_NOSTORE)


@command("georadiusbymember_ro")
def georadiusbymember_ro_command(c: Any, argv: list[bytes]) -> None:
    """GEORADIUSBYMEMBER_RO key member radius M|KM|FT|MI [options]"""
    georadius_generic(c, argv, 1, RADIUS_MEMBER | RADIUS_NOSTORE)


@command("geosearch")
def geosearch_command(c: Any, argv: list[bytes]) -> None:
    """GEOSEARCH key FROMMEMBER member | FROMLONLAT longitude latitude
    BYRADIUS radius unit | BYBOX width height unit [ASC | DESC] [COUNT count [ANY]]
    [WITHCOORD] [WITHDIST] [WITHHASH]"""
    georadius_generic(c, argv, 1, GEOSEARCH)


@command("geosearchstore")
def geosearchstore_command(c: Any, argv: list[bytes]) -> None:
    """GEOSEARCHSTORE destination source FROMMEMBER ... | FROMLONLAT ... BYRADIUS ... |
    BYBOX ... [ASC | DESC] [COUNT count [ANY]] [STOREDIST]"""
    georadius_generic(c, argv, 2, GEOSEARCH | GEOSEARCHSTORE)


@getkeys("georadius", "georadiusbymember")
def _georadius_keys(argv: list[bytes]) -> list[int]:
    """georadiusGetKeys: the source, and the last STORE/STOREDIST destination."""
    stored = -1
    i = 5
    n = len(argv)
    while i < n:
        a = cstr_lower(argv[i])
        if a in (b"store", b"storedist") and i + 1 < n:
            stored = i + 1
            i += 1
        i += 1
    return [1] if stored < 0 else [1, stored]
