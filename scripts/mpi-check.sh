#!/usr/bin/env bash
# Several ranks give the one-process bits. Builds minibatch with the MPI trait (into
# .build-mpi) and checks, on this machine's loopback:
#   1. a softmax (CSV), an MLP (synthetic) and a momentum model on .npy data trained by
#      mpirun -np 2, 3 and 4 (1 or 2 workers per rank)
#      predict byte for byte what one process without mpirun predicts;
#   2. --checkpoint-every under 2 ranks, then --resume under 3, and SIGTERM to the ranks of 2,
#      then --resume under 4, give the uninterrupted bits;
#   3. a rank killed mid-run (rank 1, then rank 0) ends the job in bounded time with a
#      non-zero exit and no model.json, metrics.jsonl or temporary file;
#   4. LIBSVM data under mpirun is refused naming data.train; a build without the trait refuses
#      to run as one of several ranks.
# Installs Open MPI from Debian when it is missing (apt-get; needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if ! command -v mpirun >/dev/null || ! pkg-config --exists ompi 2>/dev/null; then
    echo "== installing Open MPI (libopenmpi-dev openmpi-bin pkg-config)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenmpi-dev openmpi-bin pkg-config >/dev/null
fi
echo "== build with the MPI trait: swift build --traits MPI --build-path .build-mpi"
swift build --traits MPI --build-path .build-mpi 2>&1 | tail -n 1
mb="$root/.build-mpi/debug/minibatch"
ldd "$mb" | grep -q libmpi || { echo "FAIL: the MPI build does not link libmpi"; exit 1; }
# The default build (when there is one) links nothing of MPI.
if [ -x .build/debug/minibatch ] && ldd .build/debug/minibatch | grep -q libmpi; then
    echo "FAIL: the default build links libmpi"; exit 1
fi

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# TCP over loopback (and self); ob1 instead of UCX, which Debian's build also has.
mpi=(mpirun --oversubscribe --mca pml ob1 --mca btl self,tcp --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }

cat > softmax.json <<JSON
{"data": {"train": "$root/data/digits.csv", "label": "label", "test_fraction": 0.2},
 "model": {"type": "softmax"},
 "training": {"batch_size": 256, "epochs": 5, "learning_rate": "constant", "eta0": 0.1, "alpha": 0.001,
              "penalty": "elasticnet", "tol": null, "seed": 3}}
JSON
cat > mlp.json <<JSON
{"data": {"synthetic": {"samples": 6000, "features": 32, "classes": 4, "noise": 4, "seed": 4}, "test_fraction": 0.2},
 "model": {"type": "mlp", "hidden": [48, 16], "activation": "tanh"},
 "training": {"epochs": 12, "tol": null, "batch_size": 100, "optimizer": "adam", "learning_rate": "constant",
              "eta0": 0.002, "seed": 2}}
JSON

# .npy features and labels (written without numpy): 2 classes in 12 features, float32.
python3 - "$work" <<'PY'
import math, random, struct, sys
random.seed(5)
n, d = 900, 12
def npy(path, descr, shape, payload):
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload)
ys = [i % 2 for i in range(n)]
xs = [y * (1.0 if j % 2 else -0.5) + math.sin(i + 3 * j) + random.gauss(0, 1) for i, y in enumerate(ys) for j in range(d)]
npy(sys.argv[1] + "/x.npy", "<f4", "(%d, %d)" % (n, d), struct.pack("<%df" % len(xs), *xs))
npy(sys.argv[1] + "/y.npy", "<i8", "(%d,)" % n, struct.pack("<%dq" % n, *ys))
with open(sys.argv[1] + "/npy-rows.csv", "w") as f:
    f.write(",".join("f%d" % j for j in range(d)) + "\n")
    for i in range(200):
        f.write(",".join("%.5f" % xs[i * d + j] for j in range(d)) + "\n")
PY
cat > npy.json <<JSON
{"data": {"train": "$work/x.npy", "train_labels": "$work/y.npy", "test_fraction": 0.2},
 "model": {"type": "logistic"},
 "training": {"batch_size": 64, "epochs": 6, "learning_rate": "invscaling", "eta0": 0.2, "momentum": 0.9,
              "nesterov": true, "tol": null, "seed": 5}}
