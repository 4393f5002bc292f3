r"""The entangled twin of a VAE under a prior-preserving bijection :math:`f` (:math:`f_\#p=p`).

Encoder :math:`q'(\cdot\mid x)=f_\#q(\cdot\mid x)`: it samples :math:`z'=f(z)`,
:math:`z\sim q(\cdot\mid x)`, with :math:`\log q'(z'\mid x)=\log q(z\mid x)-\log|\det J_f(z)|`
(f's analytic log-det); decoder :math:`p(x\mid f^{-1}(z'))`; prior unchanged. Its per-sample
ELBO terms, importance weights and :math:`\log p(x)` estimates equal the original model's under
common random numbers, up to rounding in :math:`f`, :math:`f^{-1}` and the log-det — while every
coordinate of its codes mixes every coordinate of the original's (docs/theory.md §3).
"""

from __future__ import annotations

from typing import Callable, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike

from impossibility._typing import Array, BijectorLike, PriorLike
from impossibility._validation import check_choice, check_has_methods, check_int, check_rng

from .._preserves import check_preserves_prior
from .components import VAE_COMPONENTS, VAEComponents
from .elbo import ELBOEstimates
from .forward import ForwardPass
from .gaussian import gaussian_pairwise_log_density, log_q_from_noise

__all__ = ["EntangledVAE", "LatentBijector", "affine_part"]


@runtime_checkable
class LatentBijector(BijectorLike, Protocol):
    """A bijection of the latent space as the twin uses it: both directions, with log-dets.

    Optionally ``is_constant_jacobian`` and ``jacobian`` (then :func:`affine_part` finds
    :math:`f(z)=Jz+c`).
    """

    def forward(self, x: ArrayLike) -> Array: ...

    def inverse(self, y: ArrayLike) -> Array: ...


def affine_part(f: LatentBijector, d: int) -> tuple[Array, Array] | None:
    r"""``(J, c)`` if the bijection is affine, :math:`f(z)=Jz+c`, else ``None``.

    Decided by the bijector's declared ``is_constant_jacobian`` (never by probing): then
    :math:`J=J_f(0)` and :math:`c=f(0)`. For :class:`~impossibility.bijections.Orthogonal` and
    Theorem 1's map with a standard-normal prior this is exactly :math:`(A, 0)`.
    """
    if not getattr(f, "is_constant_jacobian", False):
        return None
    origin = np.zeros((1, d))
    try:
        jac = np.asarray(f.jacobian(origin), dtype=np.float64)[0]  # type: ignore[attr-defined]
        img = np.asarray(f.forward(origin), dtype=np.float64)[0]
    except NotImplementedError:
        return None
    return jac, img + 0.0  # + 0.0 turns a −0.0 offset into +0.0


