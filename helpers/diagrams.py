"""Block diagrams drawn from code (matplotlib only): the book's figures.

Every figure is executed like any other cell output, so it can show the real thing: the
notebook's own sentence, its tensor sizes, the trained model's attention weights, the
beam of a real search.

Legible in light and dark mode: the figure background is transparent, lines and free
text are mid-grey (readable on white and on the theme's dark background), and boxes
are opaque light fills with dark text inside. Each figure function builds a
``matplotlib.figure.Figure`` without pyplot, so nothing stays open in pyplot's state;
as a cell's last expression Jupyter shows it once.

The building blocks: ``canvas`` (a figure in plain units), ``box``, ``arrow``,
``label``, ``group`` (a dashed frame around a layer) and ``grid`` (a tensor as cells).
"""

from __future__ import annotations

import io
import math
from typing import Sequence

import numpy as np
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle

LINE = "#8c8c8c"  # lines and free text: mid-grey reads on white and on dark grey
INK = "#1e1e1e"  # text inside the (opaque, light) boxes
COLORS = {
    "blue": "#a6cee3",  # inputs, embeddings, encoder
    "orange": "#fdbf6f",  # hidden states
    "purple": "#cab2d6",  # attention
    "green": "#b2df8a",  # feed-forward, outputs
    "yellow": "#ffe58f",  # normalisation
    "red": "#fb9a99",  # losses, masked, pruned
    "grey": "#d0d0d0",  # padding, cached, inactive
    "white": "#f4f4f4",
}
HIGHLIGHT = "#e6550d"  # a path or an edge to look at (orange-red reads on both)


class Diagram(Figure):
    """A matplotlib Figure that shows itself as a PNG wherever IPython displays it
    (Jupyter, Colab, nbval), whatever the matplotlib backend: a figure function's
    result is the cell's output, once."""

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.savefig(buf, format="png", bbox_inches="tight", pad_inches=0.05)
        return buf.getvalue()


def _fill(color: str) -> str:
    return COLORS.get(color, color)


# --------------------------------------------------------------------- building blocks


def canvas(width: float, height: float, unit: float = 0.5) -> tuple[Figure, object]:
    """A figure of ``width`` x ``height`` units (``unit`` inches each) and an axes that
    spans it with data coordinates 0..width, 0..height; transparent, no axis."""
    fig = Diagram(figsize=(width * unit, height * unit), dpi=120)
    fig.patch.set_alpha(0.0)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.patch.set_alpha(0.0)
    return fig, ax


def box(
    ax,
    x: float,
    y: float,
    text: str = "",
    w: float = 1.6,
    h: float = 0.7,
    color: str = "blue",
    fontsize: float = 9,
    edge: str = LINE,
    alpha: float = 1.0,
    lw: float = 1.0,
    ls: str = "-",
    round: float = 0.08,
):
    """A rounded box centred at (x, y) with ``text`` in it; returns the patch."""
    patch = FancyBboxPatch(
        (x - w / 2, y - h / 2),
        w,
        h,
        boxstyle=f"round,pad=0,rounding_size={round}",
        facecolor=_fill(color),
        edgecolor=edge,
        lw=lw,
        ls=ls,
        alpha=alpha,
        zorder=2,
    )
    ax.add_patch(patch)
    if text:
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=fontsize,
            color=INK,
            alpha=max(alpha, 0.6),
            zorder=3,
        )
    return patch


def arrow(
    ax,
    start: tuple[float, float],
    end: tuple[float, float],
    text: str = "",
    color: str = LINE,
    lw: float = 1.2,
    rad: float = 0.0,
    style: str = "-|>",
    ls: str = "-",
    fontsize: float = 8,
    offset: tuple[float, float] = (0.0, 0.0),
    shrink: float = 0.0,
):
    """An arrow from ``start`` to ``end`` (``rad`` bends it), with ``text`` at its
    middle (moved by ``offset``)."""
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops=dict(
            arrowstyle=style,
            color=color,
            lw=lw,
            ls=ls,
            shrinkA=shrink,
            shrinkB=shrink,
            connectionstyle=f"arc3,rad={rad}",
            mutation_scale=10,
        ),
        zorder=1,
    )
    if text:
        mx = (start[0] + end[0]) / 2 + offset[0]
        my = (start[1] + end[1]) / 2 + offset[1]
        label(ax, mx, my, text, fontsize=fontsize, color=color)


def label(ax, x: float, y: float, text: str, fontsize: float = 9, color=LINE, **kw):
    """Free text (mid-grey by default) centred at (x, y)."""
    kw.setdefault("ha", "center")
    kw.setdefault("va", "center")
    return ax.text(x, y, text, fontsize=fontsize, color=color, zorder=4, **kw)


def group(ax, x0: float, y0: float, x1: float, y1: float, text: str = "", where="top"):
    """A dashed frame around a group of boxes (a layer, a block repeated N times)."""
    ax.add_patch(
        FancyBboxPatch(
            (x0, y0),
            x1 - x0,
            y1 - y0,
            boxstyle="round,pad=0,rounding_size=0.15",
            facecolor="none",
            edgecolor=LINE,
            lw=1.0,
            ls=(0, (4, 3)),
            zorder=0,
        )
    )
    if text:
        if where == "top":
            label(ax, (x0 + x1) / 2, y1 + 0.25, text, fontsize=8.5)
        elif where == "left":
            label(ax, x0 - 0.15, (y0 + y1) / 2, text, fontsize=8.5, ha="right")
        else:
            label(ax, x1 + 0.15, (y0 + y1) / 2, text, fontsize=8.5, ha="left")


def grid(
    ax,
    x: float,
    y: float,
    rows: int,
    cols: int,
    cell: float = 0.3,
    color="blue",
    texts=None,
    fontsize: float = 7,
    lw: float = 0.6,
):
    """A tensor drawn as a rows x cols grid of cells, lower-left corner at (x, y).
    ``color`` is one colour or a rows x cols array of colour names; ``texts`` an
    optional rows x cols array of strings. Row 0 is drawn at the top."""
    cells, fills = [], []
    for r in range(rows):
        for c in range(cols):
            cells.append(
                Rectangle((x + c * cell, y + (rows - 1 - r) * cell), cell, cell)
            )
            fills.append(_fill(color if isinstance(color, str) else color[r][c]))
            if texts is not None and texts[r][c]:
                ax.text(
                    x + (c + 0.5) * cell,
                    y + (rows - 0.5 - r) * cell,
                    texts[r][c],
                    ha="center",
                    va="center",
                    fontsize=fontsize,
                    color=INK,
                    zorder=3,
                )
    # one artist for all the cells: cheap to draw however many there are
    ax.add_collection(
        PatchCollection(cells, facecolors=fills, edgecolors=LINE, lw=lw, zorder=2)
    )


