#!/bin/sh
# Seed 000's experiment as the seed ran it, with statistics: numaplace's
# test kernel (kernel/) booted in QEMU on a multi-node host, its guest
# nodes' memory and vCPUs on the matching host nodes (B: what the seed's
# NUMA-aware kernel had), against all guest memory on host node 0 with
# the same vCPU pins (A: the seed's "without"), alternated by `numaplace
# ab` on the kernel's own reported time (the local phase's TSC cycles,
# the slowest CPU's), which ends in one verdict line.
#
#   sh run.sh [--kernel FILE] [--mem MIB] [--cpus N] [--frames N]
#             [--reads N] [--runs N] [--accel kvm|tcg] [--timeout S]
#             [--csv FILE] [--plot FILE.svg] [--log FILE]
#   sh run.sh --side A|B [same options]      one boot, checked, one figure
#
# --log FILE appends every run's placement lines and figure (ab keeps only
# the figures).
#
# Defaults: build/kernel/numaplace-test-kernel.elf (or numaplace-test-
# kernel.elf on PATH), 2 guest nodes of 256 MiB with 1 vCPU each, 65536
# frames per vCPU (capped so that bind fits guest node 1), 2*10^7 random
# reads per vCPU, 20 runs per side, KVM when /dev/kvm is usable, else TCG.
#
# Every run is checked from outside before its figure counts: the kernel
# waits on its serial port after its workload (npk.hold), and the script
# then reads the QEMU process's numa_maps (each guest node's RAM is one
# mapping bound to its host node: every page of it must be there, and the
# guest must have touched at least the node it filled) and `numaplace
# where` (nothing of a bound mapping outside its policy's nodes).  The
# vCPU threads are pinned while the kernel waits before its workload
# (npk.wait).  A run whose memory is not where its side says, or whose
# kernel's checks failed, stops the experiment.
# Environment: NUMAPLACE (default: numaplace on PATH), QEMU (default:
# qemu-system-x86_64 on PATH), QEMU_ROMS (a directory with qboot.rom; by
# default QEMU's own).
set -eu
NP=${NUMAPLACE:-numaplace}
QEMU=${QEMU:-qemu-system-x86_64}
NODES=/sys/devices/system/node
KERNEL= MEM=256 CPUS=1 FRAMES= READS=20000000 RUNS=20 ACCEL= TIMEOUT=600
CSV= PLOT= SIDE= LOG=

die() { echo "seed000-kernel: $*" >&2; exit 2; }
fail() { echo "seed000-kernel: $*" >&2; exit 1; }
number() { case $2 in ''|*[!0-9]*) die "$1 '$2': not a number" ;; esac; }
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || die "$1: needs a value (see the head of $0)"
	case $1 in
	--kernel) KERNEL=$2 ;;
	--mem) number "$1" "$2"; MEM=$2 ;;
	--cpus) number "$1" "$2"; CPUS=$2 ;;
	--frames) number "$1" "$2"; FRAMES=$2 ;;
	--reads) number "$1" "$2"; READS=$2 ;;
	--runs) number "$1" "$2"; RUNS=$2 ;;
	--accel) ACCEL=$2 ;;
	--timeout) number "$1" "$2"; TIMEOUT=$2 ;;
	--csv) CSV=$2 ;;
	--plot) PLOT=$2 ;;
	--side) SIDE=$2 ;;
	--log) LOG=$2 ;;
	*) die "$1: unknown option (see the head of $0)" ;;
	esac
	shift 2
done
[ "$MEM" -ge 16 ] || die "--mem $MEM: at least 16 (MiB per guest node)"
[ "$CPUS" -ge 1 ] || die "--cpus 0: at least one vCPU per guest node"
# the kernel keeps ~6 MiB of node 0; under bind, every vCPU takes its
# frames from guest node 1
max=$(( (MEM - 8) * 256 / (2 * CPUS) ))
[ -n "$FRAMES" ] || FRAMES=$(( max < 65536 ? max : 65536 ))
[ "$FRAMES" -ge 1 ] && [ "$FRAMES" -le "$max" ] ||
	die "--frames $FRAMES: 1 to $max for $CPUS vCPUs on $MEM MiB nodes"
if [ -z "$KERNEL" ]; then
	here=$(dirname "$0")
	for k in "$here/../../../build/kernel/numaplace-test-kernel.elf" \
		"$(command -v numaplace-test-kernel.elf || true)"; do
		[ -n "$k" ] && [ -r "$k" ] && KERNEL=$k && break
	done
	[ -n "$KERNEL" ] || die "no test kernel: give --kernel FILE (make builds build/kernel/numaplace-test-kernel.elf)"
