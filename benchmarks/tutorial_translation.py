"""The peer for ``python -m helpers.translate train``: the PyTorch tutorial's
translation model ("NLP From Scratch: Translation with a Sequence to Sequence Network
and Attention"), rebuilt here from its description only, not from its code:

* a GRU encoder: embedding (hidden 128) -> one-layer GRU of 128 units, dropout 0.1 on
  the embeddings;
* a GRU decoder with additive (Bahdanau) attention: at each step the query is the
  decoder's hidden state, ``score_i = v . tanh(W q + U h_i)``, the context (the
  attention-weighted sum of the encoder states) is concatenated with the embedded
  previous word and fed to a GRU of 128 units, then a linear layer and a log-softmax;
* trained with Adam at 1e-3, batches of 32, teacher forcing (the reference previous word
  at every step), negative log-likelihood per target word; greedy decoding.

Two choices the description leaves open, both in the peer's favour: padded source
positions are masked out of the attention, and padded target positions out of the loss.
``main`` trains it and our tool for the same time on the same split and scores both
with the same multi-reference BLEU; ``benchmarks/run.py`` has no entry for it, run:

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/tutorial_translation.py PAIRS \\
        --seconds 300 --out benchmarks/results/cpu_2cores.jsonl
"""

from __future__ import annotations

import sys
import time
from typing import Iterator, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

HIDDEN = 128


class TutorialEncoder(nn.Module):
    """Embedding -> GRU. src (B, S) -> states (B, S, H), last hidden (1, B, H)."""

    def __init__(self, vocab: int, hidden: int = HIDDEN, dropout: float = 0.1):
        super().__init__()
        self.emb = nn.Embedding(vocab, hidden)
        self.drop = nn.Dropout(dropout)
        self.gru = nn.GRU(hidden, hidden, batch_first=True)

    def forward(self, src: torch.Tensor, src_len: torch.Tensor):
        x = self.drop(self.emb(src))  # (B, S, H)
        packed = nn.utils.rnn.pack_padded_sequence(
            x, src_len.cpu(), batch_first=True, enforce_sorted=False
        )
        out, h = self.gru(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(
            out, batch_first=True, total_length=src.shape[1]
        )
        return out, h  # (B, S, H), (1, B, H)


class BahdanauAttention(nn.Module):
    """Additive attention: ``score_i = v . tanh(W q + U k_i)``, softmax over the
    unmasked positions. q (B, H), keys (B, S, H), mask (B, S) -> context (B, H),
    weights (B, S)."""

    def __init__(self, hidden: int = HIDDEN):
        super().__init__()
        self.W = nn.Linear(hidden, hidden)
        self.U = nn.Linear(hidden, hidden)
        self.v = nn.Linear(hidden, 1)

    def forward(self, q: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor):
        scores = self.v(torch.tanh(self.W(q)[:, None] + self.U(keys))).squeeze(-1)
        weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), -1)
        return torch.bmm(weights[:, None], keys).squeeze(1), weights


class TutorialDecoder(nn.Module):
    """One step: previous word (B,), hidden (1, B, H) -> log-probabilities (B, V), new
    hidden."""

    def __init__(self, vocab: int, hidden: int = HIDDEN, dropout: float = 0.1):
        super().__init__()
        self.emb = nn.Embedding(vocab, hidden)
        self.drop = nn.Dropout(dropout)
        self.attn = BahdanauAttention(hidden)
        self.gru = nn.GRU(2 * hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab)

    def step(self, y_prev, h, keys, mask):
        e = self.drop(self.emb(y_prev))  # (B, H)
        ctx, _ = self.attn(h[-1], keys, mask)  # (B, H)
        o, h = self.gru(torch.cat([e, ctx], -1)[:, None], h)  # (B, 1, H)
        return F.log_softmax(self.out(o[:, 0]), -1), h


class TutorialTranslator(nn.Module):
    def __init__(self, src_vocab: int, tgt_vocab: int, hidden: int = HIDDEN):
        super().__init__()
        self.encoder = TutorialEncoder(src_vocab, hidden)
        self.decoder = TutorialDecoder(tgt_vocab, hidden)

    def forward(self, src, src_len, tgt_in):
        """Teacher forcing: log-probabilities (B, T, V) of each next word."""
        keys, h = self.encoder(src, src_len)
        mask = src != 0
        out = []
        for t in range(tgt_in.shape[1]):
            logp, h = self.decoder.step(tgt_in[:, t], h, keys, mask)
            out.append(logp)
        return torch.stack(out, 1)

    @torch.no_grad()
    def greedy(self, src, src_len, bos: int, eos: int, max_len: int = 40):
        """Greedy decoding -> a list of id lists (without ``<eos>``)."""
        self.eval()
        keys, h = self.encoder(src, src_len)
        mask = src != 0
        y = torch.full((src.shape[0],), bos, dtype=torch.long, device=src.device)
        rows = []
        for _ in range(max_len):
            logp, h = self.decoder.step(y, h, keys, mask)
            y = logp.argmax(-1)
            rows.append(y)
            if (torch.stack(rows, 1) == eos).any(1).all():
                break
        ids = torch.stack(rows, 1).tolist()
        return [r[: r.index(eos)] if eos in r else r for r in ids]


