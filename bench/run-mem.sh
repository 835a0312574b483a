#!/bin/sh
# bench mem's accuracy (BENCHMARKS.md, issue 13): numaplace bench mem
# against peers measured in the same run, alternating, ROUNDS times:
#   triad, all CPUs of node 0   vs bench/stream-ref (STREAM's rules, OpenMP)
#   triad --nt                  vs bench/stream-ref nt
#   copy, one thread (and --nt) vs mbw -t1 (Debian's mbw, its "dumb" copy,
#                                  which gcc turns into memcpy)
#   latency, 4 KiB pages        vs bench/chase-ref 4k (same size, loads)
#   latency, huge pages         vs bench/chase-ref huge
# Sizes by STREAM's rule: each array, and the chase's buffer, 4x the
# last-level cache.  A shared VM's figures move by 20 % from one process
# to the next, so each side's figure is the median over ROUNDS rounds
# (alternating) and the ratio is of those medians; the per-round ratios
# follow.  Quiet machine wanted: nothing else of yours running.
set -eu
NP=${1:-build/tools/numaplace/numaplace}
BIN=${BENCH_BIN:-$(dirname "$NP")/../../bench}
ROUNDS=${ROUNDS:-7}
LOADS=${LOADS:-10000000}
OUT=$(mktemp -d /tmp/np-run-mem.XXXXXX)
trap 'rm -rf "$OUT"' EXIT

for p in "$BIN/stream-ref" "$BIN/chase-ref" /usr/bin/mbw; do
	[ -x "$p" ] || { echo "run-mem.sh: $p missing (make; make deps)" >&2; exit 1; }
done
# The size STREAM's rule gives here, and the threads of node 0.
"$NP" bench mem --kernels read --ntimes 2 --json >"$OUT/probe.json"
eval "$(python3 - "$OUT/probe.json" <<'P'
import json, sys
j = json.load(open(sys.argv[1]))
print("SIZE=%d LLC=%d THREADS=%d" % (j["array_bytes"], j["llc_bytes"],
                                     j["bandwidth"][0]["threads"]))
P
)"
MIB=$((SIZE / 1048576))
echo "arrays and chase buffer: $SIZE bytes (4x the $LLC-byte LLC), $THREADS threads, $ROUNDS rounds"
export OMP_NUM_THREADS=$THREADS OMP_PROC_BIND=true OMP_PLACES=cores

for r in $(seq "$ROUNDS"); do
	echo "round $r"
	"$NP" bench mem --size "$SIZE" --kernels triad --json >"$OUT/np-$r.json"
	"$BIN/stream-ref" "$SIZE" 10 >"$OUT/ref-$r.txt"
	"$NP" bench mem --size "$SIZE" --nt --kernels triad --json >"$OUT/npnt-$r.json"
	"$BIN/stream-ref" "$SIZE" 10 nt >"$OUT/refnt-$r.txt"
	"$NP" bench mem --size "$SIZE" --threads 1 --kernels copy --json >"$OUT/np1-$r.json"
	"$NP" bench mem --size "$SIZE" --threads 1 --kernels copy --nt --json >"$OUT/np1nt-$r.json"
	mbw -q -n 10 -t1 "$MIB" >"$OUT/mbw-$r.txt"
	"$NP" bench mem --size "$SIZE" --kernels read --ntimes 2 --latency \
		--loads "$LOADS" --json >"$OUT/nplat-$r.json"
	"$BIN/chase-ref" "$SIZE" "$LOADS" 5 4k >"$OUT/chase-$r.txt"
	"$NP" bench mem --size "$SIZE" --pages 2m --kernels read --ntimes 2 \
		--latency --loads "$LOADS" --json >"$OUT/nphuge-$r.json"
	"$BIN/chase-ref" "$SIZE" "$LOADS" 5 huge >"$OUT/chasehuge-$r.txt"
done

python3 - "$OUT" "$ROUNDS" <<'P'
import json, re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def js(n, r): return json.load(open("%s/%s-%d.json" % (out, n, r)))
def kv(n, r, key):
    for line in open("%s/%s-%d.txt" % (out, n, r)):
        if line.startswith(key + " "):
            return float(line.split()[1])
def mbw(r):
    for line in open("%s/mbw-%d.txt" % (out, r)):
        m = re.search(r"^AVG.*Copy: ([0-9.]+) MiB/s", line)
        if m:
            # mbw counts one array per copy; STREAM's copy counts the read
            # and the write: 2 x its MiB, in MB
            return 2 * float(m.group(1)) * 1.048576
def bw(n, r, k): return js(n, r)["bandwidth"][0][k + "_mbps"]
def lat(n, r): return js(n, r)["latency"][0]["ns"]
rows = {
    "triad MB/s": lambda r: (bw("np", r, "triad"), kv("ref", r, "triad_mbps")),
    "triad --nt MB/s": lambda r: (bw("npnt", r, "triad"), kv("refnt", r, "triad_mbps")),
    "copy 1 thread vs mbw": lambda r: (bw("np1", r, "copy"), mbw(r)),
    "copy --nt 1 thr vs mbw": lambda r: (bw("np1nt", r, "copy"), mbw(r)),
    "latency 4 KiB ns": lambda r: (lat("nplat", r), kv("chase", r, "ns")),
    "latency huge ns": lambda r: (lat("nphuge", r), kv("chasehuge", r, "ns")),
}
print("%-24s %10s %10s %7s   per-round ratios" % ("", "numaplace", "peer", "ratio"))
for key, f in rows.items():
    v = [f(r) for r in range(1, rounds + 1)]
    a = statistics.median(x for x, _ in v)
    p = statistics.median(y for _, y in v)
    print("%-24s %10.1f %10.1f %7.3f   %s" % (key, a, p, a / p,
          " ".join("%.2f" % (x / y) for x, y in v)))
h = [js("nphuge", r) for r in range(1, rounds + 1)]
print("huge pages really huge (smaps): %s of %d bytes" %
      (", ".join(str(j["latency"][0]["huge_bytes"]) for j in h), h[0]["latency_bytes"]))
P
