r"""Theorem 1's entangling maps in SymPy, and machine-checked proofs of their properties.

The numeric package (:mod:`impossibility.entangle`) *measures* that :math:`f=G^{-1}\circ A\circ G`
preserves a factorized prior and entangles every coordinate. This module *proves* it, symbolically,
for priors whose CDF and quantile have closed forms, and returns the argument as data: every proof is a
:class:`ProofResult` made of :class:`ProofStep` objects, each stating one identity (or inequality),
the residual SymPy reduced it to, and whether that residual is exactly zero (or provably positive).

The argument (theory.md §2.2–§2.4)
----------------------------------
Notation: :math:`G_j=\Phi^{-1}\circ F_j` (Gaussianizing map), :math:`y=G(u)`, :math:`y'=T(y)` for a map
:math:`T` of Gaussian space (Theorem 1: :math:`T(y)=Ay` with :math:`A` orthogonal), :math:`v=f(u)=G^{-1}(y')`,
:math:`\varphi` the standard normal density, :math:`\varphi_d(y)=\prod_i\varphi(y_i)`.

1. **Marginal identities** (one dimension, per prior; :func:`prove_marginal_identities`):
   :math:`F'=p`, :math:`p>0` on the open support, :math:`F` runs from 0 to 1 over the support (so it is a
   bijection onto :math:`(0,1)`), :math:`F^{-1}(F(x))=x`, and

   .. math:: \text{(i)}\ \ G'(x)=\frac{p(x)}{\varphi(G(x))},\qquad
             \text{(ii)}\ \ (G^{-1})'(t)=\frac{\varphi(t)}{p(G^{-1}(t))}.

2. **Chain rule** (:func:`prove_chain_rule`, with *abstract* SymPy functions standing for
   :math:`G_j` and :math:`G_i^{-1}`, so it holds for every differentiable choice):
   :math:`J_f(u)=D_{\rm out}\,J_T(y)\,D_{\rm in}` with :math:`D_{\rm in}=\operatorname{diag}(G_j'(u_j))`,
   :math:`D_{\rm out}=\operatorname{diag}((G_i^{-1})'(y'_i))`. Together with (i)–(ii):

   .. math:: \frac{\partial f_i}{\partial u_j}=\frac{\varphi(y'_i)}{p_i(v_i)}\,A_{ij}\,\frac{p_j(u_j)}{\varphi(y_j)}.

3. **Gaussian invariance of T** (:func:`prove_gaussian_invariance`): :math:`\lVert T(y)\rVert=\lVert y\rVert` and
   :math:`|\det J_T|=1`, hence :math:`\varphi_d(T(y))\,|\det J_T(y)|=\varphi_d(y)`. For linear T this is
   :math:`A^\top A=I` (orthogonality).

4. **Combination** (:func:`prove_density_invariance`): :math:`\det(D_{\rm out}MD_{\rm in})=\prod D_{\rm out}\,\det M\prod D_{\rm in}`,
   and substituting (i)–(ii) every :math:`p_i(v_i)` and every :math:`\varphi(y_j)` cancels:

   .. math:: \frac{p(f(u))\,|\det J_f(u)|}{p(u)}=\frac{\varphi_d(T(y))\,|\det J_T(y)|}{\varphi_d(y)}=1.

   The residual reported is :math:`\prod_i r^{\rm out}_i\prod_j r^{\rm in}_j\,\varphi_d(T(y))|\det J_T|/\varphi_d(y)-1`,
   where :math:`r^{\rm in}=\varphi(G)G'/p` and :math:`r^{\rm out}=(G^{-1})'\,p(G^{-1})/\varphi` are the
   simplified one-dimensional ratios of step 1 (exactly 1 for a correct prior). A wrong density or a
   non-orthogonal A leaves a nonzero residual.

5. **Complete entanglement** (:func:`prove_complete_entanglement`): the two factors around :math:`A_{ij}`
   are positive (:math:`p>0` on the support, :math:`\varphi>0`), so
   :math:`\operatorname{sign}\partial f_i/\partial u_j=\operatorname{sign}A_{ij}` and every entry of
   :math:`J_f` is nonzero exactly where the corresponding :math:`A_{ij}` is.

Also here: the same argument for symbolic dimension with matrix symbols (:func:`prove_general_d`),
the radius-dependent rotation ("swirl", :func:`swirl_map`, :func:`prove_swirl`), and the linear–Gaussian
Darmois construction (:func:`prove_darmois_linear_gaussian`). A direct, unstructured proof — one global
``simplify`` of :math:`p(f(u))\det J_f(u)-p(u)` — is :func:`prove_density_invariance_direct` (slow for
the logistic prior: minutes).

What "holds" means
------------------
A step *holds* when SymPy reduced its residual to exactly 0 (or showed positivity with its assumption
system). Otherwise the step is ``"refuted"`` if the residual is visibly nonzero at a deterministic test
point (recorded as a witness, evaluated with 30 digits), or ``"not proved"`` if SymPy could neither
simplify nor refute it. So ``holds=False`` means *not established*; look at the step status for why.
``bool(result)`` is ``result.holds``.

Priors (:data:`PRIORS`)
-----------------------
Standard forms (location 0, scale 1, SciPy's defaults): ``normal``, ``uniform`` (on (0, 1)), ``laplace``,
``logistic``, ``exponential``, ``cauchy``. Each is a tuple of *pieces* — open intervals on which the
pdf, CDF and quantile are single analytic expressions. The Laplace prior is handled per half-line:
two pieces, :math:`x<0` (:math:`F=e^x/2`, :math:`F^{-1}(p)=\log 2p`) and :math:`x>0` (:math:`F=1-e^{-x}/2`,
:math:`F^{-1}(p)=-\log 2(1-p)`), and every one-dimensional identity is proved on each piece separately
(the point :math:`x=0` is a null set; :math:`F`, :math:`p`, :math:`G` and :math:`G'` are continuous there, so
:math:`f` is :math:`C^1` everywhere). For the map itself the Laplace prior also carries single
expressions valid on the whole line (``closed_forms``: :math:`p=e^{-|x|}/2`,
:math:`F=\tfrac12+\tfrac12\operatorname{sign}(x)(1-e^{-|x|})`, and the matching quantile), whose agreement
with both pieces is one of the proved steps; without them a multi-piece prior falls back to
``Piecewise``. Expressions are valid on the open support only.

Custom priors: build :class:`PriorPiece` objects from expressions in ``sympy.Symbol("x", real=True)``
(pdf, CDF) and ``sympy.Symbol("p", real=True)`` (quantile); every proof accepts a
:class:`SymbolicPrior` wherever it accepts a prior name.

Numbers
-------
:meth:`SymbolicMap.numeric` turns the expressions into NumPy/SciPy functions (``lambdify``) or, with
``dps``, into mpmath functions evaluated with that many digits — a reference independent of the
stable numeric implementation in :mod:`impossibility.entangle`. The closed forms are the textbook
(naive) ones, accurate in the bulk of the distribution; they are not meant for far tails (theory.md §7).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray
from sympy import Q
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.diagonal import DiagMatrix

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

Array = NDArray[np.float64]

# Generic real variables for the one-dimensional expressions of the registry.
_X = sp.Symbol("x", real=True)
_P = sp.Symbol("p", real=True)
_T = sp.Symbol("t", real=True)


# -------------------------------------------------------------- standard normal
def std_normal_pdf(t: sp.Expr) -> sp.Expr:
    r""":math:`\varphi(t)=e^{-t^2/2}/\sqrt{2\pi}`."""
    return sp.exp(-(sp.sympify(t) ** 2) / 2) / sp.sqrt(2 * sp.pi)


def std_normal_cdf(t: sp.Expr) -> sp.Expr:
    r""":math:`\Phi(t)=\tfrac12\big(1+\operatorname{erf}(t/\sqrt2)\big)`."""
    return (1 + sp.erf(sp.sympify(t) / sp.sqrt(2))) / 2


def std_normal_quantile(q: sp.Expr) -> sp.Expr:
    r""":math:`\Phi^{-1}(q)=\sqrt2\,\operatorname{erfinv}(2q-1)`. SymPy simplifies :math:`\Phi^{-1}(\Phi(t))=t`."""
    return sp.sqrt(2) * sp.erfinv(2 * sp.sympify(q) - 1)


# -------------------------------------------------------------- interval helpers
def _interval_param(lower: sp.Expr, upper: sp.Expr, s: sp.Expr) -> sp.Expr:
    """A map from the real line onto the open interval (lower, upper), increasing in s."""
    lo_inf, hi_inf = lower == -sp.oo, upper == sp.oo
    if lo_inf and hi_inf:
        return s
    if hi_inf:
        return lower + sp.exp(s)
    if lo_inf:
        return upper - sp.exp(s)
    return lower + (upper - lower) / (1 + sp.exp(-s))


def _interval_symbol(name: str, lower: sp.Expr, upper: sp.Expr) -> sp.Symbol:
    """A real symbol carrying the sign information SymPy's assumptions can express for (lower, upper)."""
    if lower.is_extended_nonnegative:
        return sp.Symbol(name, positive=True)
    if upper.is_extended_nonpositive:
        return sp.Symbol(name, negative=True)
    return sp.Symbol(name, real=True)


# -------------------------------------------------------------- proofs as data
_TRIALS = (0.37, -0.81, 1.23)


@dataclass(frozen=True)
class ProofStep:
    r"""One checked claim of a proof.

    Attributes
    ----------
    claim : str
        The statement, in words and formulas.
    lhs, rhs : sympy object
        The two sides (for an inequality ``lhs > rhs``).
    residual : sympy object
        What SymPy reduced ``lhs - rhs`` to (0 when proved; for an inequality, the simplified lhs).
    status : str
        ``"proved"``, ``"refuted"`` (a witness shows the residual is nonzero / not positive),
        ``"not proved"`` (SymPy could neither prove nor refute), or ``"definition"`` (a definition or
        an elementary fact stated, not checked).
    how : str
        The SymPy operation that settled it.
    witness : tuple of (str, float) pairs, optional
        For a refuted step: the point (variable name, value) and, last, ``("residual", value)``.
    relation : str
        ``"="`` or ``">"``.
    """

    claim: str
    lhs: Any
    rhs: Any
    residual: Any
    status: str
    how: str = ""
    witness: tuple[tuple[str, float], ...] | None = None
    relation: str = "="

    @property
    def holds(self) -> bool:
        """True if the step was proved (or is a definition)."""
        return self.status in ("proved", "definition")

    def __str__(self) -> str:
        mark = {"proved": "✓", "definition": "≡", "refuted": "✗", "not proved": "?"}[self.status]
        text = f"[{mark}] {self.claim}"
        if self.status != "definition":
            label = "simplified (must be > 0)" if self.relation == ">" else "residual"
            text += f"\n      {label}: {sp.sstr(self.residual)}"
        if self.witness:
            text += "\n      witness: " + ", ".join(f"{k} = {v:.6g}" for k, v in self.witness)
        return text


