"""SciPy's random-variable objects (``scipy.stats.Normal``, ``make_distribution``, ``Mixture``, …).

SciPy ≥ 1.15 has a second interface for distributions: objects with ``logcdf``, ``logccdf``,
``icdf``, ``iccdf``, ``ilogcdf``, ``ilogccdf``, ``logpdf``, ``support()`` and ``sample``. They are
recognised by these methods (not by a base class, which is private to SciPy). A recognised
closed-form family (normal, uniform, logistic, Laplace, Cauchy, exponential, also shifted and
scaled) becomes the equivalent frozen ``rv_continuous``, so the package's closed forms take over
where SciPy's generic routes lose the tail (``make_distribution(stats.laplace)().logcdf(-800)`` is
NaN); any other one is wrapped by :class:`RandomVariableMarginal`, which speaks the frozen
interface (``logsf`` is ``logccdf``, ``ppf`` is ``icdf``, ``rvs`` is ``sample``).
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import numpy as np
from scipy import stats

__all__ = ["RandomVariableMarginal", "as_marginal", "is_random_variable"]

#: The methods a SciPy random variable must have to serve as a marginal.
METHODS = ("logpdf", "cdf", "logcdf", "logccdf", "icdf", "iccdf", "ilogcdf", "ilogccdf")
METHODS = METHODS + ("support", "median", "sample")
# names in SciPy's reprs → (frozen family, how to read (loc, scale) from the object)
_STANDARD = {"Laplace": "laplace", "Logistic": "logistic", "Cauchy": "cauchy"}
_STANDARD |= {"Exponential": "expon", "StandardNormal": "norm"}


def is_random_variable(obj: Any) -> bool:
    """Whether ``obj`` looks like a SciPy random variable (it has one of the new methods)."""
    return any(callable(getattr(obj, m, None)) for m in ("icdf", "logccdf", "ilogcdf"))


def _label(rv: Any) -> str:
    """The distribution's name as SciPy prints it (``Gamma``, ``Mixture``, …)."""
    match = re.match(r"\s*([A-Za-z_]\w*)\s*\(", repr(rv))
    return match.group(1) if match else type(rv).__name__


def _recognise(rv: Any) -> Any | None:
    """The equivalent frozen closed-form law of ``rv``, or None."""
    name = _label(rv)
    loc, scale = 0.0, 1.0
    base = rv
    if type(rv).__name__ == "ShiftedScaledDistribution":  # a·X + b of a recognisable X
        base = getattr(rv, "_dist", None)
        loc, scale = float(np.asarray(rv.loc)), float(np.asarray(rv.scale))
        if base is None or not scale > 0:
            return None
        name = _label(base)
    text = " ".join(repr(base).split())
    if name == "Normal":
        frozen = stats.norm(float(base.mu), float(base.sigma))
    elif name == "Uniform":
        frozen = stats.uniform(float(base.a), float(base.b) - float(base.a))
    elif name in _STANDARD and text == f"{name}()":
        frozen = getattr(stats, _STANDARD[name])()
    else:
        return None
    if base is not rv:
        _, l0, s0 = frozen.dist._parse_args(*frozen.args, **frozen.kwds)
        frozen = frozen.dist(loc + scale * l0, scale * s0)  # families without shapes
    # the same law at a few interior points, or not recognised after all
    x = frozen.ppf([0.1, 0.3, 0.5, 0.8])
    with np.errstate(all="ignore"):
        same = np.allclose(rv.logpdf(x), frozen.logpdf(x), rtol=1e-10, atol=1e-12)
        same = same and np.allclose(rv.cdf(x), frozen.cdf(x), rtol=1e-10, atol=1e-12)
    return frozen if same else None


class RandomVariableMarginal:
    """A SciPy random variable seen through the frozen ``rv_continuous`` interface.

    ``logcdf``/``logsf``/``ppf``/``isf``/``rvs`` call ``logcdf``/``logccdf``/``icdf``/``iccdf``/
    ``sample`` of ``rv``; ``dist.name`` is SciPy's printed name (``Gamma``, ``Mixture``), which
    never collides with a frozen family's, so no closed form is applied to it by mistake.
    """

    args: tuple = ()
    kwds: dict = {}

    def __init__(self, rv: Any):
        self.rv = rv
        self.dist = SimpleNamespace(name=_label(rv))

    def logpdf(self, x):
        return self.rv.logpdf(x)

    def pdf(self, x):
        return self.rv.pdf(x)

    def cdf(self, x):
        return self.rv.cdf(x)

    def sf(self, x):
        return self.rv.ccdf(x)

    def logcdf(self, x):
        return self.rv.logcdf(x)

    def logsf(self, x):
        return self.rv.logccdf(x)

    def ppf(self, q):
        return self.rv.icdf(q)

    def isf(self, q):
        return self.rv.iccdf(q)

    def rvs(self, size=None, random_state=None):
        return np.asarray(self.rv.sample(() if size is None else size, rng=random_state))

    def support(self):
        return tuple(float(v) for v in self.rv.support())

    def median(self):
        return float(self.rv.median())

    def mean(self):
        return float(self.rv.mean())

    def std(self):
        return float(self.rv.standard_deviation())

    def var(self):
        return float(self.rv.variance())

    def __repr__(self) -> str:
        text = " ".join(repr(self.rv).split())  # Mixture prints over several lines
        text = re.sub(r"([(\[]) ", r"\1", text).replace(" ]", "]").replace(" )", ")")
        return text.replace(",]", "]").replace(",)", ")")


def as_marginal(i: int, rv: Any) -> Any:
    """A SciPy random variable as a marginal: its frozen closed-form twin, or a wrapper.

    Raises ``TypeError`` (naming marginal ``i`` and the missing method) for an object that has
    only part of the interface, is not scalar, or is discrete.
    """
    for method in METHODS:
        if not callable(getattr(rv, method, None)):
            raise TypeError(
                f"marginal {i} ({type(rv).__name__}) looks like a SciPy random variable but has "
                f"no .{method}(); expected a scalar continuous one such as stats.Normal() or "
                "stats.make_distribution(stats.gamma)(a=2), or a frozen distribution such as "
                "stats.norm()"
            )
    try:
        med = np.asarray(rv.median(), dtype=float)
        dens = np.asarray(rv.logpdf(med), dtype=float)
    except (NotImplementedError, TypeError, ValueError, AttributeError) as exc:
        raise TypeError(
            f"marginal {i} ({_label(rv)}) has no density ({exc}): Theorem 1 needs a continuous "
            "distribution (a discrete one such as stats.Binomial has atoms)"
        ) from exc
    if not np.all(np.isfinite(dens)) and callable(getattr(rv, "pmf", None)):
        with np.errstate(all="ignore"):
            atom = np.all(np.asarray(rv.pmf(med), dtype=float) > 0)
        if atom:
            raise TypeError(
                f"marginal {i} ({_label(rv)}) is discrete: Theorem 1 needs a continuous CDF "
                "(no atoms), since F(z) must be uniform on (0, 1)"
            )
    if med.shape != () or dens.shape != ():
        raise TypeError(
            f"marginal {i} ({_label(rv)}) has parameters of shape {med.shape}: give one scalar "
            "random variable per coordinate"
        )
    return _recognise(rv) or RandomVariableMarginal(rv)
