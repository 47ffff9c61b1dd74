"""Bit and string algorithms behind the bitmap and string commands (bitops.c, the LCS
part of t_string.c), free of the server so they can be unit-tested on plain bytes.

Bit numbering is Redis's: bit 0 is the most significant bit of byte 0. Buffers are
anything with the buffer protocol (bytes, bytearray, memoryview); writers take a
bytearray already grown to the right size. Neighbours: commands/bitmap.py and
commands/string.py (argument parsing, keyspace, replies).
"""

from __future__ import annotations

from moredis.util.lazy import numpy as np

U64 = (1 << 64) - 1

# --- BITCOUNT / BITPOS ---------------------------------------------------------------------


_CHUNK = 1 << 16


def popcount(buf, start: int = 0, end: int | None = None) -> int:
    """Set bits in buf[start:end] (redisPopcount), a chunk at a time so a huge string
    is never copied whole."""
    mv = memoryview(buf)[start:end]
    if len(mv) <= _CHUNK:
        return int.from_bytes(mv, "big").bit_count()
    return sum(int.from_bytes(mv[i:i + _CHUNK], "big").bit_count() for i in range(0, len(mv), _CHUNK))


def first_bit(buf, bit: int) -> int:
    """redisBitpos: index of the first `bit` in buf; for a 1 not found -1, for a 0 not
    found the bit just past the end (the string is seen as padded with zeros)."""
    mv = memoryview(buf)
    skip = b"\x00" if bit else b"\xff"
    n = len(mv)
    for i in range(0, n, _CHUNK):
        chunk = bytes(mv[i:i + _CHUNK])
        rest = chunk.lstrip(skip)
        if rest:
            byte = rest[0] if bit else rest[0] ^ 0xFF
            return (i + len(chunk) - len(rest)) * 8 + 8 - byte.bit_length()
    return -1 if bit else n * 8


def _clip_range(start: int, end: int, totlen: int) -> tuple[int, int]:
    """Negative indexes count from the end; both ends clamped to the string."""
    if start < 0:
        start += totlen
    if end < 0:
        end += totlen
    if start < 0:
        start = 0
    if end < 0:
        end = 0
    if end >= totlen:
        end = totlen - 1
    return start, end


def bitcount(buf, start: int | None = None, end: int | None = None, isbit: bool = False) -> int:
    """BITCOUNT over a byte range (or a bit range with isbit), as bitcountCommand
    clips it: both negative with start > end is empty before any clamping."""
    n = len(buf)
    if start is None:
        return popcount(buf)
    if start < 0 and end < 0 and start > end:
        return 0
    totlen = n * 8 if isbit else n
    start, end = _clip_range(start, end, totlen)
    if start > end:
        return 0
    if not isbit:
        return popcount(buf, start, end + 1)
    sbyte, ebyte = start >> 3, end >> 3
    first = 0xFF >> (start & 7)  # bits of the first byte from `start` on
    last = (0xFF << (7 - (end & 7))) & 0xFF  # bits of the last byte up to `end`
    if sbyte == ebyte:
        return (buf[sbyte] & first & last).bit_count()
    return ((buf[sbyte] & first).bit_count() + popcount(buf, sbyte + 1, ebyte)
            + (buf[ebyte] & last).bit_count())


def bitpos(buf, bit: int, start: int | None = None, end: int | None = None, isbit: bool = False) -> int:
    """BITPOS on an existing string (bitposCommand). `end` None means "not given":
    looking for a 0 may then answer the first bit past the string."""
    n = len(buf)
    end_given = end is not None
    if start is None:
        start, end = 0, n - 1
        masks = (0, 0)
    else:
        totlen = n * 8 if isbit else n
        if end is None:
            end = totlen - 1
        start, end = _clip_range(start, end, totlen)
        masks = (0, 0)
        if isbit and start <= end:
            masks = ((~((1 << (8 - (start & 7))) - 1)) & 0xFF, (1 << (7 - (end & 7))) - 1)
            start >>= 3
            end >>= 3
    if start > end:
        return -1
    first_mask, last_mask = masks
    nbytes = end - start + 1
    start, nbytes, pos = _bitpos_masked(buf, bit, start, end, nbytes, first_mask, last_mask)
    if end_given and bit == 0 and pos == nbytes << 3:
        return -1  # an explicit range holds no 0: the bit past it does not count
    if pos != -1:
        pos += start << 3
    return pos


