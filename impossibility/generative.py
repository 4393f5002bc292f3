r"""Generative models :math:`x=g(z)` and the invariance of :math:`p(x)` under Theorem 1.

A generative model is a prior :math:`p(z)` and a decoder. Theorem 1 gives a bijection
:math:`f` with :math:`f_\#p=p` whose Jacobian entries are all nonzero; the *entangled twin* of
the model keeps the prior and uses the decoder :math:`\hat g=g\circ f^{-1}`, so that its
latents are :math:`\hat z=f(z)` (theory.md §1.6). Both models give the same law of :math:`x`.
This module computes :math:`\log p(x)` for the two models *independently* and shows that they
agree.

Invertible decoders (:class:`InvertibleMLP`, any :class:`EntangledGenerator` built on one)
give :math:`\log p(x)` exactly by the change of variables

.. math::

    \log p(x) = \log p_z\big(g^{-1}(x)\big) + \log\big|\det J_{g^{-1}}(x)\big|,

see :func:`log_px_exact`. For the twin, :math:`\hat g^{-1}=f\circ g^{-1}` and
:math:`\log|\det J_{\hat g^{-1}}(x)|=\log|\det J_{g^{-1}}(x)|+\log|\det J_f(g^{-1}(x))|`
with :math:`f`'s analytic log-determinant (never the prior identity, theory.md §7.4 pitfall 6).

Noisy decoders (:class:`GaussianNoiseDecoder`: :math:`x=m(z)+\varepsilon`,
:math:`\varepsilon\sim\mathcal N(0,\sigma^2 I_D)`, :math:`D>d` allowed) give :math:`p(x)` as an
integral :math:`\int p(x\mid z)\,p(z)\,dz`, estimated by

* :func:`log_px_quadrature` — a tensor composite Gauss–Legendre rule in the prior's Gaussian
  coordinates :math:`y=G(z)=\Phi^{-1}(F(z))` (:math:`p(x)=\int p(x\mid G^{-1}(y))\varphi(y)\,dy`),
  the same nodes for every model with that prior: the nodes do not depend on :math:`f`, so the
  twin's sum is a different sum, not the original one re-labelled (pitfall 6); the error is
  estimated by comparing two resolutions;
* :func:`log_px_importance` — importance sampling with a proposal that does not depend on
  :math:`f` (the prior by default), returning the estimate and its standard error.

Composition order: :class:`EntangledGenerator` ``(g, f)`` is :math:`g\circ f^{-1}` — the twin's
decoder applies :math:`f^{-1}` first, then :math:`g`.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special, stats

from ._validation import check_count as _check_count
from ._validation import check_rng as _check_rng

__all__ = [
    "TanhResidual",
    "LeakyReLU",
    "InvertibleMLP",
    "InjectiveMLP",
    "GaussianNoiseDecoder",
    "EntangledGenerator",
    "entangle_generator",
    "log_px_exact",
    "log_px_quadrature",
    "log_px_importance",
]

Array = NDArray[np.float64]
_EPS = np.finfo(np.float64).eps


# --------------------------------------------------------------------------- input checks
def _as_rows(x: ArrayLike, d: int, name: str) -> Array:
    """Validate a batch of points: shape (n, d) (a single (d,) point is promoted), finite."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != d:
        raise ValueError(f"{name} must have shape (n, {d}) or ({d},); got shape {np.shape(x)}")
    if not np.all(np.isfinite(arr)):
        r, c = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{name}[{r}, {c}] = {arr[r, c]} is not finite")
    return arr


def _check_matrix(W: ArrayLike, shape: tuple[int, int], name: str) -> Array:
    arr = np.array(W, dtype=np.float64)
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}; got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains non-finite entries")
    return arr


# --------------------------------------------------------------------------- nonlinearities
class TanhResidual:
    r"""Smooth strictly increasing elementwise map :math:`h(a)=a+\alpha\tanh(a)`, :math:`\alpha>-1`.

    Derivative :math:`h'(a)=1+\alpha\,\mathrm{sech}^2(a)` lies between :math:`1` and
    :math:`1+\alpha` (both positive), so :math:`h` is a bijection of :math:`\mathbb R`. The inverse
    has no closed form; it is computed by Newton's method safeguarded by bisection on the
    bracket :math:`[y-|\alpha|,\,y+|\alpha|]` (which contains :math:`h^{-1}(y)` because
    :math:`|h(a)-a|<|\alpha|`), iterated until the step is below a few ulps, so
    :math:`h^{-1}(h(a))=a` to machine precision.

    Parameters
    ----------
    alpha : float, default=1.0
        Strength of the nonlinearity; :math:`\alpha>-1`. ``alpha=0`` is the identity.
    """

    def __init__(self, alpha: float = 1.0):
        alpha = float(alpha)
        if not np.isfinite(alpha) or alpha <= -1.0:
            raise ValueError(f"alpha must be a finite number > -1 (so that h' > 0); got {alpha!r}")
        self.alpha = alpha

    def __repr__(self) -> str:
        return f"TanhResidual(alpha={self.alpha!r})"

    def forward(self, a: Array) -> Array:
        """:math:`h(a)` elementwise."""
        return a + self.alpha * np.tanh(a)

    @staticmethod
    def _sech2(a: Array) -> Array:
        # sech^2(a) = 4 e^{-2|a|} / (1 + e^{-2|a|})^2: no overflow for any finite a
        e = np.exp(-2.0 * np.abs(a))
        return 4.0 * e / (1.0 + e) ** 2

    def derivative(self, a: Array) -> Array:
        """:math:`h'(a)=1+\\alpha\\,\\mathrm{sech}^2 a`."""
        return 1.0 + self.alpha * self._sech2(a)

    def log_derivative(self, a: Array) -> Array:
        """:math:`\\log h'(a)=\\log(1+\\alpha\\,\\mathrm{sech}^2 a)`, computed with ``log1p``."""
        return np.log1p(self.alpha * self._sech2(a))

    def inverse(self, y: Array) -> Array:
        """:math:`h^{-1}(y)` by bisection-safeguarded Newton iteration (machine precision)."""
        y = np.asarray(y, dtype=np.float64)
        if self.alpha == 0.0:
            return y.copy()
        width = abs(self.alpha)
        lo, hi = y - width, y + width
        a = y - self.alpha * np.tanh(y / (1.0 + self.alpha))  # good start, inside the bracket
        a = np.clip(a, lo, hi)
        for _ in range(200):
            r = self.forward(a) - y
            hi = np.where(r > 0, a, hi)
            lo = np.where(r < 0, a, lo)
            step = r / self.derivative(a)
            new = a - step
            outside = (new <= lo) | (new >= hi)
            new = np.where(outside & (hi > lo), 0.5 * (lo + hi), new)
            new = np.where(r == 0, a, new)
            done = np.abs(new - a) <= 4.0 * _EPS * np.maximum(np.abs(new), 1e-300)
            a = new
            if np.all(done | (r == 0)):
                break
        else:  # pragma: no cover - Newton with a bisection fallback always converges
            raise RuntimeError("TanhResidual.inverse did not converge in 200 iterations")
        return a


