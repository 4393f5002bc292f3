# ---
# jupyter:
#   jupytext:
#     formats: py:percent,ipynb
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Proof 3 — a VAE and its entangled twin have the same ELBO, sample by sample
#
# A variational autoencoder has a prior $p(z)$, a decoder $p_\theta(x\mid z)$ and an encoder
# $q_\phi(z\mid x)$; it is trained by maximising
#
# $$\mathcal L(x)=\mathbb E_{q_\phi(z\mid x)}\big[\log p_\theta(x\mid z)\big]-\mathrm{KL}\big(q_\phi(\cdot\mid x)\,\|\,p\big)
# =\mathbb E_{q_\phi(z\mid x)}\big[\log p_\theta(x\mid z)+\log p(z)-\log q_\phi(z\mid x)\big].$$
#
# Let $f$ be Theorem 1's map for the prior (Proof 1): a bijection with $f_\#p=p$ whose every output
# depends on every input. The **entangled twin** of the VAE keeps the prior and uses
#
# * the **pushforward encoder** $q'(\cdot\mid x)=f_\#q_\phi(\cdot\mid x)$: sample $z\sim q_\phi(\cdot\mid x)$
#   and return $z'=f(z)$; its density is
#   $q'(z'\mid x)=q_\phi\big(f^{-1}(z')\mid x\big)\,\big|\det J_{f^{-1}}(z')\big|$;
# * the **composed decoder** $p'(x\mid z')=p_\theta\big(x\mid f^{-1}(z')\big)$.
#
# The twin's latent code of an image is $f$ of the original's: if the first model is disentangled,
# the second is completely entangled. This notebook proves that the two models have the same ELBO
# for every $x$ — so an ELBO-trained learner has no reason to prefer either — and checks every step
# numerically with the package's NumPy VAE (`impossibility.vae`), trained below for a few hundred
# steps. Every cell asserts what it claims.

# %%
import numpy as np
from scipy import stats

import impossibility as im
from impossibility.data import ContinuousMixingData
from impossibility.metrics import gaussian_total_correlation_from_covariance
from impossibility.vae import (
    VAE,
    AnnealedVAE,
    BetaVAE,
    gaussian_kl,
    regularizer_report,
)

rng = np.random.default_rng(31415)

# %% [markdown]
# ## Two trained VAEs
#
# Data: 4 independent factors pushed through a random invertible network into 10 dimensions
# (`ContinuousMixingData`). Two VAEs with a Gaussian decoder (fixed noise level 0.05) and a
# diagonal-Gaussian encoder, $d=4$: one with the standard-normal prior of the 2019 study (there $f$
# is a rotation, $f(z)=Az$), one with an i.i.d. logistic prior (there $f=G^{-1}\circ A\circ G$ is
# nonlinear). Each is trained for 800 Adam steps — the identities below hold for *any* parameters,
# trained or not; training only makes the numbers realistic (all four latents in use, KL ≈ 11 nats).

# %%
data = ContinuousMixingData.random(4, rng, observation_dim=10)
x_train = data.sample_observations(4000, rng)
x = data.sample_observations(200, rng)  # held-out points

d = 4
A = im.random_entangling_rotation(d, rng)
models = {}
for name, prior in (("normal", None), ("logistic", im.FactorizedPrior.iid(stats.logistic(), d))):
    vae = VAE(10, d, hidden=(64, 64), likelihood="gaussian", obs_std=0.05, prior=prior, rng=rng)
    hist = vae.fit(x_train, rng=rng, n_steps=800, batch_size=64, lr=2e-3, progress=False)
    f = im.entangling_bijection(vae.prior or im.FactorizedPrior.standard_normal(d), A)
    models[name] = (vae, vae.entangled(f), f)
    kl = vae.elbo_terms(x, rng, n_samples=4, kl="mc")["kl"].mean()
    print(
        f"{name:8s} prior: final training ELBO {hist['elbo'][-100:].mean():8.3f}  (first 100 steps: "
        f"{hist['elbo'][:100].mean():.1f});  held-out KL {kl:.2f} nats"
    )
    assert hist["elbo"][-100:].mean() > hist["elbo"][:100].mean() and kl > 1.0

