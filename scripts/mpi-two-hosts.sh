#!/usr/bin/env bash
# Two hosts for real, on one machine: two network namespaces ("mbhostA" 10.77.0.1 and
# "mbhostB" 10.77.0.2) joined by a veth pair, each with its own hostname, and mpirun's remote
# starter pointed at a script that runs the command inside the other namespace (as ssh would
# on another machine). Open MPI then talks TCP between the two addresses only. Checks that 2
# ranks (one per host) and 4 ranks (two per host) train the bits of one process.
# Needs root (ip netns) and what scripts/mpi-check.sh builds (.build-mpi); run after it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
mb="$root/.build-mpi/debug/minibatch"
test -x "$mb" || { echo "build with the MPI trait first (scripts/mpi-check.sh)"; exit 1; }
if [ "$(id -u)" -ne 0 ]; then echo "mpi-two-hosts: skipped (ip netns needs root)"; exit 0; fi
command -v ip >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null; }

work=$(mktemp -d)
cleanup() {
    ip link del mbvethA 2>/dev/null || true
    ip netns del mbhostA 2>/dev/null || true
    ip netns del mbhostB 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
cleanup
work=$(mktemp -d)

ip netns add mbhostA
ip netns add mbhostB
ip link add mbvethA type veth peer name mbvethB
ip link set mbvethA netns mbhostA
ip link set mbvethB netns mbhostB
ip -n mbhostA addr add 10.77.0.1/24 dev mbvethA
ip -n mbhostB addr add 10.77.0.2/24 dev mbvethB
for ns in mbhostA mbhostB; do
    ip -n $ns link set lo up
done
ip -n mbhostA link set mbvethA up
ip -n mbhostB link set mbvethB up

# mpirun's "ssh": the host, then the remote command as words that still carry shell quoting.
cat > "$work/agent.sh" <<'AGENT'
#!/bin/sh
host=$1; shift
case $host in
    10.77.0.1) ns=mbhostA ;;
    10.77.0.2) ns=mbhostB ;;
    *) echo "agent: unknown host $host" >&2; exit 255 ;;
esac
exec ip netns exec "$ns" unshare --uts sh -c "hostname $ns; $*"
AGENT
chmod +x "$work/agent.sh"
printf '10.77.0.1 slots=2\n10.77.0.2 slots=2\n' > "$work/hosts"

cd "$work"
cat > softmax.json <<JSON
{"data": {"train": "$root/data/digits.csv", "label": "label", "test_fraction": 0.2},
 "model": {"type": "softmax"},
 "training": {"batch_size": 256, "epochs": 5, "learning_rate": "constant", "eta0": 0.1, "tol": null, "seed": 3}}
JSON
"$mb" train --config softmax.json --out one --quiet >/dev/null
"$mb" predict --model one/model.json --data "$root/data/digits.csv" --proba > one.csv

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
for np in 2 4; do
    # --map-by node puts rank 0 on host A and rank 1 on host B (then 2 on A, 3 on B).
    timeout 120 ip netns exec mbhostA unshare --uts sh -c "hostname mbhostA; exec mpirun --hostfile hosts \
        --map-by node -np $np --mca plm_rsh_agent $work/agent.sh --mca pml ob1 --mca btl self,tcp \
        --mca btl_tcp_if_include 10.77.0.0/24 --mca oob_tcp_if_include 10.77.0.0/24 \
        -x OMPI_ALLOW_RUN_AS_ROOT -x OMPI_ALLOW_RUN_AS_ROOT_CONFIRM \
        sh -c 'echo \$(hostname) rank \$OMPI_COMM_WORLD_RANK >&2; exec $mb train --config softmax.json --out two-$np --workers 1 --quiet'" \
        > two-$np.out 2> two-$np.err || { cat two-$np.err; echo "FAIL: mpirun across two namespaces, $np ranks"; exit 1; }
    hosts=$(grep -c "^mbhostB rank" two-$np.err || true)
    test "$hosts" -ge 1 || { cat two-$np.err; echo "FAIL: no rank ran on the second host"; exit 1; }
    "$mb" predict --model two-$np/model.json --data "$root/data/digits.csv" --proba | cmp -s - one.csv \
        || { echo "FAIL: $np ranks on two hosts predict other bits than one process"; exit 1; }
    echo "$np ranks on two hosts ($(grep -c "^mbhost" two-$np.err) ranks started, $hosts on host B): byte-identical to one process"
done
echo "mpi-two-hosts: all passed"