def _np(a) -> np.ndarray:
    """A tensor or array-like as a NumPy array (on the CPU, without grad)."""
    if hasattr(a, "detach"):
        a = a.detach().cpu().numpy()
    return np.asarray(a)


# --------------------------------------------------------------------- lecture 01


def skipgram_window(tokens: Sequence[str], centre: int, window: int = 2) -> Figure:
    """Skip-gram: a sentence, its centre word w_t and the context words within
    ``window`` positions, each predicted from the centre: P(w_{t+j} | w_t)."""
    n = len(tokens)
    step = 1.75
    fig, ax = canvas(n * step + 0.6, 3.4)
    xc = 0.3 + step * (centre + 0.5)
    for i, tok in enumerate(tokens):
        x = 0.3 + step * (i + 0.5)
        j = i - centre
        if j == 0:
            box(ax, x, 1.2, tok, w=1.55, color="orange")
            label(ax, x, 0.5, "$w_t$ (centre)", fontsize=8.5)
        elif abs(j) <= window:
            box(ax, x, 1.2, tok, w=1.55, color="blue")
            label(ax, x, 0.5, f"$w_{{t{j:+d}}}$", fontsize=8.5)
            arrow(ax, (xc + 0.1 * j, 1.6), (x, 1.6), rad=-0.4 if j > 0 else 0.4)
        else:
            box(ax, x, 1.2, tok, w=1.55, color="white", alpha=0.55)
            label(ax, x, 0.5, "outside", fontsize=8)
    label(
        ax,
        (n * step + 0.6) / 2,
        3.1,
        f"window m = {window}: skip-gram predicts each context word from "
        "the centre, $P(w_{t+j} \\mid w_t)$",
        fontsize=8.5,
    )
    return fig


def sgns_pairs(
    centre: str, contexts: Sequence[str], negatives: Sequence[Sequence[str]]
) -> Figure:
    """Skip-gram with negative sampling: each (centre, context) pair is a positive
    example (label 1: raise sigma(u_o . v_c)); each comes with K words drawn from the
    noise distribution P_n(w), proportional to count(w)^(3/4), as negatives (label 0:
    raise sigma(-u_k . v_c))."""
    rows = len(contexts)
    K = max((len(n) for n in negatives), default=0)
    height = 2.2 + 0.75 * rows
    fig, ax = canvas(5.0 + 1.75 * K + 0.3, height)
    ytop = height - 1.2
    ymid = ytop - 0.75 * (rows - 1) / 2
    box(ax, 1.0, ymid, centre, w=1.6, color="orange")
    label(ax, 1.0, ymid - 0.65, "centre $c$", fontsize=8)
    label(ax, 3.2, ytop + 0.75, "positive\n(label 1)", fontsize=8)
    if K:
        label(
            ax,
            5.0 + 1.75 * (K - 1) / 2,
            ytop + 0.75,
            f"{K} negatives drawn from "
            "$P_n(w) \\propto \\mathrm{count}(w)^{3/4}$\n(label 0)",
            fontsize=8,
        )
    for r, o in enumerate(contexts):
        y = ytop - 0.75 * r
        arrow(ax, (1.8, ymid), (2.4, y), shrink=1)
        box(ax, 3.2, y, o, w=1.6, color="blue")
        for k, neg in enumerate(negatives[r] if r < len(negatives) else []):
            box(ax, 5.0 + 1.75 * k, y, neg, w=1.6, color="grey")
    label(
        ax,
        (5.0 + 1.75 * K + 0.3) / 2,
        0.35,
        r"$J_{\mathrm{neg}}(o, c) = -\log\sigma(u_o^\top v_c) "
        r"- \sum_{k=1}^{K}\log\sigma(-u_k^\top v_c)$  for each row",
        fontsize=9,
    )
    return fig


# --------------------------------------------------------------------- lecture 02


def computation_graph(
    nodes: dict[str, tuple],
    edges: Sequence[tuple[str, str, str, str]],
    width: float = 12.0,
    height: float = 5.0,
    note: str = "",
) -> Figure:
    """A computation graph: ``nodes`` maps a name to (x, y, text) or (x, y, text,
    "op") for an operation (a round purple node); ``edges`` are (from, to, forward
    value, backward gradient): the forward value is written above the edge (grey), the
    gradient flowing back along it below (orange)."""
    fig, ax = canvas(width, height)
    half = {}
    for name, (x, y, text, *kind) in nodes.items():
        op = bool(kind) and kind[0] == "op"
        w = 1.0 if op else 1.5
        half[name] = w / 2
        box(
            ax,
            x,
            y,
            text,
            w=w,
            h=0.7,
            color="purple" if op else "blue",
            round=0.3 if op else 0.08,
        )
    for a, b, fwd, grad in edges:
        (xa, ya, *_), (xb, yb, *_) = nodes[a], nodes[b]
        start, end = (xa + half[a], ya), (xb - half[b], yb)
        arrow(ax, start, end)
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        # the two labels on either side of the edge, along its normal
        dx, dy = end[0] - start[0], end[1] - start[1]
        norm = math.hypot(dx, dy)
        nx, ny = -dy / norm, dx / norm
        if ny < 0:
            nx, ny = -nx, -ny
        off = 0.3 / max(ny, 0.6)
        label(ax, mx + nx * off, my + ny * off, fwd, fontsize=8.5)
        label(ax, mx - nx * off, my - ny * off, grad, fontsize=8.5, color=HIGHLIGHT)
    label(
        ax,
        0.2,
        height - 0.8,
        "grey: the value going forward",
        fontsize=8,
        ha="left",
    )
    label(
        ax,
        width - 0.2,
        height - 0.8,
        "orange: the gradient flowing back along the edge",
        fontsize=8,
        ha="right",
        color=HIGHLIGHT,
    )
    if note:
        label(ax, width / 2, height - 0.3, note, fontsize=8.5)
    return fig


def backprop_graph(values: dict, grads: dict) -> Figure:
    """Lecture 02's example f = (x + y) max(y, z), with a = x + y and b = max(y, z):
    ``values`` holds x, y, z, a, b, f from the forward pass, ``grads`` the gradients
    df/dx, df/dy, df/dz, df/da, df/db from the backward pass. Each edge shows the value
    going forward and the gradient coming back; y's two edges carry two shares that
    add up to df/dy."""
    v, g = values, grads
    y_wins = v["y"] > v["z"]
    nodes = {
        "x": (1.2, 4.8, f"x = {v['x']:g}"),
        "y": (1.2, 2.8, f"y = {v['y']:g}"),
        "z": (1.2, 0.8, f"z = {v['z']:g}"),
        "+": (5.0, 4.3, "+", "op"),
        "max": (5.0, 1.3, "max", "op"),
        "*": (8.2, 2.8, "\u00d7", "op"),
        "f": (10.9, 2.8, f"f = {v['f']:g}"),
    }
    edges = [
        ("x", "+", f"{v['x']:g}", f"{g['a']:g}"),
        ("y", "+", f"{v['y']:g}", f"{g['a']:g}"),
        ("y", "max", f"{v['y']:g}", f"{g['b'] * y_wins:g}"),
        ("z", "max", f"{v['z']:g}", f"{g['b'] * (not y_wins):g}"),
        ("+", "*", f"a = {v['a']:g}", f"df/da = {g['a']:g}"),
        ("max", "*", f"b = {v['b']:g}", f"df/db = {g['b']:g}"),
        ("*", "f", f"{v['f']:g}", "1"),
    ]
    note = (
        f"df/dx = {g['x']:g};  df/dy = {g['a']:g} + {g['b'] * y_wins:g} = "
        f"{g['y']:g} (y feeds two nodes: the shares add);  df/dz = {g['z']:g}"
    )
    return computation_graph(nodes, edges, width=12.0, height=6.4, note=note)


