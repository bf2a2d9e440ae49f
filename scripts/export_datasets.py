#!/usr/bin/env python3
"""Regenerate data/iris.csv and data/digits.csv from scikit-learn's bundled copies.

The bundled files are read as text so that every feature value is copied
verbatim (no float round-tripping). Only the header and the label column are
rewritten:

  * iris:   header `sepal_length,sepal_width,petal_length,petal_width,label`;
            the integer class code is replaced by the species name.
  * digits: header `p0,...,p63,label`; all values stay integers.

Row order is preserved. Output uses Unix line endings and ends with a newline.
Running the script twice yields byte-identical files.

Usage:  python3 scripts/export_datasets.py   (from anywhere)
"""

import gzip
import os
from importlib import resources

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "data")

IRIS_HEADER = ["sepal_length", "sepal_width", "petal_length", "petal_width", "label"]
DIGITS_HEADER = [f"p{i}" for i in range(64)] + ["label"]


def bundled(name):
    """Path-like handle to a file in sklearn/datasets/data/."""
    return resources.files("sklearn.datasets").joinpath("data", name)


def write_csv(path, header, rows):
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")


def export_iris():
    text = bundled("iris.csv").read_text(encoding="ascii")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    # First line: n_samples, n_features, then the class names in code order.
    meta = lines[0].split(",")
    n_samples, n_features = int(meta[0]), int(meta[1])
    class_names = meta[2:]
    assert n_features == 4, meta
    assert class_names == ["setosa", "versicolor", "virginica"], class_names

    rows = []
    for ln in lines[1:]:
        fields = ln.split(",")
        assert len(fields) == n_features + 1, ln
        features = fields[:n_features]
        for v in features:
            float(v)  # validate; the original string is what gets written
        rows.append(features + [class_names[int(fields[-1])]])
    assert len(rows) == n_samples == 150, len(rows)
    write_csv(os.path.join(OUT_DIR, "iris.csv"), IRIS_HEADER, rows)
    return len(rows)


def export_digits():
    with bundled("digits.csv.gz").open("rb") as raw, gzip.open(raw, "rt", encoding="ascii") as f:
        text = f.read()
    rows = []
    for ln in text.splitlines():
        ln = ln.strip()
        if not ln:
            continue
        fields = ln.split(",")
        assert len(fields) == 65, len(fields)
        # Normalise to plain integers (the bundled file already stores them so).
        values = []
        for v in fields:
            x = float(v)
            assert x == int(x), v
            values.append(str(int(x)))
        pixels = [int(v) for v in values[:64]]
        assert all(0 <= p <= 16 for p in pixels), ln
        assert 0 <= int(values[64]) <= 9, ln
        rows.append(values)
    assert len(rows) == 1797, len(rows)
    write_csv(os.path.join(OUT_DIR, "digits.csv"), DIGITS_HEADER, rows)
    return len(rows)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    n_iris = export_iris()
    n_digits = export_digits()
    print(f"wrote data/iris.csv ({n_iris} rows) and data/digits.csv ({n_digits} rows)")


if __name__ == "__main__":
    main()
