"""impossibility: Theorem 1 of Locatello et al. (ICML 2019), checkable by anyone.

For any factorized prior p(z) in d ≥ 2 dimensions, f = G⁻¹ ∘ A ∘ G (G: marginal CDFs followed by
the inverse normal CDF; A: orthogonal with every entry nonzero) is a smooth bijection such that
f(z) has exactly the law of z — independent coordinates, same marginals — while every output of
f depends on every input. Replacing z by f(z) and the generator g by g ∘ f⁻¹ leaves p(x)
unchanged, so no method that sees only data can tell the disentangled model from the entangled one.

The public API is re-exported here; see the submodules for details:
``priors``, ``bijections``, ``gaussianize``, ``entangle``, ``invariance``.
"""

from .bijections import Bijector, Chain, Elementwise, Inverse, Orthogonal, check_orthogonal
from .entangle import (
    Conjugated,
    DarmoisShear2D,
    EntanglingBijection,
    RotationPath,
    Swirl,
    default_min_abs_entry,
    entangling_bijection,
    householder_rotation,
    linear_gaussian_darmois,
    permutation_bijection,
    quantile_reflection,
    random_entangling_rotation,
    random_skew,
    rotation_2d,
)
from .gaussianize import Gaussianize
from .invariance import (
    EntanglementReport,
    TestResult,
    density_invariance_error,
    energy_distance,
    energy_test,
    entanglement_report,
    finite_difference_jacobian,
    gaussian_resolution,
    marginal_ks_tests,
    projection_ks_test,
)
from .priors import FactorizedPrior

__version__ = "0.1.0"

__all__ = [
    "FactorizedPrior",
    "Bijector",
    "Chain",
    "Elementwise",
    "Inverse",
    "Orthogonal",
    "check_orthogonal",
    "Gaussianize",
    "Conjugated",
    "EntanglingBijection",
    "entangling_bijection",
    "random_entangling_rotation",
    "default_min_abs_entry",
    "householder_rotation",
    "rotation_2d",
    "RotationPath",
    "random_skew",
    "Swirl",
    "DarmoisShear2D",
    "linear_gaussian_darmois",
    "permutation_bijection",
    "quantile_reflection",
    "density_invariance_error",
    "finite_difference_jacobian",
    "gaussian_resolution",
    "EntanglementReport",
    "entanglement_report",
    "marginal_ks_tests",
    "projection_ks_test",
    "energy_distance",
    "energy_test",
    "TestResult",
    "__version__",
]
