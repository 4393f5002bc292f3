"""The package's one validation module: TypeError for a wrong type, ValueError for a wrong value."""

import numpy as np
import pytest

from impossibility import _validation as v


def test_check_rng_accepts_only_a_generator():
    rng = np.random.default_rng(0)
    assert v.check_rng(rng) is rng
    for bad in (0, None, np.random.RandomState(0)):
        with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator.*got"):
            v.check_rng(bad)
    with pytest.raises(TypeError, match="^seed must be"):
        v.check_rng(1, "seed")


def test_check_int_types_and_bounds():
    assert v.check_int(np.int64(3), "n", minimum=1) == 3
    assert type(v.check_int(np.int32(3), "n")) is int
    for bad in (2.0, True, np.bool_(True), "3", None, np.array([3])):
        with pytest.raises(TypeError, match="n must be an integer; got"):
            v.check_int(bad, "n")
    with pytest.raises(ValueError, match="n must be an integer >= 1; got 0"):
        v.check_int(0, "n", minimum=1)
    with pytest.raises(ValueError, match="n must be an integer >= 1 and <= 5; got 6"):
        v.check_int(6, "n", minimum=1, maximum=5)


def test_check_dimension_explains_why_d_must_be_two():
    assert v.check_dimension(2) == 2
    with pytest.raises(ValueError, match="Theorem 1 needs d ≥ 2"):
        v.check_dimension(1)
    with pytest.raises(TypeError, match="d must be an integer; got 2.7"):
        v.check_dimension(2.7)


def test_check_scalar_types_bounds_and_finiteness():
    assert v.check_scalar(np.float32(0.5), "x") == 0.5
    assert v.check_scalar(np.array(2.0), "x") == 2.0
    assert v.check_scalar(3, "x") == 3.0
    for bad in ("1", True, 1j, [1.0], np.ones(2)):
        with pytest.raises(TypeError, match="x must be a real number; got"):
            v.check_scalar(bad, "x")
    for bad in (np.nan, np.inf):
        with pytest.raises(ValueError, match="x must be finite"):
            v.check_scalar(bad, "x")
    with pytest.raises(ValueError, match=r"x must be > 0 and <= 1; got 0.0"):
        v.check_scalar(0.0, "x", minimum=0, maximum=1, include_min=False)
    with pytest.raises(ValueError, match=r"x must be >= 0 and < 1; got 1.0"):
        v.check_scalar(1.0, "x", minimum=0, maximum=1, include_max=False)


def test_check_choice():
    assert v.check_choice("a", "kind", ("a", "b")) == "a"
    with pytest.raises(ValueError, match=r"kind must be one of \['a', 'b'\]; got 'c'"):
        v.check_choice("c", "kind", ("a", "b"))
    with pytest.raises(TypeError, match="kind must be one of"):
        v.check_choice(1, "kind", ("a", "b"))


def test_check_has_methods_names_the_missing_method():
    class Half:
        def forward(self, x):
            return x

    assert v.check_has_methods(Half(), "f", ["forward"]) is not None
    with pytest.raises(TypeError, match=r"f must provide .inverse\(\) \(a bijector\); got Half"):
        v.check_has_methods(Half(), "f", ["forward", "inverse"], what="a bijector")


def test_all_finite_one_pass_and_overflow():
    assert v.all_finite(np.ones((3, 3)))
    assert not v.all_finite(np.array([1.0, np.nan]))
    assert not v.all_finite(np.array([1.0, -np.inf]))
    big = np.full(4, 1e308)  # the sum overflows, but every entry is finite
    assert v.all_finite(big)


