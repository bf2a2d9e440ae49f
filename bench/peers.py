#!/usr/bin/env python3
"""Benchmark `minibatch` against reference implementations on the same data.

Every system trains the same model on the same seeded synthetic data with the same
hyper-parameters and from the same initial weights, and every system's loop visits the rows
in a fresh random order each epoch (minibatch's default, `training.shuffle`: numpy gathers
`X[perm[s:s+B]]`, PyTorch indexes with a `torch.randperm` permutation as a DataLoader with
shuffle=True does); `--unshuffled` adds a second table per workload with every loop reading
the rows in file order. The script prints one table per workload with the median time per epoch,
samples/s, the final training loss (mean cross-entropy over the whole training set, computed
here in float64 from each system's final weights) and each peer's time relative to minibatch.
All ratios come from one run of this script, side by side. See bench/README.md.

Workloads: W1 softmax regression, MNIST-sized (60,000 x 784, 10 classes, batch 256); W2 few
features, covtype-sized (500,000 x 54, 7 classes, batch 128); W3 an MLP 784-128-10 with ReLU
on W1's data (batch 128). Every system starts from the same initial weights, drawn here with
numpy from a fixed seed (minibatch gets them as a model file, `train --init-model`), and the
final losses must agree within 2 % (checked and printed).

Each system runs in its own subprocess (so its peak RSS can be measured and the numpy peer
can run with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset).

    swift build -c release
    python3 bench/peers.py                      # W1, W2 and W3, all peers
    python3 bench/peers.py --epochs 2 --workloads W1 --skip sklearn
    python3 bench/peers.py --workloads W3 --epochs 2    # the MLP only
    python3 bench/peers.py --markdown           # tables for docs/benchmarks.md
    python3 bench/peers.py --workloads W1 --unshuffled   # also every loop in file order
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALL_HINT = "pip install numpy torch scikit-learn pandas threadpoolctl"

ETA0 = 0.1          # constant learning rate, every system
ALPHA = 1e-4        # L2 strength on W (the bias is not penalised), every system
OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# The values of OPENBLAS_VARS this script was started with (it re-executes itself without
# them, see main(), because numpy reads them once when it loads OpenBLAS).
SAVED_ENV = "MINIBATCH_PEERS_OPENBLAS_ENV"

# n, d, K: data shape; batch: mini-batch size; epochs: default E; seed: data seed;
# separation: typical distance between two class centres in units of the noise s.d.
# init_seed: the shared initial weights (see initial_layers). MLP workloads also have hidden
# (layer sizes, ReLU), data (the workload whose files they train on), and speed_target (peer
# name, factor minibatch should beat it by). loss_tol: the agreement of the final losses
# asked of the peers (LOSS_TOL unless given).
WORKLOADS = {
    "W1": dict(title="W1: softmax, MNIST-sized", n=60_000, d=784, K=10, batch=256, epochs=5,
               seed=1, separation=4.0, init_seed=4),
    "W2": dict(title="W2: few features, covtype-sized", n=500_000, d=54, K=7, batch=128, epochs=3,
               seed=2, separation=4.0, init_seed=5),
    # W3: a one-hidden-layer ReLU network on W1's data (data="W1": the same files). Every
    # system starts from the same weights, drawn here from init_seed (see initial_layers).
    "W3": dict(title="W3: MLP 784-128-10 ReLU", n=60_000, d=784, K=10, hidden=[128], batch=128,
               epochs=3, seed=1, separation=4.0, data="W1", init_seed=3,
               speed_target=("PyTorch", 2.0)),
}
LOSS_TOL = 0.02     # final losses of the systems agree within 2 % (relative)
INIT_SCALE = 0.01   # the linear workloads' shared initial weights: N(0, INIT_SCALE^2)
PEERS = ("numpy", "torch", "sklearn", "minibatch", "csv")
PY_PEERS = ("numpy", "torch", "sklearn")
REQUIRES = {"numpy": ["numpy", "threadpoolctl"], "torch": ["torch"], "sklearn": ["sklearn"],
            "csv": ["pandas"], "minibatch": []}


def have(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def plural(k, word):
    return f"{k} {word}{'' if k == 1 else 's'}"


def median(xs):
    return statistics.median(xs) if xs else float("nan")


# ------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------

def ensure_data(folder: Path, w: dict, log) -> None:
    """X.npy (float32, C order, n x d) and y.npy (int64, 0..K-1, balanced) in `folder`,
    generated from w["seed"] unless files of the right shape are already there."""
    import numpy as np
    n, d, K = w["n"], w["d"], w["K"]
    xp, yp = folder / "X.npy", folder / "y.npy"
    if xp.exists() and yp.exists():
        try:
            X = np.load(xp, mmap_mode="r")
            y = np.load(yp, mmap_mode="r")
            if (X.shape == (n, d) and X.dtype == np.float32 and X.flags.c_contiguous
                    and y.shape == (n,) and y.dtype == np.int64):
                log(f"reusing {xp} and {yp}")
                return
        except (ValueError, OSError):
            pass
    folder.mkdir(parents=True, exist_ok=True)
    log(f"generating {n} x {d} float32, {K} classes into {folder} ...")
    rng = np.random.default_rng(w["seed"])
    # Centre coordinates N(0, s^2) with s chosen so two centres lie about `separation`
    # noise standard deviations apart; unit Gaussian noise; then scale every feature to
    # variance about 1 (no standardisation is applied by anyone).
    s = w["separation"] / np.sqrt(2.0 * d)
    centres = (rng.standard_normal((K, d)) * s).astype(np.float32)
    y = np.arange(n, dtype=np.int64) % K
    rng.shuffle(y)
    X = rng.standard_normal((n, d), dtype=np.float32)
    X += centres[y]
    X *= np.float32(1.0 / np.sqrt(1.0 + s * s))
    np.save(xp, np.ascontiguousarray(X, dtype=np.float32))
    np.save(yp, y)


def ensure_csv(path: Path, log, rows: int = 60_000, features: int = 784, seed: int = 7) -> None:
    """An MNIST-shaped CSV: header p0..p783,label; ~20 % of the pixels random 1..255."""
    if path.exists() and path.stat().st_size > 0:
        log(f"reusing {path}")
        return
    import numpy as np
    log(f"writing {rows} x {features + 1} CSV to {path} ...")
    rng = np.random.default_rng(seed)
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w") as f:
        f.write(",".join([f"p{j}" for j in range(features)] + ["label"]) + "\n")
        for start in range(0, rows, 5000):
            m = min(5000, rows - start)
            px = rng.integers(1, 256, size=(m, features))
            px[rng.random((m, features)) >= 0.2] = 0
            block = np.concatenate([px, rng.integers(0, 10, size=(m, 1))], axis=1)
            np.savetxt(f, block, fmt="%d", delimiter=",")
    tmp.replace(path)


# ------------------------------------------------------------------------------------------
# Losses, computed the same way for every system (float64, whole training set)
# ------------------------------------------------------------------------------------------

def train_loss_f64(X, y, layers, ovr: bool = False, chunk: int = 8192):
    """Mean cross-entropy and accuracy of a model on (X, y), in float64.

    layers: [(W, b), ...], input side first, W (outputs x inputs); every layer but the last
    is followed by ReLU, the last gives the K class scores (one layer: the linear model).
    ovr=False: softmax probabilities. ovr=True: scikit-learn's one-vs-rest predict_proba,
    sigmoid(z_k) normalised to sum 1 over k."""
    import numpy as np
    layers = [(np.asarray(W, np.float64), np.asarray(b, np.float64)) for W, b in layers]
    n = X.shape[0]
    total, correct = 0.0, 0
    for s in range(0, n, chunk):
        Z = np.asarray(X[s:s + chunk], np.float64)
        for i, (W, b) in enumerate(layers):
            Z = Z @ W.T + b
            if i < len(layers) - 1:
                np.maximum(Z, 0.0, out=Z)
        yy = np.asarray(y[s:s + chunk])
        rows = np.arange(len(yy))
        if ovr:
            P = 1.0 / (1.0 + np.exp(-Z))
            sums = P.sum(axis=1, keepdims=True)
            P = np.where(sums == 0, 1.0 / P.shape[1], P / np.where(sums == 0, 1.0, sums))
            total += -np.log(np.clip(P[rows, yy], np.finfo(np.float64).eps, 1.0)).sum()
        else:
            m = Z.max(axis=1)
            lse = np.log(np.exp(Z - m[:, None]).sum(axis=1)) + m
            total += (lse - Z[rows, yy]).sum()
        correct += int((Z.argmax(axis=1) == yy).sum())
    return total / n, correct / n


def layer_widths(w):
    """Layer widths input side first: [d, K] for the linear model, [d, h..., K] for an MLP."""
    return [w["d"], *w.get("hidden", []), w["K"]]


def flops_per_epoch(w):
    """What `minibatch bench` counts: per sample and layer (in -> out), the forward product and
    the weight gradient, 2 in out each, plus the input gradient, 2 in out, for every layer
    above the first (the first needs none). Linear: 4 d K; W3: 4 d h + 6 h K."""
    ws = layer_widths(w)
    return float(w["n"]) * sum((4 if i == 0 else 6) * ws[i] * ws[i + 1] for i in range(len(ws) - 1))


def flops_formula(w):
    return "4 n d K" if not w.get("hidden") else "n (4 d h + 6 h K)"


def initial_layers(w):
    """The shared initial weights of a workload, float32, from w["init_seed"] by numpy. An MLP:
    hidden layers He normal N(0, 2 / fan_in), the output layer Glorot uniform
    U(-l, l), l = sqrt(6 / (fan_in + fan_out)), every bias 0 (minibatch's own rules, drawn
    here so that every system gets the same numbers). The linear model: W N(0, INIT_SCALE^2),
    bias 0 (small but not zero, so that a system that ignored them would show in the check of
    the initial loss and in the final losses)."""
    import numpy as np
    rng = np.random.default_rng(w["init_seed"])
    ws = layer_widths(w)
    if len(ws) == 2:
        W = rng.standard_normal((ws[1], ws[0])) * INIT_SCALE
        return [(W.astype(np.float32), np.zeros(ws[1], np.float32))]
    layers = []
    for i in range(len(ws) - 1):
        fan_in, fan_out = ws[i], ws[i + 1]
        if i < len(ws) - 2:
            W = rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in)
        else:
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            W = rng.uniform(-limit, limit, (fan_out, fan_in))
        layers.append((W.astype(np.float32), np.zeros(fan_out, np.float32)))
    return layers


def save_layers(path, layers, **extra):
    import numpy as np
    arrays = {f"W{i}": W for i, (W, _) in enumerate(layers)}
    arrays.update({f"b{i}": b for i, (_, b) in enumerate(layers)})
    np.savez(path, layer_count=len(layers), **arrays, **extra)


def load_layers(z):
    return [(z[f"W{i}"], z[f"b{i}"]) for i in range(int(z["layer_count"]))]


def write_init_model(path: Path, w, layers) -> None:
    """A minibatch model file holding `layers`, for `minibatch train --init-model` (warm start:
    training continues from exactly these weights): an "mlp" with "layers", or with one layer a
    "softmax" with "weights" and "bias". Its classes are the labels minibatch reads
    from y.npy (int64 0..K-1 become the strings "0".."K-1"), in order, so output row k is class
    k; its features are named as minibatch names .npy columns (f0, f1, ...); no scaler."""
    assert w["K"] > 2, "two classes would need minibatch's single sigmoid output unit"
    def floats(a):          # each float32 as its exact double, so it reads back bit for bit
        return [float(v) for v in a]
    model = {
        "format": "minibatch-model", "version": 1,
        "label": "label",
        "classes": [str(k) for k in range(w["K"])],
        "feature_names": [f"f{j}" for j in range(w["d"])],
        "scaler": None,
        "config": None, "metrics": None, "training": None,
    }
    if w.get("hidden"):
        model["model"] = {"type": "mlp", "hidden": list(w["hidden"]), "activation": "relu"}
        model["layers"] = [{"weights": [floats(row) for row in W], "bias": floats(b)} for W, b in layers]
    else:
        (W, b), = layers
        model["model"] = {"type": "softmax"}
        model["weights"] = [floats(row) for row in W]
        model["bias"] = floats(b)
    path.write_text(json.dumps(model) + "\n")


# ------------------------------------------------------------------------------------------
# Peer workers (run as `peers.py _worker ...` in a subprocess)
# ------------------------------------------------------------------------------------------

def blas_info():
    try:
        import threadpoolctl
    except ImportError:
        return [{"note": "threadpoolctl not installed (pip install threadpoolctl)"}]
    keep = ("user_api", "internal_api", "prefix", "version", "architecture", "num_threads",
            "threading_layer")
    return [{k: v for k, v in lib.items() if k in keep} for lib in threadpoolctl.threadpool_info()]


def batches(n, B, perm):
    """The epoch's batches as indexes into X and y: with a permutation, its slices (X is then
    gathered, X[perm[s:s+B]], as a shuffling loop does); without, plain slices of the file
    order (X[s:s+B] is a view, nothing is copied)."""
    for s in range(0, n, B):
        yield perm[s:s + B] if perm is not None else slice(s, s + B)


def worker_numpy(X, y, K, B, E, seed, init, sequential):
    import numpy as np
    n, d = X.shape
    (W, b), = [(W.astype(np.float32, copy=True), b.astype(np.float32, copy=True)) for W, b in init]
    assert W.shape == (K, d)
    eta, alpha = np.float32(ETA0), np.float32(ALPHA)
    rng = np.random.default_rng(seed)
    rows = np.arange(B)
    times = []
    for _ in range(E):
        t0 = time.perf_counter()
        perm = None if sequential else rng.permutation(n)
        for idx in batches(n, B, perm):
            Xb = X[idx]                                    # gather the batch (a view in file order)
            m = Xb.shape[0]
            Z = Xb @ W.T                                   # m x K scores
            Z += b
            Z -= Z.max(axis=1, keepdims=True)              # P = softmax(Z), stably
            np.exp(Z, out=Z)
            Z /= Z.sum(axis=1, keepdims=True)
            Z[rows[:m], y[idx]] -= 1                       # P - Y
            G = Z.T @ Xb                                   # K x d
            gb = Z.sum(axis=0)
            inv = np.float32(1.0 / m)
            W -= eta * (G * inv + alpha * W)
            b -= eta * (gb * inv)
        times.append(time.perf_counter() - t0)
    return W, b, times, {"blas": blas_info()}


def torch_sgd_epochs(model, linears, Xt, yt, B, E, seed, sequential):
    """E epochs of mini-batch SGD (constant rate ETA0, weight decay ALPHA on the weight
    matrices of `linears` only) over a fresh torch.randperm permutation each epoch, the
    batch gathered with index_select (what a DataLoader with shuffle=True does), or with
    `sequential` over slices in file order; returns the epoch times and a description of
    PyTorch's threads and BLAS."""
    import torch
    n = Xt.shape[0]
    opt = torch.optim.SGD([{"params": [l.weight for l in linears], "weight_decay": ALPHA},
                           {"params": [l.bias for l in linears], "weight_decay": 0.0}],
                          lr=ETA0, momentum=0.0)
    loss_fn = torch.nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(seed)
    times = []
    for _ in range(E):
        t0 = time.perf_counter()
        perm = None if sequential else torch.randperm(n, generator=gen)
        for s in range(0, n, B):
            if perm is None:
                xb, yb = Xt[s:s + B], yt[s:s + B]
            else:
                idx = perm[s:s + B]
                xb, yb = Xt.index_select(0, idx), yt.index_select(0, idx)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - t0)
    info = {"threads": torch.get_num_threads(),
            "blas": "mkl" if torch.backends.mkl.is_available() else "other",
            "cpu_capability": torch.backends.cpu.get_cpu_capability()}
    return times, info


