"""lossbook.nets: shapes, seeded initialisation, and the sequence model's handling of padding."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from lossbook import nets  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)           # as OMP_NUM_THREADS=1 in the Makefile
    yield
    torch.set_num_threads(before)


def _same(a, b):
    return all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_seed_reproduces_the_model_and_leaves_the_global_generator_alone():
    state = torch.get_rng_state()
    a, b = nets.mlp([4, 8, 2], seed=3), nets.mlp([4, 8, 2], seed=3)
    assert torch.equal(state, torch.get_rng_state())
    assert _same(a, b) and not _same(a, nets.mlp([4, 8, 2], seed=4))
    for build in (lambda s: nets.small_cnn(seed=s), lambda s: nets.autoencoder(6, 4, 2, seed=s),
                  lambda s: nets.matrix_factorization(5, 7, 3, seed=s),
                  lambda s: nets.recurrent(3, 4, 2, vocab_size=9, seed=s)):
        assert _same(build(0), build(0)) and not _same(build(0), build(1))


def test_mlp_layers_and_errors():
    m = nets.mlp([5, 7, 7, 3], activation="tanh", dropout=0.1)
    kinds = [type(layer).__name__ for layer in m]
    assert kinds == ["Linear", "Tanh", "Dropout", "Linear", "Tanh", "Dropout", "Linear"]
    assert m(torch.zeros(4, 5)).shape == (4, 3)
    assert [type(layer).__name__ for layer in nets.mlp([5, 1])] == ["Linear"]
    with pytest.raises(ValueError, match="at least two"):
        nets.mlp([5])
    with pytest.raises(ValueError, match="activation must be one of"):
        nets.mlp([2, 2, 2], activation="swish")


def test_small_cnn_on_digit_images():
    m = nets.small_cnn(n_classes=10, channels=(16, 32), dropout=0.1)
    assert m(torch.zeros(3, 1, 8, 8)).shape == (3, 10)
    assert sum(p.numel() for p in m.parameters()) == (16 * 9 + 16) + (32 * 16 * 9 + 32) + (128 * 10 + 10)
    with pytest.raises(ValueError, match="poolings do not fit"):
        nets.small_cnn(channels=(4, 4, 4, 4))


def test_autoencoder_shapes():
    m = nets.autoencoder(20, 12, 2, seed=0)
    x = torch.randn(5, 20)
    assert m(x).shape == (5, 20) and m.encode(x).shape == (5, 2)
    assert torch.allclose(m(x), m.decoder(m.encode(x)))


def test_matrix_factorization_scores_agree_in_every_form():
    m = nets.matrix_factorization(6, 9, 4, seed=0)
    with torch.no_grad():
        m.item_bias.copy_(torch.arange(9.0))
    users = torch.tensor([0, 2, 5])
    items = torch.tensor([[1, 4], [0, 8], [3, 3]])
    full = m.score_all(users)
    assert full.shape == (3, 9)
    assert torch.allclose(m(users, items), full.gather(1, items))
    assert torch.allclose(m(users, items[:, 0]), full[torch.arange(3), items[:, 0]])
    manual = (m.user.weight[2] * m.item.weight[8]).sum() + 8
    assert torch.allclose(m(torch.tensor([2]), torch.tensor([8]))[0], manual)
    assert nets.matrix_factorization(3, 4, 2, bias=False).item_bias is None


@pytest.mark.parametrize("bidirectional", [False, True])
def test_recurrent_padding_changes_nothing_at_real_steps(bidirectional):
    m = nets.recurrent(3, 5, 4, bidirectional=bidirectional, seed=0)
    x = torch.randn(2, 7, 3)
    lengths = torch.tensor([7, 4])
    out = m(x, lengths)
    assert out.shape == (2, 7, 4)
    alone = m(x[1:, :4])                             # the short sequence without padding
    assert torch.allclose(out[1, :4], alone[0], atol=1e-6)
    x2 = x.clone()
    x2[1, 4:] = 100.0                                # garbage in the padding
    assert torch.allclose(m(x2, lengths)[1, :4], out[1, :4], atol=1e-6)


def test_recurrent_pooling_and_token_inputs():
    ids = torch.tensor([[5, 6, 7, 0, 0], [3, 4, 5, 6, 7]])
    lengths = torch.tensor([3, 5])
    per_step = nets.recurrent(4, 6, 3, vocab_size=8, seed=1)
    mean = nets.recurrent(4, 6, 3, vocab_size=8, pool="mean", seed=1)
    last = nets.recurrent(4, 6, 3, vocab_size=8, pool="last", seed=1)
    steps = per_step(ids, lengths)
    # the head is linear, so pooling the states equals pooling the outputs
    assert torch.allclose(mean(ids, lengths)[0], steps[0, :3].mean(0), atol=1e-6)
    assert torch.allclose(last(ids, lengths), torch.stack([steps[0, 2], steps[1, 4]]), atol=1e-6)
    assert mean(ids, lengths).shape == (2, 3)
    with pytest.raises(ValueError, match="pool='last' with a bidirectional"):
        nets.recurrent(4, 6, 3, bidirectional=True, pool="last")
    with pytest.raises(ValueError, match="cell must be one of"):
        nets.recurrent(4, 6, 3, cell="transformer")
