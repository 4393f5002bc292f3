"""The closed-form kernels of G against 40-digit mpmath, against SciPy's generic route, and mixed.

References: for each family the CDF, survival function and both tail quantiles in mpmath, and
Φ⁻¹ by Newton's method on mpmath's ``ncdf`` (lower tail) or its mirror (upper tail), so neither
side ever forms 1 − q. Points: normal scores y from −35 to 35 (tail probabilities down to 1e-268)
and |y| down to 1e-9 at the median, where only the bulk formulas keep relative accuracy.
"""

import mpmath as mp
import numpy as np
import pytest
from scipy import special, stats

import impossibility as im
from impossibility.bijections._fast_paths import FAST_PATHS
from impossibility.families import FAMILY_EXAMPLES

mp.mp.dps = 40
FAMILIES = ["norm", *FAST_PATHS]
YS = [-35.0, -20.0, -8.3, -3.0, -1.0, -0.6745, -0.674, -0.3, -1e-5, -1e-9]
YS = YS + [-y for y in reversed(YS)]

# standardised (cdf, sf, lower quantile, upper quantile) in mpmath; q is the tail probability
_MP = {
    "norm": (mp.ncdf, lambda x: mp.ncdf(-x), None, None),
    "laplace": (
        lambda x: mp.exp(x) / 2 if x < 0 else 1 - mp.exp(-x) / 2,
        lambda x: mp.exp(-x) / 2 if x > 0 else 1 - mp.exp(x) / 2,
        lambda q: mp.log(2 * q),
        lambda q: -mp.log(2 * q),
    ),
    "logistic": (
        lambda x: 1 / (1 + mp.exp(-x)),
        lambda x: 1 / (1 + mp.exp(x)),
        lambda q: mp.log(q / (1 - q)),
        lambda q: mp.log((1 - q) / q),
    ),
    "cauchy": (
        lambda x: mp.atan2(1, -x) / mp.pi,
        lambda x: mp.atan2(1, x) / mp.pi,
        lambda q: -1 / mp.tan(mp.pi * q),
        lambda q: 1 / mp.tan(mp.pi * q),
    ),
    "uniform": (lambda x: x, lambda x: 1 - x, lambda q: q, lambda q: 1 - q),
    "expon": (
        lambda x: -mp.expm1(-x),
        lambda x: mp.exp(-x),
        lambda q: -mp.log1p(-q),
        lambda q: -mp.log(q),
    ),
}
_LOGPDF = {
    "norm": lambda x: -x * x / 2 - mp.log(2 * mp.pi) / 2,
    "laplace": lambda x: -abs(x) - mp.log(2),
    "logistic": lambda x: -x - 2 * mp.log1p(mp.exp(-x)),
    "cauchy": lambda x: -mp.log(mp.pi) - mp.log1p(x * x),
    "uniform": lambda x: mp.mpf(0),
    "expon": lambda x: -x,
}


def _loc_scale(dist):
    _, loc, scale = dist.dist._parse_args(*dist.args, **dist.kwds)
    return mp.mpf(float(loc)), mp.mpf(float(scale))


def _phi_inv(q, lower):
    """t with Φ(t) = q (lower) or Φ(−t) = q (upper), by Newton from a float guess."""
    guess = float(special.ndtri_exp(float(mp.log(q))))
    f = (lambda t: mp.ncdf(t) - q) if lower else (lambda t: mp.ncdf(-t) - q)
    t = mp.findroot(f, guess if lower else -guess, tol=mp.mpf(10) ** -35)
    return t


def mp_forward(fam, dist, u):
    """(Φ⁻¹(F(u)), log p(u) − log φ(y)) at the float u, in 40 digits."""
    loc, scale = _loc_scale(dist)
    x = (mp.mpf(u) - loc) / scale
    cdf, sf, _, _ = _MP[fam]
    lower = cdf(x) <= mp.mpf(1) / 2
    y = _phi_inv(cdf(x) if lower else sf(x), lower)
    return y, _LOGPDF[fam](x) - mp.log(scale) + y * y / 2 + mp.log(2 * mp.pi) / 2