class LeakyReLU:
    r"""Piecewise-linear increasing map: :math:`h(a)=a` (:math:`a\ge0`), :math:`s\,a` (:math:`a<0`).

    Exact inverse :math:`h^{-1}(y)=y` or :math:`y/s`; :math:`\log h'` is :math:`0` or
    :math:`\log s` (defined everywhere except :math:`a=0`, where the right derivative is used).

    Parameters
    ----------
    slope : float, default=0.3
        Negative-side slope :math:`s>0`.
    """

    def __init__(self, slope: float = 0.3):
        slope = float(slope)
        if not np.isfinite(slope) or slope <= 0.0:
            raise ValueError(
                f"slope must be a finite number > 0 (h must be increasing); got {slope!r}"
            )
        self.slope = slope

    def __repr__(self) -> str:
        return f"LeakyReLU(slope={self.slope!r})"

    def forward(self, a: Array) -> Array:
        return np.where(a >= 0, a, self.slope * a)

    def derivative(self, a: Array) -> Array:
        return np.where(a >= 0, 1.0, self.slope)

    def log_derivative(self, a: Array) -> Array:
        return np.where(a >= 0, 0.0, np.log(self.slope))

    def inverse(self, y: Array) -> Array:
        return np.where(y >= 0, y, y / self.slope)


def _check_nonlinearity(h: Any) -> Any:
    for attr in ("forward", "inverse", "derivative", "log_derivative"):
        if not callable(getattr(h, attr, None)):
            raise ValueError(
                f"nonlinearity {h!r} has no method {attr}(); use TanhResidual or LeakyReLU "
                "(or an object with forward, inverse, derivative and log_derivative)"
            )
    return h


