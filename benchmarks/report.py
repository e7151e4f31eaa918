"""The book's results page, computed from the recorded benchmark runs in
``benchmarks/results``.

``book/results.ipynb`` calls these functions; nothing on that page is typed by hand.
Each JSON line of a ``*.jsonl`` file is one record (see ``record.emit``); this module
turns the records into one table a lecture, with the same columns for every lecture:
the benchmark, our figure, the peer we compare with (gensim, torch's built-ins,
sacrebleu, nanoGPT's configuration) and its figure, the time ratio, and the machine the
line was measured on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from tabulate import tabulate

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
LADDER_SECONDS = 1200.0  # the ladder's long run: 20 minutes a neural rung
NONE = "—"

Record = dict[str, Any]

_GPU = re.compile(
    r"\b(cuda|gpu|nvidia|tesla|geforce|rtx|h100|h200|a100|a10g?|l4|t4|v100|mps|rocm)\b",
    re.I,
)


@dataclass(frozen=True)
class Row:
    """One line of a lecture's results table."""

    benchmark: str
    ours: str
    peer: str
    peer_figure: str
    time: str
    machine: str
    date: str


def _command(label: str) -> str:
    """A command in a label as code (Markdown would turn its ``--`` into a dash)."""
    if not label.startswith("python -m"):
        return label
    command, sep, rest = label.partition(",")
    return f"`{command}`{sep}{rest}"


def load_records(folder: Path = RESULTS) -> list[Record]:
    """Every record of every ``*.jsonl`` file in ``folder`` (file order, then line
    order), each with ``source`` set to its file's name. A line that is not a JSON
    object raises ValueError naming the file and line."""
    records = []
    for path in sorted(Path(folder).glob("*.jsonl")):
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path.name}:{i}: not JSON ({e})") from None
            if not isinstance(rec, dict):
                raise ValueError(f"{path.name}:{i}: not a JSON object")
            records.append({**rec, "source": path.name})
    return records


