"""Mutual Information Gap (Chen et al., 2018), as computed by disentanglement_lib.

.. math:: \\mathrm{MIG} = \\frac1K \\sum_{k=1}^K
          \\frac{I(\\hat z_{(1)}; y_k) - I(\\hat z_{(2)}; y_k)}{H(y_k)}

For each factor :math:`y_k`, the gap between the two histogram-discretised codes
:math:`\\hat z_{(1)}, \\hat z_{(2)}` that carry the most plug-in mutual information about it,
normalised by the factor's entropy, averaged over factors: 1 when each factor is captured by
one code alone.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._checks import (
    as_codes_and_factors,
    check_num_bins,
)
from ._discretize import discretize
from ._info import entropy, mutual_info

__all__ = ["mig"]


def mig(codes: ArrayLike, factors: ArrayLike, num_bins: int = 20) -> float:
    """Mutual Information Gap of a representation.

    With :math:`m_{ik} = I(\\hat z_i; y_k)` the plug-in mutual information (nats) between the
    histogram-discretised code :math:`\\hat z_i` (``num_bins`` equal-width bins between the
    code's observed min and max, see :func:`histogram_discretize`) and the factor :math:`y_k`
    (used as given, not discretised), and :math:`H_k = H(y_k)`,

    .. math:: \\mathrm{MIG} = \\frac1K \\sum_{k=1}^K \\frac{m_{(1)k} - m_{(2)k}}{H_k},

    where :math:`m_{(1)k} \\ge m_{(2)k}` are the two largest entries of column :math:`k`.
    In :math:`[0, 1]`: 1 when each factor is captured by exactly one code and by no other.

    Invariant to permuting codes, to relabelling factor values, and to affine maps
    :math:`z_i \\mapsto a z_i + b`, :math:`a \\ne 0`, of any code (they map the equal-width bins
    onto each other; exact for scalings by powers of two, otherwise up to samples lying within
    rounding of a bin edge). *Not* invariant to nonlinear monotone maps such as
    :math:`\\exp`: the bins are equal-width in the code's own scale, as in the reference.

    Parameters
    ----------
    codes : array_like of shape (n, k)
        Representation, sample-major; ``k >= 2``.
    factors : array_like of int, shape (n, m)
        Discrete ground-truth factors (class labels).
    num_bins : int, default=20
        Histogram bins per code (disentanglement_lib's study value).

    Returns
    -------
    float
        The MIG in ``[0, 1]``. A constant code has zero mutual information with everything.

    Raises
    ------
    TypeError
        If codes or factors are not numeric, or ``num_bins`` is not an integer.
    ValueError
        If shapes disagree, codes are non-finite, factors are not integers, ``k < 2`` (no gap
        to take), ``n < num_bins``, or a factor takes a single value (its entropy is 0 and the
        normalisation is undefined; the reference returns inf/NaN there).
    """
    z, y, n = as_codes_and_factors(codes, factors)
    if z.shape[1] < 2:
        raise ValueError(
            f"MIG needs at least 2 code dimensions (it takes the gap between the two most "
            f"informative codes); got codes of shape {z.shape}"
        )
    num_bins = check_num_bins(num_bins, n)
    h = entropy(y)
    constant = np.flatnonzero(h <= 0.0)
    if constant.size:
        raise ValueError(
            f"factor(s) {constant.tolist()} take a single value over the {n} samples: their "
            "entropy is 0 and MIG's normalisation by H(y_k) is undefined; drop constant factors"
        )
    m = mutual_info(discretize(z, num_bins), y)
    top = np.sort(m, axis=0)[::-1]
    return float(np.mean((top[0] - top[1]) / h))
