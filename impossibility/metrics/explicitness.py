"""Explicitness (Ridgeway & Mozer, 2018), as computed by disentanglement_lib.

.. math:: \\mathrm{explicitness} = \\frac1K \\sum_{k=1}^K \\frac{1}{|C_k|} \\sum_{c \\in C_k}
          \\mathrm{AUC}\\big(\\mathbb 1[y_k = c],\\, \\hat p_c(z)\\big)

with :math:`\\hat p_c` the class probabilities of a logistic regression on all (standardised)
codes. It asks how well a linear classifier on the whole code predicts each factor, on the
training and on the test set; :func:`standardize` is the shared centring and scaling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ._checks import (
    as_split,
)

__all__ = ["explicitness", "ExplicitnessScores", "standardize"]


def standardize(
    codes_train: np.ndarray, codes_test: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """Centre and scale codes with the training statistics: :math:`(z - \\bar z) / s`.

    :math:`\\bar z` and :math:`s` are the training mean and population std (``ddof=0``); the
    test codes reuse them. A code with zero training variance is centred but not scaled (divided
    by 1) instead of producing NaN as the reference would.
    """
    mean = codes_train.mean(axis=0)
    std = codes_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    train = (codes_train - mean) / std
    test = None if codes_test is None else (codes_test - mean) / std
    return train, test


@dataclass(frozen=True)
class ExplicitnessScores:
    """Result of :func:`explicitness`.

    Attributes
    ----------
    train, test : float
        Mean over factors of the macro-averaged one-vs-rest ROC AUC.
    auc_train, auc_test : ndarray of shape (K,)
        The per-factor values.
    """

    train: float
    test: float
    auc_train: np.ndarray
    auc_test: np.ndarray

    def as_dict(self) -> dict[str, float]:
        return {"explicitness_train": self.train, "explicitness_test": self.test}


def _macro_auc(y: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    aucs = []
    for c, cls in enumerate(classes):
        positive = y == cls
        if positive.all() or not positive.any():
            continue  # AUC undefined for a class absent (or alone) in this set
        aucs.append(roc_auc_score(positive, proba[:, c]))
    if not aucs:
        raise ValueError("explicitness: a factor takes a single value in this set; AUC undefined")
    return float(np.mean(aucs))


def explicitness(
    codes_train: ArrayLike,
    factors_train: ArrayLike,
    codes_test: ArrayLike,
    factors_test: ArrayLike,
) -> ExplicitnessScores:
    """Explicitness: how well a linear classifier on all codes predicts each factor (ROC AUC).

    Codes are standardised with the training mean and population std (``ddof=0``; the test
    set reuses the training statistics). For each factor :math:`k`, a scikit-learn
    ``LogisticRegression()`` with default settings (lbfgs, multinomial, :math:`C = 1`, 100
    iterations) is fit on the training codes; with :math:`\\hat p_c(z)` its ``predict_proba``,

    .. math:: E_k = \\frac{1}{|C_k|} \\sum_{c \\in C_k}
              \\mathrm{AUC}\\big(\\mathbb 1[y_k = c],\\, \\hat p_c(z)\\big),

    the macro-averaged one-vs-rest ROC AUC over the classes :math:`C_k` present in the set
    (``roc_auc_score`` on one-hot labels, as in the reference), and the score is the mean of
    :math:`E_k` over factors, reported on the training and the test set.

    Differences from the reference (which fits ``MultiLabelBinarizer`` separately on train and
    test labels): columns are aligned with the classifier's classes, so a class missing from
    the test set is skipped instead of misaligning columns or failing; a zero-variance code is
    not scaled (the reference gives NaN). With every class present in both sets the values
    are the reference's. ``LogisticRegression`` with lbfgs is deterministic, so no random state
    is needed.

    Parameters
    ----------
    codes_train, codes_test : array_like of shape (n_train, D), (n_test, D)
    factors_train, factors_test : array_like of int, shape (n_train, K), (n_test, K)

    Returns
    -------
    ExplicitnessScores

    Raises
    ------
    TypeError
        If codes or factors are not numeric.
    ValueError
        On bad shapes or values, a factor with a single value in the training set, or a test
        label never seen in training.
    """
    from sklearn.linear_model import LogisticRegression

    ztr, ytr, zte, yte = as_split(codes_train, factors_train, codes_test, factors_test)
    ztr, zte = standardize(ztr, zte)
    auc_tr = np.empty(ytr.shape[1])
    auc_te = np.empty(ytr.shape[1])
    for k in range(ytr.shape[1]):
        classes = np.unique(ytr[:, k])
        if classes.size < 2:
            raise ValueError(
                f"factor {k} takes the single value {classes[0]} in the training set; "
                "explicitness needs at least 2 classes"
            )
        unseen = np.setdiff1d(np.unique(yte[:, k]), classes)
        if unseen.size:
            raise ValueError(
                f"factor {k}: test labels {unseen.tolist()} never occur in the training set"
            )
        clf = LogisticRegression().fit(ztr, ytr[:, k])
        auc_tr[k] = _macro_auc(ytr[:, k], clf.predict_proba(ztr), clf.classes_)
        auc_te[k] = _macro_auc(yte[:, k], clf.predict_proba(zte), clf.classes_)
    return ExplicitnessScores(float(auc_tr.mean()), float(auc_te.mean()), auc_tr, auc_te)