def worker_torch(X, y, K, B, E, seed, threads, init, sequential):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    n, d = X.shape
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    lin = torch.nn.Linear(d, K)
    (W, b), = init
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(W))
        lin.bias.copy_(torch.from_numpy(b))
    times, info = torch_sgd_epochs(lin, [lin], Xt, yt, B, E, seed, sequential)
    return lin.weight.detach().numpy().copy(), lin.bias.detach().numpy().copy(), times, info


def worker_sklearn(X, y, K, B, E, seed, jobs, init, sequential):
    import warnings
    from sklearn.linear_model import SGDClassifier
    (W, b), = init
    clf = SGDClassifier(loss="log_loss", penalty="l2", alpha=ALPHA, learning_rate="constant",
                        eta0=ETA0, max_iter=E, tol=None, shuffle=not sequential, random_state=seed,
                        n_jobs=jobs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        clf.fit(X, y, coef_init=W.astype("float64"), intercept_init=b.astype("float64"))
        total = time.perf_counter() - t0
    # One fit of E epochs: only the mean epoch time is observable.
    return (clf.coef_.astype("float64"), clf.intercept_.astype("float64"), [total / E] * E,
            {"n_jobs": jobs, "n_iter": int(clf.n_iter_), "epoch_time": "mean of one fit",
             "blas": blas_info()})


def worker_numpy_mlp(X, y, layers, B, E, seed, sequential):
    """The MLP by hand: forward, backpropagation and the SGD step of every layer, float32."""
    import numpy as np
    Ws = [W.copy() for W, _ in layers]
    bs = [b.copy() for _, b in layers]
    L = len(Ws)
    n = X.shape[0]
    eta, alpha = np.float32(ETA0), np.float32(ALPHA)
    rng = np.random.default_rng(seed)
    rows = np.arange(B)
    times = []
    for _ in range(E):
        t0 = time.perf_counter()
        perm = None if sequential else rng.permutation(n)
        for idx in batches(n, B, perm):
            acts = [X[idx]]                                # A_0: the gathered batch (a view in file order)
            m = acts[0].shape[0]
            for l in range(L - 1):                         # A_l = relu(A_{l-1} W_l^T + b_l)
                A = acts[-1] @ Ws[l].T
                A += bs[l]
                np.maximum(A, 0, out=A)
                acts.append(A)
            Z = acts[-1] @ Ws[-1].T                        # m x K scores
            Z += bs[-1]
            Z -= Z.max(axis=1, keepdims=True)              # P = softmax(Z), stably
            np.exp(Z, out=Z)
            Z /= Z.sum(axis=1, keepdims=True)
            Z[rows[:m], y[idx]] -= 1                       # dZ_L = P - Y
            inv = np.float32(1.0 / m)
            dZ = Z
            for l in range(L - 1, -1, -1):
                G = dZ.T @ acts[l]                         # dW_l = dZ_l^T A_{l-1}
                gb = dZ.sum(axis=0)
                if l > 0:                                  # dZ_{l-1} = (dZ_l W_l) * relu'(A_{l-1})
                    dA = dZ @ Ws[l]
                    dA *= acts[l] > 0
                Ws[l] -= eta * (G * inv + alpha * Ws[l])
                bs[l] -= eta * (gb * inv)
                if l > 0:
                    dZ = dA
        times.append(time.perf_counter() - t0)
    return list(zip(Ws, bs)), times, {"blas": blas_info()}


def worker_torch_mlp(X, y, layers, B, E, seed, threads, sequential):
    """nn.Sequential(Linear, ReLU, ..., Linear) from the given weights, CrossEntropyLoss,
    optim.SGD with weight decay on the weight matrices only."""
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    mods = []
    for i, (W, _) in enumerate(layers):
        mods.append(torch.nn.Linear(W.shape[1], W.shape[0]))
        if i < len(layers) - 1:
            mods.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*mods)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for lin, (W, b) in zip(linears, layers):
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
    times, info = torch_sgd_epochs(net, linears, Xt, yt, B, E, seed, sequential)
    return ([(l.weight.detach().numpy().copy(), l.bias.detach().numpy().copy()) for l in linears],
            times, info)


