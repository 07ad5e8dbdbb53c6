r"""Sampling from a language model at a temperature: one figure, a prefix menu and a slider.

One figure (see :mod:`lossbook.interactive`), ``"sampling_temperature"``.  A character
language model gives, after a prefix, logits :math:`\mathbf z` over the next character;
sampling at temperature :math:`T` draws it from
:math:`\mathbf p_T = \operatorname{softmax}(\mathbf z / T)`.  The figure draws

* the next-character distribution after the chosen prefix at :math:`T` (bars), against
  the model's own distribution :math:`\mathbf p_1` (grey dots), characters ranked by
  :math:`\mathbf p_1`;
* against :math:`T`: the entropy :math:`H(\mathbf p_T)` of that distribution, the
  expected negative log-likelihood under the model of one character drawn at
  :math:`T`, :math:`\mathbb E_{c \sim \mathbf p_T}[-\log p_{1,c}] = H(\mathbf p_T,
  \mathbf p_1)` (both for the chosen prefix), and the mean NLL per character, under the
  model, of whole sentences sampled at each temperature (precomputed), with the current
  :math:`T` marked.

Both per-prefix curves rise with :math:`T`; they meet at :math:`T = 1`, where the
cross-entropy is the entropy.  The message names the three likeliest characters.

The figure's data is a *table* (:func:`make_table`): the characters, a few prefixes
with the model's next-character logits after each, and the NLL per character of
sentences sampled at each of :data:`TEMPERATURES`.  The registered figure uses a character 4-gram
model of :func:`lossbook.data.grammar_sentences` (:func:`ngram_table`, computed on first
use); a chapter shows its own model with :func:`figure`::

    interactive.show(language.figure(language.make_table(chars, prefixes, logits, nll)))
"""

from __future__ import annotations

import functools
from collections import defaultdict

import numpy as np

from lossbook.plotting import OKABE_ITO

from .registry import register
from .spec import Figure, Line, Menu, Panel, Point, Rule, Slider

__all__ = ["TEMPERATURES", "T_CURVE", "EOS", "make_table", "ngram_table", "sampling_temperature",
           "figure", "FIGURE"]

#: The temperatures of the static page, and at which sentences are sampled: 2^(k/2), 1/4 to 4.
TEMPERATURES = tuple(round(2.0 ** (k / 2), 10) for k in range(-4, 5))
#: Where the per-prefix curves against the temperature are evaluated.
T_CURVE = np.geomspace(TEMPERATURES[0], TEMPERATURES[-1], 41)
#: How the end of a sentence is shown among the characters.
EOS = "<eos>"
#: The prefixes of the registered figure.
NGRAM_PREFIXES = ("the c", "our young team w", "every hot soup ", "a fog clears at night")


def _log_softmax(z):
    z = z - z.max(axis=-1, keepdims=True)              # shifted by the maximum: no overflow
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def make_table(chars, prefixes, logits, nll, *, temperatures=TEMPERATURES):
    r"""Check and pack the data of a sampling-temperature figure.

    Args:
        chars: the ``C`` symbols the model predicts (str; the end of sentence as :data:`EOS`).
        prefixes: ``P`` prefixes (str).
        logits: ``(P, C)`` next-symbol logits of the model after each prefix.
        nll: ``(K,)`` mean negative log-likelihood per symbol, in nats, under the model
            (at :math:`T = 1`), of sentences sampled at each of the ``K`` temperatures.
        temperatures: the ``K`` temperatures, increasing.

    Returns:
        a dict with those entries (arrays as float64, strings as tuples).
    """
    chars, prefixes = tuple(chars), tuple(prefixes)
    logits = np.asarray(logits, dtype=np.float64)
    temps = np.asarray(temperatures, dtype=np.float64)
    nll = np.asarray(nll, dtype=np.float64)
    if logits.shape != (len(prefixes), len(chars)):
        raise ValueError(f"make_table: logits must have shape (prefixes, chars) = {(len(prefixes), len(chars))}, "
                         f"got {logits.shape}")
    if not np.isfinite(logits).all():
        raise ValueError("make_table: logits must be finite (leave out the symbols the model never predicts)")
    if not (temps.ndim == 1 and np.all(np.diff(temps) > 0) and temps[0] > 0):
        raise ValueError(f"make_table: temperatures must be increasing and > 0, got {temperatures!r}")
    if nll.shape != temps.shape:
        raise ValueError(f"make_table: nll must hold one value per temperature ({len(temps)}), got shape {nll.shape}")
    return {"chars": chars, "prefixes": prefixes, "logits": logits, "temperatures": temps, "nll": nll}


