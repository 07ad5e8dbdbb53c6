"""lossbook.metrics against scikit-learn and hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from lossbook import metrics as M


def test_accuracy_labels_and_scores():
    assert M.accuracy([0, 1, 2, 2], [0, 1, 1, 2]) == 0.75
    scores = np.array([[3.0, 1.0, 0.0], [0.0, 2.0, 1.0], [0.0, 0.0, 1.0]])
    assert M.accuracy([0, 1, 1], scores) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="y_pred must have shape"):
        M.accuracy([0, 1], [0, 1, 1])


def _ranking_case(seed, users=30, items=40, graded=False):
    rng = np.random.default_rng(seed)
    rel = (rng.random((users, items)) < 0.15).astype(float)
    rel[np.arange(users), rng.integers(items, size=users)] = 1.0     # every user has one
    if graded:
        rel *= rng.integers(1, 4, size=rel.shape)
    scores = rng.standard_normal((users, items))                     # continuous: no ties
    return rel, scores


@pytest.mark.parametrize("k", [1, 3, 10, 40])
@pytest.mark.parametrize("graded", [False, True])
def test_ndcg_matches_sklearn(k, graded):
    rel, scores = _ranking_case(k, graded=graded)
    ours = M.ndcg_at_k(rel, scores, k)
    for ties in (True, False):      # no ties in the scores, so both settings agree
        assert ours == pytest.approx(skm.ndcg_score(rel, scores, k=k, ignore_ties=ties), rel=1e-12)
    per_user = M.ndcg_at_k(rel, scores, k, reduction="none")
    assert per_user.shape == (rel.shape[0],) and np.all((per_user >= 0) & (per_user <= 1))


def test_ndcg_ties_go_to_the_lower_item_index():
    rel = np.array([[0.0, 1.0, 0.0, 1.0, 0.0]])
    scores = np.array([[1.0, 1.0, 1.0, 0.0, 0.0]])                   # a three-way tie
    # ranked 0, 1, 2, ...: the relevant item 1 is second
    assert M.ndcg_at_k(rel, scores, 2) == pytest.approx((1 / np.log2(3)) / (1 + 1 / np.log2(3)))
    # scikit-learn's ignore_ties=True ranks ties by the higher index: reversing the items agrees
    assert M.ndcg_at_k(rel, scores, 2) == pytest.approx(
        skm.ndcg_score(rel[:, ::-1], scores[:, ::-1], k=2, ignore_ties=True))


def test_ndcg_exclude_equals_dropping_the_items():
    rel, scores = _ranking_case(3, users=1, items=30)
    ex = np.zeros_like(rel, dtype=bool)
    ex[0, np.flatnonzero(rel[0] == 0)[:10]] = True                  # exclude 10 irrelevant items
    keep = ~ex[0]
    expected = skm.ndcg_score(rel[:, keep], scores[:, keep], k=5)
    assert M.ndcg_at_k(rel, scores, 5, exclude=ex) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="excluded item is also relevant"):
        M.ndcg_at_k(rel, scores, 5, exclude=rel > 0)


def test_recall_at_k_by_sets_and_users_without_relevant_items():
    rel, scores = _ranking_case(5)
    rel[0] = 0                                                        # a user with nothing held out
    k = 7
    expected = []
    for u in range(1, rel.shape[0]):
        top = set(np.argsort(-scores[u])[:k])
        relevant = set(np.flatnonzero(rel[u]))
        expected.append(len(top & relevant) / len(relevant))
    assert M.recall_at_k(rel, scores, k) == pytest.approx(np.mean(expected), rel=1e-12)
    per_user = M.recall_at_k(rel, scores, k, reduction="none")
    assert np.isnan(per_user[0]) and np.allclose(per_user[1:], expected)
    # all items recommended: recall 1
    assert M.recall_at_k(rel, scores, rel.shape[1]) == 1.0
    with pytest.raises(ValueError, match="k must be a positive integer"):
        M.recall_at_k(rel, scores, 0)


def test_perplexity():
    V = 7
    assert M.perplexity(np.log(V)) == pytest.approx(V)            # uniform over V symbols
    nll = np.array([[1.0, 2.0, 9.0], [3.0, 9.0, 9.0]])
    mask = np.array([[True, True, False], [True, False, False]])
    assert M.perplexity(nll, mask) == pytest.approx(np.exp(2.0))   # mean over the 3 real tokens
    # the mean over sequences differs: (1.5 + 3) / 2 = 2.25
    assert not np.isclose(M.perplexity(nll, mask), np.exp(2.25))
    with pytest.raises(ValueError, match="mask selects no token"):
        M.perplexity(nll, np.zeros_like(mask))


def test_coverage():
    y = np.array([0.0, 1.0, 2.0, 3.0])
    assert M.coverage(y, lo=1.0, hi=2.0) == 0.5                    # bounds included
    assert M.coverage(y, hi=0.5) == 0.25 and M.coverage(y, lo=0.5) == 0.75
    z = np.random.default_rng(0).standard_normal(200_000)
    assert M.coverage(z, hi=1.2815515655446004) == pytest.approx(0.9, abs=0.005)   # N(0,1) 0.9-quantile
    with pytest.raises(ValueError, match="give lo, hi or both"):
        M.coverage(y)


def _binary_case(seed, n=500):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(int)
    s = rng.standard_normal(n) + 1.5 * y
    return y, s


@pytest.mark.parametrize("thr", [-1.0, 0.5, 2.0])
def test_precision_recall_at_threshold_matches_sklearn(thr):
    y, s = _binary_case(1)
    p, r = M.precision_recall_at_threshold(y, s, thr)
    pred = (s >= thr).astype(int)
    assert p == pytest.approx(skm.precision_score(y, pred))
    assert r == pytest.approx(skm.recall_score(y, pred))
    assert M.precision_recall_at_threshold(y, s, 99.0) == (1.0, 0.0)    # nothing flagged


@pytest.mark.parametrize("target", [0.1, 0.5, 0.9, 1.0])
def test_threshold_for_recall_is_the_largest_that_reaches_it(target):
    y, s = _binary_case(2)
    thr = M.threshold_for_recall(y, s, target)
    assert M.precision_recall_at_threshold(y, s, thr)[1] >= target
    above = s[y == 1][s[y == 1] > thr]
    if above.size:                                 # the next positive score up misses the target
        assert M.precision_recall_at_threshold(y, s, above.min())[1] < target
    # scikit-learn's curve: the largest threshold with recall >= target
    _, rec, thresholds = skm.precision_recall_curve(y, s)
    assert thr == pytest.approx(thresholds[rec[:-1] >= target].max())


@pytest.mark.parametrize("fpr", [0.0, 0.01, 0.05, 0.3, 1.0])
def test_recall_at_fpr_matches_roc_curve(fpr):
    y, s = _binary_case(3)
    f, tpr, _ = skm.roc_curve(y, s, drop_intermediate=False)
    assert M.recall_at_fpr(y, s, fpr) == pytest.approx(tpr[f <= fpr + 1e-12].max())


def test_expected_calibration_error_hand_case_and_properties():
    # bin (0.8, 0.9]: three at 0.9 with 2 right; bin (0.7, 0.8]: the 0.2 is class 0, right
    assert M.expected_calibration_error([1, 1, 0, 0], [0.9, 0.9, 0.9, 0.2], n_bins=10) == pytest.approx(
        0.75 * (0.9 - 2 / 3) + 0.25 * (1.0 - 0.8))
    rng = np.random.default_rng(0)
    p = rng.random(100_000)
    y = (rng.random(p.size) < p).astype(int)
    assert M.expected_calibration_error(y, p) < 0.01                # calibrated by construction
    over = np.clip(0.5 + 1.8 * (p - 0.5), 0, 1)                      # overconfident
    assert M.expected_calibration_error(y, over) > 0.1
    # multiclass: top-label confidence; one-hot correct predictions are perfectly calibrated
    probs = np.eye(3)[[0, 1, 2, 1]]
    assert M.expected_calibration_error([0, 1, 2, 1], probs) == 0.0
    t = M.calibration_table(y, p, n_bins=5)
    assert t["count"].sum() == y.size and len(t["confidence"]) == 5
    with pytest.raises(ValueError, match="probabilities"):
        M.expected_calibration_error([0, 1], [0.5, 1.5])


def _levenshtein_full(a, b):
    D = np.zeros((len(a) + 1, len(b) + 1), dtype=int)
    D[:, 0], D[0, :] = np.arange(len(a) + 1), np.arange(len(b) + 1)
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            D[i, j] = min(D[i - 1, j] + 1, D[i, j - 1] + 1, D[i - 1, j - 1] + (a[i - 1] != b[j - 1]))
    return D[-1, -1]


def test_edit_distance_and_char_error_rate():
    assert M.edit_distance("kitten", "sitting") == 3
    assert M.edit_distance("", "abc") == 3 and M.edit_distance("abc", "") == 3
    rng = np.random.default_rng(0)
    for _ in range(50):
        a = "".join(rng.choice(list("abc"), size=rng.integers(0, 8)))
        b = "".join(rng.choice(list("abc"), size=rng.integers(0, 8)))
        assert M.edit_distance(a, b) == _levenshtein_full(a, b) == M.edit_distance(b, a)
    assert M.char_error_rate(["ab", ""], ["abc", "d"]) == 0.5
    assert M.char_error_rate([[], []], [[1, 2], [3]]) == 1.0       # empty output: exactly 1
    with pytest.raises(ValueError, match="2 hypotheses for 1"):
        M.char_error_rate(["a", "b"], ["a"])


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_binary_reliability_is_sklearns_calibration_curve(strategy, seed):
    from sklearn.calibration import calibration_curve

    rng = np.random.default_rng(seed)
    p = rng.beta(0.5, 4.0, size=1000)                              # crowded near 0, as with rare positives
    y = (rng.random(p.size) < np.clip(1.3 * p, 0, 1)).astype(int)   # underestimated probabilities
    t = M.binary_reliability(y, p, n_bins=10, strategy=strategy)
    freq, mean_p = calibration_curve(y, p, n_bins=10, strategy=strategy)
    np.testing.assert_allclose(t["mean_p"], mean_p, rtol=1e-12)
    np.testing.assert_allclose(t["freq"], freq, rtol=1e-12)
    assert t["count"].sum() == p.size
    if strategy == "quantile":
        assert set(t["count"]) == {100}
    ece = M.binary_calibration_error(y, p, n_bins=10, strategy=strategy)
    assert ece == pytest.approx(np.sum(t["count"] / p.size * np.abs(freq - mean_p)))


def test_binary_calibration_error_sees_what_the_top_label_ece_cancels():
    rng = np.random.default_rng(0)
    true_p = np.where(rng.random(200_000) < 0.5, 0.1, 0.9)
    y = (rng.random(true_p.size) < true_p).astype(int)
    calibrated = M.binary_calibration_error(y, true_p, n_bins=10)
    assert calibrated < 0.005
    # every probability 0.02 too high: in five bins, the confidences 0.88 (of 0.12) and
    # 0.92 (of 0.92) share the bin (0.8, 1] and their gaps of opposite sign cancel
    high = true_p + 0.02
    assert M.binary_calibration_error(y, high, n_bins=5) == pytest.approx(0.02, abs=0.003)
    assert M.expected_calibration_error(y, high, n_bins=5) < 0.003
    with pytest.raises(ValueError, match="strategy must be"):
        M.binary_calibration_error(y, true_p, strategy="width")
    with pytest.raises(ValueError, match="n_bins must be"):
        M.binary_calibration_error([0, 1], [0.2, 0.3], n_bins=3, strategy="quantile")
    with pytest.raises(ValueError, match="probabilities"):
        M.binary_reliability([0, 1], [0.2, 1.3])
