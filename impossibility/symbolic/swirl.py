r"""The swirl, a nonlinear map of Gaussian space that keeps :math:`\mathcal N(0,I)`, and its proof.

.. math:: T(y)=\exp\big(\theta(\lVert y\rVert)S\big)\,y,\qquad
          T^{-1}(w)=\exp\big(-\theta(\lVert w\rVert)S\big)\,w.

A rotation by an angle that depends only on the radius keeps :math:`\lVert y\rVert` and has unit
Jacobian determinant (docs/theory.md §4.2), so :math:`G^{-1}\circ T\circ G` preserves the prior as
Theorem 1's linear map does. In d = 2, S is the rotation generator of the plane; in d = 3 the
rotation is about a symbolic unit axis (Rodrigues' formula), and its proof is structured: the
chain rule, the matrix determinant lemma and :math:`y^\top Ky=0` for skew K.
"""

from __future__ import annotations

from typing import Any, Callable, TypeAlias

import sympy as sp

from .._validation import check_int
from ._proof import ProofResult, ProofStep, equality_step, proof_result
from ._variables import gaussian_symbols
from .gaussian_maps import GaussianMap
from .matrices import rotation_2d, skew_symmetric
from .proofs_lemmas import prove_gaussian_invariance

__all__ = ["SwirlAngle", "swirl_map", "prove_swirl"]

#: The angle of a swirl as a function of the radius: ``"function"`` (an undefined θ(r)),
#: ``"quadratic"`` (:math:`a+br^2`) or a callable of the radius expression.
SwirlAngle: TypeAlias = str | Callable[[sp.Expr], sp.Expr]


def _rodrigues(axis: sp.Matrix, angle: sp.Expr) -> sp.Matrix:
    """exp(angle·[axis]ₓ) for a unit axis."""
    K = sp.Matrix(skew_symmetric(list(axis)))
    return sp.eye(3) + sp.sin(angle) * K + (1 - sp.cos(angle)) * K * K


def _check_swirl_dimension(d: Any) -> int:
    d = check_int(d, "d")
    if d not in (2, 3):
        raise ValueError(f"swirl_map supports d = 2 or 3; got d = {d!r}")
    return d


def _swirl_parts(
    d: int, theta: SwirlAngle
) -> tuple[
    tuple[sp.Symbol, ...],
    sp.Expr,
    Callable[[sp.Expr], sp.Expr],
    Callable[[sp.Expr], sp.Matrix],
]:
    """Symbols y, radius r(y), the angle function θ and the rotation-matrix builder of a swirl."""
    d = _check_swirl_dimension(d)
    y = gaussian_symbols(d)
    r = sp.sqrt(sum(c**2 for c in y))
    expected = "theta must be 'function', 'quadratic' or a callable of r"
    if isinstance(theta, str):
        if theta == "function":
            th_fun: Callable[[sp.Expr], sp.Expr] = sp.Function("theta")
        elif theta == "quadratic":
            a, b = sp.symbols("a b", real=True)
            th_fun = lambda rr: a + b * rr**2  # noqa: E731
        else:
            raise ValueError(f"{expected}; got {theta!r}")
    elif callable(theta):
        th_fun = theta
    else:
        raise TypeError(f"{expected}; got {theta!r} ({type(theta).__name__})")
    if d == 2:
        rot = lambda ang: sp.Matrix(rotation_2d(ang))  # noqa: E731
    else:
        al, be = sp.symbols("alpha beta", real=True)
        axis = sp.Matrix([sp.sin(al) * sp.cos(be), sp.sin(al) * sp.sin(be), sp.cos(al)])
        rot = lambda ang: _rodrigues(axis, ang)  # noqa: E731
    return y, r, th_fun, rot