JSON

probe_data() {  # rows to predict for a config's model
    case $1 in
        softmax) echo "$root/data/digits.csv" ;;
        mlp) echo "$work/mlp-rows.csv" ;;
        npy) echo "$work/npy-rows.csv" ;;
    esac
}
# The MLP trains on synthetic rows that are never written out: predict on seeded random rows
# of the same width.
python3 - "$work/mlp-rows.csv" <<'PY'
import random, sys
random.seed(7)
with open(sys.argv[1], "w") as f:
    f.write(",".join(f"x{j}" for j in range(32)) + "\n")
    for _ in range(500):
        f.write(",".join(f"{random.gauss(0, 3):.5f}" for _ in range(32)) + "\n")
PY

echo "== 1. mpirun -np 2, 3, 4 against one process"
for cfg in softmax mlp npy; do
    "$mb" train --config $cfg.json --out $cfg-one --quiet >/dev/null
    "$mb" predict --model $cfg-one/model.json --data "$(probe_data $cfg)" --proba > $cfg-one.csv
    for run in "2 1" "2 2" "3 1" "4 1"; do
        set -- $run
        out=$cfg-np$1-w$2
        timeout 300 "${mpi[@]}" -np $1 "$mb" train --config $cfg.json --out $out --workers $2 --quiet > /dev/null 2> $out.err \
            || { cat $out.err; fail "$cfg: mpirun -np $1 failed"; }
        head -n 1 $out.err | grep -q "MPI job: $1 ranks x $2 worker" || fail "$cfg: first line is '$(head -n 1 $out.err)'"
        "$mb" predict --model $out/model.json --data "$(probe_data $cfg)" --proba > $out.csv
        cmp -s $cfg-one.csv $out.csv || fail "$cfg: $1 ranks x $2 workers predict other bits than one process"
        echo "$cfg: $1 ranks, $2 worker(s) each: predict --proba byte-identical to one process"
    done
done

echo "== 2. resume under another rank count"
timeout 300 "${mpi[@]}" -np 2 "$mb" train --config mlp.json --out every --checkpoint-every 4 --workers 1 --quiet >/dev/null 2>&1
test -s every/checkpoint || fail "no checkpoint after --checkpoint-every"
rm every/model.json every/metrics.jsonl
timeout 300 "${mpi[@]}" -np 3 "$mb" train --resume every --workers 1 --quiet >/dev/null 2>&1 || fail "resume under 3 ranks"
"$mb" predict --model every/model.json --data "$(probe_data mlp)" --proba | cmp -s - mlp-one.csv \
    || fail "checkpoint from 2 ranks resumed under 3: other bits"
echo "checkpoint written under 2 ranks, resumed under 3: byte-identical"

# SIGTERM to every rank, as Slurm's scancel sends it (a signal to mpirun itself makes Open MPI
# end the job on its own terms: it kills the ranks after odls_base_sigkill_timeout).
timeout 300 "${mpi[@]}" -np 2 "$mb" train --config mlp.json --out stopped --epochs 60 --workers 1 > /dev/null 2> stopped.err &
job=$!
for _ in $(seq 1 600); do grep -q "epoch 2/" stopped.err 2>/dev/null && break; sleep 0.1; done
pkill -TERM -f -- "^$mb train --config mlp.json --out stopped " || fail "no rank to signal"
# Twice, as a Ctrl-C reaches a rank from the terminal and from the launcher: the repeat is
# ignored while the stop is under way.
pkill -TERM -f -- "^$mb train --config mlp.json --out stopped " || true
code=0; wait $job || code=$?
test $code -ne 0 || fail "an interrupted job exited 0"
test -s stopped/checkpoint || { cat stopped.err; fail "SIGTERM to the ranks wrote no checkpoint"; }
test ! -e stopped/model.json || fail "an interrupted job wrote model.json"
grep -q "interrupted by SIGTERM" stopped.err || fail "no interruption message"
timeout 600 "${mpi[@]}" -np 4 "$mb" train --resume stopped --workers 1 --quiet >/dev/null 2>&1 || fail "resume under 4 ranks"
# The uninterrupted run of the same 60-epoch config, in one process, to compare with.
"$mb" train --config mlp.json --out whole60 --epochs 60 --quiet >/dev/null
"$mb" predict --model whole60/model.json --data "$(probe_data mlp)" --proba > whole60.csv
"$mb" predict --model stopped/model.json --data "$(probe_data mlp)" --proba | cmp -s - whole60.csv \
    || fail "interrupted under 2 ranks, resumed under 4: other bits"
