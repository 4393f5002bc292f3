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
# # Proof 5 — the atlas of identifiability: what each bias rules out, and what it still allows
#
# Proof 4 measured four biases (diagonal posterior, auxiliary variable, pairs, time). Identifiability
# research since 2019 has named more, each a precise statement about which twins it rules out. For
# each we state the claim, compute **the number** for one documented setting, compute it a **second,
# independent way**, and run the **control** in which the bias is absent and the number is zero.
# The last section states, for every bias, the group of twins it *cannot* rule out, and checks that
# the gap is zero exactly on that group.
#
# Settings: $d=2$, $R=R(45°)$, and Theorem 1's $f=G^{-1}RG$ for the logistic × logistic prior where
# the row is nonlinear (docs/theory.md §5.5).

# %%
import math

import numpy as np
from scipy import stats

import impossibility as im
from impossibility import biases

rng = np.random.default_rng(2021)
R = biases.plane_rotation(math.pi / 4)
W = np.diag([1.0, 2.0])
logistic = im.FactorizedPrior([stats.logistic(), stats.logistic()])
f = im.entangling_bijection(logistic, R, require_complete=False)

# %% [markdown]
# ## 1. Independent mechanism analysis (Gresele et al. 2021)
#
# **Statement.** $C_{\rm IMA}(g,z)=\sum_i\log\lVert\partial g/\partial z_i\rVert-\log|\det J_g(z)|\ge0$
# (Hadamard), zero iff the columns of $J_g(z)$ are orthogonal. IMA keeps only generators with
# $C_{\rm IMA}\equiv0$. The twin's generator $g\circ f^{-1}$ has Jacobian $J_g(f^{-1}(z))J_{f^{-1}}(z)$.
#
# **The number, two ways.** For $W=\operatorname{diag}(1,2)$ the twin $WR^\top$ has columns
# $(c,-2s)$ and $(s,2c)$ of squared norm $c^2+4s^2=5/2$ and determinant 2, so
# $C_{\rm IMA}=\log\frac{5/2}{2}=\log1.25$. Way 1: the package's Gram-matrix formula; way 2: the
# column norms and the determinant directly.

# %%
c_gram = biases.linear_ima_contrast(W, R)
Wt = W @ R.T
c_cols = float(np.sum(np.log(np.linalg.norm(Wt, axis=0))) - math.log(abs(np.linalg.det(Wt))))
print(f"C_IMA(W Rᵀ): Gram {c_gram:.15f}   columns {c_cols:.15f}   log 1.25 {math.log(1.25):.15f}")
assert abs(c_gram - math.log(1.25)) < 1e-14 and abs(c_cols - c_gram) < 1e-14
print("true model:", biases.linear_ima_contrast(W))
assert abs(biases.linear_ima_contrast(W)) < 1e-15

# %% [markdown]
# **Control.** An isotropic $W=2I$: every rotation keeps the columns orthogonal, so IMA does not
# break the symmetry there.

# %%
iso = [biases.linear_ima_contrast(2 * np.eye(2), biases.plane_rotation(t)) for t in (0.1, 0.7, 1.3)]
print("isotropic W, three angles:", iso)
assert max(map(abs, iso)) < 1e-14

# %% [markdown]
# **Nonlinear.** $g(z)=h(z)$ with $h_i(z_i)=s_iz_i+\tanh z_i$ is in IMA's class
# ($C_{\rm IMA}\equiv0$) but not linear. The expected contrast of its Theorem 1 twin over $p(z)$, by
# tensor Gauss–Legendre quadrature in Gaussian coordinates and by Monte Carlo:

# %%
g = biases.OrthogonalColumnsGenerator(np.eye(2), [0.5, 1.5])
q = biases.twin_contrast_quadrature(g.jacobian, logistic, f, n_panels=24)
m = biases.twin_contrast_mc(g.jacobian, logistic, f, 40_000, rng)
z_score = (m["twin"] - q["twin"]) / m["twin_stderr"]
print(f"quadrature {q['twin']:.10f} (error estimate {q['error_estimate']:.1e})")
print(
    f"Monte Carlo {m['twin']:.5f} ± {m['twin_stderr']:.5f}  (z = {z_score:+.2f});  true g: {m['true']}"
)
assert abs(z_score) < 6 and m["true_max_abs"] < 1e-14 and q["error_estimate"] < 1e-9

