"""Latency bookkeeping: the latency monitor's event series (LATENCY LATEST/HISTORY/GRAPH/
DOCTOR) and the per-command latency histograms behind INFO latencystats and
LATENCY HISTOGRAM.

Monitor: `add_sample(srv, event, ms)` keeps, per event name, the last 160 samples (one per
second: a second sample in the same second only raises the first, as latency.c
latencyAddSample does) and the all-time maximum. The series live in `srv.latency_events`.

Histograms: the hot path (server.call) only counts durations per whole microsecond on the
Command (`cmd.latency_hist`: a list indexed by usec, one list item increment per call);
nothing else is paid per call.
Percentiles and buckets are computed on demand with the bucket arithmetic of the
HdrHistogram Redis uses (lowest value 1 ns, highest 1 s, 2 significant digits), so the
numbers print exactly as Redis prints them for the same samples.
Neighbours: server.py (records), commands/server.py (LATENCY), server/info.py.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

TS_LEN = 160  # samples kept per event (LATENCY_TS_LEN)
GRAPH_COLS = 80


class LatencySeries(deque):
    """One event's samples as [unix_time, ms] pairs, oldest first, plus the all-time max."""

    def __init__(self) -> None:
        super().__init__(maxlen=TS_LEN)
        self.max = 0


def add_sample(srv: Any, event: str, ms: int) -> None:
    """latencyAddSample: one sample per second, the worst of that second wins."""
    ts = srv.latency_events.get(event)
    if ts is None:
        ts = srv.latency_events[event] = LatencySeries()
    if ms > ts.max:
        ts.max = ms
    now = int(time.time())
    if ts and ts[-1][0] == now:
        if ms > ts[-1][1]:
            ts[-1][1] = ms
        return
    ts.append([now, ms])


def add_sample_if_needed(srv: Any, event: str, ms: int) -> None:
    """latencyAddSampleIfNeeded: only when the monitor is on and the threshold is reached."""
    threshold = srv.config["latency-monitor-threshold"]
    if threshold and ms >= threshold:
        add_sample(srv, event, ms)


# --- LATENCY GRAPH ------------------------------------------------------------------------

def _render_rows(values: list[float], labels: list[str], lo: float, hi: float, rows: int) -> list[str]:
    """One band of the sparkline (sparkline.c's fill style, 3 levels per row, labels below)."""
    levels = "_o#"
    span = hi - lo or 1.0
    steps = len(levels) * rows
    out = []
    row = 0
    n = len(values)
    while True:
        line = [" "] * n
        more = False
        for j in range(n):
            if row < rows:
                step = int(int((values[j] - lo) * steps) / span)
                step = min(max(step, 0), steps - 1)
                idx = step - (rows - row - 1) * len(levels)
                more = True
                if 0 <= idx < len(levels):
                    line[j] = levels[idx]
                elif idx >= len(levels):
                    line[j] = "|"
            else:
                if row - rows < 1:  # one blank line between the chart and the labels
                    more = True
                    break
                k = row - rows - 1
                if k < len(labels[j]):
                    more = True
                    line[j] = labels[j][k]
        if not more:
            return out
        out.append("".join(line))
        row += 1


def graph(event: str, ts: LatencySeries) -> str:
    """LATENCY GRAPH: header, a rule, then the samples as a chart with 'ago' labels."""
    now = int(time.time())
    values: list[float] = []
    labels: list[str] = []
    for t, ms in ts:
        values.append(float(ms))
        ago = now - t
        if ago < 60:
            labels.append(f"{ago}s")
        elif ago < 3600:
            labels.append(f"{ago // 60}m")
        elif ago < 86400:
            labels.append(f"{ago // 3600}h")
        else:
            labels.append(f"{ago // 86400}d")
    hi = int(max(values)) if values else 0
    lo = int(min(values)) if values else 0
    text = f"{event} - high {hi} ms, low {lo} ms (all time high {ts.max} ms)\n" + "-" * GRAPH_COLS + "\n"
    bands = []
    for start in range(0, len(values), GRAPH_COLS):
        rows = _render_rows(values[start:start + GRAPH_COLS], labels[start:start + GRAPH_COLS],
                            min(values), max(values), 4)
        bands.append("".join(r + "\n" for r in rows))
    return text + "\n".join(bands)


# --- LATENCY DOCTOR -------------------------------------------------------------------------

def doctor(srv: Any) -> str:
    """A readable summary of the recorded events and what usually causes them (our own text)."""
    threshold = srv.config["latency-monitor-threshold"]
    if not threshold:
        return ("The latency monitor is off on this server, so there is nothing to analyse. "
                "Turn it on with \"CONFIG SET latency-monitor-threshold <milliseconds>\"; events "
                "slower than that threshold are then recorded and can be studied here.\n")
    events = srv.latency_events
    if not events:
        return ("No latency event reached the configured threshold of "
                f"{threshold} ms since the monitor was started or last reset. Nothing to report.\n")
    lines = ["Latency events recorded on this server:", ""]
    advice: list[str] = []
    for i, (name, ts) in enumerate(events.items(), 1):
        samples = [ms for _, ms in ts]
        avg = sum(samples) / len(samples) if samples else 0
        dev = sum(abs(x - avg) for x in samples) / len(samples) if samples else 0
        period = (ts[-1][0] - ts[0][0]) / (len(ts) - 1) if len(ts) > 1 else 0
        lines.append(f"{i}. {name}: {len(samples)} spikes (average {avg:.0f}ms, mean deviation "
                     f"{dev:.0f}ms, period {period:.2f} sec). Worst ever {ts.max}ms.")
        if name in ("command", "fast-command"):
            advice.append("- Look at SLOWLOG GET to see which commands were slow; O(N) commands on "
                          "large values (KEYS, SMEMBERS, LRANGE 0 -1, SORT ...) are the usual cause.")
            if name == "fast-command":
                advice.append("- Commands flagged fast were slow: the process was probably starved "
                              "of CPU or swapping.")
        elif name.startswith("expire") or name.startswith("eviction"):
            advice.append("- Deleting large values blocks the server: split big keys, or turn on "
                          "lazyfree-lazy-expire / lazyfree-lazy-eviction.")
        elif name.startswith("aof") or name.startswith("rdb") or name == "fork":
            advice.append("- Disk or fork latency: check the storage, and appendfsync settings.")
    slower = srv.config["slowlog-log-slower-than"]
    if slower < 0 or slower > threshold * 1000:
        advice.append(f"- The slow log only keeps commands slower than {slower} us, more than the "
                      f"latency threshold; CONFIG SET slowlog-log-slower-than {threshold * 1000} "
                      "makes the two agree.")
    lines.append("")
    if advice:
        lines.append("Suggestions:")
        lines.append("")
        seen: set[str] = set()
        for a in advice:
            if a not in seen:
                seen.add(a)
                lines.append(a)
    return "\n".join(lines) + "\n"