class EntangledVAE(ELBOEstimates):
    r"""The entangled twin of a VAE under a prior-preserving bijection :math:`f`.

    Its definition is docs/theory.md §3.1.

    * encoder: :math:`z'=f(z)`, :math:`z=\mu(x)+\sigma(x)\odot\epsilon`, density
      :math:`\log q'(z'\mid x)=\log q(z\mid x)-\log|\det J_f(z)|` (analytic log-det of f), i.e.
      :math:`\log q(f^{-1}(z')\mid x)+\log|\det J_{f^{-1}}(z')|` when only :math:`z'` is given;
    * decoder: :math:`p'(x\mid z')=p_\theta(x\mid f^{-1}(z'))` — :math:`f^{-1}(z')` is recomputed,
      never taken from the sampling path (pitfall 2 of docs/theory.md §3.4);
    * prior: the original's, :math:`\log p(z')` evaluated at :math:`z'` directly.

    ``f`` must preserve the VAE's prior, :math:`f_\#p=p` (checked; a bijection that does not
    is refused with ``ValueError``, since its "twin" is a different model whose ELBO and
    :math:`\log p(x)` change). For an affine :math:`f(z)=Jz+c` (declared
    by ``f.is_constant_jacobian``: Theorem 1's map for :math:`\mathcal N(0,I)`, a rotation) the
    twin encoder is the Gaussian :math:`\mathcal N(J\mu+c,\,J\operatorname{diag}(\sigma^2)J^\top)`,
    so closed-form moments, marginals and — for the :math:`\mathcal N(0,I)` prior — the
    closed-form KL are available; for nonlinear :math:`f` moments are estimated by Monte Carlo.

    Parameters
    ----------
    vae : VAE
        Any object with the :class:`VAEComponents` API.
    f : Bijector
        With ``forward_and_log_det``, ``inverse_and_log_det``, ``forward`` and ``inverse``,
        acting on ``vae.latent_dim`` coordinates.
    check_prior : bool, default=True
        Check :math:`f_\#p=p` (see ``impossibility._preserves.check_preserves_prior``:
        structurally when f declares what it preserves, else at 64 draws of the prior).
        ``False`` only for a negative control that must change the ELBO.

    Notes
    -----
    The twin's ELBO uses the same KL estimator as the VAE's: ``kl="auto"`` (the default of both)
    is the closed form when the VAE's prior is N(0, I) and Monte Carlo otherwise, and the same
    Generator gives both models the same noise, so ``vae.elbo(x, rng)`` and
    ``twin.elbo(x, rng)`` with equally seeded Generators agree up to rounding. A nonlinear f has
    no closed-form KL: its twin then refuses ``"auto"`` and ``"analytic"`` for an N(0, I) VAE
    (pass ``kl="mc"`` to both).
    """

    _default_kl = "auto"

    def __init__(self, vae: VAEComponents, f: LatentBijector, *, check_prior: bool = True):
        check_has_methods(vae, "vae", VAE_COMPONENTS, what="a VAE, e.g. impossibility.vae.VAE")
        check_has_methods(
            f,
            "f",
            ("forward_and_log_det", "inverse_and_log_det", "forward", "inverse"),
            what="a Bijector",
        )
        fd = getattr(f, "d", vae.latent_dim)
        if fd != vae.latent_dim:
            raise ValueError(
                f"f acts on d = {fd} coordinates but the VAE has latent_dim = {vae.latent_dim}"
            )
        if not isinstance(check_prior, (bool, np.bool_)):
            raise TypeError(f"check_prior must be True or False; got {check_prior!r}")
        if check_prior:
            check_preserves_prior(f, vae.prior, vae.latent_dim, name="f")
        self.vae = vae
        self.f = f
        self.latent_dim = vae.latent_dim
        self.x_shape = vae.x_shape
        self._affine = affine_part(f, self.latent_dim)

    @property
    def prior(self) -> PriorLike | None:
        """The (unchanged) prior."""
        return self.vae.prior

    @property
    def is_affine(self) -> bool:
        """Whether f is affine (then the twin encoder is Gaussian)."""
        return self._affine is not None

    def __repr__(self) -> str:
        return f"EntangledVAE({self.vae!r}, f={self.f!r})"

    def _components(self) -> VAEComponents:
        return self.vae

    # -------------------------------------------------------------------------- encoder
    def sample_codes(
        self, x: ArrayLike, rng: np.random.Generator | None = None, *, eps: ArrayLike | None = None
    ) -> Array:
        """One sample :math:`z'=f(\\mu+\\sigma\\epsilon)` per row, shape (n, d)."""
        return self.f.forward(self.vae.sample_codes(x, rng, eps=eps))

    def represent(
        self, x: ArrayLike, *, mode: str = "mean", rng: np.random.Generator | None = None
    ) -> Array:
        """``"mean"``: :math:`f(\\mu(x))` (the encoder mean itself when f is affine);
        ``"sampled"``: z'."""
        check_choice(mode, "mode", ("mean", "sampled"))
        if mode == "mean":
            return self.f.forward(self.vae.encode(x)[0])
        return self.sample_codes(x, rng)

    def log_q(self, z: ArrayLike, x: ArrayLike) -> Array:
        """Twin encoder density, shape (n,):
        :math:`\\log q'(z'_n\\mid x_n)=\\log q(f^{-1}(z'_n)\\mid x_n)
        +\\log|\\det J_{f^{-1}}(z'_n)|`."""
        zb, ld = self.f.inverse_and_log_det(self.vae.check_z(z))
        return self.vae.log_q(zb, x) + ld

    def encoder_moments(
        self, x: ArrayLike, *, rng: np.random.Generator | None = None, n_mc: int = 2000
    ) -> tuple[Array, Array]:
        r"""Mean (n, d) and covariance (n, d, d) of :math:`q'(\cdot\mid x)`.

        Exact for affine f (:math:`J\mu+c`, :math:`J\operatorname{diag}\sigma^2J^\top`); otherwise
        Monte-Carlo estimates from ``n_mc`` samples per row (``rng`` required; covariance with
        divisor ``n_mc``).
        """
        mu, lv = self.vae.encode(x)
        if self._affine is not None:
            j, c = self._affine
            return mu @ j.T + c, np.einsum("ik,nk,jk->nij", j, np.exp(lv), j)
        if rng is None:
            raise ValueError("f is nonlinear: the twin's encoder moments need rng for Monte Carlo")
        check_rng(rng)
        n_mc = check_int(n_mc, "n_mc", minimum=2)
        n, d = mu.shape
        e = rng.standard_normal((n_mc, n, d))
        zp = self.f.forward((mu[None] + np.exp(0.5 * lv)[None] * e).reshape(-1, d)).reshape(
            n_mc, n, d
        )
        m = zp.mean(axis=0)
        cdev = zp - m[None]
        return m, np.einsum("kni,knj->nij", cdev, cdev) / n_mc

    def pairwise_log_q(self, z: ArrayLike, x: ArrayLike) -> tuple[Array, Array | None]:
        r"""Joint :math:`\log q'(z'_j\mid x_i)` (M, N) for any f; per-dimension marginals (M, N, d)
        only for affine f (Gaussian marginals :math:`N((J\mu+c)_l, (J\Sigma J^\top)_{ll})`), else
        ``None``."""
        za = self.vae.check_z(z)
        zb, ld = self.f.inverse_and_log_det(za)
        mu, lv = self.vae.encode(x)
        joint = gaussian_pairwise_log_density(zb, mu, lv).sum(axis=2) + ld[:, None]
        if self._affine is None:
            return joint, None
        j, c = self._affine
        m = mu @ j.T + c
        var = np.exp(lv) @ (j * j).T
        return joint, gaussian_pairwise_log_density(za, m, np.log(var))

    # -------------------------------------------------------------------------- decoder
    def decode(self, z: ArrayLike) -> Array:
        """Mean of :math:`p(x\\mid f^{-1}(z'))`, shape (n, *x_dim)."""
        return self.vae.decode(self.f.inverse(self.vae.check_z(z)))

    def log_likelihood(self, x: ArrayLike, z: ArrayLike) -> Array:
        """:math:`\\log p_\\theta(x_n\\mid f^{-1}(z'_n))`, shape (n,)."""
        return self.vae.log_likelihood(x, self.f.inverse(self.vae.check_z(z)))

    def log_prior(self, z: ArrayLike) -> Array:
        """:math:`\\log p(z')`, shape (n,)."""
        return self.vae.log_prior(z)

    def sample(self, n: int, rng: np.random.Generator, *, mode: str = "mean") -> Array:
        """Generate: :math:`z'\\sim p`, decode :math:`f^{-1}(z')`; shape (n, *x_dim)."""
        check_rng(rng)
        n = check_int(n, "n", minimum=0)
        zp = self.vae.latent_prior.sample(n, rng)
        return self.vae.observe(self.vae.decoder(self.f.inverse(zp)), rng, mode)

    # ------------------------------------------------------------------------ ELBO terms
    def _kl_mode(self, kl: str) -> str:
        check_choice(kl, "kl", ("auto", "mc", "analytic"))
        if kl == "mc":
            return kl
        # "auto" is the VAE's own choice, so that model and twin use the same estimator
        if kl == "auto" and not self.vae.prior_is_standard_normal:
            return "mc"
        if not (self._affine is not None and self.vae.prior_is_standard_normal):
            raise ValueError(
                f"kl={kl!r}: the twin's closed-form KL needs an affine f and the N(0, I) prior "
                "(then its encoder is a full-covariance Gaussian); this VAE's default is the "
                "closed form, so compare model and twin with kl='mc' passed to both"
                if kl == "auto"
                else "the twin's closed-form KL needs an affine f and the N(0, I) prior (then "
                "its encoder is a full-covariance Gaussian); use kl='mc'"
            )
        return "analytic"

    def _forward(self, x: Array, eps: Array, mode: str) -> ForwardPass:
        vae = self.vae
        mu, lv = vae.encode(x)
        z = mu + np.exp(0.5 * lv) * eps
        zp, ld_f = self.f.forward_and_log_det(z)
        z_back = self.f.inverse(zp)  # the twin's decoder recomputes f⁻¹(z')
        rec = vae.observation_log_likelihood(vae.decoder(z_back), x)[0]
        if mode == "mc":
            log_q = log_q_from_noise(eps, lv) - ld_f
            log_p = vae.latent_prior.log_prob(zp)
            kl_val = log_q - log_p
        else:
            log_q = log_p = None
            j, c = self._affine  # type: ignore[misc]
            m = mu @ j.T + c
            cov = np.einsum("ik,nk,jk->nij", j, np.exp(lv), j)
            _, logdet = np.linalg.slogdet(cov)
            kl_val = 0.5 * (
                np.trace(cov, axis1=1, axis2=2)
                + np.einsum("ij,ij->i", m, m)
                - self.latent_dim
                - logdet
            )
        return ForwardPass(x=x, rec=rec, kl=kl_val, kl_mode=mode, z=zp, log_q=log_q, log_p=log_p)

    def forward(self, x: ArrayLike, eps: ArrayLike, *, kl: str = "auto") -> ForwardPass:
        """Forward pass with noise ``eps`` (n, d) (no ``mu``/``logvar``: the encoder is not
        diagonal)."""
        xa = self.vae.check_x(x)
        e = self.vae.standard_noise(xa.shape[0], eps=eps, n_samples=1)[0]
        return self._forward(xa, e, self._kl_mode(kl))

    def _log_weight_chunks(self, x: Array, eps: Array) -> Callable[[int, int], Array]:
        r""":math:`\log w'_k=\log p(x\mid f^{-1}(z'_k))+\log p(z'_k)-\log q'(z'_k\mid x)`."""
        vae = self.vae
        n, d = eps.shape[1:]
        mu, lv = vae.encode(x)
        z = (mu[None] + np.exp(0.5 * lv)[None] * eps).reshape(-1, d)
        zp, ld_f = self.f.forward_and_log_det(z)
        z_back = self.f.inverse(zp)

        def chunk(k0: int, k1: int) -> Array:
            sl = slice(k0 * n, k1 * n)
            ll = vae.observation_log_likelihood(vae.decoder(z_back[sl]), np.tile(x, (k1 - k0, 1)))[
                0
            ]
            lq = log_q_from_noise(eps[k0:k1].reshape(-1, d), np.tile(lv, (k1 - k0, 1))) - ld_f[sl]
            lp = vae.latent_prior.log_prob(zp[sl])
            return ll + lp - lq

        return chunk
