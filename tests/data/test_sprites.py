"""Tests for impossibility.data.sprites: procedural dSprites-like images."""

from __future__ import annotations

import numpy as np
import pytest

from impossibility.data import SPRITE_SHAPES, GroundTruthData, ProceduralSprites


@pytest.fixture(scope="module")
def sprites() -> ProceduralSprites:
    return ProceduralSprites()


def _configs(ds: GroundTruthData, n: int, seed: int) -> np.ndarray:
    return ds.sample_factors(n, np.random.default_rng(seed))


# ============================================================================ interface
def test_sprites_interface_and_shapes(sprites):
    assert sprites.num_factors == 5
    assert sprites.factors_num_values == [3, 6, 40, 32, 32]
    assert sprites.factor_names == ["shape", "scale", "orientation", "pos_x", "pos_y"]
    assert sprites.observation_shape == (32, 32, 1)
    f, x = sprites.sample(64, np.random.default_rng(0))
    assert f.shape == (64, 5) and f.dtype == np.int64
    assert x.shape == (64, 32, 32, 1) and x.dtype == np.float64
    assert set(np.unique(x)) <= {0.0, 1.0}  # binary
    assert np.all(x.reshape(64, -1).sum(axis=1) > 0)  # every sprite is visible
    assert np.all((f >= 0) & (f < np.array(sprites.factors_num_values)))
    f0, x0 = sprites.sample(0, np.random.default_rng(0))
    assert f0.shape == (0, 5) and x0.shape == (0, 32, 32, 1)
    obs = sprites.sample_observations(3, np.random.default_rng(5))
    np.testing.assert_array_equal(obs, sprites.sample(3, np.random.default_rng(5))[1])


def test_sprites_smaller_configurations():
    ds = ProceduralSprites(num_scales=2, num_orientations=4, num_positions=5, num_positions_y=3)
    assert ds.factors_num_values == [3, 2, 4, 5, 3]
    f, x = ds.sample(2000, np.random.default_rng(1))
    for k, n in enumerate(ds.factors_num_values):
        assert set(np.unique(f[:, k])) == set(range(n))
    assert x.shape == (2000, 32, 32, 1)
    one = ProceduralSprites(num_scales=1, num_orientations=1, num_positions=1, shapes=("heart",))
    assert one.factors_num_values == [1, 1, 1, 1, 1]
    np.testing.assert_allclose(
        one.factor_values(np.zeros((1, 5), dtype=int)), [[2, 1.0, 0.0, 0.5, 0.5]]
    )


def test_shape_subset_renders_the_same_sprite(sprites):
    hearts = ProceduralSprites(shapes=("heart",))
    f = _configs(hearts, 50, 2)
    g = f.copy()
    g[:, 0] = SPRITE_SHAPES.index("heart")
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(
        hearts.sample_observations_from_factors(f, rng),
        sprites.sample_observations_from_factors(g, rng),
    )


def test_factor_values(sprites):
    np.testing.assert_allclose(sprites.scales, [0.5, 0.6, 0.7, 0.8, 0.9, 1.0], atol=1e-15)
    assert sprites.orientations[0] == 0.0 and sprites.orientations[-1] < 2 * np.pi
    np.testing.assert_allclose(np.diff(sprites.orientations), 2 * np.pi / 40, rtol=1e-12)
    np.testing.assert_allclose(sprites.positions_x + sprites.positions_x[::-1], 1.0, atol=1e-15)
    assert np.all(np.diff(sprites.positions_x) > 0)


# ============================================================================ determinism
def test_sprites_deterministic(sprites):
    f = _configs(sprites, 300, 4)
    a = sprites.sample_observations_from_factors(f, np.random.default_rng(0))
    b = sprites.sample_observations_from_factors(f, np.random.default_rng(99))
    np.testing.assert_array_equal(a, b)  # the rng is not used
    # chunking does not change anything
    c = ProceduralSprites(batch_size=7).sample_observations_from_factors(
        f, np.random.default_rng(0)
    )
    np.testing.assert_array_equal(a, c)
    f1, x1 = sprites.sample(20, np.random.default_rng(11))
    f2, x2 = sprites.sample(20, np.random.default_rng(11))
    np.testing.assert_array_equal(f1, f2)
    np.testing.assert_array_equal(x1, x2)
    f3, _ = sprites.sample(20, np.random.default_rng(12))
    assert not np.array_equal(f1, f3)


