"""Lecture 01 benchmark: our skip-gram with negative sampling against gensim's word2vec.

Same corpus (the gensim-bundled Wikipedia excerpt), same settings (dim 100, window 5, 5
negatives, min_count 5, 20 epochs, sample 1e-3), same test sets. Prints one JSON line a
metric: ``{"lecture": "01", "metric": ..., "ours": ..., "gensim": ..., "time_ratio":
...}``.
"""

from __future__ import annotations

import json
import platform
import zlib

import numpy as np
import torch

from helpers import data, evaluate
from helpers import word2vec as w2v
from helpers.text import Vocab
from helpers.train import Timer


def run(epochs: int = 20, gensim_workers: tuple[int, ...] = (1, 2)) -> list[dict]:
    from gensim.models import Word2Vec

    paragraphs = data.wiki_paragraphs()
    vocab = Vocab.build(paragraphs, min_count=5)
    ids, sent = vocab.encode_corpus(paragraphs)
    with Timer() as t_ours:
        res = w2v.fit_sgns(
            ids, sent, vocab.counts, w2v.SGNSConfig(epochs=epochs), show_progress=False
        )
    sets = {
        "wordsim353": data.load_word_pairs("wordsim353"),
        "simlex999": data.load_word_pairs("simlex999"),
    }
    questions = data.load_analogies()

    def scores(E) -> dict[str, float]:
        out = {
            f"{k}_spearman": evaluate.similarity(E, vocab, v).spearman
            for k, v in sets.items()
        }
        out["analogy_accuracy"] = evaluate.analogies(E, vocab, questions).accuracy
        return out

    ours = scores(res.W_in)
    machine = (
        f"{platform.machine()} {torch.get_num_threads()} threads, torch "
        f"{torch.__version__}"
    )
    rows = []
    for workers in gensim_workers:
        with Timer() as t_g:
            model = Word2Vec(
                paragraphs,
                vector_size=100,
                window=5,
                negative=5,
                min_count=5,
                epochs=epochs,
                sg=1,
                sample=1e-3,
                workers=workers,
                seed=0,
                hashfxn=lambda s: zlib.crc32(s.encode()),
            )
        E = np.stack([model.wv[w] for w in vocab.itos])
        ref = scores(E)
        for metric in ours:
            rows.append(
                dict(
                    lecture="01",
                    metric=metric,
                    ours=round(ours[metric], 4),
                    gensim=round(ref[metric], 4),
                    gensim_workers=workers,
                    ours_s=round(t_ours.seconds, 1),
                    gensim_s=round(t_g.seconds, 1),
                    time_ratio=round(t_ours.seconds / t_g.seconds, 2),
                    machine=machine,
                )
            )
    return rows


if __name__ == "__main__":
    for row in run():
        print(json.dumps(row))