@dataclass(frozen=True)
class ProofResult:
    r"""A proof: the identity claimed, its residual, whether it holds, and the steps.

    ``bool(result)`` is ``result.holds``. ``holds`` is True only when every step holds; a False
    means *not established* (see :attr:`ProofStep.status` for refuted vs not proved).

    Attributes
    ----------
    identity : str
        The claim.
    residual : sympy object
        The residual of the final identity after all steps (0 when it holds).
    holds : bool
    steps : tuple of ProofStep
    conditions : tuple of sympy relationals
        Side conditions under which the claim holds (e.g. :math:`A_{ij}\neq0`), if any.
    """

    identity: str
    residual: Any
    holds: bool
    steps: tuple[ProofStep, ...]
    conditions: tuple[Any, ...] = ()

    def __bool__(self) -> bool:
        return self.holds

    @property
    def failed_steps(self) -> tuple[ProofStep, ...]:
        """The steps that do not hold."""
        return tuple(s for s in self.steps if not s.holds)

    def summary(self) -> str:
        """A readable multi-line account of the proof."""
        head = f"{'PROVED' if self.holds else 'NOT PROVED'}: {self.identity}"
        lines = [head, f"  final residual: {sp.sstr(self.residual)}"]
        if self.conditions:
            lines.append("  under: " + ", ".join(sp.sstr(c) for c in self.conditions))
        lines += ["  " + str(s).replace("\n", "\n  ") for s in self.steps]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _is_zero(e: Any) -> bool:
    if isinstance(e, sp.MatrixBase):
        return all(_is_zero(x) for x in e)
    return bool(e == 0)


def _matexpr_zero(e: Any) -> bool:
    """True for 0 or a ZeroMatrix (matrix-expression results of refine/doit)."""
    return bool(e == 0) or isinstance(e, sp.ZeroMatrix)


def _has_abstract(e: Any) -> bool:
    return bool(e.atoms(AppliedUndef, sp.Derivative, sp.Subs, sp.MatrixSymbol))


def _reduce(e: Any, simplifier: Callable[[Any], Any]) -> Any:
    """Reduce an expression (or matrix) towards 0: structural test, powsimp, then ``simplifier``."""
    if isinstance(e, sp.MatrixBase):
        return sp.ImmutableMatrix(e.shape[0], e.shape[1], [_reduce(x, simplifier) for x in e])
    if e == 0:
        return sp.S.Zero
    e = sp.powsimp(e)
    if e == 0:
        return sp.S.Zero
    return simplifier(e)


def _default_value(sym: sp.Symbol, s: float) -> sp.Expr:
    if sym.is_positive:
        return sp.exp(sp.Float(s, 30))
    if sym.is_negative:
        return -sp.exp(sp.Float(s, 30))
    return sp.Float(s, 30)


def _evaluate(e: Any, domain: Mapping[sp.Symbol, Callable[[sp.Expr], sp.Expr]], trial: int):
    """Evaluate at a deterministic point; return (point, complex value) or None."""
    syms = sorted(e.free_symbols, key=lambda s: s.name)
    point = {}
    for k, sym in enumerate(syms):
        s = _TRIALS[trial] + 0.173 * k
        point[sym] = domain[sym](sp.Float(s, 30)) if sym in domain else _default_value(sym, s)
    try:
        val = complex(sp.N(e.subs(point), 30))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not np.isfinite(val.real) or not np.isfinite(val.imag):
        return None
    return point, val


def _witness(
    residual: Any,
    domain: Mapping[sp.Symbol, Callable[[sp.Expr], sp.Expr]],
    *,
    positive: bool = False,
):
    """A deterministic point where the residual is clearly nonzero (or not positive), if one is found."""
    entries = list(residual) if isinstance(residual, sp.MatrixBase) else [residual]
    for e in entries:
        e = sp.sympify(e)
        if e.is_number and not positive:
            val = complex(sp.N(e, 30))
            if abs(val) > 1e-20:
                return (("residual", float(abs(val))),)
            continue
        if _has_abstract(e):
            continue
        for trial in range(len(_TRIALS)):
            got = _evaluate(e, domain, trial)
            if got is None:
                continue
            point, val = got
            bad = (val.real <= 0 or abs(val.imag) > 1e-20) if positive else abs(val) > 1e-20
            if bad:
                pts = tuple((s.name, float(sp.re(v))) for s, v in point.items())
                return pts + (("residual", float(val.real if positive else abs(val))),)
    return None


def _check_equal(
    claim: str,
    lhs: Any,
    rhs: Any,
    *,
    domain: Mapping[sp.Symbol, Callable[[sp.Expr], sp.Expr]] | None = None,
    simplifier: Callable[[Any], Any] = sp.simplify,
    how: str = "simplify(lhs - rhs) == 0",
) -> ProofStep:
    residual = _reduce(lhs - rhs, simplifier)
    if _is_zero(residual):
        return ProofStep(claim, lhs, rhs, sp.S.Zero, "proved", how)
    wit = _witness(residual, domain or {})
    return ProofStep(claim, lhs, rhs, residual, "refuted" if wit else "not proved", how, wit)


def _check_positive(
    claim: str,
    expr: sp.Expr,
    *,
    domain: Mapping[sp.Symbol, Callable[[sp.Expr], sp.Expr]] | None = None,
) -> ProofStep:
    red = sp.simplify(expr)
    if red.is_positive:
        return ProofStep(
            claim, expr, sp.S.Zero, red, "proved", "simplify(expr).is_positive", relation=">"
        )
    wit = _witness(red, domain or {}, positive=True)
    return ProofStep(
        claim,
        expr,
        sp.S.Zero,
        red,
        "refuted" if wit else "not proved",
        "simplify(expr).is_positive",
        wit,
        relation=">",
    )


def _definition(claim: str, lhs: Any = sp.S.Zero, rhs: Any = sp.S.Zero) -> ProofStep:
    return ProofStep(claim, lhs, rhs, sp.S.Zero, "definition", "stated")


def _result(
    identity: str, residual: Any, steps: Sequence[ProofStep], conditions: Sequence[Any] = ()
) -> ProofResult:
    steps = tuple(steps)
    holds = all(s.holds for s in steps) and _is_zero(residual)
    return ProofResult(identity, residual, holds, steps, tuple(conditions))


# -------------------------------------------------------------- priors
@dataclass(frozen=True)
class PriorPiece:
    r"""A prior on one open interval where pdf, CDF and quantile are single analytic expressions.

    Attributes
    ----------
    pdf, cdf : sympy.Expr
        In the generic real variable ``x`` (the module's ``_X``).
    quantile : sympy.Expr
        In the generic real variable ``p``; the inverse of ``cdf`` on this piece.
    lower, upper : sympy.Expr
        The open interval of ``x`` (``-oo``/``oo`` allowed).
    p_lower, p_upper : sympy.Expr
        :math:`F(\text{lower}^+)` and :math:`F(\text{upper}^-)`: the piece maps onto (p_lower, p_upper).
    """

    pdf: sp.Expr
    cdf: sp.Expr
    quantile: sp.Expr
    lower: sp.Expr
    upper: sp.Expr
    p_lower: sp.Expr
    p_upper: sp.Expr

    def pdf_at(self, x: sp.Expr) -> sp.Expr:
        """p(x) on this piece."""
        return self.pdf.subs(_X, x)

    def cdf_at(self, x: sp.Expr) -> sp.Expr:
        """F(x) on this piece."""
        return self.cdf.subs(_X, x)

    def quantile_at(self, q: sp.Expr) -> sp.Expr:
        r""":math:`F^{-1}(q)` on this piece."""
        return self.quantile.subs(_P, q)

    def gaussianize(self, x: sp.Expr) -> sp.Expr:
        r""":math:`G(x)=\Phi^{-1}(F(x))` on this piece."""
        return std_normal_quantile(self.cdf_at(x))

    def degaussianize(self, t: sp.Expr) -> sp.Expr:
        r""":math:`G^{-1}(t)=F^{-1}(\Phi(t))` for t in this piece's Gaussian interval."""
        return self.quantile_at(std_normal_cdf(t))

    @property
    def gaussian_lower(self) -> sp.Expr:
        r""":math:`\Phi^{-1}(p_{\rm lower})`."""
        return sp.simplify(std_normal_quantile(self.p_lower))

    @property
    def gaussian_upper(self) -> sp.Expr:
        r""":math:`\Phi^{-1}(p_{\rm upper})`."""
        return sp.simplify(std_normal_quantile(self.p_upper))


