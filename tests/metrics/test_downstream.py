"""Downstream-task accuracies and boosted-tree DCI (impossibility.metrics.downstream)."""

import numpy as np
import pytest

from impossibility.metrics import dci_from_importance, downstream_scores


def _data(seed=0, n_train=300, n_test=150, noise=0.1):
    rng = np.random.default_rng(seed)
    y = np.column_stack([rng.integers(0, s, n_train + n_test) for s in (3, 4, 2)])
    z = (y - y.mean(0)) / y.std(0) + noise * rng.normal(size=y.shape)
    return z[:n_train], y[:n_train], z[n_train:], y[n_train:]


def test_downstream_scores_keys_and_perfect_code():
    out = downstream_scores(*_data(), rng=np.random.default_rng(1), small=50, n_estimators=10)
    assert list(out) == [
        "dci_disentanglement",
        "dci_completeness",
        "lr_small",
        "lr_small_per_factor",
        "lr_all",
        "lr_all_per_factor",
        "gbt_small",
        "gbt_small_per_factor",
        "gbt_all",
        "gbt_all_per_factor",
        "dci_informativeness_test",
        "lr_efficiency",
        "gbt_efficiency",
    ]
    for m in ("lr", "gbt"):
        for tag in ("small", "all"):
            per = out[f"{m}_{tag}_per_factor"]
            assert len(per) == 3 and out[f"{m}_{tag}"] == float(np.mean(per))
        assert out[f"{m}_efficiency"] == out[f"{m}_small"] / out[f"{m}_all"]
    assert out["dci_informativeness_test"] == out["gbt_all"]
    # a noisy identity code: nearly every test label right, DCI near 1
    assert out["lr_all"] > 0.95 and out["gbt_all"] > 0.95
    assert out["dci_disentanglement"] > 0.8 and out["dci_completeness"] > 0.8


def test_downstream_scores_single_valued_small_labels_predict_that_value():
    z, y, zt, yt = _data(seed=2)
    y = y.copy()
    y[:40, 1] = 3  # the first 40 labels of factor 1 take one value: no classifier is fit
    out = downstream_scores(z, y, zt, yt, rng=np.random.default_rng(0), small=40, n_estimators=5)
    expected = float(np.mean(yt[:, 1] == 3))
    assert out["lr_small_per_factor"][1] == expected == out["gbt_small_per_factor"][1]


def test_downstream_scores_are_reproducible_and_use_dci_from_importance():
    z, y, zt, yt = _data(seed=3)
    a = downstream_scores(z, y, zt, yt, rng=np.random.default_rng(4), small=30, n_estimators=5)
    b = downstream_scores(z, y, zt, yt, rng=np.random.default_rng(4), small=30, n_estimators=5)
    assert a == b
    # no trees (one class per factor in every set) -> zero importances -> DCI of all zeros
    y0, yt0 = np.zeros_like(y), np.zeros_like(yt)
    c = downstream_scores(z, y0, zt, yt0, rng=np.random.default_rng(4), small=30, n_estimators=5)
    d, comp = dci_from_importance(np.zeros((3, 3)))
    assert (c["dci_disentanglement"], c["dci_completeness"]) == (d, comp)
    assert c["lr_all"] == c["gbt_all"] == 1.0


def test_downstream_scores_errors():
    z, y, zt, yt = _data()
    rng = np.random.default_rng(0)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator.*RandomState"):
        downstream_scores(z, y, zt, yt, rng=np.random.RandomState(0))
    with pytest.raises(TypeError, match="small must be an integer; got 50.0"):
        downstream_scores(z, y, zt, yt, rng=rng, small=50.0)
    with pytest.raises(ValueError, match="small must be an integer >= 1 and <= 300; got 301"):
        downstream_scores(z, y, zt, yt, rng=rng, small=301)
    with pytest.raises(ValueError, match="n_estimators must be an integer >= 1; got 0"):
        downstream_scores(z, y, zt, yt, rng=rng, n_estimators=0)
    with pytest.raises(ValueError, match="at least 2 codes and 2 factors"):
        downstream_scores(z, y[:, :1], zt, yt[:, :1], rng=rng)
    with pytest.raises(ValueError, match="same columns"):
        downstream_scores(z, y, zt[:, :2], yt, rng=rng)
    with pytest.raises(TypeError, match="codes_test must be an array of real numbers"):
        downstream_scores(z, y, zt.astype(str), yt, rng=rng)


# The study computed these scores inline before downstream_scores existed; every committed study
# result was computed by this code. It is kept here, verbatim, to pin downstream_scores to it.
def _study_reference(
    z_tr: np.ndarray,
    y_tr: np.ndarray,
    z_te: np.ndarray,
    y_te: np.ndarray,
    *,
    small: int,
    n_estimators: int,
    rng: np.random.Generator,
) -> dict:
    """The study's original downstream + DCI computation, kept verbatim as the reference."""
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression

    from impossibility.metrics import dci_from_importance

    K = y_tr.shape[1]
    mean, std = z_tr.mean(0), z_tr.std(0)
    std = np.where(std > 0, std, 1.0)
    s_tr, s_te = (z_tr - mean) / std, (z_te - mean) / std
    importance = np.zeros((z_tr.shape[1], K))
    acc: dict[str, list[float]] = {f"{m}_{n}": [] for m in ("lr", "gbt") for n in ("small", "all")}
    for k in range(K):
        for n_lab, tag in ((small, "small"), (z_tr.shape[0], "all")):
            yk = y_tr[:n_lab, k]
            if np.unique(yk).size < 2:  # a classifier needs two classes: predict the only one
                acc[f"lr_{tag}"].append(float(np.mean(y_te[:, k] == yk[0])))
                acc[f"gbt_{tag}"].append(float(np.mean(y_te[:, k] == yk[0])))
                continue
            lr = LogisticRegression(max_iter=500).fit(s_tr[:n_lab], yk)
            acc[f"lr_{tag}"].append(float(np.mean(lr.predict(s_te) == y_te[:, k])))
            gbt = GradientBoostingClassifier(
                n_estimators=n_estimators, random_state=int(rng.integers(2**31 - 1))
            ).fit(z_tr[:n_lab], yk)
            acc[f"gbt_{tag}"].append(float(np.mean(gbt.predict(z_te) == y_te[:, k])))
            if tag == "all":
                importance[:, k] = np.abs(gbt.feature_importances_)
    dis, comp = dci_from_importance(importance)
    out: dict = {"dci_disentanglement": dis, "dci_completeness": comp}
    for name, values in acc.items():
        out[name] = float(np.mean(values))
        out[name + "_per_factor"] = values
    out["dci_informativeness_test"] = out["gbt_all"]
    for m in ("lr", "gbt"):
        out[f"{m}_efficiency"] = out[f"{m}_small"] / out[f"{m}_all"] if out[f"{m}_all"] > 0 else 0.0
    return out


def test_downstream_scores_reproduce_the_study_function_exactly():
    z, y, zt, yt = _data(seed=7, n_train=260, n_test=120, noise=0.4)
    y = y.copy()
    y[:60, 2] = 1  # a factor whose few labels take one value
    kw = dict(small=60, n_estimators=7)
    old = _study_reference(z, y, zt, yt, rng=np.random.default_rng(9), **kw)
    new = downstream_scores(z, y, zt, yt, rng=np.random.default_rng(9), **kw)
    assert list(new) == list(old)
    assert new == old  # exact: same floats, same per-factor lists
