"""Benchmark: how long a slider move takes in the live panels of lossbook.widgets.

A move runs the panel's callback: recompute (a trajectory, or curves and a fit) and
redraw (blit the moving artists onto the kept background, encode a PNG).  The issue
asks for under 100 ms median per move.  Prints the medians of both parts and of their
sum for the optimizer playground (learning-rate moves on Rosenbrock with Adam, 100
steps) and the loss explorer (Huber's delta; focal's gamma, each move a new fit), and
the size of the static charts' pages.

Run it with ``python benchmarks/bench_widgets.py``.  It is a benchmark, not a test:
the numbers depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import argparse
import os
import time

from lossbook import interactive, widgets


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="moves per panel")
    parser.add_argument("--pages", action="store_true", help="also build the static charts and measure their pages")
    args = parser.parse_args(argv)

    print(f"load average before: {os.getloadavg()[0]:.2f} (on {os.cpu_count()} CPUs)")
    rows = [("optimizer playground (lr)", widgets.benchmark_playground(args.repeat)),
            ("loss explorer, regression (Huber delta)", widgets.benchmark_explorer("regression", args.repeat)),
            ("loss explorer, classification (focal gamma)", widgets.benchmark_explorer("classification", args.repeat))]
    print(f"{'panel':45s} {'compute':>9s} {'draw':>9s} {'total':>9s}   (median ms per move)")
    for name, r in rows:
        print(f"{name:45s} {r['compute_ms']:9.1f} {r['draw_ms']:9.1f} {r['total_ms']:9.1f}")

    if args.pages:
        for name, make in (("playground", interactive.playground_chart),
                           ("explorer, regression", lambda: interactive.loss_explorer_chart("regression")),
                           ("explorer, classification", lambda: interactive.loss_explorer_chart("classification"))):
            t0 = time.perf_counter()
            chart = make()
            t1 = time.perf_counter()
            page = interactive.to_iframe(chart)
            t2 = time.perf_counter()
            print(f"static {name:26s} {len(page.encode()) / 1e6:6.2f} MB   "
                  f"(precompute {t1 - t0:5.1f} s, HTML {t2 - t1:4.1f} s)")


if __name__ == "__main__":
    main()
