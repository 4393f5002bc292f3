"""One-call verification of Theorem 1 for a prior: ``verify(prior)``, ``impossibility verify``."""

from __future__ import annotations

import ast
import re
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from . import tolerances as tol
from ._validation import check_int, check_rng, check_scalar
from .entangle import entangling_bijection
from .invariance import (
    density_invariance_error,
    entanglement_report,
    gaussian_resolution,
    marginal_ks_tests,
    projection_ks_test,
)
from .priors import FactorizedPrior, check_factorized_prior

__all__ = ["VerificationReport", "verify", "parse_marginal", "verify_from_spec"]

_SPEC = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\))?\s*$")


def parse_marginal(spec: str):
    """Parse ``"beta(2, 5)"`` or ``"laplace(scale=2)"`` into a frozen scipy.stats distribution.

    Only literal numbers are accepted as arguments (parsed with :func:`ast.literal_eval`, never
    ``eval``).
    """
    m = _SPEC.match(spec)
    if m is None:
        raise ValueError(
            f"cannot parse marginal {spec!r}; expected e.g. 'norm', 'beta(2, 5)', "
            "'laplace(scale=2)'"
        )
    name, argstr = m.group(1), m.group(2) or ""
    family = getattr(stats, name, None)
    if not isinstance(family, (stats.rv_continuous, stats.rv_discrete)):
        raise ValueError(f"{name!r} is not a scipy.stats distribution family")
    call = ast.parse(f"f({argstr})", mode="eval").body
    try:
        args = [ast.literal_eval(a) for a in call.args]
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    except ValueError as exc:
        raise ValueError(f"arguments of {spec!r} must be literal numbers") from exc
    return family(*args, **kwargs)


@dataclass(frozen=True)
class VerificationReport:
    """What :func:`verify` measured; ``passed`` is True when every check holds."""

    prior: str
    d: int
    n: int
    max_density_error: float
    max_round_trip_error: float
    min_abs_partial: float
    fraction_nonzero: float
    max_fd_error: float
    min_marginal_ks_pvalue: float
    joint_projection_pvalue: float
    alpha: float
    passed: bool

    def summary(self) -> str:
        """A human-readable table of the checks."""
        ok = lambda b: "ok" if b else "FAIL"  # noqa: E731
        lines = [
            f"prior: {self.prior}  (d = {self.d}, n = {self.n})",
            "  density invariance  max|log p(f(u)) + log|det J| − log p(u)| = "
            f"{self.max_density_error:.2e}  "
            f"[{ok(self.max_density_error <= tol.DENSITY_INVARIANCE)}, "
            f"≤ {tol.DENSITY_INVARIANCE:g}]",
            "  round trip          max|f⁻¹(f(z)) − z| / max(1, |z|)          = "
            f"{self.max_round_trip_error:.2e}  "
            f"[{ok(self.max_round_trip_error <= tol.ROUND_TRIP_BULK)}, "
            f"≤ {tol.ROUND_TRIP_BULK:g}]",
            f"  entanglement        min|∂f_i/∂u_j| = {self.min_abs_partial:.3g}, nonzero share = "
            f"{self.fraction_nonzero:.3f}  [{ok(self.fraction_nonzero == 1.0)}]",
            f"  Jacobian vs FD      max relative error = {self.max_fd_error:.2e}  "
            f"[{ok(self.max_fd_error <= tol.JACOBIAN_VS_FD_RELATIVE)}, "
            f"≤ {tol.JACOBIAN_VS_FD_RELATIVE:g}]",
            f"  marginal KS         min p = {self.min_marginal_ks_pvalue:.3g}  "
            f"[{ok(self.min_marginal_ks_pvalue > self.alpha)}, > {self.alpha:g}]",
            f"  joint projections   p = {self.joint_projection_pvalue:.3g}  "
            f"[{ok(self.joint_projection_pvalue > self.alpha)}, > {self.alpha:g}]",
            f"=> {'PASSED' if self.passed else 'FAILED'}: f(z) has the law of z while every "
            "output depends on every input",
        ]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return asdict(self)


def verify(
    prior: FactorizedPrior,
    *,
    n: int = 20_000,
    rng: np.random.Generator | None = None,
    A: np.ndarray | None = None,
    alpha: float = 1e-6,
) -> VerificationReport:
    """Build Theorem 1's f for ``prior`` and check it every way the package knows.

    Exact density invariance, round trip, complete entanglement (analytic Jacobian, checked by
    finite differences on 200 points), per-coordinate KS tests and the joint projection test on
    ``n`` samples of f(z), at level ``alpha`` per test.
    """
    check_factorized_prior(prior)
    n = check_int(n, "n", minimum=1)
    alpha = check_scalar(alpha, "alpha", minimum=0.0, maximum=1.0, include_min=False)
    rng = np.random.default_rng(0) if rng is None else check_rng(rng)
    f = entangling_bijection(prior, A, rng=rng)
    z = prior.sample(n, rng)
    fz = f.forward(z)
    back = f.inverse(fz)
    res = tol.GAUSSIAN_RESOLUTION
    ok = (gaussian_resolution(prior, fz) <= res) & (gaussian_resolution(prior, z) <= res)
    rt = float(np.max((np.abs(back - z) / np.maximum(1.0, np.abs(z)))[ok], initial=0.0))
    dens = float(density_invariance_error(f, prior, z).max())
    # finite differences away from finite endpoints: central 99.8% of each marginal
    q = rng.uniform(1e-3, 1 - 1e-3, size=(200, prior.d))
    rep = entanglement_report(f, prior.ppf(q))
    ks = min(r.pvalue for r in marginal_ks_tests(fz, prior))
    joint = projection_ks_test(fz, prior, rng).pvalue
    passed = (
        dens <= tol.DENSITY_INVARIANCE
        and rt <= tol.ROUND_TRIP_BULK
        and rep.completely_entangling
        and rep.max_fd_error <= tol.JACOBIAN_VS_FD_RELATIVE
        and ks > alpha
        and joint > alpha
    )
    return VerificationReport(
        repr(prior),
        prior.d,
        n,
        dens,
        rt,
        rep.min_abs_partial,
        rep.fraction_nonzero,
        float(rep.max_fd_error),
        float(ks),
        float(joint),
        alpha,
        bool(passed),
    )


def verify_from_spec(
    specs: list[str], *, d: int | None = None, n: int = 20_000, seed: int = 0
) -> bool:
    """CLI helper: parse marginal specs, run :func:`verify`, print it, return ``passed``."""
    marginals = [parse_marginal(s) for s in specs]
    if d is not None:
        if len(marginals) != 1:
            raise ValueError(
                "-d repeats a single family; give one marginal with -d, or one per coordinate"
            )
        marginals = marginals * d
    report = verify(FactorizedPrior(marginals), n=n, rng=np.random.default_rng(seed))
    print(report.summary())
    return report.passed
