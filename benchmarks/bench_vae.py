"""Time per training step of impossibility's NumPy VAE against the same model in PyTorch (CPU).

Run: ``python benchmarks/bench_vae.py [--threads 1] [--steps 300] [--repeats 5] [--config all]
[--dtype both]``; ``table()`` returns the rows of ``benchmarks/run_all.py``.

Both sides train the same architecture (MLP encoder → (μ, log σ²), reparameterised sample, MLP
decoder, closed-form KL, Adam with lr 1e-3) on the same minibatches, with the same batch size,
dtype (float32 or float64, on both sides: NumPy through ``VAE(dtype=...)``) and number of threads
(``threadpoolctl`` for NumPy's BLAS, ``torch.set_num_threads`` for PyTorch). One *step* is:
pick the minibatch, draw the noise, forward, loss, backward, Adam update. Each side is warmed up,
then the two are timed in turn ``repeats`` times over ``steps`` steps (interleaved, so that a load
change on shared cores hits both); the best run of each is reported and the ratio
NumPy / PyTorch is measured in this run (< 1 means NumPy is faster).

Before timing, the script copies the NumPy weights into the PyTorch model and checks that both
give the same loss and gradients for the same batch and noise: to 1e-10 in float64 (autograd as an
independent check of the hand-written backward passes) and to 1e-4 in float32 (two float32
computations of a ~6-layer chain, each rounded at 6e-8, in different orders).

Configurations:

``image``  32×32 Bernoulli images, hidden (256, 256), 10 latents, batch 64 (the package's default
           VAE for the sprites data set).
``vector`` 10-D Gaussian observations (learned per-feature variance), hidden (64, 64),
           4 latents, batch 64 (the continuous mixing data).

PyTorch is optional: ``pip install torch`` (or the project's ``benchmarks`` extra). Without it
``main`` prints a message and exits with status 0, and ``table`` keeps only the NumPy-only row.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

from impossibility.nn import Adam
from impossibility.vae import VAE, BetaVAE

CONFIGS = {
    "image": dict(x_dim=1024, latent=10, hidden=(256, 256), likelihood="bernoulli", batch=64),
    "vector": dict(x_dim=10, latent=4, hidden=(64, 64), likelihood="gaussian", batch=64),
}


def make_data(cfg, rng, n=2048):
    if cfg["likelihood"] == "bernoulli":
        return (rng.random((n, cfg["x_dim"])) < 0.2).astype(np.float64)
    w = rng.normal(size=(cfg["x_dim"], cfg["latent"]))
    return np.tanh(rng.normal(size=(n, cfg["latent"])) @ w.T) + 0.05 * rng.normal(
        size=(n, cfg["x_dim"])
    )


# ----------------------------------------------------------------------------------- PyTorch
def build_torch(torch, vae: VAE, dtype):
    """The same architecture as ``vae``, initialised with its weights."""
    tnn = torch.nn

    def seq(np_seq):
        layers = []
        for layer in np_seq.layers:
            name = type(layer).__name__
            if name == "Linear":
                lin = tnn.Linear(layer.d_in, layer.d_out).to(dtype)
                with torch.no_grad():
                    lin.weight.copy_(torch.as_tensor(layer.W.T.copy(), dtype=dtype))
                    lin.bias.copy_(torch.as_tensor(layer.b, dtype=dtype))
                layers.append(lin)
            elif name == "ReLU":
                layers.append(tnn.ReLU())
            else:
                raise ValueError(f"no PyTorch twin for layer {name}")
        return tnn.Sequential(*layers)

    enc, dec = seq(vae.encoder), seq(vae.decoder)
    obs_logvar = None
    if vae.obs_logvar is not None:
        obs_logvar = tnn.Parameter(torch.as_tensor(vae.obs_logvar.copy(), dtype=dtype))
    return enc, dec, obs_logvar


def torch_loss(torch, enc, dec, obs_logvar, xb, eps, d, likelihood):
    f = torch.nn.functional
    h = enc(xb)
    mu, lv = h[:, :d], h[:, d:]
    z = mu + torch.exp(0.5 * lv) * eps
    out = dec(z)
    if likelihood == "bernoulli":
        rec = -f.binary_cross_entropy_with_logits(out, xb, reduction="none").sum(1)
    else:
        r = xb - out
        rec = -0.5 * (r * r * torch.exp(-obs_logvar) + obs_logvar + np.log(2 * np.pi)).sum(1)
    kl = 0.5 * (mu * mu + torch.exp(lv) - lv - 1.0).sum(1)
    return (kl - rec).mean()


def check_against_autograd(torch, vae, x, rng):
    """Same loss and gradients for one batch and noise, in the model's dtype; returns the max
    relative error."""
    tdt = torch.float64 if vae.dtype == np.float64 else torch.float32
    enc, dec, olv = build_torch(torch, vae, tdt)
    xb = x[:32]
    eps = rng.standard_normal((32, vae.latent_dim))
    loss, grads, _, _ = vae.loss_and_grads(xb, eps, BetaVAE(1.0))
    tl = torch_loss(
        torch,
        enc,
        dec,
        olv,
        torch.as_tensor(xb, dtype=tdt),
        torch.as_tensor(eps, dtype=tdt),
        vae.latent_dim,
        vae.likelihood,
    )
    tl.backward()
    errs = [abs(float(tl.detach()) - loss) / abs(loss)]
    for prefix, np_seq, t_seq in (("encoder", vae.encoder, enc), ("decoder", vae.decoder, dec)):
        for i, (np_layer, t_layer) in enumerate(zip(np_seq.layers, t_seq, strict=True)):
            if type(np_layer).__name__ != "Linear":
                continue
            for ours, theirs in (
                (grads[f"{prefix}.{i}.W"], t_layer.weight.grad.numpy().T),
                (grads[f"{prefix}.{i}.b"], t_layer.bias.grad.numpy()),
            ):
                assert ours.dtype == vae.dtype
                errs.append(float(np.linalg.norm(ours - theirs) / np.linalg.norm(theirs)))
    if olv is not None:
        g = olv.grad.numpy()
        errs.append(float(np.linalg.norm(grads["obs_logvar"] - g) / np.linalg.norm(g)))
    return max(errs)


# ------------------------------------------------------------------------------------ timing
def _vae(cfg, dtype, rng):
    return VAE(
        cfg["x_dim"],
        cfg["latent"],
        hidden=cfg["hidden"],
        likelihood=cfg["likelihood"],
        rng=rng,
        dtype=dtype,
    )


def numpy_steps(cfg, x, dtype):
    """``run(rows)``: one NumPy training step per minibatch of row indices."""
    rng = np.random.default_rng(1)
    vae = _vae(cfg, dtype, rng)
    opt = Adam(vae.parameters(), lr=1e-3)
    obj = BetaVAE(1.0)
    xs = vae.check_x(x).astype(vae.dtype)  # as VAE.fit: the data cast once

    def run(rows):
        for r in rows:
            vae.train_step(xs[r], obj, opt, rng)

    return run


def torch_steps(torch, cfg, x, dtype):
    """``run(rows)``: the same steps in PyTorch (``dtype`` "float32" or "float64")."""
    tdt = torch.float64 if dtype == "float64" else torch.float32
    enc, dec, olv = build_torch(torch, _vae(cfg, dtype, np.random.default_rng(1)), tdt)
    params = list(enc.parameters()) + list(dec.parameters()) + ([olv] if olv is not None else [])
    opt = torch.optim.Adam(params, lr=1e-3)
    xt = torch.as_tensor(x, dtype=tdt)
    gen = torch.Generator().manual_seed(1)
    d = cfg["latent"]

    def run(rows):
        for r in rows:
            xb = xt[torch.as_tensor(r)]
            eps = torch.randn(xb.shape[0], d, dtype=tdt, generator=gen)
            loss = torch_loss(torch, enc, dec, olv, xb, eps, d, cfg["likelihood"])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    return run


def time_interleaved(runs, idx, warmup, repeats):
    """Best seconds per step of each ``run`` over the minibatches ``idx``, timed in turn."""
    for run in runs:
        run(idx[:warmup])
    best = [np.inf] * len(runs)
    for _ in range(repeats):
        for i, run in enumerate(runs):
            t = time.perf_counter()
            run(idx)
            best[i] = min(best[i], (time.perf_counter() - t) / len(idx))
    return best


def _import_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def table(repeat: int = 3, quick: bool = False) -> list[dict]:
    """Rows ``figure, ours, baseline, ratio, goal, detail`` (seconds per step, best of
    ``repeat``, measured in this call), 32×32 images, one thread: NumPy float32 / PyTorch
    float32 (goal 1.0), NumPy float64 / PyTorch float64 (goal 1.0) and NumPy float32 / NumPy
    float64 (goal 1.0; the only row without PyTorch). ``quick=True`` times 5 steps."""
    torch = _import_torch()
    cfg = CONFIGS["image"]
    steps, warmup = (5, 2) if quick else (200, 20)
    rng = np.random.default_rng(0)
    x = make_data(cfg, rng, n=256 if quick else 2048)
    idx = rng.integers(0, x.shape[0], size=(steps, cfg["batch"]))
    what = f"32x32 Bernoulli images, hidden {cfg['hidden']}, d = 10, batch 64, 1 thread"
    runs = {dt: numpy_steps(cfg, x, dt) for dt in ("float32", "float64")}
    if torch is not None:
        torch.set_num_threads(1)
        runs.update(
            {f"torch {dt}": torch_steps(torch, cfg, x, dt) for dt in ("float32", "float64")}
        )
    with threadpool_limits(1):
        t = dict(zip(runs, time_interleaved(list(runs.values()), idx, warmup, repeat), strict=True))

    def row(figure, ours, base, detail):
        return {
            "figure": figure,
            "ours": t[ours],
            "baseline": t[base],
            "ratio": t[ours] / t[base],
            "goal": 1.0,
            "detail": f"{what}; {detail}",
        }

    rows = []
    if torch is not None:
        v = torch.__version__
        rows.append(row("VAE step: NumPy float32 / PyTorch float32", "float32", "torch float32", v))
        rows.append(row("VAE step: NumPy float64 / PyTorch float64", "float64", "torch float64", v))
    rows.append(row("VAE step: NumPy float32 / NumPy float64", "float32", "float64", "no PyTorch"))
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--warmup", type=int, default=30)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--config", choices=[*CONFIGS, "all"], default="all")
    p.add_argument("--dtype", choices=["float64", "float32", "both"], default="both")
    args = p.parse_args(argv)
    torch = _import_torch()
    if torch is None:
        print(
            "bench_vae: PyTorch is not installed, so there is nothing to compare against; "
            "skipping. Install it with `pip install torch` (or `pip install -e .[benchmarks]`)."
        )
        return 0
    torch.set_num_threads(args.threads)
    dtypes = ["float32", "float64"] if args.dtype == "both" else [args.dtype]
    names = list(CONFIGS) if args.config == "all" else [args.config]
    print(
        f"NumPy {np.__version__} vs PyTorch {torch.__version__} (CPU), {args.threads} thread(s), "
        f"{args.steps} steps x best of {args.repeats}, both sides in the same dtype"
    )
    with threadpool_limits(args.threads):
        for name in names:
            cfg = CONFIGS[name]
            rng = np.random.default_rng(0)
            x = make_data(cfg, rng)
            idx = rng.integers(0, x.shape[0], size=(args.steps, cfg["batch"]))
            for dt in dtypes:
                err = check_against_autograd(torch, _vae(cfg, dt, rng), x, rng)
                if err > (1e-10 if dt == "float64" else 1e-4):
                    print(
                        f"  {name} {dt}: gradients differ from autograd (max rel. error {err:.2e})"
                    )
                    return 1
                runs = [numpy_steps(cfg, x, dt), torch_steps(torch, cfg, x, dt)]
                t_np, t_pt = time_interleaved(runs, idx, args.warmup, args.repeats)
                print(
                    f"  {name:6s} {dt} D={cfg['x_dim']:5d} hidden={cfg['hidden']} "
                    f"d={cfg['latent']} batch={cfg['batch']}: NumPy {t_np * 1e3:7.3f} ms/step, "
                    f"PyTorch {t_pt * 1e3:7.3f} ms/step, ratio NumPy/PyTorch = {t_np / t_pt:.2f}  "
                    f"(autograd check {err:.1e})"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
