#!/bin/sh
# The main job: the topology of this machine and of a bundled dump, a
# 4-node lab guest, placement truth in it, and node-placed frames.
set -eu
# (the lab part needs QEMU and a kernel: make deps installs them)
NP=${1:-build/tools/numaplace/numaplace}
DUMP=tests/dumps/xeon-4n-seed001

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step numaplace topo
"$NP" topo
step numaplace topo --sysroot $DUMP
"$NP" topo --sysroot $DUMP
step numaplace topo --sysroot $DUMP -v
"$NP" topo --sysroot $DUMP -v
step numaplace topo --sysroot $DUMP --json
"$NP" topo --sysroot $DUMP --json

# The lab: a 4-node machine (seed 001's shape, scaled down) in QEMU, with
# numaplace topo from inside it next to this machine's.
step "numaplace lab --preset 4n -- numaplace topo   (right) next to this machine's numaplace topo (left)"
"$NP" topo >/tmp/np-demo-host.$$
if "$NP" lab --preset 4n -- numaplace topo >/tmp/np-demo-guest.$$; then
	awk 'NR == FNR { l[FNR] = $0; n = FNR; next }
	     { r[FNR] = $0; m = FNR }
	     END { for (i = 1; i <= (n > m ? n : m); i++) printf "%-36s | %s\n", l[i], r[i] }' \
		/tmp/np-demo-host.$$ /tmp/np-demo-guest.$$
fi
rm -f /tmp/np-demo-host.$$ /tmp/np-demo-guest.$$

# Placement truth in the same 4-node guest: a program bound to node 2 under
# `run --report`, then `where` of it while it runs.
PROBE=$(dirname "$NP")/../../tests/lab/np-probe
step "numaplace lab --preset 4n: numaplace run --report --membind 2 ..., then numaplace where -p"
"$NP" lab --preset 4n --add "$PROBE" -- sh -c '
	numaplace run --membind 0 dd if=/dev/zero of=/tmp/data bs=1M count=8 2>/dev/null
	echo "$ numaplace run --report --membind 2 np-probe hold 32 /tmp/data 1"
	numaplace run --report --membind 2 np-probe hold 32 /tmp/data 1 2>&1
	numaplace run --membind 2 np-probe hold 32 /tmp/data >/tmp/ready &
	while ! grep -q ready /tmp/ready 2>/dev/null; do sleep 0.1; done
	echo; echo "$ numaplace where -p $!"; numaplace where -p $!' 2>&1

# The frame allocator in the same 4-node guest: a pool of 32 MiB bound to
# each node, frames on every node (bind to each in turn, then interleave),
# each frame's node asked of the kernel (move_pages), the counters table.
step "numaplace lab --preset 4n: numaplace frames on every node, verified"
"$NP" lab --preset 4n -- sh -c '
	for n in 0 1 2 3; do
		echo "$ numaplace frames --pool 32M --policy bind --node $n --alloc 4M --verify"
		numaplace frames --pool 32M --policy bind --node $n --alloc 4M --verify | sed -n "1,8p"
		echo
	done
	echo "$ numaplace frames --pool 32M --policy interleave --alloc 16M --verify"
	numaplace frames --pool 32M --policy interleave --alloc 16M --verify' 2>&1

# What each node pair delivers, measured in the same 4-node guest: the
# bandwidth and latency matrices (MLC's layout).  Emulated: TCG puts the
# pages on the nodes asked (bench mem checks every page before timing) but
# does not make remote memory slower, so the matrix is flat here; on real
# hardware the same command shows the NUMA penalty.
step "numaplace lab --preset 4n -- numaplace bench mem --size 16M --ntimes 3 --latency --loads 100000"
"$NP" lab --preset 4n -- numaplace bench mem --size 16M --ntimes 3 --latency \
	--loads 100000 2>&1

# Is B really faster than A?  Two commands that differ (a 20 ms and a 30 ms
# sleep), alternated, with the ratio of medians, its bootstrap interval
# and a rank test, ending in one verdict line.
step "numaplace ab --runs 10 'sleep 0.02' 'sleep 0.03'"
"$NP" ab --runs 10 'sleep 0.02' 'sleep 0.03'

# A plan as libvirt domain XML: seed 004's line format ("CPUS MEM_MIB") on
# the 4-node lab host (its topology dumped from a guest), the first VM's
# domain (vCPU pins, numatune, guest
# NUMA cell).  Then numaplace's answer to libvirt's question "numad -w
# VCPUS:MIB" next to Debian's numad, in a guest whose node 0 is small:
# numad sizes every node like node 0 and spreads the VM over both.
step "numaplace plan --sysroot (the 4n guest's dump) --emit libvirt (seed 004's lines)"
rm -rf /tmp/np-demo-4n.$$
"$NP" lab --preset 4n --dump /tmp/np-demo-4n.$$ -- true
printf "2 256\n4 512\n" >/tmp/np-demo-vms.$$
"$NP" plan --sysroot /tmp/np-demo-4n.$$ --emit libvirt /tmp/np-demo-vms.$$ |
	sed "/<\/domain>/q"
