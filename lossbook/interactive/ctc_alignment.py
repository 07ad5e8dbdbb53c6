r"""How a CTC model's alignment forms during training: per-frame posteriors and the soft alignment.

One figure (see :mod:`lossbook.interactive`), ``"ctc_alignment"``: a few held-out
utterances of :func:`lossbook.data.speech_like`, and the per-frame log-probabilities a
model trained with CTC (:func:`lossbook.losses.ctc`) gave them at successive epochs
("checkpoints").  A slider picks the epoch, a menu the utterance.  It draws, with a bar over the
frames where a symbol sounds (the model never sees them),

* the model's per-frame posteriors :math:`\hat p_{t,k}` for the blank and each symbol,
  with the frames where the best path starts a new label marked (greedy decoding,
  :func:`lossbook.decoding.ctc_greedy_decode`), and
* the soft alignment :math:`\gamma_t(k)`, the forward-backward posterior that frame
  :math:`t` emits :math:`k` given the utterance's transcript, read off the gradient
  :math:`\partial\ell/\partial\log\hat p_{t,k} = -\gamma_t(k)` of
  :func:`lossbook.losses.ctc` (``losses.ctc.grad``, ``reduction="sum"``).

The gradient of the CTC loss with respect to the logits is :math:`\hat p_t - \gamma_t`:
training pulls the first panel towards the second, and where they agree the loss has
nothing left to teach on that utterance.

The registered figure shows a per-frame linear model with one frame of context on
each side, trained by full-batch Adam in NumPy (:func:`linear_checkpoints`, computed
on first use); a chapter shows its own model's checkpoints with :func:`figure`::

    cp = ctc_alignment.checkpoints({0: lp0, 1: lp1, ...}, utterances, indices=[0, 1, 2])
    interactive.show(ctc_alignment.figure(cp))
"""

from __future__ import annotations

import functools

import numpy as np

from lossbook import data as _data
from lossbook import losses as _losses
from lossbook.decoding import collapse, ctc_greedy_decode
from lossbook.plotting import OKABE_ITO, cycle

from .registry import register
from .spec import Figure, Line, Menu, Panel, Point, Rule, Slider

__all__ = ["DEFAULT_UTTERANCES", "checkpoints", "linear_checkpoints", "ctc_alignment", "symbol_colors",
           "figure", "FIGURE"]

#: Which utterances of ``speech_like(3, seed=1)`` the registered figure shows.
DEFAULT_UTTERANCES = (0, 1, 2)
_DEFAULT_STEPS, _DEFAULT_EVERY = 100, 10


def symbol_colors(n_classes: int) -> list[str]:
    """The colour of each class: grey for the blank (class 0), the book's cycle for the symbols."""
    return [OKABE_ITO["grey"]] + [s["color"] for s in cycle(n_classes - 1)]


def checkpoints(log_probs_by_epoch, utterances, indices) -> dict:
    """Pack per-epoch log-probabilities of a few utterances for :func:`figure`.

    Args:
        log_probs_by_epoch: ``{epoch: log_probs}``, each ``(n, T_max, C)`` batch first
            (the rows ``indices`` of ``utterances``, in that order), log-probabilities
            over the classes (blank 0), e.g. ``log_softmax`` of a model's outputs.
            The epochs must be evenly spaced integers (a slider's values).
        utterances: the :class:`lossbook.data.Utterances` the rows come from.
        indices: which utterances, ``(n,)``.

    Returns:
        A dict with ``epochs`` ``(K,)``, ``log_probs`` ``(K, n, T_max, C)`` float64,
        ``labels``, ``target_lengths``, ``input_lengths``, ``frame_labels`` of the
        chosen utterances and ``symbols``.
    """
    idx = np.asarray(indices, dtype=np.int64).reshape(-1)
    epochs = np.array(sorted(log_probs_by_epoch), dtype=np.int64)
    lp = np.stack([np.asarray(log_probs_by_epoch[e], dtype=np.float64) for e in epochs])
    n, T = len(idx), int(utterances.input_lengths[idx].max())
    if lp.ndim != 4 or lp.shape[1] != n or lp.shape[2] < T:
        raise ValueError(f"checkpoints: each log_probs must be (n={n}, T_max >= {T}, C), got {lp.shape[1:]}")
    if len(epochs) > 1 and not np.all(np.diff(epochs) == epochs[1] - epochs[0]):
        raise ValueError(f"checkpoints: the epochs must be evenly spaced, got {epochs.tolist()}")
    C = lp.shape[3]
    if C != len(utterances.symbols):
        raise ValueError(f"checkpoints: log_probs has {C} classes, the utterances {len(utterances.symbols)} "
                         f"symbols {utterances.symbols!r} (blank included)")
    return {"epochs": epochs, "log_probs": lp[:, :, :T], "labels": utterances.labels[idx],
            "target_lengths": utterances.target_lengths[idx], "input_lengths": utterances.input_lengths[idx],
            "frame_labels": utterances.frame_labels[idx, :T], "symbols": utterances.symbols}


