"""AOF pieces in-process, no sockets: the manifest format and its errors, the command
reader, the rewrite in command form, what the feed writes for commands, transactions
and databases, and loading (truncated tails, transactions cut short, bad files, keys
that must not expire while loading)."""

from __future__ import annotations

import os
import time

import pytest

from moredis.persistence import aofrw
from moredis.persistence.aofread import AofFormatError, AofTruncated, iter_commands, rdb_end
from moredis.persistence.manifest import Manifest, ManifestError, write_manifest
from moredis.server.admin import StartupError
from moredis.server.config import Config
from moredis.server.server import RedisServer

# --- manifest ---------------------------------------------------------------------------------


def test_manifest_round_trip_and_order():
    m = Manifest()
    assert m.new_base("appendonly.aof", True) == "appendonly.aof.1.base.rdb"
    assert m.new_incr("appendonly.aof") == "appendonly.aof.1.incr.aof"
    assert m.new_incr("appendonly.aof") == "appendonly.aof.2.incr.aof"
    assert m.new_base("appendonly.aof", False) == "appendonly.aof.2.base.aof"
    m.mark_rewritten_incr_as_history(keep_last=True)
    text = m.to_text()
    assert text == ("file appendonly.aof.2.base.aof seq 2 type b\n"
                    "file appendonly.aof.1.incr.aof seq 1 type h\n"
                    "file appendonly.aof.1.base.rdb seq 1 type h\n"
                    "file appendonly.aof.2.incr.aof seq 2 type i\n")
    back = Manifest.parse(text.encode())
    assert back.to_text() == text
    assert (back.curr_base_seq, back.curr_incr_seq) == (2, 2)
    assert back.last_incr("appendonly.aof") == "appendonly.aof.2.incr.aof"


def test_manifest_quotes_odd_names_and_reads_them_back():
    m = Manifest()
    m.new_base('my file"\n.aof', True)
    text = m.to_text()
    assert text == 'file "my file\\"\\n.aof.1.base.rdb" seq 1 type b\n'
    assert Manifest.parse(text.encode()).base.name == 'my file"\n.aof.1.base.rdb'


def test_manifest_comments_unknown_keys_and_case():
    m = Manifest.parse(b"# a comment\nFILE a.1.base.rdb SEQ 1 TYPE b extra x\nfile a.1.incr.aof seq 1 type i\n")
    assert m.base.name == "a.1.base.rdb" and [i.name for i in m.incr] == ["a.1.incr.aof"]


@pytest.mark.parametrize("text,err,line", [
    (b"", "Found an empty AOF manifest", None),
    (b"file a seq 1 type b", "The AOF manifest file contains too long line", None),  # no newline at the end
    (b"file " + b"a" * 1100 + b" seq 1 type b\n", "The AOF manifest file contains too long line", None),
    (b"\n", "Invalid AOF manifest file format", 1),
    (b"file a seq 1\n", "Invalid AOF manifest file format", 1),
    (b"file a seq 1 type b x\n", "Invalid AOF manifest file format", 1),
    (b"file a seq 0 type b\n", "Invalid AOF manifest file format", 1),
    (b"file a seq x type b\n", "Invalid AOF manifest file format", 1),
    (b'file "a seq 1 type b\n', "Invalid AOF manifest file format", 1),
    (b"file d/a seq 1 type b\n", "File can't be a path, just a filename", 1),
    (b"file a seq 1 type b\nfile b seq 2 type b\n", "Found duplicate base file information", 2),
    (b"file a seq 2 type i\nfile b seq 2 type i\n", "Found a non-monotonic sequence number", 2),
    (b"file a seq 1 type x\n", "Unknown AOF file type", 1),
])
def test_manifest_errors_are_redis_texts(text, err, line):
    with pytest.raises(ManifestError) as ei:
        Manifest.parse(text)
    assert ei.value.msg == err
    assert (ei.value.linenum if ei.value.line is not None else None) == line


