"""Helper APIs used from a notebook: each wrong argument gets a clear error naming it
(issue 19), and the pairs reader's and BLEU's handling of real Tatoeba files."""

from __future__ import annotations

from pathlib import Path

import pytest
import sacrebleu

from helpers import evaluate, pairs
from helpers.text import SPECIALS, CharVocab, Vocab, read_utf8

# ---- vocabularies --------------------------------------------------------------------


def test_vocab_decode_refuses_ids_out_of_range():
    v = Vocab.build([["a", "b"]], specials=SPECIALS)
    assert v.decode([4, 5, v.eos_id, 4]) == ["a", "b"]
    for bad in (len(v), -1):
        with pytest.raises(IndexError, match=f"ids: {bad} is not an id"):
            v.decode([4, bad])
    with pytest.raises(IndexError, match="ids: -1"):
        CharVocab("abc").decode([0, -1])


def test_vocab_encode_refuses_a_string():
    v = Vocab.build([["i", "am", "cold"]], specials=SPECIALS)
    with pytest.raises(TypeError, match="list of tokens, got the string 'i am cold'"):
        v.encode("i am cold")
    assert v.encode(["i", "am", "hot"]) == [v["i"], v["am"], v.unk_id]


def test_vocab_to_dict_round_trip():
    v = Vocab.build([["b", "a", "a"]], min_count=1, specials=SPECIALS)
    w = Vocab.from_dict(v.to_dict())
    assert (w.itos, w.specials, w.counts.tolist()) == (
        v.itos,
        v.specials,
        v.counts.tolist(),
    )
    c = CharVocab.from_dict(CharVocab("hello").to_dict())
    assert isinstance(c, CharVocab) and c.decode(c.encode("hole")) == "hole"
    with pytest.raises(ValueError, match="Vocab.to_dict"):
        Vocab.from_dict({"itos": []})


def test_read_utf8_drops_a_bom_and_names_directories_and_utf16(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes("\ufeffHello".encode("utf-8"))
    assert read_utf8(path, "text file", "text") == "Hello"
    with pytest.raises(IsADirectoryError, match="is a directory, not a text file"):
        read_utf8(tmp_path, "text file", "text")
    for enc in ("utf-16", "utf-16-le", "utf-16-be"):
        path.write_bytes("Hello, world.\tBonjour.\n".encode(enc) * 3)
        with pytest.raises(ValueError, match="looks like UTF-16.*iconv -f UTF-16"):
            read_utf8(path, "text file", "text")
    path.write_bytes(b"abc\x00def" * 500)  # binary, not UTF-16
    with pytest.raises(ValueError, match="looks binary"):
        read_utf8(path, "text file", "text")


# ---- pairs files ---------------------------------------------------------------------

LINES = [
    "I'm leaving.\tJe pars.\tCC-BY",
    "I'm leaving.\tJe m'en vais.\tCC-BY",
    "I'm leaving.\tJ’y vais.\tCC-BY",
    "Help!\tÀ l'aide !\tCC-BY",
] + [f"Go {i}.\tVa {i} !\tCC-BY" for i in range(120)]


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "pairs.tsv"
    path.write_bytes(data)
    return path


def test_tokens_come_back_as_text():
    for text, back in [
        ("I'm leaving.", "i'm leaving."),
        ("J'ai besoin de l'aide.", "j'ai besoin de l'aide."),
        ("J’ai froid !", "j'ai froid!"),
        ("Quatre-vingt-dix, non!", "quatre-vingt-dix, non!"),
    ]:
        assert pairs.detokenize(pairs.tokenize(text)) == back


def test_read_pairs_drops_a_byte_order_mark(tmp_path):
    data = ("\ufeff" + "\n".join(LINES) + "\n").encode("utf-8")
    read = pairs.read_pairs(write(tmp_path, data))
    assert read[0] == (["i", "'", "m", "leaving", "."], ["je", "pars", "."])


def test_read_pairs_directory_and_utf16(tmp_path):
    with pytest.raises(IsADirectoryError, match="is a directory"):
        pairs.read_pairs(tmp_path)
    for enc in ("utf-16", "utf-16-le"):
        path = write(tmp_path, "\n".join(LINES).encode(enc))
        with pytest.raises(ValueError, match="looks like UTF-16.*iconv -f UTF-16"):
            pairs.read_pairs(path)


def test_split_keeps_every_translation_of_a_source_on_one_side(tmp_path):
    read = pairs.read_pairs(write(tmp_path, "\n".join(LINES).encode()))
    for seed in range(20):
        train, test = pairs.split_pairs(read, 0.1, seed)
        assert len(train) + len(test) == len(read)
        assert not {tuple(s) for s, _ in train} & {tuple(s) for s, _ in test}
        leaving = [p for p in test if p[0][:3] == ["i", "'", "m"]]
        assert len(leaving) in (0, 3)
    sources, refs = pairs.group_references(read)
    assert len(sources) == len(read) - 2 and len(refs[0]) == 3
    assert refs[0][2] == ["j", "'", "y", "vais", "."]


def test_corpus_bleu_several_references_is_sacrebleus():
    hyps = [["je", "m", "'", "en", "vais", "."], ["va", "!"]]
    refs = [
        [["je", "pars", "."], ["je", "m", "'", "en", "vais", "."]],
        [["va", "!"]],
    ]
    expected = sacrebleu.corpus_bleu(
        ["je m ' en vais .", "va !"],
        [["je pars .", "va !"], ["je m ' en vais .", None]],
        tokenize="none",
    ).score
    assert evaluate.corpus_bleu(hyps, refs) == pytest.approx(expected)
    assert evaluate.corpus_bleu(hyps, refs) > evaluate.corpus_bleu(
        hyps, [r[0] for r in refs]
    )


def test_corpus_bleu_refuses_strings_and_empty_lists():
    with pytest.raises(TypeError, match="not a string"):
        evaluate.corpus_bleu("le chat", "le chat")
    with pytest.raises(TypeError, match=r"hyps\[0\] must be a list of tokens"):
        evaluate.corpus_bleu(["le chat"], [["le", "chat"]])
    with pytest.raises(TypeError, match=r"refs\[0\] must be a list of tokens"):
        evaluate.corpus_bleu([["le", "chat"]], ["le chat"])
    with pytest.raises(ValueError, match="no sentences"):
        evaluate.corpus_bleu([], [])
