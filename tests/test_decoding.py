"""lossbook.decoding: CTC's collapsing map and greedy (best-path) decoding."""

from __future__ import annotations

import numpy as np
import pytest

from lossbook import losses
from lossbook.decoding import collapse, ctc_greedy_decode


def test_collapse_merges_repeats_then_drops_blanks():
    assert collapse([1, 1, 0, 2]) == [1, 2]            # a a - b -> a b
    assert collapse([1, 0, 1]) == [1, 1]               # a - a -> a a
    assert collapse([1, 1, 1]) == [1]                  # repeats without a blank merge
    assert collapse([0, 0, 0]) == []
    assert collapse("-hh-e-ll-lo-", blank="-") == list("hello")
    assert collapse(np.array([2, 2, 0, 3]), blank=0) == [2, 3]
    assert all(type(c) is int for c in collapse(np.array([2, 2, 0, 3])))


def _peaked(path, C, p=0.9):
    """Log-probabilities of T frames that put probability p on the class of ``path``."""
    probs = np.full((len(path), C), (1 - p) / (C - 1))
    probs[np.arange(len(path)), path] = p
    return np.log(probs)


def test_greedy_decode_one_sequence_and_any_scores():
    path = [0, 1, 1, 0, 2, 2, 0, 2, 3]
    lp = _peaked(path, C=4)
    assert ctc_greedy_decode(lp) == [1, 2, 2, 3]
    assert ctc_greedy_decode(np.exp(lp)) == ctc_greedy_decode(lp + 5.0) == [1, 2, 2, 3]  # argmax only
    assert ctc_greedy_decode(_peaked([3, 3, 1], C=4), blank=3) == [1]


def test_greedy_decode_batch_time_first_with_lengths():
    paths = [[1, 1, 0, 2, 0, 0], [3, 0, 3, 3, 1, 1]]
    lp = np.stack([_peaked(p, C=4) for p in paths], axis=1)          # (T, N, C)
    assert ctc_greedy_decode(lp) == [[1, 2], [3, 3, 1]]
    assert ctc_greedy_decode(lp, input_lengths=[4, 3]) == [[1, 2], [3, 3]]   # padding ignored
    with pytest.raises(ValueError, match="input_lengths must be 2 integers"):
        ctc_greedy_decode(lp, input_lengths=[7, 3])


def test_greedy_decode_accepts_torch_tensors():
    torch = pytest.importorskip("torch")
    lp = np.stack([_peaked([1, 0, 2], C=3), _peaked([2, 2, 2], C=3)], axis=1)
    assert ctc_greedy_decode(torch.tensor(lp, requires_grad=True), input_lengths=torch.tensor([3, 2])) == [[1, 2], [2]]


def test_greedy_best_path_has_the_highest_single_path_probability():
    # the decoded sequence's loss sums over all its alignments, the best path included:
    # finite, and at most minus the log-probability of the best path
    checked = 0
    for seed in range(5):
        rng = np.random.default_rng(seed)
        logits = rng.standard_normal((6, 3)) * 2                        # T = 6 frames, C = 3
        lp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        decoded = ctc_greedy_decode(lp)
        if decoded:
            nll = losses.ctc(np.array(decoded), lp, reduction="sum")
            assert np.isfinite(nll) and nll <= -lp.max(axis=1).sum() + 1e-12
            checked += 1
    assert checked >= 3
