r"""Dense neural-network layers in NumPy with hand-written backward passes, and Adam.

Everything is float64 and vectorised over the batch (the first axis); no Python loop runs over
samples. The design is functional so that a layer can be applied several times before any
backward pass (e.g. a discriminator on real and on permuted codes):

``y, cache = layer.forward(x)``
    Output and whatever the backward pass needs.
``dx, grads = layer.backward(cache, dy)``
    Given :math:`\bar y=\partial L/\partial y` return :math:`\bar x=\partial L/\partial x` and a
    dict
    ``{name: ∂L/∂θ}`` keyed like :meth:`Module.parameters`.

Parameters live in ``layer.parameters()`` (a dict of the *live* arrays, so an optimizer updates the
layer in place). Initialisation takes an explicit :class:`numpy.random.Generator`.

Layers: :class:`Linear` (alias :data:`Dense`), :class:`ReLU`, :class:`LeakyReLU`, :class:`Tanh`,
:class:`Sigmoid`, :class:`Softplus`, :class:`Identity`, :class:`Sequential` and the builder
:func:`mlp`. Losses (value and gradient): :func:`bernoulli_log_likelihood`,
:func:`gaussian_log_likelihood`, :func:`softmax_cross_entropy`. Optimiser: :class:`Adam`.
Checking: :func:`finite_difference_gradient`, :func:`relative_error`.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, ContextManager, Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import check_rng as _check_rng

__all__ = [
    "Module",
    "Linear",
    "Dense",
    "ReLU",
    "LeakyReLU",
    "Tanh",
    "Sigmoid",
    "Softplus",
    "Identity",
    "Sequential",
    "mlp",
    "ACTIVATIONS",
    "sigmoid",
    "softplus",
    "log_sigmoid",
    "bernoulli_log_likelihood",
    "gaussian_log_likelihood",
    "softmax_cross_entropy",
    "Adam",
    "finite_difference_gradient",
    "relative_error",
    "blas_threads",
]

Array = NDArray[np.float64]
LOG_2PI = float(np.log(2.0 * np.pi))


def _as_batch(x: ArrayLike, n_features: int | None, name: str = "x") -> Array:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (batch, features); got shape {arr.shape}")
    if n_features is not None and arr.shape[1] != n_features:
        raise ValueError(
            f"{name} must have {n_features} features (shape (n, {n_features})); "
            f"got shape {arr.shape}"
        )
    return arr


# ---------------------------------------------------------------------------------------- modules
class Module:
    """Base class: a differentiable map of a batch ``x`` of shape (n, d_in) to (n, d_out).

    Subclasses implement :meth:`forward` and :meth:`backward`; layers with weights also
    :meth:`parameters` and :meth:`init`.
    """

    def parameters(self) -> dict[str, Array]:
        """The live parameter arrays, keyed by name (empty for parameter-free layers)."""
        return {}

    def init(self, rng: np.random.Generator) -> "Module":
        """(Re-)initialise the parameters from ``rng``; returns ``self``."""
        _check_rng(rng)
        return self

    def forward(self, x: Array) -> tuple[Array, Any]:
        """Compute ``y = layer(x)``; return ``(y, cache)`` for :meth:`backward`."""
        raise NotImplementedError

    def backward(self, cache: Any, dy: Array) -> tuple[Array, dict[str, Array]]:
        """Given ``dy = ∂L/∂y`` return ``(∂L/∂x, {name: ∂L/∂θ})``."""
        raise NotImplementedError

    def __call__(self, x: ArrayLike) -> Array:
        """Forward pass without keeping a cache."""
        return self.forward(np.asarray(x, dtype=np.float64))[0]

    def set_parameters(self, values: Mapping[str, ArrayLike]) -> None:
        """Copy ``values`` into the live parameters (same names, same shapes).

        Raises
        ------
        ValueError
            If a name is missing or unexpected, or a shape differs.
        """
        own = self.parameters()
        missing = sorted(set(own) - set(values))
        extra = sorted(set(values) - set(own))
        if missing or extra:
            raise ValueError(f"parameter names do not match: missing {missing}, unexpected {extra}")
        for k, p in own.items():
            v = np.asarray(values[k], dtype=np.float64)
            if v.shape != p.shape:
                raise ValueError(f"parameter {k!r} has shape {p.shape}; got {v.shape}")
            p[...] = v

    @property
    def n_parameters(self) -> int:
        """Total number of scalar parameters."""
        return int(sum(p.size for p in self.parameters().values()))


class Linear(Module):
    r"""Affine layer :math:`y = xW + b` with :math:`W` of shape (d_in, d_out).

    Backward: :math:`\bar x=\bar yW^\top`, :math:`\bar W=x^\top\bar y`,
    :math:`\bar b=\sum_n\bar y_n`.

    Parameters
    ----------
    d_in, d_out : int
        Input and output widths.
    rng : numpy.random.Generator, optional
        If given, initialise immediately (otherwise the weights are zero until :meth:`init`).
    init : {"glorot_uniform", "he_normal", "zeros"}, default="glorot_uniform"
        Weight initialisation; biases start at zero. Glorot-uniform draws
        :math:`W_{ij}\sim U(-a,a)`, :math:`a=\sqrt{6/(d_{in}+d_{out})}` (TensorFlow's default, used
        by the reference study); He-normal draws :math:`N(0, 2/d_{in})`.
    """

    _INITS = ("glorot_uniform", "he_normal", "zeros")

    def __init__(
        self,
        d_in: int,
        d_out: int,
        *,
        rng: np.random.Generator | None = None,
        init: str = "glorot_uniform",
    ):
        for nm, v in (("d_in", d_in), ("d_out", d_out)):
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{nm} must be a positive integer; got {v!r}")
        if init not in self._INITS:
            raise ValueError(f"init must be one of {self._INITS}; got {init!r}")
        self.d_in, self.d_out, self.init_scheme = int(d_in), int(d_out), init
        self.W = np.zeros((self.d_in, self.d_out))
        self.b = np.zeros(self.d_out)
        if rng is not None:
            self.init(rng)

    def parameters(self) -> dict[str, Array]:
        return {"W": self.W, "b": self.b}

    def init(self, rng: np.random.Generator) -> "Linear":
        _check_rng(rng)
        if self.init_scheme == "glorot_uniform":
            a = np.sqrt(6.0 / (self.d_in + self.d_out))
            self.W[...] = rng.uniform(-a, a, size=self.W.shape)
        elif self.init_scheme == "he_normal":
            self.W[...] = rng.normal(0.0, np.sqrt(2.0 / self.d_in), size=self.W.shape)
        else:
            self.W[...] = 0.0
        self.b[...] = 0.0
        return self

    def forward(self, x: Array) -> tuple[Array, Any]:
        y = x @ self.W
        y += self.b
        return y, x

    def backward(self, cache: Any, dy: Array) -> tuple[Array, dict[str, Array]]:
        x = cache
        return dy @ self.W.T, {"W": x.T @ dy, "b": dy.sum(axis=0)}

    def __repr__(self) -> str:
        return f"Linear({self.d_in}, {self.d_out})"


#: Alias of :class:`Linear`.
Dense = Linear


class Identity(Module):
    """:math:`y=x`."""

    def forward(self, x: Array) -> tuple[Array, Any]:
        return x, None

    def backward(self, cache: Any, dy: Array) -> tuple[Array, dict[str, Array]]:
        return dy, {}

    def __repr__(self) -> str:
        return "Identity()"


class ReLU(Module):
    r""":math:`y=\max(x,0)`; :math:`\bar x=\bar y\,[x>0]` (sub-gradient 0 at 0)."""

    def forward(self, x: Array) -> tuple[Array, Any]:
        mask = x > 0
        return x * mask, mask

    def backward(self, cache: Any, dy: Array) -> tuple[Array, dict[str, Array]]:
        return dy * cache, {}

    def __repr__(self) -> str:
        return "ReLU()"


class LeakyReLU(Module):
    r""":math:`y=x` for :math:`x>0`, :math:`\alpha x` otherwise;
    :math:`\bar x=\bar y\,(1\text{ or }\alpha)`.

    Parameters
    ----------
    negative_slope : float, default=0.2
        :math:`\alpha\ge 0` (0.2 is the FactorVAE discriminator's slope in the reference study).
    """

    def __init__(self, negative_slope: float = 0.2):
        if not np.isfinite(negative_slope) or negative_slope < 0:
            raise ValueError(f"negative_slope must be finite and ≥ 0; got {negative_slope!r}")
        self.negative_slope = float(negative_slope)

    def forward(self, x: Array) -> tuple[Array, Any]:
        scale = np.where(x > 0, 1.0, self.negative_slope)
        return x * scale, scale

    def backward(self, cache: Any, dy: Array) -> tuple[Array, dict[str, Array]]:
        return dy * cache, {}

    def __repr__(self) -> str:
        return f"LeakyReLU({self.negative_slope})"


class Tanh(Module):
    r""":math:`y=\tanh x`; :math:`\bar x=\bar y\,(1-y^2)`."""

    def forward(self, x: Array) -> tuple[Array, Any]:
        y = np.tanh(x)
        return y, y

    def backward(self, cache: Any, dy: Array) -> tuple[Array, dict[str, Array]]:
        return dy * (1.0 - cache * cache), {}

    def __repr__(self) -> str:
        return "Tanh()"


def sigmoid(x: ArrayLike) -> Array:
    r"""Logistic function :math:`\sigma(x)=1/(1+e^{-x})`, computed without overflow."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(x: ArrayLike) -> Array:
    r""":math:`\log(1+e^x)=\max(x,0)+\log(1+e^{-|x|})`, stable for all :math:`x`."""
    x = np.asarray(x, dtype=np.float64)
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def log_sigmoid(x: ArrayLike) -> Array:
    r""":math:`\log\sigma(x)=-\operatorname{softplus}(-x)`."""
    return -softplus(-np.asarray(x, dtype=np.float64))


class Sigmoid(Module):
    r""":math:`y=\sigma(x)`; :math:`\bar x=\bar y\,y(1-y)`."""

    def forward(self, x: Array) -> tuple[Array, Any]:
        y = sigmoid(x)
        return y, y

    def backward(self, cache: Any, dy: Array) -> tuple[Array, dict[str, Array]]:
        return dy * cache * (1.0 - cache), {}

    def __repr__(self) -> str:
        return "Sigmoid()"


class Softplus(Module):
    r""":math:`y=\log(1+e^x)`; :math:`\bar x=\bar y\,\sigma(x)`."""

    def forward(self, x: Array) -> tuple[Array, Any]:
        return softplus(x), x

    def backward(self, cache: Any, dy: Array) -> tuple[Array, dict[str, Array]]:
        return dy * sigmoid(cache), {}

    def __repr__(self) -> str:
        return "Softplus()"


#: Activation names accepted by :func:`mlp`.
ACTIVATIONS: dict[str, Callable[[], Module]] = {
    "relu": ReLU,
    "leaky_relu": LeakyReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
    "softplus": Softplus,
    "identity": Identity,
    "linear": Identity,
}


class Sequential(Module):
    r"""Composition :math:`y=m_K\circ\dots\circ m_1(x)`; backward runs the chain rule in reverse.

    Parameter names are ``"<index>.<name>"`` (e.g. ``"0.W"``).
    """

    def __init__(self, layers: Iterable[Module]):
        self.layers: list[Module] = list(layers)
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Module):
                raise ValueError(f"layer {i} is a {type(layer).__name__}, not an nn.Module")

    def parameters(self) -> dict[str, Array]:
        out: dict[str, Array] = {}
        for i, layer in enumerate(self.layers):
            for k, v in layer.parameters().items():
                out[f"{i}.{k}"] = v
        return out

    def init(self, rng: np.random.Generator) -> "Sequential":
        _check_rng(rng)
        for layer in self.layers:
            layer.init(rng)
        return self

    def forward(self, x: Array) -> tuple[Array, Any]:
        caches = []
        for layer in self.layers:
            x, c = layer.forward(x)
            caches.append(c)
        return x, caches

    def backward(
        self, cache: Any, dy: Array, *, input_grad: bool = True
    ) -> tuple[Array, dict[str, Array]]:
        """Chain rule in reverse. With ``input_grad=False`` and a first :class:`Linear` layer, the
        (unused) gradient with respect to the input is not computed and ``None`` is returned."""
        grads: dict[str, Array] = {}
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            if i == 0 and not input_grad and isinstance(layer, Linear):
                x = cache[0]
                grads["0.W"], grads["0.b"] = x.T @ dy, dy.sum(axis=0)
                return None, grads  # type: ignore[return-value]
            dy, g = layer.backward(cache[i], dy)
            for k, v in g.items():
                grads[f"{i}.{k}"] = v
        return dy, grads

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]

    def __repr__(self) -> str:
        return "Sequential(" + ", ".join(repr(m) for m in self.layers) + ")"


