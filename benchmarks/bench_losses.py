"""Benchmark: lossbook's NumPy losses against PyTorch on this CPU.

Prints, for cross-entropy on 4096 x 32768 float32 logits and for MSE on 10^7 float32
values, the median time of lossbook and of PyTorch over several runs, their ratio, and
the peak memory lossbook allocates beyond its inputs as a multiple of the input size
(measured with tracemalloc, which NumPy reports its allocations to).

Run it with ``make bench``.  It is a benchmark, not a test: the numbers depend on the
machine; the ratios are what to compare.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

import numpy as np

from lossbook import losses


def median_time(fn, repeat):
    fn()  # warm up (page faults, thread pools)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_extra(fn):
    """Peak bytes allocated while ``fn`` runs, beyond what was allocated before."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - base


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement")
    parser.add_argument("--rows", type=int, default=4096)
    parser.add_argument("--classes", type=int, default=32768)
    parser.add_argument("--n", type=int, default=10**7, help="values for MSE")
    args = parser.parse_args(argv)

    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(0)
    logits = rng.standard_normal((args.rows, args.classes), dtype=np.float32)
    labels = rng.integers(0, args.classes, size=args.rows)
    y_true = rng.standard_normal(args.n, dtype=np.float32)
    y_pred = rng.standard_normal(args.n, dtype=np.float32)
    t_logits, t_labels = torch.from_numpy(logits), torch.from_numpy(labels)
    t_true, t_pred = torch.from_numpy(y_true), torch.from_numpy(y_pred)

    cases = [
        (f"cross_entropy {args.rows}x{args.classes} f32",
         lambda: losses.cross_entropy(labels, logits),
         lambda: F.cross_entropy(t_logits, t_labels),
         lambda: losses.cross_entropy.grad(labels, logits),
         logits.nbytes),
        (f"mse {args.n:.0e} f32",
         lambda: losses.mse(y_true, y_pred),
         lambda: F.mse_loss(t_pred, t_true),
         lambda: losses.mse.grad(y_true, y_pred),
         y_pred.nbytes),
    ]
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; numpy {np.__version__}; "
          f"median of {args.repeat} runs")
    header = f"{'case':<34} {'lossbook':>10} {'torch':>10} {'ratio':>7} {'extra mem (value)':>18} {'extra mem (grad)':>17}"
    print(header)
    print("-" * len(header))
    for name, ours, theirs, ours_grad, nbytes in cases:
        with torch.no_grad():
            t_theirs = median_time(theirs, args.repeat)
        t_ours = median_time(ours, args.repeat)
        a = np.asarray(ours(), dtype=np.float64)
        b = float(theirs())
        if not np.isclose(a, b, rtol=1e-4):
            raise SystemExit(f"{name}: lossbook {a} and torch {b} disagree")
        mem = peak_extra(ours) / nbytes
        mem_grad = peak_extra(ours_grad) / nbytes
        print(f"{name:<34} {t_ours * 1e3:8.1f}ms {t_theirs * 1e3:8.1f}ms {t_ours / t_theirs:6.2f}x "
              f"{mem:15.2f} x in {mem_grad:14.2f} x in")


if __name__ == "__main__":
    main()