def mp_inverse(fam, dist, y):
    loc, scale = _loc_scale(dist)
    q = mp.ncdf(-abs(mp.mpf(y)))
    if fam == "norm":
        x = mp.mpf(y)
    else:
        x = _MP[fam][2](q) if y < 0 else _MP[fam][3](q)
    return loc + scale * x


def _ys(fam):
    if fam == "uniform":  # uniform(−1, 3): ulp(−1), ulp(2) end both tails near 8σ
        return [y for y in YS if abs(y) < 8.0]
    return YS


@pytest.mark.parametrize("fam", FAMILIES)
def test_inverse_against_mpmath_deep_tails_and_median(fam):
    """G⁻¹(y) to 1e-12 relative for |y| from 1e-9 to 35 (tail probabilities to 1e-268)."""
    dist = FAMILY_EXAMPLES[fam]
    G = im.Gaussianize(im.FactorizedPrior([dist, stats.gamma(2.0)]))
    med = float(dist.median())
    for y in _ys(fam):
        u = G.inverse([[y, 1.0]])[0, 0]
        ref = mp_inverse(fam, dist, y)
        # relative to the distance from the median where that is what float64 resolves
        scale = max(abs(float(ref)), 1e-300)
        assert abs(u - float(ref)) <= 1e-12 * scale, (fam, y, u, ref)
        assert np.sign(u - med) == np.sign(y) or abs(u - med) <= 1e-15 * max(1, abs(med))


@pytest.mark.parametrize("fam", FAMILIES)
def test_forward_and_log_det_against_mpmath(fam):
    """G(u) to 1e-12 relative (also |y| ≈ 1e-9 near the median) and log G′ to 1e-12."""
    dist = FAMILY_EXAMPLES[fam]
    G = im.Gaussianize(im.FactorizedPrior([dist, stats.gamma(2.0)]))
    for y0 in _ys(fam):
        u = float(mp_inverse(fam, dist, y0))  # a float point with a known deep-tail score
        if not (dist.support()[0] < u < dist.support()[1]):
            continue
        yr, ldr = mp_forward(fam, dist, u)
        y, ld = G._forward_and_log_diag(np.array([[u, 1.0]]))
        # uniform(−1, 3): (u + 1)/3 rounds, an absolute 1e-16 in x (all other examples divide
        # by a power of 2, exactly)
        tol = 1e-12 * abs(float(yr)) + (1e-15 if fam == "uniform" else 0.0)
        assert abs(y[0, 0] - float(yr)) <= tol, (fam, u, y[0, 0], yr)
        assert abs(ld[0, 0] - float(ldr)) <= 1e-12 * max(1.0, abs(float(ldr))), (fam, u)


@pytest.mark.parametrize("fam", [f for f in FAMILIES if f != "norm"])
def test_extreme_quantiles_of_each_family(fam):
    """The family's 1e-300 / 1 − 1e-16 quantiles (beyond SciPy's ppf range for some) map back."""
    dist = FAMILY_EXAMPLES[fam]
    G = im.Gaussianize(im.FactorizedPrior([dist, stats.norm()]))
    loc, scale = _loc_scale(dist)
    qs = [mp.mpf("1e-300"), mp.mpf("1e-16"), mp.mpf("0.25")]
    for q in qs:
        for lower in (True, False):
            if fam == "uniform" and q < 1e-15:
                continue  # −1 + 3e-16 and 2 − 3e-16 round to the endpoints
            x = _MP[fam][2 if lower else 3](q)
            u = float(loc + scale * x)
            yr, _ = mp_forward(fam, dist, u)
            y = G.forward([[u, 0.0]])[0, 0]
            assert abs(y - float(yr)) <= 1e-12 * abs(float(yr)), (fam, q, lower, y, yr)


