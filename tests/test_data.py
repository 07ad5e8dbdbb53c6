"""lossbook.data: the generators' stated properties (shapes, seeds, rates, tails, coverage)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from lossbook import data
from lossbook.decoding import collapse
from lossbook.metrics import coverage, recall_at_k


def test_importing_lossbook_loads_no_framework():
    """The NumPy core (data, metrics, decoding, plotting, losses) never imports a framework."""
    code = ("import sys, lossbook, lossbook.losses, lossbook.metrics, lossbook.decoding, "
            "lossbook.data, lossbook.plotting; "
            "print(sorted(m for m in ('torch', 'tensorflow', 'jax', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _binomial_ok(k_hat, p, n, z=4.0):
    """|k_hat - p| within z standard errors of a proportion over n draws."""
    return abs(k_hat - p) <= z * np.sqrt(p * (1 - p) / n)


def test_digits_split_shapes_disjoint_stratified_and_seeded():
    d = data.digits_split(seed=0)
    n = len(d.y_train) + len(d.y_val) + len(d.y_test)
    assert n == 1797 and (len(d.y_val), len(d.y_test)) == (360, 360)
    for X, img in ((d.X_train, d.images_train), (d.X_val, d.images_val), (d.X_test, d.images_test)):
        assert X.dtype == np.float32 and X.shape[1] == 64 and img.shape[1:] == (1, 8, 8)
        assert np.array_equal(img.reshape(len(X), -1), X) and X.min() >= 0 and X.max() <= 1
    rows = {r.tobytes() for r in np.vstack([d.X_train, d.X_val, d.X_test])}
    assert len(rows) >= 1790                    # (the digits hold a few duplicate images)
    share = [np.bincount(y, minlength=10) / len(y) for y in (d.y_train, d.y_val, d.y_test)]
    assert np.abs(share[0] - share[1]).max() < 0.01 and np.abs(share[0] - share[2]).max() < 0.01
    assert np.array_equal(data.digits_split(seed=0).X_val, d.X_val)
    assert not np.array_equal(data.digits_split(seed=1).X_val, d.X_val)
    assert data.digits_split(scale=False).X_train.max() == 16
    with pytest.raises(ValueError, match="val \\+ test must be < 1"):
        data.digits_split(val=0.5, test=0.5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rare_events_positive_rate_and_probabilities(seed):
    n, rate = 20000, 0.015
    X, y, p = data.rare_events(n, positive_rate=rate, seed=seed, return_proba=True)
    assert X.shape == (n, 11) and y.dtype == np.int64 and set(np.unique(y)) == {0, 1}
    assert p.mean() == pytest.approx(rate, rel=1e-6)          # the intercept is solved for it
    assert _binomial_ok(y.mean(), rate, n)
    # the noise features (the last 6) carry no signal; the informative ones do
    corr = [abs(np.corrcoef(X[:, j], y)[0, 1]) for j in range(X.shape[1])]
    assert max(corr[5:]) < 0.04 and corr[0] > 0.05
    assert (X[:, 4] > 0).all() and X[:, 4].max() / np.median(X[:, 4]) > 20   # log-normal amount


def test_rare_events_label_noise_and_seeds():
    from sklearn.metrics import average_precision_score

    X, y, p = data.rare_events(20000, seed=3, return_proba=True)
    X0, y0, p0 = data.rare_events(20000, seed=3, missed=0.0, return_proba=True)
    assert np.array_equal(X, X0)                # the same rows, only the labels' noise differs
    # with missed labels the best possible ranking is worse
    assert average_precision_score(y, p) < average_precision_score(y0, p0)
    assert average_precision_score(y, p) > 10 * y.mean()      # yet far better than chance
    assert np.array_equal(data.rare_events(500, seed=3)[1], data.rare_events(500, seed=3)[1])
    with pytest.raises(ValueError, match="n_informative >= 2"):
        data.rare_events(100, n_informative=1)


def _hill(x, k):
    """Hill's estimator of the tail index from the k largest |x|."""
    a = np.sort(np.abs(x))[::-1]
    return 1.0 / np.mean(np.log(a[:k] / a[k]))


def test_returns_heavy_tails_clustering_and_true_quantile_coverage():
    n = 20000
    d = data.returns(n, seed=0)
    r = d.r
    assert r.shape == (n,) and d.X.shape == (n, 4) and d.sigma.shape == (n,)
    assert r.std() == pytest.approx(0.01, rel=0.2)                   # long-run daily vol
    z = r - r.mean()
    kurt = np.mean(z**4) / np.mean(z**2) ** 2
    assert kurt > 4                                                  # normal: 3
    gauss = np.random.default_rng(0).standard_normal(n)
    assert 2 < _hill(r, 200) < 6 < _hill(gauss, 200)                 # a power-law tail
    acf = lambda x: np.corrcoef(x[1:], x[:-1])[0, 1]                 # noqa: E731
    assert acf(np.abs(r)) > 0.1 and abs(acf(r)) < 0.05               # clustered, not predictable
    for tau in (0.01, 0.05, 0.5, 0.95):
        assert _binomial_ok(coverage(r, hi=d.quantile(tau)), tau, n)
    # features use the past only: |r_{t-1}|
    assert np.allclose(d.X[1:, 0], np.abs(r[:-1]))
    assert np.array_equal(data.returns(300, seed=4).r, data.returns(300, seed=4).r)


