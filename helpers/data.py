"""Real text and evaluation sets that ship inside gensim's wheel, so nothing downloads.

* ``wiki_paragraphs()``: the Wikipedia excerpt bundled with gensim (about 460k tokens),
  parsed to lower-case paragraphs of letters-only tokens.
* ``load_word_pairs("wordsim353" | "simlex999")``: word pairs with human similarity
  scores.
* ``load_analogies()``: the Google analogy set (a : b :: c : d), with its sections.
"""

from __future__ import annotations

import bz2
import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .text import Vocab

WIKI_FILE = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"
PAIR_FILES = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt"}
ANALOGY_FILE = "questions-words.txt"
POLARITY_FILE = "pang_lee_polarity.cor"
_TOKEN = re.compile(r"[a-z]+")
_CASED = re.compile(r"[A-Za-z]+|[.!?]")


def gensim_data_file(name: str) -> Path:
    """Path of a file in gensim's bundled test data, with a clear error if it is not
    there."""
    try:
        from gensim.test.utils import datapath
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the book's offline data ships inside gensim: `pip install gensim>=4.3`"
        ) from e
    path = Path(datapath(name))
    if not path.is_file():
        raise FileNotFoundError(
            f"expected gensim's bundled data file {name!r} at {path}, but it is not "
            "there; reinstall gensim (`pip install --force-reinstall gensim`)"
        )
    return path


def letter_runs(text: str) -> list[str]:
    """Lower-case and keep runs of letters: ``"Rock'n'roll, 1950s!" -> ['rock', 'n',
    'roll', 's']``."""
    return _TOKEN.findall(text.lower())


def _wiki_lines():
    """Every line of every article of the excerpt, wiki markup stripped by gensim's
    filter_wiki."""
    from gensim.corpora.wikicorpus import extract_pages, filter_wiki

    with bz2.open(gensim_data_file(WIKI_FILE)) as f:
        for _title, text, _pageid in extract_pages(f):
            yield from filter_wiki(text).split("\n")


@lru_cache(maxsize=4)
def _wiki_paragraphs(min_tokens: int) -> tuple[tuple[str, ...], ...]:
    toks = (letter_runs(line) for line in _wiki_lines())
    return tuple(tuple(t) for t in toks if len(t) >= min_tokens)


def wiki_paragraphs(min_tokens: int = 3) -> list[list[str]]:
    """The Wikipedia excerpt as paragraphs of tokens (about 11k paragraphs, 462k
    tokens).

    Wiki markup is stripped with gensim's ``filter_wiki``; a paragraph is a line of the
    cleaned article; paragraphs shorter than ``min_tokens`` (headings, list debris) are
    dropped.
    """
    return [list(p) for p in _wiki_paragraphs(min_tokens)]


@lru_cache(maxsize=2)
def _wiki_sentences_cased(min_tokens: int) -> tuple[tuple[str, ...], ...]:
    out = []
    for line in _wiki_lines():
        sentence: list[str] = []
        for tok in _CASED.findall(line) + ["."]:
            if tok in ".!?":
                if len(sentence) >= min_tokens:
                    out.append(tuple(sentence))
                sentence = []
            else:
                sentence.append(tok)
    return tuple(out)


def wiki_sentences_cased(min_tokens: int = 3) -> list[list[str]]:
    """The same Wikipedia excerpt split into sentences (at . ! ?) of letters-only
    tokens, case kept.

    Used where case is the label (is a word capitalised mid-sentence?) while inputs are
    lower-cased.
    """
    return [list(s) for s in _wiki_sentences_cased(min_tokens)]


def load_polarity() -> tuple[list[list[str]], list[int]]:
    """The Pang-Lee movie-review polarity sentences bundled with gensim (200 sentences).

    Returns the tokenised sentences (lower-case letters-only tokens) and labels (1
    positive, 0 negative).
    """
    texts, labels = [], []
    for line in (
        gensim_data_file(POLARITY_FILE)
        .read_text(encoding="utf8", errors="replace")
        .splitlines()
    ):
        if not line.strip():
            continue
        label, _, text = line.partition(" ")
        if label not in ("__label__pos", "__label__neg"):
            raise ValueError(
                f"unexpected label {label!r} in {POLARITY_FILE}: expected __label__pos "
                "or __label__neg"
            )
        texts.append(letter_runs(text))
        labels.append(int(label == "__label__pos"))
    return texts, labels


class WordPair(NamedTuple):
    a: str
    b: str
    score: float


def load_word_pairs(name: str) -> list[WordPair]:
    """A similarity benchmark: ``"wordsim353"`` (353 pairs, relatedness) or
    ``"simlex999"`` (999 pairs, similarity proper). Words lower-cased; scores are the
    human means."""
    if name not in PAIR_FILES:
        raise ValueError(
            f"unknown word-pair set {name!r}; expected one of {sorted(PAIR_FILES)}"
        )
    pairs = []
    for line in (
        gensim_data_file(PAIR_FILES[name]).read_text(encoding="utf8").splitlines()
    ):
        if not line.strip() or line.startswith("#"):
            continue
        a, b, score = line.split("\t")[:3]
        pairs.append(WordPair(a.lower(), b.lower(), float(score)))
    return pairs


class Analogy(NamedTuple):
    a: str
    b: str
    c: str
    d: str
    section: str


def load_analogies() -> list[Analogy]:
    """The Google analogy set, ``a : b :: c : d`` (19,544 questions in 14 sections)."""
    out, section = [], ""
    for line in gensim_data_file(ANALOGY_FILE).read_text(encoding="utf8").splitlines():
        if line.startswith(":"):
            section = line[1:].strip()
        elif line.strip():
            a, b, c, d = line.lower().split()
            out.append(Analogy(a, b, c, d, section))
    return out


class LMSplits(NamedTuple):
    train: str
    val: str
    test: str

    def char_ids(self) -> tuple[Vocab, tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """The character ladder's data, as lecture 03 builds it: ``(vocab, (train,
        val, test))``, one ``Vocab.of_chars`` over all three parts and each part's
        (N,) int64 ids."""
        vocab = Vocab.of_chars(self.train + self.val + self.test)
        return vocab, tuple(np.asarray(vocab.encode(part)) for part in self)


@lru_cache(maxsize=1)
def lm_splits() -> LMSplits:
    """The language-modelling split used by every model of the book, fixed once.

    The Wikipedia excerpt's paragraphs (lower-case letters-only tokens, one space
    between words, a newline between paragraphs: 28 symbols) cut in order into 90%
    train, 5% validation and 5% test by paragraph, so no paragraph is split. Word-level
    models split each part on whitespace.
    """
    paras = [" ".join(p) for p in _wiki_paragraphs(3)]
    n = len(paras)
    a, b = int(0.9 * n), int(0.95 * n)
    return LMSplits("\n".join(paras[:a]), "\n".join(paras[a:b]), "\n".join(paras[b:]))
