"""Context methods for blocking, thread-safe contexts, timers, event loop, command
filters, shared APIs, ACL/users and client information (mixed into Ctx)."""

from __future__ import annotations

from typing import Any

from moredis.module import blocking as B
from moredis.module import constants as K


class MoreMixin:
    __slots__ = ()

    # --- blocking clients (F19) --------------------------------------------------------
    def block_client(self, reply_cb: Any, timeout_cb: Any, free_privdata: Any, timeout_ms: int) -> Any:
        return B.block_client(self, reply_cb, timeout_cb, free_privdata, timeout_ms)

    def block_client_on_keys(self, reply_cb: Any, timeout_cb: Any, free_privdata: Any, timeout_ms: int,
                             keys: list[bytes], privdata: Any = None) -> Any:
        return B.block_client(self, reply_cb, timeout_cb, free_privdata, timeout_ms, keys, privdata)

    def block_client_on_keys_with_flags(self, reply_cb: Any, timeout_cb: Any, free_privdata: Any,
                                        timeout_ms: int, keys: list[bytes], privdata: Any = None,
                                        flags: int = 0) -> Any:
        return B.block_client(self, reply_cb, timeout_cb, free_privdata, timeout_ms, keys, privdata, flags)

    def signal_key_as_ready(self, key: bytes) -> None:
        ctx: Any = self
        ctx.srv.signal_key_ready(ctx.client.db, key)

    def is_blocked_reply_request(self) -> bool:
        return bool(self.blocked_reply)  # type: ignore[attr-defined]

    def is_blocked_timeout_request(self) -> bool:
        return bool(self.blocked_timeout)  # type: ignore[attr-defined]

    def get_blocked_client_private_data(self) -> Any:
        bc = self.blocked_client  # type: ignore[attr-defined]
        return bc.privdata if bc is not None else None

    def get_blocked_client_ready_key(self) -> bytes | None:
        return self.ready_key  # type: ignore[attr-defined]

    def get_blocked_client_handle(self) -> Any:
        return self.blocked_client  # type: ignore[attr-defined]

    def blocked_client_disconnected(self) -> bool:
        bc = self.blocked_client  # type: ignore[attr-defined]
        return bool(bc is not None and bc.disconnected)

    # --- thread safe contexts (F20) ----------------------------------------------------
    def get_thread_safe_context(self, bc: Any = None) -> Any:
        ctx: Any = self
        return B.thread_safe_context(ctx.srv, ctx.module, bc)

    def get_detached_thread_safe_context(self) -> Any:
        ctx: Any = self
        return B.thread_safe_context(ctx.srv, ctx.module, None)

    def free_thread_safe_context(self) -> None:
        ctx: Any = self
        ctx._finish()

    def thread_safe_context_lock(self) -> None:
        B.lock(self)

    def thread_safe_context_try_lock(self) -> int:
        return B.try_lock(self)

    def thread_safe_context_unlock(self) -> None:
        B.unlock(self)

    # --- timers (F21), event loop (F23) ---------------------------------------------------
    def create_timer(self, period_ms: int, callback: Any, data: Any = None) -> int:
        return B.create_timer(self, period_ms, callback, data)

    def stop_timer(self, timer_id: int) -> tuple[int, Any]:
        return B.stop_timer(self, timer_id)

    def get_timer_info(self, timer_id: int) -> tuple[int, int, Any]:
        return B.get_timer_info(self, timer_id)

    def event_loop_add(self, fd: int, mask: int, callback: Any, data: Any = None) -> int:
        return B.event_loop_add(self.srv, fd, mask, callback, data)  # type: ignore[attr-defined]

    def event_loop_del(self, fd: int, mask: int) -> int:
        return B.event_loop_del(self.srv, fd, mask)  # type: ignore[attr-defined]

    def event_loop_add_oneshot(self, callback: Any, data: Any = None) -> int:
        return B.event_loop_add_oneshot(self.srv, callback, data)  # type: ignore[attr-defined]

    # --- command filters (F15) ---------------------------------------------------------
    def register_command_filter(self, callback: Any, flags: int = 0) -> Any:
        ctx: Any = self
        return ctx.srv.modules.register_filter(ctx.module, callback, flags)

    def unregister_command_filter(self, f: Any) -> int:
        ctx: Any = self
        if f is None or f.module is not ctx.module:
            return K.ERR
        return ctx.srv.modules.unregister_filter(f)

    # --- shared APIs (F39) ----------------------------------------------------------------
    def export_shared_api(self, name: str, obj: Any) -> int:
        ctx: Any = self
        apis = ctx.srv.__dict__.setdefault("shared_apis", {}) if hasattr(ctx.srv, "__dict__") else {}
        if name in apis:
            return K.ERR
        apis[name] = (ctx.module, obj)
        ctx.module.exported[name] = obj
        return K.OK

    def get_shared_api(self, name: str) -> Any:
        """The exported object, or None; using it makes this module depend on the exporter."""
        ctx: Any = self
        entry = getattr(ctx.srv, "shared_apis", {}).get(name)
        if entry is None:
            return None
        owner, obj = entry
        if owner is not ctx.module:
            ctx.module.using.add(owner.name)
        return obj

    # --- client info (F17) ----------------------------------------------------------------
    def get_client_info_by_id(self, client_id: int) -> Any:
        from moredis.server.modules import _client_info

        c = self.srv.clients.get(client_id)  # type: ignore[attr-defined]
        return _client_info(c) if c is not None else None

    def get_client_name_by_id(self, client_id: int) -> bytes | None:
        c = self.srv.clients.get(client_id)  # type: ignore[attr-defined]
        return c.name if c is not None else None

    def set_client_name_by_id(self, client_id: int, name: bytes) -> int:
        from moredis.commands.connection import _valid_name

        c = self.srv.clients.get(client_id)  # type: ignore[attr-defined]
        if c is None or not _valid_name(name):
            return K.ERR
        c.name = name or None
        return K.OK

    def get_client_user_name_by_id(self, client_id: int) -> str | None:
        c = self.srv.clients.get(client_id)  # type: ignore[attr-defined]
        if c is None or c.user is None:
            return None
        return c.user.name
