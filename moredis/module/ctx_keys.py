"""The context methods of the keyspace families that live in their own files: scan
(scan.py), cluster helpers (cluster.py), fork (fork.py), defrag registration
(defrag.py) and whole-database RDB streams (rdbstream.py), gathered in one mixin for Ctx.
"""

from __future__ import annotations

from moredis.module.cluster import ClusterMixin
from moredis.module.defrag import DefragMixin
from moredis.module.fork import ForkMixin
from moredis.module.scan import ScanMixin


class KeysCtxMixin(ScanMixin, ClusterMixin, ForkMixin, DefragMixin):
    __slots__ = ()
