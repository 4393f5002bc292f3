"""Factorized priors p(z) = ∏ᵢ pᵢ(zᵢ) over univariate continuous ``scipy.stats`` marginals.

A marginal is a frozen ``rv_continuous`` or one of SciPy's random-variable objects
(``stats.Normal``, ``make_distribution``, ``Mixture``; see ``_random_variables.py``).

Theorem 1 needs, per coordinate, a continuous CDF Fᵢ that maps the (open) support of zᵢ, an
interval, onto (0, 1). :class:`FactorizedPrior` enforces exactly that and gives the per-coordinate
functions the Gaussianizing map needs (CDF, log-CDF, log-survival, quantile, inverse survival),
vectorised over samples and looped over the d coordinates.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats
from scipy.stats._distn_infrastructure import rv_continuous_frozen, rv_discrete_frozen

from ._random_variables import RandomVariableMarginal, as_marginal, is_random_variable
from ._validation import as_points, check_int, check_rng

__all__ = ["FactorizedPrior", "check_factorized_prior"]

# Families whose support is a circle, not an interval: F has no meaning as an ordering there, and
# SciPy's ppf can return points just outside [-π, π] where logcdf is NaN (docs/theory.md §1.7).
_CIRCULAR = {"vonmises", "vonmises_line", "vonmises_fisher", "wrapcauchy"}


def _family_name(dist: Any) -> str:
    inner = getattr(dist, "dist", None)
    return getattr(inner, "name", type(dist).__name__)


def _check_marginal(i: int, dist: Any) -> None:
    if isinstance(dist, rv_discrete_frozen) or isinstance(
        getattr(dist, "dist", None), stats.rv_discrete
    ):
        raise TypeError(
            f"marginal {i} ({_family_name(dist)}) is discrete: Theorem 1 needs a continuous CDF "
            "(no atoms), since F(z) must be uniform on (0, 1)"
        )
    if isinstance(dist, (stats.rv_continuous, stats.rv_discrete)):
        raise TypeError(
            f"marginal {i} is the unfrozen family {dist.name!r}; pass a frozen distribution such "
            "as "
            f"stats.{dist.name}() with its parameters"
        )
    if not isinstance(dist, (rv_continuous_frozen, RandomVariableMarginal)):
        kind = type(dist).__name__
        hint = ""
        if "multivariate" in kind or hasattr(dist, "cov"):
            hint = (
                " It looks like a joint (multivariate) distribution: Theorem 1 is about factorized "
                "priors, so give one univariate marginal per coordinate."
            )
        raise TypeError(
            f"marginal {i} has type {kind}; expected a frozen univariate continuous scipy.stats "
            "distribution such as stats.norm() or stats.beta(2, 5), or a SciPy random variable "
            f"such as stats.Normal().{hint}"
        )
    name = _family_name(dist)
    if name in _CIRCULAR:
        raise ValueError(
            f"marginal {i} ({name}) lives on a circle, not an interval: its CDF depends on where "
            "the circle is cut, and Theorem 1's construction needs an interval support"
        )
    _check_parameters(dist, i, name)
    lo, hi = (float(v) for v in dist.support())
    if not (lo < hi) or np.isnan(lo) or np.isnan(hi):
        raise ValueError(
            f"marginal {i} ({name}) has a degenerate support [{lo}, {hi}]: its parameters "
            f"{_parameter_text(dist)} are outside the family's valid range"
        )
    med = float(dist.median())
    if not np.isfinite(med) or not np.isfinite(dist.logpdf(med)):
        raise ValueError(
            f"marginal {i} ({name}) has no finite density at its median {med}: it is not a "
            "continuous distribution with a density (atoms or an invalid parameter?)"
        )


def _parameter_text(dist: Any) -> str:
    parts = [repr(a) for a in dist.args] + [f"{k}={v!r}" for k, v in dist.kwds.items()]
    return "(" + ", ".join(parts) + ")"


def _check_parameters(dist: Any, i: int, name: str) -> None:
    """Each parameter a real number, not NaN: a NaN or complex one must be blamed on the
    parameter, not later on the points (every point would look outside a NaN support)."""
    named = [(f"argument {j}", a) for j, a in enumerate(dist.args)] + list(dist.kwds.items())
    for what, value in named:
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf" or arr.ndim != 0:
            raise TypeError(
                f"marginal {i} ({name}): parameter {what} must be a real number; got {value!r}"
            )
        if np.isnan(float(arr)):  # ±inf can be legitimate (truncnorm's bounds)
            raise ValueError(f"marginal {i} ({name}): parameter {what} is NaN")


class FactorizedPrior:
    r"""A factorized continuous prior :math:`p(z)=\prod_{i=1}^d p_i(z_i)`.

    Parameters
    ----------
    marginals : sequence of frozen scipy.stats continuous distributions or SciPy random variables
        One univariate distribution per coordinate, e.g.
        ``[stats.norm(), stats.laplace(scale=2), stats.beta(2, 5)]``, or SciPy's newer objects
        (``stats.Normal(mu=1, sigma=2)``, ``stats.Uniform(a=0, b=1)``,
        ``stats.make_distribution(stats.gamma)(a=3)``, ``stats.Mixture(...)``), recognised by their
        ``logcdf``/``logccdf``/``icdf``/``iccdf``/``ilogcdf``/``ilogccdf``/``logpdf``/``support``:
        a closed-form family among them becomes its frozen equivalent (``Normal`` → ``norm``,
        ``2 * make_distribution(stats.laplace)() + 1`` → ``laplace(1, 2)``), any other one is
        wrapped (``impossibility._random_variables.RandomVariableMarginal``). Each must have
        a density and a support that is an interval (possibly unbounded).

    Raises
    ------
    TypeError
        For a discrete marginal, an unfrozen family, a multivariate distribution, a random
        variable without one of the methods above, or anything else.
    ValueError
        For a circular marginal, a degenerate support, no finite density, or an empty list.

    Notes
    -----
    The open support :math:`\prod_i (a_i, b_i)` is where every claim of the package holds: at a
    finite endpoint the density may vanish and the Gaussianizing map is infinite.

    Examples
    --------
    >>> from scipy import stats
    >>> prior = FactorizedPrior([stats.norm(), stats.laplace(scale=2), stats.beta(2, 5)])
    >>> prior.d
    3
    >>> z = prior.sample(5, np.random.default_rng(0))
    >>> prior.log_prob(z).shape
    (5,)
    """

    def __init__(self, marginals: Sequence[Any]):
        if isinstance(marginals, (rv_continuous_frozen, rv_discrete_frozen)) or not hasattr(
            marginals, "__len__"
        ):
            raise TypeError(
                "FactorizedPrior takes a sequence of univariate distributions, one per coordinate; "
                "use FactorizedPrior.iid(dist, d) to repeat one distribution"
            )
        marginals = list(marginals)
        if not marginals:
            raise ValueError("FactorizedPrior needs at least one marginal")
        for i, dist in enumerate(marginals):
            if is_random_variable(dist) and not isinstance(dist, RandomVariableMarginal):
                marginals[i] = dist = as_marginal(i, dist)
            _check_marginal(i, dist)
        self.marginals: list[rv_continuous_frozen] = marginals
        sup = np.array([[float(v) for v in m.support()] for m in marginals])
        self._lower = sup[:, 0]
        self._upper = sup[:, 1]
        self._median = np.array([float(m.median()) for m in marginals])
        self._family = [_family_name(m) for m in marginals]

    # ------------------------------------------------------------------ construction
    @classmethod
    def iid(cls, dist: Any, d: int) -> "FactorizedPrior":
        """The prior with ``d`` independent copies of ``dist``."""
        return cls([dist] * check_int(d, "d", minimum=1))

    @classmethod
    def standard_normal(cls, d: int) -> "FactorizedPrior":
        """The isotropic Gaussian N(0, I_d), the prior of the paper's study."""
        return cls.iid(stats.norm(), d)

    # ------------------------------------------------------------------ description
    @property
    def d(self) -> int:
        """Number of coordinates."""
        return len(self.marginals)

    @property
    def support(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Lower and upper endpoints (aᵢ, bᵢ) of each marginal's support, arrays of shape (d,)."""
        return self._lower.copy(), self._upper.copy()

    @property
    def median(self) -> NDArray[np.float64]:
        """The median of each marginal, shape (d,)."""
        return self._median.copy()

    @property
    def families(self) -> list[str]:
        """The scipy family name of each marginal."""
        return list(self._family)

    def is_standard_normal(self, i: int) -> bool:
        """Whether marginal ``i`` is exactly N(0, 1) (then Φ⁻¹∘Fᵢ is the identity)."""
        m = self.marginals[i]
        return self._family[i] == "norm" and float(m.mean()) == 0.0 and float(m.std()) == 1.0

    def normal_affine(self, i: int) -> tuple[float, float] | None:
        """``(loc, scale)`` if marginal ``i`` is a normal N(loc, scale²), else ``None``."""
        if self._family[i] != "norm":
            return None
        m = self.marginals[i]
        return float(m.mean()), float(m.std())

    def location_scale(self, i: int) -> tuple[float, float] | None:
        """``(loc, scale)`` of marginal ``i`` in its family's standard form, if it has one."""
        m = self.marginals[i]
        try:
            _, loc, scale = m.dist._parse_args(*m.args, **m.kwds)
        except (AttributeError, TypeError, ValueError):
            return None
        return float(loc), float(scale)

    def __repr__(self) -> str:
        parts = []
        for m in self.marginals:
            if isinstance(m, RandomVariableMarginal):
                parts.append(repr(m))
                continue
            args = ", ".join([repr(a) for a in m.args] + [f"{k}={v!r}" for k, v in m.kwds.items()])
            parts.append(f"{_family_name(m)}({args})")
        return f"FactorizedPrior([{', '.join(parts)}])"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FactorizedPrior) and repr(self) == repr(other)

    def __hash__(self) -> int:
        return hash(repr(self))

    # ------------------------------------------------------------------ validation
    def check_points(self, z: ArrayLike, *, name: str = "z") -> NDArray[np.float64]:
        """Validate points: shape (n, d) (or (d,)), finite, strictly inside the open support.

        Raises
        ------
        ValueError
            Naming the first offending point and coordinate.
        """
        arr = as_points(z, self.d, name=name)
        outside = (arr <= self._lower) | (arr >= self._upper)
        if np.any(outside):
            r, c = np.argwhere(outside)[0]
            raise ValueError(
                f"{name}[{r}, {c}] = {arr[r, c]!r} is outside the open support "
                f"({self._lower[c]}, {self._upper[c]}) of marginal {c} ({self._family[c]})"
            )
        return arr

    # ------------------------------------------------------------------ densities and sampling
    def sample(self, n: int, rng: np.random.Generator) -> NDArray[np.float64]:
        """Draw ``n`` independent samples, shape (n, d), using only ``rng``."""
        check_rng(rng)
        n = check_int(n, "n", minimum=0)
        out = np.empty((n, self.d))
        for i, m in enumerate(self.marginals):
            out[:, i] = m.rvs(size=n, random_state=rng)
        return out

    def _per_coord(self, method: str, z: ArrayLike, name: str) -> NDArray[np.float64]:
        arr = as_points(z, self.d, name=name)
        out = np.empty_like(arr)
        for i, m in enumerate(self.marginals):
            out[:, i] = getattr(m, method)(arr[:, i])
        return out

    def log_prob(self, z: ArrayLike) -> NDArray[np.float64]:
        """log p(z) = Σᵢ log pᵢ(zᵢ), shape (n,); ``-inf`` outside the support."""
        return self._per_coord("logpdf", z, "z").sum(axis=1)

    def marginal_log_prob(self, z: ArrayLike) -> NDArray[np.float64]:
        """Per-coordinate log densities log pᵢ(zᵢ), shape (n, d)."""
        return self._per_coord("logpdf", z, "z")

    def cdf(self, z: ArrayLike) -> NDArray[np.float64]:
        """Per-coordinate CDFs Fᵢ(zᵢ), shape (n, d)."""
        return self._per_coord("cdf", z, "z")

    def logcdf(self, z: ArrayLike) -> NDArray[np.float64]:
        """Per-coordinate log-CDFs log Fᵢ(zᵢ), shape (n, d)."""
        return self._per_coord("logcdf", z, "z")

    def logsf(self, z: ArrayLike) -> NDArray[np.float64]:
        """Per-coordinate log-survival functions log(1 − Fᵢ(zᵢ)), shape (n, d)."""
        return self._per_coord("logsf", z, "z")

    def ppf(self, q: ArrayLike) -> NDArray[np.float64]:
        """Per-coordinate quantiles Fᵢ⁻¹(qᵢ), shape (n, d); q must lie in [0, 1]."""
        arr = as_points(q, self.d, name="q")
        if np.any((arr < 0) | (arr > 1)):
            raise ValueError("probabilities q must lie in [0, 1]")
        return self._per_coord("ppf", arr, "q")

    def isf(self, q: ArrayLike) -> NDArray[np.float64]:
        """Per-coordinate inverse survival functions F̄ᵢ⁻¹(qᵢ), shape (n, d)."""
        arr = as_points(q, self.d, name="q")
        if np.any((arr < 0) | (arr > 1)):
            raise ValueError("probabilities q must lie in [0, 1]")
        return self._per_coord("isf", arr, "q")


def check_factorized_prior(prior: Any, name: str = "prior") -> FactorizedPrior:
    """Return ``prior`` if it is a :class:`FactorizedPrior`, else raise ``TypeError``.

    Theorem 1's construction needs the validated marginals of a FactorizedPrior (interval
    supports, continuous CDFs); code that only samples or evaluates densities takes any
    prior-like object instead (``impossibility._validation.check_prior_like``).
    """
    if not isinstance(prior, FactorizedPrior):
        raise TypeError(
            f"{name} must be a FactorizedPrior (e.g. FactorizedPrior([stats.laplace(), "
            f"stats.beta(2, 5)])); got {type(prior).__name__}"
        )
    return prior
