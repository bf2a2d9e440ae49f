#!/usr/bin/env python3
"""Reference coefficients for the SGDClassifier parity test.

Problem: binary logistic regression on the versicolor and virginica rows of
data/iris.csv (100 rows, file order, all four features). Classes are sorted,
so the positive class is "virginica" (scikit-learn's classes_[1], minibatch's
class 1).

Standardisation reproduces minibatch's Standardizer bit for bit: the CSV
values are rounded to float32, mean and population standard deviation are
accumulated in float64 over the float32 values (row by row, in file order),
both are rounded to float32, and x' = (x - mean) / scale is evaluated in
float32. The fixture stores the standardised float32 values; the Swift test
checks that the library produces exactly these values before training on them.

For each case (alpha, epochs) the script fits, on those values widened to
float64,

    SGDClassifier(loss="log_loss", penalty="l2", alpha=alpha,
                  learning_rate="optimal", shuffle=False, max_iter=epochs,
                  tol=None, average=False, fit_intercept=True)

and stores coef_ and intercept_ (float64 arithmetic throughout). Two checks
run before anything is written:

  * semantics: a plain float64 loop written here from the update rule
    (eta_t = 1 / (alpha * (t0 + t - 1)), t0 from Bottou's heuristic,
    w <- (1 - eta*alpha) w - eta*g*x, b <- b - eta*g, g = sigmoid(w.x+b) - y)
    must agree with scikit-learn to 1e-10 (relative to the largest
    coefficient), so the reference is known to be exactly that recursion;
  * float32 noise: the same SGDClassifier fitted on float32 input (its
    float32 code path) must lie well inside the asserted tolerance, so the
    tolerance covers what float32 arithmetic alone costs.

Tolerance asserted by the Swift test, per case, on theta = (coef, intercept):

    max_i |theta_i - theta_ref_i| <= RTOL * max_j |theta_ref_j|

Afterwards (unless --no-swift) the script runs the Swift test with
SGD_PARITY_REPORT set, which makes the test write the deviation minibatch
reached; that is stored in the fixture as "minibatch_reached".

Usage:  python3 scripts/sgd_parity.py [--no-swift]
"""

import csv
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import sklearn
from sklearn._loss.loss import HalfBinomialLoss  # private module; the loss SGDClassifier uses for log_loss
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_REL = "data/iris.csv"
FIXTURE_REL = "Tests/LearningTests/Fixtures/sgd_parity.json"
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
CLASSES = ["versicolor", "virginica"]
# (alpha, epochs): t0 is about 32, 178 and 1000, so the first steps of the
# schedule weigh differently in each.
CASES = [(0.01, 20), (0.001, 20), (0.0001, 5)]
# float32 has a unit roundoff of 6e-8. minibatch does every operation of a step
# in float32 (dot product, sigmoid, rate, update); the steps of up to eta = 10
# at the start of the alpha = 1e-4 case amplify that rounding to about 5e-6
# relative, the other cases stay below 1e-6. The bound leaves a factor 4 over
# the worst case; the mistakes it must catch (t0 off by one step, alpha off by
# 0.1%, one epoch more or less) move theta by 7e-5 or more on some case.
RTOL = 2e-5
# scikit-learn's float32 code path (float32 weights, float64 arithmetic) must
# stay below this share of the tolerance.
FLOAT32_HEADROOM = 0.25
SEMANTICS_RTOL = 1e-10
SWIFT_FILTER = "SGDClassifierParityTests"


def load_pair():
    with open(os.path.join(REPO_ROOT, DATA_REL), newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["label"] in CLASSES]
    x = np.array([[np.float32(float(r[c])) for c in FEATURES] for r in rows], dtype=np.float32)
    labels = [r["label"] for r in rows]
    return x, labels


