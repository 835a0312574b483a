#!/bin/sh
# numaplace bench alloc: one allocation (allocate, write one byte, free)
# and batches of 64 from numaplace's frame pool against numa_alloc_onnode,
# glibc, mimalloc, jemalloc and memkind, each in a process of its own,
# interleaved in the same run; median of ROUNDS rounds (BENCHMARKS.md).
# The three sizes: 4 KiB (the per-thread cache), 64 KiB (the
# buddy path, order 4) and 2 MiB frames.
set -eu
NP=${1:-build/tools/numaplace/numaplace}
ROUNDS=${ROUNDS:-15}
THREADS=2
[ "$(nproc)" -ge 2 ] || THREADS=1

echo "== 4 KiB frames, 1 and $THREADS threads"
"$NP" bench alloc --rounds "$ROUNDS" --threads "$THREADS"
echo
echo "== 64 KiB allocations of 4 KiB frames, 1 thread"
"$NP" bench alloc --rounds "$ROUNDS" --size 64K
echo
echo "== 2 MiB frames, 1 thread"
"$NP" bench alloc --rounds "$ROUNDS" --frame 2m