def _ngram_model(texts, order, k):
    """Add-k smoothed character n-gram: context (order - 1 symbols) -> log-probabilities."""
    chars = sorted(set("".join(texts))) + [EOS]
    index = {c: i for i, c in enumerate(chars)}
    counts = defaultdict(lambda: np.zeros(len(chars)))
    for s in texts:
        seq = ["^"] * (order - 1) + list(s) + [EOS]
        for i in range(order - 1, len(seq)):
            counts["".join(seq[i - order + 1:i])][index[seq[i]]] += 1
    uniform = np.full(len(chars), -np.log(len(chars)))
    table = {ctx: np.log((c + k) / (c.sum() + k * len(chars))) for ctx, c in counts.items()}
    return chars, (lambda ctx: table.get(ctx, uniform))


@functools.lru_cache(maxsize=1)
def ngram_table(n: int = 2000, order: int = 4, k: float = 0.01, n_samples: int = 100, seed: int = 0):
    r"""The registered figure's data: a character n-gram model of the grammar's sentences.

    Add-``k`` smoothed counts of each character after the previous ``order - 1`` (the
    start padded with a marker) on :func:`lossbook.data.grammar_sentences` ``(n, seed)``;
    ``n_samples`` sentences (at most 90 symbols) sampled at each of :data:`TEMPERATURES`.
    """
    from lossbook import data

    texts = data.grammar_sentences(n, seed=seed).text
    chars, logp = _ngram_model(texts, order, k)
    rng = np.random.default_rng(seed)
    eos = chars.index(EOS)
    nll = []
    for T in TEMPERATURES:
        seqs = [["^"] * (order - 1) for _ in range(n_samples)]
        alive = np.ones(n_samples, dtype=bool)
        total, count = 0.0, 0
        for _ in range(90):
            lp = np.array([logp("".join(s[-(order - 1):])) for s in seqs])
            pT = np.exp(_log_softmax(lp / T))
            draw = (pT.cumsum(axis=1) > rng.random((n_samples, 1))).argmax(axis=1)
            total += -lp[np.arange(n_samples), draw][alive].sum()
            count += int(alive.sum())
            for i in np.flatnonzero(alive):
                seqs[i].append(chars[draw[i]])
            alive &= draw != eos
            if not alive.any():
                break
        nll.append(total / count)
    logits = np.array([logp(("^" * (order - 1) + p)[-(order - 1):]) for p in NGRAM_PREFIXES])
    return make_table(chars, NGRAM_PREFIXES, logits, nll)


