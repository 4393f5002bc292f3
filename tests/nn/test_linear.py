"""Tests for impossibility.nn.linear: gradients, the affine map, initialisation, validation."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility import nn

LAYERS = {
    "linear_glorot": lambda rng: nn.Linear(4, 3, rng=rng),
    "linear_he": lambda rng: nn.Linear(4, 3, rng=rng, init="he_normal"),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_gradients_match_finite_differences(name, check_layer_gradients):
    rng = np.random.default_rng(1)
    check_layer_gradients(LAYERS[name](rng), rng)


def test_linear_forward_is_affine_and_vectorised():
    rng = np.random.default_rng(2)
    lin = nn.Linear(3, 2, rng=rng)
    x = rng.normal(size=(5, 3))
    np.testing.assert_allclose(lin(x), x @ lin.W + lin.b, rtol=0, atol=0)
    # each row only depends on its own input row
    np.testing.assert_allclose(lin(x[2:3]), lin(x)[2:3], rtol=0, atol=1e-15)


def test_glorot_init_bounds_and_reproducibility():
    a = nn.Linear(50, 30, rng=np.random.default_rng(3))
    b = nn.Linear(50, 30, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a.W, b.W)
    limit = np.sqrt(6 / 80)
    assert np.abs(a.W).max() <= limit and np.abs(a.W).max() > 0.9 * limit
    assert np.all(a.b == 0)
    assert nn.Dense is nn.Linear


def test_validation_errors():
    with pytest.raises(ValueError, match="d_in must be an integer >= 1"):
        nn.Linear(0, 3)
    with pytest.raises(TypeError, match="d_out must be an integer"):
        nn.Linear(2, 2.5)
    with pytest.raises(ValueError, match="init must be one of"):
        nn.Linear(2, 3, init="orthogonal")
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        nn.Linear(2, 3).init(0)