# --------------------------------------------------------------------- lecture 03


def _show(token: str) -> str:
    """A token as drawn: a space as an open box, a newline as a return sign."""
    return {" ": "\u2423", "\n": "\u21b5"}.get(token, token)


def rnn_unrolled(tokens: Sequence[str]) -> Figure:
    """An RNN language model unrolled over a text, with teacher forcing: the same
    E, W_e, W_h and U at every step, the hidden state h carried from step to step, and
    at each step a prediction of the next token (its target: the true next token)."""
    n = len(tokens) - 1
    step = 2.0
    fig, ax = canvas(n * step + 3.4, 5.2)
    label(ax, 0.5, 2.6, "$h^{(0)}$", fontsize=9)
    prev = (0.85, 2.6)
    for t in range(n):
        x = 1.6 + step * t + 0.5
        box(ax, x, 0.6, _show(tokens[t]), w=1.0, color="blue")
        box(ax, x, 2.6, f"$h^{{({t + 1})}}$", w=1.2, color="orange")
        box(
            ax,
            x,
            4.4,
            f"$\\hat y^{{({t + 1})}}$ | {_show(tokens[t + 1])}",
            w=1.7,
            color="green",
        )
        arrow(ax, (x, 0.95), (x, 2.25), "$E$, $W_e$", offset=(0.45, 0), fontsize=7.5)
        arrow(ax, (x, 2.95), (x, 4.05), "$U$", offset=(0.25, 0))
        arrow(ax, prev, (x - 0.6, 2.6), "$W_h$", offset=(0, 0.25), color=HIGHLIGHT)
        prev = (x + 0.6, 2.6)
    label(
        ax,
        n * step + 2.3,
        2.6,
        "the same\n$E$, $W_e$, $W_h$, $U$\nat every step",
        fontsize=8,
    )
    label(ax, n * step + 2.3, 4.4, "prediction |\ntarget", fontsize=8)
    return fig


def lstm_cell() -> Figure:
    """The LSTM cell: forget, input and output gates (sigmoids) and the candidate
    (tanh) computed from [h_{t-1}; x_t]; the cell state c runs along the top, changed
    only by an elementwise product and a sum."""
    fig, ax = canvas(12.0, 6.4)
    # the cell state highway
    arrow(ax, (0.4, 5.2), (11.6, 5.2), lw=2.2, color=HIGHLIGHT)
    label(ax, 0.4, 5.55, "$c^{(t-1)}$", ha="left")
    label(ax, 11.6, 5.55, "$c^{(t)}$", ha="right")
    box(ax, 2.6, 5.2, r"$\odot$", w=0.6, h=0.6, color="white", round=0.3)
    box(ax, 6.0, 5.2, "+", w=0.6, h=0.6, color="white", round=0.3)
    # the input
    arrow(ax, (0.4, 0.6), (9.6, 0.6), lw=1.4)
    label(ax, 0.4, 0.25, "$[h^{(t-1)}; x^{(t)}]$", ha="left")
    gates = [
        (2.6, "$f^{(t)} = \\sigma(\\cdot)$", "forget", "red"),
        (4.75, "$i^{(t)} = \\sigma(\\cdot)$", "input", "purple"),
        (7.0, r"$\tilde c^{(t)} = \tanh(\cdot)$", "candidate", "blue"),
        (9.6, "$o^{(t)} = \\sigma(\\cdot)$", "output", "green"),
    ]
    for x, text, name, color in gates:
        arrow(ax, (x, 0.6), (x, 1.75))
        box(ax, x, 2.1, text, w=1.9, color=color, fontsize=8.5)
        label(ax, x, 1.35, name, fontsize=8, ha="left", va="center").set_x(x + 0.12)
    arrow(ax, (2.6, 2.45), (2.6, 4.9))
    box(ax, 6.0, 3.7, r"$\odot$", w=0.6, h=0.6, color="white", round=0.3)
    arrow(ax, (4.75, 2.45), (5.7, 3.6), rad=-0.2)
    arrow(ax, (7.0, 2.45), (6.3, 3.6), rad=0.2)
    arrow(ax, (6.0, 4.0), (6.0, 4.9))
    # output: h_t = o_t * tanh(c_t)
    box(ax, 9.6, 4.0, r"$\tanh$", w=0.9, h=0.55, color="white", round=0.2)
    arrow(ax, (9.6, 5.2), (9.6, 4.3))
    box(ax, 9.6, 3.15, r"$\odot$", w=0.6, h=0.6, color="white", round=0.3)
    arrow(ax, (9.6, 3.75), (9.6, 3.45))
    arrow(ax, (9.6, 2.45), (9.6, 2.85))
    arrow(ax, (9.9, 3.15), (11.6, 3.15))
    label(ax, 11.6, 3.45, "$h^{(t)}$", ha="right")
    label(
        ax,
        6.0,
        6.05,
        "$c^{(t)} = f^{(t)} \\odot c^{(t-1)} + i^{(t)} \\odot \\tilde c^{(t)}$,   "
        "$h^{(t)} = o^{(t)} \\odot \\tanh c^{(t)}$",
        fontsize=9,
    )
    return fig


def truncated_bptt(chunks: Sequence[Sequence[str]]) -> Figure:
    """Truncated backpropagation through time with batches: ``chunks[b][c]`` is the
    text of chunk c of stream b (each stream a contiguous piece of the training text).
    A training step reads chunk c of every stream; the final hidden state of each
    stream is carried into its next chunk, detached: its value flows on, its gradient
    stops at the chunk's start."""
    B, C = len(chunks), len(chunks[0])
    col = 3.6
    fig, ax = canvas(1.8 + C * col + 0.6, 1.1 + 0.8 * (B - 1) + 1.0)
    for b in range(B):
        y = 1.1 + 0.8 * (B - 1 - b)
        label(ax, 1.6, y, f"stream {b}", fontsize=8, ha="right")
        for c in range(C):
            x = 1.8 + c * col + col / 2 - 0.3
            text = "".join(_show(ch) for ch in chunks[b][c])
            text = text if len(text) <= 16 else text[:15] + "\u2026"
            box(ax, x, y, text, w=col - 0.9, h=0.52, color="blue", fontsize=7.5)
            if c:
                arrow(
                    ax,
                    (x - col + (col - 0.9) / 2, y),
                    (x - (col - 0.9) / 2, y),
                    color=HIGHLIGHT,
                    lw=1.4,
                )
    for c in range(C):
        x = 1.8 + c * col + col / 2 - 0.3
        label(ax, x, 1.1 + 0.8 * (B - 1) + 0.6, f"training step {c + 1}", fontsize=8)
    label(
        ax,
        0.2,
        0.35,
        "orange: the hidden state carried into the next chunk, detached "
        "(no gradient flows back through it)",
        fontsize=8,
        color=HIGHLIGHT,
        ha="left",
    )
    return fig