@dataclass(frozen=True)
class SymbolicPrior:
    r"""A univariate prior with closed-form pdf, CDF and quantile, as one or more :class:`PriorPiece`.

    Parameters
    ----------
    name : str
    pieces : tuple of PriorPiece
        Adjacent open intervals in increasing order (``upper`` of one is ``lower`` of the next, and
        likewise for the probabilities), together covering the open support.
    scipy_name : str, optional
        The ``scipy.stats`` family with the same law at its default parameters (for comparisons).
    closed_forms : (pdf, cdf, quantile), optional
        Single expressions (in ``x``, ``x``, ``p``) valid on the whole open support, e.g. with
        ``Abs`` and ``sign`` for the Laplace prior. :func:`prove_marginal_identities` checks that they
        agree with every piece. Without them, a prior with several pieces uses ``Piecewise``.

    Methods ``pdf``, ``cdf``, ``quantile``, ``gaussianize`` (G) and ``degaussianize`` (G⁻¹) return
    the expression at a given argument: the closed form if given, else a ``Piecewise`` over the pieces.
    """

    name: str
    pieces: tuple[PriorPiece, ...]
    scipy_name: str | None = None
    closed_forms: tuple[sp.Expr, sp.Expr, sp.Expr] | None = None

    def __post_init__(self) -> None:
        if not self.pieces:
            raise ValueError(f"prior {self.name!r} needs at least one piece")
        for a, b in zip(self.pieces, self.pieces[1:], strict=False):
            if a.upper != b.lower or a.p_upper != b.p_lower:
                raise ValueError(
                    f"prior {self.name!r}: pieces must be adjacent; got upper={a.upper}, "
                    f"p_upper={a.p_upper} followed by lower={b.lower}, p_lower={b.p_lower}"
                )
        if self.pieces[0].p_lower != 0 or self.pieces[-1].p_upper != 1:
            raise ValueError(
                f"prior {self.name!r}: the pieces must carry probabilities from 0 to 1; got "
                f"{self.pieces[0].p_lower} to {self.pieces[-1].p_upper}"
            )
        if self.closed_forms is not None and len(self.closed_forms) != 3:
            raise ValueError(
                f"closed_forms must be (pdf, cdf, quantile); got {len(self.closed_forms)} items"
            )

    @property
    def lower(self) -> sp.Expr:
        """Lower end of the open support."""
        return self.pieces[0].lower

    @property
    def upper(self) -> sp.Expr:
        """Upper end of the open support."""
        return self.pieces[-1].upper

    def _pw(self, arg: sp.Expr, exprs: Sequence[sp.Expr], bounds: Sequence[sp.Expr]) -> sp.Expr:
        if len(exprs) == 1:
            return exprs[0]
        cases = [(e, arg < b) for e, b in zip(exprs[:-1], bounds[:-1], strict=True)] + [
            (exprs[-1], True)
        ]
        return sp.Piecewise(*cases)

    def pdf(self, x: sp.Expr) -> sp.Expr:
        """p(x) (valid on the open support)."""
        if self.closed_forms is not None:
            return self.closed_forms[0].subs(_X, x)
        return self._pw(x, [pc.pdf_at(x) for pc in self.pieces], [pc.upper for pc in self.pieces])

    def cdf(self, x: sp.Expr) -> sp.Expr:
        """F(x) (valid on the open support)."""
        if self.closed_forms is not None:
            return self.closed_forms[1].subs(_X, x)
        return self._pw(x, [pc.cdf_at(x) for pc in self.pieces], [pc.upper for pc in self.pieces])

    def quantile(self, q: sp.Expr) -> sp.Expr:
        r""":math:`F^{-1}(q)` for q in (0, 1)."""
        if self.closed_forms is not None:
            return self.closed_forms[2].subs(_P, q)
        return self._pw(
            q, [pc.quantile_at(q) for pc in self.pieces], [pc.p_upper for pc in self.pieces]
        )

    def gaussianize(self, x: sp.Expr) -> sp.Expr:
        r""":math:`G(x)=\Phi^{-1}(F(x))`."""
        if self.closed_forms is not None or len(self.pieces) == 1:
            return std_normal_quantile(self.cdf(x))
        return self._pw(
            x, [pc.gaussianize(x) for pc in self.pieces], [pc.upper for pc in self.pieces]
        )

    def degaussianize(self, t: sp.Expr) -> sp.Expr:
        r""":math:`G^{-1}(t)=F^{-1}(\Phi(t))`."""
        if self.closed_forms is not None or len(self.pieces) == 1:
            return self.quantile(std_normal_cdf(t))
        return self._pw(
            t,
            [pc.degaussianize(t) for pc in self.pieces],
            [pc.gaussian_upper for pc in self.pieces],
        )

    def support_symbol(self, name: str) -> sp.Symbol:
        """A symbol for a point of the support, with the sign assumption SymPy can express."""
        return _interval_symbol(name, self.lower, self.upper)

    def support_point(self, s: sp.Expr) -> sp.Expr:
        """Map a real number (or symbol) s onto the open support (increasing)."""
        return _interval_param(self.lower, self.upper, s)

    def scipy(self):
        """The frozen ``scipy.stats`` distribution with the same law."""
        if self.scipy_name is None:
            raise ValueError(f"prior {self.name!r} has no scipy counterpart")
        from scipy import stats

        return getattr(stats, self.scipy_name)()


def _single(name: str, pdf, cdf, quantile, lower, upper, scipy_name: str) -> SymbolicPrior:
    return SymbolicPrior(
        name, (PriorPiece(pdf, cdf, quantile, lower, upper, sp.S.Zero, sp.S.One),), scipy_name
    )


_half = sp.Rational(1, 2)

#: Registry of priors with closed-form pdf, CDF and quantile (standard forms, SciPy's defaults).
PRIORS: dict[str, SymbolicPrior] = {
    "normal": _single(
        "normal",
        std_normal_pdf(_X),
        std_normal_cdf(_X),
        std_normal_quantile(_P),
        -sp.oo,
        sp.oo,
        "norm",
    ),
    "uniform": _single("uniform", sp.S.One, _X, _P, sp.S.Zero, sp.S.One, "uniform"),
    "laplace": SymbolicPrior(
        "laplace",
        (
            PriorPiece(
                sp.exp(_X) / 2, sp.exp(_X) / 2, sp.log(2 * _P), -sp.oo, sp.S.Zero, sp.S.Zero, _half
            ),
            PriorPiece(
                sp.exp(-_X) / 2,
                1 - sp.exp(-_X) / 2,
                -sp.log(2 * (1 - _P)),
                sp.S.Zero,
                sp.oo,
                _half,
                sp.S.One,
            ),
        ),
        "laplace",
        # one expression for the whole line: G(x) = sign(x)·Φ⁻¹(1 − e^{−|x|}/2)-type forms, no Piecewise
        (
            sp.exp(-sp.Abs(_X)) / 2,
            _half + sp.sign(_X) * (1 - sp.exp(-sp.Abs(_X))) / 2,
            -sp.sign(_P - _half) * sp.log(1 - 2 * sp.Abs(_P - _half)),
        ),
    ),
    "logistic": _single(
        "logistic",
        sp.exp(-_X) / (1 + sp.exp(-_X)) ** 2,
        1 / (1 + sp.exp(-_X)),
        sp.log(_P / (1 - _P)),
        -sp.oo,
        sp.oo,
        "logistic",
    ),
    "exponential": _single(
        "exponential", sp.exp(-_X), 1 - sp.exp(-_X), -sp.log(1 - _P), sp.S.Zero, sp.oo, "expon"
    ),
    "cauchy": _single(
        "cauchy",
        1 / (sp.pi * (1 + _X**2)),
        _half + sp.atan(_X) / sp.pi,
        sp.tan(sp.pi * (_P - _half)),
        -sp.oo,
        sp.oo,
        "cauchy",
    ),
}


def get_prior(prior: str | SymbolicPrior) -> SymbolicPrior:
    """Look up a prior by name in :data:`PRIORS` (or pass a :class:`SymbolicPrior` through)."""
    if isinstance(prior, SymbolicPrior):
        return prior
    if isinstance(prior, str) and prior in PRIORS:
        return PRIORS[prior]
    raise ValueError(
        f"unknown prior {prior!r}; expected a SymbolicPrior or one of {sorted(PRIORS)}"
    )


def _priors_for(
    prior: str | SymbolicPrior | Sequence[str | SymbolicPrior], d: int
) -> tuple[SymbolicPrior, ...]:
    if isinstance(prior, (str, SymbolicPrior)):
        return (get_prior(prior),) * d
    priors = tuple(get_prior(p) for p in prior)
    if len(priors) != d:
        raise ValueError(
            f"got {len(priors)} priors for d = {d}; expected one prior or exactly d of them"
        )
    return priors


# -------------------------------------------------------------- matrices
def rotation_2d(theta: sp.Expr | None = None) -> sp.ImmutableMatrix:
    r"""The rotation :math:`\begin{pmatrix}\cos\theta&-\sin\theta\\\sin\theta&\cos\theta\end{pmatrix}`.

    ``theta`` defaults to a real symbol θ. All entries are nonzero iff :math:`\theta\notin\frac\pi2\mathbb Z`.
    """
    th = sp.Symbol("theta", real=True) if theta is None else sp.sympify(theta)
    return sp.ImmutableMatrix([[sp.cos(th), -sp.sin(th)], [sp.sin(th), sp.cos(th)]])


def skew_symmetric(k: Sequence[sp.Expr] | None = None) -> sp.ImmutableMatrix:
    r"""The 3×3 skew matrix :math:`[k]_\times` (:math:`[k]_\times w=k\times w`); ``k`` defaults to real symbols k1, k2, k3."""
    k1, k2, k3 = sp.symbols("k1 k2 k3", real=True) if k is None else tuple(sp.sympify(c) for c in k)
    return sp.ImmutableMatrix([[0, -k3, k2], [k3, 0, -k1], [-k2, k1, 0]])


def cayley_transform(K: sp.Matrix) -> sp.ImmutableMatrix:
    r"""The Cayley transform :math:`A=(I-K)(I+K)^{-1}` of a skew-symmetric K: a rotation (det = +1).

    :math:`I+K` is invertible for real skew K (its eigenvalues are :math:`1+i\lambda`). The entries are
    rational functions of the entries of K; orthogonality :math:`A^\top A=I` is a rational identity.
    """
    K = sp.Matrix(K)
    if K.shape[0] != K.shape[1]:
        raise ValueError(f"K must be square; got shape {K.shape}")
    if not _is_zero(sp.simplify(K + K.T)):
        raise ValueError(f"K must be skew-symmetric (Kᵀ = −K); got {K}")
    n = K.shape[0]
    A = (sp.eye(n) - K) * (sp.eye(n) + K).inv()
    return sp.ImmutableMatrix(A.applyfunc(sp.factor))


def householder_matrix(d: int, alpha: sp.Expr | None = None) -> sp.ImmutableMatrix:
    r"""The appendix's Householder reflection :math:`A=I-2vv^\top`, :math:`v_1=\sqrt\alpha`, :math:`v_i=\sqrt{(1-\alpha)/(d-1)}`.

    ``alpha`` defaults to a positive symbol α; :math:`v^\top v=1` exactly, so A is orthogonal with
    :math:`\det A=-1`. All entries are nonzero for :math:`\alpha\in(0,1)\setminus\{\tfrac12\}` (theory.md §1.3).
    """
    if not isinstance(d, int) or d < 2:
        raise ValueError(f"d must be an integer ≥ 2; got {d!r}")
    a = sp.Symbol("alpha", positive=True) if alpha is None else sp.sympify(alpha)
    v = sp.Matrix([sp.sqrt(a)] + [sp.sqrt((1 - a) / (d - 1))] * (d - 1))
    return sp.ImmutableMatrix(sp.eye(d) - 2 * v * v.T)


