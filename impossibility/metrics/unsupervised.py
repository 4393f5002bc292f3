"""Unsupervised scores of a representation (no ground truth), as in disentanglement_lib."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._checks import as_codes, check_num_bins
from ._discretize import histogram_discretize
from ._info import discrete_mutual_info

__all__ = [
    "gaussian_total_correlation",
    "gaussian_total_correlation_from_covariance",
    "gaussian_wasserstein_correlation",
    "gaussian_wasserstein_correlation_from_covariance",
    "mean_pairwise_mutual_info",
    "unsupervised_scores",
    "sample_covariance",
]


def sample_covariance(codes: ArrayLike) -> np.ndarray:
    """Sample covariance :math:`\\Sigma` (``ddof=1``, like ``np.cov``) of codes ``(n, D)``."""
    z = as_codes(codes, "codes")
    if z.shape[0] < 2:
        raise ValueError(f"a sample covariance needs at least 2 samples; got shape {z.shape}")
    return np.atleast_2d(np.cov(z, rowvar=False))


def _check_covariance(cov: ArrayLike) -> np.ndarray:
    s = np.asarray(cov, dtype=np.float64)
    if s.ndim != 2 or s.shape[0] != s.shape[1] or s.shape[0] < 1:
        raise ValueError(f"covariance must be a square 2-D array (D, D); got shape {s.shape}")
    if not np.isfinite(s).all():
        raise ValueError("covariance contains non-finite values")
    scale = max(1.0, float(np.abs(s).max()))
    if not np.allclose(s, s.T, rtol=0.0, atol=1e-12 * scale):
        raise ValueError("covariance must be symmetric")
    diag = np.diag(s)
    flat = np.flatnonzero(diag <= 0)
    if flat.size:
        raise ValueError(
            f"code(s) {flat.tolist()} have zero (or negative) variance {diag[flat].tolist()}: "
            "the Gaussian total correlation is undefined for a constant code; drop it first"
        )
    return s


def _is_psd(s: np.ndarray) -> bool:
    eig = np.linalg.eigvalsh(s)
    return bool(eig.min() >= -1e-10 * max(1.0, float(np.abs(eig).max())))


def gaussian_total_correlation_from_covariance(cov: ArrayLike) -> float:
    """Total correlation (nats) of :math:`\\mathcal N(0, \\Sigma)`:

    .. math:: \\mathrm{TC} = \\mathrm{KL}\\big(\\mathcal N(0,\\Sigma) \\,\\|\\,
              \\mathcal N(0, \\operatorname{diag}\\Sigma)\\big)
              = \\tfrac12 \\Big(\\sum_i \\log \\Sigma_{ii} - \\log\\det\\Sigma\\Big)
              = -\\tfrac12 \\log\\det \\mathrm{Corr},

    with :math:`\\log\\det` from ``slogdet``. Zero iff :math:`\\Sigma` is diagonal; invariant to
    rescaling codes; blind to rotations of uncorrelated codes.

    Returns
    -------
    float
        ``>= 0``; ``inf`` for a singular (positive semi-definite) covariance, i.e. exactly
        linearly dependent codes.

    Raises
    ------
    ValueError
        If ``cov`` is not square, symmetric and finite, has a zero variance on the diagonal, or
        is not positive semi-definite.
    """
    s = _check_covariance(cov)
    sign, logdet = np.linalg.slogdet(s)
    if sign <= 0:
        if _is_psd(s):
            return float("inf")
        raise ValueError("covariance is not positive semi-definite")
    return float(0.5 * (np.sum(np.log(np.diag(s))) - logdet))


def gaussian_total_correlation(codes: ArrayLike) -> float:
    """Gaussian total correlation of codes ``(n, D)``.

    :func:`gaussian_total_correlation_from_covariance` of their sample covariance
    (``ddof=1``); see there for the formula and the raised errors.
    """
    return gaussian_total_correlation_from_covariance(sample_covariance(codes))


def gaussian_wasserstein_correlation_from_covariance(
    cov: ArrayLike, normalize: bool = False
) -> float:
    """Squared 2-Wasserstein distance between :math:`\\mathcal N(0,\\Sigma)` and
    :math:`\\mathcal N(0,\\operatorname{diag}\\Sigma)`:

    .. math:: W = 2 \\operatorname{tr}\\Sigma - 2 \\operatorname{tr}
              \\big(\\operatorname{diag}(\\Sigma)\\,\\Sigma\\big)^{1/2},

    divided by :math:`\\operatorname{tr}\\Sigma` when ``normalize``. The trace of the principal
    square root is computed as :math:`\\sum_j \\sqrt{\\lambda_j}` over the eigenvalues of the
    symmetric matrix :math:`\\Lambda^{1/2}\\Sigma\\Lambda^{1/2}`, :math:`\\Lambda =
    \\operatorname{diag}\\Sigma` (similar to :math:`\\Lambda\\Sigma`, so same trace of the square
    root; the reference uses ``scipy.linalg.sqrtm`` on :math:`\\Lambda\\Sigma`). Eigenvalues
    below 0 by rounding are set to 0. Not scale invariant (it has the units of a variance).

    Raises
    ------
    ValueError
        As :func:`gaussian_total_correlation_from_covariance`, except that a singular
        covariance is fine here.
    """
    s = _check_covariance(cov)
    if not _is_psd(s):
        raise ValueError("covariance is not positive semi-definite")
    half = np.sqrt(np.diag(s))
    lam = np.linalg.eigvalsh(half[:, None] * s * half[None, :])
    w = 2.0 * np.trace(s) - 2.0 * np.sum(np.sqrt(np.clip(lam, 0.0, None)))
    return float(w / np.trace(s)) if normalize else float(w)


def gaussian_wasserstein_correlation(codes: ArrayLike, normalize: bool = False) -> float:
    """:func:`gaussian_wasserstein_correlation_from_covariance` of the codes' sample covariance."""
    return gaussian_wasserstein_correlation_from_covariance(sample_covariance(codes), normalize)