def sampling_temperature(*, prefix, T, table=None):
    r"""Next-character distribution at temperature ``T`` after ``prefix``, and curves against ``T``.

    Args:
        prefix: one of ``table["prefixes"]``.
        T: the temperature, > 0.
        table: the data (:func:`make_table`); None: the registered n-gram model's.

    Returns:
        The outputs the figure draws: ``rank`` (1..C), ``p1``, ``pT`` (ranked by ``p1``),
        ``zero``; ``T_curve``, ``entropy_curve``, ``xent_curve`` (this prefix);
        ``T_grid``, ``nll_grid`` (sampled sentences); ``T_now``, ``entropy_now``,
        ``xent_now``, ``nll_now``; ``rank_domain``, ``y_domain`` (0 to at least 6 nats, higher
        when a curve of this prefix or of the sentences goes above); the numbers ``entropy``,
        ``cross_entropy``; and a ``message``.

    Example:
        >>> cold = sampling_temperature(prefix="the c", T=0.5)
        >>> hot = sampling_temperature(prefix="the c", T=2.0)
        >>> bool(cold["entropy"] < hot["entropy"]), bool(cold["pT"][0] > hot["pT"][0])
        (True, True)
    """
    table = ngram_table() if table is None else table
    if T <= 0:
        raise ValueError(f"sampling_temperature: T must be > 0, got {T!r}")
    if prefix not in table["prefixes"]:
        raise ValueError(f"sampling_temperature: prefix must be one of {table['prefixes']}, got {prefix!r}")
    z = table["logits"][table["prefixes"].index(prefix)]
    order = np.argsort(-z, kind="stable")
    log_p1 = _log_softmax(z)[order]
    log_pT = _log_softmax(z[order] / T_CURVE[:, None])                # (41, C): every T of the curve
    pT_curve = np.exp(log_pT)
    entropy_curve = -(pT_curve * log_pT).sum(axis=1)
    xent_curve = -(pT_curve * log_p1).sum(axis=1)                     # E_{c ~ p_T}[-log p_1(c)]
    log_pT_now = _log_softmax(z[order] / T)
    pT = np.exp(log_pT_now)
    entropy, xent = float(-(pT * log_pT_now).sum()), float(-(pT * log_p1).sum())
    temps = table["temperatures"]
    nll_now = float(np.interp(np.log(T), np.log(temps), table["nll"]))
    C = len(z)
    y_top = max(6.0, float(np.ceil(max(xent_curve.max(), table["nll"].max()))))   # no curve leaves the panel
    top = ", ".join(f"{_show(table['chars'][i])} {p:.2f}" for i, p in zip(order[:3], pT[:3]))
    return {
        "rank": np.arange(1.0, C + 1), "p1": np.exp(log_p1), "pT": pT, "zero": np.zeros(C),
        "T_curve": T_CURVE, "entropy_curve": entropy_curve, "xent_curve": xent_curve,
        "T_grid": temps, "nll_grid": table["nll"],
        "T_now": float(T), "entropy_now": entropy, "xent_now": xent, "nll_now": nll_now,
        "rank_domain": (0.5, min(C, 12) + 0.5), "y_domain": (0.0, y_top),
        "entropy": entropy, "cross_entropy": xent,
        "message": f'after "{prefix}": {top}',
    }


def _show(c):
    return {" ": "space", EOS: "end"}.get(c, c)


def figure(table=None, *, name="sampling_temperature", default_prefix=None) -> Figure:
    """The figure for ``table`` (:func:`make_table`); without one, the registered n-gram figure."""
    prefixes = NGRAM_PREFIXES if table is None else table["prefixes"]
    blue, vermillion, grey, green = (OKABE_ITO[c] for c in ("blue", "vermillion", "grey", "green"))
    return Figure(
        name=name,
        compute=sampling_temperature,
        controls=[
            Menu(name="prefix", options=tuple(prefixes), default=default_prefix or prefixes[0], label="prefix"),
            Slider(name="T", values=TEMPERATURES, default=1.0, scale="log", label="temperature T",
                   live=(TEMPERATURES[0], TEMPERATURES[-1], 0.02), fmt=".2f"),
        ],
        panels=[
            Panel(title="Next character", subtitle="bars: at T; grey dots: T = 1",
                  xlabel="rank of the character at T = 1", ylabel="probability",
                  xdomain="rank_domain", ydomain=(0.0, 1.0),
                  marks=[Rule(x="rank", y="zero", x2="rank", y2="pT", color=blue, width=6.0, name="bars"),
                         Point(x="rank", y="p1", color=grey, size=40, name="model")]),
            Panel(title="Against the temperature",
                  subtitle="blue: entropy · red: one draw · green: sentences",
                  xlabel="temperature T", ylabel="nats per character", xscale="log",
                  xdomain=(TEMPERATURES[0], TEMPERATURES[-1]), ydomain="y_domain",
                  marks=[Line(x="T_curve", y="entropy_curve", color=blue, name="entropy"),
                         Line(x="T_curve", y="xent_curve", color=vermillion, name="cross_entropy"),
                         Line(x="T_grid", y="nll_grid", color=green, points=True, name="sentences"),
                         Point(x="T_now", y="entropy_now", color=blue, size=60),
                         Point(x="T_now", y="xent_now", color=vermillion, size=60, name="now"),
                         Point(x="T_now", y="nll_now", color=green, size=60, shape="square")]),
        ],
        message="message",
        fixed={"table": table},
        alt=("The next-character distribution of a language model after a prefix, at a sampling temperature, "
             "and its entropy and expected negative log-likelihood against the temperature; a menu picks the "
             "prefix, a slider the temperature."),
    )


FIGURE = register(figure())
