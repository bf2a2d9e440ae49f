#!/usr/bin/env python3
"""Reference optimum of l1-regularised multinomial logistic regression on Iris.

Reads data/iris.csv (all 150 rows), standardises every feature with its mean and
population standard deviation (as minibatch's standardiser does), and minimises, in float64,

    J(W, b) = (1/n) * sum_i -log softmax(W x_i + b)[y_i] + alpha * ||W||_1

with W of shape (3, 4), b of shape (3,) unpenalised, for each alpha in ALPHAS.

Two independent routes must agree:

  1. scikit-learn LogisticRegression with an l1 penalty, solver="saga",
     C = 1 / (n * alpha) (it minimises C * sum(loss) + ||W||_1 = J / alpha);
  2. FISTA (accelerated proximal gradient with soft-thresholding) written here in
     numpy, run to a gradient-mapping norm below 1e-12.

The objective values must agree to 1e-9 relative; the fixture stores the FISTA
solution, its objective and which weights are exactly zero.

Usage:  python3 scripts/l1_optimum.py      (writes Tests/LearningTests/Fixtures/l1_optimum.json)
"""

import csv
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from scipy.special import logsumexp
from sklearn.linear_model import LogisticRegression

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = "Tests/LearningTests/Fixtures/l1_optimum.json"
ALPHAS = [0.02, 0.005]
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def load():
    with open(os.path.join(ROOT, "data/iris.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    X = np.array([[float(r[c]) for c in FEATURES] for r in rows])
    labels = [r["label"] for r in rows]
    classes = sorted(set(labels))
    y = np.array([classes.index(l) for l in labels])
    # float32 standardisation, as the trainer sees the data.
    X32 = X.astype(np.float32)
    mean = X32.astype(np.float64).mean(axis=0)
    std = X32.astype(np.float64).std(axis=0)
    Xs = ((X32 - mean.astype(np.float32)) / std.astype(np.float32)).astype(np.float32).astype(np.float64)
    return Xs, y, classes


def objective(W, b, X, y, alpha):
    Z = X @ W.T + b
    return float(np.mean(logsumexp(Z, axis=1) - Z[np.arange(len(y)), y]) + alpha * np.abs(W).sum())


def smooth_grad(W, b, X, y):
    Z = X @ W.T + b
    P = np.exp(Z - logsumexp(Z, axis=1, keepdims=True))
    P[np.arange(len(y)), y] -= 1
    return P.T @ X / len(y), P.mean(axis=0)


def fista(X, y, alpha, K):
    d = X.shape[1]
    L = 0.5 * (np.linalg.norm(X, 2) ** 2 / len(y) + 1)  # Lipschitz bound of the smooth part
    step = 1 / L
    W = np.zeros((K, d)); b = np.zeros(K)
    VW, Vb = W.copy(), b.copy()
    t = 1.0
    for it in range(200000):
        gW, gb = smooth_grad(VW, Vb, X, y)
        NW = VW - step * gW
        NW = np.sign(NW) * np.maximum(np.abs(NW) - step * alpha, 0)
        Nb = Vb - step * gb
        mapping = np.sqrt(((VW - NW) ** 2).sum() + ((Vb - Nb) ** 2).sum()) / step
        tn = (1 + np.sqrt(1 + 4 * t * t)) / 2
        VW = NW + (t - 1) / tn * (NW - W)
        Vb = Nb + (t - 1) / tn * (Nb - b)
        W, b, t = NW, Nb, tn
        if mapping < 1e-12 and it > 100:
            break
    b -= b.mean()  # the loss is invariant to a common shift of b
    return W, b


def main():
    X, y, classes = load()
    n, K = len(y), len(classes)
    out = {"data": "data/iris.csv", "features": FEATURES, "classes": classes,
           "standardized": "float32 (x - mean) / population std, as minibatch",
           "objective_definition": "mean cross-entropy + alpha * sum |W| (bias unpenalised)",
           "sklearn_version": sklearn.__version__, "cases": []}
    for alpha in ALPHAS:
        W, b = fista(X, y, alpha, K)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                lr = LogisticRegression(C=1 / (n * alpha), l1_ratio=1.0, solver="saga", tol=1e-12, max_iter=200000)
                lr.fit(X, y)
            except TypeError:
                lr = LogisticRegression(C=1 / (n * alpha), penalty="l1", solver="saga", tol=1e-12, max_iter=200000)
                lr.fit(X, y)
        j_fista = objective(W, b, X, y, alpha)
        j_saga = objective(lr.coef_, lr.intercept_, X, y, alpha)
        rel = abs(j_fista - j_saga) / j_fista
        print(f"alpha {alpha}: FISTA {j_fista:.12f}  saga {j_saga:.12f}  relative gap {rel:.2e}  "
              f"zeros {int((W == 0).sum())}/{W.size}")
        if rel > 1e-9:
            sys.exit(f"FISTA and saga disagree for alpha {alpha}: {rel:.2e}")
        out["cases"].append({"alpha": alpha, "objective": j_fista, "saga_objective": j_saga,
                             "weights": W.tolist(), "bias": b.tolist(),
                             "zero_count": int((W == 0).sum())})
    with open(os.path.join(ROOT, FIXTURE), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", FIXTURE)


if __name__ == "__main__":
    main()
