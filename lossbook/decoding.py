r"""Turning per-frame outputs of a CTC model into label sequences.

A CTC model (:func:`lossbook.losses.ctc`) outputs, for each of :math:`T_x` frames, a
distribution over the C classes, one of which is the blank.  An *alignment* (one class
per frame) maps to a label sequence by the collapsing function :math:`\mathcal B`:
merge repeated neighbours, then delete blanks (``a a - b -> a b``; ``a - a -> a a``).
Greedy ("best path") decoding takes the most probable class of every frame and collapses
the result.  It is an approximation: the most probable *alignment* need not collapse to
the most probable *label sequence* (which sums over all its alignments); prefix beam
search is the usual better decoder.

Shapes follow :func:`lossbook.losses.ctc` and PyTorch's ``CTCLoss``: one sequence
``(T, C)``, a batch time first ``(T, N, C)``.

Example:
    >>> collapse([1, 1, 0, 2, 2, 0, 2])
    [1, 2, 2]
"""

from __future__ import annotations

import numpy as np

__all__ = ["collapse", "ctc_greedy_decode"]


def collapse(path, blank=0) -> list:
    """CTC's collapsing map: merge runs of repeated classes, then drop the blanks.

    Args:
        path: one class index per frame (any sequence of ints, or a string with the
            blank given as a character).
        blank: the blank class (0 by default, as PyTorch).

    Example:
        >>> collapse("--hhe-l-lloo-", blank="-")
        ['h', 'e', 'l', 'l', 'o']
    """
    out, prev = [], None
    for c in path:
        c = c.item() if hasattr(c, "item") else c       # NumPy scalars -> Python
        if c != prev and c != blank:
            out.append(c)
        prev = c
    return out


def _to_numpy(x):
    if hasattr(x, "detach"):  # a torch tensor, possibly on a GPU
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def ctc_greedy_decode(log_probs, blank=0, input_lengths=None):
    """Best-path decoding: the most probable class of every frame, collapsed.

    Args:
        log_probs: per-frame scores whose argmax is the prediction (log-probabilities,
            probabilities or logits: the argmax is the same); a NumPy array or a torch
            tensor.
        blank: the blank class.
        input_lengths: frames used of each sequence of a batch; frames past it are
            padding and ignored (all ``T`` by default).

    Shape: ``(T, C)`` returns one list of class ids; ``(T, N, C)`` (time first, as
    :func:`lossbook.losses.ctc`) returns a list of N lists.  ``input_lengths``
    ``(N,)``.

    Example:
        >>> import numpy as np
        >>> p = np.array([[.1, .8, .1], [.2, .7, .1], [.9, .05, .05], [.1, .1, .8]])
        >>> ctc_greedy_decode(np.log(p))           # best path 1 1 0 2 -> [1, 2]
        [1, 2]
    """
    lp = _to_numpy(log_probs)
    if lp.ndim == 2:
        if input_lengths is not None:
            raise ValueError("ctc_greedy_decode: input_lengths is for a batch (T, N, C)")
        return collapse(lp.argmax(axis=-1).tolist(), blank)
    if lp.ndim != 3:
        raise ValueError(f"ctc_greedy_decode: log_probs must be (T, C) or (T, N, C), got {lp.shape}")
    T, N, C = lp.shape
    if not 0 <= blank < C:
        raise ValueError(f"ctc_greedy_decode: blank must be in [0, {C}), got {blank!r}")
    if input_lengths is None:
        lengths = np.full(N, T)
    else:
        lengths = _to_numpy(input_lengths).astype(int)
        if lengths.shape != (N,) or np.any(lengths < 0) or np.any(lengths > T):
            raise ValueError(f"ctc_greedy_decode: input_lengths must be {N} integers in [0, {T}], "
                             f"got {lengths!r}")
    best = lp.argmax(axis=-1)                           # (T, N)
    return [collapse(best[: lengths[n], n].tolist(), blank) for n in range(N)]
