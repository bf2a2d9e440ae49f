#!/usr/bin/env python3
"""Check that two minibatch binaries train the same models, bit for bit.

    scripts/compare-model-bits.py OLD_BINARY NEW_BINARY [--quick] [--keep] [--variants] [--config FILE ...]

For every config in configs/*.json (or the ones named with --config; with --variants also
variants that switch on the training options the shipped configs leave off), from the repository
root:

  * trains it with OLD at 2 workers, and with NEW at 2 and at 1 workers, each into its own
    temporary output folder (--out; the config file itself is not touched);
  * compares the model files' contents: every top-level key of model.json except "config"
    (it holds the output folder and the worker count) and "metrics" (timings, the model's
    path, the worker count). That is the parameters (weights and bias, or an MLP's layers),
    the scaler, classes and feature names, the "training" block (epochs, steps, stop reason,
    split sizes) and the "evaluation" block. Numbers are compared by their bits (as float64,
    which holds the exact decimal of every float32 the model file writes), so 0.0 and -0.0
    differ;
  * runs each binary's `predict --proba` with its own model on the config's training data
    (and test data, when the config names a test file), and compares the two CSV outputs
    byte for byte. The data's path and format come from the config: CSV, .npy (an array
    holding its labels in data.label_column gets a temporary copy without that column) or
    LIBSVM. Synthetic data (data.synthetic) has no file: those models are compared through
    their model file and through predictions on a fixed probe CSV of 256 pseudo-random rows
    over the model's feature names.

It prints one line per config for OLD vs NEW and one per config for NEW at 1 vs 2 workers
(the project promises the same bits for any worker count): "same", or "DIFFERENT" with the
first difference (the model file key path, or the predict output's first differing line).

  --quick       pass --epochs 5 to every training run (`minibatch train` has --epochs; the
                configs are not edited). Both binaries get the same cap, so the check still
                compares like with like, on shorter runs.
  --epochs N    the same with another cap.
  --keep        keep the temporary folder and print its path.
  --config FILE only this config (repeatable).

Exit status: 0 all same; 1 something differs; 2 bad usage, or a binary failed to train or
predict (the last lines of its stderr are printed).
"""

import argparse
import ast
import glob
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Keys of model.json that are not compared: "config" holds the output folder and the
# worker count, "metrics" timings, the model's path and the worker count.
SKIPPED_MODEL_KEYS = ("config", "metrics")
# Compared first, so that a difference is reported where it starts.
PARAMETER_KEYS = ("weights", "bias", "layers", "scaler", "classes", "feature_names")

PROBE_ROWS = 256
QUICK_EPOCHS = 5


class RunError(Exception):
    """A binary exited non-zero."""


def run(argv, what):
    proc = subprocess.run(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
        raise RunError("%s exited %d: %s" % (what, proc.returncode, " | ".join(tail)))
    return proc.stdout


def train(binary, config, out, workers, epochs):
    argv = [binary, "train", "--config", config, "--out", out, "--workers", str(workers),
            "--quiet"]
    if epochs is not None:
        argv += ["--epochs", str(epochs)]
    run(argv, "%s train --workers %d" % (os.path.basename(binary), workers))
    return os.path.join(out, "model.json")


def predict(binary, model, data, fmt):
    argv = [binary, "predict", "--model", model, "--data", data, "--proba"]
    if fmt is not None:
        argv += ["--format", fmt]
    return run(argv, "%s predict on %s" % (os.path.basename(binary), os.path.relpath(data, REPO)))


# ---------------------------------------------------------------------------- model files

def load_model(path):
    with open(path, "r", encoding="utf-8") as f:
        model = json.load(f)
    return {k: v for k, v in model.items() if k not in SKIPPED_MODEL_KEYS}


def number_bits(x):
    return struct.pack("<d", float(x))


def first_difference(a, b, names, path="model.json"):
    """The first place where a and b differ, or None. Depth first, keys in sorted order,
    except that the model file's parameters come first (PARAMETER_KEYS)."""
    na, nb = names
    a_num = isinstance(a, (int, float)) and not isinstance(a, bool)
    b_num = isinstance(b, (int, float)) and not isinstance(b, bool)
    if a_num and b_num:
        if isinstance(a, int) and isinstance(b, int):
            same = a == b
        else:
            same = number_bits(a) == number_bits(b)
        return None if same else "%s: %s %r, %s %r" % (path, na, a, nb, b)
    if type(a) is not type(b):
        return "%s: %s %s, %s %s" % (path, na, short(a), nb, short(b))
    if isinstance(a, dict):
        keys = sorted(set(a) | set(b))
        if path == "model.json":
            keys = [k for k in PARAMETER_KEYS if k in keys] + \
                   [k for k in keys if k not in PARAMETER_KEYS]
        for key in keys:
            if key not in a or key not in b:
                return "%s.%s: only in %s" % (path, key, na if key in a else nb)
            d = first_difference(a[key], b[key], names, "%s.%s" % (path, key))
            if d:
                return d
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, names, "%s[%d]" % (path, i))
            if d:
                return d
        if len(a) != len(b):
            return "%s: length %s %d, %s %d" % (path, na, len(a), nb, len(b))
        return None
    return None if a == b else "%s: %s %s, %s %s" % (path, na, short(a), nb, short(b))


