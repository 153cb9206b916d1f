#!/bin/sh
# make test-cluster: one API node and two worker nodes of nsjudge, each its
# own process in its own network namespace, host name and data dir,
# sharing nothing but a PostgreSQL server in a fourth namespace, reached
# over veth pairs on 10.213.0.0/24 (addresses of this test only, on a
# bridge inside a hub namespace: the host's network is not touched).
# scripts/cluster/driver.py posts the submissions, kills worker nodes and
# checks every result; it prints "N passed, N failed".
#
#   sh scripts/cluster/run.sh            (as root; build first: make all)
#   CLUSTER_MODE=bench sh scripts/cluster/run.sh   (make bench-cluster)
set -eu
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
[ "$(id -u)" = 0 ] || { echo "test-cluster: needs root (network namespaces)" >&2; exit 1; }
[ -x build/nsjudge ] || { echo "test-cluster: build first (make all)" >&2; exit 1; }

P=nsjc$$                      # namespace names of this run
HUB=${P}hub
NODES="pg api w1 w2 client"
addr_of() {
    case $1 in pg) echo 10.213.0.1 ;; api) echo 10.213.0.10 ;; w1) echo 10.213.0.11 ;;
               w2) echo 10.213.0.12 ;; client) echo 10.213.0.20 ;; esac
}
WORK=$(mktemp -d /tmp/nsjudge-cluster-XXXXXX)
chmod 755 "$WORK"
PGDIR=

cleanup() {
    set +e
    [ -f "$WORK/pids" ] && while read -r pid; do kill -9 "$pid" 2>/dev/null; done <"$WORK/pids"
    [ -n "$PGDIR" ] && nsenter --net=/run/netns/${P}pg sh scripts/pg-test-server.sh stop "$PGDIR"
    for n in $NODES; do ip netns del ${P}$n 2>/dev/null; done
    ip netns del $HUB 2>/dev/null
    [ "${CLUSTER_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

ip netns add $HUB
ip -n $HUB link add br0 type bridge
ip -n $HUB link set br0 up
i=0
for n in $NODES; do
    i=$((i + 1))
    ip netns add ${P}$n
    ip link add ${P}h$i netns $HUB type veth peer name eth0 netns ${P}$n
    ip -n $HUB link set ${P}h$i master br0 up
    ip -n ${P}$n addr add "$(addr_of $n)/24" dev eth0
    ip -n ${P}$n link set eth0 up
    ip -n ${P}$n link set lo up
done

env=$(nsenter --net=/run/netns/${P}pg sh scripts/pg-test-server.sh start "$(addr_of pg)")
eval "$env"
PGDIR=$NSJUDGE_TEST_PG_DIR
psql "$NSJUDGE_TEST_PG" -qc "CREATE DATABASE nsjcluster" >/dev/null

# the driver starts the nodes (nsenter into their namespaces) and runs in
# the client namespace itself
export CLUSTER_NS_PREFIX=$P CLUSTER_WORK=$WORK CLUSTER_ROOT=$ROOT
export CLUSTER_STORE="$NSJUDGE_TEST_PG_TCP dbname=nsjcluster"
export CLUSTER_API=$(addr_of api) CLUSTER_CLIENT=$(addr_of client)
nsenter --net=/run/netns/${P}client python3 scripts/cluster/driver.py
