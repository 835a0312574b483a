#!/bin/sh
# numaplace vms and apply on a domain of a real libvirt (daemon.sh): a
# domain `numaplace plan --emit libvirt --restrictive` wrote, defined and
# started paused; vms finds it by its name (its vCPU threads by name:
# libvirt hands QEMU its monitor as an fd, no socket path to ask);
# apply --domain --cpus pins through virsh, and virsh vcpupin, the
# threads' affinity and virsh numatune say so afterwards.  On this host
# the plan is node 0 and its CPUs; the vCPUs go to its last CPU.
. "${NP_SRCDIR:?}/tests/libvirt/daemon.sh"
in_private_namespace "$@"
NP=${NP:?}
command -v python3 >/dev/null || skip "python3 is missing (reads JSON)"
start_daemon

name=np-lv-apply
echo "[{\"name\":\"$name\",\"vcpus\":2,\"memory_mib\":64}]" >"$LV_TMP/vm.json"
mkdir -p "$LV_TMP/out"
if "$NP" plan --emit libvirt --restrictive --out "$LV_TMP/out" "$LV_TMP/vm.json"; then ok
else bad "numaplace plan --emit libvirt"; fi
LV_DOMAINS=$name
if $VIRSH define "$LV_TMP/out/$name.xml" >"$LV_TMP/def" 2>&1 &&
	$VIRSH start --paused "$name" >>"$LV_TMP/def" 2>&1; then ok
else
	bad "define/start: $(cat "$LV_TMP/def")"
	summary
	exit 1
fi
pid=$(qemu_pid "$name")
node=$(awk '/^Mems_allowed_list/ { print $2 }' /proc/self/status)
node=${node%%[-,]*}
cpus=$(cat /sys/devices/system/node/node"$node"/cpulist)
last=${cpus##*[-,]}

# vms: by name, its two vCPU threads, its 64 MiB backend (libvirt's
# JSON -object) of guest cell 0 (paused, not preallocated: little of it
# resident, and that on the planned node)
if "$NP" vms --json "$name" >"$LV_TMP/vms.json" 2>"$LV_TMP/vms.err" &&
	python3 - "$LV_TMP/vms.json" "$pid" "$node" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))["vms"]
assert len(v) == 1, v
v = v[0]
assert v["pid"] == int(sys.argv[2]) and v["name"] == "np-lv-apply", v
assert v["vcpus_from"] == "threads" and len(v["vcpus"]) == 2, v["vcpus"]
r = v["ram"]
assert len(r) == 1 and r[0]["size_bytes"] == 64 << 20, r
# restrictive: libvirt binds no backend, its cgroup alone would
assert r[0]["backend"] == "ram-node0" and r[0]["guest_node"] == 0, r
assert all(n["node"] == int(sys.argv[3]) for n in v["ram_nodes"]), v["ram_nodes"]
PY
then ok
else bad "vms: $(cat "$LV_TMP/vms.json" "$LV_TMP/vms.err")"; fi
"$NP" vms "$name" | head -1

# apply through virsh: the vCPUs to the node's last CPU
if "$NP" apply --domain "$name" --connect qemu:///system --nodes "$node" \
	--cpus "$last" --json >"$LV_TMP/apply.json" 2>"$LV_TMP/apply.err" &&
	python3 - "$LV_TMP/apply.json" "$last" "$name" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
last, name = int(sys.argv[2]), sys.argv[3]
assert a["libvirt"] and a["name"] == name, a
log = a["virsh"].splitlines()
assert "virsh vcpupin %s 0 %d --live" % (name, last) in log, log
assert "virsh vcpupin %s 1 %d --live" % (name, last) in log, log
assert any(l.startswith("virsh emulatorpin %s " % name) for l in log), log
assert any(l.startswith("virsh numatune %s --mode restrictive --nodeset " % name) for l in log), log
assert [p["after"] for p in a["pins"] if p["vcpu"] is not None] == [[last], [last]], a["pins"]
assert a["off_target_pages_after"] == 0, a
PY
then ok
else bad "apply --domain: $(cat "$LV_TMP/apply.json" "$LV_TMP/apply.err")"; fi
grep -E '^(virsh|note)' "$LV_TMP/apply.json" >/dev/null
python3 -c 'import json, sys; a = json.load(open(sys.argv[1])); print("virsh log:"); print(a["virsh"], end=""); print("note:", a["note"])' "$LV_TMP/apply.json"

# libvirt's own view afterwards
$VIRSH vcpupin "$name" >"$LV_TMP/vcpupin" 2>&1
cat "$LV_TMP/vcpupin"
if [ "$(awk 'NF == 2 { print $1 "=" $2 }' "$LV_TMP/vcpupin" | tr '\n' ' ')" = "0=$last 1=$last " ]; then ok
else bad "virsh vcpupin: $(cat "$LV_TMP/vcpupin")"; fi
for t in /proc/"$pid"/task/*; do
	case $(cat "$t/comm") in
	"CPU "*) got=$(awk '/^Cpus_allowed_list/ { print $2 }' "$t/status")
		if [ "$got" = "$last" ]; then ok
		else bad "$(cat "$t/comm"): allowed $got, want $last"; fi ;;
	esac
done
nt=$($VIRSH numatune "$name" | tr -s ' ' | tr '\n' ' ')
echo "virsh numatune: $nt"
case $nt in
*"numa_mode : restrictive numa_nodeset : $node "*) ok ;;
*) bad "virsh numatune says '$nt'" ;;
esac

# a domain that does not run
if "$NP" apply --domain nope --nodes "$node" 2>"$LV_TMP/err"; then
	bad "apply --domain nope succeeded"
elif [ "$(cat "$LV_TMP/err")" = "numaplace: apply: no running QEMU of domain 'nope'" ]; then ok
else bad "apply --domain nope: $(cat "$LV_TMP/err")"; fi
summary
