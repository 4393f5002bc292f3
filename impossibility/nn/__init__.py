r"""Dense neural networks in NumPy with hand-written backward passes, and Adam.

``y, cache = m.forward(x)``; ``dx, grads = m.backward(cache, dy)`` with
:math:`\bar x=\partial L/\partial x` and ``{name: ∂L/∂θ}``. Everything is vectorised over the
batch, in float64 by default or float32 (``dtype=``, :func:`check_dtype`);
initialisation takes an explicit :class:`numpy.random.Generator`.

How it is built: docs/package.md §nn.
"""

from .activations import (
    ACTIVATIONS,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softplus,
    Tanh,
    as_float,
    log_sigmoid,
    sigmoid,
    softplus,
)
from .adam import Adam
from .dtypes import FLOAT_DTYPES, check_dtype, dtype_name
from .gradcheck import finite_difference_gradient, relative_error
from .linear import Dense, Linear
from .losses import bernoulli_log_likelihood, gaussian_log_likelihood, softmax_cross_entropy
from .module import Module
from .sequential import Sequential, mlp
from .threads import blas_threads

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
    "FLOAT_DTYPES",
    "check_dtype",
    "dtype_name",
    "as_float",
]
