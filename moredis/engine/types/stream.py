"""The stream value (t_stream.c): entries ordered by ID, packed into nodes the way Redis
packs them into listpacks, plus consumer groups with their pending entries lists.

An ID is one Python int, `ms << 64 | seq`, so IDs compare and sort as Redis's 128-bit
big-endian radix tree keys do. Entries live in `Node`s that mirror Redis's listpack
nodes: a node starts with the fields of its first entry (the "master" fields), holds at
most stream-node-max-entries entries (deleted ones included) and stops taking entries
once its listpack byte size reaches stream-node-max-bytes. The byte size is tracked
exactly (same integer/string encodings as listpack.c), because approximate trimming
(MAXLEN ~ / MINID ~) removes whole nodes only, and what it removes is visible to
clients. Deleted entries stay in their node as tombstones (Redis only flags them) until
the whole node is empty, which also matters for trimming and XINFO.

Consumer groups: `Group` (last delivered ID, entries-read counter, the group PEL as a
dict id -> `NACK` plus a sorted id list), `Consumer` (its own sorted PEL ids) and `NACK`
(delivery time, delivery count, owner). Group and consumer names sort as raw bytes,
which is the order of Redis's radix trees.
Neighbours: commands/stream.py (the commands), engine/objects.py (registration),
engine/digest.py (DEBUG DIGEST-VALUE).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator
from typing import Any

from moredis.engine.digest import mix_digest
from moredis.engine.objects import OBJ_STREAM, register_type
from moredis.engine.types.list import lp_entry_size
from moredis.errors import RedisError

U64 = 1 << 64
MASK64 = U64 - 1
ID_MAX = (1 << 128) - 1  # UINT64_MAX-UINT64_MAX
LISTPACK_MAX_SIZE = 1 << 30  # STREAM_LISTPACK_MAX_SIZE
INVALID_ENTRIES_READ = -1  # SCG_INVALID_ENTRIES_READ
LP_HEADER_AND_END = 7

INVALID_ID = "ERR Invalid stream ID specified as stream command argument"

# flags of an entry inside a node (STREAM_ITEM_FLAG_*): all fit one listpack byte, so a
# flag change never changes a node's size
FLAG_DELETED = 1
FLAG_SAMEFIELDS = 2


# --- IDs ----------------------------------------------------------------------------------
def make_id(ms: int, seq: int) -> int:
    return ms << 64 | seq


def id_bytes(i: int) -> bytes:
    """The "ms-seq" text of an ID."""
    return b"%d-%d" % (i >> 64, i & MASK64)


_SPACES = b" \t\n\v\f\r"


def string2ull(s: bytes) -> int | None:
    """util.c string2ull: a canonical signed integer must not be negative; anything else
    goes through strtoull (leading spaces, a sign, leading zeros; '-' wraps modulo 2**64)."""
    n = len(s)
    if 0 < n < 21:
        c = s[0]
        if 49 <= c <= 57 or (c == 45 and n > 1 and 49 <= s[1] <= 57) or s == b"0":
            body = s[1:] if c == 45 else s
            if body.isdigit():
                v = int(s)
                if -(1 << 63) <= v < (1 << 63):
                    return None if v < 0 else v
    t = s.lstrip(_SPACES)
    neg = False
    if t[:1] in (b"+", b"-"):
        neg = t[:1] == b"-"
        t = t[1:]
    if not t or not t.isdigit() or not t.isascii():
        return None
    v = int(t)
    if v > MASK64:
        return None
    return (U64 - v) & MASK64 if neg else v


def parse_id(arg: bytes, missing_seq: int = 0, strict: bool = False) -> int:
    """streamGenericParseIDOrReply: "-", "+", "ms" (seq = missing_seq) or "ms-seq".
    Strict parsing refuses "-" and "+". The argument is read as a C string (up to a NUL)."""
    if len(arg) > 127:
        raise RedisError(INVALID_ID)
    if b"\0" in arg:
        arg = arg[: arg.index(b"\0")]
    if arg == b"-":
        if strict:
            raise RedisError(INVALID_ID)
        return 0
    if arg == b"+":
        if strict:
            raise RedisError(INVALID_ID)
        return ID_MAX
    dash = arg.find(b"-")
    if dash < 0:
        ms = string2ull(arg)
        seq: int | None = missing_seq
    else:
        ms = string2ull(arg[:dash])
        seq = string2ull(arg[dash + 1:])
    if ms is None or seq is None:
        raise RedisError(INVALID_ID)
    return ms << 64 | seq


def parse_add_id(arg: bytes) -> tuple[int, bool]:
    """The ID argument of XADD (strict): (id, seq_given); "ms-*" gives seq_given False."""
    if len(arg) <= 127:
        s = arg[: arg.index(b"\0")] if b"\0" in arg else arg
        dash = s.find(b"-")
        if dash >= 0 and s[dash + 1:] == b"*":
            ms = string2ull(s[:dash])
            if ms is None:
                raise RedisError(INVALID_ID)
            return ms << 64, False
    return parse_id(arg, 0, True), True


def c_str(arg: bytes) -> bytes:
    """What C code sees of an argument compared with strcmp: the bytes before a NUL."""
    return arg[: arg.index(b"\0")] if b"\0" in arg else arg


# --- listpack sizes -----------------------------------------------------------------------
def lp_int_size(v: int) -> int:
    """Bytes of an integer listpack element (encoding, data and back-length)."""
    if 0 <= v <= 127:
        return 2
    if -4096 <= v <= 4095:
        return 3
    if -32768 <= v <= 32767:
        return 4
    if -8388608 <= v <= 8388607:
        return 5
    if -2147483648 <= v <= 2147483647:
        return 6
    return 10


def jemalloc_size(n: int) -> int:
    """The jemalloc size class holding n bytes (8-byte quantum, 4 classes a doubling)."""
    if n <= 8:
        return 8
    if n <= 64:
        return (n + 7) & ~7
    step = 1 << ((n - 1).bit_length() - 3)
    return (n + step - 1) & ~(step - 1)


def _i64(v: int) -> int:
    """A uint64 difference as the int64 lpAppendInteger stores."""
    v &= MASK64
    return v - U64 if v >= 1 << 63 else v


def expand(v: Any, fields: tuple) -> tuple:
    """The flat (field, value, ...) tuple of a stored entry (see Node.vals)."""
    t = type(v)
    if t is bytes:
        return (fields[0], v)
    if t is tuple:
        flat: list = [None] * (2 * len(v))
        flat[0::2] = fields
        flat[1::2] = v
        return tuple(flat)
    return tuple(v)


class Node:
    """One listpack node of the stream's radix tree.

    `key` is the master ID (the first entry ever appended), `fields` the master fields,
    `ids`/`vals` every entry appended (tombstones included), `dead` the positions of
    deleted entries, `live` the entries
    not deleted, `lpbytes` the exact size of Redis's listpack for this node and `alloc`
    the size of its allocation (preallocated, grown and shrunk as listpack.c reallocs),
    which is what MEMORY USAGE adds up.

    `vals[i]` is stored compactly: an entry whose field names equal `fields` (Redis's
    SAMEFIELDS flag, which streamAppendItem sets on exactly that test) keeps only its
    values, as the value itself (one field) or a tuple of values; any other entry keeps
    a flat [field, value, ...] list. `expand(vals[i], fields)` gives the flat tuple.
    With `dead` (Redis's DELETED flag) that is the whole listpack layout."""

    __slots__ = ("alloc", "dead", "fields", "ids", "key", "live", "lpbytes", "vals")

    def __init__(self, key: int, fields: tuple, prealloc: int = 4096) -> None:
        self.key = key
        self.fields = fields
        self.ids: list[int] = []
        self.vals: list[Any] = []
        self.dead: set[int] | None = None
        self.live = 0
        nf = len(fields)
        self.lpbytes = LP_HEADER_AND_END + 2 + 2 + lp_int_size(nf) + sum(map(lp_entry_size, fields)) + 2
        self.alloc = jemalloc_size(max(prealloc, LP_HEADER_AND_END))
        if self.lpbytes > self.alloc:
            self.alloc = jemalloc_size(self.lpbytes)

    def grow(self, delta: int) -> None:
        """The listpack grew by delta bytes: realloc when it no longer fits."""
        b = self.lpbytes = self.lpbytes + delta
        if b > self.alloc:
            self.alloc = jemalloc_size(b)

    def resize(self, delta: int) -> None:
        """lpInsert replacing an element: a smaller listpack is always reallocated."""
        if delta < 0:
            self.lpbytes += delta
            self.alloc = jemalloc_size(self.lpbytes)
        elif delta:
            self.grow(delta)

    @classmethod
    def from_entries(cls, key: int, fields: tuple, entries: list[tuple[int, list[bytes], bool]]) -> Node:
        """A node rebuilt from its listpack contents (RDB loading): `entries` holds
        (id, [field, value, ...], deleted) in order; sizes as if allocated to fit."""
        node = cls(key, tuple(fields), 0)
        dead = set()
        for j, (i, fv, deleted) in enumerate(entries):
            nf = len(fv) >> 1
            same = tuple(fv[0::2]) == node.fields
            size = 2 + lp_int_size(_i64((i >> 64) - (key >> 64))) + lp_int_size(_i64((i & MASK64) - (key & MASK64)))
            if same:
                vals: Any = fv[1] if nf == 1 else tuple(fv[1::2])
                size += sum(map(lp_entry_size, fv[1::2])) + lp_int_size(nf + 3)
            else:
                vals = list(fv)
                size += lp_int_size(nf) + sum(map(lp_entry_size, fv)) + lp_int_size(2 * nf + 4)
            node.ids.append(i)
            node.vals.append(vals)
            node.lpbytes += size
            if deleted:
                dead.add(j)
        node.live = len(entries) - len(dead)
        node.dead = dead or None
        node.lpbytes += lp_int_size(node.live) - 2 + lp_int_size(len(dead)) - 2
        node.alloc = jemalloc_size(node.lpbytes)
        return node

    def entries(self) -> list[tuple[int, tuple, bool, bool]]:
        """(id, flat field/value tuple, deleted, samefields) of every entry, tombstones
        included, in listpack order (what an RDB writer serialises)."""
        fields = self.fields
        dead = self.dead or ()
        return [(i, expand(v, fields), j in dead, type(v) is not list)
                for j, (i, v) in enumerate(zip(self.ids, self.vals, strict=True))]

    def copy(self) -> Node:
        n = Node.__new__(Node)
        n.key = self.key
        n.fields = self.fields
        n.ids = self.ids[:]
        n.vals = self.vals[:]
        n.dead = set(self.dead) if self.dead else None
        n.live = self.live
        n.lpbytes = self.lpbytes
        n.alloc = jemalloc_size(self.lpbytes)  # streamDup allocates each listpack to size
        return n

    def is_dead(self, j: int) -> bool:
        d = self.dead
        return d is not None and j in d

    def mark_deleted(self, j: int) -> None:
        """Flag entry j deleted and update the live/deleted counters of the master entry."""
        d = self.dead
        if d is None:
            d = self.dead = set()
        ndead = len(d)
        d.add(j)
        live = self.live
        self.live = live - 1
        self.resize(lp_int_size(live - 1) - lp_int_size(live))
        self.resize(lp_int_size(ndead + 1) - lp_int_size(ndead))

    def mark_many(self, positions: list[int]) -> None:
        """streamTrim inside a node: flag entries, then rewrite both counters once."""
        d = self.dead
        if d is None:
            d = self.dead = set()
        ndead = len(d)
        d.update(positions)
        live = self.live
        k = len(positions)
        self.live = live - k
        self.resize(lp_int_size(live - k) - lp_int_size(live))
        self.resize(lp_int_size(ndead + k) - lp_int_size(ndead))


def _extend(out: list, ids: list[int], vals: list, fields: tuple) -> None:
    """Append (id, flat values) pairs for a run of live entries of one node."""
    if len(fields) == 1:
        f = fields[0]
        out.extend([(i, (f, v) if type(v) is bytes else expand(v, fields)) for i, v in zip(ids, vals, strict=True)])
    else:
        out.extend([(i, expand(v, fields)) for i, v in zip(ids, vals, strict=True)])


class NACK:
    """A pending entry: last delivery time (ms), delivery count, owning consumer."""

    __slots__ = ("consumer", "delivery_count", "delivery_time")

    def __init__(self, consumer: Consumer | None, now: int) -> None:
        self.consumer = consumer
        self.delivery_time = now
        self.delivery_count = 1


class Consumer:
    __slots__ = ("active_time", "name", "pel", "seen_time")

    def __init__(self, name: bytes, now: int) -> None:
        self.name = name
        self.pel: list[int] = []  # sorted IDs this consumer owns in the group PEL
        self.seen_time = now
        self.active_time = -1

    def pel_add(self, i: int) -> None:
        p = self.pel
        if not p or p[-1] < i:
            p.append(i)
        else:
            insort(p, i)

    def pel_remove(self, i: int) -> None:
        p = self.pel
        j = bisect_left(p, i)
        if j < len(p) and p[j] == i:
            del p[j]


class Group:
    __slots__ = ("consumers", "entries_read", "last_id", "name", "pel", "pel_ids")

    def __init__(self, name: bytes, last_id: int, entries_read: int) -> None:
        self.name = name
        self.last_id = last_id
        self.entries_read = entries_read
        self.pel: dict[int, NACK] = {}
        self.pel_ids: list[int] = []  # sorted keys of pel
        self.consumers: dict[bytes, Consumer] = {}

    def pel_insert(self, i: int, nack: NACK) -> None:
        self.pel[i] = nack
        p = self.pel_ids
        if not p or p[-1] < i:
            p.append(i)
        else:
            insort(p, i)

    def pel_delete(self, i: int) -> NACK | None:
        """Remove i from the group PEL and from its consumer's PEL."""
        nack = self.pel.pop(i, None)
        if nack is None:
            return None
        p = self.pel_ids
        j = bisect_left(p, i)
        del p[j]
        if nack.consumer is not None:
            nack.consumer.pel_remove(i)
        return nack

    def pel_from(self, start: int) -> int:
        """Index in pel_ids of the first ID >= start."""
        return bisect_left(self.pel_ids, start)

    def sorted_consumers(self) -> list[Consumer]:
        cs = self.consumers
        return [cs[k] for k in sorted(cs)]

    def create_consumer(self, name: bytes, now: int) -> Consumer | None:
        if name in self.consumers:
            return None
        cons = self.consumers[name] = Consumer(name, now)
        return cons

    def delete_consumer(self, cons: Consumer) -> None:
        """streamDelConsumer: its pending entries leave the group PEL too."""
        pel = self.pel
        pids = self.pel_ids
        for i in cons.pel:
            pel.pop(i, None)
            j = bisect_left(pids, i)
            if j < len(pids) and pids[j] == i:
                del pids[j]
        cons.pel = []
        del self.consumers[cons.name]


class Stream:
    """A stream value. Attributes mirror t_stream.c's `stream`: `length`, `last_id`,
    `first_id` (recorded first entry), `max_deleted` (max_deleted_entry_id),
    `entries_added`, `groups` (None until the first group, as Redis's cgroups)."""

    __slots__ = ("entries_added", "first_id", "groups", "last_id", "length", "max_deleted", "nodes", "starts")

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.starts: list[int] = []  # node keys, for bisect
        self.length = 0
        self.last_id = 0
        self.first_id = 0
        self.max_deleted = 0
        self.entries_added = 0
        self.groups: dict[bytes, Group] | None = None

    def add_node(self, node: Node) -> None:
        """Append a node built by Node.from_entries (RDB loading). The loader then sets
        last_id, first_id, max_deleted and entries_added from the payload."""
        self.nodes.append(node)
        self.starts.append(node.key)
        self.length += node.live

    def encoding(self) -> str:
        return "stream"

    def __len__(self) -> int:
        return self.length

    # --- appending --------------------------------------------------------------------
    def append(self, i: int, fv: list[bytes], max_bytes: int, max_entries: int, total: int = -1) -> None:
        """streamAppendItem after the ID checks: pack the entry like Redis does. `total`
        is the byte length of all fields and values (computed when not given)."""
        nodes = self.nodes
        nf = len(fv) >> 1
        node = nodes[-1] if nodes else None
        if node is not None:
            limit = max_bytes if 0 < max_bytes <= LISTPACK_MAX_SIZE else LISTPACK_MAX_SIZE
            if total < 0:
                total = sum(map(len, fv))
            if node.lpbytes + total >= limit or (max_entries and len(node.ids) >= max_entries):
                if node.alloc > node.lpbytes:  # lpShrinkToFit
                    node.alloc = jemalloc_size(node.lpbytes)
                node = None
        if node is None:
            fields = tuple(fv[0::2])
            node = Node(i, fields, max_bytes if 0 < max_bytes < 4096 else 4096)
            nodes.append(node)
            self.starts.append(i)
            same = True
        else:
            fields = node.fields
            if nf == 1:
                same = len(fields) == 1 and fields[0] == fv[0]
            else:
                same = len(fields) == nf and fields == tuple(fv[0::2])
        key = node.key
        d = (i >> 64) - (key >> 64)
        size = 4 if 0 <= d <= 127 else 2 + lp_int_size(_i64(d))  # flags + ms-diff
        d = (i & MASK64) - (key & MASK64)
        size += 2 if 0 <= d <= 127 else lp_int_size(_i64(d))  # seq-diff
        if same:
            # SAMEFIELDS: only the values are stored (the master holds the fields)
            if nf == 1:
                vals: Any = fv[1]
                size += lp_entry_size(vals)
            else:
                vals = tuple(fv[1::2])
                size += sum(map(lp_entry_size, vals))
            size += lp_int_size(nf + 3)
        else:
            vals = list(fv)
            size += lp_int_size(nf) + sum(map(lp_entry_size, fv)) + lp_int_size(2 * nf + 4)
        live = node.live
        if live:
            node.resize(lp_int_size(live + 1) - lp_int_size(live))
        b = node.lpbytes = node.lpbytes + size
        if b > node.alloc:
            node.alloc = jemalloc_size(b)
        node.live = live + 1
        node.ids.append(i)
        node.vals.append(vals)
        self.length += 1
        self.entries_added += 1
        self.last_id = i
        if self.length == 1:
            self.first_id = i

    # --- lookups ---------------------------------------------------------------------------
    def _locate(self, i: int) -> tuple[Node, int] | None:
        """The node and position holding ID i, tombstones included."""
        k = bisect_right(self.starts, i) - 1
        if k < 0:
            return None
        node = self.nodes[k]
        ids = node.ids
        j = bisect_left(ids, i)
        if j < len(ids) and ids[j] == i:
            return node, j
        return None

    def get(self, i: int) -> tuple | None:
        """The flat field/value tuple of live entry i, None if missing or deleted."""
        loc = self._locate(i)
        if loc is None:
            return None
        node, j = loc
        if node.dead is not None and j in node.dead:
            return None
        return expand(node.vals[j], node.fields)

    def exists(self, i: int) -> bool:
        return self.get(i) is not None

    def iter_range(self, start: int, end: int, rev: bool = False) -> Iterator[tuple[int, tuple]]:
        """Live entries with start <= id <= end, ascending (or descending with rev)."""
        if start > end or not self.nodes:
            return
        nodes = self.nodes
        starts = self.starts
        if not rev:
            k = bisect_right(starts, start) - 1
            if k < 0:
                k = 0
            nn = len(nodes)
            while k < nn:
                node = nodes[k]
                if node.key > end:
                    return
                ids = node.ids
                vals = node.vals
                dead = node.dead
                j = bisect_left(ids, start) if ids[0] < start else 0
                n = len(ids)
                while j < n:
                    i = ids[j]
                    if i > end:
                        return
                    if dead is None or j not in dead:
                        yield i, expand(vals[j], node.fields)
                    j += 1
                k += 1
        else:
            k = bisect_right(starts, end) - 1
            while k >= 0:
                node = nodes[k]
                ids = node.ids
                vals = node.vals
                dead = node.dead
                j = bisect_right(ids, end) - 1
                while j >= 0:
                    i = ids[j]
                    if i < start:
                        return
                    if dead is None or j not in dead:
                        yield i, expand(vals[j], node.fields)
                    j -= 1
                k -= 1

    def range(self, start: int, end: int, count: int = 0, rev: bool = False) -> list[tuple[int, tuple]]:
        """Up to `count` (0: all) live entries between start and end, as (id, values)
        pairs; whole runs of a node without tombstones are sliced at once."""
        out: list[tuple[int, tuple]] = []
        if start > end or not self.nodes:
            return out
        nodes = self.nodes
        starts = self.starts
        if not rev:
            k = bisect_right(starts, start) - 1
            if k < 0:
                k = 0
            nn = len(nodes)
            while k < nn:
                node = nodes[k]
                if node.key > end:
                    break
                ids = node.ids
                j0 = bisect_left(ids, start) if ids[0] < start else 0
                j1 = bisect_right(ids, end) if ids[-1] > end else len(ids)
                if node.dead is None:
                    if count and j1 - j0 > count - len(out):
                        j1 = j0 + count - len(out)
                    _extend(out, ids[j0:j1], node.vals[j0:j1], node.fields)
                else:
                    dead = node.dead
                    vals = node.vals
                    for j in range(j0, j1):
                        if j not in dead:
                            out.append((ids[j], expand(vals[j], node.fields)))
                            if count and len(out) >= count:
                                break
                if count and len(out) >= count:
                    break
                k += 1
        else:
            k = bisect_right(starts, end) - 1
            while k >= 0:
                node = nodes[k]
                ids = node.ids
                j1 = bisect_right(ids, end) if ids[-1] > end else len(ids)
                j0 = bisect_left(ids, start) if ids[0] < start else 0
                if node.dead is None:
                    if count and j1 - j0 > count - len(out):
                        j0 = j1 - (count - len(out))
                    back = slice(j1 - 1, j0 - 1 if j0 else None, -1)  # j1 >= 1: the node starts <= end
                    _extend(out, ids[back], node.vals[back], node.fields)
                else:
                    dead = node.dead
                    vals = node.vals
                    for j in range(j1 - 1, j0 - 1, -1):
                        if j not in dead:
                            out.append((ids[j], expand(vals[j], node.fields)))
                            if count and len(out) >= count:
                                break
                if count and len(out) >= count:
                    break
                if node.key < start:
                    break
                k -= 1
        return out

    def first_entry_id(self) -> int | None:
        """The first live entry's ID (a node always holds at least one)."""
        if not self.nodes:
            return None
        node = self.nodes[0]
        dead = node.dead
        if dead is None:
            return node.ids[0]
        for j, i in enumerate(node.ids):
            if j not in dead:
                return i
        return None  # pragma: no cover - an emptied node is removed

    def last_valid_id(self) -> int:
        """streamLastValidID: the last live entry's ID (0 when the stream is empty)."""
        if not self.nodes:
            return 0
        node = self.nodes[-1]
        ids = node.ids
        dead = node.dead
        if dead is None:
            return ids[-1]
        for j in range(len(ids) - 1, -1, -1):
            if j not in dead:
                return ids[j]
        return 0  # pragma: no cover - an emptied node is removed

    def first_id_with_tombstones(self) -> int:
        """streamGetEdgeID(first, skip_tombstones=0): the first ID stored in the first node,
        even if deleted; UINT64_MAX-UINT64_MAX for a stream without nodes."""
        return self.nodes[0].ids[0] if self.nodes else ID_MAX

    # --- deleting --------------------------------------------------------------------------
    def delete_entry(self, i: int) -> bool:
        """streamDeleteItem: flag the entry deleted; a node left without live entries goes."""
        loc = self._locate(i)
        if loc is None:
            return False
        node, j = loc
        if node.dead is not None and j in node.dead:
            return False
        if node.live == 1:
            k = bisect_left(self.starts, node.key)
            del self.nodes[k]
            del self.starts[k]
        else:
            node.mark_deleted(j)
        self.length -= 1
        return True

    def xdel(self, ids: list[int]) -> int:
        """XDEL's bookkeeping: max deleted ID and the recorded first ID (xdelCommand)."""
        deleted = 0
        first_entry = False
        for i in ids:
            if self.delete_entry(i):
                if i == self.first_id:
                    first_entry = True
                if i > self.max_deleted:
                    self.max_deleted = i
                deleted += 1
        if deleted:
            if self.length == 0:
                self.first_id = 0
            elif first_entry:
                self.first_id = self.first_entry_id() or 0
        return deleted

    def trim(self, maxlen: int | None, minid: int | None, approx: bool, limit: int) -> int:
        """streamTrim: MAXLEN (maxlen set) or MINID (minid set). Whole nodes go first;
        exact trimming then flags entries of the first remaining node as deleted; `limit`
        (approximate trimming only) caps the work in entries."""
        nodes = self.nodes
        starts = self.starts
        deleted = 0
        removed = 0
        while removed < len(nodes):
            if maxlen is not None and self.length <= maxlen:
                break
            node = nodes[removed]
            entries = node.live
            if limit and deleted + entries > limit:
                break
            if maxlen is not None:
                remove_node = self.length - entries >= maxlen
            else:
                remove_node = node.ids[-1] < minid  # type: ignore[operator]
            if remove_node:
                removed += 1
                self.length -= entries
                deleted += entries
                continue
            if approx:
                break
            ids = node.ids
            dead = node.dead
            marked = []
            for j in range(len(ids)):
                if maxlen is not None:
                    if self.length <= maxlen:
                        break
                elif ids[j] >= minid:  # type: ignore[operator]
                    break
                if dead is None or j not in dead:
                    marked.append(j)
                    self.length -= 1
            if marked:
                node.mark_many(marked)
                deleted += len(marked)
            break
        if removed:
            del nodes[:removed]
            del starts[:removed]
        if self.length == 0:
            self.first_id = 0
        else:
            self.first_id = self.first_entry_id() or 0
        return deleted

    # --- consumer groups ------------------------------------------------------------------
    def group(self, name: bytes) -> Group | None:
        g = self.groups
        return g.get(name) if g is not None else None

    def create_group(self, name: bytes, last_id: int, entries_read: int) -> Group | None:
        if self.groups is None:
            self.groups = {}
        if name in self.groups:
            return None
        g = self.groups[name] = Group(name, last_id, entries_read)
        return g

    def sorted_groups(self) -> list[Group]:
        g = self.groups
        if not g:
            return []
        return [g[k] for k in sorted(g)]

    # --- lag bookkeeping (Redis 7 entries-read / lag) --------------------------------------
    def range_has_tombstones(self, start: int | None, end: int | None = None) -> bool:
        """streamRangeHasTombstones."""
        md = self.max_deleted
        if not self.length or md == 0:
            return False
        if self.first_id > md:
            return False
        s = start if start is not None else 0
        e = end if end is not None else ID_MAX
        return s <= md <= e

    def estimate_distance(self, i: int) -> int:
        """streamEstimateDistanceFromFirstEverEntry: the entries-read value of ID i, or
        INVALID_ENTRIES_READ when it cannot be known."""
        if not self.entries_added:
            return 0
        if not self.length and i <= self.last_id:
            return self.entries_added
        if i == self.last_id:
            return self.entries_added
        if i > self.last_id:
            return INVALID_ENTRIES_READ
        md = self.max_deleted
        if md == 0 or md < self.first_id:
            if i < self.first_id:
                return self.entries_added - self.length
            if i == self.first_id:
                return self.entries_added - self.length + 1
        return INVALID_ENTRIES_READ

    def group_lag(self, g: Group) -> int | None:
        """streamReplyWithCGLag: None when the lag cannot be computed."""
        if not self.entries_added:
            return 0
        if g.entries_read != INVALID_ENTRIES_READ and not self.range_has_tombstones(g.last_id):
            return self.entries_added - g.entries_read
        er = self.estimate_distance(g.last_id)
        if er != INVALID_ENTRIES_READ:
            return self.entries_added - er
        return None

    # --- introspection ---------------------------------------------------------------------
    def rax_nodes(self) -> int:
        """The node count of Redis's radix tree holding the node keys (16-byte big-endian
        IDs): the tree is kept maximally compressed, so the count follows from the keys:
        the root, every branching prefix, every child of a branching prefix, every key."""
        starts = self.starts
        if not starts:
            return 1
        keys = [k.to_bytes(16, "big") for k in starts]
        seen: set[bytes] = {b""}
        seen.update(keys)
        prev = keys[0]
        for cur in keys[1:]:
            lcp = 0
            while prev[lcp] == cur[lcp]:
                lcp += 1
            seen.add(cur[:lcp])
            seen.add(prev[: lcp + 1])
            seen.add(cur[: lcp + 1])
            prev = cur
        return len(seen)

    def copy(self) -> Stream:
        """streamDup: entries, nodes, groups, consumers and PELs."""
        s = Stream()
        s.nodes = [n.copy() for n in self.nodes]
        s.starts = self.starts[:]
        s.length = self.length
        s.last_id = self.last_id
        s.first_id = self.first_id
        s.max_deleted = self.max_deleted
        s.entries_added = self.entries_added
        if self.groups is not None:
            s.groups = {}
            for name, g in self.groups.items():
                ng = Group(name, g.last_id, g.entries_read)
                for cname, cons in g.consumers.items():
                    nc = Consumer(cname, cons.seen_time)
                    nc.active_time = cons.active_time
                    nc.pel = cons.pel[:]
                    ng.consumers[cname] = nc
                for i in g.pel_ids:
                    nack = g.pel[i]
                    owner = nack.consumer
                    nn = NACK(ng.consumers[owner.name] if owner is not None else None, nack.delivery_time)
                    nn.delivery_count = nack.delivery_count
                    ng.pel[i] = nn
                ng.pel_ids = g.pel_ids[:]
                s.groups[name] = ng
        return s


# --- registration ---------------------------------------------------------------------------
def _digest(s: Stream, d: bytearray) -> None:
    """debug.c xorObjectDigest for streams: each live entry's "ms.seq" ID, then its fields
    and values, in ID order. Consumer groups do not take part."""
    for i, vals in s.iter_range(0, ID_MAX):
        mix_digest(d, b"%d.%d" % (i >> 64, i & MASK64))
        for x in vals:
            mix_digest(d, x)


def _rax_memory(numele: int, numnodes: int) -> int:
    """streamRadixTreeMemoryUsage: 16 bytes a key, a 4-byte header and 30 words a node."""
    return numele * 16 + numnodes * (4 + 8 * 30)


def _pel_rax_nodes(ids: list[int]) -> int:
    s = Stream()
    s.starts = ids
    return s.rax_nodes()


def _memory(s: Stream, samples: int) -> int:
    """objectComputeSize for streams: the object and stream structs, the radix tree, the
    node listpacks' allocations (the first `samples` averaged over all but the last
    node), and for each group its PEL tree, NACKs and consumers."""
    size = 16 + 80
    nodes = s.nodes
    n = len(nodes)
    size += _rax_memory(n, s.rax_nodes())
    k = 0
    lp = 0
    while (samples <= 0 or k < samples) and k < n:
        lp += nodes[k].alloc
        k += 1
    if n <= k:
        size += lp
    else:
        size += lp // k * (n - 1) + nodes[-1].alloc
    for g in (s.groups or {}).values():
        size += 40 + _rax_memory(len(g.pel_ids), _pel_rax_nodes(g.pel_ids)) + 24 * len(g.pel_ids)
        for cons in g.consumers.values():
            size += 32 + len(cons.name) + _rax_memory(len(cons.pel), _pel_rax_nodes(cons.pel))
    return size


def _copy(s: Stream) -> Stream:
    return s.copy()


def new_stream() -> Stream:
    return Stream()


def memory_of(s: Any, samples: int = 5) -> int:
    return _memory(s, samples)


register_type(Stream, OBJ_STREAM, copier=_copy, digest=_digest, memory=_memory)
