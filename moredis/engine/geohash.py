"""Geohash arithmetic as Redis's geo commands use it (geohash.c, geohash_helper.c).

A geo set is a sorted set whose scores are 52-bit interleaved geohashes: 26 bits of
latitude (over Redis's Web-Mercator range +-85.05112878) in the even positions and 26 bits
of longitude (+-180) in the odd ones. Everything here works on plain ints and floats and
reproduces Redis's floating-point steps in the same order, so decoded coordinates,
distances and the boxes a radius search scans come out bit for bit as Redis's (the libm
Python calls is the C library Redis calls).

- `encode` / `decode_area` / `decode_score`: coordinates <-> hash bits.
- `score_bits`: a score as C's (uint64_t) cast turns it into bits (any score can be
  decoded, as GEOPOS does on a sorted set that was not made by GEOADD).
- `neighbours`, `search_ranges`: the 3x3 boxes around a point at the step
  geohashEstimateStepsByRadius picks, as score ranges to scan.
- `distance` (haversine on Redis's earth radius), `in_radius`, `in_box`.
- `geohash_string`: the standard 11-character base32 geohash GEOHASH replies.
Neighbours: commands/geo.py (the commands), engine/types/zset.py (the geo set itself).
"""

from __future__ import annotations

import math
from functools import lru_cache

LONG_MIN = -180.0
LONG_MAX = 180.0
LAT_MIN = -85.05112878
LAT_MAX = 85.05112878
STEP_MAX = 26  # 26 bits per coordinate: 52-bit scores, exact in a double
EARTH_RADIUS = 6372797.560856  # metres: the WGS-84 quadratic mean radius Redis uses
MERCATOR_MAX = 20037726.37
D_R = math.pi / 180.0

_M64 = (1 << 64) - 1
_EVEN = 0x5555555555555555
_ODD = 0xAAAAAAAAAAAAAAAA
_TWO63 = 9223372036854775808.0

# byte -> its 8 bits spread over the even positions of 16 bits
_SPREAD = [sum(((b >> i) & 1) << (2 * i) for i in range(8)) for b in range(256)]

_sin = math.sin
_cos = math.cos
_sqrt = math.sqrt
_asin = math.asin


# --- bits ------------------------------------------------------------------------------
def interleave(even: int, odd: int) -> int:
    """interleave64: `even`'s bits at even positions, `odd`'s at odd ones (32 bits each)."""
    s = _SPREAD
    e = s[even & 255] | s[(even >> 8) & 255] << 16 | s[(even >> 16) & 255] << 32 | s[(even >> 24) & 255] << 48
    o = s[odd & 255] | s[(odd >> 8) & 255] << 16 | s[(odd >> 16) & 255] << 32 | s[(odd >> 24) & 255] << 48
    return e | o << 1


def even_bits(v: int) -> int:
    """The 32 bits at the even positions of a 64-bit value (one half of deinterleave64)."""
    x = v & 0x5555555555555555
    x = (x | (x >> 1)) & 0x3333333333333333
    x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0F
    x = (x | (x >> 4)) & 0x00FF00FF00FF00FF
    x = (x | (x >> 8)) & 0x0000FFFF0000FFFF
    return (x | (x >> 16)) & 0xFFFFFFFF


def score_bits(score: float) -> int:
    """(uint64_t)score as x86-64 code compiled by gcc does it: truncation below 2**63,
    a biased conversion above, and the 'integer indefinite' 0x8000000000000000 where the
    hardware conversion overflows (negative infinity, huge values; 2**64 and up give 0)."""
    if score != score:
        return 1 << 63
    if score < _TWO63:
        if score < -_TWO63:  # below the smallest int64: indefinite
            return 1 << 63
        return int(score) & _M64
    t = score - _TWO63
    r = 1 << 63 if t >= _TWO63 else int(t)
    return r ^ (1 << 63)


# --- encode / decode ---------------------------------------------------------------------
def encode(lon: float, lat: float, step: int = STEP_MAX,
           lon_min: float = LONG_MIN, lon_max: float = LONG_MAX,
           lat_min: float = LAT_MIN, lat_max: float = LAT_MAX) -> int | None:
    """geohashEncode: the 2*step hash bits of a point, or None outside the ranges."""
    if step > 32 or step == 0:
        return None
    if lon > LONG_MAX or lon < LONG_MIN or lat > LAT_MAX or lat < LAT_MIN:
        return None
    if lat < lat_min or lat > lat_max or lon < lon_min or lon > lon_max:
        return None
    scale = float(1 << step)
    lat_off = (lat - lat_min) / (lat_max - lat_min) * scale
    lon_off = (lon - lon_min) / (lon_max - lon_min) * scale
    return interleave(int(lat_off) & 0xFFFFFFFF, int(lon_off) & 0xFFFFFFFF)


