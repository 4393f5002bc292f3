r"""Density invariance by one global ``simplify``, without structure: a check of the structured one.

.. math:: p(f(u))\,\det J_f(u)\cdot\operatorname{sign}\det A-p(u)=0.

The Jacobian of :math:`f=G^{-1}\circ A\circ G` is differentiated symbolically, its determinant
expanded and the whole residual simplified at once, separately for every combination of input and
output pieces of a piecewise prior. It takes seconds for most priors in d = 2 and minutes for the
logistic prior; :func:`~impossibility.symbolic.prove_density_invariance` is the proof to use.
"""

from __future__ import annotations

import itertools
from typing import Sequence

import sympy as sp

from ._arguments import check_dimension, resolve_inner, resolve_priors
from ._proof import ProofResult, ProofStep, equality_step, is_zero, proof_result
from .matrices import MatrixLike
from .priors import SymbolicPrior

__all__ = ["prove_density_invariance_direct"]


def prove_density_invariance_direct(
    prior: str | SymbolicPrior | Sequence[str | SymbolicPrior] = "exponential",
    d: int = 2,
    A: MatrixLike | None = None,
) -> ProofResult:
    r"""Prove :math:`p(f(u))\det J_f(u)\operatorname{sign}\det A-p(u)=0` by one ``simplify``.

    No structure is used: the Jacobian is differentiated symbolically, its determinant expanded, and
    the whole residual simplified. For a prior with several pieces, every combination of input and
    output pieces is simplified separately (:math:`4^d` branches for Laplace). Slow — seconds for
    normal, uniform, exponential, Cauchy and Laplace in d = 2, minutes for the logistic prior;
    prefer :func:`prove_density_invariance`. ``sign det A`` must simplify to ±1.
    """
    d = check_dimension(d)
    priors = resolve_priors(prior, d)
    T = resolve_inner(d, A, None)
    det_A = sp.simplify(T.A.det())
    steps: list[ProofStep] = [equality_step("|det A| = 1", sp.Abs(det_A), sp.S.One)]
    sign = sp.sign(det_A) if det_A.is_number else sp.S.One
    u = tuple(pr.support_symbol(f"u{j + 1}") for j, pr in enumerate(priors))
    dom = {uj: (lambda s, pr=pr: pr.support_point(s)) for uj, pr in zip(u, priors, strict=True)}
    residuals = []
    for combo in itertools.product(*[range(len(pr.pieces)) for pr in priors] * 2):
        cin, cout = combo[:d], combo[d:]
        pin = [pr.pieces[k] for pr, k in zip(priors, cin, strict=True)]
        pout = [pr.pieces[k] for pr, k in zip(priors, cout, strict=True)]
        y = [pc.gaussianize(uj) for pc, uj in zip(pin, u, strict=True)]
        yr = T.T.subs(dict(zip(T.y, y, strict=True)), simultaneous=True)
        f = sp.Matrix([pc.degaussianize(w) for pc, w in zip(pout, yr, strict=True)])
        J = f.jacobian(u)
        lhs = (
            sp.Mul(*[pc.pdf_at(fi) for pc, fi in zip(pout, f, strict=True)])
            * J.det(method="berkowitz")
            * sign
        )
        rhs = sp.Mul(*[pc.pdf_at(uj) for pc, uj in zip(pin, u, strict=True)])
        tag = (
            ""
            if all(len(pr.pieces) == 1 for pr in priors)
            else f" [input pieces {cin}, output pieces {cout}]"
        )
        st = equality_step(f"p(f(u))·det J_f(u)·sign(det A) = p(u){tag}", lhs, rhs, domain=dom)
        steps.append(st)
        residuals.append(st.residual)
    total = residuals[0] if len(residuals) == 1 else sp.ImmutableMatrix(residuals)
    names = ", ".join(dict.fromkeys(pr.name for pr in priors))
    return proof_result(
        f"p(f(u))·|det J_f(u)| = p(u) (direct simplification, prior {names}, d = {d})",
        sp.S.Zero if is_zero(total) else total,
        steps,
    )