@functools.lru_cache(maxsize=8)
def default_rotation(d: int) -> sp.ImmutableMatrix:
    """The symbolic rotation used when none is given: θ-rotation for d = 2, Cayley of [k]ₓ for d = 3."""
    if d == 2:
        return rotation_2d()
    if d == 3:
        return cayley_transform(skew_symmetric())
    raise ValueError(
        f"no default symbolic rotation for d = {d}: pass A explicitly (e.g. householder_matrix({d}) or "
        "cayley_transform of a skew matrix); for the argument in arbitrary dimension see prove_general_d"
    )


# -------------------------------------------------------------- Gaussian-space maps
@dataclass(frozen=True)
class GaussianMap:
    r"""A map :math:`T` of Gaussian space :math:`\mathbb R^d`, as expressions in the symbols ``y``.

    Attributes
    ----------
    name : str
    y : tuple of Symbol
        The real variables :math:`y_1,\dots,y_d`.
    T : ImmutableMatrix of shape (d, 1)
        :math:`T(y)`.
    T_inv : ImmutableMatrix of shape (d, 1), optional
        :math:`T^{-1}` as expressions in the same symbols ``y`` (used to build :math:`f^{-1}`).
    A : ImmutableMatrix, optional
        The matrix when T is linear, :math:`T(y)=Ay`.
    """

    name: str
    y: tuple[sp.Symbol, ...]
    T: sp.ImmutableMatrix
    T_inv: sp.ImmutableMatrix | None = None
    A: sp.ImmutableMatrix | None = None

    @property
    def d(self) -> int:
        """Dimension."""
        return len(self.y)

    @property
    def params(self) -> tuple[sp.Symbol, ...]:
        """The free parameters (symbols other than y), sorted by name."""
        free = set(self.T.free_symbols) - set(self.y)
        return tuple(sorted(free, key=lambda s: s.name))

    def jacobian(self) -> sp.ImmutableMatrix:
        r""":math:`J_T(y)`."""
        return sp.ImmutableMatrix(self.T.jacobian(self.y))


def _y_symbols(d: int) -> tuple[sp.Symbol, ...]:
    return tuple(sp.symbols(f"y1:{d + 1}", real=True))


def linear_map(A: Any) -> GaussianMap:
    r"""The linear map :math:`T(y)=Ay` (Theorem 1's inner map).

    ``A`` may hold symbols; exact entries (integers, rationals, ``sqrt``) are needed for the proofs to
    succeed — floating-point entries make :math:`A^\top A-I` a nonzero round-off residual.
    :math:`T^{-1}` is :math:`A^\top` when :math:`A^\top A=I` simplifies, else :math:`A^{-1}`.
    """
    A = sp.ImmutableMatrix(sp.Matrix(A))
    if A.shape[0] != A.shape[1] or A.shape[0] < 2:
        raise ValueError(f"A must be a square d×d matrix with d ≥ 2; got shape {A.shape}")
    return _linear_map(A)


@functools.lru_cache(maxsize=64)
def _linear_map(A: sp.ImmutableMatrix) -> GaussianMap:
    d = A.shape[0]
    y = _y_symbols(d)
    if not (A.free_symbols & set(y)) == set():
        raise ValueError("A must not contain the Gaussian-space symbols y1, y2, ...")
    Y = sp.Matrix(y)
    orth = _is_zero(sp.simplify(A.T * A - sp.eye(d)))
    Ainv = A.T if orth else sp.Matrix(A).inv()
    return GaussianMap("linear", y, sp.ImmutableMatrix(A * Y), sp.ImmutableMatrix(Ainv * Y), A)


def _rodrigues(axis: sp.Matrix, angle: sp.Expr) -> sp.Matrix:
    """exp(angle·[axis]ₓ) for a unit axis."""
    K = sp.Matrix(skew_symmetric(list(axis)))
    return sp.eye(3) + sp.sin(angle) * K + (1 - sp.cos(angle)) * K * K


def _swirl_parts(d: int, theta: Any):
    """Symbols y, radius r(y), the angle function θ and the rotation-matrix builder of a swirl."""
    if d not in (2, 3):
        raise ValueError(f"swirl_map supports d = 2 or 3; got d = {d!r}")
    y = _y_symbols(d)
    r = sp.sqrt(sum(c**2 for c in y))
    if isinstance(theta, str) and theta == "function":
        th_fun: Callable[[sp.Expr], sp.Expr] = sp.Function("theta")
    elif isinstance(theta, str) and theta == "quadratic":
        a, b = sp.symbols("a b", real=True)
        th_fun = lambda rr: a + b * rr**2  # noqa: E731
    elif callable(theta):
        th_fun = theta
    else:
        raise ValueError(f"theta must be 'function', 'quadratic' or a callable of r; got {theta!r}")
    if d == 2:
        rot = lambda ang: sp.Matrix(rotation_2d(ang))  # noqa: E731
    else:
        al, be = sp.symbols("alpha beta", real=True)
        axis = sp.Matrix([sp.sin(al) * sp.cos(be), sp.sin(al) * sp.sin(be), sp.cos(al)])
        rot = lambda ang: _rodrigues(axis, ang)  # noqa: E731
    return y, r, th_fun, rot


def swirl_map(
    d: int = 2, theta: str | sp.Expr | Callable[[sp.Expr], sp.Expr] = "function"
) -> GaussianMap:
    r"""The radius-dependent rotation :math:`T(y)=\exp(\theta(\lVert y\rVert)S)\,y` (theory.md §4.2).

    Parameters
    ----------
    d : {2, 3}
        d = 2: :math:`S=\begin{pmatrix}0&-1\\1&0\end{pmatrix}`, :math:`\exp(\theta S)` is the rotation by θ.
        d = 3: rotation by θ about the unit axis
        :math:`n=(\sin\alpha\cos\beta,\sin\alpha\sin\beta,\cos\alpha)` with symbols α, β (Rodrigues' formula).
    theta : "function", "quadratic", or callable
        ``"function"``: an arbitrary (undefined) SymPy function θ(r) — the proof then holds for every
        differentiable θ. ``"quadratic"``: :math:`\theta=a+br^2` with symbols a, b (smooth at 0; this is
        :class:`impossibility.entangle.Swirl` with :math:`S=\begin{pmatrix}0&-1\\1&0\end{pmatrix}` in d = 2).
        A callable receives the radius expression r and returns θ.

    Since :math:`\lVert T(y)\rVert=\lVert y\rVert`, the inverse is :math:`T^{-1}(w)=\exp(-\theta(\lVert w\rVert)S)\,w`.
    """
    y, r, th_fun, rot = _swirl_parts(d, theta)
    Y = sp.Matrix(y)
    T = rot(th_fun(r)) * Y
    T_inv = rot(-th_fun(r)) * Y
    return GaussianMap("swirl", y, sp.ImmutableMatrix(T), sp.ImmutableMatrix(T_inv))


def _inner_for(d: int, A: Any, inner: GaussianMap | None) -> GaussianMap:
    if inner is not None:
        if A is not None:
            raise ValueError("give either A or inner, not both")
        if not isinstance(inner, GaussianMap):
            raise ValueError(f"inner must be a GaussianMap; got {type(inner).__name__}")
        if inner.d != d:
            raise ValueError(f"inner map acts on d = {inner.d}, expected d = {d}")
        return inner
    G = linear_map(default_rotation(d) if A is None else A)
    if G.d != d:
        raise ValueError(f"A has shape {G.A.shape}, expected ({d}, {d})")
    return G


def _check_d(d: int) -> int:
    if not isinstance(d, (int, np.integer)) or isinstance(d, bool) or d < 2:
        raise ValueError(f"d must be an integer ≥ 2 (Theorem 1 needs d > 1); got {d!r}")
    return int(d)


