#!/usr/bin/env python3
"""Reference optimum of L2-regularised multinomial logistic regression on Iris.

Reads data/iris.csv (all 150 rows), standardises every feature column with its
mean and *population* standard deviation (ddof=0, as sklearn's StandardScaler;
a constant column would be given scale 1), and minimises, in float64,

    J(W, b) = (1/n) * sum_i -log softmax(W x_i + b)[y_i] + alpha/2 * ||W||_F^2

with W of shape (3, 4) (one free row per class, no reference class), b of
shape (3,) and the bias left unpenalised. Classes are the distinct label
strings sorted lexicographically.

Three independent routes are taken for each alpha:

  1. scikit-learn LogisticRegression(C=1/(n*alpha), solver="lbfgs"), which
     minimises C * sum(loss) + ||W||^2/2 = J / alpha, i.e. the same optimum;
  2. scipy.optimize.minimize(L-BFGS-B) on J written here in numpy, from zero;
  3. a few Newton steps with the exact Hessian, started from route 1.

The objective values of all three must agree to 1e-10 relative and the
parameters closely; otherwise the script fails. The fixture stores the
Newton-polished solution (route 3), whose gradient is at round-off level.

Note on the bias: J does not change when the same constant is added to every
entry of b, so b is only defined up to such a shift. The stored bias is
centred (sums to zero), which is also what sklearn's lbfgs run yields, because
starting from zero every bias gradient sums to zero over the classes. At the
optimum the rows of W also sum to zero (a consequence of the penalty).

Usage:  python3 scripts/iris_optimum.py      (writes the JSON fixture)
"""

import csv
import json
import os
import sys
import warnings

import numpy as np
import scipy
import sklearn
from scipy.optimize import minimize
from scipy.special import logsumexp
from sklearn.linear_model import LogisticRegression

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_REL = "data/iris.csv"
FIXTURE_REL = "Tests/LearningTests/Fixtures/iris_optimum.json"
ALPHAS = [0.01, 0.001]
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def load_iris_csv(path):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    X = np.array([[float(r[c]) for c in FEATURES] for r in rows], dtype=np.float64)
    labels = [r["label"] for r in rows]
    classes = sorted(set(labels))
    index = {c: k for k, c in enumerate(classes)}
    y = np.array([index[s] for s in labels], dtype=np.int64)
    return X, y, classes


def standardize(X):
    mean = X.mean(axis=0)
    std = X.std(axis=0, ddof=0)
    std = np.where(std == 0.0, 1.0, std)
    return (X - mean) / std


# ---- objective in numpy; parameters packed as theta = [W.ravel(), b] -------

def unpack(theta, k, d):
    return theta[: k * d].reshape(k, d), theta[k * d :]


def mean_loss(W, b, X, y):
    Z = X @ W.T + b
    return float(np.mean(logsumexp(Z, axis=1) - Z[np.arange(len(y)), y]))


def objective(W, b, X, y, alpha):
    return mean_loss(W, b, X, y) + alpha * 0.5 * float(np.sum(W * W))


def objective_and_grad(theta, X, y, alpha, k):
    n, d = X.shape
    W, b = unpack(theta, k, d)
    Z = X @ W.T + b
    lse = logsumexp(Z, axis=1)
    P = np.exp(Z - lse[:, None])
    R = P.copy()
    R[np.arange(n), y] -= 1.0
    R /= n
    f = float(np.sum(lse - Z[np.arange(n), y]) / n + alpha * 0.5 * np.sum(W * W))
    gW = R.T @ X + alpha * W
    gb = R.sum(axis=0)
    return f, np.concatenate([gW.ravel(), gb])


def hessian(theta, X, y, alpha, k):
    """Exact Hessian in the parameter order (W row-major, then b)."""
    n, d = X.shape
    W, b = unpack(theta, k, d)
    Z = X @ W.T + b
    P = np.exp(Z - logsumexp(Z, axis=1)[:, None])
    Xa = np.hstack([X, np.ones((n, 1))])  # augmented features, last = bias
    m = d + 1
    H = np.zeros((k * m, k * m))
    for i in range(n):
        S = np.diag(P[i]) - np.outer(P[i], P[i])
        H += np.kron(S, np.outer(Xa[i], Xa[i]))
    H /= n
    # reorder from per-class blocks [W_k, b_k] to [W (k*d), b (k)]
    order = [c * m + j for c in range(k) for j in range(d)] + [c * m + d for c in range(k)]
    H = H[np.ix_(order, order)]
    H[: k * d, : k * d] += alpha * np.eye(k * d)
    return H


def newton_polish(theta, X, y, alpha, k, steps=8):
    for _ in range(steps):
        _, g = objective_and_grad(theta, X, y, alpha, k)
        H = hessian(theta, X, y, alpha, k)
        # H is singular along "shift every bias by the same constant";
        # the minimum-norm solution keeps sum(b) unchanged.
        step = np.linalg.lstsq(H, g, rcond=None)[0]
        theta = theta - step
    return theta


# ---- the three solvers ---------------------------------------------------------