def standardise_like_minibatch(x):
    """Standardizer(fitting:featureCount:) followed by transform, in the same precisions."""
    n, d = x.shape
    sums = [0.0] * d
    for i in range(n):
        for j in range(d):
            sums[j] += float(x[i, j])
    mean = [s / n for s in sums]
    squares = [0.0] * d
    for i in range(n):
        for j in range(d):
            c = float(x[i, j]) - mean[j]
            squares[j] += c * c
    mean32 = np.array(mean, dtype=np.float32)
    scale = [math.sqrt(s / n) for s in squares]
    scale32 = np.array([sd if sd > 1e-12 else 1.0 for sd in scale], dtype=np.float32)
    z = (x - mean32) / scale32
    assert z.dtype == np.float32
    return z, mean32, scale32


def optimal_t0(alpha):
    """t0 of the "optimal" schedule by scikit-learn's heuristic, its loss's own gradient."""
    typw = math.sqrt(1.0 / math.sqrt(alpha))
    dloss = float(HalfBinomialLoss().gradient(np.array([1.0]), np.array([-typw]))[0])
    initial_eta0 = typw / max(1.0, dloss)
    return 1.0 / (initial_eta0 * alpha), initial_eta0


def plain_loop(x, y01, alpha, epochs, t0):
    """The update rule written out, float64, one sample per step, no shuffling."""
    n, d = x.shape
    w = np.zeros(d)
    b = 0.0
    t = 1
    for _ in range(epochs):
        for i in range(n):
            eta = 1.0 / (alpha * (t0 + t - 1))
            g = 1.0 / (1.0 + math.exp(-(float(x[i] @ w) + b))) - y01[i]
            w = (1.0 - eta * alpha) * w - eta * g * x[i]
            b -= eta * g
            t += 1
    return np.append(w, b)


def fit_sklearn(x, labels, alpha, epochs):
    clf = SGDClassifier(
        loss="log_loss", penalty="l2", alpha=alpha, learning_rate="optimal",
        shuffle=False, max_iter=epochs, tol=None, average=False, fit_intercept=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter reached is the point
        clf.fit(x, labels)
    assert list(clf.classes_) == CLASSES, clf.classes_
    assert clf.n_iter_ == epochs and clf.t_ == epochs * x.shape[0] + 1, (clf.n_iter_, clf.t_)
    return clf


def theta(clf):
    return np.append(np.asarray(clf.coef_, dtype=np.float64).ravel(), float(clf.intercept_[0]))


def relative_gap(a, ref):
    return float(np.max(np.abs(a - ref)) / np.max(np.abs(ref)))


def measure_minibatch(cases_written):
    """Runs the Swift parity test, which reports the deviation it reached."""
    with tempfile.TemporaryDirectory() as tmp:
        report_path = os.path.join(tmp, "report.json")
        env = dict(os.environ, SGD_PARITY_REPORT=report_path)
        cmd = ["swift", "test", "--filter", SWIFT_FILTER]
        print("running:", " ".join(cmd))
        proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env)
        if not os.path.exists(report_path):
            sys.exit("ERROR: the Swift test wrote no report (did it build and run?)")
        with open(report_path) as f:
            report = json.load(f)
    reached = []
    for entry in report["cases"]:
        key = (entry["alpha"], entry["epochs"])
        assert key in cases_written, key
        reached.append(entry)
    return reached, proc.returncode


