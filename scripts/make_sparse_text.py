#!/usr/bin/env python3
"""Writes the sparse benchmark sets of issue 16 as LIBSVM files (seeded; the output is not committed).

S1, text-like: 500,000 training + 100,000 test rows, d = 2^20 features ("words"), K = 20 classes,
about 60 words per row. Every word has a background frequency that falls with its rank as in
Zipf's law, 1 / (rank + 10)^1.1. Each class has a topic: 4,000 words (drawn by the same law, so
common words belong to several topics and topics overlap) with their own Zipf-like weights. A row
of class c draws each word with probability 0.22 from topic c, 0.12 from one other topic chosen
per row (a second subject that blurs the classes), else from the background. A feature's value is
the word's count in the row (--tfidf: the count times log(N / document frequency), rounded to 4
digits). Feature ranks are mapped to indices by a seeded permutation, so frequent words are spread
over the whole index range.

S2, click-like: 2,000,000 training + 400,000 test rows, d = 2^18, K = 2, 30 binary features per
row: one value from each of 30 fields (each field owns a band of 8,738 indices and draws its value
by a Zipf-like law). The label is drawn from a logistic model with Gaussian weights on the values
(and an offset that leaves about 30% positives), so no model can be right on every row.

Both are written by numpy's PCG64 generator from --seed; the same arguments write the same bytes.

Usage: python3 scripts/make_sparse_text.py [--set s1|s2|all] [--rows N] [--test-rows N]
       [--tfidf] [--seed N] [--out FOLDER]
Writes FOLDER/s1-train.svm, s1-test.svm (and/or s2-...); --rows shrinks a set for smoke runs.
"""
import argparse
import os
import sys
import time

import numpy as np


def zipf_cdf(count, shift=10.0, power=1.1):
    """The cumulative distribution of a rank law with weight 1 / (rank + shift)^power."""
    w = 1.0 / (np.arange(count, dtype=np.float64) + shift) ** power
    c = np.cumsum(w)
    return c / c[-1]


def draw(rng, cdf, size):
    """Ranks drawn from the distribution `cdf` (inverse transform)."""
    return np.minimum(np.searchsorted(cdf, rng.random(size), side="right"), len(cdf) - 1)


def write_rows(path, labels, offsets, columns, values, header):
    """Writes CSR rows as LIBSVM lines: 1-based indices; integer values written as integers."""
    integral = values.dtype.kind in "iu"
    with open(path, "w", newline="\n") as f:
        f.write(f"# {header}\n")
        step = 20000
        for start in range(0, len(labels), step):
            stop = min(start + step, len(labels))
            a, b = offsets[start], offsets[stop]
            cols = (columns[a:b] + 1).tolist()
            vals = values[a:b].tolist()
            if integral:
                pairs = [f"{c}:{v}" for c, v in zip(cols, vals)]
            else:
                pairs = [f"{c}:{v:.4g}" for c, v in zip(cols, vals)]
            lab = labels[start:stop].tolist()
            off = (offsets[start:stop + 1] - a).tolist()
            f.write("".join(f"{lab[i]} {' '.join(pairs[off[i]:off[i + 1]])}\n" for i in range(stop - start)))


