"""The list value (t_list.c, quicklist.c): two containers mirroring Redis's two encodings.

- `ListpackList` (a plain `list` subclass) is the small encoding, "listpack". It tracks
  `lpsz`, the byte size the same elements take in a Redis listpack, because Redis
  decides the conversion to quicklist on that size (list-max-listpack-size).
- `QuicklistList` (a `deque` subclass) is the big encoding, "quicklist": O(1) at both
  ends. Elements live in the flat deque; `nodes` is a shadow of Redis's quicklist node
  layout ([count, bytes, plain] per node), kept up to date by every operation with the
  same insert/split/merge rules as quicklist.c. It exists because Redis converts a
  quicklist back to a listpack only when it has shrunk to a single packed node, so the
  node layout decides what OBJECT ENCODING answers.

Conversions swap the container, so callers store the returned object back into the
keyspace (`grow_for` / `shrink_check`). Elements are `bytes`; integers are kept as their
decimal text, which is what Redis replies anyway.
Neighbours: commands/list.py (the commands), engine/objects.py (registration).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from itertools import islice
from typing import Any

from moredis.engine.digest import mix_digest
from moredis.engine.objects import OBJ_LIST, register_type

LP_EMPTY = 7  # listpack header (6) + end byte (1)
SIZE_SAFETY_LIMIT = 8192  # quicklist.c: byte cap of a node when the fill is a count
SIZE_ESTIMATE_OVERHEAD = 8  # quicklist.c: per-entry overestimate used before inserting
_OPT_LEVEL = (4096, 8192, 16384, 32768, 65536)  # negative fills -1 .. -5
_UINT_MAX = (1 << 32) - 1
_SIZE_MAX = (1 << 64) - 1
FILL_MAX = (1 << 15) - 1


def lp_entry_size(v: bytes) -> int:
    """Bytes one element takes inside a listpack (encoding header, data, back-length).

    Canonical 64-bit integers are stored as integers (listpack.c lpEncodeGetType)."""
    n = len(v)
    if n <= 20 and n:
        c = v[0]
        if 48 <= c <= 57 or c == 45:
            try:
                i = int(v)
            except ValueError:
                i = None
            if i is not None and b"%d" % i == v:
                if 0 <= i <= 127:
                    return 2
                if -4096 <= i <= 4095:
                    return 3
                if -32768 <= i <= 32767:
                    return 4
                if -8388608 <= i <= 8388607:
                    return 5
                if -2147483648 <= i <= 2147483647:
                    return 6
                if -(1 << 63) <= i < (1 << 63):
                    return 10
    if n < 64:
        return n + 2
    if n < 4096:
        return n + 3 if n <= 125 else n + 4
    enc = n + 5
    if enc < 16383:
        return enc + 2
    if enc < 2097151:
        return enc + 3
    if enc < 268435455:
        return enc + 4
    return enc + 5


def is_int_entry(v: bytes) -> bool:
    """True when a listpack stores v as an integer (a canonical 64-bit number)."""
    n = len(v)
    if not n or n > 20 or not (48 <= v[0] <= 57 or v[0] == 45):
        return False
    try:
        i = int(v)
    except ValueError:
        return False
    return b"%d" % i == v and -(1 << 63) <= i < (1 << 63)


def node_limits(fill: int) -> tuple[int, int]:
    """quicklistNodeLimit: (byte limit, count limit); the unused one is 'unlimited'."""
    if fill >= 0:
        return _SIZE_MAX, (fill or 1)
    off = -fill - 1
    return _OPT_LEVEL[off if off < 5 else 4], _UINT_MAX


def exceeds_limit(fill: int, new_sz: int, new_count: int) -> bool:
    """quicklistNodeExceedsLimit (also the listpack -> quicklist test)."""
    if fill < 0:
        off = -fill - 1
        return new_sz > _OPT_LEVEL[off if off < 5 else 4]
    if new_sz > SIZE_SAFETY_LIMIT:
        return True
    return new_count > (fill or 1)


def _sum_sizes(vals: Iterable[bytes]) -> int:
    return sum(map(lp_entry_size, vals))


class ListpackList(list):
    """The listpack encoding: a Python list plus the listpack byte size."""

    __slots__ = ("lpsz",)

    def __init__(self, items: Iterable[bytes] = (), lpsz: int | None = None) -> None:
        super().__init__(items)
        self.lpsz = lpsz if lpsz is not None else LP_EMPTY + _sum_sizes(self)

    def encoding(self) -> str:
        return "listpack"

    # --- ends ---------------------------------------------------------------------
    def push_head(self, v: bytes) -> None:
        self.insert(0, v)
        self.lpsz += lp_entry_size(v)

    def push_tail(self, v: bytes) -> None:
        self.append(v)
        self.lpsz += lp_entry_size(v)

    def pop_head(self) -> bytes:
        v = self.pop(0)
        self.lpsz -= lp_entry_size(v)
        return v

    def pop_tail(self) -> bytes:
        v = self.pop()
        self.lpsz -= lp_entry_size(v)
        return v

    def pop_many(self, count: int, head: bool) -> list[bytes]:
        """Remove up to `count` elements from one end; returned in pop order."""
        if head:
            out = self[:count]
            del self[:count]
        else:
            n = len(self)
            out = self[n - count if count < n else 0:]
            del self[n - count if count < n else 0:]
            out.reverse()
        self.lpsz -= _sum_sizes(out)
        return out

    # --- by position ----------------------------------------------------------------
    def range(self, start: int, stop: int) -> list[bytes]:
        """Elements [start, stop) (already clipped)."""
        return self[start:stop]

    def replace(self, i: int, v: bytes) -> None:
        self.lpsz += lp_entry_size(v) - lp_entry_size(self[i])
        self[i] = v

    def insert_at(self, i: int, v: bytes, after: bool) -> None:
        self.insert(i + 1 if after else i, v)
        self.lpsz += lp_entry_size(v)

    def remove_matches(self, v: bytes, count: int) -> int:
        """LREM: drop elements equal to v (count 0: all; > 0: first count from the
        head; < 0: first -count from the tail). Returns how many went."""
        idxs = match_indexes(self, v, count)
        if idxs:
            gone = set(idxs)
            self[:] = [x for j, x in enumerate(self) if j not in gone]
            self.lpsz -= len(idxs) * lp_entry_size(v)
        return len(idxs)

    def trim(self, ltrim: int, rtrim: int) -> None:
        end = len(self) - rtrim
        self.lpsz -= _sum_sizes(self[:ltrim]) + _sum_sizes(self[end:])
        del self[end:]
        del self[:ltrim]


def match_indexes(o: Any, v: bytes, count: int) -> list[int]:
    """Ascending indexes of the elements LREM removes."""
    if count == 0:
        return [j for j, x in enumerate(o) if x == v]
    out = []
    if count > 0:
        for j, x in enumerate(o):
            if x == v:
                out.append(j)
                if len(out) == count:
                    break
        return out
    last = len(o) - 1
    for j, x in enumerate(reversed(o)):
        if x == v:
            out.append(last - j)
            if len(out) == -count:
                break
    out.reverse()
    return out


class QuicklistList(deque):
    """The quicklist encoding: a deque plus the shadow node layout (see module doc).

    `nodes` holds [count, bytes, plain] per quicklist node, head first; `fill` is the
    node fill the quicklist was created with (quicklistSetFill clamps it), `lim`/`cnt`
    its byte and count limits."""

    __slots__ = ("cnt", "fill", "lim", "nodes")

    def __init__(self, items: Iterable[bytes] = (), fill: int = -2) -> None:
        super().__init__(items)
        if fill > FILL_MAX:
            fill = FILL_MAX
        elif fill < -5:
            fill = -5
        self.fill = fill
        if fill >= 0:
            self.lim, self.cnt = SIZE_SAFETY_LIMIT, (fill or 1)
        else:
            self.lim, self.cnt = _OPT_LEVEL[-fill - 1], _UINT_MAX
        self.nodes: deque[list] = deque()

    def encoding(self) -> str:
        return "quicklist"

    def __copy__(self) -> QuicklistList:
        q = QuicklistList(self, self.fill)
        q.nodes = deque([list(n) for n in self.nodes])
        return q

    def debug_info(self) -> tuple[int, float, int, int, int]:
        """DEBUG OBJECT's ql_nodes, ql_avg_node, ql_listpack_max, ql_compressed,
        ql_uncompressed_size (nodes are never compressed here)."""
        n = len(self.nodes)
        return n, (len(self) / n if n else 0.0), self.fill, 0, sum(x[1] for x in self.nodes)

    # --- node helpers (quicklist.c) ------------------------------------------------
    def _allow_insert(self, node: list | None, sz: int) -> bool:
        """_quicklistNodeAllowInsert: `sz` is the raw element length."""
        if node is None or node[2] or sz > self.lim:
            return False
        return node[1] + sz + SIZE_ESTIMATE_OVERHEAD <= self.lim and node[0] + 1 <= self.cnt

    def _allow_merge(self, a: list, b: list) -> bool:
        if a[2] or b[2]:
            return False
        return (a[1] + b[1] - 7) <= self.lim and a[0] + b[0] <= self.cnt

    def _locate(self, i: int) -> tuple[int, int, int]:
        """(node index, offset in node, global index of the node's first element)."""
        nodes = self.nodes
        n = len(self)
        if i <= (n - 1) // 2:
            acc = 0
            for k, node in enumerate(nodes):
                if acc + node[0] > i:
                    return k, i - acc, acc
                acc += node[0]
        else:
            acc = n
            k = len(nodes)
            for node in reversed(nodes):
                k -= 1
                acc -= node[0]
                if acc <= i:
                    return k, i - acc, acc
        raise IndexError(i)

    def _vals(self, start: int, stop: int) -> list[bytes]:
        """Elements [start, stop), walking from the nearer end."""
        n = len(self)
        if start >= n - stop:
            out = list(islice(reversed(self), n - stop, n - start))
            out.reverse()
            return out
        return list(islice(self, start, stop))

    def _split(self, k: int, base: int, off: int, after: bool) -> list:
        """_quicklistSplitNode on nodes[k]: returns the new node (not inserted).

        after: the node keeps [0, off], the new one [off+1, end];
        else: the new one gets [0, off-1], the node keeps [off, end]."""
        node = self.nodes[k]
        cnt = node[0]
        if after:
            moved = self._vals(base + off + 1, base + cnt)
        else:
            moved = self._vals(base, base + off)
        msz = _sum_sizes(moved)
        node[0] = cnt - len(moved)
        node[1] -= msz
        return [len(moved), LP_EMPTY + msz, False]

    def _merge(self, a: int) -> None:
        """_quicklistListpackMerge of nodes[a] and nodes[a+1]."""
        nodes = self.nodes
        x, y = nodes[a], nodes[a + 1]
        nodes[a] = [x[0] + y[0], x[1] + y[1] - 7, False]
        del nodes[a + 1]

    def _merge_around(self, c: int) -> int:
        """_quicklistMergeNodes around nodes[c]; returns the center's new index."""
        nodes = self.nodes
        if c >= 2 and self._allow_merge(nodes[c - 1], nodes[c - 2]):
            self._merge(c - 2)
            c -= 1
        if c + 2 < len(nodes) and self._allow_merge(nodes[c + 1], nodes[c + 2]):
            self._merge(c + 1)
        if c >= 1 and self._allow_merge(nodes[c], nodes[c - 1]):
            self._merge(c - 1)
            c -= 1
        if c + 1 < len(nodes) and self._allow_merge(nodes[c], nodes[c + 1]):
            self._merge(c)
        return c

    # --- ends ---------------------------------------------------------------------
    def push_head(self, v: bytes) -> None:
        """quicklistPushHead."""
        n = len(v)
        nodes = self.nodes
        if n > self.lim:
            nodes.appendleft([1, n, True])
        else:
            h = nodes[0] if nodes else None
            if h is not None and not h[2] and h[1] + n + SIZE_ESTIMATE_OVERHEAD <= self.lim and h[0] < self.cnt:
                h[0] += 1
                h[1] += lp_entry_size(v)
            else:
                nodes.appendleft([1, LP_EMPTY + lp_entry_size(v), False])
        self.appendleft(v)

    def push_tail(self, v: bytes) -> None:
        """quicklistPushTail."""
        n = len(v)
        nodes = self.nodes
        if n > self.lim:
            nodes.append([1, n, True])
        else:
            t = nodes[-1] if nodes else None
            if t is not None and not t[2] and t[1] + n + SIZE_ESTIMATE_OVERHEAD <= self.lim and t[0] < self.cnt:
                t[0] += 1
                t[1] += lp_entry_size(v)
            else:
                nodes.append([1, LP_EMPTY + lp_entry_size(v), False])
        self.append(v)

    def pop_head(self) -> bytes:
        v = self.popleft()
        h = self.nodes[0]
        if h[0] == 1:
            self.nodes.popleft()
        else:
            h[0] -= 1
            h[1] -= lp_entry_size(v)
        return v

    def pop_tail(self) -> bytes:
        v = self.pop()
        t = self.nodes[-1]
        if t[0] == 1:
            self.nodes.pop()
        else:
            t[0] -= 1
            t[1] -= lp_entry_size(v)
        return v

    def pop_many(self, count: int, head: bool) -> list[bytes]:
        n = len(self)
        if count > n:
            count = n
        if head:
            self._del_range(0, count)
            pop = self.popleft
        else:
            self._del_range(n - count, count)
            pop = self.pop
        return [pop() for _ in range(count)]

    # --- by position ----------------------------------------------------------------
    def range(self, start: int, stop: int) -> list[bytes]:
        return self._vals(start, stop)

    def _del_range(self, start: int, count: int) -> None:
        """quicklistDelRange on the node layout only (start >= 0, count clipped)."""
        if count <= 0:
            return
        nodes = self.nodes
        k, off, base = self._locate(start)
        extent = count
        while extent:
            node = nodes[k]
            cnt = node[0]
            if (off == 0 and extent >= cnt) or node[2]:
                d = cnt
                del nodes[k]
                base += cnt
            else:
                d = cnt - off if off + extent >= cnt else extent
                node[0] = cnt - d
                node[1] -= _sum_sizes(self._vals(base + off, base + off + d))
                k += 1
                base += cnt
            extent -= d
            off = 0

    def replace(self, i: int, v: bytes) -> None:
        """quicklistReplaceEntry."""
        k, off, base = self._locate(i)
        nodes = self.nodes
        node = nodes[k]
        n = len(v)
        large = n > self.lim
        if not node[2] and not large:
            node[1] += lp_entry_size(v) - lp_entry_size(self[i])
        elif node[2]:
            if large:
                node[1] = n
            else:
                # insert after the plain node, then drop the plain node
                self._insert_nodes(k, 0, base, v, True)
                del nodes[k]
        else:
            old = self[i]
            cnt = node[0]
            split = self._split(k, base, off, True) if off != cnt - 1 else None
            nodes.insert(k + 1, [1, n, True])
            if split is not None:
                nodes.insert(k + 2, split)
            if node[0] == 1:
                del nodes[k]
            else:
                node[0] -= 1
                node[1] -= lp_entry_size(old)
                self._merge_around(k + 1)
        self[i] = v

    def _insert_nodes(self, k: int, off: int, base: int, v: bytes, after: bool) -> None:
        """_quicklistInsert on the node layout: v goes before/after element `off` of
        nodes[k] (whose first element has global index `base`)."""
        nodes = self.nodes
        node = nodes[k]
        n = len(v)
        full = not self._allow_insert(node, n)
        at_tail = after and off == node[0] - 1
        at_head = not after and off == 0
        avail_next = at_tail and self._allow_insert(nodes[k + 1] if k + 1 < len(nodes) else None, n)
        avail_prev = at_head and self._allow_insert(nodes[k - 1] if k > 0 else None, n)
        if n > self.lim:
            if node[2] or at_tail or at_head:
                nodes.insert(k + 1 if after else k, [1, n, True])
            else:
                new = self._split(k, base, off, after)
                if after:
                    nodes.insert(k + 1, [1, n, True])
                    nodes.insert(k + 2, new)
                else:
                    nodes.insert(k, [1, n, True])
                    nodes.insert(k, new)
            return
        es = lp_entry_size(v)
        if not full:
            node[0] += 1
            node[1] += es
        elif at_tail and avail_next:
            nxt = nodes[k + 1]
            nxt[0] += 1
            nxt[1] += es
        elif at_head and avail_prev:
            prv = nodes[k - 1]
            prv[0] += 1
            prv[1] += es
        elif at_tail or at_head:
            nodes.insert(k + 1 if after else k, [1, LP_EMPTY + es, False])
        else:
            new = self._split(k, base, off, after)
            new[0] += 1
            new[1] += es
            if after:
                nodes.insert(k + 1, new)
                self._merge_around(k)
            else:
                nodes.insert(k, new)
                self._merge_around(k + 1)

    def insert_at(self, i: int, v: bytes, after: bool) -> None:
        k, off, base = self._locate(i)
        self._insert_nodes(k, off, base, v, after)
        self.insert(i + 1 if after else i, v)

    def remove_matches(self, v: bytes, count: int) -> int:
        """LREM through quicklistDelEntry: nodes shrink, empty ones go, none merge."""
        asc = match_indexes(self, v, count)
        if not asc:
            return 0
        es = lp_entry_size(v)
        nodes = self.nodes
        k, _, base = self._locate(asc[0])
        j = 0
        m = len(asc)
        gone_nodes = []
        while j < m:
            node = nodes[k]
            end = base + node[0]
            dn = 0
            while j < m and asc[j] < end:
                dn += 1
                j += 1
            if dn == node[0]:
                gone_nodes.append(k)
            elif dn:
                node[0] -= dn
                node[1] -= dn * es
            base = end
            k += 1
        for k in reversed(gone_nodes):
            del nodes[k]
        if m == 1:
            del self[asc[0]]
        else:
            gone = set(asc)
            kept = [x for p, x in enumerate(self) if p not in gone]
            self.clear()
            self.extend(kept)
        return m

    def trim(self, ltrim: int, rtrim: int) -> None:
        """LTRIM: quicklistDelRange(0, ltrim) then quicklistDelRange(-rtrim, rtrim)."""
        if ltrim:
            self._del_range(0, ltrim)
            if ltrim > len(self) // 2:
                keep = list(islice(self, ltrim, None))
                self.clear()
                self.extend(keep)
            else:
                popleft = self.popleft
                for _ in range(ltrim):
                    popleft()
        if rtrim:
            n = len(self)
            self._del_range(n - rtrim, rtrim)
            if rtrim > n // 2:
                keep = list(islice(self, 0, n - rtrim))
                self.clear()
                self.extend(keep)
            else:
                pop = self.pop
                for _ in range(rtrim):
                    pop()


def to_quicklist(lp: ListpackList, fill: int) -> QuicklistList:
    """listTypeTryConvertListpack's conversion: the listpack becomes the only node."""
    q = QuicklistList(lp, fill)
    if lp:
        q.nodes.append([len(lp), lp.lpsz, False])
    return q


def grow_for(o: Any, fill: int, add_bytes: int, add_len: int) -> Any:
    """listTypeTryConversionAppend: the container to use before adding `add_len`
    elements of `add_bytes` raw bytes (a new QuicklistList when the listpack would
    outgrow list-max-listpack-size `fill`, else `o` itself)."""
    if type(o) is ListpackList and exceeds_limit(fill, o.lpsz + add_bytes, len(o) + add_len):
        return to_quicklist(o, fill)
    return o


def shrink_check(o: Any, fill: int) -> Any:
    """listTypeTryConversion(LIST_CONV_SHRINKING): a quicklist left with one packed node
    under half the limits becomes a listpack again; returns the container to keep."""
    if type(o) is not QuicklistList:
        return o
    nodes = o.nodes
    if len(nodes) != 1 or nodes[0][2]:
        return o
    sz_limit, count_limit = node_limits(fill)
    if nodes[0][1] > sz_limit // 2 or len(o) > count_limit // 2:
        return o
    return ListpackList(o, nodes[0][1])


def new_quicklist(fill: int) -> QuicklistList:
    """createQuicklistObject: an empty quicklist (SORT STORE, loaders build on it)."""
    return QuicklistList((), fill)


def auto_convert(o: Any, fill: int) -> Any:
    """listTypeTryConversion(LIST_CONV_AUTO): after building a list wholesale."""
    if type(o) is QuicklistList:
        nodes = o.nodes
        if len(nodes) != 1 or nodes[0][2]:
            return o
        sz_limit, count_limit = node_limits(fill)
        if nodes[0][1] > sz_limit or len(o) > count_limit:
            return o
        return ListpackList(o, nodes[0][1])
    return grow_for(o, fill, 0, 0)


# --- registration ---------------------------------------------------------------------
def _copy(o: Any) -> Any:
    if type(o) is ListpackList:
        return ListpackList(o, o.lpsz)
    return o.__copy__()


def _digest(o: Any, d: bytearray) -> None:
    """debug.c xorObjectDigest for lists: every element mixed in, head to tail."""
    for v in o:
        mix_digest(d, v)


def _memory(o: Any, samples: int) -> int:
    """objectComputeSize-like estimate: the listpack bytes, or quicklist nodes."""
    if type(o) is ListpackList:
        return 16 + o.lpsz
    nodes = o.nodes
    if not nodes:
        return 16 + 40
    if samples <= 0 or samples >= len(nodes):
        total = sum(n[1] + 32 for n in nodes)
    else:
        part = list(islice(nodes, samples))
        total = sum(n[1] + 32 for n in part) * len(nodes) // len(part)
    return 16 + 40 + total


register_type(ListpackList, OBJ_LIST, copier=_copy, digest=_digest, memory=_memory)
register_type(QuicklistList, OBJ_LIST, copier=_copy, digest=_digest, memory=_memory)
