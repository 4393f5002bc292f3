r"""Density invariance :math:`p(f(u))\,|\det J_f(u)|=p(u)`, from one-dimensional identities.

.. math:: \text{(i)}\ \ G'(x)=\frac{p(x)}{\varphi(G(x))},\qquad
          \text{(ii)}\ \ (G^{-1})'(t)=\frac{\varphi(t)}{p(G^{-1}(t))}.

:func:`prove_marginal_identities` proves, per prior and per piece, :math:`F'=p`, :math:`p>0`,
:math:`F` running from 0 to 1, :math:`F^{-1}(F(x))=x`, and (i), (ii).
:func:`prove_density_invariance` combines them with the chain rule and the Gaussian invariance of
T: every :math:`p_i(v_i)` and every :math:`\varphi(y_j)` cancels. The residual reported is
:math:`\prod_i r^{\rm out}_i\prod_j r^{\rm in}_j\,\varphi_d(T(y))|\det J_T|/\varphi_d(y)-1`, where
:math:`r^{\rm in}=\varphi(G)G'/p` and :math:`r^{\rm out}=(G^{-1})'\,p(G^{-1})/\varphi` are the
simplified ratios of (i), (ii) (exactly 1 for a correct prior); a wrong density or a
non-orthogonal A leaves it nonzero.
"""

from __future__ import annotations

import functools
from typing import Sequence

import sympy as sp

from ._arguments import check_dimension, resolve_inner, resolve_priors
from ._proof import (
    ProofResult,
    ProofStep,
    equality_step,
    is_zero,
    positivity_step,
    proof_result,
)
from ._variables import P_SYMBOL as _P
from ._variables import T_SYMBOL as _T
from ._variables import X_SYMBOL as _X
from ._variables import interval_point, interval_symbol, piecewise_over
from .gaussian_maps import GaussianMap
from .matrices import MatrixLike
from .normal import std_normal_cdf, std_normal_pdf
from .priors import SymbolicPrior, get_prior
from .proofs_lemmas import prove_chain_rule, prove_gaussian_invariance

__all__ = ["prove_marginal_identities", "prove_density_invariance"]


