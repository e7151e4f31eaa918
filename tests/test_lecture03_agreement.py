"""Lecture 03's agreement test, as the notebook defines it: the batches say what they
claim (subject, attractors, agreeing verb), and the scoring follows the model's device.

The functions come from the notebook's cells with its imports and nothing else
(``definitions``), so they must take what they use as arguments.
"""

from __future__ import annotations

import numpy as np
import torch
from fake_device import DEV
from test_notebook_devices import CPU, definitions, on_device

NB = "03_language_models.ipynb"
# ids: 0-5 three nouns (singular, plural), 6 "is", 7 "are", 8-19 running text
PAIR_IDS = np.array([[0, 1], [2, 3], [4, 5]])
VERB_IDS = (6, 7)
TEXT = np.random.default_rng(0).integers(8, 20, 500)


def test_agreement_batch_has_subject_attractors_and_agreeing_verb():
    batch = definitions(NB, ["agreement_batch"])["agreement_batch"]
    X, y = batch(64, 5, 9, np.random.default_rng(3), TEXT, PAIR_IDS, VERB_IDS)
    X2, y2 = batch(64, 5, 9, np.random.default_rng(3), TEXT, PAIR_IDS, VERB_IDS)
    assert torch.equal(X, X2) and torch.equal(y, y2)  # the rng decides everything
    L = X.shape[1] - 2
    assert X.shape == (64, L + 2) and 5 <= L <= 9 and set(y.tolist()) == {0, 1}
    X, y = X.numpy(), y.numpy()
    # the subject has the number y, the verb agrees with it
    assert (PAIR_IDS[:, 1][:, None] == X[:, 0]).any(0).tolist() == (y == 1).tolist()
    assert (X[:, 0][:, None] == PAIR_IDS.ravel()).any(1).all()
    assert X[:, -1].tolist() == [VERB_IDS[v] for v in y]
    # in between: running text and, in some rows, nouns of the other number only
    middle = X[:, 1:-1]
    other = [set(PAIR_IDS[:, 1 - v].tolist()) for v in y]
    nouns = [set(row.tolist()) & set(PAIR_IDS.ravel().tolist()) for row in middle]
    assert all(n <= o for n, o in zip(nouns, other))
    assert 0 < sum(bool(n) for n in nouns) < 64
    assert not np.isin(middle, VERB_IDS).any()


def test_agreement_scoring_follows_the_model_device():
    nb = definitions(NB, ["agreement_batch", "WordLM", "agrees"])
    X, y = nb["agreement_batch"](
        8, 4, 4, np.random.default_rng(1), TEXT, PAIR_IDS, VERB_IDS
    )

    def score(device):
        torch.manual_seed(0)
        model = nb["WordLM"](20, "lstm", hidden=16).to(device)
        return nb["agrees"](model, X, y, VERB_IDS)

    on_dev, used = on_device(score, DEV)
    on_cpu = score(CPU)
    assert on_dev.device == CPU and torch.allclose(on_dev, on_cpu)
    assert set(on_cpu.tolist()) <= {0.0, 1.0} and used["dev"] > used["cpu"]