def test_implicit_feedback_split_density_and_signal():
    d = data.implicit_feedback(400, 200, rank=6, density=0.05, seed=0)
    assert d.train.shape == d.test.shape == d.true_scores.shape == (400, 200)
    assert (d.train * d.test).sum() == 0                            # disjoint
    assert (d.test.sum(axis=1) >= 1).all() and (d.train.sum(axis=1) >= 1).all()
    assert (d.train + d.test).mean() == pytest.approx(0.05, rel=0.1)
    assert d.test.sum() / (d.train.sum() + d.test.sum()) == pytest.approx(0.2, abs=0.03)
    u, i = d.train_pairs()
    assert len(u) == d.train.sum() and d.train[u, i].all()
    # the true affinities rank held-out items far above chance (k = 10 of 200 items)
    rec_true = recall_at_k(d.test, d.true_scores, 10, exclude=d.train)
    rec_random = recall_at_k(d.test, np.random.default_rng(0).random(d.test.shape), 10, exclude=d.train)
    assert rec_true > 4 * rec_random
    assert np.array_equal(data.implicit_feedback(50, 30, seed=2).test, data.implicit_feedback(50, 30, seed=2).test)


def test_grammar_sentences_vocabulary_encoding_and_learnable_labels():
    s = data.grammar_sentences(1500, seed=0)
    assert len(s.text) == 1500 and s.label.shape == (1500,)
    share = np.bincount(s.label, minlength=3) / 1500
    assert share.min() > 0.28
    assert set("".join(s.text)) <= set(s.vocab[3:]) and len(s.vocab) < 40
    assert all(t.endswith(".") and len(t) < 90 for t in s.text)
    assert len(set(s.text)) > 1000                                   # varied sentences
    ids, lengths = s.encode()
    assert [s.decode(row) for row in ids[:20]] == s.text[:20]
    assert np.array_equal(lengths, [len(t) for t in s.text]) and (ids[0, lengths[0]:] == 0).all()
    inputs, targets, m = s.lm_arrays(s.text[:5])
    for k in range(5):
        assert inputs[k, 0] == s.BOS and targets[k, m[k] - 1] == s.EOS
        assert np.array_equal(inputs[k, 1:m[k]], targets[k, :m[k] - 1])   # shifted by one
        assert (targets[k, m[k]:] == -100).all()
    # the topic is learnable from the words, but not perfectly (words mix across topics)
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = CountVectorizer().fit(s.text[:1000])
    clf = LogisticRegression(max_iter=500).fit(vec.transform(s.text[:1000]), s.label[:1000])
    acc = clf.score(vec.transform(s.text[1000:]), s.label[1000:])
    assert 0.8 < acc < 1.0
    assert data.grammar_sentences(5, seed=1).text == data.grammar_sentences(5, seed=1).text


def test_speech_like_structure_and_shared_voice():
    u = data.speech_like(60, seed=1)
    N, T, D = u.frames.shape
    assert (N, D) == (60, 16) and u.frames.dtype == np.float32 and T == u.input_lengths.max()
    assert u.symbols == "-abcd" and u.spectra.shape == (5, 16)
    for n in range(N):
        Tn, Un = u.input_lengths[n], u.target_lengths[n]
        lab = u.labels[n, :Un]
        assert 2 <= Un <= 5 and lab.min() >= 1 and lab.max() <= 4 and (u.labels[n, Un:] == 0).all()
        assert (u.frames[n, Tn:] == 0).all() and (u.frame_labels[n, Tn:] == 0).all()
        # the frame truth collapses to the labels (silences act as blanks): CTC-feasible
        assert collapse(u.frame_labels[n, :Tn]) == lab.tolist()
        repeats = int(np.sum(lab[1:] == lab[:-1]))
        assert Tn >= Un + repeats
    assert u.targets()[0] == u.text(u.labels[0, :u.target_lengths[0]])
    # frames of a symbol look like its spectrum; other seeds share the spectra
    for k in range(1, 5):
        mean_frame = u.frames[u.frame_labels == k].mean(axis=0)
        assert np.argmax(u.spectra[1:] @ mean_frame) == k - 1
    assert np.array_equal(data.speech_like(5, seed=2).spectra, u.spectra)
    assert not np.array_equal(data.speech_like(5, seed=2, voice_seed=1).spectra, u.spectra)


def _nn_dist(A, B):
    """Distance from each row of A to its nearest row of B."""
    d2 = (A**2).sum(1)[:, None] + (B**2).sum(1)[None, :] - 2 * A @ B.T
    return np.sqrt(np.maximum(d2.min(axis=1), 0))


def test_with_anomalies_counts_kinds_and_shared_manifold():
    X, y, kind = data.with_anomalies(1500, 0.06, seed=0)
    assert X.shape == (1500, 20) and y.sum() == 90
    assert np.array_equal(y == 1, kind != "normal")
    assert {k: int((kind == k).sum()) for k in ("global", "spike", "local")} == {"global": 30, "spike": 30, "local": 30}
    normal = X[y == 0]
    ref, _, _ = data.with_anomalies(1500, 0.0, seed=1)              # clean data of the same world
    typical = np.median(_nn_dist(normal, ref))
    for k in ("global", "spike"):
        assert np.median(_nn_dist(X[kind == k], ref)) > 3 * typical
    assert np.median(_nn_dist(X[kind == "local"], ref)) > typical
    other, _, _ = data.with_anomalies(1500, 0.0, seed=1, manifold_seed=1)
    assert np.median(_nn_dist(normal, other)) > 3 * typical          # another world
    assert np.allclose(ref.std(axis=0), 1.0, atol=0.15)              # standardised features
    X2, y2, _ = data.with_anomalies(1500, 0.06, seed=0)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    with pytest.raises(ValueError, match="kinds must be"):
        data.with_anomalies(100, 0.1, kinds=("nope",))
