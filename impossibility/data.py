r"""Ground-truth data sets generated locally (no download), with the interface the metrics need.

Every data set is *factors first, then observations* (metrics.md §5):

* ``num_factors`` :math:`K`, ``factors_num_values`` :math:`[n_1,\dots,n_K]`, ``factor_names``,
  ``observation_shape``;
* ``sample_factors(n, rng)`` — integer array (n, K), factor :math:`k` uniform on
  :math:`\{0,\dots,n_k-1\}`, independent across factors, drawn column by column with
  ``rng.integers(n_k, size=n)``;
* ``sample_observations_from_factors(factors, rng)`` — float64 array (n, \*observation_shape) in
  :math:`[0,1]`;
* ``sample(n, rng)`` → ``(factors, observations)``; ``sample_observations(n, rng)``.

``rng`` is always a :class:`numpy.random.Generator`.

Two data sets:

:class:`ProceduralSprites`
    dSprites-like binary images (default 32×32; optionally anti-aliased): shape {square,
    ellipse, heart} × scale (6) ×
    orientation (40) × x (32) × y (32), rendered by evaluating implicit functions on the pixel grid
    after the inverse rotation and scaling, for a whole batch at once. Deterministic (the ``rng``
    is not used). Smaller factor counts can be chosen for quick tests.
:class:`ContinuousMixingData`
    Continuous independent latents :math:`z\sim p(z)=\prod_i p_i(z_i)` pushed through a known
    invertible (or injective) smooth mixing :math:`x=s(g(z))`, :math:`s` an algebraic squash onto
    (0, 1). The integer factor values are equal-probability bins of the :math:`z_i`;
    :meth:`ContinuousMixingData.latents_from_observations`
    is the exact :math:`g^{-1}` (the "true latents" representation).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from ._validation import check_count as _check_count
from ._validation import check_rng as _check_rng
from .generative import InjectiveMLP, InvertibleMLP, TanhResidual

__all__ = ["GroundTruthData", "ProceduralSprites", "ContinuousMixingData", "SPRITE_SHAPES"]

Array = NDArray[np.float64]

#: Shape names of :class:`ProceduralSprites`, in factor-value order.
SPRITE_SHAPES = ("square", "ellipse", "heart")


class GroundTruthData:
    """Base class: K discrete ground-truth factors and an observation rendered from them.

    Subclasses set ``factors_num_values``, ``factor_names`` and ``observation_shape`` and implement
    :meth:`_observations` on validated factors.
    """

    factors_num_values: list[int]
    factor_names: list[str]
    observation_shape: tuple[int, ...]

    @property
    def num_factors(self) -> int:
        """K, the number of ground-truth factors."""
        return len(self.factors_num_values)

    def __repr__(self) -> str:
        pairs = zip(self.factor_names, self.factors_num_values, strict=True)
        sizes = ", ".join(f"{n}={v}" for n, v in pairs)
        return f"{type(self).__name__}({sizes}; observation_shape={self.observation_shape})"

    def check_factors(self, factors: ArrayLike) -> NDArray[np.int64]:
        """Validate an integer factor array of shape (n, K) with 0 ≤ factors[:, k] < n_k.

        Raises
        ------
        ValueError
            For a wrong shape, a non-integer dtype (floats are refused, even integral ones, to
            catch continuous values passed by mistake) or an out-of-range value.
        """
        arr = np.asarray(factors)
        K = self.num_factors
        if arr.ndim != 2 or arr.shape[1] != K:
            raise ValueError(f"factors must have shape (n, {K}); got shape {arr.shape}")
        if not np.issubdtype(arr.dtype, np.integer):
            raise ValueError(
                f"factors must be an integer array (values 0..n_k-1); got dtype {arr.dtype}"
            )
        arr = arr.astype(np.int64, copy=False)
        sizes = np.asarray(self.factors_num_values)
        bad = (arr < 0) | (arr >= sizes[None, :])
        if np.any(bad):
            r, c = np.argwhere(bad)[0]
            raise ValueError(
                f"factors[{r}, {c}] = {arr[r, c]} is out of range for factor {c} "
                f"({self.factor_names[c]!r}), which takes values 0..{sizes[c] - 1}"
            )
        return arr

    def sample_factors(self, n: int, rng: np.random.Generator) -> NDArray[np.int64]:
        """Draw ``n`` factor vectors, each factor independently uniform; shape (n, K), int64.

        Drawn column by column: ``rng.integers(n_k, size=n)`` for k = 0, …, K−1.
        """
        n = _check_count(n, "n")
        rng = _check_rng(rng)
        out = np.empty((n, self.num_factors), dtype=np.int64)
        for k, n_k in enumerate(self.factors_num_values):
            out[:, k] = rng.integers(n_k, size=n)
        return out

    def sample_observations_from_factors(
        self, factors: ArrayLike, rng: np.random.Generator
    ) -> Array:
        """Observations for the factors: float64, shape (n, *observation_shape), in [0, 1]."""
        rng = _check_rng(rng)
        return self._observations(self.check_factors(factors), rng)

    def _observations(self, factors: NDArray[np.int64], rng: np.random.Generator) -> Array:
        raise NotImplementedError

    def sample(self, n: int, rng: np.random.Generator) -> tuple[NDArray[np.int64], Array]:
        """``(factors, observations)``: factors first, then observations, from the same ``rng``."""
        factors = self.sample_factors(n, rng)
        return factors, self.sample_observations_from_factors(factors, rng)

    def sample_observations(self, n: int, rng: np.random.Generator) -> Array:
        """The observations of :meth:`sample`."""
        return self.sample(n, rng)[1]


# ============================================================================ sprites
class ProceduralSprites(GroundTruthData):
    r"""dSprites-like binary sprites rendered procedurally (no data file).

    Factors, in order: ``shape`` (square, ellipse, heart), ``scale``
    (:math:`s\in` linspace(0.5, 1, ``num_scales``)), ``orientation``
    (:math:`\theta=2\pi k/\text{num\_orientations}`, :math:`k=0,\dots`), ``pos_x`` and ``pos_y``
    (centre :math:`c` in linspace(lo, 1 − lo, ``num_positions``) in unit image coordinates, with
    the margin lo chosen so that every sprite stays inside the image).

    Rendering. Pixel :math:`(i,j)` (row i from the top, column j from the left) has centre
    :math:`(X,Y)=((j+\tfrac12)/P,\ 1-(i+\tfrac12)/P)` (so ``pos_y`` moves the sprite up). Its
    sprite-frame coordinates are the inverse similarity

    .. math::

        \begin{pmatrix}u\\v\end{pmatrix}=\frac{1}{sR}
        \begin{pmatrix}\cos\theta&\sin\theta\\-\sin\theta&\cos\theta\end{pmatrix}
        \begin{pmatrix}X-c_x\\Y-c_y\end{pmatrix},

    and the pixel is 1 iff the shape's implicit function is :math:`\le0` there:
    square :math:`\max(|u|,|v|)-0.8`; ellipse :math:`u^2+(v/0.5)^2-1`; heart
    :math:`(a^2+b^2-1)^3-a^2b^3` with :math:`(a,b)=(u/0.9,\ v/0.9+0.1)`. :math:`R` is
    ``sprite_radius`` (fraction of the image width at scale 1). Everything is evaluated for a
    whole batch of samples as one array operation (in chunks of ``batch_size`` for memory), so
    the result is a deterministic function of the factors; ``rng`` is accepted for the interface
    and not used.

    Symmetries. As in dSprites, some orientations give identical images: the square is invariant
    under rotation by :math:`\pi/2` and the ellipse by :math:`\pi`, so their orientation factor is
    only identifiable modulo those angles (the heart has no symmetry). Unlike dSprites'
    linspace(0, 2π, 40), the orientations exclude :math:`2\pi` so the first and last value differ.

    Resolution. On a 32-pixel binary image the 32 positions are 0.59 px apart and the smallest
    sprite is about 5 px wide, so a one-step change of a factor occasionally leaves the binary
    image unchanged (measured on 20,000 random configurations per factor: position 0.7–0.9 %,
    scale 0.8 %, orientation 3 %, almost all at the two smallest scales; two position or scale
    steps always changed the image). ``supersample=4`` (grey-level pixel coverage from 4×4
    sub-pixel samples) removes this: no unchanged one-step change in the same measurement.
    ``image_size=64`` (dSprites' size) makes a position step 1.2 px.

    Parameters
    ----------
    num_scales, num_orientations, num_positions : int
        Factor sizes (defaults 6, 40, 32, as in dSprites); ``num_positions`` is used for both x and
        y unless ``num_positions_y`` is given.
    image_size : int, default=32
        P, the image is P×P×1.
    shapes : sequence of str, default=("square", "ellipse", "heart")
        Subset (in any order) of :data:`SPRITE_SHAPES`.
    sprite_radius : float, default=0.16
        R.
    batch_size : int, default=1024
        Images rendered per array operation.
    supersample : int, default=1
        1 renders binary images (pixel centre inside the shape); k > 1 renders the fraction of the
        k×k sub-pixel sample points inside the shape (values in {0, 1/k², …, 1}).
    """

    def __init__(
        self,
        *,
        num_scales: int = 6,
        num_orientations: int = 40,
        num_positions: int = 32,
        num_positions_y: int | None = None,
        image_size: int = 32,
        shapes: Sequence[str] = SPRITE_SHAPES,
        sprite_radius: float = 0.16,
        batch_size: int = 1024,
        supersample: int = 1,
    ):
        shapes = tuple(shapes)
        unknown = [s for s in shapes if s not in SPRITE_SHAPES]
        if not shapes or unknown or len(set(shapes)) != len(shapes):
            raise ValueError(
                "shapes must be a non-empty list of distinct names from "
                f"{SPRITE_SHAPES}; got {shapes!r}"
            )
        self.shapes = shapes
        ns = _check_count(num_scales, "num_scales", 1)
        no = _check_count(num_orientations, "num_orientations", 1)
        nx = _check_count(num_positions, "num_positions", 1)
        ny = nx if num_positions_y is None else _check_count(num_positions_y, "num_positions_y", 1)
        self.image_size = _check_count(image_size, "image_size", 4)
        self.batch_size = _check_count(batch_size, "batch_size", 1)
        self.supersample = _check_count(supersample, "supersample", 1)
        R = float(sprite_radius)
        # the largest sprite extent from its centre, in units of s*R: square corner 0.8*sqrt(2),
        # heart 1.215 (checked on a fine grid in the tests); use 1.25 for a safety margin
        if not (np.isfinite(R) and 0 < R and 1.25 * R < 0.5):
            raise ValueError(
                f"sprite_radius must be in (0, {0.5 / 1.25:.4f}) so sprites fit; "
                f"got {sprite_radius!r}"
            )
        self.sprite_radius = R
        margin = 1.25 * R + 0.5 / self.image_size
        if margin >= 0.5:
            raise ValueError(f"image_size={image_size} is too small for sprite_radius={R}")

        def positions(n: int) -> Array:
            return np.array([0.5]) if n == 1 else np.linspace(margin, 1.0 - margin, n)

        self.scales = np.array([1.0]) if ns == 1 else np.linspace(0.5, 1.0, ns)
        self.orientations = 2.0 * np.pi * np.arange(no) / no
        self.positions_x = positions(nx)
        self.positions_y = positions(ny)
        self.factors_num_values = [len(shapes), ns, no, nx, ny]
        self.factor_names = ["shape", "scale", "orientation", "pos_x", "pos_y"]
        self.observation_shape = (self.image_size, self.image_size, 1)

    def factor_values(self, factors: ArrayLike) -> Array:
        """Physical values of the factors, shape (n, 5): shape id in :data:`SPRITE_SHAPES`, scale,
        angle (radians), centre x, centre y."""
        f = self.check_factors(factors)
        shape_ids = np.array([SPRITE_SHAPES.index(s) for s in self.shapes], dtype=np.float64)
        return np.stack(
            [
                shape_ids[f[:, 0]],
                self.scales[f[:, 1]],
                self.orientations[f[:, 2]],
                self.positions_x[f[:, 3]],
                self.positions_y[f[:, 4]],
            ],
            axis=1,
        )

    def _render(self, values: Array) -> Array:
        k = self.supersample
        P = self.image_size * k
        c = (np.arange(P) + 0.5) / P
        X = c[None, None, :]
        Y = (1.0 - c)[None, :, None]
        shape_id, s, th, cx, cy = (values[:, i][:, None, None] for i in range(5))
        dx, dy = X - cx, Y - cy
        ct, st = np.cos(th), np.sin(th)
        sr = s * self.sprite_radius
        u = (ct * dx + st * dy) / sr
        v = (-st * dx + ct * dy) / sr
        inside = np.zeros(u.shape, dtype=bool)
        for sid, name in enumerate(SPRITE_SHAPES):
            sel = shape_id[:, 0, 0] == sid
            if not np.any(sel):
                continue
            uu, vv = u[sel], v[sel]
            if name == "square":
                level = np.maximum(np.abs(uu), np.abs(vv)) - 0.8
            elif name == "ellipse":
                level = uu**2 + (vv / 0.5) ** 2 - 1.0
            else:  # heart
                a, b = uu / 0.9, vv / 0.9 + 0.1
                level = (a**2 + b**2 - 1.0) ** 3 - a**2 * b**3
            inside[sel] = level <= 0.0
        img = inside.astype(np.float64)
        if k > 1:  # coverage fraction of each pixel by its k x k sub-pixel samples
            n, Q = img.shape[0], self.image_size
            img = img.reshape(n, Q, k, Q, k).mean(axis=(2, 4))
        return img[..., None]

    def _observations(self, factors: NDArray[np.int64], rng: np.random.Generator) -> Array:
        values = self.factor_values(factors)
        out = np.empty((factors.shape[0], *self.observation_shape))
        batch = max(1, self.batch_size // self.supersample**2)
        for start in range(0, factors.shape[0], batch):
            stop = start + batch
            out[start:stop] = self._render(values[start:stop])
        return out


# ============================================================================ continuous mixing
def _marginals(prior: Any, K: int) -> list[Any]:
    if prior is None:
        return [stats.uniform() for _ in range(K)]
    marg = getattr(prior, "marginals", None)
    if marg is None:
        raise ValueError(
            f"prior must be a FactorizedPrior (with .marginals) or None; got {type(prior).__name__}"
        )
    if len(marg) != K:
        raise ValueError(f"the prior has {len(marg)} coordinates but the mixing takes {K} latents")
    return list(marg)


def _squash(y: Array) -> Array:
    r""":math:`s(y)=\tfrac12\big(1+y/\sqrt{1+y^2}\big)`, increasing, onto (0, 1)."""
    return 0.5 + 0.5 * (y / np.hypot(1.0, y))


def _unsquash(x: Array) -> Array:
    r""":math:`s^{-1}(x)=(2x-1)/\big(2\sqrt{x(1-x)}\big)`; :math:`2x-1` and :math:`1-x` are exact in
    floating point for :math:`x\ge\tfrac14` (Sterbenz), so the inverse is as accurate as
    :math:`x` allows."""
    return (2.0 * x - 1.0) / (2.0 * np.sqrt(x * (1.0 - x)))


class ContinuousMixingData(GroundTruthData):
    r"""Independent continuous factors observed through a known invertible smooth mixing.

    Generative process for one observation:

    1. integer factors :math:`k_i` uniform on :math:`\{0,\dots,n_i-1\}` (:meth:`sample_factors`);
    2. a continuous latent inside bin :math:`k_i` of the prior marginal's equal-probability
       partition: :math:`z_i=F_i^{-1}\big((k_i+U_i)/n_i\big)`, :math:`U_i\sim\mathcal U(0,1)`
       (:meth:`sample_latents_from_factors`; then :math:`z\sim p(z)` exactly);
    3. :math:`x=s\big(g(z)\big)` with :math:`g` an :class:`~impossibility.generative.InvertibleMLP`
       (``observation_dim`` = K) or :class:`~impossibility.generative.InjectiveMLP`
       (``observation_dim`` > K), and :math:`s(y)=\tfrac12(1+y/\sqrt{1+y^2})` applied elementwise so
       that observations lie in (0, 1) (``squash=False`` returns :math:`g(z)` itself).

    The inverse is exact: :math:`z=g^{-1}(s^{-1}(x))`, :math:`s^{-1}(x)=(2x-1)/(2\sqrt{x(1-x)})`
    (:meth:`latents_from_observations`), and :meth:`latents_to_factors` recovers the bins,
    :math:`k_i=\lfloor n_iF_i(z_i)\rfloor`. With ``squash=True`` the accuracy of the inverse is
    limited by the spacing of floating-point numbers near 1: an absolute error :math:`\varepsilon`
    in :math:`x` moves :math:`y=s^{-1}(x)` by :math:`2(1+y^2)^{3/2}\varepsilon` (algebraic, not
    exponential as with the logistic function), about :math:`2\times10^{-13}` at :math:`|y|=10`.

    Parameters
    ----------
    mixing : InvertibleMLP or InjectiveMLP
        :math:`g`, with ``mixing.d`` = K.
    num_bins : int or sequence of int, default=10
        :math:`n_i` (one value for all factors, or one per factor); each ≥ 2.
    prior : FactorizedPrior, optional
        :math:`p(z)`; default independent :math:`\mathcal U(0,1)` latents.
    squash : bool, default=True
        Apply :math:`s` to the output (observations in (0, 1)).
    factor_names : sequence of str, optional
        Default ``["z0", "z1", ...]``.

    See Also
    --------
    ContinuousMixingData.random : build one with a random mixing.
    """

    def __init__(
        self,
        mixing: Any,
        num_bins: int | Sequence[int] = 10,
        prior: Any = None,
        *,
        squash: bool = True,
        factor_names: Sequence[str] | None = None,
    ):
        if not isinstance(mixing, (InvertibleMLP, InjectiveMLP)):
            raise ValueError(
                f"mixing must be an InvertibleMLP or InjectiveMLP; got {type(mixing).__name__}"
            )
        self.mixing = mixing
        K = mixing.d
        if isinstance(num_bins, (int, np.integer)) and not isinstance(num_bins, bool):
            bins = [int(num_bins)] * K
        else:
            bins = [
                int(b) if isinstance(b, (int, np.integer)) and not isinstance(b, bool) else b
                for b in num_bins
            ]
        if len(bins) != K or any(not isinstance(b, int) or b < 2 for b in bins):
            raise ValueError(
                f"num_bins must be an integer >= 2 or {K} such integers; got {num_bins!r}"
            )
        self.factors_num_values = bins
        self.marginals = _marginals(prior, K)
        self.prior = prior
        self.squash = bool(squash)
        names = (
            [f"z{i}" for i in range(K)] if factor_names is None else [str(s) for s in factor_names]
        )
        if len(names) != K:
            raise ValueError(f"need {K} factor names; got {len(names)}")
        self.factor_names = names
        self.observation_shape = (mixing.dim_x,)
        self._lower = np.array([float(m.support()[0]) for m in self.marginals])
        self._upper = np.array([float(m.support()[1]) for m in self.marginals])

    @classmethod
    def random(
        cls,
        num_factors: int,
        rng: np.random.Generator,
        *,
        num_bins: int | Sequence[int] = 10,
        prior: Any = None,
        observation_dim: int | None = None,
        n_layers: int = 3,
        squash: bool = True,
    ) -> "ContinuousMixingData":
        """A data set with a random mixing (orthogonal layers, ``TanhResidual(2.0)``).

        ``observation_dim`` None or K gives a square invertible mixing, larger gives an injective
        one (:meth:`InjectiveMLP.random`). The latents are standardised before the mixing (for a
        non-uniform prior, by the prior's median and interquartile range; for the default
        :math:`\\mathcal U(0,1)` by :math:`z\\mapsto 4(z-\\tfrac12)`), which is folded into the
        first layer so that :math:`g(z)` stays in a moderate range where the squash is well
        conditioned.
        """
        K = _check_count(num_factors, "num_factors", 1)
        rng = _check_rng(rng)
        D = K if observation_dim is None else _check_count(observation_dim, "observation_dim", 1)
        if D < K:
            raise ValueError(f"observation_dim must be >= num_factors={K}; got {D}")
        marg = _marginals(prior, K)
        med = np.array([float(m.median()) for m in marg])
        iqr = np.array([float(m.ppf(0.75) - m.ppf(0.25)) for m in marg])
        scale = 2.0 / iqr  # maps the interquartile range onto [-1, 1]
        core = InvertibleMLP.random(K, rng, n_layers=n_layers, bias_scale=0.3)
        W1 = core.weights[0] * scale[None, :]
        b1 = core.biases[0] - W1 @ med
        core = InvertibleMLP([W1, *core.weights[1:]], [b1, *core.biases[1:]], core.nonlinearity)
        if D == K:
            mixing: Any = core
        else:
            Q = stats.ortho_group.rvs(D, random_state=rng)[:, :K] if D > 1 else np.ones((1, 1))
            mixing = InjectiveMLP(core, Q, 0.3 * rng.standard_normal(D), TanhResidual(1.0))
        return cls(mixing, num_bins, prior, squash=squash)

    # ------------------------------------------------------------ latents ↔ factors
    def check_latents(self, z: ArrayLike) -> Array:
        """Validate continuous latents: shape (n, K), finite, inside the prior's open support."""
        arr = np.asarray(z, dtype=np.float64)
        K = self.num_factors
        if arr.ndim != 2 or arr.shape[1] != K:
            raise ValueError(f"latents must have shape (n, {K}); got shape {arr.shape}")
        bad = ~np.isfinite(arr) | (arr <= self._lower) | (arr >= self._upper)
        if np.any(bad):
            r, c = np.argwhere(bad)[0]
            raise ValueError(
                f"latents[{r}, {c}] = {arr[r, c]} is not finite or outside the open support "
                f"({self._lower[c]}, {self._upper[c]}) of factor {c}"
            )
        return arr

    def sample_latents_from_factors(self, factors: ArrayLike, rng: np.random.Generator) -> Array:
        r"""Latents inside the factors' bins, :math:`z_i=F_i^{-1}((k_i+U_i)/n_i)`; shape (n, K).

        Quantiles above ½ use the inverse survival function of :math:`(n_i-k_i-U_i)/n_i` (no
        cancellation in :math:`1-q`). If the factors are uniform, :math:`z\sim p(z)` exactly.
        """
        f = self.check_factors(factors)
        rng = _check_rng(rng)
        n = f.shape[0]
        z = np.empty((n, self.num_factors))
        for i, (m, nb) in enumerate(zip(self.marginals, self.factors_num_values, strict=True)):
            U = rng.random(n)
            q = (f[:, i] + U) / nb
            qc = (nb - f[:, i] - U) / nb
            low = q <= 0.5
            z[low, i] = m.ppf(q[low])
            z[~low, i] = m.isf(qc[~low])
            # a zero-probability draw U = 0 at the lowest bin would give the support endpoint
            z[:, i] = np.clip(
                z[:, i], np.nextafter(self._lower[i], np.inf), np.nextafter(self._upper[i], -np.inf)
            )
        return z

    def latents_to_factors(self, z: ArrayLike) -> NDArray[np.int64]:
        r"""Bin of each latent, :math:`k_i=\min(\lfloor n_iF_i(z_i)\rfloor,n_i-1)`, int64 (n, K)."""
        z = self.check_latents(z)
        out = np.empty(z.shape, dtype=np.int64)
        for i, (m, nb) in enumerate(zip(self.marginals, self.factors_num_values, strict=True)):
            out[:, i] = np.clip(np.floor(m.cdf(z[:, i]) * nb), 0, nb - 1).astype(np.int64)
        return out

    # ------------------------------------------------------------ latents ↔ observations
    def observations_from_latents(self, z: ArrayLike) -> Array:
        r""":math:`x=s(g(z))` (or :math:`g(z)` when ``squash=False``), shape (n, D)."""
        y = self.mixing.forward(self.check_latents(z))
        return _squash(y) if self.squash else y

    def latents_from_observations(self, x: ArrayLike) -> Array:
        r"""The exact inverse :math:`z=g^{-1}(s^{-1}(x))`: the "true latents"
        representation, shape (n, K). For an injective mixing this is the left inverse, exact on the
        image of the mixing."""
        arr = np.asarray(x, dtype=np.float64)
        D = self.observation_shape[0]
        if arr.ndim != 2 or arr.shape[1] != D:
            raise ValueError(f"observations must have shape (n, {D}); got shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError("observations contain non-finite values")
        if self.squash:
            if np.any((arr <= 0) | (arr >= 1)):
                r, c = np.argwhere((arr <= 0) | (arr >= 1))[0]
                raise ValueError(
                    f"observations[{r}, {c}] = {arr[r, c]} is not in the open interval (0, 1), the "
                    "range of the squash"
                )
            arr = _unsquash(arr)
        if isinstance(self.mixing, InvertibleMLP):
            return self.mixing.inverse(arr)
        return self.mixing.left_inverse(arr)

    def _observations(self, factors: NDArray[np.int64], rng: np.random.Generator) -> Array:
        return self.observations_from_latents(self.sample_latents_from_factors(factors, rng))

    def sample_with_latents(
        self, n: int, rng: np.random.Generator
    ) -> tuple[NDArray[np.int64], Array, Array]:
        """``(factors, latents, observations)`` drawn in that order from ``rng``."""
        factors = self.sample_factors(n, rng)
        z = self.sample_latents_from_factors(factors, rng)
        return factors, z, self.observations_from_latents(z)
