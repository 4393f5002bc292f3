"""verify(): one call that builds Theorem 1's map for a prior and checks it every way."""

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility import tolerances
from impossibility.tools.specs import parse_marginal

PRIOR = im.FactorizedPrior([stats.laplace(), stats.beta(2, 5), stats.gamma(3)])


def test_verify_passes_and_reports_its_checks():
    rep = im.verify(PRIOR, n=4000, rng=np.random.default_rng(1))
    assert rep.passed and rep.d == 3 and rep.n == 4000
    assert rep.max_density_error <= tolerances.DENSITY_INVARIANCE
    assert rep.max_round_trip_error <= tolerances.ROUND_TRIP_BULK
    assert rep.fraction_nonzero == 1.0
    text = rep.summary()
    assert "PASSED" in text and f"≤ {tolerances.DENSITY_INVARIANCE:g}" in text
    assert rep.to_dict()["passed"] is True


def test_verify_is_reproducible_from_its_generator():
    a = im.verify(PRIOR, n=2000, rng=np.random.default_rng(7))
    b = im.verify(PRIOR, n=2000, rng=np.random.default_rng(7))
    assert a == b


def test_verify_validates_its_arguments():
    # n = 0 used to fail inside NumPy
    with pytest.raises(ValueError, match="n must be an integer >= 2; got 0"):
        im.verify(PRIOR, n=0)
    with pytest.raises(TypeError, match="n must be an integer; got 100.0"):
        im.verify(PRIOR, n=100.0)
    with pytest.raises(TypeError, match=r"prior must be a FactorizedPrior \(e.g. .*\); got list"):
        im.verify([stats.norm(), stats.norm()])
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        im.verify(PRIOR, rng=np.random.RandomState(0))
    for alpha in (0.0, 1.0, 2.0, float("nan")):  # alpha=2 used to report a correct map as failing
        with pytest.raises(ValueError, match="alpha must be"):
            im.verify(PRIOR, alpha=alpha)
    with pytest.raises(ValueError, match="either rng or seed"):
        im.verify(PRIOR, rng=np.random.default_rng(0), seed=1)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        im.verify(PRIOR, seed=-1)
    with pytest.raises(ValueError, match="either A or bijection"):
        im.verify(
            PRIOR,
            A=np.eye(3),
            bijection=im.entangling_bijection(PRIOR, rng=np.random.default_rng(0)),
        )


# the examples of issue 11 that a correct map used to fail (FD step leaving the support or too
# coarse near an infinite density, a sampled point rounded onto the endpoint)
ISSUE_PRIORS = [
    [stats.gamma(0.5), stats.gamma(0.5)],
    [stats.beta(0.5, 0.5), stats.norm()],
    [stats.chi2(1), stats.norm()],
    [stats.weibull_min(0.7), stats.norm()],
    [stats.norm(), stats.uniform(0, 0.125)],
    [stats.beta(1, 0.5, 0, 0.25), stats.norm(), stats.logistic()],
    [stats.gamma(0.01), stats.norm()],
]


@pytest.mark.parametrize("marginals", ISSUE_PRIORS, ids=lambda m: repr(im.FactorizedPrior(m)))
def test_verify_passes_the_issue_examples(marginals):
    rep = im.verify(im.FactorizedPrior(marginals), n=4000, seed=0)
    assert rep.verdict == "PASSED", rep.summary()
    assert rep.max_fd_error <= tolerances.JACOBIAN_VS_FD_RELATIVE
    assert "seed = 0" in rep.summary() and "A =" in rep.summary()


def test_verify_names_the_failed_checks_never_the_success_sentence():
    A = im.random_entangling_rotation(3, np.random.default_rng(2))
    bounded = im.FactorizedPrior([stats.laplace(), stats.gamma(3), stats.logistic()])
    rep = im.verify(bounded, n=4000, seed=1, bijection=im.Orthogonal(A))  # rotation, not Gaussian
    assert rep.verdict == "FAILED" and "support" in rep.failed_checks
    prior = im.FactorizedPrior([stats.laplace(), stats.logistic(), stats.laplace()])
    rep = im.verify(prior, n=4000, seed=1, bijection=im.Orthogonal(A))
    assert {"density invariance", "marginal KS"} <= set(rep.failed_checks)
    last = rep.summary().splitlines()[-1]
    assert last.startswith("=> FAILED: ") and "density invariance" in last
    assert "depends on every" not in last
    assert rep.to_dict()["failed_checks"] == rep.failed_checks


def test_parse_marginal_takes_literals_only():
    d = parse_marginal("beta(2, 5)")
    assert d.dist.name == "beta" and d.args == (2, 5)
    assert parse_marginal("laplace(scale=2)").kwds == {"scale": 2}
    assert parse_marginal(" norm ").dist.name == "norm"
    with pytest.raises(ValueError, match="literal numbers"):
        parse_marginal("norm(loc=__import__('os'))")
    with pytest.raises(ValueError, match="not a scipy.stats distribution family"):
        parse_marginal("frobnicate(1)")
    with pytest.raises(ValueError, match="cannot parse marginal"):
        parse_marginal("beta(2, 5")