# %% [markdown]
# The twin really is entangled: its encoder mean $f(\mu(x))$ moves every coordinate when one
# coordinate of $\mu$ moves, because every Jacobian entry of $f$ is nonzero.

# %%
for name, (vae, _twin, f) in models.items():
    J = f.jacobian(vae.encode(x)[0])
    print(f"{name:8s}: min over points and entries of |∂f_i/∂z_j| = {np.abs(J).min():.3f}")
    assert np.all(np.abs(J) > 1e-3)

# %% [markdown]
# ## Step 1 — the reconstruction term
#
# By the law of the unconscious statistician with $z'=f(z)$, $z\sim q_\phi(\cdot\mid x)$:
#
# $$\mathbb E_{q'(z'\mid x)}\big[\log p_\theta(x\mid f^{-1}(z'))\big]=\mathbb E_{q_\phi(z\mid x)}\big[\log p_\theta(x\mid f^{-1}(f(z)))\big]=\mathbb E_{q_\phi(z\mid x)}\big[\log p_\theta(x\mid z)\big].$$
#
# With *common random numbers* ($z=\mu+\sigma\odot\epsilon$ with the same $\epsilon$ for both models)
# the two integrands are equal sample by sample; the twin recomputes $f^{-1}(z')$ from $z'$, so the
# only difference is the round-trip error of $f$.

# %%
eps = rng.standard_normal((8, len(x), d))  # 8 samples per point, shared by model and twin
for name, (vae, twin, _f) in models.items():
    a = vae.elbo_terms(x, eps=eps, kl="mc")
    b = twin.elbo_terms(x, eps=eps, kl="mc")
    gap = np.abs(a["rec"] - b["rec"]).max()
    print(f"{name:8s}: max |E log p(x|z) − E' log p'(x|z')| = {gap:.1e}")
    assert (
        gap < 1e-10
    )  # rounding in f, f⁻¹ and the log-det only (observed ~1e-13); a bug gives O(1)

# %% [markdown]
# ## Step 2 — the KL term: $\mathrm{KL}(T_\#q\,\|\,T_\#p)=\mathrm{KL}(q\,\|\,p)$ for any bijection $T$
#
# If $T$ is a smooth bijection, the densities of the pushforwards are
# $(T_\#q)(w)=q(T^{-1}w)\,|\det J_{T^{-1}}(w)|$ and $(T_\#p)(w)=p(T^{-1}w)\,|\det J_{T^{-1}}(w)|$. The Jacobian
# factor is the same in both, so it cancels in the ratio:
#
# $$\frac{(T_\#q)(w)}{(T_\#p)(w)}=\frac{q(T^{-1}w)}{p(T^{-1}w)},\qquad
# \mathrm{KL}(T_\#q\|T_\#p)=\mathbb E_{w\sim T_\#q}\log\frac{q(T^{-1}w)}{p(T^{-1}w)}=\mathbb E_{z\sim q}\log\frac{q(z)}{p(z)}=\mathrm{KL}(q\|p).$$
#
# (For a measurable $T$ that is not injective only "$\le$" holds — the data-processing inequality.)
# With $T=f$ and $f_\#p=p$ this is exactly the twin's KL term:
# $\mathrm{KL}(q'(\cdot\mid x)\|p)=\mathrm{KL}(f_\#q_\phi\|f_\#p)=\mathrm{KL}(q_\phi(\cdot\mid x)\|p)$.
#
# Numerically, first pointwise: the twin's $\log q'(z'\mid x)-\log p(z')$ at $z'=f(z)$, computed from
# $z'$ alone (through $f^{-1}$ and the analytic log-determinant of $f^{-1}$), equals
# $\log q_\phi(z\mid x)-\log p(z)$. Then in expectation, with *independent* samples for the two
# models: the two Monte-Carlo KL estimates agree within their standard error.

