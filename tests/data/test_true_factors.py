"""Tests for impossibility.data.true_factors: the exact true-factor oracle of sprite images."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from impossibility.data import ProceduralSprites, TrueFactorOracle

SMALL = {"num_scales": 2, "num_orientations": 4, "num_positions": 5, "image_size": 16}


class _ExperimentOracle:
    """experiments/headline_metrics.py's _TrueFactors, written out again (the reference)."""

    def __init__(self, data, rng):
        nv = data.factors_num_values
        self.combos = np.indices(nv).reshape(len(nv), -1).T.astype(np.int64)
        images = data.sample_observations_from_factors(self.combos, rng)
        keys = [r.tobytes() for r in np.packbits(images.reshape(len(images), -1) > 0.5, axis=1)]
        self.table = {}
        self.canonical = np.array([self.table.setdefault(k, i) for i, k in enumerate(keys)])
        self.nv = np.asarray(nv)

    def factors(self, images):
        keys = [r.tobytes() for r in np.packbits(images.reshape(len(images), -1) > 0.5, axis=1)]
        return self.combos[[self.table[k] for k in keys]]

    def __call__(self, images):
        return special.ndtri((self.factors(images) + 0.5) / self.nv)


def test_oracle_is_the_experiments_oracle_bit_for_bit():
    data = ProceduralSprites(**SMALL)
    rng = np.random.default_rng(3)
    ref = _ExperimentOracle(data, rng)
    oracle = TrueFactorOracle(data, chunk=37)  # chunked rendering: the same table
    np.testing.assert_array_equal(oracle.combinations, ref.combos)
    np.testing.assert_array_equal(oracle.canonical, ref.canonical)
    assert oracle.n_distinct_images == len(ref.table)
    images = data.sample_observations_from_factors(data.sample_factors(300, rng), rng)
    np.testing.assert_array_equal(oracle.factors(images), ref.factors(images))
    np.testing.assert_array_equal(oracle(images), ref(images))
    # the exact log p(x) of the headline: log(multiplicity / number of combinations)
    n = len(ref.combos)
    multiplicity = np.bincount(ref.canonical, minlength=n)
    eval_combos = rng.choice(n, size=40, replace=False)
    exact = np.log(multiplicity[ref.canonical[eval_combos]] / n)
    x = data.sample_observations_from_factors(ref.combos[eval_combos], rng)
    np.testing.assert_array_equal(oracle.log_prob(x), exact)
    np.testing.assert_array_equal(oracle.multiplicity, multiplicity)


def test_true_factor_lookup_is_exact():
    data = ProceduralSprites(**SMALL)
    rng = np.random.default_rng(3)
    oracle = TrueFactorOracle(data)
    factors = data.sample_factors(300, rng)
    images = data.sample_observations_from_factors(factors, rng)
    found = oracle.factors(images)
    # the recovered factors render the very same image (symmetric shapes: same image, other angle)
    np.testing.assert_array_equal(data.sample_observations_from_factors(found, rng), images)
    # an image rendered by one combination only gives back exactly that combination
    flat = np.ravel_multi_index(factors.T, tuple(data.factors_num_values))
    unique = oracle.multiplicity[oracle.canonical[flat]] == 1
    assert unique.sum() > 50  # observed 77 of 300: squares, ellipses and small sprites collide
    np.testing.assert_array_equal(found[unique], factors[unique])
    # probabilities of the distinct images sum to one
    reps = np.flatnonzero(oracle.multiplicity)
    x = data.sample_observations_from_factors(oracle.combinations[reps], rng)
    np.testing.assert_allclose(np.exp(oracle.log_prob(x)).sum(), 1.0, rtol=1e-12)


def test_supersampled_oracle_compares_grey_images_exactly():
    data = ProceduralSprites(supersample=2, **SMALL)
    oracle = TrueFactorOracle(data)
    rng = np.random.default_rng(4)
    factors = data.sample_factors(100, rng)
    images = data.sample_observations_from_factors(factors, rng)
    np.testing.assert_array_equal(
        data.sample_observations_from_factors(oracle.factors(images), rng), images
    )
    # every combination renders exactly the image of its representative
    every = data.sample_observations_from_factors(oracle.combinations, rng)
    np.testing.assert_array_equal(every[oracle.canonical], every)
    assert oracle.n_distinct_images == len(np.unique(every.reshape(len(every), -1), axis=0))


def test_oracle_bad_input():
    data = ProceduralSprites(**SMALL)
    oracle = TrueFactorOracle(data)
    with pytest.raises(ValueError, match="not a render"):
        oracle.factors(np.zeros((1, 16, 16, 1)) + np.eye(16)[None, :, :, None])
    with pytest.raises(ValueError, match="binary"):
        oracle.factors(np.full((1, 16, 16, 1), 0.4))
    with pytest.raises(ValueError, match=r"shape \(n, 16, 16, 1\)"):
        oracle(np.zeros((1, 16, 16)))
    with pytest.raises(TypeError, match="ProceduralSprites"):
        TrueFactorOracle(object())
    with pytest.raises(ValueError, match="chunk"):
        TrueFactorOracle(data, chunk=0)