def fit(
    model: TutorialTranslator,
    batches: Iterator,
    seconds: float,
    lr: float = 1e-3,
    pad_id: int = 0,
) -> dict:
    """Adam at ``lr`` on the per-word NLL with teacher forcing for ``seconds`` of
    training, through the book's one loop (``helpers.train.train``, no clipping: the
    tutorial does not clip); returns steps, seconds and the last recorded loss."""
    from helpers.train import constant, train

    device = next(model.parameters()).device
    opt = torch.optim.Adam(model.parameters(), lr=lr)

    def step(b) -> torch.Tensor:
        src, src_len, tgt_in, tgt_out = (x.to(device) for x in b)
        logp = model(src, src_len, tgt_in)  # (B, T, V)
        return F.nll_loss(logp.transpose(1, 2), tgt_out, ignore_index=pad_id)

    hist = train(
        step,
        batches,
        seconds=seconds,
        schedule=constant(lr),
        optimizer=opt,
        model=model,
        every=100,
        desc="tutorial model",
    )
    return {"steps": hist.steps[-1], "train_s": hist.seconds[-1], "loss": hist.loss[-1]}


def translate(
    model: TutorialTranslator,
    sources: Sequence[Sequence[str]],
    src_vocab,
    tgt_vocab,
    batch_size: int = 256,
) -> list[list[str]]:
    """Greedy translations of tokenised sentences."""
    from helpers.pairs import pad

    device = next(model.parameters()).device
    out: list[list[str]] = []
    for i in range(0, len(sources), batch_size):
        ids = [src_vocab.encode(list(s)) for s in sources[i : i + batch_size]]
        src = pad(ids, src_vocab.pad_id).to(device)
        src_len = torch.tensor([len(s) for s in ids], device=device)
        seqs = model.greedy(src, src_len, tgt_vocab.bos_id, tgt_vocab.eos_id)
        out += [tgt_vocab.decode(s) for s in seqs]
    return out


def machine() -> str:
    import platform

    return (
        f"{platform.machine()} CPU, {torch.get_num_threads()} threads, "
        f"torch {torch.__version__}"
    )


def load_average() -> str:
    """The 1-, 5- and 15-minute load averages now (``uptime``'s figures)."""
    import os

    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def peer_run(path: str, seconds: float, seed: int = 0) -> dict:
    """Train the tutorial's model for ``seconds`` on the split ``translate train``
    uses (same file, same seed, same vocabularies) and score it the same way."""
    from helpers.device import pick_device
    from helpers.evaluate import corpus_bleu
    from helpers.pairs import (
        batches,
        build_vocabs,
        group_references,
        read_pairs,
        split_pairs,
    )

    pairs = read_pairs(path, max_len=20)
    train_pairs, test = split_pairs(pairs, 0.1, seed)
    sources, refs = group_references(test)
    sv, tv = build_vocabs(train_pairs, min_count=2)
    device = pick_device()
    torch.manual_seed(seed)
    model = TutorialTranslator(len(sv), len(tv)).to(device)
    load = load_average()
    result = fit(model, batches(train_pairs, sv, tv, 32, seed=seed), seconds)
    hyps = translate(model, sources, sv, tv)
    return dict(
        model="PyTorch tutorial: GRU encoder, GRU decoder with additive attention, "
        "hidden 128, Adam 1e-3, batch 32",
        params=sum(p.numel() for p in model.parameters()),
        steps=result["steps"],
        train_s=round(result["train_s"], 1),
        bleu_greedy=round(corpus_bleu(hyps, refs), 2),
        held_out_sources=len(sources),
        references=len(test),
        load_before=load,
        load_after=load_average(),
        device=str(device),
    )


