#!/bin/sh
# numaplace bench alloc: a very short run measures all six allocators
# (numaplace and every peer from its Debian package), and every bad input
# fails with one line.  No speed is asserted here: figures belong in
# BENCHMARKS.md (bench/run-alloc.sh).
set -u
. "$(dirname "$0")/lib.sh"

run_np bench alloc --rounds 1 --time-ms 5 --json
if [ "$RC" = 0 ] && python3 - "$TMP/out" <<'P'
import json, sys
j = json.load(open(sys.argv[1]))
names = [r["name"] for r in j["results"]]
assert names == ["numaplace", "numa_alloc_onnode", "glibc", "mimalloc",
                 "jemalloc", "memkind"], names
for r in j["results"]:
    assert r["measured"], r
    assert r["ns_per_op"] > 0 and r["ns_per_op_batch64"] > 0, r
assert j["frame_bytes"] == 4096 and j["alloc_bytes"] == 4096
assert j["threads"] == 1 and j["rounds"] == 1 and j["clock"] == "wall"
P
then ok; else bad "bench alloc --json: exit $RC: $(cat "$TMP/err") $(head -c 600 "$TMP/out")"; fi

# the threads' CPU time instead of the wall clock: said in both outputs
run_np bench alloc --rounds 1 --time-ms 5 --clock cpu --json
if [ "$RC" = 0 ] && python3 - "$TMP/out" <<'P'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["clock"] == "cpu", j.get("clock")
assert all(r["ns_per_op"] > 0 for r in j["results"] if r["measured"])
P
then ok; else bad "bench alloc --clock cpu --json: exit $RC: $(cat "$TMP/err") $(head -c 600 "$TMP/out")"; fi
run_np bench alloc --rounds 1 --time-ms 5 --clock cpu
if [ "$RC" = 0 ] && grep -q "^bench alloc: 4 KiB frames, 1 round; ns per allocation (alloc + write one byte + free) in the threads' CPU time,$" "$TMP/out"; then ok
else bad "bench alloc --clock cpu: $(head -3 "$TMP/out") $(cat "$TMP/err")"; fi

# 64 KiB blocks: the text table has a row for every allocator.
run_np bench alloc --rounds 1 --time-ms 5 --size 64K
if [ "$RC" = 0 ] && grep -q '^bench alloc: 4 KiB frames, allocations of 64 KiB, 1 round;' "$TMP/out" &&
   [ "$(grep -cE '^(numaplace|numa_alloc_onnode|glibc|mimalloc|jemalloc|memkind) +[0-9]' "$TMP/out")" = 6 ]; then ok
else bad "bench alloc --size 64K: $(cat "$TMP/out" "$TMP/err")"; fi

expect_error 2 "^numaplace: bench alloc: --clock: expected wall or cpu, not 'tsc'$" bench alloc --clock tsc
expect_error 2 "^numaplace: bench: which benchmark\? \(alloc, mem;" bench
expect_error 2 "^numaplace: bench: 'foo' is not a benchmark" bench foo
# Counts read through the shared option parser, in its wording (that of
# every command): the range of --threads is the CPUs this task may use.
expect_error 2 "^numaplace: bench alloc: --threads: '0' is not a number from 1 to $(nproc)$" bench alloc --threads 0
expect_error 2 "^numaplace: bench alloc: --threads: '4096' is not a number from 1 to $(nproc)$" bench alloc --threads 4096
expect_error 2 "^numaplace: bench alloc: --threads: '2x' is not a number from 1 to" bench alloc --threads 2x
expect_error 2 "^numaplace: bench alloc: option '--threads' needs an argument$" bench alloc --threads
expect_error 2 "^numaplace: bench alloc: --frame '8k': expected 4k or 2m$" bench alloc --frame 8k
expect_error 2 "^numaplace: bench alloc: --rounds: '0' is not a number from 1 to 100000$" bench alloc --rounds 0
expect_error 2 "^numaplace: bench alloc: --size: " bench alloc --size 12Q
expect_error 2 "^numaplace: bench alloc: --size 66560: a power-of-two number of frames" bench alloc --size 65K
expect_error 2 "^numaplace: bench alloc: --size 8388608: a power-of-two number of frames" bench alloc --size 8M
expect_error 2 "^numaplace: bench alloc: unknown option '--bogus'" bench alloc --bogus
expect_error 2 "^numaplace: bench alloc: unexpected argument 'x'$" bench alloc x
summary
