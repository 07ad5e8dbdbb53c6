"""Benchmark: cross-entropy over a large vocabulary, chunked versus materialized logits.

For hidden states of shape (N, d), an output embedding of shape (V, d) and N integer
labels (float32; N = 4096, V = 131072, d = 256 by default, where the logits alone take
2 GiB), it runs, each in a fresh subprocess so that one's memory does not hide
another's:

* ``chunked``: :func:`lossbook.losses.chunked_cross_entropy` and its ``grad``;
* ``naive``: :func:`lossbook.losses.cross_entropy` of ``hidden @ weight.T`` and its
  gradient by the chain rule (the (N, V) logits and their gradient in memory);
* ``torch``: PyTorch ``F.cross_entropy(hidden @ weight.T, y)`` with ``backward()``;
* ``torch_linear``: PyTorch ``F.linear_cross_entropy(hidden, weight, y,
  options=LinearCrossEntropyOptions())`` with ``backward()``, where PyTorch has it
  (>= 2.12; it chunks the tokens instead of the vocabulary).

For each: the time of the value alone and of value plus gradients (one run each: at
this size a run takes seconds; wall and CPU seconds of the process, the latter steadier
on a shared machine), the peak memory NumPy allocated beyond the inputs and outputs
(tracemalloc; NumPy variants only), and the growth of the process's
peak resident memory over what it held once the inputs were built (every allocation,
BLAS's and PyTorch's included), both as fractions of the logits' size N V 4 bytes.  It
also checks that the variants agree (value and both gradients, float32).

    python benchmarks/bench_chunked_ce.py                      # the issue's sizes
    python benchmarks/bench_chunked_ce.py --threads 1          # one BLAS thread each
    python benchmarks/bench_chunked_ce.py --n 512 --vocab 16384 --dim 64 --chunk-size 1024

A variant that runs out of memory or fails is reported as skipped, with the reason.  It
is a benchmark, not a test: the times depend on the machine and on what else runs on
it; compare the ratios.  On a machine whose cores are busy with other work, several
BLAS threads wait for each other at every product: the chunked version, which makes 32
products where the others make one, suffers most; ``--threads 1`` measures the work.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

VARIANTS = ("chunked", "naive", "torch", "torch_linear")


def _inputs(n, vocab, dim, seed=0):
    """float32 hidden states, output embedding (scaled like a trained head) and labels, 1% ignored."""
    rng = np.random.default_rng(seed)
    hidden = rng.standard_normal((n, dim), dtype=np.float32)
    weight = rng.standard_normal((vocab, dim), dtype=np.float32) / np.float32(np.sqrt(dim))
    labels = rng.integers(0, vocab, n)
    labels[rng.random(n) < 0.01] = -100
    return labels, hidden, weight


def _rss_peak_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def _rss_now_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _timed(fn):
    """(wall seconds, CPU seconds of this process, result)."""
    t0, c0 = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - t0, time.process_time() - c0, result


def _traced(fn):
    """(wall seconds, CPU seconds, peak bytes NumPy allocated during fn, result)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    seconds, cpu, result = _timed(fn)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return seconds, cpu, peak, result


def run_variant(name, n, vocab, dim, chunk_size, out_dir):
    """Run one variant in this process; save its value and gradients; return its figures.

    The libraries are imported and called once on tiny inputs first (PyTorch loads
    modules on its first ``linear_cross_entropy``), so that neither their import nor a
    first-call cost counts in the memory or the times.
    """
    from lossbook import losses

    if name.startswith("torch"):
        import torch

        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", 0)) or len(os.sched_getaffinity(0)))
        F = torch.nn.functional
        if name == "torch_linear" and not hasattr(F, "linear_cross_entropy"):
            raise RuntimeError(f"torch {torch.__version__} has no F.linear_cross_entropy (needs >= 2.12)")
    y, h, w = _inputs(8, 32, 4)  # the warm-up
    if name.startswith("torch"):
        th = torch.from_numpy(h).requires_grad_()
        if name == "torch":
            F.cross_entropy(th @ torch.from_numpy(w).T, torch.from_numpy(y)).backward()
        else:
            F.linear_cross_entropy(th, torch.from_numpy(w), torch.from_numpy(y),
                                   options=torch.nn.LinearCrossEntropyOptions()).backward()
    else:
        losses.chunked_cross_entropy.grad(y, h, w, chunk_size=8)
        losses.cross_entropy.grad(y, h @ w.T)

    y, h, w = _inputs(n, vocab, dim)
    rss_inputs = _rss_now_bytes()
    outputs = h.nbytes + w.nbytes  # the two gradients
    fig = {"variant": name}
    if name in ("chunked", "naive"):
        if name == "chunked":
            def value():
                return losses.chunked_cross_entropy(y, h, w, chunk_size=chunk_size)

            def value_and_grad():
                return value(), *losses.chunked_cross_entropy.grad(y, h, w, chunk_size=chunk_size)
        else:
            def value():
                return losses.cross_entropy(y, h @ w.T)

            def value_and_grad():
                z = h @ w.T
                v = losses.cross_entropy(y, z)
                d_z = losses.cross_entropy.grad(y, z)
                del z
                return v, d_z @ w, d_z.T @ h

        fig["value_s"], fig["value_cpu"], fig["value_peak"], v = _traced(value)
        fig["total_s"], fig["total_cpu"], peak, (v, d_h, d_w) = _traced(value_and_grad)
        fig["total_peak"] = peak - outputs
    else:
        ty = torch.from_numpy(y)

        def call(th, tw):
            if name == "torch":
                return F.cross_entropy(th @ tw.T, ty, ignore_index=-100)
            return F.linear_cross_entropy(th, tw, ty, ignore_index=-100,
                                          options=torch.nn.LinearCrossEntropyOptions())

        with torch.no_grad():
            fig["value_s"], fig["value_cpu"], _ = _timed(lambda: call(torch.from_numpy(h), torch.from_numpy(w)))
        th = torch.from_numpy(h.copy()).requires_grad_()
        tw = torch.from_numpy(w.copy()).requires_grad_()
        outputs += h.nbytes + w.nbytes  # the leaf copies

        def value_and_grad():
            v = call(th, tw)
            v.backward()
            return v.item(), th.grad.numpy(), tw.grad.numpy()

        fig["total_s"], fig["total_cpu"], (v, d_h, d_w) = _timed(value_and_grad)
    fig["rss_growth"] = _rss_peak_bytes() - rss_inputs - outputs
    np.savez(Path(out_dir) / f"{name}.npz", value=np.float64(v), d_hidden=d_h, d_weight=d_w)
    return fig


