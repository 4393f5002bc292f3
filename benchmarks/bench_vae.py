"""Time per training step of impossibility's NumPy VAE against the same model in PyTorch (CPU).

Run: ``python benchmarks/bench_vae.py [--threads 2] [--steps 300] [--repeats 5] [--config all]``

Both sides train the same architecture (MLP encoder → (μ, log σ²), reparameterised sample, MLP
decoder, closed-form KL, Adam with lr 1e-3) on the same minibatches, with the same batch size,
dtype (float64 unless ``--dtype float32``; NumPy always runs in float64) and number of threads
(``threadpoolctl`` for NumPy's BLAS, ``torch.set_num_threads`` for PyTorch). One *step* is:
pick the minibatch, draw the noise, forward, loss, backward, Adam update. Each side is warmed up,
then timed ``repeats`` times over ``steps`` steps; the best run is reported. The ratio
NumPy / PyTorch is measured in this run (< 1 means NumPy is faster).

Before timing, the script copies the NumPy weights into the PyTorch model and checks that both
give the same loss and gradients for the same batch and noise (float64; autograd as an
independent check of the hand-written backward passes).

Configurations:

``image``  32×32 Bernoulli images, hidden (256, 256), 10 latents, batch 64 (the package's default
           VAE for the sprites data set).
``vector`` 10-D Gaussian observations (learned per-feature variance), hidden (64, 64),
           4 latents, batch 64 (the continuous mixing data).

PyTorch is optional: ``pip install torch`` (or the project's ``benchmarks`` extra). Without it
the script prints a message and exits with status 0.
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
    """Same loss and gradients in float64 for one batch and noise; returns the max relative
    error."""
    enc, dec, olv = build_torch(torch, vae, torch.float64)
    xb = x[:32]
    eps = rng.standard_normal((32, vae.latent_dim))
    loss, grads, _, _ = vae.loss_and_grads(xb, eps, BetaVAE(1.0))
    tl = torch_loss(
        torch,
        enc,
        dec,
        olv,
        torch.as_tensor(xb),
        torch.as_tensor(eps),
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
                errs.append(float(np.linalg.norm(ours - theirs) / np.linalg.norm(theirs)))
    if olv is not None:
        g = olv.grad.numpy()
        errs.append(float(np.linalg.norm(grads["obs_logvar"] - g) / np.linalg.norm(g)))
    return max(errs)


# ------------------------------------------------------------------------------------ timing
def time_numpy(cfg, x, idx, args):
    rng = np.random.default_rng(1)
    vae = VAE(
        cfg["x_dim"], cfg["latent"], hidden=cfg["hidden"], likelihood=cfg["likelihood"], rng=rng
    )
    opt = Adam(vae.parameters(), lr=1e-3)
    obj = BetaVAE(1.0)
    xs = vae.check_x(x)

    def run(rows):
        for r in rows:
            vae.train_step(xs[r], obj, opt, rng)

    run(idx[: args.warmup])
    best = np.inf
    for _ in range(args.repeats):
        t = time.perf_counter()
        run(idx)
        best = min(best, (time.perf_counter() - t) / len(idx))
    return best


def time_torch(torch, cfg, x, idx, args, dtype):
    rng = np.random.default_rng(1)
    vae = VAE(
        cfg["x_dim"], cfg["latent"], hidden=cfg["hidden"], likelihood=cfg["likelihood"], rng=rng
    )
    enc, dec, olv = build_torch(torch, vae, dtype)
    params = list(enc.parameters()) + list(dec.parameters()) + ([olv] if olv is not None else [])
    opt = torch.optim.Adam(params, lr=1e-3)
    xt = torch.as_tensor(x, dtype=dtype)
    it = torch.as_tensor(idx)
    gen = torch.Generator().manual_seed(1)
    d = cfg["latent"]

    def run(rows):
        for r in rows:
            xb = xt[r]
            eps = torch.randn(xb.shape[0], d, dtype=dtype, generator=gen)
            loss = torch_loss(torch, enc, dec, olv, xb, eps, d, cfg["likelihood"])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    run(it[: args.warmup])
    best = np.inf
    for _ in range(args.repeats):
        t = time.perf_counter()
        run(it)
        best = min(best, (time.perf_counter() - t) / len(it))
    return best


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--warmup", type=int, default=30)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--config", choices=[*CONFIGS, "all"], default="all")
    p.add_argument(
        "--dtype",
        choices=["float64", "float32"],
        default="float64",
        help="PyTorch dtype (NumPy always float64)",
    )
    args = p.parse_args(argv)
    try:
        import torch
    except ImportError:
        print(
            "bench_vae: PyTorch is not installed, so there is nothing to compare against; "
            "skipping. Install it with `pip install torch` (or `pip install -e .[benchmarks]`)."
        )
        return 0
    torch.set_num_threads(args.threads)
    dtype = torch.float64 if args.dtype == "float64" else torch.float32
    names = list(CONFIGS) if args.config == "all" else [args.config]
    print(
        f"NumPy {np.__version__} vs PyTorch {torch.__version__} (CPU), {args.threads} thread(s), "
        f"{args.steps} steps x best of {args.repeats}; PyTorch dtype {args.dtype}, NumPy float64"
    )
    with threadpool_limits(args.threads):
        for name in names:
            cfg = CONFIGS[name]
            rng = np.random.default_rng(0)
            x = make_data(cfg, rng)
            vae = VAE(
                cfg["x_dim"],
                cfg["latent"],
                hidden=cfg["hidden"],
                likelihood=cfg["likelihood"],
                rng=rng,
            )
            err = check_against_autograd(torch, vae, x, rng)
            if err > 1e-10:
                print(f"  {name}: gradients differ from autograd (max relative error {err:.2e})")
                return 1
            idx = rng.integers(0, x.shape[0], size=(args.steps, cfg["batch"]))
            t_np = time_numpy(cfg, x, idx, args)
            t_pt = time_torch(torch, cfg, x, idx, args, dtype)
            print(
                f"  {name:6s} D={cfg['x_dim']:5d} hidden={cfg['hidden']} d={cfg['latent']} "
                f"batch={cfg['batch']}: NumPy {t_np * 1e3:7.3f} ms/step, PyTorch {t_pt * 1e3:7.3f} "
                f"ms/step, ratio NumPy/PyTorch = {t_np / t_pt:.2f}  (autograd check {err:.1e})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