def solve_sklearn(X, y, alpha):
    n = X.shape[0]
    params = dict(C=1.0 / (n * alpha), solver="lbfgs", tol=1e-12, max_iter=100000)
    # Older releases needed multi_class="multinomial" (default was "ovr");
    # from 1.5 it is deprecated (multinomial is the default), later removed.
    if "multi_class" in LogisticRegression().get_params():
        params["multi_class"] = "multinomial"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        clf = LogisticRegression(**params).fit(X, y)
    W = np.array(clf.coef_, dtype=np.float64)
    b = np.array(clf.intercept_, dtype=np.float64)
    # Check it really is the multinomial (softmax) model and not one-vs-rest.
    assert W.shape == (3, X.shape[1]), W.shape
    Z = clf.decision_function(X)
    softmax = np.exp(Z - logsumexp(Z, axis=1)[:, None])
    assert np.allclose(clf.predict_proba(X), softmax, rtol=0, atol=1e-14), "not multinomial"
    return W, b, int(np.max(clf.n_iter_))


def solve_scipy(X, y, alpha, k):
    d = X.shape[1]
    res = minimize(
        objective_and_grad,
        np.zeros(k * d + k),
        args=(X, y, alpha, k),
        jac=True,
        method="L-BFGS-B",
        options={"gtol": 1e-14, "ftol": 0.0, "maxiter": 100000, "maxfun": 1000000, "maxls": 100},
    )
    W, b = unpack(res.x, k, d)
    return W.copy(), b.copy(), res


def main():
    X_raw, y, classes = load_iris_csv(os.path.join(REPO_ROOT, DATA_REL))
    assert X_raw.shape == (150, 4) and classes == ["setosa", "versicolor", "virginica"]
    X = standardize(X_raw)
    n, d = X.shape
    k = len(classes)

    optima = []
    ok = True
    for alpha in ALPHAS:
        W1, b1, it1 = solve_sklearn(X, y, alpha)
        W2, b2, res2 = solve_scipy(X, y, alpha, k)
        th3 = newton_polish(np.concatenate([W1.ravel(), b1 - b1.mean()]), X, y, alpha, k)
        W3, b3 = unpack(th3, k, d)
        b3 = b3 - b3.mean()

        f1, f2, f3 = (objective(W, b, X, y, alpha) for W, b in [(W1, b1), (W2, b2), (W3, b3)])
        g1, g2, g3 = (
            np.max(np.abs(objective_and_grad(np.concatenate([W.ravel(), b]), X, y, alpha, k)[1]))
            for W, b in [(W1, b1), (W2, b2), (W3, b3)]
        )
        rel12 = abs(f1 - f2) / abs(f3)
        rel13 = abs(f1 - f3) / abs(f3)
        rel23 = abs(f2 - f3) / abs(f3)

        def pdiff(Wa, ba, Wb, bb):
            return max(np.max(np.abs(Wa - Wb)), np.max(np.abs((ba - ba.mean()) - (bb - bb.mean()))))

        print(f"alpha = {alpha!r}")
        print(f"  sklearn  J = {f1!r}  max|grad| = {g1:.2e}  n_iter = {it1}  sum(b) = {b1.sum():.1e}")
        print(f"  scipy    J = {f2!r}  max|grad| = {g2:.2e}  nit = {res2.nit}  ({res2.message})")
        print(f"  newton   J = {f3!r}  max|grad| = {g3:.2e}")
        print(f"  rel |J diff|: sklearn-scipy {rel12:.1e}, sklearn-newton {rel13:.1e}, scipy-newton {rel23:.1e}")
        print(f"  max |param diff| vs newton: sklearn {pdiff(W1, b1, W3, b3):.1e}, scipy {pdiff(W2, b2, W3, b3):.1e}")
        print(f"  row sums of W: {W3.sum(axis=0)}")
        if max(rel12, rel13, rel23) > 1e-10 or pdiff(W1, b1, W3, b3) > 1e-4 or pdiff(W2, b2, W3, b3) > 1e-4:
            ok = False

        optima.append(
            {
                "alpha": alpha,
                "objective": f3,
                "mean_loss": mean_loss(W3, b3, X, y),
                "weights": [[float(v) for v in row] for row in W3],
                "bias": [float(v) for v in b3],
            }
        )

    if not ok:
        print("ERROR: solvers disagree; fixture not written", file=sys.stderr)
        sys.exit(1)

    fixture = {
        "source": "scripts/iris_optimum.py",
        "data": DATA_REL,
        "standardize": "z-score, population std, all 150 rows",
        "classes": classes,
        "optima": optima,
        "sklearn_version": sklearn.__version__,
        "scipy_version": scipy.__version__,
    }
    out = os.path.join(REPO_ROOT, FIXTURE_REL)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    text = json.dumps(fixture, indent=2)  # json uses repr(), i.e. round-trip float64
    with open(out, "w", newline="\n") as f:
        f.write(text + "\n")
    print(text)
    print(f"wrote {FIXTURE_REL}")


if __name__ == "__main__":
    main()
