"""engine/geohash.py without a server: scores, decoding, GEOHASH strings, neighbours,
the search boxes, distances and the two number formats. Expected values were read off
Redis 7.4 (GEOADD scores, GEOPOS/GEOHASH/GEODIST replies)."""

from __future__ import annotations

import math
import random

import pytest

from moredis.engine import geohash as G

# (longitude, latitude) -> score, GEOPOS text, GEOHASH, as Redis 7.4 answers
KNOWN = [
    ((180.0, 85.05112878), 13510798882111488, (b"180", b"85.0511287799999991"), b"bp05b5048p0"),
    ((-180.0, -85.05112878), 0, (b"-179.99999731779098511", b"-85.05112751263942528"), b"00bh0hbj200"),
    ((0.0, 0.0), 3377699720527872, (b"0.00000268220901489", b"0.00000126736058093"), b"s0000000000"),
    ((13.361389, 38.115556), 3479099956230698, (b"13.36138933897018433", b"38.11555639549629859"), b"sqc8b49rny0"),
]


@pytest.mark.parametrize(("point", "score", "pos", "ghash"), KNOWN)
def test_known_points(point, score, pos, ghash):
    assert G.score_of(*point) == score
    x, y = G.decode_score(float(score))
    assert (G.human(x), G.human(y)) == pos
    assert G.geohash_string(float(score)) == ghash


# scores that no GEOADD makes: Redis casts them to uint64 the x86 way, then decodes
ODD_SCORES = [
    (-1.0, b"180", b"85.0511287799999991", b"bp05b5048p0"),
    (1e30, b"-179.99999731779098511", b"-85.05112751263942528", b"00bh0hbj200"),
    (math.inf, b"-179.99999731779098511", b"-85.05112751263942528", b"00bh0hbj200"),
    (-math.inf, b"180", b"-85.05112751263942528", b"00bh0hbj200"),
    (5e18, b"180", b"85.0511287799999991", b"bp05b5048p0"),
    (1.9, b"-179.99999731779098511", b"-85.05112497791824921", b"00bh0hbj210"),
    (1e19, b"180", b"85.0511287799999991", b"bp05b5048p0"),
    (-9.3e18, b"180", b"-85.05112751263942528", b"00bh0hbj200"),
    (4503599627370495.5, b"179.99999731779098511", b"85.05112751263942528", b"zzpgzgpfxz0"),
    (9.2233720368547758e18, b"180", b"-85.05112751263942528", b"00bh0hbj200"),
]


@pytest.mark.parametrize(("score", "x", "y", "ghash"), ODD_SCORES)
def test_scores_outside_the_geohash_range(score, x, y, ghash):
    lon, lat = G.decode_score(score)
    assert (G.human(lon), G.human(lat)) == (x, y)
    assert G.geohash_string(score) == ghash


def test_score_bits_casts_like_x86():
    assert G.score_bits(1.9) == 1
    assert G.score_bits(-1.0) == (1 << 64) - 1
    assert G.score_bits(math.inf) == 0
    assert G.score_bits(-math.inf) == 1 << 63
    assert G.score_bits(2.0 ** 63) == 1 << 63
    assert G.score_bits(2.0 ** 64) == 0
    assert G.score_bits(1e19) == (int(1e19) - (1 << 63)) ^ (1 << 63)
    assert G.score_bits(-(2.0 ** 63)) == 1 << 63
    assert G.score_bits(-(2.0 ** 63) - 4096) == 1 << 63


def test_interleave_round_trip():
    rng = random.Random(5)
    for _ in range(200):
        a, b = rng.getrandbits(32), rng.getrandbits(32)
        v = G.interleave(a, b)
        assert G.even_bits(v) == a
        assert G.even_bits(v >> 1) == b
    assert G.interleave(1, 0) == 1
    assert G.interleave(0, 1) == 2
    assert G.interleave(0xFFFFFFFF, 0) == 0x5555555555555555


def test_encode_rejects_out_of_range_and_bad_steps():
    assert G.encode(180.0001, 0) is None
    assert G.encode(0, 85.06) is None
    assert G.encode(0, 0, 0) is None
    assert G.encode(0, 0, 33) is None
    assert G.encode(0, 0, 1) == 3  # the north-east quadrant: both first bits set
    assert G.encode(-1, -1, 1) == 0


def test_decoded_points_stay_in_their_cell():
    rng = random.Random(8)
    for _ in range(300):
        lon = rng.uniform(-180, 180)
        lat = rng.uniform(G.LAT_MIN, G.LAT_MAX)
        s = G.score_of(lon, lat)
        assert 0 <= s < 1 << 52 or lon == 180 or lat == G.LAT_MAX
        x, y = G.decode_score(float(s))
        assert abs(x - lon) < 360 / 2 ** 26 and abs(y - lat) < 171 / 2 ** 26
        # re-encoding the decoded centre gives the same cell
        assert G.score_of(x, y) == s


