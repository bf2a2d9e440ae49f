#!/usr/bin/env python3
"""Reference cross-validation scores from scikit-learn on the folds minibatch cuts.

minibatch writes the folds of a config's training split with

    minibatch cv --config Tests/LearningTests/Fixtures/cv_parity/config.json \
                 --folds 5 --save-folds FOLDS.json

(a JSON object: "train_rows", the data file's row of every training-split row, 0-based
without the header, and "fold", each such row's fold). This script reads those folds and
the same CSV, and for every alpha of the grid and every fold f:

  1. takes the rows of the other folds as the fold's training rows and fold f's as its
     validation rows;
  2. standardises both with the training rows' mean and *population* standard deviation
     (ddof=0, StandardScaler's; a constant column gets scale 1), as minibatch fits one
     scaler per fold;
  3. fits LogisticRegression(C = 1 / (n_fold_train * alpha), lbfgs, multinomial), whose
     optimum is that of  (1/n) sum_i -log p(y_i | x_i) + alpha/2 ||W||^2  (bias not
     penalised), the objective minibatch's full-batch steps converge to;
  4. scores the validation rows: the mean of -log p(label).

It writes the folds, the alphas and each alpha's per-fold and mean validation log loss to
Tests/LearningTests/Fixtures/cv_reference.json, which SklearnParityTests compares with
minibatch's search on the same folds.

Usage:  python3 scripts/cv_reference.py FOLDS.json
"""

import csv
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG_REL = "Tests/LearningTests/Fixtures/cv_parity/config.json"
GRID_REL = "Tests/LearningTests/Fixtures/cv_parity/grid.json"
FIXTURE_REL = "Tests/LearningTests/Fixtures/cv_reference.json"


def read_csv(path, label):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    names = [c for c in rows[0].keys() if c != label]
    X = np.array([[float(r[c]) for c in names] for r in rows], dtype=np.float64)
    return X, [r[label] for r in rows]


def standardise(train, other):
    mean = train.mean(axis=0)
    std = train.std(axis=0, ddof=0)
    std = np.where(std == 0.0, 1.0, std)
    return (train - mean) / std, (other - mean) / std


def fold_log_loss(Xtr, ytr, Xva, yva, alpha, classes):
    params = dict(C=1.0 / (len(ytr) * alpha), solver="lbfgs", tol=1e-12, max_iter=100000)
    if "multi_class" in LogisticRegression().get_params():
        params["multi_class"] = "multinomial"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        clf = LogisticRegression(**params).fit(Xtr, ytr)
    assert list(clf.classes_) == list(range(len(classes))), clf.classes_
    p = clf.predict_proba(Xva)
    return float(np.mean(-np.log(p[np.arange(len(yva)), yva])))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        folds = json.load(f)
    with open(os.path.join(REPO_ROOT, CONFIG_REL)) as f:
        config = json.load(f)
    with open(os.path.join(REPO_ROOT, GRID_REL)) as f:
        alphas = json.load(f)["training.alpha"]
    data = os.path.normpath(os.path.join(os.path.dirname(os.path.join(REPO_ROOT, CONFIG_REL)), config["data"]["train"]))
    X_all, labels = read_csv(data, config["data"]["label"])
    classes = folds["classes"]
    index = {c: k for k, c in enumerate(classes)}
    rows = np.array(folds["train_rows"], dtype=np.int64)
    fold = np.array(folds["fold"], dtype=np.int64)
    X = X_all[rows]
    y = np.array([index[labels[r]] for r in rows], dtype=np.int64)
    k = int(folds["folds"])

    per_alpha = []
    for alpha in alphas:
        losses = []
        for f in range(k):
            tr, va = fold != f, fold == f
            Xtr, Xva = standardise(X[tr], X[va])
            losses.append(fold_log_loss(Xtr, y[tr], Xva, y[va], alpha, classes))
        per_alpha.append(losses)
        print(f"alpha {alpha!r}: mean validation log loss {np.mean(losses)!r}  folds {losses}")

    fixture = {
        "source": "scripts/cv_reference.py",
        "config": CONFIG_REL,
        "grid": GRID_REL,
        "folds": k,
        "seed": folds["seed"],
        "classes": classes,
        "train_rows": folds["train_rows"],
        "fold": folds["fold"],
        "alphas": alphas,
        "fold_log_loss": per_alpha,
        "mean_log_loss": [float(np.mean(l)) for l in per_alpha],
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
    }
    with open(os.path.join(REPO_ROOT, FIXTURE_REL), "w", newline="\n") as f:
        f.write(json.dumps(fixture, indent=1) + "\n")
    print(f"wrote {FIXTURE_REL}")


if __name__ == "__main__":
    main()
