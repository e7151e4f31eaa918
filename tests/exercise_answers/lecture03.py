"""Lecture 03 (language models and recurrent networks): references and wrong answers."""

from . import Answers

NOTEBOOK = "03_language_models"
CHECKS = "helpers.exercises.lecture03"
SETUP = ""

EXERCISES = {
    "add_k_matrix": Answers(
        check="check_add_k",
        reference="""# @title Solution (run to check the reference)
def add_k_matrix_solution(C, k):
    V = C.shape[1]
    return (C + k) / (C.sum(axis=1, keepdims=True) + k * V)


ex.check_add_k(add_k_matrix_solution, strict=True);""",
        wrong=[
            """
def add_k_matrix(C, k):
    # adds k to the denominator once instead of once per word of the vocabulary (k * V)
    return (C + k) / (C.sum(axis=1, keepdims=True) + k)
""",
            """
def add_k_matrix(C, k):
    # normalises the columns instead of the rows (the history is the row)
    V = C.shape[0]
    return (C + k) / (C.sum(axis=0, keepdims=True) + k * V)
""",
            """
def add_k_matrix(C, k):
    # add-one whatever k is
    V = C.shape[1]
    return (C + 1) / (C.sum(axis=1, keepdims=True) + V)
""",
            """
def add_k_matrix(C, k):
    # adds k in place: right probabilities, but the caller's counts now include k
    C += k
    return C / C.sum(axis=1, keepdims=True)
""",
            """
def add_k_matrix(C, k):
    # smooths only the unseen bigrams (k where the count is 0): rows no longer sum
    # to 1
    V = C.shape[1]
    return np.where(C > 0, C, k) / (C.sum(axis=1, keepdims=True) + k * V)
""",
        ],
    ),
    "rnn_step": Answers(
        check="check_rnn_step",
        reference="""# @title Solution (run to check the reference)
def rnn_step_solution(x, h, W_e, W_h, b):
    return torch.tanh(x @ W_e.T + h @ W_h.T + b)  # (B, H)


ex.check_rnn_step(rnn_step_solution, strict=True);""",
        wrong=[
            """
def rnn_step(x, h, W_e, W_h, b):
    # forgets to transpose W_h (runs, since W_h is square, but mixes the wrong units)
    return torch.tanh(x @ W_e.T + h @ W_h + b)
""",
            """
def rnn_step(x, h, W_e, W_h, b):
    # forgets the bias
    return torch.tanh(x @ W_e.T + h @ W_h.T)
""",
            """
def rnn_step(x, h, W_e, W_h, b):
    # a sigmoid instead of tanh
    return torch.sigmoid(x @ W_e.T + h @ W_h.T + b)
""",
            """
def rnn_step(x, h, W_e, W_h, b):
    # no nonlinearity: a linear recurrence
    return x @ W_e.T + h @ W_h.T + b
""",
            """
def rnn_step(x, h, W_e, W_h, b):
    # squashes only the recurrent part
    return torch.tanh(h @ W_h.T) + x @ W_e.T + b
""",
        ],
    ),
    "lstm_cell": Answers(
        check="check_lstm_cell",
        reference="""# @title Solution (run to check the reference)
def lstm_cell_solution(x, h, c, W, U, b):
    i, f, g, o = (x @ W.T + h @ U.T + b).chunk(4, dim=1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new


ex.check_lstm_cell(lstm_cell_solution, strict=True);""",
        wrong=[
            """
def lstm_cell(x, h, c, W, U, b):
    # gates in the order i, f, o, g of many papers, not PyTorch's i, f, g, o
    i, f, o, g = (x @ W.T + h @ U.T + b).chunk(4, dim=1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new
""",
            """
def lstm_cell(x, h, c, W, U, b):
    # no forget gate on the old cell: c + i * g
    i, f, g, o = (x @ W.T + h @ U.T + b).chunk(4, dim=1)
    c_new = c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new
""",
            """
def lstm_cell(x, h, c, W, U, b):
    # the output gate on the cell itself, without its tanh
    i, f, g, o = (x @ W.T + h @ U.T + b).chunk(4, dim=1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * c_new, c_new
""",
            """
def lstm_cell(x, h, c, W, U, b):
    # the new hidden state from the old cell
    i, f, g, o = (x @ W.T + h @ U.T + b).chunk(4, dim=1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c_new
""",
            """
def lstm_cell(x, h, c, W, U, b):
    # the candidate through a sigmoid like the gates, not tanh
    i, f, g, o = (x @ W.T + h @ U.T + b).chunk(4, dim=1)
    c_new = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.sigmoid(g)
    return torch.sigmoid(o) * torch.tanh(c_new), c_new
""",
        ],
    ),
    "sample_with_temperature": Answers(
        check="check_sample_temperature",
        reference="""# @title Solution (run to check the reference)
def sample_with_temperature_solution(logits, T, u):
    if T == 0:
        return int(np.argmax(logits))
    z = logits / T
    p = np.exp(z - z.max())
    p /= p.sum()
    return int(np.searchsorted(np.cumsum(p), u, side="right"))


ex.check_sample_temperature(sample_with_temperature_solution, strict=True);""",
        wrong=[
            """
def sample_with_temperature(logits, T, u):
    # multiplies the logits by T instead of dividing: high temperatures sharpen
    if T == 0:
        return int(np.argmax(logits))
    z = logits * T
    p = np.exp(z - z.max())
    p /= p.sum()
    return int(np.searchsorted(np.cumsum(p), u, side="right"))
""",
            """
def sample_with_temperature(logits, T, u):
    # T = 0 returns index 0, as if the logits were sorted
    if T == 0:
        return 0
    z = logits / T
    p = np.exp(z - z.max())
    p /= p.sum()
    return int(np.searchsorted(np.cumsum(p), u, side="right"))
""",
            """
def sample_with_temperature(logits, T, u):
    # exp without subtracting the maximum: overflows for large logits / T
    if T == 0:
        return int(np.argmax(logits))
    p = np.exp(logits / T)
    p /= p.sum()
    return int(np.searchsorted(np.cumsum(p), u, side="right"))
""",
            """
def sample_with_temperature(logits, T, u):
    # draws its own random number instead of using u
    if T == 0:
        return int(np.argmax(logits))
    z = logits / T
    p = np.exp(z - z.max())
    p /= p.sum()
    return int(np.random.default_rng().choice(len(p), p=p))
""",
            """
def sample_with_temperature(logits, T, u):
    # returns the cumulative sum's position as a float array element
    if T == 0:
        return np.argmax(logits) * 1.0
    z = logits / T
    p = np.exp(z - z.max())
    p /= p.sum()
    return np.searchsorted(np.cumsum(p), u, side="right") * 1.0
""",
            """
def sample_with_temperature(logits, T, u):
    # the temperature applied to the probabilities, p ** (1 / T), not renormalised
    if T == 0:
        return int(np.argmax(logits))
    p = np.exp(logits - logits.max())
    p = (p / p.sum()) ** (1 / T)
    return int(np.searchsorted(np.cumsum(p), u, side="right"))
""",
        ],
    ),
    "best_k": Answers(
        check="check_best_k",
        reference="""# @title Solution (run to check the reference)
def best_k_solution(C, val_pairs, ks):
    V = C.shape[1]
    h, w = np.array(val_pairs).T

    def perplexity(k):
        P = (C + k) / (C.sum(axis=1, keepdims=True) + k * V)
        return np.exp(-np.mean(np.log(P[h, w])))

    return min(ks, key=perplexity)


ex.check_best_k(best_k_solution, strict=True);""",
        wrong=[
            """
def best_k(C, val_pairs, ks):
    # chooses k on the training counts: the smallest k always fits them best
    V = C.shape[1]
    h, w = C.nonzero()
    return min(ks, key=lambda k: -np.sum(C[h, w] * np.log(
        ((C + k) / (C.sum(axis=1, keepdims=True) + k * V))[h, w])))
""",
            """
def best_k(C, val_pairs, ks):
    # maximises the perplexity instead of minimising it
    V = C.shape[1]
    h, w = np.array(val_pairs).T
    return max(ks, key=lambda k: np.exp(-np.mean(np.log(
        ((C + k) / (C.sum(axis=1, keepdims=True) + k * V))[h, w]))))
""",
            """
def best_k(C, val_pairs, ks):
    # the mean probability instead of the mean log-probability: rewards a few
    # confident hits, ignores the pairs the model finds nearly impossible
    V = C.shape[1]
    h, w = np.array(val_pairs).T
    return max(ks, key=lambda k: np.mean(
        ((C + k) / (C.sum(axis=1, keepdims=True) + k * V))[h, w]))
""",
            """
def best_k(C, val_pairs, ks):
    # add-one is the textbook's choice
    return 1.0
""",
            """
def best_k(C, val_pairs, ks):
    # forgets k * V in the denominator: the probabilities no longer sum to 1 and a
    # larger k always looks better
    h, w = np.array(val_pairs).T
    return min(ks, key=lambda k: np.exp(-np.mean(np.log(
        ((C + k) / (C.sum(axis=1, keepdims=True) + k))[h, w]))))
""",
        ],
    ),
    "temperature_for_entropy": Answers(
        check="check_temperature_for_entropy",
        reference="""# @title Solution (run to check the reference)
def temperature_for_entropy_solution(logits, H):
    def entropy(T):  # in bits; it grows with T, from 0 (argmax) to log2 V (uniform)
        z = logits / T
        p = np.exp(z - z.max())
        p /= p.sum()
        return -(p * np.log2(np.where(p > 0, p, 1))).sum()

    lo, hi = 1e-3, 1.0
    while entropy(hi) < H:  # find a temperature above the target
        hi *= 2
    for _ in range(100):  # then bisect on log T
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if entropy(mid) < H else (lo, mid)
    return math.sqrt(lo * hi)


ex.check_temperature_for_entropy(temperature_for_entropy_solution, strict=True);""",
        wrong=[
            """
def temperature_for_entropy(logits, H):
    # entropy in nats (natural log), not bits
    def entropy(T):
        z = logits / T
        p = np.exp(z - z.max()); p /= p.sum()
        return -(p * np.log(np.where(p > 0, p, 1))).sum()
    lo, hi = 1e-3, 1.0
    while entropy(hi) < H:
        hi *= 2
    for _ in range(100):
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if entropy(mid) < H else (lo, mid)
    return math.sqrt(lo * hi)
""",
            """
def temperature_for_entropy(logits, H):
    # bisects the wrong way, as if the entropy fell with T
    def entropy(T):
        z = logits / T
        p = np.exp(z - z.max()); p /= p.sum()
        return -(p * np.log2(np.where(p > 0, p, 1))).sum()
    lo, hi = 1e-3, 100.0
    for _ in range(100):
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if entropy(mid) > H else (lo, mid)
    return math.sqrt(lo * hi)
""",
            """
def temperature_for_entropy(logits, H):
    # assumes the entropy is proportional to T: scales T = 1 by H / H(1)
    z = logits - logits.max()
    p = np.exp(z); p /= p.sum()
    return H / -(p * np.log2(p)).sum()
""",
            """
def temperature_for_entropy(logits, H):
    # stops bisecting after five steps: close, not within 0.001 bits
    def entropy(T):
        z = logits / T
        p = np.exp(z - z.max()); p /= p.sum()
        return -(p * np.log2(np.where(p > 0, p, 1))).sum()
    lo, hi = 1e-3, 1000.0
    for _ in range(5):
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if entropy(mid) < H else (lo, mid)
    return math.sqrt(lo * hi)
""",
            """
def temperature_for_entropy(logits, H):
    # searches only T in [0, 1] (sharpening): targets above the entropy at T = 1
    # are out of reach
    def entropy(T):
        z = logits / T
        p = np.exp(z - z.max()); p /= p.sum()
        return -(p * np.log2(np.where(p > 0, p, 1))).sum()
    lo, hi = 1e-3, 1.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if entropy(mid) < H else (lo, mid)
    return (lo + hi) / 2
""",
        ],
    ),
}