# %%
for name, (vae, twin, f) in models.items():
    mu, lv = vae.encode(x)
    z = mu + np.exp(0.5 * lv) * eps[0]
    zp = f.forward(z)
    ratio = vae.log_q(z, x) - vae.log_prior(z)
    ratio_twin = twin.log_q(zp, x) - twin.log_prior(zp)
    print(
        f"{name:8s}: max |log(q/p)(z) − log(q'/p)(f(z))| = {np.abs(ratio - ratio_twin).max():.1e}"
    )
    assert np.abs(ratio - ratio_twin).max() < 1e-10

    e1, e2 = rng.standard_normal((2, 400, len(x), d))  # independent draws
    kl_a = vae.elbo_terms(x, eps=e1, kl="mc")["kl"]
    kl_b = twin.elbo_terms(x, eps=e2, kl="mc")["kl"]
    diff = kl_b - kl_a
    z_score = diff.mean() / (diff.std(ddof=1) / np.sqrt(len(diff)))
    print(
        f"{name:8s}: mean KL {kl_a.mean():.4f} (model) vs {kl_b.mean():.4f} (twin), paired z-score {z_score:+.2f}"
    )
    assert abs(z_score) < 4.5  # two-sided level ~7e-6: only a real difference in the KL fails it

# %% [markdown]
# A control that must fail: the same rotation $A$ used as "$f$" for the logistic prior is a
# bijection, but it does not preserve the prior ($A_\#p\ne p$ for a non-Gaussian $p$). The
# KL identity then compares $\mathrm{KL}(A_\#q\|p)$ with $\mathrm{KL}(A_\#q\|A_\#p)$, which differ, and the ELBO
# changes by far more than rounding. `vae.entangled` refuses such a map; the control builds it
# with `check_prior=False`.

# %%
vae_l = models["logistic"][0]
try:
    vae_l.entangled(im.Orthogonal(A))
    raise AssertionError("a twin whose f does not preserve the prior was accepted")
except ValueError as e:
    print("refused:", str(e).split(";")[0])
wrong = vae_l.entangled(im.Orthogonal(A), check_prior=False)
gap_wrong = np.abs(
    vae_l.elbo_terms(x, eps=eps, kl="mc")["elbo"] - wrong.elbo_terms(x, eps=eps, kl="mc")["elbo"]
).mean()
print(f"rotation instead of G⁻¹∘A∘G for the logistic prior: mean |ΔELBO| = {gap_wrong:.3f} nats")
assert gap_wrong > 0.01  # 1e11 times the rounding level of the identities above

# %% [markdown]
# ## Step 3 — the pointwise identity (docs/theory.md §3.4)
#
# Put the two steps together under common random numbers, $z=\mu+\sigma\odot\epsilon$, $z'=f(z)$:
#
# $$\log p'(x\mid z')+\log p(z')-\log q'(z'\mid x)
# =\log p_\theta(x\mid z)+\underbrace{\log p(f(z))+\log|\det J_f(z)|}_{=\log p(z)}-\log q_\phi(z\mid x).$$
#
# So every single-sample ELBO term is the same number, and so is every importance weight
# $w=p(x,z)/q(z\mid x)$; hence the IWAE bound $\log\frac1K\sum_k w_k$ and the importance-sampling
# estimate of $\log p(x)$ coincide sample by sample too. Only floating-point error in $f$, $f^{-1}$
# and the log-determinant separates them.

# %%
for name, (vae, twin, _f) in models.items():
    a = vae.elbo_terms(x, eps=eps, kl="mc")["elbo_samples"]
    b = twin.elbo_terms(x, eps=eps, kl="mc")["elbo_samples"]
    eps_iw = rng.standard_normal((64, len(x), d))
    lw_a = vae.log_importance_weights(x, eps=eps_iw)
    lw_b = twin.log_importance_weights(x, eps=eps_iw)
    lp_a, lp_b = vae.log_px(x, eps=eps_iw), twin.log_px(x, eps=eps_iw)
    print(
        f"{name:8s}: {a.size} single-sample ELBO terms, max |Δ| = {np.abs(a - b).max():.1e};  "
        f"{lw_a.size} log-weights, max |Δ| = {np.abs(lw_a - lw_b).max():.1e};  "
        f"IWAE (K=64) log p(x), max |Δ| = {np.abs(lp_a - lp_b).max():.1e}"
    )
    assert np.abs(a - b).max() < 1e-10 and np.abs(lw_a - lw_b).max() < 1e-10
    assert np.abs(lp_a - lp_b).max() < 1e-10
    print(
        f"          held-out ELBO {a.mean():.4f} = twin {b.mean():.4f};  log p(x) ≈ {lp_a.mean():.4f} = twin {lp_b.mean():.4f}"
    )