def test_write_manifest_is_atomic(tmp_path):
    m = Manifest()
    m.new_base("x.aof", True)
    assert write_manifest(str(tmp_path), "x.aof", m) is None
    assert sorted(os.listdir(tmp_path)) == ["x.aof.manifest"]
    assert (tmp_path / "x.aof.manifest").read_text() == "file x.aof.1.base.rdb seq 1 type b\n"
    assert write_manifest(str(tmp_path / "missing"), "x.aof", m).startswith("Can't open the AOF manifest file")


# --- the command reader --------------------------------------------------------------------------

CMD_SET = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"


def test_iter_commands_reads_annotations_and_binary():
    data = b"#TS:1700000000\r\n" + CMD_SET + b"*2\r\n$3\r\nGET\r\n$4\r\n\r\n\x00\xff\r\n"
    got = list(iter_commands(data))
    assert got[0] == ([b"SET", b"k", b"v"], 16 + len(CMD_SET))
    assert got[1][0] == [b"GET", b"\r\n\x00\xff"] and got[1][1] == len(data)


@pytest.mark.parametrize("cut", range(1, len(CMD_SET)))
def test_every_cut_of_a_command_is_a_short_read(cut):
    data = CMD_SET + CMD_SET[:cut]
    it = iter_commands(data)
    assert next(it)[1] == len(CMD_SET)
    with pytest.raises(AofTruncated) as ei:
        next(it)
    assert ei.value.pos == len(CMD_SET)


@pytest.mark.parametrize("bad", [b"x", b"SET k v\r\n", b"*0\r\n", b"*-1\r\n", b"*abc\r\n", b"*1\r\nfoo\r\n",
                                 b"*1\r\n$-1\r\n", b"\r\n", b"*\r\n"])
def test_format_errors(bad):
    with pytest.raises(AofFormatError) as ei:
        list(iter_commands(CMD_SET + bad))
    assert ei.value.pos == len(CMD_SET)


def test_unchecked_crlf_after_an_argument_like_redis():
    assert next(iter_commands(b"*1\r\n$4\r\nPINGxx"))[0] == [b"PING"]


def test_rdb_end_finds_the_tail(tmp_path):
    srv = RedisServer()
    srv.dbs[0].data[b"k"] = b"v"
    from moredis.persistence import rdb

    class F:
        def __init__(self):
            self.b = bytearray()

        def write(self, x):
            self.b += x

    f = F()
    rdb.write_rdb(srv, rdb.Sink(f, True))
    body = bytes(f.b)
    assert rdb_end(body + CMD_SET) == len(body)


# --- the rewrite in command form ------------------------------------------------------------------

class _Buf:
    def __init__(self):
        self.data = b""

    def write(self, b):
        self.data += b


def _rewrite(srv, **kw) -> list[list[bytes]]:
    f = _Buf()
    aofrw.write_dataset(srv, f, **kw)
    return [argv for argv, _ in iter_commands(f.data)]


def _srv_with(*cmds):
    from harness import Harness

    h = Harness()
    for c in cmds:
        r = h(*c)
        assert not (isinstance(r, str) and type(r).__name__ == "Err"), (c, r)
    return h.srv


def test_rewrite_commands_per_type():
    srv = _srv_with(("SET", "s", "v"), ("INCR", "n"), ("RPUSH", "l", "a", "b"), ("SADD", "st", "1"),
                    ("ZADD", "z", "1.5", "a", "inf", "b", "100", "c"), ("HSET", "h", "f", "v"),
                    ("PEXPIREAT", "s", "4102444800000"), ("SELECT", "3"), ("SET", "other", "x"))
    cmds = _rewrite(srv)
    assert cmds[0] == [b"SELECT", b"0"]
    assert [b"SET", b"s", b"v"] in cmds and [b"PEXPIREAT", b"s", b"4102444800000"] in cmds
    assert cmds.index([b"PEXPIREAT", b"s", b"4102444800000"]) == cmds.index([b"SET", b"s", b"v"]) + 1
    assert [b"SET", b"n", b"1"] in cmds
    assert [b"RPUSH", b"l", b"a", b"b"] in cmds
    assert [b"SADD", b"st", b"1"] in cmds
    assert [b"ZADD", b"z", b"1.5", b"a", b"100", b"c", b"inf", b"b"] in cmds
    assert [b"HMSET", b"h", b"f", b"v"] in cmds
    assert cmds[-2:] == [[b"SELECT", b"3"], [b"SET", b"other", b"x"]]


