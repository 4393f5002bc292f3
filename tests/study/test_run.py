"""Tests of impossibility.study.run: one run's record."""

from __future__ import annotations

import pytest

import impossibility.study as st


def test_record_has_every_score(sequential_records, tiny_configs):
    rec = sequential_records[0]
    assert rec["key"] == tiny_configs()[0].key and rec["status"] == "ok"
    scores = rec["scores"]
    for key in (*st.DISENTANGLEMENT_SCORES, *st.UNSUPERVISED_SCORES, *st.DOWNSTREAM_SCORES):
        assert isinstance(scores[key], float), key
    assert scores["elbo"] == pytest.approx(scores["reconstruction"] - scores["kl"], rel=1e-9)
    assert set(rec["per_factor"]) == {
        f"{m}_{n}_per_factor" for m in ("lr", "gbt") for n in ("small", "all")
    }


def test_run_one_checks():
    with pytest.raises(TypeError, match="config must be a RunConfig; got dict"):
        st.run_one({"dataset": "sprites16"})