# The same host and four small VMs in seed 004's line format under every
# strategy, side by side: which host nodes each VM got.
step "numaplace plan --sysroot (the 4n guest's dump) --strategy S, for every S"
printf "1 96\n2 64\n1 32\n2 128\n" >/tmp/np-demo-vms.$$
printf "%-12s %-14s %-14s %-14s %s\n" strategy vm1 vm2 vm3 vm4
for s in best-fit spread pack random interleave round-robin; do
	"$NP" plan --sysroot /tmp/np-demo-4n.$$ --strategy "$s" --emit json \
		/tmp/np-demo-vms.$$ | python3 -c '
import json, sys
p = json.load(sys.stdin)
cells = ["nodes " + ",".join(str(n) for n in v["nodes"]) if v["placed"]
         else "refused" for v in p["vms"]]
print("%-12s %s" % (sys.argv[1], " ".join("%-14s" % c for c in cells)))' "$s"
done
rm -rf /tmp/np-demo-4n.$$ /tmp/np-demo-vms.$$
if [ -x /usr/bin/numad ]; then
	step "numaplace lab --nodes 2:256M,2:1G: numad -w against numaplace plan --advise"
	"$NP" lab --nodes 2:256M,2:1G --add /usr/bin/numad -- sh -c '
		for r in 1:200 1:600 2:700; do
			printf "%-6s numad: %-5s numaplace: %s\n" "$r" \
				"$(numad -w $r 2>/dev/null)" "$(numaplace plan --advise $r 2>&1)"
		done' 2>&1
fi

# A running VM on the wrong node, seen and fixed: in the 4-node guest a
# real QEMU (paused, 2 vCPUs, 64 MiB preallocated) has its memory bound
# to node 0 but its threads on node 2's CPUs.  numaplace vms shows where
# its vCPUs run and where its guest RAM is (verdict: remote); numaplace
# plan --strategy spread places such a VM on the emptiest node; numaplace
# apply pins its threads as planned and
# moves its memory there in 10 ms batches, hot pages first, with the
# pages per node before and after read back; vms again: local.
QEMU=$(command -v qemu-system-x86_64 || true)
QMOD=/usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so
if [ -n "$QEMU" ] && [ -r "$QMOD" ] && [ -r /usr/share/qemu/qboot.rom ]; then
	step "numaplace lab --preset 4n: a QEMU on the wrong node; numaplace vms, plan, apply, vms"
	"$NP" lab --preset 4n --add "$QEMU" --add "$QMOD" \
		--add /usr/share/qemu/qboot.rom --add /usr/share/qemu/kvmvapic.bin -- sh -c '
		export QEMU_MODULE_DIR=/opt/numaplace/bin
		taskset -c "$(cat /sys/devices/system/node/node2/cpulist)" \
		qemu-system-x86_64 -S -display none -accel tcg -nodefaults \
			-L /opt/numaplace/bin -bios qboot.rom -name demo,debug-threads=on \
			-qmp unix:/tmp/demo.sock,server=on,wait=off -smp 2 -m 64M \
			-object memory-backend-ram,id=ram0,size=64M,prealloc=on,host-nodes=0,policy=bind \
			-numa node,nodeid=0,cpus=0-1,memdev=ram0 &
		pid=$!
		for _ in $(seq 300); do
			grep -q "CPU 1/TCG" /proc/$pid/task/*/comm 2>/dev/null && [ -S /tmp/demo.sock ] && break
			sleep 0.1
		done
		echo "$ numaplace vms demo"
		numaplace vms demo
		echo
		printf "2 64\n" >/tmp/demo.vms
		echo "$ numaplace plan --strategy spread --emit table /tmp/demo.vms     (2 vCPUs, 64 MiB)"
		numaplace plan --strategy spread --emit table /tmp/demo.vms | sed -n 1,5p
		numaplace plan --strategy spread --emit json /tmp/demo.vms >/tmp/demo.plan
		echo
		echo "$ numaplace apply --pid $pid --plan /tmp/demo.plan --vm vm1 --batch-ms 10"
		numaplace apply --pid $pid --plan /tmp/demo.plan --vm vm1 --batch-ms 10
		echo
		echo "$ numaplace vms demo"
		numaplace vms demo
		kill $pid' 2>&1
fi
