"""Helper APIs used from a notebook: each wrong argument gets a clear error naming it
(issue 19), and the pairs reader's and BLEU's handling of real Tatoeba files."""

from __future__ import annotations

from pathlib import Path

import pytest
import sacrebleu
import torch

from helpers import decoding, evaluate, pairs
from helpers.text import SPECIALS, Vocab, read_utf8
from helpers.transformer import GPT, attention
from helpers.translation_models import Seq2Seq

# ---- vocabularies --------------------------------------------------------------------


def test_vocab_decode_refuses_ids_out_of_range():
    v = Vocab.build([["a", "b"]], specials=SPECIALS)
    assert v.decode([4, 5, v.eos_id, 4]) == ["a", "b"]
    for bad in (len(v), -1):
        with pytest.raises(IndexError, match=f"ids: {bad} is not an id"):
            v.decode([4, bad])
    with pytest.raises(IndexError, match="ids: -1"):
        Vocab.of_chars("abc").text([0, -1])


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
    c = Vocab.from_dict(Vocab.of_chars("hello").to_dict())
    assert c.chars and c.text(c.encode("hole")) == "hole"
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
        assert pairs.detokenize(pairs.words_and_marks(text)) == back


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


# ---- decoding ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    sv = Vocab.build([["a", "b", "c"]], specials=SPECIALS)
    tv = Vocab.build([["x", "y"]], specials=SPECIALS)
    model = Seq2Seq(len(sv), len(tv), emb=8, hidden=8, attention="dot").eval()
    return model, sv, tv


def test_translate_refuses_a_string(tiny):
    model, sv, tv = tiny
    with pytest.raises(TypeError, match="list of token lists"):
        decoding.translate(model, "a b", sv, tv)
    with pytest.raises(TypeError, match="list of token lists"):
        decoding.translate(model, ["a b"], sv, tv)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"k": 0}, "k must be >= 1, got 0"), ({"max_len": 0}, "max_len must be >= 1")],
)
def test_beam_and_length_arguments(tiny, kwargs, message):
    model, sv, tv = tiny
    with pytest.raises(ValueError, match=message):
        decoding.translate(model, [["a", "b"]], sv, tv, **kwargs)
    src, src_len = torch.tensor([[4, 5]]), torch.tensor([2])
    with pytest.raises(ValueError, match=message):
        decoding.beam_search(model, src, src_len, tv.bos_id, tv.eos_id, **kwargs)
    if "max_len" in kwargs:
        with pytest.raises(ValueError, match=message):
            decoding.greedy(model, src, src_len, tv.bos_id, tv.eos_id, max_len=0)


def test_attention_mask_row_all_false():
    q = k = v = torch.randn(1, 3, 4)
    mask = torch.ones(3, 3, dtype=torch.bool)
    assert not attention(q, k, v, mask)[0].isnan().any()
    mask[1] = False
    with pytest.raises(ValueError, match="mask: a query row is all False"):
        attention(q, k, v, mask)


@pytest.mark.parametrize(
    "idx, kwargs, message",
    [
        ([[1, 2]], {"length": -1}, "length must be >= 0, got -1"),
        ([[1, 2]], {"length": 3, "temperature": -0.1}, "temperature must be >= 0"),
        ([[]], {"length": 3}, "T0 >= 1"),
    ],
)
def test_gpt_generate_arguments(idx, kwargs, message):
    gpt = GPT(10, block_size=8, n_layer=1, n_head=2, d_model=8)
    with pytest.raises(ValueError, match=message):
        decoding.generate(gpt, torch.tensor(idx, dtype=torch.long), **kwargs)


# ---- ddp's command line -------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, world, message",
    [
        (["--global-batch", "3"], "2", "--global-batch 3 does not divide over 2"),
        (["--steps", "0"], "1", "whole number >= 1, got 0"),
        (["--global-batch", "0"], "1", "whole number >= 1, got 0"),
    ],
)
def test_ddp_arguments_one_line(argv, world, message, monkeypatch, capsys):
    from helpers import ddp

    monkeypatch.setenv("WORLD_SIZE", world)
    monkeypatch.setenv("RANK", "0")
    with pytest.raises(SystemExit) as e:
        ddp.main(argv)
    err = capsys.readouterr().err
    assert e.value.code == 2 and message in err and err.count("\n") == 1, err
