"""Weak supervision with latent pairs: the twin does not preserve the pair law."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility import biases as pr


def _gauss(d=3, seed=0):
    prior = im.FactorizedPrior.standard_normal(d)
    A = im.random_entangling_rotation(d, np.random.default_rng(seed))
    return prior, im.entangling_bijection(prior, A)


# ------------------------------------------------------------------------------ latent pairs
def test_exact_sharing_one_for_data_zero_for_twin():
    prior, f = _gauss()
    z, zt, changed = pr.sample_latent_pairs(prior, 1, 2000, np.random.default_rng(1))
    assert np.all(changed.sum(axis=1) == 1)
    assert np.all((z == zt) == ~changed)
    assert pr.exact_sharing_fraction(z, zt, 1) == 1.0
    assert pr.exact_sharing_fraction(f.forward(z), f.forward(zt), 1) == 0.0


def test_pair_conditional_density_is_normalised():
    # d = 2, k = 1, non-Gaussian prior: ∫∫ p(z̃ | z) dz̃ = 1 for a fixed z (tensor Gauss–Legendre)
    prior = im.FactorizedPrior([stats.laplace(), stats.logistic()])
    z = np.array([[0.3, -1.2]])
    # composite Gauss–Legendre, 120 panels of 8 nodes on [−30, 30]; a panel edge at the Laplace
    # kink (0), and panels 0.5 wide resolve the σ_n = 0.5 Gaussian factor
    t, w = np.polynomial.legendre.leggauss(8)
    edges = np.linspace(-30.0, 30.0, 121)
    h = np.diff(edges)[:, None]
    nodes = (edges[:-1, None] + 0.5 * h * (t + 1)).ravel()
    wt = (0.5 * h * w).ravel()
    Z1, Z2 = np.meshgrid(nodes, nodes, indexing="ij")
    zt = np.column_stack([Z1.ravel(), Z2.ravel()])
    lp = pr.pair_conditional_log_prob(prior, np.repeat(z, zt.shape[0], 0), zt, 1, 0.5)
    total = float(np.outer(wt, wt).ravel() @ np.exp(lp))
    assert total == pytest.approx(1.0, abs=1e-6)


def test_pair_conditional_matches_hand_formula():
    prior = im.FactorizedPrior.standard_normal(2)
    z = np.array([[0.2, -0.4]])
    zt = np.array([[1.0, -0.3]])
    s = 0.2
    # S = {0}: z̃₀ fresh, z̃₁ ≈ z₁;  S = {1}: z̃₁ fresh, z̃₀ ≈ z₀
    a = stats.norm.pdf(1.0) * stats.norm.pdf(-0.3, -0.4, s)
    b = stats.norm.pdf(-0.3) * stats.norm.pdf(1.0, 0.2, s)
    want = math.log(0.5 * (a + b))
    assert pr.pair_conditional_log_prob(prior, z, zt, 1, s)[0] == pytest.approx(want, rel=1e-13)


def test_pair_gap_grows_like_inverse_noise_squared():
    prior, f = _gauss()
    rng = np.random.default_rng(2)
    lead = pr.pair_gap_leading_term(prior, f, 1, 20_000, rng)
    gaps = {s: pr.pair_gap(prior, f, 1, s, 20_000, rng) for s in (0.02, 0.01)}
    for s, g in gaps.items():
        assert g["gap"] > 100  # the symmetry is broken, by hundreds of nats per pair
        assert g["fraction_shared_true"] == 1.0 and g["fraction_shared_twin"] == 0.0
        # σ² Δ → c as σ → 0: within 5 combined standard errors plus the O(σ²) correction (2%)
        se = math.hypot(g["stderr"] * s**2, lead["stderr"])
        assert abs(g["gap_times_noise2"] - lead["c"]) < 5 * se + 0.02 * lead["c"]


@pytest.mark.parametrize(
    "prior",
    [
        im.FactorizedPrior.standard_normal(3),
        im.FactorizedPrior([stats.laplace(), stats.logistic(), stats.norm(1, 2)]),
    ],
)
def test_no_sharing_no_gap(prior):
    # k = d: the pair law is p ⊗ p, preserved by f × f (pointwise, up to rounding)
    f = im.entangling_bijection(prior, rng=np.random.default_rng(3))
    z, zt, _ = pr.sample_latent_pairs(prior, 3, 500, np.random.default_rng(4), noise=0.1)
    r = pr.pair_log_ratio(prior, f, z, zt, 3, 0.1)
    assert np.max(np.abs(r)) < 1e-11


def test_identity_map_no_gap_entangling_map_gap():
    prior = im.FactorizedPrior([stats.laplace(), stats.logistic(), stats.norm()])
    ident = im.entangling_bijection(prior, np.eye(3), require_complete=False)
    f = im.entangling_bijection(prior, rng=np.random.default_rng(5))
    rng = np.random.default_rng(6)
    assert abs(pr.pair_gap(prior, ident, 1, 0.1, 2000, rng)["gap"]) < 1e-12
    g = pr.pair_gap(prior, f, 1, 0.1, 2000, rng)
    assert g["gap"] > 10 * g["stderr"] and g["gap"] > 1.0


def test_pair_errors():
    prior, f = _gauss()
    with pytest.raises(ValueError, match="noise must be > 0"):
        pr.pair_conditional_log_prob(prior, np.zeros((1, 3)), np.zeros((1, 3)), 1, 0.0)
    with pytest.raises(ValueError, match="k must be"):
        pr.sample_latent_pairs(prior, 4, 10, np.random.default_rng(0))
    with pytest.raises(ValueError, match="equal shape"):
        pr.exact_sharing_fraction(np.zeros((2, 3)), np.zeros((3, 3)), 1)


def test_validation_types_and_values():
    prior, f = _gauss()
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        pr.sample_latent_pairs(prior, 1, 10, 0)
    with pytest.raises(TypeError, match="k must be an integer; got 1.0"):
        pr.sample_latent_pairs(prior, 1.0, 10, rng)
    with pytest.raises(TypeError, match="n must be an integer; got True"):
        pr.sample_latent_pairs(prior, 1, True, rng)
    with pytest.raises(ValueError, match="noise must be >= 0; got -0.1"):
        pr.sample_latent_pairs(prior, 1, 10, rng, noise=-0.1)
    with pytest.raises(TypeError, match="noise must be a real number"):
        pr.pair_conditional_log_prob(prior, np.zeros((1, 3)), np.zeros((1, 3)), 1, None)
    with pytest.raises(ValueError, match=r"z_tilde must have shape \(n, 3\)"):
        pr.pair_conditional_log_prob(prior, np.zeros((1, 3)), np.zeros((1, 2)), 1, 0.1)
    with pytest.raises(ValueError, match="k must be an integer >= 0 and <= 3; got 4"):
        pr.exact_sharing_fraction(np.zeros((2, 3)), np.zeros((2, 3)), 4)
    with pytest.raises(TypeError, match=r"f must provide .forward_and_log_det\(\)"):

        class ForwardOnly:
            def forward(self, z):
                return z

        pr.pair_gap(prior, ForwardOnly(), 1, 0.1, 10, rng)
    f2 = im.entangling_bijection(im.FactorizedPrior.standard_normal(2), rng=rng)
    with pytest.raises(ValueError, match="f acts on d = 2 coordinates but the prior has d = 3"):
        pr.pair_log_ratio(prior, f2, np.zeros((1, 3)), np.zeros((1, 3)), 1, 0.1)
    with pytest.raises(ValueError, match="n must be an integer >= 2; got 1"):
        pr.pair_gap_leading_term(prior, f, 1, 1, rng)
