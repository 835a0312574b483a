#!/bin/sh
# numaplace bench mem on this host: every bad input fails with one line
# and exit 2 before anything is measured, and leaves no file behind; a
# short real run gives a 1x1 matrix per node of the machine as JSON, CSV
# and text, and a real SVG through gnuplot.  No speed is asserted here:
# figures belong in BENCHMARKS.md (bench/run-mem.sh).
set -u
. "$(dirname "$0")/lib.sh"

# The last-level cache, as bench mem states it when a size is below it.
run_np bench mem --size 16K
LLC=$(sed -n 's/.*below the \([0-9.]* [KMG]iB\) L[0-9] cache.*/\1/p' "$TMP/err")
if [ "$RC" = 2 ] && [ -n "$LLC" ]; then ok
else bad "bench mem --size 16K: exit $RC: $(cat "$TMP/err")"; fi
SIZE=$(python3 -c "import math, sys; v, u = sys.argv[1].split(); print('%dM' % max(1, math.ceil(float(v) * {'KiB': 1 / 1024, 'MiB': 1, 'GiB': 1024}[u])))" "${LLC:-64 MiB}")
NODES=$("$NP" topo | sed -n 's/^available: [0-9]* nodes (\(.*\))$/\1/p')

expect_error 2 "^numaplace: bench mem: arrays of 16 KiB: below the [0-9.]+ [KMG]iB L[0-9] cache, it would measure the cache \(at least the cache; 4x by STREAM's rule\)$" bench mem --size 16K
expect_error 2 "^numaplace: bench mem: arrays of 1 KiB: at least 16 KiB$" bench mem --size 1K
expect_error 2 "^numaplace: bench mem: CPU nodes '4000': node 4000 does not exist$" bench mem --cpu-nodes 4000
expect_error 2 "^numaplace: bench mem: memory nodes '4000': node 4000 does not exist$" bench mem --mem-nodes 4000
expect_error 2 "^numaplace: bench mem: --kernels: kernel 'tri': not one of read, write, copy, scale, add, triad$" bench mem --kernels read,tri
expect_error 2 "^numaplace: bench mem: --kernels: kernel 'copy' named twice$" bench mem --kernels copy,copy
expect_error 2 "^numaplace: bench mem: --json and --csv: one output format at a time$" bench mem --json --csv
expect_error 2 "^numaplace: bench mem: --plot: $TMP/m\.pdf: a plot is an \.svg or a \.png file$" bench mem --plot "$TMP/m.pdf"
expect_error 2 "^numaplace: bench mem: --plot: $TMP/no/m\.svg: no directory $TMP/no$" bench mem --plot "$TMP/no/m.svg"
expect_error 2 "^numaplace: bench mem: --ntimes: '1' is not a number from 2 to 100$" bench mem --ntimes 1
expect_error 2 "^numaplace: bench mem: --loads: '10' is not a number from 1000 to" bench mem --loads 10
expect_error 2 "^numaplace: bench mem: --pages '8k': expected 4k or 2m$" bench mem --pages 8k
expect_error 2 "^numaplace: bench mem: 4096 threads: CPU node [0-9]+ has [0-9]+ CPUs? this task may run on$" bench mem --threads 4096
expect_error 2 "^numaplace: bench mem: unexpected argument 'x'$" bench mem x
# A refusal after the plot was asked for leaves no plot (nor a temporary).
expect_error 2 "^numaplace: bench mem: CPU nodes" bench mem --cpu-nodes 4000 --plot "$TMP/refused.svg"
if [ -z "$(ls "$TMP" | grep refused)" ]; then ok; else bad "a refused run left $(ls "$TMP")"; fi

# gnuplot missing: exit 1 after the measurement, nothing on stdout, no file.
RC=0
PATH=/nonexistent "$NP" bench mem --size "$SIZE" --ntimes 2 --kernels triad \
	--plot "$TMP/nognuplot.svg" >"$TMP/out" 2>"$TMP/err" || RC=$?
if [ "$RC" = 1 ] && [ ! -s "$TMP/out" ] && [ -z "$(ls "$TMP" | grep nognuplot)" ] &&
   grep -q "^numaplace: bench mem: --plot: gnuplot: not installed" "$TMP/err"; then ok
else bad "bench mem without gnuplot: exit $RC: $(cat "$TMP/err")"; fi

# JSON: the issue's shape, every repetition, the host's state; the plot.
run_np bench mem --size "$SIZE" --ntimes 3 --latency --loads 100000 --json \
	--plot "$TMP/m.svg"
