"""The study's six objectives by name, and the hyperparameter grid of ``unsupervised_study_v1``.

:func:`make_objective` builds ``name`` with its grid value: β (``beta_vae``, ``beta_tc_vae``),
:math:`C_{max}` (``annealed_vae``), γ (``factor_vae``) or λ_od (``dip_vae_i``, ``dip_vae_ii``).
"""

from __future__ import annotations

from typing import Any, Callable

from impossibility._validation import check_choice

from .annealed import AnnealedVAE
from .base import Objective
from .beta import BetaVAE
from .beta_tc import BetaTCVAE
from .dip import DIPVAE
from .factor_vae import FactorVAE

__all__ = ["OBJECTIVES", "STUDY_GRID", "make_objective"]

#: The hyperparameter grid of ``unsupervised_study_v1`` (docs/theory.md §6.2, docs/metrics.md §4).
STUDY_GRID: dict[str, tuple[float, ...]] = {
    "beta_vae": (1.0, 2.0, 4.0, 6.0, 8.0, 16.0),
    "annealed_vae": (5.0, 10.0, 25.0, 50.0, 75.0, 100.0),
    "factor_vae": (10.0, 20.0, 30.0, 40.0, 50.0, 100.0),
    "dip_vae_i": (1.0, 2.0, 5.0, 10.0, 20.0, 50.0),
    "dip_vae_ii": (1.0, 2.0, 5.0, 10.0, 20.0, 50.0),
    "beta_tc_vae": (1.0, 2.0, 4.0, 6.0, 8.0, 10.0),
}

#: Objective constructors by the study's model names.
OBJECTIVES: dict[str, Callable[..., Objective]] = {
    "beta_vae": BetaVAE,
    "annealed_vae": AnnealedVAE,
    "beta_tc_vae": BetaTCVAE,
    "factor_vae": FactorVAE,
    "dip_vae_i": lambda lambda_od, **kw: DIPVAE(lambda_od, kind="i", **kw),
    "dip_vae_ii": lambda lambda_od, **kw: DIPVAE(lambda_od, kind="ii", **kw),
}


def make_objective(name: str, value: float, **kwargs: Any) -> Objective:
    """Build the study's objective ``name`` with its grid hyperparameter ``value``.

    Examples
    --------
    >>> make_objective("dip_vae_ii", 5.0).lambda_d
    5.0
    """
    check_choice(name, "objective", OBJECTIVES)
    return OBJECTIVES[name](value, **kwargs)
