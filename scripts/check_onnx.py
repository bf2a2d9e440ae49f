#!/usr/bin/env python3
"""Checks minibatch's ONNX export with the real runtime.

For each model kind (softmax; logistic with two string labels and with two integer labels;
an MLP with each activation, and one with two classes; a linear model trained on LIBSVM data
with d = 100,000 and string labels; a model whose empty cells are filled, with missing
indicators and an ignored id column; models with one-hot text columns, with unseen categories
and empty cells in the rows scored) it trains a small model with `minibatch train`, exports it
with `minibatch export` (and once with `train --export-onnx`), checks the file with
onnx.checker.check_model, runs it with ONNX Runtime on held-out rows, and compares with
`minibatch predict --proba` and `minibatch predict`: every probability within 1e-5, every
label identical. Exits 1 on any mismatch.

Needs numpy, onnx and onnxruntime (.ci/run installs them); installs nothing itself.
Usage: scripts/check_onnx.py [--minibatch PATH]   (default: $MINIBATCH_BIN, else
.build/release/minibatch, else .build/debug/minibatch)
"""
import argparse
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOLERANCE = 1e-5


def find_binary(given):
    if given:
        return given
    if os.environ.get("MINIBATCH_BIN"):
        return os.environ["MINIBATCH_BIN"]
    for kind in ("release", "debug"):
        path = os.path.join(ROOT, ".build", kind, "minibatch")
        if os.path.exists(path):
            return path
    sys.exit("no minibatch binary: build it first (swift build -c release)")


