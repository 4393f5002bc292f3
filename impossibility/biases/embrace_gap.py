r"""Embrace the gap (Reizinger et al. 2022): the twin's mean-field ELBO gap tends to IMA's.

.. math:: \mathrm{gap}(\sigma)=\tfrac12\Big[\sum_i\log\big(\sigma^2+M_{ii}\big)
          -\log\det\big(\sigma^2I+M\big)\Big]
          \ \xrightarrow[\sigma\to0]{}\ \tfrac12\Big[\sum_i\log M_{ii}-\log\det M\Big]
          =C_{\rm IMA}(W'),\qquad M=W'^\top W'.

The linear Gaussian VAE with decoder :math:`\mathcal N(W'z,\sigma^2I)` and prior
:math:`\mathcal N(0,I)` has posterior precision :math:`\Lambda=I+M/\sigma^2`, and the best
mean-field encoder misses :math:`\log p(x)` by
:math:`\tfrac12[\sum_i\log\Lambda_{ii}-\log\det\Lambda]` (:func:`~.linear_vae.mean_field_gap`,
docs/theory.md §3.7); multiplying :math:`\Lambda` by :math:`\sigma^2` gives the form above. For
the twin :math:`W'=WA^\top` of a decoder with orthogonal columns the gap is positive and grows to
:math:`C_{\rm IMA}(WA^\top)` as the decoder noise vanishes, while the true model's gap is 0 for
every :math:`\sigma`: the ELBO of a mean-field VAE carries IMA's bias (docs/theory.md §5.6).
The reference gaps of
:data:`~.linear_vae.REFERENCE_GAPS` are two points of this family (column norms 2 and 0.7,
:math:`\sigma^2=0.3`, angles π/8 and π/4). Checked against BFGS-optimal encoders by
:func:`gap_curve_bfgs`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from impossibility._typing import Array
from impossibility._validation import as_array, as_matrix, check_int, check_orthogonal, check_rng

from .ima import linear_ima_contrast
from .linear_vae import fit_linear_encoder, linear_log_px

__all__ = ["embrace_gap", "embrace_gap_curve", "gap_curve_bfgs"]


def _twin_decoder(W: ArrayLike, A: ArrayLike | None) -> Array:
    """The twin's decoder matrix :math:`WA^\\top` (``A`` orthogonal, default identity)."""
    Wm = as_matrix(W, "W")
    if A is None:
        return Wm
    Am = check_orthogonal(A, name="A")
    if Am.shape[0] != Wm.shape[1]:
        raise ValueError(f"A must be ({Wm.shape[1]}, {Wm.shape[1]}); got shape {Am.shape}")
    return Wm @ Am.T


def _sigmas(sigma: ArrayLike) -> Array:
    s = np.atleast_1d(as_array(sigma, "sigma"))
    if s.ndim != 1 or np.any(s < 0):
        raise ValueError(f"sigma must be non-negative decoder noise levels; got {s.tolist()}")
    return s


def embrace_gap(W: ArrayLike, A: ArrayLike | None, sigma: ArrayLike) -> Array:
    r"""The mean-field gap of the decoder :math:`WA^\top` at noise :math:`\sigma`, closed form.

    .. math:: \tfrac12\Big[\sum_i\log\big(\sigma^2+M_{ii}\big)-\log\det\big(\sigma^2I+M\big)\Big],
              \qquad M=AW^\top WA^\top

    :math:`\sigma=0` gives :math:`C_{\rm IMA}(WA^\top)` (requires full column rank).

    Parameters
    ----------
    W : array_like of shape (D, d)
    A : array_like of shape (d, d) or None
    sigma : float or array_like of shape (S,)
        Decoder noise standard deviations, ≥ 0.

    Returns
    -------
    ndarray of shape (S,)
    """
    Wt = _twin_decoder(W, A)
    s = _sigmas(sigma)
    M = Wt.T @ Wt
    eye = np.eye(M.shape[0])
    out = np.empty(s.size)
    for k, sk in enumerate(s):
        C = M + sk * sk * eye
        sign, logdet = np.linalg.slogdet(C)
        if sign <= 0:
            raise ValueError("σ = 0 needs a decoder of full column rank")
        out[k] = 0.5 * (np.sum(np.log(np.diag(C))) - logdet)
    return out


def embrace_gap_curve(W: ArrayLike, A: ArrayLike | None, sigma: ArrayLike) -> dict[str, Array]:
    r"""The curve :math:`\sigma\mapsto\mathrm{gap}(\sigma)`, its limit and the true model's curve.

    Returns
    -------
    dict
        ``sigma`` (S,), ``twin`` (S,) gaps of :math:`WA^\top`, ``true`` (S,) gaps of :math:`W`,
        ``limit`` :math:`C_{\rm IMA}(WA^\top)` by :func:`~.ima.linear_ima_contrast` (an independent
        formula: column norms and a determinant).
    """
    s = _sigmas(sigma)
    return {
        "sigma": s,
        "twin": embrace_gap(W, A, s),
        "true": embrace_gap(W, None, s),
        "limit": np.array(linear_ima_contrast(W, A)),
    }


def gap_curve_bfgs(
    W: ArrayLike,
    A: ArrayLike | None,
    sigma: ArrayLike,
    n: int,
    rng: np.random.Generator,
) -> Array:
    r"""The gap by optimisation, :math:`\log p(x)-\max_{q\ \rm diag}\mathcal L(x)` over x.

    For each :math:`\sigma`, ``n`` points :math:`x\sim p(x)` of the twin's model, BFGS-optimal
    diagonal Gaussian encoders (:func:`~.linear_vae.fit_linear_encoder`, which sees only the ELBO
    and its gradient) and the exact :math:`\log p(x)` (:func:`~.linear_vae.linear_log_px`). The
    gap does not depend on :math:`x`, so the mean over points only averages optimiser error.

    Returns
    -------
    ndarray of shape (S,)
    """
    check_rng(rng)
    n = check_int(n, "n", minimum=1)
    Wt = _twin_decoder(W, A)
    s = _sigmas(sigma)
    if np.any(s <= 0):
        raise ValueError("the ELBO needs σ > 0")
    D, d = Wt.shape
    b = np.zeros(D)
    out = np.empty(s.size)
    for k, sk in enumerate(s):
        x = rng.standard_normal((n, d)) @ Wt.T + sk * rng.standard_normal((n, D))
        elbo = fit_linear_encoder(x, Wt, b, sk * sk, family="diagonal")["elbo"]
        out[k] = float(np.mean(linear_log_px(x, Wt, b, sk * sk) - elbo))
    return out
