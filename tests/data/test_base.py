"""Tests for impossibility.data.base: the data-set interface, all_factors and holdout_split."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility._typing import GroundTruthDataLike
from impossibility.data import (
    ContinuousMixingData,
    GroundTruthData,
    ProceduralSprites,
    all_factors,
    holdout_split,
)

SMALL = {"num_scales": 2, "num_orientations": 4, "num_positions": 5, "image_size": 16}


def test_sample_factors_draws_column_by_column():
    # docs/metrics.md §5: factor k is rng.integers(n_k, size=n), drawn in factor order
    sprites = ProceduralSprites()
    f = sprites.sample_factors(100, np.random.default_rng(3))
    rng = np.random.default_rng(3)
    expected = np.stack([rng.integers(n, size=100) for n in sprites.factors_num_values], axis=1)
    np.testing.assert_array_equal(f, expected)


def test_data_sets_satisfy_the_protocol():
    for ds in (
        ProceduralSprites(**SMALL),
        ContinuousMixingData.random(3, np.random.default_rng(0)),
    ):
        assert isinstance(ds, GroundTruthData) and isinstance(ds, GroundTruthDataLike)


def test_all_factors_is_the_experiments_grid_bit_for_bit():
    data = ProceduralSprites(**SMALL)
    got = all_factors(data)
    # the experiments' formula (vae_twin._all_factors, headline_metrics._TrueFactors/_sprite_vae)
    nv = data.factors_num_values
    expected = np.indices(nv).reshape(len(nv), -1).T.astype(np.int64)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == np.int64 and got.shape == (int(np.prod(nv)), 5)
    # lexicographic order, the last factor fastest, and every combination exactly once
    np.testing.assert_array_equal(np.ravel_multi_index(got.T, nv), np.arange(len(got)))
    # an independent construction: the Cartesian product by meshgrid
    mesh = np.stack(np.meshgrid(*[np.arange(n) for n in nv], indexing="ij"), -1).reshape(-1, 5)
    np.testing.assert_array_equal(got, mesh)


@pytest.mark.parametrize("holdout", [0.0, 0.2, 0.5, 1.0])
def test_holdout_split_is_the_experiments_split_bit_for_bit(holdout):
    data = ProceduralSprites(**SMALL)
    train, test = holdout_split(
        data, holdout, np.random.default_rng(np.random.SeedSequence([7, 1]))
    )
    # vae_twin._split / headline_metrics._sprite_vae, written out again
    nv = data.factors_num_values
    combos = np.indices(nv).reshape(len(nv), -1).T.astype(np.int64)
    perm = np.random.default_rng(np.random.SeedSequence([7, 1])).permutation(len(combos))
    n_test = int(round(holdout * len(combos)))
    np.testing.assert_array_equal(test, combos[perm[:n_test]])
    np.testing.assert_array_equal(train, combos[perm[n_test:]])
    # a partition of all combinations, the held-out ones never seen in training
    both = np.concatenate([train, test])
    assert len(np.unique(np.ravel_multi_index(both.T, nv))) == len(combos) == len(both)
    assert train.dtype == test.dtype == np.int64


def test_base_bad_input():
    sprites = ProceduralSprites(**SMALL)
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="integer"):
        sprites.sample_observations_from_factors(np.zeros((2, 5)), rng)
    with pytest.raises(ValueError, match=r"shape \(n, 5\)"):
        sprites.sample_observations_from_factors(np.zeros((2, 4), dtype=int), rng)
    with pytest.raises(ValueError, match="out of range"):
        sprites.sample_observations_from_factors(np.array([[0, 0, 4, 0, 0]]), rng)
    with pytest.raises(ValueError, match="out of range"):
        sprites.sample_observations_from_factors(np.array([[-1, 0, 0, 0, 0]]), rng)
    with pytest.raises(ValueError, match="n must be"):
        sprites.sample_factors(-1, rng)
    with pytest.raises(TypeError, match="n must be"):
        sprites.sample_factors(2.5, rng)
    with pytest.raises(TypeError, match="Generator"):
        sprites.sample(3, np.random.RandomState(0))
    with pytest.raises(ValueError, match="holdout"):
        holdout_split(sprites, 1.5, rng)
    with pytest.raises(TypeError, match="holdout"):
        holdout_split(sprites, "0.2", rng)
    with pytest.raises(TypeError, match="Generator"):
        holdout_split(sprites, 0.2, 0)
    with pytest.raises(TypeError, match="factors_num_values"):
        all_factors(np.zeros(3))
    with pytest.raises(NotImplementedError):
        GroundTruthData()._observations(np.zeros((1, 0), dtype=np.int64), rng)