# --- command latency histograms ---------------------------------------------------------------
# The hot path (server.call) does `cmd.latency_hist[usec] += 1` on a list of FAST_SLOTS
# counters whose last item is a dict for longer calls; `record_slow` handles the first
# call (no list yet) and the long ones, where that statement raises.
FAST_SLOTS = 256


def record_slow(cmd: Any, usec: int) -> None:
    h = cmd.latency_hist
    if h is None:
        h = cmd.latency_hist = [0] * FAST_SLOTS + [{}]
        if usec < FAST_SLOTS:
            h[usec] = 1
            return
    over = h[FAST_SLOTS]
    over[usec] = over.get(usec, 0) + 1


def as_dict(h: Any) -> dict[int, int]:
    """A command's histogram as {usec: calls}."""
    if not h:
        return {}
    out = {i: n for i, n in enumerate(h[:FAST_SLOTS]) if n}
    out.update(h[FAST_SLOTS])
    return out

# HdrHistogram geometry used by Redis: values in ns, 1 .. 1e9, 2 significant digits, so
# 256 sub-buckets per bucket (128 new ones per power of two after the first bucket).
HDR_MIN = 1
HDR_MAX = 1_000_000_000
_SUB_BITS = 8  # log2(sub_bucket_count)


def _bucket(v: int) -> tuple[int, int]:
    """(bucket index, sub-bucket index) of value v."""
    b = (v | 255).bit_length() - _SUB_BITS
    return b, v >> b


def lowest_equivalent(v: int) -> int:
    b, s = _bucket(v)
    return s << b


def highest_equivalent(v: int) -> int:
    b, s = _bucket(v)
    return (s << b) + (1 << b) - 1


def _index(v: int) -> int:
    b, s = _bucket(v)
    return (b << 7) + s if b else s


def _ns(usec: int) -> int:
    """updateCommandLatencyHistogram's clamping of a duration (recorded in ns)."""
    v = usec * 1000
    if v < HDR_MIN:
        return HDR_MIN
    return HDR_MAX if v > HDR_MAX else v


def _slots(hist: dict[int, int]) -> list[tuple[int, int]]:
    """The non-empty histogram slots in order: (slot index, count), merging equal slots."""
    merged: dict[int, int] = {}
    for us, n in hist.items():
        if n:
            i = _index(_ns(us))
            merged[i] = merged.get(i, 0) + n
    return sorted(merged.items())


def _slot_value(i: int) -> int:
    """The lowest value counted in slot i (inverse of _index)."""
    if i < 256:
        return i
    b = (i >> 7) - 1
    s = (i & 127) + 128
    return s << b


def _percentile(slots: list[tuple[int, int]], total: int, p: float) -> int:
    want = max(int((min(p, 100.0) / 100.0) * total + 0.5), 1)
    acc = 0
    v = 0
    for i, n in slots:
        acc += n
        if acc >= want:
            v = _slot_value(i)
            break
    return lowest_equivalent(v) if p == 0.0 else highest_equivalent(v)


def percentile(hist: dict[int, int], p: float) -> int:
    """hdr_value_at_percentile, in ns."""
    slots = _slots(hist)
    return _percentile(slots, sum(n for _, n in slots), p)


def percentiles_line(hist: dict[int, int], pcts: list[float]) -> str:
    """The value of a latency_percentiles_usec_<cmd> INFO line: p50=1.003,p99=..."""
    slots = _slots(hist)
    total = sum(n for _, n in slots)
    parts = []
    for p in pcts:
        label = ("%f" % p).rstrip("0").rstrip(".")
        parts.append("p%s=%.3f" % (label, _percentile(slots, total, p) / 1000.0))
    return ",".join(parts)


def cumulative_buckets(hist: dict[int, int]) -> list[tuple[int, int]]:
    """LATENCY HISTOGRAM's buckets: (upper bound in us, cumulative count), powers of two
    from 1024 ns, only where the count grew (hdr_iter_log_init(.., 1024, 2) as Redis walks it)."""
    slots = _slots(hist)
    total = sum(n for _, n in slots)
    out: list[tuple[int, int]] = []
    level = 1024
    acc = 0
    prev = 0
    k = 0
    while acc < total or k < len(slots):
        limit = _index(level)
        while k < len(slots) and slots[k][0] <= limit:
            acc += slots[k][1]
            k += 1
        if acc > prev:
            out.append((highest_equivalent(level) // 1000, acc))
            prev = acc
        level *= 2
        if level > (HDR_MAX << 2):
            break
    return out
