import numpy as np
import pytest

from helpers.gradcheck import numeric_grad


def test_numeric_grad_matches_the_analytic_gradient_and_restores_x():
    rng = np.random.default_rng(0)
    A, x = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    before = x.copy()
    g = numeric_grad(lambda: float(np.sum(np.tanh(A @ x) ** 2)), x)
    t = np.tanh(A @ x)
    np.testing.assert_allclose(g, A.T @ (2 * t * (1 - t**2)), atol=1e-8)
    assert np.array_equal(x, before)


def test_numeric_grad_rejects_what_it_cannot_change_in_place():
    with pytest.raises(TypeError, match="float NumPy array"):
        numeric_grad(lambda: 0.0, np.arange(3))
    with pytest.raises(TypeError, match="float NumPy array"):
        numeric_grad(lambda: 0.0, [1.0, 2.0])
