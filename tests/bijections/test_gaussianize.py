"""Gaussianize deep in the tails: finite at the 1e-12 quantiles, round trip ≤ 1e-8, vs mpmath.

Independent reference: mpmath at 50 digits for Φ⁻¹(F(u)) of families with closed-form CDFs.
"""

import mpmath as mp
import numpy as np
import pytest
from scipy import special, stats

import impossibility as im
from impossibility.testing import FAMILIES, FAMILY_EXAMPLES


def _mp_reference(family: str, u: float) -> float:
    mp.mp.dps = 50
    x = mp.mpf(u)
    cdf = {
        "norm": lambda x: mp.ncdf((x - mp.mpf(0.5)) / 2),
        "laplace": lambda x: mp.exp(x / 2) / 2 if x < 0 else 1 - mp.exp(-x / 2) / 2,
        "logistic": lambda x: 1 / (1 + mp.exp(-(x - 1) / mp.mpf(0.5))),
        "cauchy": lambda x: mp.mpf(1) / 2 + mp.atan(x) / mp.pi,
        "expon": lambda x: -mp.expm1(-x),
    }[family](x)
    return float(mp.sqrt(2) * mp.erfinv(2 * cdf - 1))


def test_every_strategy_family_has_a_representative():
    assert set(FAMILY_EXAMPLES) == set(FAMILIES)


@pytest.mark.parametrize("family", sorted(FAMILY_EXAMPLES))
@pytest.mark.parametrize("q", [1e-12, 1e-6, 0.3, 0.5 + 1e-9, 1 - 1e-6, 1 - 1e-12])
def test_gaussianize_round_trip_at_quantiles(family, q):
    dist = FAMILY_EXAMPLES[family]
    prior = im.FactorizedPrior([dist, stats.norm()])
    u = dist.ppf(q) if q < 0.5 else dist.isf(1 - q)
    G = im.Gaussianize(prior)
    y = G.forward([[u, 0.0]])
    assert np.all(np.isfinite(y))
    # G(u) is the normal quantile of q (of the tail probability actually stored: 1 − q in float64)
    ref = special.ndtri(q) if q < 0.5 else -special.ndtri(1 - q)
    assert abs(y[0, 0] - ref) <= 1e-6 * max(1.0, abs(ref))
    back = G.inverse(y)[0, 0]
    assert abs(back - u) <= 1e-8 * max(1.0, abs(u))


@pytest.mark.parametrize("family", ["norm", "laplace", "logistic", "cauchy", "expon"])
def test_gaussianize_against_mpmath(family):
    """G(u) to ≤ 1e-13 relative against 50-digit arithmetic, from 1e-12 to 1−1e-12 and at 30σ."""
    dist = FAMILY_EXAMPLES[family]
    prior = im.FactorizedPrior([dist, stats.norm()])
    qs = [1e-12, 1e-6, 0.3, 0.5 + 1e-9, 0.7, 1 - 1e-6, 1 - 1e-12]
    us = [dist.ppf(q) if q < 0.5 else dist.isf(1 - q) for q in qs]
    if family in ("laplace", "logistic", "expon"):
        us.append(float(dist.isf(1e-200)))  # |y| ≈ 30: the naive ndtri(cdf) is inf here
    G = im.Gaussianize(prior)
    for u in us:
        y = G.forward([[u, 0.0]])[0, 0]
        ref = _mp_reference(family, u)
        assert abs(y - ref) <= 1e-13 * max(1.0, abs(ref)) + 1e-15, (family, u, y, ref)


def test_naive_formula_saturates_where_stable_one_does_not():
    """The reason for log space: ndtri(ndtr(x)) is inf from x ≈ 8.3; ours returns x exactly."""
    prior = im.FactorizedPrior([stats.logistic(), stats.laplace()])
    G = im.Gaussianize(prior)
    u = np.array([[40.0, 300.0]])
    naive = special.ndtri(stats.logistic.cdf(40.0))
    assert np.isinf(naive)
    y = G.forward(u)
    assert np.all(np.isfinite(y)) and np.all(y > 8)
    np.testing.assert_allclose(G.inverse(y), u, rtol=1e-13)


def test_upper_edge_of_bounded_support_with_positive_density_is_refused():
    """uniform: ulp(b) limits G to ≈ 8.2σ at the upper edge; beyond, G⁻¹ rounds to b and raises."""
    prior = im.FactorizedPrior([stats.uniform(), stats.norm()])
    G = im.Gaussianize(prior)
    # the largest double below 1 maps to Φ⁻¹(1 − 2⁻⁵³) ≈ 8.21
    y = G.forward([[np.nextafter(1.0, 0.0), 0.0]])[0, 0]
    assert y == pytest.approx(8.2095, abs=1e-3)
    with pytest.raises(ValueError, match="endpoint of the support"):
        G.inverse([[9.0, 0.0]])
    # the lower edge is resolved far deeper (subnormals): Φ⁻¹(1e-300) ≈ −37
    assert G.inverse([[-37.0, 0.0]])[0, 0] > 0
    # a density vanishing at the edge keeps working (beta(2, 5) at 9σ)
    prior_b = im.FactorizedPrior([stats.beta(2, 5), stats.norm()])
    Gb = im.Gaussianize(prior_b)
    ub = Gb.inverse([[9.0, 0.0]])
    np.testing.assert_allclose(Gb.forward(ub)[0, 0], 9.0, rtol=1e-13)


def test_generic_family_beyond_underflow_raises_clearly():
    prior = im.FactorizedPrior([stats.gamma(3.0), stats.norm()])
    with pytest.raises(ValueError, match="underflows"):
        im.Gaussianize(prior).inverse([[-40.0, 0.0]])


def test_no_rows_map_to_no_rows_on_a_bounded_support():
    # a check whose points were all excluded hands the map zero rows: no reduction may fail
    prior = im.FactorizedPrior([stats.gamma(0.5), stats.beta(2, 3)])
    empty = np.empty((0, 2))
    y, log_det = im.Gaussianize(prior).forward_and_log_det(empty)
    assert y.shape == (0, 2) and log_det.shape == (0,)
    f = im.entangling_bijection(prior, rng=np.random.default_rng(0))
    assert f.forward(empty).shape == (0, 2) and f.inverse(empty).shape == (0, 2)
