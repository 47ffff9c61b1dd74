"""Test module: server events (after Redis's tests/modules/hooks.c). Each event is
counted and its last value kept: hooks.event_count <name>, hooks.event_last <name>."""

from moredis import module as rm

events: dict[str, list] = {}


def log_event(name, value):
    events.setdefault(name, []).append(value)


def client_change(ctx, e, sub, ci):
    log_event("client-connected" if sub == rm.SUBEVENT_CLIENT_CHANGE_CONNECTED else "client-disconnected", ci.id)


def flushdb(ctx, e, sub, fi):
    if sub == rm.SUBEVENT_FLUSHDB_START:
        # START comes before the flush: the keys are still there
        log_event("flush-start", fi.dbnum)
        log_event("flush-start-dbsize", ctx.db_size())
    else:
        log_event("flush-end", fi.dbnum)
        log_event("flush-end-dbsize", ctx.db_size())
    log_event("flush-sync", fi.sync)


def cron(ctx, e, sub, ci):
    log_event("cron-loop", ci.hz)


def module_change(ctx, e, sub, mi):
    log_event("module-loaded" if sub == rm.SUBEVENT_MODULE_LOADED else "module-unloaded",
              f"{mi.module_name}:{mi.module_version}")


def swapdb(ctx, e, sub, si):
    log_event("swapdb-first", si.dbnum_first)
    log_event("swapdb-second", si.dbnum_second)


def config_change(ctx, e, sub, cc):
    log_event("config-change-count", cc.num_changes)
    log_event("config-change-first", cc.config_names[0])


def key_info(ctx, e, sub, ki):
    k = ki.key
    name = k.get_key_name()
    # the key is still in the keyspace while the event runs: reopening it finds it
    # (an expired key is logically gone already, so only for the other subevents)
    if sub != rm.SUBEVENT_KEY_EXPIRED:
        again = ctx.open_key(name, rm.READ)
        if again is None or again.value_length() != k.value_length():
            log_event("reopen-failed", name.decode())
    value = k.string_dma() if k.type() == rm.KEYTYPE_STRING else b""
    kind = {rm.SUBEVENT_KEY_DELETED: "deleted", rm.SUBEVENT_KEY_EXPIRED: "expired",
            rm.SUBEVENT_KEY_EVICTED: "evicted", rm.SUBEVENT_KEY_OVERWRITTEN: "overwritten"}[sub]
    log_event("key-info-" + name.decode(), bytes(value).decode())
    log_event(kind, name.decode())


def generic(name):
    def cb(ctx, e, sub, data):
        log_event(f"{name}-{sub}", sub)

    return cb


def eventloop(ctx, e, sub, data):
    log_event("before-sleep" if sub == rm.SUBEVENT_EVENTLOOP_BEFORE_SLEEP else "after-sleep", sub)


def shutdown(ctx, e, sub, data):
    ctx.log("warning", "Shutdown event received by the hooks module")
    log_event("shutdown", sub)


def event_count(ctx, argv):
    return ctx.reply_with_long_long(len(events.get(argv[1].decode(), [])))


def event_last(ctx, argv):
    vals = events.get(argv[1].decode())
    if not vals:
        return ctx.reply_with_null()
    v = vals[-1]
    if isinstance(v, int):
        return ctx.reply_with_long_long(v)
    return ctx.reply_with_cstring(str(v))


def clear(ctx, argv):
    events.clear()
    return ctx.reply_with_simple_string("OK")


def subscribe(ctx, argv):
    """hooks.subscribe <event id> [off]: subscribe (or not) to one more event at run time."""
    ev = int(argv[1])
    cb = None if argv[2:] == [b"off"] else {rm.EVENT_EVENTLOOP: eventloop, rm.EVENT_CRON_LOOP: cron}.get(
        ev, generic(f"event{ev}"))
    return ctx.reply_with_long_long(ctx.subscribe_to_server_event(ev, cb))


def supported(ctx, argv):
    return ctx.reply_with_long_long(int(rm.is_sub_event_supported(int(argv[1]), int(argv[2]))))


def on_load(ctx, args):
    if ctx.init("testhook", 1, rm.APIVER_1) == rm.ERR:
        return rm.ERR
    events.clear()
    sub = ctx.subscribe_to_server_event
    sub(rm.EVENT_CLIENT_CHANGE, client_change)
    sub(rm.EVENT_FLUSHDB, flushdb)
    sub(rm.EVENT_MODULE_CHANGE, module_change)
    sub(rm.EVENT_SWAPDB, swapdb)
    sub(rm.EVENT_CONFIG, config_change)
    sub(rm.EVENT_KEY, key_info)
    sub(rm.EVENT_SHUTDOWN, shutdown)
    for ev, name in [(rm.EVENT_PERSISTENCE, "persistence"), (rm.EVENT_LOADING, "loading"),
                     (rm.EVENT_LOADING_PROGRESS, "loading-progress"), (rm.EVENT_FORK_CHILD, "fork-child"),
                     (rm.EVENT_REPLICATION_ROLE_CHANGED, "role"), (rm.EVENT_REPLICA_CHANGE, "replica"),
                     (rm.EVENT_MASTER_LINK_CHANGE, "master-link"), (rm.EVENT_REPL_ASYNC_LOAD, "async-load")]:
        if sub(ev, generic(name)) == rm.ERR:
            return rm.ERR
    assert sub(18, generic("x")) == rm.ERR
    for name, fn in [("hooks.event_count", event_count), ("hooks.event_last", event_last),
                     ("hooks.clear", clear), ("hooks.subscribe", subscribe), ("hooks.supported", supported)]:
        ctx.create_command(name, fn, "", 0, 0, 0)
    return rm.OK
