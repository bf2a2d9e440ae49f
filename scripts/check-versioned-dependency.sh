#!/usr/bin/env bash
# Checks that other packages can depend on this one by version, the way they would on a
# release: `.package(url: ..., from: "0.1.0")`.
#
# It clones the current commit (HEAD: what is committed, not uncommitted edits) into a
# temporary folder, tags the clone 0.1.0 (the clone only, never this repository), and builds
# and runs a throw-away package that depends on the clone by that version:
#
#   1. `sum-squares` uses the DataParallel product for a job that has nothing to do with
#      learning: 1^2 + ... + n^2 with WorkerPool.mapReduce, checked against n(n+1)(2n+1)/6.
#   2. `score-rows` uses the Learning product, whose LearningKernels target carries unsafe
#      flags (-target-cpu, and -O in debug): a softmax model with hand-set weights scores two
#      rows, checked against the softmax written out. SwiftPM 6.2 and later accept unsafe
#      flags in a dependency whose manifest says swift-tools-version 6.2 or later (older
#      manifests keep the old rule: no unsafe flags in a product used by version).
#
# Exits non-zero if a build, a run or a check fails. Needs git and the Swift toolchain only;
# leaves nothing behind (SwiftPM's caches for the run are in the temporary folder too).
#
# Usage: scripts/check-versioned-dependency.sh
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$repo" rev-parse HEAD)
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
    echo "note: uncommitted changes are not checked; the clone is of HEAD ($commit)"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The dependency: a clone whose only tag is 0.1.0, on the current commit. (The folder's name,
# minibatch, is the package identity that the consumer's manifest names.)
clone="$work/minibatch"
git clone --quiet --no-tags --no-checkout "$repo" "$clone"
git -C "$clone" checkout --quiet --detach "$commit"
git -C "$clone" tag 0.1.0

# The consumer.
consumer="$work/consumer"
mkdir -p "$consumer/Sources/sum-squares" "$consumer/Sources/score-rows"
cat > "$consumer/Package.swift" <<EOF
// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "consumer",
    dependencies: [
        .package(url: "file://$clone", from: "0.1.0"),
    ],
    targets: [
        .executableTarget(
            name: "sum-squares", dependencies: [.product(name: "DataParallel", package: "minibatch")]),
        .executableTarget(
            name: "score-rows", dependencies: [.product(name: "Learning", package: "minibatch")]),
    ]
)
EOF

# The work is in functions: a closure written in main.swift's top-level code is isolated to
# the main actor (Swift 6 language mode), and it traps when one of the pool's helper threads
# runs it.
cat > "$consumer/Sources/sum-squares/main.swift" <<'EOF'
import DataParallel
import Foundation

/// 1^2 + ... + n^2 in shards on every core, combined along the fixed tree; exact in Int.
func sumOfSquares(_ n: Int, pool: WorkerPool) -> Int {
    let plan = ShardPlan(count: n, grain: 4096, maxShards: 64)
    return pool.mapReduce(plan, map: { _, range in
        range.reduce(0) { $0 + ($1 + 1) * ($1 + 1) }
    }, combine: +) ?? 0
}

let n = 1_000_000, expected = n * (n + 1) * (2 * n + 1) / 6
let pool = try WorkerPool(workers: 0)
// Several calls, so that the helper threads take shards too.
for _ in 0..<20 {
    let sum = sumOfSquares(n, pool: pool)
    guard sum == expected else {
        print("sum-squares: got \(sum), expected \(expected)")
        exit(1)
    }
}
print("sum-squares: 1^2 + ... + \(n)^2 = \(expected) on \(pool.workerCount) workers, as n(n+1)(2n+1)/6")
EOF

cat > "$consumer/Sources/score-rows/main.swift" <<'EOF'
import DataParallel
import Foundation
import Learning

/// W = [[1, 0], [0, 1], [0, 0]], b = 0: the row (2, 0) has logits (2, 0, 0) and the row (0, 3)
/// has (0, 3, 0). Returns p(a) of the first row, p(b) of the second and the predicted classes.
func scoreTwoRows(pool: WorkerPool) -> (p: [Double], predicted: [Int32]) {
    let model = LinearModel(kind: .softmax, featureCount: 2, classCount: 3, weights: [1, 0, 0, 1, 0, 0],
                            bias: [0, 0, 0])
    let rows = Dataset(features: [2, 0, 0, 3], labels: [0, 1], classes: ["a", "b", "c"], featureNames: ["x", "y"])
    let scores = model.score(rows, pool: pool)
    return ([Double(scores.probabilities[0]), Double(scores.probabilities[4])], scores.predicted)
}

let (got, predicted) = scoreTwoRows(pool: try WorkerPool(workers: 0))
let expected = [exp(2.0) / (exp(2.0) + 2), exp(3.0) / (exp(3.0) + 2)]
guard predicted == [0, 1], zip(got, expected).allSatisfy({ abs($0 - $1) <= 1e-6 }) else {
    print("score-rows: got p = \(got) and classes \(predicted), expected p = \(expected) and classes [0, 1]")
    exit(1)
}
print("score-rows: p = \(got), classes \(predicted), as the softmax written out")
EOF

# SwiftPM's repository cache, fingerprints and configuration stay in the temporary folder.
spm=(--package-path "$consumer" --cache-path "$work/cache" --security-path "$work/security"
     --config-path "$work/config")

run() {
    local product=$1 what=$2
    echo "== $product: $what, as a versioned dependency (from: \"0.1.0\")"
    if ! swift build "${spm[@]}" --quiet --product "$product"; then
        echo "FAILED: $product did not build against minibatch 0.1.0"
        return 1
    fi
    "$consumer/.build/debug/$product"
}

swift package "${spm[@]}" --quiet resolve
# The dependency was resolved by its version tag, to the commit under test.
resolved="$consumer/Package.resolved"
if ! grep -q '"version" : "0.1.0"' "$resolved" || ! grep -q "\"revision\" : \"$commit\"" "$resolved"; then
    echo "FAILED: minibatch was not resolved as version 0.1.0 at $commit:"
    cat "$resolved"
    exit 1
fi

run sum-squares "the DataParallel product, no unsafe flags"
run score-rows "the Learning product, whose LearningKernels target has unsafe flags"
echo "versioned dependency: DataParallel and Learning both build and run from minibatch 0.1.0 ($commit)"
