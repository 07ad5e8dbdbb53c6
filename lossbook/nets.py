"""Small PyTorch models the chapters train: an MLP, a CNN for 8x8 digits, an autoencoder,
matrix factorization and a recurrent sequence model.

Each builder returns a ``torch.nn.Module`` whose output is raw: logits, reconstructions
or scores, never probabilities (the loss applies the softmax or sigmoid, which is both
stabler and what ``torch.nn`` losses expect).  Each takes ``seed``: an integer
initialises the parameters from that seed without touching PyTorch's global generator,
so a chapter gets the same model wherever the cell runs.  The linear models fitted with
NumPy are in :mod:`lossbook.models`.

This module imports PyTorch; ``import lossbook`` does not import it.

Example:
    >>> model = mlp([64, 32, 10], seed=0)
    >>> model
    Sequential(
      (0): Linear(in_features=64, out_features=32, bias=True)
      (1): ReLU()
      (2): Linear(in_features=32, out_features=10, bias=True)
    )
    >>> torch.equal(mlp([64, 32, 10], seed=0)[0].weight, model[0].weight)
    True
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["mlp", "small_cnn", "autoencoder", "matrix_factorization", "recurrent",
           "AutoEncoder", "MatrixFactorization", "Recurrent"]

ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
    "sigmoid": nn.Sigmoid,
    "leaky_relu": nn.LeakyReLU,
    "identity": nn.Identity,
}


def _seeded(seed, build):
    """``build()`` with parameters drawn from ``seed``; the global generator is left as it was."""
    if seed is None:
        return build()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def _activation(name):
    try:
        return ACTIVATIONS[name]()
    except KeyError:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {name!r}") from None


def mlp(sizes, activation="relu", dropout=0.0, *, seed=None):
    """A multilayer perceptron: Linear layers with an activation (and dropout) between them.

    ``sizes = (D, H_1, ..., H_k, C)`` gives ``Linear(D, H_1)``, activation, ...,
    ``Linear(H_k, C)``; nothing follows the last layer, so the output is raw (logits for
    classification, values for regression).  ``sizes = (D, C)`` is a linear model.

    Args:
        sizes: layer widths, input first (at least two).
        activation: ``"relu"``, ``"tanh"``, ``"gelu"``, ``"sigmoid"``, ``"leaky_relu"``
            or ``"identity"``.
        dropout: dropout probability after each hidden activation (0: none).
        seed: initialise the parameters from this seed (None: the global generator).

    Shape: input ``(N, D)``, output ``(N, C)``.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"mlp: sizes must hold at least two positive widths, got {sizes!r}")
    if not 0 <= dropout < 1:
        raise ValueError(f"mlp: dropout must be in [0, 1), got {dropout!r}")

    def build():
        layers = []
        for i in range(len(sizes) - 1):
            layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                layers.append(_activation(activation))
                if dropout > 0:
                    layers.append(nn.Dropout(dropout))
        return nn.Sequential(*layers)

    return _seeded(seed, build)