def swirl_map(d: int = 2, theta: SwirlAngle = "function") -> GaussianMap:
    r"""The radius-dependent rotation :math:`T(y)=\exp(\theta(\lVert y\rVert)S)y`.

    See docs/theory.md §4.2.

    Parameters
    ----------
    d : {2, 3}
        d = 2: :math:`S=\begin{pmatrix}0&-1\\1&0\end{pmatrix}`, :math:`\exp(\theta S)` is the
        rotation by θ. d = 3: rotation by θ about the unit axis
        :math:`n=(\sin\alpha\cos\beta,\sin\alpha\sin\beta,\cos\alpha)` with symbols α, β
        (Rodrigues' formula).
    theta : "function", "quadratic", or callable
        ``"function"``: an arbitrary (undefined) SymPy function θ(r) — the proof then holds for
        every differentiable θ. ``"quadratic"``: :math:`\theta=a+br^2` with symbols a, b (smooth at
        0; this is :class:`impossibility.entangle.Swirl` with
        :math:`S=\begin{pmatrix}0&-1\\1&0\end{pmatrix}` in d = 2). A callable receives the radius
        expression r and returns θ.

    Since :math:`\lVert T(y)\rVert=\lVert y\rVert`, the inverse is
    :math:`T^{-1}(w)=\exp(-\theta(\lVert w\rVert)S)\,w`.
    """
    y, r, th_fun, rot = _swirl_parts(d, theta)
    Y = sp.Matrix(y)
    T = rot(th_fun(r)) * Y
    T_inv = rot(-th_fun(r)) * Y
    return GaussianMap("swirl", y, sp.ImmutableMatrix(T), sp.ImmutableMatrix(T_inv))


def prove_swirl(d: int = 2, theta: SwirlAngle = "function") -> ProofResult:
    r"""Prove that the swirl :math:`T(y)=\exp(\theta(\lVert y\rVert)S)y` keeps the law N(0, I).

    Its inverse is proved too.

    d = 2 (fast, direct): :math:`\det J_T=1` (for an arbitrary θ when ``theta="function"``),
    :math:`\lVert T(y)\rVert=\lVert y\rVert`, :math:`\varphi_2(T(y))|\det J_T|=\varphi_2(y)`, and
    :math:`T^{-1}(T(y))=y` with :math:`T^{-1}(w)=\exp(-\theta(\lVert w\rVert)S)w`.

    d = 3 (structured, about a minute): with :math:`R(\phi)` Rodrigues' rotation about the symbolic
    unit axis and :math:`K=[n]_\times`: :math:`R^\top R=I`, :math:`\det R=1`, :math:`dR/d\phi=RK`
    (so :math:`R(\phi)=\exp(\phi K)`), :math:`R(-\phi)=R(\phi)^\top`; the chain rule
    :math:`J_T=R(\theta(r))\,(I+\tfrac{\theta'(r)}{r}Kyy^\top)`; the matrix determinant lemma
    :math:`\det(I+cKyy^\top)=1+c\,y^\top Ky` and :math:`y^\top Ky=0`; hence :math:`\det J_T=1`, and
    :math:`\lVert T(y)\rVert^2=y^\top R^\top Ry=\lVert y\rVert^2`.
    """
    if _check_swirl_dimension(d) == 3:
        return _prove_swirl_3d(theta)
    T = swirl_map(d, theta)
    steps: list[ProofStep] = []
    det = T.jacobian().det(method="berkowitz")
    steps.append(equality_step("unit Jacobian determinant: det J_T(y) = 1", det, sp.S.One))
    gauss = prove_gaussian_invariance(inner=T)
    steps.extend(gauss.steps)
    # T⁻¹(T(y)) = exp(−θ(‖T(y)‖)S)·T(y) = exp(−θ(‖y‖)S)·T(y), by the norm step above
    y, r, th_fun, rot = _swirl_parts(d, theta)
    comp = rot(-th_fun(r)) * sp.Matrix(T.T)
    steps.append(
        equality_step(
            "T⁻¹(T(y)) = exp(−θ(‖T(y)‖)S)·T(y) = exp(−θ(‖y‖)S)·T(y) = y (norm preserved)",
            comp,
            sp.Matrix(T.y),
        )
    )
    return proof_result(
        f"the swirl T(y) = exp(θ(‖y‖)S)·y (d = {d}) has det J_T = 1, preserves ‖y‖ and N(0, I)",
        gauss.residual,
        steps,
    )


