"""The library follows the one device policy (``helpers.device.pick_device``: CUDA when
present, ``NLPBOOK_DEVICE`` to force one) outside the notebooks too: DDP, the ladder and
the benchmarks. No GPU here: the override names the fake device of
``tests/fake_device.py`` (``meta``), which refuses what CUDA refuses, and each test
checks that the heavy work ran there and gave the CPU's numbers."""

from __future__ import annotations

import fake_device
import pytest
import torch
from fake_device import DEV, FakeDevice

from helpers import ddp


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
