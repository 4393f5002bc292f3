r"""Does a bijection preserve a model's prior, :math:`f_\#p=p`? The guard of every twin.

.. math:: f_\#p=p\iff p(f(u))\,\lvert\det J_f(u)\rvert=p(u)\ \text{for every }u.

A twin built from an :math:`f` that does not preserve the model's prior is a different model
(docs/theory.md §3.1): its ELBO and :math:`\log p(x)` change. Decided structurally where the map
says what it preserves, otherwise by the pointwise identity above at draws of the prior:

* a map with a ``prior`` attribute (``Conjugated``, ``EntanglingBijection``, the controls)
  preserves that prior, if its inner map preserves :math:`\mathcal N(0,I)`: it must equal the
  model's prior;
* a map that declares ``preserves_standard_normal`` (``Orthogonal``, ``Swirl``,
  ``DarmoisShear2D`` and their inverses) preserves :math:`\mathcal N(0,I)` only;
* anything else: the identity at 64 draws of the prior from a fixed seed (the caller's
  Generator is not touched), within :data:`NUMERIC_TOLERANCE`.

A leaf module: it imports nothing from the package but ``tolerances``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .tolerances import DENSITY_INVARIANCE

__all__ = ["NUMERIC_TOLERANCE", "check_preserves_prior", "is_standard_normal"]

#: Largest accepted :math:`\lvert\log p(f(u))+\log\lvert\det J_f(u)\rvert-\log p(u)\rvert` (nats)
#: at draws of the prior. A correct map meets ``DENSITY_INVARIANCE`` (1e-9) there; the
#: mismatches this guards against move the log-density by order one (a Laplace map on
#: :math:`\mathcal N(0,I)`: 1.29 nats), so a thousandfold margin separates the two.
NUMERIC_TOLERANCE = 1e3 * DENSITY_INVARIANCE

_N_DRAWS = 64
_LOG_2PI = float(np.log(2.0 * np.pi))


def is_standard_normal(prior: Any) -> bool:
    """Whether ``prior`` is :math:`\\mathcal N(0,I)`: ``None`` or all marginals ``norm(0, 1)``."""
    if prior is None:
        return True
    try:
        return all(
            m.dist.name == "norm" and float(m.mean()) == 0.0 and float(m.std()) == 1.0
            for m in prior.marginals
        )
    except AttributeError:
        return False


def _same_prior(a: Any, b: Any) -> bool:
    if is_standard_normal(a) or is_standard_normal(b):
        return is_standard_normal(a) and is_standard_normal(b)
    return repr(a) == repr(b)


def _describe(prior: Any) -> str:
    return "N(0, I)" if is_standard_normal(prior) else repr(prior)


def _declares_standard_normal(f: Any) -> bool:
    return bool(getattr(f, "preserves_standard_normal", False))


def _log_prob(prior: Any, z: np.ndarray) -> np.ndarray:
    if prior is None:
        return -0.5 * (np.einsum("ij,ij->i", z, z) + z.shape[1] * _LOG_2PI)
    return np.asarray(prior.log_prob(z), dtype=np.float64)


def _numeric_error(f: Any, prior: Any, d: int) -> float:
    rng = np.random.default_rng(0)
    u = (
        rng.standard_normal((_N_DRAWS, d))
        if prior is None
        else np.asarray(prior.sample(_N_DRAWS, rng), dtype=np.float64)
    )
    v, ld = f.forward_and_log_det(u)
    err = np.abs(_log_prob(prior, np.asarray(v, dtype=np.float64)) + ld - _log_prob(prior, u))
    return float(np.max(err)) if np.all(np.isfinite(err)) else float("inf")


def check_preserves_prior(f: Any, prior: Any, d: int, *, name: str = "f") -> None:
    r"""Raise ``ValueError`` unless the bijection ``f`` preserves ``prior`` (``None``:
    :math:`\mathcal N(0,I_d)`).

    Raises
    ------
    ValueError
        If ``f`` declares another prior, preserves only :math:`\mathcal N(0,I)` while the prior
        is not, or breaks :math:`p(f(u))\lvert\det J_f(u)\rvert=p(u)` at a draw of the prior by
        more than :data:`NUMERIC_TOLERANCE`; the message names ``name`` and both priors.
    """
    hint = (
        f"; build {name} from the model's prior, e.g. "
        "entangling_bijection(vae.prior or FactorizedPrior.standard_normal(d), A)"
    )
    own = getattr(f, "prior", None)
    if own is not None:
        if not _same_prior(own, prior):
            raise ValueError(
                f"{name} preserves {_describe(own)}, not the model's prior {_describe(prior)}"
                + hint
            )
        inner = getattr(f, "inner", None)
        if inner is None or _declares_standard_normal(inner):
            return
    elif _declares_standard_normal(f):
        if is_standard_normal(prior):
            return
        raise ValueError(
            f"{name} ({type(f).__name__}) preserves N(0, I) only, not the model's prior "
            f"{_describe(prior)}" + hint
        )
    try:
        err = _numeric_error(f, prior, d)
    except ValueError as e:
        raise ValueError(
            f"{name} is not defined on draws of the model's prior {_describe(prior)} ({e}); "
            f"it does not preserve that prior" + hint
        ) from None
    if not err <= NUMERIC_TOLERANCE:
        raise ValueError(
            f"{name} does not preserve the model's prior {_describe(prior)}: "
            f"|log p(f(u)) + log|det J_f(u)| - log p(u)| = {err:.3g} nats at a draw u of the "
            f"prior (accepted: {NUMERIC_TOLERANCE:.0e})" + hint
        )
