r"""The standard normal density, CDF and quantile as SymPy expressions.

.. math:: \varphi(t)=\frac{e^{-t^2/2}}{\sqrt{2\pi}},\qquad
          \Phi(t)=\tfrac12\big(1+\operatorname{erf}(t/\sqrt2)\big),\qquad
          \Phi^{-1}(q)=\sqrt2\,\operatorname{erfinv}(2q-1).

These are the Gaussian side of every construction: :math:`G=\Phi^{-1}\circ F` maps a prior onto
:math:`\mathcal N(0,1)`, and SymPy simplifies :math:`\Phi^{-1}(\Phi(t))=t` exactly.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["std_normal_pdf", "std_normal_cdf", "std_normal_quantile"]


def std_normal_pdf(t: sp.Expr) -> sp.Expr:
    r""":math:`\varphi(t)=e^{-t^2/2}/\sqrt{2\pi}`."""
    return sp.exp(-(sp.sympify(t) ** 2) / 2) / sp.sqrt(2 * sp.pi)


def std_normal_cdf(t: sp.Expr) -> sp.Expr:
    r""":math:`\Phi(t)=\tfrac12\big(1+\operatorname{erf}(t/\sqrt2)\big)`."""
    return (1 + sp.erf(sp.sympify(t) / sp.sqrt(2))) / 2


def std_normal_quantile(q: sp.Expr) -> sp.Expr:
    r""":math:`\Phi^{-1}(q)=\sqrt2\,\operatorname{erfinv}(2q-1)`.

    SymPy simplifies :math:`\Phi^{-1}(\Phi(t))=t`.
    """
    return sp.sqrt(2) * sp.erfinv(2 * sp.sympify(q) - 1)