def test_rewrite_batches_64_items():
    srv = _srv_with(("RPUSH", "l", *[str(i) for i in range(130)]), ("HSET", "h", *[str(i) for i in range(130)]))
    cmds = _rewrite(srv)
    rp = [c for c in cmds if c[0] == b"RPUSH"]
    assert [len(c) - 2 for c in rp] == [64, 64, 2]
    assert [x for c in rp for x in c[2:]] == [str(i).encode() for i in range(130)]
    hm = [c for c in cmds if c[0] == b"HMSET"]
    assert [len(c) - 2 for c in hm] == [128, 2]


def test_rewrite_hash_field_ttls_and_streams():
    srv = _srv_with(("HSET", "h", "a", "1", "b", "2"), ("HPEXPIREAT", "h", "4102444800000", "FIELDS", "1", "a"),
                    ("XADD", "x", "1-1", "f", "v"), ("XADD", "x", "2-2", "f", "w"), ("XDEL", "x", "1-1"),
                    ("XGROUP", "CREATE", "x", "g", "0"), ("XGROUP", "CREATECONSUMER", "x", "g", "idle"),
                    ("XADD", "e", "5-5", "a", "b"), ("XDEL", "e", "5-5"))
    cmds = _rewrite(srv)
    assert [b"HMSET", b"h", b"a", b"1"] in cmds and [b"HMSET", b"h", b"b", b"2"] in cmds
    assert [b"HPEXPIREAT", b"h", b"4102444800000", b"FIELDS", b"1", b"a"] in cmds
    assert [b"XADD", b"x", b"2-2", b"f", b"w"] in cmds
    assert not any(c[:3] == [b"XADD", b"x", b"1-1"] for c in cmds)
    assert [b"XSETID", b"x", b"2-2", b"ENTRIESADDED", b"2", b"MAXDELETEDID", b"1-1"] in cmds
    assert [b"XGROUP", b"CREATE", b"x", b"g", b"0-0", b"ENTRIESREAD", b"-1"] in cmds  # unknown: -1
    assert [b"XGROUP", b"CREATECONSUMER", b"x", b"g", b"idle"] in cmds
    assert [b"XADD", b"e", b"MAXLEN", b"0", b"0-1", b"x", b"y"] in cmds
    assert [b"XSETID", b"e", b"5-5", b"ENTRIESADDED", b"1", b"MAXDELETEDID", b"5-5"] in cmds


def test_rewrite_timestamp_and_functions():
    srv = _srv_with(("SET", "k", "v"))
    t = int(time.time())
    f = _Buf()
    aofrw.write_dataset(srv, f, timestamp=True)
    assert f.data.startswith(b"#TS:")
    assert abs(int(f.data[4:f.data.index(b"\r")]) - t) <= 2


@pytest.mark.parametrize("x,text", [(3.0, b"3"), (0.1, b"0.1"), (1e20, b"1e+20"), (1e17, b"1e+17"),
                                    (-0.0, b"-0"), (0.0, b"0"), (float("inf"), b"inf"), (float("-inf"), b"-inf")])
def test_scores_print_as_fpconv(x, text):
    assert aofrw.dbl(x) == text


# --- a server writing and loading in a temp dir -------------------------------------------------

def _server(tmp_path, **cfg) -> RedisServer:
    conf = Config()
    conf.values["dir"] = str(tmp_path)
    conf.values["save"] = []
    conf.values["appendonly"] = True
    for k, v in cfg.items():
        conf.values[k.replace("_", "-")] = v
    srv = RedisServer(conf)
    srv.log.quiet = True
    srv.log.keep = 200
    return srv


def _run(srv, c, *args):
    argv = [a if isinstance(a, bytes) else str(a).encode() for a in args]
    srv.process_command(c, argv)
    return c.w.take()