def _bitpos_masked(buf, bit: int, start: int, end: int, nbytes: int, first_mask: int,
                   last_mask: int) -> tuple[int, int, int]:
    """The search of bitposCommand with its edge masks: (start, bytes, pos) as the
    C code leaves them, since the "no 0 in an explicit range" rule compares pos with
    the bytes still counted."""
    mv = memoryview(buf)
    if first_mask:
        tmp = mv[start] & ~first_mask & 0xFF if bit else mv[start] | first_mask
        if last_mask and nbytes == 1:
            tmp = tmp & ~last_mask & 0xFF if bit else tmp | last_mask
        pos = first_bit(bytes((tmp,)), bit)
        if nbytes == 1 or (pos != -1 and pos != 8):
            return start, nbytes, pos
        start += 1
        nbytes -= 1
    cur = nbytes - (1 if last_mask else 0)
    if cur > 0:
        pos = first_bit(mv[start:start + cur], bit)
        if nbytes == cur or (pos != -1 and pos != cur << 3):
            return start, nbytes, pos
        start += cur
        nbytes -= cur
    tmp = mv[end] & ~last_mask & 0xFF if bit else mv[end] | last_mask
    return start, nbytes, first_bit(bytes((tmp,)), bit)


# --- BITOP -----------------------------------------------------------------------------------


def bitop(op: str, srcs: list[bytes]) -> bytes:
    """AND / OR / XOR / NOT of byte strings; shorter inputs are padded with zeros."""
    maxlen = max((len(s) for s in srcs), default=0)
    if maxlen == 0:
        return b""
    if op == "not":
        v = int.from_bytes(srcs[0], "big")
        return (v ^ ((1 << (8 * maxlen)) - 1)).to_bytes(maxlen, "big")
    acc = None
    for s in srcs:
        v = int.from_bytes(s, "big") << (8 * (maxlen - len(s)))
        if acc is None:
            acc = v
        elif op == "and":
            acc &= v
        elif op == "or":
            acc |= v
        else:
            acc ^= v
    return acc.to_bytes(maxlen, "big")


# --- BITFIELD --------------------------------------------------------------------------------


def get_unsigned(buf, offset: int, bits: int) -> int:
    """The `bits`-wide unsigned field at bit `offset`; bytes past the end read as 0."""
    first = offset >> 3
    last = (offset + bits - 1) >> 3
    seg = bytes(memoryview(buf)[first:last + 1])
    need = last - first + 1
    if len(seg) < need:
        seg += bytes(need - len(seg))
    shift = need * 8 - (offset & 7) - bits
    return (int.from_bytes(seg, "big") >> shift) & ((1 << bits) - 1)


def get_signed(buf, offset: int, bits: int) -> int:
    v = get_unsigned(buf, offset, bits)
    if v >> (bits - 1):
        v -= 1 << bits
    return v


def set_field(buf: bytearray, offset: int, bits: int, value: int) -> None:
    """Store the low `bits` bits of value (two's complement for negatives); buf must
    already reach the field's last byte."""
    first = offset >> 3
    last = (offset + bits - 1) >> 3
    need = last - first + 1
    shift = need * 8 - (offset & 7) - bits
    mask = ((1 << bits) - 1) << shift
    cur = int.from_bytes(buf[first:last + 1], "big")
    cur = (cur & ~mask) | (((value & ((1 << bits) - 1)) << shift) & mask)
    buf[first:last + 1] = cur.to_bytes(need, "big")


def _i64(x: int) -> int:
    x &= U64
    return x - (1 << 64) if x >> 63 else x


def signed_overflow(value: int, incr: int, bits: int, owtype: str) -> tuple[int, int]:
    """checkSignedBitfieldOverflow, int64 wrap-arounds included: (0 / 1 / -1 for
    none / over / under, the value to store under owtype). Redis computes the headroom
    `max - value` in 64 bits, which wraps for extreme values: SET i1 with -2^63 under
    SAT then counts as an overflow upwards and stores the maximum (0)."""
    vmax = (1 << 63) - 1 if bits == 64 else (1 << (bits - 1)) - 1
    vmin = -vmax - 1
    maxincr = _i64(vmax - value)
    minincr = _i64(vmin - value)
    if value > vmax or (bits != 64 and incr > maxincr) or (value >= 0 and incr > 0 and incr > maxincr):
        ovf = 1
    elif value < vmin or (bits != 64 and incr < minincr) or (value < 0 and incr < 0 and incr < minincr):
        ovf = -1
    else:
        return 0, value + incr
    if owtype == "sat":
        return ovf, vmax if ovf > 0 else vmin
    c = (value + incr) & U64  # handle_wrap: the unsigned sum, sign-extended from `bits`
    if bits < 64:
        c = c | (U64 << bits) & U64 if c & (1 << (bits - 1)) else c & ((1 << bits) - 1)
    return ovf, _i64(c)


