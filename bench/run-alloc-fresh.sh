#!/bin/sh
# Issue 12, "frame allocator speed, stable": N fresh `bench alloc`
# processes with ASLR and N under `setarch -R` (no ASLR), alternating, so
# that a layout-dependent figure shows as a second mode across processes.
# One line per process: aslr, numaplace's median ns for one frame and per
# frame of a batch of 64, the load average when it started, and the steal
# time while it ran (/proc/stat, in USER_HZ ticks: time the hypervisor
# gave this guest's CPUs to someone else; a shared host's noise).
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
steal() { awk '$1 == "cpu" { print $9 }' /proc/stat; }
one() {
	load=$(cut -d' ' -f1 /proc/loadavg)
	s0=$(steal)
	out=$("$@" "$NP" bench alloc --rounds "$ROUNDS" --clock "$CLOCK" --json)
	s1=$(steal)
	printf '%s\n' "$out" |
	awk -v load="$load" -v mode="$mode" -v steal=$((s1 - s0)) '
		/"name": "numaplace"/ { np = 1 }
		np && /"ns_per_op":/ { gsub(/[,]/, "", $2); s = $2 }
		np && /"ns_per_op_batch64":/ { gsub(/[,]/, "", $2); b = $2; np = 0 }
		END { printf "%-6s %8s %8s  load %s  steal %s\n", mode, s, b, load, steal }'
}
echo "aslr     single  batch64"
i=0
while [ "$i" -lt "$N" ]; do
	mode=on; one env
	mode=off; one setarch -R
	i=$((i + 1))
done
