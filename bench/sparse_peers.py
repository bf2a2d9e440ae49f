#!/usr/bin/env python3
"""Sparse benchmark: minibatch next to Vowpal Wabbit, LIBLINEAR-multicore and scikit-learn on
LIBSVM files (issue 16). Run it directly or as `python3 bench/peers.py --sparse ...`.

Workloads (written by scripts/make_sparse_text.py into the work folder when missing):
S1 text-like (500,000 + 100,000 rows, d = 2^20, K = 20, ~60 term counts per row) and S2
click-like (2,000,000 + 400,000 rows, d = 2^18, K = 2, 30 binary features per row).

Two measurements per workload, each system in its own subprocess (for its peak RSS):
- Load: the training file's parse rate in MB/s, `minibatch bench --load` (at each worker
  count) against scikit-learn's `load_svmlight_file` on the same file; medians of --repeats.
- Time to accuracy: the target is LIBLINEAR `-s 0` (l2 logistic regression, primal, default
  tolerance, `-m 2` threads, C = 1 / (n * alpha), bias term `-B 1`) test accuracy minus 0.5
  points. For each system, the training time (load excluded, reported apart) until the first
  epoch/pass whose test accuracy reaches the target: minibatch from its metrics.jsonl (the
  epochs' step seconds, test scoring excluded), VW per pass (`--save_per_pass` on a cache built
  beforehand; each pass's end from its model file's time stamp, each model scored on the test
  file afterwards), SGDClassifier(loss="log_loss", n_jobs=2) with one partial_fit per epoch.

    swift build -c release
    python3 scripts/make_sparse_text.py --out /tmp/minibatch-sparse   # optional: done on demand
    python3 bench/sparse_peers.py                 # S1 and S2, every system
    python3 bench/sparse_peers.py --quick         # small S1 and S2: a smoke run of a minute or two
    python3 bench/sparse_peers.py --markdown      # tables for docs/benchmarks.md

Needs: pip install numpy scipy scikit-learn vowpalwabbit liblinear-multicore
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The helpers the dense benchmark has too (bench/ is on the path when either script runs).
from peers import fmt_table, have

ROOT = Path(__file__).resolve().parent.parent
INSTALL_HINT = "pip install numpy scipy scikit-learn vowpalwabbit liblinear-multicore"

# minibatch's settings for the sparse runs: change them here; these are its LIBSVM defaults
# (docs/sparse.md). Every key goes to the config's "training" section as written.
MINIBATCH_TRAINING = {
    "optimizer": "adagrad",
    "learning_rate": "constant",
    "eta0": 0.03,
    "batch_size": 256,
    "epochs": 5,
}
MINIBATCH_STANDARDIZE = False   # data.standardize
ALPHA = 1e-6                    # l2 strength of every system; LIBLINEAR's C = 1 / (n * ALPHA)
VW_PASSES = 10                  # VW passes (each scored)
VW_BITS = 22                    # VW's -b: 2^22 weights per class slot, above both vocabularies
SGD_EPOCHS = 10                 # SGDClassifier partial_fit epochs (each scored)
LIBLINEAR_THREADS = 2           # LIBLINEAR's -m

# rows: training rows (test rows: a fifth); quick_rows for --quick.
WORKLOADS = {
    "S1": dict(title="S1: text-like, d = 2^20, K = 20, ~60 term counts per row", rows=500_000,
               quick_rows=20_000, set="s1"),
    "S2": dict(title="S2: click-like, d = 2^18, K = 2, 30 binary features per row", rows=2_000_000,
               quick_rows=40_000, set="s2"),
}
SYSTEMS = ("minibatch", "vw", "liblinear", "sklearn")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run_child(cmd, cwd=None):
    """Runs cmd to completion: (exit code, stdout, stderr, wall seconds, peak RSS in bytes of
    the child alone when GNU time is there, else wait4's figure, an upper bound)."""
    time_bin = "/usr/bin/time" if os.path.exists("/usr/bin/time") else None
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r", suffix=".rss") as rssfile:
        full = [str(c) for c in cmd]
        if time_bin:
            full = [time_bin, "-f", "%M", "-o", rssfile.name] + full
        started = time.perf_counter()
        p = subprocess.Popen(full, stdout=out, stderr=err, cwd=cwd)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - started
        rc = os.waitstatus_to_exitcode(status)
        rss = ru.ru_maxrss * 1024
        if time_bin:
            try:
                rss = int(open(rssfile.name).read().strip().splitlines()[-1]) * 1024
            except (ValueError, IndexError, OSError):
                pass
        out.seek(0)
        err.seek(0)
        return rc, out.read().decode(errors="replace"), err.read().decode(errors="replace"), wall, rss


def last_line(text, rc):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1] if lines else f"exit {rc}"


