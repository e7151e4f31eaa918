"""Lecture 04 (seq2seq, translation and attention): references and wrong answers."""

from . import Answers

NOTEBOOK = "04_seq2seq_attention"
CHECKS = "helpers.exercises.lecture04"
SETUP = ""

EXERCISES = {
    "dot_attention": Answers(
        check="check_dot_attention",
        reference="""# @title Solution (run to check the reference)
def dot_attention_solution(s, h, mask):
    e = torch.bmm(h, s[:, :, None]).squeeze(2)  # (B, S) scores s . h_i
    alpha = torch.softmax(e.masked_fill(~mask, float("-inf")), dim=1)
    return torch.bmm(alpha[:, None, :], h).squeeze(1), alpha  # (B, H), (B, S)


ex.check_dot_attention(dot_attention_solution, strict=True);""",
        wrong=[
            """
def dot_attention(s, h, mask):
    # masks after the softmax: padding gets 0, but the other weights no longer sum to 1
    e = torch.bmm(h, s[:, :, None]).squeeze(2)
    alpha = torch.softmax(e, dim=1) * mask
    return torch.bmm(alpha[:, None, :], h).squeeze(1), alpha
""",
            """
def dot_attention(s, h, mask):
    # sets padded scores to 0, not -inf: exp(0) still gives them weight
    e = torch.bmm(h, s[:, :, None]).squeeze(2)
    alpha = torch.softmax(e.masked_fill(~mask, 0.0), dim=1)
    return torch.bmm(alpha[:, None, :], h).squeeze(1), alpha
""",
            """
def dot_attention(s, h, mask):
    # assumes padding only at the end: keeps the first mask.sum() positions of each
    # row (wrong for left-padded or gappy rows)
    e = torch.bmm(h, s[:, :, None]).squeeze(2)
    lengths = mask.sum(1, keepdim=True)
    keep = torch.arange(h.shape[1])[None, :] < lengths
    alpha = torch.softmax(e.masked_fill(~keep, float("-inf")), dim=1)
    return torch.bmm(alpha[:, None, :], h).squeeze(1), alpha
""",
            """
def dot_attention(s, h, mask):
    # the softmax over the batch (dim 0), not over the source positions
    e = torch.bmm(h, s[:, :, None]).squeeze(2)
    alpha = torch.softmax(e.masked_fill(~mask, float("-inf")), dim=0)
    alpha = alpha.nan_to_num(0.0)
    return torch.bmm(alpha[:, None, :], h).squeeze(1), alpha
""",
            """
def dot_attention(s, h, mask):
    # multiplies the scores by the mask: padding scores become 0, not -inf
    e = torch.bmm(h, s[:, :, None]).squeeze(2) * mask
    alpha = torch.softmax(e, dim=1)
    return torch.bmm(alpha[:, None, :], h).squeeze(1), alpha
""",
        ],
    ),
    "clipped_counts": Answers(
        check="check_clipped_counts",
        reference="""# @title Solution (run to check the reference)
def clipped_counts_solution(hyp, ref, n):
    h = Counter(tuple(hyp[i : i + n]) for i in range(len(hyp) - n + 1))
    r = Counter(tuple(ref[i : i + n]) for i in range(len(ref) - n + 1))
    return sum(min(c, r[g]) for g, c in h.items()), max(len(hyp) - n + 1, 0)


ex.check_clipped_counts(clipped_counts_solution, strict=True);""",
        wrong=[
            """
def clipped_counts(hyp, ref, n):
    # counts every n-gram of hyp that occurs in ref, without clipping to ref's count
    ref_grams = {tuple(ref[i:i + n]) for i in range(len(ref) - n + 1)}
    grams = [tuple(hyp[i:i + n]) for i in range(len(hyp) - n + 1)]
    return sum(g in ref_grams for g in grams), len(grams)
""",
            """
def clipped_counts(hyp, ref, n):
    # clips with sets: each distinct n-gram counts at most once, even when the
    # reference has it twice
    h = {tuple(hyp[i:i + n]) for i in range(len(hyp) - n + 1)}
    r = {tuple(ref[i:i + n]) for i in range(len(ref) - n + 1)}
    return len(h & r), max(len(hyp) - n + 1, 0)
""",
            """
def clipped_counts(hyp, ref, n):
    # the total without max(., 0): negative for a hypothesis shorter than n
    h = Counter(tuple(hyp[i:i + n]) for i in range(len(hyp) - n + 1))
    r = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
    return sum(min(c, r[g]) for g, c in h.items()), len(hyp) - n + 1
""",
            """
def clipped_counts(hyp, ref, n):
    # off by one: range(len - n) misses the last n-gram
    h = Counter(tuple(hyp[i:i + n]) for i in range(len(hyp) - n))
    r = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n))
    return sum(min(c, r[g]) for g, c in h.items()), max(len(hyp) - n, 0)
""",
            """
def clipped_counts(hyp, ref, n):
    # clips to the hypothesis' own count: min(c, h[g]) is just c
    h = Counter(tuple(hyp[i:i + n]) for i in range(len(hyp) - n + 1))
    r = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
    return sum(min(c, h[g]) for g, c in h.items() if g in r), max(len(hyp) - n + 1, 0)
""",
            """
def clipped_counts(hyp, ref, n):
    # the total is the number of words, whatever n is
    h = Counter(tuple(hyp[i:i + n]) for i in range(len(hyp) - n + 1))
    r = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
    return sum(min(c, r[g]) for g, c in h.items()), len(hyp)
""",
        ],
    ),
    "brevity_penalty": Answers(
        check="check_brevity_penalty",
        reference="""# @title Solution (run to check the reference)
def brevity_penalty_solution(c, r):
    if c == 0:
        return 0.0
    return 1.0 if c >= r else math.exp(1 - r / c)


ex.check_brevity_penalty(brevity_penalty_solution, strict=True);""",
        wrong=[
            """
def brevity_penalty(c, r):
    # the ratio upside down: exp(1 - c / r)
    if c == 0:
        return 0.0
    return 1.0 if c >= r else math.exp(1 - c / r)
""",
            """
def brevity_penalty(c, r):
    # penalises every length: exp(1 - r / c) also for c > r, where it exceeds 1
    if c == 0:
        return 0.0
    return math.exp(1 - r / c)
""",
            """
def brevity_penalty(c, r):
    # a linear penalty c / r instead of the exponential
    if c == 0:
        return 0.0
    return min(1.0, c / r)
""",
            """
def brevity_penalty(c, r):
    # integer division r // c
    if c == 0:
        return 0.0
    return 1.0 if c >= r else math.exp(1 - r // c)
""",
            """
def brevity_penalty(c, r):
    # an empty output is not penalised
    if c == 0:
        return 1.0
    return 1.0 if c >= r else math.exp(1 - r / c)
""",
        ],
    ),
    "beam_step": Answers(
        check="check_beam_step",
        reference="""# @title Solution (run to check the reference)
def beam_step_solution(scores, logp, k):
    V = logp.shape[1]
    total = (scores[:, None] + logp).view(-1)  # (k * V,)
    new_scores, idx = total.topk(k)
    return new_scores, idx // V, idx % V


ex.check_beam_step(beam_step_solution, strict=True);""",
        wrong=[
            """
def beam_step(scores, logp, k):
    # each hypothesis keeps only its own best next word: not the k best over all k * V
    best, word = (scores[:, None] + logp).max(dim=1)
    new_scores, beam = best.sort(descending=True)
    return new_scores, beam, word[beam]
""",
            """
def beam_step(scores, logp, k):
    # true division: (idx / V).floor() gives the right numbers as floats, which
    # cannot index the next step's tensors
    V = logp.shape[1]
    new_scores, idx = (scores[:, None] + logp).view(-1).topk(k)
    return new_scores, (idx / V).floor(), (idx % V).float()
""",
            """
def beam_step(scores, logp, k):
    # beam and word swapped: idx % V is the word, idx // V the hypothesis
    V = logp.shape[1]
    new_scores, idx = (scores[:, None] + logp).view(-1).topk(k)
    return new_scores, idx % V, idx // V
""",
            """
def beam_step(scores, logp, k):
    # ranks by the next word's log-probability alone, forgetting the hypotheses'
    # scores so far
    V = logp.shape[1]
    _, idx = logp.reshape(-1).topk(k)
    return (scores[:, None] + logp).reshape(-1)[idx], idx // V, idx % V
""",
            """
def beam_step(scores, logp, k):
    # divides by k instead of V to find the hypothesis
    V = logp.shape[1]
    new_scores, idx = (scores[:, None] + logp).view(-1).topk(k)
    return new_scores, idx // k, idx % V
""",
        ],
    ),
}