def short(x, width=60):
    text = json.dumps(x)
    return text if len(text) <= width else text[:width - 3] + "..."


def first_line_difference(a, b, names, label):
    """The first differing line of two predict outputs (bytes), or None when identical."""
    if a == b:
        return None
    na, nb = names
    la, lb = a.split(b"\n"), b.split(b"\n")
    for i, (x, y) in enumerate(zip(la, lb)):
        if x != y:
            return "%s line %d: %s %s, %s %s" % (label, i + 1, na, shorten(x), nb, shorten(y))
    return "%s: %s %d lines, %s %d" % (label, na, len(la), nb, len(lb))


def shorten(line, width=70):
    text = line.decode("utf-8", "replace")
    return repr(text if len(text) <= width else text[:width - 3] + "...")


# ---------------------------------------------------------------------------- data to predict

def resolve(config_path, path):
    if os.path.isabs(path):
        return path
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(config_path)), path))


def data_format(path, fmt):
    """The format minibatch reads path in: data.format, or by extension as docs/config.md says."""
    if fmt and fmt != "auto":
        return fmt
    ext = os.path.splitext(path)[1].lower()
    if ext == ".npy":
        return "npy"
    if ext in (".svm", ".libsvm", ".svmlight"):
        return "libsvm"
    return "csv"


