"""Benchmark: f = G⁻¹ ∘ A ∘ G with its log-det against minimal hand-written pipelines.

Run by hand: ``python benchmarks/bench_entangle.py [--n 400000] [--repeat 3] [--quick]``;
``table()`` gives the rows to ``benchmarks/run_all.py``.

Every row times the package and a baseline in the same call (best of ``repeat``) on d = 10:

* one row per closed-form family (normal, logistic, Laplace, Cauchy, uniform, exponential): an
  i.i.d. prior's ``f.forward_and_log_det`` against the same map written as a minimal NumPy
  pipeline (closed-form log-tails, ``ndtri_exp`` forward, ``log_ndtr`` back, one tail per element,
  log-det by the chain rule, no validation, no bulk formula). Goal: ratio ≤ 1.3.
* the standard-normal prior, where f is the rotation z ↦ Az, against a bare ``z @ A.T``
  (n doubled). Goal: ratio ≤ 1.2.
* a mixed prior of generic SciPy families against the same stable generic formula written out
  (log-CDF / log-survival by tail, ``ndtri_exp``, ``ppf`` / ``isf`` by sign). Goal: ≤ 1.1.

Each baseline is checked to give the package's values before it is timed.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import special, stats

import impossibility as im
from impossibility.families import FAMILY_EXAMPLES

LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)
LOG2 = np.log(2.0)
D = 10
N_DEFAULT = 400_000
N_QUICK = 4_000


def _best_pair(ours, baseline, repeat: int) -> tuple[float, float]:
    """Best times of two functions, run alternately so that both see the same machine load."""
    times: tuple[list, list] = ([], [])
    for _ in range(repeat):
        for fn, out in ((baseline, times[1]), (ours, times[0])):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return min(times[0]), min(times[1])


# --------------------------------------------------------------------- minimal pipelines
# Each returns (v, log_det) of f = G⁻¹ ∘ A ∘ G for an i.i.d. prior with parameters loc, s. The
# constants of log p and log φ cancel between G and G⁻¹ (the same marginals on both sides), so
# the log-det keeps only the terms that depend on the point.


def _normal(u, loc, s, A):
    v = ((u - loc) / s) @ A.T
    return loc + s * v, np.zeros(u.shape[0])


def _laplace(u, loc, s, A):
    x = (u - loc) / s
    a = np.abs(x)
    y = -np.sign(x) * special.ndtri_exp(-a - LOG2)
    ld = (0.5 * y * y - a).sum(axis=1)
    y2 = y @ A.T
    ax = -special.log_ndtr(-np.abs(y2)) - LOG2  # |x'| from the smaller tail
    ld += (ax - 0.5 * y2 * y2).sum(axis=1)
    return loc + s * np.sign(y2) * ax, ld


def _logistic(u, loc, s, A):
    x = (u - loc) / s
    a = np.abs(x)
    lp = -np.logaddexp(0.0, a)  # log of the smaller tail
    y = -np.sign(x) * special.ndtri_exp(lp)
    ld = (2 * lp + a + 0.5 * y * y).sum(axis=1)  # log p = log q + log(1 − q) = 2 lp + |x|
    y2 = y @ A.T
    lq = special.log_ndtr(-np.abs(y2))
    ax = np.log(-np.expm1(lq)) - lq
    ld -= (2 * lq + ax + 0.5 * y2 * y2).sum(axis=1)
    return loc + s * np.sign(y2) * ax, ld


def _cauchy(u, loc, s, A):
    x = (u - loc) / s
    y = -np.sign(x) * special.ndtri_exp(np.log(np.arctan2(1.0, np.abs(x)) / np.pi))
    ld = (0.5 * y * y - np.log1p(x * x)).sum(axis=1)
    y2 = y @ A.T
    ax = 1.0 / np.tan(np.pi * np.exp(special.log_ndtr(-np.abs(y2))))
    ld += (np.log1p(ax * ax) - 0.5 * y2 * y2).sum(axis=1)
    return loc + s * np.sign(y2) * ax, ld


def _uniform(u, loc, s, A):
    y = special.ndtri((u - loc) / s)  # exact tails: 1 − x is exact above 1/2
    y2 = y @ A.T
    ld = 0.5 * ((y * y).sum(axis=1) - (y2 * y2).sum(axis=1))
    return loc + s * special.ndtr(y2), ld


def _expon(u, loc, s, A):
    x = (u - loc) / s
    low = x <= LOG2
    lp = np.empty_like(x)
    lp[low] = np.log(-np.expm1(-x[low]))
    lp[~low] = -x[~low]
    y = special.ndtri_exp(lp)
    y[~low] *= -1.0
    ld = (0.5 * y * y - x).sum(axis=1)
    y2 = y @ A.T
    lq = special.log_ndtr(-np.abs(y2))
    neg = y2 <= 0
    xo = np.empty_like(y2)
    xo[neg] = -np.log(-np.expm1(lq[neg]))
    xo[~neg] = -lq[~neg]
    ld += (xo - 0.5 * y2 * y2).sum(axis=1)
    return loc + s * xo, ld


MINIMAL = {
    "norm": _normal,
    "logistic": _logistic,
    "laplace": _laplace,
    "cauchy": _cauchy,
    "uniform": _uniform,
    "expon": _expon,
}


def generic_pipeline(marginals, medians, A, u):
    """The generic stable formula written out directly: no validation, no classes."""
    y = np.empty_like(u)
    ld = np.zeros(u.shape[0])
    for i, m in enumerate(marginals):
        col = u[:, i]
        low = col <= medians[i]
        yi = np.empty_like(col)
        yi[low] = special.ndtri_exp(m.logcdf(col[low]))
        yi[~low] = -special.ndtri_exp(m.logsf(col[~low]))
        y[:, i] = yi
        ld += m.logpdf(col) + 0.5 * yi * yi + LOG_SQRT_2PI
    y2 = y @ A.T
    v = np.empty_like(u)
    for i, m in enumerate(marginals):
        col = y2[:, i]
        q = special.ndtr(-np.abs(col))
        neg = col <= 0
        vi = np.empty_like(col)
        vi[neg] = m.ppf(q[neg])
        vi[~neg] = m.isf(q[~neg])
        v[:, i] = vi
        ld += -0.5 * col * col - LOG_SQRT_2PI - m.logpdf(vi)
    return v, ld


GENERIC = [
    stats.gamma(3.0),
    stats.beta(2, 5),
    stats.gumbel_r(),
    stats.lognorm(0.7),
    stats.weibull_min(1.5),
] * 2


def _row(figure, ours, baseline, goal, detail):
    return {
        "figure": figure,
        "ours": ours,
        "baseline": baseline,
        "ratio": ours / baseline,
        "goal": goal,
        "detail": detail,
    }


def table(repeat: int = 3, quick: bool = False) -> list[dict]:
    """The benchmark's rows (see the module docstring), each timed in this call."""
    n = N_QUICK if quick else N_DEFAULT
    rng = np.random.default_rng(0)
    A = im.random_entangling_rotation(D, rng)
    rows = []
    for fam, fn in MINIMAL.items():
        dist = FAMILY_EXAMPLES[fam]
        prior = im.FactorizedPrior.iid(dist, D)
        f = im.entangling_bijection(prior, A)
        z = prior.sample(n, rng)
        loc, s = _loc_scale(dist)
        v_ref, ld_ref = fn(z, loc, s, A)
        v, ld = f.forward_and_log_det(z)
        np.testing.assert_allclose(v, v_ref, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(ld, ld_ref, rtol=1e-9, atol=1e-9)
        t_ours, t_base = _best_pair(
            lambda: f.forward_and_log_det(z),  # noqa: B023
            lambda: fn(z, loc, s, A),  # noqa: B023
            repeat,
        )
        rows.append(
            _row(
                f"{fam} prior: f.forward_and_log_det / minimal closed-form pipeline",
                t_ours,
                t_base,
                1.3,
                f"n = {n:,}, d = {D}, {dist.dist.name}{_loc_scale(dist)}",
            )
        )
    normal = im.entangling_bijection(im.FactorizedPrior.standard_normal(D), A)
    g = rng.standard_normal((2 * n, D))
    np.testing.assert_array_equal(normal.forward(g), g @ A.T)
    # the cheapest row, the most exposed to a shared machine's noise: thrice the repeats
    t_norm, t_bare = _best_pair(lambda: normal.forward(g), lambda: g @ A.T, 3 * repeat)
    rows.append(
        _row(
            "standard-normal prior: f.forward / bare z @ A.T",
            t_norm,
            t_bare,
            1.2,
            f"n = {2 * n:,}, d = {D}",
        )
    )
    prior = im.FactorizedPrior(GENERIC)
    f = im.entangling_bijection(prior, A)
    z = prior.sample(n, rng)
    med = prior.median
    v_ref, ld_ref = generic_pipeline(GENERIC, med, A, z)
    v, ld = f.forward_and_log_det(z)
    np.testing.assert_allclose(v, v_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(ld, ld_ref, atol=1e-9)
    t_ours, t_base = _best_pair(
        lambda: f.forward_and_log_det(z), lambda: generic_pipeline(GENERIC, med, A, z), repeat
    )
    rows.append(
        _row(
            "mixed generic SciPy prior: f.forward_and_log_det / minimal generic pipeline",
            t_ours,
            t_base,
            1.1,
            f"n = {n:,}, d = {D}, gamma, beta, gumbel_r, lognorm, weibull_min ×2",
        )
    )
    return rows


def _loc_scale(dist) -> tuple[float, float]:
    _, loc, scale = dist.dist._parse_args(*dist.args, **dist.kwds)
    return float(loc), float(scale)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    rows = table(args.repeat, args.quick)
    print(f"best of {args.repeat}")
    for r in rows:
        ok = "ok" if r["ratio"] <= r["goal"] else "MISSED"
        print(
            f"{r['figure']}: {r['ours']:.4f} s / {r['baseline']:.4f} s = {r['ratio']:.2f} "
            f"(goal ≤ {r['goal']}, {ok}; {r['detail']})"
        )
    return rows


if __name__ == "__main__":
    main()