# -------------------------------------------------------------- the map f
@dataclass(frozen=True)
class SymbolicMap:
    r"""The map :math:`f=G^{-1}\circ T\circ G` as SymPy expressions (Theorem 1 when :math:`T=A`).

    Attributes
    ----------
    priors : tuple of SymbolicPrior
        One per coordinate.
    inner : GaussianMap
        T.
    u : tuple of Symbol
        Input variables :math:`u_1,\dots,u_d`.
    y : ImmutableMatrix
        :math:`G(u)`.
    y_rot : ImmutableMatrix
        :math:`T(G(u))` (:math:`y'` in theory.md).
    f : ImmutableMatrix of shape (d, 1)
        :math:`f(u)=G^{-1}(T(G(u)))`.
    """

    priors: tuple[SymbolicPrior, ...]
    inner: GaussianMap
    u: tuple[sp.Symbol, ...]
    y: sp.ImmutableMatrix
    y_rot: sp.ImmutableMatrix
    f: sp.ImmutableMatrix

    @property
    def d(self) -> int:
        """Dimension."""
        return len(self.u)

    @property
    def A(self) -> sp.ImmutableMatrix | None:
        """The matrix of a linear inner map (None otherwise)."""
        return self.inner.A

    @property
    def params(self) -> tuple[sp.Symbol, ...]:
        """Free parameters of the inner map (e.g. θ, or k1, k2, k3)."""
        return self.inner.params

    def density(self, x: Sequence[sp.Expr] | None = None) -> sp.Expr:
        r""":math:`p(x)=\prod_j p_j(x_j)` (default at :math:`x=u`)."""
        x = self.u if x is None else tuple(x)
        return sp.Mul(*[pr.pdf(xi) for pr, xi in zip(self.priors, x, strict=True)])

    def inverse(self) -> sp.ImmutableMatrix:
        r""":math:`f^{-1}(v)=G^{-1}(T^{-1}(G(v)))`, written in the same symbols ``u`` (read them as v)."""
        if self.inner.T_inv is None:
            raise ValueError(f"the inner map {self.inner.name!r} has no inverse expression")
        yv = [pr.gaussianize(ui) for pr, ui in zip(self.priors, self.u, strict=True)]
        w = self.inner.T_inv.subs(dict(zip(self.inner.y, yv, strict=True)), simultaneous=True)
        return sp.ImmutableMatrix(
            [pr.degaussianize(wi) for pr, wi in zip(self.priors, w, strict=True)]
        )

    def jacobian(self, *, direct: bool = False) -> sp.ImmutableMatrix:
        r""":math:`J_f(u)` by symbolic differentiation (unsimplified), almost everywhere.

        By default the one-dimensional maps are differentiated in real variables and assembled by the
        chain rule, :math:`\partial f_i/\partial u_j=(G_i^{-1})'(y'_i)\,(\partial T_i/\partial y_j)(y)\,G_j'(u_j)`
        (the chain rule itself is :func:`prove_chain_rule`); this keeps SymPy from splitting
        ``Abs`` of expressions it cannot tell are real into real and imaginary parts. With
        ``direct=True``, :math:`f` is differentiated as a whole.

        Closed forms with ``Abs``/``sign`` (Laplace) make SymPy emit ``DiracDelta`` terms and
        unevaluated derivatives of ``sign`` at the piece boundary; they are dropped (set to 0): the
        Jacobian is the pointwise derivative away from that null set, where ``sign`` is locally
        constant (for Laplace each such term also carries a factor vanishing at the boundary).
        """
        if direct:
            J = sp.Matrix(self.f.jacobian(self.u))
        else:
            t = sp.Symbol("t", real=True)
            d_out = [
                sp.diff(pr.degaussianize(t), t).subs(t, yr)
                for pr, yr in zip(self.priors, self.y_rot, strict=True)
            ]
            d_in = [
                sp.diff(pr.gaussianize(uj), uj) for pr, uj in zip(self.priors, self.u, strict=True)
            ]
            JT = self.inner.jacobian().subs(
                dict(zip(self.inner.y, self.y, strict=True)), simultaneous=True
            )
            J = sp.Matrix(self.d, self.d, lambda i, j: d_out[i] * JT[i, j] * d_in[j])
        J = J.replace(
            lambda e: (
                isinstance(e, sp.DiracDelta)
                or (isinstance(e, sp.Derivative) and isinstance(e.expr, sp.sign))
            ),
            lambda e: sp.S.Zero,
        )
        return sp.ImmutableMatrix(J)

    def jacobian_det(self) -> sp.Expr:
        r""":math:`\det J_f(u)` (unsimplified)."""
        return sp.Matrix(self.jacobian()).det(method="berkowitz")

    def jacobian_factors(self) -> tuple[sp.ImmutableMatrix, sp.ImmutableMatrix, sp.ImmutableMatrix]:
        r"""The structured form :math:`J_f=D_{\rm out}\,J_T(y)\,D_{\rm in}` (theory.md §2.2).

        Returns the diagonals :math:`(\varphi(y'_i)/p_i(v_i))_i`, the matrix :math:`J_T(G(u))` and
        :math:`(p_j(u_j)/\varphi(y_j))_j`. Both diagonals are positive on the open support.
        """
        d_out = [
            std_normal_pdf(yr) / pr.pdf(fi)
            for pr, yr, fi in zip(self.priors, self.y_rot, self.f, strict=True)
        ]
        d_in = [
            pr.pdf(ui) / std_normal_pdf(yi)
            for pr, ui, yi in zip(self.priors, self.u, self.y, strict=True)
        ]
        JT = self.inner.jacobian().subs(
            dict(zip(self.inner.y, self.y, strict=True)), simultaneous=True
        )
        return sp.ImmutableMatrix(d_out), sp.ImmutableMatrix(JT), sp.ImmutableMatrix(d_in)

    def structured_jacobian(self) -> sp.ImmutableMatrix:
        r""":math:`D_{\rm out}J_T D_{\rm in}` assembled from :meth:`jacobian_factors`."""
        d_out, JT, d_in = self.jacobian_factors()
        return sp.ImmutableMatrix(self.d, self.d, lambda i, j: d_out[i] * JT[i, j] * d_in[j])

    def numeric(
        self, values: Mapping[str | sp.Symbol, float] | None = None, *, dps: int | None = None
    ) -> "NumericMap":
        """Numeric functions from the expressions (NumPy/SciPy, or mpmath with ``dps`` digits).

        Parameters
        ----------
        values : mapping, optional
            A value for every parameter in :attr:`params` (keys: symbols or their names).
        dps : int, optional
            Evaluate with mpmath at this many decimal digits (slow; a high-precision reference).
        """
        return NumericMap(self, values or {}, dps)


def symbolic_map(
    prior: str | SymbolicPrior | Sequence[str | SymbolicPrior] = "logistic",
    d: int = 2,
    A: Any = None,
    *,
    inner: GaussianMap | None = None,
) -> SymbolicMap:
    r"""Build :math:`f=G^{-1}\circ A\circ G` (or :math:`G^{-1}\circ T\circ G`) as SymPy expressions.

    Parameters
    ----------
    prior : str, SymbolicPrior, or a sequence of d of them
        The marginal(s); a single one is used for every coordinate.
    d : int, default=2
    A : matrix-like, optional
        Orthogonal matrix (symbolic or exact). Default :func:`default_rotation`: rotation by a symbol
        θ for d = 2, Cayley transform of a symbolic skew matrix for d = 3.
    inner : GaussianMap, optional
        A nonlinear map of Gaussian space instead of A (e.g. :func:`swirl_map`).

    Returns
    -------
    SymbolicMap
        With ``.u`` (symbols), ``.f`` (expressions), ``.A`` (matrix, for linear maps).

    Examples
    --------
    >>> m = symbolic_map("normal", 2)
    >>> m.f.T
    Matrix([[u1*cos(theta) - u2*sin(theta), u1*sin(theta) + u2*cos(theta)]])
    """
    d = _check_d(d)
    priors = _priors_for(prior, d)
    T = _inner_for(d, A, inner)
    u = tuple(pr.support_symbol(f"u{j + 1}") for j, pr in enumerate(priors))
    y = sp.ImmutableMatrix([pr.gaussianize(uj) for pr, uj in zip(priors, u, strict=True)])
    y_rot = sp.ImmutableMatrix(T.T.subs(dict(zip(T.y, y, strict=True)), simultaneous=True))
    f = sp.ImmutableMatrix([pr.degaussianize(w) for pr, w in zip(priors, y_rot, strict=True)])
    return SymbolicMap(priors, T, u, y, y_rot, f)


# -------------------------------------------------------------- numbers
class NumericMap:
    r"""Numeric evaluation of a :class:`SymbolicMap` (``lambdify``), for comparisons with the numeric package.

    Methods take points of shape (n, d) (or (d,)) and return arrays: :meth:`forward` (n, d),
    :meth:`inverse` (n, d), :meth:`jacobian` (n, d, d), :meth:`log_abs_det_jacobian` (n,) — the
    log-determinant of the lambdified symbolic Jacobian (``slogdet``, or mpmath's ``det``) — and
    :meth:`density_ratio_minus_one` (n,), :math:`p(f(u))|\det J_f(u)|/p(u)-1` from the same Jacobian
    and the lambdified densities (0 up to round-off). None of them uses the chain-rule formula
    of the numeric package, so they are independent checks of it.
    With ``dps`` set, everything is evaluated by mpmath at that precision and rounded to float64.
    """

    def __init__(self, smap: SymbolicMap, values: Mapping[str | sp.Symbol, float], dps: int | None):
        self.smap = smap
        self.d = smap.d
        names = {p.name: p for p in smap.params}
        vals: dict[sp.Symbol, float] = {}
        for k, v in values.items():
            sym = names.get(k) if isinstance(k, str) else k
            if sym not in smap.params:
                raise ValueError(
                    f"unknown parameter {k!r}; the map's parameters are {[p.name for p in smap.params]}"
                )
            v = float(v)
            if not np.isfinite(v):
                raise ValueError(f"parameter {k!r} must be finite; got {v}")
            vals[sym] = v
        missing = [p.name for p in smap.params if p not in vals]
        if missing:
            raise ValueError(f"missing values for parameters {missing}")
        if dps is not None and (not isinstance(dps, int) or dps < 15):
            raise ValueError(f"dps must be an integer ≥ 15; got {dps!r}")
        self.values = vals
        self.dps = dps
        self._cache: dict[str, Callable] = {}

    def _expr(self, what: str) -> Any:
        m = self.smap
        if what == "forward":
            return list(m.f)
        if what == "inverse":
            return list(m.inverse())
        if what == "jacobian":
            return list(m.jacobian())
        if what == "jacobian_direct":
            return list(m.jacobian(direct=True))
        if what == "log_density":
            return sp.log(m.density())
        raise ValueError(what)

    def _fun(self, what: str) -> Callable:
        if what not in self._cache:
            expr = self._expr(what)
            expr = (
                sp.sympify(expr).subs(self.values)
                if not isinstance(expr, list)
                else [sp.sympify(e).subs(self.values) for e in expr]
            )
            modules = "mpmath" if self.dps is not None else ["scipy", "numpy"]
            self._cache[what] = sp.lambdify(self.smap.u, expr, modules=modules, cse=True)
        return self._cache[what]

    def _points(self, x: ArrayLike, name: str) -> tuple[Array, bool]:
        arr = np.asarray(x, dtype=np.float64)
        single = arr.ndim == 1
        if single:
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != self.d:
            raise ValueError(
                f"{name} must have shape (n, {self.d}) or ({self.d},); got {np.shape(x)}"
            )
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or inf")
        for j, pr in enumerate(self.smap.priors):
            lo, hi = float(pr.lower), float(pr.upper)
            col = arr[:, j]
            if np.any(col <= lo) or np.any(col >= hi):
                k = int(np.argmax((col <= lo) | (col >= hi)))
                raise ValueError(
                    f"{name}[{k}, {j}] = {float(col[k])!r} is outside the open support ({lo}, {hi}) of {pr.name}"
                )
        return arr, single

    def _eval(self, what: str, x: ArrayLike, name: str) -> Array:
        arr, single = self._points(x, name)
        fun = self._fun(what)
        if self.dps is None:
            # Piecewise expressions evaluate every branch; the unused ones may overflow harmlessly.
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                out = fun(*arr.T)
            if isinstance(out, list):
                out = np.stack(
                    [np.broadcast_to(np.asarray(o, dtype=np.float64), arr.shape[:1]) for o in out],
                    axis=1,
                )
            out = np.asarray(out, dtype=np.float64)
        else:
            import mpmath

            rows = []
            with mpmath.workdps(self.dps):
                for row in arr:
                    val = fun(*[mpmath.mpf(float(c)) for c in row])
                    rows.append([float(v) for v in val] if isinstance(val, list) else float(val))
            out = np.asarray(rows, dtype=np.float64)
        if not np.all(np.isfinite(out)):
            raise ValueError(
                f"non-finite result for {what}: a point beyond the numeric range of the closed forms"
            )
        return out[0] if single else out

    def forward(self, u: ArrayLike) -> Array:
        """f(u), shape (n, d)."""
        return self._eval("forward", u, "u")

    def inverse(self, v: ArrayLike) -> Array:
        r""":math:`f^{-1}(v)`, shape (n, d)."""
        return self._eval("inverse", v, "v")

    def jacobian(self, u: ArrayLike, *, direct: bool = False) -> Array:
        r""":math:`J_f(u)`, shape (n, d, d) (``direct``: see :meth:`SymbolicMap.jacobian`)."""
        out = self._eval("jacobian_direct" if direct else "jacobian", u, "u")
        return out.reshape(out.shape[:-1] + (self.d, self.d))

    def log_abs_det_jacobian(self, u: ArrayLike) -> Array:
        r""":math:`\log|\det J_f(u)|` of the symbolic Jacobian, shape (n,)."""
        arr, single = self._points(u, "u")
        if self.dps is None:
            _, out = np.linalg.slogdet(self.jacobian(arr))
        else:
            import mpmath

            fun = self._fun("jacobian")
            out = np.empty(arr.shape[0])
            with mpmath.workdps(self.dps):
                for k, row in enumerate(arr):
                    vals = fun(*[mpmath.mpf(float(c)) for c in row])
                    mat = mpmath.matrix(
                        [vals[i * self.d : (i + 1) * self.d] for i in range(self.d)]
                    )
                    out[k] = float(mpmath.log(abs(mpmath.det(mat))))
        return out[0] if single else out

    def log_density(self, u: ArrayLike) -> Array:
        r""":math:`\log p(u)=\sum_j\log p_j(u_j)`, shape (n,)."""
        return self._eval("log_density", u, "u")

    def density_ratio_minus_one(self, u: ArrayLike) -> Array:
        r""":math:`p(f(u))\,|\det J_f(u)|/p(u)-1` from the symbolic Jacobian, shape (n,)."""
        arr, single = self._points(u, "u")
        v = self.forward(arr)
        out = np.expm1(self.log_density(v) + self.log_abs_det_jacobian(arr) - self.log_density(arr))
        return out[0] if single else out


