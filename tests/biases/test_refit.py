"""Re-fitting a trained VAE's encoder for its rotated decoder: diagonal vs closed families."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility import biases, nn
from impossibility.vae import VAE


def _linear_vae(W: np.ndarray, b: np.ndarray, sigma2: float, rng: np.random.Generator) -> VAE:
    """A VAE whose decoder is exactly N(Wz + b, σ² I) (no training)."""
    D, d = W.shape
    vae = VAE(D, d, hidden=(), likelihood="gaussian", obs_std=math.sqrt(sigma2), rng=rng)
    vae.decoder[0].W[...] = W.T
    vae.decoder[0].b[...] = b
    return vae


def test_moment_matched_noise_has_exact_first_two_moments():
    eps = biases.moment_matched_normal(9, 3, np.random.default_rng(0))
    assert eps.shape == (9, 3)
    np.testing.assert_allclose(eps.mean(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(eps.T @ eps / 9, np.eye(3), atol=1e-14)


@pytest.mark.parametrize("family", ["diagonal", "full"])
def test_refit_encoder_matches_closed_form_for_linear_decoder(family):
    rng = np.random.default_rng(5)
    W, b, s2 = biases.reference_linear_decoder()
    vae = _linear_vae(W, b, s2, rng)
    x = rng.normal(size=(6, 5))
    eps = biases.moment_matched_normal(16, 2, rng)
    for theta in (0.0, 0.4, math.pi / 4):
        R = biases.plane_rotation(theta)
        res = biases.refit_encoder(vae, x, R, family=family, eps=eps, tol=1e-10)
        ref = biases.fit_linear_encoder(x, W @ R.T, b, s2, family=family)
        # moment-matched noise makes the fixed-sample ELBO of a linear decoder exact; L-BFGS at
        # gtol 1e-10 on this smooth problem leaves an error far below 1e-8
        np.testing.assert_allclose(res["elbo"], ref["elbo"], atol=1e-8)


def _fixed_sample_elbo(vae, x, R, m, logvar, eps):
    """Independent re-implementation of the objective for one point and a diagonal encoder."""
    z = m + eps * np.exp(0.5 * logvar)
    out = vae.decoder(z @ R)
    ll, _, _ = nn.gaussian_log_likelihood(out, 2 * math.log(vae.obs_std), np.repeat(x, len(eps), 0))
    kl = 0.5 * np.sum(m * m + np.exp(logvar) - logvar - 1.0)
    return ll.mean() - kl


def test_refit_reaches_a_stationary_point_of_the_fixed_sample_elbo():
    rng = np.random.default_rng(6)
    vae = VAE(4, 2, hidden=(6,), activation="tanh", likelihood="gaussian", obs_std=0.3, rng=rng)
    x = rng.normal(size=(1, 4))
    eps = biases.moment_matched_normal(8, 2, rng)
    R = biases.plane_rotation(0.3)
    res = biases.refit_encoder(vae, x, R, family="diagonal", eps=eps, tol=1e-10)
    m, lv = res["mean"][0], np.log(np.diag(res["cov"][0]))
    val = _fixed_sample_elbo(vae, x, R, m, lv, eps)
    assert val == pytest.approx(res["elbo"][0], abs=1e-10)
    assert res["elbo"][0] >= res["elbo_init"][0] - 1e-12
    h = 1e-5
    for vec in np.eye(4):
        up = _fixed_sample_elbo(vae, x, R, m + h * vec[:2], lv + h * vec[2:], eps)
        down = _fixed_sample_elbo(vae, x, R, m - h * vec[:2], lv - h * vec[2:], eps)
        # a wrong analytic gradient would stop L-BFGS away from the optimum; central differences
        # at h = 1e-5 carry an error O(h²) ≈ 1e-10 and rounding ≈ 1e-11
        assert abs(up - down) / (2 * h) < 1e-5


def test_trained_linear_vae_curve_peaks_at_its_axes_and_full_is_flat():
    rng = np.random.default_rng(7)
    W, b, s2 = biases.reference_linear_decoder()
    Q = stats.ortho_group.rvs(5, random_state=rng)
    Wt = Q @ W
    z = rng.normal(size=(4000, 2))
    x = z @ Wt.T + math.sqrt(s2) * rng.normal(size=(4000, 5))
    vae = VAE(5, 2, hidden=(), likelihood="gaussian", obs_std=math.sqrt(s2), rng=rng)
    vae.fit(x, rng=rng, n_steps=2500, batch_size=128, lr=3e-3, progress=False)
    Wv, bv, sv = biases.linear_vae_parameters(vae)
    thetas = np.linspace(-math.pi / 4, math.pi / 4, 9)
    curve = biases.elbo_rotation_curve(vae, x[:20], thetas, rng=rng, n_samples=8)
    lpx = biases.linear_log_px(x[:20], Wv, bv, sv).mean()
    Lam = biases.linear_posterior_precision(Wv, sv)
    formula = np.array([biases.mean_field_gap(Lam, biases.plane_rotation(t)) for t in thetas])
    # trained curve = closed form for the trained W (moment-matched noise: exact for linear)
    np.testing.assert_allclose(lpx - curve["elbo_diagonal"], formula, atol=1e-7)
    # the bias: the best diagonal ELBO peaks at the model's axes (θ = 0) and drops by > 0.1 nats
    # at ±π/4 (0.3227 for the true W; a short training run leaves Λ slightly non-diagonal, which
    # moves the peak by a few degrees and lowers the drop to about 0.18)
    assert np.argmax(curve["elbo_diagonal"]) == 4
    assert curve["elbo_diagonal"][4] - curve["elbo_diagonal"][[0, -1]].max() > 0.1
    # no bias: closed families are flat (optimizer tolerance / rounding)
    assert np.ptp(curve["elbo_full"]) < 1e-7
    assert np.ptp(curve["elbo_pushforward"]) < 1e-10


def test_errors():
    with pytest.raises(ValueError, match="n_samples"):
        biases.moment_matched_normal(2, 2, np.random.default_rng(0))
    rng = np.random.default_rng(0)
    vae = VAE(3, 2, hidden=(), rng=rng)
    with pytest.raises(ValueError, match="eps"):
        biases.refit_encoder(vae, np.zeros((1, 3)), np.eye(2), eps=np.zeros((4, 3)))


def test_validation_types_and_values():
    rng = np.random.default_rng(0)
    vae = VAE(3, 2, hidden=(), rng=rng)
    x, eps = np.zeros((1, 3)), np.zeros((4, 2))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        biases.moment_matched_normal(4, 2, np.random.RandomState(0))
    with pytest.raises(TypeError, match="n_samples must be an integer; got 8.0"):
        biases.moment_matched_normal(8.0, 2, rng)
    with pytest.raises(ValueError, match="n_samples must be an integer >= 3; got 2"):
        biases.moment_matched_normal(2, 2, rng)
    with pytest.raises(TypeError, match="vae must provide .encode()"):
        biases.refit_encoder(object(), x, np.eye(2), eps=eps)
    with pytest.raises(ValueError, match="R is not orthogonal"):
        biases.refit_encoder(vae, x, np.ones((2, 2)), eps=eps)
    with pytest.raises(ValueError, match=r"R must have shape \(2, 2\)"):
        biases.refit_encoder(vae, x, np.eye(3), eps=eps)
    with pytest.raises(ValueError, match="family must be one of"):
        biases.refit_encoder(vae, x, np.eye(2), family="tri", eps=eps)
    with pytest.raises(ValueError, match="eps contains 1 non-finite"):
        biases.refit_encoder(vae, x, np.eye(2), eps=np.array([[0.0, np.nan]]))
    with pytest.raises(TypeError, match="maxiter must be an integer"):
        biases.refit_encoder(vae, x, np.eye(2), eps=eps, maxiter=1.5)
    with pytest.raises(ValueError, match="tol must be > 0"):
        biases.refit_encoder(vae, x, np.eye(2), eps=eps, tol=0.0)
    with pytest.raises(ValueError, match="x must hold rows of 3 values"):
        biases.refit_encoder(vae, np.zeros((1, 4)), np.eye(2), eps=eps)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        biases.elbo_rotation_curve(vae, x, [0.0], rng=0)
    with pytest.raises(ValueError, match=r"families\[1\] must be one of"):
        biases.elbo_rotation_curve(vae, x, [0.0], rng=rng, families=("full", "tri"))


def test_rotations_need_the_standard_normal_prior():
    rng = np.random.default_rng(1)
    prior = im.FactorizedPrior([stats.laplace(), stats.laplace()])
    vae = VAE(3, 2, hidden=(), prior=prior, rng=rng)
    with pytest.raises(ValueError, match=r"rotations preserve the prior only for N\(0, I\)"):
        biases.refit_encoder(vae, np.zeros((1, 3)), np.eye(2), eps=np.zeros((4, 2)))
