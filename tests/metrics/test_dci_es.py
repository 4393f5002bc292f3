"""DCI-ES explicitness and size (impossibility.metrics.dci_es): the area formula on curves of
known area and against a plain trapezoid loop, a perfect code, a factor-independent code, more
noise giving less explicitness, a rotation, the size K/D, invariances, n_jobs and bad input."""

import numpy as np
import pytest

from impossibility.metrics import dci_es, explicitness_from_curve, loss_capacity_curve

CAPS = np.array([2, 4, 8, 16, 32, 64])


def _loop_explicitness(caps, losses, baseline, lowest):
    """The same E by an explicit loop over grid intervals (independent of the vectorised form)."""
    x = [float(np.log(c)) for c in caps]
    best, run = [], baseline
    for v in losses:
        run = min(run, v)
        best.append(max(run, lowest))
    area = 0.0
    for g in range(len(x) - 1):
        area += (x[g + 1] - x[g]) * ((best[g] - lowest) + (best[g + 1] - lowest)) / 2
    return 1.0 - area / ((x[-1] - x[0]) * (baseline - lowest))


def test_curves_of_known_area():
    # flat at the lowest loss: E = 1; flat at the baseline: E = 0
    assert explicitness_from_curve(CAPS, np.zeros(6)) == pytest.approx(1.0, abs=1e-15)
    assert explicitness_from_curve(CAPS, np.ones(6)) == pytest.approx(0.0, abs=1e-15)
    # linear in log-capacity from the baseline to the lowest loss: a triangle, half of Z
    x = np.log(CAPS)
    line = 1.0 - (x - x[0]) / (x[-1] - x[0])
    assert explicitness_from_curve(CAPS, line) == pytest.approx(0.5, abs=1e-12)
    # losses above the baseline are clipped to it; a rise is replaced by the running minimum
    assert explicitness_from_curve(CAPS, np.full(6, 3.0)) == pytest.approx(0.0, abs=1e-15)
    up = np.array([0.5, 0.9, 0.9, 0.9, 0.9, 0.9])
    assert explicitness_from_curve(CAPS, up) == pytest.approx(0.5, abs=1e-12)
    # a step from 1 to 0 over the first interval (log 2 of log 32): E = 1 - (log 2 / 2) / log 32
    step = np.array([1.0, 0, 0, 0, 0, 0])
    want = 1 - 0.5 * np.log(2) / np.log(32)
    assert explicitness_from_curve(CAPS, step) == pytest.approx(want, abs=1e-12)
    # a lowest loss l* > 0 rescales: the curve l* + (1 - l*) line has E = 1/2 again
    lifted = 0.2 + 0.8 * line
    got = explicitness_from_curve(CAPS, lifted, lowest_loss=0.2)
    assert got == pytest.approx(0.5, abs=1e-12)
    # linear capacity axis: the same line in c (not log c) has E = 1/2
    lin = 1.0 - (CAPS - 2) / 62
    assert explicitness_from_curve(CAPS, lin, log_capacity=False) == pytest.approx(0.5, abs=1e-12)


def test_vectorised_area_equals_a_plain_loop():
    rng = np.random.default_rng(0)
    curves = rng.uniform(-0.2, 1.4, size=(50, CAPS.size))
    for baseline, lowest in ((1.0, 0.0), (1.5, 0.3)):
        got = explicitness_from_curve(CAPS, curves, baseline_loss=baseline, lowest_loss=lowest)
        want = [_loop_explicitness(CAPS, c, baseline, lowest) for c in curves]
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-13)
        assert np.all((got >= 0) & (got <= 1))


def test_curve_errors():
    with pytest.raises(ValueError, match="strictly increasing"):
        explicitness_from_curve([2, 2, 4], np.ones(3))
    with pytest.raises(ValueError, match="strictly increasing"):
        explicitness_from_curve([2], np.ones(1))
    with pytest.raises(ValueError, match="positive on a log axis"):
        explicitness_from_curve([0, 1, 2], np.ones(3))
    with pytest.raises(ValueError, match="shape"):
        explicitness_from_curve(CAPS, np.ones(5))
    with pytest.raises(ValueError, match="must exceed lowest_loss"):
        explicitness_from_curve(CAPS, np.ones(6), baseline_loss=0.5, lowest_loss=0.5)
    with pytest.raises(ValueError, match="finite"):
        explicitness_from_curve(CAPS, [0.1, np.nan, 0, 0, 0, 0])
    with pytest.raises(TypeError):
        explicitness_from_curve(CAPS, ["a"] * 6)


@pytest.fixture(scope="module")
def split(uniform):
    rng = np.random.default_rng(7)
    sizes = [3, 6, 10, 4]
    y, yt = uniform.factors(3000, sizes, rng), uniform.factors(1500, sizes, rng)
    return uniform.standardize(y, sizes), y, uniform.standardize(yt, sizes), yt, rng


def _noisy(split, sigma, seed=0):
    z, y, zt, yt, _ = split
    g = np.random.default_rng(seed)
    return z + sigma * g.normal(size=z.shape), y, zt + sigma * g.normal(size=zt.shape), yt


