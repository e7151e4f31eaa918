"""Helper APIs used from a notebook: each wrong argument gets a clear error naming it
(issue 19), and the pairs reader's and BLEU's handling of real Tatoeba files."""

from __future__ import annotations

import pytest

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
