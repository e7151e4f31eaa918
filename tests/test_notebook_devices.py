"""The notebooks' own trainers follow the device ``setup()`` picks (issue 11).

No GPU here: each trainer that the notebooks define runs on tiny data on a fake device
(``tests/fake_device.py``) that refuses what CUDA refuses: CPU tensors mixed with device
tensors, ``.numpy()`` of a device tensor, a CPU generator drawing into a device tensor.
It must run there, do its matrix products there, and give the numbers it gives on the
CPU. The functions are taken from the notebooks' code cells with the notebook's imports
and nothing else of its globals, so the test follows the notebooks and fails when a
function reads a variable of the notebook instead of taking it as an argument.
"""

from __future__ import annotations

import ast
import builtins
import json
import pathlib
import symtable

import fake_device
import numpy as np
import pytest
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from fake_device import DEV, FakeDevice
from IPython.core.inputtransformer2 import TransformerManager

from helpers import decoding, pairs
from helpers import transformer as tfm
from helpers import translation_models as tm
from helpers.text import Vocab

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
CPU = torch.device("cpu")


def definitions(notebook: str, names: list[str]) -> dict:
    """The functions and classes ``names`` as ``notebook`` defines them, in a namespace
    that holds only what the notebook imports (every top-level import of its code
    cells): a function that reads one of the notebook's variables fails here."""
    nb = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))
    imports, found = [], {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        # IPython's syntax (%pip, !ls) as the kernel runs it
        tree = ast.parse(TransformerManager().transform_cell("".join(cell["source"])))
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imports.append(node)
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names:
                found[node.name] = node
    missing = sorted(set(names) - set(found))
    assert not missing, f"{notebook} no longer defines {missing}"
    body = imports + [found[n] for n in names]  # in the order given
    ns = {}
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


def variables_read(notebook: str) -> dict[str, list[str]]:
    """Each function and class the notebook defines -> the notebook's variables it reads
    (global names that are none of its imports, functions, classes or builtins)."""
    nb = json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))
    code = "\n".join(
        TransformerManager().transform_cell("".join(c["source"]))
        for c in nb["cells"]
        if c["cell_type"] == "code"
    )
    known = set(dir(builtins))
    for node in ast.parse(code).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            known.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            known |= {(a.asname or a.name).split(".")[0] for a in node.names}

    def reads(table) -> set[str]:
        names = {
            s.get_name()
            for s in table.get_symbols()
            if s.is_global() and s.is_referenced() and s.get_name() not in known
        }
        return names.union(*(reads(t) for t in table.get_children()))

    return {
        t.get_name(): sorted(reads(t))
        for t in symtable.symtable(code, notebook, "exec").get_children()
        if t.get_type() in ("function", "class") and t.get_name() in known
    }


# closures by design: numeric_grad perturbs the arrays in raw in place and calls this
READS_ON_PURPOSE = {"02_neural_networks.ipynb": {"plain_loss"}}


LECTURES = sorted(p.name for p in NOTEBOOKS.glob("0*.ipynb"))


@pytest.mark.parametrize("notebook", LECTURES)
def test_notebook_functions_take_what_they_use_as_arguments(notebook):
    reading = {
        name: names
        for name, names in variables_read(notebook).items()
        if names and name not in READS_ON_PURPOSE.get(notebook, ())
    }
    assert not reading, f"{notebook}: functions read the notebook's {reading}"


