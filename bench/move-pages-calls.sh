#!/bin/sh
# Bare move_pages(2) calls against one migrate_pages(2) call, in a lab
# guest with nodes 0 and 1 of 1 GiB and one CPU each (bench/
# move-pages-calls.c): the call's own cost, the spread of calls of one
# size, and two threads against one.  TCG: the absolute figures are
# emulated; compare the lines of one round.
#   sh bench/move-pages-calls.sh [numaplace]     (MIB=256 ROUNDS=4)
set -eu
NP=${1:-build/tools/numaplace/numaplace}
BIN=${BENCH_BIN:-$(dirname "$NP")/../../bench}
for p in "$BIN/move-pages-calls" "$BIN/migrate-target"; do
	[ -x "$p" ] || { echo "move-pages-calls.sh: $p missing (make)" >&2; exit 1; }
done
export NUMAPLACE_CACHE_DIR=${NUMAPLACE_CACHE_DIR:-build/lab-cache}
"$NP" lab --nodes ${LAB_NODES:-1:1G,1:1G,0:128M,0:128M} --timeout 1800 \
	--add "$BIN/move-pages-calls" --add "$BIN/migrate-target" -- \
	move-pages-calls /opt/numaplace/bin/migrate-target "${MIB:-256}" "${ROUNDS:-4}"
