r"""Univariate priors with closed-form pdf, CDF and quantile, and the registry :data:`PRIORS`.

.. math:: G(x)=\Phi^{-1}(F(x)),\qquad G^{-1}(t)=F^{-1}(\Phi(t)),

on the open support. A :class:`SymbolicPrior` is a tuple of :class:`PriorPiece` objects, open
intervals on which the pdf, CDF and quantile are single analytic expressions. The registry holds
the standard forms (location 0, scale 1, SciPy's defaults) ``normal``, ``uniform`` (on (0, 1)),
``laplace``, ``logistic``, ``exponential`` and ``cauchy``. The Laplace prior has two pieces,
:math:`x<0` and :math:`x>0`, and also single expressions for the whole line (``closed_forms``,
with ``Abs`` and ``sign``) whose agreement with both pieces is a proved step; a custom prior is
built from expressions in ``sympy.Symbol("x", real=True)`` (pdf, CDF) and
``sympy.Symbol("p", real=True)`` (quantile).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from ._variables import P_SYMBOL as _P
from ._variables import X_SYMBOL as _X
from ._variables import interval_point, interval_symbol, piecewise_over
from .normal import std_normal_cdf, std_normal_pdf, std_normal_quantile

__all__ = ["PriorPiece", "SymbolicPrior", "PRIORS", "get_prior"]


@dataclass(frozen=True)
class PriorPiece:
    r"""A prior on one open interval where pdf, CDF and quantile are single analytic expressions.

    Attributes
    ----------
    pdf, cdf : sympy.Expr
        In the real variable ``x = sympy.Symbol("x", real=True)``.
    quantile : sympy.Expr
        In ``p = sympy.Symbol("p", real=True)``; the inverse of ``cdf`` on this piece.
    lower, upper : sympy.Expr
        The open interval of ``x`` (``-oo``/``oo`` allowed).
    p_lower, p_upper : sympy.Expr
        :math:`F(\text{lower}^+)` and :math:`F(\text{upper}^-)`: the piece maps onto
        (p_lower, p_upper).
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
    r"""A univariate prior with closed-form pdf, CDF and quantile, as :class:`PriorPiece` objects.

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
        ``Abs`` and ``sign`` for the Laplace prior. :func:`prove_marginal_identities` checks that
        they agree with every piece. Without them, a prior with several pieces uses ``Piecewise``.

    Methods ``pdf``, ``cdf``, ``quantile``, ``gaussianize`` (G) and ``degaussianize`` (G⁻¹) return
    the expression at a given argument: the closed form if given, else a ``Piecewise`` over the
    pieces.
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

    def pdf(self, x: sp.Expr) -> sp.Expr:
        """p(x) (valid on the open support)."""
        if self.closed_forms is not None:
            return self.closed_forms[0].subs(_X, x)
        return piecewise_over(
            x, [pc.pdf_at(x) for pc in self.pieces], [pc.upper for pc in self.pieces]
        )

    def cdf(self, x: sp.Expr) -> sp.Expr:
        """F(x) (valid on the open support)."""
        if self.closed_forms is not None:
            return self.closed_forms[1].subs(_X, x)
        return piecewise_over(
            x, [pc.cdf_at(x) for pc in self.pieces], [pc.upper for pc in self.pieces]
        )

    def quantile(self, q: sp.Expr) -> sp.Expr:
        r""":math:`F^{-1}(q)` for q in (0, 1)."""
        if self.closed_forms is not None:
            return self.closed_forms[2].subs(_P, q)
        return piecewise_over(
            q, [pc.quantile_at(q) for pc in self.pieces], [pc.p_upper for pc in self.pieces]
        )

    def gaussianize(self, x: sp.Expr) -> sp.Expr:
        r""":math:`G(x)=\Phi^{-1}(F(x))`."""
        if self.closed_forms is not None or len(self.pieces) == 1:
            return std_normal_quantile(self.cdf(x))
        return piecewise_over(
            x, [pc.gaussianize(x) for pc in self.pieces], [pc.upper for pc in self.pieces]
        )

    def degaussianize(self, t: sp.Expr) -> sp.Expr:
        r""":math:`G^{-1}(t)=F^{-1}(\Phi(t))`."""
        if self.closed_forms is not None or len(self.pieces) == 1:
            return self.quantile(std_normal_cdf(t))
        return piecewise_over(
            t,
            [pc.degaussianize(t) for pc in self.pieces],
            [pc.gaussian_upper for pc in self.pieces],
        )

    def support_symbol(self, name: str) -> sp.Symbol:
        """A symbol for a point of the support, with the sign assumption SymPy can express."""
        return interval_symbol(name, self.lower, self.upper)

    def support_point(self, s: sp.Expr) -> sp.Expr:
        """Map a real number (or symbol) s onto the open support (a bijection of the real line)."""
        return interval_point(self.lower, self.upper, s)

    def scipy(self) -> Any:
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
        # one expression for the whole line: G(x) = sign(x)·Φ⁻¹(1 − e^{−|x|}/2)-type forms,
        # no Piecewise
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
    if not isinstance(prior, str):
        raise TypeError(
            f"prior must be a SymbolicPrior or one of {sorted(PRIORS)}; got {prior!r} "
            f"({type(prior).__name__})"
        )
    if prior not in PRIORS:
        raise ValueError(
            f"unknown prior {prior!r}; expected a SymbolicPrior or one of {sorted(PRIORS)}"
        )
    return PRIORS[prior]
