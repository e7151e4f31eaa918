"""Lecture 05 (self-attention and Transformers): references and wrong answers."""

from . import Answers

NOTEBOOK = "05_transformers"
CHECKS = "helpers.exercises.lecture05"
SETUP = ""

EXERCISES = {
    "scaled_attention": Answers(
        check="check_attention",
        reference="""# @title Solution (run to check the reference)
def scaled_attention_solution(q, k, v, mask):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., T, S)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v  # (..., T, d_v)


ex.check_attention(scaled_attention_solution, strict=True);""",
        wrong=[
            """
def scaled_attention(q, k, v, mask):
    # forgets the 1 / sqrt(d_k) scaling
    scores = q @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
""",
            """
def scaled_attention(q, k, v, mask):
    # divides by d_k, not its square root
    scores = q @ k.transpose(-2, -1) / q.shape[-1]
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
""",
            """
def scaled_attention(q, k, v, mask):
    # scales by the values' width d_v instead of the keys' d_k
    scores = q @ k.transpose(-2, -1) / math.sqrt(v.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
""",
            """
def scaled_attention(q, k, v, mask):
    # the mask read the other way round: True taken as 'blocked'
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask, -1e9)
    return torch.softmax(scores, dim=-1) @ v
""",
            """
def scaled_attention(q, k, v, mask):
    # the softmax over the queries (dim -2), not over the keys
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, -1e9)
    return torch.softmax(scores, dim=-2) @ v
""",
        ],
    ),
    "causal_mask": Answers(
        check="check_causal_mask",
        reference="""# @title Solution (run to check the reference)
def causal_mask_solution(T):
    return torch.tril(torch.ones(T, T, dtype=torch.bool))


ex.check_causal_mask(causal_mask_solution, strict=True);""",
        wrong=[
            """
def causal_mask(T):
    # upper triangle: every query sees the future and not the past
    return torch.triu(torch.ones(T, T, dtype=torch.bool))
""",
            """
def causal_mask(T):
    # nn.Transformer's convention (True = blocked): the opposite of this book's
    return torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
""",
            """
def causal_mask(T):
    # strictly lower: a query may not see itself (and the first sees nothing)
    return torch.tril(torch.ones(T, T, dtype=torch.bool), diagonal=-1)
""",
            """
def causal_mask(T):
    # a float mask of ones and zeros: ~mask is not defined on floats
    return torch.tril(torch.ones(T, T))
""",
            """
def causal_mask(T):
    # integers, not booleans: masked_fill needs a boolean mask
    return torch.tril(torch.ones(T, T, dtype=torch.long))
""",
        ],
    ),
    "sinusoidal": Answers(
        check="check_sinusoidal",
        reference="""# @title Solution (run to check the reference)
def sinusoidal_solution(n, d):
    t = torch.arange(n, dtype=torch.float64)[:, None]  # (n, 1)
    w = 10000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)  # (d/2,)
    P = torch.zeros(n, d, dtype=torch.float64)
    P[:, 0::2], P[:, 1::2] = torch.sin(t * w), torch.cos(t * w)
    return P


ex.check_sinusoidal(sinusoidal_solution, strict=True);""",
        wrong=[
            """
def sinusoidal(n, d):
    # the notes' base 1000 instead of the paper's 10000
    t = torch.arange(n, dtype=torch.float64)[:, None]
    w = 1000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    P = torch.zeros(n, d, dtype=torch.float64)
    P[:, 0::2], P[:, 1::2] = torch.sin(t * w), torch.cos(t * w)
    return P
""",
            """
def sinusoidal(n, d):
    # sines in the first half, cosines in the second, not interleaved
    t = torch.arange(n, dtype=torch.float64)[:, None]
    w = 10000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    return torch.cat([torch.sin(t * w), torch.cos(t * w)], dim=1)
""",
            """
def sinusoidal(n, d):
    # the exponent i / d instead of 2i / d: frequencies fall half as fast
    t = torch.arange(n, dtype=torch.float64)[:, None]
    w = 10000.0 ** (-torch.arange(d // 2, dtype=torch.float64) / d)
    P = torch.zeros(n, d, dtype=torch.float64)
    P[:, 0::2], P[:, 1::2] = torch.sin(t * w), torch.cos(t * w)
    return P
""",
            """
def sinusoidal(n, d):
    # positions counted from 1, not 0
    t = torch.arange(1, n + 1, dtype=torch.float64)[:, None]
    w = 10000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    P = torch.zeros(n, d, dtype=torch.float64)
    P[:, 0::2], P[:, 1::2] = torch.sin(t * w), torch.cos(t * w)
    return P
""",
            """
def sinusoidal(n, d):
    # cosines on the even features, sines on the odd
    t = torch.arange(n, dtype=torch.float64)[:, None]
    w = 10000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    P = torch.zeros(n, d, dtype=torch.float64)
    P[:, 0::2], P[:, 1::2] = torch.cos(t * w), torch.sin(t * w)
    return P
""",
        ],
    ),
    "layer_norm": Answers(
        check="check_layer_norm",
        reference="""# @title Solution (run to check the reference)
def layer_norm_solution(x, gamma, beta, eps):
    dims = tuple(range(-gamma.dim(), 0))  # the trailing dimensions gamma covers
    mu = x.mean(dims, keepdim=True)
    var = x.var(dims, unbiased=False, keepdim=True)
    return gamma * (x - mu) / torch.sqrt(var + eps) + beta


ex.check_layer_norm(layer_norm_solution, strict=True);""",
        wrong=[
            """
def layer_norm(x, gamma, beta, eps):
    # the lecture's layer norm: statistics over the last dimension only
    mu = x.mean(-1, keepdim=True)
    var = x.var(-1, unbiased=False, keepdim=True)
    return gamma * (x - mu) / torch.sqrt(var + eps) + beta
""",
            """
def layer_norm(x, gamma, beta, eps):
    # torch's default var is the unbiased (n - 1) variance, not nn.LayerNorm's
    dims = tuple(range(-gamma.dim(), 0))
    mu = x.mean(dims, keepdim=True)
    var = x.var(dims, keepdim=True)
    return gamma * (x - mu) / torch.sqrt(var + eps) + beta
""",
            """
def layer_norm(x, gamma, beta, eps):
    # eps added to the standard deviation, not under the square root
    dims = tuple(range(-gamma.dim(), 0))
    mu = x.mean(dims, keepdim=True)
    var = x.var(dims, unbiased=False, keepdim=True)
    return gamma * (x - mu) / (torch.sqrt(var) + eps) + beta
""",
            """
def layer_norm(x, gamma, beta, eps):
    # one mean and variance for the whole tensor, batch included
    mu, var = x.mean(), x.var(unbiased=False)
    return gamma * (x - mu) / torch.sqrt(var + eps) + beta
""",
            """
def layer_norm(x, gamma, beta, eps):
    # the variance of each dimension separately, averaged: not the variance of all
    # the normalised elements together
    dims = tuple(range(-gamma.dim(), 0))
    mu = x.mean(dims, keepdim=True)
    var = x.var(-1, unbiased=False, keepdim=True).mean(dims[:-1] or -1, keepdim=True)
    return gamma * (x - mu) / torch.sqrt(var + eps) + beta
""",
            """
def layer_norm(x, gamma, beta, eps):
    # gamma and beta swapped
    dims = tuple(range(-gamma.dim(), 0))
    mu = x.mean(dims, keepdim=True)
    var = x.var(dims, unbiased=False, keepdim=True)
    return beta * (x - mu) / torch.sqrt(var + eps) + gamma
""",
        ],
    ),
    "merge_heads": Answers(
        check="check_merge_heads",
        reference="""# @title Solution (run to check the reference)
def merge_heads_solution(heads):
    B, h, T, dh = heads.shape
    # back to (B, T, h, d/h), then the heads side by side; after the transpose the
    # tensor is not contiguous, so reshape (which copies) rather than view
    return heads.transpose(1, 2).reshape(B, T, h * dh)


ex.check_merge_heads(merge_heads_solution, strict=True);""",
        wrong=[
            """
def merge_heads(heads):
    # reshapes straight back: right shape, but positions and heads are mixed
    B, h, T, dh = heads.shape
    return heads.reshape(B, T, h * dh)
""",
            """
def merge_heads(heads):
    # moves the head axis last: each position's features interleave the heads
    B, h, T, dh = heads.shape
    return heads.permute(0, 2, 3, 1).reshape(B, T, h * dh)
""",
            """
def merge_heads(heads):
    # concatenates the heads along time, not along the features
    return torch.cat(heads.unbind(1), dim=1)
""",
            """
def merge_heads(heads):
    # swaps time and features inside each head before flattening
    B, h, T, dh = heads.shape
    return heads.transpose(2, 3).reshape(B, T, h * dh)
""",
            """
def merge_heads(heads):
    # adds the heads up, as if they were summed like in a residual
    return heads.sum(1)
""",
        ],
    ),
    "score_scale": Answers(
        check="check_score_scale",
        reference="""# @title Solution (run to check the reference)
def score_scale_solution(d):
    # q . k is a sum of d products of unit variance: its variance is d, so dividing by
    # sqrt(d) keeps the scores, and so the softmax's entropy, the same for every d
    return 1 / math.sqrt(d)


ex.check_score_scale(score_scale_solution, strict=True);""",
        wrong=[
            """
def score_scale(d):
    # no scaling: the scores grow like sqrt(d) and the softmax becomes one-hot
    return 1.0
""",
            """
def score_scale(d):
    # 1 / d: the scores shrink like 1 / sqrt(d) and the softmax becomes uniform
    return 1 / d
""",
            """
def score_scale(d):
    # 1 / log d: grows too slowly to keep up with sqrt(d)
    return 1 / math.log(d)
""",
            """
def score_scale(d):
    # zero: a constant entropy indeed, but uniform attention that looks at nothing
    return 0.0
""",
            """
def score_scale(d):
    # 1 / sqrt(d) of the scale at d = 16, but written as 1 / d ** 0.25
    return 1 / d ** 0.25
""",
        ],
    ),
    "cache_mask": Answers(
        check="check_cache_mask",
        reference="""# @title Solution (run to check the reference)
def cache_mask_solution(T_past, T_new):
    # new query i sits at position T_past + i: it sees every cached key and the new
    # keys up to itself, the causal mask's diagonal shifted right by T_past
    T = T_past + T_new
    return torch.ones(T_new, T, dtype=torch.bool).tril(diagonal=T_past)


ex.check_cache_mask(cache_mask_solution, strict=True);""",
        wrong=[
            """
def cache_mask(T_past, T_new):
    # the diagonal not shifted: the new queries do not see most of the cache
    return torch.ones(T_new, T_past + T_new, dtype=torch.bool).tril()
""",
            """
def cache_mask(T_past, T_new):
    # the square causal mask of the new tokens: the cache is forgotten
    return torch.ones(T_new, T_new, dtype=torch.bool).tril()
""",
            """
def cache_mask(T_past, T_new):
    # every new query sees every key: right for one new token, not for several
    return torch.ones(T_new, T_past + T_new, dtype=torch.bool)
""",
            """
def cache_mask(T_past, T_new):
    # shifted one too far: each new query also sees the next one
    return torch.ones(T_new, T_past + T_new, dtype=torch.bool).tril(T_past + 1)
""",
            """
def cache_mask(T_past, T_new):
    # the last T_new rows of the full causal mask, but as 0/1 floats
    T = T_past + T_new
    return torch.tril(torch.ones(T, T))[T_past:]
""",
        ],
    ),
}
