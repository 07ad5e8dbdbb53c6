"""Benchmark: the core losses in NumPy (lossbook), PyTorch, Keras/TensorFlow and JAX, per device.

For cross-entropy over 8192 x 32768 float32 logits and for binary cross-entropy (on
logits) and MSE over 10^7 float32 values, it times the value alone and the value with
its gradient in every framework on every device it detects (the median of several runs
after a warm-up), with the calls of :mod:`lossbook.frameworks.mapping`, and expresses
each time as a memory bandwidth: the bytes the computation must at least move (read
every input once, write the gradient once) per second, and that as a fraction of a
plain copy's bandwidth on the same device in the same run (copy GB/s counts the bytes
read and written).  These losses do a few operations per byte, so the copy is the speed
limit they can approach.  For lossbook it also reports the peak memory allocated beyond
the inputs, as a multiple of the input size (tracemalloc sees NumPy's allocations).

    python benchmarks/bench_losses.py                    # prints a Markdown table
    python benchmarks/bench_losses.py --out benchmarks/results/cpu.md

``make bench`` runs it (``make bench BENCH_OUT=benchmarks/results/cpu.md`` records the
table).  It is a benchmark, not a test: the numbers depend on the machine and on what
else runs on it; compare the fractions and ratios, not the milliseconds.

How the copy is measured: on the CPU, all frameworks share one memory, measured once as
the faster of NumPy's ``copyto`` and PyTorch's ``copy_`` between two buffers already in
memory; on a GPU, each framework's own copy on that GPU.  PyTorch runs eagerly,
TensorFlow as a ``tf.function`` (as ``fit`` does) and JAX under ``jax.jit``.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

from lossbook import losses
from lossbook.frameworks import mapping


def median_time(fn, repeat, warmup=True):
    """(median seconds of ``repeat`` calls of ``fn``, the last result).

    ``warmup`` first makes one untimed call: needed where the first call compiles
    (``jax.jit``, ``tf.function``); eager NumPy and PyTorch skip it, the median of
    ``repeat`` runs already discards a slow first run.
    """
    if warmup:
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def peak_extra(fn):
    """Peak bytes NumPy allocates while ``fn`` runs, beyond what was allocated before."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak - base


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def numpy_copy_seconds(nbytes, repeat):
    src = np.ones(nbytes // 4, np.float32)
    dst = np.empty_like(src)
    return median_time(lambda: np.copyto(dst, src), repeat)[0]


def cases(args, rng):
    """(label, loss name, inputs, bytes read, bytes of the gradient) of each case."""
    n, c, m = args.rows, args.classes, args.n
    size = f"{m:.0e}".replace("e+0", "e").replace("e+", "e")
    logits = rng.standard_normal((n, c), dtype=np.float32)
    labels = rng.integers(0, c, size=n)
    y01 = (rng.random(m) < 0.5).astype(np.float32)
    z = rng.standard_normal(m, dtype=np.float32)
    y = rng.standard_normal(m, dtype=np.float32)
    return [
        (f"cross_entropy {n}x{c}", "cross_entropy", (labels, logits), logits.nbytes + labels.nbytes, logits.nbytes),
        (f"bce_with_logits {size}", "binary_cross_entropy_with_logits", (y01, z), y01.nbytes + z.nbytes, z.nbytes),
        (f"mse {size}", "mse", (y, z), y.nbytes + z.nbytes, z.nbytes),
    ]


def run_numpy(name, inputs, repeat):
    fn = losses.get(name)
    t_value, value = median_time(lambda: fn(*inputs), repeat, warmup=False)
    t_grad, _ = median_time(lambda: (fn(*inputs), fn.grad(*inputs)), repeat, warmup=False)
    return float(value), t_value, t_grad


def run_framework(be, name, inputs, device, repeat):
    e = mapping.entry(name)
    fn = getattr(be, name)
    compiled = be.NAME != "torch"  # tf.function and jax.jit compile on the first call
    with be.placement(device, "float32"):
        tensors = [be.convert(a, device, "float32") for a in inputs]
        value_step = be.value_only(fn, tensors, {}, compile=True)
        grad_step = be.value_and_grad(fn, tensors, {}, e.predictions, compile=True)
        t_value, value = median_time(value_step, repeat, warmup=compiled)
        t_grad, _ = median_time(grad_step, repeat, warmup=compiled)
        value = float(be.to_numpy(value))
    del tensors, value_step, grad_step
    gc.collect()
    return value, t_value, t_grad


def markdown(rows, header_lines):
    cols = ["loss", "framework", "device", "value ms", "value GB/s", "value / copy",
            "value+grad ms", "value+grad GB/s", "value+grad / copy", "copy GB/s"]
    out = list(header_lines) + ["", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        out.append("| " + " | ".join(str(r[k]) for k in cols) + " |")
    return "\n".join(out) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement (after a warm-up)")
    parser.add_argument("--rows", type=int, default=8192, help="rows of the cross-entropy logits")
    parser.add_argument("--classes", type=int, default=32768, help="classes of the cross-entropy logits")
    parser.add_argument("--n", type=int, default=10**7, help="values for BCE and MSE")
    parser.add_argument("--frameworks", default="torch,keras,jax", help="comma-separated, besides NumPy")
    parser.add_argument("--out", type=Path, help="also write the Markdown table to this file")
    args = parser.parse_args(argv)
    t_start = time.perf_counter()
    wanted = [f for f in args.frameworks.split(",") if f]

    backends, versions = {}, [f"numpy {np.__version__}"]
    for fw in wanted:
        try:
            backends[fw] = mapping.backend(fw)
            versions.append(backends[fw].version())
        except ImportError as exc:
            print(f"{mapping.LABELS[fw]}: not installed ({exc})", file=sys.stderr)

    rng = np.random.default_rng(0)
    todo = cases(args, rng)
    biggest = max(case[3] for case in todo)
    cpu_copy = numpy_copy_seconds(biggest, args.repeat)
    if "torch" in backends:
        cpu_copy = min(cpu_copy, backends["torch"].copy_bandwidth(biggest, "cpu", args.repeat))
    copy_gbps = {"cpu": 2 * biggest / cpu_copy / 1e9}
    gpus = []
    for fw, be in backends.items():
        for device in be.devices()[1:]:
            copy_gbps[(fw, device)] = 2 * biggest / be.copy_bandwidth(biggest, device, args.repeat) / 1e9
            gpus.append(device)

    def copy_of(fw, device):
        return copy_gbps.get((fw, device), copy_gbps["cpu"])

    rows, memory = [], []
    for label, name, inputs, bytes_in, bytes_grad in todo:
        ref, t_value, t_grad = run_numpy(name, inputs, args.repeat)
        mem_value = peak_extra(lambda: losses.get(name)(*inputs)) / bytes_in
        mem_grad = peak_extra(lambda: losses.get(name).grad(*inputs)) / bytes_in
        memory.append(f"{label}: lossbook allocates {mem_value:.2f}x its inputs for the value, "
                      f"{mem_grad:.2f}x for the gradient")
        results = [("numpy", "cpu", ref, t_value, t_grad)]
        for fw, be in backends.items():
            for device in be.devices():
                try:
                    results.append((fw, device, *run_framework(be, name, inputs, device, args.repeat)))
                except Exception as exc:  # a row that says so, the others still run
                    print(f"{label} {fw} {device}: {type(exc).__name__}: {exc}", file=sys.stderr)
        for fw, device, value, tv, tg in results:
            if not np.isclose(value, ref, rtol=1e-4):
                raise SystemExit(f"{label}: {fw} on {device} gives {value}, lossbook {ref}")
            copy = copy_of(fw, device) if fw != "numpy" else copy_gbps["cpu"]
            gv, gg = bytes_in / tv / 1e9, (bytes_in + bytes_grad) / tg / 1e9
            rows.append({
                "loss": label, "framework": mapping.LABELS[fw], "device": device,
                "value ms": f"{1e3 * tv:.3g}", "value GB/s": f"{gv:.2f}", "value / copy": f"{gv / copy:.0%}",
                "value+grad ms": f"{1e3 * tg:.3g}", "value+grad GB/s": f"{gg:.2f}",
                "value+grad / copy": f"{gg / copy:.0%}", "copy GB/s": f"{copy:.1f}",
            })
        del inputs
        gc.collect()

    try:
        import torch

        threads = f"; PyTorch {torch.get_num_threads()} threads"
    except ImportError:
        threads = ""
    machine = f"{cpu_model()} ({os.cpu_count()} cores)" + (f" + {', '.join(gpus)}" if gpus else "")
    load = f"; load average {os.getloadavg()[0]:.1f} at the end (other processes shared the cores)" if hasattr(os, "getloadavg") else ""
    header = [
        f"Losses per framework and device on {machine}, {datetime.date.today().isoformat()}",
        "",
        f"{', '.join(versions)}{threads}{load}; float32; median of {args.repeat} runs (after a warm-up where it compiles); "
        "PyTorch eager, TensorFlow tf.function, JAX jit. GB/s = bytes the loss must move "
        "(inputs read once; plus the gradient written, for value+grad) per second; "
        "/ copy = that as a fraction of a plain copy's GB/s on the same device.",
        "",
        *(f"- {m}" for m in memory),
    ]
    table = markdown(rows, header)
    print(table)
    print(f"(benchmark ran in {time.perf_counter() - t_start:.0f} s)")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(table, encoding="utf-8")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