# --------------------------------------------------------------------- lecture 04


def seq2seq_unrolled(src: Sequence[str], tgt: Sequence[str]) -> Figure:
    """The encoder-decoder unrolled: a (bidirectional) LSTM encoder reads the source,
    its final state starts the decoder, which reads <bos> y_1 .. and predicts
    y_1 .. <eos>. Without attention, that one state is all the decoder learns of the
    source: the bottleneck."""
    S, T = len(src), len(tgt) + 1
    step = 1.55
    width = 1.0 + step * (S + T) + 1.4
    fig, ax = canvas(width, 5.6)
    xs = [0.9 + step * i for i in range(S)]
    for i, tok in enumerate(src):
        box(ax, xs[i], 0.7, tok, w=1.4, color="blue")
        box(ax, xs[i], 2.3, f"$h_{{{i + 1}}}$", w=1.0, color="blue")
        arrow(ax, (xs[i], 1.05), (xs[i], 1.95))
        if i:
            arrow(ax, (xs[i - 1] + 0.5, 2.4), (xs[i] - 0.5, 2.4), style="-|>")
            arrow(ax, (xs[i] - 0.5, 2.2), (xs[i - 1] + 0.5, 2.2), style="-|>")
    group(
        ax,
        xs[0] - 0.85,
        0.2,
        xs[-1] + 0.85,
        2.9,
        "encoder (bidirectional LSTM)",
        where="top",
    )
    xb = xs[-1] + step * 1.0 + 0.2
    box(ax, xb, 2.3, "final\nstate", w=1.1, h=0.9, color="red", fontsize=8)
    arrow(ax, (xs[-1] + 0.5, 2.3), (xb - 0.55, 2.3), color=HIGHLIGHT, lw=1.8)
    label(ax, xb, 3.3, "the bottleneck", fontsize=8.5, color=HIGHLIGHT)
    ins = ["<bos>", *tgt]
    outs = [*tgt, "<eos>"]
    xd = [xb + step * (t + 1) for t in range(T)]
    for t in range(T):
        box(ax, xd[t], 0.7, ins[t], w=1.4, color="green")
        box(ax, xd[t], 2.3, f"$s_{{{t + 1}}}$", w=1.0, color="orange")
        box(ax, xd[t], 4.3, outs[t], w=1.4, color="green")
        arrow(ax, (xd[t], 1.05), (xd[t], 1.95))
        arrow(ax, (xd[t], 2.65), (xd[t], 3.95))
        prev = (xb + 0.55, 2.3) if t == 0 else (xd[t - 1] + 0.5, 2.3)
        arrow(ax, prev, (xd[t] - 0.5, 2.3), color=HIGHLIGHT if t == 0 else LINE)
        if t + 1 < T:
            arrow(ax, (xd[t] + 0.7, 4.2), (xd[t + 1] - 0.2, 1.05), ls=":", lw=0.9)
    group(
        ax,
        xd[0] - 0.85,
        0.2,
        xd[-1] + 0.85,
        4.75,
        "decoder (LSTM): $P(y_t \\mid y_{<t}, x)$",
        where="top",
    )
    return fig


def attention_step(src: Sequence[str], out: Sequence[str], weights, t: int) -> Figure:
    """One decoder step with attention, with a trained model's weights: the decoder
    state s_t scores every encoder state h_i (e_{t,i} = s_t . h_i), the softmax turns
    the scores into weights alpha_{t,i} (drawn as bars, values printed), the context
    a_t is their weighted sum, and [s_t; a_t] predicts the next word."""
    alpha = _np(weights)[t, : len(src)]
    S = len(src)
    step = 1.5
    width = 2.0 + step * S + 6.0
    fig, ax = canvas(width, 7.4)
    xs = [2.0 + step * (i + 0.5) for i in range(S)]
    xc = xs[-1] + 2.3
    for i, tok in enumerate(src):
        box(ax, xs[i], 0.5, tok, w=1.35, color="blue", fontsize=8.5)
        box(ax, xs[i], 1.6, f"$h_{{{i + 1}}}$", w=1.0, color="blue")
        arrow(ax, (xs[i], 0.85), (xs[i], 1.25))
        # the weight as a bar, and the state's share of the context
        hbar = 1.6 * float(alpha[i])
        ax.add_patch(
            Rectangle(
                (xs[i] - 0.3, 2.4),
                0.6,
                max(hbar, 0.02),
                facecolor=COLORS["purple"],
                edgecolor=LINE,
                lw=0.8,
            )
        )
        label(ax, xs[i], 2.4 + hbar + 0.2, f"{alpha[i]:.2f}", fontsize=7.5)
        ax.plot(
            [xs[i], xc - 0.6],
            [2.4 + hbar + 0.42, 4.85],
            color=HIGHLIGHT,
            lw=0.3 + 3.0 * float(alpha[i]),
            zorder=1,
        )
    label(ax, xs[0] - 0.6, 2.9, r"$\alpha_{t,i}$", fontsize=9, ha="right")
    box(
        ax,
        xc,
        5.2,
        r"$a_t = \sum_i \alpha_{t,i} h_i$",
        w=2.4,
        color="purple",
        fontsize=8.5,
    )
    box(ax, xc + 2.6, 2.3, f"$s_{{{t + 1}}}$", w=1.0, color="orange")
    label(
        ax,
        xc + 2.6,
        1.5,
        f"decoder, after\nreading '{(['<bos>', *out])[t]}'",
        fontsize=7.5,
    )
    arrow(
        ax,
        (xc + 2.1, 2.3),
        (xs[-1] + 0.6, 1.7),
        "scores $e_{t,i} = s_t^\\top h_i$, softmax",
        rad=0.15,
        offset=(0.2, 0.45),
        fontsize=8,
    )
    box(ax, xc + 1.3, 6.5, "$[s_t; a_t]$", w=1.5, color="white")
    arrow(ax, (xc, 5.55), (xc + 1.0, 6.15))
    arrow(ax, (xc + 2.6, 2.65), (xc + 1.6, 6.15))
    nxt = out[t] if t < len(out) else "<eos>"
    box(ax, xc + 3.4, 6.5, nxt, w=1.4, color="green")
    arrow(ax, (xc + 2.05, 6.5), (xc + 2.7, 6.5))
    label(ax, xc + 3.4, 7.1, "next word", fontsize=7.5)
    return fig