# --------------------------------------------------------------------------- invertible MLP
class InvertibleMLP:
    r"""An invertible network :math:`g:\mathbb R^d\to\mathbb R^d` with analytic inverse and log-det.

    .. math::

        p_1 = W_1 z + b_1,\quad p_l = W_l\,h(p_{l-1}) + b_l\ (l=2,\dots,L),\qquad g(z)=p_L,

    i.e. :math:`L` affine layers with the elementwise bijection :math:`h` between them (none after
    the last). Each :math:`W_l` must be nonsingular. Then

    .. math::

        \log|\det J_g(z)| = \sum_{l=1}^{L}\log|\det W_l| + \sum_{l=1}^{L-1}\sum_i \log h'(p_{l,i}),
        \qquad J_g(z) = W_L\,\mathrm{diag}(h'(p_{L-1}))\,W_{L-1}\cdots\mathrm{diag}(h'(p_1))\,W_1,

    and :math:`g^{-1}` runs the layers backwards: :math:`p_L=x`,
    :math:`p_{l-1}=h^{-1}(W_l^{-1}(p_l-b_l))`, :math:`z=W_1^{-1}(p_1-b_1)`.

    Parameters
    ----------
    weights : sequence of (d, d) arrays
        :math:`W_1,\dots,W_L`, each nonsingular (condition number below ``1e10``).
    biases : sequence of (d,) arrays
        :math:`b_1,\dots,b_L`.
    nonlinearity : TanhResidual or LeakyReLU, default=TanhResidual(1.0)
        The elementwise bijection :math:`h`.

    Examples
    --------
    >>> g = InvertibleMLP.random(3, np.random.default_rng(0))
    >>> z = np.random.default_rng(1).normal(size=(4, 3))
    >>> np.allclose(g.inverse(g.forward(z)), z)
    True
    """

    def __init__(
        self,
        weights: Sequence[ArrayLike],
        biases: Sequence[ArrayLike],
        nonlinearity: Any = None,
    ):
        if len(weights) == 0 or len(weights) != len(biases):
            raise ValueError(
                f"need L >= 1 weight matrices and as many biases; got {len(weights)} weights and "
                f"{len(biases)} biases"
            )
        d = np.shape(weights[0])[0] if np.ndim(weights[0]) == 2 else -1
        if d < 1:
            raise ValueError(
                f"weights[0] must be a square (d, d) matrix; got shape {np.shape(weights[0])}"
            )
        self.d = int(d)
        self.dim_x = self.d
        self.weights = [_check_matrix(W, (d, d), f"weights[{i}]") for i, W in enumerate(weights)]
        self.biases = [
            _check_matrix(np.reshape(b, (1, -1)), (1, d), f"biases[{i}]")[0]
            for i, b in enumerate(biases)
        ]
        self._inv = []
        self._logdet_w = 0.0
        for i, W in enumerate(self.weights):
            cond = np.linalg.cond(W)
            if not np.isfinite(cond) or cond > 1e10:
                raise ValueError(
                    f"weights[{i}] is singular or badly conditioned "
                    f"(condition number {cond:.3g} > 1e10)"
                )
            self._inv.append(np.linalg.inv(W))
            self._logdet_w += float(np.linalg.slogdet(W)[1])
        self.nonlinearity = _check_nonlinearity(
            TanhResidual(1.0) if nonlinearity is None else nonlinearity
        )

    @classmethod
    def random(
        cls,
        d: int,
        rng: np.random.Generator,
        *,
        n_layers: int = 3,
        nonlinearity: Any = None,
        bias_scale: float = 0.5,
    ) -> "InvertibleMLP":
        """Random orthogonal weights (Haar, ``scipy.stats.ortho_group``), N(0, bias_scale²) biases.

        With orthogonal weights :math:`\\log|\\det W_l|=0` and all the volume change comes from
        :math:`h`. Default nonlinearity ``TanhResidual(2.0)`` (slope 3 at 0, 1 in the tails).
        """
        d = _check_count(d, "d", 1)
        n_layers = _check_count(n_layers, "n_layers", 1)
        rng = _check_rng(rng)
        if d == 1:
            weights = [np.array([[1.0]]) for _ in range(n_layers)]
        else:
            weights = [stats.ortho_group.rvs(d, random_state=rng) for _ in range(n_layers)]
        biases = [bias_scale * rng.standard_normal(d) for _ in range(n_layers)]
        return cls(weights, biases, TanhResidual(2.0) if nonlinearity is None else nonlinearity)

    def __repr__(self) -> str:
        return (
            f"InvertibleMLP(d={self.d}, n_layers={len(self.weights)}, "
            f"nonlinearity={self.nonlinearity!r})"
        )

    # ---------------------------------------------------------------- passes
    def _forward_pass(self, z: Array) -> tuple[Array, list[Array]]:
        pre = []
        a = z
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            p = a @ W.T + b
            if i < len(self.weights) - 1:
                pre.append(p)
                a = self.nonlinearity.forward(p)
            else:
                a = p
        return a, pre

    def _inverse_pass(self, x: Array) -> tuple[Array, list[Array]]:
        pre = []
        p = x
        L = len(self.weights)
        for i in range(L - 1, -1, -1):
            a = (p - self.biases[i]) @ self._inv[i].T
            if i > 0:
                p = self.nonlinearity.inverse(a)
                pre.append(p)
            else:
                p = a
        return p, pre

    def _log_det(self, pre: list[Array], n: int) -> Array:
        ld = np.full(n, self._logdet_w)
        for p in pre:
            ld = ld + self.nonlinearity.log_derivative(p).sum(axis=1)
        return ld

    def forward(self, z: ArrayLike) -> Array:
        """:math:`x=g(z)`, shape (n, d)."""
        return self._forward_pass(_as_rows(z, self.d, "z"))[0]

    def forward_and_log_det(self, z: ArrayLike) -> tuple[Array, Array]:
        """:math:`(g(z),\\ \\log|\\det J_g(z)|)`, shapes (n, d) and (n,)."""
        z = _as_rows(z, self.d, "z")
        x, pre = self._forward_pass(z)
        return x, self._log_det(pre, z.shape[0])

    def inverse(self, x: ArrayLike) -> Array:
        """:math:`z=g^{-1}(x)`, shape (n, d)."""
        return self._inverse_pass(_as_rows(x, self.d, "x"))[0]

    def inverse_and_log_det(self, x: ArrayLike) -> tuple[Array, Array]:
        """:math:`(g^{-1}(x),\\ \\log|\\det J_{g^{-1}}(x)|)`, the log-det being
        :math:`-\\log|\\det J_g(g^{-1}(x))|`."""
        x = _as_rows(x, self.d, "x")
        z, pre = self._inverse_pass(x)
        return z, -self._log_det(pre, x.shape[0])

    def jacobian(self, z: ArrayLike) -> Array:
        """:math:`J_g(z)[k,i,j]=\\partial g_i/\\partial z_j` at each row, shape (n, d, d)."""
        z = _as_rows(z, self.d, "z")
        _, pre = self._forward_pass(z)
        J = np.broadcast_to(self.weights[0], (z.shape[0], self.d, self.d)).copy()
        for W, p in zip(self.weights[1:], pre, strict=True):
            J = W[None] @ (self.nonlinearity.derivative(p)[:, :, None] * J)
        return J


