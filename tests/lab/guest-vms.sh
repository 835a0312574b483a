#!/bin/sh
# Runs inside a 4-node lab guest (tests/lab/test-lab-vms.sh): a real QEMU,
# paused, with 2 vCPUs and 256 MiB preallocated in a backend bound to
# node 0, seen by numaplace vms and moved by numaplace apply.
#   a:  vms through QMP and through thread names; apply --nodes 2 (by
#       address); the threads' affinity, numa_maps and vms afterwards;
#   b:  apply --nodes 3 hot-first at 64 MiB/s in 10 ms batches while
#       np-vms-writer keeps 8 MiB at 192 MiB into guest RAM hot;
#   c:  apply --nodes 1 at 16 MiB/s, QEMU killed after 3 s;
#   d:  apply to this shell (not QEMU);
#   e:  apply --nodes 2 to a QEMU in a cpuset of nodes 0-1.
# Every section is "--- NAME" and its lines; the host side checks them.
BIN=/opt/numaplace/bin
export QEMU_MODULE_DIR=$BIN

# start_qemu NAME MIB: QEMU paused, its PID in $pid once its vCPU
# threads and QMP socket exist
start_qemu() {
	rm -f /tmp/"$1".sock
	qemu-system-x86_64 -S -display none -accel tcg -nodefaults \
		-L "$BIN" -bios qboot.rom -name "$1,debug-threads=on" \
		-qmp unix:/tmp/"$1".sock,server=on,wait=off -smp 2 -m "$2M" \
		-object memory-backend-ram,id=ram0,size="$2M",prealloc=on,host-nodes=0,policy=bind \
		-numa node,nodeid=0,cpus=0-1,memdev=ram0 2>/tmp/"$1".err &
	pid=$!
	for _ in $(seq 600); do
		[ -S /tmp/"$1".sock ] &&
			grep -q 'CPU 1/TCG' /proc/"$pid"/task/*/comm 2>/dev/null &&
			return 0
		sleep 0.1
	done
	echo "--- $1-start"
	echo "QEMU did not start: $(cat /tmp/"$1".err)"
	return 1
}

threads() {
	for t in /proc/"$1"/task/*; do
		case $(cat "$t"/comm) in
		CPU*) echo "$(cat "$t"/comm): $(awk '/^Cpus_allowed_list:/ { print $2 }' "$t"/status)" ;;
		esac
	done
}

stop_qemu() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

ram_start() {
	numaplace vms --json "$1" | sed -n 's/.*"start": "\(0x[0-9a-f]*\)".*/\1/p' | head -1
}

if start_qemu a 256; then
	echo "--- a-pid"
	echo "$pid"
	echo "--- a-vms-qmp"
	numaplace vms --json "$pid"
	echo "--- a-vms-threads"
	numaplace vms --json --no-qmp a
	echo "--- a-vms-text"
	numaplace vms a
	echo "--- a-apply"
	numaplace apply --pid "$pid" --nodes 2 --order address --json 2>/tmp/a.apply.err
	echo "rc=$?"
	cat /tmp/a.apply.err
	echo "--- a-threads"
	threads "$pid"
	echo "--- a-numa_maps"
	grep ' bind:0 ' /proc/"$pid"/numa_maps
	echo "--- a-vms-after"
	numaplace vms --json "$pid"
	stop_qemu "$pid"
fi

if start_qemu b 256; then
	start=$(ram_start "$pid")
	echo "--- b-start"
	echo "$start"
	np-vms-writer "$pid" "$start" $((192 << 20)) $((8 << 20)) 60000 2>/tmp/b.writer &
	writer=$!
	sleep 1
	echo "--- b-apply"
	numaplace apply --pid "$pid" --nodes 3 --rate 64 --batch-ms 10 \
		--order hot-first --sample-ms 500 --json 2>/tmp/b.apply.err
	echo "rc=$?"
	cat /tmp/b.apply.err
	kill "$writer"
	wait "$writer" 2>/dev/null
	stop_qemu "$pid"
fi

if start_qemu c 256; then
	numaplace apply --pid "$pid" --nodes 1 --rate 16 --order address \
		--json >/tmp/c.out 2>/tmp/c.err &
	apply=$!
	sleep 3
	kill -9 "$pid"
	wait "$apply"
	rc=$?
	echo "--- c-rc"
	echo "rc=$rc"
	echo "--- c-out"
	cat /tmp/c.out
	echo "--- c-err"
	cat /tmp/c.err
	wait "$pid" 2>/dev/null
fi

echo "--- d"
numaplace apply --pid $$ --nodes 1 2>&1
echo "rc=$?"

if start_qemu e 16; then
	if ! grep -q cgroup2 /proc/mounts; then
		mkdir -p /sys/fs/cgroup
		mount -t cgroup2 none /sys/fs/cgroup
	fi
	echo +cpuset >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p /sys/fs/cgroup/npvms
	echo 0-1 >/sys/fs/cgroup/npvms/cpuset.mems
	echo "$pid" >/sys/fs/cgroup/npvms/cgroup.procs
	echo "--- e-mems"
	awk '/^Mems_allowed_list:/ { print $2 }' /proc/"$pid"/status
	echo "--- e"
	numaplace apply --pid "$pid" --nodes 2 2>&1
	echo "rc=$?"
	echo "--- e-threads"
	threads "$pid"
	stop_qemu "$pid"
fi
echo "--- end"
