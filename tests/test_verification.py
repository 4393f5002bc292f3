"""verify(): one call that builds Theorem 1's map for a prior and checks it every way."""

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility import tolerances
from impossibility.verification import parse_marginal

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
    with pytest.raises(ValueError, match="n must be an integer >= 1; got 0"):
        im.verify(PRIOR, n=0)
    with pytest.raises(TypeError, match="n must be an integer; got 100.0"):
        im.verify(PRIOR, n=100.0)
    with pytest.raises(TypeError, match=r"prior must be a FactorizedPrior \(e.g. .*\); got list"):
        im.verify([stats.norm(), stats.norm()])
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        im.verify(PRIOR, rng=np.random.RandomState(0))
    with pytest.raises(ValueError, match="alpha must be > 0.0 and <= 1.0"):
        im.verify(PRIOR, alpha=0.0)


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