def npy_without_column(src, column, dst):
    """Copy a C-order 2-D .npy array without one column (the labels), as raw bytes."""
    with open(src, "rb") as f:
        blob = f.read()
    if blob[:6] != b"\x93NUMPY":
        raise RunError("%s: not a .npy file" % src)
    major = blob[6]
    if major == 1:
        (hlen,), start = struct.unpack("<H", blob[8:10]), 10
    else:
        (hlen,), start = struct.unpack("<I", blob[8:12]), 12
    header = ast.literal_eval(blob[start:start + hlen].decode("utf-8"))
    descr, shape = header["descr"], header["shape"]
    m = re.match(r"^[<>|=]?[fiub](\d+)$", descr) if isinstance(descr, str) else None
    if not m or header.get("fortran_order") or len(shape) != 2:
        raise RunError("%s: only C-order 2-D numeric arrays are handled here" % src)
    item = int(m.group(1))
    n, d = shape
    if column < 0:
        column += d
    row = d * item
    body = blob[start + hlen:start + hlen + n * row]
    cut = bytearray()
    for r in range(n):
        line = body[r * row:(r + 1) * row]
        cut += line[:column * item] + line[(column + 1) * item:]
    text = "{'descr': %r, 'fortran_order': False, 'shape': (%d, %d), }" % (descr, n, d - 1)
    pad = 64 - (10 + len(text) + 1) % 64
    text = text + " " * (pad % 64) + "\n"
    with open(dst, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin-1"))
        f.write(bytes(cut))


def probe_csv(feature_names, dst):
    """PROBE_ROWS rows of values in [-4, 4) from a fixed 64-bit LCG, over the given columns."""
    state = 0x9E3779B97F4A7C15
    with open(dst, "w", encoding="utf-8") as f:
        f.write(",".join(feature_names) + "\n")
        for _ in range(PROBE_ROWS):
            values = []
            for _ in feature_names:
                state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
                values.append("%.6f" % ((state >> 11) / float(1 << 53) * 8.0 - 4.0))
            f.write(",".join(values) + "\n")


def prediction_inputs(config_path, config, model_file, scratch):
    """(label, path, format, description) of every file to predict on, per the config."""
    data = config.get("data", {})
    if data.get("synthetic") and not data.get("train"):
        with open(model_file, "r", encoding="utf-8") as f:
            names = json.load(f)["feature_names"]
        probe = os.path.join(scratch, "probe.csv")
        probe_csv(names, probe)
        return [("probe", probe, "csv", "%d fixed rows" % PROBE_ROWS)]
    inputs = []
    for key in ("train", "test"):
        if not data.get(key):
            continue
        path = resolve(config_path, data[key])
        fmt = data_format(path, data.get("format"))
        shown = os.path.relpath(path, REPO)
        if fmt == "npy" and data.get("label_column") is not None:
            stripped = os.path.join(scratch, "%s-features.npy" % key)
            npy_without_column(path, int(data["label_column"]), stripped)
            path = stripped
            shown += " without column %d" % int(data["label_column"])
        inputs.append((key, path, fmt, shown))
    return inputs


# ---------------------------------------------------------------------------- the checks

def compare(side_a, side_b, inputs, names):
    """(binary, model) x 2: None when the model files and every prediction agree."""
    (bin_a, model_a), (bin_b, model_b) = side_a, side_b
    d = first_difference(load_model(model_a), load_model(model_b), names)
    if d:
        return d
    for label, path, fmt, _ in inputs:
        d = first_line_difference(predict(bin_a, model_a, path, fmt),
                                  predict(bin_b, model_b, path, fmt),
                                  names, "predict %s" % label)
        if d:
            return d
    return None


def describe(inputs):
    parts = ["%s: %s" % (label, shown) for label, _, _, shown in inputs]
    return "model file + predict --proba (%s)" % ", ".join(parts)


# Training options the shipped configs do not use, as (base config, name, training keys).
VARIANTS = [
    ("digits", "adam", {"optimizer": "adam", "eta0": 0.001, "learning_rate": "constant", "epochs": 8}),
    ("digits", "nesterov", {"momentum": 0.9, "nesterov": True, "learning_rate": "constant", "eta0": 0.01, "epochs": 8}),
    ("digits", "l1", {"penalty": "l1", "alpha": 0.001, "epochs": 8}),
    ("digits", "elasticnet-average", {"penalty": "elasticnet", "alpha": 0.001, "average": 10, "epochs": 8}),
    ("digits", "early-adaptive", {"early_stopping": True, "learning_rate": "adaptive", "eta0": 0.1, "tol": 0.01,
                                  "n_iter_no_change": 2, "epochs": 30}),
    ("digits", "balanced-invscaling", {"class_weight": "balanced", "learning_rate": "invscaling", "eta0": 0.5,
                                       "epochs": 8}),
    ("digits-mlp", "adam-average", {"optimizer": "adam", "momentum": 0, "nesterov": False, "eta0": 0.001,
                                    "learning_rate": "constant", "epochs": 5, "average": True}),
    ("sparse-example", "l1", {"penalty": "l1", "alpha": 0.0005}),
    ("sparse-example", "elasticnet", {"penalty": "elasticnet", "alpha": 0.001, "epochs": 6}),
    ("sparse-example", "early-adaptive", {"early_stopping": True, "learning_rate": "adaptive", "tol": 0.01,
                                          "n_iter_no_change": 1}),
]


def write_variants(folder):
    """Writes the VARIANTS as configs in `folder` (data paths made absolute); returns their paths."""
    paths = []
    for base, name, training in VARIANTS:
        with open(os.path.join(REPO, "configs", base + ".json"), encoding="utf-8") as f:
            config = json.load(f)
        data = config.get("data", {})
        for key in ("train", "test", "train_labels", "test_labels", "train_weights"):
            if data.get(key):
                data[key] = os.path.normpath(os.path.join(REPO, "configs", data[key]))
        config.pop("output", None)
        config.setdefault("training", {}).update(training)
        path = os.path.join(folder, "%s-%s.json" % (base, name))
        with open(path, "w", encoding="utf-8") as f:
            json.dump(config, f)
        paths.append(path)
    return paths


def main():
    parser = argparse.ArgumentParser(
        description="Train every config with two minibatch binaries and compare the models "
                    "and their predictions bit for bit (see the file's docstring).")
    parser.add_argument("old", help="the old minibatch binary")
    parser.add_argument("new", help="the new minibatch binary")
    parser.add_argument("--quick", action="store_true",
                        help="cap training at %d epochs (train --epochs)" % QUICK_EPOCHS)
    parser.add_argument("--epochs", type=int, help="cap training at this many epochs")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--config", action="append", help="only this config (repeatable)")
    parser.add_argument("--variants", action="store_true",
                        help="also train variants of digits, digits-mlp and sparse-example that switch on the "
                             "options the shipped configs leave off (adam, momentum, l1, elasticnet, average, "
                             "early stopping, adaptive, class weights)")
    args = parser.parse_args()

    old, new = os.path.abspath(args.old), os.path.abspath(args.new)
    for b in (old, new):
        if not (os.path.isfile(b) and os.access(b, os.X_OK)):
            parser.error("%s: not an executable file" % b)
    epochs = args.epochs if args.epochs is not None else (QUICK_EPOCHS if args.quick else None)
    if args.config:
        for c in args.config:
            if not os.path.isfile(c):
                parser.error("%s: no such config file" % c)
        configs = [os.path.relpath(os.path.abspath(c), REPO) for c in args.config]
    else:
        # configs/ also holds search grids (digits-grid.json, ...): a training config has "data".
        def is_training_config(path):
            try:
                with open(path) as f:
                    return "data" in json.load(f)
            except (OSError, ValueError, TypeError):
                return False
        configs = sorted(os.path.relpath(c, REPO) for c in glob.glob(os.path.join(REPO, "configs", "*.json"))
                         if is_training_config(c))
    if not configs:
        parser.error("no configs found")

    os.chdir(REPO)
    variants_root = tempfile.mkdtemp(prefix="compare-model-bits-variants.") if args.variants else None
    if variants_root:
        configs += write_variants(variants_root)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode().strip()
    print("old: %s" % old)
    print("new: %s" % new)
    print("repo: %s at %s%s" % (REPO, commit or "?",
                                 ", epochs capped at %d" % epochs if epochs is not None else ""))

    scratch_root = tempfile.mkdtemp(prefix="compare-model-bits.")
    width = max(len(os.path.splitext(os.path.basename(c))[0]) for c in configs)
    differ = failed = False
    worker_lines = []
    print("\nold vs new (2 workers):")
    try:
        for config_path in configs:
            name = os.path.splitext(os.path.basename(config_path))[0]
            scratch = os.path.join(scratch_root, name)
            os.makedirs(scratch)
            try:
                with open(config_path, "r", encoding="utf-8") as f:
                    config = json.load(f)
                m_old = train(old, config_path, os.path.join(scratch, "old-2w"), 2, epochs)
                m_new = train(new, config_path, os.path.join(scratch, "new-2w"), 2, epochs)
                inputs = prediction_inputs(config_path, config, m_new, scratch)
                d = compare((old, m_old), (new, m_new), inputs, ("old", "new"))
                print("%-*s  %s" % (width, name, "same       " + describe(inputs) if d is None
                                    else "DIFFERENT  " + d))
                differ |= d is not None

                m_new1 = train(new, config_path, os.path.join(scratch, "new-1w"), 1, epochs)
                d = compare((new, m_new1), (new, m_new), inputs, ("1 worker", "2 workers"))
                worker_lines.append("%-*s  %s" % (width, name, "same" if d is None
                                                  else "DIFFERENT  " + d))
                differ |= d is not None
            except (RunError, OSError, ValueError, KeyError) as e:
                print("%-*s  ERROR      %s" % (width, name, e))
                worker_lines.append("%-*s  ERROR (see above)" % (width, name))
                failed = True
        print("\nnew at 1 vs 2 workers:")
        for line in worker_lines:
            print(line)
    finally:
        if args.keep:
            print("\nkept: %s" % scratch_root)
        else:
            shutil.rmtree(scratch_root, ignore_errors=True)
            if variants_root:
                shutil.rmtree(variants_root, ignore_errors=True)

    if failed:
        print("\nresult: ERROR (a run failed)")
        return 2
    print("\nresult: %s" % ("DIFFERENT" if differ else "all same"))
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
