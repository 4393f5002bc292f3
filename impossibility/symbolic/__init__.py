r"""Theorem 1's entangling maps in SymPy, and machine-checked proofs of their properties.

.. math:: f=G^{-1}\circ A\circ G,\quad G_j=\Phi^{-1}\circ F_j:\qquad
          p(f(u))\,|\det J_f(u)|=p(u),\qquad
          \frac{\partial f_i}{\partial u_j}=\frac{\varphi(y'_i)}{p_i(v_i)}\,A_{ij}\,
          \frac{p_j(u_j)}{\varphi(y_j)}.

:mod:`impossibility.entangle` *measures* that f preserves a factorized prior and entangles every
coordinate; this subpackage *proves* it (docs/theory.md §2.2–§2.4) for the priors whose CDF and
quantile have closed forms (:data:`PRIORS`, or a custom :class:`SymbolicPrior`), and returns each
argument as data: a :class:`ProofResult` made of :class:`ProofStep` objects, each an identity or
inequality with the residual SymPy reduced it to. A step holds when that residual is exactly 0 (or
provably positive), and ``bool(result)`` is ``result.holds``. :func:`symbolic_map` gives the map
itself as expressions, and :meth:`SymbolicMap.numeric` as NumPy or mpmath functions.

How it is built: docs/package.md §symbolic.
"""

from ._proof import ProofResult, ProofStep
from .darmois import darmois_linear_gaussian_2d, prove_darmois_linear_gaussian
from .gaussian_maps import GaussianMap, linear_map
from .map import SymbolicMap, symbolic_map
from .matrices import (
    cayley_transform,
    default_rotation,
    householder_matrix,
    rotation_2d,
    skew_symmetric,
)
from .normal import std_normal_cdf, std_normal_pdf, std_normal_quantile
from .numeric import NumericMap
from .priors import PRIORS, PriorPiece, SymbolicPrior, get_prior
from .proofs_density import prove_density_invariance, prove_marginal_identities
from .proofs_direct import prove_density_invariance_direct
from .proofs_entanglement import prove_complete_entanglement
from .proofs_general_d import prove_general_d
from .proofs_lemmas import prove_chain_rule, prove_gaussian_invariance
from .swirl import prove_swirl, swirl_map

__all__ = [
    "std_normal_pdf",
    "std_normal_cdf",
    "std_normal_quantile",
    "PriorPiece",
    "SymbolicPrior",
    "PRIORS",
    "get_prior",
    "rotation_2d",
    "skew_symmetric",
    "cayley_transform",
    "householder_matrix",
    "default_rotation",
    "GaussianMap",
    "linear_map",
    "swirl_map",
    "SymbolicMap",
    "symbolic_map",
    "NumericMap",
    "ProofStep",
    "ProofResult",
    "prove_marginal_identities",
    "prove_chain_rule",
    "prove_gaussian_invariance",
    "prove_density_invariance",
    "prove_density_invariance_direct",
    "prove_complete_entanglement",
    "prove_general_d",
    "prove_swirl",
    "darmois_linear_gaussian_2d",
    "prove_darmois_linear_gaussian",
]