# ============================================================================ geometry
def test_sprites_stay_inside_the_image(sprites):
    # largest scale, every shape and orientation, the four extreme positions: the border ring of
    # pixels stays empty (the margin covers the heart's extent 1.215 R, see the next test)
    f = np.array(
        [(s, 5, o, x, y) for s in range(3) for o in range(40) for x in (0, 31) for y in (0, 31)]
    )
    im = sprites.sample_observations_from_factors(f, np.random.default_rng(0))[..., 0]
    border = im[:, 0, :].sum() + im[:, -1, :].sum() + im[:, :, 0].sum() + im[:, :, -1].sum()
    assert border == 0
    assert np.all(im.reshape(len(f), -1).sum(axis=1) > 0)


def test_shape_extents_below_margin():
    # independent check of the margin constant 1.25 (in units of s·R) on a fine grid in sprite frame
    u = np.linspace(-1.6, 1.6, 1601)
    U, V = np.meshgrid(u, u)
    a, b = U / 0.9, V / 0.9 + 0.1
    heart = (a**2 + b**2 - 1) ** 3 - a**2 * b**3 <= 0
    square = np.maximum(np.abs(U), np.abs(V)) <= 0.8
    r = np.hypot(U, V)
    assert r[heart].max() < 1.25 and r[square].max() < 1.25  # grid spacing 2e-3 ≪ 0.035 slack


@pytest.mark.parametrize("shape", ["square", "ellipse"])
def test_centroid_follows_position(sprites, shape):
    # point-symmetric shapes: the pixel centroid is the sprite centre up to pixelisation
    # (error ≤ half a pixel, 1/64 in unit coordinates)
    f = _configs(sprites, 400, 5)
    f[:, 0] = SPRITE_SHAPES.index(shape)
    im = sprites.sample_observations_from_factors(f, np.random.default_rng(0))[..., 0]
    P = 32
    c = (np.arange(P) + 0.5) / P
    mass = im.sum(axis=(1, 2))
    cx = (im.sum(axis=1) * c).sum(axis=1) / mass
    cy = (im.sum(axis=2) * (1 - c)).sum(axis=1) / mass  # row 0 is the top: y increases upwards
    vals = sprites.factor_values(f)
    assert np.max(np.abs(cx - vals[:, 3])) < 0.5 / P
    assert np.max(np.abs(cy - vals[:, 4])) < 0.5 / P


def test_area_scales_with_scale_squared(sprites):
    # square side 1.6·s·R·P pixels: area ≈ (1.6 s R P)²; pixel counting errs by at most the number
    # of boundary pixels (≈ perimeter 4·side + 4), so compare with that allowance
    f = np.array([(0, k, o, 15, 16) for k in range(6) for o in range(0, 40, 3)])
    im = sprites.sample_observations_from_factors(f, np.random.default_rng(0))
    area = im.reshape(len(f), -1).sum(axis=1)
    side = 1.6 * sprites.scales[f[:, 1]] * sprites.sprite_radius * 32
    assert np.all(np.abs(area - side**2) <= 4 * side * np.sqrt(2) + 4)
    # bigger scale, bigger sprite (averaged over orientations)
    mean_area = area.reshape(6, -1).mean(axis=1)
    assert np.all(np.diff(mean_area) > 0)


# ============================================================================ every factor matters
def _changed(ds: ProceduralSprites, f: np.ndarray, k: int, step: int) -> np.ndarray:
    g = f.copy()
    g[:, k] = (f[:, k] + step) % ds.factors_num_values[k]
    rng = np.random.default_rng(0)
    a = ds.sample_observations_from_factors(f, rng)
    b = ds.sample_observations_from_factors(g, rng)
    return np.any(a != b, axis=(1, 2, 3))


