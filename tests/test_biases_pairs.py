"""Weak supervision with pairs (issue 5, item 3): the twin does not preserve the pair law."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility import nn
from impossibility.biases import pairs as pr
from impossibility.data import ProceduralSprites
from impossibility.objectives import BetaVAE
from impossibility.vae import VAE


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


# ------------------------------------------------------------------------- pairs of images
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


def test_shared_mask_hand_case():
    mu1 = np.array([[0.0, 0.0, 0.0]])
    mu2 = np.array([[0.0, 3.0, 0.1]])
    lv = np.zeros((1, 3))
    # δ = (0, 9, 0.01): midpoint 4.5, so latents 0 and 2 are shared
    np.testing.assert_array_equal(pr.ada_gvae_shared_mask(mu1, lv, mu2, lv), [[True, False, True]])


@pytest.mark.parametrize("aggregate", [True, False])
def test_ada_gvae_gradients_against_finite_differences(aggregate):
    rng = np.random.default_rng(8)
    vae = VAE(6, 3, hidden=(5,), activation="tanh", rng=rng)
    for p in vae.parameters().values():
        p += 0.1 * rng.normal(size=p.shape)  # nonzero biases: no special points
    x1 = rng.random((4, 6))
    x2 = rng.random((4, 6))
    e1, e2 = rng.normal(size=(2, 4, 3))
    model = pr.AdaGVAE(vae, beta=2.0, aggregate=aggregate)
    _, grads, logs = model.loss_and_grads(x1, x2, e1, e2)
    if aggregate:
        assert 0 < logs["shared"] < 3
    for name, p in model.parameters().items():
        fd = nn.finite_difference_gradient(lambda: model.loss_and_grads(x1, x2, e1, e2)[0], p)
        # central differences at h = 1e-6: truncation ~1e-12, rounding ~1e-10 relative
        assert nn.relative_error(fd, grads[name]) < 1e-6, name


def test_ada_gvae_without_aggregation_is_twice_the_beta_vae_loss():
    rng = np.random.default_rng(9)
    vae = VAE(6, 3, hidden=(5,), rng=rng)
    x1, x2 = rng.random((2, 4, 6))
    e1, e2 = rng.normal(size=(2, 4, 3))
    loss, grads, _ = pr.AdaGVAE(vae, beta=3.0, aggregate=False).loss_and_grads(x1, x2, e1, e2)
    ref_loss, ref_grads, _, _ = vae.loss_and_grads(
        np.concatenate([x1, x2]), np.concatenate([e1, e2]), BetaVAE(3.0)
    )
    # sum of the two β-ELBOs over B pairs = 2 × the mean β-VAE loss over the 2B images
    assert loss == pytest.approx(2 * ref_loss, rel=1e-13)
    for k in grads:
        np.testing.assert_allclose(grads[k], 2 * ref_grads[k], rtol=1e-11, atol=1e-13)


def test_ada_gvae_short_training_marks_most_latents_shared():
    ds = _sprites()
    rng = np.random.default_rng(10)
    x1, x2, _, _ = pr.make_pair_dataset(ds, 2000, 1, rng)
    vae = VAE(ds.observation_shape, 5, hidden=(64,), rng=rng)
    hist = pr.AdaGVAE(vae, beta=2.0).fit(
        x1, x2, rng=rng, n_steps=300, batch_size=32, lr=2e-3, progress=False
    )
    assert hist["loss"][-50:].mean() < hist["loss"][:50].mean()
    # one factor changes per pair: after a short run the adaptive threshold marks at least half
    # of the 5 latents as shared on average (it starts from an arbitrary split)
    assert hist["shared"][-50:].mean() >= 2.5
