"""Tests for impossibility.vae.forward: the contract between a model and its objective."""

from __future__ import annotations

import numpy as np

from impossibility import FactorizedPrior, entangling_bijection
from impossibility.vae import (
    VAE,
    BetaVAE,
    Cotangents,
    ForwardPass,
    LatentModel,
    ObjectiveLike,
    make_objective,
)


def test_forward_pass_of_a_model_and_of_its_twin():
    rng = np.random.default_rng(0)
    vae = VAE(5, 2, hidden=(4,), rng=rng)
    x, eps = rng.random((3, 5)), rng.standard_normal((3, 2))
    fp = vae.forward(x, eps)
    assert isinstance(fp, ForwardPass) and fp.batch_size == 3 and fp.kl_mode == "analytic"
    assert fp.mu.shape == fp.logvar.shape == fp.z.shape == (3, 2) and fp.log_q is None
    twin = vae.entangled(entangling_bijection(FactorizedPrior.standard_normal(2), rng=rng))
    tp = twin.forward(x, eps, kl="mc")
    assert tp.mu is None and tp.eps is None and tp.kl_mode == "mc" and tp.log_q.shape == (3,)
    assert Cotangents().rec is None


def test_models_and_objectives_satisfy_the_protocols():
    rng = np.random.default_rng(1)
    vae = VAE(5, 2, hidden=(4,), rng=rng)
    twin = vae.entangled(entangling_bijection(FactorizedPrior.standard_normal(2), rng=rng))
    assert isinstance(vae, LatentModel) and isinstance(twin, LatentModel)
    for name in ("beta_vae", "annealed_vae", "beta_tc_vae", "factor_vae", "dip_vae_i"):
        assert isinstance(make_objective(name, 2.0), ObjectiveLike)


def test_fit_accepts_any_object_with_the_objective_protocol():
    class HalfELBO:
        name = "half_elbo"

        def __init__(self):
            self.inner = BetaVAE(1.0)
            self.prepared = False

        def prepare(self, *, latent_dim, n_steps, rng):
            self.prepared = True

        def loss(self, fp, *, step=0, rng=None):
            value, cot, logs = self.inner.loss(fp, step=step, rng=rng)
            return 0.5 * value, Cotangents(rec=0.5 * cot.rec, kl=0.5 * cot.kl), logs

        def update(self, fp, *, rng):
            return {"seen": 1.0}

    rng = np.random.default_rng(2)
    vae = VAE(5, 2, hidden=(4,), rng=rng)
    obj = HalfELBO()
    hist = vae.fit(rng.random((10, 5)), objective=obj, n_steps=3, rng=rng, progress=False)
    assert obj.prepared and list(hist["seen"]) == [1.0, 1.0, 1.0]