def _incr_file(tmp_path) -> bytes:
    d = tmp_path / "appendonlydir"
    names = [n for n in os.listdir(d) if n.endswith(".incr.aof")]
    assert len(names) == 1
    return (d / names[0]).read_bytes()


def test_start_creates_base_incr_and_manifest(tmp_path):
    srv = _server(tmp_path)
    srv.aof.load_at_startup()
    d = tmp_path / "appendonlydir"
    assert sorted(os.listdir(d)) == ["appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof",
                                     "appendonly.aof.manifest"]
    assert (d / "appendonly.aof.manifest").read_text() == ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                                                            "file appendonly.aof.1.incr.aof seq 1 type i\n")
    assert (d / "appendonly.aof.1.base.rdb").read_bytes()[:9] == b"REDIS0012"
    assert any("Creating AOF base file appendonly.aof.1.base.rdb on server start" in ln for ln in srv.log.lines)
    srv.aof.close()


def test_feed_writes_select_multi_and_wraps_several_effects(tmp_path):
    srv = _server(tmp_path)
    srv.aof.load_at_startup()
    c = srv.internal_client(2)
    _run(srv, c, "SET", "a", "1")
    _run(srv, c, "GET", "a")  # reads are not written
    _run(srv, c, "SELECT", "2")
    _run(srv, c, "MULTI")
    _run(srv, c, "INCR", "n")
    _run(srv, c, "SELECT", "0")
    _run(srv, c, "DEL", "a")
    _run(srv, c, "EXEC")
    srv.aof.feed(0, [[b"DEL", b"x"], [b"DEL", b"y"]])  # one command, two effects
    srv.aof.write_buffer()
    enc = aofrw.command
    assert _incr_file(tmp_path) == b"".join([
        enc([b"SELECT", b"0"]), enc([b"SET", b"a", b"1"]),
        enc([b"MULTI"]), enc([b"SELECT", b"2"]), enc([b"INCR", b"n"]), enc([b"SELECT", b"0"]),
        enc([b"DEL", b"a"]), enc([b"EXEC"]),
        enc([b"MULTI"]), enc([b"DEL", b"x"]), enc([b"DEL", b"y"]), enc([b"EXEC"])])
    srv.aof.close()


def test_timestamp_annotations(tmp_path):
    srv = _server(tmp_path, aof_timestamp_enabled=True)
    srv.aof.load_at_startup()
    c = srv.internal_client(2)
    _run(srv, c, "SET", "a", "1")
    _run(srv, c, "SET", "b", "2")
    srv.aof.write_buffer()
    data = _incr_file(tmp_path)
    assert data.startswith(b"#TS:") and data.count(b"#TS:") == 1
    srv.aof.close()


def test_set_ex_and_expire_are_written_absolute(tmp_path):
    srv = _server(tmp_path)
    srv.aof.load_at_startup()
    c = srv.internal_client(2)
    _run(srv, c, "SET", "a", "1", "EX", "100")
    _run(srv, c, "EXPIRE", "a", "200")
    srv.aof.write_buffer()
    cmds = [a for a, _ in iter_commands(_incr_file(tmp_path))]
    assert cmds[1][:4] == [b"SET", b"a", b"1", b"PXAT"]
    assert cmds[2][0] == b"PEXPIREAT"
    srv.aof.close()


def _write_aof(tmp_path, incr: bytes, base: bytes | None = None, more: list[bytes] = ()) -> None:
    d = tmp_path / "appendonlydir"
    d.mkdir(exist_ok=True)
    lines = []
    if base is not None:
        (d / "appendonly.aof.1.base.aof").write_bytes(base)
        lines.append("file appendonly.aof.1.base.aof seq 1 type b\n")
    for i, data in enumerate([incr, *more], 1):
        (d / f"appendonly.aof.{i}.incr.aof").write_bytes(data)
        lines.append(f"file appendonly.aof.{i}.incr.aof seq {i} type i\n")
    (d / "appendonly.aof.manifest").write_text("".join(lines))


