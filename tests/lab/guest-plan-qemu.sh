#!/bin/sh
# Runs inside a 4-node lab guest (tests/lab/test-lab-plan-qemu.sh): a real
# QEMU, paused, with the arguments np_plan_emit_qemu writes for plans made
# for this guest's nodes, checked from outside.
#   two:  2 vCPUs and 2 x 32 MiB over nodes 1 and 2, dedicated CPUs, the
#         distances this guest has between them;
#   il:   2 vCPUs and 48 MiB interleaved over nodes 0, 2 and 3 (seed
#         004's interleave: no guest cells);
#   huge: 1 vCPU and 16 MiB of 2 MiB hugepages on node 3 (hugetlbfs);
#   pl:   numaplace plan's own plan for this guest (--emit qemu and
#         qemu-pins) of 2 vCPUs and 64 MiB when only nodes 1 and 2 have
#         40 MiB each to give (--reserve-mem keeps the rest): two cells.
# Per case: the arguments, np-plan-qemu check (QMP, pins, move_pages),
# numa_maps' bound mappings, numaplace where --json, and whether QEMU is
# gone after kill.
BIN=/opt/numaplace/bin
export QEMU_MODULE_DIR=$BIN
node_cpus() { cat /sys/devices/system/node/node"$1"/cpulist; }
first_cpu() { c=$(node_cpus "$1"); echo "${c%%[-,]*}"; }
# distance from node $1 to node $2 (node ids 0..3 here)
dist() { set -- "$2" $(cat /sys/devices/system/node/node"$1"/distance); shift $(($1 + 1)); echo "$1"; }

# hand NAME ARGS...: /tmp/NAME.args and /tmp/NAME.json for a hand-built plan
hand() {
	name=$1
	shift
	np-plan-qemu args --prealloc --dedicated --pins /tmp/"$name".json "$@" \
		>/tmp/"$name".args
}

# run_case NAME: QEMU with /tmp/NAME.args, checked against /tmp/NAME.json
run_case() {
	name=$1
	echo "--- $name-args"
	cat /tmp/"$name".args
	rm -f /tmp/"$name".sock
	start=$(date +%s)
	# shellcheck disable=SC2046 # one option and its value per line
	qemu-system-x86_64 -S -display none -accel tcg -nodefaults \
		-L "$BIN" -bios qboot.rom -name "$name,debug-threads=on" \
		-qmp unix:/tmp/"$name".sock,server=on,wait=off \
		$(grep -v '^#' /tmp/"$name".args) 2>/tmp/"$name".err &
	pid=$!
	echo "--- $name-check"
	np-plan-qemu check --qmp /tmp/"$name".sock --pins /tmp/"$name".json \
		--pid "$pid" --wait 20
	echo "rc=$? up=$(($(date +%s) - start))s"
	echo "--- $name-threads"
	for t in /proc/"$pid"/task/*; do
		case $(cat "$t"/comm) in
		CPU*) echo "$(cat "$t"/comm): $(awk '/^Cpus_allowed_list:/ { print $2 }' "$t"/status)" ;;
		esac
	done
	echo "--- $name-numa_maps"
	grep -E ' (bind|interleave):' /proc/"$pid"/numa_maps
	echo "--- $name-where"
	numaplace where -p "$pid" --json
	echo "--- $name-hugepages"
	for n in 0 1 2 3; do
		echo "node$n $(cat /sys/devices/system/node/node$n/hugepages/hugepages-2048kB/free_hugepages)"
	done
	echo "--- $name-stderr"
	cat /tmp/"$name".err
	kill "$pid"
	wait "$pid" 2>/dev/null
	echo "--- $name-gone"
	if kill -0 "$pid" 2>/dev/null; then echo "running"; else echo "gone"; fi
}

hand two --dist "10,$(dist 1 2);$(dist 2 1),10" two \
	"1:1:32:$(first_cpu 1)" "2:1:32:$(first_cpu 2)" && run_case two

hand il --interleave il "0,2-3:2:48:$(node_cpus 0),$(node_cpus 2)" &&
	run_case il

mkdir -p /dev/hugepages
mount -t hugetlbfs none /dev/hugepages
echo 8 >/sys/devices/system/node/node3/hugepages/hugepages-2048kB/nr_hugepages
hand huge --hugepages 2097152 huge "3:1:16:$(node_cpus 3)" && run_case huge
echo 0 >/sys/devices/system/node/node3/hugepages/hugepages-2048kB/nr_hugepages

# numaplace plan: every node's free memory reserved but 40 MiB of nodes 1
# and 2, so a 64 MiB VM must be split over them.  The arguments and the
# pins come from two runs of the planner: both read one snapshot of the
# machine (topo --json), or the few pages the kernel takes or frees in
# between could tip the split (40 + 24 MiB one way in one run, the other
# way in the next) and the two files would disagree.
free_mib() { awk '/MemFree/ { print int($4 / 1024) }' /sys/devices/system/node/node"$1"/meminfo; }
numaplace topo --json >/tmp/topo.json
reserve="0:$(free_mib 0),1:$(($(free_mib 1) - 40)),2:$(($(free_mib 2) - 40)),3:$(free_mib 3)"
echo '[{"name": "pl", "vcpus": 2, "memory_mib": 64}]' >/tmp/vms.json
mkdir -p /tmp/plan
echo "--- pl-plan"
numaplace plan --topology /tmp/topo.json --reserve-mem "$reserve" \
	--emit qemu --prealloc --out /tmp/plan /tmp/vms.json &&
	numaplace plan --topology /tmp/topo.json --reserve-mem "$reserve" \
		--emit qemu-pins --out /tmp/plan /tmp/vms.json &&
	cp /tmp/plan/pl.args /tmp/pl.args && cp /tmp/plan/pl.pins.json /tmp/pl.json &&
	echo "planned" && run_case pl
cat /tmp/pl.json
