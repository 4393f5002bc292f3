"""Disentanglement metrics on NumPy arrays, matching google-research/disentanglement_lib.

Arrays are sample-major: codes ``(n, D)`` floats, factors ``(n, K)`` integer class labels.
Discretisation, entropy conventions and defaults follow the reference library (as described
in the project's notes, metrics.md); every function documents its formula and where it
deliberately differs (explicit ``numpy.random.Generator`` randomness, clear errors instead of
NaN).

Array-based: :func:`mig`, :func:`dci`, :func:`sap`, :func:`modularity`, :func:`explicitness`,
:func:`gaussian_total_correlation` (and ``_from_covariance``),
:func:`gaussian_wasserstein_correlation`, :func:`mean_pairwise_mutual_info`.
Sampling-based: :func:`beta_vae_score`, :func:`factor_vae_score`.
All at once: :func:`evaluate_representation`.
Building blocks: :func:`histogram_discretize`, :func:`discrete_mutual_info`,
:func:`discrete_entropy`.
"""

from ._discretize import histogram_bin_edges, histogram_discretize
from ._info import discrete_entropy, discrete_mutual_info
from .dci import DCIScores, dci, dci_from_importance, dci_importance_matrix
from .evaluate import METRIC_NAMES, evaluate_representation
from .mig import mig
from .modularity import ExplicitnessScores, explicitness, modularity
from .sampling import (
    GroundTruthData,
    SamplingScore,
    beta_vae_score,
    factor_vae_score,
    sample_factors_and_codes,
)
from .sap import sap, sap_score_matrix
from .unsupervised import (
    gaussian_total_correlation,
    gaussian_total_correlation_from_covariance,
    gaussian_wasserstein_correlation,
    gaussian_wasserstein_correlation_from_covariance,
    mean_pairwise_mutual_info,
    sample_covariance,
    unsupervised_scores,
)

__all__ = [
    "histogram_discretize",
    "histogram_bin_edges",
    "discrete_mutual_info",
    "discrete_entropy",
    "mig",
    "dci",
    "DCIScores",
    "dci_from_importance",
    "dci_importance_matrix",
    "sap",
    "sap_score_matrix",
    "modularity",
    "explicitness",
    "ExplicitnessScores",
    "gaussian_total_correlation",
    "gaussian_total_correlation_from_covariance",
    "gaussian_wasserstein_correlation",
    "gaussian_wasserstein_correlation_from_covariance",
    "mean_pairwise_mutual_info",
    "sample_covariance",
    "unsupervised_scores",
    "GroundTruthData",
    "SamplingScore",
    "beta_vae_score",
    "factor_vae_score",
    "sample_factors_and_codes",
    "evaluate_representation",
    "METRIC_NAMES",
]
