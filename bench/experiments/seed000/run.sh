#!/bin/sh
# Seed 000's experiment, with statistics: N threads (default 2), each on
# its own node's CPUs with a buffer it reads at random, run with all
# memory on one node (A: "all guest memory on host node 0") against each
# thread's memory on its own node (B: what a NUMA-aware allocator gives),
# alternated by `numaplace ab`, which ends in one verdict line.
#
#   sh run.sh [--size SIZE] [--reads N] [--threads N] [--runs N] [--thp]
#             [--csv FILE] [--plot FILE.svg]
#
# Defaults: 1G per thread, 2*10^7 reads, 2 threads, 20 runs per side, 4 KiB
# pages (--thp: transparent huge pages, with which the kernel may put part
# of a buffer on another node even under --localalloc; that run then stops
# the experiment).
# Each run checks its pages before it is timed (np-randread --expect); a
# run whose pages are not where its side says stops the experiment.
# Environment: NUMAPLACE (default: numaplace on PATH), NP_RANDREAD
# (default: np-randread on PATH).
set -eu
NP=${NUMAPLACE:-numaplace}
RANDREAD=${NP_RANDREAD:-np-randread}
SIZE=1G READS=20000000 THREADS=2 RUNS=20 CSV= PLOT= THP=
NODES=/sys/devices/system/node

die() { echo "seed000: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	if [ "$1" = --thp ]; then
		THP=--thp
		shift
		continue
	fi
	[ $# -ge 2 ] || die "$1: needs a value (see the head of $0)"
	case $1 in
	--size) SIZE=$2 ;;
	--reads) READS=$2 ;;
	--threads) THREADS=$2 ;;
	--runs) RUNS=$2 ;;
	--csv) CSV=$2 ;;
	--plot) PLOT=$2 ;;
	*) die "$1: unknown option (see the head of $0)" ;;
	esac
	shift 2
done
case $THREADS in ''|*[!0-9]*) die "--threads '$THREADS': not a number" ;; esac
[ "$THREADS" -ge 1 ] || die "--threads 0: at least one"

# nodes with CPUs, ascending; memory nodes from has_memory
[ -d "$NODES" ] || die "this kernel has no NUMA ($NODES is missing)"
cpu_nodes=$(for d in "$NODES"/node[0-9]*; do
	[ -n "$(cat "$d/cpulist" 2>/dev/null)" ] && echo "${d##*node}"
done | sort -n)
mem_nodes=$(cat "$NODES/has_memory" 2>/dev/null || cat "$NODES/online")
in_list() {   # in_list NODE LIST: LIST as sysfs prints it (0-1,3)
	echo "$2" | tr ',' '\n' | awk -F- -v n="$1" '
		{ hi = NF > 1 ? $2 : $1 } n >= $1 && n <= hi { f = 1 } END { exit !f }'
}
ncpu=$(echo "$cpu_nodes" | wc -w)
[ "$ncpu" -ge 2 ] || die "needs two nodes with CPUs, this machine has $ncpu: \
both sides would be the same placement"
used=$(echo "$cpu_nodes" | awk -v t="$THREADS" '{ a[NR] = $1 } END {
	for (i = 0; i < t; i++) printf "%s%s", i ? " " : "", a[i % NR + 1] }')
for n in $used; do
	in_list "$n" "$mem_nodes" || die "node $n has CPUs but no memory: \
its thread cannot have node-local memory"
done
# A's node: node 0 as in the seed, else the first node with memory
one=0
in_list 0 "$mem_nodes" || one=$(echo "$mem_nodes" | sed 's/[-,].*//')

echo "seed000: $THREADS threads on nodes $(echo "$used" | tr ' ' ','), \
$SIZE each, $READS random reads each, $RUNS runs per side"
echo "A: all memory on node $one (numaplace run --membind $one)"
echo "B: each thread's memory on its own node (numaplace run --localalloc)"
if grep -q 'np\.shell=' /proc/cmdline 2>/dev/null; then
	echo "emulated: a numaplace lab guest; TCG does not model remote \
latency, so no difference is expected"
fi
args="--threads $THREADS --size $SIZE --reads $READS${THP:+ $THP}"
set -- --runs "$RUNS" --warmup 1 --metric 'ns_per_read: ([0-9.]+)'
[ -n "$CSV" ] && set -- "$@" --export-csv "$CSV"
[ -n "$PLOT" ] && set -- "$@" --plot "$PLOT"
exec "$NP" ab "$@" \
	"$NP run --membind $one -- $RANDREAD $args --expect $one" \
	"$NP run --localalloc -- $RANDREAD $args --expect local"