def _loaded(tmp_path, **cfg) -> RedisServer:
    srv = _server(tmp_path, **cfg)
    srv.aof.load_at_startup()
    return srv


def _c(*argvs) -> bytes:
    return b"".join(aofrw.command([a.encode() if isinstance(a, str) else a for a in argv]) for argv in argvs)


def test_load_replays_base_and_incr_files(tmp_path):
    _write_aof(tmp_path, _c(["SELECT", "0"], ["INCR", "n"], ["SELECT", "1"], ["SET", "k", "v"]),
               base=_c(["SELECT", "0"], ["SET", "n", "41"], ["RPUSH", "l", "a", "b"]))
    srv = _loaded(tmp_path)
    assert srv.dbs[0].data[b"n"] in (42, b"42")
    assert list(srv.dbs[0].data[b"l"]) == [b"a", b"b"]
    assert srv.dbs[1].data[b"k"] == b"v"
    assert srv.stat_numcommands == 0  # AOF loading does not count as calls
    assert srv.aof.current_size == sum(os.path.getsize(tmp_path / "appendonlydir" / n)
                                       for n in ("appendonly.aof.1.base.aof", "appendonly.aof.1.incr.aof"))
    lines = "\n".join(srv.log.lines)
    assert "DB loaded from base file appendonly.aof.1.base.aof" in lines
    assert "DB loaded from incr file appendonly.aof.1.incr.aof" in lines
    srv.aof.close()


def test_keys_do_not_expire_while_loading(tmp_path):
    past = str(int(time.time() * 1000) - 10_000)
    _write_aof(tmp_path, _c(["SET", "k", "5", "PXAT", past], ["INCR", "k"], ["HSET", "h", "f", "1"],
                            ["PEXPIREAT", "h", past], ["HINCRBY", "h", "f", "1"]))
    srv = _loaded(tmp_path)
    db = srv.dbs[0]
    assert db.expires.get(b"k") == int(past) and db.expires.get(b"h") == int(past)  # Redis keeps the old TTLs
    assert db.lookup_read(b"k") is None  # and they expire once loaded
    srv.aof.close()


def test_transaction_runs_as_one(tmp_path):
    _write_aof(tmp_path, _c(["MULTI"], ["SET", "a", "1"], ["INCR", "a"], ["EXEC"]))
    srv = _loaded(tmp_path)
    assert srv.dbs[0].data[b"a"] in (2, b"2")
    srv.aof.close()


def test_truncated_tail_is_cut_when_allowed(tmp_path):
    good = _c(["SET", "a", "1"], ["SET", "b", "2"])
    _write_aof(tmp_path, good + _c(["SET", "c", "3"])[:-3])
    srv = _loaded(tmp_path)
    assert sorted(srv.dbs[0].data) == [b"a", b"b"]
    assert (tmp_path / "appendonlydir" / "appendonly.aof.1.incr.aof").read_bytes() == good
    lines = "\n".join(srv.log.lines)
    assert "!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!" in lines
    assert f"!!! Truncating the AOF appendonly.aof.1.incr.aof at offset {len(good)} !!!" in lines
    assert "AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled" in lines
    srv.aof.close()


def test_truncated_tail_refused_when_not_allowed(tmp_path):
    data = _c(["SET", "a", "1"]) + b"*2\r\n$3\r\nGE"
    _write_aof(tmp_path, data)
    srv = _server(tmp_path, aof_load_truncated=False)
    with pytest.raises(StartupError):
        srv.aof.load_at_startup()
    assert "Unexpected end of file reading the append only file appendonly.aof.1.incr.aof" in "\n".join(srv.log.lines)
    assert (tmp_path / "appendonlydir" / "appendonly.aof.1.incr.aof").read_bytes() == data


def test_torn_transaction_is_removed_whole(tmp_path):
    head = _c(["SET", "a", "1"])
    tx = _c(["MULTI"], ["SET", "b", "2"], ["EXEC"])
    _write_aof(tmp_path, head + tx[:-2])
    srv = _loaded(tmp_path)
    assert sorted(srv.dbs[0].data) == [b"a"]
    assert (tmp_path / "appendonlydir" / "appendonly.aof.1.incr.aof").read_bytes() == head
    srv.aof.close()


