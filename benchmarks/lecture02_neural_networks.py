"""Lecture 02 benchmark: the window classifier (F1) with each embedding, polarity
accuracy, and the regularisation results, as computed by the notebook itself. One JSON
line a metric."""

from __future__ import annotations

import json
import platform

import torch
from notebook_results import run_notebook


def run() -> list[dict]:
    results, seconds = run_notebook("02_neural_networks.ipynb")
    machine = (
        f"{platform.machine()} {torch.get_num_threads()} threads, torch "
        f"{torch.__version__}"
    )
    return [
        dict(
            lecture="02",
            metric=k,
            value=round(float(v), 4),
            notebook_s=round(seconds, 1),
            machine=machine,
        )
        for k, v in results.items()
    ]


if __name__ == "__main__":
    for row in run():
        print(json.dumps(row))