fi
[ -r "$KERNEL" ] || die "--kernel $KERNEL: not readable"
command -v "$QEMU" >/dev/null || die "$QEMU not found: install package qemu-system-x86"
if [ -z "$ACCEL" ]; then
	ACCEL=tcg
	[ -w /dev/kvm ] && ACCEL=kvm
fi
case $ACCEL in kvm|tcg) ;; *) die "--accel $ACCEL: kvm or tcg" ;; esac

# The first two host nodes with CPUs and memory: guest node k runs on
# host node H[k].
[ -d "$NODES" ] || die "this kernel has no NUMA ($NODES is missing)"
mem_nodes=$(cat "$NODES/has_memory" 2>/dev/null || cat "$NODES/online")
in_list() {   # in_list NODE LIST: LIST as sysfs prints it (0-1,3)
	echo "$2" | tr ',' '\n' | awk -F- -v n="$1" '
		{ hi = NF > 1 ? $2 : $1 } n >= $1 && n <= hi { f = 1 } END { exit !f }'
}
hosts=$(for d in "$NODES"/node[0-9]*; do
	n=${d##*node}
	[ -n "$(cat "$d/cpulist" 2>/dev/null)" ] && in_list "$n" "$mem_nodes" && echo "$n"
done | sort -n | head -2 | tr '\n' ' ')
set -- $hosts
[ $# -ge 2 ] || die "needs two host nodes with CPUs and memory, this machine has $#: both sides would be the same placement"
H0=$1 H1=$2
cpulist() { cat "$NODES/node$1/cpulist"; }
# a cpulist (0-1,4) as a hex mask for taskset -p
mask() {
	echo "$1" | tr ',' '\n' | awk -F- '{ hi = NF > 1 ? $2 : $1
		for (c = $1; c <= hi; c++) m[c] = 1; if (hi > top) top = hi }
		END { s = ""; for (b = int(top / 4) * 4; b >= 0; b -= 4) {
			v = 0; for (i = 3; i >= 0; i--) v = v * 2 + (m[b + i] ? 1 : 0)
			s = s sprintf("%x", v) } print s }'
}

# ---- one boot --------------------------------------------------------------
# wait_for FILE LINE SECONDS: until FILE has the line, or QEMU ended.
wait_for() {
	i=0
	while ! grep -qx "$2" "$1" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || return 1
		i=$((i + 1))
		[ "$i" -le $(($3 * 10)) ] || return 1
		sleep 0.1
	done
}

one_boot() {
	side=$1
	case $side in
	A) b0=0 b1=0 ;;   # all guest memory on host node 0, as in the seed
	B) b0=$H0 b1=$H1 ;;
	*) die "--side $side: A or B" ;;
	esac
	in_list "$b0" "$mem_nodes" || die "host node $b0 has no memory"
	dir=$(mktemp -d)
	trap 'kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
	mkfifo "$dir/com1.in" "$dir/com1.out"
	cat "$dir/com1.out" >"$dir/report" &
	roms=
	[ -n "${QEMU_ROMS:-}" ] && roms="-L $QEMU_ROMS"
	cpu=
	[ "$ACCEL" = kvm ] && cpu="-cpu host"
	# shellcheck disable=SC2086 # $roms and $cpu: an option and its value
	"$QEMU" -nodefaults -no-user-config -display none -accel "$ACCEL" \
		$cpu -machine pc $roms -bios qboot.rom -name npk,debug-threads=on \
		-kernel "$KERNEL" -no-reboot \
		-append "npk.frames=$FRAMES npk.reads=$READS npk.wait npk.hold" \
		-m $((2 * MEM))M -smp $((2 * CPUS)),sockets=2,cores="$CPUS",threads=1 \
		-object memory-backend-ram,id=m0,size="$MEM"M,host-nodes="$b0",policy=bind \
		-object memory-backend-ram,id=m1,size="$MEM"M,host-nodes="$b1",policy=bind \
		-numa node,nodeid=0,memdev=m0 -numa node,nodeid=1,memdev=m1 \
		-numa cpu,node-id=0,socket-id=0 -numa cpu,node-id=1,socket-id=1 \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-serial pipe:"$dir/com1" 2>"$dir/qemu.err" &
	pid=$!
	wait_for "$dir/report" wait "$TIMEOUT" ||
		fail "side $side: the kernel did not reach its workload: $(tail -3 "$dir/report" "$dir/qemu.err" | tr '\n' ' ')"
	# vCPU v belongs to guest node v / CPUS; pin it to that node's host node
	for t in /proc/"$pid"/task/*; do
		comm=$(cat "$t/comm")
		case $comm in "CPU "*) ;; *) continue ;; esac
		v=${comm#CPU }
		v=${v%%/*}
		h=$H0
		[ "$v" -ge "$CPUS" ] && h=$H1
		taskset -p "$(mask "$(cpulist "$h")")" "${t##*/}" >/dev/null ||
			fail "side $side: cannot pin vCPU $v"
	done
	printf g >"$dir/com1.in"
	wait_for "$dir/report" hold "$TIMEOUT" ||
		fail "side $side: no result: $(tail -3 "$dir/report" "$dir/qemu.err" | tr '\n' ' ')"
	check_placement "$side" "$b0" "$b1"
	printf g >"$dir/com1.in"
	rc=0
	wait "$pid" || rc=$?
	pid=
	grep -qx 'result pass' "$dir/report" && [ "$rc" = 1 ] ||
		fail "side $side: the kernel's checks failed (QEMU status $rc): $(grep -E '^(error|result)' "$dir/report" | tr '\n' ' ')"
	cycles=$(sed -n 's/^time phase=local cpu_cycles_max=\([0-9]*\) .*/\1/p' "$dir/report")
	echo "local_phase_cycles: $cycles"
	[ -z "$LOG" ] || echo "side $side: local_phase_cycles: $cycles" >>"$LOG"
}

