"""Benchmark: the interactive figures' slider moves (live) and their static charts' bytes.

For every figure in the registry (:func:`lossbook.interactive.available`), the live
panel starts at its defaults and each of its sliders that matters there moves across
its live range ``--repeat`` times; a move runs the panel's callback: *compute* (the
compute function for each checked series option, cache misses only) and *draw*
(update the artists, blit over the kept background, encode a PNG).  The issue asks
for under 100 ms median per move.  With ``--pages`` it also precomputes each static
chart and reports the bytes it adds to its page (budget: 1.5 MB) and how long the
precomputation takes.

Run it with ``python benchmarks/bench_widgets.py [--pages]`` (``make bench`` does).
It is a benchmark, not a test: the numbers depend on the machine and on what else
runs on it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from lossbook import interactive
from lossbook.interactive import Slider, embedding, static
from lossbook.interactive.live import benchmark


def slider_values(ctl, repeat: int) -> list:
    """``repeat`` values across a live slider's range (its exponent, for a log slider)."""
    lo, hi = ctl.min, ctl.max
    vals = np.linspace(lo, hi, repeat + 1)[1:]
    if hasattr(ctl, "base"):
        vals = ctl.base ** vals
    return [int(round(v)) for v in vals] if isinstance(ctl.value, int) else [float(v) for v in vals]


def live_moves(name: str, repeat: int) -> list:
    """Per slider of the figure: (control, medians of compute, draw and total, in ms)."""
    fig = interactive.get(name)
    panel = fig.live()
    rows = []
    defaults = {k: c.value for k, c in panel.controls.items()}
    for c in fig.controls:
        if not isinstance(c, Slider) or not any(fig.relevant(c, defaults, o) for o in panel.selected()):
            continue
        start = panel.controls[c.name].value
        rows.append((c.name, benchmark(panel, c.name, slider_values(panel.controls[c.name], repeat))))
        panel.controls[c.name].value = start
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="moves per slider")
    parser.add_argument("--pages", action="store_true", help="also precompute the static charts and weigh them")
    args = parser.parse_args(argv)

    print(f"load average before: {os.getloadavg()[0]:.2f} (on {os.cpu_count()} CPUs)")
    print(f"{'figure / slider':52s} {'compute':>9s} {'draw':>9s} {'total':>9s}   (median ms per move)")
    for name in interactive.available():
        rows = live_moves(name, args.repeat)
        for control, r in rows:
            print(f"  {name + ' / ' + control:50s} {r['compute_ms']:9.1f} {r['draw_ms']:9.1f} {r['total_ms']:9.1f}")
        if rows:
            med = {k: statistics.median(r[k] for _, r in rows) for k in ("compute_ms", "draw_ms", "total_ms")}
            print(f"{name + ' (median of its sliders)':52s} {med['compute_ms']:9.1f} {med['draw_ms']:9.1f} "
                  f"{med['total_ms']:9.1f}")

    if args.pages:
        print(f"\n{'static chart':36s} {'bytes on its page':>18s}   precompute, compile")
        for name in interactive.available():
            fig = interactive.get(name)
            t0 = time.perf_counter()
            pre = static.precompute(fig)
            t1 = time.perf_counter()
            page = embedding.fragment(static.chart(fig, pre), alt=fig.alt)
            t2 = time.perf_counter()
            print(f"{name:36s} {len(page.encode()):12,d} B ({len(page.encode()) / 1e6:.2f} MB)   "
                  f"{t1 - t0:5.1f} s, {t2 - t1:4.1f} s   ({len(pre.rows)} grid points)")


if __name__ == "__main__":
    main()
