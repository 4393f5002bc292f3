"""Tests for impossibility.data.gaussian_sprites: sprites driven by Gaussian factors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from impossibility import FactorizedPrior, entangling_bijection, random_entangling_rotation
from impossibility.data import (
    GaussianFactorSprites,
    ProceduralSprites,
    all_factors,
    factors_from_gaussian,
    gaussian_from_factors,
)

SMALL = {"num_scales": 3, "num_orientations": 8, "num_positions": 6, "image_size": 16}


def test_factors_from_gaussian_is_the_headline_quantisation_bit_for_bit():
    # experiments/headline_metrics.py (_sprites_true.mc_log_px), written out again
    data = ProceduralSprites(**SMALL)
    nv = np.asarray(data.factors_num_values)
    z = np.random.default_rng(0).standard_normal((20_000, 5)) * 1.5
    z[:3] = [[-40.0] * 5, [0.0] * 5, [40.0] * 5]  # Φ = 0, ½ and 1 exactly
    expected = np.minimum(np.floor(special.ndtr(z) * nv), nv - 1).astype(np.int64)
    got = factors_from_gaussian(z, data.factors_num_values)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got[0], 0)
    np.testing.assert_array_equal(got[2], nv - 1)
    np.testing.assert_array_equal(GaussianFactorSprites(data).factors(z), got)


def test_one_angle_convention_for_every_factor():
    # the orientation is quantised like every other factor: θ = 2π⌊nΦ(z)⌋/n covers the full turn,
    # and z = 0 is the half turn. (vae_twin._ground_truth_sprites used ⌊(Φ(z) − ½)n/2⌋ mod n, a
    # half turn centred on θ = 0; its other factors agree with this convention.)
    n = 8
    data = ProceduralSprites(shapes=("heart",), num_scales=n, num_orientations=n, num_positions=n)
    z = np.random.default_rng(1).standard_normal((5000, 5))
    k = factors_from_gaussian(z, data.factors_num_values)
    u = special.ndtr(z)
    half_turn = np.mod(np.floor((u[:, 2] - 0.5) * n / 2).astype(np.int64), n)
    np.testing.assert_array_equal(k[:, 0], 0)  # one shape: its latent is ignored
    np.testing.assert_array_equal(k[:, [1, 3, 4]], np.clip(np.floor(u * n), 0, n - 1)[:, [1, 3, 4]])
    assert set(np.unique(k[:, 2])) == set(range(n))  # every orientation is reachable
    assert len(np.unique(half_turn)) == n // 2
    assert factors_from_gaussian(np.zeros((1, 5)), data.factors_num_values)[0, 2] == n // 2


def test_generator_renders_the_factors():
    data = ProceduralSprites(**SMALL)
    g = GaussianFactorSprites(data)
    assert g.d == 5 and g.observation_shape == (16, 16, 1)
    z = np.random.default_rng(2).standard_normal((50, 5))
    images = g.forward(z)
    expected = data.sample_observations_from_factors(g.factors(z), np.random.default_rng(9))
    np.testing.assert_array_equal(images, expected)
    np.testing.assert_array_equal(g(z), images)
    # the twin g∘f⁻¹ (f a rotation for N(0, I)) at z' = f(z) renders the same images
    f = entangling_bijection(
        FactorizedPrior.standard_normal(5), random_entangling_rotation(5, np.random.default_rng(3))
    )
    np.testing.assert_array_equal(g.forward(f.inverse(f.forward(z))), images)


def test_gaussian_coordinates_of_factors():
    data = ProceduralSprites(**SMALL)
    nv = data.factors_num_values
    k = all_factors(data)
    y = gaussian_from_factors(k, nv)
    # the headline's oracle formula Φ⁻¹((k + ½)/n), written out again
    np.testing.assert_array_equal(y, special.ndtri((k + 0.5) / np.asarray(nv)))
    # the bins' quantile midpoints quantise back to the factors
    np.testing.assert_array_equal(factors_from_gaussian(y, nv), k)
    # symmetric around 0: the middle of each factor's range is its median
    np.testing.assert_allclose(y[::-1], -y, atol=1e-15)


def test_gaussian_sprites_bad_input():
    data = ProceduralSprites(**SMALL)
    with pytest.raises(TypeError, match="ProceduralSprites"):
        GaussianFactorSprites(object())
    with pytest.raises(ValueError, match=r"shape \(n, 5\)"):
        GaussianFactorSprites(data).forward(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="non-finite"):
        factors_from_gaussian(np.array([[np.nan]]), [3])
    with pytest.raises(TypeError, match="factors_num_values"):
        factors_from_gaussian(np.zeros((1, 1)), [2.5])
    with pytest.raises(ValueError, match="factors_num_values"):
        factors_from_gaussian(np.zeros((1, 1)), [0])
    with pytest.raises(TypeError, match="integer"):
        gaussian_from_factors(np.zeros((1, 2)), [2, 2])
    with pytest.raises(ValueError, match="0..n_k-1"):
        gaussian_from_factors(np.array([[0, 2]]), [2, 2])
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        gaussian_from_factors(np.array([0, 1]), [2, 2])