def small_cnn(n_classes=10, channels=(16, 32), *, dropout=0.0, in_size=8, in_channels=1, seed=None):
    """A small convolutional classifier for 8x8 images (scikit-learn's digits).

    For each entry of ``channels``: a 3x3 convolution (padding 1, so the size is kept),
    ReLU and 2x2 max pooling (halving the size); then flatten, optional dropout, and a
    Linear layer to ``n_classes`` logits.  With the defaults the image goes 8x8 -> 4x4 -> 2x2,
    and the last layer sees 32 x 2 x 2 = 128 features.

    Shape: input ``(N, in_channels, in_size, in_size)``, output ``(N, n_classes)``.

    Example:
        >>> sum(p.numel() for p in small_cnn().parameters())   # 160 + 4,640 + 1,290
        6090
    """
    channels = [int(c) for c in channels]
    side = in_size // 2 ** len(channels)
    if not channels or side < 1:
        raise ValueError(f"small_cnn: {len(channels)} poolings do not fit an image of side {in_size}")

    def build():
        layers, c_in = [], in_channels
        for c in channels:
            layers += [nn.Conv2d(c_in, c, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            c_in = c
        layers.append(nn.Flatten())
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(c_in * side * side, n_classes))
        return nn.Sequential(*layers)

    return _seeded(seed, build)


class AutoEncoder(nn.Module):
    """An MLP autoencoder, ``d_in -> d_hidden -> d_code -> d_hidden -> d_in`` (see :func:`autoencoder`)."""

    def __init__(self, d_in, d_hidden, d_code, activation="relu"):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(d_in, d_hidden), _activation(activation),
                                     nn.Linear(d_hidden, d_code))
        self.decoder = nn.Sequential(nn.Linear(d_code, d_hidden), _activation(activation),
                                     nn.Linear(d_hidden, d_in))

    def encode(self, x):
        """The code of each example, ``(N, d_code)``."""
        return self.encoder(x)

    def forward(self, x):
        """The reconstruction of each example, ``(N, d_in)``."""
        return self.decoder(self.encoder(x))


def autoencoder(d_in, d_hidden, d_code, *, activation="relu", seed=None):
    """An autoencoder whose bottleneck of ``d_code`` units forces it to learn the data's shape.

    The encoder and decoder are one hidden layer each; the code and the output are
    linear.  Trained to reconstruct its input (``fit(model, loss, (X, X))``), it
    reconstructs typical points well and unusual ones badly: the reconstruction error is
    an anomaly score.

    Shape: input ``(N, d_in)``; ``model(x)`` ``(N, d_in)``; ``model.encode(x)`` ``(N, d_code)``.
    """
    return _seeded(seed, lambda: AutoEncoder(d_in, d_hidden, d_code, activation))


class MatrixFactorization(nn.Module):
    r"""Scores :math:`\mathbf p_u^\top \mathbf q_i + b_i` (build with :func:`matrix_factorization`)."""

    def __init__(self, n_users, n_items, rank, bias=True, init_std=0.1):
        super().__init__()
        self.user = nn.Embedding(n_users, rank)
        self.item = nn.Embedding(n_items, rank)
        nn.init.normal_(self.user.weight, std=init_std)
        nn.init.normal_(self.item.weight, std=init_std)
        self.item_bias = nn.Parameter(torch.zeros(n_items)) if bias else None

    def forward(self, users, items):
        """Scores of pairs: ``items`` ``(N,)`` gives ``(N,)``; ``(N, k)`` gives ``(N, k)``."""
        p = self.user(users)
        q = self.item(items)
        s = (p * q).sum(-1) if items.dim() == 1 else torch.einsum("nr,nkr->nk", p, q)
        return s if self.item_bias is None else s + self.item_bias[items]

    def score_all(self, users=None):
        """Scores of every item for ``users`` (all users by default), ``(len(users), n_items)``."""
        p = self.user.weight if users is None else self.user(users)
        s = p @ self.item.weight.T
        return s if self.item_bias is None else s + self.item_bias


def matrix_factorization(n_users, n_items, rank, *, bias=True, init_std=0.1, seed=None):
    r"""Matrix factorization for recommendation: a user vector dotted with an item vector.

    .. math:: \hat s_{ui} = \mathbf p_u^\top \mathbf q_i + b_i

    with :math:`\mathbf p_u, \mathbf q_i \in \mathbb R^{\text{rank}}` (embeddings,
    initialised :math:`N(0, \text{init\_std}^2)`) and an item bias (popularity)
    initialised at 0.  The scores are raw: a pointwise loss (MSE, BCE with logits), a
    pairwise loss (BPR on :math:`\hat s_{ui} - \hat s_{uj}`) or a listwise one (softmax
    over sampled items) turns them into training signal.

    Shape: ``model(users, items)``: ``users`` ``(N,)`` int64 and ``items`` ``(N,)`` ->
    ``(N,)``, or ``items`` ``(N, k)`` (a positive and k - 1 negatives per user) ->
    ``(N, k)``; ``model.score_all(users)`` -> ``(len(users), n_items)``.
    """
    return _seeded(seed, lambda: MatrixFactorization(n_users, n_items, rank, bias, init_std))


