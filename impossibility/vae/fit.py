r"""One minibatch training loop: :math:`T` steps on rows drawn i.i.d. with replacement.

At step :math:`t=0,\dots,T-1` the loop draws ``batch_size`` row indices uniformly from
``range(n_rows)`` and calls ``step(t, idx)``, which computes a loss, applies an optimiser update
and returns its logs; the loop stops on a non-finite ``loss``, collects the logs into a history
and limits BLAS threads meanwhile. The VAE, the FactorVAE discriminator and the inductive-bias
models train through it, so they draw their randomness in the same order.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

from impossibility import nn
from impossibility._progress import progress as _progress
from impossibility._typing import Array
from impossibility._validation import check_int, check_rng

__all__ = ["train_loop"]


def train_loop(
    step: Callable[[int, np.ndarray], Mapping[str, float]],
    *,
    n_rows: int,
    n_steps: int,
    batch_size: int,
    rng: np.random.Generator,
    threads: int | None = 1,
    progress: bool | None = False,
    desc: str = "fit",
    callback: Callable[[int, Mapping[str, float]], None] | None = None,
) -> dict[str, Array]:
    """Run ``n_steps`` minibatch steps and return the per-step logs as arrays.

    Parameters
    ----------
    step : callable ``step(t, idx) -> logs``
        One training step on the rows ``idx`` (int64 array of length ``batch_size``); ``logs``
        maps names to floats. A non-finite ``logs["loss"]`` stops training.
    n_rows : int
        Number of training rows to draw from.
    n_steps : int
        Number of steps (0 allowed).
    batch_size : int
    rng : numpy.random.Generator
        Draws the minibatch indices (``step`` may use it too, after the indices).
    threads : int or None, default=1
        BLAS threads while training (:func:`impossibility.nn.blas_threads`).
    progress : bool or None, default=False
        Progress bar labelled ``desc`` (``None``: only on a terminal).
    callback : callable, optional
        ``callback(t, logs)`` after every step.

    Returns
    -------
    dict of str to ndarray
        Every key the steps logged, one entry per step.

    Raises
    ------
    FloatingPointError
        If a step logs a non-finite loss.
    """
    check_rng(rng)
    n_rows = check_int(n_rows, "n_rows", minimum=1)
    n_steps = check_int(n_steps, "n_steps", minimum=0)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    history: dict[str, list[float]] = {}
    with nn.blas_threads(threads):
        for t in _progress(range(n_steps), desc=desc, enabled=progress):
            logs = step(t, rng.integers(0, n_rows, size=batch_size))
            if "loss" in logs and not np.isfinite(logs["loss"]):
                raise FloatingPointError(
                    f"loss became {logs['loss']} at step {t}; lower the learning rate"
                )
            for k, v in logs.items():
                history.setdefault(k, []).append(v)
            if callback is not None:
                callback(t, logs)
    return {k: np.asarray(v) for k, v in history.items()}
