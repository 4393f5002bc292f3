"""Tests for impossibility.vae.elbo: the ELBO and importance-weighted log p(x) estimates."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special, stats

from impossibility.vae import VAE, importance_weighted_log_px


def test_closed_form_and_monte_carlo_kl_agree_in_expectation():
    rng = np.random.default_rng(3)
    vae = VAE(6, 3, hidden=(8,), rng=rng)
    x = rng.random((4, 6))
    ana = vae.elbo_terms(x, rng, n_samples=1, kl="analytic")["kl"]
    mc = vae.elbo_terms(x, rng, n_samples=4000, kl="mc")
    # the MC KL average has standard error sd/√S; 5 SE leaves a ~1e-6 false-alarm rate per point
    samples = mc["rec"] - mc["elbo_samples"]  # per-sample KL estimates, (S, n)
    se = samples.std(axis=0, ddof=1) / np.sqrt(samples.shape[0])
    assert np.all(np.abs(mc["kl"] - ana) < 5 * se)
    assert np.all(ana > 0)


def test_importance_weighted_log_px_matches_exact_linear_gaussian_model():
    # Linear decoder, fixed noise: p(x) = N(b, W Wᵀ + σ² I) exactly (W = decoder kernel,
    # transposed).
    rng = np.random.default_rng(4)
    vae = VAE(4, 2, hidden=(), likelihood="gaussian", obs_std=0.5, rng=rng)
    W, b = vae.decoder[0].W.T, vae.decoder[0].b
    x = rng.normal(size=(5, 4))
    exact = stats.multivariate_normal(b, W @ W.T + 0.25 * np.eye(4)).logpdf(x)
    est, se = vae.log_px(x, rng, n_importance=20000, return_stderr=True)
    # an untrained encoder is a poor proposal: allow 5 delta-method SEs plus the O(1/K) bias
    assert np.all(np.abs(est - exact) < 5 * se + 0.01)
    elbo = vae.elbo(x, rng, n_samples=2000)
    assert np.all(elbo < exact + 0.05)  # ELBO ≤ log p(x) (0.05 ≫ its MC error here)


def test_log_px_with_one_sample_is_the_single_sample_elbo():
    rng = np.random.default_rng(5)
    vae = VAE(6, 2, hidden=(5,), rng=rng)
    x = rng.random((3, 6))
    eps = rng.standard_normal((1, 3, 2))
    np.testing.assert_allclose(vae.log_px(x, eps=eps), vae.elbo(x, eps=eps, kl="mc"), atol=1e-12)


def test_log_px_chunking_does_not_change_result():
    rng = np.random.default_rng(6)
    vae = VAE(6, 2, hidden=(5,), rng=rng)
    x = rng.random((3, 6))
    eps = rng.standard_normal((50, 3, 2))
    a = vae.log_importance_weights(x, eps=eps)
    b = vae.log_importance_weights(x, eps=eps, chunk_elements=20)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="chunk_elements must be an integer >= 1"):
        vae.log_importance_weights(x, eps=eps, chunk_elements=0)


def test_importance_weighted_estimate_and_its_standard_error():
    logw = np.random.default_rng(7).normal(size=(64, 5)) * 2 - 30
    est, se = importance_weighted_log_px(logw, return_stderr=True)
    # the formula experiments/vae_twin.py wrote out by hand: identical to the last bit
    ref = special.logsumexp(logw, axis=0) - np.log(64)
    w = np.exp(logw - logw.max(axis=0))
    ref_se = w.std(axis=0, ddof=1) / (np.sqrt(64) * w.mean(axis=0))
    np.testing.assert_array_equal(est, ref)
    np.testing.assert_array_equal(se, ref_se)
    np.testing.assert_array_equal(importance_weighted_log_px(logw), est)
    one, inf = importance_weighted_log_px(logw[:1], return_stderr=True)
    np.testing.assert_array_equal(one, logw[0])
    assert np.all(np.isinf(inf))
    assert importance_weighted_log_px(np.zeros(4)) == pytest.approx(0.0, abs=1e-15)
    assert importance_weighted_log_px(np.log([1.0, 3.0])) == pytest.approx(math.log(2.0))


def test_importance_weighted_estimate_validation():
    with pytest.raises(ValueError, match="K >= 1 samples along axis 0"):
        importance_weighted_log_px(np.float64(1.0))
    with pytest.raises(ValueError, match="K >= 1 samples"):
        importance_weighted_log_px(np.zeros((0, 3)))
    with pytest.raises(TypeError, match="logw must be an array of real numbers"):
        importance_weighted_log_px(["a"])


def test_elbo_terms_are_consistent():
    rng = np.random.default_rng(8)
    vae = VAE(6, 2, hidden=(5,), rng=rng)
    x = rng.random((4, 6))
    eps = rng.standard_normal((3, 4, 2))
    t = vae.elbo_terms(x, eps=eps)
    np.testing.assert_allclose(t["elbo"], t["rec"] - t["kl"], rtol=1e-14)
    np.testing.assert_array_equal(t["elbo_samples"].mean(0), t["elbo"])
    np.testing.assert_array_equal(vae.elbo(x, eps=eps), t["elbo"])
    with pytest.raises(ValueError, match="n_samples=2"):
        vae.elbo_terms(x, eps=eps, n_samples=2)
