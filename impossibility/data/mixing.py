r"""Continuous independent factors observed through a known invertible smooth mixing.

.. math::

    z_i=F_i^{-1}\Big(\frac{k_i+U_i}{n_i}\Big),\ U_i\sim\mathcal U(0,1),\qquad x=s\big(g(z)\big),
    \qquad z=g^{-1}\big(s^{-1}(x)\big).

Integer factors :math:`k_i` (uniform) pick equal-probability bins of the prior marginals, a latent
is drawn inside its bin (so :math:`z\sim p(z)` exactly), and the observation is an invertible
(:class:`~impossibility.generative.InvertibleMLP`) or injective
(:class:`~impossibility.generative.InjectiveMLP`) network followed by the
:class:`~impossibility.data.AlgebraicSquash` :math:`s` onto (0, 1). The inverse is exact, so
:meth:`ContinuousMixingData.latents_from_observations` is the "true latents" representation.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from .._typing import Array, PriorLike
from .._validation import as_array, check_int, check_prior_like, check_rng
from ..generative import InjectiveMLP, InvertibleMLP, TanhResidual
from ..priors import FactorizedPrior
from .base import GroundTruthData
from .squash import AlgebraicSquash

__all__ = ["ContinuousMixingData"]


def _marginals(prior: PriorLike | None, K: int) -> list[Any]:
    if prior is None:
        return [stats.uniform() for _ in range(K)]
    return list(check_prior_like(prior, K, methods=(), consumer="the mixing").marginals)


def _bins(num_bins: int | Sequence[int], K: int) -> list[int]:
    if np.ndim(num_bins) == 0:  # one number for every factor
        return [check_int(num_bins, "num_bins", minimum=2)] * K
    bins = list(num_bins)
    if len(bins) != K:
        raise ValueError(f"num_bins must be an integer >= 2 or {K} such integers; got {num_bins!r}")
    return [check_int(b, f"num_bins[{i}]", minimum=2) for i, b in enumerate(bins)]


class ContinuousMixingData(GroundTruthData):
    r"""Independent continuous factors observed through a known invertible smooth mixing.

    :meth:`sample_factors` draws the bins :math:`k_i`, :meth:`sample_latents_from_factors` the
    latents inside them and :meth:`observations_from_latents` :math:`x=s(g(z))` (``squash=False``
    returns :math:`g(z)` itself). :meth:`latents_from_observations` is the exact inverse and
    :meth:`latents_to_factors` recovers the bins, :math:`k_i=\lfloor n_iF_i(z_i)\rfloor`.

    Parameters
    ----------
    mixing : InvertibleMLP or InjectiveMLP
        :math:`g`, with ``mixing.d`` = K (``observation_dim`` = K, resp. > K).
    num_bins : int or sequence of int, default=10
        :math:`n_i` (one value for all factors, or one per factor); each ≥ 2.
    prior : PriorLike, optional
        :math:`p(z)`; default independent :math:`\mathcal U(0,1)` latents.
    squash : bool, default=True
        Apply :math:`s` to the output (observations in (0, 1)).
    factor_names : sequence of str, optional
        Default ``["z0", "z1", ...]``.

    Attributes
    ----------
    squash_bijector : AlgebraicSquash or None
        :math:`s` on :math:`\mathbb R^D`; ``squash_bijector.inverse_and_log_det(x)`` gives
        :math:`g(z)=s^{-1}(x)` and :math:`\log|\det J_{s^{-1}}(x)|`, so that :math:`\log p(x)=`
        ``log_px_exact(mixing, prior, s⁻¹(x))`` :math:`+\log|\det J_{s^{-1}}(x)|`.
    """

    def __init__(
        self,
        mixing: InvertibleMLP | InjectiveMLP,
        num_bins: int | Sequence[int] = 10,
        prior: PriorLike | None = None,
        *,
        squash: bool = True,
        factor_names: Sequence[str] | None = None,
    ) -> None:
        if not isinstance(mixing, (InvertibleMLP, InjectiveMLP)):
            raise TypeError(
                f"mixing must be an InvertibleMLP or InjectiveMLP; got {type(mixing).__name__}"
            )
        self.mixing = mixing
        K = mixing.d
        self.factors_num_values = _bins(num_bins, K)
        self.marginals = _marginals(prior, K)
        self.prior = prior
        self.squash = bool(squash)
        self.squash_bijector = AlgebraicSquash(mixing.dim_x) if self.squash else None
        names = (
            [f"z{i}" for i in range(K)] if factor_names is None else [str(s) for s in factor_names]
        )
        if len(names) != K:
            raise ValueError(f"need {K} factor names; got {len(names)}")
        self.factor_names = names
        self.observation_shape = (mixing.dim_x,)
        # the latents' law as a FactorizedPrior: its support check validates latents
        self._latents = (
            prior if isinstance(prior, FactorizedPrior) else FactorizedPrior(self.marginals)
        )
        self._lower, self._upper = self._latents.support

    @classmethod
    def random(
        cls,
        num_factors: int,
        rng: np.random.Generator,
        *,
        num_bins: int | Sequence[int] = 10,
        prior: PriorLike | None = None,
        observation_dim: int | None = None,
        n_layers: int = 3,
        squash: bool = True,
    ) -> "ContinuousMixingData":
        """A data set with a random mixing (orthogonal layers, ``TanhResidual(2.0)``).

        ``observation_dim`` None or K gives a square invertible mixing, larger an injective one
        (``InjectiveMLP.random``). The latents are standardised before the mixing (by the
        prior's median and interquartile range, for the default :math:`\\mathcal U(0,1)`
        :math:`z\\mapsto 4(z-\\tfrac12)`), folded into the first layer so that :math:`g(z)` stays in
        a moderate range where the squash is well conditioned.
        """
        K = check_int(num_factors, "num_factors", minimum=1)
        rng = check_rng(rng)
        D = (
            K
            if observation_dim is None
            else check_int(observation_dim, "observation_dim", minimum=1)
        )
        if D < K:
            raise ValueError(f"observation_dim must be >= num_factors={K}; got {D}")
        marg = _marginals(prior, K)
        med = np.array([float(m.median()) for m in marg])
        iqr = np.array([float(m.ppf(0.75) - m.ppf(0.25)) for m in marg])
        scale = 2.0 / iqr  # maps the interquartile range onto [-1, 1]
        core = InvertibleMLP.random(K, rng, n_layers=n_layers, bias_scale=0.3)
        W1 = core.weights[0] * scale[None, :]
        b1 = core.biases[0] - W1 @ med
        core = InvertibleMLP([W1, *core.weights[1:]], [b1, *core.biases[1:]], core.nonlinearity)
        if D == K:
            mixing: InvertibleMLP | InjectiveMLP = core
        else:
            Q = stats.ortho_group.rvs(D, random_state=rng)[:, :K] if D > 1 else np.ones((1, 1))
            mixing = InjectiveMLP(core, Q, 0.3 * rng.standard_normal(D), TanhResidual(1.0))
        return cls(mixing, num_bins, prior, squash=squash)

    # ------------------------------------------------------------ latents ↔ factors
    def check_latents(self, z: ArrayLike) -> Array:
        """Validate continuous latents: shape (n, K), finite, inside the prior's open support."""
        arr = as_array(z, "latents", shape=(None, self.num_factors), finite=False)
        return self._latents.check_points(arr, name="latents")

    def sample_latents_from_factors(self, factors: ArrayLike, rng: np.random.Generator) -> Array:
        r"""Latents inside the factors' bins, :math:`z_i=F_i^{-1}((k_i+U_i)/n_i)`; shape (n, K).

        Quantiles above ½ use the inverse survival function of :math:`(n_i-k_i-U_i)/n_i` (no
        cancellation in :math:`1-q`). If the factors are uniform, :math:`z\sim p(z)` exactly.
        """
        f = self.check_factors(factors)
        rng = check_rng(rng)
        n = f.shape[0]
        z = np.empty((n, self.num_factors))
        for i, (m, nb) in enumerate(zip(self.marginals, self.factors_num_values, strict=True)):
            U = rng.random(n)
            q = (f[:, i] + U) / nb
            qc = (nb - f[:, i] - U) / nb
            low = q <= 0.5
            z[low, i] = m.ppf(q[low])
            z[~low, i] = m.isf(qc[~low])
            # a zero-probability draw U = 0 at the lowest bin would give the support endpoint
            z[:, i] = np.clip(
                z[:, i], np.nextafter(self._lower[i], np.inf), np.nextafter(self._upper[i], -np.inf)
            )
        return z

    def latents_to_factors(self, z: ArrayLike) -> NDArray[np.int64]:
        r"""Bin of each latent, :math:`k_i=\min(\lfloor n_iF_i(z_i)\rfloor,n_i-1)`, int64 (n, K)."""
        z = self.check_latents(z)
        out = np.empty(z.shape, dtype=np.int64)
        for i, (m, nb) in enumerate(zip(self.marginals, self.factors_num_values, strict=True)):
            out[:, i] = np.clip(np.floor(m.cdf(z[:, i]) * nb), 0, nb - 1).astype(np.int64)
        return out

    # ------------------------------------------------------------ latents ↔ observations
    def observations_from_latents(self, z: ArrayLike) -> Array:
        r""":math:`x=s(g(z))` (or :math:`g(z)` when ``squash=False``), shape (n, D)."""
        y = self.mixing.forward(self.check_latents(z))
        return y if self.squash_bijector is None else self.squash_bijector.forward(y)

    def latents_from_observations(self, x: ArrayLike) -> Array:
        r"""The exact inverse :math:`z=g^{-1}(s^{-1}(x))`, the "true latents" representation.

        For an injective mixing this is the left inverse, exact on the image of the mixing.
        """
        arr = as_array(x, "observations", shape=(None, self.observation_shape[0]))
        if self.squash_bijector is not None:
            arr = self.squash_bijector.inverse(arr)
        if isinstance(self.mixing, InvertibleMLP):
            return self.mixing.inverse(arr)
        return self.mixing.left_inverse(arr)

    def _observations(self, factors: NDArray[np.int64], rng: np.random.Generator) -> Array:
        return self.observations_from_latents(self.sample_latents_from_factors(factors, rng))

    def sample_with_latents(
        self, n: int, rng: np.random.Generator
    ) -> tuple[NDArray[np.int64], Array, Array]:
        """``(factors, latents, observations)`` drawn in that order from ``rng``."""
        factors = self.sample_factors(n, rng)
        z = self.sample_latents_from_factors(factors, rng)
        return factors, z, self.observations_from_latents(z)
