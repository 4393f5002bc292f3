"""Modularity (Ridgeway & Mozer, 2018), as computed by disentanglement_lib.

.. math:: \\mathrm{modularity} = \\frac1D \\sum_{i=1}^D \\Big(1 -
          \\frac{\\sum_k m_{ik}^2 - \\max_k m_{ik}^2}{(K - 1) \\max_k m_{ik}^2}\\Big)

with :math:`m_{ik}` the plug-in mutual information between the histogram-discretised code
:math:`i` and factor :math:`k`. It asks whether each code depends on at most one factor; a
factor spread over several codes is not penalised, so it stays high under many rotations.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._checks import (
    as_codes_and_factors,
    check_num_bins,
)
from ._discretize import discretize
from ._info import mutual_info

__all__ = ["modularity"]


def modularity(codes: ArrayLike, factors: ArrayLike, num_bins: int = 20) -> float:
    """Modularity score: does each code depend on at most one factor?

    With :math:`m_{ik}` the plug-in mutual information (nats) between the histogram-discretised
    code :math:`i` (``num_bins`` equal-width bins, see :func:`histogram_discretize`) and factor
    :math:`k`, and :math:`\\theta_i^2 = \\max_k m_{ik}^2`,

    .. math:: \\delta_i = \\frac{\\sum_k m_{ik}^2 - \\theta_i^2}{\\theta_i^2 (K - 1)}, \\qquad
              \\mathrm{modularity} = \\frac1D \\sum_{i=1}^D (1 - \\delta_i),

    with the term of a code that carries no information (:math:`\\theta_i = 0`, e.g. a constant
    code) set to 0. The mean runs over **all** :math:`D` codes, so uninformative codes pull the
    score down (as in the reference). Uses only this one sample (the reference's training set).

    Modularity looks only at each code separately, so a code mixing factors is penalised but a
    factor spread over many codes is not: it stays high for many rotations (docs/metrics.md §10:
    0.80 for a Haar rotation of 5 independent factors).

    Parameters
    ----------
    codes : array_like of shape (n, D)
    factors : array_like of int, shape (n, K)
        Discrete factors, ``K >= 2``.
    num_bins : int, default=20

    Returns
    -------
    float
        In ``[0, 1]``.

    Raises
    ------
    TypeError
        If codes or factors are not numeric, or ``num_bins`` is not an integer.
    ValueError
        On bad shapes, non-finite codes, non-integer factors, ``n < num_bins`` or ``K < 2``
        (the normalisation :math:`K - 1` vanishes; the reference divides by zero).
    """
    z, y, n = as_codes_and_factors(codes, factors)
    if y.shape[1] < 2:
        raise ValueError(
            f"modularity needs at least 2 factors (it normalises by K - 1); got factors of shape "
            f"{y.shape}"
        )
    num_bins = check_num_bins(num_bins, n)
    m2 = mutual_info(discretize(z, num_bins), y) ** 2
    theta2 = m2.max(axis=1)
    informative = theta2 > 0
    score = np.zeros(z.shape[1])
    delta = (m2[informative].sum(axis=1) - theta2[informative]) / (
        theta2[informative] * (y.shape[1] - 1.0)
    )
    score[informative] = 1.0 - delta
    return float(score.mean())