def make_s1(rng, train, test, tfidf, out):
    d, k, mean_len = 1 << 20, 20, 60
    topic_size, own_share, other_share = 4000, 0.22, 0.12
    background = zipf_cdf(d)
    permutation = rng.permutation(d)
    # Each topic: distinct words drawn by the background law, each with a Zipf-like weight.
    topics = []
    for _ in range(k):
        words = np.unique(draw(rng, background, topic_size * 3))[:topic_size]
        topics.append(rng.permutation(words))
    topic_cdf = zipf_cdf(topic_size, shift=5.0, power=0.9)
    n = train + test
    y = rng.integers(0, k, n)
    other = (y + rng.integers(1, k, n)) % k  # never the row's own class
    lengths = np.maximum(rng.poisson(mean_len, n), 5)
    total = int(lengths.sum())
    row = np.repeat(np.arange(n, dtype=np.int64), lengths)
    source = rng.random(total)
    ranks = draw(rng, background, total)
    topic_table = np.stack(topics)  # k x topic_size
    own = source < own_share
    ranks[own] = topic_table[y[row[own]], draw(rng, topic_cdf, int(own.sum()))]
    second = (source >= own_share) & (source < own_share + other_share)
    ranks[second] = topic_table[other[row[second]], draw(rng, topic_cdf, int(second.sum()))]
    keys, counts = np.unique(row * d + permutation[ranks], return_counts=True)
    rows_of, columns = keys // d, (keys % d).astype(np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows_of, minlength=n), out=offsets[1:])
    values = counts.astype(np.int64)
    if tfidf:
        df = np.bincount(columns[: offsets[train]], minlength=d)
        idf = np.log(train / np.maximum(df, 1))
        values = np.maximum(counts * idf[columns], 1e-4)
    labels = y + 1
    about = f"S1 text-like, d = 2^20, K = 20, {'tf-idf' if tfidf else 'term counts'}; scripts/make_sparse_text.py"
    a = offsets[train]
    write_rows(os.path.join(out, "s1-train.svm"), labels[:train], offsets[: train + 1], columns[:a], values[:a], about)
    write_rows(os.path.join(out, "s1-test.svm"), labels[train:], offsets[train:] - a, columns[a:], values[a:], about)


def make_s2(rng, train, test, out):
    d, fields = 1 << 18, 30
    band = d // fields
    n = train + test
    field_cdf = zipf_cdf(band, shift=2.0, power=1.2)
    weights = rng.normal(0.0, 0.45, d)
    values = np.empty((n, fields), dtype=np.int64)
    for f in range(fields):
        values[:, f] = f * band + rng.permutation(band)[draw(rng, field_cdf, n)]
    score = weights[values].sum(axis=1) - 1.3
    labels = (rng.random(n) < 1.0 / (1.0 + np.exp(-score))).astype(np.int64)
    columns = values.reshape(-1)
    ones = np.ones(n * fields, dtype=np.int64)
    offsets = np.arange(n + 1, dtype=np.int64) * fields
    about = "S2 click-like, d = 2^18, K = 2, 30 binary features; scripts/make_sparse_text.py"
    a = offsets[train]
    write_rows(os.path.join(out, "s2-train.svm"), labels[:train], offsets[: train + 1], columns[:a], ones[:a], about)
    write_rows(os.path.join(out, "s2-test.svm"), labels[train:], offsets[train:] - a, columns[a:], ones[a:], about)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--set", choices=["s1", "s2", "all"], default="all")
    p.add_argument("--rows", type=int, help="training rows (default: 500,000 for S1, 2,000,000 for S2)")
    p.add_argument("--test-rows", type=int, help="test rows (default: a fifth of the training rows)")
    p.add_argument("--tfidf", action="store_true", help="S1 values as tf-idf instead of term counts")
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--out", default="data/sparse")
    a = p.parse_args()
    if a.rows is not None and a.rows < 1 or a.test_rows is not None and a.test_rows < 1:
        sys.exit("make_sparse_text.py: --rows and --test-rows must be positive")
    os.makedirs(a.out, exist_ok=True)
    for name in (["s1", "s2"] if a.set == "all" else [a.set]):
        started = time.time()
        train = a.rows or (500_000 if name == "s1" else 2_000_000)
        test = a.test_rows or max(1, train // 5)
        rng = np.random.Generator(np.random.PCG64([a.seed, 1 if name == "s1" else 2]))
        if name == "s1":
            make_s1(rng, train, test, a.tfidf, a.out)
        else:
            make_s2(rng, train, test, a.out)
        print(f"{name}: {train} training and {test} test rows in {a.out} ({time.time() - started:.1f} s)")


if __name__ == "__main__":
    main()
