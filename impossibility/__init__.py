"""impossibility: Theorem 1 of Locatello et al. (ICML 2019), checkable by anyone.

For any factorized prior p(z) in d ≥ 2 dimensions, f = G⁻¹ ∘ A ∘ G (G: marginal CDFs followed by
the inverse normal CDF; A: orthogonal with every entry nonzero) is a smooth bijection such that
f(z) has exactly the law of z — independent coordinates, same marginals — while every output of
f depends on every input. Replacing z by f(z) and the generator g by g ∘ f⁻¹ leaves p(x)
unchanged, so no method that sees only data can tell the disentangled model from the entangled one.

The core API is re-exported here; the subpackages show the architecture: ``priors``,
``bijections``, ``entangle``, ``invariance``, ``verification`` (Theorem 1, numerically);
``symbolic`` (the same maps and proofs in SymPy); ``generative`` (p(x) of a model and its
entangled twin); ``nn`` and ``vae`` (NumPy networks, VAEs, their twins and the study's six
objectives); ``data`` (ground-truth data sets generated locally); ``metrics`` (disentanglement
metrics on arrays); ``biases`` (the inductive biases that break the symmetry); ``study`` (the
small-scale reproduction of the 2019 study); ``auditing`` (the interval of each score over the
twins of any representation); ``testing`` (hypothesis strategies); ``tools`` (the
command line, the experiment runner, notebooks). Subpackages with heavy dependencies (SymPy,
scikit-learn, hypothesis) are imported on first use, so ``import impossibility`` stays fast.

How it is built, unit by unit: docs/package.md.
"""

import importlib as _importlib

from .bijections import (
    Bijector,
    Chain,
    Elementwise,
    Gaussianize,
    Inverse,
    Orthogonal,
    check_orthogonal,
)
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
from .verification import VerificationReport, verify

#: The package version (PEP 440), also printed by ``impossibility --version``.
__version__ = "0.1.0"

_SUBMODULES = {
    "priors",
    "bijections",
    "entangle",
    "invariance",
    "verification",
    "tolerances",
    "symbolic",
    "generative",
    "nn",
    "vae",
    "data",
    "metrics",
    "biases",
    "study",
    "auditing",
    "testing",
    "tools",
}
#: Names re-exported lazily from submodules: name → submodule.
_LAZY = {
    "VAE": "vae",
    "EntangledVAE": "vae",
    "ProceduralSprites": "data",
    "ContinuousMixingData": "data",
    "entangle_generator": "generative",
    "EntangledGenerator": "generative",
    "log_px_exact": "generative",
    "evaluate_representation": "metrics",
    "MetricSizes": "metrics",
    "audit": "auditing",
    "audit_model": "auditing",
    "AuditReport": "auditing",
}


def __getattr__(name: str):
    if name in _SUBMODULES:
        return _importlib.import_module(f".{name}", __name__)
    if name in _LAZY:
        return getattr(_importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'impossibility' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES | set(_LAZY))


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
    "VAE",
    "EntangledVAE",
    "ProceduralSprites",
    "ContinuousMixingData",
    "entangle_generator",
    "EntangledGenerator",
    "log_px_exact",
    "evaluate_representation",
    "MetricSizes",
    "audit",
    "audit_model",
    "AuditReport",
    "verify",
    "VerificationReport",
    "__version__",
]
