r"""Invariance on samples: :math:`f(z)\sim p` tested per coordinate, by projections and jointly.

Per-coordinate Kolmogorov–Smirnov tests against the marginal CDFs; a joint test of random 1-D
projections of :math:`G(f(z))` (by Cramér–Wold every projection of :math:`\mathcal N(0,I)` is
:math:`\mathcal N(0,1)`), Bonferroni-combined so that it is valid at any level; and a two-sample
energy-distance test with a permutation p-value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from .._typing import Array
from .._validation import as_array, as_points, check_int, check_rng
from ..bijections import Bijector, Gaussianize
from ..priors import FactorizedPrior

__all__ = [
    "TestResult",
    "marginal_ks_tests",
    "projection_ks_test",
    "energy_distance",
    "energy_test",
]


@dataclass(frozen=True)
class TestResult:
    """A test statistic and its p-value (``detail`` holds per-component values where relevant)."""

    __test__ = False  # not a pytest test class

    statistic: float
    pvalue: float
    detail: Array | None = None


def marginal_ks_tests(samples: ArrayLike, prior: FactorizedPrior) -> list[TestResult]:
    r"""Kolmogorov–Smirnov test of each coordinate of ``samples`` against the prior's marginal CDF.

    Under :math:`H_0` (the coordinate has law :math:`p_i`) :math:`P(D_n>t)\approx2e^{-2nt^2}`; SciPy
    computes the exact p-value, so levels as small as 1e-8 are meaningful.
    """
    x = as_points(samples, prior.d, name="samples")
    if x.shape[0] == 0:
        raise ValueError("samples must hold at least one point; got shape (0, d)")
    out = []
    for i, m in enumerate(prior.marginals):
        r = stats.kstest(x[:, i], m.cdf)
        out.append(TestResult(float(r.statistic), float(r.pvalue)))
    return out


def projection_ks_test(
    samples: ArrayLike, prior: FactorizedPrior, rng: np.random.Generator, *, n_directions: int = 32
) -> TestResult:
    r"""Joint test of :math:`x\sim p` through random projections of :math:`G(x)`.

    :math:`x\sim p` iff :math:`G(x)\sim\mathcal N(0,I)`, iff (Cramér–Wold)
    :math:`w^\top G(x)\sim\mathcal N(0,1)`
    for every unit vector w. The test draws ``n_directions`` directions from ``rng`` (independent of
    the map being tested), runs an exact KS test on each projection and returns the Bonferroni
    p-value :math:`\min(1, K\min_k p_k)`, valid at any level. It detects dependence between
    coordinates that leaves every marginal intact (e.g. a Gaussian copula with correlation).
    """
    check_rng(rng)
    n_directions = check_int(n_directions, "n_directions", minimum=1)
    x = prior.check_points(samples, name="samples")
    y = Gaussianize(prior).forward(x)
    W = rng.standard_normal((n_directions, prior.d))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    proj = y @ W.T
    res = [stats.kstest(proj[:, k], special.ndtr) for k in range(n_directions)]
    stat = np.array([r.statistic for r in res])
    pv = np.array([r.pvalue for r in res])
    return TestResult(float(stat.max()), float(min(1.0, n_directions * pv.min())), detail=pv)


def _pairwise_distances(z: Array) -> Array:
    sq = np.einsum("ij,ij->i", z, z)
    d2 = sq[:, None] + sq[None, :] - 2.0 * (z @ z.T)
    return np.sqrt(np.maximum(d2, 0.0))


def _sample(x: ArrayLike, name: str) -> Array:
    """A finite sample (n, d) with n ≥ 1; one row (d,) becomes (1, d), as before."""
    arr = np.atleast_2d(as_array(x, name))
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise ValueError(f"{name} must be a sample of shape (n, d) with n ≥ 1; got {arr.shape}")
    return arr


def energy_distance(x: ArrayLike, y: ArrayLike) -> float:
    r"""Multivariate energy distance (V-statistic).

    .. math:: 2\mathbb E\lVert X-Y\rVert-\mathbb E\lVert X-X'\rVert-\mathbb E\lVert Y-Y'\rVert

    Zero iff the two laws are equal (for laws with finite first moments).
    ``scipy.stats.energy_distance`` is one-dimensional only, hence this implementation.
    """
    x, y = _sample(x, "x"), _sample(y, "y")
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            f"x and y must have the same number of columns; got {x.shape} and {y.shape}"
        )
    D = _pairwise_distances(np.vstack([x, y]))
    n = x.shape[0]
    return float(2 * D[:n, n:].mean() - D[:n, :n].mean() - D[n:, n:].mean())


def energy_test(
    x: ArrayLike,
    y: ArrayLike,
    rng: np.random.Generator,
    *,
    n_resamples: int = 999,
    transform: Bijector | None = None,
) -> TestResult:
    r"""Two-sample energy-distance test with a permutation p-value.

    The pooled distance matrix is computed once; each permutation's statistic is
    :math:`2\bar D_{XY}-\bar D_{XX}-\bar D_{YY}` from label vectors, batched as matrix products. The
    p-value :math:`(1+\#\{T^*\ge T\})/(1+B)` is exact for exchangeable samples but cannot go below
    :math:`1/(B+1)`. ``transform`` (e.g. the prior's :class:`Gaussianize`) can be applied to both
    samples first, which keeps heavy-tailed laws within finite moments.
    """
    check_rng(rng)
    n_resamples = check_int(n_resamples, "n_resamples", minimum=1)
    x, y = _sample(x, "x"), _sample(y, "y")
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            f"x and y must have the same number of columns; got {x.shape} and {y.shape}"
        )
    if transform is not None:
        x, y = transform.forward(x), transform.forward(y)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("transform(x) or transform(y) contains NaN or inf")
    D = _pairwise_distances(np.vstack([x, y]))
    n, m = x.shape[0], y.shape[0]
    N = n + m
    total = D.sum()

    def stat(L: Array) -> Array:  # L: (B, N) label vectors, 1 for the x-group
        DL = L @ D  # (B, N)
        s_xx = np.einsum("bi,bi->b", DL, L)
        s_xy = np.einsum("bi,bi->b", DL, 1.0 - L)
        s_yy = total - 2 * s_xy - s_xx
        return 2 * s_xy / (n * m) - s_xx / n**2 - s_yy / m**2

    base = np.zeros((1, N))
    base[0, :n] = 1.0
    t0 = float(stat(base)[0])
    count = 0
    for start in range(0, n_resamples, 100):
        b = min(100, n_resamples - start)
        L = np.zeros((b, N))
        idx = np.argsort(rng.random((b, N)), axis=1)[:, :n]
        np.put_along_axis(L, idx, 1.0, axis=1)
        count += int(np.sum(stat(L) >= t0 - 1e-12 * abs(t0)))
    return TestResult(t0, (1 + count) / (1 + n_resamples))