def _context(frames):
    """Each frame with its two neighbours, ``(N, T, 3 D)`` (zeros beyond the ends)."""
    pad = np.pad(np.asarray(frames, dtype=np.float64), ((0, 0), (1, 1), (0, 0)))
    return np.concatenate([pad[:, :-2], pad[:, 1:-1], pad[:, 2:]], axis=2)


@functools.lru_cache(maxsize=1)
def linear_checkpoints(steps: int = _DEFAULT_STEPS, every: int = _DEFAULT_EVERY, lr: float = 0.2) -> dict:
    r"""The registered figure's checkpoints: a linear CTC model trained in NumPy.

    The logits of frame :math:`t` are :math:`[\mathbf x_{t-1}, \mathbf x_t,
    \mathbf x_{t+1}] W + \mathbf b` (zero frames beyond the ends), :math:`W = 0`,
    :math:`\mathbf b = 0` at the start (uniform outputs).  Full-batch Adam (``lr``,
    :class:`lossbook.optim.Adam`) on the mean CTC loss per label
    (:func:`lossbook.losses.ctc`, its gradient chained through the log-softmax) over
    ``speech_like(100, seed=0)``; the checkpoints are the log-probabilities of
    ``speech_like(3, seed=1)`` every ``every`` steps (one step = one epoch).
    """
    from scipy import special

    from lossbook import optim

    train, shown = _data.speech_like(100, seed=0), _data.speech_like(3, seed=1)
    X, X_shown = _context(train.frames), _context(shown.frames)
    C = len(train.symbols)
    W, b = np.zeros((X.shape[2], C)), np.zeros(C)
    opt = optim.Adam(lr=lr)
    kw = {"input_lengths": train.input_lengths, "target_lengths": train.target_lengths}
    by_epoch = {}
    for step in range(steps + 1):
        if step % every == 0:
            by_epoch[step] = special.log_softmax(X_shown @ W + b, axis=2)
        if step == steps:
            break
        lp = special.log_softmax(X @ W + b, axis=2).transpose(1, 0, 2)   # time first (T, N, C)
        g = _losses.ctc.grad(train.labels, lp, **kw)
        g_z = (g - np.exp(lp) * g.sum(axis=2, keepdims=True)).transpose(1, 0, 2)   # through log_softmax
        W, b = opt.step([W, b], [np.einsum("ntd,ntc->dc", X, g_z), g_z.sum(axis=(0, 1))])
    return checkpoints(by_epoch, shown, DEFAULT_UTTERANCES)


def _text(symbols, ids) -> str:
    return "".join(symbols[int(k)] for k in ids)


def ctc_alignment(*, epoch, utterance, checkpoints=None):
    r"""Per-frame posteriors, soft alignment and greedy decoding of one utterance at one epoch.

    Args:
        epoch: the training epoch; the nearest recorded one is shown.
        utterance: which of the recorded utterances (0, 1, ...).
        checkpoints: what :func:`checkpoints` returns (None: :func:`linear_checkpoints`).

    Returns:
        The outputs the figure draws: ``t`` (frames), ``p0`` ... (the posterior of each
        class per frame), ``g0`` ... (the soft alignment :math:`\gamma_t(k)`), the bars
        over the frames where a symbol sounds ``sound_from``, ``sound_to``, ``sound_y``,
        the spikes ``spike_t``, ``spike_p`` (None when the best path is all blank),
        ``x_range``,
        the numbers ``loss`` (CTC loss per label), ``blank_share`` (frames where the
        blank is the most probable class), ``decoded`` and ``truth`` (strings), and a
        ``message``.

    Example:
        >>> out = ctc_alignment(epoch=0, utterance=0)
        >>> out["decoded"], bool(np.allclose(out["p0"], 0.2))       # untrained: uniform, empty decoding
        ('', True)
    """
    cp = linear_checkpoints() if checkpoints is None else checkpoints
    k = int(np.argmin(np.abs(cp["epochs"] - float(epoch))))
    n = int(utterance)
    T, U = int(cp["input_lengths"][n]), int(cp["target_lengths"][n])
    lp = cp["log_probs"][k, n, :T]                                  # (T, C)
    labels = cp["labels"][n, :U]
    C, symbols = lp.shape[1], cp["symbols"]
    p = np.exp(lp)
    gamma = -_losses.ctc.grad(labels, lp, reduction="sum")           # d loss / d log p = -gamma
    best = lp.argmax(axis=1)
    decoded = ctc_greedy_decode(lp)
    starts = [t for t in range(T) if best[t] != 0 and (t == 0 or best[t] != best[t - 1])]
    frames = np.arange(T, dtype=np.float64)
    truth = cp["frame_labels"][n, :T]
    edges = np.flatnonzero(np.diff(np.r_[0, truth, 0]) != 0)         # runs of equal frame labels
    runs = [(a, e - 1) for a, e in zip(edges[:-1], edges[1:]) if truth[a] != 0]
    loss = float(_losses.ctc(labels, lp, reduction="mean"))          # per label
    blank_share = float(np.mean(best == 0))
    out = {"t": frames, "x_range": np.array([-0.5, T - 0.5]),
           "sound_from": np.array([a - 0.4 for a, _ in runs]), "sound_to": np.array([e + 0.4 for _, e in runs]),
           "sound_y": np.full(len(runs), 1.06),
           "spike_t": np.array(starts, dtype=np.float64) if starts else None,
           "spike_p": p[starts, best[starts]] if starts else None,
           "loss": loss, "blank_share": blank_share, "decoded": _text(symbols, decoded),
           "truth": _text(symbols, labels)}
    for c in range(C):
        out[f"p{c}"] = p[:, c]
        out[f"g{c}"] = gamma[:, c]
    out["message"] = f"epoch {int(cp['epochs'][k])}: decoded '{out['decoded']}', loss {loss:.2g}/label"
    return out