def _run_in_subprocess(name, args, out_dir):
    cmd = [sys.executable, __file__, "--variant", name, "--n", str(args.n), "--vocab", str(args.vocab),
           "--dim", str(args.dim), "--chunk-size", str(args.chunk_size), "--work", str(out_dir)]
    env = dict(os.environ)
    if args.threads:  # BLAS and PyTorch read these when they start
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(args.threads)
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        reason = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        if done.returncode in (-9, 137):
            reason = "killed (out of memory)"
        return {"variant": name, "skipped": reason}
    return json.loads(lines[-1])


def _agreement(out_dir, names):
    """Max relative differences of value and gradients against the chunked variant."""
    ref = np.load(Path(out_dir) / "chunked.npz")
    rows = {}
    for name in names:
        path = Path(out_dir) / f"{name}.npz"
        if name == "chunked" or not path.exists():
            continue
        other = np.load(path)
        rel = {}
        for key in ("value", "d_hidden", "d_weight"):
            a, b = ref[key].astype(np.float64), other[key].astype(np.float64)
            rel[key] = float(np.max(np.abs(a - b)) / np.max(np.abs(b)))
        rows[name] = rel
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4096, help="tokens N")
    parser.add_argument("--vocab", type=int, default=131072, help="vocabulary size V")
    parser.add_argument("--dim", type=int, default=256, help="hidden width d")
    parser.add_argument("--chunk-size", type=int, default=4096)
    parser.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated, of " + ", ".join(VARIANTS))
    parser.add_argument("--threads", type=int, help="BLAS and PyTorch threads (default: their own choice)")
    parser.add_argument("--variant", help=argparse.SUPPRESS)  # one variant, in this process
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--out", help="also write the Markdown table to this file")
    args = parser.parse_args(argv)

    if args.variant:
        print(json.dumps(run_variant(args.variant, args.n, args.vocab, args.dim, args.chunk_size, args.work)))
        return

    import tempfile

    logits = args.n * args.vocab * 4
    names = [v for v in args.variants.split(",") if v]
    with tempfile.TemporaryDirectory() as work:
        figs = [_run_in_subprocess(name, args, work) for name in names]
        agree = _agreement(work, names) if "chunked" in names and (Path(work) / "chunked.npz").exists() else {}
    base = next((f for f in figs if f["variant"] == "chunked" and "skipped" not in f), None)

    def frac(x):
        return f"{x / logits:.1%}" if x is not None else "-"

    lines = [
        f"Chunked cross-entropy, N = {args.n}, V = {args.vocab}, d = {args.dim}, float32, "
        f"chunk_size = {args.chunk_size}; logits = {logits / 2**30:.2f} GiB",
        f"({platform.machine()}, {len(os.sched_getaffinity(0))} CPUs, "
        f"{args.threads or 'default'} BLAS threads, NumPy {np.__version__}, {time.strftime('%Y-%m-%d')}; "
        f"wall seconds, CPU seconds of the process in brackets)",
        "",
        "| variant | value (s) | value + grads (s) | value + grads vs chunked | NumPy peak beyond in/out | "
        "peak RSS growth beyond in/out |",
        "|---|---|---|---|---|---|",
    ]
    for f in figs:
        if "skipped" in f:
            lines.append(f"| {f['variant']} | skipped: {f['skipped']} | | | | |")
            continue
        ratio = (f"{f['total_s'] / base['total_s']:.2f}x ({f['total_cpu'] / base['total_cpu']:.2f}x)"
                 if base else "-")
        peak = f"value {frac(f['value_peak'])}, +grads {frac(f['total_peak'])}" if "value_peak" in f else "n/a (not NumPy)"
        lines.append(f"| {f['variant']} | {f['value_s']:.2f} ({f['value_cpu']:.2f}) | "
                     f"{f['total_s']:.2f} ({f['total_cpu']:.2f}) | {ratio} | {peak} | {frac(f['rss_growth'])} |")
    if agree:
        lines += ["", "Agreement with chunked (max |difference| / max |reference|):", ""]
        for name, rel in agree.items():
            lines.append(f"- {name}: value {rel['value']:.1e}, d_hidden {rel['d_hidden']:.1e}, "
                         f"d_weight {rel['d_weight']:.1e}")
    text = "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
