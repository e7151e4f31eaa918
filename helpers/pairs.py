"""Sentence pairs for translation (lecture 04, reused in 05): tokens, the number task,
pairs files, vocabularies, padded batches. (BLEU is in ``helpers.evaluate``.)

* ``number_task``: English number words to French ones, generated offline by
  ``num2words`` (real French: "ninety-seven" -> "quatre-vingt-dix-sept"), numbers drawn
  log-uniformly, the train/validation/test splits disjoint by number.
* ``read_pairs``: a Tatoeba-style tab-separated file
  (``English<TAB>French[<TAB>attribution]``, the format of the Anki eng-fra file), from
  a local path, with clear errors for bad files (``helpers.download.fra_eng`` fetches
  Tatoeba's English-French file: ``python -m helpers.translate download fra``).
* ``split_pairs`` keeps every translation of a source on one side of the split;
  ``group_references`` gathers them for multi-reference BLEU.
* ``build_vocabs``, ``batches``: ids with ``<pad>``, ``<bos>``, ``<eos>``, ``<unk>``;
  padded batches.
"""

from __future__ import annotations

import math
import random
import re
from collections import Counter
from pathlib import Path
from typing import Iterator, NamedTuple, Sequence

import torch

from .text import SPECIALS, Vocab, read_utf8

Pair = tuple[list[str], list[str]]  # (source tokens, target tokens)
_TOKEN = re.compile(r"\w+|[^\w\s]")