class InjectiveMLP:
    r"""A smooth injective map :math:`g:\mathbb R^d\to\mathbb R^D`, :math:`D\ge d`.

    .. math:: g(z) = h_{\rm out}\big(Q\,m(z) + c\big),

    with :math:`m` an :class:`InvertibleMLP` on :math:`\mathbb R^d`,
    :math:`Q\in\mathbb R^{D\times d}` of full column rank, :math:`c\in\mathbb R^D` and
    :math:`h_{\rm out}` an elementwise bijection (or none). It is injective, and on its image
    the left inverse is exact:
    :math:`g^{-1}(x)=m^{-1}\big(Q^{+}(h_{\rm out}^{-1}(x)-c)\big)`.

    Parameters
    ----------
    core : InvertibleMLP
        The map :math:`m`.
    lift : (D, d) array
        :math:`Q`, full column rank.
    offset : (D,) array
        :math:`c`.
    out_nonlinearity : TanhResidual, LeakyReLU or None, default=None
        :math:`h_{\rm out}`; ``None`` for the identity.
    """

    def __init__(
        self, core: InvertibleMLP, lift: ArrayLike, offset: ArrayLike, out_nonlinearity: Any = None
    ):
        if not isinstance(core, InvertibleMLP):
            raise ValueError(f"core must be an InvertibleMLP; got {type(core).__name__}")
        Q = np.array(lift, dtype=np.float64)
        if Q.ndim != 2 or Q.shape[1] != core.d or Q.shape[0] < core.d:
            raise ValueError(
                f"lift must have shape (D, {core.d}) with D >= {core.d}; got shape {Q.shape}"
            )
        self.core, self.d, self.dim_x = core, core.d, Q.shape[0]
        self.lift = _check_matrix(Q, Q.shape, "lift")
        if np.linalg.matrix_rank(self.lift) < self.d:
            raise ValueError("lift must have full column rank (otherwise g is not injective)")
        self._pinv = np.linalg.pinv(self.lift)
        self.offset = _check_matrix(np.reshape(offset, (1, -1)), (1, self.dim_x), "offset")[0]
        self.out_nonlinearity = (
            None if out_nonlinearity is None else _check_nonlinearity(out_nonlinearity)
        )

    @classmethod
    def random(
        cls,
        d: int,
        D: int,
        rng: np.random.Generator,
        *,
        n_layers: int = 2,
        nonlinearity: Any = None,
        out_nonlinearity: Any = "default",
        bias_scale: float = 0.5,
    ) -> "InjectiveMLP":
        """Random core (:meth:`InvertibleMLP.random`), :math:`Q` = d orthonormal columns of a Haar
        orthogonal D×D matrix, :math:`c\\sim\\mathcal N(0, \\text{bias\\_scale}^2 I)`, and
        :math:`h_{\\rm out}` = ``TanhResidual(1.0)`` by default (the image is a curved surface)."""
        d = _check_count(d, "d", 1)
        D = _check_count(D, "D", 1)
        if D < d:
            raise ValueError(f"D must be >= d for an injective map; got d={d}, D={D}")
        rng = _check_rng(rng)
        core = InvertibleMLP.random(
            d, rng, n_layers=n_layers, nonlinearity=nonlinearity, bias_scale=bias_scale
        )
        Q = stats.ortho_group.rvs(D, random_state=rng)[:, :d] if D > 1 else np.ones((1, 1))
        c = bias_scale * rng.standard_normal(D)
        h = (
            TanhResidual(1.0)
            if isinstance(out_nonlinearity, str) and out_nonlinearity == "default"
            else out_nonlinearity
        )
        return cls(core, Q, c, h)

    def __repr__(self) -> str:
        return f"InjectiveMLP(d={self.d}, D={self.dim_x}, core={self.core!r})"

    def forward(self, z: ArrayLike) -> Array:
        """:math:`x=g(z)`, shape (n, D)."""
        y = self.core.forward(z) @ self.lift.T + self.offset
        return y if self.out_nonlinearity is None else self.out_nonlinearity.forward(y)

    def left_inverse(self, x: ArrayLike) -> Array:
        """:math:`m^{-1}(Q^+(h_{\\rm out}^{-1}(x)-c))`, shape (n, d): exact :math:`g^{-1}` on the
        image of :math:`g`."""
        x = _as_rows(x, self.dim_x, "x")
        y = x if self.out_nonlinearity is None else self.out_nonlinearity.inverse(x)
        return self.core.inverse((y - self.offset) @ self._pinv.T)

    def jacobian(self, z: ArrayLike) -> Array:
        """:math:`J_g(z)`, shape (n, D, d)."""
        z = _as_rows(z, self.d, "z")
        J = self.lift[None] @ self.core.jacobian(z)
        if self.out_nonlinearity is not None:
            y = self.core.forward(z) @ self.lift.T + self.offset
            J = self.out_nonlinearity.derivative(y)[:, :, None] * J
        return J


