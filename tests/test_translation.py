"""Lecture 04 helpers: the number task, the pairs loader and its errors, batches, the
seq2seq model (padding, attention, decoding), BLEU and the command."""

from pathlib import Path

import pytest
import torch

from helpers import decoding, evaluate, pairs, translate
from helpers import translation_models as tm


def test_tokenize_and_detokenize():
    assert pairs.words_and_marks("Quatre-vingt-dix, non!") == [
        "quatre",
        "-",
        "vingt",
        "-",
        "dix",
        ",",
        "non",
        "!",
    ]
    assert (
        pairs.detokenize(["quatre", "-", "vingt", "-", "dix", "-", "sept"])
        == "quatre-vingt-dix-sept"
    )
    assert pairs.detokenize(["one", "million", ",", "two"]) == "one million, two"


def test_number_task_is_real_seeded_and_disjoint():
    a, b = (
        pairs.number_task(300, 50, 50, seed=3),
        pairs.number_task(300, 50, 50, seed=3),
    )
    assert a == b
    assert pairs.number_task(300, 50, 50, seed=4) != a
    train = {tuple(s) for s, _ in a.train}
    assert not train & {tuple(s) for s, _ in a.test} and not train & {
        tuple(s) for s, _ in a.val
    }
    assert pairs.number_pair(71) == (
        ["seventy", "-", "one"],
        ["soixante", "et", "onze"],
    )
    with pytest.raises(ValueError, match="too many"):
        pairs.number_task(60, 0, 0, max_value=100)


def write(tmp_path: Path, name: str, content) -> Path:
    p = tmp_path / name
    (p.write_bytes if isinstance(content, bytes) else p.write_text)(content)
    return p


def test_read_pairs_reads_tatoeba_format(tmp_path):
    lines = "".join(
        f"I have {i} cats.\tJ'ai {i} chats.\tCC-BY 2.0 (France) Attribution: "
        "tatoeba.org #1\n"
        for i in range(150)
    )
    read = pairs.read_pairs(
        write(tmp_path, "fra.txt", lines + "x" * 5 + "\t" + "y " * 30 + "\n")
    )
    # the over-long pair is dropped
    assert len(read) == 150
    assert read[3] == (
        ["i", "have", "3", "cats", "."],
        ["j", "'", "ai", "3", "chats", "."],
    )


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.txt", "", "is empty"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00" * 50, "binary"),
        ("latin1.txt", "fatigu\xe9\tfatigu\xe9\n".encode("latin-1") * 200, "not UTF-8"),
        ("comma.csv", "Go.,Va !\n" * 200, "not tab-separated"),
        ("small.txt", "Go.\tVa !\n" * 10, "at least 100"),
    ],
)
def test_read_pairs_errors_say_what_was_expected(tmp_path, name, content, message):
    with pytest.raises(ValueError, match=message):
        pairs.read_pairs(write(tmp_path, name, content))


def test_read_pairs_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="source<TAB>target"):
        pairs.read_pairs(tmp_path / "nope.txt")


def test_vocabs_unk_and_batches():
    ps = [("a b c".split(), "x y".split()), ("a b".split(), "x z z".split())]
    sv, tv = pairs.build_vocabs(ps, min_count=2)
    assert (
        sv.itos[:4] == ["<pad>", "<bos>", "<eos>", "<unk>"]
        and "c" not in sv
        and "z" in tv
    )
    b = pairs.make_batch(ps, sv, tv)
    assert b.src.tolist() == [
        [sv["a"], sv["b"], sv.unk_id],
        [sv["a"], sv["b"], sv.pad_id],
    ]
    assert b.src_len.tolist() == [3, 2]
    assert b.tgt_in[:, 0].tolist() == [tv.bos_id] * 2
    assert b.tgt_out[0].tolist() == [tv["x"], tv.unk_id, tv.eos_id, tv.pad_id]
    it = pairs.batches(ps, sv, tv, batch_size=1, seed=0)
    assert len([next(it) for _ in range(5)]) == 5  # endless
    assert pairs.split_pairs(list(range(20)), 0.1, seed=1) == pairs.split_pairs(
        list(range(20)), 0.1, seed=1
    )


@pytest.fixture(scope="module")
def tiny():
    data = pairs.number_task(400, 10, 30, max_value=10_000, seed=0)
    sv, tv = pairs.build_vocabs(data.train)
    return data, sv, tv


@pytest.mark.parametrize("attention", tm.ATTENTION)
def test_padding_changes_neither_loss_nor_attention(tiny, attention):
    data, sv, tv = tiny
    torch.manual_seed(0)
    model = tm.Seq2Seq(len(sv), len(tv), 8, 16, attention).eval()
    b = pairs.make_batch(data.train[:6], sv, tv)
    logp, alpha = model(b.src, b.src_len, b.tgt_in)
    src = torch.cat([b.src, torch.zeros(6, 7, dtype=torch.long)], 1)
    logp2, alpha2 = model(src, b.src_len, b.tgt_in)
    assert torch.allclose(
        tm.loss_fn(logp, b.tgt_out), tm.loss_fn(logp2, b.tgt_out), atol=1e-5
    )
    if attention is not None:
        S = b.src.shape[1]
        assert (
            torch.allclose(alpha, alpha2[:, :, :S], atol=1e-6)
            and (alpha2[:, :, S:] == 0).all()
        )