def test_unfinished_transaction_at_eof_is_reverted(tmp_path):
    head = _c(["SET", "a", "1"])
    _write_aof(tmp_path, head + _c(["MULTI"], ["SET", "b", "2"]))
    srv = _loaded(tmp_path)
    assert sorted(srv.dbs[0].data) == [b"a"]
    assert "Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof" in "\n".join(srv.log.lines)
    assert (tmp_path / "appendonlydir" / "appendonly.aof.1.incr.aof").read_bytes() == head
    srv.aof.close()


def test_torn_file_that_is_not_the_last_is_refused_untouched(tmp_path):
    torn = _c(["SET", "a", "1"]) + b"*1\r\n"
    _write_aof(tmp_path, torn, more=[_c(["SET", "b", "2"])])
    srv = _server(tmp_path)
    with pytest.raises(StartupError):
        srv.aof.load_at_startup()
    assert "Fatal error: the truncated file is not the last file" in "\n".join(srv.log.lines)
    assert (tmp_path / "appendonlydir" / "appendonly.aof.1.incr.aof").read_bytes() == torn


@pytest.mark.parametrize("bad,msg", [
    (b"xyz\r\n", "Bad file format reading the append only file appendonly.aof.1.incr.aof"),
    (_c(["NOSUCHCMD", "x"]), "Unknown command 'NOSUCHCMD' reading the append only file appendonly.aof.1.incr.aof"),
])
def test_bad_file_in_the_middle_is_refused(tmp_path, bad, msg):
    _write_aof(tmp_path, _c(["SET", "a", "1"]) + bad + _c(["SET", "b", "2"]))
    srv = _server(tmp_path)
    with pytest.raises(StartupError):
        srv.aof.load_at_startup()
    assert msg in "\n".join(srv.log.lines)


def test_error_replies_while_loading_are_logged(tmp_path):
    _write_aof(tmp_path, _c(["SET", "a", "x"], ["INCR", "a"], ["SET", "b", "1"]))
    srv = _loaded(tmp_path)
    assert srv.dbs[0].data[b"b"] == b"1"
    assert ("== CRITICAL == This server is sending an error to its AOF-loading-client: 'value is not an integer "
            "or out of range' after processing the command 'incr'") in "\n".join(srv.log.lines)
    srv.aof.close()


def test_missing_file_named_by_the_manifest_is_fatal(tmp_path):
    _write_aof(tmp_path, _c(["SET", "a", "1"]))
    os.unlink(tmp_path / "appendonlydir" / "appendonly.aof.1.incr.aof")
    srv = _server(tmp_path)
    with pytest.raises(StartupError):
        srv.aof.load_at_startup()
    assert ("Unable to obtain the AOF file appendonly.aof.1.incr.aof length. stat: No such file or directory"
            in "\n".join(srv.log.lines))


def test_bad_manifest_is_fatal_even_with_appendonly_no(tmp_path):
    d = tmp_path / "appendonlydir"
    d.mkdir()
    (d / "appendonly.aof.manifest").write_text("file a seq 1 type z\n")
    srv = _server(tmp_path, appendonly=False)
    with pytest.raises(StartupError):
        srv.aof.load_at_startup()
    lines = "\n".join(srv.log.lines)
    assert "*** FATAL AOF MANIFEST FILE ERROR ***" in lines and "Unknown AOF file type" in lines


def test_old_single_file_aof_is_migrated(tmp_path):
    (tmp_path / "appendonly.aof").write_bytes(_c(["SET", "old", "1"]))
    srv = _loaded(tmp_path)
    assert srv.dbs[0].data[b"old"] == b"1"
    d = tmp_path / "appendonlydir"
    assert (d / "appendonly.aof").exists() and not (tmp_path / "appendonly.aof").exists()
    assert (d / "appendonly.aof.manifest").read_text() == ("file appendonly.aof seq 1 type b\n"
                                                            "file appendonly.aof.1.incr.aof seq 1 type i\n")
    assert any("Successfully migrated an old-style AOF file (appendonly.aof)" in ln for ln in srv.log.lines)
    srv.aof.close()


