"""Helpers the objectives share: their logs, their argument checks, the study's DIP defaults."""

from __future__ import annotations

import numpy as np

from impossibility._validation import check_scalar

from ..forward import ForwardPass


def base_logs(fp: ForwardPass) -> dict[str, float]:
    """``reconstruction`` (−mean log p(x|z)), ``kl`` and ``elbo`` of a forward pass."""
    rec = float(np.mean(fp.rec))
    kl = float(np.mean(fp.kl))
    return {"reconstruction": -rec, "kl": kl, "elbo": rec - kl}


def require_gaussian(fp: ForwardPass, who: str) -> None:
    """Raise ``TypeError`` if the forward pass has no diagonal-Gaussian encoder (a twin's)."""
    if fp.mu is None or fp.logvar is None:
        raise TypeError(
            f"{who} needs a diagonal-Gaussian encoder (mu, logvar); a twin's forward pass has "
            "none. "
            "Use beta_tc_regularizer / dip_regularizer / factor_vae_regularizer to evaluate the "
            "regulariser on a twin."
        )


def check_weight(value: float, name: str) -> float:
    """A finite, non-negative objective weight (β, γ, λ, C) as ``float``."""
    return check_scalar(value, name, minimum=0.0)


def check_dip_kind(kind: str) -> str:
    """``"i"`` or ``"ii"`` (case-insensitive); ``TypeError``/``ValueError`` otherwise."""
    if not isinstance(kind, str):
        raise TypeError(f"DIP-VAE kind must be 'i' or 'ii' (a string); got {type(kind).__name__}")
    k = kind.lower()
    if k not in ("i", "ii"):
        raise ValueError(f"DIP-VAE kind must be 'i' or 'ii'; got {kind!r}")
    return k


def default_lambda_d(kind: str, lambda_od: float) -> float:
    """The study's :math:`\\lambda_d`: :math:`10\\lambda_{od}` (type I) or :math:`\\lambda_{od}`
    (type II)."""
    return (10.0 if kind == "i" else 1.0) * lambda_od
