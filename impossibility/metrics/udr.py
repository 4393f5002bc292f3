"""Unsupervised Disentanglement Ranking (UDR; Duan et al., 2020), as in disentanglement_lib.

.. math:: \\mathrm{UDR}_b = \\operatorname{median}_{a \\ne b} \\mathrm{RS}(R^{ab}),

.. math:: \\mathrm{RS}(R) = \\tfrac12\\Big(\\frac1{D_b}\\sum_j
          \\frac{\\max_i R_{ij}^2}{\\sum_i R_{ij}} + \\frac1{D_a}\\sum_i
          \\frac{\\max_j R_{ij}^2}{\\sum_j R_{ij}}\\Big)

Models trained on the same data with different seeds should agree, up to permutation and sign,
on a disentangled representation and disagree on entangled ones. For every ordered pair of
models :math:`(a, b)` a similarity matrix :math:`R^{ab}` between their latents (absolute Lasso
coefficients or absolute Spearman correlations) is scored by its *relative strength*
:math:`\\mathrm{RS}` — 1 when it is a permutation matrix — and model :math:`b` gets the median
over the other models. No ground truth is used (docs/metrics.md §3.1).
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import rankdata

from impossibility._validation import check_choice, check_scalar

from ._checks import as_codes

__all__ = ["UDRScores", "relative_strength", "udr"]

# coordinate-descent sweeps of the Lasso; each costs O(D^2) flops, and the well-conditioned Gram
# matrices of standardised codes converge in a few dozen
_MAX_SWEEPS = 10_000


@dataclasses.dataclass(frozen=True)
class UDRScores:
    """Result of :func:`udr`.

    Attributes
    ----------
    model_scores : ndarray of shape (M,)
        :math:`\\mathrm{UDR}_b` of each model, in ``[0, 1]``.
    pairwise : ndarray of shape (M, M)
        :math:`\\mathrm{RS}(R^{ab})` at ``[a, b]`` (0 on the diagonal, which is not computed).
    correlations : list of list of ndarray
        ``correlations[a][b]`` is :math:`R^{ab}` of shape ``(D_a, D_b)`` before the KL filter
        (``None`` on the diagonal).
    """

    model_scores: np.ndarray
    pairwise: np.ndarray
    correlations: list[list[np.ndarray | None]]


def relative_strength(r: ArrayLike) -> float:
    """Relative strength of a non-negative similarity matrix :math:`R` (D_a, D_b).

    .. math:: \\mathrm{RS}(R) = \\tfrac12\\Big(\\operatorname{mean}_j
              \\frac{\\max_i R_{ij}^2}{\\sum_i R_{ij}} + \\operatorname{mean}_i
              \\frac{\\max_j R_{ij}^2}{\\sum_j R_{ij}}\\Big),

    an all-zero row or column contributing 0 (the reference's convention). For a matrix with
    entries in ``[0, 1]``: 1 for a permutation matrix, :math:`1/D` for an all-ones matrix.
    """
    r = np.asarray(r, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        cols = np.nan_to_num(r.max(axis=0) ** 2 / r.sum(axis=0)) if r.shape[0] else np.zeros(0)
        rows = np.nan_to_num(r.max(axis=1) ** 2 / r.sum(axis=1)) if r.shape[1] else np.zeros(0)
    # an empty side (every latent of one model filtered out) scores 0, not NaN
    x = float(cols.mean()) if cols.size else 0.0
    y = float(rows.mean()) if rows.size else 0.0
    return (x + y) / 2


def _standardize(z: np.ndarray) -> np.ndarray:
    # scikit-learn's StandardScaler, whose rounding the reference's numbers carry
    from sklearn.preprocessing import StandardScaler

    return StandardScaler().fit_transform(z)


def _centred_ranks(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranks of each latent (ties: mean rank) minus their mean, and their norms."""
    r = rankdata(z, axis=0)
    r -= r.mean(axis=0)
    return r, np.sqrt((r * r).sum(axis=0))


def _spearman(ra: tuple[np.ndarray, np.ndarray], rb: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        c = (ra[0].T @ rb[0]) / np.outer(ra[1], rb[1])
    # entries of constant latents (undefined) are 0 here; udr refuses them unless filtered out
    return np.abs(np.clip(np.nan_to_num(c, nan=0.0, posinf=0.0, neginf=0.0), -1.0, 1.0))


def _lasso(gram: np.ndarray, cross: np.ndarray, n: int, alpha: float) -> np.ndarray:
    """|W| of the Lasso :math:`\\min_W \\frac1{2n}\\|Y - XW\\|^2 + \\alpha\\|W\\|_1` of centred data
    from :math:`G = X^\\top X` and :math:`C = X^\\top Y`, by cyclic coordinate descent (the
    algorithm of scikit-learn's ``Lasso``) on all targets at once, to a relative change of 1e-13.

    :math:`G` is shared by the :math:`M - 1` fits of one model, so a sweep costs
    :math:`O(D_a^2 D_b)` whatever :math:`n`.
    """
    w = np.zeros_like(cross)
    diag = np.diag(gram)
    threshold = n * alpha
    for _ in range(_MAX_SWEEPS):
        change = 0.0
        for j in range(gram.shape[0]):
            if diag[j] == 0.0:  # a zeroed latent never enters
                continue
            rho = cross[j] - gram[j] @ w + diag[j] * w[j]
            new = np.sign(rho) * np.maximum(np.abs(rho) - threshold, 0.0) / diag[j]
            change = max(change, float(np.max(np.abs(new - w[j]))))
            w[j] = new
        if change <= 1e-13 * max(1.0, float(np.max(np.abs(w)))):
            break
    return np.abs(w)


def _check_inputs(
    representations: Sequence[ArrayLike], kl: Sequence[ArrayLike] | None
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    if isinstance(representations, np.ndarray) or not isinstance(representations, Sequence):
        raise TypeError(
            "representations must be a list of (n, D) code arrays, one per model; got "
            f"{type(representations).__name__}"
        )
    reps = [as_codes(z, f"representations[{m}]") for m, z in enumerate(representations)]
    if len(reps) < 2:
        raise ValueError(f"UDR compares models: give at least 2 representations; got {len(reps)}")
    ns = {z.shape[0] for z in reps}
    if len(ns) != 1:
        raise ValueError(
            "every representation must encode the same points (same n); got n = "
            f"{[z.shape[0] for z in reps]}"
        )
    if ns.pop() < 3:
        raise ValueError(f"UDR needs at least 3 points; got n = {reps[0].shape[0]}")
    if kl is None:
        return reps, [np.ones(z.shape[1]) for z in reps]
    if len(kl) != len(reps):
        raise ValueError(f"kl must have one vector per model ({len(reps)}); got {len(kl)}")
    kls = []
    for m, (k, z) in enumerate(zip(kl, reps, strict=True)):
        k = as_codes(np.asarray(k, dtype=float)[None, :], f"kl[{m}]")[0]
        if k.shape != (z.shape[1],):
            raise ValueError(
                f"kl[{m}] must have one entry per latent ({z.shape[1]}); got shape {k.shape}"
            )
        kls.append(k)
    return reps, kls


def udr(
    representations: Sequence[ArrayLike],
    kl: Sequence[ArrayLike] | None = None,
    *,
    correlation: str = "lasso",
    filter_low_kl: bool = True,
    kl_threshold: float = 0.01,
    alpha: float = 0.1,
) -> UDRScores:
    """UDR of each of several models from their codes of the same points.

    Every model's codes are standardised (mean 0, population standard deviation 1; a constant
    latent stays 0) and latents with mean KL to the prior at most 0.01 nats are set to 0 (the
    reference's fixed cut-off). For each ordered pair :math:`a \\ne b`:

    * ``"lasso"``: :math:`R^{ab} = |W|`, with :math:`W` (D_a, D_b) the coefficients of the
      Lasso of scikit-learn's ``Lasso(alpha)`` regressing model :math:`b`'s codes on model
      :math:`a`'s, :math:`\\min_W \\frac1{2n}\\|Z_b - Z_a W\\|^2 + \\alpha\\|W\\|_1` (with
      intercept; the objective is strictly convex when :math:`Z_a^\\top Z_a` is invertible, so
      the optimum is unique);
    * ``"spearman"``: :math:`R^{ab}_{ij} = |\\rho_S(z^a_i, z^b_j)|`;

    then latents with KL at most ``kl_threshold`` are removed from the rows (model a) and
    columns (model b) if ``filter_low_kl``, and

    .. math:: \\mathrm{UDR}_b = \\operatorname{median}_{a \\ne b} \\mathrm{RS}(R^{ab})

    with :func:`relative_strength`. Defaults are ``compute_udr_sklearn``'s. Equal to
    disentanglement_lib's scores: Spearman to rounding; Lasso to scikit-learn's stopping
    tolerance (its coordinate descent stops at a dual gap of 1e-4 relative to
    :math:`\\|Z_b\\|^2`, ours at a relative step of 1e-13 on the shared Gram matrix
    :math:`Z_a^\\top Z_a`: same algorithm and optimum, stopped later; tests/metrics/test_udr.py).

    Cost: :math:`M` standardisations and Gram matrices, :math:`O(MnD^2)`; then for each of the
    :math:`M(M-1)` pairs :math:`O(nD^2)` for :math:`Z_a^\\top Z_b` and :math:`O(D^2)` per
    coordinate-descent sweep (Lasso) or one :math:`O(nD^2)` product of ranks (Spearman, ranks
    computed once per pair, :math:`O(nD\\log n)`).

    Parameters
    ----------
    representations : list of array_like of shape (n, D_m)
        Codes of the same n points by each of the M >= 2 models.
    kl : list of array_like of shape (D_m,), optional
        Mean KL divergence of each latent to the prior, per model (default: all latents active).
    correlation : {"lasso", "spearman"}, default="lasso"
    filter_low_kl : bool, default=True
    kl_threshold : float, default=0.01
    alpha : float, default=0.1
        Lasso penalty (> 0).

    Returns
    -------
    UDRScores

    Raises
    ------
    TypeError
        If ``representations`` is not a list of numeric arrays.
    ValueError
        For fewer than 2 models or 3 points, models with different n, a ``kl`` of the wrong
        shape, NaN/inf, an unknown ``correlation``, or Spearman correlations with a constant
        (or zeroed) latent that the KL filter keeps: they are undefined.
    """
    correlation = check_choice(correlation, "correlation", ("lasso", "spearman"))
    kl_threshold = check_scalar(kl_threshold, "kl_threshold", minimum=0.0)
    alpha = check_scalar(alpha, "alpha", minimum=0.0, include_min=False)
    reps, kls = _check_inputs(representations, kl)
    m = len(reps)
    zs = [_standardize(z) * (k > 0.01) for z, k in zip(reps, kls, strict=True)]
    keep = [k > kl_threshold if filter_low_kl else np.ones(k.size, bool) for k in kls]
    if correlation == "spearman":
        for a, (z, kp) in enumerate(zip(zs, keep, strict=True)):
            flat = np.flatnonzero(kp & (np.ptp(z, axis=0) == 0))
            if flat.size:
                raise ValueError(
                    f"model {a}: latent(s) {flat.tolist()} are constant (or zeroed for KL <= "
                    "0.01) and kept, so their Spearman correlations are undefined; use "
                    "filter_low_kl=True with kl_threshold >= 0.01, or correlation='lasso'"
                )
    # the Lasso fits an intercept: it sees codes centred once more (their means are ~1e-17)
    centred = [z - z.mean(axis=0) for z in zs]
    grams = [z.T @ z for z in centred] if correlation == "lasso" else []
    ranks = [_centred_ranks(z) for z in zs] if correlation == "spearman" else []
    n = zs[0].shape[0]
    pairwise = np.zeros((m, m))
    corr: list[list[np.ndarray | None]] = [[None] * m for _ in range(m)]
    for a in range(m):
        for b in range(m):
            if a == b:
                continue
            if correlation == "lasso":
                r = _lasso(grams[a], centred[a].T @ centred[b], n, alpha)
            else:
                r = _spearman(ranks[a], ranks[b])
            corr[a][b] = r
            pairwise[a, b] = relative_strength(r[keep[a]][:, keep[b]])
    scores = np.array([np.median(np.delete(pairwise[:, b], b)) for b in range(m)])
    return UDRScores(scores, pairwise, corr)
