r"""Theorem 1's entangling bijections and other prior-preserving families.

The central object is :math:`f=G^{-1}\circ A\circ G` for a factorized prior :math:`p` with
Gaussianizing map :math:`G` (:class:`~impossibility.gaussianize.Gaussianize`) and an orthogonal
:math:`A` whose entries are all nonzero. Then

* :math:`f(z)\overset{d}{=}z` for :math:`z\sim p` (same *joint* law: the coordinates of
  :math:`f(z)` are again independent with the same marginals), and
* :math:`\partial f_i/\partial u_j=\frac{\varphi(y'_i)}{p_i(v_i)}\,A_{ij}\,\frac{p_j(u_j)}{\varphi(y_j)}\neq0`
  for every pair :math:`(i,j)` on the open support (:math:`y=G(u)`, :math:`y'=Ay`, :math:`v=f(u)`):
  every output depends on every input.

All maps here are *conjugations* :math:`G^{-1}\circ T\circ G` of a map :math:`T` that preserves
:math:`\mathcal N(0,I)` (theory.md §4.0): :math:`T=A` (Theorem 1), a radius-dependent rotation
(:class:`Swirl`), a signed permutation (the trivial symmetries, negative controls), or the
Darmois construction (:class:`DarmoisShear2D`). Their log-determinants always come from the chain
rule, never from the identity :math:`\log|\det J_f|=\log p(u)-\log p(f(u))`, which is what the
package *checks* (theory.md §2.3).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import integrate, linalg, optimize, special, stats

from ._validation import check_rng
from .bijections import Bijector, Inverse, Orthogonal, check_orthogonal
from .gaussianize import Gaussianize
from .priors import FactorizedPrior

__all__ = [
    "Conjugated",
    "EntanglingBijection",
    "entangling_bijection",
    "random_entangling_rotation",
    "householder_rotation",
    "rotation_2d",
    "RotationPath",
    "random_skew",
    "Swirl",
    "DarmoisShear2D",
    "linear_gaussian_darmois",
    "permutation_bijection",
    "quantile_reflection",
    "default_min_abs_entry",
]

Array = NDArray[np.float64]


def _check_dim(d: int) -> int:
    if not isinstance(d, (int, np.integer)) or isinstance(d, bool):
        raise ValueError(f"d must be an integer; got {d!r}")
    if d < 2:
        raise ValueError(
            f"d = {d}: Theorem 1 needs d ≥ 2. In one dimension the only continuous bijections that "
            "preserve a continuous law are the identity and the quantile reflection; nothing can be "
            "entangled"
        )
    return int(d)


class Conjugated(Bijector):
    r"""The transport :math:`f=G^{-1}\circ T\circ G` of a Gaussian-measure-preserving bijector T to a prior.

    forward :math:`f(u)=G^{-1}(T(G(u)))`; inverse :math:`f^{-1}(v)=G^{-1}(T^{-1}(G(v)))`;
    :math:`\log|\det J_f(u)|=\log|\det J_G(u)|+\log|\det J_T(y)|+\log|\det J_{G^{-1}}(y')|`;
    :math:`J_f(u)=D_{\rm out}\,J_T(y)\,D_{\rm in}` with the diagonal
    :math:`D_{\rm in}=\operatorname{diag}(p_j(u_j)/\varphi(y_j))` and
    :math:`D_{\rm out}=\operatorname{diag}(\varphi(y'_i)/p_i(v_i))`.

    If T preserves :math:`\mathcal N(0,I)` then f preserves the prior (theory.md §4.0).
    Equivalent to ``Chain([Gaussianize(prior).inv, T, Gaussianize(prior)])``, with the Jacobian
    assembled from the diagonal factors instead of matrix products.

    Parameters
    ----------
    prior : FactorizedPrior
    inner : Bijector
        The map T in Gaussian space, acting on the same d.
    """

    def __init__(self, prior: FactorizedPrior, inner: Bijector, *, name: str = "f"):
        if not isinstance(prior, FactorizedPrior):
            raise TypeError(f"prior must be a FactorizedPrior; got {type(prior).__name__}")
        if inner.d != prior.d:
            raise ValueError(f"inner map acts on d = {inner.d} but the prior has d = {prior.d}")
        self.prior = prior
        self.gaussianize = Gaussianize(prior)
        self.inner = inner
        self.d = prior.d
        self.name = name
        self.is_constant_jacobian = self.gaussianize.is_constant_jacobian and inner.is_constant_jacobian

    def _check_domain(self, x: Array) -> None:
        self.gaussianize._check_domain(x)

    def _check_codomain(self, y: Array) -> None:
        self.gaussianize._check_domain(y)

    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        g = self.gaussianize
        y, ld_in = g._forward_and_log_det(x)
        y2, ld_t = self.inner._forward_and_log_det(y)
        v, ld_out = g._inverse_and_log_det(y2)
        return v, ld_in + ld_t + ld_out

    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        g = self.gaussianize
        w, ld_in = g._forward_and_log_det(y)
        w2, ld_t = self.inner._inverse_and_log_det(w)
        u, ld_out = g._inverse_and_log_det(w2)
        return u, ld_in + ld_t + ld_out

    def jacobian_factors(self, u: ArrayLike) -> tuple[Array, Array, Array]:
        r"""The factors of :math:`J_f(u)=D_{\rm out}\,J_T\,D_{\rm in}`.

        Returns
        -------
        d_out : ndarray of shape (n, d)
            Diagonal of :math:`D_{\rm out}`, :math:`\varphi(y'_i)/p_i(v_i)>0`.
        j_inner : ndarray of shape (n, d, d)
            :math:`J_T(y)` at :math:`y=G(u)`.
        d_in : ndarray of shape (n, d)
            Diagonal of :math:`D_{\rm in}`, :math:`p_j(u_j)/\varphi(y_j)>0`.
        """
        arr, single = self._prepare(u, "u", inverse=False)
        out = self._factors(arr)
        return tuple(o[0] for o in out) if single else out

    def _factors(self, x: Array) -> tuple[Array, Array, Array]:
        g = self.gaussianize
        y, ld_in = g._forward_and_log_diag(x)
        j_inner = self.inner._jacobian(y)
        y2, _ = self.inner._forward_and_log_det(y)
        _, ld_out = g._inverse_and_log_diag(y2)
        return np.exp(ld_out), j_inner, np.exp(ld_in)

    def _jacobian(self, x: Array) -> Array:
        d_out, j_inner, d_in = self._factors(x)
        return d_out[:, :, None] * j_inner * d_in[:, None, :]

    def _inverse_jacobian(self, y: Array) -> Array:
        g = self.gaussianize
        w, ld_in = g._forward_and_log_diag(y)
        w2, _ = self.inner._inverse_and_log_det(w)
        j_inner = Inverse(self.inner)._jacobian(w)
        _, ld_out = g._inverse_and_log_diag(w2)
        return np.exp(ld_out)[:, :, None] * j_inner * np.exp(ld_in)[:, None, :]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.prior!r}, {self.inner!r})"


class EntanglingBijection(Conjugated):
    r"""Theorem 1's map :math:`f=G^{-1}\circ A\circ G` for a factorized prior and orthogonal A.

    forward :math:`v=G^{-1}(A\,G(u))`; inverse :math:`u=G^{-1}(A^\top G(v))`;

    .. math::
        \log|\det J_f(u)|=\sum_j[\log p_j(u_j)-\log\varphi(y_j)]+\log|\det A|
        +\sum_i[\log\varphi(y'_i)-\log p_i(v_i)],

    :math:`J_f=D_{\rm out}AD_{\rm in}`, so :math:`\operatorname{sign}\partial f_i/\partial u_j=\operatorname{sign}A_{ij}`.
    Build it with :func:`entangling_bijection`.
    """

    def __init__(self, prior: FactorizedPrior, A: ArrayLike, *, atol: float | None = None):
        super().__init__(prior, Orthogonal(A, atol=atol), name="f")

    @property
    def A(self) -> Array:
        """The orthogonal matrix acting in Gaussian space."""
        return self.inner.A

    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        if self.gaussianize.is_identity:  # standard-normal prior: f is exactly u ↦ Au
            return x @ self.inner.A.T, np.full(x.shape[0], self.inner.log_abs_det)
        return super()._forward_and_log_det(x)

    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        if self.gaussianize.is_identity:
            return y @ self.inner.A, np.full(y.shape[0], -self.inner.log_abs_det)
        return super()._inverse_and_log_det(y)

    def __repr__(self) -> str:
        return f"EntanglingBijection({self.prior!r}, A=<{self.d}×{self.d} orthogonal>)"


def default_min_abs_entry(d: int) -> float:
    r"""Default threshold :math:`\tau=\tfrac12 d^{-5/2}` on the smallest :math:`|A_{ij}|`.

    Entries of a Haar orthogonal matrix are roughly :math:`\mathcal N(0,1/d)`, so
    :math:`P(\min|A_{ij}|\ge\tau)\approx\exp(-0.8\,\tau\,d^{5/2})`: with this τ about 2/3 of the draws
    are accepted for every d (measured 0.73, 0.70, 0.65 at d = 4, 8, 16), while a fixed τ would
    make rejection sampling hopeless as d grows.
    """
    return 0.5 * float(d) ** -2.5


def random_entangling_rotation(
    d: int,
    rng: np.random.Generator,
    *,
    min_abs_entry: float | None = None,
    proper: bool = False,
    max_tries: int = 10_000,
) -> Array:
    r"""A Haar-random orthogonal matrix whose entries all satisfy :math:`|A_{ij}|\ge\tau`.

    Procedure: draw :math:`A` from the Haar measure on :math:`O(d)` (or :math:`SO(d)` if
    ``proper``) with ``scipy.stats.ortho_group``; reject and redraw until
    :math:`\min_{ij}|A_{ij}|\ge\tau`. The accepted matrix is Haar-distributed conditioned on that
    event. Since rows have unit norm, :math:`\min|A_{ij}|\le1/\sqrt d` for every orthogonal matrix,
    so τ must be below that bound.

    Parameters
    ----------
    d : int
        Dimension, at least 2.
    rng : numpy.random.Generator
        Source of randomness.
    min_abs_entry : float, optional
        τ; default :func:`default_min_abs_entry` (:math:`\tfrac12d^{-5/2}`, acceptance ≈ 0.7).
    proper : bool, default=False
        Draw a rotation (det = +1) instead of any orthogonal matrix.
    max_tries : int, default=10000

    Returns
    -------
    ndarray of shape (d, d)
    """
    d = _check_dim(d)
    check_rng(rng)
    tau = default_min_abs_entry(d) if min_abs_entry is None else float(min_abs_entry)
    if not (0 <= tau < 1 / np.sqrt(d)):
        raise ValueError(
            f"min_abs_entry = {tau} is impossible: every orthogonal {d}×{d} matrix has an entry of "
            f"absolute value at most 1/√d = {1 / np.sqrt(d):.4g}"
        )
    group = stats.special_ortho_group if proper else stats.ortho_group
    for _ in range(max_tries):
        A = group.rvs(d, random_state=rng)
        if np.min(np.abs(A)) >= tau:
            return A
    raise RuntimeError(
        f"no orthogonal matrix with all |A_ij| ≥ {tau} in {max_tries} draws; lower min_abs_entry "
        f"(the default {default_min_abs_entry(d):.3g} is accepted about 70% of the time)"
    )


def householder_rotation(d: int, alpha: float = 0.3) -> Array:
    r"""The Householder reflection :math:`A=I-2vv^\top` of the paper's appendix.

    :math:`v_1=\sqrt\alpha`, :math:`v_i=\sqrt{\beta}` with :math:`\beta=(1-\alpha)/(d-1)` for
    :math:`i\ge2`. Entries: :math:`A_{11}=1-2\alpha`, :math:`A_{1j}=A_{j1}=-2\sqrt{\alpha\beta}`,
    :math:`A_{jj}=1-2\beta`, :math:`A_{jk}=-2\beta`. All are nonzero for every
    :math:`\alpha\in(0,1)\setminus\{\tfrac12\}` and :math:`d\ge2` except when :math:`\beta=\tfrac12`
    (α = 0 at d = 3, excluded), so each α gives a different completely entangling f.
    """
    d = _check_dim(d)
    if not (0 < alpha < 1) or alpha == 0.5:
        raise ValueError(f"alpha must lie in (0, 1) and differ from 1/2; got {alpha}")
    v = np.full(d, np.sqrt((1 - alpha) / (d - 1)))
    v[0] = np.sqrt(alpha)
    return np.eye(d) - 2.0 * np.outer(v, v)


def rotation_2d(theta: float) -> Array:
    r"""The rotation :math:`\begin{pmatrix}\cos\theta&-\sin\theta\\\sin\theta&\cos\theta\end{pmatrix}`;
    completely entangling iff :math:`\theta\notin\tfrac\pi2\mathbb Z`."""
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s], [s, c]])


def random_skew(d: int, rng: np.random.Generator) -> Array:
    """A random skew-symmetric matrix S (Sᵀ = −S) with standard-normal entries above the diagonal."""
    d = _check_dim(d)
    upper = np.triu(rng.standard_normal((d, d)), 1)
    return upper - upper.T


class RotationPath:
    r"""The continuous family :math:`A(t)=\exp(tS)`, :math:`S^\top=-S`: one f for every t.

    Every :math:`A(t)` is a rotation. Certified interval (theory.md §1.5): with
    :math:`\sigma=\lVert S\rVert_2`, :math:`m=\min_{i\ne j}|S_{ij}|` and :math:`\tau=|t|\sigma`, every entry
    is bounded away from zero as long as :math:`e^\tau-1<1` and :math:`e^\tau-1-\tau<|t|m`, because
    :math:`|A_{ij}(t)-\delta_{ij}-tS_{ij}|\le e^\tau-1-\tau`. So all entries are nonzero for
    :math:`0<|t|<t_{\max}` — a continuum of distinct completely entangling maps. Beyond
    :math:`t_{\max}` the entries are trigonometric polynomials in t that vanish only at isolated
    points, located by :meth:`entry_zeros`.

    Parameters
    ----------
    S : array_like of shape (d, d)
        Skew-symmetric, with every off-diagonal entry nonzero.
    """

    def __init__(self, S: ArrayLike):
        S = np.asarray(S, dtype=np.float64)
        if S.ndim != 2 or S.shape[0] != S.shape[1]:
            raise ValueError(f"S must be a square matrix; got shape {S.shape}")
        _check_dim(S.shape[0])
        if not np.all(np.isfinite(S)) or np.max(np.abs(S + S.T)) > 1e-12 * max(1.0, np.max(np.abs(S))):
            raise ValueError("S must be finite and skew-symmetric (Sᵀ = −S)")
        off = S[~np.eye(S.shape[0], dtype=bool)]
        if np.any(off == 0):
            raise ValueError("every off-diagonal entry of S must be nonzero for A(t) to entangle all pairs")
        self.S = S
        self.d = S.shape[0]

    def __call__(self, t: float) -> Array:
        """A(t) = expm(t S)."""
        return linalg.expm(float(t) * self.S)

    @property
    def t_max(self) -> float:
        r"""The certified :math:`t_{\max}`: all entries of A(t) are nonzero for :math:`0<|t|<t_{\max}`."""
        sigma = float(np.linalg.norm(self.S, 2))
        m = float(np.min(np.abs(self.S[~np.eye(self.d, dtype=bool)])))
        t2 = np.log(2.0) / sigma
        h = lambda t: np.expm1(t * sigma) - t * sigma - t * m  # noqa: E731  convex, h(0)=0, h'(0)<0
        hi = t2
        if h(hi) < 0:
            return t2
        return min(t2, optimize.brentq(h, 1e-12 / sigma, hi, xtol=1e-15))

    def entry_zeros(self, t_lo: float, t_hi: float, *, num: int = 2001) -> list[tuple[int, int, float]]:
        """Values of t in [t_lo, t_hi] where some entry A_ij(t) vanishes: (i, j, t), sorted by t.

        Sign changes on a grid of ``num`` points are refined with Brent's method (isolated
        tangential zeros between grid points could be missed; refine ``num`` if it matters).
        """
        ts = np.linspace(t_lo, t_hi, num)
        w, V = np.linalg.eig(self.S)
        Vinv = np.linalg.inv(V)
        entries = lambda t: np.real((V * np.exp(t * w)) @ Vinv)  # noqa: E731
        vals = np.real(np.einsum("ik,tk,kj->tij", V, np.exp(ts[:, None] * w[None, :]), Vinv))
        zeros = []
        for i in range(self.d):
            for j in range(self.d):
                s = vals[:, i, j]
                for k in np.nonzero(np.sign(s[:-1]) * np.sign(s[1:]) < 0)[0]:
                    t0 = optimize.brentq(lambda t: entries(t)[i, j], ts[k], ts[k + 1], xtol=1e-14)
                    zeros.append((i, j, float(t0)))
        return sorted(zeros, key=lambda z: z[2])


def entangling_bijection(
    prior: FactorizedPrior,
    A: ArrayLike | None = None,
    *,
    rng: np.random.Generator | None = None,
    require_complete: bool = True,
    min_abs_entry: float = 0.0,
    atol: float | None = None,
) -> EntanglingBijection:
    r"""Theorem 1's map :math:`f=G^{-1}\circ A\circ G` for ``prior``.

    Parameters
    ----------
    prior : FactorizedPrior
        A factorized continuous prior with d ≥ 2 coordinates.
    A : array_like of shape (d, d), optional
        Orthogonal matrix. Default: :func:`random_entangling_rotation` drawn from ``rng``.
    rng : numpy.random.Generator, optional
        Needed only when ``A`` is not given.
    require_complete : bool, default=True
        Refuse an ``A`` with an entry :math:`|A_{ij}|\le` ``min_abs_entry`` (such an f leaves some
        output independent of some input, so it is not *completely* entangling).
    min_abs_entry : float, default=0.0
        Threshold for ``require_complete``.
    atol : float, optional
        Orthogonality tolerance (default :math:`10^3\varepsilon d`).

    Returns
    -------
    EntanglingBijection

    Raises
    ------
    ValueError
        For d < 2, a non-orthogonal or wrongly shaped A, or a (near-)zero entry when complete
        entanglement is required.

    Examples
    --------
    >>> from scipy import stats
    >>> prior = FactorizedPrior([stats.laplace(), stats.beta(2, 5), stats.gamma(3)])
    >>> f = entangling_bijection(prior, rng=np.random.default_rng(0))
    >>> z = prior.sample(4, np.random.default_rng(1))
    >>> bool(np.allclose(f.inverse(f.forward(z)), z))
    True
    """
    if not isinstance(prior, FactorizedPrior):
        raise TypeError(f"prior must be a FactorizedPrior; got {type(prior).__name__}")
    d = _check_dim(prior.d)
    if A is None:
        if rng is None:
            raise ValueError("give either an orthogonal matrix A or a Generator rng to draw one")
        A = random_entangling_rotation(d, rng, min_abs_entry=max(min_abs_entry, default_min_abs_entry(d)))
    A = check_orthogonal(A, atol=atol)
    if A.shape != (d, d):
        raise ValueError(f"A must have shape ({d}, {d}) to match the prior; got {A.shape}")
    if require_complete:
        small = np.abs(A) <= min_abs_entry
        if np.any(small):
            i, j = np.argwhere(small)[0]
            raise ValueError(
                f"A[{i}, {j}] = {A[i, j]!r}: with a zero entry, output {i} of f does not depend on "
                f"input {j}, so f is not completely entangling (pass require_complete=False to allow it)"
            )
    return EntanglingBijection(prior, A, atol=atol)


# ---------------------------------------------------------------------------------- other families
class Swirl(Bijector):
    r"""Radius-dependent rotation :math:`T(y)=\exp(\theta(\lVert y\rVert)S)\,y`, a nonlinear map preserving N(0, I).

    With :math:`\theta(r)=a+br^2` (smooth at the origin):
    forward :math:`T(y)=e^{\theta(r)S}y`; inverse :math:`T^{-1}(w)=e^{-\theta(\lVert w\rVert)S}w`
    (the norm is preserved); :math:`J_T=e^{\theta S}(I+2b\,Syy^\top)` and
    :math:`\det J_T=1+2b\,y^\top Sy=1` since :math:`y^\top Sy=0`, so log|det J| = 0.
    Transport it to any prior with :class:`Conjugated`. Its Jacobian entries are analytic, hence
    nonzero almost everywhere, but unlike Theorem 1 there is no sign guarantee.

    Parameters
    ----------
    S : array_like of shape (d, d)
        Skew-symmetric generator.
    a, b : float
        Angle offset and curvature: :math:`\theta(r)=a+br^2`.
    """

    name = "swirl"

    def __init__(self, S: ArrayLike, a: float = 0.0, b: float = 0.5):
        S = np.asarray(S, dtype=np.float64)
        if S.ndim != 2 or S.shape[0] != S.shape[1] or np.max(np.abs(S + S.T)) > 1e-12:
            raise ValueError("S must be a square skew-symmetric matrix")
        self.S, self.a, self.b = S, float(a), float(b)
        self.d = _check_dim(S.shape[0])
        # S is normal: S = V diag(iω) V⁻¹, so exp(θS) = V diag(e^{iθω}) V⁻¹ for a batch of θ at once.
        self._w, self._V = np.linalg.eig(S)
        self._Vinv = np.linalg.inv(self._V)

    def _expm(self, theta: Array) -> Array:
        phase = np.exp(theta[:, None] * self._w[None, :])
        return np.real(np.einsum("ik,nk,kj->nij", self._V, phase, self._Vinv))

    def _rotate(self, y: Array, sign: float) -> Array:
        theta = self.a + self.b * np.einsum("ni,ni->n", y, y)
        return np.einsum("nij,nj->ni", self._expm(sign * theta), y)

    def _forward_and_log_det(self, x: Array) -> tuple[Array, Array]:
        return self._rotate(x, 1.0), np.zeros(x.shape[0])

    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        return self._rotate(y, -1.0), np.zeros(y.shape[0])

    def _jacobian(self, x: Array) -> Array:
        theta = self.a + self.b * np.einsum("ni,ni->n", x, x)
        E = self._expm(theta)
        Sy = x @ self.S.T
        inner = np.eye(self.d)[None] + 2.0 * self.b * Sy[:, :, None] * x[:, None, :]
        return E @ inner


class DarmoisShear2D(Bijector):
    r"""The Darmois construction :math:`f=\Phi^{-1}\circ D_q\circ T` for a nonlinear shear, in Gaussian space.

    Mixing :math:`T(y)=(y_1+h(y_2),\,y_2)` with :math:`h=a\tanh`, :math:`q=T_\#\mathcal N(0,I_2)`, and
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

    def __init__(self, a: float = 1.5, *, n_hermite: int = 200):
        self.a = float(a)
        self.d = 2
        nodes, weights = special.roots_hermitenorm(n_hermite)
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
            -np.inf, x2, epsabs=0, epsrel=1e-13, limit=200,
        )[0]
        den = np.exp(self._log_p_x1(np.array([x1]))[0])
        return num / den

    def _forward_and_log_det(self, y: Array) -> tuple[Array, Array]:
        x1 = y[:, 0] + self._h(y[:, 1])
        x2 = y[:, 1]
        u1 = self._F_x1(x1)
        u2 = np.array([self._F_cond(b, a) for a, b in zip(x1, x2)])
        out = np.column_stack([special.ndtri(u1), special.ndtri(u2)])
        log_q = stats.norm.logpdf(y).sum(axis=1)  # q(T y) = φ₂(y) since det J_T = 1
        ld = log_q - stats.norm.logpdf(out).sum(axis=1)
        return out, ld

    def _inverse_and_log_det(self, w: Array) -> tuple[Array, Array]:
        u1, u2 = special.ndtr(w[:, 0]), special.ndtr(w[:, 1])
        out = np.empty_like(w)
        for k in range(w.shape[0]):
            x1 = optimize.brentq(lambda t: self._F_x1(np.array([t]))[0] - u1[k], -40, 40, xtol=1e-15, rtol=1e-15)
            x2 = optimize.brentq(lambda t: self._F_cond(t, x1) - u2[k], -20, 20, xtol=1e-15, rtol=1e-15)
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
            jac[:, :, j] = (self._forward_and_log_det(y + e)[0] - self._forward_and_log_det(y - e)[0]) / (2 * h)
        return jac


