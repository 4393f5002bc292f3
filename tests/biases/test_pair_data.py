"""Pairs of observations that share all but k ground-truth factors."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility import biases as pr
from impossibility.data import ProceduralSprites


def _sprites():
    return pr.VaryingFactors(
        ProceduralSprites(num_scales=3, num_orientations=1, num_positions=6, image_size=16)
    )


def test_varying_factors_and_factor_pairs():
    ds = _sprites()
    assert ds.factor_names == ["shape", "scale", "pos_x", "pos_y"]
    rng = np.random.default_rng(7)
    for k in (1, 2, 4):
        f1, f2 = pr.sample_factor_pairs(ds, 500, k, rng)
        assert np.all((f1 != f2).sum(axis=1) == k)
        assert np.all(f2 < np.array(ds.factors_num_values))
    x1, x2, f1, f2 = pr.make_pair_dataset(ds, 4, 1, rng)
    assert x1.shape == (4, 16, 16, 1) and x2.shape == x1.shape
    np.testing.assert_array_equal(x1, ds.sample_observations_from_factors(f1, rng))
    with pytest.raises(ValueError, match="k must be"):
        pr.sample_factor_pairs(ds, 3, 5, rng)


def test_validation_types_and_values():
    ds = _sprites()
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match=r"data must provide .sample_observations_from_factors\(\)"):
        pr.VaryingFactors(object())
    with pytest.raises(TypeError, match=r"data must provide .sample_factors\(\)"):
        pr.sample_factor_pairs(object(), 3, 1, rng)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        pr.make_pair_dataset(ds, 3, 1, np.random.RandomState(0))
    with pytest.raises(TypeError, match="n must be an integer; got 3.0"):
        pr.sample_factor_pairs(ds, 3.0, 1, rng)
    with pytest.raises(ValueError, match="k must be an integer >= 1 and <= 4; got 0"):
        pr.sample_factor_pairs(ds, 3, 0, rng)
    with pytest.raises(TypeError, match="n must be an integer"):
        ds.sample_factors(2.5, rng)
    with pytest.raises(TypeError, match="factors must be an array of integers"):
        ds.expand(np.zeros((1, 4)))
    with pytest.raises(ValueError, match=r"factors must have shape \(n, 4\)"):
        ds.expand(np.zeros((1, 5), dtype=int))

    class Constant:
        factors_num_values, factor_names, observation_shape = [1, 1], ["a", "b"], (2,)

        def sample_observations_from_factors(self, factors, rng):
            return np.zeros((len(factors), 2))

    with pytest.raises(ValueError, match="every factor of the data set takes a single value"):
        pr.VaryingFactors(Constant())