# %% [markdown]
# ## Step 4 — the standard-normal prior: a rotated Gaussian encoder and the closed-form KL
#
# For $p=\mathcal N(0,I)$, $G$ is the identity and $f(z)=Az$. The twin's encoder is the pushforward
# of $\mathcal N(\mu,\operatorname{diag}s^2)$ by a linear map, a Gaussian with a **full** covariance:
#
# $$q'(\cdot\mid x)=\mathcal N\big(A\mu,\;A\operatorname{diag}(s^2)A^\top\big).$$
#
# Its KL to the prior has the closed form
# $\mathrm{KL}(\mathcal N(m,\Sigma)\|\mathcal N(0,I))=\tfrac12\big[\operatorname{tr}\Sigma+\lVert m\rVert^2-d-\log\det\Sigma\big]$, and
# $\operatorname{tr}(A D A^\top)=\operatorname{tr}D$, $\lVert A\mu\rVert=\lVert\mu\rVert$, $\det(ADA^\top)=\det D$ for orthogonal $A$:
# the closed-form KL is rotation invariant, term by term. Checked below: the twin's moments against
# Monte-Carlo moments of $z'=Az$, and the full-covariance KL against the diagonal one.

# %%
vae_n, twin_n, f_n = models["normal"]
mu, lv = vae_n.encode(x)
m_twin, S_twin = twin_n.encoder_moments(x)
assert np.allclose(m_twin, mu @ A.T, atol=1e-13)
assert np.allclose(S_twin, np.einsum("ik,nk,jk->nij", A, np.exp(lv), A), atol=1e-13)

zs = f_n.forward(
    (mu[None, :3] + np.exp(0.5 * lv)[None, :3] * rng.standard_normal((100_000, 3, d))).reshape(
        -1, d
    )
).reshape(100_000, 3, d)
mc_cov = np.einsum("kni,knj->nij", zs - zs.mean(0), zs - zs.mean(0)) / zs.shape[0]
print(
    "MC vs closed-form twin covariance, max |Δ| =",
    f"{np.abs(mc_cov - S_twin[:3]).max():.1e}",
    " (entries of size",
    f"{np.abs(S_twin[:3]).max():.2f})",
)
assert np.abs(mc_cov - S_twin[:3]).max() < 0.02 * np.abs(S_twin[:3]).max()

kl_diag = gaussian_kl(mu, lv)[0]
kl_vae = vae_n.elbo_terms(x, eps=eps[:1], kl="analytic")["kl"]
kl_twin = twin_n.elbo_terms(x, eps=eps[:1], kl="analytic")["kl"]
print(
    f"closed-form KL: diagonal encoder {kl_diag.mean():.6f}, rotated full-covariance encoder {kl_twin.mean():.6f}; "
    f"max |Δ| = {np.abs(kl_diag - kl_twin).max():.1e}"
)
assert np.abs(kl_diag - kl_twin).max() < 1e-10 and np.abs(kl_vae - kl_diag).max() < 1e-12

diag = np.einsum("nii->ni", S_twin)
corr = S_twin / np.sqrt(diag[:, :, None] * diag[:, None, :])
off = np.abs(corr - np.eye(d)).max(axis=(1, 2))
spread = np.exp(lv).max(axis=1) / np.exp(lv).min(axis=1)
print(
    f"VAE encoder: posterior variances differ by a factor {np.median(spread):.2f} (median over points)"
)
print(
    f"twin encoder: largest |correlation| between coordinates, median over points {np.median(off):.3f}"
)
assert np.median(off) > 1e-3

