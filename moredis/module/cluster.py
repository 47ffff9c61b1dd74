"""Cluster helpers (RedisModule_ClusterKeySlot, ClusterCanonicalKeyNameInSlot,
GetClusterSize, GetMyClusterID, GetClusterNodesList, GetClusterNodeInfo,
SetClusterFlags, RegisterClusterMessageReceiver, SendClusterMessage).

The two slot functions work in any mode. The others describe the cluster this server
belongs to; moredis has no cluster bus yet, so they answer as Redis does with cluster
mode off: size 0, no ID, no node list, ERR for node info (Redis 7.4 crashes there) and
for messages. Receivers registered while cluster-enabled is set are kept on the module
(`module.cluster_receivers`) for a future bus to deliver to.
FreeClusterNodesList has no Python form: the list is garbage collected.
Neighbours: ctx_keys.py (mixes ClusterMixin into Ctx).
"""

from __future__ import annotations

import binascii
from itertools import product
from typing import Any

from moredis.module import constants as K

CLUSTER_SLOTS = 16384
_NAME_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_canonical: list[str] | None = None


def cluster_key_slot(key: bytes | str) -> int:
    """RedisModule_ClusterKeySlot: keyHashSlot, CRC16 of the key or of its hash tag
    (what is between the first '{' and the next '}', when not empty) modulo 16384."""
    if isinstance(key, str):
        key = key.encode()
    s = key.find(b"{")
    if s >= 0:
        e = key.find(b"}", s + 1)
        if e > s + 1:
            return binascii.crc_hqx(key[s + 1:e], 0) & 0x3FFF
    return binascii.crc_hqx(key, 0) & 0x3FFF


def _canonical_names() -> list[str]:
    """Redis's crc16_slot_table: for every slot, the first name hashing to it among the
    strings of 1, 2, then 3 characters of [0-9a-zA-Z], in that character order."""
    global _canonical
    if _canonical is None:
        table: list[str | None] = [None] * CLUSTER_SLOTS
        left = CLUSTER_SLOTS
        crc = binascii.crc_hqx
        for n in (1, 2, 3):
            for t in product(_NAME_CHARS, repeat=n):
                name = "".join(t)
                slot = crc(name.encode(), 0) & 0x3FFF
                if table[slot] is None:
                    table[slot] = name
                    left -= 1
            if not left:
                break
        _canonical = table  # type: ignore[assignment]
    return _canonical  # type: ignore[return-value]


def cluster_canonical_key_name_in_slot(slot: int) -> str | None:
    """RedisModule_ClusterCanonicalKeyNameInSlot: a short key name that hashes to
    `slot` (the same names Redis gives), None for a slot out of range."""
    if not 0 <= slot < CLUSTER_SLOTS:
        return None
    return _canonical_names()[slot]


class ClusterMixin:
    __slots__ = ()

    def get_cluster_size(self) -> int:
        """RedisModule_GetClusterSize: the number of nodes; 0 without a cluster."""
        return 0

    def get_my_cluster_id(self) -> str | None:
        """RedisModule_GetMyClusterID: this node's 40-character ID; None without a cluster."""
        return None

    def get_cluster_nodes_list(self) -> list[str] | None:
        """RedisModule_GetClusterNodesList: the node IDs; None without a cluster."""
        return None

    def get_cluster_node_info(self, node_id: str) -> tuple[str, str | None, int, int] | None:
        """RedisModule_GetClusterNodeInfo: (ip, master ID or None, port, NODE_* flags);
        None (ERR) for an unknown node, so always without a cluster."""
        return None

    def set_cluster_flags(self, flags: int) -> None:
        """RedisModule_SetClusterFlags: CLUSTER_FLAG_NO_FAILOVER / NO_REDIRECTION, added
        to the server's (never cleared, as in Redis)."""
        srv: Any = self.srv  # type: ignore[attr-defined]
        srv.cluster_module_flags = getattr(srv, "cluster_module_flags", 0) | (
            flags & (K.CLUSTER_FLAG_NO_FAILOVER | K.CLUSTER_FLAG_NO_REDIRECTION))

    def register_cluster_message_receiver(self, msg_type: int, callback: Any) -> int:
        """RedisModule_RegisterClusterMessageReceiver: callback(ctx, sender_id, type,
        payload) for messages of `msg_type` (0-255); None unregisters. ERR (C: nothing
        happens) when cluster mode is off."""
        ctx: Any = self
        if not ctx.srv.config["cluster-enabled"] or not 0 <= msg_type <= 255:
            return K.ERR
        m = ctx.module
        receivers = getattr(m, "cluster_receivers", None)
        if receivers is None:
            receivers = m.cluster_receivers = {}
        if callback is None:
            receivers.pop(msg_type, None)
        else:
            receivers[msg_type] = callback
        return K.OK

    def send_cluster_message(self, target_id: str | None, msg_type: int, payload: bytes) -> int:
        """RedisModule_SendClusterMessage: to one node, or all when `target_id` is None;
        ERR without a cluster (there is no bus to carry it)."""
        return K.ERR
