"""benchmarks/report.py: the results page's tables and ladder, from a tiny fake folder
of results."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

import report as R  # noqa: E402

CPU = "x86_64 CPU, 2 threads, torch 2.13.0+cpu"
RECORDS = [
    {
        "date": "2026-01-01T10:00:00",
        "lecture": "01",
        "metric": "wordsim353_spearman",
        "ours": 0.51,
        "gensim": 0.49,
        "gensim_workers": 1,
        "ours_s": 50.0,
        "gensim_s": 25.0,
        "time_ratio": 2.0,
        "machine": CPU,
    },
    {
        "date": "2026-01-01T10:00:00",
        "lecture": "02",
        "metric": "window_f1",
        "value": 0.75,
        "notebook_s": 100.0,
        "machine": CPU,
    },
    {
        "date": "2026-01-01T10:00:00",
        "lecture": "03",
        "rung": "6-gram",
        "val_bpc": 2.09,
        "test_bpc": 2.01,
        "train_s": 2.0,
        "machine": CPU,
    },
    {
        "date": "2026-01-01T10:00:00",
        "lecture": "03",
        "rung": "LSTM 256",
        "val_bpc": 1.97,
        "best_val_bpc": 1.95,
        "test_bpc": 1.94,
        "train_s": 1200.0,
        "steps": 50000,
        "lr_schedule": "cosine to a tenth",
        "curve": [[600.0, 2.0], [1200.0, 1.97]],
        "machine": CPU,
    },
    {
        "date": "2026-01-01T10:00:00",
        "lecture": "04",
        "model": "LSTM + attention",
        "steps": 1000,
        "train_s": 300.0,
        "bleu_k1": 99.5,
        "bleu_k5": 100.0,
        "beam_time_ratio_k5": 4.5,
        "machine": CPU,
    },
    {
        "date": "2026-01-02T10:00:00",
        "lecture": "05",
        "bench": "causal MHA forward+backward",
        "B": 8,
        "T": 128,
        "d": 128,
        "heads": 4,
        "ours_scratch_ms": 60.0,
        "ours_sdpa_ms": 15.0,
        "torch_mha_ms": 30.0,
        "machine": CPU,
    },
    {
        "date": "2026-01-02T10:00:00",
        "lecture": "05",
        "bench": "nanoGPT comparison",
        "model": "nanoGPT CPU recipe (re-implemented)",
        "iters": 2000,
        "train_s": 100.0,
        "val_nats": 1.91,
        "file": "f.txt",
        "machine": CPU,
    },
    {
        "date": "2026-01-02T10:00:00",
        "lecture": "05",
        "bench": "nanoGPT comparison",
        "model": "python -m helpers.charlm --model gpt",
        "steps": 900,
        "train_s": 100.0,
        "val_nats": 2.03,
        "file": "f.txt",
        "machine": CPU,
    },
]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "a.jsonl").write_text(
        "\n".join(json.dumps(r) for r in RECORDS[:4]) + "\n\n"
    )
    (tmp_path / "b.jsonl").write_text(
        "\n".join(json.dumps(r) for r in RECORDS[4:]) + "\n"
    )
    (tmp_path / "README.md").write_text("not a record")
    return tmp_path


def test_load_records_every_line_with_its_source(folder):
    recs = R.load_records(folder)
    assert len(recs) == len(RECORDS)
    assert {r["source"] for r in recs} == {"a.jsonl", "b.jsonl"}


def test_load_records_names_a_bad_line(tmp_path):
    (tmp_path / "x.jsonl").write_text('{"lecture": "01"}\nnot json\n')
    with pytest.raises(ValueError, match=r"x.jsonl:2"):
        R.load_records(tmp_path)


def test_rows_have_ours_peer_ratio_and_machine(folder):
    recs = R.load_records(folder)
    (r01,) = R.lecture_rows(recs, "01")
    assert (r01.ours, r01.peer, r01.peer_figure) == ("0.51", "gensim word2vec", "0.49")
    assert "2.00x" in r01.time and r01.machine == CPU and r01.date == "2026-01-01"
    (r02,) = R.lecture_rows(recs, "02")
    assert r02.peer == R.NONE and r02.ours == "0.75"
    (r03,) = R.lecture_rows(recs, "03")  # the n-gram is the peer, not a row
    assert (
        r03.peer.startswith("6-gram")
        and "2.01" in r03.peer_figure
        and "1.94" in r03.ours
    )
    (r04,) = R.lecture_rows(recs, "04")
    assert r04.ours == "99.50 / 100.00" and "sacrebleu" in r04.peer
    mha, nano = R.lecture_rows(recs, "05")
    assert (
        mha.peer_figure == "30 ms"
        and "scratch 2.00x" in mha.time
        and "SDPA 0.50x" in mha.time
    )
    assert (nano.ours, nano.peer_figure) == ("2.03", "1.91") and "1.00x" in nano.time
    assert all(
        r.machine == CPU
        for lec in "01 02 03 04 05".split()
        for r in R.lecture_rows(recs, lec)
    )


def test_markdown_table(folder):
    text = R.markdown_table(R.lecture_rows(R.load_records(folder), "01"))
    lines = text.splitlines()
    assert (
        lines[0].startswith("| benchmark")
        and "peer: its figure" in lines[0]
        and len(lines) == 3
    )
    assert "gensim word2vec: 0.49" in lines[2] and f"{CPU}, 2026-01-01" in lines[2]
    # lecture 02 has no peer: its table leaves the peer column out
    assert "peer" not in R.markdown_table(R.lecture_rows(R.load_records(folder), "02"))
    assert R.markdown_table([]) == "*No record yet.*"


def test_check_records_finds_a_missing_lecture_and_machine(folder):
    recs = R.load_records(folder)
    assert R.check_records(recs, ["01", "02", "03", "04", "05"]) == []
    problems = R.check_records(
        recs + [{"lecture": "02", "metric": "x", "value": 1.0}], ["01", "06"]
    )
    assert any("lecture 06 has no recorded result" in p for p in problems)
    assert any("names no machine" in p for p in problems)


def test_ladder_curves_and_the_transformer_rung(folder):
    recs = R.load_records(folder)
    (curve,) = R.ladder_curves(recs)
    assert (
        curve.label.startswith("LSTM 256")
        and curve.seconds == [600.0, 1200.0]
        and curve.machine == CPU
    )
    assert R.ladder_curves(recs, seconds=3600) == []
    assert R.ngram_baselines(recs) == {"6-gram": 2.09}
    assert not R.transformer_rung_recorded(recs)
    gpt = {**RECORDS[3], "lecture": "05", "rung": "Transformer 4 x 128"}
    assert R.transformer_rung_recorded(recs + [gpt])


def test_plot_ladder_draws_each_curve(folder):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    drawn = R.plot_ladder(R.load_records(folder), ax)
    assert len(drawn) == 1 and len(ax.lines) == 2  # the LSTM and the n-gram's line
    plt.close(fig)


def test_gpu_is_told_by_device_or_machine():
    assert not R.is_gpu({"machine": CPU})
    assert R.is_gpu({"machine": "NVIDIA H100 80GB HBM3, torch 2.13.0"})
    assert R.is_gpu({"machine": "x86_64", "device": "cuda:0"})
    assert R.machine_of({"machine": "x86_64", "device": "cuda:0"}) == "x86_64 (cuda:0)"
    assert (
        R.machine_of({"machine": "NVIDIA H100 (cuda)", "device": "cuda"})
        == "NVIDIA H100 (cuda)"
    )
    assert R.machine_of({}) == ""


def test_the_recorded_results_pass_their_checks():
    recs = R.load_records()
    assert R.check_records(recs, R.lectures_in_book()) == []


def test_tutorial_translation_row(tmp_path):
    common = {
        "date": "2026-01-03T10:00:00",
        "lecture": "04",
        "bench": "tutorial translation comparison",
        "file": "pairs.tsv",
        "seconds": 300.0,
        "run": "2026-01-03T10:00",
        "machine": CPU,
    }
    ours = {
        **common,
        "side": "ours",
        "model": "python -m helpers.translate train --model lstm",
        "steps": 1200,
        "bleu_greedy": 30.5,
        "bleu_beam5": 31.0,
        "load_before": "1.00 1.20 1.10",
    }
    peer = {**common, "side": "peer", "model": "tutorial", "steps": 2000}
    (tmp_path / "c.jsonl").write_text(
        json.dumps(ours) + "\n" + json.dumps({**peer, "bleu_greedy": 20.25}) + "\n"
    )
    (row,) = R.lecture_rows(R.load_records(tmp_path), "04")
    assert row.ours == "30.50 (beam k=5 31.00)" and row.peer_figure == "20.25"
    assert "tutorial" in row.peer and "1,200 steps / 2,000 steps" in row.time
    assert row.benchmark.startswith("`python -m helpers.translate train --model lstm`")
    assert "load 1.00 1.20 1.10" in row.time


def test_label_smoothing_rows_pair_each_seed_with_its_plain_run(tmp_path):
    common = {"date": "2026-01-04T10:00:00", "lecture": "05", "bench": R.SMOOTHING}
    recs = [
        {**common, "seed": s, "label_smoothing": ls, "steps": 250, "train_s": t,
         "test_bleu_greedy": b, "val_ppl": p, "top_prob": 0.8, "machine": CPU}
        for s, ls, t, b, p in [
            (0, 0.0, 50.0, 51.5, 1.672),
            (0, 0.1, 51.0, 53.4, 1.789),
            (1, 0.0, 52.0, 48.6, 1.652),
            (1, 0.1, 53.0, 51.4, 1.754),
        ]
    ]  # fmt: skip
    (tmp_path / "d.jsonl").write_text("\n".join(json.dumps(r) for r in recs) + "\n")
    rows = R.lecture_rows(R.load_records(tmp_path), "05")
    assert [(r.ours, r.peer_figure) for r in rows] == [
        ("53.40 / 1.789", "51.50 / 1.672"),
        ("51.40 / 1.754", "48.60 / 1.652"),
    ]
    assert "seed 1" in rows[1].benchmark and rows[1].time == "53.0 s / 52.0 s"