# ---------------------------------------------------------------------------------------------
# Python workers (run as `sparse_peers.py _worker KIND ...` in a subprocess)

def read_svm(path, n_features):
    from sklearn.datasets import load_svmlight_file
    X, y = load_svmlight_file(str(path), n_features=n_features, dtype="float64")
    return X, y


def worker_load(a):
    """Median seconds of load_svmlight_file on a.train."""
    from sklearn.datasets import load_svmlight_file
    times = []
    for _ in range(a.repeats):
        t = time.perf_counter()
        X, y = load_svmlight_file(a.train, dtype="float32")
        times.append(time.perf_counter() - t)
        del X, y
    return {"seconds": times}


def worker_liblinear(a):
    from liblinear import liblinearutil
    t = time.perf_counter()
    X, y = read_svm(a.train, a.features)
    Xt, yt = read_svm(a.test, a.features)
    load = time.perf_counter() - t
    c = 1.0 / (X.shape[0] * a.alpha)
    options = f"-s 0 -c {c!r} -B 1 -m {a.threads} -q"
    t = time.perf_counter()
    model = liblinearutil.train(y, X, options)
    seconds = time.perf_counter() - t
    labels, _, _ = liblinearutil.predict(yt, Xt, model, "-q")
    import numpy as np
    accuracy = float(np.mean(np.asarray(labels) == yt))
    return {"load_seconds": load, "epochs": [{"seconds": seconds, "test_accuracy": accuracy}],
            "options": options}


def worker_sklearn(a):
    import numpy as np
    from sklearn.linear_model import SGDClassifier
    t = time.perf_counter()
    X, y = read_svm(a.train, a.features)
    Xt, yt = read_svm(a.test, a.features)
    load = time.perf_counter() - t
    classes = np.unique(y)
    clf = SGDClassifier(loss="log_loss", alpha=a.alpha, n_jobs=a.threads, random_state=a.seed)
    rng = np.random.default_rng(a.seed)
    epochs = []
    for _ in range(a.epochs):
        order = rng.permutation(X.shape[0])  # partial_fit does not shuffle: one permutation per epoch
        Xe, ye = X[order], y[order]
        t = time.perf_counter()
        clf.partial_fit(Xe, ye, classes=classes)
        seconds = time.perf_counter() - t
        epochs.append({"seconds": seconds, "test_accuracy": float(clf.score(Xt, yt))})
    return {"load_seconds": load, "epochs": epochs}


WORKERS = {"load": worker_load, "liblinear": worker_liblinear, "sklearn": worker_sklearn}


def worker_main(argv):
    ap = argparse.ArgumentParser(prog="sparse_peers.py _worker")
    ap.add_argument("kind", choices=sorted(WORKERS))
    ap.add_argument("--train", required=True)
    ap.add_argument("--test")
    ap.add_argument("--features", type=int)
    ap.add_argument("--alpha", type=float, default=ALPHA)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    print(json.dumps(WORKERS[a.kind](a)))
    return 0


def run_worker(kind, args, **options):
    cmd = [sys.executable, str(Path(__file__).resolve()), "_worker", kind]
    for k, v in options.items():
        cmd += [f"--{k}", str(v)]
    rc, out, err, wall, rss = run_child(cmd)
    if rc != 0:
        return {"error": last_line(err or out, rc)}
    result = json.loads(last_line(out, rc))
    result["rss"] = rss
    return result


# ---------------------------------------------------------------------------------------------
# minibatch and Vowpal Wabbit

def minibatch_load(args, path, workers):
    rc, out, err, _, _ = run_child([args.minibatch, "bench", "--load", path, "--workers", workers,
                                    "--repeat", args.repeats, "--json"])
    if rc != 0:
        return {"error": last_line(err or out, rc)}
    return json.loads(last_line(out, rc))


