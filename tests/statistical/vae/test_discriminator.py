"""FactorVAE's discriminator as a total-correlation estimator, on Gaussians with a known TC.

For z ~ N(0, Σ) with unit variances, TC(z) = −½ log det Σ; one correlated pair with correlation ρ
gives TC = −½ log(1 − ρ²) (0.5108 nats for ρ = 0.8), independent coordinates give 0. The
density-ratio estimate mean(ℓ₀ − ℓ₁) of a discriminator trained on z against its dimension-wise
permutation must recover both: this is what FactorVAE's penalty relies on.
"""

from __future__ import annotations

import numpy as np
import pytest

from impossibility.vae import Discriminator


def _gaussian(n, rho, rng, d=4):
    z = rng.standard_normal((n, d))
    z[:, 1] = rho * z[:, 0] + np.sqrt(1.0 - rho**2) * z[:, 1]
    return z


@pytest.mark.parametrize("rho", [0.0, 0.8])
def test_discriminator_estimates_a_known_total_correlation(rho):
    rng = np.random.default_rng(0)
    disc = Discriminator(4, (32, 32), rng=np.random.default_rng(1), lr=1e-3)
    for _ in range(1500):
        disc.step(_gaussian(64, rho, rng), rng)
    estimate = disc.tc_estimate(_gaussian(20_000, rho, rng))
    truth = -0.5 * np.log1p(-(rho**2))
    # 0.08 nats: the estimator's bias after 1,500 Adam steps (under-trained logits shrink the
    # ratio towards 1), measured −0.055 to +0.011 over seeds 0–4 for ρ = 0.8 and within ±0.003
    # for ρ = 0; the Monte Carlo error of the mean over 20,000 points is below 0.01
    assert abs(estimate - truth) < 0.08, (rho, estimate, truth)
