#!/usr/bin/env bash
# Builds libFuzzer targets for the readers of user input (CSV, LIBSVM, .npy, config and
# model files) and runs each for a fixed number of inputs. Not part of CI (.ci/run); see
# docs/reliability.md for what the targets check and the figures of the last run.
#
#   scripts/fuzz.sh [TARGET...]        targets: csv libsvm npy config model (default: all)
#
# Environment:
#   FUZZ_RUNS=N          inputs per target (default: 100000 for csv, 200000 for npy, whose
#                        inputs cost more, 2000000 for the others)
#   FUZZ_TIMEOUT=S       seconds one input may take before libFuzzer calls it a hang (default 10)
#   FUZZ_MAX_LEN=B       largest input in bytes (default 4096)
#   FUZZ_SANITIZERS=...  swiftc -sanitize= value (default fuzzer,address)
#   SWIFTC=...           the compiler (default: swiftc on PATH)
#
# Needs a Swift toolchain for Linux with its compiler-rt (libclang_rt.fuzzer, asan) and lld,
# as the swift.org toolchains ship. Builds into .build/fuzz, where each target's working
# corpus (seeded from data/, configs/, scripts/fuzz/seeds/ and generated files), crash
# inputs (crash-*, timeout-*, oom-*) and log go. Exits 1 when a target fails.
set -euo pipefail
cd "$(dirname "$0")/.."

TIMEOUT=${FUZZ_TIMEOUT:-10}
MAX_LEN=${FUZZ_MAX_LEN:-4096}
SAN=${FUZZ_SANITIZERS:-fuzzer,address}
SWIFTC=${SWIFTC:-swiftc}
OUT=.build/fuzz
ALL=(csv libsvm npy config model)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")
for t in "${TARGETS[@]}"; do
    case " ${ALL[*]} " in *" $t "*) ;; *) echo "unknown target '$t'; targets: ${ALL[*]}" >&2; exit 2 ;; esac
done