def figure(checkpoints=None, *, name="ctc_alignment", default_epoch=None) -> Figure:
    r"""The figure for ``checkpoints`` (what :func:`checkpoints` returns).

    Without arguments: the registered figure, on :func:`linear_checkpoints` (whose data
    are computed when the figure is first drawn).  The slider runs over the recorded
    epochs (starting at ``default_epoch``, else the last), the menu over the utterances.
    """
    if checkpoints is None:
        shown = _data.speech_like(3, seed=1)
        epochs = tuple(range(0, _DEFAULT_STEPS + 1, _DEFAULT_EVERY))
        labels = [shown.labels[i, :shown.target_lengths[i]] for i in DEFAULT_UTTERANCES]
        symbols = shown.symbols
    else:
        epochs = tuple(int(e) for e in checkpoints["epochs"])
        labels = [checkpoints["labels"][i, :checkpoints["target_lengths"][i]]
                  for i in range(len(checkpoints["labels"]))]
        symbols = checkpoints["symbols"]
    C = len(symbols)
    colors = symbol_colors(C)
    start = epochs[-1] if default_epoch is None else min(epochs, key=lambda e: abs(e - default_epoch))
    step = epochs[1] - epochs[0] if len(epochs) > 1 else 1

    def marks(prefix, with_spikes):
        shade = [Rule(x="sound_from", y="sound_y", x2="sound_to", y2="sound_y", color=OKABE_ITO["black"],
                      width=4.0, name="sound")]
        lines = [Line(x="t", y=f"{prefix}{c}", color=colors[c], width=1.5 if c == 0 else 2.0,
                      name=f"{prefix}{c}") for c in range(C)]
        spikes = [Point(x="spike_t", y="spike_p", color=OKABE_ITO["black"], size=40, shape="diamond",
                        name="spikes")] if with_spikes else []
        return shade + lines + spikes

    legend = ", ".join(["blank grey"] + [f"{symbols[c]} {_COLOR_NAMES.get(colors[c], '')}".rstrip()
                                         for c in range(1, C)])
    return Figure(
        name=name,
        compute=ctc_alignment,
        controls=[
            Slider(name="epoch", values=epochs, default=start, integer=True, label="training epoch",
                   live=(epochs[0], epochs[-1], step), fmt="d"),
            Menu(name="utterance", options=tuple(range(len(labels))), default=0,
                 labels=tuple(f"'{_text(symbols, l)}'" for l in labels), label="utterance"),
        ],
        panels=[
            Panel(title="Model posteriors", subtitle=legend,
                  xlabel="frame t", ylabel="probability", xdomain="x_range", ydomain=(0.0, 1.1),
                  marks=marks("p", True)),
            Panel(title="Soft alignment (given the transcript)",
                  subtitle="forward-backward; bars: where symbols sound",
                  xlabel="frame t", ylabel="posterior", xdomain="x_range", ydomain=(0.0, 1.1),
                  marks=marks("g", False)),
        ],
        message="message",
        fixed={"checkpoints": checkpoints},
        width=230, height=200,
        alt=("Two panels against the frame of one utterance: the per-frame probabilities of the blank and of "
             "each symbol that a CTC model gives, with the spikes of greedy decoding marked, and the soft "
             "alignment of the forward-backward algorithm; bars above mark the frames where a symbol sounds. A slider "
             "picks the training epoch, a menu the utterance."),
    )


_COLOR_NAMES = {OKABE_ITO[k]: k for k in ("blue", "vermillion", "green", "orange", "purple", "sky", "black")}

FIGURE = register(figure())