# %% [markdown]
# Analytic against finite-difference Jacobian of the twin's generator:

# %%
zs = logistic.sample(5, rng)
h = 1e-6
fd = np.stack(
    [
        (g.forward(f.inverse(zs + h * e)) - g.forward(f.inverse(zs - h * e))) / (2 * h)
        for e in np.eye(2)
    ],
    axis=-1,
)
err = np.max(np.abs(biases.twin_jacobian(g.jacobian, f, zs) - fd))
print("max |analytic − finite differences|:", err)
assert err < 1e-6

# %% [markdown]
# ## 2. Embrace the gap (Reizinger et al. 2022)
#
# **Statement.** The linear Gaussian VAE with decoder $\mathcal N(W'z,\sigma^2I)$ has posterior
# precision $\Lambda=I+M/\sigma^2$, $M=W'^\top W'$, and its best mean-field encoder misses
# $\log p(x)$ by $\tfrac12[\sum_i\log\Lambda_{ii}-\log\det\Lambda]$. Multiplying $\Lambda$ by
# $\sigma^2$ (which cancels),
#
# $$\mathrm{gap}(\sigma)=\tfrac12\Big[\sum_i\log(\sigma^2+M_{ii})-\log\det(\sigma^2I+M)\Big]\ \xrightarrow[\sigma\to0]{}\ \tfrac12\Big[\sum_i\log M_{ii}-\log\det M\Big]=C_{\rm IMA}(W').$$
#
# The ELBO of a mean-field VAE carries IMA's bias. For $W'=WR^\top$: $M$ has diagonal
# $(1+4)/2=5/2$ twice and determinant 4, so $\mathrm{gap}(1)=\log3.5-\tfrac12\log10$ and
# $\mathrm{gap}(0.1)=\log251-\tfrac12\log(101\cdot401)$.
#
# **Two ways**: the closed form, and $\log p(x)$ minus the ELBO of BFGS-optimal diagonal encoders.

# %%
sig = [1.0, 0.1, 0.01]
cf = biases.embrace_gap.embrace_gap(W, R, sig)
bf = biases.gap_curve_bfgs(W, R, sig, 3, rng)
by_hand = [math.log(3.5) - 0.5 * math.log(10), math.log(251) - 0.5 * math.log(101 * 401)]
for s, a, b in zip(sig, cf, bf, strict=True):
    print(f"σ = {s:<5g} closed form {a:.10f}   BFGS {b:.10f}")
assert np.allclose(cf, bf, atol=1e-8) and np.allclose(cf[:2], by_hand, rtol=1e-13)
print(
    f"σ → 0: {biases.embrace_gap.embrace_gap(W, R, 0.0)[0]:.12f} = log 1.25 = {math.log(1.25):.12f}"
)
assert abs(biases.embrace_gap.embrace_gap(W, R, 0.0)[0] - math.log(1.25)) < 1e-14

# %% [markdown]
# **The reference gaps of Proof 4 are points of this family**: column norms 2 and 0.7, $\sigma^2=0.3$,
# angles π/8 and π/4; their curves tend to $C_{\rm IMA}$ of those twins. Control: the true model's
# gap is 0 for every σ (and a full-covariance encoder has no gap, Proof 4).

# %%
Wr, _, s2 = biases.reference_linear_decoder()
for theta, ref in [(math.pi / 8, 0.18693385), (math.pi / 4, 0.32268431)]:
    Rt = biases.plane_rotation(theta)
    at = biases.embrace_gap.embrace_gap(Wr, Rt, math.sqrt(s2))[0]
    print(
        f"θ = {theta:.4f}: gap(√0.3) = {at:.8f} (reference {ref}), limit C_IMA = "
        f"{biases.linear_ima_contrast(Wr, Rt):.8f}"
    )
    assert abs(at - ref) < 5e-9
true_curve = biases.embrace_gap_curve(W, R, np.geomspace(1e-3, 10, 20))["true"]
assert np.max(np.abs(true_curve)) < 1e-15