def mlp(
    sizes: Sequence[int],
    *,
    rng: np.random.Generator | None = None,
    activation: str = "relu",
    output_activation: str = "identity",
    init: str = "glorot_uniform",
    negative_slope: float = 0.2,
) -> Sequential:
    """Multilayer perceptron ``Linear → act → … → Linear → output_activation``.

    Parameters
    ----------
    sizes : sequence of int
        Widths ``(d_in, h_1, …, h_k, d_out)``, at least two entries.
    rng : numpy.random.Generator, optional
        Initialise the weights from ``rng`` (zeros otherwise, until ``.init(rng)``).
    activation : str, default="relu"
        Hidden activation, a key of :data:`ACTIVATIONS`.
    output_activation : str, default="identity"
        Activation after the last layer.
    init : str, default="glorot_uniform"
        Weight initialisation of every :class:`Linear`.
    negative_slope : float, default=0.2
        Slope used when an activation is ``"leaky_relu"``.

    Examples
    --------
    >>> net = mlp([3, 16, 2], rng=np.random.default_rng(0), activation="tanh")
    >>> net(np.ones((5, 3))).shape
    (5, 2)
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or any(s < 1 for s in sizes):
        raise ValueError(f"sizes must have ≥ 2 positive widths; got {list(sizes)}")
    for a in (activation, output_activation):
        if a not in ACTIVATIONS:
            raise ValueError(f"unknown activation {a!r}; expected one of {sorted(ACTIVATIONS)}")

    def act(name: str) -> Module:
        return LeakyReLU(negative_slope) if name == "leaky_relu" else ACTIVATIONS[name]()

    layers: list[Module] = []
    for i in range(len(sizes) - 1):
        layers.append(Linear(sizes[i], sizes[i + 1], init=init))
        name = activation if i < len(sizes) - 2 else output_activation
        if name not in ("identity", "linear"):
            layers.append(act(name))
    net = Sequential(layers)
    if rng is not None:
        net.init(rng)
    return net


# ----------------------------------------------------------------------------------------- losses
def bernoulli_log_likelihood(logits: Array, x: Array) -> tuple[Array, Array]:
    r"""Bernoulli log-likelihood from logits, summed over features, and its gradient.

    :math:`\log p(x\mid\ell)=\sum_k x_k\ell_k-\operatorname{softplus}(\ell_k)
    =-\mathrm{BCE}(x,\sigma(\ell))`; valid for targets :math:`x\in[0,1]` (not only binary, as in
    the reference's sigmoid cross-entropy). Gradient
    :math:`\partial/\partial\ell_k=x_k-\sigma(\ell_k)`.

    Parameters
    ----------
    logits, x : ndarray of shape (n, D)

    Returns
    -------
    ll : ndarray of shape (n,)
    dll_dlogits : ndarray of shape (n, D)
    """
    ll = (x * logits - softplus(logits)).sum(axis=1)
    return ll, x - sigmoid(logits)


def gaussian_log_likelihood(
    mean: Array, logvar: Array | float, x: Array
) -> tuple[Array, Array, Array]:
    r"""Diagonal-Gaussian log-likelihood summed over features, and its gradients.

    :math:`\log N(x;m,e^{v})=-\tfrac12\sum_k\big[(x_k-m_k)^2e^{-v_k}+v_k+\log2\pi\big]`, with
    :math:`\partial/\partial m_k=(x_k-m_k)e^{-v_k}` and
    :math:`\partial/\partial v_k=\tfrac12[(x_k-m_k)^2e^{-v_k}-1]`.

    Parameters
    ----------
    mean, x : ndarray of shape (n, D)
    logvar : float or ndarray broadcastable to (n, D)
        Log-variances :math:`v`.

    Returns
    -------
    ll : ndarray of shape (n,)
    dll_dmean : ndarray of shape (n, D)
    dll_dlogvar : ndarray of shape (n, D)
        Per-element gradient (sum over the batch axis yourself for a shared log-variance).
    """
    r = x - mean
    prec = np.exp(-np.asarray(logvar, dtype=np.float64))
    r2p = r * r * prec
    ll = -0.5 * (r2p + logvar + LOG_2PI).sum(axis=1)
    return ll, r * prec, 0.5 * (r2p - 1.0)


def softmax_cross_entropy(logits: Array, labels: ArrayLike) -> tuple[Array, Array]:
    r"""Per-sample cross-entropy :math:`-\log\operatorname{softmax}(\ell)_y` and its gradient.

    Gradient :math:`\partial/\partial\ell_k=\operatorname{softmax}(\ell)_k-[k=y]`.

    Parameters
    ----------
    logits : ndarray of shape (n, K)
    labels : array_like of int, shape (n,)

    Returns
    -------
    loss : ndarray of shape (n,)
    dloss_dlogits : ndarray of shape (n, K)
    """
    labels = np.asarray(labels)
    n, k = logits.shape
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be integers of shape ({n},); got {labels.dtype} {labels.shape}"
        )
    if np.any((labels < 0) | (labels >= k)):
        raise ValueError(
            f"labels must lie in [0, {k}); got values in [{labels.min()}, {labels.max()}]"
        )
    shifted = logits - logits.max(axis=1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    logp = shifted - lse
    rows = np.arange(n)
    grad = np.exp(logp)
    grad[rows, labels] -= 1.0
    return -logp[rows, labels], grad


# -------------------------------------------------------------------------------------- optimiser
class Adam:
    r"""Adam (Kingma & Ba 2015) updating a dict of parameter arrays in place.

    With gradient :math:`g_t`: :math:`m_t=\beta_1m_{t-1}+(1-\beta_1)g_t`,
    :math:`v_t=\beta_2v_{t-1}+(1-\beta_2)g_t^2`, and
    :math:`\theta_t=\theta_{t-1}-\alpha_t\,m_t/(\sqrt{v_t}+\hat\epsilon)` with
    :math:`\alpha_t=\alpha\sqrt{1-\beta_2^t}/(1-\beta_1^t)` (the form used by TensorFlow 1, as in
    the
    reference study).

    Parameters
    ----------
    params : mapping of str to ndarray
        The live arrays to update (e.g. ``module.parameters()``).
    lr : float, default=1e-3
    beta1, beta2 : float, default=0.9, 0.999
    eps : float, default=1e-8
    """

    _BLOCK = 2**15  # elements per block: 5 arrays × 256 KiB stay in L2

    def __init__(
        self,
        params: Mapping[str, Array],
        *,
        lr: float = 1e-3,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ):
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"lr must be positive and finite; got {lr!r}")
        for nm, b in (("beta1", beta1), ("beta2", beta2)):
            if not (0.0 <= b < 1.0):
                raise ValueError(f"{nm} must lie in [0, 1); got {b!r}")
        if not (eps > 0):
            raise ValueError(f"eps must be positive; got {eps!r}")
        self.params = dict(params)
        for k, v in self.params.items():
            if not (isinstance(v, np.ndarray) and v.dtype == np.float64 and v.flags.c_contiguous):
                raise ValueError(f"parameter {k!r} must be a C-contiguous float64 array")
        self.lr, self.beta1, self.beta2, self.eps = (
            float(lr),
            float(beta1),
            float(beta2),
            float(eps),
        )
        self.t = 0
        self.m = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.v = {k: np.zeros_like(v) for k, v in self.params.items()}
        size = max((v.size for v in self.params.values()), default=0)
        self._buf = np.empty(min(size, self._BLOCK))
        # flat views (parameters are contiguous), split into cache-sized blocks once
        self._blocks = {
            k: [
                (slice(s, s + self._BLOCK), self._buf[: min(self._BLOCK, p.size - s)])
                for s in range(0, p.size, self._BLOCK)
            ]
            for k, p in self.params.items()
        }

    def step(self, grads: Mapping[str, Array]) -> None:
        """Apply one update from ``grads`` (same keys and shapes as ``params``).

        Raises
        ------
        ValueError
            If a gradient is missing or non-finite (the parameters are then left untouched).
        """
        missing = set(self.params) - set(grads)
        if missing:
            raise ValueError(f"no gradient for parameters {sorted(missing)}")
        for k, p in self.params.items():
            if np.size(grads[k]) != p.size:
                raise ValueError(
                    f"gradient of {k!r} has shape {np.shape(grads[k])}; expected {p.shape}"
                )
            # one pass: a sum is NaN or ±inf iff an entry is (or the gradient is astronomical)
            if not np.isfinite(np.sum(grads[k])):
                raise ValueError(f"gradient of {k!r} is not finite (NaN or inf); training diverged")
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        alpha = self.lr * np.sqrt(1.0 - b2**self.t) / (1.0 - b1**self.t)
        for k, p in self.params.items():
            g = np.ascontiguousarray(grads[k], dtype=np.float64).reshape(-1)
            pf, mf, vf = p.reshape(-1), self.m[k].reshape(-1), self.v[k].reshape(-1)
            # in place, block by block so that the twelve passes stay in cache (about 2× faster
            # than whole-array passes for 1024×256 kernels), with no temporaries
            for sl, buf in self._blocks[k]:
                gb, m, v, pb = g[sl], mf[sl], vf[sl], pf[sl]
                np.multiply(gb, 1.0 - b1, out=buf)
                m *= b1
                m += buf
                np.multiply(gb, gb, out=buf)
                buf *= 1.0 - b2
                v *= b2
                v += buf
                np.sqrt(v, out=buf)
                buf += self.eps
                np.divide(m, buf, out=buf)
                buf *= alpha
                pb -= buf

    def state(self) -> dict[str, Array]:
        """Optimizer state as plain arrays (``t``, and ``m/<name>``, ``v/<name>``)."""
        out = {"t": np.asarray(self.t)}
        for k in self.params:
            out[f"m/{k}"] = self.m[k].copy()
            out[f"v/{k}"] = self.v[k].copy()
        return out


# -------------------------------------------------------------------------------------- checking
def finite_difference_gradient(fun: Callable[[], float], array: Array, *, h: float = 1e-6) -> Array:
    r"""Central finite-difference gradient of a scalar ``fun()`` with respect to ``array``.

    Perturbs ``array`` in place entry by entry: :math:`\partial f/\partial a_i\approx
    [f(a+he_i)-f(a-he_i)]/(2h)`, error :math:`O(h^2 f''')+O(\epsilon_{mach}|f|/h)`, and restores it.

    Parameters
    ----------
    fun : callable with no arguments returning a float
        Reads ``array`` (directly or through an object that holds it).
    array : ndarray of float64
        The array to differentiate with respect to (modified temporarily).
    h : float, default=1e-6
        Step.
    """
    if array.dtype != np.float64:
        raise ValueError(f"array must be float64 for a meaningful check; got {array.dtype}")
    grad = np.zeros_like(array)
    flat, gflat = array.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, array):
        raise ValueError("array must be contiguous so that it can be perturbed in place")
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = float(fun())
        flat[i] = old - h
        fm = float(fun())
        flat[i] = old
        gflat[i] = (fp - fm) / (2.0 * h)
    return grad


def relative_error(a: ArrayLike, b: ArrayLike) -> float:
    r"""Norm-wise relative error :math:`\lVert a-b\rVert/\max(\lVert a\rVert,\lVert b\rVert)` (0 if
    both vanish)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    denom = max(float(np.linalg.norm(a)), float(np.linalg.norm(b)))
    return 0.0 if denom == 0.0 else float(np.linalg.norm(a - b)) / denom


def blas_threads(threads: int | None) -> ContextManager[Any]:
    """Context manager limiting the BLAS thread pool to ``threads`` (``None``: leave it alone).

    Uses ``threadpoolctl`` (installed with scikit-learn); a no-op if it is missing. Small dense
    layers gain little from a second BLAS thread, and lose badly when cores are shared.
    """
    if threads is None:
        return contextlib.nullcontext()
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"threads must be a positive integer or None; got {threads!r}")
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=int(threads), user_api="blas")
