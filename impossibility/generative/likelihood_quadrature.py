r""":math:`\log p(x)` of a noisy decoder by Gauss–Legendre quadrature in Gaussian coordinates.

.. math::

    p(x)=\int_{\mathbb R^d} p\big(x\mid G^{-1}(y)\big)\prod_i\varphi(y_i)\,dy
    \approx\sum_{k} \Big(\prod_i w_{k_i}\varphi(y_{k_i})\Big)\,p\big(x\mid G^{-1}(y_{k})\big),
    \qquad G_i=\Phi^{-1}\circ F_i.

The nodes depend only on the prior and the resolution, never on an entangling map: the twin's
integrand :math:`y\mapsto p(x\mid f^{-1}(G^{-1}(y)))` is summed on the same nodes, an independent
computation rather than the original sum re-labelled (docs/theory.md §7.4 pitfall 6). The error is
estimated by comparing two resolutions.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import special

from .._typing import LOG_2PI, Array, PriorLike
from .._validation import as_points, check_choice, check_int, check_prior_like, check_scalar
from ._checks import check_noise_decoder, check_twin_prior
from .noisy_decoder import GaussianNoiseDecoder

__all__ = ["log_px_quadrature", "quadrature_nodes"]

#: The prior methods the quadrature needs: G⁻¹ is ``ppf``/``isf`` of the normal tail probability.
_PRIOR_METHODS = ("log_prob", "sample", "ppf", "isf")


def _per_axis(prior: PriorLike, method: str, p: Array) -> Array:
    """The prior's ``ppf``/``isf`` of the same probabilities ``p`` in every coordinate, (m, d)."""
    # column-major, so that each coordinate sees one contiguous array, as a marginal's own call
    q = np.asfortranarray(np.repeat(p[:, None], len(prior.marginals), axis=1))
    return getattr(prior, method)(q)


def quadrature_nodes(
    prior: PriorLike, space: str, n_panels: int, order: int, half_width: float
) -> tuple[Array, Array]:
    r"""1-D quadrature nodes mapped to each prior coordinate, and their log-weights.

    ``space="normal"``: composite Gauss–Legendre rule on :math:`y\in[-L, L]` with weights times
    :math:`\varphi(y)`, and :math:`z_i=G_i^{-1}(y)=F_i^{-1}(\Phi(y))`, evaluated as the prior's
    ``ppf(ndtr(y))`` for :math:`y\le0` and ``isf(ndtr(-y))`` for :math:`y>0` (no cancellation in
    either tail). ``space="quantile"``: composite rule on :math:`u\in(0,1)` and
    :math:`z_i=F_i^{-1}(u)`, with ``isf`` of the directly computed :math:`1-u` above ½.

    Returns
    -------
    z1 : ndarray, shape (m, d)
        Column i holds the nodes of coordinate i.
    log_weights : ndarray, shape (m,)
    """
    t, w = special.roots_legendre(order)
    if space == "normal":
        edges = np.linspace(-half_width, half_width, n_panels + 1)
        mid = 0.5 * (edges[1:] + edges[:-1])[:, None]
        half = 0.5 * (edges[1:] - edges[:-1])[:, None]
        y = (mid + half * t[None, :]).ravel()
        logw = np.log(half * w[None, :]).ravel() - 0.5 * y**2 - 0.5 * LOG_2PI
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
    z1[low] = _per_axis(prior, "ppf", p_low)
    z1[~low] = _per_axis(prior, "isf", p_high)
    return z1, logw


def _quadrature_level(
    decoder: GaussianNoiseDecoder,
    prior: PriorLike,
    x: Array,
    space: str,
    n_panels: int,
    order: int,
    half_width: float,
    chunk: int,
) -> Array:
    z1, logw1 = quadrature_nodes(prior, space, n_panels, order, half_width)
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
        ll = decoder.log_density(x[:, None, :], mu[None, :, :]) + logw[None, :]  # (k, c)
        # running log-sum-exp over the chunks
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
    decoder: GaussianNoiseDecoder,
    prior: PriorLike,
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

    A tensor product of composite Gauss–Legendre rules on :math:`[-L, L]` (``n_panels`` panels of
    ``order`` nodes per axis; the truncation drops prior mass :math:`\le 2d\,\Phi(-L)`, about
    :math:`2\times10^{-19}d` for :math:`L=9`) in the Gaussian coordinates :math:`y=G(z)`, which
    resolve posteriors in the prior's tails as well as central ones. ``space="quantile"`` instead
    integrates :math:`\int_{(0,1)^d}p(x\mid F^{-1}(u))\,du` with uniform panels in :math:`u`: more
    nodes near the medians (better for narrow central posteriors), few in the tails. The sum is
    accumulated in log space.

    The rule is applied with ``n_panels`` and ``2 * n_panels`` panels. The estimate is the finer
    value; the error estimate is :math:`|\log\hat p_{\rm fine}-\log\hat p_{\rm coarse}|` plus a
    rounding floor :math:`10^{-12}(1+|\log\hat p|)`, a conservative bound on the finer rule's
    error once the coarse rule is in its convergent regime (checked against the closed-form
    linear-Gaussian :math:`p(x)` in the tests). Trust it only when it is small (say below
    :math:`10^{-3}`): two under-resolved rules can agree by chance.

    Parameters
    ----------
    decoder : GaussianNoiseDecoder
        The likelihood :math:`p(x\mid z)` (the twin: ``entangle_generator(decoder, f)``).
    prior : PriorLike
        :math:`p(z)` with ``ppf`` and ``isf``, d coordinates (d = 2 is the intended use; d = 3
        works with few panels).
    x : array_like, shape (k, D) or (D,)
        Observations.
    space : {"normal", "quantile"}, default="normal"
        Integration coordinates, see above.
    n_panels, order : int
        Coarse resolution: ``n_panels`` panels of ``order`` nodes per axis.
    half_width : float, default=9.0
        :math:`L` (``space="normal"`` only), in [3, 37]: beyond 37 the normal CDF underflows.
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
    decoder = check_noise_decoder(decoder)
    prior = check_prior_like(prior, decoder.d, methods=_PRIOR_METHODS, consumer="the decoder")
    check_twin_prior(decoder, prior)
    n_panels = check_int(n_panels, "n_panels", minimum=1)
    order = check_int(order, "order", minimum=1)
    chunk = check_int(chunk, "chunk", minimum=1)
    max_nodes = check_int(max_nodes, "max_nodes", minimum=1)
    space = check_choice(space, "space", ("normal", "quantile"))
    half_width = check_scalar(half_width, "half_width", minimum=3.0, maximum=37.0)
    n_fine = (2 * n_panels * order) ** decoder.d
    if n_fine > max_nodes:
        raise ValueError(
            f"the finer grid would have (2*{n_panels}*{order})^{decoder.d} = {n_fine} nodes > "
            f"max_nodes={max_nodes}; use fewer panels, a lower order, or log_px_importance "
            "for d > 2"
        )
    xr = as_points(x, decoder.dim_x, name="x")
    coarse = _quadrature_level(decoder, prior, xr, space, n_panels, order, half_width, chunk)
    fine = _quadrature_level(decoder, prior, xr, space, 2 * n_panels, order, half_width, chunk)
    return fine, np.abs(fine - coarse) + 1e-12 * (1.0 + np.abs(fine))
