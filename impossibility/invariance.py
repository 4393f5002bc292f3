r"""Checks that a map preserves a prior and entangles every coordinate, reusable on any bijector.

Three independent kinds of evidence, each a function here:

* **exact density invariance** — :func:`density_invariance_error`:
  :math:`\max_u|\log p(f(u))+\log|\det J_f(u)|-\log p(u)|` with the bijector's *own* log-det
  (computed by the chain rule, not by this identity);
* **invariance on samples** — :func:`marginal_ks_tests` (per-coordinate Kolmogorov–Smirnov tests
  of :math:`f(z)` against the marginal CDFs), :func:`projection_ks_test` (a joint test with an
  exact small-α calibration: Kolmogorov–Smirnov tests of random 1-D projections of the
  Gaussianized sample, Bonferroni-combined — by Cramér–Wold every projection of
  :math:`\mathcal N(0,I)` is :math:`\mathcal N(0,1)`), and :func:`energy_test` (multivariate energy
  distance of :math:`f(z)` against fresh draws, permutation p-value);
* **entanglement** — :func:`entanglement_report`: the smallest :math:`|\partial f_i/\partial u_j|`
  over points, the fraction of nonzero entries, and the largest disagreement between the analytic
  Jacobian and central finite differences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from .bijections import Bijector
from .gaussianize import Gaussianize
from .priors import FactorizedPrior, as_points

__all__ = [
    "gaussian_resolution",
    "density_invariance_error",
    "finite_difference_jacobian",
    "EntanglementReport",
    "entanglement_report",
    "marginal_ks_tests",
    "projection_ks_test",
    "energy_distance",
    "energy_test",
    "TestResult",
]

Array = NDArray[np.float64]


def density_invariance_error(f: Bijector, prior: FactorizedPrior, u: ArrayLike) -> Array:
    r"""Per-point error :math:`|\log p(f(u))+\log|\det J_f(u)|-\log p(u)|`, shape (n,).

    Zero (up to rounding) for every u in the support iff f preserves p (change of variables).
    """
    u = prior.check_points(u, name="u")
    v, ldj = f.forward_and_log_det(u)
    return np.abs(prior.log_prob(v) + ldj - prior.log_prob(u))


def gaussian_resolution(prior: FactorizedPrior, u: ArrayLike) -> Array:
    r"""How finely float64 resolves the points ``u`` in Gaussian space: :math:`\max_i G_i'(u_i)\,\mathrm{ulp}(u_i)`, shape (n,).

    Storing :math:`u_i` in float64 moves it by up to one ulp, hence moves :math:`G_i(u_i)` by about
    :math:`G_i'(u_i)\,\mathrm{ulp}(u_i)`. Away from finite endpoints this is ~1e-16; next to an
    endpoint that is far from zero (``gamma(0.5, loc=2)`` at :math:`u=2+10^{-12}`, say) it grows to
    1e-5 and more, and no algorithm can invert f there to 1e-12: the image is not representable.
    The accuracy figures of the package hold where this resolution is at most 1e-13.
    """
    u = prior.check_points(u, name="u")
    _, log_diag = Gaussianize(prior)._forward_and_log_diag(u)
    return np.max(np.exp(log_diag) * np.spacing(np.abs(u)), axis=1)


def finite_difference_jacobian(
    f: Bijector, u: ArrayLike, *, rel_step: float = 1e-6, scale: ArrayLike | None = None
) -> Array:
    r"""Central-difference Jacobian :math:`(f(u+he_j)-f(u-he_j))/(2h)`, shape (n, d, d).

    The step is :math:`h_j=` ``rel_step`` :math:`\cdot s_j` with the coordinate's ``scale``
    :math:`s_j` (e.g. the marginal's standard deviation), or :math:`\max(|u_j|,1)` when no scale is
    given, so truncation (:math:`O(h^2)`) and rounding (:math:`O(\varepsilon/h)`) errors are both
    about 1e-10 relative for smooth maps. Keep points at least :math:`10^3h` away from finite
    support endpoints.
    """
    u = as_points(u, f.d, name="u")
    if scale is None:
        h = rel_step * np.maximum(np.abs(u), 1.0)
    else:
        h = rel_step * np.broadcast_to(np.asarray(scale, dtype=float), u.shape)
    jac = np.empty((u.shape[0], f.d, f.d))
    for j in range(f.d):
        e = np.zeros_like(u)
        e[:, j] = h[:, j]
        jac[:, :, j] = (f.forward(u + e) - f.forward(u - e)) / (2.0 * h[:, j : j + 1])
    return jac


@dataclass(frozen=True)
class EntanglementReport:
    """Summary of how every output of a map depends on every input, over a set of points.

    Attributes
    ----------
    min_abs_partial : float
        :math:`\\min_{k,i,j}|\\partial f_i/\\partial u_j(u_k)|`.
    min_abs_partial_per_entry : ndarray of shape (d, d)
        The same minimum for each entry (i, j) separately.
    fraction_nonzero : float
        Share of the n·d² partial derivatives above ``tol``.
    completely_entangling : bool
        Every partial derivative at every point exceeds ``tol``.
    max_fd_error : float or None
        :math:`\\max|J-J_{FD}|/(|J|+a)` over points and entries when finite differences were run.
    sign_pattern : ndarray of shape (d, d)
        Sign of each entry if it is the same at every point, else 0.
    """

    min_abs_partial: float
    min_abs_partial_per_entry: Array
    fraction_nonzero: float
    completely_entangling: bool
    max_fd_error: float | None
    sign_pattern: Array


def entanglement_report(
    f: Bijector,
    u: ArrayLike,
    *,
    tol: float = 1e-12,
    finite_differences: bool = True,
    fd_abs: float = 1e-8,
) -> EntanglementReport:
    """Measure complete entanglement of ``f`` at the points ``u`` from its analytic Jacobian.

    Parameters
    ----------
    f : Bijector
        A map with an analytic ``jacobian``.
    u : array_like of shape (n, d)
        Points in the domain of f.
    tol : float, default=1e-12
        A partial derivative counts as nonzero when its absolute value exceeds ``tol``.
    finite_differences : bool, default=True
        Also compare the analytic Jacobian with :func:`finite_difference_jacobian`.
    fd_abs : float, default=1e-8
        Absolute floor in the relative comparison :math:`|J-J_{FD}|/(|J|+a)`.
    """
    J = f.jacobian(u)
    if J.ndim == 2:
        J = J[None]
    absJ = np.abs(J)
    per_entry = absJ.min(axis=0)
    signs = np.sign(J)
    pattern = np.where(np.all(signs == signs[:1], axis=0), signs[0], 0.0)
    fd_err = None
    if finite_differences:
        Jfd = finite_difference_jacobian(f, u)
        fd_err = float(np.max(np.abs(J - Jfd) / (absJ + fd_abs)))
    return EntanglementReport(
        min_abs_partial=float(per_entry.min()),
        min_abs_partial_per_entry=per_entry,
        fraction_nonzero=float(np.mean(absJ > tol)),
        completely_entangling=bool(np.all(absJ > tol)),
        max_fd_error=fd_err,
        sign_pattern=pattern,
    )


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
    out = []
    for i, m in enumerate(prior.marginals):
        r = stats.kstest(x[:, i], m.cdf)
        out.append(TestResult(float(r.statistic), float(r.pvalue)))
    return out


def projection_ks_test(
    samples: ArrayLike, prior: FactorizedPrior, rng: np.random.Generator, *, n_directions: int = 32
) -> TestResult:
    r"""Joint test of :math:`x\sim p` through random projections of :math:`G(x)`.

    :math:`x\sim p` iff :math:`G(x)\sim\mathcal N(0,I)`, iff (Cramér–Wold) :math:`w^\top G(x)\sim\mathcal N(0,1)`
    for every unit vector w. The test draws ``n_directions`` directions from ``rng`` (independent of
    the map being tested), runs an exact KS test on each projection and returns the Bonferroni
    p-value :math:`\min(1, K\min_k p_k)`, valid at any level. It detects dependence between
    coordinates that leaves every marginal intact (e.g. a Gaussian copula with correlation).
    """
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


def energy_distance(x: ArrayLike, y: ArrayLike) -> float:
    r"""Multivariate energy distance :math:`2\mathbb E\lVert X-Y\rVert-\mathbb E\lVert X-X'\rVert-\mathbb E\lVert Y-Y'\rVert` (V-statistic).

    Zero iff the two laws are equal (for laws with finite first moments). ``scipy.stats.energy_distance``
    is one-dimensional only, hence this implementation.
    """
    x = np.atleast_2d(np.asarray(x, dtype=float))
    y = np.atleast_2d(np.asarray(y, dtype=float))
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y must have the same number of columns; got {x.shape} and {y.shape}")
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
    x = np.atleast_2d(np.asarray(x, dtype=float))
    y = np.atleast_2d(np.asarray(y, dtype=float))
    if transform is not None:
        x, y = transform.forward(x), transform.forward(y)
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("samples contain NaN or inf")
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