def _prove_swirl_3d(theta: SwirlAngle) -> ProofResult:
    y, r, th_fun, rot = _swirl_parts(3, theta)
    T = swirl_map(3, theta)
    Y = sp.Matrix(y)
    phi = sp.Symbol("phi", real=True)
    R = rot(phi)
    al, be = sp.symbols("alpha beta", real=True)
    K = sp.Matrix(skew_symmetric([sp.sin(al) * sp.cos(be), sp.sin(al) * sp.sin(be), sp.cos(al)]))
    steps: list[ProofStep] = []
    steps.append(
        equality_step(
            "R(φ) (Rodrigues, unit axis n(α, β)) is orthogonal: RᵀR = I", R.T * R, sp.eye(3)
        )
    )
    steps.append(equality_step("det R(φ) = 1", R.det(method="berkowitz"), sp.S.One))
    steps.append(
        equality_step("dR/dφ = R·K with R(0) = I, so R(φ) = exp(φK)", sp.diff(R, phi), R * K)
    )
    steps.append(equality_step("R(−φ) = R(φ)ᵀ (the inverse rotation)", rot(-phi), R.T))
    rr = sp.Dummy("r", positive=True)
    dth = sp.diff(th_fun(rr), rr).subs(rr, r)
    structured = rot(th_fun(r)) * (sp.eye(3) + dth / r * K * Y * Y.T)
    steps.append(
        equality_step(
            "chain rule: J_T(y) = R(θ(r))·(I + θ'(r)/r · K y yᵀ), r = ‖y‖", T.jacobian(), structured
        )
    )
    c = sp.Symbol("c", real=True)
    steps.append(
        equality_step(
            "matrix determinant lemma: det(I + c·K y yᵀ) = 1 + c·yᵀKy",
            (sp.eye(3) + c * K * Y * Y.T).det(method="berkowitz"),
            1 + c * (Y.T * K * Y)[0, 0],
            simplifier=lambda e: sp.expand(e),
        )
    )
    steps.append(equality_step("yᵀKy = 0 for skew K", (Y.T * K * Y)[0, 0], sp.S.Zero))
    # det J_T = det R(θ(r)) · det(I + (θ'/r) K y yᵀ) = 1 · (1 + (θ'/r)·0) = 1, by the steps above
    det_val = sp.S.One * (1 + dth / r * sp.S.Zero)
    steps.append(
        equality_step(
            "hence det J_T(y) = det R(θ(r)) · (1 + θ'(r)/r · yᵀKy) = 1", det_val, sp.S.One
        )
    )
    # ‖T(y)‖² = yᵀ R(θ)ᵀ R(θ) y = yᵀy, by RᵀR = I at φ = θ(r)
    norm_val = (Y.T * sp.eye(3) * Y)[0, 0]
    steps.append(
        equality_step(
            "‖T(y)‖² = yᵀR(θ(r))ᵀR(θ(r))y = ‖y‖² (RᵀR = I), so T⁻¹(w) = R(−θ(‖w‖))w",
            norm_val,
            (Y.T * Y)[0, 0],
        )
    )
    final = sp.exp(-(norm_val - (Y.T * Y)[0, 0]) / 2) * sp.Abs(det_val) - 1
    steps.append(equality_step("φ_3(T(y))·|det J_T(y)| / φ_3(y) = 1", final + 1, sp.S.One))
    return proof_result(
        "the swirl T(y) = exp(θ(‖y‖)K)·y (d = 3) has det J_T = 1, preserves ‖y‖ and N(0, I)",
        steps[-1].residual,
        steps,
    )