# --------------------------------------------------------------------------- noisy decoder
class GaussianNoiseDecoder:
    r"""Noisy decoder :math:`x=m(z)+\varepsilon`, :math:`\varepsilon\sim\mathcal N(0,\sigma^2I_D)`.

    .. math::

        \log p(x\mid z) = -\frac{\lVert x-m(z)\rVert^2}{2\sigma^2} - \frac D2\log(2\pi\sigma^2).

    Parameters
    ----------
    mean : object with ``forward``, ``d`` and ``dim_x``
        The mean map :math:`m:\mathbb R^d\to\mathbb R^D` (e.g. :class:`InjectiveMLP`,
        :class:`InvertibleMLP` or an :class:`EntangledGenerator`); it need not be invertible.
    sigma : float
        Noise standard deviation :math:`\sigma>0`.
    """

    def __init__(self, mean: Any, sigma: float):
        if (
            not callable(getattr(mean, "forward", None))
            or not hasattr(mean, "d")
            or not hasattr(mean, "dim_x")
        ):
            raise ValueError(
                "mean must be a map with forward(), d and dim_x (e.g. InjectiveMLP); "
                f"got {type(mean).__name__}"
            )
        sigma = float(sigma)
        if not np.isfinite(sigma) or sigma <= 0:
            raise ValueError(f"sigma must be a finite number > 0; got {sigma!r}")
        self.mean, self.sigma = mean, sigma
        self.d, self.dim_x = int(mean.d), int(mean.dim_x)

    def __repr__(self) -> str:
        return f"GaussianNoiseDecoder(mean={self.mean!r}, sigma={self.sigma!r})"

    def sample(self, z: ArrayLike, rng: np.random.Generator) -> Array:
        """Draw :math:`x=m(z)+\\varepsilon` for each row of ``z``, shape (n, D)."""
        rng = _check_rng(rng)
        mu = self.mean.forward(_as_rows(z, self.d, "z"))
        return mu + self.sigma * rng.standard_normal(mu.shape)

    def log_likelihood(self, x: ArrayLike, z: ArrayLike) -> Array:
        """:math:`\\log p(x\\mid z)` row by row (``x`` (n, D) with ``z`` (n, d)), or for one
        ``x`` (D,) against every row of ``z``; shape (n,)."""
        z = _as_rows(z, self.d, "z")
        x = np.asarray(x, dtype=np.float64)
        xr = _as_rows(x, self.dim_x, "x")
        if x.ndim == 2 and xr.shape[0] != z.shape[0]:
            raise ValueError(
                f"x has {xr.shape[0]} rows but z has {z.shape[0]}; pass one x of shape "
                f"({self.dim_x},) or matching rows"
            )
        mu = self.mean.forward(z)
        return self._loglik_from_mean(xr, mu)

    def _loglik_from_mean(self, x: Array, mu: Array) -> Array:
        r2 = np.sum((x - mu) ** 2, axis=-1)
        return -0.5 * r2 / self.sigma**2 - 0.5 * self.dim_x * np.log(2 * np.pi * self.sigma**2)


# --------------------------------------------------------------------------- the twin
class EntangledGenerator:
    r"""The entangled twin's decoder :math:`\hat g = g\circ f^{-1}` (:math:`f^{-1}` applied first).

    With :math:`\hat z=f(z)`, :math:`\hat g(\hat z)=g(z)`: the twin produces the same observations
    from entangled latents. When :math:`g` is invertible,

    .. math::

        \hat g^{-1} = f\circ g^{-1},\qquad
        \log|\det J_{\hat g^{-1}}(x)| = \log|\det J_{g^{-1}}(x)| + \log|\det J_f(g^{-1}(x))|,

    and :math:`\log|\det J_{\hat g}(\hat z)| = \log|\det J_{f^{-1}}(\hat z)|
    + \log|\det J_g(f^{-1}(\hat z))|`,
    with :math:`f`'s own analytic log-determinants.

    Parameters
    ----------
    g : InvertibleMLP, InjectiveMLP or any map with ``forward``, ``d``, ``dim_x``
        The disentangled model's decoder.
    f : Bijector
        A bijection of :math:`\mathbb R^d` (or of the prior's support) with ``forward``,
        ``inverse``, ``forward_and_log_det``, ``inverse_and_log_det`` — typically
        :func:`impossibility.entangling_bijection` ``(prior, A)``.
    """

    def __init__(self, g: Any, f: Any):
        if not callable(getattr(g, "forward", None)) or not hasattr(g, "d"):
            raise ValueError(f"g must be a generator with forward() and d; got {type(g).__name__}")
        for attr in ("forward", "inverse", "forward_and_log_det", "inverse_and_log_det"):
            if not callable(getattr(f, attr, None)):
                raise ValueError(f"f must be a bijector with {attr}(); got {type(f).__name__}")
        fd = getattr(f, "d", None)
        if fd is not None and int(fd) != int(g.d):
            raise ValueError(f"f acts on R^{fd} but g takes latents in R^{g.d}")
        self.g, self.f = g, f
        self.d, self.dim_x = int(g.d), int(getattr(g, "dim_x", g.d))

    def __repr__(self) -> str:
        return f"EntangledGenerator(g={self.g!r}, f={self.f!r})"

    def _need(self, attr: str) -> Any:
        fn = getattr(self.g, attr, None)
        if not callable(fn):
            raise ValueError(
                f"{type(self.g).__name__} has no {attr}(); the twin cannot provide it either"
            )
        return fn

    def forward(self, z_hat: ArrayLike) -> Array:
        """:math:`x=g(f^{-1}(\\hat z))`."""
        return self.g.forward(self.f.inverse(_as_rows(z_hat, self.d, "z_hat")))

    def forward_and_log_det(self, z_hat: ArrayLike) -> tuple[Array, Array]:
        """:math:`\\hat g(\\hat z)` and
        :math:`\\log|\\det J_{f^{-1}}(\\hat z)|+\\log|\\det J_g(f^{-1}(\\hat z))|`."""
        fwd = self._need("forward_and_log_det")
        z, ld_finv = self.f.inverse_and_log_det(_as_rows(z_hat, self.d, "z_hat"))
        x, ld_g = fwd(z)
        return x, ld_finv + ld_g

    def inverse(self, x: ArrayLike) -> Array:
        """:math:`\\hat z = f(g^{-1}(x))`."""
        return self.f.forward(self._need("inverse")(x))

    def inverse_and_log_det(self, x: ArrayLike) -> tuple[Array, Array]:
        """:math:`(f(g^{-1}(x)),\\ \\log|\\det J_{g^{-1}}(x)|+\\log|\\det J_f(g^{-1}(x))|)`."""
        z, ld_ginv = self._need("inverse_and_log_det")(x)
        z_hat, ld_f = self.f.forward_and_log_det(z)
        return z_hat, ld_ginv + ld_f

    def left_inverse(self, x: ArrayLike) -> Array:
        """:math:`f(g^{-1}(x))` for an injective :math:`g` (exact on its image)."""
        return self.f.forward(self._need("left_inverse")(x))

    def jacobian(self, z_hat: ArrayLike) -> Array:
        """:math:`J_{\\hat g}(\\hat z)=J_g(f^{-1}(\\hat z))\\,J_{f^{-1}}(\\hat z)`; (n, D, d)."""
        z_hat = _as_rows(z_hat, self.d, "z_hat")
        z = self.f.inverse(z_hat)
        finv = getattr(self.f, "inv", None)
        J_finv = finv.jacobian(z_hat) if finv is not None else np.linalg.inv(self.f.jacobian(z))
        return self._need("jacobian")(z) @ J_finv


