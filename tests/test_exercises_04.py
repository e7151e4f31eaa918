"""Each lecture-04 check passes the reference and rejects plausible wrong answers."""

import math
from collections import Counter

import pytest
import torch

from helpers.exercises import ExerciseFailed
from helpers.exercises import lecture04 as ex


def passes(check, fn) -> bool:
    return check(fn)


def rejects(check, fn) -> None:
    assert check(fn) is False
    with pytest.raises(ExerciseFailed):
        check(fn, strict=True)


# 1. dot attention ---------------------------------------------------------------------
def dot_attention(s, h, mask):
    e = torch.bmm(h, s[:, :, None]).squeeze(2)
    alpha = torch.softmax(e.masked_fill(~mask, float("-inf")), dim=1)
    return torch.bmm(alpha[:, None, :], h).squeeze(1), alpha


def test_dot_attention():
    assert passes(ex.check_dot_attention, dot_attention)

    def no_mask(s, h, mask):
        alpha = torch.softmax(torch.bmm(h, s[:, :, None]).squeeze(2), 1)
        return torch.bmm(alpha[:, None, :], h).squeeze(1), alpha

    def no_softmax(s, h, mask):
        e = torch.bmm(h, s[:, :, None]).squeeze(2) * mask
        return torch.bmm(e[:, None, :], h).squeeze(1), e

    def softmax_wrong_axis(s, h, mask):
        e = torch.bmm(h, s[:, :, None]).squeeze(2).masked_fill(~mask, float("-inf"))
        alpha = torch.softmax(e, 0)
        return torch.bmm(alpha[:, None, :], h).squeeze(1), alpha

    def mask_after_softmax(s, h, mask):  # zero the padding but do not renormalise
        alpha = torch.softmax(torch.bmm(h, s[:, :, None]).squeeze(2), 1) * mask
        return torch.bmm(alpha[:, None, :], h).squeeze(1), alpha

    def uniform(s, h, mask):
        # mean pooling: a constant answer whatever the query
        alpha = mask.float() / mask.sum(1, keepdim=True)
        return torch.bmm(alpha[:, None, :], h).squeeze(1), alpha

    for wrong in (no_mask, no_softmax, softmax_wrong_axis, mask_after_softmax, uniform):
        rejects(ex.check_dot_attention, wrong)


def test_unattempted_and_crashing_attempts_do_not_raise(capsys):
    def stub(*args):
        raise NotImplementedError

    assert ex.check_dot_attention(stub) is False
    assert "not attempted" in capsys.readouterr().out
    assert ex.check_beam_step(lambda *a: 1 / 0) is False
    assert "ZeroDivisionError" in capsys.readouterr().out


# 2. clipped counts --------------------------------------------------------------------
def clipped(hyp, ref, n):
    h = Counter(tuple(hyp[i : i + n]) for i in range(len(hyp) - n + 1))
    r = Counter(tuple(ref[i : i + n]) for i in range(len(ref) - n + 1))
    return sum(min(c, r[g]) for g, c in h.items()), max(len(hyp) - n + 1, 0)


def test_clipped_counts():
    assert passes(ex.check_clipped_counts, clipped)

    def unclipped(hyp, ref, n):
        r = {tuple(ref[i : i + n]) for i in range(len(ref) - n + 1)}
        grams = [tuple(hyp[i : i + n]) for i in range(len(hyp) - n + 1)]
        return sum(g in r for g in grams), len(grams)

    def off_by_one_total(hyp, ref, n):
        m, t = clipped(hyp, ref, n)
        return m, len(hyp) - n

    def types_not_tokens(hyp, ref, n):
        h = Counter(tuple(hyp[i : i + n]) for i in range(len(hyp) - n + 1))
        r = Counter(tuple(ref[i : i + n]) for i in range(len(ref) - n + 1))
        return sum(1 for g in h if g in r), len(h)

    for wrong in (
        unclipped,
        off_by_one_total,
        types_not_tokens,
        lambda h, r, n: (1, 4),
    ):
        rejects(ex.check_clipped_counts, wrong)


# 3. brevity penalty -------------------------------------------------------------------
def bp(c, r):
    return 0.0 if c == 0 else (1.0 if c >= r else math.exp(1 - r / c))


def test_brevity_penalty():
    assert passes(ex.check_brevity_penalty, bp)
    # ratio inverted
    wrongs = [
        lambda c, r: 1.0 if c >= r else math.exp(1 - c / r),
        # penalises long outputs too
        lambda c, r: math.exp(1 - r / c) if c else 0.0,
        # a linear penalty
        lambda c, r: min(1.0, c / r),
        # a constant
        lambda c, r: 1.0,
    ]
    for wrong in wrongs:
        rejects(ex.check_brevity_penalty, wrong)


# 4. beam step -------------------------------------------------------------------------
def beam_step(scores, logp, k):
    V = logp.shape[1]
    new, idx = (scores[:, None] + logp).view(-1).topk(k)
    return new, idx // V, idx % V


def test_beam_step():
    assert passes(ex.check_beam_step, beam_step)

    def forgets_scores(scores, logp, k):
        V = logp.shape[1]
        new, idx = logp.reshape(-1).topk(k)
        return new + scores[idx // V], idx // V, idx % V

    def best_word_per_beam(scores, logp, k):
        # each hypothesis keeps only its own best word
        top, word = (scores[:, None] + logp).max(1)
        order = top.argsort(descending=True)
        return top[order], order, word[order]

    def beam_and_word_swapped(scores, logp, k):
        V = logp.shape[1]
        new, idx = (scores[:, None] + logp).view(-1).topk(k)
        return new, idx % V, idx // V

    for wrong in (forgets_scores, best_word_per_beam, beam_and_word_swapped):
        rejects(ex.check_beam_step, wrong)
