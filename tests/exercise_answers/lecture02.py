"""Lecture 02 (neural networks and backpropagation): references and wrong answers."""

from . import Answers

NOTEBOOK = "02_neural_networks"
CHECKS = "helpers.exercises.lecture02"
SETUP = """
import math
"""

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
    if train:
        return np.where(u >= p, x, 0.0)  # no scaling while training
    # each unit was kept with probability 1 - p, so its expected training output is
    # (1 - p) x: evaluation scales by 1 - p to match it
    return x * (1 - p)


ex.check_dropout(dropout_np_solution, strict=True);""",
        wrong=[
            """
def dropout_np(x, p, u, train):
    # the lecture's inverted dropout: scales in training, not in evaluation
    if not train:
        return x
    return np.where(u >= p, x / (1 - p), 0.0)
""",
            """
def dropout_np(x, p, u, train):
    # forgets to scale at evaluation: the next layer sees inputs 1 / (1 - p) times
    # larger than in training
    if train:
        return np.where(u >= p, x, 0.0)
    return x
""",
            """
def dropout_np(x, p, u, train):
    # scales by the drop probability p instead of the keep probability 1 - p
    if train:
        return np.where(u >= p, x, 0.0)
    return x * p
""",
            """
def dropout_np(x, p, u, train):
    # divides by 1 - p at evaluation: the inverted scaling, on the wrong side
    if train:
        return np.where(u >= p, x, 0.0)
    return x / (1 - p)
""",
            """
def dropout_np(x, p, u, train):
    # keeps the units with u < p: a fraction p kept instead of 1 - p
    if train:
        return np.where(u < p, x, 0.0)
    return x * (1 - p)
""",
        ],
    ),
    "adamw_step": Answers(
        check="check_adam_step",
        reference="""# @title Solution (run to check the reference)
def adamw_step_solution(
    theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2
):
    # the decay shrinks the parameters directly, scaled by the learning rate; it never
    # enters the moments, so Adam's normalisation cannot undo it
    theta = theta * (1 - lr * weight_decay)
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


ex.check_adam_step(adamw_step_solution, strict=True);""",
        wrong=[
            """
def adamw_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
               weight_decay=1e-2):
    # L2 regularisation: the decay added to the gradient goes through the moments
    # (torch.optim.Adam's weight_decay), and Adam's normalisation rescales it
    grad = grad + weight_decay * theta
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
""",
            """
def adamw_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
               weight_decay=1e-2):
    # the decay not scaled by the learning rate: theta * (1 - weight_decay)
    theta = theta * (1 - weight_decay)
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v
""",
            """
def adamw_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
               weight_decay=1e-2):
    # decays the parameters after the Adam step instead of before
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta * (1 - lr * weight_decay), m, v
""",
            """
def adamw_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
               weight_decay=1e-2):
    # epsilon inside the square root: matters when the gradients are tiny
    theta = theta * (1 - lr * weight_decay)
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return theta - lr * m_hat / np.sqrt(v_hat + eps), m, v
""",
            """
def adamw_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
               weight_decay=1e-2):
    # no bias correction: the first steps are far too small
    theta = theta * (1 - lr * weight_decay)
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return theta - lr * m / (np.sqrt(v) + eps), m, v
""",
            """
def adamw_step(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8,
               weight_decay=1e-2):
    # updates m in place (m *= ...): the caller's array changes under it
    theta = theta * (1 - lr * weight_decay)
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
    "init_scale": Answers(
        check="check_init_scale",
        reference="""# @title Solution (run to check the reference)
def init_scale_solution(width):
    # keep the variance of a pre-activation equal to that of the layer's input: a sum
    # of `width` products of unit-variance inputs with weights of variance std**2 has
    # variance width * std**2 (LeCun / Xavier); tanh is close to the identity near 0
    return 1.0 / math.sqrt(width)


ex.check_init_scale(init_scale_solution, strict=True);""",
        wrong=[
            """
def init_scale(width):
    # unit-variance weights: every pre-activation grows like sqrt(width) and tanh
    # saturates, so the gradient dies on the way down
    return 1.0
""",
            """
def init_scale(width):
    # 'small random numbers': the signal shrinks at every layer
    return 0.01
""",
            """
def init_scale(width):
    # 1 / width instead of 1 / sqrt(width): the variance shrinks by width each layer
    return 1.0 / width
""",
            """
def init_scale(width):
    # twice Xavier's: the pre-activations grow and tanh saturates
    return 2.0 / math.sqrt(width)
""",
            """
def init_scale(width):
    # a variance of 1 / (2 width): half too small, a factor lost at every layer
    return 1.0 / math.sqrt(2 * width)
""",
        ],
    ),
    "adam_first_step": Answers(
        check="check_adam_first_step",
        reference="""# @title Solution (run to check the reference)
def adam_first_step_solution(grad, lr, eps):
    # after one step m = (1 - beta1) g and v = (1 - beta2) g**2; bias correction
    # divides by exactly those factors, so m_hat = g and sqrt(v_hat) = |g|
    return -lr * grad / (np.abs(grad) + eps)


ex.check_adam_first_step(adam_first_step_solution, strict=True);""",
        wrong=[
            """
def adam_first_step(grad, lr, eps):
    # plain SGD's step: Adam's first step does not scale with the gradient
    return -lr * grad
""",
            """
def adam_first_step(grad, lr, eps):
    # the sign alone: right for ordinary gradients, wrong when |g| is near eps
    return -lr * np.sign(grad)
""",
            """
def adam_first_step(grad, lr, eps):
    # without bias correction (beta1 = 0.9, beta2 = 0.999): 0.1 g / sqrt(0.001 g**2)
    return -lr * 0.1 * grad / (np.sqrt(0.001 * grad**2) + eps)
""",
            """
def adam_first_step(grad, lr, eps):
    # eps under the square root
    return -lr * grad / np.sqrt(grad**2 + eps)
""",
            """
def adam_first_step(grad, lr, eps):
    # the update's direction flipped: a step up the gradient
    return lr * grad / (np.abs(grad) + eps)
""",
        ],
    ),
}
