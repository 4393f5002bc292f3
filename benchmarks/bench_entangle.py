"""Benchmark: f = G⁻¹ ∘ A ∘ G forward and inverse (with log-det) against hand-written baselines.

Run by hand: ``python benchmarks/bench_entangle.py [--n 1000000] [--repeat 3]``.

Two comparisons, each timed in the same run (best of ``--repeat``) and reported as ratios:

1. a mixed prior of generic SciPy families (d = 10) against a minimal NumPy/SciPy pipeline of the
   same stable formula (log-CDF / log-survival by tail, ``ndtri_exp``, ``ppf``/``isf`` by sign,
   log-det by the chain rule), without validation. Target: ratio ≤ 1.2.
2. the standard-normal prior (d = 10), where f is the rotation z ↦ Az, against a bare ``z @ A.T``.
   Target: ratio ≤ 1.5.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import special, stats

import impossibility as im

LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


def _best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def baseline_forward(marginals, medians, A, u):
    """The same formula written out directly: no validation, no classes."""
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    rng = np.random.default_rng(0)
    d = 10
    marginals = [
        stats.gamma(3.0),
        stats.beta(2, 5),
        stats.gumbel_r(),
        stats.lognorm(0.7),
        stats.weibull_min(1.5),
    ] * 2
    prior = im.FactorizedPrior(marginals)
    A = im.random_entangling_rotation(d, rng)
    f = im.entangling_bijection(prior, A)
    z = prior.sample(args.n, rng)
    med = prior.median

    v_ref, ld_ref = baseline_forward(marginals, med, A, z)
    v, ld = f.forward_and_log_det(z)
    assert np.allclose(v, v_ref, rtol=1e-12, atol=1e-14) and np.allclose(ld, ld_ref, atol=1e-9)

    t_base_fwd = _best(lambda: baseline_forward(marginals, med, A, z), args.repeat)
    t_fwd = _best(lambda: f.forward_and_log_det(z), args.repeat)
    t_base_inv = _best(lambda: baseline_forward(marginals, med, A.T, v), args.repeat)
    t_inv = _best(lambda: f.inverse_and_log_det(v), args.repeat)

    normal = im.entangling_bijection(im.FactorizedPrior.standard_normal(d), A)
    g = rng.standard_normal((args.n, d))
    t_bare = _best(lambda: g @ A.T, args.repeat)
    t_norm_fwd = _best(lambda: normal.forward(g), args.repeat)
    t_norm_inv = _best(lambda: normal.inverse(g), args.repeat)

    print(f"n = {args.n:,}, d = {d}, best of {args.repeat}")
    print(
        f"mixed generic prior, forward+log-det: impossibility {t_fwd:.3f} s, "
        f"hand-written {t_base_fwd:.3f} s, "
        f"ratio {t_fwd / t_base_fwd:.2f} (target ≤ 1.2)"
    )
    print(
        f"mixed generic prior, inverse+log-det: impossibility {t_inv:.3f} s, "
        f"hand-written {t_base_inv:.3f} s, "
        f"ratio {t_inv / t_base_inv:.2f} (target ≤ 1.2)"
    )
    print(
        f"standard normal, forward: impossibility {t_norm_fwd:.4f} s, bare z @ A.T {t_bare:.4f} s, "
        f"ratio {t_norm_fwd / t_bare:.2f} (target ≤ 1.5)"
    )
    print(
        f"standard normal, inverse: impossibility {t_norm_inv:.4f} s, bare z @ A.T {t_bare:.4f} s, "
        f"ratio {t_norm_inv / t_bare:.2f} (target ≤ 1.5)"
    )
    return {
        "fwd": t_fwd / t_base_fwd,
        "inv": t_inv / t_base_inv,
        "normal_fwd": t_norm_fwd / t_bare,
        "normal_inv": t_norm_inv / t_bare,
    }


if __name__ == "__main__":
    main()
