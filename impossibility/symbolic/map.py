r"""Theorem 1's map :math:`f=G^{-1}\circ A\circ G` (or :math:`G^{-1}\circ T\circ G`) in SymPy.

.. math:: \frac{\partial f_i}{\partial u_j}=\frac{\varphi(y'_i)}{p_i(v_i)}\,(J_T)_{ij}(y)\,
          \frac{p_j(u_j)}{\varphi(y_j)},\qquad y=G(u),\ y'=T(y),\ v=f(u).

:func:`symbolic_map` builds :math:`f`, :math:`f^{-1}`, the Jacobian and the density of the prior
from the closed forms of :mod:`~impossibility.symbolic.priors` and a map of Gaussian space;
:meth:`SymbolicMap.numeric` turns them into NumPy/SciPy (or mpmath) functions, a reference
independent of the stable numeric implementation in :mod:`impossibility.entangle`. The
expressions are valid on the open support.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import sympy as sp

from ._arguments import check_dimension, resolve_inner, resolve_priors
from .gaussian_maps import GaussianMap
from .matrices import MatrixLike
from .normal import std_normal_pdf
from .numeric import NumericMap
from .priors import SymbolicPrior

__all__ = ["SymbolicMap", "symbolic_map"]


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
        :math:`T(G(u))` (:math:`y'` in docs/theory.md §0).
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
        r""":math:`f^{-1}(v)=G^{-1}(T^{-1}(G(v)))`, in the symbols ``u`` (read them as v)."""
        if self.inner.T_inv is None:
            raise ValueError(f"the inner map {self.inner.name!r} has no inverse expression")
        yv = [pr.gaussianize(ui) for pr, ui in zip(self.priors, self.u, strict=True)]
        w = self.inner.T_inv.subs(dict(zip(self.inner.y, yv, strict=True)), simultaneous=True)
        return sp.ImmutableMatrix(
            [pr.degaussianize(wi) for pr, wi in zip(self.priors, w, strict=True)]
        )

    def jacobian(self, *, direct: bool = False) -> sp.ImmutableMatrix:
        r""":math:`J_f(u)` by symbolic differentiation (unsimplified), almost everywhere.

        By default the one-dimensional maps are differentiated in real variables and assembled by
        the chain rule,

        .. math:: \frac{\partial f_i}{\partial u_j}=(G_i^{-1})'(y'_i)\,
                  \frac{\partial T_i}{\partial y_j}(y)\,G_j'(u_j)

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
        r"""The structured form :math:`J_f=D_{\rm out}\,J_T(y)\,D_{\rm in}` (docs/theory.md §2.2).

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
    ) -> NumericMap:
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
    A: MatrixLike | None = None,
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
        Orthogonal matrix (symbolic or exact). Default :func:`default_rotation`: rotation by a
        symbol θ for d = 2, Cayley transform of a symbolic skew matrix for d = 3.
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
    d = check_dimension(d)
    priors = resolve_priors(prior, d)
    T = resolve_inner(d, A, inner)
    u = tuple(pr.support_symbol(f"u{j + 1}") for j, pr in enumerate(priors))
    y = sp.ImmutableMatrix([pr.gaussianize(uj) for pr, uj in zip(priors, u, strict=True)])
    y_rot = sp.ImmutableMatrix(T.T.subs(dict(zip(T.y, y, strict=True)), simultaneous=True))
    f = sp.ImmutableMatrix([pr.degaussianize(w) for pr, w in zip(priors, y_rot, strict=True)])
    return SymbolicMap(priors, T, u, y, y_rot, f)
