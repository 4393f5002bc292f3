"""Sample tests: energy distance properties and argument checks."""

import numpy as np
import pytest
from scipy import stats

import impossibility as im

PRIOR = im.FactorizedPrior([stats.laplace(), stats.gamma(2.0), stats.logistic()])


def test_energy_distance_zero_for_identical_samples_and_symmetric():
    x = np.random.default_rng(4).normal(size=(50, 2))
    assert im.energy_distance(x, x) == pytest.approx(0.0, abs=1e-12)
    y = x + 1.0
    assert im.energy_distance(x, y) == pytest.approx(im.energy_distance(y, x))
    assert im.energy_distance(x, y) > 0.5
    with pytest.raises(ValueError, match="same number of columns"):
        im.energy_distance(x, np.zeros((3, 3)))


def test_sample_tests_need_a_generator_and_valid_counts():
    z = PRIOR.sample(50, np.random.default_rng(0))
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator.*got RandomState"):
        im.projection_ks_test(z, PRIOR, np.random.RandomState(0))
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator.*got RandomState"):
        im.energy_test(z, z, np.random.RandomState(0))
    with pytest.raises(ValueError, match="n_directions must be an integer >= 1"):
        im.projection_ks_test(z, PRIOR, np.random.default_rng(0), n_directions=0)
    with pytest.raises(ValueError, match="n_resamples must be an integer >= 1"):
        im.energy_test(z, z, np.random.default_rng(0), n_resamples=0)
    with pytest.raises(ValueError, match="same number of columns"):
        im.energy_test(z, z[:, :1], np.random.default_rng(0))
    with pytest.raises(TypeError, match="x must be an array of real numbers"):
        im.energy_distance([["a"]], z)
