"""The Transformer's training step under torchrun with 2 processes (gloo, CPU) equals
one process on the same global batch: identical weights on both ranks after every step,
the same losses."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from helpers import ddp

STEPS = 4


@pytest.mark.skipif(
    shutil.which("torchrun") is None
    and not (Path(sys.executable).parent / "torchrun").exists(),
    reason="torchrun not installed",
)
def test_two_ranks_match_one_process(tmp_path):
    torchrun = str(Path(sys.executable).parent / "torchrun")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TQDM_DISABLE": "1"}
    cmd = [
        torchrun,
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "helpers.ddp",
        "--steps",
        str(STEPS),
        "--global-batch",
        "8",
        "--record",
        str(tmp_path / "ddp"),
    ]
    run = subprocess.run(
        cmd,
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    single = ddp.run(steps=STEPS, global_batch=8, record=str(tmp_path / "one"))
    r0 = json.loads((tmp_path / "ddp" / "rank0_losses.json").read_text())
    r1 = json.loads((tmp_path / "ddp" / "rank1_losses.json").read_text())
    assert r0["world"] == r1["world"] == 2 and r0["losses"] == r1["losses"]
    assert max(abs(a - b) for a, b in zip(r0["losses"], single)) < 1e-4, (
        r0["losses"],
        single,
    )
    for step in range(STEPS):
        w0 = torch.load(tmp_path / "ddp" / f"rank0_step{step}.pt")
        w1 = torch.load(tmp_path / "ddp" / f"rank1_step{step}.pt")
        w = torch.load(tmp_path / "one" / f"rank0_step{step}.pt")
        assert torch.equal(w0, w1), f"ranks differ after step {step}"
        assert (w0 - w).abs().max() < 1e-4, (
            f"step {step}: DDP and one process differ by {(w0 - w).abs().max():.2e}"
        )
    assert single[-1] < single[0]
