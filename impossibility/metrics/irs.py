"""Interventional Robustness Score (Suter et al., 2019), as computed by disentanglement_lib.

.. math:: \\mathrm{IRS} = \\frac{\\sum_j \\Delta_j \\max_i \\mathrm{IRS}_{ji}}{\\sum_j \\Delta_j},
          \\qquad \\mathrm{IRS}_{ji} = 1 - \\frac{1}{\\Delta_j |V_i|} \\sum_{v \\in V_i}
          Q_q\\big(|z_j - \\mathbb E[z_j \\mid g_i = v]| \\;\\big|\\; g_i = v\\big)

How much a code :math:`z_j` still moves when one (discretised) factor :math:`g_i` is held
fixed and all others vary, relative to how much it moves overall (:math:`\\Delta_j`): a code that
depends on one factor only is robust to interventions on the others (docs/metrics.md §2.7).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from numpy.typing import ArrayLike

from impossibility._validation import check_scalar

from ._checks import as_codes_and_factors, check_num_bins
from ._discretize import discretize

__all__ = ["IRSScores", "irs"]


@dataclasses.dataclass(frozen=True)
class IRSScores:
    """Result of :func:`irs`.

    Attributes
    ----------
    irs : float
        The score in ``[0, 1]`` (0 when every code is constant).
    num_active_dims : int
        Codes with non-zero variance (a count; the reference reports the sum of their values).
    matrix : ndarray of shape (D_active, K)
        :math:`\\mathrm{IRS}_{ji}` of the active codes.
    max_deviations : ndarray of shape (D_active,)
        :math:`\\Delta_j`, the weights of the average.
    """

    irs: float
    num_active_dims: int
    matrix: np.ndarray
    max_deviations: np.ndarray

    def as_dict(self) -> dict[str, float]:
        """``irs`` and ``irs_num_active_dims`` as floats (the keys of the study's records)."""
        return {"irs": self.irs, "irs_num_active_dims": float(self.num_active_dims)}


def _lower_quantile_terms(m: int, q: float) -> tuple[int, int, float]:
    """NumPy's ``method="linear"`` quantile of ``m`` sorted values: indices and weight."""
    virtual = (m - 1) * q
    lo = int(np.floor(virtual))
    hi = min(lo + 1, m - 1)
    return lo, hi, virtual - lo


def _lerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    # the same two-sided interpolation as numpy.quantile, so the result is bit-identical
    return b - (b - a) * (1.0 - t) if t >= 0.5 else a + (b - a) * t


def _group_deviations(z: np.ndarray, g: np.ndarray, q: float) -> np.ndarray:
    """Mean over the values of ``g`` of the per-code ``q``-quantile of within-group deviations."""
    order = np.argsort(g, kind="stable")  # rows of one group stay in their original order
    zs = z[order]
    starts = np.flatnonzero(np.r_[True, g[order][1:] != g[order][:-1]])
    ends = np.r_[starts[1:], g.size]
    total = np.zeros(z.shape[1])
    for s, e in zip(starts, ends, strict=True):
        block = zs[s:e]
        dev = np.abs(block - block.mean(axis=0))
        lo, hi, t = _lower_quantile_terms(e - s, q)
        dev.partition(np.unique([lo, hi]), axis=0)
        total += _lerp(dev[lo], dev[hi], t)
    return total / starts.size


def irs(
    codes: ArrayLike,
    factors: ArrayLike,
    *,
    diff_quantile: float = 0.99,
    num_bins: int | None = 20,
) -> IRSScores:
    """Interventional Robustness Score of a representation.

    With :math:`g_i` factor :math:`i` discretised into ``num_bins`` equal-width bins (as the
    reference does; ``None`` uses the factors as given), :math:`V_i` its observed values, and
    only the codes of non-zero variance kept:

    .. math::
        \\Delta_j = \\max_t |z_{tj} - \\bar z_j|, \\qquad
        \\mathrm{IRS}_{ji} = 1 - \\frac{1}{\\Delta_j |V_i|} \\sum_{v \\in V_i}
        Q_q\\big(\\{|z_{tj} - \\bar z_j^{(v)}| : g_{ti} = v\\}\\big),

    .. math::
        \\mathrm{IRS} = \\sum_j \\Delta_j \\max_i \\mathrm{IRS}_{ji} \\Big/ \\sum_j \\Delta_j,

    where :math:`\\bar z_j^{(v)}` is the mean of code :math:`j` over the points with
    :math:`g_i = v` and :math:`Q_q` NumPy's linearly interpolated quantile at
    ``q = diff_quantile`` (0.99 is the reference's default, 1.0 the paper's maximum). Every value
    of a factor counts once, whatever its frequency. The score is 0 when all codes are constant
    (the reference's convention). Independent noise does not score 0 at ``q = 0.99``: for a
    Gaussian code the within-group 99% deviation is about 2.6 standard deviations while
    :math:`\\Delta_j` is the sample maximum (about 3.5 at :math:`n = 4000`), so noise scores about
    0.3; :math:`\\mathrm{IRS}_{ji}` itself can be slightly negative. Equal to ``compute_irs`` of
    disentanglement_lib on the same arrays to 1 ulp (tests/metrics/test_irs.py).

    Cost: :math:`O(K\\,n\\log n + K n D)` time (one stable sort of the rows per factor, one
    partition per factor value), :math:`O(nD)` memory.

    Parameters
    ----------
    codes : array_like of shape (n, D)
        Representation, sample-major.
    factors : array_like of int, shape (n, K)
        Ground-truth factors (class labels).
    diff_quantile : float, default=0.99
        Quantile of the within-group deviations, in ``(0, 1]``.
    num_bins : int or None, default=20
        Histogram bins for the factors; ``None`` skips their discretisation.

    Returns
    -------
    IRSScores

    Raises
    ------
    TypeError
        If codes or factors are not numeric, or ``num_bins`` is not an integer.
    ValueError
        If shapes disagree, codes are non-finite, factors are not integers, ``diff_quantile``
        is outside ``(0, 1]``, or ``n < num_bins``.
    """
    z, y, n = as_codes_and_factors(codes, factors)
    q = check_scalar(diff_quantile, "diff_quantile", minimum=0.0, maximum=1.0, include_min=False)
    g = y if num_bins is None else discretize(y.astype(np.float64), check_num_bins(num_bins, n))
    active = z.var(axis=0) > 0.0
    z = z[:, active]
    if not active.any():
        return IRSScores(0.0, 0, np.zeros((0, y.shape[1])), np.zeros(0))
    # the mean of each code over contiguous memory (pairwise summation), as the reference's
    # code-major array has it: the same rounding, hence the same bits
    max_dev = np.max(np.abs(z - np.asfortranarray(z).mean(axis=0)), axis=0)
    cum = np.column_stack([_group_deviations(z, g[:, i], q) for i in range(g.shape[1])])
    matrix = 1.0 - cum / max_dev[:, None]
    per_code = matrix.max(axis=1)
    score = np.average(per_code, weights=max_dev)
    return IRSScores(float(score), int(active.sum()), matrix, max_dev)