def record_beam(
    model, src_ids, bos: int, eos: int, k: int = 5, max_len: int = 40, pruned: int = 2
):
    """Re-run a beam search on one sentence step by step with ``model.encode`` and
    ``model.step`` (the lecture-04 interface) and record the tree for ``beam_tree``:
    a list of steps, each a list of (parent index, word id, score, kept) for the
    ``k`` kept hypotheses and the ``pruned`` best extensions that were dropped.
    Frozen (finished) hypotheses carry on with <eos> at no cost, as in the lecture.
    Returns (steps, best), best the index in the last step of the hypothesis with the
    best score / length."""
    import torch

    dev = next(model.parameters()).device
    with torch.no_grad():
        src = torch.as_tensor([list(src_ids)], device=dev)
        enc, mask, state = model.encode(src, torch.tensor([src.shape[1]]))
        beam = [(0.0, [bos], state, False)]
        steps = []
        for _ in range(max_len):
            cands = []
            for b, (score, words, st, done) in enumerate(beam):
                if done:
                    cands.append((score, words + [eos], st, True, b))
                    continue
                y = torch.tensor([words[-1]], device=dev)
                logp, new, _ = model.step(y, st, enc, mask)
                for w in range(logp.shape[1]):
                    s = score + logp[0, w].item()
                    cands.append((s, words + [w], new, w == eos, b))
            cands.sort(key=lambda c: -c[0])
            kept, dropped = cands[:k], cands[k : k + pruned]
            steps.append(
                [(c[4], c[1][-1], c[0], True) for c in kept]
                + [(c[4], c[1][-1], c[0], False) for c in dropped]
            )
            beam = [c[:4] for c in kept]
            if all(c[3] for c in beam):
                break

    def length(words):
        return (words.index(eos) if eos in words else len(words) - 1) + (eos in words)

    best = max(range(len(beam)), key=lambda i: beam[i][0] / length(beam[i][1]))
    return steps, best


def beam_words(steps, best: int, eos: int) -> list[int]:
    """The word ids of the hypothesis ``best`` of a ``record_beam`` tree, without
    <eos>: the translation the beam search returns."""
    out, row = [], best
    for c in range(len(steps) - 1, -1, -1):
        parent, w, _, _ = steps[c][row]
        out.append(w)
        row = parent
    out = out[::-1]
    return out[: out.index(eos)] if eos in out else out


def beam_tree(
    steps, best: int, words: Sequence[str], eos: str = "<eos>", title: str = ""
) -> Figure:
    """A beam search's tree as recorded by ``record_beam``: one column per step, the
    kept hypotheses as boxes (word and summed log-probability), the best dropped
    extensions faded and crossed out, finished hypotheses in grey, and the chosen
    translation's path in orange. ``words`` maps ids to strings."""
    # draw up to the step where the chosen hypothesis finished: after it, the search
    # only waits for the other kept hypotheses to finish too
    path, row = {}, best
    for c in range(len(steps) - 1, -1, -1):
        path[c] = row
        row = steps[c][row][0]
    total = len(steps)
    ends = [c for c in range(total) if words[steps[c][path[c]][1]] == eos]
    steps = steps[: (ends[0] + 1 if ends else total)]
    k = sum(1 for *_, kept in steps[0] if kept)
    n_rows = max(len(s) for s in steps)
    col_w, row_h = 1.95, 0.78
    fig, ax = canvas(1.6 + col_w * len(steps) + 0.4, 1.9 + row_h * n_rows)
    ytop = 1.0 + row_h * n_rows

    def y(row):
        return ytop - 0.3 - row_h * (row + 0.5)

    box(ax, 0.8, y(0), "<bos>", w=1.2, color="green", fontsize=8)
    if title:
        label(ax, 0.2, ytop + 0.3, title, fontsize=8.5, ha="left")
    for c, hyps in enumerate(steps):
        x = 1.6 + col_w * (c + 0.5)
        x_prev = 0.8 + 0.6 if c == 0 else x - col_w + 0.73
        label(ax, x, ytop - 0.05, f"step {c + 1}", fontsize=8)
        for r, (parent, w, score, kept) in enumerate(hyps):
            # a hypothesis that had already finished, carried on at no cost
            finished = c > 0 and words[steps[c - 1][parent][1]] == eos
            on_path = kept and path[c] == r
            # kept: blue (orange on the returned path, grey once finished); dropped:
            # a pale dashed box, crossed out (opaque, so it reads on a dark page too)
            color = "grey" if finished else "blue" if kept else "white"
            if on_path:
                color = "orange"
            box(
                ax,
                x,
                y(r),
                f"{words[w]}\n{score:.2f}",
                w=1.45,
                h=0.62,
                color=color,
                fontsize=7.5,
                ls="-" if kept else "--",
            )
            if not kept:  # crossed out
                ax.plot(
                    [x - 0.7, x + 0.7],
                    [y(r) - 0.28, y(r) + 0.28],
                    color=LINE,
                    lw=0.8,
                    zorder=4,
                )
            arrow(
                ax,
                (x_prev, y(parent)),
                (x - 0.73, y(r)),
                style="-",
                color=HIGHLIGHT if on_path else LINE,
                lw=1.6 if on_path else 0.7,
                ls="-" if kept else ":",
            )
    ax.plot(
        [1.6, 1.6 + col_w * len(steps)],
        [ytop - 0.3 - row_h * k] * 2,
        color=LINE,
        lw=0.6,
        ls=":",
    )
    label(
        ax,
        0.2,
        0.35,
        f"beam k = {k}: the kept hypotheses above the dotted line, the best "
        "dropped ones below it (crossed out);\ngrey: finished; orange: the chosen "
        "translation (best score / length)"
        + (
            f"; the search ran {total} steps, until every kept hypothesis had finished"
            if total > len(steps)
            else ""
        ),
        fontsize=7.5,
        ha="left",
    )
    return fig


# --------------------------------------------------------------------- lecture 05