def entangle_generator(g: Any, f: Any) -> Any:
    r"""The twin's decoder for the bijection ``f``: :math:`g\circ f^{-1}`.

    For a :class:`GaussianNoiseDecoder` the mean is entangled and the noise kept:
    :math:`\hat p(x\mid\hat z)=p(x\mid z=f^{-1}(\hat z))`; anything else becomes an
    :class:`EntangledGenerator`.
    """
    if isinstance(g, GaussianNoiseDecoder):
        return GaussianNoiseDecoder(EntangledGenerator(g.mean, f), g.sigma)
    return EntangledGenerator(g, f)


# --------------------------------------------------------------------------- log p(x)
def _check_prior(prior: Any, d: int) -> Any:
    for attr in ("marginals", "log_prob", "sample"):
        if not hasattr(prior, attr):
            raise ValueError(
                f"prior must be a FactorizedPrior (with {attr}); got {type(prior).__name__}"
            )
    if len(prior.marginals) != d:
        raise ValueError(
            f"the prior has {len(prior.marginals)} coordinates but the decoder takes d={d}"
        )
    return prior


def log_px_exact(generator: Any, prior: Any, x: ArrayLike) -> Array:
    r"""Exact :math:`\log p(x)` of an invertible generative model by the change of variables.

    .. math:: \log p(x) = \log p_z(g^{-1}(x)) + \log|\det J_{g^{-1}}(x)|.

    Parameters
    ----------
    generator : InvertibleMLP or EntangledGenerator of one
        Must provide ``inverse_and_log_det``.
    prior : FactorizedPrior
        :math:`p_z`.
    x : array_like, shape (n, d)
        Observations. For the twin, :math:`g^{-1}(x)` must lie in the prior's open support
        (where :math:`f` is defined); a point outside it raises ``ValueError`` there.

    Returns
    -------
    ndarray, shape (n,)
    """
    if not callable(getattr(generator, "inverse_and_log_det", None)):
        raise ValueError(
            f"{type(generator).__name__} is not invertible (no inverse_and_log_det); use "
            "log_px_quadrature or log_px_importance for a noisy decoder"
        )
    _check_prior(prior, generator.d)
    z, ld = generator.inverse_and_log_det(_as_rows(x, generator.d, "x"))
    return prior.log_prob(z) + ld


def _nodes(
    prior: Any, space: str, n_panels: int, order: int, half_width: float
) -> tuple[Array, Array]:
    r"""1-D quadrature nodes mapped to each prior coordinate, and their log-weights.

    ``space="normal"``: composite Gauss–Legendre rule on :math:`y\in[-L, L]` with weights times
    :math:`\varphi(y)`, and :math:`z_i=F_i^{-1}(\Phi(y))`, evaluated as ``ppf(ndtr(y))`` for
    :math:`y\le0` and ``isf(ndtr(-y))`` for :math:`y>0`. ``space="quantile"``: composite rule on
    :math:`u\in(0,1)` and :math:`z_i=F_i^{-1}(u)`, with ``isf`` of the directly computed
    :math:`1-u` above ½ (no cancellation). Returns ``z1`` (m, d), column i for coordinate i, and
    log-weights (m,).
    """
    t, w = special.roots_legendre(order)
    if space == "normal":
        edges = np.linspace(-half_width, half_width, n_panels + 1)
        mid = 0.5 * (edges[1:] + edges[:-1])[:, None]
        half = 0.5 * (edges[1:] - edges[:-1])[:, None]
        y = (mid + half * t[None, :]).ravel()
        logw = np.log(half * w[None, :]).ravel() - 0.5 * y**2 - 0.5 * np.log(2 * np.pi)
        low = y <= 0
        p_low, p_high = special.ndtr(y[low]), special.ndtr(-y[~low])
    else:
        j = np.arange(n_panels)[:, None]
        u = ((j + 0.5 * (1.0 + t)[None, :]) / n_panels).ravel()
        omu = (((n_panels - 1 - j) + 0.5 * (1.0 - t)[None, :]) / n_panels).ravel()
        logw = np.log(np.broadcast_to(0.5 * w[None, :] / n_panels, (n_panels, order)).ravel())
        low = u <= 0.5
        p_low, p_high = u[low], omu[~low]
    z1 = np.empty((low.size, len(prior.marginals)))
    for i, m in enumerate(prior.marginals):
        z1[low, i] = m.ppf(p_low)
        z1[~low, i] = m.isf(p_high)
    return z1, logw


