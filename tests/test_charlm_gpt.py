"""Own-text training with the lecture-05 Transformer: fit_text_file(model="gpt")
and the ``python -m helpers.charlm FILE --model {lstm,gpt} --seconds N`` command."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import charlm, decoding, lm
from helpers.transformer import GPT

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def text_file(tmp_path):
    rng = np.random.default_rng(0)
    words = [
        "the",
        "cat",
        "sat",
        "on",
        "a",
        "mat",
        "and",
        "dog",
        "ran",
        "to",
        "house",
        "tree",
    ]
    text = " ".join(rng.choice(words, size=6000)) + "\n"
    path = tmp_path / "own.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_fit_text_file_gpt(text_file):
    model, vocab, hist = charlm.fit_text_file(
        text_file, seconds=3600, model="gpt", steps=30, evals=2
    )
    assert isinstance(model, GPT) and len(vocab) == len(set(text_file.read_text()))
    assert hist.steps[-1] == 30 and hist.val_bits[-1] < hist.val_bits[0]
    assert decoding.sample(model, vocab, "the ", length=30).startswith("the ")


def test_fit_text_file_lstm_still_default(text_file):
    model, _, hist = charlm.fit_text_file(
        text_file, seconds=3600, hidden=32, steps=5, evals=1
    )
    assert isinstance(model, lm.RecurrentLM) and hist.steps[-1] == 5


def test_unknown_model(text_file):
    with pytest.raises(ValueError, match="'lstm' or 'gpt'"):
        charlm.fit_text_file(text_file, model="bert")


def test_command_prints_validation_and_sample(text_file, capsys):
    assert (
        charlm.main(
            [str(text_file), "--model", "gpt", "--seconds", "2", "--length", "40"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "validation on the last 5%" in out and "bits per character" in out
    sample = out.split("nats)\n", 1)[1]
    # the prompt and 40 sampled characters
    assert len(sample.rstrip("\n")) >= 40


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no text file"),
        (b"", "is empty"),
        (b"\x89PNG\x00\x00" * 100, "looks binary"),
        (b"too short", "at least 10,000"),
    ],
)
def test_command_clear_errors(tmp_path, capsys, content, message):
    path = tmp_path / "bad.txt"
    if content is not None:
        path.write_bytes(content)
    assert charlm.main([str(path), "--model", "gpt", "--seconds", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_command_entry_point(tmp_path):
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "helpers.charlm",
            str(tmp_path / "missing.txt"),
            "--model",
            "gpt",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (
        run.returncode == 2
        and "no text file" in run.stderr
        and "Traceback" not in run.stderr
    )
    bad = subprocess.run(
        [sys.executable, "-m", "helpers.charlm", "x.txt", "--model", "rnn"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
