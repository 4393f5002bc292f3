r"""The component API of a VAE: validation, encoder and decoder networks, likelihood and prior.

Encoder :math:`x\mapsto(\mu,\log\sigma^2)`, an MLP with a :math:`2d`-wide last layer; decoder
:math:`z\mapsto o`, an MLP whose output parameterises :math:`p_\theta(x\mid o)`
(:class:`~impossibility.vae.DecoderLikelihood`); prior :math:`p(z)`
(:class:`~impossibility.vae.LatentPrior`). :class:`VAEBase` builds them and offers the pieces the
model's estimates, its entangled twin and the inductive-bias models are assembled from
(:class:`VAEComponents`), each working on arrays validated once by ``check_x``/``check_z``.
"""

from __future__ import annotations

import numbers
from typing import Any, Callable, Protocol, Sequence, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from impossibility import nn
from impossibility._typing import Array, PriorLike
from impossibility._validation import all_finite, as_array, check_choice, check_int, check_rng

from .likelihoods import DecoderLikelihood
from .priors import LatentPrior

__all__ = ["VAEBase", "VAEComponents", "VAE_COMPONENTS", "KL_MODES"]

#: How the KL term can be estimated: closed form, Monte Carlo, or closed form when it exists.
KL_MODES = ("auto", "analytic", "mc")


@runtime_checkable
class VAEComponents(Protocol):
    """The public component API of a :class:`~impossibility.vae.VAE` that its twin is built on.

    Validation (``check_x``, ``check_z``, ``standard_noise``), the diagonal-Gaussian encoder
    (``encode``, ``sample_codes``, ``log_q``), the decoder (a callable ``decoder`` network,
    ``decode``, ``log_likelihood``, ``observation_log_likelihood``, ``observe``) and the prior
    (``latent_prior``, ``log_prior``).
    """

    latent_dim: int
    x_shape: tuple[int, ...]
    x_size: int
    latent_prior: LatentPrior
    decoder: Callable[[Array], Array]

    @property
    def prior(self) -> PriorLike | None: ...

    @property
    def prior_is_standard_normal(self) -> bool: ...

    def check_x(self, x: ArrayLike, *, check_range: bool = True) -> Array: ...

    def check_z(self, z: ArrayLike, name: str = "z") -> Array: ...

    def standard_noise(
        self,
        n: int,
        *,
        rng: np.random.Generator | None = None,
        eps: ArrayLike | None = None,
        n_samples: int | None = None,
    ) -> Array: ...

    def encode(self, x: ArrayLike) -> tuple[Array, Array]: ...

    def sample_codes(
        self, x: ArrayLike, rng: np.random.Generator | None = None, *, eps: ArrayLike | None = None
    ) -> Array: ...

    def log_q(self, z: ArrayLike, x: ArrayLike) -> Array: ...

    def decode(self, z: ArrayLike) -> Array: ...

    def log_likelihood(self, x: ArrayLike, z: ArrayLike) -> Array: ...

    def log_prior(self, z: ArrayLike) -> Array: ...

    def observation_log_likelihood(
        self, out: Array, x: Array
    ) -> tuple[Array, Array, Array | None]: ...

    def observe(
        self, out: Array, rng: np.random.Generator | None = None, mode: str = "mean"
    ) -> Array: ...


#: The methods :class:`VAEComponents` requires (checked by the twin).
VAE_COMPONENTS = (
    "check_x",
    "check_z",
    "standard_noise",
    "encode",
    "sample_codes",
    "log_q",
    "decode",
    "log_likelihood",
    "log_prior",
    "observation_log_likelihood",
    "observe",
)


