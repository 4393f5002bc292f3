"""Equal-width histogram discretisation of codes, as in disentanglement_lib.

.. math:: e_j = a + j\\,\\frac{b - a}{B}, \\quad j = 0, \\dots, B, \\qquad
          \\ell(x) = \\#\\{ j \\in \\{1, \\dots, B-1\\} : e_j \\le x \\}

Each code (column) is discretised on its own into :math:`B` = ``num_bins`` bins between its
observed minimum :math:`a` and maximum :math:`b` (edges by NumPy's ``linspace``, exactly as
``np.histogram`` builds them; a constant column uses :math:`a \\pm 1/2` and gets one label):
bin :math:`j` collects :math:`e_j \\le x < e_{j+1}` and the last bin also the maximum. The
reference's ``np.digitize(x, np.histogram(x, B)[1][:-1])`` labels bins ``1..B``; we return
``0..B-1`` as ``int64`` (labels are categories, so every metric is unchanged), in float64
whatever the input dtype.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from impossibility._validation import check_int

from ._checks import as_codes

__all__ = ["histogram_discretize", "histogram_bin_edges", "bin_edges", "discretize"]


def histogram_bin_edges(codes: ArrayLike, num_bins: int = 20) -> np.ndarray:
    """Per-code equal-width bin edges between the observed extremes.

    Parameters
    ----------
    codes : array_like of shape (n, k)
        Codes, sample-major.
    num_bins : int, default=20
        Number of bins :math:`B`.

    Returns
    -------
    ndarray of shape (num_bins + 1, k)
        Column ``i`` equals ``np.histogram_bin_edges(codes[:, i], num_bins)`` bit for bit.
    """
    return bin_edges(as_codes(codes), check_int(num_bins, "num_bins", minimum=1))


def bin_edges(x: np.ndarray, num_bins: int) -> np.ndarray:
    """:func:`histogram_bin_edges` of validated float64 codes ``x`` (no checks)."""
    lo = x.min(axis=0)
    hi = x.max(axis=0)
    const = lo == hi
    lo = np.where(const, lo - 0.5, lo)
    hi = np.where(const, hi + 0.5, hi)
    edges = np.empty((num_bins + 1, x.shape[1]))
    # One linspace per column: NumPy switches arithmetic when any step underflows to zero, so a
    # single vectorised call could round other columns differently from np.histogram.
    for i in range(x.shape[1]):
        edges[:, i] = np.linspace(lo[i], hi[i], num_bins + 1)
    return edges


def histogram_discretize(codes: ArrayLike, num_bins: int = 20) -> np.ndarray:
    """Discretise every code into ``num_bins`` equal-width bins between its min and max.

    Parameters
    ----------
    codes : array_like of shape (n, k)
        Finite codes, sample-major.
    num_bins : int, default=20
        Number of bins :math:`B` (20 in every disentanglement_lib study configuration).

    Returns
    -------
    ndarray of int64, shape (n, k)
        Labels in ``0 .. num_bins - 1``: label :math:`j` means :math:`e_j \\le x < e_{j+1}`
        (the maximum goes to the last bin). Identical to the reference's labels minus one.

    Raises
    ------
    TypeError
        If ``codes`` is not numeric or ``num_bins`` is not an integer.
    ValueError
        If ``codes`` is not 2-D or contains NaN or infinity, or ``num_bins < 1``.
    """
    return discretize(as_codes(codes), check_int(num_bins, "num_bins", minimum=1))


def discretize(x: np.ndarray, num_bins: int) -> np.ndarray:
    """:func:`histogram_discretize` of validated float64 codes ``x`` (no checks)."""
    edges = bin_edges(x, num_bins)
    out = np.empty(x.shape, dtype=np.int64)
    for i in range(x.shape[1]):
        # np.digitize(x, e[:-1]) - 1 == searchsorted(e[1:-1], x, side="right")
        out[:, i] = np.searchsorted(edges[1:-1, i], x[:, i], side="right")
    return out