# -------------------------------------------------------------- proofs
@functools.lru_cache(maxsize=None)
def _marginal_analysis(prior: SymbolicPrior) -> tuple[ProofResult, sp.Expr, sp.Expr]:
    """Steps for one prior, and the simplified ratios r_in(x) (in _X) and r_out(t) (in _T)."""
    steps: list[ProofStep] = []
    r_in_pieces, r_out_pieces = [], []
    n = len(prior.pieces)
    for k, pc in enumerate(prior.pieces):
        tag = (
            prior.name
            if n == 1
            else f"{prior.name}, piece {k + 1}/{n}: {pc.lower} < x < {pc.upper}"
        )
        x = _interval_symbol("x", pc.lower, pc.upper)
        t = _interval_symbol("t", pc.gaussian_lower, pc.gaussian_upper)
        sx = lambda s, pc=pc: _interval_param(pc.lower, pc.upper, s)  # noqa: E731
        st = lambda s, pc=pc: _interval_param(pc.gaussian_lower, pc.gaussian_upper, s)  # noqa: E731
        dom = {x: sx, t: st}
        pdf, cdf, Gx = pc.pdf_at(x), pc.cdf_at(x), pc.gaussianize(x)
        steps.append(
            _check_equal(
                f"[{tag}] the density is the derivative of the CDF: F'(x) = p(x)",
                sp.diff(cdf, x),
                pdf,
                domain=dom,
            )
        )
        # positivity on the open piece: substitute x = x(s), s real, an increasing bijection onto it
        s = sp.Symbol("s", real=True)
        steps.append(
            _check_positive(
                f"[{tag}] p(x) > 0 on the open interval (x = x(s), s ∈ ℝ)",
                pc.pdf_at(_interval_param(pc.lower, pc.upper, s)),
                domain={},
            )
        )
        lo_lim = sp.limit(cdf, x, pc.lower, "+")
        hi_lim = sp.limit(cdf, x, pc.upper, "-")
        steps.append(
            _check_equal(
                f"[{tag}] F runs from {pc.p_lower} to {pc.p_upper} over the interval (with F' = p > 0: "
                f"F is a bijection onto ({pc.p_lower}, {pc.p_upper}))",
                sp.ImmutableMatrix([lo_lim, hi_lim]),
                sp.ImmutableMatrix([pc.p_lower, pc.p_upper]),
                how="limit",
            )
        )
        steps.append(
            _check_equal(
                f"[{tag}] the quantile inverts the CDF: F⁻¹(F(x)) = x",
                pc.quantile_at(cdf),
                x,
                domain=dom,
            )
        )
        r_in = sp.simplify(std_normal_pdf(Gx) * sp.diff(Gx, x) / pdf)
        steps.append(
            _check_equal(
                f"[{tag}] (i) G'(x) = p(x)/φ(G(x)), as φ(G(x))·G'(x)/p(x) = 1, G = Φ⁻¹∘F",
                r_in,
                sp.S.One,
                domain=dom,
            )
        )
        Ginv = pc.degaussianize(t)
        r_out = sp.simplify(sp.diff(Ginv, t) * pc.pdf_at(Ginv) / std_normal_pdf(t))
        steps.append(
            _check_equal(
                f"[{tag}] (ii) (G⁻¹)'(t) = φ(t)/p(G⁻¹(t)), as (G⁻¹)'(t)·p(G⁻¹(t))/φ(t) = 1, G⁻¹ = F⁻¹∘Φ",
                r_out,
                sp.S.One,
                domain=dom,
            )
        )
        if prior.closed_forms is not None:
            cf_pdf, cf_cdf, cf_q = prior.closed_forms
            q_t = std_normal_cdf(t)
            steps.append(
                _check_equal(
                    f"[{tag}] the single-expression forms of pdf, CDF and quantile agree with this piece",
                    sp.ImmutableMatrix(
                        [cf_pdf.subs(_X, x), cf_cdf.subs(_X, x), cf_q.subs(_P, q_t)]
                    ),
                    sp.ImmutableMatrix([pdf, cdf, pc.quantile_at(q_t)]),
                    domain=dom,
                )
            )
        r_in_pieces.append(r_in.subs(x, _X))
        r_out_pieces.append(r_out.subs(t, _T))
    r_in_all = prior._pw(_X, r_in_pieces, [pc.upper for pc in prior.pieces])
    r_out_all = prior._pw(_T, r_out_pieces, [pc.gaussian_upper for pc in prior.pieces])
    if all(r == 1 for r in r_in_pieces):
        r_in_all = sp.S.One
    if all(r == 1 for r in r_out_pieces):
        r_out_all = sp.S.One
    residual = sp.ImmutableMatrix([r_in_all - 1, r_out_all - 1])
    res = _result(
        f"marginal identities of the {prior.name} prior: G' = p/φ(G) and (G⁻¹)' = φ/p(G⁻¹)",
        residual if not _is_zero(residual) else sp.S.Zero,
        steps,
    )
    return res, r_in_all, r_out_all


def prove_marginal_identities(prior: str | SymbolicPrior) -> ProofResult:
    r"""Prove the one-dimensional facts the construction needs, for one prior (per piece).

    Steps: :math:`F'=p`; :math:`p>0` on the open support; :math:`F` tends to 0 and 1 at the ends (so,
    being strictly increasing, it is a bijection of the support onto (0, 1) and :math:`G=\Phi^{-1}\circ F`
    one onto :math:`\mathbb R`); :math:`F^{-1}(F(x))=x`; and identities (i), (ii) of the module docstring.
    The residual is the vector :math:`(r^{\rm in}-1,\ r^{\rm out}-1)` of the simplified ratios.
    """
    return _marginal_analysis(get_prior(prior))[0]


def prove_chain_rule(d: int = 2, A: Any = None, *, inner: GaussianMap | None = None) -> ProofResult:
    r"""Prove :math:`J_f=D_{\rm out}\,J_T(y)\,D_{\rm in}` for *arbitrary* differentiable :math:`G_j`, :math:`G_i^{-1}`.

    The coordinate maps are undefined SymPy functions :math:`G_j` and :math:`H_i` (standing for
    :math:`G_i^{-1}`), so the statement covers every prior at once; the inner map is the given one
    (default: the symbolic rotation of :func:`default_rotation`). The residual is
    :math:`J_f-D_{\rm out}J_TD_{\rm in}` entrywise.
    """
    d = _check_d(d)
    return _chain_rule(_inner_for(d, A, inner))


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
    step = _check_equal(
        f"chain rule, d = {d}: ∂f_i/∂u_j = H_i'(T_i(G(u)))·(∂T_i/∂y_j)(G(u))·G_j'(u_j) for f_i = H_i(T_i(G_1(u_1),…)), "
        "with G_j, H_i arbitrary differentiable functions",
        sp.ImmutableMatrix(J),
        sp.ImmutableMatrix(S),
        simplifier=lambda e: sp.simplify(e.doit()),
        how="structural equality, else simplify(doit(lhs - rhs))",
    )
    steps = [step]
    if T.A is not None:
        steps.append(
            _check_equal("the Jacobian of the linear map T(y) = Ay is A", T.jacobian(), T.A)
        )
    return _result(
        "J_f(u) = diag((G⁻¹)'(y')) · J_T(y) · diag(G'(u)),  y = G(u), y' = T(y)",
        step.residual,
        steps,
    )


def prove_gaussian_invariance(
    A: Any = None, *, d: int | None = None, inner: GaussianMap | None = None
) -> ProofResult:
    r"""Prove :math:`\varphi_d(T(y))\,|\det J_T(y)|=\varphi_d(y)`: T preserves the standard normal density.

    Steps: (if linear) :math:`A^\top A=I`; :math:`\lVert T(y)\rVert^2=\lVert y\rVert^2`; :math:`|\det J_T|=1`;
    then, substituting both, :math:`\varphi_d(T(y))|\det J_T|=\varphi_d(y)`. A shear or any non-orthogonal
    A fails the first two and leaves the residual :math:`e^{(\lVert y\rVert^2-\lVert Ay\rVert^2)/2}|\det A|-1`
    (relative residual reported).
    """
    if inner is None:
        if A is None:
            if d is None:
                raise ValueError("give A, inner, or d (for the default symbolic rotation)")
            A = default_rotation(_check_d(d))
        T = linear_map(A)
    else:
        T = _inner_for(inner.d, None, inner)
    return _gaussian_invariance(T)