def minibatch_train(args, w, files, workers):
    """Trains with the release binary; epochs from metrics.jsonl."""
    folder = files["folder"]
    out_dir = folder / f"out-minibatch-{w['key'].lower()}-{workers}"
    if out_dir.exists():
        shutil.rmtree(out_dir)
    training = dict(MINIBATCH_TRAINING)
    if args.epochs is not None:
        training["epochs"] = args.epochs
    training.update({"penalty": "l2", "alpha": ALPHA, "tol": None, "shuffle": True, "seed": args.seed})
    cfg = {"data": {"train": str(files["train"]), "test": str(files["test"]),
                    "features": files["features"], "standardize": MINIBATCH_STANDARDIZE},
           "training": training, "workers": workers, "output": {"dir": str(out_dir)}}
    cfg_path = folder / f"minibatch-{w['key'].lower()}.json"
    cfg_path.write_text(json.dumps(cfg, indent=2) + "\n")
    rc, out, err, _, rss = run_child([args.minibatch, "train", "--config", cfg_path, "--json", "--quiet"])
    if rc != 0:
        return {"error": last_line(err or out, rc)}
    summary = json.loads(last_line(out, rc))
    metrics = [json.loads(l) for l in (out_dir / "metrics.jsonl").read_text().splitlines() if l.strip()]
    epochs = [{"seconds": float(m["seconds"]), "test_accuracy": m.get("test_accuracy")} for m in metrics
              if "epoch" in m and "seconds" in m]
    if any(e["test_accuracy"] is None for e in epochs):
        log("minibatch: metrics.jsonl has no test accuracy per epoch; time to accuracy not available")
    return {"load_seconds": summary.get("load_seconds"), "epochs": epochs, "rss": rss,
            "rows_per_second": [float(m["samples_per_second"]) for m in metrics if "samples_per_second" in m]}


def vw_command():
    return [sys.executable, "-m", "vowpalwabbit"]


def to_vw(svm_path, vw_path, label_map):
    """LIBSVM -> VW text: 'LABEL |f INDEX:VALUE ...' with labels numbered 1..K (label_map)."""
    with open(svm_path) as src, open(vw_path, "w") as dst:
        for line in src:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            label, _, features = line.partition(" ")
            dst.write(f"{label_map[label]} |f {features}\n")


def vw_run(args, w, files):
    folder = files["folder"]
    labels = files["labels"]
    label_map = {lab: str(i + 1) for i, lab in enumerate(labels)}
    train_vw, test_vw = folder / "train.vw", folder / "test.vw"
    if not train_vw.exists() or train_vw.stat().st_mtime < files["train"].stat().st_mtime:
        to_vw(files["train"], train_vw, label_map)
        to_vw(files["test"], test_vw, label_map)
    cache = folder / "train.vw.cache"
    common = ["--oaa", len(labels), "--loss_function", "logistic", "-b", VW_BITS, "--holdout_off", "--quiet"]
    # The load: one pass that parses the text and writes the cache (that pass's time is VW's load).
    cache.unlink(missing_ok=True)
    rc, out, err, load, _ = run_child(vw_command() + ["-d", train_vw, "-c", "--cache_file", cache,
                                                      "--passes", 1, "-f", folder / "vw-load.model"] + common)
    if rc != 0:
        return {"error": last_line(err or out, rc)}
    # The process start (Python, the module, the weights) on an empty file: taken off the first pass.
    empty = folder / "empty.vw"
    empty.write_text("")
    rc, out, err, startup, _ = run_child(vw_command() + ["-d", empty] + common)
    if rc != 0:
        return {"error": last_line(err or out, rc)}
    passes = args.vw_passes
    model = folder / "vw.model"
    for old in glob.glob(f"{model}*"):
        os.remove(old)
    started = time.time()
    rc, out, err, wall, rss = run_child(vw_command() + ["--cache_file", cache, "--passes", passes,
                                                        "--save_per_pass", "-f", model] + common)
    if rc != 0:
        return {"error": last_line(err or out, rc)}
    # Each pass's model file, in pass order; a pass ends when its file is written.
    per_pass = sorted((p for p in glob.glob(f"{model}.*") if p.rsplit(".", 1)[1].isdigit()),
                      key=lambda p: int(p.rsplit(".", 1)[1]))
    epochs, previous = [], started + startup
    answer = {lab: i + 1 for i, lab in enumerate(labels)}
    truth = [answer[l.split("#", 1)[0].split()[0]] for l in open(files["test"]) if l.split("#", 1)[0].strip()]
    for path in per_pass:
        end = os.stat(path).st_mtime
        preds = folder / "vw.preds"
        rc2, out2, err2, _, _ = run_child(vw_command() + ["-t", "-i", path, "-d", test_vw, "-p", preds, "--quiet"])
        if rc2 != 0:
            return {"error": last_line(err2 or out2, rc2)}
        guessed = [int(float(l.split()[0])) for l in open(preds) if l.strip()]
        accuracy = sum(g == t for g, t in zip(guessed, truth)) / max(len(truth), 1)
        epochs.append({"seconds": max(end - previous, 0.0), "test_accuracy": accuracy})
        previous = end
    return {"load_seconds": load, "epochs": epochs, "rss": rss}


