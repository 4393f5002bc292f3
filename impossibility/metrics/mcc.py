"""Mean correlation coefficient (MCC), the identifiability score of nonlinear ICA.

.. math:: \\mathrm{MCC} = \\max_{\\pi} \\frac1M \\sum_{j=1}^{M} |\\rho(z_{\\pi(j)}, y_j)|,
          \\qquad M = \\min(D, K)

The absolute correlations between codes and factors are matched one to one (each code to at
most one factor) so that their sum is largest, by :func:`scipy.optimize.linear_sum_assignment`;
MCC is the mean of the matched correlations. It is 1 exactly when every factor is an affine
(Pearson) or monotone (Spearman) function of its own code, so unlike MIG or DCI it scores a
coordinate-wise monotone reparametrisation of a perfect code as perfect with Spearman
(docs/metrics.md §2.9).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import linear_sum_assignment
from scipy.stats import rankdata

from impossibility._validation import check_choice, check_same_rows

from ._checks import as_codes

__all__ = ["correlation_matrix", "mcc"]

_METHODS = ("pearson", "spearman")


def _standardized(x: np.ndarray, name: str) -> np.ndarray:
    xc = x - x.mean(axis=0)
    norm = np.sqrt((xc * xc).sum(axis=0))
    # a column equal to its mean up to rounding (relative 1e-13 per sample) has no correlation
    flat = np.flatnonzero(norm <= 1e-13 * np.sqrt(x.shape[0]) * np.abs(x).max(axis=0))
    if flat.size:
        raise ValueError(
            f"{name} column(s) {flat.tolist()} are constant over the {x.shape[0]} samples: their "
            "correlation with anything is undefined; drop them first"
        )
    return xc / norm


def correlation_matrix(
    codes: ArrayLike, factors: ArrayLike, *, method: str = "pearson"
) -> np.ndarray:
    """Correlations :math:`\\rho_{jk} = \\rho(z_j, y_k)` between every code and every factor.

    Pearson's correlation of the values, or Spearman's (Pearson's correlation of the ranks,
    ties given their mean rank, as :func:`scipy.stats.spearmanr`). Cost :math:`O(nDK)` (one
    matrix product; plus :math:`O((D+K)\\,n\\log n)` for the ranks).

    Parameters
    ----------
    codes : array_like of shape (n, D)
    factors : array_like of shape (n, K)
        Real-valued factors (integer labels are taken as numbers).
    method : {"pearson", "spearman"}, default="pearson"

    Returns
    -------
    ndarray of shape (D, K)

    Raises
    ------
    TypeError
        If codes or factors are not numeric, or ``method`` is not a string.
    ValueError
        For another shape, non-finite values, mismatched ``n``, ``n < 2``, an unknown
        ``method``, or a constant code or factor (its correlation is undefined).
    """
    method = check_choice(method, "method", _METHODS)
    z = as_codes(codes, "codes")
    y = as_codes(factors, "factors")
    n = check_same_rows(codes=z, factors=y)
    if n < 2:
        raise ValueError(f"a correlation needs at least 2 samples; got n={n}")
    if method == "spearman":
        z, y = rankdata(z, axis=0), rankdata(y, axis=0)
    c = _standardized(z, "codes").T @ _standardized(y, "factors")
    return np.clip(c, -1.0, 1.0)


def mcc(codes: ArrayLike, factors: ArrayLike, *, method: str = "pearson") -> float:
    """Mean absolute correlation of codes and factors under the best one-to-one matching.

    .. math:: \\mathrm{MCC} = \\max_{\\pi} \\frac1M \\sum_{j=1}^{M} |\\rho_{\\pi(j) j}|,
              \\qquad M = \\min(D, K),

    over injective matchings :math:`\\pi` of the :math:`M` factors (or codes, if fewer) to
    codes, with :math:`\\rho` from :func:`correlation_matrix`. The maximum is found exactly by
    the Hungarian algorithm on :math:`-|\\rho|` (:func:`scipy.optimize.linear_sum_assignment`),
    as nonlinear-ICA papers compute it; when :math:`D < K` only :math:`D` factors are matched.
    In :math:`[0, 1]`; invariant to permuting codes, to sign flips and to per-code affine maps
    (Spearman: to any strictly monotone per-code maps).

    Cost: :math:`O(nDK)` for the correlations plus :math:`O(DK\\min(D, K))` for the matching.

    Parameters
    ----------
    codes : array_like of shape (n, D)
    factors : array_like of shape (n, K)
    method : {"pearson", "spearman"}, default="pearson"

    Returns
    -------
    float

    Raises
    ------
    TypeError, ValueError
        As :func:`correlation_matrix`.
    """
    a = np.abs(correlation_matrix(codes, factors, method=method))
    rows, cols = linear_sum_assignment(a, maximize=True)
    return float(a[rows, cols].mean())
