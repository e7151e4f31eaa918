"""The lecture-03 helpers: the fixed LM split, the n-gram model, the char LMs and the
ladder."""

import math
from collections import Counter

import numpy as np
import pytest
import torch

from helpers import charlm, decoding, device, evaluate, ladder, lm, text
from helpers.data import lm_splits
from helpers.ngram import CharNGram


def test_lm_splits_fixed_and_disjoint():
    s = lm_splits()
    assert set(s.train) | set(s.val) | set(s.test) <= set(
        "abcdefghijklmnopqrstuvwxyz \n"
    )
    n = len(s.train) + len(s.val) + len(s.test)
    assert 0.85 < len(s.train) / n < 0.95 and s.val[:200] not in s.train
    assert lm_splits() is s


def naive_interpolated(train, order, base, D, history, c):
    # the textbook recursion, with dictionaries
    def prob(n, h):
        if n == 0:
            return 1.0 / base
        ctx = tuple(h[len(h) - (n - 1) :]) if n > 1 else ()
        grams = Counter(tuple(train[i : i + n]) for i in range(len(train) - n + 1))
        tot = sum(v for k, v in grams.items() if k[:-1] == ctx)
        if tot == 0:
            return prob(n - 1, h)
        types = sum(1 for k in grams if k[:-1] == ctx)
        return max(grams.get(ctx + (c,), 0) - D, 0) / tot + D * types / tot * prob(
            n - 1, h
        )

    return prob(order, history)


def test_char_ngram_matches_textbook_recursion_and_normalises():
    rng = np.random.default_rng(0)
    train = rng.integers(0, 4, 300)
    test = rng.integers(0, 4, 40)
    m = CharNGram(order=3, base=4, discount=0.6).fit(train)
    got = 2.0 ** m.log2_probs(test)
    for t in range(2, 12):
        want = naive_interpolated(
            list(train), 3, 4, 0.6, list(test[t - 2 : t]), test[t]
        )
        assert got[t - 2] == pytest.approx(want, rel=1e-12)
    # probabilities over the 4 possible next symbols sum to 1 for any history
    for h in ([0, 1], [3, 3], [2, 0]):
        total = sum(2.0 ** m.log2_probs(np.array(h + [c]))[0] for c in range(4))
        assert total == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(ValueError, match="symbols must be in"):
        CharNGram(2, 3).fit(np.array([0, 1, 5]))


def test_window_and_recurrent_lm_shapes_and_state():
    x = torch.randint(0, 10, (3, 7))
    for model in (
        lm.WindowLM(10, window=4, emb=5, hidden=8),
        lm.RecurrentLM(10, "rnn", 5, 8),
        lm.RecurrentLM(10, "lstm", 5, 8),
    ):
        logits, state = model(x)
        assert logits.shape == (3, 7, 10)
        # running two halves with the carried state equals running the whole
        a, s1 = model(x[:, :3])
        b, _ = model(x[:, 3:], s1)
        torch.testing.assert_close(torch.cat([a, b], 1), logits)
    with pytest.raises(ValueError, match="cell must be"):
        lm.RecurrentLM(10, "gru")


def test_fit_lm_learns_a_repeating_text_and_samples_it():
    vocab = text.Vocab.of_chars("abcd ")
    ids = np.asarray(vocab.encode("abcd " * 400))
    torch.manual_seed(0)
    model = lm.RecurrentLM(len(vocab), "lstm", emb=8, hidden=32)
    hist = lm.fit_lm(
        model,
        ids,
        ids[:500],
        steps=150,
        batch=8,
        seq_len=20,
        lr=1e-2,
        evals=3,
        val_chars=500,
    )
    assert len(hist.val_bits) == 3 and hist.val_bits[-1] < 0.2 < math.log2(5)
    assert decoding.sample(model, vocab, "ab", length=8, temperature=0) == "abcd abcd "
    with pytest.raises(ValueError, match="give a budget"):
        lm.fit_lm(model, ids, ids)
    with pytest.raises(KeyError, match="not in the vocabulary"):
        vocab.encode("abz")


