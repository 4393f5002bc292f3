r"""Theorem 1's argument in every dimension d at once, with SymPy matrix symbols.

.. math:: p(v)\cdot\frac{\varphi_d(Ay)}{p(v)}\cdot|\det A|\cdot\frac{p(u)}{\varphi_d(y)}-p(u)=0
          \qquad\text{when } A^\top A=I.

A is a d×d ``MatrixSymbol`` under the assumption ``Q.orthogonal(A)``, and the two diagonal
factors of the chain rule are ``DiagMatrix`` objects with positive diagonals. With only
``Q.invertible(A)`` the orthogonality, norm, determinant and final steps are not proved, which
shows where the argument needs orthogonality.
"""

from __future__ import annotations

import sympy as sp
from sympy import Q
from sympy.matrices.expressions.diagonal import DiagMatrix

from ._proof import ProofResult, ProofStep, definition_step, matexpr_is_zero, proof_result

__all__ = ["prove_general_d"]


def prove_general_d(*, orthogonal: bool = True) -> ProofResult:
    r"""The argument in arbitrary dimension d, with matrix symbols.

    :math:`A` is a d×d ``MatrixSymbol`` with the assumption ``Q.orthogonal(A)``;
    :math:`D_{\rm out}`, :math:`D_{\rm in}` are diagonal matrices with positive diagonals a, b
    (``DiagMatrix``). Steps:

    1. :math:`A^\top A=I` (``refine``);
    2. :math:`(Ay)^\top(Ay)=y^\top y`, hence :math:`\varphi_d(Ay)=\varphi_d(y)`;
    3. :math:`|\det A|=1`;
    4. :math:`\det(D_{\rm out}AD_{\rm in})=\det D_{\rm out}\det A\det D_{\rm in}`;
    5. :math:`(D_{\rm out}AD_{\rm in})_{ij}=a_iA_{ij}b_j` — the entanglement structure;
    6. (definition) :math:`\det D_{\rm in}=\prod_j p_j(u_j)/\varphi(y_j)=p(u)/\varphi_d(y)`,
       :math:`\det D_{\rm out}=\varphi_d(y')/p(v)` — factorized prior and Gaussian, (i), (ii);
    7. :math:`p(v)\,\frac{\varphi_d(Ay)}{p(v)}\,|\det A|\,\frac{p(u)}{\varphi_d(y)}-p(u)=0`.

    With ``orthogonal=False`` the assumption is only ``Q.invertible(A)``: steps 1–3 and 7 then fail,
    which shows the proof depends on orthogonality.
    """
    n = sp.Symbol("d", integer=True, positive=True)
    A = sp.MatrixSymbol("A", n, n)
    y = sp.MatrixSymbol("y", n, 1)
    a = sp.MatrixSymbol("a", n, 1)
    b = sp.MatrixSymbol("b", n, 1)
    ass = Q.orthogonal(A) if orthogonal else Q.invertible(A)
    label = "Q.orthogonal(A)" if orthogonal else "Q.invertible(A) only"
    simp = lambda e: sp.powsimp(sp.refine(e, ass).doit())  # noqa: E731
    steps: list[ProofStep] = []
    AtA = sp.refine(A.T * A, ass)
    steps.append(
        ProofStep(
            "AᵀA = I",
            A.T * A,
            sp.Identity(n),
            AtA - sp.Identity(n),
            "proved" if matexpr_is_zero(AtA - sp.Identity(n)) else "not proved",
            f"refine(AᵀA, {label})",
        )
    )
    quad = sp.refine(sp.Trace((A * y).T * (A * y)), ass).doit() - sp.Trace(y.T * y).doit()
    steps.append(
        ProofStep(
            "(Ay)ᵀ(Ay) = yᵀy, so φ_d(Ay) = φ_d(y)",
            sp.Trace((A * y).T * (A * y)),
            sp.Trace(y.T * y),
            quad,
            "proved" if quad == 0 else "not proved",
            f"refine(tr((Ay)ᵀAy), {label})",
        )
    )
    absdet = sp.refine(sp.Abs(sp.Determinant(A)), ass)
    steps.append(
        ProofStep(
            "|det A| = 1",
            sp.Abs(sp.Determinant(A)),
            sp.S.One,
            absdet - 1,
            "proved" if absdet == 1 else "not proved",
            f"refine(|det A|, {label})",
        )
    )
    Da, Db = DiagMatrix(a), DiagMatrix(b)
    detJ = sp.Determinant(Da * A * Db).doit()
    fac = detJ - sp.Determinant(Da) * sp.Determinant(A) * sp.Determinant(Db)
    steps.append(
        ProofStep(
            "det(D_out·A·D_in) = det D_out · det A · det D_in",
            sp.Determinant(Da * A * Db),
            sp.Determinant(Da) * sp.Determinant(A) * sp.Determinant(Db),
            fac,
            "proved" if fac == 0 else "not proved",
            "Determinant(...).doit()",
        )
    )
    i, j = sp.symbols("i j", integer=True, nonnegative=True)
    entry = sp.piecewise_fold((Da * A * Db)[i, j].doit())
    expected = sp.Piecewise((a[i, 0] * A[i, j] * b[j, 0], (i <= n - 1) & (j <= n - 1)), (0, True))
    ent_res = sp.simplify(entry - expected)
    steps.append(
        ProofStep(
            "(D_out·A·D_in)_ij = a_i·A_ij·b_j (0 ≤ i, j < d): with a, b > 0, sign J_ij = sign A_ij",
            (Da * A * Db)[i, j],
            expected,
            ent_res,
            "proved" if ent_res == 0 else "not proved",
            "piecewise_fold(doit()) − expected",
        )
    )
    steps.append(
        definition_step(
            "det D_in = ∏_j p_j(u_j)/φ(y_j) = p(u)/φ_d(y) and "
            "det D_out = ∏_i φ(y'_i)/p_i(v_i) = φ_d(y')/p(v), "
            "φ_d(w) = (2π)^(−d/2)·exp(−tr(wᵀw)/2) "
            "(factorized prior and Gaussian; identities (i), (ii))"
        )
    )
    pu, pv = sp.symbols("p_u p_v", positive=True)
    phin = lambda w: (2 * sp.pi) ** (-n / 2) * sp.exp(-sp.Trace(w.T * w) / 2)  # noqa: E731
    E = pv * (phin(A * y) / pv) * sp.Abs(sp.Determinant(A)) * (pu / phin(y)) - pu
    final = simp(E)
    steps.append(
        ProofStep(
            "p(f(u))·|det J_f(u)| − p(u) = p(v)·[φ_d(Ay)/p(v)]·|det A|·[p(u)/φ_d(y)] − p(u) = 0",
            E + pu,
            pu,
            final,
            "proved" if final == 0 else "not proved",
            f"powsimp(refine(·, {label}).doit())",
        )
    )
    return proof_result(
        f"in every dimension d: p(f(u))·|det J_f(u)| = p(u) for f = G⁻¹∘A∘G ({label})", final, steps
    )