def test_neighbours_are_adjacent_and_wrap():
    step = 4
    bits = G.encode(10, 10, step)
    nb = G.neighbours(bits, step)
    area = G.decode_area(bits, step)
    east = G.decode_area(nb["east"], step)
    north = G.decode_area(nb["north"], step)
    assert east[0] == pytest.approx(area[1]) and east[2] == area[2]
    assert north[2] == pytest.approx(area[3]) and north[0] == area[0]
    assert G.neighbours(nb["east"], step)["west"] == bits
    assert G.neighbours(nb["north"], step)["south"] == bits
    assert nb["north_east"] == G.neighbours(nb["north"], step)["east"]
    # the west neighbour of the westmost cell is the eastmost one (longitude wraps)
    edge = G.encode(-179.9, 0, step)
    wrapped = G.decode_area(G.neighbours(edge, step)["west"], step)
    assert wrapped[1] == pytest.approx(180.0)


@pytest.mark.parametrize(("metres", "lat", "step"), [
    (0, 0, 26), (1000, 0, 14), (1000, 70, 13), (1000, -85, 12), (5e7, 0, 1), (0.001, 0, 26), (math.inf, 0, 1),
])
def test_estimate_steps(metres, lat, step):
    assert G.estimate_steps(metres, lat) == step


def test_search_boxes_cover_the_circle():
    """Every point within the radius falls in one of the score ranges scanned."""
    rng = random.Random(3)
    for _ in range(40):
        lon = rng.uniform(-170, 170)
        lat = rng.uniform(-80, 80)
        r = rng.choice([50.0, 1000.0, 30000.0, 400000.0])
        ranges = G.search_ranges(lon, lat, r, r, r)
        assert 1 <= len(ranges) <= 9
        for _ in range(50):
            x = lon + rng.uniform(-1, 1) * r / 111000 / max(math.cos(math.radians(lat)), 0.1)
            y = lat + rng.uniform(-1, 1) * r / 111000
            if not (-180 <= x <= 180 and G.LAT_MIN <= y <= G.LAT_MAX):
                continue
            s = G.score_of(x, y)
            px, py = G.decode_score(float(s))
            if G.distance(lon, lat, px, py) <= r:
                assert any(lo <= s < hi for lo, hi in ranges)


def test_search_ranges_skip_a_box_equal_to_the_previous_one():
    """Huge radii make neighbours coincide; the repeat right after the centre is kept
    (Redis's 'last processed' index is 0 there), later repeats are skipped."""
    boxes = G.search_boxes(0, 0, 1e7, 1e7, 1e7)
    ranges = G.search_ranges(0, 0, 1e7, 1e7, 1e7)
    kept = [b for b in boxes if b is not None]
    assert len(ranges) <= len(kept)
    for (lo, hi) in ranges:
        assert lo < hi


def test_distance():
    # GEODIST Sicily Palermo Catania in Redis's documentation: 166274.1516 m
    p = G.decode_score(float(G.score_of(13.361389, 38.115556)))
    c = G.decode_score(float(G.score_of(15.087269, 37.502669)))
    assert G.fixed4(G.distance(*p, *c)) == b"166274.1516"
    assert G.distance(10, 10, 10, 10) == 0.0
    assert G.distance(10, 0, 10, 1) == pytest.approx(G.EARTH_RADIUS * math.pi / 180)
    assert G.distance(0, 0, 180, 0) == pytest.approx(G.EARTH_RADIUS * math.pi)


def test_in_box():
    # a point 1 degree east of the centre on the equator is ~111 km away
    assert G.in_box(300000, 10, 0, 0, 1, 0) == pytest.approx(111226.3, rel=1e-4)
    assert G.in_box(300000, 10, 0, 0, 0, 1) is None
    assert G.in_box(100000, 300000, 0, 0, 1, 0) is None


def test_fixed4():
    assert G.fixed4(0.0) == b"0.0000"
    assert G.fixed4(-0.0) == b"0.0000"
    assert G.fixed4(1.23456) == b"1.2346"
    assert G.fixed4(0.00025) == b"0.0002"  # llrint rounds half to even
    assert G.fixed4(12345.67895) == b"12345.6790"
    assert G.fixed4(-1.5) == b"-1.5000"
    assert G.fixed4(math.nan) == b"-922337203685477.5808"  # llrint overflow: LLONG_MIN


def test_human():
    assert G.human(1.0) == b"1"
    assert G.human(-0.0) == b"0"
    assert G.human(-1e-18) == b"0"
    assert G.human(0.1) == b"0.10000000000000001"
    assert G.human(-12.5) == b"-12.5"
    assert G.human(math.inf) == b"inf"


def test_decode_score_is_decode_area_centred_and_clamped():
    """The inlined decoder agrees with geohashDecode + geohashDecodeAreaToLongLat."""
    rng = random.Random(12)
    for _ in range(5000):
        s = rng.choice([float(rng.getrandbits(52)), rng.uniform(-1e20, 1e20), float(rng.getrandbits(54)),
                        rng.random() * 10, -rng.random()])
        a = G.decode_area(G.score_bits(s), G.STEP_MAX)
        x = min(max((a[0] + a[1]) / 2, G.LONG_MIN), G.LONG_MAX)
        y = min(max((a[2] + a[3]) / 2, G.LAT_MIN), G.LAT_MAX)
        assert G.decode_score.__wrapped__(s) == (x, y), s