def main():
    measure = "--no-swift" not in sys.argv[1:]
    x32, labels = load_pair()
    assert x32.shape == (100, 4) and sorted(set(labels)) == CLASSES
    z, mean32, scale32 = standardise_like_minibatch(x32)
    z64 = z.astype(np.float64)  # exact: every float32 is a float64
    y01 = np.array([1.0 if s == CLASSES[1] else 0.0 for s in labels])

    cases = []
    ok = True
    for alpha, epochs in CASES:
        t0, eta_first = optimal_t0(alpha)
        ref_clf = fit_sklearn(z64, labels, alpha, epochs)
        ref = theta(ref_clf)
        loop_gap = relative_gap(plain_loop(z64, y01, alpha, epochs, t0), ref)
        f32 = theta(fit_sklearn(z, labels, alpha, epochs))
        f32_gap = relative_gap(f32, ref)
        print(f"alpha={alpha} epochs={epochs}: t0={t0:.6g} eta_1={eta_first:.6g} "
              f"max|theta|={np.max(np.abs(ref)):.4g}")
        print(f"  plain float64 loop vs sklearn: {loop_gap:.1e} (must be <= {SEMANTICS_RTOL:.0e})")
        print(f"  sklearn float32 vs float64:    {f32_gap:.1e} (must be <= {FLOAT32_HEADROOM * RTOL:.0e})")
        if loop_gap > SEMANTICS_RTOL or f32_gap > FLOAT32_HEADROOM * RTOL:
            ok = False
        cases.append({
            "alpha": alpha,
            "epochs": epochs,
            "steps": epochs * len(labels),
            "optimal_t0": t0,
            "first_eta": eta_first,
            "coef": [float(v) for v in ref[:-1]],
            "intercept": float(ref[-1]),
            "sklearn_float32_relative_gap": f32_gap,
        })
    if not ok:
        sys.exit("ERROR: a check failed; fixture not written")

    fixture = {
        "source": "scripts/sgd_parity.py",
        "data": DATA_REL,
        "rows": "label versicolor or virginica, in file order",
        "feature_names": FEATURES,
        "classes": CLASSES,
        "positive_class": CLASSES[1],
        "standardize": {
            "rule": "float32 (x - mean) / scale; mean and population std accumulated in float64, "
                    "rounded to float32 (minibatch's Standardizer)",
            "mean": [float(v) for v in mean32],
            "scale": [float(v) for v in scale32],
        },
        "features": [[float(v) for v in row] for row in z],
        "labels": [int(v) for v in y01],
        "estimator": {
            "class": "sklearn.linear_model.SGDClassifier",
            "loss": "log_loss", "penalty": "l2", "learning_rate": "optimal", "shuffle": False,
            "tol": None, "average": False, "fit_intercept": True, "input_dtype": "float64",
        },
        "tolerance": {
            "rule": "max_i |theta_i - theta_ref_i| <= rtol * max_j |theta_ref_j|, theta = coef + [intercept]",
            "rtol": RTOL,
        },
        "cases": cases,
        "versions": {
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
    }
    write(fixture)

    if measure:
        reached, rc = measure_minibatch({(c["alpha"], c["epochs"]) for c in cases})
        fixture["minibatch_reached"] = {
            "measured_by": f"swift test --filter {SWIFT_FILTER} (SGD_PARITY_REPORT)",
            "machine": f"{platform.machine()}, MINIBATCH_TARGET_CPU="
                       f"{os.environ.get('MINIBATCH_TARGET_CPU', 'native (default)')}",
            "cases": reached,
        }
        write(fixture)
        for r in reached:
            print(f"minibatch alpha={r['alpha']} epochs={r['epochs']}: relative gap {r['relative_gap']:.2e} "
                  f"(max abs {r['max_abs_diff']:.2e}), tolerance {RTOL:.0e}")
        if rc != 0:
            sys.exit("ERROR: the Swift parity test failed")
    else:
        print("--no-swift: minibatch's deviation not measured; the fixture has no minibatch_reached")


def to_json(value, indent=0):
    """Indented JSON with every array of scalars on one line (a data row reads as a line)."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k)}: {to_json(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(inner + to_json(v, indent + 1) for v in value) + "\n" + pad + "]"
    return json.dumps(value)  # floats as repr(): they round-trip exactly


def write(fixture):
    out = os.path.join(REPO_ROOT, FIXTURE_REL)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", newline="\n") as f:
        f.write(to_json(fixture) + "\n")
    print(f"wrote {FIXTURE_REL}")


if __name__ == "__main__":
    main()