def unsigned_overflow(value: int, incr: int, bits: int, owtype: str) -> tuple[int, int]:
    """checkUnsignedBitfieldOverflow. `value` is a uint64: a negative SET argument
    arrives as its two's complement, above the maximum, so it overflows upwards and
    SAT turns it into the maximum (Redis's behaviour)."""
    vmax = (1 << bits) - 1
    value &= U64
    if value > vmax:
        ovf = 1
    else:
        s = value + incr
        if 0 <= s <= vmax:
            return 0, s
        ovf = 1 if s > vmax else -1
    if owtype == "sat":
        return ovf, vmax if ovf > 0 else 0
    return ovf, (value + incr) & vmax


# --- LCS -------------------------------------------------------------------------------------


def _match_masks(b: bytes) -> dict[int, int]:
    """For each byte value in b, the bitmask of the positions where it occurs."""
    arr = np.frombuffer(b, dtype=np.uint8)
    masks = {}
    for ch in np.unique(arr).tolist():
        masks[ch] = int.from_bytes(np.packbits(arr == ch, bitorder="little").tobytes(), "little")
    return masks


def lcs_rows(a: bytes, b: bytes, keep: bool = True) -> list[int]:
    """The LCS table of a and b, one row per prefix of a, as bit vectors (Hyyrö's
    bit-parallel algorithm): in row i bit j is 0 when LCS(a[:i], b[:j+1]) is one more
    than LCS(a[:i], b[:j]). So LCS(i, j) = j - popcount(row_i & (2**j - 1)).
    With keep=False only the last row is returned."""
    mask = (1 << len(b)) - 1
    v = mask
    rows = [v]
    if not b:
        return rows * (len(a) + 1) if keep else rows
    pm = _match_masks(b)
    get = pm.get
    for ch in a:
        u = v & get(ch, 0)
        v = ((v + u) | (v - u)) & mask
        if keep:
            rows.append(v)
    return rows if keep else [v]


def lcs_length(a: bytes, b: bytes) -> int:
    return len(b) - lcs_rows(a, b, keep=False)[-1].bit_count()


def lcs(a: bytes, b: bytes, minmatchlen: int = 0) -> tuple[bytes, list[tuple[int, int, int, int, int]], int]:
    """The LCS string, the matching ranges and the length, walking the table back from
    the end as lcsCommand does (same tie-break, same range splitting). Ranges are
    (a_start, a_end, b_start, b_end, length), last match first, filtered by
    minmatchlen."""
    rows = lcs_rows(a, b)
    alen, blen = len(a), len(b)

    def table(i: int, j: int) -> int:
        return j - (rows[i] & ((1 << j) - 1)).bit_count()

    total = table(alen, blen)
    result = bytearray(total)
    ranges: list[tuple[int, int, int, int, int]] = []
    idx = total
    cur = total  # LCS(i, j) as we walk
    i, j = alen, blen
    astart = alen  # alen: no range open
    aend = bstart = bend = 0
    while i > 0 and j > 0:
        emit = False
        if a[i - 1] == b[j - 1]:
            result[idx - 1] = a[i - 1]
            if astart == alen:
                astart = aend = i - 1
                bstart = bend = j - 1
            elif astart == i and bstart == j:
                astart -= 1
                bstart -= 1
            else:
                emit = True
            if astart == 0 or bstart == 0:
                emit = True
            idx -= 1
            i -= 1
            j -= 1
            cur -= 1
        else:
            up = table(i - 1, j)
            left = cur - (0 if (rows[i] >> (j - 1)) & 1 else 1)
            if up > left:
                i -= 1
                cur = up
            else:
                j -= 1
                cur = left
            if astart != alen:
                emit = True
        if emit:
            mlen = aend - astart + 1
            if minmatchlen == 0 or mlen >= minmatchlen:
                ranges.append((astart, aend, bstart, bend, mlen))
            astart = alen
    return bytes(result), ranges, total
