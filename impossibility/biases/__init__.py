r"""Where the impossibility stops: inductive biases and supervision that break Theorem 1's symmetry.

Theorem 1's map :math:`f` preserves one law, the marginal :math:`p(z)` (hence :math:`p(x)`). A bias
breaks the symmetry when the entangled twin is no longer as good a model of what the learner sees
(theory.md §5.1); each submodule measures by how much:

:mod:`~impossibility.biases.diagonal`
    The diagonal-Gaussian encoder family (theory.md §3.7): ELBO of the best diagonal encoder
    of a rotated VAE as a function of the angle, exact condition, closed form for linear VAEs.
:mod:`~impossibility.biases.auxiliary`
    An observed auxiliary variable modulating a conditionally factorized prior (iVAE, §5.2):
    :math:`p(x)` is preserved, :math:`p(x, u)` is not.
:mod:`~impossibility.biases.pairs`
    Weak supervision with pairs that share all but k factors (§5.3), and a NumPy Ada-GVAE.
:mod:`~impossibility.biases.table`
    One number per bias: the expected log-likelihood gap of the entangled twin, with the
    unsupervised case at exactly zero.
"""

from . import auxiliary, diagonal, pairs, table
from .auxiliary import (
    AuxiliaryPrior,
    GaussianScaleMixture,
    auxiliary_gap_mc,
    auxiliary_gap_quadrature,
    gaussian_scale_mixture,
    observed_gap,
    shared_rotation_gap,
)
from .diagonal import (
    elbo_rotation_curve,
    fit_linear_encoder,
    linear_gap_curve,
    mean_field_gap,
    refit_encoder,
    stays_diagonal,
)
from .pairs import AdaGVAE, VaryingFactors, exact_sharing_fraction, make_pair_dataset, pair_gap
from .table import ar1_pair_gap, bias_table

__all__ = [
    "auxiliary",
    "diagonal",
    "pairs",
    "table",
    "AuxiliaryPrior",
    "GaussianScaleMixture",
    "gaussian_scale_mixture",
    "auxiliary_gap_mc",
    "auxiliary_gap_quadrature",
    "observed_gap",
    "shared_rotation_gap",
    "stays_diagonal",
    "mean_field_gap",
    "fit_linear_encoder",
    "linear_gap_curve",
    "refit_encoder",
    "elbo_rotation_curve",
    "AdaGVAE",
    "VaryingFactors",
    "make_pair_dataset",
    "exact_sharing_fraction",
    "pair_gap",
    "ar1_pair_gap",
    "bias_table",
]
