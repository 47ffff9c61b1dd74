"""The context methods of the keyspace families that live in their own files: scan
(scan.py), cluster helpers (cluster.py), fork (fork.py), defrag registration
(defrag.py), whole-dataset RDB load/save (rdbstream.py), plus a module type value saved
as a string (datatype.py), gathered in one mixin for Ctx.
"""

from __future__ import annotations

from typing import Any

from moredis.module.cluster import ClusterMixin
from moredis.module.defrag import DefragMixin
from moredis.module.fork import ForkMixin
from moredis.module.rdbstream import RdbStreamMixin
from moredis.module.scan import ScanMixin


class KeysCtxMixin(ScanMixin, ClusterMixin, ForkMixin, DefragMixin, RdbStreamMixin):
    __slots__ = ()

    def save_data_type_to_string(self, data: Any, mt: Any) -> bytes | None:
        """RedisModule_SaveDataTypeToString: `data` serialized by `mt`'s rdb_save (read it
        back with rm.load_data_type_from_string); None when the save failed."""
        from moredis.module.datatype import save_data_type_to_string

        return save_data_type_to_string(self.srv, data, mt)  # type: ignore[attr-defined]