# %% [markdown]
# The last line is the one place where the two models *are* distinguishable: the twin's encoder
# covariance is not diagonal unless the posterior variances are equal within each group of
# coordinates that $A$ mixes (docs/theory.md §3.7). A VAE whose encoder family is restricted to diagonal
# Gaussians cannot represent the twin's encoder; the best diagonal encoder for the rotated decoder
# has a lower ELBO. That is an inductive bias of the *model family* (Rolinek et al. 2019), not
# information in the data — it is exactly the kind of assumption Theorem 1 says is needed.
#
# ## Step 5 — which objectives of the study share the symmetry (docs/theory.md §3.6)
#
# * An objective that depends on the data only through the per-example pair
#   (reconstruction term, KL term) is invariant, because the twin reproduces both: the ELBO,
#   **β-VAE** $\mathbb E\log p-\beta\,\mathrm{KL}$ and **AnnealedVAE** $\mathbb E\log p-\gamma|\mathrm{KL}-C|$.
# * Objectives that penalise the **aggregate posterior** $\bar q(z)=\mathbb E_x\,q(z\mid x)$ are not
#   invariant in general: **β-TCVAE** and **FactorVAE** penalise its total correlation
#   $\mathrm{TC}(\bar q)=\mathrm{KL}(\bar q\|\prod_j\bar q_j)$, and $\mathrm{TC}(f_\#\bar q)\neq\mathrm{TC}(\bar q)$
#   unless $f$ preserves $\bar q$; **DIP-VAE** penalises $\operatorname{Cov}[\mu(x)]$, which becomes
#   $A\operatorname{Cov}[\mu]A^\top$. At the population optimum $\bar q=p$ the penalties vanish for both
#   models, so these regularisers cannot break the symmetry in principle — only away from it.
#
# The losses of β-VAE ($\beta=4$) and AnnealedVAE ($C=5$, $\gamma=1000$) on a batch, for the model and the
# twin with common random numbers:

# %%
for name, (vae, twin, _f) in models.items():
    fp_a = vae.forward(x, eps[0], kl="mc")
    fp_b = twin.forward(x, eps[0], kl="mc")
    for obj in (BetaVAE(4.0), AnnealedVAE(5.0, anneal_steps=100)):
        la = obj.loss(fp_a, step=1000)[0]
        lb = obj.loss(fp_b, step=1000)[0]
        print(
            f"{name:8s} {obj.name:12s} loss: model {la:.10f}  twin {lb:.10f}  |Δ| = {abs(la - lb):.1e}"
        )
        assert abs(la - lb) < 1e-10

# %% [markdown]
# The aggregate-posterior regularisers on the same model and its twin: β-TCVAE's minibatch-weighted
# TC estimate (common random numbers; the minibatch estimator is biased — negative here — but both
# models are estimated identically), DIP-VAE-I's and DIP-VAE-II's penalties. The rotation changes
# the first two. DIP-VAE-II with the study's $\lambda_d=\lambda_{od}$ is a special case: its penalty is
# $\lambda\lVert C-I\rVert_F^2$ with $C=\operatorname{Cov}[\mu]+\overline{\Sigma}$, and the twin's matrix is
# $ACA^\top$, so the Frobenius norm is unchanged.

# %%
rep = regularizer_report(vae_n, twin_n, x, rng, factor_vae=False)
for key, v in rep.items():
    print(
        f"{key:16s} model {v['model']:9.4f}   twin {v['twin']:9.4f}   twin − model {v['gap']:+.4f}"
    )
assert abs(rep["beta_tc_vae_tc"]["gap"]) > 1e-3
assert abs(rep["dip_vae_i"]["gap"]) > 1e-3
assert abs(rep["dip_vae_ii"]["gap"]) < 1e-9

# %% [markdown]
# The textbook example of docs/theory.md §3.6: $\bar q=\mathcal N(0,\operatorname{diag}(1,4))$ has independent coordinates
# (TC 0); rotated by $45^\circ$ its covariance is $\begin{pmatrix}2.5&1.5\\1.5&2.5\end{pmatrix}$ and
# $\mathrm{TC}=\tfrac12\log\frac{2.5\cdot2.5}{4}=\tfrac12\log\tfrac{25}{16}\approx0.2231$ nats. With $\bar q=p=\mathcal N(0,I)$
# the rotation changes nothing.

