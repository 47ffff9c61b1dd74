"""moredis: a Redis-compatible server in Python, extensible through a Python mirror of
the Redis Modules API (`moredis.module`)."""

from moredis.version import REDIS_VERSION, __version__

__all__ = ["REDIS_VERSION", "Server", "__version__"]


def __getattr__(name: str):
    if name == "Server":
        from moredis.embedded import Server

        return Server
    raise AttributeError(name)
