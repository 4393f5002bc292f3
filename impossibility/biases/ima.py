r"""Independent mechanism analysis (Gresele et al. 2021): the twin's Jacobian is not orthogonal.

.. math:: C_{\rm IMA}(g,z)=\sum_i\log\Big\lVert\frac{\partial g}{\partial z_i}(z)\Big\rVert
          -\log\lvert\det J_g(z)\rvert\ \ge0

(for :math:`D>d`, :math:`\tfrac12\log\det J_g^\top J_g` in place of :math:`\log|\det J_g|`).
Hadamard's inequality makes the contrast non-negative, zero iff the columns of :math:`J_g(z)` are
orthogonal. IMA restricts the model class to generators with :math:`C_{\rm IMA}=0` everywhere
(docs/theory.md §5.5); the twin's generator :math:`g\circ f^{-1}` has Jacobian
:math:`J_g(f^{-1}(z))\,J_{f^{-1}}(z)`, whose columns a generic :math:`f` no longer keeps
orthogonal. Linear case: :math:`C_{\rm IMA}(WA^\top)=\sum_i\log\lVert(WA^\top)_{:,i}\rVert
-\log|\det W|` (0 and :math:`\log1.25` for :math:`W=\operatorname{diag}(1,2)` and
:math:`A=R(\pi/4)`); an isotropic :math:`W=sI` keeps 0 under every rotation (the control). For a
nonlinear :math:`g` the expected contrast over :math:`p(z)` is computed by Monte Carlo
(:func:`twin_contrast_mc`) and by Gauss–Legendre quadrature in Gaussian coordinates
(:func:`twin_contrast_quadrature`).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike

from impossibility._typing import LOG_2PI, Array, BijectorLike
from impossibility._validation import (
    as_array,
    as_matrix,
    as_points,
    check_bijector_like,
    check_int,
    check_orthogonal,
    check_rng,
    check_scalar,
)
from impossibility.priors import FactorizedPrior, check_factorized_prior

__all__ = [
    "ima_contrast",
    "linear_ima_contrast",
    "OrthogonalColumnsGenerator",
    "twin_jacobian",
    "twin_contrast_mc",
    "twin_contrast_quadrature",
    "prior_expectation_quadrature",
    "gauss_legendre_normal",
]

JacobianFn = Callable[[Array], Array]


def ima_contrast(J: ArrayLike) -> Array:
    r""":math:`\sum_i\log\lVert J_{:,i}\rVert-\tfrac12\log\det J^\top J`, batched over leading axes.

    Parameters
    ----------
    J : array_like of shape (..., D, d), D ≥ d
        Jacobians of full column rank.

    Returns
    -------
    ndarray of shape (...)
        Non-negative (up to rounding, ~1e-15), zero iff the columns are orthogonal.
    """
    Ja = as_array(J, "J")
    if Ja.ndim < 2 or Ja.shape[-2] < Ja.shape[-1]:
        raise ValueError(f"J must have shape (..., D, d) with D ≥ d; got {Ja.shape}")
    gram = np.swapaxes(Ja, -1, -2) @ Ja
    sign, logdet = np.linalg.slogdet(gram)
    if np.any(sign <= 0):
        raise ValueError("J must have full column rank (its Gram matrix is singular)")
    # ½ Σ log (JᵀJ)ᵢᵢ − ½ log det JᵀJ: the contrast through the Gram matrix, one formula for D ≥ d
    return 0.5 * (np.sum(np.log(np.diagonal(gram, axis1=-2, axis2=-1)), axis=-1) - logdet)


def linear_ima_contrast(W: ArrayLike, A: ArrayLike | None = None) -> float:
    r""":math:`C_{\rm IMA}` of the linear generator :math:`z\mapsto WA^\top z` (its twin under A).

    .. math:: C_{\rm IMA}(WA^\top)=\sum_i\tfrac12\log(AW^\top WA^\top)_{ii}
              -\tfrac12\log\det W^\top W

    Parameters
    ----------
    W : array_like of shape (D, d)
    A : array_like of shape (d, d), optional
        Orthogonal; default identity.
    """
    Wm = as_matrix(W, "W")
    if A is not None:
        Am = check_orthogonal(A, name="A")
        if Am.shape[0] != Wm.shape[1]:
            raise ValueError(f"A must be ({Wm.shape[1]}, {Wm.shape[1]}); got shape {Am.shape}")
        Wm = Wm @ Am.T
    return float(ima_contrast(Wm))


class OrthogonalColumnsGenerator:
    r"""A nonlinear generator in the IMA class: :math:`g(z)=Q\,h(z)`, :math:`h` elementwise.

    .. math:: h_i(z_i)=s_iz_i+\tanh z_i,\qquad J_g(z)=Q\operatorname{diag}\big(s_i+1-\tanh^2z_i\big)

    :math:`Q` has orthonormal columns, so every :math:`J_g(z)` has orthogonal columns and
    :math:`C_{\rm IMA}(g,z)=0` for all :math:`z`, while :math:`g` is not linear.

    Parameters
    ----------
    Q : array_like of shape (D, d)
        Orthonormal columns (:math:`Q^\top Q=I`).
    slopes : array_like of shape (d,)
        :math:`s_i>0` (distinct slopes keep the columns' norms distinct).
    """

    def __init__(self, Q: ArrayLike, slopes: ArrayLike):
        Qm = as_matrix(Q, "Q")
        D, d = Qm.shape
        if D < d or np.max(np.abs(Qm.T @ Qm - np.eye(d))) > 1e-10:
            raise ValueError("Q must have orthonormal columns (QᵀQ = I within 1e-10)")
        s = as_array(slopes, "slopes", shape=(d,))
        if np.any(s <= 0):
            raise ValueError(f"slopes must be positive; got {s.tolist()}")
        self.Q, self.slopes, self.d, self.D = Qm, s, d, D

    def forward(self, z: ArrayLike) -> Array:
        """:math:`g(z)`, shape (n, D)."""
        za = as_points(z, self.d)
        return (self.slopes * za + np.tanh(za)) @ self.Q.T

    def jacobian(self, z: ArrayLike) -> Array:
        """:math:`J_g(z)`, shape (n, D, d)."""
        za = as_points(z, self.d)
        diag = self.slopes + 1.0 - np.tanh(za) ** 2
        return self.Q[None, :, :] * diag[:, None, :]


def twin_jacobian(g_jacobian: JacobianFn, f: BijectorLike, z: ArrayLike) -> Array:
    r"""Jacobian of the twin's generator :math:`g\circ f^{-1}` at :math:`z`, shape (n, D, d).

    .. math:: J_{g\circ f^{-1}}(z)=J_g\big(f^{-1}(z)\big)\,J_{f^{-1}}(z)
    """
    za = np.asarray(z, dtype=np.float64)
    finv = f.inv  # type: ignore[attr-defined]
    return g_jacobian(finv.forward(za)) @ finv.jacobian(za)


def twin_contrast_mc(
    g_jacobian: JacobianFn,
    prior: FactorizedPrior,
    f: BijectorLike,
    n: int,
    rng: np.random.Generator,
) -> dict[str, float]:
    r""":math:`\mathbb E_{z\sim p}[C_{\rm IMA}(g\circ f^{-1},z)]` and of :math:`g`, same samples.

    Returns
    -------
    dict
        ``twin`` and ``twin_stderr``, ``true`` (the contrast of :math:`g` itself) and its
        ``true_max_abs``, ``n``.
    """
    check_rng(rng)
    prior = check_factorized_prior(prior)
    check_bijector_like(f, prior.d)
    n = check_int(n, "n", minimum=2)
    z = prior.sample(n, rng)
    c = ima_contrast(twin_jacobian(g_jacobian, f, z))
    c0 = ima_contrast(g_jacobian(z))
    return {
        "twin": float(c.mean()),
        "twin_stderr": float(c.std(ddof=1) / math.sqrt(n)),
        "true": float(c0.mean()),
        "true_max_abs": float(np.max(np.abs(c0))),
        "n": n,
    }


def gauss_legendre_normal(
    n_panels: int, order: int = 8, half_width: float = 8.0
) -> tuple[Array, Array]:
    r"""Nodes and weights of :math:`\int\varphi(y)h(y)\,dy` by composite Gauss–Legendre on [−L, L].

    The mass outside is :math:`2\Phi(-L)\approx1.2\cdot10^{-15}` for :math:`L=8`.
    """
    n_panels = check_int(n_panels, "n_panels", minimum=1)
    order = check_int(order, "order", minimum=1)
    half_width = check_scalar(half_width, "half_width", minimum=0, include_min=False, maximum=12)
    x, w = np.polynomial.legendre.leggauss(order)
    edges = np.linspace(-half_width, half_width, n_panels + 1)
    h = np.diff(edges)
    t = (edges[:-1, None] + 0.5 * h[:, None] * (x[None, :] + 1)).reshape(-1)
    wt = (0.5 * h[:, None] * w[None, :]).reshape(-1) * np.exp(-0.5 * t * t - 0.5 * LOG_2PI)
    return t, wt


def prior_expectation_quadrature(
    fn: Callable[[Array], Array],
    prior: FactorizedPrior,
    *,
    n_panels: int = 24,
    order: int = 8,
    half_width: float = 8.0,
) -> dict[str, float]:
    r""":math:`\mathbb E_{z\sim p}[h(z)]` (d = 2) by tensor quadrature in Gaussian space.

    .. math:: \mathbb E_{z\sim p}[h(z)]=\iint\varphi(y_1)\varphi(y_2)\,
              h\big(G^{-1}(y)\big)\,dy_1\,dy_2

    (:math:`G` the prior's Gaussianizing map, :func:`gauss_legendre_normal` per axis); the error is
    estimated by the difference with half as many panels. ``fn`` maps points (n, 2) to values (n,).

    Returns
    -------
    dict
        ``value``, ``error_estimate``, ``n_nodes`` per dimension.
    """
    prior = check_factorized_prior(prior)
    if prior.d != 2:
        raise ValueError(f"quadrature is implemented for d = 2; got d = {prior.d}")
    from impossibility.bijections import Gaussianize  # lazy: keeps `biases` light

    G = Gaussianize(prior)

    def run(panels: int) -> float:
        t, w = gauss_legendre_normal(panels, order, half_width)
        T1, T2 = np.meshgrid(t, t, indexing="ij")
        z = G.inverse(np.column_stack([T1.reshape(-1), T2.reshape(-1)]))
        return float(np.outer(w, w).reshape(-1) @ fn(z))

    value = run(n_panels)
    return {
        "value": value,
        "error_estimate": abs(value - run(max(1, n_panels // 2))),
        "n_nodes": n_panels * order,
    }


def twin_contrast_quadrature(
    g_jacobian: JacobianFn,
    prior: FactorizedPrior,
    f: BijectorLike,
    *,
    n_panels: int = 24,
    order: int = 8,
    half_width: float = 8.0,
) -> dict[str, float]:
    r"""The expected twin contrast :math:`\mathbb E_{z\sim p}[C_{\rm IMA}(g\circ f^{-1},z)]`, d = 2.

    By ``prior_expectation_quadrature``.

    Returns
    -------
    dict
        ``twin``, ``error_estimate``, ``n_nodes`` per dimension.
    """
    check_bijector_like(f, prior.d)
    q = prior_expectation_quadrature(
        lambda z: ima_contrast(twin_jacobian(g_jacobian, f, z)),
        prior,
        n_panels=n_panels,
        order=order,
        half_width=half_width,
    )
    return {"twin": q["value"], "error_estimate": q["error_estimate"], "n_nodes": q["n_nodes"]}
