r"""The aggregate-posterior regularisers evaluated on a model *or* its entangled twin.

β-TCVAE's MWS total correlation, DIP-VAE's :math:`P(C)` and FactorVAE's density-ratio TC,
computed from what any :class:`~impossibility.vae.LatentModel` offers (sampled codes, encoder
moments, pairwise densities), so the size of the break of the symmetry can be measured: these
penalties change under an entangling :math:`f` unless the aggregate posterior is preserved by
:math:`f` (e.g. equals the prior), while β-VAE and AnnealedVAE are invariant (docs/theory.md §3.6).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from impossibility._typing import Array
from impossibility._validation import as_array, check_rng

from ..fit import train_loop
from ..forward import LatentModel
from ._common import check_dip_kind, default_lambda_d
from .dip import dip_penalty
from .discriminator import Discriminator
from .total_correlation import mws_total_correlation

__all__ = [
    "beta_tc_regularizer",
    "dip_regularizer",
    "factor_vae_regularizer",
    "regularizer_report",
]


def beta_tc_regularizer(
    model: LatentModel,
    x: ArrayLike,
    rng: np.random.Generator | None = None,
    *,
    eps: ArrayLike | None = None,
    dataset_size: int | None = None,
) -> float:
    r"""β-TCVAE's regulariser on a model or twin: the MWS TC estimate on the batch ``x``.

    Codes :math:`z_j` are sampled from the model's encoder (for a twin, :math:`z'_j=f(z_j)`), and
    the joint and per-dimension marginal densities :math:`q(z_j\mid x_i)`,
    :math:`q_l(z_{jl}\mid x_i)` come from ``model.pairwise_log_q`` (for a linear twin the
    marginals of :math:`N(A\mu,A\operatorname{diag}\sigma^2A^\top)`). See
    :func:`~impossibility.vae.mws_total_correlation`.

    Raises
    ------
    NotImplementedError
        For a twin under a nonlinear bijection (no closed-form marginals).
    """
    z = model.sample_codes(x, rng, eps=eps)
    joint, marg = model.pairwise_log_q(z, x)
    if marg is None:
        raise NotImplementedError(
            "the MWS estimator needs the marginal densities of every encoder coordinate; the "
            "pushforward of a diagonal Gaussian through a nonlinear f has no closed-form "
            "marginals. "
            "Use factor_vae_regularizer (sample-based) for nonlinear twins."
        )
    return mws_total_correlation(joint, marg, dataset_size=dataset_size)


def dip_regularizer(
    model: LatentModel,
    x: ArrayLike,
    *,
    lambda_od: float = 1.0,
    lambda_d: float | None = None,
    kind: str = "i",
    rng: np.random.Generator | None = None,
    n_mc: int = 2000,
) -> tuple[float, Array]:
    r"""DIP-VAE's penalty on a model or twin from its encoder moments.

    With per-input encoder mean :math:`m(x)` and covariance :math:`S(x)`
    (``model.encoder_moments``: :math:`\mu,\operatorname{diag}\sigma^2` for the VAE;
    :math:`A\mu,A\operatorname{diag}\sigma^2A^\top` for a twin with linear :math:`f`; Monte-Carlo
    moments with ``n_mc`` samples for a nonlinear one), DIP-I uses
    :math:`C=\operatorname{Cov}_B[m]` and DIP-II :math:`C=\operatorname{Cov}_B[m]+\overline{S}`
    (the full covariance for a twin, whose encoder is not diagonal).

    Returns
    -------
    penalty : float
    C : ndarray of shape (d, d)
    """
    kind = check_dip_kind(kind)
    if lambda_d is None:
        lambda_d = default_lambda_d(kind, lambda_od)
    mean, cov = model.encoder_moments(x, rng=rng, n_mc=n_mc)
    c = mean - mean.mean(axis=0)
    big_c = c.T @ c / mean.shape[0]
    if kind == "ii":
        big_c = big_c + cov.mean(axis=0)
    pen, _ = dip_penalty(big_c, lambda_od, lambda_d)
    return pen, big_c


def factor_vae_regularizer(
    model: LatentModel,
    x: ArrayLike,
    rng: np.random.Generator,
    *,
    discriminator: Discriminator | None = None,
    n_steps: int = 500,
    batch_size: int = 128,
    hidden: Sequence[int] = (32, 32),
    lr: float = 1e-3,
    n_eval: int | None = None,
    threads: int | None = 1,
) -> float:
    r"""FactorVAE's regulariser (density-ratio TC estimate) on a model or twin, from sampled codes.

    If ``discriminator`` is given it is evaluated as is (what the objective sees at these
    parameters); otherwise a fresh :class:`~impossibility.vae.Discriminator` is trained for
    ``n_steps`` on codes re-sampled from ``model`` on random batches of ``x`` (through
    :func:`~impossibility.vae.train_loop`), and evaluated on an independent draw of codes for all
    of ``x`` (or ``n_eval`` rows). The fresh discriminator uses a larger learning rate than the
    training default, since it starts from scratch. ``threads`` limits BLAS threads while
    training it.
    """
    check_rng(rng)
    x = as_array(x, "x")
    n = x.shape[0]
    if discriminator is None:
        disc = Discriminator(model.latent_dim, hidden, rng=rng, lr=lr)

        def step(t: int, idx: np.ndarray) -> dict[str, float]:
            return {"discriminator_loss": disc.step(model.sample_codes(x[idx], rng), rng)}

        train_loop(
            step,
            n_rows=n,
            n_steps=n_steps,
            batch_size=min(batch_size, n),
            rng=rng,
            threads=threads,
        )
        discriminator = disc
    xe = x if n_eval is None else x[rng.integers(0, n, size=int(n_eval))]
    return discriminator.tc_estimate(model.sample_codes(xe, rng))


def regularizer_report(
    model: LatentModel,
    twin: LatentModel,
    x: ArrayLike,
    rng: np.random.Generator,
    *,
    dip_lambda_od: float = 1.0,
    factor_vae: bool = True,
    factor_vae_kwargs: Mapping[str, Any] | None = None,
    n_mc: int = 2000,
) -> dict[str, dict[str, float]]:
    r"""Each aggregate-posterior regulariser on ``model`` and on ``twin``, and the change under f.

    β-TCVAE's TC (common random numbers for model and twin; skipped for a nonlinear twin), DIP-I
    and DIP-II penalties (study defaults :math:`\lambda_d`), and — if ``factor_vae`` — the
    density-ratio TC from freshly trained discriminators (same seed for both).

    Returns
    -------
    dict
        ``{regulariser: {"model": value, "twin": value, "gap": twin − model}}``.
    """
    check_rng(rng)
    x = as_array(x, "x")
    out: dict[str, dict[str, float]] = {}

    def put(name: str, a: float, b: float) -> None:
        out[name] = {"model": float(a), "twin": float(b), "gap": float(b) - float(a)}

    eps = rng.standard_normal((x.shape[0], model.latent_dim))
    try:
        put(
            "beta_tc_vae_tc",
            beta_tc_regularizer(model, x, eps=eps),
            beta_tc_regularizer(twin, x, eps=eps),
        )
    except NotImplementedError:
        pass
    mc_seed = int(rng.integers(2**63))
    for kind in ("i", "ii"):
        put(
            f"dip_vae_{kind}",
            dip_regularizer(model, x, lambda_od=dip_lambda_od, kind=kind)[0],
            dip_regularizer(
                twin,
                x,
                lambda_od=dip_lambda_od,
                kind=kind,
                rng=np.random.default_rng(mc_seed),
                n_mc=n_mc,
            )[0],
        )
    if factor_vae:
        kw = dict(factor_vae_kwargs or {})
        seed = int(rng.integers(2**63))
        put(
            "factor_vae_tc",
            factor_vae_regularizer(model, x, np.random.default_rng(seed), **kw),
            factor_vae_regularizer(twin, x, np.random.default_rng(seed), **kw),
        )
    return out
