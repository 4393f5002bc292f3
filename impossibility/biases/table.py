r"""One number per inductive bias: how far it moves the likelihood of the entangled twin.

Every row uses :math:`d=2` and the same entangling map, Theorem 1's
:math:`f=G^{-1}\circ R(\pi/4)\circ G` for the row's prior (a plain rotation by :math:`\pi/4` for a
Gaussian prior), and reports the expected log-likelihood gap

.. math:: \Delta=\mathbb E\big[\log p_{\rm true}(\text{observed})-\log p_{\rm twin}(\text{observed})\big]\ \ge0

in nats per observation (theory.md §5.1), next to a *control* where the bias is absent and the
gap is exactly 0:

=====================  ==================================================  ==========================
bias                   observed; gap                                        control (gap 0)
=====================  ==================================================  ==========================
none (unsupervised)    :math:`x`; :math:`\log p(x)` pointwise                —
diagonal posterior     :math:`x`; best-ELBO deficit, linear VAE, closed form full-covariance encoder
auxiliary variable     :math:`(x,u)`; :math:`\mathbb E_u\mathrm{KL}` by quadrature       isotropic shared :math:`u`
pairs (soft sharing)   :math:`(x_1,x_2)`, :math:`k=1`, :math:`\sigma_n`; MC   :math:`k=d` (nothing shared)
time (AR(1) latents)   :math:`(x_t,x_{t-1})`; Gaussian KL, closed form      equal autocorrelations
=====================  ==================================================  ==========================

(The diagonal posterior's "gap" is a deficit of the best attainable ELBO, not of the likelihood
itself; the model's likelihood is unchanged — the bias is in the variational family.)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from . import auxiliary, diagonal, pairs

__all__ = ["ar1_pair_gap", "bias_table", "BIAS_ORDER"]

Array = NDArray[np.float64]

#: Row keys of :func:`bias_table`, in display order.
BIAS_ORDER = ("unsupervised", "diagonal", "auxiliary", "pairs", "time")


def ar1_pair_gap(rho: ArrayLike, A: ArrayLike) -> float:
    r"""KL between the lag-1 pair laws of stationary AR(1) latents and of their rotated twin (theory.md §5.4).

    :math:`z_{i,t}=\rho_iz_{i,t-1}+\sqrt{1-\rho_i^2}\,\epsilon_{i,t}` has :math:`\mathcal N(0,I)`
    marginals, so Theorem 1's map is a rotation :math:`A`. With :math:`D=\operatorname{diag}\rho`,
    the pair :math:`(z_t,z_{t-1})` is :math:`\mathcal N(0,\Sigma_1)`,
    :math:`\Sigma_1=\left(\begin{smallmatrix}I&D\\D&I\end{smallmatrix}\right)`, and the twin
    (decoder :math:`g\circ A^{-1}`) models it as :math:`\mathcal N(0,\Sigma_2)` with :math:`A^\top DA` in
    place of :math:`D`:

    .. math:: \Delta_{\rm time}=\tfrac12\big[\operatorname{tr}(\Sigma_2^{-1}\Sigma_1)-2d
              +\log\det\Sigma_2-\log\det\Sigma_1\big],

    the gap per observed transition (the latent chains are Markov with equal marginals, so this is
    also the KL rate per time step). Zero iff :math:`A^\top DA=D`, e.g. all :math:`\rho_i` equal.
    """
    r = np.asarray(rho, dtype=np.float64).reshape(-1)
    d = r.size
    if d < 1 or not np.all(np.abs(r) < 1):
        raise ValueError(f"rho must hold autocorrelations in (-1, 1); got {r.tolist()}")
    Am = np.asarray(A, dtype=np.float64)
    if Am.shape != (d, d) or np.max(np.abs(Am @ Am.T - np.eye(d))) > 1e-10:
        raise ValueError(f"A must be an orthogonal ({d}, {d}) matrix; got shape {Am.shape}")
    D = np.diag(r)
    eye = np.eye(d)
    S1 = np.block([[eye, D], [D, eye]])
    D2 = Am.T @ D @ Am
    S2 = np.block([[eye, D2], [D2, eye]])
    _, ld1 = np.linalg.slogdet(S1)
    _, ld2 = np.linalg.slogdet(S2)
    return float(0.5 * (np.trace(np.linalg.solve(S2, S1)) - 2 * d + ld2 - ld1))


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
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator; got {type(rng).__name__}")
    if isinstance(n_mc, bool) or not isinstance(n_mc, (int, np.integer)) or n_mc < 10:
        raise ValueError(f"n_mc must be an integer >= 10; got {n_mc!r}")
    from impossibility.entangle import entangling_bijection
    from impossibility.priors import FactorizedPrior

    R = diagonal.plane_rotation(float(theta), 2)
    rows: dict[str, dict[str, Any]] = {}

    # unsupervised: a non-Gaussian prior, log p(x) of model and twin through f's log-det
    prior = FactorizedPrior([stats.laplace(), stats.logistic()])
    f = entangling_bijection(prior, R, require_complete=False)
    z = prior.sample(int(n_mc), rng)
    r = auxiliary.marginal_log_ratio(prior, f, z)
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

    # diagonal posterior: linear VAE of theory.md §3.7
    W, b, s2 = diagonal.reference_linear_decoder()
    Lam = diagonal.linear_posterior_precision(W, s2)
    x = W @ rng.standard_normal((2, 8)) + math.sqrt(s2) * rng.standard_normal((W.shape[0], 8))
    full = diagonal.fit_linear_encoder(x.T, W @ R.T, b, s2, family="full")["elbo"]
    full_gap = float(np.mean(diagonal.linear_log_px(x.T, W, b, s2) - full))
    rows["diagonal"] = {
        "label": "diagonal posterior (best ELBO)",
        "observed": "x",
        "gap": diagonal.mean_field_gap(Lam, R),
        "stderr": 0.0,
        "method": "closed form ½[Σ log(RΛRᵀ)ᵢᵢ − log det Λ]",
        "setting": "linear VAE D=5, σ²=0.3, column norms 2 and 0.7",
        "control_label": "full-covariance encoder",
        "control_gap": full_gap,
    }

    # auxiliary variable
    aux = auxiliary.AuxiliaryPrior([list(aux_scales), list(aux_scales)])
    fa = entangling_bijection(aux.marginal, R, require_complete=False)
    q = auxiliary.auxiliary_gap_quadrature(aux, fa, n_panels=int(quadrature_panels))
    iso = auxiliary.shared_rotation_gap([[aux_scales[0]] * 2, [aux_scales[1]] * 2], R)
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
    pg = pairs.pair_gap(gprior, fg, 1, float(noise), int(n_mc), rng)
    pc = pairs.pair_gap(gprior, fg, 2, float(noise), int(n_mc), rng)
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
    return {"rows": rows, "order": list(BIAS_ORDER), "theta": float(theta)}
