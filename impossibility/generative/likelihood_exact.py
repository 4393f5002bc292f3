r"""Exact :math:`\log p(x)` of an invertible generative model by the change of variables.

.. math:: \log p(x) = \log p_z\big(g^{-1}(x)\big) + \log\big|\det J_{g^{-1}}(x)\big|.

For the twin :math:`\hat g=g\circ f^{-1}` (an :class:`~impossibility.generative.EntangledBijector`)
the log-determinant adds :math:`f`'s analytic one, so the two models' :math:`\log p(x)` are two
independent computations that agree to rounding (docs/theory.md §7.4 pitfall 6).
"""

from __future__ import annotations

from numpy.typing import ArrayLike

from .._typing import Array, BijectorLike, PriorLike
from .._validation import as_points, check_has_methods, check_prior_like
from ._checks import check_twin_prior

__all__ = ["log_px_exact"]


def log_px_exact(generator: BijectorLike, prior: PriorLike, x: ArrayLike) -> Array:
    r""":math:`\log p(x) = \log p_z(g^{-1}(x)) + \log|\det J_{g^{-1}}(x)|`, exact.

    Parameters
    ----------
    generator : BijectorLike
        An invertible decoder with ``inverse_and_log_det``: an :class:`InvertibleMLP` or its twin
        ``entangle_generator(g, f)``.
    prior : PriorLike
        :math:`p_z`, a :class:`~impossibility.FactorizedPrior` on :math:`\mathbb R^d`.
    x : array_like, shape (n, d)
        Observations. For the twin, :math:`g^{-1}(x)` must lie in the prior's open support
        (where :math:`f` is defined); a point outside it raises ``ValueError``.

    Returns
    -------
    ndarray, shape (n,)

    Raises
    ------
    TypeError
        If ``generator`` is not invertible (a noisy decoder: use :func:`log_px_quadrature` or
        :func:`log_px_importance`) or ``prior`` is not a factorized prior.
    """
    check_has_methods(
        generator,
        "generator",
        ("inverse_and_log_det",),
        what="an invertible decoder; use log_px_quadrature or log_px_importance for a noisy one",
    )
    check_prior_like(prior, generator.d, consumer="the decoder")
    check_twin_prior(generator, prior)
    z, ld = generator.inverse_and_log_det(as_points(x, generator.d, name="x"))
    return prior.log_prob(z) + ld
