"""Vocabulary, windows and the lecture-01 trainers against slow, obviously-correct
versions."""

from collections import Counter

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from helpers import word2vec as w2v
from helpers.text import Vocab, window_pairs

SENTS = [["the", "cat", "sat", "on", "the", "mat"], ["the", "dog", "sat"], ["a", "cat"]]


def test_vocab_order_and_errors():
    v = Vocab.build(SENTS, min_count=2)
    assert v.itos == ["the", "cat", "sat"] and v.counts.tolist() == [3, 2, 2]
    assert v["cat"] == 1 and "dog" not in v
    with pytest.raises(KeyError, match="'dog' is not in the vocabulary"):
        v["dog"]
    with pytest.raises(
        KeyError, match=r"2 word\(s\) not in the vocabulary: \['dog', 'mat'\]"
    ):
        v.encode(["dog", "mat", "the"])
    with pytest.raises(ValueError, match="min_count=9"):
        Vocab.build(SENTS, min_count=9)
    ids, sent = v.encode_corpus(SENTS)
    assert ids.tolist() == [0, 1, 2, 0, 0, 2, 1] and sent.tolist() == [
        0,
        0,
        0,
        0,
        1,
        1,
        2,
    ]


def naive_pairs(sents, window, reach=None):
    out, k = [], 0
    for s in sents:
        for i in range(len(s)):
            r = window if reach is None else reach[k + i]
            out += [
                (s[i], s[j])
                for j in range(max(0, i - r), min(len(s), i + r + 1))
                if j != i
            ]
        k += len(s)
    return Counter(out)


def test_window_pairs_match_naive_loops():
    rng = np.random.default_rng(0)
    sents = [list(rng.integers(0, 9, rng.integers(1, 12))) for _ in range(30)]
    ids = np.concatenate([np.array(s) for s in sents])
    sent = np.concatenate([np.full(len(s), k) for k, s in enumerate(sents)])
    for window in (1, 2, 5):
        c, o = window_pairs(ids, sent, window)
        assert Counter(zip(c.tolist(), o.tolist())) == naive_pairs(sents, window)
        reach = rng.integers(1, window + 1, len(ids))
        c, o = window_pairs(ids, sent, window, reach)
        assert Counter(zip(c.tolist(), o.tolist())) == naive_pairs(
            sents, window, reach.tolist()
        )
    with pytest.raises(ValueError, match="window must be >= 1"):
        window_pairs(ids, sent, 0)


def test_sgns_step_is_sgd_on_autograd_gradients():
    torch.manual_seed(0)
    V, d, B, K, lr = 11, 6, 16, 3, 0.1
    W_in, W_out = (
        torch.randn(V, d, dtype=torch.float64),
        torch.randn(V, d, dtype=torch.float64),
    )
    c = torch.randint(0, V, (B,))
    t = torch.randint(0, V, (B, 1 + K))
    a_in, a_out = W_in.clone().requires_grad_(), W_out.clone().requires_grad_()
    s = (a_out[t] * a_in[c][:, None, :]).sum(-1)
    loss = -(
        torch.nn.functional.logsigmoid(s[:, 0]).sum()
        + torch.nn.functional.logsigmoid(-s[:, 1:]).sum()
    )
    loss.backward()
    got = w2v.sgns_step(W_in, W_out, c, t, lr)
    assert got == pytest.approx(loss.item() / B)
    torch.testing.assert_close(W_in, a_in.detach() - lr * a_in.grad)
    torch.testing.assert_close(W_out, a_out.detach() - lr * a_out.grad)


def test_keep_probability_and_noise():
    counts = np.array([1000, 100, 10, 1])
    p = w2v.keep_probability(counts, 1e-2)
    assert p[-1] == 1.0 and np.all(np.diff(p) >= 0) and p[0] < 0.2
    assert np.all(w2v.keep_probability(counts, 0) == 1)
    q = w2v.noise_distribution(counts)
    assert torch.isclose(q.sum(), torch.tensor(1.0)) and q[0] / q[1] == pytest.approx(
        10**0.75, rel=1e-5
    )


def test_unigram_table_draws_from_the_noise_distribution():
    q = w2v.noise_distribution(np.array([1000, 10, 1, 300]))
    table = w2v.unigram_table(q, size=100_000)
    share = torch.bincount(table, minlength=4).double() / len(table)
    assert (share - q.double()).abs().max() < 1e-4
    tiny = w2v.unigram_table(torch.tensor([0.999999, 0.000001]), size=1000)
    # a rare word still gets one entry, so it can be drawn
    assert (tiny == 1).sum() == 1


