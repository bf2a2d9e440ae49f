#!/usr/bin/env python3
"""Makes the fixture that checks minibatch's one-hot encoding and imputation against
scikit-learn: Tests/LearningTests/Fixtures/preprocessing/.

train.csv is a small table with an id, two categorical columns and two numeric columns with
empty cells; new.csv has rows to transform, with a category never seen in training and empty
cells. For each data.missing strategy (mean, median, most_frequent) expected_<strategy>.csv
holds scikit-learn's transform of new.csv, in minibatch's column order (each input column's
features in place; numeric: SimpleImputer(strategy, add_indicator=True), whose indicator is
present only for columns with empty training cells; categorical:
OneHotEncoder(handle_unknown="ignore") fitted on the non-empty training cells, an empty cell
encoded as all zeros, except with most_frequent, where SimpleImputer("most_frequent") fills it
first). The Swift test (ColumnPreprocessingTests) learns on train.csv, transforms new.csv and
compares.

    python3 scripts/make_preprocessing_fixture.py
"""
import csv
import os

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import OneHotEncoder

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "LearningTests", "Fixtures", "preprocessing")

HEADER = ["id", "plan", "region", "age", "spend", "label"]
TRAIN = [
    ["a1", "pro", "north", "34", "120.5", "yes"],
    ["a2", "basic", "south", "", "40.25", "no"],
    ["a3", "enterprise", "", "51", "300", "yes"],
    ["a4", "basic", "north", "29", "", "no"],
    ["a5", "pro", "east", "", "99.75", "yes"],
    ["a6", "basic", "south", "45", "55", "no"],
    ["a7", "", "north", "38", "61.5", "no"],
    ["a8", "pro", "east", "62", "150", "yes"],
    ["a9", "basic", "north", "29", "42", "no"],
]
NEW = [
    ["b1", "basic", "west", "40", "70", "no"],
    ["b2", "platinum", "north", "", "", "yes"],
    ["b3", "", "", "33", "88.5", "no"],
    ["b4", "pro", "south", "70", "12", "yes"],
]
CATEGORICAL = ["plan", "region"]
NUMERIC = ["age", "spend"]


def column(rows, name):
    return [r[HEADER.index(name)] for r in rows]


def transform(strategy):
    names, blocks = [], []
    for name in HEADER[1:-1]:
        train, new = column(TRAIN, name), column(NEW, name)
        if name in NUMERIC:
            to_float = lambda cells: np.array([[float(c) if c else np.nan] for c in cells])
            imp = SimpleImputer(strategy=strategy, add_indicator=True).fit(to_float(train))
            out = imp.transform(to_float(new))
            names += [name] + ([name + "=missing"] if out.shape[1] == 2 else [])
            blocks.append(out)
        else:
            seen = np.array([[c] for c in train if c], dtype=object)
            enc = OneHotEncoder(handle_unknown="ignore").fit(seen)
            cells = np.array([[c] for c in new], dtype=object)
            if strategy == "most_frequent":
                fill = SimpleImputer(strategy="most_frequent", missing_values="").fit(
                    np.array([[c] for c in train], dtype=object))
                cells = fill.transform(cells)
            else:
                cells = np.where(cells == "", "\x00never seen\x00", cells)
            blocks.append(enc.transform(cells).toarray())
            names += [name + "=" + c for c in enc.categories_[0]]
    return names, np.hstack(blocks)


def main():
    os.makedirs(OUT, exist_ok=True)
    for file, rows in [("train.csv", TRAIN), ("new.csv", NEW)]:
        with open(os.path.join(OUT, file), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(HEADER)
            w.writerows(rows)
    for strategy in ["mean", "median", "most_frequent"]:
        names, values = transform(strategy)
        with open(os.path.join(OUT, f"expected_{strategy}.csv"), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(names)
            for row in values:
                w.writerow([repr(float(v)) for v in row])


if __name__ == "__main__":
    main()
