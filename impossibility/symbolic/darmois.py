r"""The linear–Gaussian Darmois construction in d = 2, and the proof that its map is orthogonal.

.. math:: x=My,\quad \Sigma=MM^\top=LL^\top,\qquad
          \Phi^{-1}(D(x))=L^{-1}x,\qquad (L^{-1}M)(L^{-1}M)^\top=I.

The Darmois map D of :math:`x\sim\mathcal N(0,\Sigma)` standardizes one coordinate after the
other by its conditional law (L the Cholesky factor of Σ), so the Darmois solution in Gaussian
space, :math:`y\mapsto\Phi^{-1}(D(My))=L^{-1}My`, is an orthogonal matrix: the construction of
the numeric :func:`impossibility.linear_gaussian_darmois`, proved from its definition.
"""

from __future__ import annotations

import sympy as sp

from ._proof import ProofResult, ProofStep, equality_step, proof_result
from .matrices import MatrixLike

__all__ = ["darmois_linear_gaussian_2d", "prove_darmois_linear_gaussian"]


def darmois_linear_gaussian_2d(
    M: MatrixLike | None = None,
) -> tuple[sp.ImmutableMatrix, sp.ImmutableMatrix, sp.ImmutableMatrix]:
    r"""The linear–Gaussian Darmois construction in d = 2: returns :math:`(M, L, L^{-1}M)`.

    For :math:`y\sim\mathcal N(0,I)` and :math:`x=My`, :math:`x\sim\mathcal N(0,\Sigma)` with
    :math:`\Sigma=MM^\top=LL^\top` (Cholesky, L lower triangular with positive diagonal). The
    Darmois map of x is
    :math:`D(x)=(\Phi(x_1/\sqrt{\Sigma_{11}}),\ \Phi((x_2-\mu_{2|1})/\sigma_{2|1}))=\Phi(L^{-1}x)`,
    so the Darmois solution in Gaussian space is :math:`y\mapsto\Phi^{-1}(D(My))=L^{-1}My`. ``M``
    defaults to four real symbols m11, m12, m21, m22 (M must be invertible).
    """
    if M is None:
        M = sp.Matrix(2, 2, sp.symbols("m11 m12 m21 m22", real=True))
    M = sp.Matrix(M)
    if M.shape != (2, 2):
        raise ValueError(f"M must be 2×2; got shape {M.shape}")
    if sp.simplify(M.det()) == 0:
        raise ValueError(f"M must be invertible; det M simplifies to 0 for M = {M}")
    S = M * M.T
    L = S.cholesky(hermitian=False)
    return sp.ImmutableMatrix(M), sp.ImmutableMatrix(L), sp.ImmutableMatrix(L.inv() * M)


def prove_darmois_linear_gaussian(
    M: MatrixLike | None = None, *, L: MatrixLike | None = None
) -> ProofResult:
    r"""Prove that the linear–Gaussian Darmois map :math:`L^{-1}M` (d = 2) is orthogonal.

    From the Darmois definition, in steps (:math:`x=My`, :math:`\Sigma=MM^\top`):

    1. :math:`LL^\top=MM^\top` and L is lower triangular (L from the Cholesky factorization);
    2. the conditional law, for a generic positive-definite
       :math:`\Sigma=\begin{pmatrix}s_{11}&s_{12}\\s_{12}&s_{22}\end{pmatrix}` (:math:`s_{11}>0`,
       :math:`\delta=s_{11}s_{22}-s_{12}^2>0`):
       :math:`\mathcal N(x;0,\Sigma)/\mathcal N(x_1;0,s_{11})`
       :math:`=\mathcal N(x_2;\mu_{2|1},\sigma^2_{2|1})`
       with :math:`\mu_{2|1}=s_{12}x_1/s_{11}`, :math:`\sigma^2_{2|1}=\delta/s_{11}`;
    3. the standardized residuals :math:`(x_1/\sqrt{s_{11}},(x_2-\mu_{2|1})/\sigma_{2|1})` equal
       :math:`L_\Sigma^{-1}x` (Cholesky factor of that Σ), so :math:`\Phi^{-1}(D(x))=L^{-1}x` and
       the Darmois solution in Gaussian space is :math:`y\mapsto L^{-1}My`;
    4. :math:`Q=L^{-1}M` satisfies :math:`QQ^\top=I` (for a square matrix this also gives
       :math:`Q^\top Q=I`).

    ``L`` may be given to check another factor; a wrong one (e.g. the lower triangle of M) fails.
    """
    Mm, L0, _ = darmois_linear_gaussian_2d(M)
    L = sp.Matrix(L0 if L is None else L)
    if L.shape != (2, 2):
        raise ValueError(f"L must be 2×2; got shape {L.shape}")
    Mm = sp.Matrix(Mm)
    steps: list[ProofStep] = []
    steps.append(equality_step("L·Lᵀ = Σ = M·Mᵀ", L * L.T, Mm * Mm.T))
    steps.append(
        equality_step(
            "L is lower triangular", sp.ImmutableMatrix([L[0, 1]]), sp.ImmutableMatrix([0])
        )
    )
    x1, x2, s12 = sp.symbols("x1 x2 s12", real=True)
    s11, delta = sp.symbols("s11 delta", positive=True)
    S = sp.Matrix([[s11, s12], [s12, (delta + s12**2) / s11]])
    mu, var = s12 / s11 * x1, delta / s11
    X = sp.Matrix([x1, x2])
    log_joint = -(X.T * S.inv() * X)[0, 0] / 2 - sp.log(2 * sp.pi) - sp.log(delta) / 2
    log_marg = -(x1**2) / (2 * s11) - sp.log(2 * sp.pi * s11) / 2
    log_cond = -((x2 - mu) ** 2) / (2 * var) - sp.log(2 * sp.pi * var) / 2
    steps.append(
        equality_step(
            "conditional law of x₂ given x₁ for x ~ N(0, Σ): "
            "log N(x; 0, Σ) − log N(x₁; 0, s₁₁) = log N(x₂; μ₂|₁, σ²₂|₁), "
            "μ₂|₁ = s₁₂x₁/s₁₁, σ²₂|₁ = δ/s₁₁ (δ = det Σ)",
            log_joint - log_marg,
            log_cond,
            simplifier=lambda e: sp.simplify(sp.expand_log(e, force=True)),
        )
    )
    LS = S.cholesky(hermitian=False)
    resid = sp.Matrix([x1 / sp.sqrt(s11), (x2 - mu) / sp.sqrt(var)])
    steps.append(
        equality_step(
            "standardized residuals = L_Σ⁻¹x: Φ⁻¹(D(x)) = L⁻¹x, so f(y) = Φ⁻¹(D(My)) = L⁻¹My",
            resid,
            LS.inv() * X,
        )
    )
    Qm = L.inv() * Mm
    steps.append(equality_step("Q = L⁻¹M is orthogonal: Q·Qᵀ = I", Qm * Qm.T, sp.eye(2)))
    return proof_result(
        "the linear–Gaussian Darmois map y ↦ L⁻¹My is orthogonal (d = 2)", steps[-1].residual, steps
    )
