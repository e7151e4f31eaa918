"""The command-line tools as a reader uses them (issue 19): ``python -m
helpers.translate train / apply / download`` and ``python -m helpers.charlm train /
sample``: save, reload, resume, Ctrl-C, the device they pick, and one line for every
bad input."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import fake_device
import pytest
import torch
from fake_device import DEV, FakeDevice
from test_download import Server

from helpers import charlm, translate
from helpers import checkpoint as ck
from helpers.pairs import number_task

ROOT = Path(__file__).resolve().parents[1]
TEXT = (
    "The quick brown fox jumps over the lazy dog. A stitch in time saves nine. "
    "Ask not what your country can do for you. To be or not to be, that is it.\n"
) * 90  # about 14,000 characters


@pytest.fixture(scope="module")
def pairs_file(tmp_path_factory) -> Path:
    """300 English<TAB>French number pairs, Tatoeba's three-column format."""
    path = tmp_path_factory.mktemp("data") / "numbers.tsv"
    rows = number_task(300, 0, 0, max_value=1000).train
    path.write_text(
        "".join(f"{' '.join(s)}\t{' '.join(t)}\tCC-BY\n" for s, t in rows),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def text_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "text.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setenv("TQDM_DISABLE", "1")
    monkeypatch.setenv("NLPBOOK_DEVICE", "cpu")


def small(*extra: str) -> list[str]:
    return ["--steps", "3", "--seconds", "60", *extra]


# ---- translate: train, save, apply, resume -------------------------------------------


def test_translate_train_apply_resume(pairs_file, tmp_path, capsys, monkeypatch):
    model = tmp_path / "m.pt"
    args = ["train", str(pairs_file), *small("--hidden", "16", "--save", str(model))]
    assert translate.main(args) == 0
    out = capsys.readouterr().out
    assert "device: cpu" in out and "BLEU" in out and "too few to learn" in out
    c = ck.load(model, tool="translate")
    assert c.history["steps"][-1] == 3 and c.split_seed == 0
    assert {"source", "target"} <= set(c.vocabs) and c.config["model"] == "lstm"

    assert translate.main(["apply", str(model), "one hundred", "two"]) == 0
    first = capsys.readouterr().out.splitlines()
    assert len(first) == 2
    monkeypatch.setattr(sys, "stdin", io.StringIO("one hundred\n\ntwo\n"))
    assert translate.main(["apply", str(model)]) == 0
    again = capsys.readouterr().out.splitlines()
    assert again == [first[0], "", first[1]]  # same model, same outputs, a line each

    # a fresh object from the file gives the same translations as the saved model
    net, sv, tv, _ = translate.load_model(model, torch.device("cpu"))
    again = translate.translate(net, [["one", "hundred"]], sv, tv)
    assert translate.detokenize(again[0]) == first[0]

    resumed = ["train", str(pairs_file), *small("--resume", str(model))]
    assert translate.main([*resumed, "--save", str(model)]) == 0
    assert "resuming" in capsys.readouterr().out
    assert ck.load(model).history["steps"][-1] == 6
    assert translate.main([*resumed, "--model", "transformer"]) == 2
    assert "holds a lstm model" in capsys.readouterr().err


def test_translate_without_command_still_trains(pairs_file, capsys):
    assert translate.main([str(pairs_file), *small("--hidden", "8")]) == 0
    assert "not saved: give --save FILE" in capsys.readouterr().out


def test_transformer_round_trip(pairs_file, tmp_path, capsys):
    model = tmp_path / "t.pt"
    args = ["train", str(pairs_file), "--model", "transformer", "--save", str(model)]
    assert translate.main([*args, *small()]) == 0
    assert translate.main(["apply", str(model), "three", "--beam", "2"]) == 0
    assert ck.load(model).config["model"] == "transformer"


# ---- charlm: train, save, sample, resume ---------------------------------------------


@pytest.mark.parametrize("kind", ["lstm", "gpt"])
def test_charlm_train_sample_resume(kind, text_file, tmp_path, capsys):
    model = tmp_path / "lm.pt"
    args = ["train", str(text_file), "--model", kind, "--save", str(model)]
    assert charlm.main([*args, *small("--hidden", "16", "--length", "20")]) == 0
    out = capsys.readouterr().out
    assert "device: cpu" in out and "after only 3 training steps" in out
    sample = ["sample", str(model), "--prompt", "The ", "--length", "25"]
    assert charlm.main(sample) == 0
    text = capsys.readouterr().out
    assert text.startswith("The ") and len(text.rstrip("\n")) == 29
    assert charlm.main(sample) == 0 and capsys.readouterr().out == text  # seeded
    # a fresh object from the file gives the same text
    net, vocab, _ = charlm.load_model(model, torch.device("cpu"))
    assert charlm.sample(net, vocab, "The ", length=25, temperature=0.8) + "\n" == text

    resume = ["train", str(text_file), "--resume", str(model), "--save", str(model)]
    assert charlm.main([*resume, *small("--length", "5")]) == 0
    assert ck.load(model, tool="charlm").history["steps"][-1] == 6


def test_charlm_sample_refuses_unseen_characters(text_file, tmp_path, capsys):
    model = tmp_path / "lm.pt"
    assert (
        charlm.main(
            ["train", str(text_file), "--save", str(model), *small("--hidden", "8")]
        )
        == 0
    )
    capsys.readouterr()
    assert charlm.main(["sample", str(model), "--prompt", "Zß"]) == 2
    err = capsys.readouterr().err
    assert "never saw" in err and len(err.strip().splitlines()) == 1


# ---- checkpoints from the command line -----------------------------------------------


def test_apply_and_sample_say_what_is_wrong_with_the_file(tmp_path, capsys):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    for main, cmd in ((translate.main, "apply"), (charlm.main, "sample")):
        assert (
            main([cmd, str(tmp_path / "none.pt"), *(["x"] if cmd == "apply" else [])])
            == 2
        )
        assert "no checkpoint at" in capsys.readouterr().err
        assert main([cmd, str(bad), *(["x"] if cmd == "apply" else [])]) == 2
        err = capsys.readouterr().err
        assert "not a checkpoint of this book" in err and err.count("\n") == 1


# ---- bad input: one line, exit 2, before any training --------------------------------


BAD = [
    (translate, ["train", "P", "--seconds", "0"], "seconds above 0, got 0"),
    (translate, ["train", "P", "--seconds", "-5"], "seconds above 0, got -5"),
    (translate, ["train", "P", "--seconds", "nan"], "got nan"),
    (translate, ["train", "P", "--seconds", "inf"], "got inf"),
    (translate, ["P", "--seconds", "0"], "seconds above 0"),
    (translate, ["train", "P", "--steps", "0"], "whole number >= 1, got 0"),
    (translate, ["train", "P", "--beam", "0"], "whole number >= 1, got 0"),
    (translate, ["apply", "m.pt", "x", "--beam", "0"], "whole number >= 1, got 0"),
    (translate, ["apply", "m.pt", "x", "--max-len", "0"], "whole number >= 1"),
    (charlm, ["train", "T", "--seconds", "nan"], "got nan"),
    (charlm, ["train", "T", "--steps", "0"], "whole number >= 1, got 0"),
    (charlm, ["train", "T", "--temperature", "-1"], "number >= 0, got -1"),
    (charlm, ["train", "T", "--length", "0"], "whole number >= 1, got 0"),
    (charlm, ["sample", "m.pt", "--temperature", "-0.5"], "number >= 0, got -0.5"),
    (charlm, ["sample", "m.pt", "--length", "0"], "whole number >= 1, got 0"),
]


@pytest.mark.parametrize("tool, argv, message", BAD)
def test_bad_arguments_one_line(tool, argv, message, capsys):
    with pytest.raises(SystemExit) as e:
        tool.main(argv)
    err = capsys.readouterr().err
    assert e.value.code == 2 and message in err, err
    assert err.count("\n") == 1 and "usage:" not in err and "Traceback" not in err


def test_bad_files_one_line(tmp_path, capsys):
    (tmp_path / "d").mkdir()
    utf16 = tmp_path / "u16.tsv"
    utf16.write_bytes("go.\tva !\n".encode("utf-16") * 200)
    for path, message in ((tmp_path / "d", "is a directory"), (utf16, "UTF-16")):
        assert translate.main(["train", str(path), *small()]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1
    assert charlm.main(["train", str(tmp_path / "d"), *small()]) == 2
    assert "is a directory" in capsys.readouterr().err


# ---- download fra --------------------------------------------------------------------


def test_download_fra_from_a_loopback_server(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NLPBOOK_DATA", str(tmp_path))
    monkeypatch.setenv("NO_PROXY", "*")
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.delenv("NLPBOOK_OFFLINE", raising=False)
    body = "Go.\tVa !\tCC-BY 2.0 (France)\n" * 120
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("fra.txt", body)
        zf.writestr("_about.txt", "about")
    srv = Server({"/anki/fra-eng.zip": buf.getvalue()})
    srv.thread.start()
    try:
        url = srv.url("/anki/fra-eng.zip")
        assert translate.main(["download", "fra", "--url", url]) == 0
        path = Path(capsys.readouterr().out.strip())
        assert path == tmp_path / "fra.txt" and path.read_text() == body
        monkeypatch.setenv("NLPBOOK_OFFLINE", "1")  # cached: no network needed
        assert translate.main(["download", "fra", "--url", url]) == 0
        assert srv.requests == ["/anki/fra-eng.zip"]
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()


def test_download_fra_offline_says_how(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NLPBOOK_DATA", str(tmp_path))
    monkeypatch.setenv("NLPBOOK_OFFLINE", "1")
    assert translate.main(["download", "fra"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "manythings.org/anki/fra-eng.zip" in err
    assert "by hand" in err


# ---- the device each tool picks ------------------------------------------------------


@pytest.mark.parametrize("tool", ["translate", "charlm"])
def test_tools_train_on_the_picked_device(
    tool, pairs_file, text_file, tmp_path, capsys, monkeypatch
):
    module = translate if tool == "translate" else charlm
    monkeypatch.setattr(module, "pick_device", lambda: DEV)
    data = pairs_file if tool == "translate" else text_file
    model = tmp_path / "m.pt"
    argv = ["train", str(data), "--save", str(model), *small("--hidden", "8")]
    if tool == "charlm":
        argv += ["--length", "5"]
    else:  # (the fake device cannot pack the LSTM's padded batches: CUDA's rule there
        # is CPU lengths beside device data, which it does not model)
        argv += ["--model", "transformer"]
    before = dict(fake_device.stats)
    with FakeDevice():
        assert module.main(argv) == 0
    used = {k: fake_device.stats[k] - before[k] for k in before}
    assert "device: meta" in capsys.readouterr().out
    assert used["dev_mm"] > 0 and used["cpu_mm"] == 0, used
    assert ck.load(model).weights  # saved from the device to a CPU file


# ---- Ctrl-C from a shell -------------------------------------------------------------


@pytest.mark.parametrize("tool", ["translate", "charlm"])
def test_ctrl_c_stops_evaluates_saves_and_exits_130(
    tool, pairs_file, text_file, tmp_path
):
    data = pairs_file if tool == "translate" else text_file
    model = tmp_path / "m.pt"
    cmd = [sys.executable, "-m", f"helpers.{tool}", "train", str(data),
           "--seconds", "300", "--save", str(model), "--hidden", "16"]  # fmt: skip
    env = {**os.environ, "TQDM_DISABLE": "1", "NLPBOOK_DEVICE": "cpu",
           "OMP_NUM_THREADS": "1"}  # fmt: skip
    p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)  # fmt: skip
    lines = []
    for line in p.stdout:  # wait until training has started
        lines.append(line)
        if line.startswith("device:"):
            break
    time.sleep(2)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=240)
    out = "".join(lines) + out
    assert p.returncode == 130, (out, err)
    assert "stopped by Ctrl-C after" in out and "Traceback" not in err
    assert ("BLEU" in out) if tool == "translate" else ("bits per character" in out)
    c = ck.load(model, tool=tool)
    assert c.history["steps"]
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".part")]
    json.dumps(c.extra)  # plain data
