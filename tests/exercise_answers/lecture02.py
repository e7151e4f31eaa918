"""Lecture 02 (neural networks and backpropagation): references and wrong answers."""

from . import Answers

NOTEBOOK = "02_neural_networks"
CHECKS = "helpers.exercises.lecture02"
SETUP = ""

EXERCISES = {
    "linear_backward": Answers(
        check="check_linear_backward",
        reference="""# @title Solution (run to check the reference)
def linear_backward_solution(X, W, b, dY):
    dX = dY @ W  # (B, n_out) @ (n_out, n_in) -> (B, n_in)
    dW = dY.T @ X  # (n_out, B) @ (B, n_in)     -> (n_out, n_in)
    db = dY.sum(0)  # b is added to every row: its gradient sums over the batch
    return dX, dW, db


ex.check_linear_backward(linear_backward_solution, strict=True);""",
        wrong=[
            """
def linear_backward(X, W, b, dY):
    # dW transposed: X.T @ dY has shape (n_in, n_out), not W's (n_out, n_in)
    return dY @ W, X.T @ dY, dY.sum(0)
""",
            """
def linear_backward(X, W, b, dY):
    # db averaged over the batch instead of summed
    return dY @ W, dY.T @ X, dY.mean(0)
""",
            """
def linear_backward(X, W, b, dY):
    # db summed over everything: one number, not one per output
    return dY @ W, dY.T @ X, dY.sum()
""",
            """
def linear_backward(X, W, b, dY):
    # dW divided by the batch size, as if the loss were a mean
    return dY @ W, dY.T @ X / len(X), dY.sum(0)
""",
            """
def linear_backward(X, W, b, dY):
    # the batch averaged into dX: each example's input gradient divided by B
    return dY @ W / len(X), dY.T @ X, dY.sum(0)
""",
        ],
    ),
    "dropout_np": Answers(
        check="check_dropout",
        reference="""# @title Solution (run to check the reference)
def dropout_np_solution(x, p, u, train):
    if not train:
        return x
    return np.where(u >= p, x / (1 - p), 0.0)


ex.check_dropout(dropout_np_solution, strict=True);""",
        wrong=[
            """
def dropout_np(x, p, u, train):
    # zeroes the dropped units but forgets to scale the kept ones by 1 / (1 - p)
    if not train:
        return x
    return np.where(u >= p, x, 0.0)
""",
            """
def dropout_np(x, p, u, train):
    # keeps the units with u < p: keeps a fraction p instead of 1 - p
    if not train:
        return x
    return np.where(u < p, x / (1 - p), 0.0)
""",
            """
def dropout_np(x, p, u, train):
    # multiplies by (1 - p) instead of dividing: the old, non-inverted scaling
    if not train:
        return x
    return np.where(u >= p, x * (1 - p), 0.0)
""",
            """
def dropout_np(x, p, u, train):
    # a strict u > p: a draw exactly at the threshold is dropped
    if not train:
        return x
    return np.where(u > p, x / (1 - p), 0.0)
""",
            """
def dropout_np(x, p, u, train):
    # drops units in evaluation too
    y = np.where(u >= p, x / (1 - p), 0.0)
    return y if train else y * (1 - p)
""",
        ],
    ),
    "adam_step": Answers(
        check="check_adam_step",
        reference="""# @title Solution (run to check the reference)
def adam_step_solution(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


ex.check_adam_step(adam_step_solution, strict=True);""",
        wrong=[
            """
def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    # no bias correction: the first steps are far too small
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return theta - lr * m / (np.sqrt(v) + eps), m, v
""",
            """
def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    # epsilon inside the square root: matters when the gradients are tiny
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v
""",
            """
def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    # the paper's 'efficient' form: the corrections folded into the step size, so
    # eps is added to the uncorrected sqrt(v) (a different epsilon)
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    step = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return theta - step * m / (np.sqrt(v) + eps), m, v
""",
            """
def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    # returns the bias-corrected moments as the new state: corrected again next step
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat
""",
            """
def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    # bias correction with t + 1, as if t counted from 0
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
""",
            """
def adam_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    # updates m in place (m *= ...): the caller's array changes under it
    m *= beta1
    m += (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
""",
        ],
    ),
    "layernorm_backward": Answers(
        check="check_layernorm_backward",
        reference="""# @title Solution (run to check the reference)
def layernorm_backward_solution(x, gamma, dy, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    std = np.sqrt(x.var(-1, keepdims=True) + eps)
    x_hat = (x - mu) / std
    g = dy * gamma
    dx = (
        g - g.mean(-1, keepdims=True) - x_hat * (g * x_hat).mean(-1, keepdims=True)
    ) / std
    return dx, (dy * x_hat).sum(0), dy.sum(0)


ex.check_layernorm_backward(layernorm_backward_solution, strict=True);""",
        wrong=[
            """
def layernorm_backward(x, gamma, dy, eps=1e-5):
    # treats the mean and the variance as constants: dx misses their dependence on x
    mu = x.mean(-1, keepdims=True)
    std = np.sqrt(x.var(-1, keepdims=True) + eps)
    x_hat = (x - mu) / std
    return dy * gamma / std, (dy * x_hat).sum(0), dy.sum(0)
""",
            """
def layernorm_backward(x, gamma, dy, eps=1e-5):
    # keeps the mean's term but forgets the variance's
    mu = x.mean(-1, keepdims=True)
    std = np.sqrt(x.var(-1, keepdims=True) + eps)
    x_hat = (x - mu) / std
    g = dy * gamma
    return (g - g.mean(-1, keepdims=True)) / std, (dy * x_hat).sum(0), dy.sum(0)
""",
            """
def layernorm_backward(x, gamma, dy, eps=1e-5):
    # ignores eps: wrong for rows whose variance is not much larger than eps
    mu = x.mean(-1, keepdims=True)
    std = np.sqrt(x.var(-1, keepdims=True))
    x_hat = (x - mu) / std
    g = dy * gamma
    dx = (g - g.mean(-1, keepdims=True)
          - x_hat * (g * x_hat).mean(-1, keepdims=True)) / std
    return dx, (dy * x_hat).sum(0), dy.sum(0)
""",
            """
def layernorm_backward(x, gamma, dy, eps=1e-5):
    # the unbiased variance (ddof=1), not layer norm's biased one
    mu = x.mean(-1, keepdims=True)
    std = np.sqrt(x.var(-1, ddof=1, keepdims=True) + eps)
    x_hat = (x - mu) / std
    g = dy * gamma
    dx = (g - g.mean(-1, keepdims=True)
          - x_hat * (g * x_hat).mean(-1, keepdims=True)) / std
    return dx, (dy * x_hat).sum(0), dy.sum(0)
""",
            """
def layernorm_backward(x, gamma, dy, eps=1e-5):
    # dgamma and dbeta summed over the features instead of the batch
    mu = x.mean(-1, keepdims=True)
    std = np.sqrt(x.var(-1, keepdims=True) + eps)
    x_hat = (x - mu) / std
    g = dy * gamma
    dx = (g - g.mean(-1, keepdims=True)
          - x_hat * (g * x_hat).mean(-1, keepdims=True)) / std
    return dx, (dy * x_hat).sum(-1), dy.sum(-1)
""",
        ],
    ),
}