def test_read_text_file_errors(tmp_path):
    (tmp_path / "empty.txt").write_text("  \n")
    (tmp_path / "bin.dat").write_bytes(b"abc\x00def" * 5000)
    (tmp_path / "short.txt").write_text("hello world")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 ".encode("latin-1") * 5000)
    (tmp_path / "ok.txt").write_text("the cat sat on the mat. " * 1000)
    with pytest.raises(FileNotFoundError, match="no text file"):
        text.read_text_file(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="is empty"):
        text.read_text_file(tmp_path / "empty.txt")
    with pytest.raises(ValueError, match="looks binary"):
        text.read_text_file(tmp_path / "bin.dat")
    with pytest.raises(ValueError, match="at least 10,000 are needed"):
        text.read_text_file(tmp_path / "short.txt")
    with pytest.raises(ValueError, match="not UTF-8"):
        text.read_text_file(tmp_path / "latin1.txt")
    model, vocab, hist = charlm.fit_text_file(
        tmp_path / "ok.txt", seconds=3, hidden=32, batch=8, seq_len=32, evals=2
    )
    assert (
        len(vocab) == len(set("the cat sat on the mat. "))
        and hist.val_bits[-1] < hist.val_bits[0] + 0.5
    )


def test_ladder_table_sorted():
    rungs = [
        ladder.Rung("b", 10, 1.0, "x", 2.5, 2.4),
        ladder.Rung("a", 20, 2.0, "y", 2.0, 1.9),
    ]
    lines = ladder.table(rungs).splitlines()
    assert lines[2].startswith("a") and lines[3].startswith("b")
    md = ladder.table(rungs, markdown=True).splitlines()
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in md]
    assert (
        cells[0][:2] == ["model", "params"]
        and cells[2][:2] == ["a", "20"]
        and cells[3][0] == "b"
    )
    # five right-aligned number columns
    assert set(md[1]) <= set("|-: ") and md[1].count(":|") == 5
    # every row has the same number of columns
    assert len({line.count("|") for line in md}) == 1
    assert rungs[1].test_ppl == pytest.approx(2**1.9)


def adam_learning_rates(monkeypatch) -> list[float]:
    """The learning rate of every Adam update from now on (a spy on Adam.step)."""
    seen, step = [], torch.optim.Adam.step

    def spy(self, *a, **k):
        seen.append(self.param_groups[0]["lr"])
        return step(self, *a, **k)

    monkeypatch.setattr(torch.optim.Adam, "step", spy)
    return seen


def test_fit_lm_decay_lowers_the_learning_rate_to_a_tenth(monkeypatch):
    torch.manual_seed(0)
    ids = np.tile(np.arange(5), 400)
    model = lm.RecurrentLM(5, "rnn", emb=4, hidden=8)
    seen = adam_learning_rates(monkeypatch)
    lm.fit_lm(
        model,
        ids,
        ids[:100],
        steps=50,
        batch=4,
        seq_len=10,
        lr=1e-2,
        evals=1,
        val_chars=100,
        decay=True,
    )
    assert len(seen) == 50 and seen[0] > 0.99e-2 and abs(seen[-1] - 1e-3) < 1e-4
    assert all(a >= b for a, b in zip(seen, seen[1:]))


def test_window_lm_of_one_character_keeps_no_state():
    model = lm.WindowLM(6, window=1, emb=3, hidden=4)
    x = torch.randint(0, 6, (2, 9))
    logits, state = model(x)
    assert logits.shape == (2, 9, 6) and state.shape == (2, 0)
    a, s1 = model(x[:, :4])
    b, s2 = model(x[:, 4:], s1)
    torch.testing.assert_close(torch.cat([a, b], 1), logits)
    assert s2.shape == (2, 0)
    # a window of 3 carries exactly the last 2 inputs
    _, s3 = lm.WindowLM(6, window=3, emb=3, hidden=4)(x)
    assert torch.equal(s3, x[:, -2:])


@pytest.mark.parametrize("start_training", [True, False])
def test_evaluate_train_and_sample_restore_the_mode(start_training):
    vocab = text.Vocab.of_chars("abc ")
    ids = np.asarray(vocab.encode("abc " * 200))
    model = lm.RecurrentLM(len(vocab), "rnn", emb=4, hidden=8).train(start_training)
    seen = []
    forward = model.forward
    model.forward = lambda *a, **k: (seen.append(model.training), forward(*a, **k))[1]
    evaluate.evaluate_bits(model, ids, batch=2, seq_len=16)
    assert model.training is start_training and not any(seen)
    seen.clear()
    decoding.sample(model, vocab, "ab", length=5)
    assert model.training is start_training and not any(seen)
    seen.clear()
    lm.fit_lm(
        model, ids, ids[:100], steps=3, batch=2, seq_len=16, evals=1, val_chars=100
    )
    assert model.training is start_training and seen[0] is True  # trains in train mode