def _check_decoder(decoder: Any) -> Any:
    if not isinstance(decoder, GaussianNoiseDecoder):
        raise ValueError(
            "decoder must be a GaussianNoiseDecoder (use entangle_generator(decoder, f) for the "
            "twin); "
            f"got {type(decoder).__name__}"
        )
    return decoder


def _quadrature_level(
    decoder: GaussianNoiseDecoder,
    prior: Any,
    x: Array,
    space: str,
    n_panels: int,
    order: int,
    half_width: float,
    chunk: int,
) -> Array:
    z1, logw1 = _nodes(prior, space, n_panels, order, half_width)
    d, n1 = decoder.d, logw1.size
    total = n1**d
    k = x.shape[0]
    acc_max = np.full(k, -np.inf)
    acc_sum = np.zeros(k)
    for start in range(0, total, chunk):
        idx = np.arange(start, min(start + chunk, total))
        multi = np.unravel_index(idx, (n1,) * d)
        nodes = np.stack([z1[multi[i], i] for i in range(d)], axis=1)
        logw = sum(logw1[multi[i]] for i in range(d))
        mu = decoder.mean.forward(nodes)  # (c, D)
        ll = decoder._loglik_from_mean(x[:, None, :], mu[None, :, :]) + logw[None, :]  # (k, c)
        cmax = ll.max(axis=1)
        new_max = np.maximum(acc_max, cmax)
        finite = np.isfinite(new_max)
        scale_old = np.where(finite & np.isfinite(acc_max), np.exp(acc_max - new_max), 0.0)
        acc_sum = acc_sum * scale_old + np.where(
            finite, np.exp(ll - np.where(finite, new_max, 0.0)[:, None]).sum(axis=1), 0.0
        )
        acc_max = new_max
    return acc_max + np.log(acc_sum)


def log_px_quadrature(
    decoder: Any,
    prior: Any,
    x: ArrayLike,
    *,
    space: str = "normal",
    n_panels: int = 16,
    order: int = 8,
    half_width: float = 9.0,
    max_nodes: int = 4_000_000,
    chunk: int = 8192,
) -> tuple[Array, Array]:
    r""":math:`\log p(x)=\log\int p(x\mid z)p(z)\,dz` by tensor Gauss–Legendre quadrature.

    Substituting :math:`z=G^{-1}(y)`, :math:`G_i=\Phi^{-1}\circ F_i` (the prior's quantile
    coordinates :math:`u=F(z)` seen through :math:`u=\Phi(y)`),

    .. math::

        p(x)=\int_{\mathbb R^d} p\big(x\mid G^{-1}(y)\big)\prod_i\varphi(y_i)\,dy
        \approx\sum_{\text{nodes}} \Big(\prod_i w_{k_i}\varphi(y_{k_i})\Big)\,
        p\big(x\mid G^{-1}(y_{k})\big),

    a tensor product of composite Gauss–Legendre rules on :math:`[-L, L]` (``n_panels`` panels of
    ``order`` nodes per axis; the truncation drops prior mass :math:`\le 2d\,\Phi(-L)`, about
    :math:`2\times10^{-19}d` for :math:`L=9`). Gaussian coordinates resolve posteriors in the
    prior's tails as well as central ones. ``space="quantile"`` instead integrates
    :math:`\int_{(0,1)^d}p(x\mid F^{-1}(u))\,du` with uniform panels in :math:`u`: more nodes near
    the medians (better for narrow central posteriors), few in the tails. The nodes depend only
    on the prior and the resolution — **not** on any entangling map: the twin's integrand
    :math:`y\mapsto p(x\mid f^{-1}(G^{-1}(y)))` is summed on
    the very same nodes, an independent computation rather than the original sum re-labelled
    (theory.md §7.4 pitfall 6). The sum is accumulated in log space.

    The rule is applied with ``n_panels`` and ``2 * n_panels`` panels. The estimate is the finer
    value; the error estimate is :math:`|\log\hat p_{\rm fine}-\log\hat p_{\rm coarse}|` plus a
    rounding floor :math:`10^{-12}(1+|\log\hat p|)` — a conservative bound on the finer rule's
    error once the coarse rule is in its convergent regime (checked against the closed-form
    linear-Gaussian :math:`p(x)` in the tests). Trust it only when it is small (say below
    :math:`10^{-3}`): two under-resolved rules can agree by chance.

    Parameters
    ----------
    decoder : GaussianNoiseDecoder
        The likelihood :math:`p(x\mid z)`.
    prior : FactorizedPrior
        :math:`p(z)`, d coordinates (d = 2 is the intended use; d = 3 works with few panels).
    x : array_like, shape (k, D) or (D,)
        Observations.
    space : {"normal", "quantile"}, default="normal"
        Integration coordinates, see above.
    n_panels, order : int
        Coarse resolution: ``n_panels`` panels of ``order`` nodes per axis.
    half_width : float, default=9.0
        :math:`L` (``space="normal"`` only).
    max_nodes : int
        Refuse (``ValueError``) if the finer tensor grid would have more nodes than this.
    chunk : int
        Nodes evaluated per batch (memory control only).

    Returns
    -------
    estimate : ndarray, shape (k,)
        :math:`\log p(x)` from the finer rule.
    error : ndarray, shape (k,)
        The error estimate described above.
    """
    decoder = _check_decoder(decoder)
    prior = _check_prior(prior, decoder.d)
    n_panels = _check_count(n_panels, "n_panels", 1)
    order = _check_count(order, "order", 1)
    chunk = _check_count(chunk, "chunk", 1)
    if space not in ("normal", "quantile"):
        raise ValueError(f"space must be 'normal' or 'quantile'; got {space!r}")
    half_width = float(half_width)
    if not (np.isfinite(half_width) and 3.0 <= half_width <= 37.0):
        raise ValueError(
            "half_width must be in [3, 37] (beyond 37 the normal CDF underflows); "
            f"got {half_width!r}"
        )
    n_fine = (2 * n_panels * order) ** decoder.d
    if n_fine > max_nodes:
        raise ValueError(
            f"the finer grid would have (2*{n_panels}*{order})^{decoder.d} = {n_fine} nodes > "
            f"max_nodes={max_nodes}; use fewer panels, a lower order, or log_px_importance "
            "for d > 2"
        )
    xr = _as_rows(x, decoder.dim_x, "x")
    coarse = _quadrature_level(decoder, prior, xr, space, n_panels, order, half_width, chunk)
    fine = _quadrature_level(decoder, prior, xr, space, 2 * n_panels, order, half_width, chunk)
    return fine, np.abs(fine - coarse) + 1e-12 * (1.0 + np.abs(fine))