def sklearn_mlp_alpha(B):
    """scikit-learn's MLP adds alpha W to the summed gradient and divides both by the batch's
    row count m (coef_grad = (A^T delta + alpha W) / m; its loss has (alpha / 2) ||W||^2 / m),
    so its decay per step is eta alpha / m. Everyone else decays by eta alpha, independent of
    m: alpha B gives the same step on every full batch (the last, shorter one of an epoch,
    n mod B rows, decays B / (n mod B) times as much)."""
    return ALPHA * B


def worker_sklearn_mlp(X, y, layers, B, E, seed, sequential):
    """MLPClassifier(solver="sgd") with momentum 0, a constant rate, no early stopping and
    no tol stop, started from the given weights (by overriding its weight initialiser)."""
    import warnings
    from sklearn.neural_network import MLPClassifier

    class FixedInitMLP(MLPClassifier):
        def _init_coef(self, fan_in, fan_out, dtype):
            W, b = self._peers_layers[self._peers_next]
            self._peers_next += 1
            assert W.shape == (fan_out, fan_in), (W.shape, fan_in, fan_out)
            return W.T.astype(dtype, copy=True), b.astype(dtype, copy=True)

    hidden = tuple(W.shape[0] for W, _ in layers[:-1])
    clf = FixedInitMLP(hidden_layer_sizes=hidden, activation="relu", solver="sgd",
                       alpha=sklearn_mlp_alpha(B), batch_size=B, learning_rate="constant",
                       learning_rate_init=ETA0, momentum=0.0, nesterovs_momentum=False,
                       max_iter=E, shuffle=not sequential, random_state=seed, tol=0.0,
                       n_iter_no_change=E + 1, early_stopping=False)
    clf._peers_layers, clf._peers_next = layers, 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        clf.fit(X, y)
        total = time.perf_counter() - t0
    assert clf._peers_next == len(layers), "scikit-learn did not take the given initial weights"
    assert list(clf.classes_) == list(range(layers[-1][0].shape[0])), clf.classes_
    out = [(c.T.copy(), i.copy()) for c, i in zip(clf.coefs_, clf.intercepts_)]
    return (out, [total / E] * E,
            {"n_iter": int(clf.n_iter_), "epoch_time": "mean of one fit", "alpha": clf.alpha,
             "blas": blas_info()})