def beam_diagnosis(checkpoint: str, path: str, k: int = 5, boot: int = 1000) -> dict:
    """Why beam search can score below greedy on a saved model: BLEU of beam search
    with and without length normalisation, output lengths, how often beam search finds
    a more (or less) probable translation than greedy, a bootstrap 95 % interval of the
    beam - greedy difference, and the sentences where the two differ most often."""
    import random

    from helpers import decoding
    from helpers import translate as tool
    from helpers.evaluate import corpus_bleu
    from helpers.pairs import (
        detokenize,
        group_references,
        pad,
        read_pairs,
        split_pairs,
    )

    model, sv, tv, c = tool.load_model(checkpoint, torch.device("cpu"))
    pairs = read_pairs(path, max_len=c.extra["max_len"])
    _, test = split_pairs(pairs, 0.1, c.split_seed)
    sources, refs = group_references(test)
    ids = [sv.encode(s) for s in sources]
    src, src_len = pad(ids, sv.pad_id), torch.tensor([len(s) for s in ids])
    greedy, g_logp, _ = decoding.greedy(model, src, src_len, tv.bos_id, tv.eos_id)
    out: dict = {"greedy_words": sum(map(len, greedy))}
    hyps = {"greedy": [tv.decode(g) for g in greedy]}
    for alpha in (0.0, 1.0):
        beam, b_logp = decoding.beam_search(
            model, src, src_len, tv.bos_id, tv.eos_id, k=k, alpha=alpha
        )
        hyps[alpha] = [tv.decode(b) for b in beam]
        out[f"beam_alpha{alpha:g}_bleu"] = round(corpus_bleu(hyps[alpha], refs), 2)
        out[f"beam_alpha{alpha:g}_words"] = sum(map(len, beam))
        out[f"beam_alpha{alpha:g}_more_probable"] = int((b_logp > g_logp + 1e-4).sum())
        out[f"beam_alpha{alpha:g}_less_probable"] = int((b_logp < g_logp - 1e-4).sum())
    out["shortest_reference_words"] = sum(min(len(r) for r in rs) for rs in refs)
    rng, n, diffs = random.Random(0), len(sources), []
    for _ in range(boot):
        ix = [rng.randrange(n) for _ in range(n)]

        def bleu(h: list) -> float:
            return corpus_bleu([h[i] for i in ix], [refs[i] for i in ix])

        diffs.append(bleu(hyps[1.0]) - bleu(hyps["greedy"]))
    diffs.sort()
    out["beam_minus_greedy_95ci"] = [
        round(diffs[int(0.025 * boot)], 2),
        round(diffs[int(0.975 * boot)], 2),
    ]
    out["examples"] = [
        f"{detokenize(s)} | greedy: {detokenize(g)} | beam: {detokenize(b)}"
        for s, g, b in zip(sources, hyps["greedy"], hyps[1.0])
        if g != b
    ][:5]
    return out


def ours_run(path: str, seconds: float, seed: int = 0, model: str = "lstm") -> dict:
    """``python -m helpers.translate train PATH --seconds N`` as a reader runs it (a
    subprocess); its numbers come from the checkpoint it saves."""
    import os
    import subprocess
    import tempfile

    from helpers import checkpoint as ck

    with tempfile.TemporaryDirectory() as tmp:
        save = os.path.join(tmp, "ours.pt")
        cmd = [
            sys.executable, "-m", "helpers.translate", "train", path,
            "--seconds", str(seconds), "--seed", str(seed), "--model", model,
            "--save", save,
        ]  # fmt: skip
        load = load_average()
        subprocess.run(cmd, check=True)
        load_after = load_average()
        c = ck.load(save, tool="translate")
        diagnosis = beam_diagnosis(save, path)
    bleu = c.extra["held_out_bleu"]
    return dict(
        model=f"python -m helpers.translate train --model {model}",
        params=sum(v.numel() for v in c.weights.values()),
        steps=c.history["steps"][-1],
        train_s=round(c.history["seconds"][-1], 1),
        bleu_greedy=round(bleu["bleu_k1"], 2),
        bleu_beam5=round(bleu["bleu_k5"], 2),
        load_before=load,
        load_after=load_after,
        device=c.extra.get("device"),
        beam=diagnosis,
    )


def main(argv: list[str] | None = None) -> None:
    import argparse
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from record import emit

    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("pairs", help="a tab-separated pairs file (e.g. Tatoeba's)")
    ap.add_argument("--seconds", type=float, default=300.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", choices=["ours", "peer"], help="run one side only")
    ap.add_argument("--out", type=Path, help="append the rows to this JSONL file")
    ap.add_argument(
        "--run",
        default=time.strftime("%Y-%m-%dT%H:%M"),
        help="a label that pairs the two sides when they run separately (--only)",
    )
    args = ap.parse_args(argv)
    common = dict(
        lecture="04",
        bench="tutorial translation comparison",
        file=Path(args.pairs).name,
        seconds=args.seconds,
        run=args.run,
        machine=machine(),
    )
    rows = []
    if args.only != "peer":
        rows.append({**common, "side": "ours", **ours_run(args.pairs, args.seconds)})
    if args.only != "ours":
        rows.append({**common, "side": "peer", **peer_run(args.pairs, args.seconds)})
    emit(rows, args.out)


if __name__ == "__main__":
    main()
