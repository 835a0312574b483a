#!/bin/sh
# A real QEMU started with the arguments np_plan_emit_qemu writes for a
# hand-built plan on this host's node 0 (tests/lab/plan-qemu.c builds it):
# QMP query-memdev shows every backend with its size, policy bind and host
# node, query-cpus-fast the planned vCPUs in their guest nodes; the vCPU
# threads pinned as planned read back so (sched_getaffinity and
# /proc/PID/task/TID/status); move_pages and numa_maps put the
# preallocated guest RAM on node 0.  A checker fed a wrong plan says so.
# QEMU is killed at the end, and on any failure.
set -u
. "$(dirname "$0")/lib.sh"
PQ=${NP_PLAN_QEMU:?NP_PLAN_QEMU must name np-plan-qemu}
QEMU=$(command -v qemu-system-x86_64 || true)
if [ -z "$QEMU" ]; then
	echo "qemu-system-x86_64 not installed: skipping (make deps installs it)"
	exit 77
fi
exec </dev/null

QPIDS=""
cleanup() {
	for p in $QPIDS; do kill -9 "$p" 2>/dev/null; done
	for p in $QPIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

NODE0_CPUS=$(cat /sys/devices/system/node/node0/cpulist 2>/dev/null || echo 0)
FIRST=${NODE0_CPUS%%[-,]*}
LAST=${NODE0_CPUS##*[-,]}

# start NAME: QEMU paused with $TMP/NAME.args, its pid in QPID.
start() {
	rm -f "$TMP/$1.sock"
	# shellcheck disable=SC2046 # one option and its value per line
	"$QEMU" -S -display none -accel tcg -nodefaults \
		-name "$1,debug-threads=on" \
		-qmp "unix:$TMP/$1.sock,server=on,wait=off" \
		$(grep -v '^#' "$TMP/$1.args") 2>"$TMP/$1.qemu-err" &
	QPID=$!
	QPIDS="$QPIDS $QPID"
}

stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	if kill -0 "$1" 2>/dev/null; then bad "QEMU $1 still running"; else ok; fi
}

# tid_of PID NAME: the thread of PID whose name is NAME.
tid_of() {
	for t in /proc/"$1"/task/*; do
		if [ "$(cat "$t/comm" 2>/dev/null)" = "$2" ]; then
			basename "$t"; return
		fi
	done
}

# check NAME: np-plan-qemu check, output in $TMP/NAME.check.
check() {
	if "$PQ" check --qmp "$TMP/$1.sock" --pins "$TMP/$1.json" --pid "$QPID" \
		>"$TMP/$1.check" 2>&1 && grep -qx 'check: ok' "$TMP/$1.check"; then ok
	else bad "$1: $(grep -v '^check' "$TMP/$1.check" | grep -E 'FAIL|qmp|np-plan' ; cat "$TMP/$1.qemu-err")"; fi
}

expect_line() {
	if grep -qxF "$2" "$TMP/$1.check"; then ok
	else bad "$1: no line '$2' in: $(cat "$TMP/$1.check")"; fi
}

# bound_pages PID NODE: pages numa_maps counts on NODE in bind:NODE mappings.
bound_pages() {
	awk -v pol="bind:$2" -v key="N$2" '$2 == pol {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == key) n += kv[2] } }
		END { print n + 0 }' "/proc/$1/numa_maps"
}

# ---- one guest cell: 2 vCPUs sharing node 0's CPUs, 32 MiB preallocated
if "$PQ" args --prealloc --pins "$TMP/one.json" one "0:2:32:$NODE0_CPUS" \
	>"$TMP/one.args" 2>"$TMP/err"; then ok; else bad "args one: $(cat "$TMP/err")"; fi
start one
check one
expect_line one "memdev ram0: size 33554432 policy bind host-nodes 0 prealloc on (planned size 33554432 policy bind host-nodes 0)"
expect_line one "query-cpus-fast: 2 vCPUs, planned 2"
expect_line one "vcpu 1: guest node 0 (planned 0)"
expect_line one "memdev ram0: move_pages: 8192 pages on node 0, 0 elsewhere, 0 not present (planned 8192 on node 0)"
n=$(bound_pages "$QPID" 0)
if [ "$n" -ge 8192 ]; then ok; else bad "one: numa_maps has $n pages bound to node 0, want 8192"; fi
# the pin as the kernel reports it for the thread QEMU names "CPU 1/TCG"
tid=$(tid_of "$QPID" "CPU 1/TCG")
allowed=$(awk '/^Cpus_allowed_list:/ { print $2 }' "/proc/$QPID/task/$tid/status" 2>/dev/null)
if [ -n "$tid" ] && [ "$allowed" = "$NODE0_CPUS" ]; then ok
else bad "one: CPU 1/TCG (thread '$tid') allowed '$allowed', want $NODE0_CPUS"; fi
# a checker handed another plan finds the difference
tr -d ' \n' <"$TMP/one.json" | sed 's/"host_nodes":\[0\]/"host_nodes":[1]/' >"$TMP/wrong.json"
if "$PQ" check --qmp "$TMP/one.sock" --pins "$TMP/wrong.json" >"$TMP/wrong.check" 2>&1; then
	bad "a plan with host node 1 passed the check against QEMU on node 0"
elif grep -q '^FAIL: memdev ram0: .*host-nodes 0 prealloc on (planned .* host-nodes 1)$' "$TMP/wrong.check"; then ok
else bad "wrong plan: $(cat "$TMP/wrong.check")"; fi
stop "$QPID"

# ---- two guest cells on node 0, dedicated CPUs (the first and the last of
# node 0), distances 21 one way and 31 back
if "$PQ" args --prealloc --dedicated --dist "10,21;31,10" --pins "$TMP/two.json" \
	two "0:1:16:$FIRST" "0:1:16:$LAST" >"$TMP/two.args" 2>"$TMP/err"; then ok
else bad "args two: $(cat "$TMP/err")"; fi
if grep -qx -- '-numa dist,src=1,dst=0,val=31' "$TMP/two.args" &&
	grep -qx -- '-smp 2,sockets=2,cores=1,threads=1' "$TMP/two.args"; then ok
else bad "two: arguments $(cat "$TMP/two.args")"; fi
start two
check two
expect_line two "vcpu 0: thread $(tid_of "$QPID" "CPU 0/TCG") pinned to $FIRST (planned $FIRST)"
expect_line two "vcpu 1: thread $(tid_of "$QPID" "CPU 1/TCG") pinned to $LAST (planned $LAST)"
expect_line two "vcpu 1: guest node 1 (planned 1)"
expect_line two "memdev ram1: size 16777216 policy bind host-nodes 0 prealloc on (planned size 16777216 policy bind host-nodes 0)"
# QEMU took the asymmetric distances: its guest's SLIT is not checked here
# (no guest boots), but QEMU refuses a matrix it cannot build
if [ -z "$(cat "$TMP/two.qemu-err")" ]; then ok; else bad "two: QEMU said $(cat "$TMP/two.qemu-err")"; fi
stop "$QPID"

# ---- numaplace plan --emit qemu: the planner's plan for this host, started
printf '%s\n' '[{"name": "p1", "vcpus": 2, "memory_mib": 32},' \
	' {"name": "toobig", "vcpus": 1, "memory_mib": 99999999}]' >"$TMP/vms.json"
mkdir "$TMP/dir"
run_np plan --emit qemu --prealloc --out "$TMP/dir" "$TMP/vms.json"
if [ "$RC" = 0 ] && [ ! -s "$TMP/out" ] && [ -s "$TMP/dir/p1.args" ] &&
	[ ! -e "$TMP/dir/toobig.args" ]; then ok
else bad "plan --emit qemu --out: exit $RC, files $(ls "$TMP/dir"): $(cat "$TMP/err")"; fi
run_np plan --emit qemu-pins --out "$TMP/dir" "$TMP/vms.json"
if [ "$RC" = 0 ] && [ -s "$TMP/dir/p1.pins.json" ] && [ ! -e "$TMP/dir/toobig.pins.json" ]; then ok
else bad "plan --emit qemu-pins --out: exit $RC: $(cat "$TMP/err")"; fi
cp "$TMP/dir/p1.args" "$TMP/p1.args"
cp "$TMP/dir/p1.pins.json" "$TMP/p1.json"
if grep -qx -- '-object memory-backend-ram,id=ram0,size=32M,prealloc=on,host-nodes=0,policy=bind' "$TMP/p1.args"; then ok
else bad "p1: $(cat "$TMP/p1.args")"; fi
start p1
check p1
expect_line p1 "memdev ram0: move_pages: 8192 pages on node 0, 0 elsewhere, 0 not present (planned 8192 on node 0)"
stop "$QPID"
# on stdout: every VM in turn, the one not placed as a comment saying why
run_np plan --emit qemu "$TMP/vms.json"
if [ "$RC" = 0 ] && grep -q '^# toobig: not placed: needs ' "$TMP/out" &&
	[ "$(grep -c '^-smp ' "$TMP/out")" = 1 ]; then ok
else bad "plan --emit qemu: exit $RC: $(cat "$TMP/out" "$TMP/err")"; fi
run_np plan --emit qemu-pins "$TMP/vms.json"
if [ "$RC" = 0 ] && python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
assert [v["vm"] for v in j] == ["p1"] and j[0]["memdevs"][0]["host_nodes"] == [0]' "$TMP/out"; then ok
else bad "plan --emit qemu-pins: exit $RC: $(cat "$TMP/out" "$TMP/err")"; fi

# ---- fixture machines: a VM split over two nodes of the 4-node Xeon, and
# 2 MiB hugepages on the two-socket server (its node 0 has a pool)
X4=$DUMPS/xeon-4n-seed001
echo '[{"name": "big", "vcpus": 8, "memory_mib": 100000, "dedicated_cpus": true}]' >"$TMP/big.json"
run_np plan --sysroot "$X4" --emit qemu "$TMP/big.json"
if [ "$RC" = 0 ] && grep -qx -- '-numa dist,src=1,dst=0,val=21' "$TMP/out" &&
	[ "$(grep -c '^-object memory-backend-ram,.*,policy=bind$' "$TMP/out")" = 2 ] &&
	[ "$(grep -c '^# vcpu [0-7] -> host cpus [0-9]*$' "$TMP/out")" = 8 ]; then ok
else bad "plan --emit qemu, 4 nodes: exit $RC: $(cat "$TMP/out" "$TMP/err")"; fi
echo '[{"name": "h", "vcpus": 2, "memory_mib": 1024, "hugepages": "2M"}]' >"$TMP/h.json"
S2=$DUMPS/server-2s-smt
run_np plan --sysroot "$S2" --emit qemu --hugetlbfs /mnt/huge,2M "$TMP/h.json"
if [ "$RC" = 0 ] && grep -qx -- '-object memory-backend-file,id=ram0,size=1024M,mem-path=/mnt/huge,,2M,prealloc=on,host-nodes=0,policy=bind' "$TMP/out"; then ok
else bad "plan --emit qemu --hugetlbfs: exit $RC: $(cat "$TMP/out" "$TMP/err")"; fi
expect_error 2 "^numaplace: plan: hugetlbfs path '/mnt/my huge': white space or quotes$" \
	plan --sysroot "$S2" --emit qemu --hugetlbfs "/mnt/my huge" "$TMP/h.json"
expect_error 2 "^numaplace: plan: --emit: 'qemu-args' is not one of json, table, libvirt, qemu, qemu-pins$" \
	plan --sysroot "$S2" --emit qemu-args "$TMP/h.json"

summary