def log_px_importance(
    decoder: Any,
    prior: Any,
    x: ArrayLike,
    rng: np.random.Generator,
    n_samples: int,
    *,
    proposal: Any = None,
    chunk: int = 16384,
    return_ess: bool = False,
) -> tuple[Array, ...]:
    r""":math:`\log p(x)` by importance sampling, with its standard error.

    .. math::

        \hat p(x)=\frac1N\sum_{s=1}^N w_s,\quad
        w_s=\frac{p(x\mid z_s)\,p(z_s)}{q(z_s)},\quad z_s\sim q,

    with :math:`q` the prior (then :math:`w_s=p(x\mid z_s)`) or a fixed ``proposal``; in either case
    :math:`q` must not be built from the entangling map (pitfall 6). The returned standard error of
    :math:`\log\hat p` is the delta-method value :math:`\hat s_w/(\sqrt N\,\bar w)` (sample standard
    deviation of the weights over :math:`\sqrt N` times their mean); :math:`\log\hat p` is biased
    low by about half its variance, negligible when the standard error is small. Weights are
    accumulated in log space with a running maximum, so nothing underflows.

    Parameters
    ----------
    decoder : GaussianNoiseDecoder
    prior : FactorizedPrior
    x : array_like, shape (k, D) or (D,)
    rng : numpy.random.Generator
        Source of the proposal draws (shared by all ``k`` points).
    n_samples : int
        :math:`N\ge2`.
    proposal : object with ``sample(n, rng)`` and ``log_prob(z)``, optional
        E.g. a :class:`~impossibility.FactorizedPrior` of Student-t marginals. Draws outside the
        prior's support get weight 0.
    chunk : int
        Draws per batch (memory control only).
    return_ess : bool, default=False
        Also return the effective sample size :math:`(\sum w)^2/\sum w^2` per point.

    Returns
    -------
    estimate, stderr : ndarray, shape (k,)
        (and ``ess`` if requested).
    """
    decoder = _check_decoder(decoder)
    prior = _check_prior(prior, decoder.d)
    rng = _check_rng(rng)
    n_samples = _check_count(n_samples, "n_samples", 2)
    chunk = _check_count(chunk, "chunk", 1)
    if proposal is not None and not (
        callable(getattr(proposal, "sample", None))
        and callable(getattr(proposal, "log_prob", None))
    ):
        raise ValueError(
            f"proposal must have sample(n, rng) and log_prob(z); got {type(proposal).__name__}"
        )
    xr = _as_rows(x, decoder.dim_x, "x")
    k = xr.shape[0]
    m = np.full(k, -np.inf)
    s1 = np.zeros(k)
    s2 = np.zeros(k)
    done = 0
    while done < n_samples:
        c = min(chunk, n_samples - done)
        done += c
        if proposal is None:
            z = prior.sample(c, rng)
            logw = np.zeros(c)
            ok = np.ones(c, dtype=bool)
        else:
            z = np.asarray(proposal.sample(c, rng), dtype=np.float64)
            with np.errstate(divide="ignore"):
                lp = prior.log_prob(z)
            ok = np.isfinite(lp)
            logw = np.where(ok, lp, -np.inf) - proposal.log_prob(z)
        ll = np.full((k, c), -np.inf)
        if np.any(ok):
            mu = decoder.mean.forward(z[ok])
            ll[:, ok] = (
                decoder._loglik_from_mean(xr[:, None, :], mu[None, :, :]) + logw[ok][None, :]
            )
        cmax = ll.max(axis=1)
        new = np.maximum(m, cmax)
        fin = np.isfinite(new)
        shift = np.where(fin, new, 0.0)
        old_scale = np.where(np.isfinite(m), np.exp(m - shift), 0.0)
        e = np.exp(ll - shift[:, None])
        s1 = s1 * old_scale + e.sum(axis=1)
        s2 = s2 * old_scale**2 + (e**2).sum(axis=1)
        m = new
    if not np.all(s1 > 0):
        bad = int(np.argmin(s1 > 0))
        raise ValueError(
            f"every importance weight of x[{bad}] is zero: the proposal never reaches the prior's "
            "support where the likelihood is positive; use more samples or another proposal"
        )
    n = float(n_samples)
    mean = s1 / n
    var = np.maximum(s2 / n - mean**2, 0.0) * n / (n - 1.0)
    est = m + np.log(mean)
    stderr = np.sqrt(var / n) / mean
    if return_ess:
        return est, stderr, s1**2 / s2
    return est, stderr
