"""Checks for the exercises of lecture 04 (seq2seq, machine translation and attention).

The expected values are computed inside each check, from the definition, so there is no
reference function to call instead of writing one.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch

from . import call, check, expect, expect_close, expect_tuple


@check("dot-product attention with a mask")
def check_dot_attention(fn: Callable) -> None:
    """``fn(s, h, mask) -> (context, weights)``: s (B, H), h (B, S, H), mask (B, S)
    False at padding."""
    g = torch.Generator().manual_seed(4)
    for B, S, H in [(2, 5, 3), (3, 4, 6), (1, 1, 2), (4, 6, 3)]:
        s, h = torch.randn(B, H, generator=g), torch.randn(B, S, H, generator=g)
        mask = torch.ones(B, S, dtype=torch.bool)
        # padding at the end of row 0 (right-padded), at the start of row 1
        # (left-padded), in the middle of row 2; row 3 has none
        mask[0, S // 2 + 1 :] = False
        if B > 1:
            mask[1, : S // 2] = False
        if B > 2:
            mask[2, 1 : S - 1 : 2] = False
        e = torch.einsum("bh,bsh->bs", s, h).masked_fill(~mask, float("-inf"))
        want_w = torch.softmax(e, 1)
        want_c = torch.einsum("bs,bsh->bh", want_w, h)
        out = expect_tuple(call(fn, s, h, mask), "context, weights")
        ctx, w = (torch.as_tensor(x).detach().float() for x in out)
        expect(
            tuple(w.shape) == (B, S),
            f"weights: expected shape {(B, S)}, got {tuple(w.shape)} "
            "(one weight per source position)",
        )
        expect(
            bool((w[~mask] == 0).all()),
            "padding positions must get a weight of exactly 0, wherever they are "
            f"(mask {mask.int().tolist()}; set their scores to -inf before the "
            "softmax)",
        )
        expect_close(
            w.sum(1),
            torch.ones(B),
            "each row of weights must sum to 1 (a softmax over positions)",
        )
        expect_close(w, want_w, f"weights for B={B}, S={S}, H={H}", atol=1e-5)
        expect_close(ctx, want_c, f"context for B={B}, S={S}, H={H}", atol=1e-5)


@check("clipped n-gram counts, several references")
def check_clipped_counts(fn: Callable) -> None:
    """``fn(hyp, refs, n) -> (matches, total)`` for token lists: ``total`` is the
    number of n-grams of hyp, ``matches`` counts those found in the references, each
    n-gram at most as many times as it occurs in any one reference (BLEU's clipping
    with several references)."""
    cases = [
        # one reference: the lecture's case
        ("the the the the", ["the cat"], 1, (1, 4)),
        ("the cat the cat", ["the cat sat on the mat"], 1, (3, 4)),
        ("the cat the cat", ["the cat sat on the mat"], 2, (1, 3)),
        ("a a b a", ["a b a a"], 1, (4, 4)),
        # several: the largest count in any one reference, not their sum
        ("the the the the", ["the cat", "the the dog"], 1, (2, 4)),
        ("the the the the", ["the cat", "the dog", "a the"], 1, (1, 4)),
        ("a cat on a mat", ["a cat sat", "on a mat"], 1, (4, 5)),
        ("a cat on a mat", ["a cat sat", "on a mat", "a a"], 1, (5, 5)),
        ("a cat on a mat", ["a cat sat", "on a mat"], 2, (3, 4)),
        ("x y x y", ["z", "x y x", "y"], 2, (2, 3)),
        # no reference has the n-gram; shorter than n; repeated on both sides
        ("p q", ["r s", "s r"], 1, (0, 2)),
        ("a", ["a b c", "a b"], 3, (0, 0)),
        ("a b c", ["a", "b"], 2, (0, 2)),
        ("", ["a b"], 1, (0, 0)),
        ("a a a a", ["a a a", "a a"], 2, (2, 3)),
    ]
    for hyp, refs, n, want in cases:
        hyp, refs = hyp.split(), [r.split() for r in refs]
        got = expect_tuple(call(fn, hyp, refs, n), "matches, total")
        expect(
            tuple(int(x) for x in got) == want,
            f"hyp={' '.join(hyp)!r}, refs={[' '.join(r) for r in refs]}, n={n}: "
            f"expected {want}, got {tuple(got)}",
        )


@check("brevity penalty")
def check_brevity_penalty(fn: Callable) -> None:
    """``fn(c, r) -> float``: 1 if c >= r, exp(1 - r / c) if 0 < c < r, 0 if c == 0."""
    for c, r in [(10, 10), (12, 10), (9, 10), (5, 10), (1, 4), (100, 1), (0, 3)]:
        want = 0.0 if c == 0 else (1.0 if c >= r else math.exp(1 - r / c))
        got = call(fn, c, r)
        expect(
            abs(float(got) - want) < 1e-9,
            f"c={c} system tokens, r={r} reference tokens: expected "
            f"{want:.4f}, got {float(got):.4f}"
            + (
                " (only outputs shorter than the reference are penalised)"
                if c > r
                else ""
            ),
        )


@check("one step of beam search")
def check_beam_step(fn: Callable) -> None:
    """``fn(scores, logp, k) -> (new_scores, beam, word)``, each (k,), best first."""
    g = torch.Generator().manual_seed(5)
    for k, V in [(3, 5), (2, 7), (4, 4)]:
        # the hypotheses differ a lot
        scores = -torch.rand(k, generator=g) * 3
        logp = torch.log_softmax(torch.randn(k, V, generator=g) * 2, 1)
        total = scores[:, None] + logp
        flat = sorted(
            ((total[b, w].item(), b, w) for b in range(k) for w in range(V)),
            reverse=True,
        )[:k]
        out = expect_tuple(call(fn, scores, logp, k), "new_scores, beam, word")
        new_scores, beam, word = (torch.as_tensor(x) for x in out)
        for name, t in (("beam", beam), ("word", word)):
            expect(
                not t.is_floating_point() and t.dtype != torch.bool,
                f"{name}: indices must be an integer tensor (they index the next "
                f"step's tensors), got dtype {t.dtype}",
            )
        expect(
            tuple(new_scores.shape) == (k,),
            f"new_scores: expected shape ({k},), got {tuple(new_scores.shape)}",
        )
        expect_close(
            new_scores,
            [f[0] for f in flat],
            f"new scores for k={k}, V={V} (add each hypothesis' score to its words' "
            "log-probabilities, then take the k best over all k * V)",
            atol=1e-5,
        )
        expect(
            [int(b) for b in beam] == [f[1] for f in flat]
            and [int(w) for w in word] == [f[2] for f in flat],
            f"k={k}, V={V}: expected (beam, word) pairs "
            f"{[(f[1], f[2]) for f in flat]}, got "
            f"{list(zip([int(b) for b in beam], [int(w) for w in word]))}",
        )


# 5. A trap for greedy decoding (a design) ---------------------------------------------
@check("a trap for greedy decoding")
def check_greedy_trap(fn: Callable) -> None:
    """``fn() -> (logp1, logp2)``: a two-word 'language' over V words, logp1 (V,) the
    log-probabilities of the first word and logp2 (V, V) those of the second after each
    first word (row w), where greedy decoding ends at least 0.1 nats below the best
    two-word sequence and a beam of 2 finds the best."""
    out = expect_tuple(call(fn), "logp1, logp2")
    logp1, logp2 = (torch.as_tensor(x, dtype=torch.float64) for x in out)
    V = logp1.shape[0] if logp1.dim() == 1 else -1
    expect(
        logp1.dim() == 1 and V >= 2 and tuple(logp2.shape) == (V, V),
        f"logp1 must be (V,) and logp2 (V, V), got {tuple(logp1.shape)} and "
        f"{tuple(logp2.shape)}",
    )
    expect(
        bool((logp1 <= 1e-9).all() and (logp2 <= 1e-9).all()),
        "log-probabilities are never positive (take the log of your probabilities)",
    )
    expect_close(logp1.exp().sum(), 1.0, "the first word's probabilities must sum to 1")
    expect_close(
        logp2.exp().sum(1), torch.ones(V), "each row of logp2 must sum to 1", atol=1e-6
    )
    total = logp1[:, None] + logp2
    best = float(total.max())
    w1 = int(logp1.argmax())
    greedy = float(logp1[w1] + logp2[w1].max())
    expect(
        greedy <= best - 0.1,
        f"greedy decoding reaches {greedy:.3f} nats, the best sequence {best:.3f}: "
        "greedy must end at least 0.1 below the best",
    )
    keep = logp1.topk(2).indices
    beam = float(total[keep].max())
    expect(
        beam >= best - 1e-9,
        f"a beam of 2 keeps the first words {keep.tolist()} and reaches {beam:.3f}, "
        f"not the best {best:.3f}",
    )


# 6. Choosing the length-normalisation exponent (an experiment) ------------------------
def _alpha_data(seed: int = 0, cut=-0.75, ref=-0.55, junk=-0.6):
    """Sentences with three candidate outputs each: a truncated one with a high total
    log-probability, the reference, and the reference with junk appended."""
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(40)]
    cands, refs = [], []
    for _ in range(40):
        L = int(rng.integers(6, 14))
        sent = [words[i] for i in rng.integers(0, 40, size=L)]
        short = sent[: int(rng.integers(2, L - 2))]
        long = sent + [
            words[i] for i in rng.integers(0, 40, size=int(rng.integers(2, 6)))
        ]
        per_token = {
            "cut": cut + 0.1 * rng.normal(),
            "ref": ref + 0.1 * rng.normal(),
            "junk": junk + 0.1 * rng.normal(),
        }
        cands.append(
            [
                (short, per_token["cut"] * len(short)),
                (sent, per_token["ref"] * len(sent)),
                (long, per_token["junk"] * len(long)),
            ]
        )
        refs.append(sent)
    return cands, refs


@check("choosing the length-normalisation exponent")
def check_choose_alpha(fn: Callable) -> None:
    """``fn(candidates, refs, alphas) -> alpha``: the exponent of ``alphas`` whose
    length-normalised score logp / len(tokens) ** alpha, used to pick one of each
    sentence's candidates ``[(tokens, logp), ...]``, gives the highest corpus BLEU
    against ``refs`` (helpers.evaluate.corpus_bleu); the first such alpha on a tie."""
    from helpers.evaluate import corpus_bleu

    grid = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0]
    for data, alphas in [
        ({"seed": 0}, grid),
        ({"seed": 1, "cut": -0.9, "ref": -0.6, "junk": -0.62}, grid[::-1]),
        ({"seed": 2, "cut": -0.6, "ref": -0.55, "junk": -0.7}, grid),
    ]:
        cands, refs = _alpha_data(**data)
        bleu = {}
        for a in alphas:
            picks = [max(c, key=lambda t: t[1] / len(t[0]) ** a)[0] for c in cands]
            bleu[a] = corpus_bleu(picks, refs)
        want = max(alphas, key=lambda a: (bleu[a], -alphas.index(a)))
        got = call(fn, cands, refs, list(alphas))
        expect(
            any(got == a for a in alphas),
            f"return one of the alphas {alphas}, got {got!r}",
        )
        expect(
            got == want,
            f"alpha={got} gives a BLEU of {bleu[got]:.1f}, alpha={want} gives "
            f"{bleu[want]:.1f} (all: { {a: round(b, 1) for a, b in bleu.items()} })",
        )