def rnn_vs_attention(tokens: Sequence[str]) -> Figure:
    """An RNN layer against a self-attention layer over the same tokens: the RNN needs
    T sequential steps and links the first word to the last through T-1 of them;
    self-attention computes every position at once and links any two in one step."""
    n = len(tokens)
    step = 1.5
    width = 2 * (n * step + 0.6) + 1.0
    fig, ax = canvas(width, 5.0)
    for panel in (0, 1):
        x0 = 0.4 + panel * (n * step + 1.6)
        xs = [x0 + step * (i + 0.5) for i in range(n)]
        for i, tok in enumerate(tokens):
            box(ax, xs[i], 0.6, tok, w=1.35, color="blue", fontsize=8.5)
            box(ax, xs[i], 3.0, f"$h_{{{i + 1}}}$", w=1.0, color="orange")
            end_path = i == n - 1
            arrow(
                ax,
                (xs[i], 0.95),
                (xs[i], 2.65),
                color=HIGHLIGHT if (i == 0 and panel == 0) else LINE,
                lw=1.6 if (i == 0 and panel == 0) else 1.0,
            )
        if panel == 0:
            for i in range(n - 1):
                arrow(
                    ax,
                    (xs[i] + 0.5, 3.0),
                    (xs[i + 1] - 0.5, 3.0),
                    color=HIGHLIGHT,
                    lw=1.6,
                )
                label(
                    ax,
                    (xs[i] + xs[i + 1]) / 2,
                    3.3,
                    f"{i + 1}",
                    fontsize=7.5,
                    color=HIGHLIGHT,
                )
            label(
                ax,
                (xs[0] + xs[-1]) / 2,
                4.4,
                f"RNN: {n} sequential steps;\n"
                f"{tokens[0]!r} reaches $h_{{{n}}}$ through {n - 1} steps",
                fontsize=8.5,
            )
        else:
            for i in range(n):
                for j in range(n):
                    hl = i == 0 and j == n - 1
                    if i != j or hl:
                        ax.plot(
                            [xs[i], xs[j]],
                            [0.95, 2.65],
                            lw=1.6 if hl else 0.5,
                            color=HIGHLIGHT if hl else LINE,
                            zorder=1,
                            alpha=1.0 if hl else 0.6,
                        )
            label(
                ax,
                (xs[0] + xs[-1]) / 2,
                4.4,
                "self-attention: 1 step for all "
                f"positions;\nany two linked directly ({n}$\\times${n} scores)",
                fontsize=8.5,
            )
        del end_path
    return fig


def masks(causal, padding, tokens: Sequence[str] | None = None) -> Figure:
    """The two masks as pictures. Left: a causal mask (T, T), True where query i may
    attend to key j (j <= i); the rest gets score -inf, weight 0. Right: a key padding
    mask (B, S), True at padding, and what it does to one padded sentence's (S, S)
    attention: every query ignores the padded keys."""
    c = _np(causal).astype(bool)
    p = _np(padding).astype(bool)
    T = c.shape[0]
    B, S = p.shape
    cell = 0.45
    width = 1.4 + T * cell + 2.2 + S * cell + 1.4 + S * cell + 0.8
    fig, ax = canvas(width, 0.9 + max(T, S) * cell + 0.95)
    y0 = 0.9
    x0 = 1.4
    fills = [["green" if c[i, j] else "grey" for j in range(T)] for i in range(T)]
    texts = [["" if c[i, j] else "-inf" for j in range(T)] for i in range(T)]
    grid(ax, x0, y0, T, T, cell=cell, color=fills, texts=texts, fontsize=5.5)
    names = list(tokens) if tokens is not None else [str(i) for i in range(T)]
    for i in range(T):
        label(ax, x0 - 0.1, y0 + (T - 0.5 - i) * cell, names[i], fontsize=7, ha="right")
        label(ax, x0 + (i + 0.5) * cell, y0 - 0.2, names[i], fontsize=7)
    label(
        ax,
        x0 + T * cell / 2,
        y0 + T * cell + 0.55,
        f"causal mask ({T}, {T})",
        fontsize=9,
    )
    label(
        ax,
        x0 + T * cell / 2,
        y0 + T * cell + 0.2,
        "rows: queries i, columns: keys j",
        fontsize=7.5,
    )
    # the key padding mask (B, S)
    x1 = x0 + T * cell + 2.2
    yb = y0 + (max(T, S) - B) * cell
    grid(
        ax,
        x1,
        yb,
        B,
        S,
        cell=cell,
        color=[["red" if p[b, s] else "blue" for s in range(S)] for b in range(B)],
        texts=[["pad" if p[b, s] else "" for s in range(S)] for b in range(B)],
        fontsize=5.5,
    )
    for b in range(B):
        n = int((~p[b]).sum())
        label(
            ax,
            x1 - 0.1,
            yb + (B - 0.5 - b) * cell,
            f"length {n}",
            fontsize=7,
            ha="right",
        )
    label(
        ax,
        x1 + S * cell / 2,
        yb + B * cell + 0.55,
        f"key padding mask ({B}, {S})",
        fontsize=9,
    )
    label(
        ax,
        x1 + S * cell / 2,
        yb + B * cell + 0.2,
        "True (red) at padding",
        fontsize=7.5,
    )
    # its effect on the first padded sentence
    b = int(np.argmax(p.any(1))) if p.any() else 0
    x2 = x1 + S * cell + 1.4
    grid(
        ax,
        x2,
        y0,
        S,
        S,
        cell=cell,
        color=[["grey" if p[b, j] else "green" for j in range(S)] for _ in range(S)],
        texts=[["-inf" if p[b, j] else "" for j in range(S)] for _ in range(S)],
        fontsize=5.5,
    )
    label(
        ax,
        x2 + S * cell / 2,
        y0 + S * cell + 0.55,
        f"sentence {b}'s scores ({S}, {S})",
        fontsize=9,
    )
    label(
        ax,
        x2 + S * cell / 2,
        y0 + S * cell + 0.2,
        "no query attends to a pad",
        fontsize=7.5,
    )
    arrow(ax, (x1 + S * cell / 2, yb - 0.1), (x2 + 0.2, y0 + S * cell * 0.5), rad=0.3)
    return fig