def lectures_in_book(root: Path = ROOT) -> list[str]:
    """The lecture numbers of the book's notebooks (``notebooks/NN_*.ipynb``)."""
    return sorted(
        {p.name[:2] for p in (Path(root) / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    )


def lecture_titles(root: Path = ROOT) -> dict[str, str]:
    """Each lecture's title, from its notebook's first heading (``# 01 · Word
    vectors``)."""
    titles = {}
    for path in sorted((Path(root) / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        first = "".join(cells[0]["source"]).splitlines()[0] if cells else ""
        titles[path.name[:2]] = first.lstrip("# ").strip() or path.stem
    return titles


def device_of(rec: Record) -> str:
    """Where the record ran: its ``device`` field, else ``cuda`` or ``cpu`` as its
    ``machine`` field tells."""
    if rec.get("device"):
        return str(rec["device"])
    machine = str(rec.get("machine", ""))
    return "cuda" if _GPU.search(machine) else "cpu"


def is_gpu(rec: Record) -> bool:
    return bool(_GPU.search(device_of(rec))) or device_of(rec).startswith("cuda")


def machine_of(rec: Record) -> str:
    """The machine a record names (its ``machine`` field, with its ``device`` if that
    adds anything); empty if it names none."""
    machine = str(rec.get("machine") or "").strip()
    device = str(rec.get("device") or "").strip()
    if device and device.lower() not in machine.lower():
        machine = f"{machine} ({device})" if machine else device
    return machine


def _num(x: Any, digits: int = 4) -> str:
    if x is None:
        return NONE
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, (int, float)):
        return (
            f"{x:,.{digits}f}".rstrip("0").rstrip(".")
            if isinstance(x, float)
            else f"{x:,}"
        )
    return str(x)


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else NONE


def _row(
    rec: Record,
    benchmark: str,
    ours: str,
    peer: str = NONE,
    peer_figure: str = NONE,
    time: str = NONE,
) -> Row:
    return Row(
        benchmark,
        ours,
        peer,
        peer_figure,
        time,
        machine_of(rec) or NONE,
        str(rec.get("date", NONE))[:10],
    )


def _is_ladder(rec: Record) -> bool:
    return "rung" in rec and "val_bpc" in rec


def _ladder_rows(recs: list[Record]) -> list[Row]:
    rows = []
    ngrams = {r["date"]: r for r in recs if _is_ladder(r) and "gram" in r["rung"]}
    for r in recs:
        if not _is_ladder(r) or "gram" in r["rung"]:
            continue
        ng = ngrams.get(r.get("date")) or next(iter(ngrams.values()), None)
        schedule = r.get("lr_schedule", "constant")
        best = f", best {_num(r['best_val_bpc'])}" if "best_val_bpc" in r else ""
        rows.append(
            _row(
                r,
                f"ladder: {r['rung']}, {r['train_s'] / 60:.0f} min, "
                f"learning rate {schedule}",
                f"test {_num(r['test_bpc'])} bpc (val {_num(r['val_bpc'])}{best})",
                f"{ng['rung']} (same split)" if ng else NONE,
                f"test {_num(ng['test_bpc'])} bpc" if ng else NONE,
                f"{r['train_s']:.0f} s, {_num(r.get('steps'))} steps",
            )
        )
    return rows


def _tutorial_row(r: Record, recs: list[Record]) -> Row:
    """Our ``translate train`` against the PyTorch tutorial's model, same file, same
    time, same split (``benchmarks/tutorial_translation.py``): held-out BLEU."""
    peer = next(
        (
            b
            for b in recs
            if b.get("bench") == r["bench"]
            and b.get("side") == "peer"
            and b.get("file") == r.get("file")
            and b.get("run") == r.get("run")
        ),
        None,
    )
    beam = f" (beam k=5 {r['bleu_beam5']:.2f})" if "bleu_beam5" in r else ""
    load = f"; load {r['load_before']}" if r.get("load_before") else ""
    if r["steps"] < 200:  # translate train's own threshold (TOO_FEW_STEPS)
        load += "; too few steps to learn: a lower bound for both"
    return _row(
        r,
        _command(r["model"]) + f", {r['seconds']:.0f} s on {r.get('file')}: "
        "held-out BLEU, greedy (all references of each source)",
        f"{r['bleu_greedy']:.2f}{beam}",
        "PyTorch tutorial's GRU + additive attention (rebuilt)" if peer else NONE,
        f"{peer['bleu_greedy']:.2f}" if peer else NONE,
        f"{r['steps']:,} steps"
        + (f" / {peer['steps']:,} steps" if peer else "")
        + load,
    )


SMOOTHING = "label smoothing, Transformer translator"  # lecture05.py smoothing


def lecture_rows(records: Iterable[Record], lecture: str) -> list[Row]:
    """The results table of one lecture, from its records."""
    recs = [r for r in records if r.get("lecture") == lecture]
    rows: list[Row] = []
    for r in recs:
        if "gensim" in r:  # 01
            rows.append(
                _row(
                    r,
                    f"{r['metric']} (gensim, {r.get('gensim_workers', '?')} worker(s))",
                    _num(r["ours"]),
                    "gensim word2vec",
                    _num(r["gensim"]),
                    f"{_ratio(r['ours_s'], r['gensim_s'])} "
                    f"({r['ours_s']} s / {r['gensim_s']} s)",
                )
            )
        elif "metric" in r and "value" in r:  # 02
            rows.append(
                _row(
                    r,
                    r["metric"],
                    _num(r["value"]),
                    time=f"notebook {r.get('notebook_s', NONE)} s",
                )
            )
        elif r.get("bench") == "tutorial translation comparison":  # 04
            if r.get("side") == "ours":
                rows.append(_tutorial_row(r, recs))
        elif "bleu_k1" in r:  # 04
            rows.append(
                _row(
                    r,
                    f"{r['model']}: BLEU greedy / beam k=5 ({r.get('steps')} steps)",
                    f"{r['bleu_k1']:.2f} / {r['bleu_k5']:.2f}"
                    if "bleu_k5" in r
                    else f"{r['bleu_k1']:.2f}",
                    "sacrebleu (computes the BLEU)",
                    NONE,
                    f"train {r['train_s']:.0f} s; beam k=5 / greedy "
                    f"{_num(r.get('beam_time_ratio_k5'), 2)}x",
                )
            )
        elif "torch_mha_ms" in r:  # 05
            rows.append(
                _row(
                    r,
                    f"causal MHA forward+backward, "
                    f"B={r['B']} T={r['T']} d={r['d']} h={r['heads']}",
                    f"scratch {_num(r['ours_scratch_ms'], 1)} ms, "
                    f"SDPA {_num(r['ours_sdpa_ms'], 1)} ms",
                    "torch nn.MultiheadAttention",
                    f"{_num(r['torch_mha_ms'], 1)} ms",
                    f"scratch {_ratio(r['ours_scratch_ms'], r['torch_mha_ms'])}, "
                    f"SDPA {_ratio(r['ours_sdpa_ms'], r['torch_mha_ms'])}",
                )
            )
        elif "speedup" in r and "with_s" in r:
            rows.append(
                _row(
                    r,
                    f"sampling {r['tokens']} tokens, context {r['context']}, "
                    "with a KV cache "
                    f"(same tokens: {_num(r['same_tokens'])})",
                    f"{r['with_s']} s",
                    "the same model without the cache",
                    f"{r['without_s']} s",
                    f"{_ratio(r['with_s'], r['without_s'])} ({r['speedup']}x faster)",
                )
            )
        elif r.get("bench") == SMOOTHING and r.get("label_smoothing"):
            plain = next(
                (
                    b
                    for b in recs
                    if b.get("bench") == SMOOTHING
                    and not b.get("label_smoothing")
                    and (b.get("date"), b.get("seed")) == (r.get("date"), r.get("seed"))
                ),
                None,
            )
            rows.append(
                _row(
                    r,
                    f"label smoothing {r['label_smoothing']:g}, Transformer "
                    f"translator, seed {r['seed']}, {r['steps']} steps (greedy test "
                    "BLEU / validation perplexity)",
                    f"{r['test_bleu_greedy']:.2f} / {r['val_ppl']:.3f}",
                    "plain cross-entropy",
                    f"{plain['test_bleu_greedy']:.2f} / {plain['val_ppl']:.3f}"
                    if plain
                    else NONE,
                    f"{r['train_s']} s / {plain['train_s']} s"
                    if plain
                    else f"{r['train_s']} s",
                )
            )
        elif r.get("bench") == "nanoGPT comparison" and not r["model"].startswith(
            "nanoGPT"
        ):
            base = next(
                (
                    b
                    for b in recs
                    if b.get("bench") == "nanoGPT comparison"
                    and b.get("date") == r.get("date")
                    and b["model"].startswith("nanoGPT")
                ),
                None,
            )
            rows.append(
                _row(
                    r,
                    _command(r["model"]) + f" at equal time on {r.get('file')} "
                    "(val nats/char, lower is better)",
                    _num(r["val_nats"]),
                    base["model"] if base else NONE,
                    _num(base["val_nats"]) if base else NONE,
                    f"{_ratio(r['train_s'], base['train_s'])} "
                    f"({r['train_s']} s / {base['train_s']} s)"
                    if base
                    else f"{r['train_s']} s",
                )
            )
    return rows + _ladder_rows(recs)


def markdown_table(rows: list[Row]) -> str:
    """The rows as a Markdown (pipe) table, or a sentence when there are none. Narrow
    enough for the book's column: the peer's name and figure share a cell, as do the
    machine and the date, and a column with nothing in any row is left out."""
    if not rows:
        return "*No record yet.*"

    def peer(r: Row) -> str:
        return f"{r.peer}: {r.peer_figure}" if r.peer_figure != NONE else r.peer

    columns = {
        "benchmark": [r.benchmark for r in rows],
        "ours": [r.ours for r in rows],
        "peer: its figure": [peer(r) for r in rows],
        "time": [r.time for r in rows],
        "machine, date": [f"{r.machine}, {r.date}" for r in rows],
    }
    columns = {k: v for k, v in columns.items() if any(c != NONE for c in v)}
    cells = [[c.replace("|", "\\|") for c in row] for row in zip(*columns.values())]
    return tabulate(
        cells, headers=list(columns), tablefmt="pipe", disable_numparse=True
    )


@dataclass(frozen=True)
class Curve:
    """One rung's validation curve from a ladder record."""

    label: str
    rung: str
    lecture: str
    seconds: list[float]
    bpc: list[float]
    machine: str


def ladder_curves(
    records: Iterable[Record], seconds: float = LADDER_SECONDS
) -> list[Curve]:
    """The validation curves of the ladder records trained for (about) ``seconds`` a
    rung."""
    out = []
    for r in records:
        if _is_ladder(r) and r.get("curve") and r.get("train_s", 0) >= 0.95 * seconds:
            schedule, date = r.get("lr_schedule", "constant"), str(r.get("date", ""))
            threads = re.search(r"\d+ threads?", str(r.get("machine", "")))
            when = date[:10] + (f", {threads.group(0)}" if threads else "")
            label = f"{r['rung']}, rate {schedule} ({when})"
            out.append(
                Curve(
                    label,
                    r["rung"],
                    r["lecture"],
                    [float(p[0]) for p in r["curve"]],
                    [float(p[1]) for p in r["curve"]],
                    machine_of(r),
                )
            )
    return out


def ngram_baselines(records: Iterable[Record]) -> dict[str, float]:
    """Validation bpc of the n-gram rung(s), by name (the ladder's horizontal line)."""
    return {
        r["rung"]: float(r["val_bpc"])
        for r in records
        if _is_ladder(r) and "gram" in r["rung"]
    }


def transformer_rung_recorded(
    records: Iterable[Record], seconds: float = LADDER_SECONDS
) -> bool:
    """Whether a Transformer rung of the ladder has been recorded at (about)
    ``seconds``."""
    return any(
        c.label.startswith("Transformer") for c in ladder_curves(records, seconds)
    )


def plot_ladder(
    records: list[Record], ax, seconds: float = LADDER_SECONDS
) -> list[Curve]:
    """Validation bpc against wall-clock minutes for every rung recorded at
    ``seconds``, the n-gram as a dotted line; returns the curves drawn."""
    curves = ladder_curves(records, seconds)
    colours = {
        rung: f"C{i % 10}"
        for i, rung in enumerate(dict.fromkeys(c.rung for c in curves))
    }
    for c in curves:  # one colour a rung; solid: decayed rate, dashed: constant
        style = "-" if "cosine" in c.label else "--"
        ax.plot(
            [s / 60 for s in c.seconds],
            c.bpc,
            style,
            color=colours[c.rung],
            marker=".",
            label=c.label,
        )
    for name, bpc in ngram_baselines(records).items():
        ax.axhline(
            bpc, color="gray", linestyle=":", label=f"{name} (counted, no training)"
        )
    ax.set_xlabel("training time (minutes, wall-clock)")
    ax.set_ylabel("validation bits per character")
    machines = sorted({c.machine for c in curves})
    ax.set_title(
        f"The perplexity ladder at {seconds / 60:.0f} minutes a rung\n"
        + "; ".join(machines),
        fontsize=10,
    )
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    return curves


def check_records(records: list[Record], lectures: Iterable[str]) -> list[str]:
    """What is wrong with the records (empty when all is well): a lecture without a
    record, a record that names no machine or no lecture, an empty ladder curve."""
    problems = []
    for lec in lectures:
        if not lecture_rows(records, lec):
            problems.append(f"lecture {lec} has no recorded result")
    for r in records:
        what = r.get("rung") or r.get("metric") or r.get("bench") or r.get("model", "")
        where = f"{r.get('source', '?')}: {r.get('date', '?')} {what}"
        if not machine_of(r):
            problems.append(f"{where} names no machine")
        if not r.get("lecture"):
            problems.append(f"{where} names no lecture")
        if _is_ladder(r) and "curve" in r and not r["curve"]:
            problems.append(f"{where} has an empty curve")
    return problems