echo "SIGTERM to the ranks of 2 (exit $code, checkpoint), resumed under 4: byte-identical"

echo "== 3. a rank killed mid-run"
for victim in 1 0; do
    out=killed$victim
    start=$(date +%s)
    timeout 120 "${mpi[@]}" -np 3 "$mb" train --config mlp.json --out $out --epochs 400 --workers 1 \
        --checkpoint-every 1 > /dev/null 2> $out.err &
    job=$!
    pid=""
    for _ in $(seq 1 600); do
        if grep -q "epoch 2/" $out.err 2>/dev/null; then
            for p in $(pgrep -f -- "--out $out" || true); do
                if tr '\0' '\n' < /proc/$p/environ 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$victim"; then pid=$p; fi
            done
            test -n "$pid" && break
        fi
        sleep 0.1
    done
    test -n "$pid" || fail "rank $victim not found"
    kill -KILL "$pid"
    code=0; wait $job || code=$?
    took=$(( $(date +%s) - start ))
    test $code -ne 0 || fail "killing rank $victim: the job exited 0"
    test $code -ne 124 || fail "killing rank $victim: the job hung until timeout"
    test ! -e $out/model.json && test ! -e $out/metrics.jsonl || fail "killing rank $victim left a model or metrics"
    leftovers=$(find $out -name '*.tmp*' 2>/dev/null | wc -l)
    test "$leftovers" -eq 0 || fail "killing rank $victim left temporary files: $(ls -a $out)"
    echo "rank $victim killed: the job ended in ${took} s with exit $code, no partial file"
done

echo "== 4. errors and refusals"
echo '{"data": {"train": "nothere.csv"}}' > missing.json
code=0; "${mpi[@]}" -np 3 "$mb" train --config missing.json --out missing 2> missing.err >/dev/null || code=$?
test $code -eq 2 || { cat missing.err; fail "missing data under 3 ranks: exit $code, not 2"; }
test "$(grep -c '^minibatch: ' missing.err)" -eq 1 || { cat missing.err; fail "missing data: not one line"; }
echo "missing data under 3 ranks: one line, exit 2"
echo "{\"data\": {\"train\": \"$root/data/iris.csv\"}, \"training\": {\"learning_rate\": \"constant\", \"eta0\": 1e30}}" > diverge.json
code=0; "${mpi[@]}" -np 3 "$mb" train --config diverge.json --out diverge 2> diverge.err >/dev/null || code=$?
test $code -eq 1 || { cat diverge.err; fail "a diverging run under 3 ranks: exit $code, not 1"; }
test "$(grep -c '^minibatch: ' diverge.err)" -eq 1 || { cat diverge.err; fail "divergence: not one line"; }
test ! -e diverge/model.json || fail "a diverging run wrote a model"
echo "a diverging run under 3 ranks: one line, exit 1, no files"
code=0; "${mpi[@]}" -np 2 "$mb" train --config "$root/configs/sparse-example.json" --out sparse 2> sparse.err >/dev/null || code=$?
grep -q "data.train" sparse.err && grep -q "one process" sparse.err || { cat sparse.err; fail "LIBSVM data under mpirun"; }
test ! -e sparse/model.json || fail "LIBSVM under mpirun wrote a model"
echo "LIBSVM data under 2 ranks: refused naming data.train (exit $code)"
plain="$root/.build/debug/minibatch"
if [ -x "$plain" ]; then
    code=0; "${mpi[@]}" -np 2 "$plain" train --config softmax.json --out plain 2> plain.err >/dev/null || code=$?
    grep -q "built without MPI" plain.err || { cat plain.err; fail "a build without the trait under mpirun"; }
    test ! -e plain/model.json || fail "a build without the trait wrote a model under mpirun"
    echo "a build without MPI under 2 ranks: refused (exit $code)"
fi
echo "mpi-check: all passed"
