"""iVAE segments: the rotated twin's KL per segment, closed form vs quadrature and the old bias."""

from __future__ import annotations

import math

import numpy as np
import pytest

from impossibility.biases import ivae
from impossibility.biases.auxiliary import shared_rotation_gap
from impossibility.biases.diagonal import plane_rotation

R45 = plane_rotation(math.pi / 4)


def test_reference_value_two_ways():
    # ½[tr(Λ⁻¹AΛAᵀ) − 2] with AΛAᵀ diagonal (2.5, 2.5): ½(2.5 + 2.5/4 − 2) = 0.5625
    assert ivae.segment_kl([[1.0, 4.0]], R45)[0] == pytest.approx(0.5625, rel=1e-14)
    assert ivae.segment_kl_quadrature([[1.0, 4.0]], R45)[0] == pytest.approx(0.5625, rel=1e-12)


def test_closed_form_against_quadrature_with_means():
    rng = np.random.default_rng(0)
    v = rng.uniform(0.5, 3.0, (4, 3))
    mu = rng.standard_normal((4, 3))
    A = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    np.testing.assert_allclose(
        ivae.segment_kl(v, A, mu), ivae.segment_kl_quadrature(v, A, mu), rtol=1e-11
    )


def test_same_as_the_auxiliary_bias_shared_u():
    v = np.array([[1.0, 4.0], [4.0, 1.0], [2.0, 0.5]])
    A = plane_rotation(0.3)
    # the existing bias writes the twin's orientation as Aᵀ
    assert ivae.ivae_gap(v, A) == pytest.approx(
        shared_rotation_gap(np.sqrt(v), A.T)["conditional"], rel=1e-13
    )


def test_isotropic_segments_are_the_control():
    v = [[1.0, 1.0], [4.0, 4.0], [0.3, 0.3]]
    for theta in (0.2, math.pi / 4, 1.3):
        assert abs(ivae.ivae_gap(v, plane_rotation(theta))) < 1e-15
    assert ivae.variability_rank(v) == 1
    assert ivae.variability_rank([[1.0, 4.0], [4.0, 1.0], [2.0, 2.0]]) == 2


def test_bad_input():
    with pytest.raises(ValueError, match="positive"):
        ivae.segment_kl([[1.0, -1.0]], R45)
    with pytest.raises(ValueError, match="orthogonal"):
        ivae.segment_kl([[1.0, 2.0]], np.eye(3))
    with pytest.raises(ValueError, match="summing to 1"):
        ivae.ivae_gap([[1.0, 2.0]], R45, probs=[0.5])