# %% [markdown]
# ## 3. iVAE: auxiliary variables with exponential-family priors (Khemakhem et al. 2020)
#
# **Statement.** In segment $u$, $z\mid u\sim\mathcal N(\mu_u,\Lambda_u)$, a conditionally factorized
# exponential family ($T=(z,z^2)$). The rotated twin sees $\mathcal N(A\mu_u,A\Lambda_uA^\top)$, and
# with equal log-determinants
# $\mathrm{KL}_u=\tfrac12[\operatorname{tr}(\Lambda_u^{-1}A\Lambda_uA^\top)-d+\ldots]$ (the dots: the
# mean term). For $\Lambda=\operatorname{diag}(1,4)$ at 45°: $A\Lambda A^\top$ has diagonal
# $(2.5,2.5)$, so $\mathrm{KL}=\tfrac12(2.5+2.5/4-2)=0.5625$. Two ways: closed form and
# Gauss–Hermite quadrature of the log-density ratio (exact for a quadratic integrand).

# %%
kl_cf = biases.segment_kl([[1.0, 4.0]], R)[0]
kl_q = biases.segment_kl_quadrature([[1.0, 4.0]], R)[0]
print(f"KL per segment: closed form {kl_cf:.15f}  quadrature {kl_q:.15f}")
assert abs(kl_cf - 0.5625) < 1e-14 and abs(kl_q - kl_cf) < 1e-12

# %% [markdown]
# **Connection to the auxiliary-variable bias of Proof 4**: with one shared $u$ and zero means it is
# `shared_rotation_gap`'s conditional gap (the twin's orientation $A^\top$). **Control**: isotropic
# segments violate iVAE's variability condition (rank 1 instead of $d$) and give 0 for every
# rotation.

# %%
v = np.array([[1.0, 4.0], [4.0, 1.0], [2.0, 0.5]])
A = biases.plane_rotation(0.3)
old = biases.shared_rotation_gap(np.sqrt(v), A.T)["conditional"]
print("iVAE gap", biases.ivae_gap(v, A), " auxiliary bias", old)
assert abs(biases.ivae_gap(v, A) - old) < 1e-14
print(
    "isotropic segments:",
    biases.ivae_gap([[1.0, 1.0], [4.0, 4.0]], R),
    " variability rank",
    biases.variability_rank([[1.0, 1.0], [4.0, 4.0]]),
    "vs",
    biases.variability_rank(v),
)
assert biases.ivae_gap([[1.0, 1.0], [4.0, 4.0]], R) == 0.0

# %% [markdown]
# ## 4. Sparsity of the decoder (Zheng et al. 2022) and of the transitions (Lachapelle et al. 2022)
#
# **Decoder.** $g:\mathbb R^2\to\mathbb R^3$ with support $\{11,22,31,32\}$ (4 of 6 entries) is
# structurally sparse: each latent is singled out by the rows it enters. Theorem 1's $f$ makes every
# entry of $J_{f^{-1}}$ nonzero, so the twin's Jacobian is dense (6 entries). Two ways: analytic
# Jacobians and central finite differences. Control: a permutation twin keeps 4.

# %%
sg = biases.SparseGenerator()
zs = logistic.sample(500, rng)
Jt, Jw = sg.jacobian(zs), biases.twin_jacobian(sg.jacobian, f, zs)
fd = np.stack(
    [
        (sg.forward(f.inverse(zs + h * e)) - sg.forward(f.inverse(zs - h * e))) / (2 * h)
        for e in np.eye(2)
    ],
    axis=-1,
)
n = biases.sparsity_numbers(Jt, Jw)
print(n, " finite differences: L0", biases.l0_norm(fd, 1e-5))
print(
    "structural sparsity: true",
    biases.structural_sparsity(biases.support(Jt)),
    " twin",
    biases.structural_sparsity(biases.support(Jw)),
)
assert (n["l0_true"], n["l0_twin"], biases.l0_norm(fd, 1e-5)) == (4, 6, 6)
fp = im.entangling_bijection(logistic, np.eye(2)[[1, 0]], require_complete=False)
assert biases.l0_norm(biases.twin_jacobian(sg.jacobian, fp, zs)) == 4