# check_placement SIDE B0 B1: guest RAM from outside, while the kernel holds.
check_placement() {
	maps=/proc/$pid/numa_maps
	rc=0
	# each bound mapping of the guest's RAM: bind:N, its pages by node
	awk -v b0="$2" -v b1="$3" -v mem="$MEM" -v side="$1" '
	$2 ~ /^bind:/ {
		pol = substr($2, 6); on = 0; off = 0
		for (i = 3; i <= NF; i++)
			if ($i ~ /^N[0-9]+=/) {
				split(substr($i, 2), kv, "=")
				if (kv[1] == pol) on += kv[2]; else off += kv[2]
			}
		n++; total[pol] += on; bad += off
		printf "placement: side %s: a mapping bound to host node %s: %d pages there, %d elsewhere\n", side, pol, on, off
	}
	END {
		# guest node 1 was filled by the strict phase: nearly all its pages
		need = int(mem * 256 * 0.9)
		if (n != 2) { print "placement: " n " bound mappings, not 2"; exit 1 }
		if (bad) { print "placement: " bad " pages off their bound node"; exit 1 }
		if (total[b1] < need) { print "placement: host node " b1 " holds " total[b1] " pages of guest RAM, want >= " need; exit 1 }
	}' "$maps" >"$dir/placement" || rc=$?
	cat "$dir/placement" >&2
	[ -z "$LOG" ] || cat "$dir/placement" >>"$LOG"
	[ "${rc:-0}" = 0 ] || fail "side $1: guest RAM is not where this side binds it"
	"$NP" where -p "$pid" --json >"$dir/where.json" ||
		fail "side $1: numaplace where failed"
	if grep -q '"policy": *"bind:' "$dir/where.json"; then
		fail "side $1: numaplace where finds bound memory outside its nodes: $(tr -d '\n' <"$dir/where.json" | sed 's/.*"outside_policy"//')"
	fi
}

if [ -n "$SIDE" ]; then
	one_boot "$SIDE"
	exit 0
fi

echo "seed000-kernel: guest nodes 0 and 1 ($MEM MiB, $CPUS vCPUs each) on host nodes $H0 and $H1, $FRAMES frames and $READS random reads per vCPU, $RUNS runs per side, QEMU accel $ACCEL"
echo "A: all guest memory on host node 0, vCPUs pinned to host nodes $H0 and $H1"
echo "B: guest node k's memory on host node H_k, the same pins"
echo "metric: the local phase's TSC cycles, slowest vCPU (the kernel's report)"
if grep -q 'np\.lab=1' /proc/cmdline 2>/dev/null || [ "$ACCEL" = tcg ]; then
	echo "emulated: QEMU's TCG$(grep -q 'np\.lab=1' /proc/cmdline 2>/dev/null && echo ' inside a numaplace lab guest (TCG too)'); it does not model remote latency, so no speed difference is expected"
fi
opts="--kernel $KERNEL --mem $MEM --cpus $CPUS --frames $FRAMES --reads $READS --accel $ACCEL --timeout $TIMEOUT${LOG:+ --log $LOG}"
set -- --runs "$RUNS" --metric 'local_phase_cycles: ([0-9]+)'
[ -n "$CSV" ] && set -- "$@" --export-csv "$CSV"
[ -n "$PLOT" ] && set -- "$@" --plot "$PLOT"
exec "$NP" ab "$@" "sh $0 --side A $opts" "sh $0 --side B $opts"