def multihead_reshape(B: int, T: int, d: int, h: int) -> Figure:
    """Multi-head attention by reshaping: one (T, d) slice of x W_q (B, T, d) is viewed
    as (T, h, d/h) and transposed to (h, T, d/h), so the h heads become a batch
    dimension of h independent attentions over d/h features each."""
    dh = d // h
    cols = min(d, 16)  # draw at most 16 feature columns
    per = max(cols // h, 1)
    cell = 0.28
    rows = min(T, 10)
    hue = ["blue", "orange", "green", "purple", "red", "yellow", "grey", "white"]
    fig, ax = canvas(
        3.0 + cols * cell + 3.0 + h * (per * cell + 0.5) + 1.0, rows * cell + 2.2
    )
    y0 = 0.9
    fills = [
        [hue[min(c // per, h - 1) % len(hue)] for c in range(per * h)]
        for _ in range(rows)
    ]
    x0 = 2.6
    grid(ax, x0, y0, rows, per * h, cell=cell, color=fills)
    label(
        ax,
        x0 + per * h * cell / 2,
        y0 + rows * cell + 0.35,
        f"(B, T, d) = ({B}, {T}, {d}): one of the B = {B} sentences",
        fontsize=8.5,
    )
    label(
        ax,
        x0 - 0.15,
        y0 + rows * cell / 2,
        f"T = {T}",
        fontsize=8,
        ha="right",
        rotation=90,
    )
    label(
        ax,
        x0 + per * h * cell / 2,
        y0 - 0.3,
        f"d = {d} features: head $l$ owns "
        f"columns $l \\cdot {dh}$ .. $(l+1) \\cdot {dh} - 1$",
        fontsize=7.5,
    )
    xa = x0 + per * h * cell + 0.4
    arrow(
        ax,
        (xa, y0 + rows * cell / 2),
        (xa + 2.2, y0 + rows * cell / 2),
        ".view(B, T, h, d/h)\n.transpose(1, 2)",
        offset=(0, 0.55),
        fontsize=7.5,
    )
    x = xa + 2.6
    for head in range(h):
        grid(ax, x, y0, rows, per, cell=cell, color=hue[head % len(hue)])
        label(
            ax, x + per * cell / 2, y0 + rows * cell + 0.3, f"head {head}", fontsize=7.5
        )
        x += per * cell + 0.5
    label(
        ax,
        xa + 2.6 + (x - xa - 2.6) / 2,
        y0 - 0.3,
        f"(B, h, T, d/h) = ({B}, {h}, {T}, {dh}): {h} attentions, batched",
        fontsize=8,
    )
    if d > cols or T > rows:
        label(
            ax,
            0.2,
            0.2,
            f"(drawn: {rows} of {T} rows, {per * h} of {d} columns)",
            fontsize=7,
            ha="left",
        )
    return fig


def _block_stack(ax, x: float, y: float, layers, w: float = 2.6, gap: float = 0.45):
    """Boxes stacked upwards from y with arrows between them, each a (text, colour);
    a residual (text == '+') is a small circle. Returns the y of each box centre."""
    ys = []
    for i, (text, color) in enumerate(layers):
        yy = y + i * (0.6 + gap)
        if text == "+":
            box(ax, x, yy, "+", w=0.45, h=0.45, color="white", round=0.22)
        else:
            box(ax, x, yy, text, w=w, h=0.6, color=color, fontsize=8.5)
        if i:
            top = ys[-1] + (0.23 if layers[i - 1][0] == "+" else 0.3)
            arrow(ax, (x, top), (x, yy - (0.23 if text == "+" else 0.3)))
        ys.append(yy)
    return ys


def _residual(ax, x: float, y_from: float, y_plus: float, side: float = 1.7):
    """A residual path: from the trunk at y_from, out to the side, into the '+'."""
    ax.plot(
        [x, x + side, x + side],
        [y_from, y_from, y_plus],
        color=HIGHLIGHT,
        lw=1.3,
        zorder=1,
    )
    arrow(ax, (x + side, y_plus), (x + 0.23, y_plus), color=HIGHLIGHT, lw=1.3)


def transformer_block() -> Figure:
    """The Transformer block, post-norm (the 2017 paper: LayerNorm after each residual
    sum) beside pre-norm (GPT-2 and most models since: LayerNorm at the start of each
    branch, the residual path left clean from input to output)."""
    fig, ax = canvas(13.0, 9.2)
    for panel, prenorm in enumerate((False, True)):
        x = 3.0 + panel * 6.6
        if prenorm:
            layers = [
                ("x", "blue"),
                ("LayerNorm", "yellow"),
                ("multi-head\nattention", "purple"),
                ("+", None),
                ("LayerNorm", "yellow"),
                ("feed-forward", "green"),
                ("+", None),
                ("out", "blue"),
            ]
        else:
            layers = [
                ("x", "blue"),
                ("multi-head\nattention", "purple"),
                ("+", None),
                ("LayerNorm", "yellow"),
                ("feed-forward", "green"),
                ("+", None),
                ("LayerNorm", "yellow"),
                ("out", "blue"),
            ]
        ys = _block_stack(ax, x, 0.7, layers, gap=0.45)
        plus = [i for i, (t, _) in enumerate(layers) if t == "+"]
        # each residual starts just below the branch it skips
        # post-norm: the second branch starts after the first LayerNorm
        starts = [ys[0] + 0.45, ys[plus[0] + (1 if prenorm else 2)] - 0.52]
        for s, p in zip(starts, plus):
            _residual(ax, x, s, ys[p])
        title = "pre-norm: x + f(LN(x))" if prenorm else "post-norm: LN(x + f(x))"
        label(ax, x + 0.4, ys[-1] + 0.75, title, fontsize=9.5)
    label(
        ax,
        6.5,
        0.15,
        "orange: the residual paths (the identity plus a branch)",
        fontsize=8,
        color=HIGHLIGHT,
    )
    return fig


def transformer_encoder_decoder(
    src: Sequence[str], tgt: Sequence[str], n_enc: int = 2, n_dec: int = 2
) -> Figure:
    """The encoder-decoder Transformer: the encoder's blocks (self-attention without a
    mask, feed-forward) turn the source into h_1..h_n; each decoder block has masked
    self-attention, then cross-attention whose queries come from the decoder and whose
    keys and values are the encoder's output, then a feed-forward layer."""
    fig, ax = canvas(14.0, 8.4)
    xe, xd = 3.2, 10.0
    label(ax, xe, 0.35, " ".join(src), fontsize=8.5)
    label(ax, xd, 0.35, " ".join(["<bos>", *tgt]), fontsize=8.5)
    enc = _block_stack(
        ax,
        xe,
        1.0,
        [
            ("embedding + positions", "blue"),
            ("self-attention\n(no mask, pad masked)", "purple"),
            ("feed-forward", "green"),
            ("$h_1 \\dots h_n$", "blue"),
        ],
        w=3.0,
        gap=0.55,
    )
    group(
        ax, xe - 1.9, enc[1] - 0.55, xe + 1.9, enc[2] + 0.5, f"x {n_enc}", where="left"
    )
    dec = _block_stack(
        ax,
        xd,
        1.0,
        [
            ("embedding + positions", "blue"),
            ("masked self-attention\n(causal)", "purple"),
            ("cross-attention", "purple"),
            ("feed-forward", "green"),
            ("linear + softmax", "orange"),
            ("P(next word)", "green"),
        ],
        w=3.0,
        gap=0.55,
    )
    group(
        ax, xd - 1.9, dec[1] - 0.55, xd + 1.9, dec[3] + 0.5, f"x {n_dec}", where="right"
    )
    # the encoder output feeds every decoder block's cross-attention (keys, values)
    ax.plot([xe + 1.5, 6.6, 6.6], [enc[3], enc[3], dec[2]], color=HIGHLIGHT, lw=1.6)
    arrow(ax, (6.6, dec[2]), (xd - 1.5, dec[2]), color=HIGHLIGHT, lw=1.6)
    label(ax, 7.35, dec[2] + 0.28, "keys, values", fontsize=8, color=HIGHLIGHT)
    label(
        ax,
        xd + 2.05,
        dec[1] - 0.1,
        "queries: the\ndecoder's states",
        fontsize=7.5,
        ha="left",
    )
    label(ax, xe, enc[3] + 0.75, "encoder", fontsize=10)
    label(ax, xd, dec[-1] + 0.75, "decoder", fontsize=10)
    label(
        ax,
        7.0,
        8.15,
        "(residuals and layer norms inside each block: see the previous figure)",
        fontsize=7.5,
    )
    return fig


def kv_cache(tokens: Sequence[str], d_head: int = 4) -> Figure:
    """Generation with a key/value cache: at the step that adds the last token, the
    keys and values of the earlier positions are read from the cache (grey, computed
    once at their own step); only the new position's q, k, v are computed (coloured).
    The new query scores all keys, and its output is the weighted sum of all values."""
    n = len(tokens)
    cell, gap = 0.45, 0.55  # a cached row's cells, and the spacing of positions
    x0 = 2.0
    xs = [x0 + (i + 0.5) * gap for i in range(n)]
    y_k = 1.3
    y_v = y_k + d_head * cell + 0.5
    top = y_v + d_head * cell
    fig, ax = canvas(xs[-1] + 5.6, top + 1.4)
    for i, tok in enumerate(tokens):
        label(ax, xs[i], y_k - 0.35, _show(tok), fontsize=9)
    for m, (name, y) in enumerate((("K", y_k), ("V", y_v))):
        for i in range(n):
            new = i == n - 1
            color = ("orange" if m == 0 else "blue") if new else "grey"
            grid(ax, xs[i] - cell / 2, y, d_head, 1, cell=cell, color=color)
        label(ax, x0 - 0.2, y + d_head * cell / 2, f"{name} cache", ha="right")
    label(
        ax,
        (xs[0] + xs[-2]) / 2,
        top + 0.4,
        f"positions 1..{n - 1}: read from the cache",
        fontsize=8.5,
    )
    xb = xs[-1] + 2.9
    box(
        ax,
        xb,
        top + 0.4,
        f"new token {_show(tokens[-1])}: its\nq, k, v computed now",
        w=3.0,
        h=0.9,
        color="purple",
        fontsize=8.5,
    )
    arrow(ax, (xb - 1.5, top + 0.4), (xs[-1] + 0.1, top + 0.05), rad=0.25)
    box(
        ax,
        xb,
        y_k + 0.5,
        "output at the\nnew position",
        w=2.6,
        h=0.9,
        color="green",
        fontsize=8.5,
    )
    arrow(
        ax,
        (xb, top - 0.05),
        (xb, y_k + 0.95),
        "softmax(q K$^\\top/\\sqrt{d}$) V\nover every cached row",
        offset=(0, 0.1),
        fontsize=8,
    )
    label(
        ax,
        x0 - 1.8,
        0.3,
        "each step adds one position (a column here) to K and V and "
        "reuses the rest: O(T) per step instead of O(T$^2$)",
        fontsize=8,
        ha="left",
    )
    return fig


def gpt_stack(
    n_layer: int, n_head: int, d_model: int, block_size: int, vocab_size: int
) -> Figure:
    """A decoder-only Transformer (GPT, nanoGPT) with its sizes: token embeddings plus
    learned position embeddings, n_layer pre-norm blocks of masked multi-head
    self-attention and a feed-forward layer (each branch with its residual), a final
    layer norm and a linear layer to the vocabulary, predicting every next token."""
    fig, ax = canvas(8.6, 10.6)
    x = 3.6
    layers = [
        (
            f"token embedding ({vocab_size}, {d_model})\n+ position embedding "
            f"({block_size}, {d_model})",
            "blue",
        ),
        ("LayerNorm", "yellow"),
        (f"masked self-attention\n{n_head} heads of {d_model // n_head}", "purple"),
        ("+", None),
        ("LayerNorm", "yellow"),
        (f"feed-forward {d_model} \u2192 {4 * d_model} \u2192 {d_model}", "green"),
        ("+", None),
        ("LayerNorm", "yellow"),
        (f"linear {d_model} \u2192 {vocab_size}, softmax", "orange"),
        ("P(next token) at every position", "green"),
    ]
    ys = _block_stack(ax, x, 0.9, layers, w=4.4, gap=0.42)
    _residual(ax, x, ys[0] + 0.52, ys[3], side=2.6)
    _residual(ax, x, ys[3] + 0.33, ys[6], side=2.6)
    group(ax, x - 2.5, ys[1] - 0.5, x + 2.9, ys[6] + 0.4, f"x {n_layer}", where="right")
    label(ax, x, 0.2, f"a context of up to {block_size} tokens", fontsize=8.5)
    return fig


def scaled_dot_product(T: int, d_k: int, d_v: int | None = None) -> Figure:
    """Scaled dot-product attention as a chain of operations, with the shapes of one
    head: Q (T, d_k) and K (T, d_k) give the scores Q K^T (T, T), divided by sqrt(d_k),
    masked (optional: -inf where a query may not look), softmax over each row, then
    the weights times V (T, d_v) give the output (T, d_v)."""
    d_v = d_k if d_v is None else d_v
    fig, ax = canvas(9.0, 9.2)
    xq, xk, xv, xm = 1.6, 3.6, 6.8, 2.6
    for x, name, shape in (
        (xq, "Q", (T, d_k)),
        (xk, "K", (T, d_k)),
        (xv, "V", (T, d_v)),
    ):
        box(ax, x, 0.8, f"{name}  {shape}", w=1.9, color="blue")
    steps = [
        (2.1, f"MatMul  $QK^\\top$  ({T}, {T})", "purple"),
        (3.5, f"scale  $\\div\\sqrt{{d_k}} = \\div\\sqrt{{{d_k}}}$", "white"),
        (4.9, "mask (optional): $-\\infty$", "grey"),
        (6.3, "softmax over each row", "yellow"),
    ]
    for i, (y, text, color) in enumerate(steps):
        box(ax, xm, y, text, w=3.6, color=color, fontsize=8.5)
        if i:
            arrow(ax, (xm, steps[i - 1][0] + 0.35), (xm, y - 0.35))
    arrow(ax, (xq, 1.15), (xm - 0.5, 1.75))
    arrow(ax, (xk, 1.15), (xm + 0.5, 1.75))
    box(
        ax,
        5.2,
        7.9,
        f"MatMul  weights $\\cdot$ V  ({T}, {d_v})",
        w=3.8,
        color="purple",
        fontsize=8.5,
    )
    arrow(ax, (xm, 6.65), (4.6, 7.55))
    arrow(ax, (xv, 1.15), (xv, 7.55))
    label(
        ax,
        xm + 1.95,
        6.3,
        f"({T}, {T}) weights,\neach row sums to 1",
        fontsize=8,
        ha="left",
    )
    label(ax, 5.2, 8.75, f"output ({T}, {d_v}): one vector per query", fontsize=8.5)
    return fig
