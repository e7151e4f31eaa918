"""Lecture 05 benchmarks: attention speed, key/value-cache sampling, and our Transformer
against nanoGPT's CPU recipe at equal wall-clock time.

    python benchmarks/lecture05.py mha cache    # seconds
    python benchmarks/lecture05.py nanogpt      # 3 x the nanoGPT recipe's time (~8 min)
    python benchmarks/lecture05.py nanogpt --file my.txt --iters 2000
    python benchmarks/lecture05.py ladder --seconds 1200  # the Transformer rung, 20 min
    python benchmarks/lecture05.py smoothing    # label smoothing on the translator

* ``mha``: forward + backward of causal multi-head attention, ours from scratch, ours
  with ``F.scaled_dot_product_attention``, and ``nn.MultiheadAttention``, at a few
  sizes.
* ``cache``: sampling from the same (untrained) GPT with and without the key/value
  cache.
* ``nanogpt``: nanoGPT's code cannot be fetched here (offline), so its CPU configuration
  from its README (4 layers, 4 heads, 128 dims, context 64, batch 12, 2,000 iterations,
  AdamW at 1e-3 with 100 warm-up steps and cosine decay to 1e-4, beta2 0.99, weight
  decay 0.1, clipping at 1, no dropout) is **re-implemented** on
  ``helpers.transformer.GPT`` (which keeps biases and an untied output layer: a few
  thousand parameters more) as the baseline. Its training time is measured, and then
  ``python -m helpers.charlm FILE --model gpt`` (``fit_text_file``) and the LSTM
  get that same time, in the same run, on the same file; all three are scored on the
  file's last 5% in nats per character. The default file is the first 1 MB of the book's
  training text.
* ``ladder``: the notebook's Transformer rung (3 blocks of 64 dimensions; and 4 of 128)
  on the perplexity ladder's split for ``--seconds`` each, learning rate decayed along a
  cosine, to set beside ``benchmarks/lecture03_ladder.py``'s rows.
* ``smoothing``: label smoothing on the notebook's translator (section 10: the number
  task, 2 + 2 blocks of 64, Adam at 2e-3 after 50 warm-up steps, 250 steps of 64 pairs),
  trained with plain cross-entropy and with smoothed targets (epsilon 0.1) from each of
  three seeds: greedy test BLEU, validation perplexity per target word (plain loss,
  teacher forcing) and the mean probability of the top word (~3 min on one thread).

Prints one JSON line a result, with the machine it ran on.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from record import emit  # noqa: E402

from helpers import charlm, pairs  # noqa: E402
from helpers import transformer as tfm  # noqa: E402
from helpers import translation_models as tm  # noqa: E402
from helpers.data import lm_splits  # noqa: E402
from helpers.decoding import generate, translate  # noqa: E402
from helpers.device import describe, pick_device  # noqa: E402
from helpers.evaluate import corpus_bleu, evaluate_bits  # noqa: E402
from helpers.ladder import climb  # noqa: E402
from helpers.text import Vocab, read_text_file  # noqa: E402
from helpers.train import cosine, linear_warmup, train  # noqa: E402


def machine(device: torch.device | str = "cpu") -> str:
    return f"{describe(device)}, torch {torch.__version__}"


def best_time(fn, repeat: int = 5) -> float:
    fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def mha_speed() -> list[dict]:
    rows = []
    for B, T, d, h in ((8, 128, 128, 4), (8, 256, 256, 8), (4, 512, 256, 8)):
        torch.manual_seed(0)
        ours = tfm.MultiHeadAttention(d, h)
        ref = nn.MultiheadAttention(d, h, batch_first=True)
        x = torch.randn(B, T, d, requires_grad=True)
        mask = ~tfm.causal_mask(T)

        def step(f):
            return lambda: f().sum().backward()

        t_scratch = best_time(step(lambda: ours(x, causal=True)))
        ours.fused = True
        t_fused = best_time(step(lambda: ours(x, causal=True)))
        t_torch = best_time(
            step(lambda: ref(x, x, x, attn_mask=mask, need_weights=False)[0])
        )
        rows.append(
            dict(
                lecture="05",
                bench="causal MHA forward+backward",
                B=B,
                T=T,
                d=d,
                heads=h,
                ours_scratch_ms=round(1e3 * t_scratch, 2),
                ours_sdpa_ms=round(1e3 * t_fused, 2),
                torch_mha_ms=round(1e3 * t_torch, 2),
                machine=machine(),
            )
        )
    return rows


def cache_speed(length: int = 500) -> list[dict]:
    torch.manual_seed(0)
    model = tfm.GPT(65, block_size=256, n_layer=4, n_head=4, d_model=128)
    prompt = torch.randint(0, 65, (1, 10))
    t0 = time.perf_counter()
    plain = generate(model, prompt, length, seed=0, cache=False)
    t_plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    cached = generate(model, prompt, length, seed=0, cache=True)
    t_cached = time.perf_counter() - t0
    return [
        dict(
            lecture="05",
            bench="sampling with a KV cache",
            tokens=length,
            context=256,
            same_tokens=bool(torch.equal(plain, cached)),
            without_s=round(t_plain, 2),
            with_s=round(t_cached, 2),
            speedup=round(t_plain / t_cached, 2),
            machine=machine(),
        )
    ]


def nanogpt_recipe(
    train_ids, iters: int = 2000, seed: int = 0
) -> tuple[tfm.GPT, float]:
    """nanoGPT's CPU configuration, re-implemented: returns the model and its training
    seconds."""
    block, batch, lr, min_lr, warmup = 64, 12, 1e-3, 1e-4, 100
    torch.manual_seed(seed)
    model = tfm.GPT(
        int(train_ids.max()) + 1,
        block_size=block,
        n_layer=4,
        n_head=4,
        d_model=128,
        dropout=0.0,
    )
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": 0.1},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=lr,
        betas=(0.9, 0.99),
    )
    ids = torch.as_tensor(train_ids)
    g = torch.Generator().manual_seed(seed)

    def windows():
        while True:
            starts = torch.randint(0, len(ids) - block - 1, (batch,), generator=g)
            x = torch.stack([ids[s : s + block] for s in starts])  # (12, 64)
            y = torch.stack([ids[s + 1 : s + block + 1] for s in starts])
            yield x, y

    def step(b: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        logits = model(b[0])  # (12, 64, V)
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), b[1].reshape(-1))

    hist = train(
        step,
        windows(),
        steps=iters,
        # warm-up over 100 steps, then a cosine down to min_lr = lr / 10
        schedule=cosine(lr, iters, warmup=warmup, floor=min_lr / lr),
        optimizer=opt,
        model=model,
        clip=1.0,
        desc="nanoGPT recipe",
    )
    trained = hist.seconds[-1]
    return model, trained


def nanogpt_comparison(path: str | None = None, iters: int = 2000) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        if path is None:
            path = str(Path(tmp) / "wiki_1mb.txt")
            Path(path).write_text(lm_splits().train[:1_000_000], encoding="utf-8")
        text = read_text_file(path)
        vocab = Vocab.of_chars(text)
        ids = np.asarray(vocab.encode(text))  # (N,)
        cut = int(0.95 * len(ids))
        held_out = ids[cut:]
        rows = []
        base, seconds = nanogpt_recipe(ids[:cut], iters)
        nats = evaluate_bits(base, held_out) * math.log(2)
        rows.append(
            dict(
                lecture="05",
                bench="nanoGPT comparison",
                model="nanoGPT CPU recipe (re-implemented)",
                iters=iters,
                train_s=round(seconds, 1),
                val_nats=round(nats, 4),
                file=Path(path).name,
                chars=len(text),
                machine=machine(),
            )
        )
        for kind in ("gpt", "lstm"):
            model, _, hist = charlm.fit_text_file(path, seconds=seconds, model=kind)
            nats = evaluate_bits(model, held_out) * math.log(2)
            rows.append(
                dict(
                    lecture="05",
                    bench="nanoGPT comparison",
                    model=f"python -m helpers.charlm --model {kind}",
                    steps=hist.steps[-1],
                    train_s=round(hist.seconds[-1], 1),
                    val_nats=round(nats, 4),
                    file=Path(path).name,
                    chars=len(text),
                    machine=machine(),
                )
            )
    return rows


LADDER_RUNGS = {
    "3x64": ("Transformer 3 x 64", {"n_layer": 3, "d_model": 64}),
    "4x128": ("Transformer 4 x 128", {"n_layer": 4, "d_model": 128}),
}


def ladder(
    seconds: float = 1200.0, rungs: tuple[str, ...] = ("3x64", "4x128")
) -> list[dict]:
    if not 0 < seconds <= 1200:
        raise ValueError(f"seconds must be in (0, 1200], got {seconds}")
    s = lm_splits()
    vocab, (tr, va, te) = s.char_ids()
    rows = []
    unknown = [r for r in rungs if r not in LADDER_RUNGS]
    if unknown:
        expected = list(LADDER_RUNGS)
        raise ValueError(f"unknown rung(s) {unknown}; expected some of {expected}")
    device = pick_device()
    for name, cfg in (LADDER_RUNGS[r] for r in rungs):
        torch.manual_seed(0)
        model = tfm.GPT(len(vocab), block_size=64, n_head=4, **cfg)
        rung, hist = climb(
            name,
            model,
            (tr, va, te),
            device=device,
            seconds=seconds,
            batch=32,
            seq_len=64,
            lr=3e-3,
            decay=True,
            evals=20,
            verbose=False,
        )
        i_best = min(range(len(hist.val_bits)), key=hist.val_bits.__getitem__)
        rows.append(
            dict(
                lecture="05",
                rung=name,
                params=sum(p.numel() for p in model.parameters()),
                val_bpc=round(rung.val_bits, 4),
                best_val_bpc=round(hist.val_bits[i_best], 4),
                best_at_s=round(hist.seconds[i_best], 1),
                test_bpc=round(rung.test_bits, 4),
                train_s=round(rung.train_s, 1),
                steps=hist.steps[-1],
                lr_schedule="cosine to a tenth over the estimated steps",
                curve=[
                    [round(a, 1), round(b, 4)]
                    for a, b in zip(hist.seconds, hist.val_bits)
                ],
                train_curve=[round(b / math.log(2), 4) for b in hist.loss],
                machine=machine(device),
            )
        )
    return rows


def smoothed_loss(model: nn.Module, b: pairs.Batch, eps: float) -> torch.Tensor:
    """``translation_models.loss_fn`` against smoothed targets: (1 - eps) on the
    reference word, eps spread over the vocabulary; summed over each sentence's words
    (padding ignored), averaged over sentences."""
    logp, _ = model(b.src, b.src_len, b.tgt_in)  # (B, T, V) log-probabilities
    return (
        F.cross_entropy(
            logp.transpose(1, 2),
            b.tgt_out,
            ignore_index=model.pad_id,
            reduction="sum",
            label_smoothing=eps,
        )
        / b.tgt_out.shape[0]
    )


@torch.no_grad()
def translation_scores(model: nn.Module, b: pairs.Batch, pad_id: int) -> dict:
    """Perplexity per target word (plain loss, teacher forcing) and the mean
    probability of the top word, on batch ``b``."""
    model.eval()
    logp, _ = model(b.src, b.src_len, b.tgt_in)  # (B, T, V)
    model.train()
    real = b.tgt_out != pad_id  # (B, T)
    nll = -logp.gather(-1, b.tgt_out[..., None])[..., 0][real].mean()
    top = logp.exp().max(-1).values[real].mean()
    return dict(val_ppl=round(math.exp(nll.item()), 4), top_prob=round(top.item(), 4))


def smoothing(steps: int = 250, seeds: tuple[int, ...] = (0, 1, 2)) -> list[dict]:
    device = pick_device()
    mt = pairs.number_task(n_train=12_000, n_val=500, n_test=1_000, seed=0)
    src_v, tgt_v = pairs.build_vocabs(mt.train)
    sources, refs = [s for s, _ in mt.test], [t for _, t in mt.test]
    val = pairs.Batch(*(x.to(device) for x in pairs.make_batch(mt.val, src_v, tgt_v)))
    rows = []
    for seed in seeds:
        for eps in (0.0, 0.1):
            torch.manual_seed(seed)
            model = tm.TransformerTranslator(
                len(src_v), len(tgt_v), d_model=64, n_heads=4
            ).to(device)
            batches = pairs.batches(
                mt.train, src_v, tgt_v, 64, seed=seed, device=device
            )
            torch.manual_seed(seed)  # as fit_translator does before its optimiser
            opt = torch.optim.Adam(model.parameters(), lr=2e-3)
            hist = train(
                lambda b, model=model, eps=eps: smoothed_loss(model, b, eps),
                batches,
                steps=steps,
                schedule=linear_warmup(2e-3, 50),
                optimizer=opt,
                model=model,
                clip=1.0,
                every=25,
                desc=f"seed {seed}, label smoothing {eps}",
            )
            model.eval()
            bleu = corpus_bleu(translate(model, sources, src_v, tgt_v), refs)
            rows.append(
                dict(
                    lecture="05",
                    bench="label smoothing, Transformer translator",
                    seed=seed,
                    label_smoothing=eps,
                    steps=steps,
                    train_s=round(hist.seconds[-1], 1),
                    test_bleu_greedy=round(bleu, 2),
                    **translation_scores(model, val, tgt_v.pad_id),
                    machine=machine(device),
                )
            )
    return rows


PARTS = {
    "mha": mha_speed,
    "cache": cache_speed,
    "nanogpt": None,
    "ladder": None,
    "smoothing": smoothing,
}


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "parts",
        nargs="*",
        default=["mha", "cache", "nanogpt"],
        help="mha, cache, nanogpt, ladder, smoothing",
    )
    ap.add_argument(
        "--file",
        default=None,
        help="nanogpt: a plain-text file (default: 1 MB of the book's text)",
    )
    ap.add_argument(
        "--iters",
        type=int,
        default=2000,
        help="nanogpt: iterations of the nanoGPT recipe",
    )
    ap.add_argument(
        "--seconds",
        type=float,
        default=1200.0,
        help="ladder: training seconds per model (<= 1200)",
    )
    ap.add_argument(
        "--rungs",
        default="3x64,4x128",
        help="ladder: which Transformers, comma-separated (3x64, 4x128)",
    )
    ap.add_argument("--out", type=Path, help="append the JSON lines to this file too")
    args = ap.parse_args()
    unknown = [p for p in args.parts if p not in PARTS]
    if unknown:
        ap.error(f"unknown part(s) {unknown}; expected some of {list(PARTS)}")
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
    for part in args.parts:
        if part == "nanogpt":
            rows = nanogpt_comparison(args.file, args.iters)
        elif part == "ladder":
            rows = ladder(args.seconds, tuple(args.rungs.split(",")))
        else:
            rows = PARTS[part]()
        emit(rows, args.out, stamp)


if __name__ == "__main__":
    main()