@functools.lru_cache(maxsize=64)
def _gaussian_invariance(T: GaussianMap) -> ProofResult:
    y = T.y
    steps = []
    if T.A is not None:
        steps.append(
            _check_equal(f"A is orthogonal: AᵀA = I (d = {T.d})", T.A.T * T.A, sp.eye(T.d))
        )
    norm2 = sum(c**2 for c in y)
    q = _reduce(sum(c**2 for c in T.T), sp.simplify)
    steps.append(
        _check_equal(
            "T preserves the norm: ‖T(y)‖² = ‖y‖²", q, norm2, how="simplify(‖T(y)‖² − ‖y‖²) == 0"
        )
    )
    det = sp.simplify(T.jacobian().det(method="berkowitz"))
    absdet = sp.simplify(sp.Abs(det))
    steps.append(_check_equal("T preserves volume: |det J_T(y)| = 1", absdet, sp.S.One))
    # combine: substitute the simplified ‖T(y)‖² and |det J_T| into φ_d(T(y))|det J_T|/φ_d(y) − 1
    ratio = sp.exp(-(q - norm2) / 2) * absdet
    steps.append(
        _check_equal(
            "φ_d(T(y))·|det J_T(y)| / φ_d(y) = exp((‖y‖² − ‖T(y)‖²)/2)·|det J_T(y)| = 1",
            ratio,
            sp.S.One,
        )
    )
    return _result(
        "φ_d(T(y))·|det J_T(y)| = φ_d(y) for all y ∈ ℝ^d (T preserves N(0, I))",
        steps[-1].residual,
        steps,
    )


