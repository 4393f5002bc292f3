r"""The noisy decoder :math:`x=m(z)+\varepsilon`, :math:`\varepsilon\sim\mathcal N(0,\sigma^2I_D)`.

.. math::

    \log p(x\mid z) = -\frac{\lVert x-m(z)\rVert^2}{2\sigma^2} - \frac D2\log(2\pi\sigma^2).

The mean :math:`m:\mathbb R^d\to\mathbb R^D` need not be invertible (:math:`D>d` is allowed), so
:math:`p(x)=\int p(x\mid z)p(z)\,dz` is an integral, estimated by
:func:`~impossibility.generative.log_px_quadrature` or
:func:`~impossibility.generative.log_px_importance`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._typing import Array, GeneratorLike
from .._validation import as_points, check_has_methods, check_rng, check_scalar

__all__ = ["GaussianNoiseDecoder"]


class GaussianNoiseDecoder:
    r"""Noisy decoder :math:`p(x\mid z)=\mathcal N(x;\,m(z),\,\sigma^2 I_D)`.

    Parameters
    ----------
    mean : GeneratorLike with ``dim_x``
        The mean map :math:`m:\mathbb R^d\to\mathbb R^D` (e.g. :class:`InjectiveMLP`,
        :class:`InvertibleMLP` or an :class:`EntangledGenerator`): ``forward``, ``d`` and ``dim_x``.
    sigma : float
        Noise standard deviation :math:`\sigma>0`.
    """

    def __init__(self, mean: GeneratorLike, sigma: float) -> None:
        check_has_methods(mean, "mean", ("forward",), what="a map with forward(), d and dim_x")
        for attr in ("d", "dim_x"):
            if not hasattr(mean, attr):
                raise TypeError(
                    f"mean must be a map with forward(), d and dim_x (e.g. InjectiveMLP); "
                    f"{type(mean).__name__} has no {attr}"
                )
        self.mean = mean
        # σ² must be a normal float64 for log(2πσ²) and r²/σ² (σ = 1e-200 gave NaN)
        self.sigma = check_scalar(sigma, "sigma", minimum=1e-150, maximum=1e150)
        self.d, self.dim_x = int(mean.d), int(mean.dim_x)  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"GaussianNoiseDecoder(mean={self.mean!r}, sigma={self.sigma!r})"

    def sample(self, z: ArrayLike, rng: np.random.Generator) -> Array:
        """Draw :math:`x=m(z)+\\varepsilon` for each row of ``z``, shape (n, D)."""
        rng = check_rng(rng)
        mu = self.mean.forward(as_points(z, self.d, name="z"))
        return mu + self.sigma * rng.standard_normal(mu.shape)

    def log_likelihood(self, x: ArrayLike, z: ArrayLike) -> Array:
        """:math:`\\log p(x\\mid z)` row by row (``x`` (n, D) with ``z`` (n, d)), or for one
        ``x`` (D,) against every row of ``z``; shape (n,)."""
        zr = as_points(z, self.d, name="z")
        xr = as_points(x, self.dim_x, name="x")
        if np.ndim(x) == 2 and xr.shape[0] != zr.shape[0]:
            raise ValueError(
                f"x has {xr.shape[0]} rows but z has {zr.shape[0]}; pass one x of shape "
                f"({self.dim_x},) or matching rows"
            )
        return self.log_density(xr, self.mean.forward(zr))

    def log_density(self, x: Array, mean: Array) -> Array:
        """:math:`\\log\\mathcal N(x;\\,\\mu,\\sigma^2I)` over the last axis, broadcasting ``x``
        against ``mean`` (no validation: the estimators call it on their own arrays)."""
        r2 = np.sum((x - mean) ** 2, axis=-1)
        return -0.5 * r2 / self.sigma**2 - 0.5 * self.dim_x * np.log(2 * np.pi * self.sigma**2)