def test_lecture01_full_softmax_and_glove_follow_the_device():
    rng = np.random.default_rng(0)
    V, d = 30, 6
    centres, contexts = rng.integers(0, V, 400), rng.integers(0, V, 400)
    nb = definitions("01_word_vectors.ipynb", ["train_full_softmax", "train_glove"])

    def full_softmax(device):
        return nb["train_full_softmax"](
            centres, contexts, V, d, steps=5, device=device, batch=16
        )

    losses, used = on_device(full_softmax, DEV)
    assert same(losses, full_softmax(CPU))
    assert used["dev_mm"] >= 5 and used["cpu_mm"] == 0

    X = sp.random(V, V, density=0.3, random_state=0, format="csr")
    X.data = 10 * X.data + 0.5  # positive co-occurrence counts
    (E, hist), used = on_device(nb["train_glove"], X, DEV, dim=4, epochs=2, batch=32)
    E_cpu, hist_cpu = nb["train_glove"](X, CPU, dim=4, epochs=2, batch=32)
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
    nb = definitions(
        "02_neural_networks.ipynb",
        [
            "prf1",
            "embedding_table",
            "WindowClassifier",
            "fit",
            "test_prf1",
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
        ],
    )

    def data(device):
        """The splits on ``device``, and the frozen windows' features (as the notebook
        builds feats_tr)."""
        Xtr, ytr, Xva, yva, Xte, yte = to(
            device, Xw[:200], yw[:200], Xw[200:250], yw[200:250], Xw[250:], yw[250:]
        )
        with FakeDevice():
            feats = nb["embedding_table"](E_rand).to(device)[Xtr].flatten(1)
        return dict(
            device=device,
            Xtr=Xtr,
            ytr=ytr,
            Xva=Xva,
            yva=yva,
            Xte=Xte,
            yte=yte,
            feats=feats,
        )

    def fit_and_score(D):
        torch.manual_seed(0)
        model = nb["WindowClassifier"](E_rand, freeze=False)
        model = nb["fit"](model, D["Xtr"], D["ytr"], D["device"], epochs=1, B=64)
        return nb["test_prf1"](model, D["Xte"], D["yte"])

    Xf = torch.randn(30, 8, generator=torch.Generator().manual_seed(1))  # on the CPU
    calls = {
        "train_softmax, by hand": lambda D: nb["train_softmax"](
            D["feats"], D["ytr"], manual=True, epochs=1, B=64
        ),
        "train_softmax, autograd": lambda D: nb["train_softmax"](
            D["feats"], D["ytr"], manual=False, epochs=1, B=64
        ),
        "fit, test_prf1": fit_and_score,
        "cross_val_accuracy": lambda D: nb["cross_val_accuracy"](
            Xf, yw[:30], D["device"], folds=3, epochs=5
        ),
        # (epochs, train, validation losses), without the model
        "curves": lambda D: nb["curves"](
            E_rand,
            D["Xtr"][:100],
            D["ytr"][:100],
            D["Xva"],
            D["yva"],
            dropout=0.5,
            epochs=3,
        )[:3],
        "train_tiny": lambda D: nb["train_tiny"](
            D["feats"], D["ytr"], init="random", steps=3
        ),
        "activation_stds": lambda D: nb["activation_stds"](
            lambda i, o: 0.1, D["device"], depth=2, width=16
        ),
        "loss_curve": lambda D: nb["loss_curve"](
            nb["adam"], 0.01, D["feats"], D["ytr"], steps=25, B=16
        ),
    }
    for norm in ("none", "batch norm", "layer norm"):  # as the normalisation cell

        def step(D, norm=norm):
            torch.manual_seed(0)
            net = nb["deep_mlp"](norm, D["feats"].shape[1]).to(D["device"])
            j = torch.randint(0, 200, (16,), generator=torch.Generator().manual_seed(0))
            loss = F.cross_entropy(net(D["feats"][j.to(D["device"])]), D["ytr"][j])
            loss.backward()
            return loss.item()

        calls[f"deep_mlp, {norm}"] = step

    cpu, dev = data(CPU), data(DEV)
    for name, call in calls.items():
        out, used = on_device(call, dev)
        assert same(out, call(cpu)), name
        assert used["dev_mm"] > 0 and used["cpu_mm"] == 0, (name, used)


def test_lecture03_gradient_clipping_run_follows_the_device():
    tokens = np.random.default_rng(0).integers(0, 8, 16 * 64 * 4)
    run = definitions("03_language_models.ipynb", ["unstable_run"])["unstable_run"]
    (norms, losses), used = on_device(run, tokens, 8, DEV, clip=1.0, steps=3)
    norms_cpu, losses_cpu = run(tokens, 8, CPU, clip=1.0, steps=3)
    # nn.RNN takes another (generic) kernel off the CPU: the first step agrees to
    # rounding, and the exploding run then drifts apart, as it would on a GPU
    assert np.allclose(norms[0], norms_cpu[0], rtol=1e-5)
    assert np.allclose(losses[0], losses_cpu[0], rtol=1e-5)
    assert used["dev"] > used["cpu"]


def test_lecture05_attention_maps_follow_the_device():
    vocab = Vocab.of_chars("abcdefgh ")
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


def test_lecture04_05_translation_fit_and_decoders_follow_the_device():
    # lecture 04's experiment (and lecture 05's section 10) on a tiny number task
    task = pairs.number_task(n_train=100, n_val=10, n_test=6, seed=0)
    sv, tv = pairs.build_vocabs(task.train)
    sources = [s for s, _ in task.test]
    models = {
        "LSTM + attention": lambda: tm.Seq2Seq(
            len(sv), len(tv), emb=16, hidden=32, attention="dot"
        ),
        "Transformer": lambda: tm.TransformerTranslator(
            len(sv), len(tv), d_model=16, n_heads=2
        ),
    }

    def experiment(make, device):
        torch.manual_seed(0)
        model = make().to(device)
        batches = pairs.batches(task.train, sv, tv, 16, seed=0, device=device)
        hist = tm.fit_translator(model, batches, steps=3, every=1, warmup=2)
        b = pairs.make_batch(task.test, sv, tv, device=device)
        g_ids, g_score, _ = decoding.greedy(
            model, b.src, b.src_len, tv.bos_id, tv.eos_id
        )
        b_ids, b_score = decoding.beam_search(
            model, b.src, b.src_len, tv.bos_id, tv.eos_id, k=2
        )
        hyps = decoding.translate(model, sources, sv, tv, k=2)
        return hist.loss, g_ids, g_score.cpu(), b_ids, b_score.cpu(), hyps

    for name, make in models.items():
        out, used = on_device(experiment, make, DEV)
        want = experiment(make, CPU)
        # the LSTM and fused attention take other kernels off the CPU: equal to rounding
        assert np.allclose(out[0], want[0], rtol=1e-5), name
        assert out[1] == want[1] and out[3] == want[3] and out[5] == want[5], name
        assert torch.allclose(out[2], want[2], rtol=1e-4), name
        assert torch.allclose(out[4], want[4], rtol=1e-4), name
        assert used["dev_mm"] > 0 and used["cpu_mm"] == 0, (name, used)
