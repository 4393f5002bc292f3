"""The accuracies the package promises in float64, in one place.

``verify``, the accuracy figure, the tests and the README all read these numbers, so a promise is
stated once and cannot drift between them. Each constant says why it holds; the measured values
(usually far below the promise) are in the README's accuracy table and ``figures/accuracy.png``.
"""

from __future__ import annotations

__all__ = [
    "ROUND_TRIP_BULK",
    "ROUND_TRIP_TAIL",
    "DENSITY_INVARIANCE",
    "LOG_DET_VS_SLOGDET",
    "JACOBIAN_VS_FD_RELATIVE",
    "JACOBIAN_VS_FD_FLOOR",
    "SYMBOLIC_VS_NUMERIC",
    "MPMATH_G",
    "GAUSSIAN_RESOLUTION",
    "PROMISES",
]

#: :math:`|f^{-1}(f(z)) - z| \le` this · max(1, |z|) at quantiles 1e-6 … 1 − 1e-6. The stable G
#: keeps ~1e-15 relative error and SciPy's quantile functions are accurate to ~1e-13 at worst.
ROUND_TRIP_BULK = 1e-12

#: Relative round trip of G at the 1e-12 and 1 − 1e-12 quantiles: there the inverse CDF is
#: ill-conditioned (a relative change ε in the tail probability moves u by ε/|log-density slope|).
ROUND_TRIP_TAIL = 1e-8

#: :math:`|\log p(f(u)) + \log|\det J_f(u)| - \log p(u)|`: the exact identity holds to rounding
#: (~1e-14); heavy-tailed families lose a few digits in ``logpdf`` far out.
DENSITY_INVARIANCE = 1e-9

#: Chain-rule log-determinant against ``slogdet`` of the assembled Jacobian, relative to
#: max(1, |log det|): ``slogdet``'s LU rounding is ~d·ε·cond.
LOG_DET_VS_SLOGDET = 1e-10

#: Analytic Jacobian against Ridders-extrapolated central differences:
#: :math:`|J - J_{FD}| \le` REL · |J_FD| on every entry judged. Ridders' error estimate of a
#: judged entry is at most FLOOR · |J_FD|, so REL leaves a margin of 100 for the estimate itself.
JACOBIAN_VS_FD_RELATIVE = 1e-6
#: Relative error estimate an entry's finite difference must reach to be judged at all (the value
#: of ``invariance.finite_differences.CONDITIONED``); entries that cannot are counted, not judged.
JACOBIAN_VS_FD_FLOOR = 1e-8

#: The SymPy map, lambdified, against the NumPy map (same formula, different evaluation order).
SYMBOLIC_VS_NUMERIC = 1e-12

#: G against 50-digit mpmath, relative to max(1, |G|) (closed-form families, up to 30σ).
MPMATH_G = 1e-13

#: Where ``gaussian_resolution(prior, u)`` exceeds this, the spacing of doubles near u is too
#: coarse in Gaussian space for the bulk round-trip promise; such points are excluded and counted.
GAUSSIAN_RESOLUTION = 1e-13

#: The promises drawn as dashed lines in ``figures/accuracy.png``.
PROMISES = {
    "bulk_round_trip": ROUND_TRIP_BULK,
    "tail_round_trip": ROUND_TRIP_TAIL,
    "density_error": DENSITY_INVARIANCE,
    "fd_error": JACOBIAN_VS_FD_RELATIVE,
}
