"""Small, deterministic, offline data sets for the chapters.

Everything here is generated from a seeded ``numpy.random.Generator``; nothing is
downloaded.  Real data sets come from scikit-learn, which ships them (diabetes, breast
cancer, digits, iris).

* Small toy sets: :func:`linear`, :func:`blobs`, :func:`counts`.
* The application chapters: :func:`digits_split` (scikit-learn's digits, three splits),
  :func:`rare_events` (fraud-style, ~1.5% positives), :func:`returns` (GARCH returns for
  value at risk), :func:`implicit_feedback` (user-item interactions),
  :func:`grammar_sentences` (labelled sentences, a character vocabulary),
  :func:`speech_like` (spectrogram-like frames for CTC), :func:`with_anomalies` (a
  manifold with injected anomalies).  Each docstring states its generative process.
"""

from __future__ import annotations

import numpy as np


def _check_n(fn: str, n) -> None:
    if not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"{fn}: n must be an integer >= 2, got {n!r}")


def linear(n=50, *, slope=2.0, intercept=1.0, noise=0.5, outliers=0, outlier_shift=8.0,
           x_range=(-2.0, 2.0), seed=0):
    """Points on the line ``y = slope * x + intercept`` with Gaussian noise.

    ``outliers`` of the points (chosen at random) are pushed up by ``outlier_shift``,
    which is how the book shows MSE being dragged and MAE or Huber holding on.

    Returns ``(x, y)``, both of shape ``(n,)``, float64.

    Example:
        >>> x, y = linear(5, noise=0.0)
        >>> bool(np.allclose(y, 2 * x + 1))
        True
    """
    _check_n("linear", n)
    if not 0 <= outliers <= n:
        raise ValueError(f"linear: outliers must be between 0 and n={n}, got {outliers!r}")
    if noise < 0:
        raise ValueError(f"linear: noise must be >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(*x_range, size=n))
    y = slope * x + intercept + noise * rng.standard_normal(n)
    if outliers:
        idx = rng.choice(n, size=outliers, replace=False)
        y[idx] += outlier_shift
    return x, y


def blobs(n=200, *, weights=(0.5, 0.5), separation=2.0, seed=0):
    """Two Gaussian blobs in 2-D for binary classification, possibly imbalanced.

    ``weights`` are the class proportions (e.g. ``(0.95, 0.05)`` for a rare positive
    class).  Returns ``(X, y)`` with ``X`` of shape ``(n, 2)`` and ``y`` in {0, 1} of
    shape ``(n,)``.

    Example:
        >>> X, y = blobs(100, weights=(0.9, 0.1))
        >>> X.shape, int(y.sum())
        ((100, 2), 10)
    """
    _check_n("blobs", n)
    w = np.asarray(weights, dtype=float)
    if w.shape != (2,) or np.any(w < 0) or not np.isclose(w.sum(), 1.0):
        raise ValueError(f"blobs: weights must be two non-negative numbers summing to 1, got {weights!r}")
    rng = np.random.default_rng(seed)
    n_pos = int(round(w[1] * n))
    y = np.zeros(n, dtype=np.int64)
    y[:n_pos] = 1
    rng.shuffle(y)
    centres = np.array([[-separation / 2, 0.0], [separation / 2, 0.0]])
    X = centres[y] + rng.standard_normal((n, 2))
    return X, y


def counts(n=200, *, coef=(0.5, 0.8), seed=0):
    """Poisson counts whose log-rate is linear in one feature: ``log mu = a + b x`` (the mean, or rate, mu).

    Returns ``(x, y)`` of shape ``(n,)``; ``y`` are non-negative integers (as float64).

    Example:
        >>> x, y = counts(50)
        >>> bool((y >= 0).all() and np.all(y == np.round(y)))
        True
    """
    _check_n("counts", n)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.5, 1.5, size=n)
    lam = np.exp(coef[0] + coef[1] * x)
    return x, rng.poisson(lam).astype(np.float64)


# ===================================================================================
# Data sets of the application chapters (Parts VI-VIII).  Each function states its
# generative process; the parts that define the "world" (weights, spectra, manifolds)
# are fixed or come from their own seed, so two calls with different ``seed`` are two
# samples of the same world (a training set and a test set).
# ===================================================================================
from dataclasses import dataclass, field  # noqa: E402


