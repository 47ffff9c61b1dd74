"""RedisModuleDict: an ordered dictionary of byte-string keys with seekable iterators.

Redis backs it with a radix tree; the observable behaviour is lexicographic byte order,
seeks with the operators `^ $ > >= < <= ==`, and iterators that move both ways. A
SortedDict gives the same order and O(log n) seeks.
"""

from __future__ import annotations

from typing import Any

from sortedcontainers import SortedDict

_OPS = ("^", "$", ">", ">=", "<", "<=", "==")


class Dict:
    """RedisModule_CreateDict. Keys are bytes; values any Python object."""

    __slots__ = ("_d",)

    def __init__(self) -> None:
        self._d: SortedDict = SortedDict()

    def size(self) -> int:
        """RedisModule_DictSize."""
        return len(self._d)

    __len__ = size

    def set(self, key: bytes, value: Any) -> bool:
        """RedisModule_DictSet(C): False (REDISMODULE_ERR) if the key already exists."""
        if key in self._d:
            return False
        self._d[key] = value
        return True

    def replace(self, key: bytes, value: Any) -> bool:
        """RedisModule_DictReplace(C): insert or overwrite; True when it was new."""
        new = key not in self._d
        self._d[key] = value
        return new

    def get(self, key: bytes, default: Any = None) -> Any:
        """RedisModule_DictGet(C): the value, or `default` (C's nomatch flag: use `key in d`)."""
        return self._d.get(key, default)

    def __contains__(self, key: bytes) -> bool:
        return key in self._d

    def delete(self, key: bytes) -> tuple[bool, Any]:
        """RedisModule_DictDel(C): (found, old value)."""
        if key not in self._d:
            return False, None
        return True, self._d.pop(key)

    def iterator(self, op: str = "^", key: bytes = b"") -> DictIterator:
        """RedisModule_DictIteratorStart(C)."""
        return DictIterator(self, op, key)

    def keys(self):
        return iter(self._d.keys())

    def items(self):
        return iter(self._d.items())

    def free(self) -> None:
        """RedisModule_FreeDict."""
        self._d.clear()


class DictIterator:
    """A cursor over a Dict, with rax iterator semantics: after a seek the first next()
    or prev() returns the element the seek landed on; after that next() / prev() step
    from the element last returned. compare() looks at that current element (the seek
    position before any step). Both return (key, value), or None at either end."""

    __slots__ = ("_cur", "_dict", "_eof", "_seeked")

    def __init__(self, d: Dict, op: str, key: bytes) -> None:
        self._dict = d
        self._cur = -1
        self._seeked = False
        self._eof = True
        self.reseek(op, key)

    def reseek(self, op: str, key: bytes = b"") -> bool:
        """RedisModule_DictIteratorReseek(C): False if no element satisfies the seek."""
        if op not in _OPS:
            raise ValueError(f"invalid seek operator {op!r}")
        sd = self._dict._d
        keys = sd.keys()
        n = len(sd)
        if op == "^":
            pos = 0
        elif op == "$":
            pos = n - 1
        elif op == ">=":
            pos = sd.bisect_left(key)
        elif op == ">":
            pos = sd.bisect_right(key)
        elif op == "<=":
            pos = sd.bisect_right(key) - 1
        elif op == "<":
            pos = sd.bisect_left(key) - 1
        else:  # ==
            i = sd.bisect_left(key)
            pos = i if i < n and keys[i] == key else n
        self._cur = pos
        self._seeked = True
        self._eof = not 0 <= pos < n
        return not self._eof

    def _step(self, delta: int) -> tuple[bytes, Any] | None:
        if self._eof:
            return None
        sd = self._dict._d
        if self._seeked:
            self._seeked = False
        else:
            self._cur += delta
        if not 0 <= self._cur < len(sd):
            self._eof = True
            return None
        return sd.peekitem(self._cur)

    def next(self) -> tuple[bytes, Any] | None:
        """RedisModule_DictNext(C): the next element (the seeked one first)."""
        return self._step(1)

    def prev(self) -> tuple[bytes, Any] | None:
        """RedisModule_DictPrev(C): the previous element (the seeked one first)."""
        return self._step(-1)

    def compare(self, op: str, key: bytes) -> bool:
        """RedisModule_DictCompare(C): whether the current element `op` key holds
        (op: == > >= < <=); False at the end, or for another operator (raxCompare)."""
        sd = self._dict._d
        if self._eof or not 0 <= self._cur < len(sd):
            return False
        cur = sd.peekitem(self._cur)[0]
        if op == "==":
            return cur == key
        if op == ">":
            return cur > key
        if op == ">=":
            return cur >= key
        if op == "<":
            return cur < key
        if op == "<=":
            return cur <= key
        return False

    def stop(self) -> None:
        """RedisModule_DictIteratorStop."""
        self._eof = True
