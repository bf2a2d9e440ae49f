#!/usr/bin/env bash
# Epoch times of W1 (softmax 60000x784x10, batch 256) and W3 (MLP 784-128-10, batch 128; with
# plain SGD as `minibatch bench` has it, and with adam, the MLP's default) as
# 1 process x 1 worker, 1 process x 2 workers and 2 ranks x 1 worker (mpirun over shared
# memory or TCP loopback), side by side: the setups take turns for ROUNDS rounds and each
# prints the median of its epochs' seconds (metrics.jsonl) over every round. Shuffling on, as
# by default. Needs a release build with the MPI trait:
#   swift build -c release --traits MPI --build-path .build-mpi
# Usage: scripts/mpi-bench.sh [ROUNDS] [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
mb="$PWD/.build-mpi/release/minibatch"
test -x "$mb" || { echo "build first: swift build -c release --traits MPI --build-path .build-mpi"; exit 1; }
rounds=${1:-3}
epochs=${2:-4}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > W1.json <<JSON
{"data": {"synthetic": {"samples": 60000, "features": 784, "classes": 10, "seed": 1}, "test_fraction": 0},
 "model": {"type": "softmax"},
 "training": {"batch_size": 256, "epochs": $epochs, "optimizer": "sgd", "learning_rate": "constant", "eta0": 0.1, "tol": null, "seed": 1}}
JSON
cat > W3.json <<JSON
{"data": {"synthetic": {"samples": 60000, "features": 784, "classes": 10, "seed": 1}, "test_fraction": 0},
 "model": {"type": "mlp", "hidden": [128], "activation": "relu"},
 "training": {"batch_size": 128, "epochs": $epochs, "optimizer": "sgd", "learning_rate": "constant", "eta0": 0.1, "tol": null, "seed": 1}}
JSON
# W3 with the MLP's default optimizer (adam), whose update every rank repeats on all P
# parameters.
sed 's/"optimizer": "sgd", "learning_rate": "constant", "eta0": 0.1/"optimizer": "adam"/' W3.json > W3adam.json
setups=("1p x 1w" "1p x 2w" "2r x 1w shm" "2r x 1w tcp")
run() {  # workload setup out
    case $2 in
        "1p x 1w") "$mb" train --config $1.json --out $3 --workers 1 --quiet ;;
        "1p x 2w") "$mb" train --config $1.json --out $3 --workers 2 --quiet ;;
        "2r x 1w shm") mpirun --mca pml ob1 --mca btl self,vader -np 2 "$mb" train --config $1.json --out $3 --workers 1 --quiet ;;
        "2r x 1w tcp") mpirun --mca pml ob1 --mca btl self,tcp --mca btl_tcp_if_include lo -np 2 "$mb" train \
                           --config $1.json --out $3 --workers 1 --quiet ;;
    esac > /dev/null 2>&1
}
echo "$(lscpu | grep -m1 'Model name' | sed 's/ \+/ /g'), $(nproc) cores; $rounds rounds x $epochs epochs; median ms per epoch"
for w in W1 W3 W3adam; do
    for r in $(seq 1 "$rounds"); do
        for i in "${!setups[@]}"; do
            run $w "${setups[$i]}" "$w-$i-$r"
            python3 -c 'import json,sys; [print(json.loads(l)["seconds"]) for l in open(sys.argv[1])]' \
                "$w-$i-$r/metrics.jsonl" >> "$w-$i.seconds"
        done
    done
    line="$w:"
    for i in "${!setups[@]}"; do
        med=$(sort -g "$w-$i.seconds" | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2) * 1000}')
        line+=$(printf "  %s %.1f" "${setups[$i]}" "$med")
    done
    echo "$line"
done