class Recurrent(nn.Module):
    """A recurrent sequence model, batch first (build with :func:`recurrent`)."""

    CELLS = {"gru": nn.GRU, "lstm": nn.LSTM, "rnn": nn.RNN}

    def __init__(self, n_in, n_hidden, n_out, vocab_size=None, cell="gru", num_layers=1,
                 bidirectional=False, pool=None):
        super().__init__()
        if cell not in self.CELLS:
            raise ValueError(f"recurrent: cell must be one of {sorted(self.CELLS)}, got {cell!r}")
        if pool not in (None, "mean", "last"):
            raise ValueError(f"recurrent: pool must be None, 'mean' or 'last', got {pool!r}")
        if pool == "last" and bidirectional:
            raise ValueError("recurrent: pool='last' with a bidirectional model would see only half "
                             "the sequence in the backward direction; use pool='mean'")
        self.pool = pool
        self.embed = nn.Embedding(vocab_size, n_in, padding_idx=0) if vocab_size else None
        self.rnn = self.CELLS[cell](n_in, n_hidden, num_layers=num_layers, batch_first=True,
                                    bidirectional=bidirectional)
        self.head = nn.Linear(n_hidden * (2 if bidirectional else 1), n_out)

    def forward(self, x, lengths=None):
        """Per-step outputs ``(N, T, n_out)``, or pooled ``(N, n_out)``; ``lengths`` ``(N,)``."""
        if self.embed is not None:
            x = self.embed(x)
        T = x.shape[1]
        if lengths is None:
            h, _ = self.rnn(x)
            lengths = torch.full((x.shape[0],), T, device=x.device)
        else:
            # packing skips the padding, so it changes nothing at the real steps
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True,
                                                       enforce_sorted=False)
            h, _ = nn.utils.rnn.pad_packed_sequence(self.rnn(packed)[0], batch_first=True,
                                                    total_length=T)
        if self.pool is None:
            return self.head(h)
        lengths = lengths.to(h.device)
        if self.pool == "last":
            pooled = h[torch.arange(h.shape[0], device=h.device), lengths - 1]
        else:
            mask = (torch.arange(T, device=h.device)[None, :] < lengths[:, None]).to(h.dtype)
            pooled = (h * mask[..., None]).sum(1) / lengths[:, None].to(h.dtype)
        return self.head(pooled)


def recurrent(n_in, n_hidden, n_out, *, vocab_size=None, cell="gru", num_layers=1,
              bidirectional=False, pool=None, seed=None):
    """A recurrent network over sequences: per-step outputs, or one output per sequence.

    ``x`` holds features ``(N, T, n_in)``, or token ids ``(N, T)`` when ``vocab_size``
    is given (an embedding of width ``n_in`` with id 0 as padding comes first).  A GRU
    (or LSTM, or plain RNN) of ``n_hidden`` units reads it, batch first, and a Linear
    layer maps each step's state to ``n_out`` raw outputs: next-character logits for a
    language model, per-frame class logits for CTC (transpose them to ``(T, N, C)``
    for :func:`lossbook.losses.ctc` and PyTorch's ``CTCLoss``).  With ``pool="mean"``
    (average over the real steps) or ``"last"`` (the last real step) there is one
    output per sequence, for classification.  ``lengths`` tells the real steps of each
    padded sequence.

    Shape: ``model(x, lengths=None)``: ``x`` ``(N, T, n_in)`` or ``(N, T)`` ids,
    ``lengths`` ``(N,)`` int64; output ``(N, T, n_out)`` or, pooled, ``(N, n_out)``.
    """
    return _seeded(seed, lambda: Recurrent(n_in, n_hidden, n_out, vocab_size, cell, num_layers,
                                           bidirectional, pool))
