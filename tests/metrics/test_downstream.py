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


# ------------------------------------------------------------ pair-by-pair reference
def _pairwise_reference(z_tr, y_tr, z_te, y_te, *, small, n_estimators, rng):
    """Every (factor, number of labels) pair on its own, straight from scikit-learn and SciPy,
    following the documented contract only: a ``StandardScaler`` fitted on all training codes
    for the logistic regressions, raw codes for the trees, seeds ``rng.integers(2**31 - 1)``
    drawn fit by fit (factor by factor, small before all), ``accuracy_score`` on the whole test
    set, and DCI from ``scipy.stats.entropy`` of the all-labels trees' importances."""
    from scipy.stats import entropy
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(z_tr)
    d, k_factors = z_tr.shape[1], y_tr.shape[1]
    per = {f"{m}_{t}": [] for m in ("lr", "gbt") for t in ("small", "all")}
    r = np.zeros((d, k_factors))
    for k in range(k_factors):
        for tag, n in (("small", small), ("all", z_tr.shape[0])):
            labels = y_tr[:n, k]
            if len(set(labels.tolist())) == 1:
                only = np.full(y_te.shape[0], labels[0])
                per[f"lr_{tag}"].append(accuracy_score(y_te[:, k], only))
                per[f"gbt_{tag}"].append(accuracy_score(y_te[:, k], only))
                continue
            lr = LogisticRegression(max_iter=500).fit(scaler.transform(z_tr[:n]), labels)
            per[f"lr_{tag}"].append(accuracy_score(y_te[:, k], lr.predict(scaler.transform(z_te))))
            seed = int(rng.integers(2**31 - 1))
            gbt = GradientBoostingClassifier(n_estimators=n_estimators, random_state=seed)
            gbt.fit(z_tr[:n], labels)
            per[f"gbt_{tag}"].append(accuracy_score(y_te[:, k], gbt.predict(z_te)))
            if tag == "all":
                r[:, k] = gbt.feature_importances_
    w = r if r.sum() > 0 else np.ones_like(r)
    dis = sum(w[i].sum() / w.sum() * (1 - entropy(r[i] + 1e-11, base=k_factors)) for i in range(d))
    comp = sum(
        w[:, k].sum() / w.sum() * (1 - entropy(r[:, k] + 1e-11, base=d)) for k in range(k_factors)
    )
    return dis, comp, per


@pytest.mark.parametrize("seed", [7, 8])
def test_downstream_scores_match_a_pair_by_pair_reference(seed):
    z, y, zt, yt = _data(seed=seed, n_train=260, n_test=120, noise=0.6)
    y = y.copy()
    y[:60, 2] = 1  # a factor whose few labels take one value
    kw = dict(small=60, n_estimators=7)
    dis, comp, per = _pairwise_reference(z, y, zt, yt, rng=np.random.default_rng(9), **kw)
    new = downstream_scores(z, y, zt, yt, rng=np.random.default_rng(9), n_jobs=1, **kw)
    # accuracies are counts over the test set: equal exactly (a scaler's rounding moving a
    # prediction across a decision boundary would show here)
    for name, values in per.items():
        assert new[f"{name}_per_factor"] == values, name
        assert new[name] == pytest.approx(np.mean(values), abs=1e-15)
    # entropies through scipy instead of the package's formula: equal to rounding
    assert new["dci_disentanglement"] == pytest.approx(dis, abs=1e-12)
    assert new["dci_completeness"] == pytest.approx(comp, abs=1e-12)
    # noisy codes: the test compares imperfect, factor-dependent accuracies, not a trivial 1.0
    assert 0.3 < min(per["lr_all"] + per["gbt_all"]) < 0.999 < 1.0