def _sigmoid(z):
    # 0.5 (1 + tanh(z / 2)) equals 1 / (1 + exp(-z)) and never overflows
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _check_fraction(fn, name, v, lo_open=True, hi_open=True):
    ok = (v > 0 if lo_open else v >= 0) and (v < 1 if hi_open else v <= 1)
    if not ok:
        raise ValueError(f"{fn}: {name} must be in {'(' if lo_open else '['}0, 1{')' if hi_open else ']'}, "
                         f"got {v!r}")


@dataclass(frozen=True)
class DigitsSplit:
    """scikit-learn's 8x8 digits split three ways (see :func:`digits_split`).

    ``X_*`` are flat float32 ``(N, 64)``; ``images_*`` the same rows as ``(N, 1, 8, 8)``
    (channels first, what a PyTorch convolution takes); ``y_*`` int64 labels 0-9.
    """

    X_train: np.ndarray
    X_val: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_val: np.ndarray
    y_test: np.ndarray

    @property
    def images_train(self):
        return self.X_train.reshape(-1, 1, 8, 8)

    @property
    def images_val(self):
        return self.X_val.reshape(-1, 1, 8, 8)

    @property
    def images_test(self):
        return self.X_test.reshape(-1, 1, 8, 8)


def digits_split(seed=0, *, val=0.2, test=0.2, scale=True) -> DigitsSplit:
    """scikit-learn's handwritten digits as float32 train / validation / test sets.

    The 1,797 images of 8x8 pixels (values 0-16) shipped with scikit-learn (no
    download), split at random with every split keeping the class proportions
    (stratified): ``test`` of all images for testing, ``val`` of all for validation, the
    rest for training.  ``scale=True`` divides the pixels by 16 so they lie in [0, 1];
    anything else (standardising) is left to the caller, fitted on the training split.

    Returns a :class:`DigitsSplit` (``X_train``, ``images_train``, ``y_train``, ...).

    Example:
        >>> d = digits_split()
        >>> d.X_train.shape, d.images_val.shape, d.y_test.dtype
        ((1077, 64), (360, 1, 8, 8), dtype('int64'))
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    _check_fraction("digits_split", "test", test)
    _check_fraction("digits_split", "val", val)
    if val + test >= 1:
        raise ValueError(f"digits_split: val + test must be < 1, got {val} + {test}")
    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float32) / (16.0 if scale else 1.0)
    y = y.astype(np.int64)
    X_rest, X_test, y_rest, y_test = train_test_split(X, y, test_size=test, stratify=y,
                                                      random_state=seed)
    X_train, X_val, y_train, y_val = train_test_split(X_rest, y_rest, test_size=val / (1 - test),
                                                      stratify=y_rest, random_state=seed)
    return DigitsSplit(X_train, X_val, X_test, y_train, y_val, y_test)


def rare_events(n=20000, *, positive_rate=0.015, n_informative=4, n_noise=6, missed=0.1,
                seed=0, return_proba=False):
    r"""A fraud-style tabular data set: few positives, useful and useless features, label noise.

    Generative process, for each of the ``n`` rows:

    1. ``n_informative`` (>= 2) standard normal features :math:`x_1, \dots, x_k`, one
       "amount" :math:`a = \exp(3 + s)` with :math:`s \sim N(0, 1)` (log-normal,
       heavy-tailed, unscaled as real amounts are) and ``n_noise`` noise features
       :math:`N(0, \sigma_j^2)` with scales :math:`\sigma_j` from 0.5 to 5, unrelated to
       the label.  Columns: informative, amount, noise.
    2. The true label is Bernoulli with a logistic model that has an interaction:

       .. math::
           P(y^\ast = 1 \mid x) = \sigma\bigl(b + \textstyle\sum_j w_j x_j
           + x_1 x_2 + 0.8\,(\log a - 3)\bigr),
           \qquad w_j = 1.5\,(-0.8)^{j-1}

       (fixed weights: every seed samples the same world).
    3. A share ``missed`` of the true positives is recorded as 0 (unreported fraud);
       no negative is recorded as positive.  The intercept :math:`b` is solved for
       (bisection on this sample's features) so that the expected share of recorded
       positives, :math:`(1 - \text{missed})\,\overline{P(y^\ast=1 \mid x)}`, equals
       ``positive_rate``.

    Returns ``(X, y)``: ``X`` float64 ``(n, n_informative + 1 + n_noise)``, ``y`` int64
    ``(n,)`` in {0, 1}; with ``return_proba=True`` also ``p`` ``(n,)``, the probability
    :math:`P(y = 1 \mid x)` of a *recorded* positive (the best any model can predict).

    Example:
        >>> X, y = rare_events(10000, seed=1)
        >>> X.shape, int(y.sum())        # about 1.5% of 10,000
        ((10000, 11), 133)
    """
    _check_n("rare_events", n)
    _check_fraction("rare_events", "positive_rate", positive_rate)
    _check_fraction("rare_events", "missed", missed, lo_open=False)
    if n_informative < 2 or n_noise < 0:
        raise ValueError(f"rare_events: need n_informative >= 2 and n_noise >= 0, "
                         f"got {n_informative} and {n_noise}")
    rng = np.random.default_rng(seed)
    x_inf = rng.standard_normal((n, n_informative))
    log_amount = 3.0 + rng.standard_normal(n)
    noise_scale = np.geomspace(0.5, 5.0, n_noise) if n_noise else np.zeros(0)
    x_noise = rng.standard_normal((n, n_noise)) * noise_scale
    w = 1.5 * (-0.8) ** np.arange(n_informative)
    z0 = x_inf @ w + x_inf[:, 0] * x_inf[:, 1] + 0.8 * (log_amount - 3.0)
    target = positive_rate / (1.0 - missed)
    if target >= 1:
        raise ValueError(f"rare_events: positive_rate / (1 - missed) must be < 1, got {target:.3g}")
    lo, hi = -60.0, 60.0                 # mean sigmoid(b + z0) is increasing in b
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _sigmoid(mid + z0).mean() < target else (lo, mid)
    p_true = _sigmoid(0.5 * (lo + hi) + z0)
    y_true = rng.random(n) < p_true
    y = (y_true & (rng.random(n) >= missed)).astype(np.int64)
    X = np.column_stack([x_inf, np.exp(log_amount), x_noise])
    if return_proba:
        return X, y, (1.0 - missed) * p_true
    return X, y


@dataclass(frozen=True)
class Returns:
    """Daily returns from :func:`returns` with their true volatility and past-only features."""

    r: np.ndarray
    X: np.ndarray
    sigma: np.ndarray
    nu: float
    feature_names: tuple = ("abs_r_lag1", "vol_5d", "vol_20d", "vol_ewma")

    def quantile(self, tau):
        r"""The true conditional :math:`\tau`-quantile of each return given the past.

        :math:`q_t(\tau) = \sigma_t\, t_\nu^{-1}(\tau)\, \sqrt{(\nu - 2)/\nu}`: the
        value at risk a perfect model would report at level :math:`\tau` (a negative
        number for small :math:`\tau`; VaR is often quoted as its absolute value).
        """
        from scipy import stats

        _check_fraction("Returns.quantile", "tau", tau)
        return self.sigma * stats.t.ppf(tau, self.nu) * np.sqrt((self.nu - 2.0) / self.nu)


def returns(n=2500, *, alpha=0.08, beta=0.9, nu=5.0, vol=0.01, seed=0) -> Returns:
    r"""Heavy-tailed daily returns with volatility clustering: a GARCH(1,1) with Student-t noise.

    Generative process (Bollerslev, 1986), after a burn-in of 500 days from the
    stationary variance:

    .. math::
        r_t = \sigma_t\, e_t, \qquad
        \sigma_t^2 = \omega + \alpha\, r_{t-1}^2 + \beta\, \sigma_{t-1}^2, \qquad
        e_t = \sqrt{(\nu - 2)/\nu}\; t_\nu

    with :math:`e_t` a Student-t variable rescaled to unit variance, and
    :math:`\omega = \text{vol}^2 (1 - \alpha - \beta)` so that the long-run daily
    volatility is ``vol``.  Large moves cluster (a large :math:`|r_{t-1}|` raises
    :math:`\sigma_t`) and the tails are heavier than the normal's, both from the t noise
    and from the mixing over :math:`\sigma_t`.

    Features for a quantile (value-at-risk) model of :math:`r_t`, all computed from
    returns up to day t - 1 only: :math:`|r_{t-1}|`, the realised volatility (root
    mean square) of the last 5 and 20 days, and the RiskMetrics EWMA volatility
    (:math:`s_t^2 = 0.94\, s_{t-1}^2 + 0.06\, r_{t-1}^2`).

    Returns a :class:`Returns`: ``r`` ``(n,)``, ``X`` ``(n, 4)``, ``sigma`` ``(n,)``
    (the true :math:`\sigma_t`, unobservable in practice), ``nu``, ``feature_names``,
    and ``quantile(tau)``, the true conditional quantile.

    Example:
        >>> d = returns(1000)
        >>> d.r.shape, d.X.shape, bool(np.all(d.quantile(0.01) < 0))
        ((1000,), (1000, 4), True)

    References: Bollerslev, T. (1986). Generalized autoregressive conditional
    heteroskedasticity. Journal of Econometrics 31(3).
    """
    _check_n("returns", n)
    if not (alpha >= 0 and beta >= 0 and alpha + beta < 1):
        raise ValueError(f"returns: need alpha, beta >= 0 and alpha + beta < 1, got {alpha}, {beta}")
    if nu <= 2:
        raise ValueError(f"returns: nu must be > 2 (finite variance), got {nu!r}")
    rng = np.random.default_rng(seed)
    burn, lags = 500, 20
    total = n + burn + lags
    e = rng.standard_t(nu, size=total) * np.sqrt((nu - 2.0) / nu)
    omega = vol**2 * (1.0 - alpha - beta)
    r = np.empty(total)
    s2 = np.empty(total)
    s2[0] = vol**2
    r[0] = np.sqrt(s2[0]) * e[0]
    for t in range(1, total):
        s2[t] = omega + alpha * r[t - 1] ** 2 + beta * s2[t - 1]
        r[t] = np.sqrt(s2[t]) * e[t]
    keep = slice(burn + lags, total)
    idx = np.arange(total)[keep]
    sq = np.concatenate([[0.0], np.cumsum(r**2)])        # sq[t] = sum of r[:t]**2
    vol5 = np.sqrt((sq[idx] - sq[idx - 5]) / 5)
    vol20 = np.sqrt((sq[idx] - sq[idx - 20]) / 20)
    ewma = np.empty(total)
    ewma[0] = vol**2
    for t in range(1, total):
        ewma[t] = 0.94 * ewma[t - 1] + 0.06 * r[t - 1] ** 2
    X = np.column_stack([np.abs(r[idx - 1]), vol5, vol20, np.sqrt(ewma[idx])])
    return Returns(r=r[keep].copy(), X=X, sigma=np.sqrt(s2[keep]), nu=float(nu))


@dataclass(frozen=True)
class Interactions:
    """Implicit feedback from :func:`implicit_feedback`: who interacted with what."""

    train: np.ndarray
    test: np.ndarray
    true_scores: np.ndarray
    user_factors: np.ndarray
    item_factors: np.ndarray
    item_bias: np.ndarray

    @property
    def n_users(self):
        return self.train.shape[0]

    @property
    def n_items(self):
        return self.train.shape[1]

    def train_pairs(self):
        """The training interactions as two int64 arrays ``(users, items)``."""
        u, i = np.nonzero(self.train)
        return u.astype(np.int64), i.astype(np.int64)

    def test_pairs(self):
        """The held-out interactions as two int64 arrays ``(users, items)``."""
        u, i = np.nonzero(self.test)
        return u.astype(np.int64), i.astype(np.int64)


def implicit_feedback(n_users=500, n_items=300, rank=8, density=0.05, *, test_fraction=0.2,
                      seed=0) -> Interactions:
    r"""User-item interactions (clicks, purchases) drawn from a latent-factor model.

    Generative process:

    1. User and item factors :math:`\mathbf p_u, \mathbf q_i \sim N(0, s^2 I_r)` with
       :math:`s^2 = 1.5/\sqrt r` (so :math:`\mathbf p_u^\top \mathbf q_i` has variance
       2.25 for any rank r), and item popularities :math:`b_i \sim N(0, 1)`; the true
       affinity is :math:`s_{ui} = \mathbf p_u^\top \mathbf q_i + b_i`.
    2. User u interacts with :math:`n_u \sim \text{Poisson}(\text{density} \cdot I)`
       items (at least 2, at most I), drawn without replacement with probability
       proportional to :math:`e^{s_{ui}}` (the Plackett-Luce model, sampled as the
       top :math:`n_u` of :math:`s_{ui}` plus Gumbel noise).  Only the interactions
       are observed, never a rating or a "not interested": implicit feedback.
    3. Each user's interactions are split at random: ``test_fraction`` of them (at least
       one) are held out for testing, the rest are for training.

    Returns an :class:`Interactions` with ``train`` and ``test`` 0/1 float32 ``(U, I)``
    (disjoint), ``true_scores`` :math:`s_{ui}` ``(U, I)``, the factors, and
    ``train_pairs()`` / ``test_pairs()``.

    Example:
        >>> d = implicit_feedback(100, 50, seed=1)
        >>> d.train.shape, bool((d.test.sum(axis=1) >= 1).all()), float((d.train * d.test).sum())
        ((100, 50), True, 0.0)
    """
    for name, v in (("n_users", n_users), ("n_items", n_items), ("rank", rank)):
        if not isinstance(v, (int, np.integer)) or v < (1 if name == "rank" else 2):
            raise ValueError(f"implicit_feedback: {name} must be a positive integer, got {v!r}")
    _check_fraction("implicit_feedback", "density", density, hi_open=False)
    _check_fraction("implicit_feedback", "test_fraction", test_fraction)
    rng = np.random.default_rng(seed)
    s = np.sqrt(1.5 / np.sqrt(rank))
    P = s * rng.standard_normal((n_users, rank))
    Q = s * rng.standard_normal((n_items, rank))
    b = rng.standard_normal(n_items)
    scores = P @ Q.T + b
    n_u = np.clip(rng.poisson(density * n_items, size=n_users), 2, n_items)
    gumbel = -np.log(-np.log(rng.random((n_users, n_items))))
    order = np.argsort(-(scores + gumbel), axis=1)
    train = np.zeros((n_users, n_items), dtype=np.float32)
    test = np.zeros_like(train)
    for u in range(n_users):
        items = rng.permutation(order[u, : n_u[u]])
        n_test = max(1, int(round(test_fraction * n_u[u])))
        test[u, items[:n_test]] = 1
        train[u, items[n_test:]] = 1
    return Interactions(train, test, scores, P, Q, b)


# A small probabilistic grammar: three topics, each with its own words, plus words
# every topic uses.  Sentence -> Clause ("and" Clause)? "."; Clause -> NP VP;
# NP -> Det (Adj) Noun; VP -> Verb (Adverbial).
_TOPICS = ("weather", "food", "sport")
#: The words of :func:`grammar_sentences` by topic and part of speech (public, so that a
#: reader can compute the grammar's exact probabilities, as chapter 29 does).
GRAMMAR_LEXICON = {
    "weather": {"noun": ["rain", "wind", "sun", "snow", "storm", "cloud", "fog"],
                "verb": ["falls", "blows", "shines", "clears", "returns", "stops"],
                "adj": ["cold", "grey", "heavy", "bright", "dark", "soft"],
                "adv": ["at night", "in the north", "all day", "by noon"]},
    "food": {"noun": ["soup", "bread", "cake", "rice", "tea", "fish", "pie"],
             "verb": ["tastes good", "smells nice", "cooks", "cools", "burns", "sells out"],
             "adj": ["sweet", "hot", "fresh", "salty", "spicy", "cheap"],
             "adv": ["at lunch", "in the pan", "for dinner", "in the oven"]},
    "sport": {"noun": ["team", "ball", "player", "coach", "race", "match", "crowd"],
              "verb": ["wins", "loses", "runs", "starts", "ends", "scores"],
              "adj": ["fast", "young", "tired", "strong", "home", "proud"],
              "adv": ["at home", "in the final", "after the break", "this season"]},
}
#: The words every topic shares (determiners, and the shared adjectives and adverbials).
GRAMMAR_SHARED = {"det": ["the", "a", "this", "our", "every"],
           "adj": ["good", "old", "new", "big", "warm"],
           "adv": ["again", "today", "tonight", "slowly", "at last"]}


def _grammar_vocab():
    chars = {".", " "}
    for lex in list(GRAMMAR_LEXICON.values()) + [GRAMMAR_SHARED]:
        for words in lex.values():
            for w in words:
                chars.update(w)
    chars.update("and")
    return ["<pad>", "<bos>", "<eos>"] + sorted(chars)


@dataclass(frozen=True)
class Sentences:
    """Labelled sentences from :func:`grammar_sentences` and their character vocabulary."""

    text: list
    label: np.ndarray
    label_names: tuple = _TOPICS
    vocab: list = field(default_factory=_grammar_vocab)

    PAD, BOS, EOS = 0, 1, 2

    def encode(self, texts=None):
        """Character ids ``(n, L)`` int64 padded with 0 (``<pad>``), and the lengths ``(n,)``."""
        texts = self.text if texts is None else list(texts)
        index = {c: i for i, c in enumerate(self.vocab)}
        lengths = np.array([len(t) for t in texts], dtype=np.int64)
        ids = np.zeros((len(texts), max(lengths.max(initial=0), 1)), dtype=np.int64)
        for k, t in enumerate(texts):
            try:
                ids[k, : len(t)] = [index[c] for c in t]
            except KeyError as err:
                raise ValueError(f"Sentences.encode: character {err.args[0]!r} is not in the "
                                 f"vocabulary") from None
        return ids, lengths

    def decode(self, ids):
        """The text of a sequence of ids (special symbols dropped, stops at ``<eos>``)."""
        out = []
        for i in np.asarray(ids).tolist():
            if i == self.EOS:
                break
            if i > self.EOS:
                out.append(self.vocab[i])
        return "".join(out)

    def lm_arrays(self, texts=None):
        """Inputs and targets of a character language model, shifted by one.

        ``inputs[k] = <bos> c_1 ... c_L`` (padded with 0) and ``targets[k] = c_1 ... c_L
        <eos>`` (padded with -100, the ``ignore_index`` of cross-entropy), both int64
        ``(n, L_max + 1)``; ``lengths = L + 1`` counts the predicted tokens.
        """
        ids, lengths = self.encode(texts)
        n, L = ids.shape
        inputs = np.zeros((n, L + 1), dtype=np.int64)
        targets = np.full((n, L + 1), -100, dtype=np.int64)
        inputs[:, 0] = self.BOS
        inputs[:, 1:] = ids
        for k, m in enumerate(lengths):
            targets[k, :m] = ids[k, :m]
            targets[k, m] = self.EOS
        return inputs, targets, lengths + 1


def grammar_sentences(n=2000, *, seed=0, mix=0.1) -> Sentences:
    """Short English-like sentences from a small probabilistic grammar, labelled by topic.

    Generative process, per sentence: a topic uniformly among weather, food and sport
    (the label, 0-2); one clause (probability 0.7) or two joined by "and"; a clause is
    a noun phrase, determiner (adjective, probability 0.5) noun, then a verb phrase,
    verb (adverbial, probability 0.6); the sentence ends with ".".  Each adjective and
    adverbial is drawn from the words shared by all topics with probability 0.4, else
    from the topic's own; each content word (noun, verb, adjective, adverbial) comes from
    another topic's words with probability ``mix``, so a few words mislead a
    word-spotting classifier.  Examples: "the cold rain falls at night." (weather),
    "our young team wins and a fish cooks today." (sport).

    Lower-case letters, spaces and "." only: a character vocabulary of about 30
    symbols, small enough for a character-level language model trained in seconds.

    Returns a :class:`Sentences`: ``text`` (list of str), ``label`` int64 ``(n,)``,
    ``label_names``, ``vocab`` (``<pad>``, ``<bos>``, ``<eos>``, then the characters),
    ``encode()``, ``decode()`` and ``lm_arrays()``.

    Example:
        >>> s = grammar_sentences(3, seed=2)
        >>> len(s.text), s.label.dtype, s.vocab[:3]
        (3, dtype('int64'), ['<pad>', '<bos>', '<eos>'])
    """
    _check_n("grammar_sentences", n)
    _check_fraction("grammar_sentences", "mix", mix, lo_open=False)
    rng = np.random.default_rng(seed)

    def pick(words):
        return words[rng.integers(len(words))]

    def word(kind, topic):
        if kind in GRAMMAR_SHARED and kind != "det" and rng.random() < 0.4:
            return pick(GRAMMAR_SHARED[kind])
        if rng.random() < mix:                   # a word from another topic
            topic = _TOPICS[(_TOPICS.index(topic) + rng.integers(1, len(_TOPICS))) % len(_TOPICS)]
        return pick(GRAMMAR_LEXICON[topic][kind])

    def clause(topic):
        parts = [pick(GRAMMAR_SHARED["det"])]
        if rng.random() < 0.5:
            parts.append(word("adj", topic))
        parts += [word("noun", topic), word("verb", topic)]
        if rng.random() < 0.6:
            parts.append(word("adv", topic))
        return " ".join(parts)

    labels = rng.integers(len(_TOPICS), size=n)
    text = []
    for y in labels:
        topic = _TOPICS[y]
        s = clause(topic)
        if rng.random() < 0.3:
            s += " and " + clause(topic)
        text.append(s + ".")
    return Sentences(text=text, label=labels.astype(np.int64))


@dataclass(frozen=True)
class Utterances:
    """Speech-like sequences from :func:`speech_like`, padded, for CTC."""

    frames: np.ndarray
    labels: np.ndarray
    input_lengths: np.ndarray
    target_lengths: np.ndarray
    frame_labels: np.ndarray
    spectra: np.ndarray
    symbols: str

    def text(self, ids):
        """The symbols of a sequence of class ids, e.g. ``[1, 3] -> "ac"`` (blank is "-")."""
        return "".join(self.symbols[int(i)] for i in ids)

    def targets(self):
        """The true label sequences as strings, one per utterance."""
        return [self.text(self.labels[n, : self.target_lengths[n]]) for n in range(len(self.labels))]


def speech_like(n=200, *, seed=0, n_symbols=4, n_features=16, noise=0.3, labels=(2, 5),
                duration=(3, 7), voice_seed=0) -> Utterances:
    r"""Synthetic "audio": spectrogram-like frames of short label sequences, for CTC.

    Generative process:

    1. Each of the ``n_symbols`` symbols (a, b, c, ...) has a characteristic spectrum
       over ``n_features`` frequency bins: two Gaussian bumps ("formants"), the first at
       a bin no other symbol uses.  The spectra depend only on ``voice_seed``, so calls
       with different ``seed`` are utterances of the same language (train and test).
    2. An utterance is a uniform random sequence of ``labels[0]`` to ``labels[1]``
       symbols.  Each symbol sounds for ``duration[0]`` to ``duration[1]`` frames with a
       loudness rising and falling like a syllable (a half sine); 1-3 silent frames
       start and end the utterance, and 0-2 separate neighbours (at least 1 between two
       equal symbols, which CTC could not tell apart otherwise).
    3. A frame is its symbol's spectrum times the loudness (silence: zero) plus Gaussian
       noise of standard deviation ``noise``.

    The labels say which symbols occur, in order, and nothing about where;
    ``frame_labels`` (the true symbol of each frame, 0 on silence and padding) are for
    figures and checks only.

    Returns an :class:`Utterances`: ``frames`` float32 ``(N, T_max, D)`` (batch first,
    zero-padded: transpose model outputs to ``(T, N, C)`` for CTC), ``labels`` int64
    ``(N, U_max)`` with symbols 1..n_symbols (0, the blank, pads), ``input_lengths``
    and ``target_lengths`` int64 ``(N,)``, ``frame_labels`` int64 ``(N, T_max)``,
    ``spectra`` ``(n_symbols + 1, D)`` (row 0 silence) and ``symbols``, e.g. ``"-abcd"``.

    Example:
        >>> u = speech_like(8, seed=1)
        >>> u.frames.shape[0], u.frames.shape[2], u.symbols, bool((u.input_lengths >= u.target_lengths).all())
        (8, 16, '-abcd', True)
    """
    _check_n("speech_like", n)
    if not 1 <= n_symbols <= min(26, n_features):
        raise ValueError(f"speech_like: n_symbols must be in [1, min(26, n_features)], got {n_symbols!r}")
    if not (1 <= labels[0] <= labels[1] and 1 <= duration[0] <= duration[1]):
        raise ValueError(f"speech_like: labels and duration must be (lo, hi) with 1 <= lo <= hi, "
                         f"got {labels!r} and {duration!r}")
    vrng = np.random.default_rng(voice_seed)
    bins = np.arange(n_features)
    first = vrng.choice(n_features, size=n_symbols, replace=False)
    second = vrng.integers(n_features, size=n_symbols)
    spectra = np.zeros((n_symbols + 1, n_features))
    for k in range(n_symbols):
        spectra[k + 1] = (np.exp(-0.5 * ((bins - first[k]) / 1.2) ** 2)
                          + 0.6 * np.exp(-0.5 * ((bins - second[k]) / 1.5) ** 2))
        spectra[k + 1] /= spectra[k + 1].max()

    rng = np.random.default_rng(seed)
    utts = []
    for _ in range(n):
        seq = rng.integers(1, n_symbols + 1, size=rng.integers(labels[0], labels[1] + 1))
        sound = [0] * int(rng.integers(1, 4))
        loud = [0.0] * len(sound)
        for i, s in enumerate(seq):
            if i > 0:
                pause = int(rng.integers(1 if s == seq[i - 1] else 0, 3))
                sound += [0] * pause
                loud += [0.0] * pause
            run = int(rng.integers(duration[0], duration[1] + 1))
            sound += [int(s)] * run
            loud += list(np.sin(np.pi * (np.arange(run) + 0.5) / run))
        tail = int(rng.integers(1, 4))
        sound = np.array(sound + [0] * tail)
        loud = np.array(loud + [0.0] * tail)
        x = loud[:, None] * spectra[sound] + noise * rng.standard_normal((len(sound), n_features))
        utts.append((x, seq, sound))
    Tx = np.array([len(u[2]) for u in utts], dtype=np.int64)
    U = np.array([len(u[1]) for u in utts], dtype=np.int64)
    frames = np.zeros((n, Tx.max(), n_features), dtype=np.float32)
    lab = np.zeros((n, U.max()), dtype=np.int64)
    frame_labels = np.zeros((n, Tx.max()), dtype=np.int64)
    for i, (x, seq, sound) in enumerate(utts):
        frames[i, : len(x)] = x
        lab[i, : len(seq)] = seq
        frame_labels[i, : len(sound)] = sound
    symbols = "-" + "abcdefghijklmnopqrstuvwxyz"[:n_symbols]
    return Utterances(frames, lab, Tx, U, frame_labels, spectra, symbols)


_ANOMALY_KINDS = ("global", "spike", "local")


def _manifold(manifold_seed, d):
    """The smooth map from a 2-D latent space into R^d, and its per-feature scale."""
    mrng = np.random.default_rng(manifold_seed)
    W1 = mrng.standard_normal((2, 8))
    b1 = 0.5 * mrng.standard_normal(8)
    W2 = mrng.standard_normal((8, d))
    ref = np.tanh(mrng.standard_normal((4096, 2)) @ W1 + b1) @ W2
    mean, std = ref.mean(axis=0), ref.std(axis=0)

    def f(z):
        return (np.tanh(z @ W1 + b1) @ W2 - mean) / std

    return f


def with_anomalies(n=2000, rate=0.05, *, d=20, kinds=_ANOMALY_KINDS, noise=0.05, seed=0,
                   manifold_seed=0):
    r"""Normal data on a curved 2-D manifold in d dimensions, plus injected anomalies.

    Generative process:

    * normal points: a latent :math:`\mathbf z \sim N(0, I_2)` mapped by a fixed smooth
      map :math:`f(\mathbf z) = \tanh(\mathbf z W_1 + \mathbf b_1) W_2` (random weights
      from ``manifold_seed``, features standardised to unit variance over the manifold),
      plus Gaussian noise of standard deviation ``noise`` per feature;
    * ``round(rate * n)`` anomalies, their kinds cycling through ``kinds``:
      ``"global"``: a point of :math:`N(0, I_d)`, anywhere in the space, nowhere near
      the manifold; ``"spike"``: a normal point with one random feature shifted by
      :math:`\pm U(4, 8)` (a sensor glitch); ``"local"``: a normal point pushed off the
      manifold by 0.75 in a random direction (subtle: about three times the noise's
      norm).

    The manifold depends only on ``manifold_seed``: calls with different ``seed`` are
    samples of the same distribution (e.g. ``rate=0`` for clean training data).

    Returns ``(X, y, kind)``: ``X`` float64 ``(n, d)``, ``y`` int64 ``(n,)`` (1 =
    anomaly), ``kind`` str ``(n,)``, "normal" or the anomaly's kind.  Rows are shuffled.

    Example:
        >>> X, y, kind = with_anomalies(100, 0.1)
        >>> X.shape, int(y.sum()), sorted(set(kind[y == 1].tolist()))
        ((100, 20), 10, ['global', 'local', 'spike'])
    """
    _check_n("with_anomalies", n)
    _check_fraction("with_anomalies", "rate", rate, lo_open=False)
    kinds = tuple(kinds)
    if not kinds or any(k not in _ANOMALY_KINDS for k in kinds):
        raise ValueError(f"with_anomalies: kinds must be a non-empty subset of {_ANOMALY_KINDS}, "
                         f"got {kinds!r}")
    if d < 3:
        raise ValueError(f"with_anomalies: d must be >= 3, got {d!r}")
    f = _manifold(manifold_seed, d)
    rng = np.random.default_rng(seed)
    n_anom = int(round(rate * n))
    X = f(rng.standard_normal((n, 2))) + noise * rng.standard_normal((n, d))
    kind = np.array(["normal"] * n, dtype=object)
    idx = rng.permutation(n)[:n_anom]
    for j, i in enumerate(idx):
        k = kinds[j % len(kinds)]
        kind[i] = k
        if k == "global":
            X[i] = rng.standard_normal(d)
        elif k == "spike":
            X[i, rng.integers(d)] += rng.choice([-1.0, 1.0]) * rng.uniform(4.0, 8.0)
        else:
            u = rng.standard_normal(d)
            X[i] += 0.75 * u / np.linalg.norm(u)
    kind = kind.astype(str)
    return X, (kind != "normal").astype(np.int64), kind
