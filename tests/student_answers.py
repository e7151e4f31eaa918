"""One plausible wrong answer per exercise, for the student flow
(``tests/nbval_plugin.py``).

``WRONG_ANSWERS[notebook][stub]`` is the source a student might type into the stub cell:
the notebook's own function name and signature, a realistic mistake (the comment says
which), and only the names every exercise section has (``np``, ``torch``, ``math``,
``Counter``). After the notebook's last cell the flow runs it, then the exercise's check
cell, and expects "failed: <reason>"; then the folded reference under the stub's name,
and expects "passed".

An exercise found in a notebook without an entry here fails the run, and so does an
entry for a stub no notebook has (``tests/test_student_answers.py``).
"""

WRONG_ANSWERS: dict[str, dict[str, str]] = {
    "01_word_vectors": {
        "context_pairs": """
def context_pairs(tokens, window):
    # off by one: the right-hand side of the window stops one word short
    pairs = []
    for i, centre in enumerate(tokens):
        for j in range(max(0, i - window), min(len(tokens), i + window)):
            if j != i:
                pairs.append((centre, tokens[j]))
    return pairs
""",
        "cbow_loss_grad": """
def cbow_loss_grad(C, U, o):
    # forgets that v_hat is an average: every context vector gets the whole gradient,
    # not 1/2m
    v_hat = C.mean(0)
    s = U @ v_hat
    p = np.exp(s - s.max()); p /= p.sum()
    y = np.zeros(len(U)); y[o] = 1.0
    d_scores = p - y
    dC = np.tile(U.T @ d_scores, (len(C), 1))
    return -np.log(p[o]), dC, np.outer(d_scores, v_hat)
""",
        "glove_loss_grad": """
def glove_loss_grad(w, wt, b, bt, x, x_max=100.0, alpha=0.75):
    # drops the 2 of the square's derivative
    f = min(1.0, (x / x_max) ** alpha)
    r = w @ wt + b + bt - np.log(x)
    return f * r * r, f * r * wt, f * r * w, f * r, f * r
""",
        "analogy": """
def analogy(a, b, c, E, words):
    # forgets to exclude a, b and c: the answer is usually one of them
    U = E / np.linalg.norm(E, axis=1, keepdims=True)
    index = {w: i for i, w in enumerate(words)}
    scores = U @ (U[index[b]] - U[index[a]] + U[index[c]])
    return words[int(np.argmax(scores))]
""",
    },
    "02_neural_networks": {
        "linear_backward": """
def linear_backward(X, W, b, dY):
    # dW transposed: X.T @ dY has shape (n_in, n_out), not W's (n_out, n_in)
    return dY @ W, X.T @ dY, dY.sum(0)
""",
        "dropout_np": """
def dropout_np(x, p, u, train):
    # zeroes the dropped units but forgets to scale the kept ones by 1 / (1 - p)
    if not train:
        return x
    return np.where(u >= p, x, 0.0)
""",
        "adam_step": """
def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    # no bias correction: the first steps are far too small
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return theta - lr * m / (np.sqrt(v) + eps), m, v
""",
        "layernorm_backward": """
def layernorm_backward(x, gamma, dy, eps=1e-5):
    # treats the mean and the variance as constants: dx misses their dependence on x
    mu = x.mean(-1, keepdims=True)
    std = np.sqrt(x.var(-1, keepdims=True) + eps)
    x_hat = (x - mu) / std
    return dy * gamma / std, (dy * x_hat).sum(0), dy.sum(0)
""",
    },
    "03_language_models": {
        "add_k_matrix": """
def add_k_matrix(C, k):
    # adds k to the denominator once instead of once per word of the vocabulary (k * V)
    return (C + k) / (C.sum(axis=1, keepdims=True) + k)
""",
        "rnn_step": """
def rnn_step(x, h, W_e, W_h, b):
    # forgets to transpose W_h (runs, since W_h is square, but mixes the wrong units)
    return torch.tanh(x @ W_e.T + h @ W_h + b)
""",
        "lstm_cell": """
def lstm_cell(x, h, c, W, U, b):
    # gates in the order i, f, o, g of many papers, not PyTorch's i, f, g, o
    i, f, o, g = (x @ W.T + h @ U.T + b).chunk(4, dim=1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new
""",
        "sample_with_temperature": """
def sample_with_temperature(logits, T, u):
    # multiplies the logits by T instead of dividing: high temperatures sharpen
    if T == 0:
        return int(np.argmax(logits))
    z = logits * T
    p = np.exp(z - z.max())
    p /= p.sum()
    return int(np.searchsorted(np.cumsum(p), u, side="right"))
""",
    },
    "04_seq2seq_attention": {
        "dot_attention": """
def dot_attention(s, h, mask):
    # masks after the softmax: padding gets 0, but the other weights no longer sum to 1
    e = torch.bmm(h, s[:, :, None]).squeeze(2)
    alpha = torch.softmax(e, dim=1) * mask
    return torch.bmm(alpha[:, None, :], h).squeeze(1), alpha
""",
        "clipped_counts": """
def clipped_counts(hyp, ref, n):
    # counts every n-gram of hyp that occurs in ref, without clipping to ref's count
    ref_grams = {tuple(ref[i:i + n]) for i in range(len(ref) - n + 1)}
    grams = [tuple(hyp[i:i + n]) for i in range(len(hyp) - n + 1)]
    return sum(g in ref_grams for g in grams), len(grams)
""",
        "brevity_penalty": """
def brevity_penalty(c, r):
    # the ratio upside down: exp(1 - c / r)
    if c == 0:
        return 0.0
    return 1.0 if c >= r else math.exp(1 - c / r)
""",
        "beam_step": """
def beam_step(scores, logp, k):
    # each hypothesis keeps only its own best next word: not the k best over all k * V
    best, word = (scores[:, None] + logp).max(dim=1)
    new_scores, beam = best.sort(descending=True)
    return new_scores, beam, word[beam]
""",
    },
    "05_transformers": {
        "scaled_attention": """
def scaled_attention(q, k, v, mask):
    # forgets the 1 / sqrt(d_k) scaling
    scores = q @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
""",
        "causal_mask": """
def causal_mask(T):
    # upper triangle: every query sees the future and not the past
    return torch.triu(torch.ones(T, T, dtype=torch.bool))
""",
        "sinusoidal": """
def sinusoidal(n, d):
    # the notes' base 1000 instead of the paper's 10000
    t = torch.arange(n, dtype=torch.float64)[:, None]
    w = 1000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    P = torch.zeros(n, d, dtype=torch.float64)
    P[:, 0::2], P[:, 1::2] = torch.sin(t * w), torch.cos(t * w)
    return P
""",
        "layer_norm": """
def layer_norm(x, gamma, beta, eps):
    # torch's default x.var() is the unbiased (d - 1) variance, not nn.LayerNorm's
    mu = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True)
    return gamma * (x - mu) / torch.sqrt(var + eps) + beta
""",
        "split_heads": """
def split_heads(x, h):
    # reshapes straight to (B, h, T, d / h): right shape, but heads hold the wrong
    # features
    B, T, d = x.shape
    return x.reshape(B, h, T, d // h)
""",
    },
}
