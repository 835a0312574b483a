#!/bin/sh
# The page mover's speed (issue 15): in a 4-node lab guest, 512 MiB of a
# process moved from node 0 to node 1 by np_move_process_pages (no rate,
# 10 ms batches) and by numactl's migratepages, alternating on fresh
# identical targets, ROUNDS rounds; then one move per batch time of SWEEP
# (ms).  TCG: the absolute figures are emulated; the ratio to migratepages
# in the same guest and the batch bound are the figures asked for.
set -eu
NP=${1:-build/tools/numaplace/numaplace}
BIN=${BENCH_BIN:-$(dirname "$NP")/../../bench}
ROUNDS=${ROUNDS:-9}
MIB=${MIB:-512}
SWEEP=${SWEEP:-1,2,5,10,20,50}
export NUMAPLACE_CACHE_DIR=${NUMAPLACE_CACHE_DIR:-build/lab-cache}
for p in "$BIN/migrate-bench" "$BIN/migrate-target" /usr/bin/migratepages; do
	[ -x "$p" ] || { echo "migrate-vs-migratepages.sh: $p missing (make; make deps)" >&2; exit 1; }
done
# nodes 0 and 1 hold the target (and the guest's own memory on node 0)
"$NP" lab --nodes ${LAB_NODES:-1:1G,1:1G,0:128M,0:128M} --timeout 1800 \
	--add "$BIN/migrate-bench" --add "$BIN/migrate-target" \
	--add /usr/bin/migratepages -- \
	migrate-bench /opt/numaplace/bin/migrate-target "$MIB" "$ROUNDS" "$SWEEP"
