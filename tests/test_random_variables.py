"""SciPy's random-variable objects as marginals: recognised, wrapped, refused, and tail-accurate.

References: 40-digit mpmath CDFs, with Φ⁻¹ by Newton's method on mpmath's ``ncdf``, so neither
side ever forms 1 − q; the frozen ``rv_continuous`` twin of each recognised object.
"""

import mpmath as mp
import numpy as np
import pytest
from scipy import special, stats

import impossibility as im
from impossibility._random_variables import RandomVariableMarginal

mp.mp.dps = 40
LaplaceRV = stats.make_distribution(stats.laplace)
GammaRV = stats.make_distribution(stats.gamma)


def _phi_inv(q, lower=True):
    """t with Φ(t) = q (or Φ(−t) = q for the upper tail), Newton from ndtri_exp."""
    guess = float(special.ndtri_exp(float(mp.log(q))))
    f = (lambda t: mp.ncdf(t) - q) if lower else (lambda t: mp.ncdf(-t) - q)
    return mp.findroot(f, guess if lower else -guess, tol=mp.mpf(10) ** -35)


@pytest.mark.parametrize(
    "rv, frozen",
    [
        (stats.Normal(mu=1.0, sigma=2.0), stats.norm(1.0, 2.0)),
        (stats.Normal(), stats.norm()),
        (stats.Uniform(a=-1.0, b=2.0), stats.uniform(-1.0, 3.0)),
        (stats.Logistic(), stats.logistic()),
        (LaplaceRV(), stats.laplace()),
        (2.0 * LaplaceRV() + 1.0, stats.laplace(1.0, 2.0)),
        (stats.make_distribution(stats.cauchy)(), stats.cauchy()),
        (0.5 * stats.make_distribution(stats.expon)() - 1.0, stats.expon(-1.0, 0.5)),
    ],
)
def test_closed_form_families_become_their_frozen_twin(rv, frozen):
    prior = im.FactorizedPrior([rv, stats.gamma(2.0)])
    assert repr(prior) == repr(im.FactorizedPrior([frozen, stats.gamma(2.0)]))
    G = im.Gaussianize(prior)
    assert G._routes[0][0] in ("normal", frozen.dist.name)  # the package's closed form
    x = frozen.ppf(np.linspace(0.01, 0.99, 25))
    np.testing.assert_allclose(rv.logpdf(x), frozen.logpdf(x), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(rv.logcdf(x), frozen.logcdf(x), rtol=1e-12, atol=1e-13)


def test_laplace_tail_that_scipy_loses_is_exact():
    """make_distribution(stats.laplace)().logcdf(−800) is NaN; G(−800) matches mpmath to 1e-12."""
    rv = LaplaceRV()
    with np.errstate(all="ignore"):
        assert np.isnan(rv.logcdf(-800.0))
    G = im.Gaussianize(im.FactorizedPrior([rv, 2.0 * rv + 1.0]))
    y = G.forward([[-800.0, 1.0 + 2.0 * 800.0]])[0]
    ref = float(_phi_inv(mp.exp(-800) / 2))
    np.testing.assert_allclose(y, [ref, -ref], rtol=1e-12)
    np.testing.assert_allclose(G.inverse(y[None]), [[-800.0, 1601.0]], rtol=1e-13)


def _gamma_cdf(x):
    return mp.gammainc(3, 0, x, regularized=True)


def _gamma_sf(x):
    return mp.gammainc(3, x, mp.inf, regularized=True)


def _mix_cdf(x):
    return (mp.ncdf(x) + mp.ncdf(x - 2)) / 2


def _mix_sf(x):
    return (mp.ncdf(-x) + mp.ncdf(2 - x)) / 2


@pytest.mark.parametrize(
    "rv, cdf, sf",
    [
        (GammaRV(a=3.0), _gamma_cdf, _gamma_sf),
        (
            stats.Mixture([stats.Normal(), stats.Normal(mu=2.0)], weights=[0.5, 0.5]),
            _mix_cdf,
            _mix_sf,
        ),
    ],
    ids=["make_distribution(gamma)", "Mixture"],
)
def test_generic_random_variables_tails_against_mpmath(rv, cdf, sf):
    """Wrapped objects take SciPy's log-tails: G at the 1e-12 quantiles to 1e-12 relative."""
    prior = im.FactorizedPrior([rv, stats.norm()])
    assert isinstance(prior.marginals[0], RandomVariableMarginal)
    G = im.Gaussianize(prior)
    assert G._routes[0][0] == "generic"
    for q in (1e-12, 1e-6, 0.3, 0.7, 1 - 1e-6, 1 - 1e-12):
        u = float(rv.icdf(q)) if q < 0.5 else float(rv.iccdf(1 - q))
        lower = q < 0.5
        ref = float(_phi_inv(cdf(mp.mpf(u)) if lower else sf(mp.mpf(u)), lower))
        y = G.forward([[u, 0.0]])[0, 0]
        assert abs(y - ref) <= 1e-12 * abs(ref), (q, y, ref)
        back = G.inverse([[y, 0.0]])[0, 0]
        assert abs(back - u) <= 1e-8 * max(1.0, abs(u)), (q, back, u)


def test_wrapper_speaks_the_frozen_interface():
    rv = GammaRV(a=3.0)
    m = im.FactorizedPrior([rv, stats.norm()]).marginals[0]
    ref = stats.gamma(3.0)
    x = np.array([0.5, 2.0, 9.0])
    for ours, theirs in [("logsf", "logsf"), ("logcdf", "logcdf"), ("cdf", "cdf"), ("sf", "sf")]:
        np.testing.assert_allclose(getattr(m, ours)(x), getattr(ref, theirs)(x), rtol=1e-12)
    np.testing.assert_allclose(m.ppf([0.1, 0.9]), ref.ppf([0.1, 0.9]), rtol=1e-12)
    np.testing.assert_allclose(m.isf([0.1, 1e-9]), ref.isf([0.1, 1e-9]), rtol=1e-12)
    assert m.support() == (0.0, np.inf) and m.median() == pytest.approx(ref.median(), rel=1e-12)
    assert m.rvs(size=5, random_state=np.random.default_rng(0)).shape == (5,)
    # different parameters, different priors
    assert im.FactorizedPrior([GammaRV(a=2.0), stats.norm()]) != im.FactorizedPrior(
        [rv, stats.norm()]
    )


def test_verify_passes_for_a_prior_of_random_variables():
    prior = im.FactorizedPrior(
        [
            stats.Normal(mu=1.0, sigma=2.0),
            2.0 * LaplaceRV() + 1.0,
            GammaRV(a=3.0),
            stats.Mixture([stats.Normal(), stats.Normal(mu=2.0)], weights=[0.5, 0.5]),
        ]
    )
    report = im.verify(prior, n=2000, seed=0)
    assert report.passed, report.summary()


class _Partial:
    def icdf(self, q):
        return q

    def logccdf(self, x):
        return x


@pytest.mark.parametrize(
    "bad, match",
    [
        (_Partial(), r"marginal 0 \(_Partial\).*no \.logpdf\(\)"),
        (stats.Normal(mu=[0.0, 1.0]), r"marginal 0 \(Normal\).*shape \(2,\)"),
        (stats.Binomial(n=3, p=0.5), r"marginal 0 \(Binomial\) is discrete"),
    ],
)
def test_bad_random_variables_are_type_errors_naming_the_marginal(bad, match):
    with pytest.raises(TypeError, match=match):
        im.FactorizedPrior([bad, stats.norm()])
