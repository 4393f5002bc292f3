"""Speed of impossibility.audit: a 10,000 × 10 audit of MIG, SAP and modularity.

Run: ``python benchmarks/bench_audit.py [--n 10000] [--codes 10] [--budget B] [--repeats 3]``

Data as in ``bench_metrics.py``: five independent uniform factors with dSprites' sizes (3, 6, 40,
32, 32) and ``codes`` codes (the first five a noisy identity, the rest noise). The target is an
audit at the default budget in under 60 s on two cores. Since the machine may be shared, every
number is also given as a ratio to single metric calls measured in the same run (best of
``repeats``): the audit's time in units of one call of all three metrics on all rows, and its
evaluations per second against calls per second of one full evaluation on the search rows (the
gain of the two-row Givens updates).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from impossibility.auditing import DEFAULT_BUDGET, DEFAULT_SEARCH_ROWS, METRICS, audit

NAMES = ("mig", "sap", "modularity")


def make_data(n: int, codes: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    sizes = (3, 6, 40, 32, 32)
    y = np.column_stack([rng.integers(0, s, n) for s in sizes])
    z = np.empty((n, codes))
    k = min(codes, len(sizes))
    z[:, :k] = (y[:, :k] + 0.5) / np.array(sizes[:k]) + 0.02 * rng.standard_normal((n, k))
    z[:, k:] = rng.standard_normal((n, codes - k))
    return z, y


def best_of(fn, z: np.ndarray, y: np.ndarray, repeats: int) -> float:
    """Best wall time of ``fn(z, y, rng)`` over ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn(z, y, np.random.default_rng(0))
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--codes", type=int, default=10)
    p.add_argument("--budget", type=int, default=DEFAULT_BUDGET)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    z, y = make_data(args.n, args.codes)
    m = min(args.n, DEFAULT_SEARCH_ROWS)
    full, sub = {}, {}
    for name in NAMES:
        fn = METRICS[name].fn
        full[name] = best_of(fn, z, y, args.repeats)
        sub[name] = best_of(fn, z[:m], y[:m], args.repeats)
    t0 = time.perf_counter()
    report = audit(z, y, metrics=list(NAMES), budget=args.budget, rng=np.random.default_rng(0))
    t_audit = time.perf_counter() - t0
    evals = sum(report[name].evaluations for name in NAMES)
    print(f"audit of {args.n} x {args.codes} codes, {', '.join(NAMES)}, budget {args.budget}")
    print(f"  time                 {t_audit:8.1f} s   (target < 60 s on 2 cores)")
    print(f"  metric evaluations   {evals:8d}     ({evals / t_audit:.1f} per second)")
    one_call = sum(full.values())
    print(f"  = {t_audit / one_call:.1f} x one call of all three metrics on all {args.n} rows")
    # what the same evaluations would cost as full calls on the search rows
    plain = sum(report[name].evaluations * sub[name] for name in NAMES)
    print(f"  = {plain / t_audit:.2f} x faster than {evals} full calls on {m} rows")
    print(f"{'metric':<12}{'call, all rows':>16}{'call, search rows':>20}{'calls/s':>10}")
    for name in NAMES:
        print(f"{name:<12}{full[name]:>14.3f} s{sub[name]:>18.3f} s{1 / sub[name]:>10.1f}")
    print(report.summary())


if __name__ == "__main__":
    main()