@functools.lru_cache(maxsize=None)
def _marginal_analysis(prior: SymbolicPrior) -> tuple[ProofResult, sp.Expr, sp.Expr]:
    """Steps for one prior, and the simplified ratios r_in(x) (in x) and r_out(t) (in t)."""
    steps: list[ProofStep] = []
    r_in_pieces, r_out_pieces = [], []
    n = len(prior.pieces)
    for k, pc in enumerate(prior.pieces):
        tag = (
            prior.name
            if n == 1
            else f"{prior.name}, piece {k + 1}/{n}: {pc.lower} < x < {pc.upper}"
        )
        x = interval_symbol("x", pc.lower, pc.upper)
        t = interval_symbol("t", pc.gaussian_lower, pc.gaussian_upper)
        sx = lambda s, pc=pc: interval_point(pc.lower, pc.upper, s)  # noqa: E731
        st = lambda s, pc=pc: interval_point(pc.gaussian_lower, pc.gaussian_upper, s)  # noqa: E731
        dom = {x: sx, t: st}
        pdf, cdf, Gx = pc.pdf_at(x), pc.cdf_at(x), pc.gaussianize(x)
        steps.append(
            equality_step(
                f"[{tag}] the density is the derivative of the CDF: F'(x) = p(x)",
                sp.diff(cdf, x),
                pdf,
                domain=dom,
            )
        )
        # positivity on the open piece: substitute x = x(s), s real, an increasing bijection onto it
        s = sp.Symbol("s", real=True)
        steps.append(
            positivity_step(
                f"[{tag}] p(x) > 0 on the open interval (x = x(s), s ∈ ℝ)",
                pc.pdf_at(interval_point(pc.lower, pc.upper, s)),
                domain={},
            )
        )
        lo_lim = sp.limit(cdf, x, pc.lower, "+")
        hi_lim = sp.limit(cdf, x, pc.upper, "-")
        steps.append(
            equality_step(
                f"[{tag}] F runs from {pc.p_lower} to {pc.p_upper} over the interval "
                f"(with F' = p > 0: F is a bijection onto ({pc.p_lower}, {pc.p_upper}))",
                sp.ImmutableMatrix([lo_lim, hi_lim]),
                sp.ImmutableMatrix([pc.p_lower, pc.p_upper]),
                how="limit",
            )
        )
        steps.append(
            equality_step(
                f"[{tag}] the quantile inverts the CDF: F⁻¹(F(x)) = x",
                pc.quantile_at(cdf),
                x,
                domain=dom,
            )
        )
        r_in = sp.simplify(std_normal_pdf(Gx) * sp.diff(Gx, x) / pdf)
        steps.append(
            equality_step(
                f"[{tag}] (i) G'(x) = p(x)/φ(G(x)), as φ(G(x))·G'(x)/p(x) = 1, G = Φ⁻¹∘F",
                r_in,
                sp.S.One,
                domain=dom,
            )
        )
        Ginv = pc.degaussianize(t)
        r_out = sp.simplify(sp.diff(Ginv, t) * pc.pdf_at(Ginv) / std_normal_pdf(t))
        steps.append(
            equality_step(
                f"[{tag}] (ii) (G⁻¹)'(t) = φ(t)/p(G⁻¹(t)), as (G⁻¹)'(t)·p(G⁻¹(t))/φ(t) = 1, "
                "G⁻¹ = F⁻¹∘Φ",
                r_out,
                sp.S.One,
                domain=dom,
            )
        )
        if prior.closed_forms is not None:
            cf_pdf, cf_cdf, cf_q = prior.closed_forms
            q_t = std_normal_cdf(t)
            steps.append(
                equality_step(
                    f"[{tag}] the single-expression forms of pdf, CDF and quantile agree with "
                    "this piece",
                    sp.ImmutableMatrix(
                        [cf_pdf.subs(_X, x), cf_cdf.subs(_X, x), cf_q.subs(_P, q_t)]
                    ),
                    sp.ImmutableMatrix([pdf, cdf, pc.quantile_at(q_t)]),
                    domain=dom,
                )
            )
        r_in_pieces.append(r_in.subs(x, _X))
        r_out_pieces.append(r_out.subs(t, _T))
    r_in_all = piecewise_over(_X, r_in_pieces, [pc.upper for pc in prior.pieces])
    r_out_all = piecewise_over(_T, r_out_pieces, [pc.gaussian_upper for pc in prior.pieces])
    if all(r == 1 for r in r_in_pieces):
        r_in_all = sp.S.One
    if all(r == 1 for r in r_out_pieces):
        r_out_all = sp.S.One
    residual = sp.ImmutableMatrix([r_in_all - 1, r_out_all - 1])
    res = proof_result(
        f"marginal identities of the {prior.name} prior: G' = p/φ(G) and (G⁻¹)' = φ/p(G⁻¹)",
        residual if not is_zero(residual) else sp.S.Zero,
        steps,
    )
    return res, r_in_all, r_out_all


def prove_marginal_identities(prior: str | SymbolicPrior) -> ProofResult:
    r"""Prove the one-dimensional facts the construction needs, for one prior (per piece).

    Steps: :math:`F'=p`; :math:`p>0` on the open support; :math:`F` tends to 0 and 1 at the ends
    (so, being strictly increasing, it is a bijection of the support onto (0, 1) and
    :math:`G=\Phi^{-1}\circ F` one onto :math:`\mathbb R`); :math:`F^{-1}(F(x))=x`; and identities
    (i), (ii) of the module docstring.
    The residual is the vector :math:`(r^{\rm in}-1,\ r^{\rm out}-1)` of the simplified ratios.
    """
    return _marginal_analysis(get_prior(prior))[0]


