"""The notebooks' own trainers follow the device ``setup()`` picks (issue 11).

No GPU here: each trainer that notebooks 01-03 define runs on tiny data on a fake
device (``tests/fake_device.py``) that refuses what CUDA refuses: CPU tensors mixed with
device tensors, ``.numpy()`` of a device tensor, a CPU generator drawing into a device
tensor. It must run there, do its matrix products there, and give the numbers it gives
on the CPU. The functions are taken from the notebooks' code cells, so the test follows
the notebooks.
"""

from __future__ import annotations

import ast
import json
import math
import pathlib

import fake_device
import numpy as np
import scipy.sparse as sp
import torch
import torch.nn as nn
import torch.nn.functional as F
from fake_device import DEV, FakeDevice

import helpers
from helpers import lm
from helpers import transformer as tfm
from helpers.text import CharVocab

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
CPU = torch.device("cpu")


def definitions(notebook: str, names: list[str], **globals_) -> dict:
    """The functions and classes ``names`` as ``notebook`` defines them."""
    nb = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))
    found = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse("".join(cell["source"]))
        except SyntaxError:  # IPython magics
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names:
                found[node.name] = node
    missing = sorted(set(names) - set(found))
    assert not missing, f"{notebook} no longer defines {missing}"
    ns = dict(torch=torch, np=np, nn=nn, F=F, math=math, helpers=helpers, **globals_)
    body = [found[n] for n in names]  # in the order given
    exec(compile(ast.Module(body=body, type_ignores=[]), notebook, "exec"), ns)
    return ns


