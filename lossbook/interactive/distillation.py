r"""The temperature of distillation: what a student sees of its teacher.

One figure (see :mod:`lossbook.interactive`), ``"distillation_temperature"``: the logits
:math:`\mathbf v` a teacher gives a few images, a menu to pick one, and a slider for the
temperature :math:`T` of the soft targets :math:`p^T = \operatorname{softmax}(\mathbf v / T)`.
It draws

* the soft targets at :math:`T` on a log scale, next to those at :math:`T = 1` (grey
  dots): dividing the logits by :math:`T` lifts the wrong classes by orders of magnitude
  and keeps their order;
* against :math:`T`: the entropy of :math:`p^T` (as a share of its largest value
  :math:`\log C`), the probability on the wrong classes :math:`1 - p^T_y`, and the share
  of the soft term's gradient that falls on the wrong classes for a student at the start
  of training (logits 0), :math:`\sum_{k \ne y} g_k^2 / \sum_k g_k^2` with
  :math:`g_k = (q^T_k - p^T_k)/T` (a one-hot label gives :math:`1/C`);
* the size of that gradient, :math:`\lVert (q^T - p^T)/T \rVert`, which falls like
  :math:`1/T^2`, and :math:`T^2` times it, which does not: the reason for the factor
  :math:`T^2` of the distillation loss.

The entropies and gradients are :func:`lossbook.losses.cross_entropy` and its gradient
with probability targets.  The registered figure's teacher is a softmax regression on
scikit-learn's digits (:func:`digits_teacher_logits`, fitted on first use with
:func:`lossbook.models.fit_linear`), shown on one test image of each digit 0 to 5; a
chapter shows its own teacher with :func:`figure`::

    interactive.show(distillation.figure(v_test[rows], y_test[rows]))
"""

from __future__ import annotations

import functools

import numpy as np

from lossbook import losses as _losses
from lossbook.plotting import OKABE_ITO

from .registry import register
from .spec import Figure, Line, Menu, Panel, Point, Rule, Slider

__all__ = ["TEMPERATURES", "T_CURVE", "FLOOR", "N_EXAMPLES", "soft_targets", "temperature_curves", "digits_teacher_logits",
           "distillation_temperature", "figure", "FIGURE"]

#: The temperatures of the static page: 2^(k/2) from 1/2 to 64.
TEMPERATURES = tuple(round(2.0 ** (k / 2), 10) for k in range(-2, 13))
#: Where the curves against the temperature are evaluated.
T_CURVE = np.geomspace(TEMPERATURES[0], TEMPERATURES[-1], 57)
#: The smallest probability the log-scale panel shows (smaller ones are drawn at it).
FLOOR = 1e-12


def soft_targets(v, T):
    r"""The teacher's soft targets :math:`\operatorname{softmax}(\mathbf v / T)`, row by row.

    Example:
        >>> p = soft_targets([[2.0, 0.0, 0.0]], 2.0)
        >>> bool(np.allclose(p, np.exp([1.0, 0, 0]) / (np.e + 2)))
        True
    """
    z = np.asarray(v, dtype=np.float64) / T
    e = np.exp(z - z.max(axis=-1, keepdims=True))        # shifted by the row maximum: no overflow
    return e / e.sum(axis=-1, keepdims=True)


