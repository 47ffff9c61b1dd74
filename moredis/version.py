"""Version numbers: moredis's own, and the Redis version it answers as."""

__version__ = "0.1.0"
REDIS_VERSION = "7.4.1"
REDIS_VERSION_NUM = 0x00070401
