r"""The six training objectives of the 2019 study, with analytic gradients, and their regularisers.

Every objective is minimised: :math:`-\bar{\mathcal R}+\beta\,\overline{\mathrm{KL}}` (β-VAE),
:math:`-\bar{\mathcal R}+\gamma|\overline{\mathrm{KL}}-C_t|` (AnnealedVAE), and
:math:`-\bar{\mathcal R}+\overline{\mathrm{KL}}` plus a penalty on the aggregate posterior
(β-TCVAE, FactorVAE, DIP-VAE-I/II). One file per objective; :mod:`.registry` holds the study's
grid, :mod:`.regularizers` the penalties evaluated on a model or its entangled twin.

How it is built: docs/package.md §vae (objectives).
"""

from .annealed import AnnealedVAE
from .base import Objective
from .beta import BetaVAE
from .beta_tc import BetaTCVAE
from .dip import DIPVAE, dip_covariance, dip_penalty
from .discriminator import Discriminator, permute_dims
from .factor_vae import FactorVAE
from .registry import OBJECTIVES, STUDY_GRID, make_objective
from .regularizers import (
    beta_tc_regularizer,
    dip_regularizer,
    factor_vae_regularizer,
    regularizer_report,
)
from .total_correlation import mws_total_correlation, mws_total_correlation_gaussian, tc_constant

__all__ = [
    "Objective",
    "BetaVAE",
    "AnnealedVAE",
    "BetaTCVAE",
    "FactorVAE",
    "DIPVAE",
    "Discriminator",
    "OBJECTIVES",
    "make_objective",
    "STUDY_GRID",
    "mws_total_correlation",
    "mws_total_correlation_gaussian",
    "tc_constant",
    "dip_covariance",
    "dip_penalty",
    "permute_dims",
    "beta_tc_regularizer",
    "dip_regularizer",
    "factor_vae_regularizer",
    "regularizer_report",
]
