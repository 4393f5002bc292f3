"""The linear Gaussian VAE: the diagonal encoder's gap in closed form, checked by BFGS."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from impossibility import biases
from impossibility.vae import VAE


@pytest.mark.parametrize("theta", sorted(biases.REFERENCE_GAPS))
def test_reference_gaps_formula_and_bfgs(theta):
    W, b, s2 = biases.reference_linear_decoder()
    Lam = biases.linear_posterior_precision(W, s2)
    R = biases.plane_rotation(theta)
    # reference values are printed to 8 decimals in docs/theory.md §3.7: 5e-9 is half a unit of the
    # last
    assert biases.mean_field_gap(Lam, R) == pytest.approx(biases.REFERENCE_GAPS[theta], abs=5e-9)
    x = np.random.default_rng(2).normal(size=(4, 5)) * 2
    fit = biases.fit_linear_encoder(x, W @ R.T, b, s2, family="diagonal")
    assert fit["converged"].all()
    gap = biases.linear_log_px(x, W, b, s2) - fit["elbo"]
    # BFGS at gtol 1e-11 on a quadratic-plus-log objective: the value is accurate to ~1e-14
    np.testing.assert_allclose(gap, biases.mean_field_gap(Lam, R), atol=1e-9)
    # the optimizer's own objective and the independent closed form agree
    np.testing.assert_allclose(fit["elbo"], fit["elbo_optimizer"], atol=1e-10)


def test_reference_gaps_bit_for_bit():
    # the values stored in figures/results/bias_diagonal_posterior.json (reference_formula)
    W, _, s2 = biases.reference_linear_decoder()
    Lam = biases.linear_posterior_precision(W, s2)
    got = [biases.mean_field_gap(Lam, biases.plane_rotation(t)) for t in biases.REFERENCE_GAPS]
    assert got == [0.0, 0.18693385099851922, 0.32268430541326265]


def test_d2_closed_form_and_zeros():
    lam1, lam2 = 14.0, 3.0
    Lam = np.diag([lam1, lam2])
    for th in np.linspace(0, math.pi, 9):
        c2, s2 = math.cos(th) ** 2, math.sin(th) ** 2
        want = 0.5 * math.log((lam1 * c2 + lam2 * s2) * (lam1 * s2 + lam2 * c2) / (lam1 * lam2))
        assert biases.mean_field_gap(Lam, biases.plane_rotation(th)) == pytest.approx(
            want, abs=1e-13
        )
    # zero at multiples of π/2, maximal at π/4
    th = np.linspace(0, math.pi / 2, 41)
    g = np.array([biases.mean_field_gap(Lam, biases.plane_rotation(t)) for t in th])
    assert g[0] < 1e-15 and g[-1] < 1e-13
    assert np.argmax(g) == 20
    # isotropic precision: the symmetry survives for every angle (no bias)
    assert max(biases.mean_field_gap(np.eye(2) * 5.0, biases.plane_rotation(t)) for t in th) < 1e-14


def test_full_covariance_gap_is_flat_diagonal_is_not():
    W, b, s2 = biases.reference_linear_decoder()
    x = np.random.default_rng(3).normal(size=(3, 5))
    c = biases.linear_gap_curve(W, b, s2, np.linspace(0, math.pi / 2, 5), x)
    # full covariance: the family is closed under rotation, the best ELBO is log p(x) for every θ
    assert np.max(np.abs(c["full"])) < 1e-9
    # diagonal: formula and optimizer agree, and the symmetry is broken away from the axes
    np.testing.assert_allclose(c["diagonal"], c["formula"], atol=1e-9)
    assert c["diagonal"][2] > 0.3


def test_linear_elbo_equals_log_px_at_exact_posterior():
    rng = np.random.default_rng(4)
    W = rng.normal(size=(6, 3))
    b = rng.normal(size=6)
    x = rng.normal(size=(5, 6))
    s2 = 0.4
    Lam = biases.linear_posterior_precision(W, s2)
    cov = np.linalg.inv(Lam)
    mean = (x - b) @ W @ cov / s2
    elbo = biases.linear_elbo(x, W, b, s2, mean, np.broadcast_to(cov, (5, 3, 3)))
    # the ELBO is tight at the exact posterior; and log p(x) against scipy's Gaussian
    np.testing.assert_allclose(elbo, biases.linear_log_px(x, W, b, s2), atol=1e-11)
    ref = stats.multivariate_normal(b, W @ W.T + s2 * np.eye(6)).logpdf(x)
    np.testing.assert_allclose(biases.linear_log_px(x, W, b, s2), ref, atol=1e-11)


def test_linear_vae_parameters_read_the_decoder():
    rng = np.random.default_rng(5)
    vae = VAE(5, 2, hidden=(), likelihood="gaussian", obs_std=0.5, rng=rng)
    W, b, s2 = biases.linear_vae_parameters(vae)
    np.testing.assert_array_equal(W, vae.decoder[0].W.T)
    np.testing.assert_array_equal(b, vae.decoder[0].b)
    assert s2 == 0.25


def test_errors():
    with pytest.raises(ValueError, match="family"):
        biases.fit_linear_encoder(
            np.zeros((1, 5)), *biases.reference_linear_decoder(), family="tri"
        )
    with pytest.raises(ValueError, match="sigma2"):
        biases.linear_posterior_precision(np.eye(2), -1.0)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="Linear|Gaussian"):
        biases.linear_vae_parameters(VAE(3, 2, hidden=(4,), rng=rng))


def test_validation_types_and_values():
    W, b, s2 = biases.reference_linear_decoder()
    with pytest.raises(TypeError, match="sigma2 must be a real number"):
        biases.linear_posterior_precision(W, "0.3")
    with pytest.raises(ValueError, match="sigma2 must be > 0; got 0.0"):
        biases.linear_log_px(np.zeros((1, 5)), W, b, 0.0)
    with pytest.raises(ValueError, match="W must be a 2-D array"):
        biases.linear_posterior_precision(np.ones(5), 0.3)
    with pytest.raises(ValueError, match="W contains 1 non-finite"):
        biases.linear_posterior_precision(np.array([[1.0, np.inf]]), 0.3)
    with pytest.raises(ValueError, match=r"x must have shape \(n, 5\)"):
        biases.linear_log_px(np.zeros((2, 4)), W, b, s2)
    with pytest.raises(ValueError, match="x contains 1 non-finite"):
        biases.linear_gap_curve(W, b, s2, [0.0], np.array([[0.0, 1.0, np.nan, 0.0, 0.0]]))
    with pytest.raises(ValueError, match=r"b must have shape \(5,\)"):
        biases.linear_log_px(np.zeros((1, 5)), W, np.zeros(4), s2)
    with pytest.raises(TypeError, match="family must be one of"):
        biases.fit_linear_encoder(np.zeros((1, 5)), W, b, s2, family=None)
    with pytest.raises(ValueError, match="gtol must be > 0"):
        biases.fit_linear_encoder(np.zeros((1, 5)), W, b, s2, gtol=0.0)
    with pytest.raises(TypeError, match="D must be an integer; got 5.0"):
        biases.reference_linear_decoder(5.0)
    with pytest.raises(ValueError, match="D must be an integer >= 2; got 1"):
        biases.reference_linear_decoder(1)
    with pytest.raises(ValueError, match="Lambda must be a square"):
        biases.mean_field_gap(np.ones((2, 3)))
    with pytest.raises(ValueError, match="R is not orthogonal"):
        biases.mean_field_gap(np.eye(2), np.ones((2, 2)))
    with pytest.raises(ValueError, match="cov must have shape"):
        biases.linear_elbo(np.zeros((1, 5)), W, b, s2, np.zeros((1, 2)), np.ones((1, 3)))
    with pytest.raises(TypeError, match="vae must provide .encode()"):
        biases.linear_vae_parameters(object())
