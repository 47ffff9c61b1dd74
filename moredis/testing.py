"""pytest plugin: fixtures giving each test a fresh in-process moredis.

    def test_something(moredis_server):
        r = redis.Redis(port=moredis_server.port)

`moredis_server` starts a new server per test; `moredis_url` is its redis:// URL.
Registered through the `pytest11` entry point, so installing moredis is enough.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from moredis.embedded import Server


@pytest.fixture
def moredis_server() -> Iterator[Server]:
    with Server() as srv:
        yield srv


@pytest.fixture
def moredis_url(moredis_server: Server) -> str:
    return moredis_server.url
