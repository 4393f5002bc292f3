"""Unsupervised scores of a representation (no ground truth), as in disentanglement_lib.

.. math:: \\mathrm{TC} = \\tfrac12 \\Big(\\sum_i \\log \\Sigma_{ii} - \\log\\det\\Sigma\\Big),
          \\qquad W = 2 \\operatorname{tr}\\Sigma - 2 \\operatorname{tr}
          \\big(\\operatorname{diag}(\\Sigma)\\,\\Sigma\\big)^{1/2}

for the codes' sample covariance :math:`\\Sigma`: how far the Gaussian with that covariance is
from the one with only its diagonal (total correlation, squared 2-Wasserstein distance), plus
the mean plug-in mutual information between pairs of discretised codes. None of them sees the
ground-truth factors, and the Gaussian ones are blind to rotations of uncorrelated codes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from impossibility._validation import as_matrix

from ._checks import as_codes, check_num_bins
from ._discretize import discretize
from ._info import mutual_info

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
    return _covariance(_as_covariance_codes(codes))


def _as_covariance_codes(codes: ArrayLike, min_dims: int = 1) -> np.ndarray:
    z = as_codes(codes, "codes", min_dims=min_dims)
    if z.shape[0] < 2:
        raise ValueError(f"a sample covariance needs at least 2 samples; got shape {z.shape}")
    return z


def _covariance(z: np.ndarray) -> np.ndarray:
    return np.atleast_2d(np.cov(z, rowvar=False))


def _check_covariance(cov: ArrayLike) -> np.ndarray:
    s = as_matrix(cov, "covariance", square=True)
    if s.shape[0] < 1:
        raise ValueError(f"covariance must be a square 2-D array (D, D); got shape {s.shape}")
    return _check_covariance_values(s)


def _check_covariance_values(s: np.ndarray) -> np.ndarray:
    """Symmetric with a positive diagonal (the Gaussian scores are undefined otherwise)."""
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
    TypeError
        If ``cov`` is not numeric.
    ValueError
        If ``cov`` is not square, symmetric and finite, has a zero variance on the diagonal, or
        is not positive semi-definite.
    """
    return _total_correlation(_check_covariance(cov))


def _total_correlation(s: np.ndarray) -> float:
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
    s = _covariance(_as_covariance_codes(codes))
    return _total_correlation(_check_covariance_values(s))


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
    return _wasserstein_correlation(_check_covariance(cov), normalize)


def _wasserstein_correlation(s: np.ndarray, normalize: bool) -> float:
    if not _is_psd(s):
        raise ValueError("covariance is not positive semi-definite")
    half = np.sqrt(np.diag(s))
    lam = np.linalg.eigvalsh(half[:, None] * s * half[None, :])
    w = 2.0 * np.trace(s) - 2.0 * np.sum(np.sqrt(np.clip(lam, 0.0, None)))
    return float(w / np.trace(s)) if normalize else float(w)


def gaussian_wasserstein_correlation(codes: ArrayLike, normalize: bool = False) -> float:
    """:func:`gaussian_wasserstein_correlation_from_covariance` of the codes' sample covariance."""
    s = _covariance(_as_covariance_codes(codes))
    return _wasserstein_correlation(_check_covariance_values(s), normalize)


def mean_pairwise_mutual_info(codes: ArrayLike, num_bins: int = 20) -> float:
    """Mean plug-in mutual information (nats) between pairs of distinct discretised codes:

    .. math:: \\frac{1}{D(D-1)} \\sum_{i \\ne j} I(\\hat z_i; \\hat z_j),

    with every code discretised into ``num_bins`` equal-width bins
    (:func:`histogram_discretize`). The reference reports it as ``mutual_info_score``.

    Raises
    ------
    TypeError
        If the codes are not numeric or ``num_bins`` is not an integer.
    ValueError
        If ``D < 2``, ``n < num_bins`` or the codes are not finite.
    """
    z = as_codes(codes, "codes", min_dims=2)
    return _mean_pairwise_mutual_info(z, check_num_bins(num_bins, z.shape[0]))


def _mean_pairwise_mutual_info(z: np.ndarray, num_bins: int) -> float:
    zd = discretize(z, num_bins)
    m = mutual_info(zd, zd)
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
    z = _as_covariance_codes(codes, min_dims=2)
    num_bins = check_num_bins(num_bins, z.shape[0])
    cov = _check_covariance_values(_covariance(z))
    return {
        "gaussian_total_correlation": _total_correlation(cov),
        "gaussian_wasserstein_correlation": _wasserstein_correlation(cov, False),
        "gaussian_wasserstein_correlation_norm": _wasserstein_correlation(cov, True),
        "mutual_info_score": _mean_pairwise_mutual_info(z, num_bins),
    }
