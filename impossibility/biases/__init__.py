r"""Where the impossibility stops: inductive biases and supervision that break Theorem 1's symmetry.

Theorem 1's map :math:`f` preserves one law, the marginal :math:`p(z)` (hence :math:`p(x)`). A bias
breaks the symmetry when the entangled twin is no longer as good a model of what the learner sees
(theory.md §5.1); each submodule measures by how much:

:mod:`~impossibility.biases.diagonal`
    The diagonal-Gaussian encoder family (theory.md §3.7): ELBO of the best diagonal encoder
    of a rotated VAE as a function of the angle, exact condition, closed form for linear VAEs.
:mod:`~impossibility.biases.auxiliary`
    An observed auxiliary variable modulating a conditionally factorized prior (iVAE, §5.2):
    :math:`p(x)` is preserved, :math:`p(x, u)` is not.
:mod:`~impossibility.biases.pairs`
    Weak supervision with pairs that share all but k factors (§5.3), and a NumPy Ada-GVAE.
:mod:`~impossibility.biases.table`
    One number per bias: the expected log-likelihood gap of the entangled twin.
"""

from . import diagonal

__all__ = ["diagonal"]
