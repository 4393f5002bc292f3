r"""One number per inductive bias: how far it moves the likelihood of the entangled twin.

.. math:: \Delta=\mathbb E\big[\log p_{\rm true}(\text{observed})
          -\log p_{\rm twin}(\text{observed})\big]\ \ge0

Every row of :func:`bias_table` uses :math:`d=2` and the same entangling map, Theorem 1's
:math:`f=G^{-1}\circ R(\pi/4)\circ G` for the row's prior, and reports :math:`\Delta` in nats per
observation (docs/theory.md §5.1) next to a control where the bias is absent and the gap is 0: no
bias
(:math:`x`), the diagonal posterior (a deficit of the best ELBO, not of the likelihood), an
auxiliary variable :math:`(x,u)`, pairs :math:`(x_1,x_2)` and time :math:`(x_t,x_{t-1})`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from impossibility._validation import check_int, check_rng, check_scalar
from impossibility.priors import FactorizedPrior

from .auxiliary import (
    AuxiliaryPrior,
    auxiliary_gap_quadrature,
    marginal_log_ratio,
    shared_rotation_gap,
)
from .diagonal import plane_rotation
from .linear_vae import (
    fit_linear_encoder,
    linear_log_px,
    linear_posterior_precision,
    mean_field_gap,
    reference_linear_decoder,
)
from .pairs import pair_gap
from .temporal import ar1_pair_gap

__all__ = ["bias_table", "BIAS_ORDER"]

#: Row keys of :func:`bias_table`, in display order.
BIAS_ORDER = ("unsupervised", "diagonal", "auxiliary", "pairs", "time")


def bias_table(
    rng: np.random.Generator,
    *,
    theta: float = math.pi / 4,
    n_mc: int = 20_000,
    noise: float = 0.1,
    aux_scales: tuple[float, float] = (0.5, 2.0),
    rho: tuple[float, float] = (0.9, 0.3),
    quadrature_panels: int = 24,
) -> dict[str, Any]:
    r"""The gap of the entangled twin for each inductive bias, and its bias-free control.

    Parameters
    ----------
    rng : numpy.random.Generator
        For the Monte-Carlo rows (unsupervised, pairs).
    theta : float, default=π/4
        Angle of the rotation in Theorem 1's :math:`f=G^{-1}R(\theta)G` (d = 2).
    n_mc : int, default=20000
        Samples of the Monte-Carlo rows.
    noise : float, default=0.1
        :math:`\sigma_n` of the soft-sharing pair model (the gap grows like :math:`\sigma_n^{-2}`).
    aux_scales : (float, float), default=(0.5, 2.0)
        :math:`\sigma(u_i)` for :math:`u_i\in\{0,1\}` (uniform), the same for both coordinates.
    rho : (float, float), default=(0.9, 0.3)
        AR(1) autocorrelations of the temporal row.
    quadrature_panels : int, default=24
        Panels of the auxiliary row's quadrature.

    Returns
    -------
    dict
        ``rows``: for each key of :data:`BIAS_ORDER` a dict with ``label``, ``observed``, ``gap``,
        ``stderr`` (0 for exact rows), ``method``, ``setting``, ``control_label`` and
        ``control_gap`` (``None`` for the unsupervised row); plus ``theta``, ``order``.
    """
    check_rng(rng)
    n_mc = check_int(n_mc, "n_mc", minimum=10)
    theta = check_scalar(theta, "theta")
    noise = check_scalar(noise, "noise", minimum=0, include_min=False)
    quadrature_panels = check_int(quadrature_panels, "quadrature_panels", minimum=2)
    from impossibility.entangle import entangling_bijection  # lazy: keeps `biases` light

    R = plane_rotation(theta, 2)
    rows: dict[str, dict[str, Any]] = {}

    # unsupervised: a non-Gaussian prior, log p(x) of model and twin through f's log-det
    prior = FactorizedPrior([stats.laplace(), stats.logistic()])
    f = entangling_bijection(prior, R, require_complete=False)
    z = prior.sample(n_mc, rng)
    r = marginal_log_ratio(prior, f, z)
    rows["unsupervised"] = {
        "label": "none (unsupervised)",
        "observed": "x",
        "gap": float(r.mean()),
        "stderr": float(r.std(ddof=1) / math.sqrt(r.size)),
        "max_abs": float(np.max(np.abs(r))),
        "method": f"pointwise log p(x) − log p_twin(x), {n_mc} samples",
        "setting": "prior Laplace × logistic",
        "control_label": None,
        "control_gap": None,
    }

    # diagonal posterior: linear VAE of docs/theory.md §3.7
    W, b, s2 = reference_linear_decoder()
    Lam = linear_posterior_precision(W, s2)
    x = W @ rng.standard_normal((2, 8)) + math.sqrt(s2) * rng.standard_normal((W.shape[0], 8))
    full = fit_linear_encoder(x.T, W @ R.T, b, s2, family="full")["elbo"]
    full_gap = float(np.mean(linear_log_px(x.T, W, b, s2) - full))
    rows["diagonal"] = {
        "label": "diagonal posterior (best ELBO)",
        "observed": "x",
        "gap": mean_field_gap(Lam, R),
        "stderr": 0.0,
        "method": "closed form ½[Σ log(RΛRᵀ)ᵢᵢ − log det Λ]",
        "setting": "linear VAE D=5, σ²=0.3, column norms 2 and 0.7",
        "control_label": "full-covariance encoder",
        "control_gap": full_gap,
    }

    # auxiliary variable
    aux = AuxiliaryPrior([list(aux_scales), list(aux_scales)])
    fa = entangling_bijection(aux.marginal, R, require_complete=False)
    q = auxiliary_gap_quadrature(aux, fa, n_panels=quadrature_panels)
    iso = shared_rotation_gap([[aux_scales[0]] * 2, [aux_scales[1]] * 2], R)
    rows["auxiliary"] = {
        "label": "auxiliary variable u",
        "observed": "(x, u)",
        "gap": q["conditional"],
        "stderr": 0.0,
        "error_estimate": q["error_estimate"],
        "marginal_gap": q["marginal"],
        "method": "E_u KL(p(z|u) ‖ twin), Gauss–Legendre quadrature",
        "setting": f"u_i ∈ {{0,1}}, σ(u_i) ∈ {{{aux_scales[0]:g}, {aux_scales[1]:g}}}",
        "control_label": "isotropic shared u",
        "control_gap": iso["conditional"],
    }

    # pairs
    gprior = FactorizedPrior.standard_normal(2)
    fg = entangling_bijection(gprior, R, require_complete=False)
    pg = pair_gap(gprior, fg, 1, noise, n_mc, rng)
    pc = pair_gap(gprior, fg, 2, noise, n_mc, rng)
    rows["pairs"] = {
        "label": "pairs (weak supervision)",
        "observed": "(x₁, x₂)",
        "gap": pg["gap"],
        "stderr": pg["stderr"],
        "fraction_shared_true": pg["fraction_shared_true"],
        "fraction_shared_twin": pg["fraction_shared_twin"],
        "method": f"MC, exact log-density (logsumexp over subsets), {n_mc} pairs",
        "setting": f"N(0, I), k = 1 of 2 changed, soft sharing σ_n = {noise:g}",
        "control_label": "k = d (nothing shared)",
        "control_gap": pc["gap"],
    }

    # time
    rows["time"] = {
        "label": "time (AR(1) latents)",
        "observed": "(xₜ, xₜ₋₁)",
        "gap": ar1_pair_gap(rho, R),
        "stderr": 0.0,
        "method": "closed-form Gaussian KL of the lag-1 pair laws",
        "setting": f"ρ = ({rho[0]:g}, {rho[1]:g})",
        "control_label": "equal autocorrelations",
        "control_gap": ar1_pair_gap((rho[0], rho[0]), R),
    }
    return {"rows": rows, "order": list(BIAS_ORDER), "theta": theta}
