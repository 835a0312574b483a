#!/bin/sh
# numaplace topo against numactl -H on this machine (same run, interleaved),
# and numaplace topo on the 8-node dump; median of ROUNDS runs each.
set -eu
NP=${1:-build/tools/numaplace/numaplace}
ROUNDS=${ROUNDS:-300}
CMDTIME=$(dirname "$NP")/../../bench/cmdtime
D8=tests/dumps/opteron-8n

echo "== this machine: numactl -H (peer) vs numaplace topo"
"$CMDTIME" -n "$ROUNDS" -- numactl -H ::: "$NP" topo
echo
echo "== 8-node dump: numaplace topo --sysroot $D8 (true as the spawn floor)"
"$CMDTIME" -n "$ROUNDS" -- true ::: "$NP" topo --sysroot "$D8" ::: "$NP" topo --sysroot "$D8" --json ::: "$NP" topo --sysroot "$D8" -v