# ---------------------------------------------------------------------------------------------
# Data, tables

def ensure_data(args, w):
    folder = Path(args.work) / w["key"].lower()
    folder.mkdir(parents=True, exist_ok=True)
    rows = args.rows or (w["quick_rows"] if args.quick else w["rows"])
    train, test = folder / f"{w['set']}-train.svm", folder / f"{w['set']}-test.svm"
    stamp = folder / "rows.txt"
    if not (train.exists() and test.exists() and stamp.exists() and stamp.read_text().strip() == str(rows)):
        log(f"{w['key']}: writing {rows} training rows with scripts/make_sparse_text.py")
        subprocess.run([sys.executable, str(ROOT / "scripts/make_sparse_text.py"), "--set", w["set"],
                        "--rows", str(rows), "--out", str(folder), "--seed", str(args.data_seed)], check=True,
                       stdout=subprocess.DEVNULL)
        stamp.write_text(f"{rows}\n")
    labels, features = set(), 0
    for path in (train, test):
        with open(path) as f:
            for line in f:
                line = line.split("#", 1)[0].split()
                if line:
                    labels.add(line[0])
                    if len(line) > 1:
                        features = max(features, int(line[-1].split(":")[0]))
    d = {"s1": 1 << 20, "s2": 1 << 18}[w["set"]]
    return {"folder": folder, "train": train, "test": test, "rows": rows,
            "labels": sorted(labels, key=lambda s: float(s)), "features": max(features, d)}


def mib(nbytes):
    return f"{nbytes / 2**20:.0f} MiB" if nbytes else "—"


def time_to(epochs, target):
    """(seconds, epochs) until the first epoch whose test accuracy reaches target, or None."""
    total = 0.0
    for i, e in enumerate(epochs):
        total += e["seconds"]
        if e.get("test_accuracy") is not None and e["test_accuracy"] >= target:
            return total, i + 1
    return None


