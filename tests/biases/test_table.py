"""One number per inductive bias: unsupervised gap exactly 0, every bias > 0."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility import biases
from impossibility.biases import table as tb


@pytest.fixture(scope="module")
def result():
    return tb.bias_table(np.random.default_rng(0), n_mc=4000, quadrature_panels=8)


def test_unsupervised_row_is_zero_and_every_bias_moves_the_likelihood(result):
    rows = result["rows"]
    assert list(rows) == list(tb.BIAS_ORDER)
    # no bias: log p(x) of model and twin agree pointwise up to rounding in f and its log-det
    assert rows["unsupervised"]["max_abs"] < 1e-12
    assert abs(rows["unsupervised"]["gap"]) < 1e-13
    for key in tb.BIAS_ORDER[1:]:
        row = rows[key]
        # each bias: a gap of at least 0.1 nat per observation, far outside its Monte-Carlo error
        assert row["gap"] > 0.1 and row["gap"] > 10 * row["stderr"], key
        # and its control (the bias removed) is back at 0 up to rounding
        assert abs(row["control_gap"]) < 1e-9, key
    # the linear-VAE number is the reference of docs/theory.md §3.7 at θ = π/4
    assert rows["diagonal"]["gap"] == pytest.approx(0.32268431, abs=5e-9)
    assert rows["pairs"]["fraction_shared_true"] == 1.0
    assert rows["pairs"]["fraction_shared_twin"] == 0.0


def test_table_reproduces_the_proof_s_reference_gap_bit_for_bit(result):
    # proofs/04 and experiments/bias_table.py: the diagonal row is docs/theory.md §3.7's number at
    # θ = π/4
    assert result["rows"]["diagonal"]["gap"] == 0.32268430541326265
    assert result["theta"] == np.pi / 4 and result["order"] == list(biases.BIAS_ORDER)


def test_validation_types_and_values():
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        tb.bias_table(np.random.RandomState(0))
    with pytest.raises(TypeError, match="n_mc must be an integer; got 4000.0"):
        tb.bias_table(rng, n_mc=4000.0)
    with pytest.raises(ValueError, match="n_mc must be an integer >= 10; got 5"):
        tb.bias_table(rng, n_mc=5)
    with pytest.raises(ValueError, match="noise must be > 0; got 0.0"):
        tb.bias_table(rng, noise=0.0)
    with pytest.raises(TypeError, match="quadrature_panels must be an integer"):
        tb.bias_table(rng, quadrature_panels=8.0)