def test_bad_model_arguments():
    with pytest.raises(ValueError, match="attention must be"):
        tm.Seq2Seq(5, 5, attention="cosine")
    with pytest.raises(ValueError, match="even"):
        tm.Seq2Seq(5, 5, hidden=15)


def test_training_decoding_and_beam(tiny):
    data, sv, tv = tiny
    torch.manual_seed(0)
    model = tm.Seq2Seq(len(sv), len(tv), 32, 64, "dot")
    hist = tm.fit_translator(
        model, pairs.batches(data.train, sv, tv, 32), steps=120, every=40
    )
    assert hist.loss[-1] < hist.loss[0] / 3
    b = pairs.make_batch(data.test, sv, tv)
    g, g_score, att = decoding.greedy(model, b.src, b.src_len, tv.bos_id, tv.eos_id)
    k1, k1_score = decoding.beam_search(
        model, b.src, b.src_len, tv.bos_id, tv.eos_id, k=1, alpha=0.0
    )
    # beam of width 1 is greedy
    assert k1 == g and torch.allclose(k1_score, g_score, atol=1e-4)
    bm, bm_score = decoding.beam_search(
        model, b.src, b.src_len, tv.bos_id, tv.eos_id, k=4, alpha=0.0
    )
    assert (bm_score >= g_score - 1e-4).all()
    assert all(a.shape == (min(len(s) + 1, 40), b.src.shape[1]) for a, s in zip(att, g))
    assert all(torch.allclose(a.sum(1), torch.ones(a.shape[0])) for a in att)
    hyps = decoding.translate(model, [s for s, _ in data.test], sv, tv, k=3)
    assert len(hyps) == len(data.test)
    assert evaluate.corpus_bleu(hyps, [t for _, t in data.test]) == pytest.approx(
        evaluate.corpus_bleu(hyps, [t for _, t in data.test])
    )


def test_seconds_budget_stops_training(tiny):
    data, sv, tv = tiny
    model = tm.Seq2Seq(len(sv), len(tv), 8, 16, None)
    hist = tm.fit_translator(
        model,
        pairs.batches(data.train, sv, tv, 16),
        steps=10**6,
        seconds=0.5,
        every=10**6,
    )
    assert hist.steps[-1] < 10**6 and hist.seconds[-1] >= 0.5


def test_corpus_bleu_is_sacrebleu():
    assert evaluate.corpus_bleu(
        [["a", "b", "c", "d"]], [["a", "b", "c", "d"]]
    ) == pytest.approx(100)
    with pytest.raises(ValueError, match="2 hypotheses but 1"):
        evaluate.corpus_bleu([["a"], ["b"]], [["a"]])


def test_translate_command(tmp_path, capsys):
    lines = "".join(
        f"{' '.join(s)}\t{' '.join(t)}\n"
        for s, t in pairs.number_task(300, 0, 0, max_value=1000).train
    )
    path = write(tmp_path, "numbers.tsv", lines)
    argv = ["train", str(path), "--seconds", "3", "--steps", "30", "--hidden", "32"]
    assert translate.main([*argv, "--show", "2"]) == 0
    out = capsys.readouterr().out
    assert "BLEU" in out and "reference:" in out and "device: " in out
    assert translate.main([str(tmp_path / "missing.tsv")]) == 2
    assert "no pairs file" in capsys.readouterr().err


def test_transformer_translator_steps_equal_teacher_forcing_and_ignore_padding(tiny):
    data, sv, tv = tiny
    torch.manual_seed(0)
    model = tm.TransformerTranslator(
        len(sv), len(tv), d_model=32, n_heads=4, layers=2
    ).eval()
    b = pairs.make_batch(data.train[:5], sv, tv)
    # (B, T, V), (B, T, S)
    logp, cross = model(b.src, b.src_len, b.tgt_in)
    enc, mask, state = model.encode(b.src, b.src_len)
    for t in range(b.tgt_in.shape[1]):
        # one step at a time, same numbers
        step_logp, state, w = model.step(b.tgt_in[:, t], state, enc, mask)
        assert torch.allclose(step_logp, logp[:, t], atol=1e-5)
    src = torch.cat([b.src, torch.zeros(5, 4, dtype=torch.long)], 1)
    logp2, cross2 = model(src, b.src_len, b.tgt_in)
    assert (
        torch.allclose(logp, logp2, atol=1e-5)
        and (cross2[:, :, b.src.shape[1] :] == 0).all()
    )
    hist = tm.fit_translator(
        model, pairs.batches(data.train, sv, tv, 32), steps=40, lr=1e-3, every=20
    )
    assert hist.loss[-1] < hist.loss[0]
    hyps = decoding.translate(model, [s for s, _ in data.test[:4]], sv, tv, k=2)
    assert len(hyps) == 4


def test_warmup_scales_the_first_updates(tiny):
    data, sv, tv = tiny
    moved = {}
    for warmup in (0, 100):
        torch.manual_seed(0)
        model = tm.TransformerTranslator(len(sv), len(tv), d_model=32, n_heads=4)
        before = [p.detach().clone() for p in model.parameters()]
        tm.fit_translator(
            model,
            pairs.batches(data.train, sv, tv, 16),
            steps=1,
            lr=1e-3,
            warmup=warmup,
        )
        moved[warmup] = max(
            (p.detach() - b).abs().max().item()
            for p, b in zip(model.parameters(), before)
        )
    # Adam's first step moves a weight by about lr; at step 1 of 100 by lr / 100
    assert moved[0] > 0.5e-3 and moved[100] < 2e-5
