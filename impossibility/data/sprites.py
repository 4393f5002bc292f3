r"""dSprites-like images rendered procedurally from five discrete factors (no data file).

.. math::

    \begin{pmatrix}u\\v\end{pmatrix}=\frac{1}{sR}
    \begin{pmatrix}\cos\theta&\sin\theta\\-\sin\theta&\cos\theta\end{pmatrix}
    \begin{pmatrix}X-c_x\\Y-c_y\end{pmatrix},\qquad
    \text{pixel}=\mathbb 1[\ell_{\rm shape}(u,v)\le0].

Factors shape × scale × orientation × x × y (dSprites' 3 × 6 × 40 × 32 × 32 by default); each
pixel centre :math:`(X, Y)` is taken to the sprite's frame by the inverse similarity and tested
against the shape's implicit function :math:`\ell`, for a whole batch of images at once. The
renderer is a deterministic function of the factors.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._typing import Array
from .._validation import check_int, check_scalar
from .base import GroundTruthData

__all__ = ["ProceduralSprites", "SPRITE_SHAPES"]

#: Shape names of :class:`ProceduralSprites`, in factor-value order.
SPRITE_SHAPES = ("square", "ellipse", "heart")

#: The largest sprite extent from its centre, in units of s·R: square corner 0.8·√2 = 1.13, heart
#: 1.215 (checked on a fine grid in the tests); 1.25 leaves a safety margin.
_EXTENT = 1.25


def _level(name: str, u: Array, v: Array) -> Array:
    """The shape's implicit function ℓ(u, v): the sprite is where ℓ ≤ 0."""
    if name == "square":
        return np.maximum(np.abs(u), np.abs(v)) - 0.8
    if name == "ellipse":
        return u**2 + (v / 0.5) ** 2 - 1.0
    a, b = u / 0.9, v / 0.9 + 0.1  # heart
    return (a**2 + b**2 - 1.0) ** 3 - a**2 * b**3


class ProceduralSprites(GroundTruthData):
    r"""dSprites-like binary sprites rendered procedurally.

    Factors, in order: ``shape`` (square, ellipse, heart), ``scale``
    (:math:`s\in` linspace(0.5, 1, ``num_scales``)), ``orientation``
    (:math:`\theta=2\pi k/\text{num\_orientations}`, :math:`k=0,\dots`; unlike dSprites,
    :math:`2\pi` is excluded so the first and last values differ), ``pos_x`` and ``pos_y``
    (centre :math:`c` in linspace(lo, 1 − lo, ``num_positions``) in unit image coordinates, the
    margin lo keeping every sprite inside the image).

    Pixel :math:`(i,j)` (row i from the top) has centre :math:`(X,Y)=((j+\tfrac12)/P,\
    1-(i+\tfrac12)/P)`, so ``pos_y`` moves the sprite up. Shapes: square
    :math:`\max(|u|,|v|)-0.8`; ellipse :math:`u^2+(v/0.5)^2-1`; heart
    :math:`(a^2+b^2-1)^3-a^2b^3` with :math:`(a,b)=(u/0.9,\ v/0.9+0.1)`. As in dSprites the square
    is invariant under rotation by :math:`\pi/2` and the ellipse by :math:`\pi`, so their
    orientation is only identifiable modulo those angles. ``rng`` is accepted for the interface and
    not used. On a 32-pixel binary image a one-step change of a factor occasionally leaves the
    image unchanged; ``supersample=4`` (grey-level coverage) removes this.

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
        R, the sprite's size at scale 1 as a fraction of the image width.
    batch_size : int, default=1024
        Images rendered per array operation (memory control only).
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
    ) -> None:
        shapes = tuple(shapes)
        unknown = [s for s in shapes if s not in SPRITE_SHAPES]
        if not shapes or unknown or len(set(shapes)) != len(shapes):
            raise ValueError(
                "shapes must be a non-empty list of distinct names from "
                f"{SPRITE_SHAPES}; got {shapes!r}"
            )
        self.shapes = shapes
        ns = check_int(num_scales, "num_scales", minimum=1)
        no = check_int(num_orientations, "num_orientations", minimum=1)
        nx = check_int(num_positions, "num_positions", minimum=1)
        ny = (
            nx
            if num_positions_y is None
            else check_int(num_positions_y, "num_positions_y", minimum=1)
        )
        self.image_size = check_int(image_size, "image_size", minimum=4)
        self.batch_size = check_int(batch_size, "batch_size", minimum=1)
        self.supersample = check_int(supersample, "supersample", minimum=1)
        # every sprite must fit: its extent 1.25·s·R from the centre stays below half the image
        R = check_scalar(
            sprite_radius,
            "sprite_radius",
            minimum=0.0,
            maximum=0.5 / _EXTENT,
            include_min=False,
            include_max=False,
        )
        self.sprite_radius = R
        margin = _EXTENT * R + 0.5 / self.image_size
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
        """Images (n, P, P, 1) of the physical factor values (n, 5), one array operation."""
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
            if np.any(sel):
                inside[sel] = _level(name, u[sel], v[sel]) <= 0.0
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
