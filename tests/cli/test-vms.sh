#!/bin/sh
# numaplace vms: on a captured /proc (tests/unit/fixtures/vms, three QEMUs
# and a shell on the 4-node Xeon of tests/dumps/xeon-4n-seed001): the
# table, --json, selection by name and PID, --watch --count, refusals.
# Then a real QEMU on this host (paused, 2 vCPUs, 32 MiB bound to node
# 0), found through QMP and through its thread names.
set -u
. "$(dirname "$0")/lib.sh"
F="--sysroot $SRC/tests/unit/fixtures/vms --topology $DUMPS/xeon-4n-seed001/topo.json"

# shellcheck disable=SC2086 # F is options
run_np vms $F
if [ "$RC" = 0 ] &&
	grep -qx "VM vm-a (PID 4242): split across 2 nodes (0-1): each cell's memory on its vCPUs' nodes" "$TMP/out" &&
	grep -qx "VM vm-b (PID 5151): remote: 384.0 of 512.0 MiB of guest RAM (75.0%) is on other nodes than the vCPUs using it (vCPUs on node 2, memory on nodes 0,2)" "$TMP/out" &&
	grep -qx "VM vm-d (PID 7070): local: all 1024.0 MiB of guest RAM on node 3, with its vCPUs" "$TMP/out" &&
	! grep -q 6060 "$TMP/out"; then ok
else bad "vms: $(cat "$TMP/out" "$TMP/err")"; fi
# vCPU 1 of vm-a last ran on CPU 43 (node 0); ram1 wholly on node 1
if grep -qx '     1     4251       43     0     0  0-9,40-49' "$TMP/out" &&
	grep -qx '  ram1            1 bind:1             256.0       0.0     256.0' "$TMP/out"; then ok
else bad "vms: vm-a's rows: $(cat "$TMP/out")"; fi

# shellcheck disable=SC2086
run_np vms $F --json vm-b 7070
if [ "$RC" = 0 ] && python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
assert j["schema"] == "numaplace-vms/1"
b, d = j["vms"]
assert (b["pid"], b["verdict"], b["remote_bytes"], b["ram_bytes"]) == (5151, "remote", 384 << 20, 512 << 20), b
assert b["remote_share"] == 0.75
assert b["ram_nodes"] == [{"node": 0, "bytes": 384 << 20}, {"node": 2, "bytes": 128 << 20}]
assert [v["last_cpu"] for v in b["vcpus"]] == [21, 62]
assert b["vcpus"][0]["affinity"][:2] == [20, 21]
assert (d["name"], d["verdict"], d["ram"][0]["page_bytes"], d["ram"][0]["backend"]) == ("vm-d", "local", 2 << 20, "pc.ram")
' "$TMP/out"; then ok
else bad "vms --json: $(cat "$TMP/out" "$TMP/err")"; fi

# --watch off a terminal: one table per refresh, a blank line between
# shellcheck disable=SC2086
run_np vms $F --watch 1 --count 2 vm-d
if [ "$RC" = 0 ] && [ "$(grep -c '^VM vm-d' "$TMP/out")" = 2 ]; then ok
else bad "vms --watch: $(cat "$TMP/out")"; fi

# shellcheck disable=SC2086
expect_error 2 "^numaplace: vms: process 6060 \(bash\) is not QEMU$" vms $F 6060
# shellcheck disable=SC2086
expect_error 2 "^numaplace: vms: no QEMU process with PID or name 'vm-zz'$" vms $F vm-a vm-zz
# shellcheck disable=SC2086
expect_error 2 "^numaplace: vms: no process 99999$" vms $F 99999
expect_error 2 "^numaplace: vms: --qmp SOCKET is for one VM" vms --qmp /tmp/x.sock
expect_error 2 "^numaplace: vms: --count is for --watch$" vms --count 2
expect_error 2 "^numaplace: vms: no process" vms 4194303