class VAEBase:
    """Networks, likelihood, prior and validation of a VAE (see :class:`~impossibility.vae.VAE`,
    which adds the estimates, the gradients and training; its docstring lists the parameters)."""

    def __init__(
        self,
        x_dim: int | Sequence[int],
        latent_dim: int = 10,
        *,
        hidden: Sequence[int] = (256, 256),
        likelihood: str = "bernoulli",
        prior: PriorLike | None = None,
        obs_std: float | None = None,
        activation: str = "relu",
        rng: np.random.Generator,
        dtype: DTypeLike = np.float64,
    ):
        check_rng(rng)
        self.dtype = nn.check_dtype(dtype)
        if isinstance(x_dim, numbers.Integral) and not isinstance(x_dim, (bool, np.bool_)):
            shape: tuple[Any, ...] = (x_dim,)
        else:
            try:
                shape = tuple(x_dim)
            except TypeError:
                raise TypeError(
                    f"x_dim must be a positive integer or a shape tuple; got {type(x_dim).__name__}"
                ) from None
        if not shape:
            raise ValueError(f"x_dim must be a positive integer or a shape tuple; got {x_dim!r}")
        self.x_shape = tuple(check_int(s, "x_dim", minimum=1) for s in shape)
        self.x_size = int(np.prod(self.x_shape))
        self.latent_dim = check_int(latent_dim, "latent_dim", minimum=1)
        self.hidden = tuple(check_int(h, "hidden width", minimum=1) for h in hidden)
        self.decoder_likelihood = DecoderLikelihood(likelihood, obs_std)
        self.likelihood = likelihood
        self.obs_std = self.decoder_likelihood.obs_std
        self.activation = check_choice(activation, "activation", nn.ACTIVATIONS)
        self.latent_prior = LatentPrior(prior, self.latent_dim)
        d, D = self.latent_dim, self.x_size
        kw = {"rng": rng, "activation": activation, "dtype": self.dtype}
        self.encoder = nn.mlp([D, *self.hidden, 2 * d], **kw)
        self.decoder = nn.mlp([d, *reversed(self.hidden), D], **kw)
        self.obs_logvar: Array | None = (
            np.zeros(D, dtype=self.dtype) if self.decoder_likelihood.learns_variance else None
        )
        self.optimizer: nn.Adam | None = None
        self.steps_trained = 0

    # -------------------------------------------------------------------------- properties
    @property
    def prior(self) -> PriorLike | None:
        """The prior (``None`` means the default :math:`\\mathcal N(0, I)`)."""
        return self.latent_prior.prior

    @property
    def prior_is_standard_normal(self) -> bool:
        """Whether the prior is :math:`\\mathcal N(0,I)` (then the closed-form KL is available)."""
        return self.latent_prior.standard_normal

    def parameters(self) -> dict[str, Array]:
        """All live parameter arrays (``encoder.*``, ``decoder.*``, and ``obs_logvar`` if
        learned)."""
        out = {f"encoder.{k}": v for k, v in self.encoder.parameters().items()}
        out.update({f"decoder.{k}": v for k, v in self.decoder.parameters().items()})
        if self.obs_logvar is not None:
            out["obs_logvar"] = self.obs_logvar
        return out

    def config(self) -> dict[str, Any]:
        """JSON-able constructor arguments (without ``rng``)."""
        return {
            "x_dim": list(self.x_shape),
            "latent_dim": self.latent_dim,
            "hidden": list(self.hidden),
            "likelihood": self.likelihood,
            "prior": self.latent_prior.spec(),
            "obs_std": self.obs_std,
            "activation": self.activation,
            "dtype": self.dtype.name,
        }

    def __repr__(self) -> str:
        prior = "N(0, I)" if self.prior is None else repr(self.prior)
        extra = "" if self.dtype == np.float64 else f", dtype={self.dtype.name}"
        return (
            f"VAE(x_dim={self.x_shape}, latent_dim={self.latent_dim}, hidden={self.hidden}, "
            f"likelihood={self.likelihood!r}, prior={prior}{extra})"
        )

    # ------------------------------------------------------------- components: validation
    def check_x(self, x: ArrayLike, *, check_range: bool = True) -> Array:
        """Observations as a finite float64 array of shape (n, D).

        Accepts (n, *x_dim), (n, D), or one observation (*x_dim) or (D,). With ``check_range``
        a Bernoulli decoder also requires targets in [0, 1].

        Raises
        ------
        TypeError
            If ``x`` is not numeric.
        ValueError
            If its shape does not fit, it holds NaN or infinite values, or (Bernoulli) a target
            lies outside [0, 1].
        """
        arr = as_array(x, "x", finite=False)
        if arr.ndim >= 1 and arr.shape[1:] == self.x_shape:
            arr = arr.reshape(arr.shape[0], self.x_size)
        elif arr.shape[1:] == (self.x_size,) and arr.ndim == 2:
            pass
        elif arr.shape == self.x_shape or arr.shape == (self.x_size,):
            arr = arr.reshape(1, self.x_size)
        else:
            raise ValueError(
                f"x must have shape (n, *{self.x_shape}) or (n, {self.x_size}); got {np.shape(x)}"
            )
        if arr.shape[0] == 0:
            raise ValueError(f"x holds no observations (shape {np.shape(x)}); expected n ≥ 1 rows")
        if not all_finite(arr):
            raise ValueError("x contains NaN or infinite values; expected finite numbers")
        if check_range:
            self.decoder_likelihood.check_targets(arr)
        return arr

    def check_z(self, z: ArrayLike, name: str = "z") -> Array:
        """Codes as a finite float64 array of shape (n, d); one code (d,) becomes (1, d)."""
        arr = as_array(z, name, finite=False)
        if arr.ndim == 1 and arr.shape[0] == self.latent_dim:
            arr = arr[None]
        if arr.ndim != 2 or arr.shape[1] != self.latent_dim:
            raise ValueError(f"{name} must have shape (n, {self.latent_dim}); got {np.shape(z)}")
        if not all_finite(arr):
            raise ValueError(f"{name} contains NaN or infinite values; expected finite numbers")
        return arr

    def standard_noise(
        self,
        n: int,
        *,
        rng: np.random.Generator | None = None,
        eps: ArrayLike | None = None,
        n_samples: int | None = None,
    ) -> Array:
        r"""Standard-normal noise :math:`\epsilon` of shape (S, n, d): ``eps`` checked, or drawn.

        ``eps`` may have shape (n, d) (one sample) or (S, n, d), and must hold ``n_samples`` draws
        if that is given; without ``eps``, ``n_samples`` (default 1) draws come from ``rng``.
        """
        d = self.latent_dim
        if eps is not None:
            e = as_array(eps, "eps")
            if e.ndim == 2:
                e = e[None]
            if e.ndim != 3 or e.shape[1:] != (n, d):
                raise ValueError(
                    f"eps must have shape ({n}, {d}) or (S, {n}, {d}); got {np.shape(eps)}"
                )
            if n_samples is not None and e.shape[0] != n_samples:
                raise ValueError(
                    f"eps holds {e.shape[0]} samples per point but n_samples={n_samples}"
                )
            return e
        if rng is None:
            raise ValueError("give either rng (a numpy.random.Generator) or eps")
        check_rng(rng)
        s = 1 if n_samples is None else check_int(n_samples, "n_samples", minimum=1)
        return rng.standard_normal((s, n, d))

    def _kl_mode(self, kl: str) -> str:
        check_choice(kl, "kl", KL_MODES)
        if kl == "auto":
            return "analytic" if self.latent_prior.standard_normal else "mc"
        if kl == "analytic" and not self.latent_prior.standard_normal:
            raise ValueError(
                "the closed-form KL is only available for the N(0, I) prior; use kl='mc' for "
                f"{self.prior!r}"
            )
        return kl

    # ------------------------------------------- components: networks on validated arrays
    def encoder_forward(self, x: Array) -> tuple[Array, Array, Any]:
        """:math:`\\mu(x)`, :math:`\\log\\sigma^2(x)` (n, d) of validated ``x`` (n, D), and the
        cache :meth:`encoder_backward` needs."""
        h, cache = self.encoder.forward(x)
        d = self.latent_dim
        return h[:, :d], h[:, d:], cache

    def encoder_backward(self, cache: Any, dmu: Array, dlogvar: Array) -> dict[str, Array]:
        """Encoder parameter gradients (``encoder.*``) from the cotangents of μ and log σ²."""
        _, grads = self.encoder.backward(
            cache, np.concatenate([dmu, dlogvar], axis=1), input_grad=False
        )
        return {f"encoder.{k}": v for k, v in grads.items()}

    def decoder_forward(self, z: Array) -> tuple[Array, Any]:
        """Decoder output (logits or means, (n, D)) of validated codes, and its cache."""
        return self.decoder.forward(z)

    def decoder_backward(self, cache: Any, d_out: Array) -> tuple[Array, dict[str, Array]]:
        """:math:`\\partial L/\\partial z` and decoder parameter gradients (``decoder.*``)."""
        dz, grads = self.decoder.backward(cache, d_out)
        return dz, {f"decoder.{k}": v for k, v in grads.items()}

    @property
    def observation_logvar(self) -> Array | float:
        """The Gaussian decoder's log-variance: learned (D,), fixed :math:`2\\log\\sigma_{obs}`,
        or 0 (unused for Bernoulli)."""
        return self.decoder_likelihood.logvar(self.obs_logvar)

    def observation_log_likelihood(self, out: Array, x: Array) -> tuple[Array, Array, Array | None]:
        r""":math:`\log p(x_n\mid o_n)` (n,) of decoder outputs ``out`` (n, D) and validated ``x``,
        its gradient in ``out``, and (Gaussian) the per-element gradient in the log-variance."""
        return self.decoder_likelihood.log_prob_and_grads(out, x, self.obs_logvar)

    def observe(
        self, out: Array, rng: np.random.Generator | None = None, mode: str = "mean"
    ) -> Array:
        """Observations (n, *x_dim) from decoder outputs: the mean, or a draw
        (``mode="sample"``)."""
        x = self.decoder_likelihood.observe(out, rng, mode, self.obs_logvar)
        return x.reshape((-1, *self.x_shape))