def temperature_curves(v, label, T):
    r"""Entropy share, wrong-class probability and soft-gradient numbers of one example.

    Args:
        v: the teacher's logits for one example, ``(C,)``.
        label: its true class.
        T: temperatures, an array.

    Returns:
        A dict of arrays over ``T``: ``entropy`` (:math:`H(p^T)/\log C`), ``wrong``
        (:math:`1 - p^T_y`), ``share`` (the soft gradient's share on the wrong classes at
        student logits 0), ``grad`` (its norm) and ``grad_T2`` (:math:`T^2` times it).

    Example:
        >>> c = temperature_curves(np.array([5.0, 1.0, 0.0]), 0, np.array([1.0, 100.0]))
        >>> bool(c["entropy"][1] > c["entropy"][0]), bool(c["grad"][1] < c["grad"][0])
        (True, True)
    """
    v = np.asarray(v, dtype=np.float64)
    T = np.asarray(T, dtype=np.float64)
    C = v.shape[-1]
    P = soft_targets(v[None, :] / T[:, None], 1.0)                 # (len(T), C)
    # H(p) is the cross-entropy of p with itself: lossbook's cross_entropy with targets p
    H = _losses.cross_entropy(P, np.log(np.maximum(P, 1e-300)), reduction="none")
    # d KL(p^T || q^T) / d z at z = 0: (q^T - p^T) / T, q^T uniform; cross_entropy's
    # gradient with targets p^T at logits 0 (the sum of each row's own gradient)
    G = _losses.cross_entropy.grad(P, np.zeros_like(P), reduction="sum") / T[:, None]
    wrong = np.arange(C) != int(label)
    g2 = G**2
    norm = np.sqrt(g2.sum(axis=1))
    return {"entropy": H / np.log(C), "wrong": 1.0 - P[:, int(label)],
            "share": g2[:, wrong].sum(axis=1) / g2.sum(axis=1), "grad": norm, "grad_T2": T**2 * norm}


#: How many images the registered figure offers: the first test image of each digit 0, 1, ...
N_EXAMPLES = 6


@functools.lru_cache(maxsize=1)
def digits_teacher_logits():
    """Test logits of a softmax regression on scikit-learn's digits, for a few test images.

    The model is :func:`lossbook.models.fit_linear` under ``cross_entropy`` with
    :math:`\\lambda = 10^{-3}` (L-BFGS) on the training split of
    :func:`lossbook.data.digits_split`; the images are the first test image of each
    digit ``0 .. N_EXAMPLES - 1``, in that order.

    Returns:
        ``(logits (N_EXAMPLES, 10), labels (N_EXAMPLES,))``, the labels ``0, 1, ...``.
    """
    from lossbook import data, models

    d = data.digits_split(seed=0)
    fit = models.fit_linear("cross_entropy", d.X_train.astype(np.float64), d.y_train, lam=1e-3, solver="lbfgs")
    logits = fit.predict(d.X_test.astype(np.float64))
    rows = [int(np.flatnonzero(np.asarray(d.y_test) == k)[0]) for k in range(N_EXAMPLES)]
    return logits[rows], np.asarray(d.y_test)[rows]


def distillation_temperature(*, example, T, logits=None, labels=None):
    r"""What the figure draws for one example at temperature ``T``.

    Args:
        example: the row of ``logits``.
        T: the temperature, > 0.
        logits: the teacher's logits ``(N, C)`` (None: :func:`digits_teacher_logits`).
        labels: the true classes ``(N,)``.

    Returns:
        ``k``, ``p``, ``p1``, ``floor`` (the bars), ``k_true``, ``p_true`` (the true class),
        the curves ``T_curve``, ``entropy``, ``wrong``, ``share``, ``grad``, ``grad_T2``,
        the current ``T_now`` and the curves' values there (``*_now``), and a ``message``.

    Example:
        >>> out = distillation_temperature(example=0, T=4.0)
        >>> bool(out["entropy_now"] > distillation_temperature(example=0, T=1.0)["entropy_now"])
        True
    """
    if logits is None:
        logits, labels = digits_teacher_logits()
    if T <= 0:
        raise ValueError(f"distillation_temperature: T must be > 0, got {T!r}")
    v, label = np.asarray(logits[int(example)], dtype=np.float64), int(labels[int(example)])
    C = len(v)
    p, p1 = soft_targets(v, T), soft_targets(v, 1.0)
    curves = _curves(v.tobytes(), label)
    now = temperature_curves(v, label, np.array([float(T)]))
    k = np.arange(C, dtype=np.float64)
    return {
        "k": k, "p": np.maximum(p, FLOOR), "p1": np.maximum(p1, FLOOR), "floor": np.full(C, FLOOR),
        "k_true": float(label), "p_true": float(max(p[label], FLOOR)),
        "T_curve": T_CURVE, **curves, "T_now": float(T),
        **{f"{name}_now": float(now[name][0]) for name in curves},
        "message": (f"p_y = {p[label]:.3f}; entropy {now['entropy'][0]:.0%} of log C; gradient share on "
                    f"wrong classes {now['share'][0]:.0%} (a label: {1 / C:.0%})"),
    }