def test_as_array_and_as_points():
    np.testing.assert_array_equal(v.as_points([1.0, 2.0], 2), [[1.0, 2.0]])
    assert v.as_points(np.ones((5, 3), dtype=np.int64), 3).dtype == np.float64
    with pytest.raises(TypeError, match="z must be an array of real numbers; got dtype"):
        v.as_points(["a", "b"], 2)
    with pytest.raises(TypeError, match="array of real numbers"):
        v.as_array(np.array([1 + 1j]), "z")
    with pytest.raises(ValueError, match=r"z must have shape \(n, 3\) or \(3,\); got shape \(2,\)"):
        v.as_points([1.0, 2.0], 3)
    with pytest.raises(
        ValueError, match=r"z contains 1 non-finite value\(s\) \(NaN or inf; first: nan"
    ):
        v.as_points([[0.0, np.nan]], 2)
    with pytest.raises(ValueError, match=r"x must have shape \(n, 2\); got shape \(3, 3\)"):
        v.as_array(np.zeros((3, 3)), "x", shape=(None, 2))
    with pytest.raises(ValueError, match="x must be a 2-D array; got shape"):
        v.as_array(np.zeros(3), "x", ndim=2)
    x = np.zeros(3)
    assert v.as_array(x, "x", copy=True) is not x
    assert v.as_array([np.inf], "x", finite=False)[0] == np.inf


def test_as_matrix_and_check_orthogonal():
    theta = 0.3
    R = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    np.testing.assert_array_equal(v.check_orthogonal(R), R)
    with pytest.raises(ValueError, match="square"):
        v.as_matrix(np.ones((2, 3)), "A", square=True)
    with pytest.raises(ValueError, match="not orthogonal"):
        v.check_orthogonal(R * (1 + 1e-8))
    # the one tolerance: 1e3·ε·d, generous for rounding, strict for approximation
    assert v.orthogonality_tolerance(4) == pytest.approx(4e3 * np.finfo(float).eps)
    v.check_orthogonal(R * (1 + 1e-8), atol=1e-7)
    with pytest.raises(ValueError, match="atol must be >= 0"):
        v.check_orthogonal(R, atol=-1.0)


def test_check_same_rows():
    assert v.check_same_rows(a=np.zeros((3, 1)), b=np.zeros((3, 2))) == 3
    with pytest.raises(
        ValueError, match=r"same number of samples \(rows\); got \{'a': 3, 'b': 2\}"
    ):
        v.check_same_rows(a=np.zeros((3, 1)), b=np.zeros((2, 2)))


def test_shape_messages_read_like_numpy_shapes():
    with pytest.raises(ValueError, match=r"b must have shape \(3,\); got shape \(2,\)"):
        v.as_array(np.zeros(2), "b", shape=(3,))


def test_structural_checks_of_priors_and_bijectors():
    from scipy import stats

    import impossibility as im

    prior = im.FactorizedPrior.iid(stats.norm(), 3)
    assert v.check_prior_like(prior, 3) is prior
    with pytest.raises(
        ValueError, match="the prior has 3 coordinates but the decoder takes 2 latents"
    ):
        v.check_prior_like(prior, 2, consumer="the decoder")
    with pytest.raises(TypeError, match=r"prior must provide .log_prob\(\)"):
        v.check_prior_like(object(), 3)
    f = im.entangling_bijection(prior, rng=np.random.default_rng(0))
    assert v.check_bijector_like(f, 3) is f
    with pytest.raises(ValueError, match="f acts on d = 3 coordinates but the prior has d = 2"):
        v.check_bijector_like(f, 2)
    with pytest.raises(TypeError, match=r"f must provide .forward\(\) \(a Bijector\)"):
        v.check_bijector_like(np.eye(3), 3)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([[1.0, -2.0], [3.0, 4.0]], True),
        ([[np.nan, 1.0]], False),
        ([[np.inf, 1.0]], False),
        ([[-1e299, 1e299]], False),  # finite but not provably below the bound: "not proven"
        ([[1e301, 0.0]], False),
    ],
)
def test_all_below_is_a_sufficient_finiteness_proof(rows, expected):
    from impossibility._validation import all_below

    arr = np.asarray(rows)
    assert all_below(arr) is expected
    assert all_below(np.asfortranarray(arr).T.T) is expected  # the non-contiguous route
    if expected:  # whenever it says yes, every entry is finite and below the bound
        assert np.all(np.isfinite(arr)) and np.abs(arr).max() < 1e300


def test_all_below_agrees_with_entrywise_checks_on_random_rows():
    from impossibility._validation import all_below

    rng = np.random.default_rng(0)
    for scale in (1.0, 1e100, 1e150):
        arr = scale * rng.standard_normal((500, 7))
        assert all_below(arr) == bool(np.all(np.abs(arr) < 1e300))
    assert all_below(np.empty((0, 3)))