def test_perfect_and_independent_codes(split):
    z, y, zt, yt, _ = split
    perfect = dci_es(z, y, zt, yt, rng=np.random.default_rng(1))
    # a 2-leaf tree on an exact copy of a uniform factor already has loss ~1/4 (one split of
    # a uniform variable); 32 leaves reach ~0 for <= 10 values: E ~ 1 - (1/4 + 1/16 + ...)/9
    assert perfect.explicitness > 0.95
    assert perfect.size == 1.0
    assert perfect.losses.shape == (4, 10)
    # factor-independent Gaussian codes: no probe beats the training mean on the test set
    # except by chance; E collects only those chance dips (about 1/n_test each)
    g = np.random.default_rng(2)
    noise = dci_es(g.normal(size=z.shape), y, g.normal(size=zt.shape), yt, rng=g)
    assert 0.0 <= noise.explicitness < 0.02


def test_more_noise_less_explicitness_and_rotation(split):
    es = [dci_es(*_noisy(split, s), rng=np.random.default_rng(3)).explicitness for s in (0, 0.3, 1)]
    # measured over 3 noise seeds: 0.984, 0.918 +- 0.002, 0.50 +- 0.03: gaps of 0.066 and
    # 0.4 against margins of 0.03 and 0.2
    assert es[0] > es[1] + 0.03 and es[1] > es[2] + 0.2
    z, y, zt, yt = _noisy(split, 0.05)
    rot = np.linalg.qr(np.random.default_rng(4).normal(size=(4, 4)))[0]
    aligned = dci_es(z, y, zt, yt, rng=np.random.default_rng(5)).explicitness
    rotated = dci_es(z @ rot.T, y, zt @ rot.T, yt, rng=np.random.default_rng(5)).explicitness
    # axis-aligned cells fit a rotated factor only with many more leaves (0.98 vs 0.85 here)
    assert aligned > rotated + 0.05


def test_size_and_invariances(split):
    z, y, zt, yt = _noisy(split, 0.2)
    rng = np.random.default_rng
    base = dci_es(z, y, zt, yt, rng=rng(6))
    # two extra noise dimensions: S = K / D = 4 / 6; dropping a factor: S = 3 / 4
    g = rng(8)
    wide = dci_es(
        np.hstack([z, g.normal(size=(len(z), 2))]),
        y,
        np.hstack([zt, g.normal(size=(len(zt), 2))]),
        yt,
        rng=rng(6),
    )
    assert wide.size == pytest.approx(4 / 6, abs=1e-15)
    assert dci_es(z, y[:, :3], zt, yt[:, :3], rng=rng(6)).size == pytest.approx(0.75, abs=1e-15)
    # increasing affine maps of codes and of factors keep every split of the small trees
    # (losses equal to rounding, 1e-9); deep in large trees, leaves whose best splits tie up to
    # rounding may be expanded in another order, moving E by ~1e-4 here: tolerance 2e-3
    a, b = np.array([3.0, 0.5, 2.0, 7.0]), np.array([-1.0, 4.0, 0.0, 2.0])
    perm = [2, 0, 3, 1]
    for other in (
        dci_es(z * a + b, y, zt * a + b, yt, rng=rng(6)),
        dci_es(z, 3 * y + 2, zt, 3 * yt + 2, rng=rng(6)),
        dci_es(z[:, perm], y, zt[:, perm], yt, rng=rng(6)),
    ):
        np.testing.assert_allclose(other.losses[:, :3], base.losses[:, :3], rtol=0, atol=1e-9)
        assert other.explicitness == pytest.approx(base.explicitness, abs=2e-3)


def test_n_jobs_and_reproducibility(split):
    z, y, zt, yt = _noisy(split, 0.2)
    caps = (2, 8, 32)
    one = loss_capacity_curve(z, y, zt, yt, rng=np.random.default_rng(9), capacities=caps)
    two = loss_capacity_curve(z, y, zt, yt, rng=np.random.default_rng(9), capacities=caps, n_jobs=2)
    np.testing.assert_array_equal(one, two)
    assert np.all(one > 0)


def test_bad_input(split):
    z, y, zt, yt, _ = split
    g = np.random.default_rng(0)
    with pytest.raises(TypeError, match="rng"):
        dci_es(z, y, zt, yt, rng=0)
    with pytest.raises(TypeError, match="capacities"):
        dci_es(z, y, zt, yt, rng=g, capacities=(2.0, 4.0))
    with pytest.raises(ValueError, match="capacities"):
        dci_es(z, y, zt, yt, rng=g, capacities=(8, 4))
    with pytest.raises(ValueError, match="capacities"):
        dci_es(z, y, zt, yt, rng=g, capacities=(1, 4))
    with pytest.raises(ValueError, match="lowest_loss"):
        dci_es(z, y, zt, yt, rng=g, lowest_loss=1.0)
    bad = z.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError):
        dci_es(bad, y, zt, yt, rng=g)
    with pytest.raises(ValueError):
        dci_es(z[:-1], y, zt, yt, rng=g)
    one_class = y.copy()
    one_class[:, 1] = 2
    with pytest.raises(ValueError, match="single value"):
        dci_es(z, one_class, zt, yt, rng=g)
    # test factor constant at the training mean: normaliser 0
    ytr = np.column_stack([np.tile([0, 2], len(z) // 2), y[:, 1]])
    yte = np.column_stack([np.ones(len(zt), dtype=int), yt[:, 1]])
    with pytest.raises(ValueError, match="baseline"):
        dci_es(z[:, :2], ytr, zt[:, :2], yte, rng=g)