if [ "$RC" = 0 ] && python3 - "$TMP/out" "$NODES" <<'P'
import json, sys
j = json.load(open(sys.argv[1]))
nodes = sys.argv[2]
assert j["schema"] == "numaplace-bench-mem/1"
assert j["emulated"] is None and j["host"]["lab_guest"] is False
assert j["host"]["thp"] in ("always", "madvise", "never"), j["host"]
assert isinstance(j["host"]["numa_balancing"], int)
assert j["stores"] == "regular" and j["page_bytes"] == 4096 and j["ntimes"] == 3
assert j["kernels"] == ["read", "write", "copy", "scale", "add", "triad"]
assert j["array_size"] == "given" and j["array_bytes"] >= j["llc_bytes"] > 0
bw, lat = j["bandwidth"], j["latency"]
if nodes == "0":
    assert [(b["cpu_node"], b["mem_node"]) for b in bw] == [(0, 0)], bw
    assert [(l["cpu_node"], l["mem_node"]) for l in lat] == [(0, 0)], lat
for b in bw:
    for k, f in (("read", 1), ("write", 2), ("copy", 1.5), ("scale", 1.5),
                 ("add", 32 / 24), ("triad", 32 / 24)):
        assert b[k + "_mbps"] > 0, b
        assert abs(b[k + "_bus_mbps"] - b[k + "_mbps"] * f) < 0.01 + 1e-6 * b[k + "_mbps"], (k, b)
        reps = b["repetitions_mbps"][k]
        assert len(reps) == 3 and abs(max(reps[1:]) - b[k + "_mbps"]) < 0.01, (k, reps)
    assert b["huge_bytes"] == 0 and b["threads"] == len(b["cpus"]) >= 1
for l in lat:
    assert l["ns"] > 0 and len(l["repetitions_ns"]) == 5
    assert sorted(l["repetitions_ns"])[2] == l["ns"]
assert j["latency_loads"] == 100000 and j["tlb_group_bytes"] == 262144
assert j["sweep"] is None
P
then ok; else bad "bench mem --json: exit $RC: $(cat "$TMP/err") $(head -c 800 "$TMP/out")"; fi
if head -c 200 "$TMP/m.svg" | grep -q '<svg' && grep -q 'triad bandwidth, MB/s' "$TMP/m.svg" &&
   grep -q 'latency, ns per load' "$TMP/m.svg" && [ -z "$(ls "$TMP" | grep 'm\.svg\.')" ]; then ok
else bad "bench mem --plot: no SVG with both heat-maps: $(head -c 300 "$TMP/m.svg" 2>&1)"; fi

# CSV, with the sweep: one figure a line.
run_np bench mem --size "$SIZE" --ntimes 2 --kernels copy --sweep --loads 1000 --csv
if [ "$RC" = 0 ] && [ "$(head -1 "$TMP/out")" = "kind,cpu_node,mem_node,kernel,pages,bytes,value,unit" ] &&
   grep -Eq '^bandwidth,0,0,copy,4k,[0-9]+,[0-9.]+,MB/s$' "$TMP/out" &&
   grep -Eq '^bus,0,0,copy,4k,[0-9]+,[0-9.]+,MB/s$' "$TMP/out" &&
   grep -Eq '^sweep,0,0,,4k,16384,[0-9.]+,ns$' "$TMP/out" &&
   grep -Eq '^sweep,0,0,,2m,16384,[0-9.]+,ns$' "$TMP/out" &&
   ! grep -q '^latency' "$TMP/out"; then ok
else bad "bench mem --csv: exit $RC: $(cat "$TMP/err") $(head -20 "$TMP/out")"; fi

# Text: MLC's matrix layout, the state line, non-temporal stores labelled.
run_np bench mem --size "$SIZE" --ntimes 2 --kernels triad --nt
if [ "$RC" = 0 ] &&
   grep -Eq "^bench mem: 3 arrays of [0-9.]+ [KMG]iB each \(as asked; the L[0-9] cache is [0-9.]+ [KMG]iB\), best of 1 repetition after a discarded first, non-temporal stores$" "$TMP/out" &&
   grep -q "^state: NUMA balancing o[nf]f*, THP [a-z]*, 4 KiB pages" "$TMP/out" &&
   grep -q "^triad: a\[i\] = b\[i\] + q\*c\[i\], 24 bytes per element$" "$TMP/out" &&
   grep -q "^Numa node	     0" "$TMP/out" && grep -Eq "^       0	 *[0-9]+\.[0-9]$" "$TMP/out" &&
   ! grep -q "on the bus" "$TMP/out"; then ok
else bad "bench mem --nt text: exit $RC: $(cat "$TMP/err") $(cat "$TMP/out")"; fi

# help: bench's help has both sub-commands; bench mem --help its own.
run_np bench mem --help
if [ "$RC" = 0 ] && head -1 "$TMP/out" | grep -q '^usage: numaplace bench mem '; then ok
else bad "bench mem --help: $(head -3 "$TMP/out")"; fi
run_np bench --help
if [ "$RC" = 0 ] && grep -q '^usage: numaplace bench alloc ' "$TMP/out" &&
   grep -q '^usage: numaplace bench mem ' "$TMP/out"; then ok
else bad "bench --help: $(head -3 "$TMP/out")"; fi
expect_error 2 "^numaplace: bench: which benchmark\? \(alloc, mem;" bench
summary
