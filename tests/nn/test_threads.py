"""Tests for impossibility.nn.threads: the BLAS thread limit and its validation."""

from __future__ import annotations

import contextlib

import pytest

from impossibility import nn


def _blas_threads():
    from threadpoolctl import threadpool_info

    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


def test_limits_inside_and_restores_after():
    before = _blas_threads()
    with nn.blas_threads(1):
        assert all(n == 1 for n in _blas_threads())
    assert _blas_threads() == before
    assert isinstance(nn.blas_threads(None), contextlib.nullcontext)


def test_validation_errors():
    with pytest.raises(ValueError, match="threads must be an integer >= 1"):
        nn.blas_threads(0)
    with pytest.raises(TypeError, match="threads must be an integer"):
        nn.blas_threads(1.5)
    with pytest.raises(TypeError, match="threads must be an integer"):
        nn.blas_threads(True)
