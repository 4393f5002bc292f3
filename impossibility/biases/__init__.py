r"""Where the impossibility stops: inductive biases and supervision that break Theorem 1's symmetry.

Theorem 1's :math:`f` preserves :math:`p(z)`, hence :math:`p(x)`; a bias breaks the symmetry when
the entangled twin is no longer as good a model of what the learner sees (docs/theory.md §5.1). One
module per bias: the diagonal posterior (:mod:`.diagonal`, :mod:`.linear_vae`, :mod:`.refit`), an
auxiliary variable (:mod:`.mixtures`, :mod:`.auxiliary`), pairs (:mod:`.pairs`, :mod:`.pair_data`,
:mod:`.ada_gvae`), time (:mod:`.temporal`); restrictions of the model class: IMA (:mod:`.ima`),
its mean-field ELBO form (:mod:`.embrace_gap`), sparsity (:mod:`.sparsity`), local isometry
(:mod:`.isometry`); iVAE's exponential-family segments (:mod:`.ivae`); the group each bias still
allows (:mod:`.symmetries`), and one number per bias (:mod:`.table`, :mod:`.atlas`).

How it is built: docs/package.md §biases.
"""

from . import (
    ada_gvae,
    atlas,
    auxiliary,
    diagonal,
    embrace_gap,
    ima,
    isometry,
    ivae,
    linear_vae,
    mixtures,
    pair_data,
    pairs,
    refit,
    sparsity,
    symmetries,
    table,
    temporal,
)
from .ada_gvae import AdaGVAE, ada_gvae_shared_mask
from .atlas import ATLAS_ORDER, atlas_rows, setting_curves
from .auxiliary import (
    AuxiliaryPrior,
    auxiliary_gap_mc,
    auxiliary_gap_quadrature,
    conditional_log_ratio,
    marginal_log_ratio,
    observed_gap,
    shared_rotation_gap,
)
from .diagonal import plane_rotation, rotated_offdiagonal, stays_diagonal
from .embrace_gap import embrace_gap_curve, gap_curve_bfgs
from .ima import (
    OrthogonalColumnsGenerator,
    ima_contrast,
    linear_ima_contrast,
    twin_contrast_mc,
    twin_contrast_quadrature,
    twin_jacobian,
)
from .isometry import isometry_defect_mc, isometry_defect_quadrature, pointwise_isometry_defect
from .ivae import ivae_gap, segment_kl, segment_kl_quadrature, variability_rank
from .linear_vae import (
    REFERENCE_GAPS,
    fit_linear_encoder,
    linear_elbo,
    linear_gap_curve,
    linear_log_px,
    linear_posterior_precision,
    linear_vae_parameters,
    mean_field_gap,
    reference_linear_decoder,
)
from .mixtures import GaussianScaleMixture, gaussian_scale_mixture
from .pair_data import VaryingFactors, make_pair_dataset, sample_factor_pairs
from .pairs import (
    exact_sharing_fraction,
    pair_conditional_log_prob,
    pair_gap,
    pair_gap_leading_term,
    pair_log_ratio,
    sample_latent_pairs,
)
from .refit import elbo_rotation_curve, moment_matched_normal, refit_encoder
from .sparsity import (
    SparseGenerator,
    fit_transition,
    l0_norm,
    l1_norm,
    sparsity_numbers,
    structural_sparsity,
    support,
    twin_transition,
)
from .symmetries import bias_symmetries, block_rotation, group_check, signed_permutations
from .table import BIAS_ORDER, bias_table
from .temporal import ar1_pair_gap

__all__ = [
    # submodules
    "ada_gvae",
    "atlas",
    "auxiliary",
    "diagonal",
    "embrace_gap",
    "ima",
    "isometry",
    "ivae",
    "linear_vae",
    "mixtures",
    "pair_data",
    "pairs",
    "refit",
    "sparsity",
    "symmetries",
    "table",
    "temporal",
    # the diagonal posterior
    "stays_diagonal",
    "rotated_offdiagonal",
    "plane_rotation",
    "REFERENCE_GAPS",
    "reference_linear_decoder",
    "linear_posterior_precision",
    "mean_field_gap",
    "linear_log_px",
    "linear_elbo",
    "fit_linear_encoder",
    "linear_gap_curve",
    "linear_vae_parameters",
    "moment_matched_normal",
    "refit_encoder",
    "elbo_rotation_curve",
    # an auxiliary variable
    "GaussianScaleMixture",
    "gaussian_scale_mixture",
    "AuxiliaryPrior",
    "conditional_log_ratio",
    "marginal_log_ratio",
    "auxiliary_gap_mc",
    "auxiliary_gap_quadrature",
    "observed_gap",
    "shared_rotation_gap",
    # pairs
    "sample_latent_pairs",
    "exact_sharing_fraction",
    "pair_conditional_log_prob",
    "pair_log_ratio",
    "pair_gap",
    "pair_gap_leading_term",
    "VaryingFactors",
    "sample_factor_pairs",
    "make_pair_dataset",
    "ada_gvae_shared_mask",
    "AdaGVAE",
    # time
    "ar1_pair_gap",
    # IMA and its ELBO form
    "ima_contrast",
    "linear_ima_contrast",
    "OrthogonalColumnsGenerator",
    "twin_jacobian",
    "twin_contrast_mc",
    "twin_contrast_quadrature",
    "embrace_gap_curve",
    "gap_curve_bfgs",
    # iVAE segments
    "segment_kl",
    "segment_kl_quadrature",
    "ivae_gap",
    "variability_rank",
    # sparsity
    "SparseGenerator",
    "support",
    "l0_norm",
    "l1_norm",
    "structural_sparsity",
    "twin_transition",
    "fit_transition",
    "sparsity_numbers",
    # local isometry
    "pointwise_isometry_defect",
    "isometry_defect_mc",
    "isometry_defect_quadrature",
    # what each bias still allows, and the table
    "signed_permutations",
    "block_rotation",
    "group_check",
    "bias_symmetries",
    "bias_table",
    "BIAS_ORDER",
    "atlas_rows",
    "setting_curves",
    "ATLAS_ORDER",
]