@functools.lru_cache(maxsize=64)
def _curves_cached(v_bytes: bytes, label: int):
    v = np.frombuffer(v_bytes, dtype=np.float64)
    return temperature_curves(v, label, T_CURVE)


def _curves(v_bytes: bytes, label: int) -> dict:
    return dict(_curves_cached(v_bytes, label))


def figure(logits=None, labels=None, *, names=None, default_T=1.0, name="distillation_temperature") -> Figure:
    r"""The figure for a teacher's ``logits`` ``(N, C)`` and the true ``labels`` ``(N,)``.

    Without arguments: the registered figure, on :func:`digits_teacher_logits`.  The
    menu offers the N examples, called ``names`` (default "example i: class y").
    """
    if logits is None:                                  # known without fitting: digits 0, 1, ...
        rows, ys = N_EXAMPLES, range(N_EXAMPLES)
    else:
        rows, ys = len(logits), labels
    names = tuple(names) if names is not None else tuple(f"example {i}: a {int(y)}" for i, y in enumerate(ys))
    blue, vermillion, grey, green = (OKABE_ITO[c] for c in ("blue", "vermillion", "grey", "green"))
    lo, hi = TEMPERATURES[0], TEMPERATURES[-1]
    return Figure(
        name=name,
        compute=distillation_temperature,
        controls=[
            Menu(name="example", options=tuple(range(rows)), default=0, labels=names, label="image"),
            Slider(name="T", values=TEMPERATURES, default=default_T, scale="log", label="temperature T",
                   live=(lo, hi, 0.02), fmt=".2f"),
        ],
        panels=[
            Panel(title="soft targets at T", subtitle="grey: T = 1; red: the true class", xlabel="class k",
                  ylabel="p_k (log scale)", yscale="log", xdomain=(-0.5, 9.5), ydomain=(FLOOR, 1.5),
                  marks=[Rule(x="k", y="floor", x2="k", y2="p", color=blue, width=6.0, name="bars"),
                         Point(x="k", y="p1", color=grey, size=30, name="p_T1"),
                         Point(x="k_true", y="p_true", color=vermillion, size=50, name="true_class")]),
            Panel(title="what the student sees", subtitle="blue: H / log C, green: 1 - p_y, red: gradient share",
                  xlabel="temperature T", ylabel="fraction",
                  xscale="log", xdomain=(lo, hi), ydomain=(0.0, 1.0),
                  marks=[Line(x="T_curve", y="entropy", color=blue, name="entropy"),
                         Line(x="T_curve", y="wrong", color=green, name="wrong"),
                         Line(x="T_curve", y="share", color=vermillion, name="share"),
                         Point(x="T_now", y="entropy_now", color=blue, size=50),
                         Point(x="T_now", y="wrong_now", color=green, size=50),
                         Point(x="T_now", y="share_now", color=vermillion, size=50, name="share_now")]),
            Panel(title="size of the soft gradient", subtitle="grey: as it is; blue: times T^2",
                  xlabel="temperature T", ylabel="norm (log scale)", xscale="log", yscale="log",
                  xdomain=(lo, hi), ydomain=(1e-4, 10.0),
                  marks=[Line(x="T_curve", y="grad", color=grey, name="grad"),
                         Line(x="T_curve", y="grad_T2", color=blue, name="grad_T2"),
                         Point(x="T_now", y="grad_now", color=grey, size=50),
                         Point(x="T_now", y="grad_T2_now", color=blue, size=50)]),
        ],
        rows=((0, 1), (2,)),
        message="message",
        fixed={"logits": logits, "labels": labels},
        width=225, height=200, figsize=(11.0, 6.6),
        alt=("A teacher's soft targets for one image at a temperature T on a log scale, the entropy, the "
             "probability on the wrong classes and the gradient's share on them against T, and the size of "
             "the soft gradient with and without the factor T squared; a menu picks the image, a slider T."),
    )


FIGURE = register(figure())
