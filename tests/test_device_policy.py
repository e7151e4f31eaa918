"""The library follows the one device policy (``helpers.device.pick_device``: CUDA when
present, ``NLPBOOK_DEVICE`` to force one) outside the notebooks too: DDP, the ladder and
the benchmarks. No GPU here: the override names the fake device of
``tests/fake_device.py`` (``meta``), which refuses what CUDA refuses, and each test
checks that the heavy work ran there and gave the CPU's numbers."""

from __future__ import annotations

import functools
import importlib
import sys
from pathlib import Path

import fake_device
import pytest
import torch
from fake_device import DEV, FakeDevice

from helpers import ddp, pairs


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


def assert_rows_name_the_device(rows, used):
    """Rows of models trained on the fake device say so (not a CPU, not a GPU)."""
    assert rows and all(row["machine"].startswith("meta") for row in rows), [
        row["machine"] for row in rows
    ]
    assert used["dev_mm"] > 0, used


def test_lecture04_translation_benchmark_trains_where_its_rows_say(alone):
    bench = benchmark("lecture04_translation")
    tiny = functools.partial(pairs.number_task, 200, 10, 6)
    alone.setattr(bench, "number_task", lambda *args, **kwargs: tiny(seed=0))
    alone.setenv("NLPBOOK_DEVICE", "meta")
    rows, used = on_device(bench.run, steps=2, hidden=16)
    assert len(rows) == 3
    assert_rows_name_the_device(rows, used)
    assert used["cpu_mm"] == 0, used
