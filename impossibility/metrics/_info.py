"""Plug-in mutual information and entropy of discrete labels, for all column pairs at once.

.. math:: I(u; v) = \\sum_{u, v:\\, n_{uv} > 0} \\frac{n_{uv}}{N}
          \\log \\frac{N\\, n_{uv}}{n_u\\, n_v}, \\qquad H(u) = I(u; u)

in nats, for label vectors :math:`u, v` over :math:`N` samples with joint counts :math:`n_{uv}`
and marginal counts :math:`n_u, n_v`: what ``sklearn.metrics.mutual_info_score`` returns and
disentanglement_lib calls for every code-factor pair. scikit-learn's conventions are followed
exactly (term-by-term algebra, epsilon zeroing, clipping at 0, exactly 0 for a single-valued
vector), while all :math:`p \\times q` contingency tables are filled by one ``np.bincount``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from impossibility._validation import check_same_rows

from ._checks import as_factors

__all__ = ["discrete_mutual_info", "discrete_entropy", "compact_labels", "mutual_info", "entropy"]

# Upper bound on the number of int64 entries of the combined-index array built at once.
_CHUNK_ENTRIES = 1 << 22


def compact_labels(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Relabel each column of an integer array to ``0 .. c_j - 1`` (order preserved).

    Returns
    -------
    compact : ndarray of int64, shape (n, m)
    cardinalities : ndarray of int64, shape (m,)
        Number of distinct values :math:`c_j` in each column.
    """
    n, m = labels.shape
    out = np.empty((n, m), dtype=np.int64)
    card = np.empty(m, dtype=np.int64)
    for j in range(m):
        col = labels[:, j]
        lo = int(col.min())
        span = int(col.max()) - lo + 1
        if span <= 4 * n + 1024:
            shifted = col - lo
            present = np.bincount(shifted, minlength=span) > 0
            mapping = np.cumsum(present) - 1
            out[:, j] = mapping[shifted]
            card[j] = int(present.sum())
        else:  # very sparse label values: sort-based
            uniq, inv = np.unique(col, return_inverse=True)
            out[:, j] = inv.reshape(-1)
            card[j] = uniq.size
    return out, card


def _mi_terms(joint: np.ndarray, outer: np.ndarray, total: int) -> np.ndarray:
    """Elementwise MI terms from joint counts and :math:`n_u n_v`; zero counts give 0.

    scikit-learn's algebra, so that the values agree with ``mutual_info_score`` to rounding:
    each term is :math:`p (\\log n_{uv} - \\log N) + p (\\log N + \\log N - \\log(n_u n_v))`
    with :math:`p = n_{uv}/N`, and terms below machine epsilon in absolute value are set to 0.
    """
    joint = joint.astype(np.float64)
    nz = joint > 0
    log_n = np.log(total)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = joint / total
        log_outer = -np.log(outer) + log_n + log_n
        terms = p * (np.log(joint) - log_n) + p * log_outer
    terms = np.where(nz, terms, 0.0)
    terms[np.abs(terms) < np.finfo(np.float64).eps] = 0.0
    return terms


def discrete_mutual_info(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """Plug-in mutual information (nats) between every column of ``a`` and every column of ``b``.

    .. math:: M_{ij} = I(a_{\\cdot i}; b_{\\cdot j}) = \\sum_{u,v} \\frac{n_{uv}}{N}
              \\log\\frac{N n_{uv}}{n_u n_v}

    Parameters
    ----------
    a : array_like of int, shape (n, p)
        Discrete labels (e.g. histogram-discretised codes), sample-major.
    b : array_like of int, shape (n, q)
        Discrete labels (e.g. ground-truth factors).

    Returns
    -------
    ndarray of shape (p, q)
        ``M[i, j]`` agrees with ``sklearn.metrics.mutual_info_score(a[:, i], b[:, j])`` to
        rounding (same term-by-term formula, epsilon zeroing and clipping at 0).

    Raises
    ------
    TypeError
        If ``a`` or ``b`` is not numeric.
    ValueError
        If they are not 2-D, hold non-integer or non-finite labels, or differ in rows.
    """
    a = as_factors(a, "a")
    b = as_factors(b, "b")
    check_same_rows(a=a, b=b)
    return mutual_info(a, b)


def mutual_info(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """:func:`discrete_mutual_info` of validated int64 labels with equal rows (no checks)."""
    # Instead of one contingency table per pair, every column's labels are compacted to
    # 0..c-1, all p x q tables are filled by one np.bincount on combined indices, and the terms
    # are summed per pair block with np.add.reduceat.
    n = a.shape[0]
    ca_lab, ca = compact_labels(a)
    cb_lab, cb = compact_labels(b)
    p, q = ca.size, cb.size
    a_start = np.concatenate([[0], np.cumsum(ca)[:-1]])
    b_start = np.concatenate([[0], np.cumsum(cb)[:-1]])
    size_a, size_b = int(ca.sum()), int(cb.sum())

    b_off = cb_lab + b_start[None, :]  # (n, q) column index into the flat factor axis
    joint = np.zeros(size_a * size_b, dtype=np.int64)
    rows_per_chunk = max(1, _CHUNK_ENTRIES // max(1, n * q))
    for start in range(0, p, rows_per_chunk):
        stop = min(p, start + rows_per_chunk)
        a_off = ca_lab[:, start:stop] + a_start[None, start:stop]  # (n, pc)
        idx = a_off[:, :, None] * size_b + b_off[:, None, :]
        joint += np.bincount(idx.ravel(), minlength=size_a * size_b)
    joint = joint.reshape(size_a, size_b)

    n_a = np.bincount((ca_lab + a_start[None, :]).ravel(), minlength=size_a)
    n_b = np.bincount(b_off.ravel(), minlength=size_b)
    outer = n_a.astype(np.float64)[:, None] * n_b.astype(np.float64)[None, :]
    terms = _mi_terms(joint, outer, n)
    mi = np.add.reduceat(np.add.reduceat(terms, a_start, axis=0), b_start, axis=1)
    mi = np.clip(mi, 0.0, None)
    mi[ca == 1, :] = 0.0
    mi[:, cb == 1] = 0.0
    return mi


def discrete_entropy(labels: ArrayLike) -> np.ndarray:
    """Plug-in entropy (nats) of each column, :math:`H(y) = I(y; y) = -\\sum_v p_v \\log p_v`.

    Parameters
    ----------
    labels : array_like of int, shape (n, m)

    Returns
    -------
    ndarray of shape (m,)
        Equal to ``mutual_info_score(y, y)`` per column (0 for a column with one value).
    """
    return entropy(as_factors(labels, "labels"))


def entropy(y: np.ndarray) -> np.ndarray:
    """:func:`discrete_entropy` of validated int64 labels (no checks)."""
    n = y.shape[0]
    lab, card = compact_labels(y)
    out = np.empty(card.size)
    for j in range(card.size):
        counts = np.bincount(lab[:, j], minlength=int(card[j]))
        counts = counts[counts > 0]
        terms = _mi_terms(counts, counts.astype(np.float64) ** 2, n)
        out[j] = 0.0 if card[j] == 1 else max(0.0, float(terms.sum()))
    return out