def worker_csv_pandas(path, repeats):
    import pandas as pd
    times, df = [], None
    for _ in range(repeats):
        df = None
        t0 = time.perf_counter()
        df = pd.read_csv(path, engine="c")
        times.append(time.perf_counter() - t0)
    return {"seconds": times, "rows": int(df.shape[0]), "columns": int(df.shape[1]),
            "classes": sorted(int(c) for c in df["label"].unique()),
            "nonzero": int((df.drop(columns="label").to_numpy() != 0).sum())}


def worker_main(argv) -> int:
    ap = argparse.ArgumentParser(prog="peers.py _worker")
    ap.add_argument("peer")
    ap.add_argument("--data", required=True)
    ap.add_argument("--result", required=True)
    ap.add_argument("--K", type=int, default=0)
    ap.add_argument("--batch", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--init", default=None, help="initial layers (.npz), for every training peer; "
                    "more than one: train the MLP")
    ap.add_argument("--sequential", action="store_true", help="batches in file order, no shuffling")
    a = ap.parse_args(argv)
    if a.peer == "csv-pandas":
        res = worker_csv_pandas(a.data, a.epochs)
        Path(a.result).write_text(json.dumps(res))
        return 0
    import numpy as np
    X = np.load(Path(a.data) / "X.npy")
    y = np.load(Path(a.data) / "y.npy")
    if not a.init:
        ap.error("--init is required to train")
    init = load_layers(np.load(a.init))
    seq = a.sequential
    if len(init) > 1:
        if a.peer == "numpy":
            layers, times, info = worker_numpy_mlp(X, y, init, a.batch, a.epochs, a.seed, seq)
        elif a.peer == "torch":
            layers, times, info = worker_torch_mlp(X, y, init, a.batch, a.epochs, a.seed, a.threads, seq)
        elif a.peer == "sklearn":
            layers, times, info = worker_sklearn_mlp(X, y, init, a.batch, a.epochs, a.seed, seq)
        else:
            raise SystemExit(f"unknown peer {a.peer}")
    else:
        if a.peer == "numpy":
            W, b, times, info = worker_numpy(X, y, a.K, a.batch, a.epochs, a.seed, init, seq)
        elif a.peer == "torch":
            W, b, times, info = worker_torch(X, y, a.K, a.batch, a.epochs, a.seed, a.threads, init, seq)
        elif a.peer == "sklearn":
            W, b, times, info = worker_sklearn(X, y, a.K, a.batch, a.epochs, a.seed, a.jobs, init, seq)
        else:
            raise SystemExit(f"unknown peer {a.peer}")
        layers = [(W, b)]
    info["env"] = {k: os.environ.get(k) for k in OPENBLAS_VARS}
    save_layers(a.result, layers, times=np.asarray(times), info=json.dumps(info))
    return 0


# ------------------------------------------------------------------------------------------
# Running children
# ------------------------------------------------------------------------------------------

