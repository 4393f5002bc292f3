r"""The Darmois (Knothe–Rosenblatt) construction: another route to prior-preserving entangling maps.

For a mixing :math:`T` and :math:`q=T_\#\mathcal N(0,I)`, the triangular map :math:`D_q` of
conditional CDFs makes :math:`\Phi^{-1}\circ D_q\circ T` preserve :math:`\mathcal N(0,I)`
(Hyvärinen & Pajunen 1999; docs/theory.md §4.3). For a linear Gaussian mixing :math:`M` it reduces
to Theorem 1 with :math:`A=L^{-1}M`, :math:`LL^\top=MM^\top`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import integrate, linalg, optimize, special, stats

from .._typing import Array
from .._validation import as_matrix, check_int, check_scalar
from ..bijections import Bijector

__all__ = ["DarmoisShear2D", "linear_gaussian_darmois"]


# Beyond |y| = 19 the preimage's root leaves the brackets below (Φ(−19) ≈ 1e-80, while the
# conditional CDF at x2 = −20 is about 1e-88): refused rather than answered wrongly.
_W_MAX = 19.0


class DarmoisShear2D(Bijector):
    r"""The Darmois construction :math:`f=\Phi^{-1}\circ D_q\circ T` for a nonlinear shear.

    In Gaussian space. Mixing :math:`T(y)=(y_1+h(y_2),\,y_2)` with :math:`h=a\tanh`,
    :math:`q=T_\#\mathcal N(0,I_2)`, and
    :math:`D_q(x)=(F_{x_1}(x_1),\,F(x_2\mid x_1))` its Knothe–Rosenblatt (Darmois) map. Then
    :math:`f=\Phi^{-1}\circ D_q\circ T` preserves :math:`\mathcal N(0,I_2)`:

    * :math:`F_{x_1}(t)=\mathbb E_{s\sim\varphi}[\Phi(t-h(s))]` (Gauss–Hermite quadrature);
    * :math:`F(x_2\mid x_1)=\int_{-\infty}^{x_2}\varphi(x_1-h(s))\varphi(s)\,ds\,/\,p_{x_1}(x_1)`
      (adaptive quadrature);
    * :math:`\log|\det J_f(y)|=\log|\det J_T|+\log p_q(x)-\log\varphi(f_1)-\log\varphi(f_2)`, with
      :math:`\det J_T=1` and :math:`\det J_{D_q}=q(x)=\varphi_2(T^{-1}x)`.

    A monotone triangular map alone that preserves a factorized law is the identity (uniqueness
    of the Knothe–Rosenblatt map), so the nonlinear mixing T is what makes this family non-trivial.
    Transport it to any prior with :class:`Conjugated`. Costs a few quadratures per point: meant
    for demonstrations and tests, not for millions of points.
    """

    name = "darmois"
    preserves_standard_normal = True

    def __init__(self, a: float = 1.5, *, n_hermite: int = 200):
        self.a = check_scalar(a, "a")
        self.d = 2
        nodes, weights = special.roots_hermitenorm(check_int(n_hermite, "n_hermite", minimum=2))
        self._s, self._w = nodes, weights / np.sqrt(2 * np.pi)

    def _h(self, s):
        return self.a * np.tanh(s)

    def _log_p_x1(self, x1: Array) -> Array:
        # p_{x1}(t) = E_s[φ(t − h(s))]
        vals = stats.norm.logpdf(x1[:, None] - self._h(self._s)[None, :]) + np.log(self._w)[None, :]
        return special.logsumexp(vals, axis=1)

    def _F_x1(self, x1: Array) -> Array:
        return (special.ndtr(x1[:, None] - self._h(self._s)[None, :]) * self._w).sum(axis=1)

    def _F_cond(self, x2: float, x1: float) -> float:
        num = integrate.quad(
            lambda s: np.exp(stats.norm.logpdf(x1 - self._h(s)) + stats.norm.logpdf(s)),
            -np.inf,
            x2,
            epsabs=0,
            epsrel=1e-13,
            limit=200,
        )[0]
        den = np.exp(self._log_p_x1(np.array([x1]))[0])
        return num / den

    # The map is odd (h is odd, φ even): F_{x1}(-t) = 1 - F_{x1}(t) and
    # F(-x2 | -x1) = 1 - F(x2 | x1). Both directions work on the side where the CDF is at most
    # 1/2 and mirror the other side, so an upper tail never forms 1 - u (which rounds to 0 for
    # w ≳ 8.3 and made the inverse return the same wrong point for every larger w).
    def _forward_and_log_det(self, y: Array) -> tuple[Array, Array]:
        x1 = y[:, 0] + self._h(y[:, 1])
        x2 = y[:, 1]
        s1 = np.where(self._F_x1(x1) > 0.5, -1.0, 1.0)
        out1 = s1 * special.ndtri(self._F_x1(s1 * x1))
        out2 = np.empty_like(x2)
        for k, (a, b) in enumerate(zip(x1, x2, strict=True)):
            u = self._F_cond(b, a)
            out2[k] = -special.ndtri(self._F_cond(-b, -a)) if u > 0.5 else special.ndtri(u)
        out = np.column_stack([out1, out2])
        log_q = stats.norm.logpdf(y).sum(axis=1)  # q(T y) = φ₂(y) since det J_T = 1
        ld = log_q - stats.norm.logpdf(out).sum(axis=1)
        return out, ld

    def _check_codomain(self, w: Array) -> None:
        big = np.abs(w) > _W_MAX
        if big.any():
            r, c = (int(i) for i in np.argwhere(big)[0])
            raise ValueError(
                f"darmois: y[{r}, {c}] = {float(w[r, c])!r} is beyond ±{_W_MAX}, where the "
                "quadrature and root brackets of the inverse no longer hold the preimage; "
                f"expected |y| ≤ {_W_MAX}"
            )

    def _inverse_and_log_det(self, w: Array) -> tuple[Array, Array]:
        out = np.empty_like(w)
        lower = special.ndtr(-np.abs(w))  # Φ(−|w|): the tail of the side that is solved
        for k in range(w.shape[0]):
            s1 = -1.0 if w[k, 0] > 0 else 1.0
            x1 = s1 * optimize.brentq(
                lambda t, uk=lower[k, 0]: self._F_x1(np.array([t]))[0] - uk,
                -40,
                40,
                xtol=1e-15,
                rtol=1e-15,
            )
            s2 = -1.0 if w[k, 1] > 0 else 1.0
            x2 = s2 * optimize.brentq(
                lambda t, a=s2 * x1, uk=lower[k, 1]: self._F_cond(t, a) - uk,
                -20,
                20,
                xtol=1e-15,
                rtol=1e-15,
            )
            out[k] = (x1 - self._h(x2), x2)
        ld = stats.norm.logpdf(w).sum(axis=1) - stats.norm.logpdf(out).sum(axis=1)
        return out, ld

    def _jacobian(self, y: Array) -> Array:
        # central differences of a smooth map evaluated by quadrature (no closed form)
        h = 1e-5
        jac = np.empty((y.shape[0], 2, 2))
        for j in range(2):
            e = np.zeros(2)
            e[j] = h
            jac[:, :, j] = (
                self._forward_and_log_det(y + e)[0] - self._forward_and_log_det(y - e)[0]
            ) / (2 * h)
        return jac


def linear_gaussian_darmois(M: ArrayLike) -> Array:
    r"""The linear–Gaussian Darmois map :math:`L^{-1}M` with :math:`MM^\top=LL^\top`, orthogonal.

    For :math:`p=\mathcal N(0,I)` and a linear mixing :math:`x=My`, the conditional CDFs of
    :math:`x\sim\mathcal N(0,MM^\top)` are :math:`\Phi` of the standardised residuals
    :math:`L^{-1}x`, so the Darmois construction reduces to Theorem 1 with :math:`A=L^{-1}M`.
    """
    M = as_matrix(M, "M", square=True)
    det = float(np.linalg.det(M))
    if abs(det) < 1e-12:
        raise ValueError(f"M must be invertible; got det(M) = {det:.3g}")
    L = np.linalg.cholesky(M @ M.T)
    return linalg.solve_triangular(L, M, lower=True)
