r"""The two lemmas of Theorem 1 that hold for every prior: the chain rule and Gaussian invariance.

.. math:: J_f(u)=D_{\rm out}\,J_T(y)\,D_{\rm in},\qquad
          \varphi_d(T(y))\,|\det J_T(y)|=\varphi_d(y),

with :math:`D_{\rm in}=\operatorname{diag}(G_j'(u_j))` and
:math:`D_{\rm out}=\operatorname{diag}((G_i^{-1})'(y'_i))`, :math:`y=G(u)`, :math:`y'=T(y)`. The
chain rule is proved with *abstract* SymPy functions standing for :math:`G_j` and
:math:`G_i^{-1}`, so it holds for every differentiable choice; Gaussian invariance of T reduces to
:math:`\lVert T(y)\rVert=\lVert y\rVert` and :math:`|\det J_T|=1`, for a linear T to
:math:`A^\top A=I` (orthogonality).
"""

from __future__ import annotations

import functools

import sympy as sp

from ._arguments import check_dimension, check_gaussian_map, resolve_inner
from ._proof import ProofResult, equality_step, proof_result, reduce_expression
from .gaussian_maps import GaussianMap, linear_map
from .matrices import MatrixLike

__all__ = ["prove_chain_rule", "prove_gaussian_invariance"]


def prove_chain_rule(
    d: int = 2, A: MatrixLike | None = None, *, inner: GaussianMap | None = None
) -> ProofResult:
    r"""Prove :math:`J_f=D_{\rm out}\,J_T(y)\,D_{\rm in}` for *arbitrary* differentiable G and G⁻¹.

    The coordinate maps are undefined SymPy functions :math:`G_j` and :math:`H_i` (standing for
    :math:`G_i^{-1}`), so the statement covers every prior at once; the inner map is the given one
    (default: the symbolic rotation of :func:`default_rotation`). The residual is
    :math:`J_f-D_{\rm out}J_TD_{\rm in}` entrywise.
    """
    d = check_dimension(d)
    return _chain_rule(resolve_inner(d, A, inner))


@functools.lru_cache(maxsize=64)
def _chain_rule(T: GaussianMap) -> ProofResult:
    d = T.d
    u = sp.symbols(f"u1:{d + 1}", real=True)
    Gs = [sp.Function(f"G_{j + 1}")(u[j]) for j in range(d)]
    Hs = [sp.Function(f"H_{i + 1}") for i in range(d)]
    sub = dict(zip(T.y, Gs, strict=True))
    TG = [e.subs(sub, simultaneous=True) for e in T.T]
    f = sp.Matrix([Hs[i](TG[i]) for i in range(d)])
    J = f.jacobian(u)
    xi = sp.Dummy("xi")
    JT = T.jacobian().subs(sub, simultaneous=True)
    d_out = [sp.Subs(sp.Derivative(Hs[i](xi), xi), xi, TG[i]) for i in range(d)]
    d_in = [sp.Derivative(Gs[j], u[j]) for j in range(d)]
    S = sp.Matrix(d, d, lambda i, j: d_out[i] * JT[i, j] * d_in[j])
    step = equality_step(
        f"chain rule, d = {d}: ∂f_i/∂u_j = H_i'(T_i(G(u)))·(∂T_i/∂y_j)(G(u))·G_j'(u_j) "
        "for f_i = H_i(T_i(G_1(u_1),…)), "
        "with G_j, H_i arbitrary differentiable functions",
        sp.ImmutableMatrix(J),
        sp.ImmutableMatrix(S),
        simplifier=lambda e: sp.simplify(e.doit()),
        how="structural equality, else simplify(doit(lhs - rhs))",
    )
    steps = [step]
    if T.A is not None:
        steps.append(
            equality_step("the Jacobian of the linear map T(y) = Ay is A", T.jacobian(), T.A)
        )
    return proof_result(
        "J_f(u) = diag((G⁻¹)'(y')) · J_T(y) · diag(G'(u)),  y = G(u), y' = T(y)",
        step.residual,
        steps,
    )


def prove_gaussian_invariance(
    A: MatrixLike | None = None, *, d: int | None = None, inner: GaussianMap | None = None
) -> ProofResult:
    r"""Prove :math:`\varphi_d(T(y))\,|\det J_T(y)|=\varphi_d(y)`: T keeps :math:`\mathcal N(0,I)`.

    Steps: (if linear) :math:`A^\top A=I`; :math:`\lVert T(y)\rVert^2=\lVert y\rVert^2`;
    :math:`|\det J_T|=1`; then, substituting both, :math:`\varphi_d(T(y))|\det J_T|=\varphi_d(y)`.
    A shear or any non-orthogonal A fails the first two and leaves the residual
    :math:`e^{(\lVert y\rVert^2-\lVert Ay\rVert^2)/2}|\det A|-1` (relative residual reported).
    ``d``, if given with ``A`` or ``inner``, must match it.
    """
    if inner is not None:
        dim = check_gaussian_map(inner).d if d is None else check_dimension(d)
        T = resolve_inner(dim, A, inner)
    elif A is not None:
        T = linear_map(A) if d is None else resolve_inner(check_dimension(d), A, None)
    elif d is not None:
        T = resolve_inner(check_dimension(d), None, None)
    else:
        raise ValueError("give A, inner, or d (for the default symbolic rotation)")
    return _gaussian_invariance(T)


@functools.lru_cache(maxsize=64)
def _gaussian_invariance(T: GaussianMap) -> ProofResult:
    y = T.y
    steps = []
    if T.A is not None:
        steps.append(
            equality_step(f"A is orthogonal: AᵀA = I (d = {T.d})", T.A.T * T.A, sp.eye(T.d))
        )
    norm2 = sum(c**2 for c in y)
    q = reduce_expression(sum(c**2 for c in T.T), sp.simplify)
    steps.append(
        equality_step(
            "T preserves the norm: ‖T(y)‖² = ‖y‖²", q, norm2, how="simplify(‖T(y)‖² − ‖y‖²) == 0"
        )
    )
    det = sp.simplify(T.jacobian().det(method="berkowitz"))
    absdet = sp.simplify(sp.Abs(det))
    steps.append(equality_step("T preserves volume: |det J_T(y)| = 1", absdet, sp.S.One))
    # combine: substitute the simplified ‖T(y)‖² and |det J_T| into φ_d(T(y))|det J_T|/φ_d(y) − 1
    ratio = sp.exp(-(q - norm2) / 2) * absdet
    steps.append(
        equality_step(
            "φ_d(T(y))·|det J_T(y)| / φ_d(y) = exp((‖y‖² − ‖T(y)‖²)/2)·|det J_T(y)| = 1",
            ratio,
            sp.S.One,
        )
    )
    return proof_result(
        "φ_d(T(y))·|det J_T(y)| = φ_d(y) for all y ∈ ℝ^d (T preserves N(0, I))",
        steps[-1].residual,
        steps,
    )
