"""Lecture 01 (word vectors): references and wrong answers."""

from . import Answers

NOTEBOOK = "01_word_vectors"
CHECKS = "helpers.exercises.lecture01"
SETUP = """
import numpy as np


def softmax(s):
    e = np.exp(s - s.max())
    return e / e.sum()
"""

EXERCISES = {
    "context_pairs": Answers(
        check="check_context_pairs",
        reference="""# @title Solution (run to check the reference)
def context_pairs_solution(tokens, window):
    pairs = []
    for i, centre in enumerate(tokens):
        for j in range(max(0, i - window), min(len(tokens), i + window + 1)):
            if j != i:
                pairs.append((centre, tokens[j]))
    return pairs


ex.check_context_pairs(context_pairs_solution, strict=True);""",
        wrong=[
            """
def context_pairs(tokens, window):
    # off by one: the right-hand side of the window stops one word short
    pairs = []
    for i, centre in enumerate(tokens):
        for j in range(max(0, i - window), min(len(tokens), i + window)):
            if j != i:
                pairs.append((centre, tokens[j]))
    return pairs
""",
            """
def context_pairs(tokens, window):
    # compares words instead of positions: a word repeated inside the window is
    # never its own context
    pairs = []
    for i, centre in enumerate(tokens):
        for j in range(max(0, i - window), min(len(tokens), i + window + 1)):
            if tokens[j] != centre:
                pairs.append((centre, tokens[j]))
    return pairs
""",
            """
def context_pairs(tokens, window):
    # a set of pairs: a pair seen twice is counted once (word2vec trains on both)
    pairs = set()
    for i, centre in enumerate(tokens):
        for j in range(max(0, i - window), min(len(tokens), i + window + 1)):
            if j != i:
                pairs.add((centre, tokens[j]))
    return list(pairs)
""",
            """
def context_pairs(tokens, window):
    # finds the centre's position with tokens.index: every repeat of a word gets
    # the context of its first occurrence
    pairs = []
    for centre in tokens:
        i = tokens.index(centre)
        for j in range(max(0, i - window), min(len(tokens), i + window + 1)):
            if j != i:
                pairs.append((centre, tokens[j]))
    return pairs
""",
            """
def context_pairs(tokens, window):
    # only the words to the right: each pair appears in one direction
    pairs = []
    for i, centre in enumerate(tokens):
        for j in range(i + 1, min(len(tokens), i + window + 1)):
            pairs.append((centre, tokens[j]))
    return pairs
""",
            """
def context_pairs(tokens, window):
    # the centre is its own context
    pairs = []
    for i, centre in enumerate(tokens):
        for j in range(max(0, i - window), min(len(tokens), i + window + 1)):
            pairs.append((centre, tokens[j]))
    return pairs
""",
        ],
    ),
    "cbow_loss_grad": Answers(
        check="check_cbow",
        reference="""# @title Solution (run to check the reference)
def cbow_loss_grad_solution(C, U, o):
    v_hat = C.mean(0)  # (d,)
    p = softmax(U @ v_hat)  # (V,)
    y = np.zeros(len(U))
    y[o] = 1.0
    d_scores = p - y  # (V,)
    dv_hat = U.T @ d_scores  # (d,)
    # (2m, d): each context vector gets 1/2m of it
    dC = np.tile(dv_hat / len(C), (len(C), 1))
    return -np.log(p[o]), dC, np.outer(d_scores, v_hat)


ex.check_cbow(cbow_loss_grad_solution, strict=True);""",
        wrong=[
            """
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
            """
def cbow_loss_grad(C, U, o):
    # the sign of the gradient flipped (y - p): the direction of ascent
    v_hat = C.mean(0)
    s = U @ v_hat
    p = np.exp(s - s.max()); p /= p.sum()
    y = np.zeros(len(U)); y[o] = 1.0
    d_scores = y - p
    dC = np.tile(U.T @ d_scores / len(C), (len(C), 1))
    return -np.log(p[o]), dC, np.outer(d_scores, v_hat)
""",
            """
def cbow_loss_grad(C, U, o):
    # differentiates through the scores, not the softmax: s - y instead of p - y
    v_hat = C.mean(0)
    s = U @ v_hat
    p = np.exp(s - s.max()); p /= p.sum()
    y = np.zeros(len(U)); y[o] = 1.0
    d_scores = s - y
    dC = np.tile(U.T @ d_scores / len(C), (len(C), 1))
    return -np.log(p[o]), dC, np.outer(d_scores, v_hat)
""",
            """
def cbow_loss_grad(C, U, o):
    # v_hat is the sum of the context vectors, not their mean
    v_hat = C.sum(0)
    s = U @ v_hat
    p = np.exp(s - s.max()); p /= p.sum()
    y = np.zeros(len(U)); y[o] = 1.0
    d_scores = p - y
    dC = np.tile(U.T @ d_scores, (len(C), 1))
    return -np.log(p[o]), dC, np.outer(d_scores, v_hat)
""",
            """
def cbow_loss_grad(C, U, o):
    # the softmax without its maximum subtracted, and dU transposed: (d, V)
    v_hat = C.mean(0)
    p = np.exp(U @ v_hat); p /= p.sum()
    y = np.zeros(len(U)); y[o] = 1.0
    d_scores = p - y
    dC = np.tile(U.T @ d_scores / len(C), (len(C), 1))
    return -np.log(p[o]), dC, np.outer(v_hat, d_scores)
""",
        ],
    ),
    "glove_loss_grad": Answers(
        check="check_glove_grad",
        reference="""# @title Solution (run to check the reference)
def glove_loss_grad_solution(w, wt, b, bt, x, x_max=100.0, alpha=0.75):
    f = min(1.0, (x / x_max) ** alpha)
    r = w @ wt + b + bt - np.log(x)  # the residual
    return f * r * r, 2 * f * r * wt, 2 * f * r * w, 2 * f * r, 2 * f * r


ex.check_glove_grad(glove_loss_grad_solution, strict=True);""",
        wrong=[
            """
def glove_loss_grad(w, wt, b, bt, x, x_max=100.0, alpha=0.75):
    # drops the 2 of the square's derivative
    f = min(1.0, (x / x_max) ** alpha)
    r = w @ wt + b + bt - np.log(x)
    return f * r * r, f * r * wt, f * r * w, f * r, f * r
""",
            """
def glove_loss_grad(w, wt, b, bt, x, x_max=100.0, alpha=0.75):
    # the paper's constants written in: x_max and alpha are ignored
    f = min(1.0, (x / 100.0) ** 0.75)
    r = w @ wt + b + bt - np.log(x)
    return f * r * r, 2 * f * r * wt, 2 * f * r * w, 2 * f * r, 2 * f * r
""",
            """
def glove_loss_grad(w, wt, b, bt, x, x_max=100.0, alpha=0.75):
    # no cap: frequent pairs (x > x_max) weigh more than 1
    f = (x / x_max) ** alpha
    r = w @ wt + b + bt - np.log(x)
    return f * r * r, 2 * f * r * wt, 2 * f * r * w, 2 * f * r, 2 * f * r
""",
            """
def glove_loss_grad(w, wt, b, bt, x, x_max=100.0, alpha=0.75):
    # each vector's gradient uses itself instead of the other vector
    f = min(1.0, (x / x_max) ** alpha)
    r = w @ wt + b + bt - np.log(x)
    return f * r * r, 2 * f * r * w, 2 * f * r * wt, 2 * f * r, 2 * f * r
""",
            """
def glove_loss_grad(w, wt, b, bt, x, x_max=100.0, alpha=0.75):
    # fits the count itself, not its logarithm
    f = min(1.0, (x / x_max) ** alpha)
    r = w @ wt + b + bt - x
    return f * r * r, 2 * f * r * wt, 2 * f * r * w, 2 * f * r, 2 * f * r
""",
        ],
    ),
    "analogy": Answers(
        check="check_analogy",
        reference="""# @title Solution (run to check the reference)
def analogy_solution(a, b, c, E, words):
    U = E / np.linalg.norm(E, axis=1, keepdims=True)
    index = {w: i for i, w in enumerate(words)}
    scores = U @ (U[index[b]] - U[index[a]] + U[index[c]])
    for w in (a, b, c):
        scores[index[w]] = -np.inf
    return words[int(np.argmax(scores))]


ex.check_analogy(analogy_solution, strict=True);""",
        wrong=[
            """
def analogy(a, b, c, E, words):
    # forgets to exclude a, b and c: the answer is usually one of them
    U = E / np.linalg.norm(E, axis=1, keepdims=True)
    index = {w: i for i, w in enumerate(words)}
    scores = U @ (U[index[b]] - U[index[a]] + U[index[c]])
    return words[int(np.argmax(scores))]
""",
            """
def analogy(a, b, c, E, words):
    # excludes b and c, the words the target is built on, but not a
    U = E / np.linalg.norm(E, axis=1, keepdims=True)
    index = {w: i for i, w in enumerate(words)}
    scores = U @ (U[index[b]] - U[index[a]] + U[index[c]])
    for w in (b, c):
        scores[index[w]] = -np.inf
    return words[int(np.argmax(scores))]
""",
            """
def analogy(a, b, c, E, words):
    # excludes only c, the word the answer replaces
    U = E / np.linalg.norm(E, axis=1, keepdims=True)
    index = {w: i for i, w in enumerate(words)}
    scores = U @ (U[index[b]] - U[index[a]] + U[index[c]])
    scores[index[c]] = -np.inf
    return words[int(np.argmax(scores))]
""",
            """
def analogy(a, b, c, E, words):
    # excludes a and c but not b
    U = E / np.linalg.norm(E, axis=1, keepdims=True)
    index = {w: i for i, w in enumerate(words)}
    scores = U @ (U[index[b]] - U[index[a]] + U[index[c]])
    for w in (a, c):
        scores[index[w]] = -np.inf
    return words[int(np.argmax(scores))]
""",
            """
def analogy(a, b, c, E, words):
    # raw vectors, not unit vectors: long vectors win dot products
    index = {w: i for i, w in enumerate(words)}
    scores = E @ (E[index[b]] - E[index[a]] + E[index[c]])
    for w in (a, b, c):
        scores[index[w]] = -np.inf
    return words[int(np.argmax(scores))]
""",
            """
def analogy(a, b, c, E, words):
    # a - b + c: the offset taken the wrong way round
    U = E / np.linalg.norm(E, axis=1, keepdims=True)
    index = {w: i for i, w in enumerate(words)}
    scores = U @ (U[index[a]] - U[index[b]] + U[index[c]])
    for w in (a, b, c):
        scores[index[w]] = -np.inf
    return words[int(np.argmax(scores))]
""",
        ],
    ),
    "n_pairs": Answers(
        check="check_n_pairs",
        reference="""# @title Solution (run to check the reference)
def n_pairs_solution(n, window):
    # every ordered pair of distinct positions at most `window` apart: the gaps
    # g = 1 .. min(window, n - 1) occur n - g times each, in both directions
    return sum(2 * (n - g) for g in range(1, min(window, n - 1) + 1))


ex.check_n_pairs(n_pairs_solution, strict=True);""",
        wrong=[
            """
def n_pairs(n, window):
    # 2 * window pairs for every token: forgets that the edges have fewer neighbours
    return 2 * window * n
""",
            """
def n_pairs(n, window):
    # the edge correction window * (window + 1) is right only when n > window:
    # negative for short sentences
    return 2 * window * n - window * (window + 1)
""",
            """
def n_pairs(n, window):
    # counts each unordered pair once: word2vec trains on both directions
    return sum(n - g for g in range(1, min(window, n - 1) + 1))
""",
            """
def n_pairs(n, window):
    # off by one: the gap window itself is left out
    return sum(2 * (n - g) for g in range(1, min(window, n - 1)))
""",
            """
def n_pairs(n, window):
    # a float from a division: (2n - window - 1) * window, right for long sentences
    # and then cast badly for short ones
    return max(0.0, (2 * n - window - 1) * window / 1.0)
""",
        ],
    ),
    "cosine_vs_dot": Answers(
        check="check_cosine_vs_dot",
        reference="""# @title Solution (run to check the reference)
def cosine_vs_dot_solution():
    # a dot product is a cosine times two lengths: make "the" (a frequent word, whose
    # vector SGNS makes long) point a little away from "cat" but much longer
    return {
        "cat": np.array([1.0, 0.0]),
        "dog": np.array([0.9, 0.3]),  # cos 0.95, dot 0.9
        "the": np.array([5.0, 5.0]),  # cos 0.71, dot 5
    }


ex.check_cosine_vs_dot(cosine_vs_dot_solution, strict=True);""",
        wrong=[
            """
def cosine_vs_dot():
    # unit vectors: cosine and dot product are then the same thing
    return {"cat": np.array([1.0, 0.0]), "dog": np.array([0.8, 0.6]),
            "the": np.array([0.6, 0.8])}
""",
            """
def cosine_vs_dot():
    # "the" long, but pointing the same way as "dog": it ties on cosine
    return {"cat": np.array([1.0, 0.0]), "dog": np.array([0.9, 0.3]),
            "the": np.array([9.0, 3.0])}
""",
            """
def cosine_vs_dot():
    # the roles swapped: "dog" long and "the" close in direction
    return {"cat": np.array([1.0, 0.0]), "dog": np.array([5.0, 5.0]),
            "the": np.array([0.9, 0.3])}
""",
            """
def cosine_vs_dot():
    # "the" longer, but not long enough to make up for its angle
    return {"cat": np.array([1.0, 0.0]), "dog": np.array([0.9, 0.3]),
            "the": np.array([0.6, 0.6])}
""",
            """
def cosine_vs_dot():
    # "the" as the zero vector: the smallest dot product, and no cosine at all
    return {"cat": np.array([1.0, 0.0]), "dog": np.array([0.9, 0.3]),
            "the": np.array([0.0, 0.0])}
""",
        ],
    ),
}
