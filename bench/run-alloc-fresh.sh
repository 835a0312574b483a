#!/bin/sh
# Issue 12, "frame allocator speed, stable": N fresh `bench alloc`
# processes with ASLR and N under `setarch -R` (no ASLR), alternating, so
# that a layout-dependent figure shows as a second mode across processes.
# One line per process: aslr, numaplace's median ns for one frame and per
# frame of a batch of 64, jemalloc's median for one frame in the same
# process and numaplace's over it, the load average when it started, and
# the steal time while it ran (/proc/stat, in USER_HZ ticks: time the
# hypervisor gave this guest's CPUs to someone else; a shared host's
# noise).  jemalloc is the yardstick of the host's speed at that moment:
# a process slowed by the host slows both, and the ratio stays; a stall of
# numaplace's own moves the ratio alone.  The last line counts the
# processes at or under 6 ns and gives the ratio's spread.
# CLOCK=cpu times each process's frames in its thread's CPU time (bench
# alloc --clock cpu: without the steal, which this guest's kernel
# accounts apart).
#   sh bench/run-alloc-fresh.sh [numaplace [helper]]   (N=20 ROUNDS=15 CLOCK=wall)
set -eu
NP=${1:-build/tools/numaplace/numaplace}
[ $# -ge 2 ] && export NUMAPLACE_BENCH_HELPER="$2"
N=${N:-20}
ROUNDS=${ROUNDS:-15}
CLOCK=${CLOCK:-wall}
lines=$(mktemp)
trap 'rm -f "$lines"' EXIT
steal() { awk '$1 == "cpu" { print $9 }' /proc/stat; }
one() {
	load=$(cut -d' ' -f1 /proc/loadavg)
	s0=$(steal)
	out=$("$@" "$NP" bench alloc --rounds "$ROUNDS" --clock "$CLOCK" --json)
	s1=$(steal)
	printf '%s\n' "$out" |
	awk -v load="$load" -v mode="$mode" -v steal=$((s1 - s0)) '
		/"name": / { name = $2; gsub(/[",]/, "", name) }
		name == "numaplace" && /"ns_per_op":/ { gsub(/,/, "", $2); s = $2 }
		name == "numaplace" && /"ns_per_op_batch64":/ { gsub(/,/, "", $2); b = $2 }
		name == "jemalloc" && /"ns_per_op":/ { gsub(/,/, "", $2); je = $2 }
		END {
			r = je ? sprintf("%.3f", s / je) : "-"
			printf "%-6s %8s %8s %8s %6s  load %s  steal %s\n", mode,
			       s, b, je ? je : "-", r, load, steal
		}' | tee -a "$lines"
}
echo "aslr     single  batch64 jemalloc  ratio"
i=0
while [ "$i" -lt "$N" ]; do
	mode=on; one env
	mode=off; one setarch -R
	i=$((i + 1))
done
sort -k5 -g "$lines" | awk '
	{ n++; ok += ($2 <= 6); if ($5 != "-") r[++m] = $5 }
	END {
		printf "%d of %d at or under 6 ns", ok, n
		if (m)
			printf "; numaplace/jemalloc median %.3f (%s..%s)",
			       m % 2 ? r[(m + 1) / 2] : (r[m / 2] + r[m / 2 + 1]) / 2,
			       r[1], r[m]
		printf "\n"
	}'
