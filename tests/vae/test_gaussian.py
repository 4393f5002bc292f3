"""Tests for impossibility.vae.gaussian: the closed-form KL and the encoder's densities."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.integrate import quad

from impossibility.vae import VAE, gaussian_kl, gaussian_pairwise_log_density, log_q_from_noise


def test_gaussian_kl_against_scipy_integral():
    mu, lv = np.array([[0.3, -1.0]]), np.array([[0.2, -0.7]])
    kl, _, _ = gaussian_kl(mu, lv)

    # per-dimension KL(N(m, s²) ‖ N(0, 1)) by numerical integration
    def kl_1d(q):
        return quad(lambda t: q.pdf(t) * (q.logpdf(t) - stats.norm.logpdf(t)), -30, 30)[0]

    ref = sum(kl_1d(stats.norm(m, math.exp(v / 2))) for m, v in zip(mu[0], lv[0], strict=True))
    assert kl[0] == pytest.approx(ref, rel=1e-9)


def test_pairwise_density_against_scipy():
    rng = np.random.default_rng(1)
    z, mu, lv = rng.normal(size=(4, 3)), rng.normal(size=(5, 3)), rng.normal(size=(5, 3)) * 0.4
    got = gaussian_pairwise_log_density(z, mu, lv)
    ref = stats.norm(mu[None], np.exp(0.5 * lv)[None]).logpdf(z[:, None, :])
    np.testing.assert_allclose(got, ref, rtol=1e-12)


def test_log_q_from_noise_is_the_encoder_density_at_its_sample():
    rng = np.random.default_rng(2)
    vae = VAE(5, 3, hidden=(4,), rng=rng)
    x = rng.random((6, 5))
    eps = rng.standard_normal((6, 3))
    mu, lv = vae.encode(x)
    z = mu + np.exp(0.5 * lv) * eps
    np.testing.assert_allclose(log_q_from_noise(eps, lv), vae.log_q(z, x), rtol=1e-12)
