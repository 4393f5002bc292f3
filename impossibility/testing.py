"""Hypothesis strategies for property-testing maps against factorized priors.

Use them to test your own prior-preserving maps the way the package tests its own::

    from hypothesis import given
    from impossibility.testing import priors, entangling_rotations

    @given(prior=priors(max_d=6), data=st.data())
    def test_my_map(prior, data):
        A = data.draw(entangling_rotations(prior.d))
        ...

Needs the ``test`` extra (``pip install "impossibility[test]"``) for :mod:`hypothesis`.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "impossibility.testing needs hypothesis: pip install 'impossibility[test]'"
    ) from exc

from scipy import stats

from .entangle import random_entangling_rotation
from .families import FAMILY_EXAMPLES
from .priors import FactorizedPrior

__all__ = [
    "FAMILIES",
    "FAMILY_EXAMPLES",
    "marginals",
    "priors",
    "dimensions",
    "seeds",
    "entangling_rotations",
    "points",
]

_loc = st.floats(-3.0, 3.0, allow_nan=False)
_scale = st.floats(0.1, 10.0, allow_nan=False)


def _shape(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False)


#: Families with their parameter strategies: name → strategy of frozen distributions. Shape
#: parameters are kept where SciPy's own CDF/quantile functions are accurate to near machine
#: precision (docs/theory.md §7.2).
FAMILIES: dict[str, st.SearchStrategy[Any]] = {
    "norm": st.builds(stats.norm, _loc, _scale),
    "laplace": st.builds(stats.laplace, _loc, _scale),
    "logistic": st.builds(stats.logistic, _loc, _scale),
    "cauchy": st.builds(stats.cauchy, _loc, _scale),
    "uniform": st.builds(stats.uniform, _loc, _scale),
    "expon": st.builds(stats.expon, _loc, _scale),
    "gamma": st.builds(stats.gamma, _shape(0.5, 10.0), _loc, _scale),
    "beta": st.builds(stats.beta, _shape(0.5, 8.0), _shape(0.5, 8.0), _loc, _scale),
    "lognorm": st.builds(stats.lognorm, _shape(0.2, 1.5), _loc, _scale),
    "gumbel_r": st.builds(stats.gumbel_r, _loc, _scale),
    "weibull_min": st.builds(stats.weibull_min, _shape(0.5, 5.0), _loc, _scale),
    "t": st.builds(stats.t, _shape(1.5, 30.0), _loc, _scale),
    "triang": st.builds(stats.triang, _shape(0.05, 0.95), _loc, _scale),
    # |a| ≤ 1.5: SciPy's skewnorm CDF is Φ(x) − 2T(x, a), which cancels in the light tail; at
    # |a| = 3 the round trip at the 1e-12 quantile loses 1e-7 relative, at 1.5 it keeps 2e-9
    "skewnorm": st.builds(stats.skewnorm, _shape(-1.5, 1.5), _loc, _scale),
}


def marginals(families: list[str] | None = None) -> st.SearchStrategy[Any]:
    """A frozen scipy.stats continuous distribution from ``families`` (default: all of FAMILIES)."""
    names = list(FAMILIES) if families is None else families
    unknown = set(names) - set(FAMILIES)
    if unknown:
        raise ValueError(f"unknown families {sorted(unknown)}; available: {sorted(FAMILIES)}")
    return st.one_of([FAMILIES[n] for n in names])


def dimensions(min_d: int = 2, max_d: int = 16) -> st.SearchStrategy[int]:
    """Dimensions d in [min_d, max_d]."""
    return st.integers(min_d, max_d)


def priors(
    *, min_d: int = 2, max_d: int = 16, families: list[str] | None = None, iid: bool | None = None
) -> st.SearchStrategy[FactorizedPrior]:
    """Factorized priors with mixed (or, with ``iid=True``, identical) marginals per coordinate."""

    @st.composite
    def build(draw: Callable) -> FactorizedPrior:
        d = draw(dimensions(min_d, max_d))
        same = draw(st.booleans()) if iid is None else iid
        if same:
            return FactorizedPrior.iid(draw(marginals(families)), d)
        return FactorizedPrior([draw(marginals(families)) for _ in range(d)])

    return build()


def seeds() -> st.SearchStrategy[int]:
    """Seeds for :func:`numpy.random.default_rng`."""
    return st.integers(0, 2**32 - 1)


def entangling_rotations(d: int, *, proper: bool | None = None) -> st.SearchStrategy[np.ndarray]:
    """Haar-random orthogonal d×d matrices with every |A_ij| ≥ ½ d^(-5/2).

    See :func:`~impossibility.entangle.random_entangling_rotation`.
    """
    return st.builds(
        lambda seed, prop: random_entangling_rotation(d, np.random.default_rng(seed), proper=prop),
        seeds(),
        st.booleans() if proper is None else st.just(proper),
    )


def points(
    prior: FactorizedPrior, n: int, *, lo: float = 1e-6, hi: float = 1 - 1e-6
) -> st.SearchStrategy[np.ndarray]:
    """n points whose coordinates lie between the quantiles ``lo`` and ``hi`` of each marginal."""

    def make(seed: int) -> np.ndarray:
        q = np.random.default_rng(seed).uniform(lo, hi, size=(n, prior.d))
        return prior.ppf(q)

    return st.builds(make, seeds())