def run(binary, *args):
    result = subprocess.run([binary, *args], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"minibatch {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def read_csv(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        return next(r), list(r)


def config(path, data, model, epochs=20):
    with open(path, "w") as f:
        json.dump({"data": data, "model": model,
                   "training": {"batch_size": 32, "epochs": epochs, "learning_rate": "constant", "eta0": 0.05,
                                "penalty": "l2", "alpha": 0.0001, "tol": 0, "seed": 0},
                   "workers": 0, "output": {"dir": "run"}}, f)


def dense_features(test_path, input_columns):
    """Test rows of a CSV file as float32 [N, c] in the graph's input column order; an empty
    cell is NaN."""
    header, rows = read_csv(test_path)
    columns = [header.index(name) for name in input_columns]
    return np.array([[float(row[c]) if row[c] != "" else np.nan for c in columns] for row in rows], dtype=np.float32)


def text_columns(test_path, columns):
    """Test rows' text columns as a string array [N, m]; an empty cell is the empty string."""
    header, rows = read_csv(test_path)
    index = [header.index(name) for name in columns]
    return np.array([[row[c] for c in index] for row in rows], dtype=object)


def libsvm_features(test_path, d):
    rows = [line.split() for line in open(test_path) if line.strip() and not line.startswith("#")]
    x = np.zeros((len(rows), d), dtype=np.float32)
    for i, parts in enumerate(rows):
        for item in parts[1:]:
            j, v = item.split(":")
            x[i, int(j) - 1] = float(v)
    return x


def check(binary, name, folder, test_path, expect_label_type, libsvm_features_count=None, via_train=False):
    """Exports folder/run/model.json, runs it with ONNX Runtime on test_path, compares."""
    model_json = os.path.join(folder, "run", "model.json")
    onnx_path = os.path.join(folder, "model.onnx")
    run(binary, "export", "--model", model_json, "--format", "onnx", "--out", onnx_path)
    if via_train:
        with open(onnx_path, "rb") as a, open(os.path.join(folder, "run", "model.onnx"), "rb") as b:
            if a.read() != b.read():
                return [f"{name}: train --export-onnx wrote a different file from export"]
    model = onnx.load(onnx_path)
    onnx.checker.check_model(model, full_check=True)
    meta = {p.key: p.value for p in model.metadata_props}
    feature_names = json.loads(meta["feature_names"])
    classes = json.loads(meta["classes"])
    inputs = {}
    if libsvm_features_count:
        inputs["features"] = libsvm_features(test_path, libsvm_features_count)
    else:
        numeric, text = json.loads(meta["input_columns"]), json.loads(meta.get("categorical_columns", "[]"))
        if numeric:
            inputs["features"] = dense_features(test_path, numeric)
        if text:
            inputs["categories"] = text_columns(test_path, text)
    session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    outputs = {o.name: o for o in session.get_outputs()}
    if sorted(i.name for i in session.get_inputs()) != sorted(inputs):
        return [f"{name}: the graph's inputs are {[i.name for i in session.get_inputs()]}, expected {sorted(inputs)}"]
    label, probabilities = session.run(["label", "probabilities"], inputs)
    problems = []
    if outputs["label"].type != f"tensor({expect_label_type})":
        problems.append(f"{name}: label output is {outputs['label'].type}, expected tensor({expect_label_type})")
    # predict --proba: the label column (named as the model's), then one p_<class> column per class.
    header, rows = read_csv_text(run(binary, "predict", "--model", model_json, "--data", test_path, "--proba"))
    columns = [header.index("p_" + c) if "p_" + c in header else -1 for c in classes]
    if -1 in columns:
        return problems + [f"{name}: predict --proba columns {header} lack a class of {classes}"]
    expected = np.array([[float(row[j]) for j in columns] for row in rows], dtype=np.float64)
    if expected.shape != probabilities.shape:
        return problems + [f"{name}: probabilities of shape {probabilities.shape}, predict gave {expected.shape}"]
    worst = float(np.max(np.abs(expected - probabilities.astype(np.float64))))
    if worst > TOLERANCE:
        problems.append(f"{name}: probabilities differ by up to {worst:.3g} > {TOLERANCE}")
    label_header, label_rows = read_csv_text(run(binary, "predict", "--model", model_json, "--data", test_path))
    expected_labels = [row[len(label_header) - 1] for row in label_rows]  # the last column: the prediction
    got = [str(v.decode() if isinstance(v, bytes) else v) for v in label.tolist()]
    mismatched = sum(a != b for a, b in zip(expected_labels, got)) + abs(len(expected_labels) - len(got))
    if mismatched:
        problems.append(f"{name}: {mismatched} of {len(expected_labels)} labels differ")
    print(f"{name}: {len(got)} rows, d = {len(feature_names)}, K = {len(classes)}, label {expect_label_type}, "
          f"largest probability difference {worst:.2g}, labels identical: {mismatched == 0}")
    return problems


def read_csv_text(text):
    r = csv.reader(io.StringIO(text))
    return next(r), list(r)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minibatch")
    binary = os.path.abspath(find_binary(parser.parse_args().minibatch))
    rng = np.random.default_rng(0)
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        def case(name):
            folder = os.path.join(tmp, name)
            os.makedirs(folder)
            return folder

        def split_csv(folder, header, rows):
            """Writes train.csv and test.csv (every fourth row) and returns their paths."""
            train, test = os.path.join(folder, "train.csv"), os.path.join(folder, "test.csv")
            write_csv(train, header, [r for i, r in enumerate(rows) if i % 4 != 0])
            write_csv(test, header, [r for i, r in enumerate(rows) if i % 4 == 0])
            return train, test

        def train(folder, data, model, export=False, epochs=20):
            path = os.path.join(folder, "config.json")
            config(path, data, model, epochs)
            run(binary, "train", "--config", path, "--quiet", *(["--export-onnx"] if export else []))

        iris_header, iris_rows = read_csv(os.path.join(ROOT, "data", "iris.csv"))
        digits_header, digits_rows = read_csv(os.path.join(ROOT, "data", "digits.csv"))
        digit_label = digits_header.index("label")

        # Softmax, three string classes, standardised; written by train --export-onnx too.
        f = case("softmax")
        tr, te = split_csv(f, iris_header, iris_rows)
        train(f, {"train": tr, "label": "label", "standardize": True, "test_fraction": 0}, {"type": "softmax"}, export=True)
        problems += check(binary, "softmax (iris, string labels)", f, te, "string", via_train=True)

        # Logistic with two string labels.
        f = case("logistic-strings")
        tr, te = split_csv(f, iris_header, [r for r in iris_rows if r[-1] != "setosa"])
        train(f, {"train": tr, "label": "label", "standardize": True, "test_fraction": 0}, {"type": "logistic"})
        problems += check(binary, "logistic (two string labels)", f, te, "string")

        # Logistic with two integer labels, one negative, not standardised.
        f = case("logistic-integers")
        rows = [r[:digit_label] + ["-1" if r[digit_label] == "3" else "8"] + r[digit_label + 1:]
                for r in digits_rows if r[digit_label] in ("3", "8")]
        tr, te = split_csv(f, digits_header, rows)
        train(f, {"train": tr, "label": "label", "standardize": False, "test_fraction": 0}, {"type": "logistic"})
        problems += check(binary, "logistic (integer labels -1, 8)", f, te, "int64")

        # MLPs, each activation, ten integer classes; one with two classes (a sigmoid unit).
        for activation in ("relu", "tanh", "sigmoid"):
            f = case("mlp-" + activation)
            tr, te = split_csv(f, digits_header, digits_rows)
            train(f, {"train": tr, "label": "label", "standardize": True, "test_fraction": 0},
                  {"type": "mlp", "hidden": [24, 12], "activation": activation}, epochs=10)
            problems += check(binary, f"mlp {activation} (digits, 10 classes)", f, te, "int64")
        f = case("mlp-binary")
        tr, te = split_csv(f, iris_header, [r for r in iris_rows if r[-1] != "setosa"])
        train(f, {"train": tr, "label": "label", "standardize": True, "test_fraction": 0},
              {"type": "mlp", "hidden": [8], "activation": "tanh"})
        problems += check(binary, "mlp tanh (two string labels)", f, te, "string")

        # Empty cells filled with the training means, missing indicators, an ignored id column.
        f = case("imputed")
        header = ["id"] + iris_header
        rows = []
        for i, r in enumerate(iris_rows):
            r = list(r)
            if i % 7 == 0:
                r[0] = ""
            if i % 11 == 3:
                r[2] = ""
            rows.append([f"row{i}"] + r)
        tr, te = split_csv(f, header, rows)
        train(f, {"train": tr, "label": "label", "standardize": True, "test_fraction": 0, "ignore": ["id"],
                  "missing": "mean", "missing_indicator": True}, {"type": "softmax"}, export=True)
        problems += check(binary, "softmax (empty cells filled, missing indicators, id ignored)", f, te, "string", via_train=True)

        # One-hot text columns beside numbers: a plan (with a category only the scored rows
        # have, and empty cells filled with the most frequent plan), a region (empty cells as
        # all zeros), a filled and flagged numeric column, an id ignored; then an MLP on text
        # columns alone.
        f = case("one-hot")
        plans, regions = ["basic", "pro", "team"], ["north", "south", "east", "west"]
        header = ["id", "plan", "age", "region", "spend", "churn"]
        rows = []
        for i in range(400):
            plan = plans[int(rng.integers(3))]
            region = regions[int(rng.integers(4))]
            age = float(rng.integers(18, 80))
            spend = float(rng.normal(50 + 30 * plans.index(plan), 15))
            churn = "yes" if spend + 10 * regions.index(region) - age / 2 + rng.normal(0, 10) < 40 else "no"
            row = [f"c{i}", plan, f"{age:g}", region, f"{spend:.2f}", churn]
            if i % 9 == 0:
                row[1] = ""
            if i % 13 == 5:
                row[3] = ""
            if i % 11 == 2:
                row[2] = ""
            if i % 4 == 0 and i % 3 == 0:
                row[1] = "enterprise"  # only in the scored rows (every fourth row is a test row)
            rows.append(row)
        tr, te = split_csv(f, header, rows)
        train(f, {"train": tr, "label": "churn", "test_fraction": 0, "ignore": ["id"], "categorical": ["plan", "region"],
                  "missing": "most_frequent", "missing_indicator": True}, {"type": "logistic"}, export=True)
        problems += check(binary, "logistic (one-hot plan and region, unseen and empty categories, filled numbers)",
                          f, te, "string", via_train=True)
        f = case("one-hot-only")
        text_header = ["plan", "region", "churn"]
        tr, te = split_csv(f, text_header, [[r[1] or "basic", r[3] or "north", r[5]] for r in rows])
        train(f, {"train": tr, "label": "churn", "test_fraction": 0, "categorical": "auto"},
              {"type": "mlp", "hidden": [6], "activation": "relu"}, epochs=10)
        problems += check(binary, "mlp relu (text columns only, categorical auto)", f, te, "string")

        # A linear model trained on LIBSVM data: d = 100,000, string labels, scaled.
        f = case("libsvm")
        d, topics = 100_000, ["sports", "politics", "science"]
        words = [rng.choice(d, size=300, replace=False) + 1 for _ in topics]
        def svm_file(path, n):
            with open(path, "w") as out:
                for _ in range(n):
                    k = int(rng.integers(len(topics)))
                    own = rng.choice(words[k], size=8, replace=False)
                    noise = rng.integers(1, d + 1, size=4)
                    idx = sorted(set(int(j) for j in np.concatenate([own, noise])))
                    out.write(topics[k] + " " + " ".join(f"{j}:{int(rng.integers(1, 4))}" for j in idx) + "\n")
        tr, te = os.path.join(f, "train.svm"), os.path.join(f, "test.svm")
        svm_file(tr, 600)
        svm_file(te, 100)
        train(f, {"train": tr, "test": te, "features": d, "standardize": True}, {"type": "softmax"}, epochs=10)
        problems += check(binary, "softmax (LIBSVM, d = 100,000, string labels)", f, te, "string", libsvm_features_count=d)

    for p in problems:
        print("MISMATCH " + p, file=sys.stderr)
    if problems:
        return 1
    print("onnx export: every model matches minibatch predict")
    return 0


if __name__ == "__main__":
    sys.exit(main())
