"""Linearity and axis alignment of traversals (impossibility.metrics.factored_components):
the ratio by hand, the spectra against a loop with SVD, codes of known answer (on an axis,
rotated, on a circle), invariances, the axis <= linear bound and bad input."""

import numpy as np
import pytest

from impossibility.metrics import linearity, normalised_top_ratio, traversal_spectra

KEYS = (
    "linearity.axis_ratio.var",
    "linearity.linear_ratio.var",
    "linearity.axis_alignment.var",
    "linearity.axis_ratio_ave.var",
)


def test_normalised_top_ratio_by_hand():
    assert normalised_top_ratio(np.array([1.0, 0.0, 0.0])) == 1.0
    assert normalised_top_ratio(np.array([1.0, 1.0])) == 0.0
    # max/sum = 1/2 with D = 3: (1/2 - 1/3) / (2/3) = 1/4
    assert normalised_top_ratio(np.array([2.0, 1.0, 1.0])) == pytest.approx(0.25, abs=1e-15)
    assert normalised_top_ratio(np.zeros(4)) == 0.0  # a traversal that does not move
    np.testing.assert_array_equal(normalised_top_ratio(np.array([[3, 0], [1, 1]])), [1.0, 0.0])


def test_spectra_equal_a_loop_with_svd():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(6, 7, 4)) @ rng.normal(size=(4, 4))
    axis, eig = traversal_spectra(z)
    for r in range(6):
        np.testing.assert_allclose(axis[r], np.var(z[r], axis=0, ddof=1), rtol=1e-12)
        s = np.linalg.svd(z[r] - z[r].mean(axis=0), compute_uv=False)
        np.testing.assert_allclose(np.sort(eig[r]), np.sort(s**2 / 6), rtol=1e-10, atol=1e-12)


def test_codes_of_known_answer(tiny):
    data, rng = tiny.Data(sizes=(4, 5)), np.random.default_rng
    out = linearity(data, tiny.perfect, rng(1), repeats=16)
    assert all(out[k] == pytest.approx(1.0, abs=1e-12) for k in KEYS)
    # both factors moved along the diagonals (1, 1) and (1, -1): straight (linear 1) but with
    # equal variance on both axes (axis ratio 0, alignment 0)
    rot = np.array([[1.0, 1.0], [1.0, -1.0]]) / np.sqrt(2)
    out = linearity(data, lambda x: tiny.perfect(x) @ rot.T, rng(1), repeats=16)
    assert out["linearity.linear_ratio.var"] == pytest.approx(1.0, abs=1e-12)
    assert out["linearity.axis_ratio.var"] == pytest.approx(0.0, abs=1e-12)
    assert out["linearity.axis_alignment.var"] == pytest.approx(0.0, abs=1e-12)

    # factor 0 goes round a circle in 4 steps (a square: equal variance in every direction of
    # its plane, spectrum (v, v, 0), r = (1/2 - 1/3) / (2/3) = 1/4 on axes and eigenvalues);
    # factor 1 along the third axis (r = 1): geometric mean sqrt(1/4) = 1/2
    def circle(x):
        y = tiny.perfect(x)
        t = 2 * np.pi * y[:, 0] / 4
        return np.column_stack([np.cos(t), np.sin(t), y[:, 1]])

    out = linearity(data, circle, rng(1), repeats=16)
    assert out["linearity.linear_ratio.var"] == pytest.approx(0.5, abs=1e-12)
    assert out["linearity.axis_ratio.var"] == pytest.approx(0.5, abs=1e-12)


def test_invariances_and_the_bound(tiny):
    data = tiny.Data(sizes=(3, 4, 5), noise=0.3)
    mix = np.random.default_rng(2).normal(size=(3, 3))
    q = np.linalg.qr(np.random.default_rng(3).normal(size=(3, 3)))[0]

    def mixed(x):
        return tiny.perfect(x) @ mix.T

    base = linearity(data, mixed, np.random.default_rng(4), repeats=64)
    # the same draws: a rotation of the code keeps the eigenvalues (linear ratio)
    rotated = linearity(data, lambda x: mixed(x) @ q.T, np.random.default_rng(4), repeats=64)
    assert rotated["linearity.linear_ratio.var"] == pytest.approx(
        base["linearity.linear_ratio.var"], abs=1e-12
    )
    # a signed permutation and a common scale keep every per-axis variance ratio
    perm = lambda x: -2.5 * mixed(x)[:, [2, 0, 1]]  # noqa: E731
    permuted = linearity(data, perm, np.random.default_rng(4), repeats=64)
    for k in KEYS:
        assert permuted[k] == pytest.approx(base[k], abs=1e-12)
    # the largest variance of a coordinate never exceeds the largest eigenvalue
    assert base["linearity.axis_ratio.var"] <= base["linearity.linear_ratio.var"] + 1e-12
    assert 0.0 < base["linearity.axis_alignment.var"] <= 1.0 + 1e-12


def test_linearity_errors(tiny):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        linearity(tiny.Data(sizes=(3,)), tiny.perfect, rng, repeats=4)
    with pytest.raises(ValueError, match="at least 2 values"):
        linearity(tiny.Data(sizes=(1, 1)), tiny.perfect, rng, repeats=4)
    with pytest.raises(ValueError, match="repeats must be an integer >= 1"):
        linearity(tiny.Data(), tiny.perfect, rng, repeats=0)
    with pytest.raises(TypeError, match="rng"):
        linearity(tiny.Data(), tiny.perfect, 0)
    with pytest.raises(ValueError, match="finite"):
        linearity(tiny.Data(), lambda x: np.full((len(x), 3), np.nan), rng, repeats=4)
