r"""Search over twins for the lowest and highest score: Haar starts, then Givens pattern search.

.. math:: \underline s=\min_{A\in O(d)} s(A),\qquad \overline s=\max_{A\in O(d)} s(A),
          \qquad A\leftarrow G_{ij}(\pm\theta)\,A

A twin is an orthogonal matrix :math:`A` (acting on the twin's Gaussian latent); ``score(A)``
evaluates a metric on the twin's codes. The search evaluates a few starts (the model itself,
the orthogonal Procrustes alignment of the codes with the factors, Haar-random rotations), then,
separately for the minimum and the maximum, from the best start: a coordinate pattern search over
the Givens planes :math:`(i, j)` in an order drawn from ``rng``, trying :math:`\pm\theta` in each
plane and keeping any strict improvement; a sweep without one halves :math:`\theta`. Histogram
scores (MIG, modularity) and classifier accuracies (SAP) are piecewise constant in the angle, so
a derivative-free step is used rather than a line search that assumes smoothness. Rotating on the
left makes the search equivariant: for codes :math:`zQ^\top` every start that does not depend on
``rng`` and every move is the same twin. The values found bound the true range from inside.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable, Protocol

import numpy as np
from scipy import stats

from impossibility._typing import Array

__all__ = [
    "ScorerLike",
    "SearchResult",
    "search_extremes",
    "haar_starts",
    "procrustes_alignment",
    "givens",
]

#: First angle of the pattern search; a quarter turn maps the axes onto each other (a signed
#: permutation, to which the scores are invariant), so π/8 is half the distinct range.
FIRST_STEP = math.pi / 8
#: Smallest angle tried: below it a 2,000-row sample moves by less than one bin edge.
MIN_STEP = math.pi / 2048


@dataclasses.dataclass(frozen=True)
class SearchResult:
    """Extremes found by :func:`search_extremes`: values, twins and evaluations spent."""

    lowest: float
    lowest_twin: Array
    highest: float
    highest_twin: Array
    evaluations: int
    start_values: dict[str, float]


def givens(d: int, i: int, j: int, theta: float) -> Array:
    """The rotation by ``theta`` in the plane of coordinates ``i < j``."""
    g = np.eye(d)
    c, s = math.cos(theta), math.sin(theta)
    g[i, i] = g[j, j] = c
    g[i, j], g[j, i] = -s, s
    return g


def haar_starts(d: int, count: int, rng: np.random.Generator) -> list[Array]:
    """``count`` Haar-random orthogonal d × d matrices from ``rng``."""
    return [np.atleast_2d(stats.ortho_group.rvs(d, random_state=rng)) for _ in range(count)]


def procrustes_alignment(codes: Array, factors: Array) -> Array:
    r"""The orthogonal :math:`A` minimising :math:`\|zA^\top - T\|_F`, T the standardised factors.

    :math:`T` holds the factors, centred and scaled to unit variance, in its first
    :math:`\min(K, d)` columns and zeros after; with :math:`z^\top T = USV^\top`,
    :math:`A = VU^\top`. Equivariant: codes :math:`zQ^\top` give :math:`AQ^\top`, the same twin.
    """
    z = codes - codes.mean(axis=0)
    d = z.shape[1]
    y = factors[:, :d].astype(np.float64)
    sd = y.std(axis=0)
    target = np.zeros_like(z)
    target[:, : y.shape[1]] = (y - y.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    u, _, vt = np.linalg.svd(z.T @ target)
    return vt.T @ u.T


class ScorerLike(Protocol):
    """What the search needs of a metric: a value at a twin, and at a twin one move away."""

    def start(self, a: Array) -> tuple[float, Any]: ...

    def move(self, a: Array, state: Any, i: int, j: int) -> tuple[float, Any]: ...


def _pattern_search(
    scorer: ScorerLike,
    a: Array,
    value: float,
    state: Any,
    sign: float,
    budget: int,
    rng: np.random.Generator,
    tick: Callable[[], None],
) -> tuple[Array, float, int]:
    d = a.shape[0]
    planes = [(i, j) for i in range(d) for j in range(i + 1, d)]
    spent, step = 0, FIRST_STEP
    while spent < budget and step >= MIN_STEP:
        improved = False
        for p in rng.permutation(len(planes)):
            i, j = planes[p]
            for theta in (step, -step):
                if spent >= budget:
                    break
                b = givens(d, i, j, theta) @ a
                v, new_state = scorer.move(b, state, i, j)
                spent += 1
                tick()
                if sign * (v - value) > 0:
                    a, value, state, improved = b, v, new_state, True
                    break
        if not improved:
            step /= 2
    return a, value, spent


def search_extremes(
    scorer: ScorerLike,
    starts: dict[str, Array],
    budget: int,
    rng: np.random.Generator,
    tick: Callable[[], None] = lambda: None,
) -> SearchResult:
    """Lowest and highest score over twins, in at most ``budget`` evaluations.

    Parameters
    ----------
    scorer : ScorerLike
        ``start(A) -> (value, state)`` and ``move(A, state, i, j) -> (value, state)``
        (``impossibility.auditing.scoring.Scorer``).
    starts : dict of str to ndarray
        Named starting twins, evaluated first (one evaluation each).
    budget : int
        Total evaluations, starts included; the rest is split evenly between the downhill and the
        uphill search (downhill gets the odd one). A larger budget continues the same sequence of
        moves, so the interval found can only widen.
    rng : numpy.random.Generator
        Order of the planes.
    tick : callable, optional
        Called after every evaluation (progress bars).
    """
    if budget < len(starts) + 2:
        raise ValueError(
            f"budget = {budget} is too small: the {len(starts)} starts and at least one step "
            f"downhill and uphill need {len(starts) + 2} metric evaluations"
        )
    values, states = {}, {}
    for name, a in starts.items():
        values[name], states[name] = scorer.start(a)
        tick()
    names = list(starts)
    lo, hi = min(names, key=values.__getitem__), max(names, key=values.__getitem__)
    rest = budget - len(starts)
    rng_low, rng_high = rng.spawn(2)
    a_lo, v_lo, n_lo = _pattern_search(
        scorer, starts[lo], values[lo], states[lo], -1.0, rest - rest // 2, rng_low, tick
    )
    a_hi, v_hi, n_hi = _pattern_search(
        scorer, starts[hi], values[hi], states[hi], 1.0, rest // 2, rng_high, tick
    )
    return SearchResult(v_lo, a_lo, v_hi, a_hi, len(starts) + n_lo + n_hi, values)
