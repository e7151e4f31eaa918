"""helpers.checkpoint: the round trip, atomic writes, and a one-line error for a
missing, truncated, foreign or other-version file."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import torch
import torch.nn as nn

from helpers import checkpoint as ck


def make() -> tuple[nn.Module, ck.Checkpoint]:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Embedding(7, 4), nn.Linear(4, 7))
    opt = torch.optim.Adam(net.parameters())
    net(torch.tensor([1, 2])).sum().backward()
    opt.step()
    c = ck.Checkpoint(
        tool="charlm",
        config={"model": "toy", "vocab_size": 7},
        weights=net.state_dict(),
        vocabs={"chars": {"itos": list("abcdefg"), "counts": [1] * 7, "specials": []}},
        history={"steps": [1, 2], "loss": [2.5, 2.0]},
        optimizer=opt.state_dict(),
        seed=3,
        split_seed=4,
        extra={"file": "x.txt"},
    )
    return net, c


def one_line(e: pytest.ExceptionInfo) -> str:
    msg = str(e.value)
    assert "\n" not in msg, msg
    return msg


def test_round_trip(tmp_path: Path) -> None:
    net, c = make()
    path = ck.save(c, tmp_path / "sub" / "m.pt")
    back = ck.load(path, tool="charlm")
    assert (back.config, back.vocabs, back.history) == (c.config, c.vocabs, c.history)
    assert (back.seed, back.split_seed, back.extra) == (3, 4, {"file": "x.txt"})
    net2 = nn.Sequential(nn.Embedding(7, 4), nn.Linear(4, 7))
    net2.load_state_dict(back.weights)
    x = torch.tensor([0, 3, 6])
    assert torch.equal(net(x), net2(x))
    opt2 = torch.optim.Adam(net2.parameters())
    opt2.load_state_dict(back.optimizer)  # the optimizer resumes too
    assert [p.name for p in tmp_path.joinpath("sub").iterdir()] == ["m.pt"]


def test_missing_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ck.CheckpointError) as e:
        ck.load(tmp_path / "nope.pt")
    assert "no checkpoint at" in one_line(e)
    with pytest.raises(ck.CheckpointError) as e:
        ck.load(tmp_path)
    assert "is a directory" in one_line(e)


def test_truncated(tmp_path: Path) -> None:
    _, c = make()
    path = ck.save(c, tmp_path / "m.pt")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ck.CheckpointError) as e:
        ck.load(path)
    assert "truncated or corrupt" in one_line(e)


def test_foreign_files(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    with pytest.raises(ck.CheckpointError) as e:
        ck.load(text)
    assert "not a checkpoint of this book" in one_line(e)
    plain = tmp_path / "weights.pt"  # a bare state_dict from elsewhere
    torch.save(nn.Linear(2, 2).state_dict(), plain)
    with pytest.raises(ck.CheckpointError) as e:
        ck.load(plain)
    assert "no 'format'" in one_line(e)
    evil = tmp_path / "evil.pt"  # a pickled object: weights_only refuses to run it
    torch.save({"format": ck.FORMAT, "x": pickle.loads(pickle.dumps(Path("/")))}, evil)
    with pytest.raises(ck.CheckpointError) as e:
        ck.load(evil)
    assert "weights_only=True refused it" in one_line(e)


def test_other_version_and_tool(tmp_path: Path, monkeypatch) -> None:
    _, c = make()
    monkeypatch.setattr(ck, "VERSION", 99)
    path = ck.save(c, tmp_path / "m.pt")
    monkeypatch.setattr(ck, "VERSION", 1)
    with pytest.raises(ck.CheckpointError) as e:
        ck.load(path)
    assert "format version 99" in one_line(e) and "reads version 1" in one_line(e)
    path = ck.save(c, tmp_path / "m.pt")
    with pytest.raises(ck.CheckpointError) as e:
        ck.load(path, tool="translate")
    assert "helpers.charlm, not of helpers.translate" in one_line(e)


def test_interrupted_save_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch):
    _, c = make()
    path = ck.save(c, tmp_path / "m.pt")
    before = path.read_bytes()

    def boom(obj, f, *a, **k):
        f.write(b"PK\x03\x04half")
        raise KeyboardInterrupt

    monkeypatch.setattr(ck.torch, "save", boom)
    with pytest.raises(KeyboardInterrupt):
        ck.save(c, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]


def test_save_to_directory_refused(tmp_path: Path) -> None:
    _, c = make()
    with pytest.raises(ck.CheckpointError) as e:
        ck.save(c, tmp_path)
    assert "is a directory" in one_line(e)