def decode_area(bits: int, step: int, lon_min: float = LONG_MIN, lon_max: float = LONG_MAX,
                lat_min: float = LAT_MIN, lat_max: float = LAT_MAX) -> tuple[float, float, float, float]:
    """geohashDecode: the box (lon_min, lon_max, lat_min, lat_max) a hash stands for.
    The cell indexes are 32-bit, so index + 1 wraps as in C."""
    ilat = even_bits(bits)
    ilon = even_bits(bits >> 1)
    div = float(1 << step)
    lat_scale = lat_max - lat_min
    lon_scale = lon_max - lon_min
    return (lon_min + (ilon / div) * lon_scale,
            lon_min + (((ilon + 1) & 0xFFFFFFFF) / div) * lon_scale,
            lat_min + (ilat / div) * lat_scale,
            lat_min + (((ilat + 1) & 0xFFFFFFFF) / div) * lat_scale)


_DIV = float(1 << STEP_MAX)
_LAT_SCALE = LAT_MAX - LAT_MIN
_LON_SCALE = LONG_MAX - LONG_MIN


@lru_cache(maxsize=8192)
def decode_score(score: float) -> tuple[float, float]:
    """decodeGeohash: the (longitude, latitude) of a geo-set score, the centre of its cell
    clamped to the valid ranges (geohashDecodeAreaToLongLat). decode_area's arithmetic,
    inlined: searches decode every candidate."""
    bits = int(score) if 0.0 <= score < 9007199254740992.0 else score_bits(score)
    x = bits & 0x5555555555555555
    x = (x | (x >> 1)) & 0x3333333333333333
    x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0F
    x = (x | (x >> 4)) & 0x00FF00FF00FF00FF
    x = (x | (x >> 8)) & 0x0000FFFF0000FFFF
    ilat = (x | (x >> 16)) & 0xFFFFFFFF
    x = (bits >> 1) & 0x5555555555555555
    x = (x | (x >> 1)) & 0x3333333333333333
    x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0F
    x = (x | (x >> 4)) & 0x00FF00FF00FF00FF
    x = (x | (x >> 8)) & 0x0000FFFF0000FFFF
    ilon = (x | (x >> 16)) & 0xFFFFFFFF
    lon = ((LONG_MIN + (ilon / _DIV) * _LON_SCALE) + (LONG_MIN + (((ilon + 1) & 0xFFFFFFFF) / _DIV) * _LON_SCALE)) / 2
    lat = ((LAT_MIN + (ilat / _DIV) * _LAT_SCALE) + (LAT_MIN + (((ilat + 1) & 0xFFFFFFFF) / _DIV) * _LAT_SCALE)) / 2
    if lon > LONG_MAX:
        lon = LONG_MAX
    elif lon < LONG_MIN:
        lon = LONG_MIN
    if lat > LAT_MAX:
        lat = LAT_MAX
    elif lat < LAT_MIN:
        lat = LAT_MIN
    return lon, lat


def score_of(lon: float, lat: float) -> int:
    """The score GEOADD stores for a point (already checked to be in range)."""
    bits = encode(lon, lat)
    return 0 if bits is None else bits


_ALPHABET = b"0123456789bcdefghjkmnpqrstuvwxyz"


def geohash_string(score: float) -> bytes:
    """GEOHASH's 11 characters: the point decoded, re-encoded over the standard latitude
    range +-90 at 26 steps, five bits a character; the 11th character has no bits left
    and is always '0'."""
    lon, lat = decode_score(score)
    bits = encode(lon, lat, STEP_MAX, -180.0, 180.0, -90.0, 90.0) or 0
    a = _ALPHABET
    out = bytearray(11)
    for i in range(10):
        out[i] = a[(bits >> (52 - (i + 1) * 5)) & 0x1F]
    out[10] = a[0]
    return bytes(out)


# --- neighbours and search boxes -------------------------------------------------------------
def _move_x(bits: int, step: int, d: int) -> int:
    x = bits & _ODD
    y = bits & _EVEN
    zz = _EVEN >> (64 - step * 2)
    if d > 0:
        x = x + (zz + 1)
    else:
        x = (x | zz) - (zz + 1)
    x &= _ODD >> (64 - step * 2)
    return x | y


def _move_y(bits: int, step: int, d: int) -> int:
    x = bits & _ODD
    y = bits & _EVEN
    zz = _ODD >> (64 - step * 2)
    if d > 0:
        y = y + (zz + 1)
    else:
        y = (y | zz) - (zz + 1)
    y &= _EVEN >> (64 - step * 2)
    return x | y


