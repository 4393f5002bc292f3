r"""Complete entanglement: every :math:`\partial f_i/\partial u_j` has the sign of :math:`A_{ij}`.

.. math:: \frac{\partial f_i}{\partial u_j}=A_{ij}\,P_{ij}(u),\qquad
          P_{ij}=\frac{\varphi(y'_i)}{p_i(v_i)}\,\frac{p_j(u_j)}{\varphi(y_j)}>0.

The chain rule gives the factorization, identities (i), (ii) of the marginal proofs identify the
two factors around :math:`A_{ij}`, and :math:`p>0` on the support and :math:`\varphi>0` make them
positive, so every entry of :math:`J_f` is nonzero exactly where the corresponding entry of A is.
The conditions :math:`A_{ij}\neq0` are returned with the proof.
"""

from __future__ import annotations

from typing import Sequence

import sympy as sp

from ._arguments import check_dimension, resolve_inner, resolve_priors
from ._proof import ProofResult, ProofStep, is_zero, positivity_step, proof_result
from .matrices import MatrixLike
from .normal import std_normal_pdf
from .priors import SymbolicPrior
from .proofs_density import prove_marginal_identities
from .proofs_lemmas import prove_chain_rule

__all__ = ["prove_complete_entanglement"]


def prove_complete_entanglement(
    prior: str | SymbolicPrior | Sequence[str | SymbolicPrior] = "logistic",
    d: int = 2,
    A: MatrixLike | None = None,
) -> ProofResult:
    r"""Prove :math:`\partial f_i/\partial u_j=A_{ij}\cdot P_{ij}(u)` with :math:`P_{ij}>0`.

    So :math:`\partial f_i/\partial u_j\ne0\iff A_{ij}\ne0`.
    :math:`P_{ij}=\frac{\varphi(y'_i)}{p_i(v_i)}\frac{p_j(u_j)}{\varphi(y_j)}`: the chain rule gives
    the factorization, (i)–(ii) identify the factors, and :math:`p>0` on the support and
    :math:`\varphi>0` make them positive. The last step checks that no entry of A vanishes
    identically; the conditions :math:`A_{ij}\neq0` (e.g. :math:`\cos\theta\ne0`,
    :math:`\sin\theta\ne0`) are returned as ``conditions``. The residual is the matrix of entries of
    A that are identically zero (all 0 entries of that matrix mean none is). An A with a zero entry
    (e.g. the identity) is refuted.
    """
    d = check_dimension(d)
    priors = resolve_priors(prior, d)
    T = resolve_inner(d, A, None)
    steps: list[ProofStep] = []
    for pr in dict.fromkeys(priors):
        res = prove_marginal_identities(pr)
        steps.extend(
            s for s in res.steps if "(i)" in s.claim or "(ii)" in s.claim or "p(x) > 0" in s.claim
        )
    t = sp.Symbol("t", real=True)
    steps.append(positivity_step("φ(t) > 0 for every real t", std_normal_pdf(t)))
    steps.extend(prove_chain_rule(d, inner=T).steps)
    q = sp.symbols(f"q1:{d + 1}", positive=True)  # p_i(v_i) > 0
    pp = sp.symbols(f"p1:{d + 1}", positive=True)  # p_j(u_j) > 0
    yy = sp.symbols(f"y1:{d + 1}", real=True)
    ww = sp.symbols(f"w1:{d + 1}", real=True)
    P = sp.ImmutableMatrix(
        d, d, lambda i, j: std_normal_pdf(ww[i]) / q[i] * pp[j] / std_normal_pdf(yy[j])
    )
    positive = all(bool(e.is_positive) for e in P)
    steps.append(
        ProofStep(
            "so ∂f_i/∂u_j = A_ij · P_ij with P_ij = φ(y'_i)/p_i(v_i) · p_j(u_j)/φ(y_j) > 0 "
            "(p_i(v_i), p_j(u_j) > 0 on the support, y, y' real)",
            P,
            sp.S.Zero,
            P,
            "proved" if positive else "not proved",
            "is_positive of each P_ij",
            relation=">",
        )
    )
    Ar = T.A.applyfunc(sp.simplify)
    zero = sp.ImmutableMatrix(d, d, lambda i, j: sp.S.One if Ar[i, j] == 0 else sp.S.Zero)
    conditions = tuple(
        dict.fromkeys(
            _nonzero_condition(Ar[i, j])
            for i in range(d)
            for j in range(d)
            if not Ar[i, j].is_number
        )
    )
    status = "proved" if is_zero(zero) else "refuted"
    wit = None
    if status == "refuted":
        i, j = next((i, j) for i in range(d) for j in range(d) if zero[i, j] == 1)
        wit = ((f"A[{i + 1},{j + 1}]", 0.0), ("residual", 1.0))
    steps.append(
        ProofStep(
            "no entry of A vanishes identically (residual: 1 marks an entry A_ij ≡ 0); "
            "then sign ∂f_i/∂u_j = sign A_ij ≠ 0 wherever A_ij ≠ 0",
            Ar,
            sp.S.Zero,
            zero,
            status,
            "simplify(A_ij) != 0",
            wit,
        )
    )
    names = ", ".join(dict.fromkeys(pr.name for pr in priors))
    return proof_result(
        f"∂f_i/∂u_j = A_ij·P_ij(u), P_ij > 0: every ∂f_i/∂u_j ≠ 0 where A_ij ≠ 0 "
        f"(prior {names}, d = {d})",
        zero if not is_zero(zero) else sp.S.Zero,
        steps,
        conditions,
    )


def _nonzero_condition(e: sp.Expr) -> sp.Expr:
    """The condition e ≠ 0 in normal form: no denominator of known sign, no leading minus."""
    num, den = sp.fraction(sp.together(e))
    if den.is_positive or den.is_negative:
        e = num
    e = sp.factor(e).as_coeff_Mul()[1]  # a nonzero numeric factor does not change e ≠ 0
    if e.could_extract_minus_sign():
        e = -e
    return sp.Ne(e, 0)
