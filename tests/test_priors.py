"""FactorizedPrior: construction, validation, densities and sampling."""

import numpy as np
import pytest
from scipy import stats

from impossibility import FactorizedPrior


def test_mixed_prior_log_prob_is_sum_of_marginals():
    marg = [stats.norm(), stats.laplace(scale=2), stats.beta(2, 5)]
    prior = FactorizedPrior(marg)
    z = np.array([[0.3, -1.2, 0.4], [1.0, 3.0, 0.1]])
    expected = sum(m.logpdf(z[:, i]) for i, m in enumerate(marg))
    np.testing.assert_allclose(prior.log_prob(z), expected, rtol=1e-14)
    assert prior.log_prob(z).shape == (2,)
    assert prior.d == 3


def test_iid_and_per_coordinate_functions():
    prior = FactorizedPrior.iid(stats.logistic(), 4)
    assert prior.d == 4 and prior.families == ["logistic"] * 4
    z = np.linspace(-2, 2, 8).reshape(2, 4)
    np.testing.assert_allclose(prior.cdf(z), stats.logistic.cdf(z))
    np.testing.assert_allclose(prior.logcdf(z), stats.logistic.logcdf(z))
    np.testing.assert_allclose(prior.logsf(z), stats.logistic.logsf(z))
    q = prior.cdf(z)
    np.testing.assert_allclose(prior.ppf(q), z, atol=1e-14)
    np.testing.assert_allclose(prior.isf(1 - q), z, atol=1e-13)


def test_sampling_is_reproducible_and_has_right_law():
    prior = FactorizedPrior([stats.gamma(3), stats.uniform(-1, 2)])
    a = prior.sample(5000, np.random.default_rng(7))
    b = prior.sample(5000, np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)
    assert a.shape == (5000, 2)
    # KS at level 1e-10: critical distance √(ln(2/α)/(2n)) ≈ 0.049 for n = 5000
    for i, m in enumerate(prior.marginals):
        assert stats.kstest(a[:, i], m.cdf).pvalue > 1e-10


def test_support_and_median():
    prior = FactorizedPrior([stats.beta(2, 5), stats.expon(loc=1), stats.norm()])
    lo, hi = prior.support
    np.testing.assert_array_equal(lo, [0, 1, -np.inf])
    np.testing.assert_array_equal(hi, [1, np.inf, np.inf])
    np.testing.assert_allclose(prior.median, [stats.beta(2, 5).median(), 1 + np.log(2), 0])


@pytest.mark.parametrize(
    "bad, error, match",
    [
        # a wrong kind of object is a TypeError (scikit-learn's rule) ...
        ([stats.poisson(3), stats.norm()], TypeError, "discrete"),
        ([stats.norm, stats.norm()], TypeError, "unfrozen"),
        ([stats.multivariate_normal(np.zeros(2))], TypeError, "multivariate|joint"),
        ([stats.norm(), "norm"], TypeError, "frozen univariate"),
        # ... a continuous distribution that Theorem 1 cannot use is a ValueError
        ([stats.norm(), stats.vonmises(1.0)], ValueError, "circle"),
        ([], ValueError, "at least one"),
    ],
)
def test_bad_marginals_are_refused(bad, error, match):
    with pytest.raises(error, match=match):
        FactorizedPrior(bad)


def test_a_single_distribution_is_not_a_sequence():
    with pytest.raises(TypeError, match="sequence"):
        FactorizedPrior(stats.norm())


def test_iid_dimension_is_checked():
    with pytest.raises(TypeError, match="d must be an integer; got 2.5"):
        FactorizedPrior.iid(stats.norm(), 2.5)
    with pytest.raises(ValueError, match="d must be an integer >= 1; got 0"):
        FactorizedPrior.iid(stats.norm(), 0)
    assert FactorizedPrior.iid(stats.norm(), np.int64(3)).d == 3


def test_check_points_errors():
    prior = FactorizedPrior([stats.beta(2, 5), stats.norm()])
    with pytest.raises(ValueError, match="outside the open support"):
        prior.check_points([[1.0, 0.0]])
    with pytest.raises(ValueError, match="outside the open support"):
        prior.check_points([[-0.1, 0.0]])
    with pytest.raises(ValueError, match="non-finite"):
        prior.check_points([[0.5, np.nan]])
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        prior.check_points(np.zeros((3, 3)))
    np.testing.assert_array_equal(prior.check_points([0.5, 0.1]), [[0.5, 0.1]])


def test_sample_needs_a_generator():
    prior = FactorizedPrior.iid(stats.norm(), 2)
    with pytest.raises(TypeError, match="Generator"):
        prior.sample(3, 0)
    with pytest.raises(ValueError, match="integer >= 0"):
        prior.sample(-1, np.random.default_rng(0))
    with pytest.raises(TypeError, match="n must be an integer; got 3.0"):
        prior.sample(3.0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="probabilities"):
        prior.ppf([[0.5, 1.5]])


def test_check_factorized_prior_is_a_type_check():
    prior = FactorizedPrior.iid(stats.norm(), 2)
    from impossibility.priors import check_factorized_prior

    assert check_factorized_prior(prior) is prior
    with pytest.raises(TypeError, match=r"base must be a FactorizedPrior .*; got list"):
        check_factorized_prior([stats.norm()], "base")
