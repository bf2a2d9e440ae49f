#!/usr/bin/env python3
"""Compares minibatch's defaults with scikit-learn's on small public data sets.

For each data set and each of SPLITS seeded, stratified 75/25 splits, the train and test
rows are written as CSV files into a temporary folder; minibatch trains on them with a
config that sets only `data` (train, test) and `model.type`, and scikit-learn fits
StandardScaler + LogisticRegression() (default C = 1; MLPClassifier() for the MLP) on the
same rows. minibatch standardises by default, so both see z-scored features. The table
gives the mean test accuracy over the splits and the difference in percentage points.

    python3 scripts/defaults_vs_sklearn.py [--minibatch .build/release/minibatch]
        [--training '{"eta0": 0.05}'] [--only digits,iris] [--models linear,mlp]

`--training` merges keys into the config's "training" section (to compare alternatives while
choosing defaults). Exit status 1 when a row differs by more than --tolerance points (default 1)
in minibatch's disfavour. Needs numpy and scikit-learn; data never leaves the temp folder.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from sklearn import datasets
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

SPLITS = 5


def load(name):
    if name == "digits":
        return datasets.load_digits(return_X_y=True)
    if name == "iris":
        return datasets.load_iris(return_X_y=True)
    if name == "breast_cancer":
        return datasets.load_breast_cancer(return_X_y=True)
    if name == "wine":
        return datasets.load_wine(return_X_y=True)
    if name == "synthetic":
        return datasets.make_classification(n_samples=2000, n_features=20, n_informative=8, n_redundant=4,
                                            n_classes=3, flip_y=0.05, random_state=7)
    if name == "synthetic_binary":
        return datasets.make_classification(n_samples=3000, n_features=30, n_informative=6, n_redundant=6,
                                            n_classes=2, flip_y=0.1, class_sep=0.8, random_state=11)
    raise ValueError(name)


def write_csv(path, X, y):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([f"x{j}" for j in range(X.shape[1])] + ["label"])
        for row, label in zip(X, y):
            w.writerow([repr(float(v)) for v in row] + [int(label)])


def run_minibatch(binary, folder, model_type, training):
    config = {"data": {"train": "train.csv", "test": "test.csv"}, "model": {"type": model_type}}
    if training:
        config["training"] = training
    path = os.path.join(folder, "config.json")
    with open(path, "w") as f:
        json.dump(config, f)
    out = subprocess.run([binary, "train", "--config", path, "--out", os.path.join(folder, "run"), "--json", "--quiet"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"minibatch failed ({out.returncode}): {out.stderr.strip()}")
    return json.loads(out.stdout.strip().splitlines()[-1])["test_accuracy"]


def sklearn_accuracy(kind, Xtr, ytr, Xte, yte, seed):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "linear":
            model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
        else:
            model = make_pipeline(StandardScaler(), MLPClassifier(random_state=seed))
        model.fit(Xtr, ytr)
    return float((model.predict(Xte) == yte).mean())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--minibatch", default=".build/release/minibatch")
    p.add_argument("--training", default="", help="JSON object merged into the config's training section")
    p.add_argument("--only", default="digits,iris,breast_cancer,wine,synthetic,synthetic_binary")
    p.add_argument("--models", default="linear,mlp")
    p.add_argument("--tolerance", type=float, default=1.0)
    args = p.parse_args()
    training = json.loads(args.training) if args.training else None
    binary = os.path.abspath(args.minibatch)
    rows = []
    for name in args.only.split(","):
        X, y = load(name)
        for kind in args.models.split(","):
            if kind == "mlp" and name != "digits":
                continue  # the acceptance compares the MLP on digits only
            ours, theirs = [], []
            for seed in range(SPLITS):
                Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)
                with tempfile.TemporaryDirectory() as folder:
                    write_csv(os.path.join(folder, "train.csv"), Xtr, ytr)
                    write_csv(os.path.join(folder, "test.csv"), Xte, yte)
                    model_type = "mlp" if kind == "mlp" else "auto"
                    ours.append(run_minibatch(binary, folder, model_type, training))
                theirs.append(sklearn_accuracy(kind, Xtr, ytr, Xte, yte, seed))
            m, s = 100 * np.mean(ours), 100 * np.mean(theirs)
            rows.append((name, "mlp" if kind == "mlp" else "softmax/logistic", len(y), m, s, m - s))
            print(f"{name:18s} {rows[-1][1]:17s} n={len(y):5d}  minibatch {m:6.2f}  scikit-learn {s:6.2f}  "
                  f"diff {m - s:+6.2f}", flush=True)
    print()
    print("| data set | model | rows | minibatch | scikit-learn | difference (points) |")
    print("|---|---|---|---|---|---|")
    for name, kind, n, m, s, d in rows:
        print(f"| {name} | {kind} | {n} | {m:.2f} | {s:.2f} | {d:+.2f} |")
    worst = min((r[5] for r in rows), default=0)
    sys.exit(1 if worst < -args.tolerance else 0)


if __name__ == "__main__":
    main()