mkdir -p "$OUT/modules"
# The library code is compiled as in the package (optimised, for this CPU) plus coverage
# instrumentation and the sanitizers. Learning is built with testing enabled: the targets
# reach internal entry points (CSVReader.parse with a chunking, NPYReader's header) through
# @testable import.
flags=(-O -wmo -sanitize="$SAN" -target-cpu "${MINIBATCH_TARGET_CPU:-native}" -parse-as-library -swift-version 6 -package-name minibatch)
echo "== build (swiftc -sanitize=$SAN)"
"$SWIFTC" "${flags[@]}" -emit-library -static -module-name DataParallel Sources/DataParallel/*.swift \
    -emit-module -emit-module-path "$OUT/modules/DataParallel.swiftmodule" -o "$OUT/libDataParallel.a"
# The kernels are a module of their own inside Learning's folder (see Package.swift); the rest of
# Learning lies in subfolders.
"$SWIFTC" "${flags[@]}" -emit-library -static -module-name LearningKernels Sources/Learning/Kernels/LearningKernels/*.swift \
    -emit-module -emit-module-path "$OUT/modules/LearningKernels.swiftmodule" -o "$OUT/libLearningKernels.a"
mapfile -t learning < <(find Sources/Learning -name '*.swift' -not -path '*/Kernels/LearningKernels/*' | sort)
"$SWIFTC" "${flags[@]}" -enable-testing -emit-library -static -module-name Learning -I "$OUT/modules" "${learning[@]}" \
    -emit-module -emit-module-path "$OUT/modules/Learning.swiftmodule" -o "$OUT/libLearning.a"
for t in "${TARGETS[@]}"; do
    extra=()
    case $t in
        csv) extra=(Tests/LearningTests/Data/Readers/CSVSerialReference.swift) ;;   # the oracle of the CSV tests
        libsvm) extra=(Tests/LearningTests/Data/Readers/LIBSVMReference.swift) ;;  # the oracle of the LIBSVM tests
    esac
    "$SWIFTC" "${flags[@]}" -use-ld=lld -module-name "fuzz_$t" -I "$OUT/modules" \
        scripts/fuzz/common.swift "scripts/fuzz/$t.swift" "${extra[@]}" \
        "$OUT/libLearning.a" "$OUT/libLearningKernels.a" "$OUT/libDataParallel.a" -o "$OUT/fuzz-$t"
done

# Seeds: every target's corpus starts from the shipped files and the hand-written seeds.
seed() {  # seed TARGET FILE... : copies each file (at most MAX_LEN bytes of it) into the corpus
    local dir="$OUT/corpus/$1"
    shift
    mkdir -p "$dir"
    for f in "$@"; do head -c "$MAX_LEN" "$f" > "$dir/seed-$(basename "$f")"; done
}
rm -rf "$OUT/corpus" "$OUT/gen"
mkdir -p "$OUT/gen"
# CSV: the data sets (their first lines) and edge cases.
for f in data/*.csv; do head -n 12 "$f" > "$OUT/gen/$(basename "$f")"; done
seed csv "$OUT"/gen/*.csv scripts/fuzz/seeds/csv/*
# LIBSVM: iris converted, and edge cases.
awk -F, 'NR > 1 && NR < 30 { printf "%s", $NF; for (i = 1; i < NF; i++) printf " %d:%s", i, $i; print "" }' data/iris.csv \
    > "$OUT/gen/iris.svm"
seed libsvm "$OUT/gen/iris.svm" scripts/fuzz/seeds/libsvm/*
# .npy: small arrays of each supported kind, written byte by byte (version 1 and 2 headers).
npy() {  # npy FILE MAJOR HEADER-DICT DATA(printf escapes)
    local dict="$3" pad
    local fixed=$(( $2 == 1 ? 10 : 12 ))
    pad=$(( (64 - (fixed + ${#dict} + 1) % 64) % 64 ))
    dict="$dict$(printf '%*s' "$pad" '')"
    local len=$(( ${#dict} + 1 ))
    {
        printf '\x93NUMPY'
        printf "\\x$(printf %02x "$2")\\x00"
        printf "\\x$(printf %02x $((len & 255)))\\x$(printf %02x $((len >> 8)))"
        [ "$2" -ne 1 ] && printf '\x00\x00'
        printf '%s\n' "$dict"
        printf "$4"
    } > "$1"
}
npy "$OUT/gen/f4.npy" 1 "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" \
    '\x00\x00\x80\x3f\x00\x00\x00\x40\x00\x00\x40\x40\x00\x00\x80\x40\x00\x00\xa0\x40\x00\x00\xc0\x40'
npy "$OUT/gen/f8.npy" 2 "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }" \
    '\x00\x00\x00\x00\x00\x00\xf0\x3f\x00\x00\x00\x00\x00\x00\x00\xc0'
npy "$OUT/gen/i8.npy" 1 "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }" \
    '\x01\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff'
npy "$OUT/gen/u1.npy" 1 "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }" '\x00\x01\x02\xff'
npy "$OUT/gen/U3.npy" 1 "{'descr': '<U3', 'fortran_order': False, 'shape': (2,), }" \
    'a\x00\x00\x00b\x00\x00\x00c\x00\x00\x00\xe9\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
npy "$OUT/gen/fortran.npy" 1 "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 1), }" '\x00\x00\x80\x3f'
npy "$OUT/gen/big.npy" 1 "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }" '\x3f\x80\x00\x00'
seed npy "$OUT"/gen/*.npy
# Configs and model files: the shipped configs, the test fixture, the hand-written seeds.
seed config configs/*.json Tests/LearningTests/Fixtures/*.json scripts/fuzz/seeds/config/*
seed model scripts/fuzz/seeds/model/* configs/*.json

# Runs. The Swift runtime's backtracer is turned off: libFuzzer reports crashes itself, and
# the backtracer's memory reads upset AddressSanitizer.
export SWIFT_BACKTRACE=enable=no
# The npy target writes each input to a file in the temporary folder: keep it here.
export TMPDIR=$PWD/$OUT/tmp
mkdir -p "$TMPDIR"
mkdir -p "$OUT/artifacts"
summary="$OUT/summary.txt"
printf '%-8s %10s %10s  %-36s %s\n' target inputs seconds coverage result > "$summary"
status=0
for t in "${TARGETS[@]}"; do
    dict=scripts/fuzz/$t.dict
    case $t in config|model) dict=scripts/fuzz/json.dict ;; esac
    case $t in csv) RUNS=${FUZZ_RUNS:-100000} ;; npy) RUNS=${FUZZ_RUNS:-200000} ;; *) RUNS=${FUZZ_RUNS:-2000000} ;; esac
    echo "== fuzz $t: $RUNS inputs"
    log="$OUT/$t.log"
    start=$(date +%s.%N)
    set +e
    "$OUT/fuzz-$t" -runs="$RUNS" -timeout="$TIMEOUT" -max_len="$MAX_LEN" -rss_limit_mb=2048 -dict="$dict" \
        -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$t-" "$OUT/corpus/$t" > "$log" 2>&1
    rc=$?
    set -e
    seconds=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    inputs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || true)
    if [ $rc -eq 0 ]; then
        result="ok"
    else
        status=1
        artifact=$(grep -Eo "Test unit written to [^ ]+" "$log" | tail -n 1 | sed 's/Test unit written to //')
        result="FAILED (exit $rc) ${artifact:-see $log}"
        grep -E "ERROR: libFuzzer|ERROR: AddressSanitizer|Fatal error|fuzz invariant broken|Timeout|out-of-memory" "$log" | head -n 3 || true
    fi
    coverage=$(grep -aE '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 | grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[A-Za-z]+' || true)
    printf '%-8s %10s %10.1f  %-36s %s\n' "$t" "${inputs:-?}" "$seconds" "${coverage:--}" "$result" | tee -a "$summary"
done
echo "== summary ($summary)"
cat "$summary"
exit $status
