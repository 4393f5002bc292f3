"""Theorem 1's map f = G⁻¹∘A∘G: the TFP-order chain, its Jacobian, exact cases, tails, errors."""

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility import (
    Chain,
    FactorizedPrior,
    Gaussianize,
    Orthogonal,
    entangling_bijection,
    random_entangling_rotation,
)
from impossibility.testing import FAMILY_EXAMPLES


def test_entangling_bijection_equals_the_tfp_order_chain(mixed, f):
    G = Gaussianize(mixed)
    chain = Chain([G.inv, Orthogonal(f.A), G])
    z = mixed.sample(200, np.random.default_rng(0))
    np.testing.assert_allclose(f(z), chain(z), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(
        f.forward_log_det_jacobian(z), chain.forward_log_det_jacobian(z), atol=1e-12
    )
    np.testing.assert_allclose(f.jacobian(z[:5]), chain.jacobian(z[:5]), rtol=1e-12, atol=1e-15)


def test_measured_figures_from_theory_brief(mixed, f):
    """docs/theory.md §2.3: round trip ~1e-15, slogdet vs chain rule ~1e-15, FD ~1e-9."""
    z = mixed.sample(1000, np.random.default_rng(1))
    v, ldj = f.forward_and_log_det(z)
    assert np.max(np.abs(f.inverse(v) - z) / np.maximum(1, np.abs(z))) < 1e-13
    np.testing.assert_allclose(np.linalg.slogdet(f.jacobian(z))[1], ldj, atol=1e-12)
    assert im.density_invariance_error(f, mixed, z).max() < 1e-12
    rep = im.entanglement_report(f, z[:100])
    assert rep.completely_entangling and rep.fraction_nonzero == 1.0
    assert rep.max_fd_error < 1e-6
    np.testing.assert_array_equal(rep.sign_pattern, np.sign(f.A))


def test_jacobian_factorises_as_dout_a_din(mixed, f):
    z = mixed.sample(20, np.random.default_rng(2))
    d_out, A, d_in = f.jacobian_factors(z)
    assert np.all(d_out > 0) and np.all(d_in > 0)
    np.testing.assert_allclose(A[0], f.A)
    # D_in = p(u)/φ(G(u)) computed independently from scipy
    y = Gaussianize(mixed).forward(z)
    np.testing.assert_allclose(
        d_in, np.exp(mixed.marginal_log_prob(z)) / stats.norm.pdf(y), rtol=1e-12
    )


def test_standard_normal_prior_gives_exactly_a_rotation():
    prior = FactorizedPrior.standard_normal(5)
    A = random_entangling_rotation(5, np.random.default_rng(3))
    f = entangling_bijection(prior, A)
    z = prior.sample(100, np.random.default_rng(4))
    np.testing.assert_array_equal(f(z), z @ A.T)
    np.testing.assert_array_equal(f.jacobian(z[:2])[1], A)


def test_normal_with_loc_scale_is_affine():
    prior = FactorizedPrior([stats.norm(1, 2), stats.norm(-3, 0.5)])
    G = Gaussianize(prior)
    z = np.array([[3.0, -2.0]])
    np.testing.assert_allclose(G(z), [[1.0, 2.0]])


def test_entangling_bijection_error_paths():
    prior = FactorizedPrior.iid(stats.logistic(), 3)
    with pytest.raises(ValueError, match="not orthogonal"):
        entangling_bijection(prior, np.array([[1, 0.2, 0], [0, 1, 0], [0, 0, 1.0]]))
    with pytest.raises(ValueError, match="not completely entangling"):
        entangling_bijection(prior, np.eye(3))
    with pytest.raises(ValueError, match=r"shape \(3, 3\)"):
        entangling_bijection(prior, im.rotation_2d(0.3))
    with pytest.raises(ValueError, match="either"):
        entangling_bijection(prior)
    f = entangling_bijection(prior, np.eye(3), require_complete=False)
    with pytest.raises(ValueError, match="non-finite"):
        f.forward([[0.0, np.inf, 1.0]])


def test_points_outside_support_raise():
    prior = FactorizedPrior([stats.beta(2, 5), stats.expon()])
    f = entangling_bijection(prior, im.rotation_2d(0.4))
    with pytest.raises(ValueError, match="outside the open support"):
        f.forward([[0.5, -1.0]])
    with pytest.raises(ValueError, match="outside the open support"):
        f.inverse([[1.0, 1.0]])
    with pytest.raises(ValueError, match="outside the open support"):
        f.forward([[0.0, 1.0]])  # the endpoint itself: G(0) = -inf


@pytest.mark.parametrize("family", sorted(FAMILY_EXAMPLES))
def test_entangling_map_at_tail_points(family):
    """f with one coordinate at the 1e-12 / 1−1e-12 quantile: finite, invertible, invariant."""
    dist = FAMILY_EXAMPLES[family]
    prior = im.FactorizedPrior([dist, stats.logistic(), stats.gamma(2.0)])
    f = im.entangling_bijection(prior, im.householder_rotation(3, 0.3))
    med = prior.median
    for u0 in (dist.ppf(1e-12), dist.isf(1e-12)):
        z = np.array([[u0, med[1], med[2]]])
        v, ldj = f.forward_and_log_det(z)
        assert np.all(np.isfinite(v)) and np.isfinite(ldj[0])
        assert abs(f.inverse(v)[0, 0] - u0) <= 1e-8 * max(1.0, abs(u0))
        assert im.density_invariance_error(f, prior, z)[0] <= 1e-9
