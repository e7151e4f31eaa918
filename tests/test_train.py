"""The book's one training loop and its schedules (helpers.train)."""

import math
import time

import pytest
import torch
import torch.nn as nn

from helpers import train as T


def test_schedules_are_pure_functions_of_the_step():
    assert [T.constant(0.1)(k) for k in (0, 5, 10**6)] == [0.1] * 3
    w = T.linear_warmup(1.0, 4)
    assert [w(k) for k in range(6)] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    assert T.linear_warmup(0.3, 0)(0) == 0.3
    c = T.cosine(1e-2, 100)
    assert c(0) == pytest.approx(1e-2) and c(50) == pytest.approx(0.55e-2)
    assert c(100) == pytest.approx(1e-3) and c(10**6) == pytest.approx(1e-3)
    rates = [c(k) for k in range(101)]
    assert all(a > b for a, b in zip(rates, rates[1:]))
    assert [c(k) for k in range(101)] == rates  # the same step, the same rate
    # nanoGPT's: warm-up to lr over 100 steps, then a cosine to lr / 10
    n = T.cosine(1e-3, 2000, warmup=100)
    assert n(0) == pytest.approx(1e-3 / 101) and n(100) == pytest.approx(1e-3)
    assert n(1999) == pytest.approx(1e-4, rel=1e-3)
    # the 2017 Transformer: peak at the end of the warm-up, then 1 / sqrt(step)
    s = T.inverse_sqrt(1.0, 100)
    assert s(49) == pytest.approx(0.5) and s(99) == pytest.approx(1.0)
    assert s(399) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="warmup"):
        T.inverse_sqrt(1.0, 0)
    d = T.linear_decay(0.025, 1000)
    assert d(0) == 0.025 and d(500) == pytest.approx(0.0125)
    assert d(5000) == pytest.approx(0.025e-4)


def regression(seed=0):
    torch.manual_seed(seed)
    x = torch.randn(64, 3)
    y = x @ torch.tensor([1.0, -2.0, 0.5]) + 0.1
    model = nn.Linear(3, 1)

    def step(batch):
        xb, yb = batch
        return ((model(xb).squeeze(1) - yb) ** 2).mean()

    def data():
        while True:
            for i in range(0, 64, 16):
                yield x[i : i + 16], y[i : i + 16]

    return model, step, data()


@pytest.mark.parametrize("start_training", [True, False])
def test_loop_learns_records_and_restores_the_mode(start_training):
    model, step, data = regression()
    model.train(start_training)
    modes = []
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    hist = T.train(
        step,
        data,
        steps=200,
        schedule=T.constant(0.1),
        optimizer=opt,
        model=model,
        clip=10.0,
        evaluate=lambda: (
            modes.append(model.training),
            {"w0": model.weight[0, 0].item()},
        )[1],
        evals=4,
    )
    assert hist.steps == [50, 100, 150, 200] and len(hist.seconds) == 4
    assert hist.loss[-1] < 1e-3 < hist.loss[0]
    assert hist.w0 == hist.metrics["w0"] and abs(hist.w0[-1] - 1.0) < 0.05
    assert model.training is start_training
    with pytest.raises(AttributeError, match="val_bits"):
        hist.val_bits


def test_the_schedule_sets_the_rate_of_every_step_and_clipping_applies():
    model, step, data = regression()
    opt = torch.optim.SGD(model.parameters(), lr=123.0)
    seen, real = [], opt.step

    def spy(*a, **k):
        seen.append(opt.param_groups[0]["lr"])
        norms.append(torch.cat([p.grad.reshape(-1) for p in model.parameters()]).norm())
        return real(*a, **k)

    norms = []
    opt.step = spy
    T.train(
        step,
        data,
        steps=10,
        schedule=lambda k: 0.01 * (k + 1),
        optimizer=opt,
        model=model,
        clip=0.5,
    )
    assert seen == pytest.approx([0.01 * (k + 1) for k in range(10)])
    assert max(norms) <= 0.5 + 1e-6


def test_time_budget_leaves_evaluation_out():
    model, step, data = regression()
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def slow_evaluation():
        time.sleep(0.2)
        return {}

    t0 = time.perf_counter()
    hist = T.train(
        step,
        data,
        seconds=0.3,
        schedule=T.constant(0.01),
        optimizer=opt,
        model=model,
        evaluate=slow_evaluation,
        evals=3,
    )
    wall = time.perf_counter() - t0
    assert 0.3 <= hist.seconds[-1] < 0.6 and len(hist.steps) >= 3
    # three evaluations of 0.2 s on top of the 0.3 s of training
    assert wall >= 0.3 + 0.2 * len(hist.steps) - 0.05


def test_hand_written_step_and_the_end_of_the_data():
    w = torch.zeros(1)
    rates = []

    def step(target, lr):
        rates.append(lr)
        w.add_(lr * (target - w))  # a gradient step on (w - target)^2 / 2
        return float((w - target) ** 2 / 2)

    hist = T.train(
        step, [torch.tensor(1.0)] * 25, schedule=T.linear_decay(1.0, 50), every=10
    )
    assert len(rates) == 25 and rates[0] == 1.0 and rates[-1] == pytest.approx(0.52)
    # records at 10 and 20, and the last 5 steps when the data ends
    assert hist.steps == [10, 20, 25] and math.isclose(w.item(), 1.0)


def test_budget_errors():
    model, step, data = regression()
    with pytest.raises(ValueError, match="steps must be >= 1"):
        T.train(step, data, steps=0, schedule=T.constant(0.1))
    with pytest.raises(ValueError, match="seconds must be > 0"):
        T.train(step, data, seconds=-1, schedule=T.constant(0.1))
