"""benchmarks/lecture05.py smoothing: the label-smoothed loss that lecture 05 cites for
the BLEU half of label smoothing, and where the benchmark trains."""

from __future__ import annotations

import functools
import importlib
import sys
from pathlib import Path

import fake_device
import torch
from fake_device import FakeDevice

from helpers import pairs
from helpers import translation_models as tm

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def bench():
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module("lecture05")


def tiny_batch():
    task = pairs.number_task(60, 5, 5, seed=0)
    src_v, tgt_v = pairs.build_vocabs(task.train)
    torch.manual_seed(0)
    model = tm.TransformerTranslator(len(src_v), len(tgt_v), d_model=16, n_heads=2)
    return model, pairs.make_batch(task.train[:8], src_v, tgt_v)


def test_smoothed_loss_without_smoothing_is_the_translators_loss():
    model, b = tiny_batch()
    logp, _ = model(b.src, b.src_len, b.tgt_in)
    plain = tm.loss_fn(logp, b.tgt_out, model.pad_id)
    assert torch.allclose(bench().smoothed_loss(model, b, 0.0), plain, atol=1e-5)


def test_smoothed_loss_spreads_epsilon_over_the_vocabulary():
    model, b = tiny_batch()
    eps = 0.1
    logp, _ = model(b.src, b.src_len, b.tgt_in)  # (B, T, V)
    real = b.tgt_out != model.pad_id
    nll = -logp.gather(-1, b.tgt_out[..., None])[..., 0]  # (B, T)
    uniform = -logp.mean(-1)  # (B, T): cross-entropy against eps / V everywhere
    want = ((1 - eps) * nll + eps * uniform)[real].sum() / b.src.shape[0]
    got = bench().smoothed_loss(model, b, eps)
    assert torch.allclose(got, want, atol=1e-5)


def test_smoothing_benchmark_trains_on_the_picked_device(monkeypatch):
    mod = bench()
    tiny = functools.partial(pairs.number_task, 200, 10, 6)
    monkeypatch.setattr(mod.pairs, "number_task", lambda *a, **k: tiny(seed=0))
    # each operation on the fake device is slow: one step, two words a translation
    monkeypatch.setattr(mod, "translate", functools.partial(mod.translate, max_len=2))
    monkeypatch.setenv("NLPBOOK_DEVICE", "meta")
    before = dict(fake_device.stats)
    with FakeDevice():
        rows = mod.smoothing(steps=1, seeds=(0,))
    used = {k: fake_device.stats[k] - before[k] for k in before}
    assert [r["label_smoothing"] for r in rows] == [0.0, 0.1]
    assert all(r["machine"].startswith("meta") for r in rows), rows
    assert used["dev_mm"] > 0 and used["cpu_mm"] == 0, used