def mean_pairwise_mutual_info(codes: ArrayLike, num_bins: int = 20) -> float:
    """Mean plug-in mutual information (nats) between pairs of distinct discretised codes:

    .. math:: \\frac{1}{D(D-1)} \\sum_{i \\ne j} I(\\hat z_i; \\hat z_j),

    with every code discretised into ``num_bins`` equal-width bins
    (:func:`histogram_discretize`). The reference reports it as ``mutual_info_score``.

    Raises
    ------
    ValueError
        If ``D < 2``, ``n < num_bins`` or the codes are not finite.
    """
    z = as_codes(codes, "codes", min_dims=2)
    num_bins = check_num_bins(num_bins, z.shape[0])
    zd = histogram_discretize(z, num_bins)
    m = discrete_mutual_info(zd, zd)
    np.fill_diagonal(m, 0.0)
    d = z.shape[1]
    return float(m.sum() / (d * (d - 1)))


def unsupervised_scores(codes: ArrayLike, num_bins: int = 20) -> dict[str, float]:
    """All unsupervised scores of disentanglement_lib's ``unsupervised_metrics``.

    Returns
    -------
    dict
        ``gaussian_total_correlation``, ``gaussian_wasserstein_correlation``,
        ``gaussian_wasserstein_correlation_norm`` and ``mutual_info_score`` (the mean pairwise
        mutual information); see the individual functions.
    """
    cov = sample_covariance(codes)
    return {
        "gaussian_total_correlation": gaussian_total_correlation_from_covariance(cov),
        "gaussian_wasserstein_correlation": gaussian_wasserstein_correlation_from_covariance(cov),
        "gaussian_wasserstein_correlation_norm": gaussian_wasserstein_correlation_from_covariance(
            cov, normalize=True
        ),
        "mutual_info_score": mean_pairwise_mutual_info(codes, num_bins),
    }
