"""Data-parallel training of the lecture-05 Transformer with PyTorch DDP, under
``torchrun``.

    # 2 processes on a CPU (gloo); 8 GPUs on one machine (NCCL); one process, the same
    # global batch:
    torchrun --nproc_per_node=2 -m helpers.ddp --steps 5
    torchrun --nproc_per_node=8 -m helpers.ddp --steps 2000
    python -m helpers.ddp --steps 5

Every rank draws the same global batch of windows from the book's training text (one
seeded generator) and trains on its own share of the rows; DDP averages the gradients,
so every rank takes the same Adam step as one process on the whole batch. ``--record
DIR`` writes, per rank, the loss (averaged over ranks) and the parameters after every
step, for the test that checks both.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

from . import data
from .device import pick_device
from .text import Vocab
from .train import constant, train
from .transformer import GPT


def init() -> tuple[int, int, torch.device]:
    """Join the process group torchrun describes (gloo on CPU, NCCL on GPUs); (0, 1,
    device) alone. The device is ``pick_device()``'s (``NLPBOOK_DEVICE`` forces one);
    each rank takes its own GPU."""
    device = pick_device()
    if "RANK" not in os.environ:
        return 0, 1, device
    cuda = device.type == "cuda"
    dist.init_process_group("nccl" if cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    if cuda:
        device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}")
        torch.cuda.set_device(device)
    return rank, world, device


def run(
    steps: int = 5,
    global_batch: int = 8,
    block: int = 32,
    lr: float = 1e-3,
    seed: int = 0,
    record: str | None = None,
    model_kwargs: dict | None = None,
) -> list[float]:
    """Train a small GPT for ``steps`` steps on ``global_batch`` windows a step, split
    over the ranks. Returns the loss of each step (mean over the global batch)."""
    rank, world, device = init()
    if global_batch % world:
        raise ValueError(
            f"the global batch ({global_batch}) must divide evenly over {world} "
            "processes"
        )
    if world > 1 and device.type == "cpu":
        # the cores are shared by the ranks
        torch.set_num_threads(1)
    text = data.lm_splits().train[:200_000]
    vocab = Vocab.of_chars(data.lm_splits().train)
    ids = torch.as_tensor(vocab.encode(text))
    # same initial weights on every rank
    torch.manual_seed(seed)
    model = GPT(
        len(vocab),
        block_size=block,
        **(model_kwargs or {"n_layer": 2, "n_head": 2, "d_model": 32}),
    ).to(device)
    net = DDP(model) if world > 1 else model
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    # same batches on every rank
    g = torch.Generator().manual_seed(seed + 1)

    def batches():
        while True:
            starts = torch.randint(
                0, len(ids) - block - 1, (global_batch,), generator=g
            )
            # this rank's share of the rows
            mine = starts[rank::world]
            # (B / world, block) each
            x = torch.stack([ids[s : s + block] for s in mine]).to(device)
            y = torch.stack([ids[s + 1 : s + block + 1] for s in mine]).to(device)
            yield x, y

    last = []  # the loss of the step just taken

    def step(batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        x, y = batch
        logits = net(x)  # (B / world, block, V)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        last[:] = [loss.detach().clone()]
        return loss  # the loop's backward: DDP all-reduces (averages) the gradients

    out = Path(record) if record else None
    if out:
        out.mkdir(parents=True, exist_ok=True)

    losses: list[float] = []

    def after_step() -> dict[str, float]:
        # the loop's hook after every step (every=1): the loss averaged over the ranks
        mean_loss = last[0]
        if world > 1:
            dist.all_reduce(mean_loss)
            mean_loss /= world
        if out:
            flat = torch.cat([p.detach().reshape(-1).cpu() for p in model.parameters()])
            torch.save(flat, out / f"rank{rank}_step{len(losses)}.pt")
        losses.append(mean_loss.item())
        return {"mean_loss": losses[-1]}

    train(
        step,
        batches(),
        steps=steps,
        schedule=constant(lr),
        optimizer=opt,
        model=net,
        evaluate=after_step,
        every=1,
        desc=f"rank {rank}",
        show_progress=rank == 0,
    )
    if out:
        (out / f"rank{rank}_losses.json").write_text(
            json.dumps({"world": world, "losses": losses})
        )
    if world > 1:
        dist.destroy_process_group()
    return losses


def main(argv: list[str] | None = None) -> None:
    from .cli import Parser, int_at_least

    p = Parser(prog="helpers.ddp", description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int_at_least(1), default=5)
    p.add_argument("--global-batch", type=int_at_least(1), default=8)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument(
        "--record", default=None, help="folder for per-step losses and parameters"
    )
    a = p.parse_args(argv)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if a.global_batch % world:  # one line (from rank 0), before any process group
        if int(os.environ.get("RANK", "0")) == 0:
            print(
                f"{p.prog}: error: --global-batch {a.global_batch} does not divide "
                f"over {world} processes: expected a multiple of {world}",
                file=sys.stderr,
            )
        sys.exit(2)
    losses = run(a.steps, a.global_batch, lr=a.lr, record=a.record)
    if int(os.environ.get("RANK", "0")) == 0:
        print("losses (nats per character):", " ".join(f"{x:.4f}" for x in losses))


if __name__ == "__main__":
    main()
