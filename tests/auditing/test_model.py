"""audit_model: a model given as two NumPy callables; every twin found has the model's ELBO."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import impossibility as im
from impossibility.auditing import audit, audit_model
from impossibility.auditing.model import twin_log_weights


def _linear_model(n: int, seed: int):
    """x = tanh(W ẑ) + noise for ẑ the standardised factors; encoder = least-squares inverse."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 5, size=(n, 3))
    zhat = (y - 2.0) / np.sqrt(2.0)
    w = rng.standard_normal((3, 8))
    x = np.tanh(zhat @ w) + 0.1 * rng.standard_normal((n, 8))
    pinv = np.linalg.pinv(w)

    def encode(x):
        return np.arctanh(np.clip(x, -0.995, 0.995)) @ pinv, np.full((x.shape[0], 3), -2.5)

    return encode, (lambda z: np.tanh(z @ w)), x, y


PRIORS = {
    "normal": None,
    "laplace-logistic-t": im.FactorizedPrior([stats.laplace(), stats.logistic(), stats.t(5)]),
}


@pytest.mark.parametrize("prior", list(PRIORS.values()), ids=list(PRIORS))
def test_every_twin_has_the_models_elbo(prior):
    encode, decode, x, y = _linear_model(500, 0)
    r = audit_model(
        encode,
        decode,
        x,
        y,
        prior=prior,
        likelihood="gaussian",
        metrics=["mig", "modularity"],
        budget=24,
        check_rows=100,
        rng=np.random.default_rng(0),
    )
    assert len(r.likelihood) == 4  # lowest and highest of each metric
    for c in r.likelihood:
        assert c["max_abs_elbo_difference"] <= 1e-9, c
        assert c["max_abs_term_difference"] <= 1e-9, c
        # independent draws: equal within Monte Carlo error (|z| ≤ 5: p ≈ 6e-7 per check)
        assert abs(c["log_px_z"]) < 5, c
        assert c["log_px_stderr"] > 0
    assert r["mig"].width > 0.3  # and yet the scores are far apart


def test_twin_elbo_terms_by_hand():
    """Second way: the twin's log-weights at z' = f(z), computed directly from the formula."""
    encode, decode, x, _ = _linear_model(50, 1)
    mu, lv = encode(x)
    prior = PRIORS["laplace-logistic-t"]
    f = im.entangling_bijection(prior, stats.ortho_group.rvs(3, random_state=2))
    eps = np.random.default_rng(3).standard_normal((2, *mu.shape))
    from impossibility.auditing.model import _log_likelihood

    ll = _log_likelihood("gaussian")
    got = twin_log_weights(x, mu, lv, eps, decode, ll, f, True)
    z = mu + np.exp(0.5 * lv) * eps[0]
    zt, logdet = f.forward_and_log_det(z)
    q = stats.norm(mu, np.exp(0.5 * lv)).logpdf(z).sum(axis=1) - logdet  # pushforward density
    lik = stats.norm(decode(f.inverse(zt)), 1.0).logpdf(x).sum(axis=1)
    np.testing.assert_allclose(got[0], lik + prior.log_prob(zt) - q, rtol=1e-12)


def test_intervals_match_audit_of_the_encoder_means():
    encode, decode, x, y = _linear_model(400, 2)
    kw = dict(metrics=["mig"], budget=16, rng=np.random.default_rng(4))
    r = audit_model(encode, decode, x, y, prior=None, likelihood="gaussian", **kw)
    kw["rng"] = np.random.default_rng(4)
    plain = audit(encode(x)[0], y, **kw)
    assert r["mig"].to_dict() == plain["mig"].to_dict()


def test_callable_likelihood_and_bad_models():
    encode, decode, x, y = _linear_model(100, 3)

    def gauss(xx, out):
        return stats.norm(out, 1.0).logpdf(xx).sum(axis=1)

    r = audit_model(
        encode,
        decode,
        x,
        y,
        prior=None,
        likelihood=gauss,
        metrics=["mig"],
        budget=10,
        check_rows=20,
        rng=np.random.default_rng(0),
    )
    assert all(c["max_abs_elbo_difference"] <= 1e-9 for c in r.likelihood)
    with pytest.raises(ValueError, match="rows"):
        audit_model(
            encode,
            decode,
            x,
            y[:50],
            prior=None,
            likelihood="gaussian",
            rng=np.random.default_rng(0),
        )
    with pytest.raises(ValueError, match="encode"):
        audit_model(
            lambda x: (x[:, :3], x[:, :2]),
            decode,
            x,
            y,
            prior=None,
            likelihood="gaussian",
            rng=np.random.default_rng(0),
        )
    with pytest.raises(TypeError, match="callables"):
        audit_model(
            3, decode, x, y, prior=None, likelihood="gaussian", rng=np.random.default_rng(0)
        )
