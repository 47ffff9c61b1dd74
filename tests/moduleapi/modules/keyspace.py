"""Test module: keyspace notification subscriptions, notify_keyspace_event, post
notification jobs (after Redis's tests/modules/keyspace_events.c and postnotifications.c)."""

from moredis import module as rm

seen: list[tuple[int, str, bytes]] = []


def on_any(ctx, type_, event, key):
    seen.append((type_, event, bytes(key)))
    return rm.OK


def on_string(ctx, type_, event, key):
    """Writes go through post jobs: string_x changes count string_changed{string_x}."""
    if key.startswith(b"string_") and not key.startswith(b"string_changed") and key != b"string_total":
        ctx.add_post_notification_job(post_string, b"string_changed{" + key + b"}")
    return rm.OK


def post_string(ctx, newkey):
    ctx.call("INCR", "!s", newkey)
    ctx.call("INCR", "!c", "string_total")


def on_expired(ctx, type_, event, key):
    ctx.add_post_notification_job(post_expired, key)
    return rm.OK


def post_expired(ctx, key):
    ctx.call("INCR", "!c", "expired")


def on_nested(ctx, type_, event, key):
    """A write straight from the callback: its own notification only reaches modules
    that allow nested notifications."""
    if key == b"nested_trigger":
        ctx.call("SET", "!cc", "nested_write", "1")
    return rm.OK


def events_cmd(ctx, argv):
    """keyspace.events [clear]: [type, event, key] of what was seen."""
    items = list(seen)
    if argv[1:] == [b"clear"]:
        seen.clear()
    ctx.reply_with_array(len(items))
    for t, e, k in items:
        ctx.reply_with_array(3)
        ctx.reply_with_long_long(t)
        ctx.reply_with_cstring(e)
        ctx.reply_with_string(k)
    return rm.OK


def notify_cmd(ctx, argv):
    """keyspace.notify key: a module event 'notify' on key."""
    ctx.notify_keyspace_event(rm.NOTIFY_MODULE, "notify", argv[1])
    return ctx.reply_with_simple_string("OK")


def flags_cmd(ctx, argv):
    ctx.reply_with_array(2)
    ctx.reply_with_long_long(ctx.get_notify_keyspace_events())
    return ctx.reply_with_long_long(ctx.get_keyspace_notification_flags_all())


def post_outside(ctx, argv):
    """Post jobs may only be added from notification callbacks while loading; otherwise OK."""
    return ctx.reply_with_long_long(ctx.add_post_notification_job(lambda c, d: None, None))


def on_load(ctx, args):
    if ctx.init("testkeyspace", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    mask = rm.NOTIFY_GENERIC | rm.NOTIFY_EXPIRED | rm.NOTIFY_MODULE | rm.NOTIFY_KEY_MISS | rm.NOTIFY_NEW | \
        rm.NOTIFY_LIST | rm.NOTIFY_HASH | rm.NOTIFY_STRING
    if b"nested" in args:
        ctx.set_module_options(rm.OPTIONS_ALLOW_NESTED_KEYSPACE_NOTIFICATIONS)
    if ctx.subscribe_to_keyspace_events(mask, on_any) == rm.ERR:
        return rm.ERR
    ctx.subscribe_to_keyspace_events(rm.NOTIFY_STRING, on_string)
    ctx.subscribe_to_keyspace_events(rm.NOTIFY_EXPIRED, on_expired)
    ctx.subscribe_to_keyspace_events(rm.NOTIFY_STRING, on_nested)
    for name, fn in [("keyspace.events", events_cmd), ("keyspace.notify", notify_cmd),
                     ("keyspace.flags", flags_cmd), ("keyspace.post_outside", post_outside)]:
        ctx.create_command(name, fn, "", 0, 0, 0)
    return rm.OK
