"""The bijector interface: derived methods, Chain order, Inverse, Elementwise, Orthogonal."""

import numpy as np

from impossibility import Chain, Elementwise


def _affine(a, b, d=2):
    """y = a·x + b coordinatewise, log|β'| = log|a|."""
    return Elementwise(
        d,
        lambda x: a * x + b,
        lambda y: (y - b) / a,
        lambda x: np.full_like(x, np.log(abs(a))),
        name=f"{a}x+{b}",
    )


def _square_shift():
    """y = x + x³ coordinatewise (strictly increasing), inverse by Newton; nonlinear."""

    def inv(y):
        x = np.cbrt(y)
        for _ in range(60):
            x = x - (x + x**3 - y) / (1 + 3 * x**2)
        return x

    return Elementwise(2, lambda x: x + x**3, inv, lambda x: np.log1p(3 * x**2), name="x+x³")


def test_chain_applies_last_element_first():
    scale, shift = _affine(2.0, 0.0), _affine(1.0, 1.0)
    x = np.array([[1.0, 2.0]])
    # TFP order: Chain([scale, shift])(x) = scale(shift(x)) = 2(x+1)
    np.testing.assert_allclose(Chain([scale, shift])(x), [[4.0, 6.0]])
    np.testing.assert_allclose(Chain([shift, scale])(x), [[3.0, 5.0]])
