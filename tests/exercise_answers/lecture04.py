"""Lecture 04 (seq2seq, translation and attention): references and wrong answers."""

from . import Answers

NOTEBOOK = "04_seq2seq_attention"
CHECKS = "helpers.exercises.lecture04"
SETUP = """
from helpers.evaluate import corpus_bleu
"""

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
def clipped_counts_solution(hyp, refs, n):
    def grams(tokens):
        return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))

    # for each n-gram, the most times any one reference has it (Counter's | is a max)
    most = Counter()
    for ref in refs:
        most |= grams(ref)
    h = grams(hyp)
    return sum(min(c, most[g]) for g, c in h.items()), max(len(hyp) - n + 1, 0)


ex.check_clipped_counts(clipped_counts_solution, strict=True);""",
        wrong=[
            """
def clipped_counts(hyp, refs, n):
    # clips to the references' total count: 'the' once in each of three references
    # lets 'the the the' match three times
    def grams(tokens):
        return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    total = Counter()
    for ref in refs:
        total += grams(ref)
    h = grams(hyp)
    return sum(min(c, total[g]) for g, c in h.items()), max(len(hyp) - n + 1, 0)
""",
            """
def clipped_counts(hyp, refs, n):
    # uses the first reference only
    def grams(tokens):
        return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    r, h = grams(refs[0]), grams(hyp)
    return sum(min(c, r[g]) for g, c in h.items()), max(len(hyp) - n + 1, 0)
""",
            """
def clipped_counts(hyp, refs, n):
    # the smallest count over the references (Counter's &): an n-gram must be in all
    def grams(tokens):
        return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    common = grams(refs[0])
    for ref in refs[1:]:
        common &= grams(ref)
    h = grams(hyp)
    return sum(min(c, common[g]) for g, c in h.items()), max(len(hyp) - n + 1, 0)
""",
            """
def clipped_counts(hyp, refs, n):
    # no clipping: every n-gram found in some reference counts
    def grams(tokens):
        return [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    seen = {g for ref in refs for g in grams(ref)}
    h = grams(hyp)
    return sum(g in seen for g in h), len(h)
""",
            """
def clipped_counts(hyp, refs, n):
    # the references joined into one token list: n-grams across the seams count,
    # and counts add up
    def grams(tokens):
        return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))
    r = grams([w for ref in refs for w in ref])
    h = grams(hyp)
    return sum(min(c, r[g]) for g, c in h.items()), max(len(hyp) - n + 1, 0)
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
    "greedy_trap": Answers(
        check="check_greedy_trap",
        reference="""# @title Solution (run to check the reference)
def greedy_trap_solution():
    # word 0 is the likeliest first word but every continuation of it is uncertain;
    # word 1 is a close second with one sure continuation. A beam of 2 keeps both.
    p1 = torch.tensor([0.5, 0.4, 0.1])
    p2 = torch.tensor([[1 / 3, 1 / 3, 1 / 3], [0.9, 0.05, 0.05], [1 / 3, 1 / 3, 1 / 3]])
    return p1.log(), p2.log()


ex.check_greedy_trap(greedy_trap_solution, strict=True);""",
        wrong=[
            """
def greedy_trap():
    # a uniform language: every sequence ties, so greedy is never worse
    return torch.full((3,), 1 / 3).log(), torch.full((3, 3), 1 / 3).log()
""",
            """
def greedy_trap():
    # probabilities, not log-probabilities
    p1 = torch.tensor([0.5, 0.4, 0.1])
    p2 = torch.tensor([[1 / 3, 1 / 3, 1 / 3], [0.9, 0.05, 0.05], [1 / 3, 1 / 3, 1 / 3]])
    return p1, p2
""",
            """
def greedy_trap():
    # the likeliest first word also has the surest continuation: greedy is optimal
    p1 = torch.tensor([0.5, 0.4, 0.1])
    p2 = torch.tensor([[0.9, 0.05, 0.05], [1 / 3, 1 / 3, 1 / 3], [1 / 3, 1 / 3, 1 / 3]])
    return p1.log(), p2.log()
""",
            """
def greedy_trap():
    # the better path starts with the third-best first word: a beam of 2 misses it too
    p1 = torch.tensor([0.45, 0.35, 0.2])
    p2 = torch.tensor([[0.4, 0.3, 0.3], [0.4, 0.3, 0.3], [0.99, 0.005, 0.005]])
    return p1.log(), p2.log()
""",
            """
def greedy_trap():
    # rows of logp2 that do not sum to 1 (scores, not a distribution)
    p1 = torch.tensor([0.5, 0.4, 0.1])
    p2 = torch.tensor([[0.3, 0.3, 0.3], [0.9, 0.5, 0.5], [0.3, 0.3, 0.3]])
    return p1.log(), p2.log()
""",
        ],
    ),
    "choose_alpha": Answers(
        check="check_choose_alpha",
        reference="""# @title Solution (run to check the reference)
def choose_alpha_solution(candidates, refs, alphas):
    def bleu(alpha):
        picks = [
            max(cands, key=lambda c: c[1] / len(c[0]) ** alpha)[0]
            for cands in candidates
        ]
        return corpus_bleu(picks, refs)

    return max(alphas, key=bleu)  # max keeps the first of equal scores


ex.check_choose_alpha(choose_alpha_solution, strict=True);""",
        wrong=[
            """
def choose_alpha(candidates, refs, alphas):
    # picks the alpha with the best mean normalised score: the model's opinion of
    # itself, not the quality against the references
    def mean_score(alpha):
        return np.mean([max(c[1] / len(c[0]) ** alpha for c in cands)
                        for cands in candidates])
    return max(alphas, key=mean_score)
""",
            """
def choose_alpha(candidates, refs, alphas):
    # multiplies by the length instead of dividing: long outputs are punished more
    def bleu(alpha):
        picks = [max(cands, key=lambda c: c[1] * len(c[0]) ** alpha)[0]
                 for cands in candidates]
        return corpus_bleu(picks, refs)
    return max(alphas, key=bleu)
""",
            """
def choose_alpha(candidates, refs, alphas):
    # the lowest BLEU
    def bleu(alpha):
        picks = [max(cands, key=lambda c: c[1] / len(c[0]) ** alpha)[0]
                 for cands in candidates]
        return corpus_bleu(picks, refs)
    return min(alphas, key=bleu)
""",
            """
def choose_alpha(candidates, refs, alphas):
    # GNMT's usual choice without looking at the data
    return 1.0
""",
            """
def choose_alpha(candidates, refs, alphas):
    # picks by the smallest score: min instead of max over each sentence's candidates
    def bleu(alpha):
        picks = [min(cands, key=lambda c: c[1] / len(c[0]) ** alpha)[0]
                 for cands in candidates]
        return corpus_bleu(picks, refs)
    return max(alphas, key=bleu)
""",
        ],
    ),
}