def prove_density_invariance(
    prior: str | SymbolicPrior | Sequence[str | SymbolicPrior] = "logistic",
    d: int = 2,
    A: MatrixLike | None = None,
    *,
    inner: GaussianMap | None = None,
) -> ProofResult:
    r"""Prove :math:`p(f(u))\,|\det J_f(u)|=p(u)` on the open support, in structured steps.

    Parameters
    ----------
    prior : str, SymbolicPrior, or a sequence of d of them
    d : int, default=2
    A : matrix-like, optional
        Default: the symbolic rotation of :func:`default_rotation` (θ for d = 2, Cayley for d = 3).
    inner : GaussianMap, optional
        A nonlinear Gaussian-space map instead of A (e.g. :func:`swirl_map`; its Gaussian invariance
        is proved by direct simplification — seconds in d = 2, impractically slow for the d = 3
        swirl, whose structured proof is :func:`prove_swirl`).

    Returns
    -------
    ProofResult
        Residual :math:`\prod_i r^{\rm out}_i(w_i)\prod_j r^{\rm in}_j(u_j)\cdot
        \varphi_d(T(y))|\det J_T(y)|/\varphi_d(y)-1`
        (relative form of :math:`p(f(u))|\det J_f(u)|-p(u)`, divided by :math:`p(u)>0`); see the
        module docstring.

    Examples
    --------
    >>> bool(prove_density_invariance("exponential", 2))
    True
    """
    d = check_dimension(d)
    priors = resolve_priors(prior, d)
    T = resolve_inner(d, A, inner)
    steps: list[ProofStep] = []
    ratios_in, ratios_out = [], []
    for pr in dict.fromkeys(priors):  # distinct priors, in order
        res, _, _ = _marginal_analysis(pr)
        steps.extend(res.steps)
    t = sp.Symbol("t", real=True)
    steps.append(positivity_step("φ(t) > 0 for every real t", std_normal_pdf(t)))
    chain = prove_chain_rule(d, inner=T)
    steps.extend(chain.steps)
    a = sp.symbols(f"a1:{d + 1}", positive=True)
    b = sp.symbols(f"b1:{d + 1}", positive=True)
    M = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"m{i + 1}{j + 1}", real=True))
    steps.append(
        equality_step(
            f"det(diag(a)·M·diag(b)) = (∏a_i)·det M·(∏b_j) (d = {d}); with a, b > 0: "
            "|det J_f| = ∏(G⁻¹)'(y'_i) · |det J_T| · ∏G_j'(u_j)",
            (sp.diag(*a) * M * sp.diag(*b)).det(method="berkowitz"),
            sp.Mul(*a) * M.det(method="berkowitz") * sp.Mul(*b),
            simplifier=sp.expand,
            how="expand(lhs − rhs) == 0",
        )
    )
    gauss = prove_gaussian_invariance(inner=T)
    steps.extend(gauss.steps)
    # combination: p(f(u))|det J_f(u)|/p(u) = ∏ r_out_i ∏ r_in_j · φ_d(T(y))|det J_T|/φ_d(y)
    w = sp.symbols(f"w1:{d + 1}", real=True)
    for j, pr in enumerate(priors):
        _, r_in, r_out = _marginal_analysis(pr)
        u_j = pr.support_symbol(f"u{j + 1}")
        ratios_in.append(r_in.subs(_X, u_j))
        ratios_out.append(r_out.subs(_T, w[j]))
    dom = {}
    for j, pr in enumerate(priors):
        uj = pr.support_symbol(f"u{j + 1}")
        dom[uj] = lambda s, pr=pr: pr.support_point(s)
    # the multivariate forms of (i) and (ii): J_G and J_{G⁻¹} are diagonal
    steps.append(
        equality_step(
            "p(u) = φ_d(G(u))·|det J_G(u)|: J_G = diag(G_j'(u_j)), so the ratio is "
            "∏_j φ(G_j(u_j))·G_j'(u_j)/p_j(u_j) = ∏_j r_in_j(u_j) = 1 by (i)",
            sp.Mul(*ratios_in),
            sp.S.One,
            domain=dom,
        )
    )
    steps.append(
        equality_step(
            "|det J_{G⁻¹}(w)| = φ_d(w)/p(G⁻¹(w)): the ratio is ∏_i r_out_i(w_i) = 1 by (ii)",
            sp.Mul(*ratios_out),
            sp.S.One,
            domain=dom,
        )
    )
    combo = sp.Mul(*ratios_out) * sp.Mul(*ratios_in) * (gauss.residual + 1) - 1
    final = equality_step(
        "combine: p(f(u))·|det J_f(u)| / p(u) = "
        "∏_i [p_i(v_i)·φ(y'_i)/p_i(v_i)] · |det J_T| · ∏_j [p_j(u_j)/φ(y_j)] / p(u) "
        "= φ_d(y')·|det J_T(y)|/φ_d(y) = 1, using (i), (ii) and the Gaussian invariance",
        combo + 1,
        sp.S.One,
        domain=dom,
    )
    steps.append(final)
    names = ", ".join(dict.fromkeys(pr.name for pr in priors))
    what = f"T = {T.name} map" if T.A is None else "A orthogonal"
    return proof_result(
        f"p(f(u))·|det J_f(u)| = p(u) for f = G⁻¹∘T∘G, prior {names}, d = {d}, {what}",
        final.residual,
        steps,
    )
