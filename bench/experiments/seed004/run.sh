#!/bin/sh
# Seed 004's comparison of VM memory policies, with STREAM-like
# instances in place of VMs: K instances at once (default: one per node
# with CPUs), instance i pinned to the CPUs of the (i mod n)-th node with
# CPUs, its memory placed by one of the seed's three policies:
#   random       each instance's memory on one node drawn at random (--seed)
#   interleave   every instance's memory interleaved over all memory nodes
#   round-robin  instance i's memory on the (i mod m)-th memory node
# Each policy runs --reps times (default 3), policies alternating.  Every
# instance checks its pages before it is timed (np-streamlet --expect) and
# all start together; each reports triad MB/s over its passes (the mean:
# what it got while the others ran).
#
#   sh run.sh [-k K] [--size SIZE] [--ntimes N] [--reps R] [--seed S]
#             [--csv FILE] [--plot FILE.svg|.png]
#   sh run.sh --plot-only CSV FILE.svg|.png
#
# Prints one line per instance, then per policy the total MB/s (median
# over the reps) and the spread of the instances; --csv keeps every
# instance's figure; --plot draws the totals with gnuplot.
# Environment: NUMAPLACE (default numaplace), NP_STREAMLET (np-streamlet).
set -eu
NP=${NUMAPLACE:-numaplace}
STREAMLET=${NP_STREAMLET:-np-streamlet}
K= SIZE=64M NTIMES=6 REPS=3 SEED=1 CSV= PLOT= PLOT_ONLY=
NODES=/sys/devices/system/node

die() { echo "seed004: $*" >&2; exit 2; }

plot() {   # plot CSV FILE: total MB/s per policy, one point per rep
	command -v gnuplot >/dev/null 2>&1 ||
		{ echo "seed004: gnuplot is not installed (make deps)" >&2; exit 1; }
	case $2 in
	*.svg) term="svg size 640,400 dynamic" ;;
	*.png) term="pngcairo size 640,400" ;;
	*) die "--plot $2: .svg or .png" ;;
	esac
	dat=$(mktemp) tmp="$2.tmp.$$"
	awk -F, 'NR > 1 { t[$2 "," $1] += $6; p[$2] = 1 }
		END { i = 0
			for (k in t) { split(k, a, ","); print a[1], a[2], t[k] } }' "$1" |
		sort -k1,1 -k2,2n |
		awk '$1 != last { i++; last = $1 } { print i, $1, $3 }' >"$dat"
	gnuplot <<-GP || { rm -f "$dat" "$tmp"; echo "seed004: gnuplot failed" >&2; exit 1; }
		set terminal $term
		set output "$tmp"
		set title "seed 004: K STREAM-like instances, total triad MB/s per policy"
		set ylabel "total triad MB/s (10^6 B/s)"
		set yrange [0:*]
		set xrange [0.5:3.5]
		set key off
		set grid ytics
		plot "$dat" using 1:3:xtic(2) with points pt 7 ps 1.5
	GP
	rm -f "$dat"
	mv "$tmp" "$2"
}

while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || die "$1: needs a value (see the head of $0)"
	case $1 in
	-k) K=$2 ;;
	--size) SIZE=$2 ;;
	--ntimes) NTIMES=$2 ;;
	--reps) REPS=$2 ;;
	--seed) SEED=$2 ;;
	--csv) CSV=$2 ;;
	--plot) PLOT=$2 ;;
	--plot-only)
		[ $# -ge 3 ] || die "--plot-only CSV FILE"
		plot "$2" "$3"
		exit 0 ;;
	*) die "$1: unknown option (see the head of $0)" ;;
	esac
	shift 2
done
for v in "$REPS" "$SEED" ${K:+"$K"}; do
	case $v in ''|*[!0-9]*) die "'$v': not a number" ;; esac
done
case $PLOT in ''|*.svg|*.png) ;; *) die "--plot $PLOT: .svg or .png" ;; esac

[ -d "$NODES" ] || die "this kernel has no NUMA ($NODES is missing)"
cpu_nodes=$(for d in "$NODES"/node[0-9]*; do
	[ -n "$(cat "$d/cpulist" 2>/dev/null)" ] && echo "${d##*node}"
done | sort -n)
mem_list=$(cat "$NODES/has_memory" 2>/dev/null || cat "$NODES/online")
mem_nodes=$(echo "$mem_list" | tr ',' '\n' |
	awk -F- '{ hi = NF > 1 ? $2 : $1; for (n = $1; n <= hi; n++) print n }')
