#!/usr/bin/env bash
# Training speed of two minibatch binaries, side by side, as a markdown table.
#
#   scripts/compare-bench.sh OLD_BINARY NEW_BINARY [ROUNDS]
#
# Runs `minibatch bench --workload W --epochs $EPOCHS --workers 2 --json` for W1, W2 and W3
# with each binary, ROUNDS times (default 5). Within a round each workload runs with both
# binaries back to back, old first in odd rounds and new first in even rounds, so that slow
# spells of a shared machine fall on both. bench reports, per worker count 1 and 2, the median
# ms per epoch over the epochs after the first; this script prints, per workload and worker
# count, the median of those over the rounds for old and new, new/old (above 1: new is
# slower), the median samples/s, and whether every run found bitwise
# identical weights at 1 and 2 workers. The header names the CPU (lscpu), the binaries
# (path, size, sha256 prefix, modification time) and the repository's commit.
#
# Environment: EPOCHS (default 3; bench leaves the first epoch out of its median, so at
# least 2), WORKLOADS (default "W1 W2 W3"), WORKERS (default 2: figures at 1..WORKERS).
# One round of the three workloads takes about 12-20 s with both binaries on the 2-core
# development machine, so the default 5 rounds take under 2 minutes.
# Needs bash and python3 (standard library only, to read the JSON and take medians).
set -euo pipefail

usage() { echo "usage: $0 OLD_BINARY NEW_BINARY [ROUNDS]" >&2; exit 2; }
[ $# -ge 2 ] && [ $# -le 3 ] || usage
rounds="${3:-5}"
epochs="${EPOCHS:-3}"
workloads="${WORKLOADS:-W1 W2 W3}"
workers="${WORKERS:-2}"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "ROUNDS must be a positive integer" >&2; exit 2; }
[[ "$epochs" =~ ^[0-9]+$ ]] && [ "$epochs" -ge 2 ] || { echo "EPOCHS must be at least 2" >&2; exit 2; }
[[ "$workers" =~ ^[1-9][0-9]*$ ]] || { echo "WORKERS must be a positive integer" >&2; exit 2; }

abspath() { (cd "$(dirname "$1")" && echo "$(pwd)/$(basename "$1")"); }
old="$(abspath "$1")"
new="$(abspath "$2")"
for b in "$old" "$new"; do
    [ -f "$b" ] && [ -x "$b" ] || { echo "$b: not an executable file" >&2; exit 2; }
done

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
results="$(mktemp -d "${TMPDIR:-/tmp}/compare-bench.XXXXXX")"
trap 'rm -rf "$results"' EXIT

describe() {
    local b="$1"
    printf '%s (%s bytes, sha256 %s, modified %s)' "$b" "$(stat -c %s "$b")" \
        "$(sha256sum "$b" | cut -c1-12)" "$(date -u -d "@$(stat -c %Y "$b")" '+%Y-%m-%d %H:%M UTC')"
}

bench() {  # side binary workload round
    local side="$1" bin="$2" w="$3" r="$4"
    local out="$results/$side-$w-$r.json"
    if ! "$bin" bench --workload "$w" --epochs "$epochs" --workers "$workers" --json \
            >"$out.stdout" 2>"$out.stderr"; then
        echo "$side ($bin) bench --workload $w failed:" >&2
        cat "$out.stderr" >&2
        exit 1
    fi
    tail -n 1 "$out.stdout" >"$out"
}

start="$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= rounds; r++)); do
    echo "round $r/$rounds ..." >&2
    for w in $workloads; do
        if ((r % 2 == 1)); then
            bench old "$old" "$w" "$r"; bench new "$new" "$w" "$r"
        else
            bench new "$new" "$w" "$r"; bench old "$old" "$w" "$r"
        fi
    done
done
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"

cpu="$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo '?')"
branch="$(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo '?')"
dirty="$(git status --porcelain --untracked-files=no 2>/dev/null | head -c1)"

echo "## minibatch bench: old vs new"
echo
echo "- started $start; load average ${load_start} at the start, ${load_end} at the end"
echo "- CPU: ${cpu:-unknown} ($(nproc) cores online)"
echo "- repository: $repo at $commit (branch $branch${dirty:+, uncommitted changes})"
echo "- old: $(describe "$old")"
echo "- new: $(describe "$new")"
echo "- bench --epochs $epochs --workers $workers --json, $rounds round(s), old and new alternating"
echo

python3 - "$results" "$rounds" "$workers" $workloads <<'PY'
import json, statistics, sys

folder, rounds, max_workers, workloads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]

def load(side, w, r):
    with open("%s/%s-%s-%d.json" % (folder, side, w, r)) as f:
        return json.load(f)

def median_with_rate(runs, workers):
    """Median ms/epoch over the runs, and the samples/s of that same median."""
    pairs = []
    for run in runs:
        for row in run["results"]:
            if row["workers"] == workers:
                pairs.append((row["ms_per_epoch"], row["samples_per_second"]))
    ms = statistics.median(p[0] for p in pairs)
    rate = statistics.median(p[1] for p in pairs)
    return ms, rate

print("| workload | shape | workers | old ms/epoch | new ms/epoch | new / old | old samples/s | new samples/s |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
notes = []
for w in workloads:
    runs = {side: [load(side, w, r) for r in range(1, rounds + 1)] for side in ("old", "new")}
    first = runs["new"][0]
    shape = "n %d, d %d, K %d, batch %d%s" % (
        first["samples"], first["features"], first["classes"], first["batch_size"],
        ", hidden " + ",".join(map(str, first["hidden"])) if first["hidden"] else "")
    for side in ("old", "new"):
        bad = [r + 1 for r, run in enumerate(runs[side]) if not run["identical_across_workers"]]
        if bad:
            notes.append("%s %s: weights NOT identical across worker counts in round(s) %s"
                         % (side, w, ", ".join(map(str, bad))))
    for workers in range(1, max_workers + 1):
        o_ms, o_rate = median_with_rate(runs["old"], workers)
        n_ms, n_rate = median_with_rate(runs["new"], workers)
        print("| %s | %s | %d | %.1f | %.1f | %.3f | %s | %s |" % (
            w, shape, workers, o_ms, n_ms, n_ms / o_ms, format(round(o_rate), ","),
            format(round(n_rate), ",")))
print()
print("Medians over %d round(s) of bench's own median ms per epoch (first epoch left out); "
      "new / old above 1 means the new binary is slower." % rounds)
for line in notes or ["every run had bitwise identical weights at every worker count"]:
    print("- " + line)
PY
