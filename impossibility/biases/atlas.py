r"""The atlas: one row per bias added since 2019, each number computed two independent ways.

.. math:: C_{\rm IMA},\quad \mathrm{gap}_{\rm MF}(\sigma),\quad \mathrm{KL}_u,\quad
          L_0/L_1\ \text{excess},\quad \delta_{\rm iso}

Rows in the format of :func:`~.table.bias_table` (``label``, ``observed``, ``gap``, ``stderr``,
``method``, ``setting``, ``control_label``, ``control_gap``) plus ``check`` (the second
computation), ``check_method`` and ``unit`` (``"nats"`` for log-likelihood, ELBO and IMA gaps; the
sparsity and isometry rows count entries or squared Jacobian defects). d = 2 and the 45° rotation
throughout, Theorem 1's :math:`f=G^{-1}R(\pi/4)G` for the logistic × logistic prior where the row
is nonlinear (docs/theory.md §5.6). :func:`setting_curves` shows how the magnitude of a row
depends on its setting.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from impossibility._validation import check_int, check_rng
from impossibility.priors import FactorizedPrior

from .diagonal import plane_rotation
from .embrace_gap import embrace_gap, gap_curve_bfgs
from .ima import (
    OrthogonalColumnsGenerator,
    linear_ima_contrast,
    twin_contrast_mc,
    twin_contrast_quadrature,
    twin_jacobian,
)
from .isometry import isometry_defect_mc, isometry_defect_quadrature
from .ivae import ivae_gap, segment_kl_quadrature
from .linear_vae import fit_linear_encoder, linear_log_px
from .pairs import pair_gap, pair_gap_leading_term
from .sparsity import SparseGenerator, fit_transition, sparsity_numbers, twin_transition
from .temporal import ar1_pair_gap

__all__ = ["ATLAS_ORDER", "atlas_rows", "setting_curves"]

#: Row keys of :func:`atlas_rows`, in display order.
ATLAS_ORDER = ("ima", "embrace_gap", "ivae", "sparsity_decoder", "sparsity_transition", "isometry")


def _logistic() -> FactorizedPrior:
    return FactorizedPrior([stats.logistic(), stats.logistic()])


def atlas_rows(
    rng: np.random.Generator,
    *,
    n_mc: int = 20_000,
    sigma: float = 0.1,
    quadrature_panels: int = 24,
    n_fit: int = 4,
) -> dict[str, dict[str, Any]]:
    r"""The new rows, keyed by :data:`ATLAS_ORDER`.

    Parameters
    ----------
    rng : numpy.random.Generator
        For the Monte-Carlo checks and the points the BFGS encoders are fitted on.
    n_mc : int, default=20000
        Samples of the Monte-Carlo computations (nonlinear IMA, isometry, sparsity, regression).
    sigma : float, default=0.1
        Decoder noise of the embrace-the-gap row.
    quadrature_panels : int, default=24
        Panels per dimension of the quadrature computations.
    n_fit : int, default=4
        Points per BFGS fit (the gap does not depend on x).
    """
    check_rng(rng)
    n_mc = check_int(n_mc, "n_mc", minimum=10)
    panels = check_int(quadrature_panels, "quadrature_panels", minimum=2)
    n_fit = check_int(n_fit, "n_fit", minimum=1)
    from impossibility.entangle import entangling_bijection  # lazy: keeps `biases` light

    R = plane_rotation(math.pi / 4)
    W = np.diag([1.0, 2.0])
    prior = _logistic()
    f = entangling_bijection(prior, R, require_complete=False)
    rows: dict[str, dict[str, Any]] = {}

    g = OrthogonalColumnsGenerator(np.eye(2), [0.5, 1.5])
    nq = twin_contrast_quadrature(g.jacobian, prior, f, n_panels=panels)
    nm = twin_contrast_mc(g.jacobian, prior, f, n_mc, rng)
    Wt = W @ R.T
    rows["ima"] = {
        "label": "IMA: orthogonal Jacobian columns",
        "observed": "x (model class)",
        "unit": "nats",
        "gap": linear_ima_contrast(W, R),
        "stderr": 0.0,
        "method": "Σᵢ log‖(WRᵀ)ᵢ‖ − log|det W| (Gram matrix)",
        "check": float(
            np.sum(np.log(np.linalg.norm(Wt, axis=0))) - math.log(abs(np.linalg.det(Wt)))
        ),
        "check_method": "column norms and det of WRᵀ directly",
        "nonlinear_quadrature": nq["twin"],
        "nonlinear_error_estimate": nq["error_estimate"],
        "nonlinear_mc": nm["twin"],
        "nonlinear_mc_stderr": nm["twin_stderr"],
        "nonlinear_true": nm["true"],
        "setting": "W = diag(1, 2), R(45°); nonlinear g = h elementwise, logistic prior",
        "control_label": "isotropic W = 2I",
        "control_gap": linear_ima_contrast(2 * np.eye(2), R),
    }

    s2, b = sigma * sigma, np.zeros(2)
    x = rng.standard_normal((n_fit, 2)) @ Wt.T + sigma * rng.standard_normal((n_fit, 2))
    full = fit_linear_encoder(x, Wt, b, s2, family="full")["elbo"]
    rows["embrace_gap"] = {
        "label": "embrace the gap: mean-field ELBO",
        "observed": "x",
        "unit": "nats",
        "gap": float(embrace_gap(W, R, sigma)[0]),
        "stderr": 0.0,
        "method": "½[Σ log(σ² + Mᵢᵢ) − log det(σ²I + M)], M = RWᵀWRᵀ",
        "check": float(gap_curve_bfgs(W, R, [sigma], n_fit, rng)[0]),
        "check_method": "log p(x) − BFGS-optimal diagonal-encoder ELBO",
        "gap_sigma_1": float(embrace_gap(W, R, 1.0)[0]),
        "limit": linear_ima_contrast(W, R),
        "setting": f"W = diag(1, 2), R(45°), σ = {sigma:g} (→ log 1.25 as σ → 0)",
        "control_label": "full-covariance encoder",
        "control_gap": float(np.mean(linear_log_px(x, Wt, b, s2) - full)),
    }

    lam = np.array([[1.0, 4.0], [4.0, 1.0]])
    rows["ivae"] = {
        "label": "iVAE: segment variances Λᵤ",
        "observed": "(x, u)",
        "unit": "nats",
        "gap": ivae_gap(lam, R),
        "stderr": 0.0,
        "method": "½[tr(Λᵤ⁻¹AΛᵤAᵀ) − d], mean over segments",
        "check": float(np.mean(segment_kl_quadrature(lam, R))),
        "check_method": "Gauss–Hermite quadrature of the log-density ratio (exact: quadratic)",
        "setting": "segments Λ = diag(1, 4), diag(4, 1), R(45°)",
        "control_label": "isotropic segments Λ = I, 4I",
        "control_gap": ivae_gap([[1.0, 1.0], [4.0, 4.0]], R),
    }

    sg = SparseGenerator()
    z = prior.sample(min(n_mc, 2000), rng)
    J = sg.jacobian(z)
    sn = sparsity_numbers(J, twin_jacobian(sg.jacobian, f, z))
    h = 1e-6  # finite differences of g ∘ f⁻¹: an independent support of the twin's Jacobian
    cols = [
        (sg.forward(f.inverse(z + h * e)) - sg.forward(f.inverse(z - h * e))) / (2 * h)
        for e in np.eye(2)
    ]
    fd = np.stack(cols, axis=-1)
    sfd = sparsity_numbers(J, fd, tol=1e-5)
    fp = entangling_bijection(prior, np.eye(2)[[1, 0]], require_complete=False)
    rows["sparsity_decoder"] = {
        "label": "sparse decoder Jacobian",
        "observed": "x (model class)",
        "unit": "L0 entries",
        "gap": sn["l0_gap"],
        "stderr": 0.0,
        "l0_true": sn["l0_true"],
        "l0_twin": sn["l0_twin"],
        "l1_true": sn["l1_true"],
        "l1_twin": sn["l1_twin"],
        "l1_true_stderr": sn["l1_true_stderr"],
        "l1_twin_stderr": sn["l1_twin_stderr"],
        "method": "L0 of the analytic Jacobians J_g and J_g J_{f⁻¹}",
        "check": sfd["l0_gap"],
        "check_method": "L0 of central finite differences (tolerance 1e-5)",
        "setting": "g: ℝ² → ℝ³ with support {11, 22, 31, 32}, logistic prior",
        "control_label": "permutation twin",
        "control_gap": sparsity_numbers(J, twin_jacobian(sg.jacobian, fp, z))["l0_gap"],
    }

    rho = (0.9, 0.3)
    M = np.diag(rho)
    Mt = twin_transition(M, R)
    tn = sparsity_numbers(M, Mt, normalize=False)
    fit = fit_transition(rho, R, n_mc * 5, rng)
    rows["sparsity_transition"] = {
        "label": "sparse latent transitions",
        "observed": "(xₜ, xₜ₋₁)",
        "unit": "L0 entries",
        "gap": tn["l0_gap"],
        "stderr": 0.0,
        "l0_true": tn["l0_true"],
        "l0_twin": tn["l0_twin"],
        "l1_true": tn["l1_true"],
        "l1_twin": tn["l1_twin"],
        "method": "L0 of M = diag(ρ) and of the twin's RᵀMR",
        "check": float(np.sum(np.abs(fit["twin"]) > 0.05) - np.sum(np.abs(fit["true"]) > 0.05)),
        "check_method": f"least squares on a simulated chain of {n_mc * 5} steps, |entry| > 0.05",
        "fit_twin": fit["twin"].tolist(),
        "setting": f"AR(1), ρ = ({rho[0]:g}, {rho[1]:g})",
        "control_label": "equal autocorrelations",
        "control_gap": sparsity_numbers(
            0.9 * np.eye(2), twin_transition(0.9 * np.eye(2), R), normalize=False
        )["l0_gap"],
    }

    iq = isometry_defect_quadrature(prior, f, n_panels=panels)
    im_ = isometry_defect_mc(prior, f, n_mc, rng)
    gp = FactorizedPrior.standard_normal(2)
    fg = entangling_bijection(gp, R, require_complete=False)
    rows["isometry"] = {
        "label": "local isometry",
        "observed": "x (model class)",
        "unit": "E‖JᵀJ − I‖²",
        "gap": iq["defect"],
        "stderr": 0.0,
        "error_estimate": iq["error_estimate"],
        "method": "quadrature in Gaussian coordinates, analytic J_{f⁻¹}",
        "check": im_["defect"],
        "check_stderr": im_["stderr"],
        "check_method": f"Monte Carlo, {n_mc} samples",
        "setting": "f = G⁻¹R(45°)G, logistic × logistic prior",
        "control_label": "N(0, I) prior (f a rotation)",
        "control_gap": isometry_defect_quadrature(gp, fg, n_panels=4)["defect"],
    }
    return rows


def setting_curves(rng: np.random.Generator, *, n_mc: int = 4000) -> dict[str, dict[str, Any]]:
    r"""How the magnitude of a row depends on its setting: one curve per knob.

    ``pairs`` (soft-sharing noise :math:`\sigma_n`: Monte Carlo ± standard error and the leading
    term :math:`c/\sigma_n^2`), ``embrace_gap`` (decoder noise σ), ``time`` (the second
    autocorrelation at :math:`\rho_1=0.9`), ``ivae`` (the segment's variance ratio).
    """
    check_rng(rng)
    n_mc = check_int(n_mc, "n_mc", minimum=10)
    from impossibility.entangle import entangling_bijection  # lazy: keeps `biases` light

    R = plane_rotation(math.pi / 4)
    gp = FactorizedPrior.standard_normal(2)
    fg = entangling_bijection(gp, R, require_complete=False)
    noise = np.array([0.05, 0.1, 0.2, 0.4, 0.8])
    pg = [pair_gap(gp, fg, 1, float(s), n_mc, rng) for s in noise]
    c = pair_gap_leading_term(gp, fg, 1, n_mc, rng)
    sig = np.geomspace(1e-2, 10, 40)
    r2 = np.linspace(-0.95, 0.95, 39)
    ratio = np.geomspace(1, 100, 40)
    return {
        "pairs": {
            "x": noise.tolist(),
            "gap": [p["gap"] for p in pg],
            "stderr": [p["stderr"] for p in pg],
            "leading": (c["c"] / noise**2).tolist(),
            "xlabel": "soft-sharing noise σₙ",
        },
        "embrace_gap": {
            "x": sig.tolist(),
            "gap": embrace_gap(np.diag([1.0, 2.0]), R, sig).tolist(),
            "limit": linear_ima_contrast(np.diag([1.0, 2.0]), R),
            "xlabel": "decoder noise σ",
        },
        "time": {
            "x": r2.tolist(),
            "gap": [ar1_pair_gap((0.9, float(r)), R) for r in r2],
            "xlabel": "ρ₂ (ρ₁ = 0.9)",
        },
        "ivae": {
            "x": ratio.tolist(),
            "gap": [ivae_gap([[1.0, float(q)]], R) for q in ratio],
            "xlabel": "variance ratio λ₂/λ₁ of the segment",
        },
    }