def test_trainers_and_sampler_move_batches_to_the_models_device(monkeypatch):
    """No GPU here: pretend the model lives on a fake device, and check that every batch
    the model sees went through ``.to(that device)`` (the fake move records the tensor
    and returns it)."""
    fake = torch.device("meta")
    # storages of the tensors moved to the fake device
    moved = set()
    real_to = torch.Tensor.to

    def fake_to(self, *args, **kwargs):
        target = args[0] if args else kwargs.get("device")
        if isinstance(target, (str, torch.device)) and torch.device(target) == fake:
            moved.add(self.untyped_storage().data_ptr())
            return self
        return real_to(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "to", fake_to)
    for module in (lm, evaluate, decoding):
        monkeypatch.setattr(module, "model_device", lambda model: fake)
    vocab = text.Vocab.of_chars("abc ")
    ids = np.asarray(vocab.encode("abc " * 200))
    val = ids[:100].copy()
    for model in (
        lm.RecurrentLM(len(vocab), "lstm", emb=4, hidden=8),
        lm.WindowLM(len(vocab), 3, 4, 8),
    ):
        inputs = []
        forward = model.forward
        model.forward = lambda x, state=None, f=forward, i=inputs: (
            i.append(x),
            f(x, state),
        )[1]
        for run in (
            lambda: lm.fit_lm(
                model, ids, val, steps=3, batch=2, seq_len=16, evals=1, val_chars=100
            ),
            lambda: evaluate.evaluate_bits(model, val, batch=2, seq_len=16),
            lambda: decoding.sample(model, vocab, "ab", length=4),
        ):
            moved.clear()
            inputs.clear()
            run()
            assert len(inputs) >= 2 and all(
                x.untyped_storage().data_ptr() in moved for x in inputs
            )


def test_charlm_runs_on_the_meta_device():
    # the models build their initial state on the input's device: a forward pass works
    # on any device
    for model in (lm.RecurrentLM(5, "lstm", 4, 8), lm.WindowLM(5, 3, 4, 8)):
        model = model.to("meta")
        logits, _ = model(torch.zeros(2, 7, dtype=torch.long, device="meta"))
        assert logits.device.type == "meta" and logits.shape == (2, 7, 5)
        assert device.model_device(model).type == "meta"


def test_characters_are_a_tokenizer_option_of_the_one_vocab():
    v = text.Vocab.of_chars("banana band")
    assert v.itos == sorted(set("banana band")) and v.chars
    assert v.counts[v.stoi["a"]] == 4
    # the same contract as a word vocabulary: list in, list out, text() joins
    ids = v.encode("band")
    assert ids == v.encode(list("band")) and all(type(i) is int for i in ids)
    assert v.decode(ids) == list("band") and v.text(ids) == "band"
    w = text.Vocab.build([["band", "banana"]])
    assert w.text(w.encode(["banana", "band"])) == "banana band"
    s = text.Vocab.of_chars("banana band", specials=text.SPECIALS)
    assert s.itos[:4] == list(text.SPECIALS) and s.itos[4:] == v.itos and s.pad_id == 0
    # unknown characters -> <unk>; without <unk> a KeyError names them
    assert s.encode("bz") == [s.stoi["b"], s.unk_id]
    missing = r"1 character\(s\) not in the vocabulary: \['z'\]"
    with pytest.raises(KeyError, match=missing):
        v.encode("bzz")
    assert s.text([s.bos_id, s["b"], s["a"], s.eos_id, s["n"]]) == "ba"
    for bad in ("", ["a"], None):
        with pytest.raises(ValueError, match="non-empty string"):
            text.Vocab.of_chars(bad)


def test_time_budget_decay_runs_over_the_estimated_steps(monkeypatch):
    torch.manual_seed(0)
    ids = np.tile(np.arange(5), 400)
    model = lm.RecurrentLM(5, "rnn", emb=4, hidden=8)
    data = lm.streams(ids, 4)
    steps = lm.steps_in(1.0, model, data, seq_len=10, lr=1e-2)
    # 1 s holds many steps of this tiny model (hundreds on a quiet core; a few under
    # heavy load from other processes, whose threads the test cannot control)
    assert steps > 3
    seen = adam_learning_rates(monkeypatch)
    lm.fit_lm(
        model,
        ids,
        ids[:100],
        seconds=0.5,
        batch=4,
        seq_len=10,
        lr=1e-2,
        evals=1,
        val_chars=100,
        decay=True,
    )
    # a cosine over the estimated steps, then a tenth of the rate until the time is up
    assert seen[0] == pytest.approx(1e-2) and min(seen) >= 1e-3 - 1e-12
    assert all(a >= b for a, b in zip(seen, seen[1:]))