def neighbours(bits: int, step: int) -> dict[str, int]:
    """geohashNeighbors: the eight cells around a cell at the same step (wrapping)."""
    east = _move_x(bits, step, 1)
    west = _move_x(bits, step, -1)
    return {
        "north": _move_y(bits, step, 1),
        "south": _move_y(bits, step, -1),
        "east": east,
        "west": west,
        "north_east": _move_y(east, step, 1),
        "north_west": _move_y(west, step, 1),
        "south_east": _move_y(east, step, -1),
        "south_west": _move_y(west, step, -1),
    }


def estimate_steps(range_meters: float, lat: float) -> int:
    """geohashEstimateStepsByRadius: cells about as large as the radius, wider near
    the poles, within 1..26."""
    if range_meters == 0:
        return 26
    step = 1
    while range_meters < MERCATOR_MAX:
        range_meters *= 2
        step += 1
    step -= 2
    if lat > 66 or lat < -66:
        step -= 1
        if lat > 80 or lat < -80:
            step -= 1
    if step < 1:
        step = 1
    if step > 26:
        step = 26
    return step


def bounding_box(lon: float, lat: float, half_width_m: float,
                 half_height_m: float) -> tuple[float, float, float, float]:
    """geohashBoundingBox: (min_lon, min_lat, max_lon, max_lat) of the search area, its
    longitude span taken at the edge nearer the pole."""
    lat_delta = (half_height_m / EARTH_RADIUS) / D_R
    top = (half_width_m / EARTH_RADIUS / _cos((lat + lat_delta) * D_R)) / D_R
    bottom = (half_width_m / EARTH_RADIUS / _cos((lat - lat_delta) * D_R)) / D_R
    d = bottom if lat < 0 else top
    return lon - d, lat - lat_delta, lon + d, lat + lat_delta


_ORDER = ("north", "south", "east", "west", "north_east", "north_west", "south_east", "south_west")


def search_boxes(lon: float, lat: float, half_width_m: float, half_height_m: float,
                 radius_m: float) -> list[tuple[int, int] | None]:
    """geohashCalculateAreasByShapeWGS84: the centre cell and its 8 neighbours, in the
    order Redis scans them (centre, N, S, E, W, NE, NW, SE, SW), as (bits, step); None
    for a neighbour found useless. `radius_m` picks the step (for a box: the distance
    from its centre to a corner)."""
    min_lon, min_lat, max_lon, max_lat = bounding_box(lon, lat, half_width_m, half_height_m)
    steps = estimate_steps(radius_m, lat)
    bits = encode(lon, lat, steps)
    if bits is None:
        bits = 0
    nb = neighbours(bits, steps)
    # a step too fine for the edges of the area: one step coarser
    if steps > 1 and (decode_area(nb["north"], steps)[3] < max_lat
                      or decode_area(nb["south"], steps)[2] > min_lat
                      or decode_area(nb["east"], steps)[1] < max_lon
                      or decode_area(nb["west"], steps)[0] > min_lon):
        steps -= 1
        bits = encode(lon, lat, steps)
        if bits is None:
            bits = 0
        nb = neighbours(bits, steps)
    out: dict[str, tuple[int, int] | None] = {k: (v, steps) for k, v in nb.items()}
    if steps >= 2:
        a = decode_area(bits, steps)
        if a[2] < min_lat:
            out["south"] = out["south_west"] = out["south_east"] = None
        if a[3] > max_lat:
            out["north"] = out["north_east"] = out["north_west"] = None
        if a[0] < min_lon:
            out["west"] = out["south_west"] = out["north_west"] = None
        if a[1] > max_lon:
            out["east"] = out["south_east"] = out["north_east"] = None
    return [(bits, steps)] + [out[k] for k in _ORDER]


def search_ranges(lon: float, lat: float, half_width_m: float, half_height_m: float,
                  radius_m: float) -> list[tuple[float, float]]:
    """The score ranges [min, max) to scan, in order (membersOfAllNeighbors): a box equal
    to the one scanned just before is skipped, which never applies right after the
    centre (Redis's 'last processed' index is 0 there, which reads as 'none')."""
    boxes = search_boxes(lon, lat, half_width_m, half_height_m, radius_m)
    ranges = []
    last = 0
    for i, box in enumerate(boxes):
        if box is None:
            continue
        if last and box == boxes[last]:
            continue
        bits, step = box
        shift = 52 - step * 2
        ranges.append((float(bits << shift), float((bits + 1) << shift)))
        last = i
    return ranges


# --- distances -------------------------------------------------------------------------------
def lat_distance(lat1: float, lat2: float) -> float:
    """geohashGetLatDistance: the distance along a meridian."""
    return EARTH_RADIUS * abs(lat2 * D_R - lat1 * D_R)


