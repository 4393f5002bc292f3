"""Linearity and axis alignment of factor traversals (the linearity part of nmichlo/disent's
factored-components metric, Michlo et al.).

.. math:: r(\\lambda) = \\frac{\\max_d \\lambda_d / \\sum_d \\lambda_d - 1/D}{1 - 1/D}, \\qquad
          \\text{axis} = r(\\sigma^2), \\qquad \\text{linear} = r(\\mathrm{eig}\\,\\Sigma)

Along a traversal of one factor (the others held fixed), a code that moves along one axis puts
all its variance on that axis (axis ratio 1); a code that moves along one straight line in any
direction puts all its variance on the first principal axis (linear ratio 1). The axis ratio
never exceeds the linear ratio (the largest variance of a coordinate is at most the largest
eigenvalue); their quotient, the *axis alignment*, separates "straight but rotated" from
"straight and on an axis" (docs/metrics.md §2.14).
"""

from __future__ import annotations

import numpy as np

from impossibility._typing import GroundTruthDataLike, Representation

from .flatness import _traversals

__all__ = ["linearity", "normalised_top_ratio", "traversal_spectra"]

#: disent's guard in axis ratio / linear ratio
_ALIGN_EPS = 1e-20


def normalised_top_ratio(values: np.ndarray) -> np.ndarray:
    """:math:`r = (\\max_d v_d / \\sum_d v_d - 1/D) / (1 - 1/D)` along the last axis, in [0, 1].

    1 when one entry holds everything, 0 when all are equal; 0 (not NaN) for an all-zero row
    (a traversal that does not move the code). Needs ``D >= 2``.
    """
    v = np.asarray(values, dtype=np.float64)
    d = v.shape[-1]
    total = v.sum(axis=-1)
    top = v.max(axis=-1)
    safe = np.where(total > 0, total, 1.0)
    r = np.where(total > 0, (top / safe - 1.0 / d) / (1.0 - 1.0 / d), 0.0)
    return np.clip(r, 0.0, 1.0)  # rounding can leave -1e-17 when all entries are equal


def traversal_spectra(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-axis variances and covariance eigenvalues of traversals ``z`` ``(R, n, D)``.

    .. math:: \\sigma^2_{rd} = \\frac{1}{n-1}\\sum_a (z_{rad} - \\bar z_{rd})^2, \\qquad
              \\lambda_r = \\mathrm{eig}\\Big(\\frac{1}{n-1}(z_r - \\bar z_r)^\\top
              (z_r - \\bar z_r)\\Big)

    both ``(R, D)`` (unbiased, as disent's; the ratios do not depend on the divisor).
    """
    c = z - z.mean(axis=1, keepdims=True)
    cov = np.einsum("rad,rae->rde", c, c) / (z.shape[1] - 1)
    axis = np.einsum("rdd->rd", cov)
    eig = np.clip(np.linalg.eigvalsh(cov), 0.0, None)  # tiny negative eigenvalues from rounding
    return axis, eig


def _geometric_mean(values: list[float]) -> float:
    v = np.asarray(values, dtype=np.float64)
    if np.any(v <= 0):
        return 0.0
    return float(np.exp(np.mean(np.log(v))))


def linearity(
    data: GroundTruthDataLike,
    rep: Representation,
    rng: np.random.Generator,
    *,
    repeats: int = 1024,
) -> dict[str, float]:
    """Axis ratio, linear ratio and axis alignment of ``rep`` along every factor.

    For each factor :math:`f` with at least 2 values: ``repeats`` random traversals over all its
    values (as :func:`~impossibility.metrics.flatness`), and per traversal :math:`r` of the
    per-axis variances (axis ratio) and of the covariance eigenvalues (linear ratio)
    (:func:`normalised_top_ratio`, :func:`traversal_spectra`), and their quotient
    axis / (linear + 1e-20) (alignment). Per factor: the means over repeats, and the axis ratio
    of the mean variance vector. Across factors: the geometric mean, as disent aggregates
    (0 if any factor scores 0). Keys are disent's:

    * ``linearity.axis_ratio.var``, ``linearity.linear_ratio.var``,
      ``linearity.axis_alignment.var``, ``linearity.axis_ratio_ave.var``.

    What is shipped of disent's factored components: this linearity part, which needs only a
    representation function and the ground-truth data. Its distance part (rank and linear
    correlations between factor, code and observation distances of random triplets) compares
    observations by the mean squared error of a reconstruction loss and is not included.
    Differences from disent: a traversal that does not move the code scores 0 where disent
    gives NaN; values agree in distribution (traversals come from ``rng``), float64
    throughout.

    Cost: :math:`\\texttt{repeats}\\sum_f n_f` renderings and encodings, and
    :math:`O(\\texttt{repeats}\\sum_f (n_f D^2 + D^3))` for the spectra.

    Raises
    ------
    TypeError
        For a ``data`` without the ground-truth interface, a non-callable ``rep``, a ``rng``
        that is not a Generator, or a non-integer ``repeats``.
    ValueError
        If ``repeats < 1``, no factor takes two values, the codes have fewer than 2
        dimensions, or they are not finite.
    """
    traversals = _traversals(data, rep, rng, repeats, "linearity")
    per: dict[str, list[float]] = {"axis": [], "linear": [], "alignment": [], "axis_ave": []}
    for _, z in traversals:
        if z.shape[2] < 2:
            raise ValueError(
                "linearity needs codes with at least 2 dimensions (ratios to 1/D); got "
                f"{z.shape[2]}"
            )
        axis_var, eig = traversal_spectra(z)
        axis_r, linear_r = normalised_top_ratio(axis_var), normalised_top_ratio(eig)
        per["axis"].append(float(axis_r.mean()))
        per["linear"].append(float(linear_r.mean()))
        per["alignment"].append(float(np.mean(axis_r / (linear_r + _ALIGN_EPS))))
        per["axis_ave"].append(float(normalised_top_ratio(axis_var.mean(axis=0))))
    return {
        "linearity.axis_ratio.var": _geometric_mean(per["axis"]),
        "linearity.linear_ratio.var": _geometric_mean(per["linear"]),
        "linearity.axis_alignment.var": _geometric_mean(per["alignment"]),
        "linearity.axis_ratio_ave.var": _geometric_mean(per["axis_ave"]),
    }
