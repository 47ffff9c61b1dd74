"""Number parsing and printing as Redis does it (string2ll, string2d, d2string, ld2string)."""

import math

import pytest

from moredis.numbers import d2string, ld2string_human, ld_add, parse_long_double, string2d, string2ll


@pytest.mark.parametrize("s,v", [(b"0", 0), (b"-1", -1), (b"9223372036854775807", 2**63 - 1),
                                 (b"-9223372036854775808", -(2**63))])
def test_string2ll_ok(s, v):
    assert string2ll(s) == v


@pytest.mark.parametrize("s", [b"", b"+1", b"01", b"-0", b" 1", b"1 ", b"1_0", b"9223372036854775808", b"0x1"])
def test_string2ll_refuses(s):
    assert string2ll(s) is None


def test_string2d():
    assert string2d(b"1.5") == 1.5
    assert string2d(b"+inf") == math.inf
    assert string2d(b"0x10") == 16.0
    for bad in (b"", b" 1", b"1 ", b"nan", b"abc", b"1_0"):
        assert string2d(bad) is None


@pytest.mark.parametrize("x,s", [
    (1e20, b"1e+20"), (1e17, b"100000000000000000"), (123456789012345678.0, b"123456789012345680"),
    (0.0001, b"0.0001"), (1.5e-5, b"0.000015"), (3.0, b"3"), (0.1, b"0.1"), (1e300, b"1e+300"),
    (-1e-300, b"-1e-300"), (1.7976931348623157e308, b"1.7976931348623157e+308"), (5e-324, b"5e-324"),
    (12345.678, b"12345.678"), (5e18, b"5e+18"), (1.23456789e-7, b"1.23456789e-7"),
    (1e23, b"99999999999999990000000"), (123e-7, b"1.23e-5"), (math.inf, b"inf"), (-math.inf, b"-inf"),
])
def test_d2string_matches_redis(x, s):
    # values read off Redis 7.4 (ZADD then ZSCORE)
    assert d2string(x) == s


def test_long_double_human():
    a = parse_long_double(b"10.5")
    assert ld2string_human(ld_add(a, parse_long_double(b"0.1"))) == b"10.6"
    assert ld2string_human(parse_long_double(b"1e20")) == b"100000000000000000000"
    assert ld2string_human(parse_long_double(b"1.5e-5")) == b"0.000015"
    assert ld2string_human(parse_long_double(b"-0")) == b"0"
