r"""Variational autoencoders in NumPy, their entangled twins, and the study's six objectives.

Prior :math:`p(z)`, diagonal-Gaussian encoder :math:`q_\phi(z\mid x)`, decoder
:math:`p_\theta(x\mid z)`; ELBO :math:`\mathbb E_q[\log p_\theta(x\mid z)]-\mathrm{KL}(q\|p)`.
The twin under a prior-preserving bijection :math:`f` has encoder :math:`f_\#q` and decoder
:math:`p_\theta(x\mid f^{-1}(z'))`: the same ELBO and :math:`p(x)`, with every code coordinate
mixed. One concept per module: the model/objective contract (``forward``), the
likelihood, the prior, the estimates (``elbo``), the model, its twin, the training loop
(``fit``), files and the model store, and one file per objective (``objectives``).

How it is built: docs/package.md §vae.
"""

from .components import KL_MODES, VAE_COMPONENTS, VAEBase, VAEComponents
from .elbo import ELBOEstimates, importance_weighted_log_px
from .fit import train_loop
from .forward import Cotangents, ForwardPass, LatentModel, ObjectiveLike
from .gaussian import gaussian_kl, gaussian_pairwise_log_density, log_q_from_noise
from .io import FORMAT, ModelFile
from .likelihoods import LIKELIHOODS, DecoderLikelihood
from .model import VAE
from .objectives import (
    DIPVAE,
    OBJECTIVES,
    STUDY_GRID,
    AnnealedVAE,
    BetaTCVAE,
    BetaVAE,
    Discriminator,
    FactorVAE,
    Objective,
    beta_tc_regularizer,
    dip_covariance,
    dip_penalty,
    dip_regularizer,
    factor_vae_regularizer,
    make_objective,
    mws_total_correlation,
    mws_total_correlation_gaussian,
    permute_dims,
    regularizer_report,
    tc_constant,
)
from .presets import SPRITE_VAE_PRESETS, SPRITE_VAE_PRIORS, SpriteVAEPreset, sprite_vae_preset
from .priors import LatentPrior, prior_from_spec
from .store import STORE_FORMAT, spec_key, store_paths, train_or_load
from .twin import EntangledVAE, LatentBijector, affine_part

__all__ = [
    # the model and its twin (old impossibility.vae)
    "VAE",
    "EntangledVAE",
    "FORMAT",
    "affine_part",
    # the model/objective contract and the objectives
    "ForwardPass",
    "Cotangents",
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
    "gaussian_kl",
    "gaussian_pairwise_log_density",
    "mws_total_correlation",
    "mws_total_correlation_gaussian",
    "dip_covariance",
    "dip_penalty",
    "permute_dims",
    "beta_tc_regularizer",
    "dip_regularizer",
    "factor_vae_regularizer",
    "regularizer_report",
    # new public pieces
    "ObjectiveLike",
    "LatentModel",
    "LatentBijector",
    "VAEComponents",
    "VAEBase",
    "VAE_COMPONENTS",
    "ELBOEstimates",
    "importance_weighted_log_px",
    "log_q_from_noise",
    "tc_constant",
    "DecoderLikelihood",
    "LIKELIHOODS",
    "LatentPrior",
    "prior_from_spec",
    "KL_MODES",
    "ModelFile",
    "train_loop",
    "train_or_load",
    "spec_key",
    "store_paths",
    "STORE_FORMAT",
    "SpriteVAEPreset",
    "SPRITE_VAE_PRESETS",
    "SPRITE_VAE_PRIORS",
    "sprite_vae_preset",
]
