"""Reply writers: RESP3 encodings and Redis's RESP2 downgrades; capture and replay."""

from moredis.protocol.writer import CaptureWriter, Resp2Writer, Resp3Writer, replay


def enc(cls, fn):
    w = cls([])
    fn(w)
    return b"".join(w.out)


def both(fn):
    return enc(Resp2Writer, fn), enc(Resp3Writer, fn)


def test_scalars():
    assert both(lambda w: w.null()) == (b"$-1\r\n", b"_\r\n")
    assert both(lambda w: w.null_array()) == (b"*-1\r\n", b"_\r\n")
    assert both(lambda w: w.boolean(True)) == (b":1\r\n", b"#t\r\n")
    assert both(lambda w: w.double(1.5)) == (b"$3\r\n1.5\r\n", b",1.5\r\n")
    assert both(lambda w: w.double(3.0)) == (b"$1\r\n3\r\n", b",3\r\n")
    assert both(lambda w: w.big_number(10**30)) == (b"$31\r\n" + b"1" + b"0" * 30 + b"\r\n",
                                                     b"(1" + b"0" * 30 + b"\r\n")
    assert both(lambda w: w.verbatim(b"hi")) == (b"$2\r\nhi\r\n", b"=6\r\ntxt:hi\r\n")
    # addReplyVerbatim's format: three bytes, up to a NUL, padded with spaces
    assert enc(Resp3Writer, lambda w: w.verbatim(b"hi", b"md")) == b"=6\r\nmd :hi\r\n"
    assert enc(Resp3Writer, lambda w: w.verbatim(b"hi", b"")) == b"=6\r\n   :hi\r\n"
    assert enc(Resp3Writer, lambda w: w.verbatim(b"hi", b"a\0b")) == b"=6\r\na  :hi\r\n"
    assert enc(Resp3Writer, lambda w: w.verbatim(b"hi", b"txtx")) == b"=6\r\ntxt:hi\r\n"
    assert both(lambda w: w.integer(5000)) == (b":5000\r\n", b":5000\r\n")


def test_error_newlines_become_spaces():
    assert enc(Resp2Writer, lambda w: w.error("ERR a\r\nb")) == b"-ERR a  b\r\n"


def test_aggregates_and_deferred():
    def fn(w):
        w.map(1)
        w.bulk(b"k")
        slot = w.deferred()
        w.integer(1)
        w.integer(2)
        w.set_set(slot, 2)
    assert both(fn) == (b"*2\r\n$1\r\nk\r\n*2\r\n:1\r\n:2\r\n", b"%1\r\n$1\r\nk\r\n~2\r\n:1\r\n:2\r\n")


def test_big_bulk_not_copied_into_header():
    data = b"x" * 100000
    w = Resp2Writer([])
    w.bulk(data)
    assert b"".join(w.out) == b"$100000\r\n" + data + b"\r\n"


def test_capture_and_replay_roundtrip():
    def fn(w):
        w.array(3)
        w.bulk(b"a")
        w.map(1)
        w.simple(b"x")
        w.double(2.5)
        slot = w.deferred()
        w.null()
        w.boolean(False)
        w.set_array(slot, 2)
    cw = CaptureWriter()
    fn(cw)
    node = cw.take()
    assert node.to_python() == [b"a", {b"x": 2.5}, [None, False]]
    for cls in (Resp2Writer, Resp3Writer):
        direct = enc(cls, fn)
        w = cls([])
        replay(w, node)
        assert b"".join(w.out) == direct