def linear_gaussian_darmois(M: ArrayLike) -> Array:
    r"""The linear–Gaussian Darmois map :math:`L^{-1}M` (:math:`MM^\top=LL^\top`, Cholesky): an orthogonal matrix.

    For :math:`p=\mathcal N(0,I)` and a linear mixing :math:`x=My`, the conditional CDFs of
    :math:`x\sim\mathcal N(0,MM^\top)` are :math:`\Phi` of the standardised residuals
    :math:`L^{-1}x`, so the Darmois construction reduces to Theorem 1 with :math:`A=L^{-1}M`.
    """
    M = np.asarray(M, dtype=np.float64)
    if M.ndim != 2 or M.shape[0] != M.shape[1] or not np.all(np.isfinite(M)):
        raise ValueError(f"M must be a finite square matrix; got shape {M.shape}")
    if abs(np.linalg.det(M)) < 1e-12:
        raise ValueError("M must be invertible")
    L = np.linalg.cholesky(M @ M.T)
    return linalg.solve_triangular(L, M, lower=True)


# ---------------------------------------------------------------------------------- trivial symmetries
def permutation_bijection(prior: FactorizedPrior, perm: ArrayLike) -> Conjugated:
    r"""The coordinate permutation :math:`u\mapsto(u_{\pi(1)},\dots,u_{\pi(d)})` as a conjugated map.

    It preserves the prior only if the permuted marginals are identical (checked), and it is
    *not* entangling: its Jacobian is a permutation matrix. A negative control.
    """
    perm = np.asarray(perm)
    d = prior.d
    if sorted(perm.tolist()) != list(range(d)):
        raise ValueError(f"perm must be a permutation of 0..{d - 1}; got {perm.tolist()}")
    reprs = [repr(FactorizedPrior([m])) for m in prior.marginals]
    if any(reprs[i] != reprs[int(perm[i])] for i in range(d)):
        raise ValueError("this permutation exchanges coordinates with different marginals: it does not preserve the prior")
    P = np.eye(d)[perm]
    return Conjugated(prior, Orthogonal(P), name="permutation")


def quantile_reflection(prior: FactorizedPrior, coords: ArrayLike) -> Conjugated:
    r"""The reflections :math:`u_i\mapsto F_i^{-1}(1-F_i(u_i))` for ``i in coords``: :math:`G^{-1}\circ\operatorname{diag}(\pm1)\circ G`.

    Preserves every factorized prior; its Jacobian is diagonal (with negative entries on the
    reflected coordinates), so it is *not* entangling. A negative control.
    """
    signs = np.ones(prior.d)
    signs[np.asarray(coords, dtype=int)] = -1.0
    return Conjugated(prior, Orthogonal(np.diag(signs)), name="reflection")

