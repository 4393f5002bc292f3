r"""The entangled twin's decoder :math:`\hat g=g\circ f^{-1}` (docs/theory.md §1.6).

.. math::

    \hat g^{-1} = f\circ g^{-1},\qquad
    \log|\det J_{\hat g^{-1}}(x)| = \log|\det J_{g^{-1}}(x)| + \log|\det J_f(g^{-1}(x))|.

The twin keeps the prior and replaces :math:`g` by :math:`g\circ f^{-1}`, so that its latents are
:math:`\hat z=f(z)` and it produces the same observations. For an invertible :math:`g` the twin is
the bijector ``Chain([g, f.inv])`` (:class:`EntangledBijector`), whose log-determinant uses
:math:`f`'s analytic one (never the prior identity, docs/theory.md §7.4 pitfall 6); for any other
generator it is an :class:`EntangledGenerator`.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike

from .._preserves import check_preserves_prior
from .._typing import Array, GeneratorLike, PriorLike
from .._validation import as_points, check_has_methods
from ..bijections import Bijector, Chain
from .noisy_decoder import GaussianNoiseDecoder

__all__ = ["EntangledGenerator", "EntangledBijector", "entangle_generator"]


def _check_pair(g: Any, f: Any) -> int:
    check_has_methods(g, "g", ("forward",), what="a generator with forward() and d")
    if not hasattr(g, "d"):
        raise TypeError(f"g must be a generator with forward() and d; got {type(g).__name__}")
    if not isinstance(f, Bijector):
        raise TypeError(
            "f must be an impossibility.bijections.Bijector (e.g. entangling_bijection(prior)); "
            f"got {type(f).__name__}"
        )
    if int(f.d) != int(g.d):
        raise ValueError(f"f acts on R^{f.d} but g takes latents in R^{g.d}")
    return int(g.d)


class EntangledGenerator:
    r"""The twin's decoder :math:`\hat g = g\circ f^{-1}` (:math:`f^{-1}` first), for any generator.

    With :math:`\hat z=f(z)`, :math:`\hat g(\hat z)=g(z)`: the twin produces the same observations
    from entangled latents, and :math:`J_{\hat g}(\hat z)=J_g(f^{-1}(\hat z))\,J_{f^{-1}}(\hat z)`.
    For an invertible :math:`g` use :func:`entangle_generator`, which returns the
    :class:`EntangledBijector` (with inverse and log-determinants).

    Parameters
    ----------
    g : GeneratorLike
        The disentangled model's decoder (``forward``, ``d``; ``dim_x`` if it is not square), e.g.
        an :class:`InjectiveMLP`.
    f : Bijector
        A bijection of :math:`\mathbb R^d` (or of the prior's support), typically
        :func:`impossibility.entangling_bijection` ``(prior, A)``.
    check_prior : bool, default=True
        The likelihoods (:func:`log_px_exact`, …) check that ``f`` preserves the prior they are
        given and raise ``ValueError`` otherwise; ``False`` only for a negative control.
    """

    def __init__(self, g: GeneratorLike, f: Bijector, *, check_prior: bool = True) -> None:
        self.d = _check_pair(g, f)
        self.g, self.f = g, f
        self.check_prior = _check_flag(check_prior)
        self.dim_x = int(getattr(g, "dim_x", g.d))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(g={self.g!r}, f={self.f!r})"

    def _need(self, attr: str) -> Callable[..., Any]:
        fn = getattr(self.g, attr, None)
        if not callable(fn):
            raise TypeError(
                f"{type(self.g).__name__} has no {attr}(); the twin cannot provide it either"
            )
        return fn

    def forward(self, z_hat: ArrayLike) -> Array:
        """:math:`x=g(f^{-1}(\\hat z))`, shape (n, D) (or (D,) for one point)."""
        x = self.g.forward(self.f.inverse(as_points(z_hat, self.d, name="z_hat")))
        return x[0] if np.ndim(z_hat) == 1 else x

    def left_inverse(self, x: ArrayLike) -> Array:
        """:math:`f(g^{-1}(x))` for an injective :math:`g` (exact on its image)."""
        z_hat = self.f.forward(self._need("left_inverse")(x))
        return z_hat

    def jacobian(self, z_hat: ArrayLike) -> Array:
        """:math:`J_{\\hat g}(\\hat z)=J_g(f^{-1}(\\hat z))\\,J_{f^{-1}}(\\hat z)`, (n, D, d)."""
        arr = as_points(z_hat, self.d, name="z_hat")
        J = self._need("jacobian")(self.f.inverse(arr)) @ self.f.inv.jacobian(arr)
        return J[0] if np.ndim(z_hat) == 1 else J


class EntangledBijector(Chain, EntangledGenerator):
    r"""The twin of an invertible decoder, ``Chain([g, f.inv])`` = :math:`g\circ f^{-1}`.

    .. math::

        \log|\det J_{\hat g}(\hat z)| = \log|\det J_{f^{-1}}(\hat z)|
        + \log|\det J_g(f^{-1}(\hat z))|,

    and the inverse :math:`\hat z=f(g^{-1}(x))` checks that :math:`g^{-1}(x)` lies where :math:`f`
    is defined (the prior's open support), raising ``ValueError`` otherwise.

    Parameters
    ----------
    g : Bijector
        The invertible decoder, e.g. an :class:`InvertibleMLP`.
    f : Bijector
        Theorem 1's map (or any bijection of the latent space).
    check_prior : bool, default=True
        See :class:`EntangledGenerator`.
    """

    def __init__(self, g: Bijector, f: Bijector, *, check_prior: bool = True) -> None:
        if not isinstance(g, Bijector):
            raise TypeError(
                f"g must be an impossibility.bijections.Bijector; got {type(g).__name__} "
                "(use EntangledGenerator for a generator that is not invertible)"
            )
        d = _check_pair(g, f)
        Chain.__init__(self, [g, f.inv], name=f"{g.name} ∘ {f.name}⁻¹")
        self.g, self.f, self.d, self.dim_x = g, f, d, d
        self.check_prior = _check_flag(check_prior)

    def _inverse_and_log_det(self, y: Array) -> tuple[Array, Array]:
        # Chain's inverse, with the domain check of f on the intermediate point g⁻¹(x)
        z, ld_g = self.g._inverse_and_log_det(y)
        self.f._check_domain(z)
        z_hat, ld_f = self.f._forward_and_log_det(z)
        return z_hat, ld_g + ld_f

    def left_inverse(self, x: ArrayLike) -> Array:
        """:math:`f(g^{-1}(x))`: for an invertible decoder the left inverse is the inverse."""
        return self.inverse(x)

    def jacobian(self, x: ArrayLike) -> Array:
        """:math:`J_{\\hat g}(\\hat z)=J_g(f^{-1}(\\hat z))\\,J_{f^{-1}}(\\hat z)`, (n, d, d)."""
        return Chain.jacobian(self, x)

    def forward(self, x: ArrayLike) -> Array:
        """:math:`x=g(f^{-1}(\\hat z))`, shape like the input."""
        return Chain.forward(self, x)

    def __repr__(self) -> str:
        return f"EntangledBijector(g={self.g!r}, f={self.f!r})"


def entangle_generator(
    g: GeneratorLike | GaussianNoiseDecoder,
    f: Bijector,
    *,
    prior: PriorLike | None = None,
    check_prior: bool = True,
) -> EntangledGenerator | GaussianNoiseDecoder:
    r"""The twin's decoder for the bijection ``f``: :math:`g\circ f^{-1}`.

    A :class:`GaussianNoiseDecoder` keeps its noise and entangles its mean,
    :math:`\hat p(x\mid\hat z)=p(x\mid z=f^{-1}(\hat z))`; a
    :class:`~impossibility.bijections.Bijector` (e.g. :class:`InvertibleMLP`) becomes an
    :class:`EntangledBijector`; any other generator an :class:`EntangledGenerator`.

    ``f`` must preserve the model's prior: checked here when ``prior`` is given, and always by
    the likelihoods that receive the prior (``ValueError``); ``check_prior=False`` builds a
    twin of a map that does not, for a negative control.
    """
    check_prior = _check_flag(check_prior)
    if prior is not None and check_prior:
        check_preserves_prior(f, prior, _check_pair(_unwrap(g), f), name="f")
    if isinstance(g, GaussianNoiseDecoder):
        return GaussianNoiseDecoder(entangle_generator(g.mean, f, check_prior=check_prior), g.sigma)
    if isinstance(g, Bijector):
        return EntangledBijector(g, f, check_prior=check_prior)
    return EntangledGenerator(g, f, check_prior=check_prior)


def _unwrap(g: Any) -> Any:
    return g.mean if isinstance(g, GaussianNoiseDecoder) else g


def _check_flag(value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"check_prior must be True or False; got {value!r}")
    return bool(value)