# %% [markdown]
# **Transitions.** AR(1) latents $z_t=Mz_{t-1}+\epsilon_t$ with $M=\operatorname{diag}(0.9,0.3)$
# ($d$ nonzeros). The twin's latents $R^\top z$ follow $R^\top MR$ — dense, $d^2$ nonzeros — and the
# entrywise $L_1$ cannot decrease (it bounds the rotation-invariant nuclear norm, equal to $L_1$ for
# a diagonal matrix). Two ways: the closed form and least squares on a simulated chain. Control:
# equal autocorrelations keep $M=\rho I$.

# %%
M = np.diag([0.9, 0.3])
Mt = biases.twin_transition(M, R)
fit = biases.fit_transition([0.9, 0.3], R, 200_000, rng)
print("RᵀMR =\n", Mt, "\nleast squares =\n", fit["twin"].round(4))
print(biases.sparsity_numbers(M, Mt, normalize=False))
assert np.max(np.abs(fit["twin"] - Mt)) < 0.02  # OLS error ~ 1/√n ≈ 2e-3
assert biases.l0_norm(biases.twin_transition(0.9 * np.eye(2), R)) == 2

# %% [markdown]
# ## 5. Local isometry (Horan et al. 2021)
#
# **Statement.** If $g$ is a local isometry, $g\circ f^{-1}$ is one iff $f^{-1}$ is:
# $J_{g\circ f^{-1}}^\top J_{g\circ f^{-1}}=J_{f^{-1}}^\top J_{f^{-1}}$. The defect
# $\delta=\mathbb E\lVert J_{f^{-1}}^\top J_{f^{-1}}-I\rVert_F^2$ is exactly 0 for the Gaussian prior
# (f a rotation) — the bias does not help there — and positive for Theorem 1's nonlinear $f$. Two
# ways: quadrature and Monte Carlo (the Jacobian checked against finite differences in the tests).

# %%
iq = biases.isometry_defect_quadrature(logistic, f, n_panels=24)
imc = biases.isometry_defect_mc(logistic, f, 40_000, rng)
z_score = (imc["defect"] - iq["defect"]) / imc["stderr"]
print(
    f"logistic prior: quadrature {iq['defect']:.10f}, MC {imc['defect']:.4f} ± {imc['stderr']:.4f}"
    f" (z = {z_score:+.2f})"
)
assert abs(z_score) < 6 and iq["defect"] > 0.1
gauss = im.FactorizedPrior.standard_normal(2)
fg = im.entangling_bijection(gauss, R, require_complete=False)
print(
    "N(0, I) prior (f a rotation):",
    biases.isometry_defect_quadrature(gauss, fg, n_panels=4)["defect"],
)
assert biases.isometry_defect_quadrature(gauss, fg, n_panels=4)["defect"] < 1e-28

# %% [markdown]
# ## 6. What every bias still allows
#
# A bias rules out the twins with a positive gap and no others. For each bias (the four of Proof 4
# and the five above) `bias_symmetries` samples the group it cannot rule out — signed permutations
# for a diagonal posterior with distinct variances, rotations inside blocks of equal variance, every
# rotation for isometry under a Gaussian prior, … — and maps off it (Haar-random rotations, a
# permutation across a block), and reports the largest gap on the group and the smallest off it.

# %%
sym = biases.bias_symmetries(rng, n_mc=1000, n_generic=3, quadrature_panels=8)
for key, s in sym.items():
    off = "—" if s["off_group_min"] is None else f"{s['off_group_min']:.3g}"
    print(
        f"{key:20s} on the group max|gap| {s['on_group_max_abs']:.1e}   off it min {off:>6}   "
        f"allows: {s['allows']}"
    )
    assert s["on_group_max_abs"] < 1e-12
    assert key == "unsupervised" or s["off_group_min"] > 1e-3

# %% [markdown]
# Every bias leaves a group: without any bias it is every Theorem 1 map; with one, it shrinks to
# signed permutations, possibly with rotations inside blocks of coordinates the bias cannot tell
# apart. The numbers of this proof are the atlas rows of `experiments/bias_table.py`
# (`figures/bias_table.png`), and the curve of §2 is `figures/bias_ima.png`.
