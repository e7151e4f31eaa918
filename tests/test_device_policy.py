"""The library follows the one device policy (``helpers.device.pick_device``: CUDA when
present, ``NLPBOOK_DEVICE`` to force one) outside the notebooks too: DDP, the ladder and
the benchmarks. No GPU here: the override names the fake device of
``tests/fake_device.py`` (``meta``), which refuses what CUDA refuses, and each test
checks that the heavy work ran there and gave the CPU's numbers."""

from __future__ import annotations

import ast
import functools
import importlib
import json
import sys
from pathlib import Path

import fake_device
import numpy as np
import pytest
import torch
from fake_device import DEV, FakeDevice
from IPython.core.inputtransformer2 import TransformerManager

from helpers import ddp, ladder, lm, pairs
from helpers import transformer as tfm
from helpers.data import LMSplits, lm_splits


def on_device(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` under the fake device, and where its operations ran."""
    before = dict(fake_device.stats)
    with FakeDevice():
        out = fn(*args, **kwargs)
    return out, {k: fake_device.stats[k] - before[k] for k in before}


@pytest.fixture
def alone(monkeypatch):
    """One process, not under torchrun."""
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_ddp_init_follows_the_device_override(alone):
    alone.setenv("NLPBOOK_DEVICE", "meta")
    assert ddp.init() == (0, 1, DEV)
    alone.setenv("NLPBOOK_DEVICE", "cpu")
    assert ddp.init() == (0, 1, torch.device("cpu"))


def test_ddp_trains_on_the_device_the_override_names(alone):
    kwargs = dict(steps=2, global_batch=4, block=16)
    alone.setenv("NLPBOOK_DEVICE", "cpu")
    want = ddp.run(**kwargs)
    alone.setenv("NLPBOOK_DEVICE", "meta")
    losses, used = on_device(ddp.run, **kwargs)
    # fused attention takes another kernel off the CPU: equal to rounding
    assert losses == pytest.approx(want, rel=1e-6)
    assert used["dev_mm"] > 0 and used["cpu_mm"] == 0, used


ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS, NOTEBOOKS = ROOT / "benchmarks", ROOT / "notebooks"
CPU = torch.device("cpu")


def benchmark(name: str):
    """A benchmark module, imported as benchmarks/run.py imports it."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))
    return importlib.import_module(name)


def tiny_lm_splits() -> LMSplits:
    s = lm_splits()
    return LMSplits(s.train[:20_000], s.val[:2_000], s.test[:2_000])


def assert_rows_name_the_device(rows, used):
    """Rows of models trained on the fake device say so (not a CPU, not a GPU)."""
    assert rows and all(row["machine"].startswith("meta") for row in rows), [
        row["machine"] for row in rows
    ]
    assert used["dev_mm"] > 0, used


def test_lecture03_ladder_benchmark_trains_where_its_rows_say(alone):
    bench = benchmark("lecture03_ladder")
    alone.setattr(bench, "lm_splits", tiny_lm_splits)
    alone.setenv("NLPBOOK_DEVICE", "meta")
    rows, used = on_device(bench.run, seconds=0.3)
    assert [row["rung"] for row in rows[1:]] == ["fixed window", "RNN 256", "LSTM 256"]
    assert_rows_name_the_device(rows[1:], used)  # the n-gram counts on the CPU


def test_lecture05_ladder_benchmark_trains_where_its_rows_say(alone):
    bench = benchmark("lecture05")
    alone.setattr(bench, "lm_splits", tiny_lm_splits)
    alone.setenv("NLPBOOK_DEVICE", "meta")
    rows, used = on_device(bench.ladder, seconds=0.3, rungs=("3x64",))
    assert_rows_name_the_device(rows, used)


def test_lecture04_translation_benchmark_trains_where_its_rows_say(alone):
    bench = benchmark("lecture04_translation")
    tiny = functools.partial(pairs.number_task, 200, 10, 6)
    alone.setattr(bench, "number_task", lambda *args, **kwargs: tiny(seed=0))
    alone.setenv("NLPBOOK_DEVICE", "meta")
    rows, used = on_device(bench.run, steps=2, hidden=16)
    assert len(rows) == 3
    assert_rows_name_the_device(rows, used)
    assert used["cpu_mm"] == 0, used


def test_ladder_climb_trains_on_the_device_it_is_given():
    rng = np.random.default_rng(0)
    ids = tuple(rng.integers(0, 8, n) for n in (32 * 64 * 2 + 1, 1_000, 1_000))
    models = {
        "LSTM": lambda: lm.RecurrentLM(8, "lstm", emb=8, hidden=16),
        "Transformer": lambda: tfm.GPT(
            8, block_size=16, n_layer=1, n_head=2, d_model=8
        ),
    }

    def climb(make, device):
        torch.manual_seed(0)
        model = make()
        rung, _ = ladder.climb(
            "rung", model, ids, device=device, steps=2, evals=1, batch=8, seq_len=16
        )
        return model, rung

    for name, make in models.items():
        (model, rung), used = on_device(climb, make, DEV)
        _, want = climb(make, CPU)
        assert next(model.parameters()).device == DEV, name
        assert rung.val_bits == pytest.approx(want.val_bits, rel=1e-5), name
        assert rung.test_bits == pytest.approx(want.test_bits, rel=1e-5), name
        assert used["dev_mm"] > 0 and used["cpu_mm"] == 0, (name, used)


def test_notebooks_climb_the_ladder_on_their_device():
    """Lectures 03 and 05 put their models on the ladder with ``helpers.ladder.climb``
    on the device ``setup()`` picked (lecture 05's own copy of climb once lost the move
    to the device and trained on the CPU beside a GPU)."""
    for notebook in ("03_language_models.ipynb", "05_transformers.ipynb"):
        cells = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))["cells"]
        code = "\n".join(
            TransformerManager().transform_cell("".join(c["source"]))
            for c in cells
            if c["cell_type"] == "code"
        )
        tree = ast.parse(code)
        assert not [
            n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "climb"
        ], f"{notebook} defines its own climb"
        calls = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "climb"
        ]
        assert calls, f"{notebook} climbs no rung with ladder.climb"
        for call in calls:
            device = [k.value for k in call.keywords if k.arg == "device"]
            assert device and isinstance(device[0], ast.Name), ast.unparse(call)
            assert device[0].id == "device", ast.unparse(call)