# %%
R45 = im.rotation_2d(np.pi / 4)
D = np.diag([1.0, 4.0])
tc0 = gaussian_total_correlation_from_covariance(D)
tc45 = gaussian_total_correlation_from_covariance(R45 @ D @ R45.T)
tcI = gaussian_total_correlation_from_covariance(R45 @ np.eye(2) @ R45.T)
print(
    f"TC: diag(1,4) {tc0:.6f};  rotated 45° {tc45:.6f} (closed form {0.5 * np.log(25 / 16):.6f});  rotated identity {tcI:.1e}"
)
assert abs(tc0) < 1e-15 and abs(tc45 - 0.5 * np.log(25 / 16)) < 1e-12 and abs(tcI) < 1e-12

# %% [markdown]
# ## Step 6 — the extremal twins: identical likelihood, far-apart scores (`impossibility.audit_model`)
#
# The identities above hold for every orthogonal $A$, so any disentanglement score can be pushed
# around at no cost in likelihood. `impossibility.audit_model` takes a model as two plain callables
# (`encode(x) -> (mu, log_var)`, `decode(z) -> decoder output`; a PyTorch or JAX model plugs in the
# same way), searches the twins for the lowest and the highest MIG and modularity of the encoder
# means (Haar-random starts, the Procrustes alignment with the factors, then Givens rotations plane by
# plane), and for every extremal twin compares the per-sample ELBO of model and twin with common
# random numbers and importance-weighted $\log p(x)$ with independent draws. With the logistic prior
# the twin's code is the posterior mean of $f(z)$, computed by Monte Carlo with common draws.

# %%
factors_a, obs_a = data.sample(2000, rng)
audits = {}
for name, (vae, _twin, _f) in models.items():
    audits[name] = im.audit_model(
        vae.encode,
        lambda z: z,  # decoder "parameters": the latent itself; the likelihood is the VAE's
        obs_a,
        factors_a,
        prior=vae.prior,
        likelihood=lambda obs, z, vae=vae: vae.log_likelihood(obs, z),
        metrics=["mig", "modularity"],
        budget=40,
        check_rows=200,
        rng=np.random.default_rng(7),
    )
    print(f"--- {name} prior\n{audits[name].summary()}")
    for c in audits[name].likelihood:
        assert c["max_abs_elbo_difference"] < 1e-9 and abs(c["log_px_z"]) < 5
    assert audits[name]["mig"].width > 0.1

# %% [markdown]
# A second way, through the package's own twin (`vae.entangled(f)`, Steps 1–4): the ELBO terms of
# the VAE and of the twin at the MIG-lowest and MIG-highest $A$ found, from the same noise.

# %%
for name, (vae, _twin, _f) in models.items():
    prior = vae.prior or im.FactorizedPrior.standard_normal(d)
    a_report = audits[name]["mig"]
    for which, a in (("lowest", a_report.lowest_twin), ("highest", a_report.highest_twin)):
        twin = vae.entangled(im.EntanglingBijection(prior, a))
        e_model = vae.elbo_terms(x, eps=eps[:2], kl="mc")["elbo"]
        e_twin = twin.elbo_terms(x, eps=eps[:2], kl="mc")["elbo"]
        gap = np.abs(e_twin - e_model).max()
        print(f"{name:8s} MIG-{which:7s} twin: max |ELBO twin − model| = {gap:.1e}")
        assert gap < 1e-9

# %% [markdown]
# **Conclusion.** The entangled twin of a VAE — pushforward encoder $f_\#q_\phi$, composed decoder
# $p_\theta(x\mid f^{-1}(\cdot))$, same prior — has the same reconstruction term, the same KL term and
# hence the same ELBO at every $x$; under common random numbers every single-sample term and every
# importance weight agree to rounding error (~1e-14), for the Gaussian prior (where $f$ is a rotation
# and the closed-form KL is rotation invariant) and for a non-Gaussian prior (where $f$ is nonlinear).
# β-VAE and AnnealedVAE inherit the symmetry; β-TCVAE, FactorVAE and DIP-VAE-I see it only away from
# their optimum. Training by the ELBO therefore cannot choose between a disentangled model and its
# completely entangled twin; only the restricted (diagonal) encoder family, an inductive bias, can.
# Step 6 makes it a number for a given model: the same likelihood, and MIG anywhere in the interval
# its audit finds.
