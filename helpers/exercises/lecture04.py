"""Checks for the exercises of lecture 04 (seq2seq, machine translation and attention).

The expected values are computed inside each check, from the definition, so there is no
reference function to call instead of writing one.
"""

from __future__ import annotations

import math
from typing import Callable

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


@check("clipped n-gram counts")
def check_clipped_counts(fn: Callable) -> None:
    """``fn(hyp, ref, n) -> (matches, total)`` for token lists."""
    cases = [
        ("the the the the".split(), "the cat".split(), 1, (1, 4)),
        ("the cat the cat".split(), "the cat sat on the mat".split(), 1, (3, 4)),
        ("the cat the cat".split(), "the cat sat on the mat".split(), 2, (1, 3)),
        ("quatre - vingt - dix".split(), "quatre - vingt - deux".split(), 2, (3, 4)),
        ("a b".split(), "a b".split(), 3, (0, 0)),
        ("a a b a".split(), "a b a a".split(), 1, (4, 4)),
        # shorter than n: no n-grams at all (not a negative count)
        ("a".split(), "a b c".split(), 3, (0, 0)),
        ("a b c".split(), "a".split(), 2, (0, 2)),
        ([], "a b".split(), 1, (0, 0)),
        # repeated n-grams on both sides
        ("a a a a".split(), "a a a".split(), 2, (2, 3)),
        ("b a b a b".split(), "a b a b".split(), 2, (3, 4)),
    ]
    for hyp, ref, n, want in cases:
        got = expect_tuple(call(fn, list(hyp), list(ref), n), "matches, total")
        expect(
            tuple(int(x) for x in got) == want,
            f"hyp={' '.join(hyp)!r}, ref={' '.join(ref)!r}, n={n}: expected {want}, "
            f"got {tuple(got)}"
            + (
                " (clip each n-gram's count to its count in the reference)"
                if n == 1 and want[0] < want[1]
                else ""
            ),
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