def test_cooccurrence_and_ppmi_against_dense_loops():
    rng = np.random.default_rng(1)
    V = 7
    ids = rng.integers(0, V, 60)
    sent = np.repeat(np.arange(6), 10)
    X = w2v.cooccurrence(ids, sent, V, window=3).toarray()
    D = np.zeros((V, V))
    for i in range(60):
        for j in range(60):
            if i != j and abs(i - j) <= 3 and sent[i] == sent[j]:
                D[ids[i], ids[j]] += 1 / abs(i - j)
    np.testing.assert_allclose(X, D)
    P = w2v.ppmi(sp.csr_matrix(D)).toarray()
    with np.errstate(divide="ignore"):
        want = np.maximum(np.log(D * D.sum() / np.outer(D.sum(1), D.sum(0))), 0)
    np.testing.assert_allclose(P, np.nan_to_num(want, neginf=0.0), atol=1e-12)
    with pytest.raises(ValueError, match="weighting"):
        w2v.cooccurrence(ids, sent, V, weighting="gaussian")


def test_svd_embeddings_rank_and_errors():
    rng = np.random.default_rng(0)
    M = sp.csr_matrix(rng.random((20, 20)))
    E = w2v.svd_embeddings(M, k=3)
    S = np.linalg.svd(M.toarray(), compute_uv=False)[:3]
    np.testing.assert_allclose(np.linalg.norm(E, axis=0) ** 2, S, rtol=1e-4)
    with pytest.raises(ValueError, match="k must be in"):
        w2v.svd_embeddings(M, k=20)


def test_fit_sgns_tiny_corpus_is_deterministic_and_learns():
    rng = np.random.default_rng(0)
    # Two "topics": words 0-4 co-occur, words 5-9 co-occur.
    sents = [
        list(rng.integers(0, 5, 8)) if k % 2 else list(rng.integers(5, 10, 8))
        for k in range(300)
    ]
    ids = np.concatenate(sents)
    sent = np.repeat(np.arange(300), 8)
    counts = np.bincount(ids, minlength=10)
    cfg = w2v.SGNSConfig(dim=8, epochs=3, batch=16, lr=0.025, sample=0, seed=3)
    a = w2v.fit_sgns(ids, sent, counts, cfg, show_progress=False)
    b = w2v.fit_sgns(ids, sent, counts, cfg, show_progress=False)
    torch.testing.assert_close(a.W_in, b.W_in, rtol=0, atol=0)
    U = torch.nn.functional.normalize(a.W_in, dim=1)
    sim = U @ U.T
    within = (sim[:5, :5].sum() - 5) / 20
    across = sim[:5, 5:].mean()
    assert within > across + 0.3
    assert a.losses[-1] < a.losses[0]
    with pytest.raises(ValueError, match="ids must be non-empty"):
        w2v.fit_sgns(ids + 10, sent, counts, cfg)
    with pytest.raises(FloatingPointError, match="diverged"):
        w2v.fit_sgns(
            ids,
            sent,
            counts,
            w2v.SGNSConfig(dim=8, epochs=3, batch=256, lr=0.5, sample=0),
        )


def test_fit_sgns_trains_on_the_given_device(monkeypatch):
    """No GPU here: a fake move to ``meta`` records the tensor and returns it; every
    tensor the SGD step touches must have been moved, and the result comes back as CPU
    tensors."""
    moved, real_to, real_step = set(), torch.Tensor.to, w2v.sgns_step

    def fake_to(self, *args, **kwargs):
        target = args[0] if args else kwargs.get("device")
        if (
            isinstance(target, (str, torch.device))
            and torch.device(target).type == "meta"
        ):
            moved.add(self.untyped_storage().data_ptr())
            return self
        return real_to(self, *args, **kwargs)

    def step(W_in, W_out, centres, targets, lr):
        assert all(
            t.untyped_storage().data_ptr() in moved
            for t in (W_in, W_out, centres, targets)
        )
        return real_step(W_in, W_out, centres, targets, lr)

    monkeypatch.setattr(torch.Tensor, "to", fake_to)
    monkeypatch.setattr(w2v, "sgns_step", step)
    ids = np.tile(np.arange(10), 30)
    sent = np.repeat(np.arange(30), 10)
    res = w2v.fit_sgns(
        ids,
        sent,
        np.bincount(ids),
        w2v.SGNSConfig(dim=4, epochs=1, batch=32, sample=0),
        show_progress=False,
        device="meta",
    )
    assert res.W_in.device.type == "cpu" and res.pairs_seen > 0