@pytest.mark.parametrize("fam", FAMILIES)
def test_fast_path_equals_scipy_generic_route_where_it_is_accurate(fam):
    """On quantiles 1e-10 … 1 − 1e-10 SciPy's log-tails are accurate: both routes agree."""
    dist = FAMILY_EXAMPLES[fam]
    G = im.Gaussianize(im.FactorizedPrior([dist, stats.norm()]))
    q = np.concatenate([np.geomspace(1e-10, 0.5, 200), 1 - np.geomspace(1e-10, 0.5, 200)[:-1]])
    u = dist.ppf(q)
    low = u <= dist.median()
    y_gen = np.where(low, special.ndtri_exp(dist.logcdf(u)), -special.ndtri_exp(dist.logsf(u)))
    x = np.column_stack([u, np.zeros_like(u)])
    y, ld = G._forward_and_log_diag(x)
    np.testing.assert_allclose(y[:, 0], y_gen, rtol=1e-12, atol=1e-14)
    ld_gen = dist.logpdf(u) + 0.5 * y_gen**2 + 0.5 * np.log(2 * np.pi)
    np.testing.assert_allclose(ld[:, 0], ld_gen, rtol=1e-12, atol=1e-12)
    tail = special.ndtr(-np.abs(y_gen))
    u_gen = np.where(y_gen <= 0, dist.ppf(tail), dist.isf(tail))
    np.testing.assert_allclose(G.inverse(y)[:, 0], u_gen, rtol=1e-11, atol=1e-14)


def test_mixed_prior_groups_match_one_family_at_a_time():
    """Columns grouped by family (interleaved, with generic ones) give each family's own G."""
    fams = ["laplace", "gamma", "logistic", "norm", "laplace", "expon", "beta", "cauchy"]
    fams += ["uniform", "logistic", "norm"]
    dists = [FAMILY_EXAMPLES[f] for f in fams]
    prior = im.FactorizedPrior(dists)
    G = im.Gaussianize(prior)
    z = prior.sample(500, np.random.default_rng(3))
    y, ld = G.forward_and_log_det(z)
    yd, ldd = G._forward_and_log_diag(z)
    np.testing.assert_array_equal(G.forward(z), y)
    np.testing.assert_allclose(ldd.sum(axis=1), ld, rtol=1e-13, atol=1e-12)
    for i, d in enumerate(dists):
        gi = im.Gaussianize(im.FactorizedPrior([d, stats.norm()]))
        yi, ldi = gi._forward_and_log_diag(np.column_stack([z[:, i], np.zeros(len(z))]))
        np.testing.assert_array_equal(yd[:, i], yi[:, 0])
        np.testing.assert_allclose(ldd[:, i], ldi[:, 0], rtol=1e-15, atol=1e-15)
    back, ldb = G.inverse_and_log_det(y)
    np.testing.assert_allclose(back, z, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(ldb, -ld, rtol=1e-12, atol=1e-11)
    np.testing.assert_array_equal(G.inverse(y), back)


def test_forward_without_log_det_equals_primitive_and_checks_output():
    prior = im.FactorizedPrior.standard_normal(3)
    f = im.entangling_bijection(prior, im.householder_rotation(3, 0.3))
    z = np.random.default_rng(0).standard_normal((50, 3))
    np.testing.assert_array_equal(f.forward(z), f.forward_and_log_det(z)[0])
    with pytest.raises(ValueError, match="non-finite"):
        f.forward(np.array([[0.0, np.nan, 1.0]]))
    big = np.array([[1e160, -1e160, 2e160]])  # Σx² overflows: checked entry by entry instead
    np.testing.assert_array_equal(f.forward(big), big @ f.A.T)
    with pytest.raises(ValueError, match="non-finite"):
        f.forward(np.array([[1e160, np.inf, 1.0]]))