def prove_density_invariance(
    prior: str | SymbolicPrior | Sequence[str | SymbolicPrior] = "logistic",
    d: int = 2,
    A: Any = None,
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
        Residual: :math:`\prod_i r^{\rm out}_i(w_i)\prod_j r^{\rm in}_j(u_j)\cdot\varphi_d(T(y))|\det J_T(y)|/\varphi_d(y)-1`
        (relative form of :math:`p(f(u))|\det J_f(u)|-p(u)`, divided by :math:`p(u)>0`), see the module docstring.

    Examples
    --------
    >>> bool(prove_density_invariance("exponential", 2))
    True
    """
    d = _check_d(d)
    priors = _priors_for(prior, d)
    T = _inner_for(d, A, inner)
    steps: list[ProofStep] = []
    ratios_in, ratios_out = [], []
    for pr in dict.fromkeys(priors):  # distinct priors, in order
        res, _, _ = _marginal_analysis(pr)
        steps.extend(res.steps)
    t = sp.Symbol("t", real=True)
    steps.append(_check_positive("φ(t) > 0 for every real t", std_normal_pdf(t)))
    chain = prove_chain_rule(d, inner=T)
    steps.extend(chain.steps)
    a = sp.symbols(f"a1:{d + 1}", positive=True)
    b = sp.symbols(f"b1:{d + 1}", positive=True)
    M = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"m{i + 1}{j + 1}", real=True))
    steps.append(
        _check_equal(
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
        _check_equal(
            "p(u) = φ_d(G(u))·|det J_G(u)|: J_G = diag(G_j'(u_j)), so the ratio is "
            "∏_j φ(G_j(u_j))·G_j'(u_j)/p_j(u_j) = ∏_j r_in_j(u_j) = 1 by (i)",
            sp.Mul(*ratios_in),
            sp.S.One,
            domain=dom,
        )
    )
    steps.append(
        _check_equal(
            "|det J_{G⁻¹}(w)| = φ_d(w)/p(G⁻¹(w)): the ratio is ∏_i r_out_i(w_i) = 1 by (ii)",
            sp.Mul(*ratios_out),
            sp.S.One,
            domain=dom,
        )
    )
    combo = sp.Mul(*ratios_out) * sp.Mul(*ratios_in) * (gauss.residual + 1) - 1
    final = _check_equal(
        "combine: p(f(u))·|det J_f(u)| / p(u) = ∏_i [p_i(v_i)·φ(y'_i)/p_i(v_i)] · |det J_T| · ∏_j [p_j(u_j)/φ(y_j)] / p(u) "
        "= φ_d(y')·|det J_T(y)|/φ_d(y) = 1, using (i), (ii) and the Gaussian invariance",
        combo + 1,
        sp.S.One,
        domain=dom,
    )
    steps.append(final)
    names = ", ".join(dict.fromkeys(pr.name for pr in priors))
    what = f"T = {T.name} map" if T.A is None else "A orthogonal"
    return _result(
        f"p(f(u))·|det J_f(u)| = p(u) for f = G⁻¹∘T∘G, prior {names}, d = {d}, {what}",
        final.residual,
        steps,
    )


def prove_complete_entanglement(
    prior: str | SymbolicPrior | Sequence[str | SymbolicPrior] = "logistic",
    d: int = 2,
    A: Any = None,
) -> ProofResult:
    r"""Prove :math:`\partial f_i/\partial u_j=A_{ij}\cdot P_{ij}(u)` with :math:`P_{ij}>0`, so :math:`\partial f_i/\partial u_j\ne0\iff A_{ij}\ne0`.

    :math:`P_{ij}=\frac{\varphi(y'_i)}{p_i(v_i)}\frac{p_j(u_j)}{\varphi(y_j)}`: the chain rule gives the
    factorization, (i)–(ii) identify the factors, and :math:`p>0` on the support and :math:`\varphi>0` make
    them positive. The last step checks that no entry of A vanishes identically; the conditions
    :math:`A_{ij}\neq0` (e.g. :math:`\cos\theta\ne0`, :math:`\sin\theta\ne0`) are returned as
    ``conditions``. The residual is the matrix of entries of A that are identically zero (all 0 entries
    of that matrix mean none is). An A with a zero entry (e.g. the identity) is refuted.
    """
    d = _check_d(d)
    priors = _priors_for(prior, d)
    T = _inner_for(d, A, None)
    steps: list[ProofStep] = []
    for pr in dict.fromkeys(priors):
        res, _, _ = _marginal_analysis(pr)
        steps.extend(
            s for s in res.steps if "(i)" in s.claim or "(ii)" in s.claim or "p(x) > 0" in s.claim
        )
    t = sp.Symbol("t", real=True)
    steps.append(_check_positive("φ(t) > 0 for every real t", std_normal_pdf(t)))
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
    status = "proved" if _is_zero(zero) else "refuted"
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
    return _result(
        f"∂f_i/∂u_j = A_ij·P_ij(u), P_ij > 0: every ∂f_i/∂u_j ≠ 0 where A_ij ≠ 0 (prior {names}, d = {d})",
        zero if not _is_zero(zero) else sp.S.Zero,
        steps,
        conditions,
    )


def _nonzero_condition(e: sp.Expr) -> sp.Expr:
    """The condition e ≠ 0 in a normal form: drop a denominator of known sign and a leading minus."""
    num, den = sp.fraction(sp.together(e))
    if den.is_positive or den.is_negative:
        e = num
    e = sp.factor(e).as_coeff_Mul()[1]  # a nonzero numeric factor does not change e ≠ 0
    if e.could_extract_minus_sign():
        e = -e
    return sp.Ne(e, 0)


def prove_density_invariance_direct(
    prior: str | SymbolicPrior | Sequence[str | SymbolicPrior] = "exponential",
    d: int = 2,
    A: Any = None,
) -> ProofResult:
    r"""Prove :math:`p(f(u))\det J_f(u)\cdot\operatorname{sign}\det A-p(u)=0` by one global ``simplify``.

    No structure is used: the Jacobian is differentiated symbolically, its determinant expanded, and
    the whole residual simplified. For a prior with several pieces, every combination of input and
    output pieces is simplified separately (:math:`4^d` branches for Laplace). Slow — seconds for
    normal, uniform, exponential, Cauchy and Laplace in d = 2, minutes for the logistic prior;
    prefer :func:`prove_density_invariance`. ``sign det A`` must simplify to ±1.
    """
    d = _check_d(d)
    priors = _priors_for(prior, d)
    T = _inner_for(d, A, None)
    det_A = sp.simplify(T.A.det())
    steps: list[ProofStep] = [_check_equal("|det A| = 1", sp.Abs(det_A), sp.S.One)]
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
        st = _check_equal(f"p(f(u))·det J_f(u)·sign(det A) = p(u){tag}", lhs, rhs, domain=dom)
        steps.append(st)
        residuals.append(st.residual)
    total = residuals[0] if len(residuals) == 1 else sp.ImmutableMatrix(residuals)
    names = ", ".join(dict.fromkeys(pr.name for pr in priors))
    return _result(
        f"p(f(u))·|det J_f(u)| = p(u) (direct simplification, prior {names}, d = {d})",
        sp.S.Zero if _is_zero(total) else total,
        steps,
    )


def prove_general_d(*, orthogonal: bool = True) -> ProofResult:
    r"""The argument in arbitrary dimension d, with matrix symbols.

    :math:`A` is a d×d ``MatrixSymbol`` with the assumption ``Q.orthogonal(A)``; :math:`D_{\rm out}`,
    :math:`D_{\rm in}` are diagonal matrices with positive diagonals a, b (``DiagMatrix``). Steps:

    1. :math:`A^\top A=I` (``refine``);
    2. :math:`(Ay)^\top(Ay)=y^\top y`, hence :math:`\varphi_d(Ay)=\varphi_d(y)`;
    3. :math:`|\det A|=1`;
    4. :math:`\det(D_{\rm out}AD_{\rm in})=\det D_{\rm out}\det A\det D_{\rm in}`;
    5. :math:`(D_{\rm out}AD_{\rm in})_{ij}=a_iA_{ij}b_j` — the entanglement structure;
    6. (definition) :math:`\det D_{\rm in}=\prod_j p_j(u_j)/\varphi(y_j)=p(u)/\varphi_d(y)`,
       :math:`\det D_{\rm out}=\varphi_d(y')/p(v)` — factorized prior and Gaussian, (i), (ii);
    7. :math:`p(v)\cdot\frac{\varphi_d(Ay)}{p(v)}\cdot|\det A|\cdot\frac{p(u)}{\varphi_d(y)}-p(u)=0`.

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
            "proved" if _matexpr_zero(AtA - sp.Identity(n)) else "not proved",
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
        _definition(
            "det D_in = ∏_j p_j(u_j)/φ(y_j) = p(u)/φ_d(y) and det D_out = ∏_i φ(y'_i)/p_i(v_i) = φ_d(y')/p(v), "
            "φ_d(w) = (2π)^(−d/2)·exp(−tr(wᵀw)/2) (factorized prior and Gaussian; identities (i), (ii))"
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
    return _result(
        f"in every dimension d: p(f(u))·|det J_f(u)| = p(u) for f = G⁻¹∘A∘G ({label})", final, steps
    )


def prove_swirl(
    d: int = 2, theta: str | sp.Expr | Callable[[sp.Expr], sp.Expr] = "function"
) -> ProofResult:
    r"""Prove that the swirl :math:`T(y)=\exp(\theta(\lVert y\rVert)S)y` preserves :math:`\mathcal N(0,I)`, with its inverse.

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
    if d == 3:
        return _prove_swirl_3d(theta)
    T = swirl_map(d, theta)
    steps: list[ProofStep] = []
    det = T.jacobian().det(method="berkowitz")
    steps.append(_check_equal("unit Jacobian determinant: det J_T(y) = 1", det, sp.S.One))
    gauss = prove_gaussian_invariance(inner=T)
    steps.extend(gauss.steps)
    # T⁻¹(T(y)) = exp(−θ(‖T(y)‖)S)·T(y) = exp(−θ(‖y‖)S)·T(y), by the norm step above
    y, r, th_fun, rot = _swirl_parts(d, theta)
    comp = rot(-th_fun(r)) * sp.Matrix(T.T)
    steps.append(
        _check_equal(
            "T⁻¹(T(y)) = exp(−θ(‖T(y)‖)S)·T(y) = exp(−θ(‖y‖)S)·T(y) = y (norm preserved)",
            comp,
            sp.Matrix(T.y),
        )
    )
    return _result(
        f"the swirl T(y) = exp(θ(‖y‖)S)·y (d = {d}) has det J_T = 1, preserves ‖y‖ and N(0, I)",
        gauss.residual,
        steps,
    )


def _prove_swirl_3d(theta: Any) -> ProofResult:
    y, r, th_fun, rot = _swirl_parts(3, theta)
    T = swirl_map(3, theta)
    Y = sp.Matrix(y)
    phi = sp.Symbol("phi", real=True)
    R = rot(phi)
    al, be = sp.symbols("alpha beta", real=True)
    K = sp.Matrix(skew_symmetric([sp.sin(al) * sp.cos(be), sp.sin(al) * sp.sin(be), sp.cos(al)]))
    steps: list[ProofStep] = []
    steps.append(
        _check_equal(
            "R(φ) (Rodrigues, unit axis n(α, β)) is orthogonal: RᵀR = I", R.T * R, sp.eye(3)
        )
    )
    steps.append(_check_equal("det R(φ) = 1", R.det(method="berkowitz"), sp.S.One))
    steps.append(
        _check_equal("dR/dφ = R·K with R(0) = I, so R(φ) = exp(φK)", sp.diff(R, phi), R * K)
    )
    steps.append(_check_equal("R(−φ) = R(φ)ᵀ (the inverse rotation)", rot(-phi), R.T))
    rr = sp.Dummy("r", positive=True)
    dth = sp.diff(th_fun(rr), rr).subs(rr, r)
    structured = rot(th_fun(r)) * (sp.eye(3) + dth / r * K * Y * Y.T)
    steps.append(
        _check_equal(
            "chain rule: J_T(y) = R(θ(r))·(I + θ'(r)/r · K y yᵀ), r = ‖y‖", T.jacobian(), structured
        )
    )
    c = sp.Symbol("c", real=True)
    steps.append(
        _check_equal(
            "matrix determinant lemma: det(I + c·K y yᵀ) = 1 + c·yᵀKy",
            (sp.eye(3) + c * K * Y * Y.T).det(method="berkowitz"),
            1 + c * (Y.T * K * Y)[0, 0],
            simplifier=lambda e: sp.expand(e),
        )
    )
    steps.append(_check_equal("yᵀKy = 0 for skew K", (Y.T * K * Y)[0, 0], sp.S.Zero))
    # det J_T = det R(θ(r)) · det(I + (θ'/r) K y yᵀ) = 1 · (1 + (θ'/r)·0) = 1, substituting the steps above
    det_val = sp.S.One * (1 + dth / r * sp.S.Zero)
    steps.append(
        _check_equal("hence det J_T(y) = det R(θ(r)) · (1 + θ'(r)/r · yᵀKy) = 1", det_val, sp.S.One)
    )
    # ‖T(y)‖² = yᵀ R(θ)ᵀ R(θ) y = yᵀy, by RᵀR = I at φ = θ(r)
    norm_val = (Y.T * sp.eye(3) * Y)[0, 0]
    steps.append(
        _check_equal(
            "‖T(y)‖² = yᵀR(θ(r))ᵀR(θ(r))y = ‖y‖² (RᵀR = I), so T⁻¹(w) = R(−θ(‖w‖))w",
            norm_val,
            (Y.T * Y)[0, 0],
        )
    )
    final = sp.exp(-(norm_val - (Y.T * Y)[0, 0]) / 2) * sp.Abs(det_val) - 1
    steps.append(_check_equal("φ_3(T(y))·|det J_T(y)| / φ_3(y) = 1", final + 1, sp.S.One))
    return _result(
        "the swirl T(y) = exp(θ(‖y‖)K)·y (d = 3) has det J_T = 1, preserves ‖y‖ and N(0, I)",
        steps[-1].residual,
        steps,
    )


def darmois_linear_gaussian_2d(
    M: Any = None,
) -> tuple[sp.ImmutableMatrix, sp.ImmutableMatrix, sp.ImmutableMatrix]:
    r"""The linear–Gaussian Darmois construction in d = 2: returns :math:`(M, L, L^{-1}M)`.

    For :math:`y\sim\mathcal N(0,I)` and :math:`x=My`, :math:`x\sim\mathcal N(0,\Sigma)` with :math:`\Sigma=MM^\top=LL^\top`
    (Cholesky, L lower triangular with positive diagonal). The Darmois map of x is
    :math:`D(x)=(\Phi(x_1/\sqrt{\Sigma_{11}}),\ \Phi((x_2-\mu_{2|1})/\sigma_{2|1}))=\Phi(L^{-1}x)`, so the
    Darmois solution in Gaussian space is :math:`y\mapsto\Phi^{-1}(D(My))=L^{-1}My`. ``M`` defaults to
    four real symbols m11, m12, m21, m22 (M must be invertible).
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


def prove_darmois_linear_gaussian(M: Any = None, *, L: Any = None) -> ProofResult:
    r"""Prove that the linear–Gaussian Darmois map :math:`L^{-1}M` is orthogonal (d = 2), from the Darmois definition.

    Steps (:math:`x=My`, :math:`\Sigma=MM^\top`):

    1. :math:`LL^\top=MM^\top` and L is lower triangular (L from the Cholesky factorization);
    2. the conditional law, for a generic positive-definite
       :math:`\Sigma=\begin{pmatrix}s_{11}&s_{12}\\s_{12}&s_{22}\end{pmatrix}` (:math:`s_{11}>0`,
       :math:`\delta=s_{11}s_{22}-s_{12}^2>0`):
       :math:`\mathcal N(x;0,\Sigma)/\mathcal N(x_1;0,s_{11})=\mathcal N(x_2;\mu_{2|1},\sigma^2_{2|1})` with
       :math:`\mu_{2|1}=s_{12}x_1/s_{11}`, :math:`\sigma^2_{2|1}=\delta/s_{11}`;
    3. the standardized residuals :math:`(x_1/\sqrt{s_{11}},(x_2-\mu_{2|1})/\sigma_{2|1})` equal
       :math:`L_\Sigma^{-1}x` (Cholesky factor of that Σ), so :math:`\Phi^{-1}(D(x))=L^{-1}x` and the Darmois
       solution in Gaussian space is :math:`y\mapsto L^{-1}My`;
    4. :math:`Q=L^{-1}M` satisfies :math:`QQ^\top=I` (for a square matrix this also gives :math:`Q^\top Q=I`).

    ``L`` may be given to check another factor; a wrong one (e.g. the lower triangle of M) fails.
    """
    Mm, L0, _ = darmois_linear_gaussian_2d(M)
    L = sp.Matrix(L0 if L is None else L)
    if L.shape != (2, 2):
        raise ValueError(f"L must be 2×2; got shape {L.shape}")
    Mm = sp.Matrix(Mm)
    steps: list[ProofStep] = []
    steps.append(_check_equal("L·Lᵀ = Σ = M·Mᵀ", L * L.T, Mm * Mm.T))
    steps.append(
        _check_equal(
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
        _check_equal(
            "conditional law of x₂ given x₁ for x ~ N(0, Σ): log N(x; 0, Σ) − log N(x₁; 0, s₁₁) = log N(x₂; μ₂|₁, σ²₂|₁), "
            "μ₂|₁ = s₁₂x₁/s₁₁, σ²₂|₁ = δ/s₁₁ (δ = det Σ)",
            log_joint - log_marg,
            log_cond,
            simplifier=lambda e: sp.simplify(sp.expand_log(e, force=True)),
        )
    )
    LS = S.cholesky(hermitian=False)
    resid = sp.Matrix([x1 / sp.sqrt(s11), (x2 - mu) / sp.sqrt(var)])
    steps.append(
        _check_equal(
            "standardized residuals = L_Σ⁻¹x: Φ⁻¹(D(x)) = L⁻¹x, so f(y) = Φ⁻¹(D(My)) = L⁻¹My",
            resid,
            LS.inv() * X,
        )
    )
    Qm = L.inv() * Mm
    steps.append(_check_equal("Q = L⁻¹M is orthogonal: Q·Qᵀ = I", Qm * Qm.T, sp.eye(2)))
    return _result(
        "the linear–Gaussian Darmois map y ↦ L⁻¹My is orthogonal (d = 2)", steps[-1].residual, steps
    )
