"""Monte Carlo against quadrature for the nonlinear twin's IMA contrast and isometry defect."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from impossibility.biases import ima, isometry
from impossibility.biases.diagonal import plane_rotation
from impossibility.entangle import entangling_bijection
from impossibility.priors import FactorizedPrior

R45 = plane_rotation(math.pi / 4)
LOGISTIC = FactorizedPrior([stats.logistic(), stats.logistic()])


def _two_sided(mc: float, stderr: float, exact: float) -> float:
    return float(2 * stats.norm.sf(abs(mc - exact) / stderr))


def test_ima_twin_contrast_mc_matches_quadrature(stat_check):
    f = entangling_bijection(LOGISTIC, R45, require_complete=False)
    g = ima.OrthogonalColumnsGenerator(np.eye(2), [0.5, 1.5])
    q = ima.twin_contrast_quadrature(g.jacobian, LOGISTIC, f, n_panels=16)
    m = ima.twin_contrast_mc(g.jacobian, LOGISTIC, f, 20_000, np.random.default_rng(0))
    assert m["true_max_abs"] < 1e-14  # the true generator is in IMA's class
    stat_check(_two_sided(m["twin"], m["twin_stderr"], q["twin"]), "IMA contrast MC vs quadrature")


def test_isometry_defect_mc_matches_quadrature(stat_check):
    f = entangling_bijection(LOGISTIC, R45, require_complete=False)
    q = isometry.isometry_defect_quadrature(LOGISTIC, f, n_panels=16)
    m = isometry.isometry_defect_mc(LOGISTIC, f, 20_000, np.random.default_rng(1))
    stat_check(
        _two_sided(m["defect"], m["stderr"], q["defect"]), "isometry defect MC vs quadrature"
    )


def test_ivae_segment_kl_mc_matches_closed_form(stat_check):
    from impossibility.biases import ivae

    rng = np.random.default_rng(2)
    v, mu = np.array([1.0, 4.0]), np.array([0.5, -1.0])
    # z' ~ N(Aμ, AΛAᵀ); log q − log p through scipy's densities
    q = stats.multivariate_normal(R45 @ mu, (R45 * v) @ R45.T)
    p = stats.multivariate_normal(mu, np.diag(v))
    z = q.rvs(20_000, random_state=rng)
    r = q.logpdf(z) - p.logpdf(z)
    exact = float(ivae.segment_kl([v], R45, [mu])[0])
    stat_check(
        _two_sided(r.mean(), r.std(ddof=1) / math.sqrt(r.size), exact), "iVAE KL MC vs closed form"
    )