def distance(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """geohashGetDistance: haversine great-circle distance in metres (NaN where rounding
    pushes the haversine above 1, as C's asin would give)."""
    lon1r = lon1 * D_R
    lon2r = lon2 * D_R
    v = _sin((lon2r - lon1r) / 2)
    if v == 0.0:
        return EARTH_RADIUS * abs(lat2 * D_R - lat1 * D_R)
    lat1r = lat1 * D_R
    lat2r = lat2 * D_R
    u = _sin((lat2r - lat1r) / 2)
    a = u * u + _cos(lat1r) * _cos(lat2r) * v * v
    r = _sqrt(a)
    if r > 1.0:
        return math.nan
    return 2.0 * EARTH_RADIUS * _asin(r)


def in_box(width_m: float, height_m: float, lon: float, lat: float, x: float, y: float) -> float | None:
    """geohashGetDistanceIfInRectangle: the distance from the box centre (lon, lat) to the
    point (x, y) when the point is inside the box, else None."""
    if EARTH_RADIUS * abs(lat * D_R - y * D_R) > height_m / 2:
        return None
    if distance(x, y, lon, y) > width_m / 2:
        return None
    return distance(lon, lat, x, y)


def fixed4(d: float) -> bytes:
    """fixedpoint_d2string(d, 4): llrint(d * 10000) printed with four decimals (how
    distances are replied). llrint's overflow value (LLONG_MIN) is reproduced."""
    if d == 0:
        return b"0.0000"
    t = d * 10000.0
    if t != t or t >= 9.223372036854775807e18 or t < -9.223372036854775808e18:
        n = -(1 << 63)
    else:
        n = round(t)
    sign = b""
    if n < 0:
        sign = b"-"
        n = -n
    q, r = divmod(n, 10000)
    return b"%s%d.%04d" % (sign, q, r)


def human(x: float) -> bytes:
    """ld2string(LD_STR_HUMAN) of a double: "%.17Lf" without trailing zeros ("-0" is
    "0"); how GEOPOS and WITHCOORD print coordinates."""
    if x != x:
        return b"nan"
    if x == math.inf:
        return b"inf"
    if x == -math.inf:
        return b"-inf"
    s = b"%.17f" % x
    s = s.rstrip(b"0")
    if s[-1:] == b".":
        s = s[:-1]
    if s == b"-0":
        s = b"0"
    return s


# --- filtering candidates (the search loop) ------------------------------------------------------
def filter_circle(items: list, cx: float, cy: float, radius_m: float, out: list, limit: int) -> None:
    """geoWithinShape for a circle over (score, member) pairs, appending [dist, member,
    score, lon, lat] to `out` for the points within `radius_m` of (cx, cy); stops once
    `out` holds `limit` points (0: no limit). `distance` inlined, same operations."""
    decode = decode_score
    sin, cos, sqrt, asin = _sin, _cos, _sqrt, _asin
    lon1r = cx * D_R
    lat1r = cy * D_R
    cos1 = cos(lat1r)
    two_r = 2.0 * EARTH_RADIUS
    append = out.append
    for score, member in items:
        x, y = decode(score)
        v = sin((x * D_R - lon1r) / 2)
        if v == 0.0:
            d = EARTH_RADIUS * abs(y * D_R - lat1r)
        else:
            lat2r = y * D_R
            u = sin((lat2r - lat1r) / 2)
            r = sqrt(u * u + cos1 * cos(lat2r) * v * v)
            d = math.nan if r > 1.0 else two_r * asin(r)
        if not d > radius_m:
            append([d, member, score, x, y])
        if limit and out and len(out) >= limit:
            return


def filter_box(items: list, cx: float, cy: float, width_m: float, height_m: float, out: list,
               limit: int) -> None:
    """geoWithinShape for a box (geohashGetDistanceIfInRectangle), like filter_circle:
    the latitude distance first, then the distance along the point's parallel."""
    decode = decode_score
    sin, cos, sqrt, asin = _sin, _cos, _sqrt, _asin
    half_h = height_m / 2
    half_w = width_m / 2
    cyr = cy * D_R
    cxr = cx * D_R
    two_r = 2.0 * EARTH_RADIUS
    append = out.append
    for score, member in items:
        x, y = decode(score)
        yr = y * D_R
        if not EARTH_RADIUS * abs(cyr - yr) > half_h:
            # distance(x, y, cx, y): the latitude term vanishes
            v = sin((cxr - x * D_R) / 2)
            if v == 0.0:
                dx = 0.0
            else:
                cy2 = cos(yr)
                r = sqrt(0.0 + cy2 * cy2 * v * v)
                dx = math.nan if r > 1.0 else two_r * asin(r)
            if not dx > half_w:
                append([distance(cx, cy, x, y), member, score, x, y])
        if limit and out and len(out) >= limit:
            return