def words_and_marks(text: str) -> list[str]:
    """Lower-case; words and single punctuation marks (a typographic apostrophe is read
    as ``'``): ``"Quatre-vingt-dix, non!"`` -> ``['quatre', '-', 'vingt', '-', 'dix',
    ',', 'non', '!']``; ``"J’ai"`` -> ``['j', "'", 'ai']``."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def detokenize(tokens: Sequence[str]) -> str:
    """Tokens back to text: hyphens and apostrophes glue their neighbours ("i'm",
    "j'ai", "l'aide"), other punctuation sticks to the word before."""
    text = " ".join(tokens)
    text = re.sub(r" ?([-']) ?", r"\1", text)
    return re.sub(r" ([,.!?;:])", r"\1", text)


class Splits(NamedTuple):
    train: list[Pair]
    val: list[Pair]
    test: list[Pair]


def number_pair(n: int) -> Pair:
    """The English and French words of ``n`` (num2words), tokenised."""
    from num2words import num2words

    return words_and_marks(num2words(n, lang="en")), words_and_marks(
        num2words(n, lang="fr")
    )


def number_task(
    n_train: int = 20_000,
    n_val: int = 1_000,
    n_test: int = 1_000,
    max_value: int = 10**9,
    seed: int = 0,
) -> Splits:
    """Distinct numbers drawn log-uniformly in [1, max_value), shuffled and cut into
    train, validation and test (disjoint by number), as (English tokens, French tokens)
    pairs."""
    total = n_train + n_val + n_test
    if total > max_value // 2:
        raise ValueError(
            f"{total:,} distinct numbers asked for below {max_value:,}: too many"
        )
    rng = random.Random(seed)
    seen: set[int] = set()
    order: list[int] = []
    while len(order) < total:
        n = int(10 ** rng.uniform(0, math.log10(max_value)))
        if n not in seen:
            seen.add(n)
            order.append(n)
    pairs = [number_pair(n) for n in order]
    return Splits(
        pairs[:n_train], pairs[n_train : n_train + n_val], pairs[n_train + n_val :]
    )


def read_pairs(path: str | Path, max_len: int = 20, min_pairs: int = 100) -> list[Pair]:
    """Sentence pairs from a tab-separated file, one ``source<TAB>target[<TAB>...]`` a
    line (extra columns, such as Tatoeba's attribution, are ignored). Tokenised and
    lower-cased; pairs with a side longer than ``max_len`` tokens or empty are dropped.
    Clear errors for a missing, empty, binary, non-UTF-8, not tab-separated or too small
    file."""
    text = read_utf8(
        path,
        "pairs file",
        "a text file of 'source<TAB>target' lines (e.g. Tatoeba's eng-fra fra.txt)",
    )
    lines = [line for line in text.splitlines() if line.strip()]
    tabbed = [line for line in lines if "\t" in line]
    if len(tabbed) < len(lines) / 2:
        first = lines[0][:60]
        raise ValueError(
            f"{path} is not tab-separated: {len(lines) - len(tabbed):,} of "
            f"{len(lines):,} lines have no tab (first line: {first!r}); expected "
            "'source<TAB>target' lines"
        )
    pairs = []
    for line in tabbed:
        src, tgt = line.split("\t")[:2]
        s, t = words_and_marks(src), words_and_marks(tgt)
        if 0 < len(s) <= max_len and 0 < len(t) <= max_len:
            pairs.append((s, t))
    if len(pairs) < min_pairs:
        raise ValueError(
            f"{path} gives {len(pairs):,} usable pairs (both sides 1..{max_len} "
            f"tokens); at least {min_pairs:,} are needed to train and evaluate a "
            "translation model"
        )
    return pairs


def _source(pair) -> object:
    """What a pair is grouped by: its source tokens (the item itself if it is not a
    pair)."""
    try:
        return tuple(pair[0])
    except TypeError:
        return pair


def split_pairs(
    pairs: Sequence[Pair], held_out: float = 0.1, seed: int = 0
) -> tuple[list[Pair], list[Pair]]:
    """A seeded shuffle of the distinct sources cut into (train, held-out): every
    translation of a source lands on the same side as the source (Tatoeba has several
    for many sentences), so no held-out source is seen in training. The held-out side
    gets ``held_out`` of the sources, at least one; pairs keep their file order."""
    if not 0 < held_out < 1:
        raise ValueError(f"held_out must be between 0 and 1, got {held_out}")
    sources = list(dict.fromkeys(_source(p) for p in pairs))
    random.Random(seed).shuffle(sources)
    k = max(1, int(round(held_out * len(sources))))
    test = set(sources[:k])
    return (
        [p for p in pairs if _source(p) not in test],
        [p for p in pairs if _source(p) in test],
    )


def group_references(
    pairs: Sequence[Pair],
) -> tuple[list[list[str]], list[list[list[str]]]]:
    """(sources, references): each distinct source once (in first-seen order) with all
    its targets, for multi-reference BLEU (``evaluate.corpus_bleu(hyps, references)``).
    """
    groups: dict[tuple, list[list[str]]] = {}
    for s, t in pairs:
        groups.setdefault(tuple(s), []).append(list(t))
    return [list(s) for s in groups], list(groups.values())


def build_vocabs(pairs: Sequence[Pair], min_count: int = 1) -> tuple[Vocab, Vocab]:
    """Source and target vocabularies with ``<pad>, <bos>, <eos>, <unk>`` (ids 0..3);
    words seen fewer than ``min_count`` times become ``<unk>``."""
    src = Vocab(Counter(w for s, _ in pairs for w in s), min_count, SPECIALS)
    tgt = Vocab(Counter(w for _, t in pairs for w in t), min_count, SPECIALS)
    return src, tgt


def pad(
    seqs: Sequence[Sequence[int]], pad_id: int, device: torch.device | str | None = None
) -> torch.Tensor:
    """Right-pad lists of ids to one length -> (B, T) int64."""
    T = max(len(s) for s in seqs)
    out = torch.full((len(seqs), T), pad_id, dtype=torch.long)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = torch.as_tensor(s, dtype=torch.long)
    return out.to(device) if device is not None else out


class Batch(NamedTuple):
    src: torch.Tensor  # (B, S) source ids, padded
    src_len: torch.Tensor  # (B,) true source lengths
    # (B, T) <bos> y1 ... yn, padded: the decoder's inputs (teacher forcing)
    tgt_in: torch.Tensor
    tgt_out: torch.Tensor  # (B, T) y1 ... yn <eos>, padded: what it must predict


def make_batch(
    pairs: Sequence[Pair],
    src_vocab: Vocab,
    tgt_vocab: Vocab,
    device: torch.device | str | None = None,
) -> Batch:
    """Encode and pad a list of pairs."""
    src = [src_vocab.encode(s) for s, _ in pairs]
    tgt = [tgt_vocab.encode(t) for _, t in pairs]
    return Batch(
        pad(src, src_vocab.pad_id, device),
        torch.tensor([len(s) for s in src], device=device),
        pad([[tgt_vocab.bos_id] + t for t in tgt], tgt_vocab.pad_id, device),
        pad([t + [tgt_vocab.eos_id] for t in tgt], tgt_vocab.pad_id, device),
    )


def batches(
    pairs: Sequence[Pair],
    src_vocab: Vocab,
    tgt_vocab: Vocab,
    batch_size: int = 64,
    shuffle: bool = True,
    seed: int = 0,
    device: torch.device | str | None = None,
) -> Iterator[Batch]:
    """Endless batches: one pass over ``pairs`` after another, each reshuffled when
    ``shuffle``."""
    if not pairs:
        raise ValueError("no pairs to batch")
    rng = random.Random(seed)
    order = list(range(len(pairs)))
    while True:
        if shuffle:
            rng.shuffle(order)
        for i in range(0, len(order), batch_size):
            yield make_batch(
                [pairs[j] for j in order[i : i + batch_size]],
                src_vocab,
                tgt_vocab,
                device,
            )
