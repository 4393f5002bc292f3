r"""One-call verification of Theorem 1 for a prior: ``verify(prior)``, ``impossibility verify``.

Deterministic checks (no false alarm where their error analysis holds): the image stays in the
support, exact density invariance, round trip, complete entanglement and the analytic Jacobian
against Richardson-extrapolated finite differences. Statistical checks, with a stated false-alarm
rate: per-coordinate KS tests and the joint projection test of :math:`f(z)\sim p`, each at level
:math:`\alpha/(d+1)`, so by Bonferroni a correct map fails one of them with probability at most
:math:`\alpha`. Points that float64 cannot resolve are excluded and counted, never blamed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import special, stats

from . import tolerances as tol
from ._typing import BijectorLike
from ._validation import check_bijector_like, check_int, check_rng, check_scalar
from .bijections import Gaussianize
from .entangle import entangling_bijection
from .invariance import density_invariance_error, gaussian_resolution
from .invariance.finite_differences import (
    forward_where_defined,
    jacobian_check,
    richardson_jacobian,
)
from .priors import FactorizedPrior, check_factorized_prior

__all__ = ["Check", "VerificationReport", "verify"]

#: Finite differences run on this many points, at quantiles in [FD_Q, 1 − FD_Q] of each marginal.
FD_POINTS = 200
FD_Q = 1e-3
#: Largest finite-difference step, in units of the local scale 1/G_j'(u_j) (a move of G by 0.1).
FD_KAPPA = 0.1
#: An entry of the Jacobian counts as nonzero when, in Gaussian units (G_i' ∂f_i/∂u_j / G_j'),
#: it exceeds this: scale-free, so tiny-but-nonzero raw partials of a narrow marginal still count.
NONZERO = 1e-12
#: Random projections in the joint test.
N_DIRECTIONS = 32


@dataclass(frozen=True)
class Check:
    """One check: its name, measured value, bound, and verdict (True, False or None: no verdict)."""

    name: str
    value: float
    bound: str
    passed: bool | None
    note: str = ""


@dataclass(frozen=True)
class VerificationReport:
    """What :func:`verify` measured; ``verdict`` is PASSED, FAILED or INCONCLUSIVE."""

    prior: str
    d: int
    n: int
    seed: int | None
    A: tuple[tuple[float, ...], ...] | None
    alpha: float
    checks: tuple[Check, ...]
    n_excluded: int
    max_density_error: float
    max_round_trip_error: float
    min_abs_partial: float
    fraction_nonzero: float
    max_fd_error: float
    min_marginal_ks_pvalue: float
    joint_projection_pvalue: float

    @property
    def failed_checks(self) -> list[str]:
        return [c.name for c in self.checks if c.passed is False]

    @property
    def inconclusive_checks(self) -> list[str]:
        return [c.name for c in self.checks if c.passed is None]

    @property
    def verdict(self) -> str:
        if self.failed_checks:
            return "FAILED"
        return "INCONCLUSIVE" if self.inconclusive_checks else "PASSED"

    @property
    def passed(self) -> bool:
        return self.verdict == "PASSED"

    def summary(self) -> str:
        """A human-readable table of the checks, A, the seed and the verdict."""
        mark = {True: "ok", False: "FAIL", None: "no verdict"}
        lines = [f"prior: {self.prior}  (d = {self.d}, n = {self.n}, seed = {self.seed})"]
        if self.A is not None:
            lines.append("A =")
            lines += ["  [" + " ".join(f"{a:+.6f}" for a in row) + "]" for row in self.A]
        for c in self.checks:
            note = f"  ({c.note})" if c.note else ""
            lines.append(f"  {c.name:<20} {c.value:.3g}  [{mark[c.passed]}, {c.bound}]{note}")
        lines.append(
            f"  excluded: {self.n_excluded} of {self.n} samples not resolvable in float64 "
            f"(on the support's boundary or coarser than {tol.GAUSSIAN_RESOLUTION:g} in G-space)"
        )
        lines.append(
            f"  statistical tests: each at α/(d+1) = {self.alpha / (self.d + 1):.2g}; a correct "
            f"map fails one with probability ≤ α = {self.alpha:g}"
        )
        if self.verdict == "PASSED":
            lines.append(
                "=> PASSED: f(z) has the law of z while every output depends on every input"
            )
        elif self.verdict == "FAILED":
            lines.append("=> FAILED: " + ", ".join(self.failed_checks))
        else:
            lines.append(
                "=> INCONCLUSIVE: no failure, but no verdict from "
                + ", ".join(self.inconclusive_checks)
            )
        return "\n".join(lines)

    def to_dict(self) -> dict:
        out = asdict(self)
        out.update(verdict=self.verdict, passed=self.passed, failed_checks=self.failed_checks)
        return out


def _ks_pvalue(x: np.ndarray, cdf, n_total: int) -> float:
    r"""Exact KS p-value of ``x`` against ``cdf``, valid with ``m = n_total - len(x)`` points lost.

    With m values unknown, the full sample's statistic is at least
    :math:`D^*=(n_{\rm obs}D_{\rm obs}-m)/n` (each lost point moves the empirical CDF by ≤ 1/n), so
    the p-value of :math:`D^*` under :math:`D_n` is conservative; m = 0 gives the exact KS test.
    """
    m = n_total - len(x)
    if len(x) == 0:
        return 1.0
    d_obs = float(stats.kstest(x, cdf, method="asymp").statistic)
    d_star = max(0.0, (len(x) * d_obs - m) / n_total)
    return float(stats.kstwo.sf(d_star, n_total)) if d_star > 0 else 1.0


def _draw(prior: FactorizedPrior, n: int, rng: np.random.Generator, f: BijectorLike):
    """Samples z, their images, and which rows are usable (inside, representable, resolvable)."""
    z = prior.sample(n, rng)
    lo, hi = prior.support
    inside = np.all((z > lo) & (z < hi), axis=1)  # the sampler can round onto an endpoint
    fz = np.full_like(z, np.nan)
    ok = inside.copy()
    fz[inside], ok[inside] = forward_where_defined(f, z[inside])
    return z, fz, ok


def verify(
    prior: FactorizedPrior,
    *,
    n: int = 20_000,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
    A: np.ndarray | None = None,
    bijection: BijectorLike | None = None,
    alpha: float = 1e-6,
) -> VerificationReport:
    r"""Build Theorem 1's f for ``prior`` (or take ``bijection``) and check it every way.

    Parameters
    ----------
    prior : FactorizedPrior
    n : int, default=20000
        Samples for the statistical tests, the round trip and density invariance.
    rng, seed : Generator or int, optional
        Randomness (one of them; default ``seed=0``).
    A : array_like of shape (d, d), optional
        Orthogonal matrix of f (default: Haar-random, every entry nonzero, from the Generator).
    bijection : Bijector, optional
        Check this map instead of building one (it needs ``forward``, ``inverse``,
        ``forward_and_log_det`` and ``jacobian``).
    alpha : float, default=1e-6
        Family-wise false-alarm rate of the d + 1 statistical tests (0 < alpha < 1).

    Notes
    -----
    The finite-difference check compares J with :func:`richardson_jacobian` on ``FD_POINTS``
    points inside the central 99.8 % of each marginal, steps from the prior's local scale and
    never leaving the support; points whose finite differences cannot reach 1e-8 relative
    accuracy are excluded and counted (fewer than half conditioned: no verdict). A correct J then
    agrees to ``JACOBIAN_VS_FD_RELATIVE`` (see :func:`jacobian_check`).
    """
    check_factorized_prior(prior)
    n = check_int(n, "n", minimum=2)
    alpha = check_scalar(
        alpha, "alpha", minimum=0.0, maximum=1.0, include_min=False, include_max=False
    )
    if rng is not None and seed is not None:
        raise ValueError("give either rng or seed, not both")
    if rng is None:
        seed = 0 if seed is None else check_int(seed, "seed", minimum=0)
        rng = np.random.default_rng(seed)
    rng = check_rng(rng)
    if bijection is None:
        f = entangling_bijection(prior, A, rng=rng)
        A_used = tuple(tuple(float(a) for a in row) for row in f.A)
    else:
        if A is not None:
            raise ValueError("give either A or bijection, not both")
        f = check_bijector_like(bijection, prior.d, name="bijection")
        A_used = None
    d = prior.d
    lo, hi = prior.support
    G = Gaussianize(prior)
    z, fz, ok = _draw(prior, n, rng, f)
    # an image strictly outside the support is an error of f; one rounded onto an endpoint is not
    outside = ok & np.any((fz < lo) | (fz > hi), axis=1)
    on_edge = ok & ~outside & np.any((fz == lo) | (fz == hi), axis=1)
    use = ok & ~outside & ~on_edge
    res = tol.GAUSSIAN_RESOLUTION
    with np.errstate(over="ignore"):  # an overflowing resolution is an unresolvable point
        use[use] = (gaussian_resolution(prior, z[use]) <= res) & (
            gaussian_resolution(prior, fz[use]) <= res
        )
    checks = [
        Check("support", int(outside.sum()), "images outside the support = 0", not outside.any())
    ]
    zu, fzu = z[use], fz[use]
    enough = 2 * len(zu) >= n
    dens = float(density_invariance_error(f, prior, zu).max(initial=0.0))
    checks.append(
        Check(
            "density invariance",
            dens,
            f"max|log p(f(u)) + log|det J| − log p(u)| ≤ {tol.DENSITY_INVARIANCE:g}",
            dens <= tol.DENSITY_INVARIANCE if enough else None,
        )
    )
    # f(z) is stored to within its Gaussian resolution r; that error, taken back through the
    # orthogonal A (|·| ≤ √d r) and G⁻¹ (× 1/G_j'(z_j)), is a round-trip error no code can avoid
    rel = np.abs(f.inverse(fzu) - zu) / np.maximum(1.0, np.abs(zu))
    with np.errstate(over="ignore"):
        r = gaussian_resolution(prior, zu) + gaussian_resolution(prior, fzu)
        floor = 2.0 * np.sqrt(d) * r[:, None] * np.exp(-G._forward_and_log_diag(zu)[1])
    floor /= np.maximum(1.0, np.abs(zu))
    rt = float(np.max(rel, initial=0.0))
    rt_ok = bool(np.all(rel <= tol.ROUND_TRIP_BULK + floor))
    checks.append(
        Check(
            "round trip",
            rt,
            f"max|f⁻¹(f(z)) − z| / max(1, |z|) ≤ {tol.ROUND_TRIP_BULK:g} + resolution floor",
            rt_ok if enough else None,
            note=f"largest resolution floor {float(np.max(floor, initial=0.0)):.2g}",
        )
    )
    # entanglement and Jacobian on points inside the central 99.8 % of every marginal whose
    # images float64 can represent (an image next to an endpoint may round onto it)
    u = prior.ppf(rng.uniform(FD_Q, 1 - FD_Q, size=(FD_POINTS, d)))
    v, keep = forward_where_defined(f, u)
    keep &= np.all((v > lo) & (v < hi), axis=1)
    with np.errstate(over="ignore"):
        keep[keep] = (gaussian_resolution(prior, u[keep]) <= res) & (
            gaussian_resolution(prior, v[keep]) <= res
        )
    u, v = u[keep], v[keep]
    if len(u):
        J = np.asarray(f.jacobian(u), dtype=float).reshape(len(u), d, d)
        log_gu = G._forward_and_log_diag(u)[1]
        with np.errstate(over="ignore", invalid="ignore"):
            J_gauss = np.exp(G._forward_and_log_diag(v)[1][:, :, None] - log_gu[:, None, :]) * J
    else:
        J = J_gauss = np.empty((0, d, d))
        log_gu = np.empty((0, d))
    share = float(np.mean(np.abs(J_gauss) > NONZERO)) if len(u) else 0.0
    checks.append(
        Check(
            "entanglement",
            share,
            "share of nonzero ∂f_i/∂u_j = 1",
            share == 1.0 if len(u) else None,
            note=f"min|∂f_i/∂u_j| = {np.abs(J).min(initial=np.inf):.3g}, in Gaussian units "
            f"{np.abs(J_gauss).min(initial=np.inf):.3g}",
        )
    )
    J_fd, err = richardson_jacobian(f, u, FD_KAPPA * np.exp(-log_gu), lower=lo, upper=hi)
    fd = jacobian_check(J, J_fd, err, tolerance=tol.JACOBIAN_VS_FD_RELATIVE, n_points=FD_POINTS)
    checks.append(
        Check(
            "Jacobian vs FD",
            fd.max_relative_error,
            f"max|J − J_FD| / |J_FD| ≤ {tol.JACOBIAN_VS_FD_RELATIVE:g}",
            fd.passed,
            note=f"{fd.n_excluded} of {fd.n_points} points excluded: image not resolvable or "
            "finite differences not conditioned to 1e-8",
        )
    )
    level = alpha / (d + 1)
    fz_ks = fz[ok & ~outside]
    ks = min(_ks_pvalue(fz_ks[:, i], m.cdf, n) for i, m in enumerate(prior.marginals))
    checks.append(Check("marginal KS", ks, f"min p > α/(d+1) = {level:.2g}", ks > level))
    y = G.forward(fz[use]) if use.any() else np.empty((0, d))
    W = rng.standard_normal((N_DIRECTIONS, d))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    pk = min(_ks_pvalue(y @ w, special.ndtr, n) for w in W)
    joint = min(1.0, N_DIRECTIONS * pk)  # Bonferroni over the directions
    verdict = joint > level if enough or joint <= level else None  # too few points: no verdict
    checks.append(Check("joint projections", joint, f"p > α/(d+1) = {level:.2g}", verdict))
    return VerificationReport(
        prior=repr(prior),
        d=d,
        n=n,
        seed=seed,
        A=A_used,
        alpha=alpha,
        checks=tuple(checks),
        n_excluded=int(n - use.sum()),
        max_density_error=dens,
        max_round_trip_error=rt,
        min_abs_partial=float(np.abs(J).min(initial=np.inf)),
        fraction_nonzero=share,
        max_fd_error=fd.max_relative_error,
        min_marginal_ks_pvalue=ks,
        joint_projection_pvalue=joint,
    )
