"""Sparsity of the decoder Jacobian and of the latent mechanism: the twin's support spreads."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from impossibility.biases import sparsity as sp
from impossibility.biases.diagonal import plane_rotation
from impossibility.biases.ima import twin_jacobian
from impossibility.entangle import entangling_bijection
from impossibility.priors import FactorizedPrior

R45 = plane_rotation(math.pi / 4)


def test_generator_jacobian_against_finite_differences():
    g = sp.SparseGenerator()
    z = np.random.default_rng(0).standard_normal((10, 2))
    h = 1e-6
    fd = np.stack([(g.forward(z + h * e) - g.forward(z - h * e)) / (2 * h) for e in np.eye(2)], -1)
    np.testing.assert_allclose(g.jacobian(z), fd, atol=1e-8)


def test_decoder_support_spreads_in_the_twin():
    prior = FactorizedPrior([stats.logistic(), stats.logistic()])
    f = entangling_bijection(prior, R45, require_complete=False)
    g = sp.SparseGenerator()
    z = prior.sample(500, np.random.default_rng(1))
    Jt, Jw = g.jacobian(z), twin_jacobian(g.jacobian, f, z)
    n = sp.sparsity_numbers(Jt, Jw)
    assert (n["l0_true"], n["l0_twin"]) == (4.0, 6.0)
    assert n["l1_gap"] > 0
    assert sp.structural_sparsity(sp.support(Jt)) and not sp.structural_sparsity(sp.support(Jw))
    # control: a permutation twin keeps the support size
    fp = entangling_bijection(prior, np.eye(2)[[1, 0]], require_complete=False)
    Jp = twin_jacobian(g.jacobian, fp, z)
    assert sp.l0_norm(Jp) == 4
    assert float(np.mean(sp.l1_norm(Jp))) == pytest.approx(n["l1_true"], rel=0.2)


def test_transition_closed_form_against_regression():
    rho = [0.9, 0.3]
    M = sp.twin_transition(np.diag(rho), R45)
    np.testing.assert_allclose(M, [[0.6, -0.3], [-0.3, 0.6]], atol=1e-15)
    est = sp.fit_transition(rho, R45, 100_000, np.random.default_rng(2))
    # OLS error ~ 1/√n ≈ 3e-3 per entry; 0.02 is > 6 standard errors
    np.testing.assert_allclose(est["twin"], M, atol=0.02)
    np.testing.assert_allclose(est["true"], np.diag(rho), atol=0.02)
    n = sp.sparsity_numbers(np.diag(rho), M, normalize=False)
    assert (n["l0_true"], n["l0_twin"]) == (2.0, 4.0)
    assert n["l1_gap"] == pytest.approx(0.6, rel=1e-12)


def test_l1_never_decreases_under_rotation():
    # entrywise L1 ≥ nuclear norm (rotation invariant) = L1 of the diagonal
    rng = np.random.default_rng(4)
    D = np.diag(rng.uniform(-1, 1, 4))
    for _ in range(50):
        A = np.linalg.qr(rng.standard_normal((4, 4)))[0]
        assert sp.l1_norm(sp.twin_transition(D, A), normalize=False) >= np.abs(D).sum() - 1e-12


def test_equal_autocorrelations_are_the_control():
    M = sp.twin_transition(0.7 * np.eye(2), R45)
    assert sp.l0_norm(M) == 2


def test_structural_sparsity_cases():
    assert sp.structural_sparsity([[1, 0], [0, 1], [1, 1]])
    assert not sp.structural_sparsity([[1, 1], [1, 1]])
    assert not sp.structural_sparsity([[1, 0], [1, 0]])


def test_bad_input():
    with pytest.raises(ValueError, match="nonzero"):
        sp.l1_norm(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="\\(-1, 1\\)"):
        sp.fit_transition([1.5, 0.2], R45, 100, np.random.default_rng(0))
