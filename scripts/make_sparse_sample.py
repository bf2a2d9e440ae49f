#!/usr/bin/env python3
"""Writes data/topics-train.svm and data/topics-test.svm: a small, made-up LIBSVM data set.

Three "topics" (labels 1, 2, 3) over a vocabulary of 2,000 "words" (features 1..2000). Each
topic owns 60 words (features 1-60, 61-120, 121-180); a row is a bag of 4 to 12 words, each
drawn with probability 0.3 from its topic's own words and otherwise from the whole
vocabulary, and a feature's value is the word's count in the bag. Nothing is copied from anywhere: the numbers come from
Python's Mersenne Twister seeded with 2024 (only random.random() is used, whose sequence is
the same on every Python 3), so running the script again writes the same bytes.

Usage: python3 scripts/make_sparse_sample.py [OUTPUT_FOLDER]   (default: data/)
"""
import os
import random
import sys

VOCABULARY = 2000
TOPICS = 3
TOPIC_WORDS = 60


def draw(rng, below):
    """A uniform integer in [0, below)."""
    return min(int(rng.random() * below), below - 1)


def row(rng, topic):
    counts = {}
    for _ in range(4 + draw(rng, 9)):
        if rng.random() < 0.3:
            word = topic * TOPIC_WORDS + draw(rng, TOPIC_WORDS)
        else:
            word = draw(rng, VOCABULARY)
        counts[word + 1] = counts.get(word + 1, 0) + 1
    return " ".join(f"{i}:{counts[i]}" for i in sorted(counts))


def write(path, rng, rows, title):
    with open(path, "w", newline="\n") as f:
        f.write(f"# {title}: made-up bags of words, written by scripts/make_sparse_sample.py\n")
        for i in range(rows):
            topic = i % TOPICS
            f.write(f"{topic + 1} {row(rng, topic)}\n")


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "data")
    rng = random.Random(2024)
    write(os.path.join(folder, "topics-train.svm"), rng, 600, "training rows")
    write(os.path.join(folder, "topics-test.svm"), rng, 150, "test rows")


if __name__ == "__main__":
    main()
