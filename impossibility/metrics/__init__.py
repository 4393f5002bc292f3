"""Disentanglement metrics on NumPy arrays, matching google-research/disentanglement_lib.

.. math:: \\mathrm{score} = m(z, y), \\qquad z \\in \\mathbb R^{n \\times D}, \\quad
          y \\in \\mathbb Z^{n \\times K}

Arrays are sample-major: codes ``(n, D)`` floats, factors ``(n, K)`` integer class labels.
One metric per module (``mig``, ``dci``, ``dci_es``, ``sap``, ``modularity``, ``explicitness``,
``unsupervised``, ``downstream``, ``irs``, ``mcc``, ``udr``, ``fairness``,
``strong_downstream``, ``flatness``, ``factored_components``, the sampling-based BetaVAE /
FactorVAE scores in ``sampling``) and :func:`evaluate_representation` for the
per-representation ones at once.
Discretisation, entropy conventions and defaults follow the reference libraries
(docs/metrics.md), with explicit ``numpy.random.Generator`` randomness and clear errors instead
of NaN.

How it is built: docs/package.md §metrics.
"""

from impossibility._typing import GroundTruthDataLike

from ._discretize import histogram_bin_edges, histogram_discretize
from ._info import discrete_entropy, discrete_mutual_info
from .dci import DCIScores, dci, dci_from_importance, dci_importance_matrix
from .dci_es import (
    DCI_ES_CAPACITIES,
    DCIESScores,
    dci_es,
    explicitness_from_curve,
    loss_capacity_curve,
)
from .downstream import downstream_scores
from .evaluate import METRIC_NAMES, MetricSizes, evaluate_representation
from .explicitness import ExplicitnessScores, explicitness
from .factored_components import linearity, normalised_top_ratio, traversal_spectra
from .fairness import FairnessScores, fairness, fairness_summary, inter_group_fairness
from .flatness import flatness, traversal_measures
from .irs import IRSScores, irs
from .mcc import correlation_matrix, mcc
from .mig import mig
from .modularity import modularity
from .sampling import (
    SamplingScore,
    beta_vae_score,
    factor_vae_score,
    sample_factors_and_codes,
)
from .sap import sap, sap_score_matrix
from .strong_downstream import intervene, strong_downstream
from .udr import UDRScores, relative_strength, udr
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
    "dci_es",
    "DCIESScores",
    "explicitness_from_curve",
    "loss_capacity_curve",
    "DCI_ES_CAPACITIES",
    "sap",
    "sap_score_matrix",
    "modularity",
    "explicitness",
    "ExplicitnessScores",
    "irs",
    "IRSScores",
    "mcc",
    "correlation_matrix",
    "udr",
    "fairness",
    "FairnessScores",
    "fairness_summary",
    "inter_group_fairness",
    "strong_downstream",
    "intervene",
    "flatness",
    "traversal_measures",
    "linearity",
    "normalised_top_ratio",
    "traversal_spectra",
    "UDRScores",
    "relative_strength",
    "gaussian_total_correlation",
    "gaussian_total_correlation_from_covariance",
    "gaussian_wasserstein_correlation",
    "gaussian_wasserstein_correlation_from_covariance",
    "mean_pairwise_mutual_info",
    "sample_covariance",
    "unsupervised_scores",
    "downstream_scores",
    "GroundTruthDataLike",
    "SamplingScore",
    "beta_vae_score",
    "factor_vae_score",
    "sample_factors_and_codes",
    "evaluate_representation",
    "MetricSizes",
    "METRIC_NAMES",
]
