"""Small bijectors shared by the bijection tests."""

import numpy as np
import pytest

from impossibility import Elementwise


@pytest.fixture
def affine():
    """A factory: ``affine(a, b)`` is y = a·x + b coordinatewise, with log|β'| = log|a|."""

    def make(a, b, d=2):
        return Elementwise(
            d,
            lambda x: a * x + b,
            lambda y: (y - b) / a,
            lambda x: np.full_like(x, np.log(abs(a))),
            name=f"{a}x+{b}",
        )

    return make