@pytest.mark.parametrize(
    "k, step", [(0, 1), (0, 2), (1, 3), (2, 5), (3, 16), (4, 16), (3, 2), (4, 2), (1, 2)]
)
def test_every_factor_changes_every_image(sprites, k, step):
    # large changes (different shape, half the positions, 45° rotation — never a symmetry of the
    # square or ellipse — three scale steps, two position/scale steps) always change the image
    f = _configs(sprites, 1500, 10 + k)
    if k in (1, 3, 4):  # stay inside the range instead of wrapping around
        f[:, k] = f[:, k] % (sprites.factors_num_values[k] - step)
    assert np.all(_changed(sprites, f, k, step))


def test_heart_has_no_rotational_symmetry(sprites):
    f = _configs(sprites, 1000, 21)
    f[:, 0] = SPRITE_SHAPES.index("heart")
    f[:, 1] = np.maximum(f[:, 1], 2)  # the heart is ≥ 7 px wide from scale 0.7 on
    assert np.all(_changed(sprites, f, 2, 20))  # 180°
    assert np.all(_changed(sprites, f, 2, 10))  # 90°


@pytest.mark.parametrize("k, max_unchanged", [(1, 0.02), (2, 0.05), (3, 0.02), (4, 0.02)])
def test_one_step_changes_binary_image_almost_always(sprites, k, max_unchanged):
    # 0.59-px position steps and 9° rotations of 5-px sprites: on a 32-px binary image a few
    # one-step changes are invisible (measured 0.7–0.9 % for positions and scale, 3.2 % for
    # orientation); the bounds leave room for sampling variation at n = 3000 (binomial sd ≤ 0.4 %)
    f = _configs(sprites, 3000, 30 + k)
    if k != 2:
        f[:, k] = f[:, k] % (sprites.factors_num_values[k] - 1)
    changed = _changed(sprites, f, k, 1)  # a one-step (9°) rotation is never a symmetry
    assert 1 - changed.mean() <= max_unchanged


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_supersampled_one_step_always_changes_image(k):
    ds = ProceduralSprites(supersample=4)
    f = _configs(ds, 400, 40 + k)
    if k != 2:
        f[:, k] = f[:, k] % (ds.factors_num_values[k] - 1)
    assert np.all(_changed(ds, f, k, 1))


def test_supersample_is_coverage():
    ds1, ds4 = ProceduralSprites(), ProceduralSprites(supersample=4)
    f = _configs(ds1, 200, 50)
    rng = np.random.default_rng(0)
    a, b = (
        ds1.sample_observations_from_factors(f, rng),
        ds4.sample_observations_from_factors(f, rng),
    )
    assert b.min() >= 0 and b.max() <= 1
    assert np.all(np.isclose(b * 16, np.round(b * 16)))  # multiples of 1/16
    # same sprite: total coverage agrees with the binary pixel count up to the boundary pixels
    diff = np.abs(a.sum(axis=(1, 2, 3)) - b.sum(axis=(1, 2, 3)))
    boundary = (b > 0) & (b < 1)
    assert np.all(diff <= boundary.sum(axis=(1, 2, 3)) + 1)


# ============================================================================ bad input
def test_sprites_bad_input():
    with pytest.raises(ValueError, match="shapes"):
        ProceduralSprites(shapes=("circle",))
    with pytest.raises(ValueError, match="shapes"):
        ProceduralSprites(shapes=())
    with pytest.raises(ValueError, match="shapes"):
        ProceduralSprites(shapes=("heart", "heart"))
    with pytest.raises(ValueError, match="sprite_radius"):
        ProceduralSprites(sprite_radius=0.45)
    with pytest.raises(TypeError, match="sprite_radius"):
        ProceduralSprites(sprite_radius="0.2")
    with pytest.raises(ValueError, match="num_scales"):
        ProceduralSprites(num_scales=0)
    with pytest.raises(TypeError, match="num_positions"):
        ProceduralSprites(num_positions=4.0)
    with pytest.raises(ValueError, match="supersample"):
        ProceduralSprites(supersample=0)
    with pytest.raises(ValueError, match="too small"):
        ProceduralSprites(image_size=4, sprite_radius=0.3)