def run_child(cmd, env=None, cwd=None):
    """Run cmd to completion; returns (exit code, stdout, stderr, peak RSS in bytes of that
    child alone).

    Linux keeps a process's peak-RSS mark across fork and exec, so wait4 on a child started
    by this (large) Python process reports at least this process's own peak. GNU time, which
    is small when it forks, measures the child alone; without it the figure falls back to
    wait4 and is an upper bound."""
    time_bin = shutil.which("time") if os.path.exists("/usr/bin/time") else None
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as rssfile:
        full = [str(c) for c in cmd]
        if time_bin:
            full = ["/usr/bin/time", "-f", "%M", "-o", rssfile.name] + full
        p = subprocess.Popen(full, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        rss = ru.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
        if time_bin:
            try:
                rss = int(open(rssfile.name).read().strip().splitlines()[-1]) * 1024
            except (ValueError, IndexError, OSError):
                pass
        return (p.returncode, out.read().decode(errors="replace"),
                err.read().decode(errors="replace"), rss)


def inherited_env():
    """The environment this script was started with (OPENBLAS_VARS as they were)."""
    env = dict(os.environ)
    saved = json.loads(env.pop(SAVED_ENV, "{}"))
    for k, v in saved.items():
        if v is not None:
            env[k] = v
    return env


def python_env(args):
    """Environment of the Python peers: OPENBLAS_VARS unset, or as inherited."""
    env = inherited_env()
    if args.openblas_env == "unset":
        for k in OPENBLAS_VARS:
            env.pop(k, None)
    return env


def blas_probe(env):
    """The BLAS numpy loads under `env`: threadpoolctl's view, in a fresh interpreter."""
    code = ("import json, numpy\n"
            "try:\n import threadpoolctl; print(json.dumps(threadpoolctl.threadpool_info()))\n"
            "except ImportError: print('null')\n")
    rc, out, err, _ = run_child([sys.executable, "-c", code], env=env)
    if rc != 0:
        return None
    try:
        info = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None
    return [i for i in info if i.get("user_api") == "blas"] if info else None


def describe_blas(libs) -> str:
    if not libs:
        return "unknown (pip install threadpoolctl)"
    return "; ".join(f"{l.get('internal_api', '?')} {l.get('version', '?')} core "
                     f"{l.get('architecture', '?')}, {plural(l.get('num_threads', '?'), 'thread')}"
                     for l in libs)


def run_python_peer(peer, folder, w, epochs, threads, args, log, init, sequential=False):
    """Runs a Python peer's worker `args.runs` times. init: the initial layers (.npz);
    sequential: batches in file order instead of a fresh permutation each epoch."""
    import numpy as np
    env = python_env(args)
    if peer in ("numpy", "torch") or w.get("hidden"):
        # OpenBLAS (numpy, and scikit-learn's MLP) and OpenMP/MKL (torch) thread pools.
        for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[k] = str(threads)
    runs = []
    for r in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            res = Path(tmp) / "result.npz"
            cmd = [sys.executable, Path(__file__).resolve(), "_worker", peer, "--data", folder,
                   "--result", res, "--K", w["K"], "--batch", w["batch"], "--epochs", epochs,
                   "--seed", args.seed + r, "--threads", threads, "--jobs", args.sklearn_jobs,
                   "--init", init] + (["--sequential"] if sequential else [])
            rc, out, err, rss = run_child(cmd, env=env)
            if rc != 0:
                return {"peer": peer, "error": (err.strip().splitlines() or ["exit %d" % rc])[-1]}
            z = np.load(res)
            runs.append(dict(layers=load_layers(z), times=list(map(float, z["times"])),
                             info=json.loads(str(z["info"])), rss=rss))
    last = runs[-1]
    return dict(peer=peer, times=[t for r in runs for t in r["times"]], layers=last["layers"],
                info=last["info"], rss=max(r["rss"] for r in runs), epochs=epochs)


def minibatch_layers(model, w):
    """[(W, b), ...] from a minibatch model file, output rows in label order (0..K-1)."""
    import numpy as np
    classes = [int(float(c)) for c in model["classes"]]
    if model["model"]["type"] == "mlp":
        stored = [(np.asarray(l["weights"], np.float64), np.asarray(l["bias"], np.float64))
                  for l in model["layers"]]
    else:
        stored = [(np.asarray(model["weights"], np.float64), np.asarray(model["bias"], np.float64))]
    W, b = stored[-1]
    Wk, bk = np.zeros((w["K"], W.shape[1])), np.zeros(w["K"])
    for row, c in enumerate(classes):            # output rows follow the model's class list
        Wk[c] = W[row]
        bk[c] = b[row]
    return stored[:-1] + [(Wk, bk)]


def run_minibatch(folder, w, epochs, workers, args, log, init_model, sequential=False):
    """Train with the release binary; per-epoch seconds from metrics.jsonl. init_model: the
    model file to start from (`--init-model`); sequential: `training.shuffle` false (rows in
    file order) instead of minibatch's default, a fresh permutation each epoch."""
    cfg_path = folder / f"minibatch-{w['key'].lower()}.json"
    model_cfg = ({"type": "mlp", "hidden": list(w["hidden"]), "activation": "relu"}
                 if w.get("hidden") else {"type": "softmax"})
    runs = []
    for r in range(args.runs):
        out_dir = folder / f"out-{w['key'].lower()}-{workers}{'-seq' if sequential else ''}"
        cfg = {"data": {"train": "X.npy", "train_labels": "y.npy", "test_fraction": 0,
                        "standardize": False},
               "model": model_cfg,
               # "optimizer": "sgd" spelled out: an mlp's default is adam.
               "training": {"batch_size": w["batch"], "epochs": epochs, "optimizer": "sgd",
                            "learning_rate": "constant", "eta0": ETA0, "penalty": "l2",
                            "alpha": ALPHA, "tol": None, "shuffle": not sequential,
                            "seed": args.seed + r},
               "workers": workers, "output": {"dir": str(out_dir)}}
        cfg_path.write_text(json.dumps(cfg, indent=2) + "\n")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        cmd = [args.minibatch, "train", "--config", cfg_path, "--json", "--quiet",
               "--init-model", init_model]
        rc, out, err, rss = run_child(cmd)
        if rc != 0:
            msg = (err.strip().splitlines() or out.strip().splitlines() or [f"exit {rc}"])[-1]
            return {"peer": "minibatch", "error": msg}
        try:
            summary = json.loads(out.strip().splitlines()[-1])
            metrics = [json.loads(l) for l in (out_dir / "metrics.jsonl").read_text().splitlines()
                       if l.strip()]
            layers = minibatch_layers(json.loads(Path(summary["model_path"]).read_text()), w)
        except (ValueError, IndexError, KeyError, OSError) as e:
            return {"peer": "minibatch", "error": f"could not read minibatch's output: {e}"}
        runs.append(dict(times=[float(m["seconds"]) for m in metrics], layers=layers, rss=rss,
                         summary=summary))
    last = runs[-1]
    return dict(peer="minibatch", times=[t for r in runs for t in r["times"]],
                layers=last["layers"], rss=max(r["rss"] for r in runs), epochs=epochs,
                info={"workers": last["summary"].get("workers"),
                      "reported_train_loss": last["summary"].get("train_loss")})


def check_init_model(args, data_folder, init_model, init_loss):
    """`minibatch evaluate` on the initial model file: its log loss should be this script's
    float64 loss of the initial weights (the file reads back as the weights written)."""
    rc, out, err, _ = run_child([args.minibatch, "evaluate", "--model", init_model, "--data",
                                 data_folder / "X.npy", "--labels", data_folder / "y.npy",
                                 "--json"])
    if rc != 0:
        return "minibatch evaluate on the initial model failed: " + \
            (err.strip().splitlines() or [f"exit {rc}"])[-1]
    mb = float(json.loads(out.strip().splitlines()[-1])["log_loss"])
    rd = (mb - init_loss) / init_loss
    return (f"initial weights (shared): loss {init_loss:.6f} here, {mb:.6f} by `minibatch evaluate` "
            f"on the --init-model file ({100 * rd:+.4f}%: "
            f"{'read as written' if abs(rd) < 1e-4 else 'DIFFERENT'})")


# ------------------------------------------------------------------------------------------
# Tables
# ------------------------------------------------------------------------------------------

def fmt_table(headers, rows, markdown):
    rows = [[str(c) for c in r] for r in rows]
    if markdown:
        lines = ["| " + " | ".join(headers) + " |",
                 "| " + " | ".join("---" if i == 0 else "---:" for i in range(len(headers))) + " |"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    def line(cells):
        return "  ".join(c.ljust(widths[0]) if i == 0 else c.rjust(widths[i])
                         for i, c in enumerate(cells))
    return "\n".join([line(headers), line(["-" * x for x in widths])] + [line(r) for r in rows])


def mib(nbytes):
    return f"{nbytes / 2**20:.0f} MiB"


def bench_workload(key, args, work, log, emit):
    import numpy as np
    w = dict(WORKLOADS[key], key=key)
    epochs = args.epochs or w["epochs"]
    data_key = w.get("data", key)
    if data_key != key:                  # W3 trains on W1's files: the same shape and seeds
        same = ("n", "d", "K", "seed", "separation")
        assert all(w[k] == WORKLOADS[data_key][k] for k in same), f"{key} and {data_key} data differ"
    folder = work / data_key
    ensure_data(folder, w, log)
    X = np.load(folder / "X.npy", mmap_mode="r")
    y = np.load(folder / "y.npy")

    # The shared starting point: numpy draws it, the Python peers load the .npz, minibatch
    # warm-starts from a model file holding the same float32 values.
    init_dir = work / key
    init_dir.mkdir(parents=True, exist_ok=True)
    init = initial_layers(w)
    init_npz, init_model = init_dir / "init.npz", init_dir / "init-model.json"
    save_layers(init_npz, init)
    write_init_model(init_model, w, init)
    init_loss, _ = train_loss_f64(X, y, init)
    if "minibatch" not in args.skip and Path(args.minibatch).exists():
        init_note = check_init_model(args, folder, init_model, init_loss)
    else:
        init_note = f"initial weights (shared): loss {init_loss:.6f}"
    # The shuffled table (every system's default order), then with --unshuffled the same
    # systems with the rows in file order.
    for sequential in [False] + ([True] if args.unshuffled else []):
        bench_order(key, w, args, X, y, folder, epochs, init_npz, init_model, sequential,
                    [init_note], log, emit)


def bench_order(key, w, args, X, y, folder, epochs, init_npz, init_model, sequential, notes, log, emit):
    """One table of a workload: every system with the rows shuffled each epoch, or with
    `sequential` in file order."""
    import numpy as np
    mlp = bool(w.get("hidden"))
    n, d, K = w["n"], w["d"], w["K"]
    flops = flops_per_epoch(w)
    loss_tol = w.get("loss_tol", LOSS_TOL)
    order_name = "rows in file order" if sequential else "rows shuffled every epoch"

    results = {}   # label -> result dict (times, layers, rss, epochs, info) or skip / error
    order = []

    def add(label, res):
        order.append(label)
        results[label] = res

    for peer in PY_PEERS:
        if peer in args.skip:
            continue
        name = {"numpy": "numpy" + (" (MLP by hand)" if mlp else ""), "torch": "PyTorch (CPU)",
                "sklearn": ("scikit-learn MLPClassifier (sgd)" if mlp
                            else "scikit-learn SGD (OvR, batch 1)")}[peer]
        missing = [m for m in REQUIRES[peer] if not have(m) and m != "threadpoolctl"]
        if missing:
            add(name, {"peer": peer, "skip": f"not installed: {INSTALL_HINT}"})
            continue
        if peer == "sklearn":
            # W1/W2: classes in parallel (n_jobs); the MLP: one fit on the BLAS threads.
            t = max(args.threads)
            label = f"{name}, {plural(t, 'thread')}" if mlp else f"{name}, n_jobs {args.sklearn_jobs}"
            if key == "W2" and args.skip_sklearn_w2:
                add(label, {"peer": peer, "skip": "skipped (--skip-sklearn-w2)"})
                continue
            e = min(epochs, args.sklearn_epochs) if args.sklearn_epochs else epochs
            log(f"{key}: {peer}, {plural(e, 'epoch')}, {order_name} ...")
            add(label, run_python_peer(peer, folder, w, e, t if mlp else 1, args, log, init_npz,
                                       sequential))
            continue
        for t in args.threads:
            label = f"{name}, {plural(t, 'thread')}"
            log(f"{key}: {peer}, {plural(t, 'thread')}, {plural(epochs, 'epoch')}, {order_name} ...")
            add(label, run_python_peer(peer, folder, w, epochs, t, args, log, init_npz, sequential))

    mb_ref = None
    if "minibatch" not in args.skip:
        if not Path(args.minibatch).exists():
            add("minibatch", {"peer": "minibatch", "error": f"{args.minibatch} not found; "
                              "run `swift build -c release` first"})
        else:
            for workers in args.workers:
                label = f"minibatch, {plural(workers, 'worker')}"
                log(f"{key}: minibatch, {plural(workers, 'worker')}, {plural(epochs, 'epoch')}, {order_name} ...")
                add(label, run_minibatch(folder, w, epochs, workers, args, log, init_model, sequential))
            main_label = f"minibatch, {plural(max(args.workers), 'worker')}"
            if "times" in results.get(main_label, {}):
                mb_ref = main_label

    # Losses, all in float64 the same way, from each system's final weights.
    for label in order:
        r = results[label]
        if "times" in r:
            r["ms"] = 1000 * median(r["times"])
            r["loss"], r["acc"] = train_loss_f64(X, y, r["layers"],
                                                 ovr=r["peer"] == "sklearn" and not mlp)

    loss_ref = mb_ref or next((l for l in order if results[l]["peer"] == "numpy"
                               and "times" in results[l]), None)
    headers = ["system", "epochs", "ms/epoch", "samples/s", "train loss", "accuracy",
               "loss vs " + (("minibatch" if mb_ref else "numpy") if loss_ref else "ref"),
               "time / minibatch", "GFLOP/s", "peak RSS"]
    rows = []
    for label in order:
        r = results[label]
        if "skip" in r or "error" in r:
            rows.append([label, "-", "unavailable" if "error" in r else "skipped"] + ["-"] * 7)
            notes.append(f"{label}: " + (r.get("skip") or r["error"]))
            continue
        rel = "ref" if label == loss_ref else (
            f"{100 * (r['loss'] - results[loss_ref]['loss']) / results[loss_ref]['loss']:+.2f}%"
            if loss_ref else "")
        ratio = f"{r['ms'] / results[mb_ref]['ms']:.2f}x" if mb_ref else "n/a"
        rows.append([label, r["epochs"], f"{r['ms']:.1f}", f"{n / (r['ms'] / 1000):,.0f}",
                     f"{r['loss']:.5f}", f"{r['acc']:.4f}", rel, ratio,
                     f"{flops / (r['ms'] / 1000) / 1e9:.2f}", mib(r["rss"])])

    title = f"{w['title']}, {order_name}"
    emit(f"\n### {title}\n" if args.markdown else f"\n== {title} ==")
    shape = (f"MLP {'-'.join(map(str, layer_widths(w)))} ReLU, n = {n:,}" if mlp
             else f"n = {n:,}, d = {d}, K = {K}")
    start = ("shared initial weights (He normal, Glorot uniform, zero biases)" if mlp else
             f"shared initial weights (N(0, {INIT_SCALE:g}^2), zero biases)")
    emit(f"{shape}, batch {w['batch']}, constant rate {ETA0}, L2 alpha = {ALPHA:g} on the weight "
         f"matrices, {start}, float32; median over {plural(epochs, 'epoch')} x {plural(args.runs, 'run')}"
         + ("\n" if args.markdown else ""))
    emit(fmt_table(headers, rows, args.markdown))
    if args.markdown:
        emit("")

    # Notes: agreement of the losses, minibatch's speed-up, libraries.
    if loss_ref:
        for label in order:
            r = results[label]
            if "loss" not in r or label == loss_ref:
                continue
            rd = (r["loss"] - results[loss_ref]["loss"]) / results[loss_ref]["loss"]
            if r["peer"] == "sklearn" and not mlp:
                verdict = "n/a (different algorithm: one-vs-rest, batch 1)"
            elif r["epochs"] != results[loss_ref]["epochs"]:
                verdict = (f"n/a ({plural(r['epochs'], 'epoch')} against "
                           f"{results[loss_ref]['epochs']}, --sklearn-epochs)")
            else:
                verdict = (f"OK (< {100 * loss_tol:g}%)" if abs(rd) < loss_tol
                           else f"MISMATCH (> {100 * loss_tol:g}%)")
            notes.append(f"final loss, {label} vs {loss_ref}: {100 * rd:+.3f}% {verdict}")
    if mb_ref and w.get("speed_target"):
        target_name, factor = w["speed_target"]
        timed = [l for l in order if l.startswith(target_name) and "ms" in results[l]]
        if timed:
            best = min(timed, key=lambda l: results[l]["ms"])
            x = results[best]["ms"] / results[mb_ref]["ms"]
            notes.append(f"target: {mb_ref} at least {factor:g}x faster per epoch than {target_name}'s "
                         f"fastest row ({best}): {x:.2f}x, {'met' if x >= factor else 'NOT met'}")
    mbs = [l for l in order if results[l]["peer"] == "minibatch" and "ms" in results[l]]
    if len(mbs) >= 2:
        lo = min(mbs, key=lambda l: results[l]["info"]["workers"] or 0)
        hi = max(mbs, key=lambda l: results[l]["info"]["workers"] or 0)
        notes.append(f"minibatch speed-up {results[lo]['info']['workers']} -> "
                     f"{results[hi]['info']['workers']} workers: "
                     f"{results[lo]['ms'] / results[hi]['ms']:.2f}x")
        same = all(np.array_equal(Wa, Wb) and np.array_equal(ba, bb)
                   for (Wa, ba), (Wb, bb) in zip(results[lo]["layers"], results[hi]["layers"]))
        notes.append(f"minibatch weights bitwise identical for {results[lo]['info']['workers']} and "
                     f"{results[hi]['info']['workers']} workers: {'yes' if same else 'NO'}")
    if mb_ref:
        gf = flops / (results[mb_ref]["ms"] / 1000) / 1e9
        notes.append(f"{mb_ref}: {gf:.2f} GFLOP/s ({flops_formula(w)} per epoch), peak RSS "
                     f"{mib(results[mb_ref]['rss'])}")
    for l in mbs:
        rep = results[l]["info"].get("reported_train_loss")
        if rep is not None:
            notes.append(f"{l}: its own train_loss {rep:.6f} (float64 here: {results[l]['loss']:.6f})")
    for label in order:
        r = results[label]
        if "ms" not in r:
            continue
        if r["peer"] == "numpy":
            libs = [x for x in r["info"]["blas"] if x.get("user_api") == "blas"]
            env = ", ".join(f"{k}={v}" if v else f"{k} unset" for k, v in r["info"]["env"].items())
            notes.append(f"{label}: BLAS {describe_blas(libs or None)} ({env})")
        elif r["peer"] == "torch":
            i = r["info"]
            notes.append(f"{label}: torch.get_num_threads() {i['threads']}, BLAS {i['blas']}, "
                         f"CPU capability {i['cpu_capability']}")
        elif r["peer"] == "sklearn" and mlp:
            notes.append(f"{label}: ms/epoch is the mean over one fit of {plural(r['epochs'], 'epoch')}; "
                         f"alpha = {r['info']['alpha']:g} = {ALPHA:g} x batch {w['batch']}, since it "
                         "divides its L2 gradient by the batch size (the same decay on every full "
                         f"batch; the last batch of {n % w['batch'] or w['batch']} rows per epoch "
                         "decays a little more); its loss is computed here from its coefs_")
        elif r["peer"] == "sklearn":
            notes.append(f"{label}: ms/epoch is the mean over one fit of {plural(r['epochs'], 'epoch')} "
                         "(one binary problem per class, fitted in parallel threads); its loss is "
                         "predict_proba's (sigmoids normalised over classes) in float64")
    for line in notes:
        emit(("- " if args.markdown else "  ") + line)


def bench_csv(args, work, log, emit):
    if "csv" in args.skip:
        return
    emit("\n### CSV load: 60,000 x 785 MNIST-shaped file\n" if args.markdown
         else "\n== CSV load: 60,000 x 785 MNIST-shaped file ==")
    path = work / "mnist.csv"
    ensure_csv(path, log)
    size = path.stat().st_size
    rows, notes, fixed = [], [], {}
    pandas_res = mb_res = None
    if not have("pandas"):
        fixed["pandas"] = ["pandas.read_csv (C engine)", "skipped", "-", "-", "-", "-"]
        notes.append(f"pandas not installed: {INSTALL_HINT}")
    else:
        log("csv: pandas ...")
        with tempfile.TemporaryDirectory() as tmp:
            res = Path(tmp) / "r.json"
            rc, out, err, rss = run_child([sys.executable, Path(__file__).resolve(), "_worker",
                                           "csv-pandas", "--data", path, "--result", res,
                                           "--epochs", args.csv_repeats], env=python_env(args))
            if rc == 0:
                pandas_res = json.loads(res.read_text())
                pandas_res["rss"] = rss
            else:
                fixed["pandas"] = ["pandas.read_csv (C engine)", "unavailable", "-", "-", "-", "-"]
                notes.append("pandas: " + (err.strip().splitlines() or ["?"])[-1])
    if "minibatch" not in args.skip:
        if not Path(args.minibatch).exists():
            fixed["minibatch"] = ["minibatch", "unavailable", "-", "-", "-", "-"]
            notes.append(f"minibatch: {args.minibatch} not found; run `swift build -c release` first")
        else:
            log("csv: minibatch ...")
            cfg = work / "minibatch-csv.json"
            cfg.write_text(json.dumps({
                "data": {"train": "mnist.csv", "test_fraction": 0, "standardize": False},
                "training": {"batch_size": 256, "learning_rate": "constant", "eta0": ETA0,
                             "tol": None}}, indent=2) + "\n")
            times, rss_max, err_msg, model = [], 0, None, None
            for _ in range(args.csv_repeats):
                rc, out, err, rss = run_child([args.minibatch, "train", "--config", cfg,
                                               "--epochs", 1, "--out", work / "out-csv",
                                               "--json", "--quiet"])
                if rc != 0:
                    err_msg = (err.strip().splitlines() or [f"exit {rc}"])[-1]
                    break
                summary = json.loads(out.strip().splitlines()[-1])
                times.append(float(summary["load_seconds"]))
                rss_max = max(rss_max, rss)
                model = json.loads(Path(summary["model_path"]).read_text())
            if err_msg:
                fixed["minibatch"] = ["minibatch", "unavailable", "-", "-", "-", "-"]
                notes.append("minibatch: " + err_msg)
            else:
                mb_res = {"seconds": times, "rss": rss_max,
                          "rows": model["training"]["train_samples"],
                          "columns": len(model["feature_names"]) + 1,
                          "classes": sorted(int(float(c)) for c in model["classes"])}
    mb_s = median(mb_res["seconds"]) if mb_res else None
    for key, label, r in (("pandas", "pandas.read_csv (C engine)", pandas_res),
                          ("minibatch", "minibatch (load_seconds)", mb_res)):
        if r is None:
            if key in fixed:
                rows.append(fixed[key])
            continue
        s = median(r["seconds"])
        rows.append([label, f"{s:.3f}", f"{size / s / 1e6:.0f}", f"{r['rows']:,} x {r['columns']}",
                     f"{s / mb_s:.2f}x" if mb_s else "n/a", mib(r["rss"])])
    emit(f"file {size / 1e6:.1f} MB; median of {args.csv_repeats} loads"
         + ("\n" if args.markdown else ""))
    emit(fmt_table(["reader", "seconds", "MB/s", "rows x columns", "time / minibatch", "peak RSS"],
                   rows, args.markdown))
    if args.markdown:
        emit("")
    if pandas_res and mb_res:
        same = (pandas_res["rows"] == mb_res["rows"] and pandas_res["columns"] == mb_res["columns"]
                and pandas_res["classes"] == mb_res["classes"])
        notes.append(f"same shape and classes as pandas: {'yes' if same else 'NO'} "
                     f"(pandas {pandas_res['rows']} x {pandas_res['columns']}, "
                     f"minibatch {mb_res['rows']} x {mb_res['columns']})")
        notes.append("minibatch's load_seconds includes preparing the data (no standardisation, "
                     "no test split here); pandas parses to int64, minibatch to float32")
    for line in notes:
        emit(("- " if args.markdown else "  ") + line)
    if mb_res:
        bench_predict(args, work, path, mb_s, log, emit)


def bench_predict(args, work, path, load_s, log, emit):
    """`minibatch predict` on the CSV just loaded, with the softmax model trained on it, its
    CSV output written to a file: the whole command's wall time (model file, reading and
    parsing the CSV, scoring, formatting, writing) against minibatch's load_seconds for the
    same file. Target: at most 1.5x."""
    model = work / "out-csv" / "model.json"
    rows, notes = [], []
    outputs = {}
    for label, extra in (("predict (labels)", []), ("predict --proba", ["--proba"])):
        times, err_msg = [], None
        out_path = work / "predict-out.csv"
        for _ in range(args.csv_repeats):
            log(f"csv: minibatch {label} ...")
            t0 = time.perf_counter()
            with open(out_path, "wb") as f:
                rc = subprocess.run([args.minibatch, "predict", "--model", model, "--data", path] + extra,
                                    stdout=f, stderr=subprocess.PIPE).returncode
            times.append(time.perf_counter() - t0)
            if rc != 0:
                err_msg = f"exit {rc}"
                break
        if err_msg:
            rows.append([label, "unavailable", "-", "-", "-"])
            notes.append(f"{label}: {err_msg}")
            continue
        size = out_path.stat().st_size
        outputs[label] = sum(1 for _ in open(out_path)) - 1
        s = median(times)
        rows.append([label, f"{s:.3f}", f"{size / 1e6:.1f}", f"{s / load_s:.2f}x",
                     "yes" if s <= 1.5 * load_s else "NO"])
    emit("\n### predict on the same file\n" if args.markdown else "\n== predict on the same file ==")
    emit(f"the whole command's wall time, output to a file, median of {args.csv_repeats}; "
         f"against minibatch's load_seconds {load_s:.3f} s" + ("\n" if args.markdown else ""))
    emit(fmt_table(["command", "seconds", "output MB", "time / load", "within 1.5x"], rows, args.markdown))
    if args.markdown:
        emit("")
    for label, count in outputs.items():
        notes.append(f"{label}: {count:,} rows written")
    for line in notes:
        emit(("- " if args.markdown else "  ") + line)


def machine_header(args, emit):
    cpu, cores, flags = platform.processor() or "?", os.cpu_count(), set()
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            k, _, v = line.partition(":")
            if k.strip() == "Model name":
                cpu = v.strip()
            elif k.strip() == "CPU(s)":
                cores = v.strip()
            elif k.strip() == "Flags":
                flags = set(v.split())
    except OSError:
        pass
    simd = ", ".join(f for f in ("avx2", "fma", "avx512f") if f in flags) or "none of avx2/avx512f"
    if "avx512f" not in flags and flags:
        simd += " (no AVX-512)"
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "?"
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    start_env = inherited_env()
    env_desc = ", ".join(f"{k}={start_env[k]}" if k in start_env else f"{k} unset" for k in OPENBLAS_VARS)
    unset_env = python_env(args)
    blas_used = describe_blas(blas_probe(unset_env)) if have("numpy") else "n/a"
    blas_inherited = describe_blas(blas_probe(start_env)) if have("numpy") else "n/a"
    lines = [
        f"date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"CPU: {cpu}, {cores} CPUs, {simd}",
        f"Python {platform.python_version()}, numpy {version('numpy')}, torch {version('torch')}, "
        f"scikit-learn {version('scikit-learn')}, pandas {version('pandas')}",
        f"minibatch: {args.minibatch} at commit {commit}{' (uncommitted changes)' if dirty else ''}",
        f"environment: {env_desc}; Python peers run with them "
        f"{'unset' if args.openblas_env == 'unset' else 'as inherited'}",
        f"numpy BLAS as used by the peers: {blas_used}",
        f"numpy BLAS with the environment as inherited: {blas_inherited}",
        "load average at start (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    ]
    if args.markdown:
        emit("## Peers: minibatch next to numpy, PyTorch and scikit-learn\n")
        emit("Generated by `python3 bench/peers.py --markdown`.\n")
        for l in lines:
            emit(f"- {l}")
    else:
        for l in lines:
            emit(l)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_worker"]:
        return worker_main(argv[1:])
    if "--sparse" in argv:  # the sparse workloads S1, S2: bench/sparse_peers.py, which takes the other flags
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import sparse_peers
        return sparse_peers.main([a for a in argv if a != "--sparse"])
    ap = argparse.ArgumentParser(description="Benchmark minibatch next to numpy, PyTorch and "
                                 "scikit-learn on the same data (see bench/README.md).")
    ap.add_argument("--work", default="/tmp/minibatch-peers", help="work folder for data, configs "
                    "and outputs (default %(default)s)")
    ap.add_argument("--minibatch", default=str(ROOT / ".build/release/minibatch"),
                    help="the minibatch binary (default %(default)s)")
    ap.add_argument("--epochs", type=int, default=None,
                    help="epochs for every workload (default: W1 5, W2 3, W3 3)")
    ap.add_argument("--workloads", default="W1,W2,W3", help="comma-separated: W1 (softmax, "
                    "MNIST-sized), W2 (softmax, covtype-sized), W3 (MLP 784-128-10 ReLU on W1's "
                    "data) (default %(default)s)")
    ap.add_argument("--skip", action="append", default=[],
                    help=f"peer(s) to leave out, repeatable or comma-separated: {', '.join(PEERS)}")
    ap.add_argument("--skip-sklearn-w2", action="store_true", help="leave scikit-learn out of W2")
    ap.add_argument("--sklearn-epochs", type=int, default=None,
                    help="cap scikit-learn's epochs (its time is per epoch, its loss is after "
                    "fewer epochs then)")
    ap.add_argument("--sklearn-jobs", type=int, default=2,
                    help="SGDClassifier n_jobs (W1, W2): classes fitted in parallel "
                    "(default %(default)s)")
    ap.add_argument("--threads", default="1,2",
                    help="thread counts for the numpy (OpenBLAS) and PyTorch peers, one row each; "
                    "W3's scikit-learn MLPClassifier runs on the largest (default %(default)s)")
    ap.add_argument("--workers", default="1,2",
                    help="minibatch worker counts; the largest is the reference row (default %(default)s)")
    ap.add_argument("--runs", type=int, default=1,
                    help="runs per system; epoch times of all runs are pooled (default %(default)s)")
    ap.add_argument("--csv-repeats", type=int, default=3, help="CSV loads to take the median of")
    ap.add_argument("--seed", type=int, default=0, help="shuffle seed of every system")
    ap.add_argument("--unshuffled", action="store_true",
                    help="add a second table per workload with every system reading the rows in "
                    "file order (no shuffling; minibatch training.shuffle false)")
    ap.add_argument("--openblas-env", choices=("unset", "inherit"), default="unset",
                    help="run the Python peers with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset "
                    "(default) or as inherited")
    ap.add_argument("--markdown", action="store_true", help="print Markdown for docs/benchmarks.md")
    args = ap.parse_args(argv)
    args.skip = {s.strip() for item in args.skip for s in item.split(",") if s.strip()}
    bad = args.skip - set(PEERS)
    if bad:
        ap.error(f"--skip: unknown peer(s) {', '.join(sorted(bad))}; known: {', '.join(PEERS)}")
    args.workers = [int(x) for x in args.workers.split(",") if x.strip()]
    args.threads = [int(x) for x in args.threads.split(",") if x.strip()]
    workloads = [x.strip().upper() for x in args.workloads.split(",") if x.strip()]
    for k in workloads:
        if k not in WORKLOADS:
            ap.error(f"--workloads: unknown workload {k}; known: {', '.join(WORKLOADS)}")
    if not have("numpy"):
        print(f"numpy is needed to generate the data: {INSTALL_HINT}", file=sys.stderr)
        return 2
    if SAVED_ENV not in os.environ:
        # numpy reads OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE once, when it loads OpenBLAS: start
        # again without them so that this process (data, float64 losses) gets the library's
        # own choice too; the values are kept in SAVED_ENV for --openblas-env inherit and the
        # header. (A forced old core with an odd L2 size can make dgemm hang.)
        env = dict(os.environ)
        env[SAVED_ENV] = json.dumps({k: os.environ.get(k) for k in OPENBLAS_VARS})
        for k in OPENBLAS_VARS:
            env.pop(k, None)
        sys.stdout.flush()
        os.execve(sys.executable, [sys.executable, str(Path(__file__).resolve()), *argv], env)
    args.minibatch = str(Path(args.minibatch).absolute())
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)

    def log(msg):
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    report = []

    def emit(line):
        report.append(line)

    if "minibatch" not in args.skip and not Path(args.minibatch).exists():
        log(f"{args.minibatch} not found: run `swift build -c release` first "
            "(or pass --minibatch PATH); its rows will say unavailable")
    for peer in PEERS:
        if peer in args.skip:
            continue
        missing = [m for m in REQUIRES[peer] if not have(m)]
        if missing:
            log(f"{peer}: {', '.join(missing)} not installed; "
                f"{'skipping it' if peer != 'numpy' else 'BLAS core not reported'} ({INSTALL_HINT})")

    machine_header(args, emit)
    for k in workloads:
        bench_workload(k, args, work, log, emit)
    if "csv" not in args.skip:
        bench_csv(args, work, log, emit)
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
