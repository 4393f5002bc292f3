r"""Checks that a map preserves a prior and entangles every coordinate, reusable on any bijector.

Three independent kinds of evidence: exact density invariance (``density``), invariance on
samples (``sample_tests``) and complete entanglement from the analytic Jacobian, checked by
finite differences (``entanglement``, ``finite_differences``).

How it is built: docs/package.md §invariance.
"""

from .density import density_invariance_error, gaussian_resolution
from .entanglement import EntanglementReport, entanglement_report, finite_difference_jacobian
from .finite_differences import JacobianCheck, jacobian_check, richardson_jacobian
from .sample_tests import (
    TestResult,
    energy_distance,
    energy_test,
    marginal_ks_tests,
    projection_ks_test,
)

__all__ = [
    "gaussian_resolution",
    "density_invariance_error",
    "finite_difference_jacobian",
    "richardson_jacobian",
    "jacobian_check",
    "JacobianCheck",
    "EntanglementReport",
    "entanglement_report",
    "marginal_ks_tests",
    "projection_ks_test",
    "energy_distance",
    "energy_test",
    "TestResult",
]