# A real QEMU on this host
QEMU=$(command -v qemu-system-x86_64 || true)
if [ -z "$QEMU" ] || [ ! -r /usr/share/qemu/qboot.rom ]; then
	echo "qemu-system-x86_64 not installed: the live part is skipped"
	summary
	exit $?
fi
SOCK=$TMP/qmp.sock
"$QEMU" -S -display none -accel tcg -nodefaults -bios qboot.rom \
	-name "np-vms-test,debug-threads=on" -smp 2 -m 32M \
	-qmp "unix:$SOCK,server=on,wait=off" \
	-object memory-backend-ram,id=ram0,size=32M,prealloc=on,host-nodes=0,policy=bind \
	-numa node,nodeid=0,cpus=0-1,memdev=ram0 2>"$TMP/qemu.err" &
QPID=$!
trap 'kill $QPID 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 100); do
	[ -S "$SOCK" ] && grep -q 'CPU 1/TCG' /proc/$QPID/task/*/comm 2>/dev/null && break
	sleep 0.1
done
run_np vms --json $QPID
if [ "$RC" = 0 ] && python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))["vms"][0]
assert v["name"] == "np-vms-test" and v["vcpus_from"] == "qmp", v
assert [c["index"] for c in v["vcpus"]] == [0, 1]
assert all(c["guest_node"] == 0 for c in v["vcpus"])
r = v["ram"]
assert len(r) == 1 and r[0]["backend"] == "ram0" and r[0]["backend_policy"] == "bind", r
assert r[0]["size_bytes"] == 32 << 20 and r[0]["resident_bytes"] == 32 << 20, r
assert v["ram_nodes"] == [{"node": 0, "bytes": 32 << 20}], v["ram_nodes"]
assert v["verdict"] in ("local", "remote"), v["verdict"]
tids = sorted(c["thread"] for c in v["vcpus"])
print(" ".join(map(str, tids)))
' "$TMP/out" >"$TMP/tids"; then ok
else bad "vms on a real QEMU: $(cat "$TMP/out" "$TMP/err" "$TMP/qemu.err")"; fi
# the same threads by their names alone, and by the VM's name
run_np vms --json --no-qmp np-vms-test
if [ "$RC" = 0 ] && python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))["vms"][0]
assert v["vcpus_from"] == "threads" and v["ram_bytes"] == 32 << 20, v
print(" ".join(map(str, sorted(c["thread"] for c in v["vcpus"]))))
' "$TMP/out" | cmp -s - "$TMP/tids"; then ok
else bad "vms --no-qmp: $(cat "$TMP/out" "$TMP/err") (QMP said $(cat "$TMP/tids"))"; fi

# numaplace apply on the same QEMU.  Usage first.
expect_error 2 "^numaplace: apply: give one of --pid PID, --qmp SOCKET, --domain NAME$" apply --nodes 0
expect_error 2 "^numaplace: apply: give --plan FILE --vm NAME or --nodes LIST$" apply --pid $QPID
expect_error 2 "^numaplace: apply: --plan FILE and --vm NAME go together$" apply --pid $QPID --plan x
expect_error 2 "^numaplace: apply: --order: expected hot-first or address$" apply --pid $QPID --nodes 0 --order random
expect_error 2 "^numaplace: apply: --nodes: " apply --pid $QPID --nodes 4095
expect_error 2 "^numaplace: apply: --threads: '0' is not a number from 1 to 64$" apply --pid $QPID --nodes 0 --threads 0
expect_error 2 "^numaplace: apply: --threads: '65' is not a number from 1 to 64$" apply --pid $QPID --nodes 0 --threads 65
expect_error 2 "^numaplace: apply: process $$ \(.*\) is not QEMU$" apply --pid $$ --nodes 0
expect_error 2 "^numaplace: apply: no running QEMU has its QMP socket at /nonexistent.sock$" apply --qmp /nonexistent.sock --nodes 0

aff() { awk '/^Cpus_allowed_list/ { print $2 }' /proc/$QPID/task/"$1"/status; }
set -- $(cat "$TMP/tids")
v0=$1 v1=$2
before=$(aff "$v0")
cpus=$(cat /sys/devices/system/node/node0/cpulist)
last=${cpus##*[-,]}
# a dry run says what it would do and touches nothing
# (the guest RAM is on node 0 already: nothing to move, one thread of
# the four asked)
run_np apply --pid $QPID --nodes 0 --cpus "$last" --threads 4 --dry-run --json
if [ "$RC" = 0 ] && [ "$(aff "$v0")" = "$before" ] && python3 -c 'import json, sys
a = json.load(open(sys.argv[1]))
assert a["dry_run"] and a["move"]["dry_run"] and a["move"]["pages_moved"] == 0, a
assert a["move"]["pages_to_move"] == 0 and a["move"]["threads"] == 1, a["move"]
assert [p["after"] for p in a["pins"] if p["vcpu"] is not None] == [[int(sys.argv[2])]] * 2, a["pins"]
assert a["ranges"][0]["len_bytes"] == 32 << 20 and a["ranges"][0]["target_node"] == 0, a["ranges"]
' "$TMP/out" "$last"; then ok
else bad "apply --dry-run: $(cat "$TMP/out" "$TMP/err"), affinity $(aff "$v0") (was $before)"; fi

# pins through QMP's view, read back from the kernel; the main loop
# where told
run_np apply --qmp "$SOCK" --nodes 0 --cpus "$last" --emulator-cpus 0 --pins-only
if [ "$RC" = 0 ] && [ "$(aff "$v0")" = "$last" ] && [ "$(aff "$v1")" = "$last" ] &&
	[ "$(aff $QPID)" = 0 ] &&
	grep -q "^  vCPU 1   thread $v1 *[0-9,-]* -> $last\$" "$TMP/out" &&
	! grep -q '^guest RAM' "$TMP/out"; then ok
else bad "apply --pins-only: $(cat "$TMP/out" "$TMP/err")"; fi

# a plan file: vCPU 1 to CPU 0, vCPU 0 to the last; memory to node 0
# (already there: nothing to move, every page read back on node 0)
cat >"$TMP/plan.json" <<JSON
{"version": 1, "vms": [{"name": "other", "placed": false},
 {"name": "np-vms-test", "placed": true, "nodes": [0],
  "vcpu_pins": [[0, $last], [1, "0"]],
  "guest_cells": [{"cpus": "0-1", "memory_mib": 32, "host_nodes": [0]}]}]}
JSON
run_np apply --pid $QPID --plan "$TMP/plan.json" --vm np-vms-test --json
if [ "$RC" = 0 ] && [ "$(aff "$v0")" = "$last" ] && [ "$(aff "$v1")" = 0 ] &&
	python3 -c 'import json, sys
a = json.load(open(sys.argv[1]))
m = a["move"]
assert m["before"] == [{"node": 0, "pages": 8192}] == m["after"], m
assert m["pages_to_move"] == 0 and a["off_target_pages_after"] == 0, a
' "$TMP/out"; then ok
else bad "apply --plan: $(cat "$TMP/out" "$TMP/err")"; fi
expect_error 2 "^numaplace: apply: $TMP/plan.json: no VM named 'vm9'$" apply --pid $QPID --plan "$TMP/plan.json" --vm vm9
expect_error 2 "^numaplace: apply: $TMP/plan.json: VM other was not placed$" apply --pid $QPID --plan "$TMP/plan.json" --vm other
# another user without CAP_SYS_NICE: refused before anything is read
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	RC=0
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$NP" apply --pid $QPID --nodes 0 >"$TMP/out" 2>"$TMP/err" || RC=$?
	if [ "$RC" = 1 ] && [ ! -s "$TMP/out" ] &&
		grep -qx "numaplace: apply: process $QPID belongs to user 0: pinning its threads and moving its memory need CAP_SYS_NICE" "$TMP/err"; then ok
	else bad "apply as nobody: exit $RC: $(cat "$TMP/out" "$TMP/err")"; fi
fi

kill $QPID
wait $QPID 2>/dev/null
summary