def test_config_set_appendonly_no_then_yes_waits_for_the_rewrite(tmp_path):
    srv = _loaded(tmp_path)
    c = srv.internal_client(2)
    _run(srv, c, "SET", "a", "1")
    assert _run(srv, c, "CONFIG", "SET", "appendonly", "no").value == b"OK"
    assert srv.aof.fd == -1 and srv.aof.feed not in srv.propagators and srv.before_reply is None
    assert _run(srv, c, "CONFIG", "SET", "appendonly", "yes").value == b"OK"
    assert srv.aof.state == 2 and srv.aof.child_pid > 0  # WAIT_REWRITE, the child writes the base
    _run(srv, c, "SET", "b", "2")  # lands in the temporary incr file
    deadline = time.time() + 20
    while srv.aof.child_pid > 0 and time.time() < deadline:
        time.sleep(0.02)
        srv.aof.cron()
    assert srv.aof.state == 1
    d = tmp_path / "appendonlydir"
    m = Manifest.read(str(d / "appendonly.aof.manifest"))
    assert m.base.name == "appendonly.aof.2.base.rdb" and [i.name for i in m.incr] == ["appendonly.aof.2.incr.aof"]
    assert [a for a, _ in iter_commands((d / "appendonly.aof.2.incr.aof").read_bytes())] == [
        [b"SELECT", b"0"], [b"SET", b"b", b"2"]]
    srv.aof.close()


def test_debug_loadaof_entry_point_replays_the_files(tmp_path):
    srv = _loaded(tmp_path)
    c = srv.internal_client(2)
    _run(srv, c, "SET", "a", "1")
    _run(srv, c, "RPUSH", "l", "x")
    srv.dbs[0].data[b"ghost"] = b"not in the AOF"
    size = os.path.getsize(tmp_path / "appendonlydir" / "appendonly.aof.1.incr.aof")
    assert srv.aof.debug_loadaof()
    assert sorted(srv.dbs[0].data) == [b"a", b"l"]
    assert srv.dirty == 0
    assert os.path.getsize(tmp_path / "appendonlydir" / "appendonly.aof.1.incr.aof") > size  # the buffer went first
    n = os.path.getsize(tmp_path / "appendonlydir" / "appendonly.aof.1.incr.aof")
    srv.aof.write_buffer()
    assert os.path.getsize(tmp_path / "appendonlydir" / "appendonly.aof.1.incr.aof") == n  # the replay wrote nothing
    srv.aof.close()


def test_new_files_never_take_a_history_files_name(tmp_path):
    """A manifest whose incr line says history (damage: one flipped bit turns 'i' into
    'h'): that file is not loaded and is deleted as history, so the incr file opened at
    start-up must not get its name, or writes would go to a deleted file and the next
    start would find the manifest naming a file that is gone (Redis 7.4 reuses the name
    here). The sequence number moves past it instead."""
    _write_aof(tmp_path, _c(["SET", "old", "1"]), base=_c(["SET", "b", "1"]))
    d = tmp_path / "appendonlydir"
    m = d / "appendonly.aof.manifest"
    m.write_text(m.read_text().replace("type i", "type h"))
    srv = _loaded(tmp_path)
    assert srv.dbs[0].data.get(b"old") is None and srv.dbs[0].data[b"b"] == b"1"
    c = srv.internal_client(2)
    _run(srv, c, "SET", "new", "2")
    srv.aof.write_buffer()
    srv.aof.close()
    assert sorted(os.listdir(d)) == ["appendonly.aof.1.base.aof", "appendonly.aof.2.incr.aof",
                                     "appendonly.aof.manifest"]
    assert m.read_text() == ("file appendonly.aof.1.base.aof seq 1 type b\n"
                             "file appendonly.aof.2.incr.aof seq 2 type i\n")
    again = _loaded(tmp_path)
    assert again.dbs[0].data[b"new"] == b"2" and again.dbs[0].data[b"b"] == b"1"
    again.aof.close()