def bench_workload(key, args, emit):
    w = dict(WORKLOADS[key], key=key)
    files = ensure_data(args, w)
    size = files["train"].stat().st_size
    emit(f"\n### {w['title']}\n")
    emit(f"{files['rows']:,} training rows ({size / 1e6:.0f} MB), {files['features']:,} features, "
         f"{len(files['labels'])} classes; alpha = {ALPHA:g} (LIBLINEAR C = {1 / (files['rows'] * ALPHA):g}).\n")

    # Load.
    load_rows = []
    skl = None
    if "sklearn" not in args.skip:
        log(f"{key}: load_svmlight_file x{args.repeats}")
        skl = run_worker("load", args, train=files["train"], repeats=args.repeats)
        if "error" in skl:
            load_rows.append(["scikit-learn load_svmlight_file", "—", skl["error"], "", ""])
            skl = None
        else:
            s = statistics.median(skl["seconds"])
            load_rows.append(["scikit-learn load_svmlight_file", f"{s:.2f}", f"{size / 1e6 / s:.0f}", "1.0x",
                              mib(skl["rss"])])
    if "minibatch" not in args.skip:
        for workers in args.workers:
            log(f"{key}: minibatch bench --load at {workers} worker(s)")
            r = minibatch_load(args, files["train"], workers)
            if "error" in r:
                load_rows.append([f"minibatch, {workers} worker(s)", "—", r["error"], "", ""])
                continue
            s = r["median_seconds"]
            ratio = f"{statistics.median(skl['seconds']) / s:.1f}x" if skl else "—"
            load_rows.append([f"minibatch, {workers} worker(s)", f"{s:.2f}", f"{size / 1e6 / s:.0f}", ratio, "—"])
    emit(f"Load (read and parse the training file; median of {args.repeats}):\n")
    emit(fmt_table(["system", "seconds", "MB/s", "vs scikit-learn", "peak RSS"], load_rows, args.markdown))

    # Time to accuracy.
    results = []
    if "liblinear" not in args.skip:
        log(f"{key}: LIBLINEAR -s 0 -m {LIBLINEAR_THREADS}")
        results.append(("LIBLINEAR -s 0, -m %d" % LIBLINEAR_THREADS,
                        run_worker("liblinear", args, train=files["train"], test=files["test"],
                                   features=files["features"], alpha=ALPHA, threads=LIBLINEAR_THREADS)))
    if "minibatch" not in args.skip:
        for workers in args.workers:
            log(f"{key}: minibatch train at {workers} worker(s)")
            results.append((f"minibatch, {workers} worker(s)", minibatch_train(args, w, files, workers)))
    if "vw" not in args.skip:
        log(f"{key}: Vowpal Wabbit, {args.vw_passes} passes")
        results.append((f"Vowpal Wabbit --oaa {len(files['labels'])}", vw_run(args, w, files)))
    if "sklearn" not in args.skip:
        log(f"{key}: SGDClassifier, {args.sgd_epochs} epochs")
        results.append(("SGDClassifier, n_jobs=2",
                        run_worker("sklearn", args, train=files["train"], test=files["test"],
                                   features=files["features"], alpha=ALPHA, threads=2, epochs=args.sgd_epochs,
                                   seed=args.seed)))
    reference = next((r for name, r in results if name.startswith("LIBLINEAR") and "error" not in r), None)
    target = reference["epochs"][0]["test_accuracy"] - 0.005 if reference else None
    mb = [r for name, r in results if name.startswith("minibatch") and "error" not in r]
    mb_time = None
    if target is not None and mb:
        reached = [time_to(r["epochs"], target) for r in mb]
        reached = [t for t in reached if t]
        mb_time = min(t[0] for t in reached) if reached else None
    rows = []
    for name, r in results:
        if "error" in r:
            rows.append([name, "—", "—", "—", "—", "—", "—", r["error"]])
            continue
        epochs = r["epochs"]
        accs = [e["test_accuracy"] for e in epochs if e.get("test_accuracy") is not None]
        best = f"{max(accs):.4f}" if accs else "—"
        per_epoch = statistics.median([e["seconds"] for e in epochs]) if epochs else None
        hit = time_to(epochs, target) if target is not None else None
        to_target = f"{hit[0]:.2f} s ({hit[1]} ep.)" if hit else "not reached"
        ratio = f"{hit[0] / mb_time:.1f}x" if hit and mb_time else "—"
        load = r.get("load_seconds")
        rows.append([name, f"{load:.2f}" if load is not None else "—", f"{per_epoch:.3f}" if per_epoch else "—",
                     f"{files['rows'] / per_epoch:,.0f}" if per_epoch else "—", best, to_target, ratio,
                     mib(r.get("rss"))])
    emit("")
    emit(f"Time to accuracy: target {target:.4f} (LIBLINEAR's test accuracy - 0.005); seconds are training "
         "only, load apart; time vs minibatch's best worker count:\n" if target is not None else
         "Time to accuracy: no LIBLINEAR reference, so no target.\n")
    emit(fmt_table(["system", "load s", "s/epoch", "rows/s", "best test acc", "time to target", "vs minibatch",
                    "peak RSS"], rows, args.markdown))
    if len(mb) >= 2:
        one = statistics.median([e["seconds"] for e in mb[0]["epochs"]])
        many = statistics.median([e["seconds"] for e in mb[-1]["epochs"]])
        emit(f"\nminibatch {args.workers[0]} -> {args.workers[-1]} workers: {one / many:.2f}x per epoch (median epochs).")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_worker"]:
        return worker_main(argv[1:])
    ap = argparse.ArgumentParser(description="Sparse benchmark: minibatch next to Vowpal Wabbit, LIBLINEAR-"
                                 "multicore and scikit-learn on LIBSVM files (see bench/README.md).")
    ap.add_argument("--work", default="/tmp/minibatch-sparse", help="work folder for data and outputs "
                    "(default %(default)s)")
    ap.add_argument("--minibatch", default=str(ROOT / ".build/release/minibatch"),
                    help="the minibatch binary (default %(default)s)")
    ap.add_argument("--workloads", default="S1,S2", help="comma-separated: S1, S2 (default %(default)s)")
    ap.add_argument("--quick", action="store_true", help="small sets (S1 20,000 rows, S2 40,000) and few "
                    "epochs: a smoke run")
    ap.add_argument("--rows", type=int, default=None, help="training rows of every workload (overrides --quick)")
    ap.add_argument("--epochs", type=int, default=None, help="minibatch epochs (default: MINIBATCH_TRAINING)")
    ap.add_argument("--vw-passes", type=int, default=None, help=f"VW passes (default {VW_PASSES})")
    ap.add_argument("--sgd-epochs", type=int, default=None, help=f"SGDClassifier epochs (default {SGD_EPOCHS})")
    ap.add_argument("--workers", default="1,2", help="minibatch worker counts (default %(default)s)")
    ap.add_argument("--repeats", type=int, default=3, help="loads to take the median of (default %(default)s)")
    ap.add_argument("--skip", action="append", default=[],
                    help=f"system(s) to leave out, repeatable or comma-separated: {', '.join(SYSTEMS)}")
    ap.add_argument("--seed", type=int, default=0, help="shuffle seed of every system")
    ap.add_argument("--data-seed", type=int, default=16, help="seed of the generated data")
    ap.add_argument("--markdown", action="store_true", help="print Markdown for docs/benchmarks.md")
    args = ap.parse_args(argv)
    args.skip = {s.strip() for item in args.skip for s in item.split(",") if s.strip()}
    if args.skip - set(SYSTEMS):
        ap.error(f"--skip: unknown system(s) {', '.join(sorted(args.skip - set(SYSTEMS)))}; known: {', '.join(SYSTEMS)}")
    args.workers = [int(x) for x in args.workers.split(",") if x.strip()]
    if args.quick:
        args.epochs = args.epochs or 3
        args.repeats = min(args.repeats, 2)
    args.vw_passes = args.vw_passes or (3 if args.quick else VW_PASSES)
    args.sgd_epochs = args.sgd_epochs or (3 if args.quick else SGD_EPOCHS)
    workloads = [x.strip().upper() for x in args.workloads.split(",") if x.strip()]
    for k in workloads:
        if k not in WORKLOADS:
            ap.error(f"--workloads: unknown workload {k}; known: {', '.join(WORKLOADS)}")
    if not have("numpy"):
        print(f"numpy is needed to generate the data: {INSTALL_HINT}", file=sys.stderr)
        return 2
    needs = {"vw": "vowpalwabbit", "liblinear": "liblinear", "sklearn": "sklearn"}
    for system, module in needs.items():
        if system not in args.skip and not have(module):
            log(f"{system}: {module} not installed; skipping it ({INSTALL_HINT})")
            args.skip.add(system)
    if "liblinear" not in args.skip and not have("sklearn"):
        log("liblinear: its worker reads the files with scikit-learn, which is not installed; skipping it")
        args.skip.add("liblinear")
    args.minibatch = str(Path(args.minibatch).absolute())
    if "minibatch" not in args.skip and not Path(args.minibatch).exists():
        log(f"{args.minibatch} not found: run `swift build -c release` first (or pass --minibatch PATH)")
        args.skip.add("minibatch")
    Path(args.work).mkdir(parents=True, exist_ok=True)
    report = []
    emit = report.append
    emit(f"Sparse benchmark, {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores"
         + (" (--quick: small sets, a smoke run, not a measurement)" if args.quick else ""))
    emit(f"minibatch training: {json.dumps(MINIBATCH_TRAINING)}, standardize {str(MINIBATCH_STANDARDIZE).lower()}, "
         f"alpha {ALPHA:g}" + (f", epochs {args.epochs}" if args.epochs else ""))
    for k in workloads:
        bench_workload(k, args, emit)
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
