"""helpers.diagrams: every figure function draws, returns a Figure that renders to PNG
and leaves nothing open in pyplot; and the lectures' figure cells are numbered,
captioned and referenced as the book expects (cheap: no notebook is executed)."""

import io
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from helpers import diagrams  # noqa: E402

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


class TinyTranslator(torch.nn.Module):
    """The lecture-04 decoding interface (encode, step) with fixed log-probabilities
    that depend on the previous word only: enough for a beam to branch and finish."""

    def __init__(self, V=5, eos=1, seed=0):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.table = torch.nn.Parameter(torch.randn(V, V, generator=g))
        with torch.no_grad():
            self.table[:, eos] += 0.5

    def encode(self, src, src_len):
        return torch.zeros(1, src.shape[1], 2), src != 0, (torch.zeros(1, 2),)

    def step(self, y_prev, state, enc, mask):
        return torch.log_softmax(self.table[y_prev], -1), state, None


FIGURES = {
    "skipgram_window": lambda: diagrams.skipgram_window("a b c d e f".split(), 2, 2),
    "sgns_pairs": lambda: diagrams.sgns_pairs(
        "c", ["b", "d"], [["x", "y"], ["z", "w"]]
    ),
    "computation_graph": lambda: diagrams.computation_graph(
        {"x": (1, 2, "x"), "m": (4, 2, "*"), "y": (7, 2, "y")},
        [("x", "m", "2.0", "3.0"), ("m", "y", "6.0", "1.0")],
    ),
    "backprop_graph": lambda: diagrams.backprop_graph(
        dict(x=1.0, y=2.0, z=0.0, a=3.0, b=2.0, f=6.0),
        dict(x=2.0, y=5.0, z=0.0, a=2.0, b=3.0),
    ),
    "rnn_unrolled": lambda: diagrams.rnn_unrolled(list("the cat")),
    "lstm_cell": diagrams.lstm_cell,
    "truncated_bptt": lambda: diagrams.truncated_bptt([["ab c", "de\nf"]] * 3),
    "seq2seq_unrolled": lambda: diagrams.seq2seq_unrolled(["a", "b"], ["x", "y", "z"]),
    "attention_step": lambda: diagrams.attention_step(
        ["a", "b", "c"], ["x", "y"], torch.softmax(torch.randn(3, 3), -1), 1
    ),
    "beam_tree": lambda: diagrams.beam_tree(
        *diagrams.record_beam(TinyTranslator(), [2, 3], bos=0, eos=1, k=3),
        words=["<bos>", "<eos>", "a", "b", "c"],
    ),
    "rnn_vs_attention": lambda: diagrams.rnn_vs_attention("a b c d".split()),
    "masks": lambda: diagrams.masks(
        torch.tril(torch.ones(4, 4, dtype=torch.bool)),
        np.array([[0, 0, 1], [0, 0, 0]], dtype=bool),
    ),
    "multihead_reshape": lambda: diagrams.multihead_reshape(2, 6, 16, 4),
    "transformer_block": diagrams.transformer_block,
    "transformer_encoder_decoder": lambda: diagrams.transformer_encoder_decoder(
        ["a", "b"], ["x"], 2, 2
    ),
    "kv_cache": lambda: diagrams.kv_cache(list("the cat")),
    "gpt_stack": lambda: diagrams.gpt_stack(2, 4, 32, 16, 28),
    "scaled_dot_product": lambda: diagrams.scaled_dot_product(6, 4),
}


def test_every_public_figure_function_is_tested():
    public = {
        name
        for name, f in vars(diagrams).items()
        if callable(f)
        and not name.startswith("_")
        and getattr(f, "__module__", "") == diagrams.__name__
        and not isinstance(f, type)
    }
    blocks = {"canvas", "box", "arrow", "label", "group", "grid", "record_beam"}
    blocks |= {"beam_words"}
    assert public - blocks == set(FIGURES)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_draws_and_closes(name):
    before = plt.get_fignums()
    fig = FIGURES[name]()
    assert isinstance(fig, Figure) and fig.axes
    image = Image.open(io.BytesIO(fig._repr_png_()))
    assert image.mode == "RGBA" and image.size[0] > 200
    assert image.getpixel((0, 0))[3] == 0  # transparent background
    assert plt.get_fignums() == before  # nothing left open in pyplot


def test_building_blocks():
    fig, ax = diagrams.canvas(4, 2)
    assert isinstance(fig, Figure) and ax.get_xlim() == (0, 4)
    patch = diagrams.box(ax, 1, 1, "x", color="purple")
    diagrams.arrow(ax, (1.8, 1), (3, 1), "label")
    diagrams.group(ax, 0.1, 0.1, 3.9, 1.9, "a layer")
    diagrams.grid(ax, 2, 0.2, 2, 3, cell=0.2, color=[["blue"] * 3, ["grey"] * 3])
    assert patch.get_facecolor()[:3] == matplotlib.colors.to_rgb(
        diagrams.COLORS["purple"]
    )
    assert fig.patch.get_alpha() == 0.0


def test_record_beam_keeps_k_and_finds_the_best_finished_hypothesis():
    steps, best = diagrams.record_beam(TinyTranslator(), [2, 3], 0, 1, k=3, pruned=2)
    assert all(sum(kept for *_, kept in s) == 3 for s in steps)
    assert all(len(s) == 5 for s in steps[1:])  # k kept + 2 pruned
    # kept hypotheses come first, best first; every parent is a kept index
    for prev, s in zip(steps, steps[1:]):
        scores = [sc for _, _, sc, kept in s if kept]
        assert scores == sorted(scores, reverse=True)
        assert all(p < 3 for p, *_ in s)
    assert 0 <= best < 3
    words = diagrams.beam_words(steps, best, eos=1)
    assert 1 not in words and len(words) <= len(steps)


# ----------------------------------------------------------------- the lectures' cells


def figure_cells(path):
    nb = json.loads(path.read_text())
    return nb, [
        (i, c)
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "code" and "figure" in c["metadata"].get("mystnb", {})
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_figures_numbered_captioned_and_referenced(path):
    lecture = int(path.name[:2])
    nb, cells = figure_cells(path)
    for k, (i, cell) in enumerate(cells, start=1):
        number = f"{lecture}.{k}"
        fig = cell["metadata"]["mystnb"]["figure"]
        assert fig["name"] == f"fig-{lecture}-{k}", fig
        assert fig["caption"].startswith(f"Figure {number}: "), fig["caption"]
        assert "remove-input" in cell["metadata"].get("tags", [])
        assert not cell["outputs"]
        # Colab shows the code: its first comment lines are the caption
        source = "".join(cell["source"])
        head = []
        for line in source.splitlines():
            if not line.startswith("# "):
                break
            head.append(line[2:])
        comment = " ".join(head)
        assert comment == fig["caption"], (comment, fig["caption"])
        assert "diagrams." in source
        # the text refers to it, before the figure or just after it
        text = "".join(
            "".join(c["source"])
            for c in nb["cells"][: i + 3]
            if c["cell_type"] == "markdown"
        )
        assert re.search(rf"Figure {re.escape(number)}\b", text), (
            f"no Markdown refers to Figure {number}"
        )
