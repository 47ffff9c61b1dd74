"""Defrag registrations are accepted and recorded (no defrag cycle runs in moredis, see
moredis/module/defrag.py), and DefragCtx answers as in a cycle with nothing to move."""

from __future__ import annotations

from moredis import module as rm


def test_registrations_recorded(modserver):
    s = modserver("defrag")
    assert s.client().ping()
    m = s.core.modules.get("defragtest")
    assert m.defrag_func.__name__ == "global_defrag"
    assert len(m.defrag_callbacks) == 2
    assert s.core.modules.find_type_by_name("frag_type").methods.defrag.__name__ == "type_defrag"


def test_defrag_ctx():
    d = rm.DefragCtx(b"key", 3)
    assert d.get_key_name() == b"key" and d.get_db_id() == 3
    assert d.defrag_alloc(object()) is None  # nothing moves
    assert d.defrag_redis_module_string(b"s") is None
    assert d.defrag_alloc_raw(8) == bytearray(8)
    assert d.defrag_free_raw(bytearray(8)) is None
    assert d.should_stop() == 0
    assert d.cursor_set(5) == rm.ERR and d.cursor_get() is None  # only in a resumable key defrag
    late = rm.DefragCtx(b"key", 0, late=True)
    assert late.cursor_get() is None
    assert late.cursor_set(42) == rm.OK and late.cursor_get() == 42
