"""Theorem 1's map and the other families: structure, identities and error paths."""

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

MIXED = FactorizedPrior([stats.laplace(scale=2), stats.beta(2, 5), stats.gamma(3), stats.logistic()])


@pytest.fixture
def f():
    return entangling_bijection(MIXED, im.householder_rotation(4, 0.3))


def test_entangling_bijection_equals_the_tfp_order_chain(f):
    G = Gaussianize(MIXED)
    chain = Chain([G.inv, Orthogonal(f.A), G])
    z = MIXED.sample(200, np.random.default_rng(0))
    np.testing.assert_allclose(f(z), chain(z), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(f.forward_log_det_jacobian(z), chain.forward_log_det_jacobian(z), atol=1e-12)
    np.testing.assert_allclose(f.jacobian(z[:5]), chain.jacobian(z[:5]), rtol=1e-12, atol=1e-15)


def test_measured_figures_from_theory_brief(f):
    """theory.md §2.3: round trip ~1e-15, slogdet vs chain rule ~1e-15, FD ~1e-9."""
    z = MIXED.sample(1000, np.random.default_rng(1))
    v, ldj = f.forward_and_log_det(z)
    assert np.max(np.abs(f.inverse(v) - z) / np.maximum(1, np.abs(z))) < 1e-13
    np.testing.assert_allclose(np.linalg.slogdet(f.jacobian(z))[1], ldj, atol=1e-12)
    assert im.density_invariance_error(f, MIXED, z).max() < 1e-12
    rep = im.entanglement_report(f, z[:100])
    assert rep.completely_entangling and rep.fraction_nonzero == 1.0
    assert rep.max_fd_error < 1e-6
    np.testing.assert_array_equal(rep.sign_pattern, np.sign(f.A))


def test_jacobian_factorises_as_dout_a_din(f):
    z = MIXED.sample(20, np.random.default_rng(2))
    d_out, A, d_in = f.jacobian_factors(z)
    assert np.all(d_out > 0) and np.all(d_in > 0)
    np.testing.assert_allclose(A[0], f.A)
    # D_in = p(u)/φ(G(u)) computed independently from scipy
    y = Gaussianize(MIXED).forward(z)
    np.testing.assert_allclose(d_in, np.exp(MIXED.marginal_log_prob(z)) / stats.norm.pdf(y), rtol=1e-12)


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


@pytest.mark.parametrize("d", [2, 3, 4, 8, 16])
def test_random_entangling_rotation_respects_threshold(d):
    rng = np.random.default_rng(d)
    A = random_entangling_rotation(d, rng)
    np.testing.assert_allclose(A.T @ A, np.eye(d), atol=1e-13)
    assert np.min(np.abs(A)) >= 0.5 * d**-2.5
    R = random_entangling_rotation(d, rng, proper=True, min_abs_entry=0.1 / d)
    assert np.linalg.det(R) == pytest.approx(1.0) and np.min(np.abs(R)) >= 0.1 / d


def test_random_entangling_rotation_is_reproducible():
    a = random_entangling_rotation(6, np.random.default_rng(11))
    b = random_entangling_rotation(6, np.random.default_rng(11))
    np.testing.assert_array_equal(a, b)


def test_impossible_threshold_and_bad_dimension():
    with pytest.raises(ValueError, match="1/√d"):
        random_entangling_rotation(4, np.random.default_rng(0), min_abs_entry=0.6)
    with pytest.raises(ValueError, match="d ≥ 2"):
        random_entangling_rotation(1, np.random.default_rng(0))
    with pytest.raises(ValueError, match="d ≥ 2"):
        entangling_bijection(FactorizedPrior([stats.norm()]), np.eye(1))


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


def test_householder_family_all_entries_nonzero_and_distinct():
    for d in (2, 3, 5):
        mats = [im.householder_rotation(d, a) for a in (0.1, 0.2, 0.3, 0.45)]
        for A in mats:
            np.testing.assert_allclose(A @ A.T, np.eye(d), atol=1e-15)
            assert np.min(np.abs(A)) > 0
        assert len({A.tobytes() for A in mats}) == 4
    with pytest.raises(ValueError, match="alpha"):
        im.householder_rotation(3, 0.5)


def test_rotation_path_certified_interval():
    rng = np.random.default_rng(5)
    for d in (2, 3, 6):
        path = im.RotationPath(im.random_skew(d, rng))
        t_max = path.t_max
        assert t_max > 0
        ts = np.linspace(t_max * 1e-3, t_max * (1 - 1e-9), 60)
        for t in ts:
            A = path(t)
            assert np.min(np.abs(A)) > 0
        np.testing.assert_allclose(path(0.7).T @ path(0.7), np.eye(d), atol=1e-13)
    # d = 2: A(t) is the rotation by t·S₁₀, whose entries vanish at multiples of π/2
    path = im.RotationPath(np.array([[0.0, -1.0], [1.0, 0.0]]))
    zeros = [t for (_, _, t) in path.entry_zeros(0.1, 3.3)]
    np.testing.assert_allclose(sorted(set(np.round(zeros, 10))), [np.pi / 2, np.pi], atol=1e-10)
    with pytest.raises(ValueError, match="skew"):
        im.RotationPath(np.eye(3))


def test_swirl_preserves_norm_and_unit_determinant():
    rng = np.random.default_rng(6)
    T = im.Swirl(im.random_skew(3, rng), a=0.2, b=0.8)
    y = rng.normal(size=(200, 3))
    w = T(y)
    np.testing.assert_allclose(np.linalg.norm(w, axis=1), np.linalg.norm(y, axis=1), rtol=1e-13)
    np.testing.assert_allclose(np.linalg.det(T.jacobian(y)), 1.0, atol=1e-12)
    np.testing.assert_allclose(T.inv(w), y, atol=1e-13)
    np.testing.assert_allclose(T.jacobian(y[:20]), im.finite_difference_jacobian(T, y[:20]), rtol=1e-6, atol=1e-8)


def test_swirl_and_darmois_transported_to_a_prior_preserve_it():
    prior = FactorizedPrior([stats.logistic(), stats.expon()])
    rng = np.random.default_rng(7)
    z = prior.sample(4, rng)
    for inner in (im.Swirl(im.random_skew(2, rng), 0.1, 0.5), im.DarmoisShear2D(1.5)):
        f = im.Conjugated(prior, inner)
        assert im.density_invariance_error(f, prior, z).max() < 1e-9
        np.testing.assert_allclose(f.inverse(f(z)), z, rtol=1e-10, atol=1e-12)
        rep = im.entanglement_report(f, z, finite_differences=False)
        assert rep.completely_entangling


def test_linear_gaussian_darmois_is_orthogonal():
    M = np.random.default_rng(8).normal(size=(4, 4))
    Q = im.linear_gaussian_darmois(M)
    np.testing.assert_allclose(Q @ Q.T, np.eye(4), atol=1e-13)
    with pytest.raises(ValueError, match="invertible"):
        im.linear_gaussian_darmois(np.ones((3, 3)))


def test_trivial_symmetries_preserve_the_prior_but_do_not_entangle():
    prior = FactorizedPrior.iid(stats.gamma(2.5), 3)
    z = prior.sample(50, np.random.default_rng(9))
    for g in (im.permutation_bijection(prior, [2, 0, 1]), im.quantile_reflection(prior, [1])):
        assert im.density_invariance_error(g, prior, z).max() < 1e-12
        rep = im.entanglement_report(g, z)
        assert not rep.completely_entangling
        assert rep.fraction_nonzero == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="different marginals"):
        im.permutation_bijection(FactorizedPrior([stats.norm(), stats.expon()]), [1, 0])
