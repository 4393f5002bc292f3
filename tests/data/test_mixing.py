"""Tests for impossibility.data.mixing: continuous factors through a known invertible mixing."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from impossibility import FactorizedPrior, entangling_bijection
from impossibility.data import AlgebraicSquash, ContinuousMixingData, ProceduralSprites
from impossibility.generative import InjectiveMLP, InvertibleMLP, entangle_generator, log_px_exact


def _fd_jacobian(fn, z: np.ndarray, h: float = 1e-6) -> np.ndarray:
    cols = [(fn(z + h * e) - fn(z - h * e)) / (2 * h) for e in np.eye(z.shape[1])]
    return np.stack(cols, axis=2)


PRIORS = {
    "uniform": None,
    "mixed": FactorizedPrior(
        [stats.norm(), stats.laplace(scale=2), stats.beta(2, 5), stats.gamma(3)]
    ),
    "heavy": FactorizedPrior([stats.logistic(), stats.t(4), stats.norm(1, 3), stats.gamma(2)]),
}


@pytest.mark.parametrize("name", list(PRIORS))
@pytest.mark.parametrize("D", [None, 7])
def test_mixing_shapes_ranges_and_exact_inverse(name, D):
    ds = ContinuousMixingData.random(
        4, np.random.default_rng(1), prior=PRIORS[name], observation_dim=D
    )
    assert ds.num_factors == 4 and ds.factors_num_values == [10] * 4
    assert ds.observation_shape == ((4 if D is None else D),)
    assert isinstance(ds.mixing, InvertibleMLP if D is None else InjectiveMLP)
    f, z, x = ds.sample_with_latents(20_000, np.random.default_rng(2))
    assert f.dtype == np.int64 and z.dtype == np.float64 and x.dtype == np.float64
    assert x.shape == (20_000, ds.observation_shape[0])
    assert np.all((x > 0) & (x < 1))
    np.testing.assert_array_equal(ds.latents_to_factors(z), f)  # each latent lies in its bin
    # exact inverse: measured ≤ 3e-13 relative; the squash amplifies the spacing of doubles near 1
    # by 2(1+y²)^{3/2} (≤ 3e-11 at |y| = 50) and g⁻¹ by its Lipschitz constant, so 1e-9 is safe
    zi = ds.latents_from_observations(x)
    assert np.max(np.abs(zi - z) / (1 + np.abs(z))) < 1e-9


def test_mixing_every_factor_changes_every_observation():
    ds = ContinuousMixingData.random(3, np.random.default_rng(5), observation_dim=5)
    f = ds.sample_factors(500, np.random.default_rng(6))
    base = ds.sample_observations_from_factors(f, np.random.default_rng(7))
    for k in range(3):
        g = f.copy()
        g[:, k] = (g[:, k] + 1) % ds.factors_num_values[k]
        moved = ds.sample_observations_from_factors(g, np.random.default_rng(7))  # same U draws
        assert np.all(np.abs(moved - base).max(axis=1) > 1e-6)
        # entangled mixing: every observed coordinate moves
        assert np.all(np.abs(moved - base) > 0)


def test_mixing_determinism_and_squash_off():
    a = ContinuousMixingData.random(3, np.random.default_rng(8), squash=False)
    b = ContinuousMixingData.random(3, np.random.default_rng(8), squash=False)
    fa, za, xa = a.sample_with_latents(50, np.random.default_rng(9))
    fb, zb, xb = b.sample_with_latents(50, np.random.default_rng(9))
    np.testing.assert_array_equal(xa, xb)
    np.testing.assert_array_equal(xa, a.mixing.forward(za))  # no squash: x = g(z)
    np.testing.assert_allclose(a.latents_from_observations(xa), za, rtol=1e-12, atol=1e-12)
    _, _, xc = a.sample_with_latents(50, np.random.default_rng(10))
    assert not np.array_equal(xa, xc)


def test_mixing_bad_input():
    rng = np.random.default_rng(0)
    ds = ContinuousMixingData.random(
        3, rng, prior=FactorizedPrior([stats.beta(2, 5), stats.norm(), stats.norm()])
    )
    with pytest.raises(ValueError, match="num_bins"):
        ContinuousMixingData(ds.mixing, num_bins=1)
    with pytest.raises(ValueError, match="num_bins"):
        ContinuousMixingData(ds.mixing, num_bins=[3, 3])
    with pytest.raises(TypeError, match="mixing"):
        ContinuousMixingData(np.eye(3))
    with pytest.raises(TypeError, match="num_bins"):
        ContinuousMixingData(ds.mixing, num_bins=2.0)
    with pytest.raises(TypeError, match="num_bins"):
        ContinuousMixingData(ds.mixing, num_bins=[3, 3, 3.5])
    with pytest.raises(TypeError, match="FactorizedPrior"):
        ContinuousMixingData(ds.mixing, prior=stats.norm())
    with pytest.raises(ValueError, match="factor names"):
        ContinuousMixingData(ds.mixing, factor_names=["a"])
    with pytest.raises(ValueError, match="coordinates"):
        ContinuousMixingData(ds.mixing, prior=FactorizedPrior.iid(stats.norm(), 2))
    with pytest.raises(ValueError, match="observation_dim"):
        ContinuousMixingData.random(3, rng, observation_dim=2)
    with pytest.raises(ValueError, match="outside the open support"):
        ds.latents_to_factors(np.array([[1.5, 0.0, 0.0]]))
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        ds.latents_from_observations(np.array([[0.5, 1.0, 0.2]]))
    with pytest.raises(ValueError, match="shape"):
        ds.latents_from_observations(np.array([0.5, 0.5, 0.2]))
    with pytest.raises(TypeError, match="integer"):
        ds.sample_observations_from_factors(np.array([[0.0, 1.0, 2.0]]), rng)
    with pytest.raises(ValueError, match="non-finite"):
        ds.latents_from_observations(np.array([[0.5, np.nan, 0.2]]))
    with pytest.raises(TypeError, match="num_factors"):
        ContinuousMixingData.random(3.0, rng)
    with pytest.raises(TypeError, match="Generator"):
        ds.sample_latents_from_factors(np.zeros((1, 3), dtype=int), 0)


def test_data_sets_work_with_the_metrics():
    # interface check against impossibility.metrics, and the paper's point on this data set: the
    # exact inverse g⁻¹ is a perfectly disentangled code (MIG near 1; with 10 bins per factor and
    # 20 histogram bins per code the plug-in MIG stays a little below 1), while the same code
    # composed with Theorem 1's f — the true latents of the entangled twin — is not
    from impossibility import entangling_bijection
    from impossibility._typing import GroundTruthDataLike as Protocol
    from impossibility.metrics import mig, sample_factors_and_codes

    prior = FactorizedPrior.iid(stats.uniform(), 3)
    ds = ContinuousMixingData.random(3, np.random.default_rng(0), prior=prior)
    assert isinstance(ds, Protocol) and isinstance(ProceduralSprites(), Protocol)
    f = entangling_bijection(prior, rng=np.random.default_rng(1))
    scores = {}
    for name, rep in {
        "true": ds.latents_from_observations,
        "twin": lambda x: f.forward(ds.latents_from_observations(x)),
    }.items():
        codes, factors = sample_factors_and_codes(ds, rep, 5000, np.random.default_rng(2))
        scores[name] = mig(codes, factors)
    assert scores["true"] > 0.9  # measured 0.994 at n = 10,000
    assert scores["twin"] < 0.6  # measured 0.34


def test_squash_is_a_bijector_of_the_data_set():
    ds = ContinuousMixingData.random(3, np.random.default_rng(20))
    assert isinstance(ds.squash_bijector, AlgebraicSquash) and ds.squash_bijector.d == 3
    assert (
        ContinuousMixingData.random(3, np.random.default_rng(20), squash=False).squash_bijector
        is None
    )
    z = ds.sample_latents_from_factors(
        ds.sample_factors(40, np.random.default_rng(21)), np.random.default_rng(22)
    )
    x = ds.observations_from_latents(z)
    # bit for bit the squash of data.py: s(g(z)) = ½ + ½ g/√(1 + g²)
    y = ds.mixing.forward(z)
    np.testing.assert_array_equal(x, 0.5 + 0.5 * (y / np.hypot(1.0, y)))


def test_log_px_of_observations_through_the_squash():
    # headline_metrics' likelihood: log p(x) = log_px_exact(g, prior, s⁻¹(x)) + log|det J_{s⁻¹}(x)|,
    # checked against an independent change of variables: log p(z) − log|det J_{s∘g}(z)| with
    # the Jacobian of z ↦ x by central differences
    prior = FactorizedPrior.iid(stats.logistic(), 3)
    ds = ContinuousMixingData.random(3, np.random.default_rng(23), prior=prior)
    f, z, x = ds.sample_with_latents(200, np.random.default_rng(24))
    y, ls = ds.squash_bijector.inverse_and_log_det(x)
    lp = log_px_exact(ds.mixing, prior, y) + ls
    J = _fd_jacobian(ds.observations_from_latents, z, h=1e-6)
    np.testing.assert_allclose(lp, prior.log_prob(z) - np.linalg.slogdet(J)[1], atol=1e-6)
    # and the twin's, with Theorem 1's f: the same numbers to rounding
    twin = entangle_generator(ds.mixing, entangling_bijection(prior, rng=np.random.default_rng(25)))
    assert np.max(np.abs(log_px_exact(twin, prior, y) + ls - lp)) < 1e-10