ncpu=$(echo "$cpu_nodes" | wc -w)
nmem=$(echo "$mem_nodes" | wc -w)
[ "$ncpu" -ge 1 ] || die "no node with CPUs"
K=${K:-$ncpu}
[ "$K" -ge 1 ] || die "-k 0: at least one instance"

echo "seed004: $K instances, 3 x $SIZE each, $NTIMES passes, $REPS reps," \
	"CPU nodes $(echo $cpu_nodes | tr ' ' ','), memory nodes $mem_list"
if grep -q 'np\.shell=' /proc/cmdline 2>/dev/null; then
	echo "emulated: a numaplace lab guest; TCG does not model remote" \
		"latency or bandwidth, so the policies cannot differ in speed here"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "rep,policy,instance,cpu_node,mem_nodes,triad_mbps" >"$work/csv"
nth() { echo "$2" | awk -v i="$1" '{ for (f = 1; f <= NF; f++) a[++n] = $f }
	END { print a[i % n + 1] }'; }
# the random draws: one per (rep, instance), from the seed, by the
# Park-Miller generator (exact in any awk's doubles, so the same seed
# draws the same nodes everywhere; awk's own rand() differs by awk)
draws=$(awk -v s="$SEED" -v n=$((REPS * K)) -v m="$nmem" 'BEGIN {
	x = s % 2147483647; if (x <= 0) x += 2147483646
	for (i = 0; i < n; i++) { x = (x * 16807) % 2147483647; print x % m } }')

rep=1
while [ "$rep" -le "$REPS" ]; do
	for policy in random interleave round-robin; do
		rm -f "$work/go" "$work"/out.*
		i=0 pids=
		while [ "$i" -lt "$K" ]; do
			cn=$(nth "$i" "$cpu_nodes")
			case $policy in
			random)
				d=$(echo "$draws" | sed -n "$(((rep - 1) * K + i + 1))p")
				mn=$(nth "$d" "$mem_nodes")
				place="--membind $mn" ;;
			interleave)
				mn=$mem_list
				place="--interleave $mn" ;;
			round-robin)
				mn=$(nth "$i" "$mem_nodes")
				place="--membind $mn" ;;
			esac
			echo "$cn $mn" >"$work/where.$i"
			# shellcheck disable=SC2086
			"$NP" run --cpunodebind "$cn" $place -- "$STREAMLET" \
				--size "$SIZE" --ntimes "$NTIMES" --expect "$mn" \
				--go "$work/go" >"$work/out.$i" 2>&1 &
			pids="$pids $!"
			i=$((i + 1))
		done
		# start them together once every one has placed its memory
		while :; do
			n=$(cat "$work"/out.* 2>/dev/null | grep -c '^ready$' || true)
			[ "$n" -ge "$K" ] && break
			live=0
			for p in $pids; do kill -0 "$p" 2>/dev/null && live=1; done
			[ "$live" = 1 ] || break
			sleep 0.05
		done
		: >"$work/go"
		rc=0
		for p in $pids; do wait "$p" || rc=1; done
		if [ "$rc" != 0 ]; then
			for f in "$work"/out.*; do grep -v '^ready$' "$f"; done >&2
			echo "seed004: an instance failed under $policy (above)" >&2
			exit 1
		fi
		i=0
		while [ "$i" -lt "$K" ]; do
			read -r cn mn <"$work/where.$i"
			mbps=$(awk '/^triad_mbps_mean:/ { print $2 }' "$work/out.$i")
			printf '%-11s rep %d instance %d: cpus of node %s, memory %s: %s MB/s\n' \
				"$policy" "$rep" "$i" "$cn" "$mn" "$mbps"
			echo "$rep,$policy,$i,$cn,$(echo "$mn" | tr , " "),$mbps" >>"$work/csv"
			i=$((i + 1))
		done
	done
	rep=$((rep + 1))
done

echo "policy       total MB/s (median of reps)  instance MB/s min..max"
for policy in random interleave round-robin; do
	awk -F, -v p="$policy" '$2 == p { t[$1] += $6
			if (!seen++ || $6 < lo) lo = $6
			if ($6 > hi) hi = $6 }
		END { n = 0; for (r in t) v[++n] = t[r]
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
				if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
			med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			printf "%-12s %27.1f  %.1f..%.1f\n", p, med, lo, hi }' "$work/csv"
done
if [ -n "$CSV" ]; then
	cp "$work/csv" "$CSV.tmp.$$" && mv "$CSV.tmp.$$" "$CSV"
fi
[ -z "$PLOT" ] || plot "$work/csv" "$PLOT"
