r"""Local isometry (Horan et al. 2021): only a Gaussian prior lets a rotation twin stay isometric.

.. math:: \delta(h)=\mathbb E_{z\sim p}\big\lVert J_h(z)^\top J_h(z)-I\big\rVert_F^2\ \ge0

If the generator :math:`g` is a local isometry (:math:`J_g^\top J_g=I`), the twin's generator
:math:`g\circ f^{-1}` is one iff the reparametrisation :math:`h=f^{-1}` is:
:math:`J_{g\circ h}^\top J_{g\circ h}=J_h^\top J_h`. So the bias "the generator is locally
isometric" rules out every twin with :math:`\delta(f^{-1})>0` (docs/theory.md §5.5). For the
:math:`\mathcal N(0,I)` prior Theorem 1's map is a rotation, :math:`\delta=0` exactly, and the
bias does not help (Horan et al. need non-Gaussian latents); for a non-Gaussian prior :math:`f`
bends space and :math:`\delta>0`. Computed with the bijector's analytic Jacobian by Monte Carlo
(:func:`isometry_defect_mc`) and by quadrature in Gaussian coordinates
(:func:`isometry_defect_quadrature`); the Jacobian itself is checked against finite differences in
the tests.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from impossibility._typing import Array, BijectorLike
from impossibility._validation import as_array, check_bijector_like, check_int, check_rng
from impossibility.priors import FactorizedPrior, check_factorized_prior

from .ima import prior_expectation_quadrature

__all__ = ["pointwise_isometry_defect", "isometry_defect_mc", "isometry_defect_quadrature"]


def pointwise_isometry_defect(J: ArrayLike) -> Array:
    r""":math:`\lVert J^\top J-I\rVert_F^2` for a batch of square Jacobians (..., d, d)."""
    Ja = as_array(J, "J")
    if Ja.ndim < 2 or Ja.shape[-1] != Ja.shape[-2]:
        raise ValueError(f"J must have shape (..., d, d); got {Ja.shape}")
    E = np.swapaxes(Ja, -1, -2) @ Ja - np.eye(Ja.shape[-1])
    return np.sum(E * E, axis=(-2, -1))


def isometry_defect_mc(
    prior: FactorizedPrior, f: BijectorLike, n: int, rng: np.random.Generator
) -> dict[str, float]:
    r""":math:`\delta(f^{-1})` by Monte Carlo over :math:`z\sim p` (the twin's latents).

    Returns
    -------
    dict
        ``defect``, ``stderr``, ``max`` (the largest pointwise defect), ``n``.
    """
    check_rng(rng)
    prior = check_factorized_prior(prior)
    check_bijector_like(f, prior.d)
    n = check_int(n, "n", minimum=2)
    z = prior.sample(n, rng)
    c = pointwise_isometry_defect(f.inv.jacobian(z))  # type: ignore[attr-defined]
    return {
        "defect": float(c.mean()),
        "stderr": float(c.std(ddof=1) / math.sqrt(n)),
        "max": float(np.max(c)),
        "n": n,
    }


def isometry_defect_quadrature(
    prior: FactorizedPrior,
    f: BijectorLike,
    *,
    n_panels: int = 24,
    order: int = 8,
    half_width: float = 8.0,
) -> dict[str, float]:
    r""":math:`\delta(f^{-1})` for :math:`d=2` by tensor Gauss–Legendre in Gaussian coordinates.

    :math:`z=G^{-1}(y)`, :math:`y\sim\mathcal N(0,I)`
    (``ima.prior_expectation_quadrature``).

    Returns
    -------
    dict
        ``defect``, ``error_estimate``, ``n_nodes`` per dimension.
    """
    check_bijector_like(f, prior.d)
    finv = f.inv  # type: ignore[attr-defined]
    q = prior_expectation_quadrature(
        lambda z: pointwise_isometry_defect(finv.jacobian(z)),
        prior,
        n_panels=n_panels,
        order=order,
        half_width=half_width,
    )
    return {"defect": q["value"], "error_estimate": q["error_estimate"], "n_nodes": q["n_nodes"]}