def on_device(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` under the fake device, and where its operations ran."""
    before = dict(fake_device.stats)
    with FakeDevice():
        out = fn(*args, **kwargs)
    return out, {k: fake_device.stats[k] - before[k] for k in before}


def to(device, *tensors):
    with FakeDevice():
        return [t.to(device) for t in tensors]


def same(a, b) -> bool:
    """Equal numbers, wherever they are (lists, tuples, tensors, arrays, floats)."""
    if isinstance(a, torch.Tensor):
        a = a.cpu() if a.device != DEV else a.elem
        b = b.cpu() if b.device != DEV else b.elem
        return torch.equal(a, b)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(np.array_equal(a, b))


def test_fake_device_refuses_what_cuda_refuses():
    with FakeDevice():
        x = torch.ones(3, 2).to(DEV)
        assert x.device == DEV and float(x.sum()) == 6.0 and f"{x[0, 0]:.1f}" == "1.0"
        assert (x * torch.tensor(2.0)).device == DEV  # CPU scalars mix, as on CUDA
        assert x[torch.tensor([0, 2])].shape == (2, 2)  # so do CPU indices
        for bad in (
            lambda: x + torch.ones(3, 2),
            lambda: x.numpy(),
            lambda: np.asarray(x),
            lambda: x.normal_(generator=torch.Generator().manual_seed(0)),
        ):
            try:
                bad()
            except (RuntimeError, TypeError):
                continue
            raise AssertionError("the fake device accepted what a GPU refuses")
        assert type(x.cpu()) is torch.Tensor and x.cpu().device == CPU
        x.copy_(torch.full((3, 2), 2.0))  # copies across devices are legal
        y = torch.zeros(3, 2).copy_(x)
        assert x.device == DEV and type(y) is torch.Tensor and float(y.sum()) == 12.0


def test_lecture01_full_softmax_and_glove_follow_the_device():
    rng = np.random.default_rng(0)
    V, d = 30, 6
    data = dict(
        V=V, d=d, centres=rng.integers(0, V, 400), contexts=rng.integers(0, V, 400)
    )
    names = ["train_full_softmax", "train_glove"]
    cpu = definitions("01_word_vectors.ipynb", names, device=CPU, **data)
    dev = definitions("01_word_vectors.ipynb", names, device=DEV, **data)

    losses, used = on_device(dev["train_full_softmax"], steps=5, batch=16)
    assert same(losses, cpu["train_full_softmax"](steps=5, batch=16))
    assert used["dev_mm"] >= 5 and used["cpu_mm"] == 0

    X = sp.random(V, V, density=0.3, random_state=0, format="csr")
    X.data = 10 * X.data + 0.5  # positive co-occurrence counts
    (E, hist), used = on_device(dev["train_glove"], X, dim=4, epochs=2, batch=32)
    E_cpu, hist_cpu = cpu["train_glove"](X, dim=4, epochs=2, batch=32)
    assert type(E) is torch.Tensor and E.device == CPU  # back on the CPU for numpy
    assert same(E, E_cpu) and same(hist, hist_cpu)
    assert used["dev"] > used["cpu"]


def test_lecture02_trainers_follow_the_device():
    rng = np.random.default_rng(0)
    V, N = 40, 300
    E_rand = torch.randn(V, 100, generator=torch.Generator().manual_seed(0))
    # windows of 5 word ids (<unk> and <pad> included) and their labels
    Xw = torch.from_numpy(rng.integers(0, V + 2, (N, 5)))
    yw = torch.from_numpy(rng.integers(0, 2, N))
    names = [
        "prf1",
        "embedding_table",
        "WindowClassifier",
        "fit",
        "train_softmax",
        "cross_val_accuracy",
        "curves",
        "train_tiny",
        "activation_stds",
        "sgd",
        "momentum",
        "adam",
        "loss_curve",
        "deep_mlp",
    ]

    def namespace(device):
        Xtr, ytr, Xva, yva, Xte, yte = to(
            device, Xw[:200], yw[:200], Xw[200:250], yw[200:250], Xw[250:], yw[250:]
        )
        ns = definitions("02_neural_networks.ipynb", names, device=device)
        with FakeDevice():  # as the notebook builds feats_tr
            table = ns["embedding_table"](E_rand).to(device)
            feats_tr = table[Xtr].flatten(1)
        g = dict(
            Xtr=Xtr,
            ytr=ytr,
            Xva=Xva,
            yva=yva,
            Xte=Xte,
            yte=yte,
            feats_tr=feats_tr,
            X_small=Xtr[:100],
            y_small=ytr[:100],
            E_rand=E_rand,
        )
        ns.update(g)
        # test_prf1's defaults, the test windows, are bound when it is defined
        ns.update(
            definitions(
                "02_neural_networks.ipynb",
                ["test_prf1"],
                device=device,
                prf1=ns["prf1"],
                **g,
            )
        )
        return ns

    cpu, dev = namespace(CPU), namespace(DEV)
    calls = [
        ("train_softmax", dict(manual=True, epochs=1, B=64)),
        ("train_softmax", dict(manual=False, epochs=1, B=64)),
        ("curves", dict(dropout=0.5, epochs=3)),
        ("train_tiny", dict(init="random", steps=3)),
        ("activation_stds", dict(std_fn=lambda i, o: 0.1, depth=2, width=16)),
        ("loss_curve", dict(update=cpu["adam"], lr=0.01, steps=25, B=16)),
    ]
    for name, kwargs in calls:
        out, used = on_device(dev[name], **kwargs)
        want = cpu[name](**kwargs)
        if name == "curves":  # (train, validation, model)
            out, want = out[:2], want[:2]
        assert same(out, want), name
        assert used["dev_mm"] > 0 and used["cpu_mm"] == 0, (name, used)

    def fit_and_score(ns):
        torch.manual_seed(0)
        model = ns["fit"](
            ns["WindowClassifier"](E_rand, freeze=False),
            ns["Xtr"],
            ns["ytr"],
            epochs=1,
            B=64,
        )
        return ns["test_prf1"](model)

    out, used = on_device(fit_and_score, dev)
    assert out == fit_and_score(cpu) and used["cpu_mm"] == 0

    Xf, y = torch.randn(30, 8, generator=torch.Generator().manual_seed(1)), yw[:30]
    out, used = on_device(dev["cross_val_accuracy"], Xf, y, folds=3, epochs=5)
    assert out == cpu["cross_val_accuracy"](Xf, y, folds=3, epochs=5)
    assert used["dev_mm"] > 0 and used["cpu_mm"] == 0

    for norm in ("none", "batch norm", "layer norm"):  # as the normalisation cell

        def step(ns):
            torch.manual_seed(0)
            net = ns["deep_mlp"](norm).to(ns["device"])
            j = torch.randint(0, 200, (16,), generator=torch.Generator().manual_seed(0))
            loss = F.cross_entropy(
                net(ns["feats_tr"][j.to(ns["device"])]), ns["ytr"][j]
            )
            loss.backward()
            return loss.item()

        out, used = on_device(step, dev)
        assert out == step(cpu) and used["cpu_mm"] == 0


def test_lecture03_gradient_clipping_run_follows_the_device():
    rng = np.random.default_rng(0)
    data = dict(vocab=list("abcdefgh"), tr_c=rng.integers(0, 8, 16 * 64 * 4), lm=lm)
    cpu = definitions("03_language_models.ipynb", ["unstable_run"], device=CPU, **data)
    dev = definitions("03_language_models.ipynb", ["unstable_run"], device=DEV, **data)
    (norms, losses), used = on_device(dev["unstable_run"], clip=1.0, steps=3)
    norms_cpu, losses_cpu = cpu["unstable_run"](clip=1.0, steps=3)
    # nn.RNN takes another (generic) kernel off the CPU: the first step agrees to
    # rounding, and the exploding run then drifts apart, as it would on a GPU
    assert np.allclose(norms[0], norms_cpu[0], rtol=1e-5)
    assert np.allclose(losses[0], losses_cpu[0], rtol=1e-5)
    assert used["dev"] > used["cpu"]


def test_lecture05_attention_maps_follow_the_device():
    vocab = CharVocab("abcdefgh ")
    nb = definitions("05_transformers.ipynb", ["attention_maps"])

    def maps(device):
        torch.manual_seed(0)
        gpt = tfm.GPT(len(vocab), block_size=8, n_layer=2, n_head=2, d_model=16)
        with FakeDevice():
            gpt = gpt.to(device)
        out, used = on_device(nb["attention_maps"], gpt, vocab, "ab cd efgh")
        # the model as it was: in training mode, on the fused attention path
        assert gpt.training and all(blk.attn.fused for blk in gpt.blocks)
        return out, used

    (dev, used), (cpu, _) = maps(DEV), maps(CPU)
    assert all(type(m) is torch.Tensor and m.device == CPU for m in dev)  # for imshow
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(dev, cpu))
    assert [m.shape for m in dev] == [(2, 8, 8)] * 2
    assert used["dev_mm"] > 0 and used["cpu_mm"] == 0, used
