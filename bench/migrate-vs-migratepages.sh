#!/bin/sh
# The page mover's speed (issue 15): in a 4-node lab guest, 512 MiB of a
# process moved from node 0 to node 1 by np_move_process_pages (no rate,
# 10 ms batches) and by numactl's migratepages, alternating on fresh
# identical targets, ROUNDS rounds; then one move per batch time of SWEEP
# (ms).  MIGRATE_BENCH_DUMP=1: every batch over half its bound on stderr.
# TCG: the absolute figures are emulated; the ratio to migratepages
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
# The hypervisor's steal on this machine (/proc/stat, USER_HZ ticks of
# 10 ms) each second of the run: a guest vCPU stopped from outside shows
# as a batch that took that much longer.
steal() { awk '$1 == "cpu" { print $9 }' /proc/stat; }
log=$(mktemp)
trap 'kill $sampler 2>/dev/null; rm -f "$log"' EXIT
(s0=$(steal); while sleep 1; do s1=$(steal); echo $((s1 - s0)); s0=$s1; done) >"$log" &
sampler=$!
# nodes 0 and 1 hold the target (and the guest's own memory on node 0)
"$NP" lab --nodes ${LAB_NODES:-1:1G,1:1G,0:128M,0:128M} --timeout 1800 \
	--add "$BIN/migrate-bench" --add "$BIN/migrate-target" \
	--add /usr/bin/migratepages -- \
	${MIGRATE_BENCH_DUMP:+env MIGRATE_BENCH_DUMP=1} \
	migrate-bench /opt/numaplace/bin/migrate-target "$MIB" "$ROUNDS" "$SWEEP"
kill $sampler 2>/dev/null
awk '{ t += $1; if ($1 > 0) n++; if ($1 > m) m = $1 }
     END { printf "\nthis machine'"'"'s steal during the run: %d ticks (%d ms) in %d s; %d seconds had some, the most in one second %d ticks\n", t, t * 10, NR, n, m }' "$log"
