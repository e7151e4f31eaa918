"""The offline data loaders and the intrinsic evaluations."""

import numpy as np
import pytest

from helpers import data
from helpers.data import Analogy, WordPair
from helpers.evaluate import analogies, neighbours, similarity
from helpers.text import Vocab


def test_wiki_paragraphs_shape():
    paras = data.wiki_paragraphs()
    tokens = sum(map(len, paras))
    assert 10_000 < len(paras) < 12_000 and 440_000 < tokens < 480_000
    assert all(
        len(p) >= 3 and all(w.isalpha() and w.islower() for w in p) for p in paras[:200]
    )
    assert data.letter_runs("Rock'n'roll, 1950s!") == ["rock", "n", "roll", "s"]


def test_evaluation_sets():
    ws, sl, an = (
        data.load_word_pairs("wordsim353"),
        data.load_word_pairs("simlex999"),
        data.load_analogies(),
    )
    assert len(ws) == 353 and len(sl) == 999 and len(an) == 19544
    assert ws[0] == WordPair("love", "sex", 6.77)
    assert an[0] == Analogy(
        "athens", "greece", "baghdad", "iraq", "capital-common-countries"
    )
    with pytest.raises(ValueError, match="expected one of"):
        data.load_word_pairs("men3000")
    with pytest.raises(FileNotFoundError, match="not there"):
        data.gensim_data_file("no-such-file.txt")


VOCAB = Vocab.build([["king", "queen", "man", "woman", "apple"]])
# rows in vocabulary order: apple, king, man, queen, woman
E = np.array(
    [[5, -5, 0], [1, 1, 0], [0, 1, 0.1], [1, 0, 1], [0, 0.1, 1]], dtype=np.float32
)


def test_similarity_counts_unknown_words():
    pairs = [
        WordPair("king", "queen", 8),
        WordPair("man", "woman", 7),
        WordPair("king", "apple", 1),
        WordPair("king", "zebra", 2),
        WordPair("gnu", "zebra", 3),
    ]
    r = similarity(E, VOCAB, pairs)
    assert (r.used, r.total, r.oov_words) == (3, 5, ["gnu", "zebra"])
    assert r.oov_share == pytest.approx(0.4) and "2 distinct words" in str(r)
    with pytest.raises(ValueError, match="rows but the vocabulary has"):
        similarity(E[:3], VOCAB, pairs)


def test_analogies_and_neighbours():
    qs = [
        Analogy("man", "king", "woman", "queen", "royal"),
        Analogy("man", "king", "woman", "unicorn", "x"),
    ]
    r = analogies(E, VOCAB, qs)
    assert (r.correct, r.used, r.total) == (1, 1, 2) and r.by_section == {
        "royal": (1, 1)
    }
    assert [w for w, _ in neighbours(E, VOCAB, "king", k=2)] == ["man", "queen"]
    with pytest.raises(KeyError, match="not in the vocabulary"):
        neighbours(E, VOCAB, "unicorn")


def test_char_ids_is_lecture_03s_character_data():
    s = data.LMSplits("abca", "ba", "c\n")
    vocab, (tr, va, te) = s.char_ids()
    # what lecture 03 builds in plain sight: one vocabulary over the three parts, then
    # each part's ids
    same = Vocab.of_chars(s.train + s.val + s.test)
    assert vocab.itos == same.itos == ["\n", "a", "b", "c"] and vocab.chars
    for ids, part in zip((tr, va, te), s):
        assert ids.dtype == np.int64 and ids.tolist() == same.encode(part)
        assert vocab.text(ids) == part
