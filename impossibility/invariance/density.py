r"""Exact density invariance: :math:`\log p(f(u))+\log|\det J_f(u)|-\log p(u)=0` on the support.

The change of variables says that :math:`f_\#p=p` iff this holds at every :math:`u` in the support;
the check uses the bijector's own log-determinant (chain rule), so it is a test of the map and not
of an identity. :func:`gaussian_resolution` says where float64 can resolve the points at all.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._typing import Array, BijectorLike
from ..bijections import Gaussianize
from ..priors import FactorizedPrior

__all__ = ["density_invariance_error", "gaussian_resolution"]


def density_invariance_error(f: BijectorLike, prior: FactorizedPrior, u: ArrayLike) -> Array:
    r"""Per-point error :math:`|\log p(f(u))+\log|\det J_f(u)|-\log p(u)|`, shape (n,).

    Zero (up to rounding) for every u in the support iff f preserves p (change of variables).
    """
    u = prior.check_points(u, name="u")
    v, ldj = f.forward_and_log_det(u)
    return np.abs(prior.log_prob(v) + ldj - prior.log_prob(u))


def gaussian_resolution(prior: FactorizedPrior, u: ArrayLike) -> Array:
    r"""Resolution of ``u`` in Gaussian space, :math:`\max_i G_i'(u_i)\,\mathrm{ulp}(u_i)`.

    Shape (n,).

    Storing :math:`u_i` in float64 moves it by up to one ulp, hence moves :math:`G_i(u_i)` by about
    :math:`G_i'(u_i)\,\mathrm{ulp}(u_i)`. Away from finite endpoints this is ~1e-16; next to an
    endpoint that is far from zero (``gamma(0.5, loc=2)`` at :math:`u=2+10^{-12}`, say) it grows to
    1e-5 and more, and no algorithm can invert f there to 1e-12: the image is not representable.
    The accuracy figures of the package hold where this resolution is at most 1e-13.
    """
    u = prior.check_points(u, name="u")
    _, log_diag = Gaussianize(prior)._forward_and_log_diag(u)
    return np.max(np.exp(log_diag) * np.spacing(np.abs(u)), axis=1)
