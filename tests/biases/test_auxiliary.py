"""Auxiliary variables (iVAE): f preserves p(x) but not p(z | u) nor p(x, u)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility import biases as ax


def test_auxiliary_prior_errors():
    with pytest.raises(ValueError, match="shape"):
        ax.AuxiliaryPrior([1.0, 2.0])
    aux = ax.AuxiliaryPrior([[1.0, 2.0], [1.0, 2.0]])
    with pytest.raises(ValueError, match="integers"):
        aux.conditional_log_prob(np.zeros((1, 2)), np.array([[0, 2]]))
    with pytest.raises(ValueError, match="d = 2"):
        ax.auxiliary_gap_quadrature(ax.AuxiliaryPrior(np.ones((3, 2))), None)


# ----------------------------------------------------------------------------------- the gaps
def _setup(scales=(0.5, 2.0), theta=math.pi / 4):
    aux = ax.AuxiliaryPrior([list(scales), list(scales)])
    f = im.entangling_bijection(aux.marginal, im.rotation_2d(theta))
    return aux, f


def test_conditional_log_prob_against_scipy():
    aux = ax.AuxiliaryPrior([[0.5, 2.0], [1.0, 3.0]], probs=[0.3, 0.7])
    u, z = aux.sample(50, np.random.default_rng(3))
    sd = np.where(u == 0, [[0.5, 1.0]], [[2.0, 3.0]])
    want = stats.norm.logpdf(z, scale=sd).sum(axis=1)
    np.testing.assert_allclose(aux.conditional_log_prob(z, u), want, rtol=1e-13)
    np.testing.assert_allclose(
        aux.log_prob_u(u), np.log(np.where(u == 0, 0.3, 0.7)).sum(1), rtol=1e-14
    )
    assert abs(np.mean(u == 1) - 0.7) < 0.15  # 100 draws: 5 standard deviations


@pytest.fixture(scope="module")
def quad16():
    aux, f = _setup()
    return ax.auxiliary_gap_quadrature(aux, f, n_panels=16)


def test_symmetry_broken_with_auxiliary_variable_but_not_for_px(quad16):
    aux, f = _setup()
    q = quad16
    # p(x) is preserved pointwise (rounding of f and its log-det) ...
    assert q["marginal_max_abs"] < 1e-12
    assert abs(q["marginal"]) < 1e-13
    # ... but p(z | u) is not: a KL of order 1 nat (1.5709 for these scales, n_panels = 32)
    assert q["conditional"] > 1.0
    assert q["error_estimate"] < 1e-3
    assert np.all(q["per_u"] > 0)
    mc = ax.auxiliary_gap_mc(aux, f, 20_000, np.random.default_rng(4))
    # independent Monte-Carlo estimate: within 5 standard errors of the quadrature
    assert abs(mc["conditional"] - q["conditional"]) < 5 * mc["conditional_stderr"]
    assert mc["marginal_max_abs"] < 1e-12


def test_observed_gap_through_an_invertible_generator(quad16):
    aux, f = _setup()
    g = im.generative.InvertibleMLP.random(2, np.random.default_rng(5))
    res = ax.observed_gap(aux, f, g, 20_000, np.random.default_rng(6))
    q = quad16
    # the Jacobian of g cancels: the (x, u) gap equals the latent one (5 standard errors)
    assert abs(res["joint"] - q["conditional"]) < 5 * res["joint_stderr"]
    # p(x) alone: model and twin agree to rounding in g⁻¹, f and the log-dets
    assert res["marginal_max_abs"] < 1e-9


def test_no_modulation_no_gap():
    # σ(u) constant: z | u = z, the prior is N(0, I) and f a rotation preserving every conditional
    aux, f = _setup(scales=(1.3, 1.3))
    q = ax.auxiliary_gap_quadrature(aux, f, n_panels=8)
    assert abs(q["conditional"]) < 1e-12


@pytest.mark.parametrize("theta", [0.3, math.pi / 4, 1.1])
def test_variability_isotropic_vs_anisotropic_shared_u(theta):
    A = im.rotation_2d(theta)
    iso = ax.shared_rotation_gap(
        [[0.5, 0.5], [2.0, 2.0]], A, rng=np.random.default_rng(7), n_mc=5000
    )
    # isotropic modulation: every rotation preserves each p(z|u) and the spherical marginal
    assert abs(iso["conditional"]) < 1e-14  # rounding of tr(Aᵀ D⁻¹ A D) − d
    assert abs(iso["marginal"]) < 1e-12
    a, b = 0.5**2, 2.0**2
    an = ax.shared_rotation_gap(
        [[0.5, 2.0], [2.0, 0.5]], A, rng=np.random.default_rng(7), n_mc=5000
    )
    # anisotropic: ½ sin²θ (a − b)² / (ab) per value of u (hand-derived for d = 2)
    want = 0.5 * math.sin(theta) ** 2 * (a - b) ** 2 / (a * b)
    assert an["conditional"] == pytest.approx(want, rel=1e-12)
    assert an["conditional"] > 0.1
    # and the rotation is not even a twin of the (non-factorized) marginal there
    assert an["marginal"] > 5 * an["marginal_stderr"]


def test_quadrature_converges(quad16):
    aux, f = _setup()
    coarse = ax.auxiliary_gap_quadrature(aux, f, n_panels=8)["conditional"]
    fine = quad16
    # error estimate |Q(16) − Q(8)| bounds the coarse error; the fine one is much smaller
    assert abs(fine["conditional"] - coarse) == pytest.approx(fine["error_estimate"], rel=1e-12)
    assert fine["error_estimate"] < 1e-3


def test_validation_types_and_values():
    aux, f = _setup()
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="u must hold integer states; got dtype float64"):
        aux.std(np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"u must have shape \(n, 2\)"):
        aux.log_prob_u(np.zeros((1, 3), dtype=int))
    with pytest.raises(ValueError, match=r"u must have shape \(2, 2\)"):
        aux.conditional_log_prob(np.zeros((2, 2)), np.zeros((1, 2), dtype=int))
    with pytest.raises(ValueError, match=r"z must have shape \(n, 2\)"):
        aux.conditional_log_prob(np.zeros((1, 3)), np.zeros((1, 2), dtype=int))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        aux.sample(3, np.random.RandomState(0))
    with pytest.raises(TypeError, match="n must be an integer; got 3.0"):
        aux.sample(3.0, rng)
    with pytest.raises(ValueError, match="n must be an integer >= 2; got 1"):
        ax.auxiliary_gap_mc(aux, f, 1, rng)
    with pytest.raises(TypeError, match=r"f must provide .forward\(\) \(a Bijector\)"):
        ax.conditional_log_ratio(aux, object(), np.zeros((1, 2)), np.zeros((1, 2), dtype=int))
    f3 = im.entangling_bijection(im.FactorizedPrior.standard_normal(3), rng=rng)
    with pytest.raises(ValueError, match="f acts on d = 3 coordinates but the prior has d = 2"):
        ax.marginal_log_ratio(aux.marginal, f3, np.zeros((1, 2)))

    class ForwardOnly:
        def forward(self, z):
            return z

    with pytest.raises(TypeError, match=r"g must provide .inverse_and_log_det\(\)"):
        ax.observed_gap(aux, f, ForwardOnly(), 10, rng)
    with pytest.raises(TypeError, match="n_panels must be an integer; got 8.0"):
        ax.auxiliary_gap_quadrature(aux, f, n_panels=8.0)
    with pytest.raises(ValueError, match="half_width must be > 0 and <= 12; got 20.0"):
        ax.auxiliary_gap_quadrature(aux, f, half_width=20.0)
    with pytest.raises(ValueError, match=r"probs must have shape \(2, 2\)"):
        ax.AuxiliaryPrior([[0.5, 2.0], [0.5, 2.0]], probs=[0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="probs must be positive and each row must sum to 1"):
        ax.AuxiliaryPrior([[0.5, 2.0], [0.5, 2.0]], probs=[0.2, 0.7])
    with pytest.raises(ValueError, match="scales must be positive"):
        ax.AuxiliaryPrior([[0.5, -2.0]])


def test_shared_rotation_gap_validation():
    A = im.rotation_2d(0.3)
    # the package's one orthogonality tolerance (1e3·ε·d), not a private 1e-10
    with pytest.raises(ValueError, match="A is not orthogonal"):
        ax.shared_rotation_gap([[0.5, 2.0]], A + 1e-11)
    with pytest.raises(ValueError, match=r"A must be an orthogonal \(2, 2\) matrix"):
        ax.shared_rotation_gap([[0.5, 2.0]], np.eye(3))
    with pytest.raises(ValueError, match=r"scales must have shape \(M, d\)"):
        ax.shared_rotation_gap([0.5, 2.0], A)
    with pytest.raises(ValueError, match=r"probs must have shape \(2,\)"):
        ax.shared_rotation_gap([[0.5, 2.0], [2.0, 0.5]], A, probs=[1.0])
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        ax.shared_rotation_gap([[0.5, 2.0]], A, rng=1)
    with pytest.raises(TypeError, match="n_mc must be an integer"):
        ax.shared_rotation_gap([[0.5, 2.0]], A, n_mc=1e4)
