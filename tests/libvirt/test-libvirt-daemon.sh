#!/bin/sh
# Domains `numaplace plan --emit libvirt` wrote, run by a real libvirt:
# defined, started paused under TCG, and checked from outside their QEMU
# process against the plan's JSON: the guest RAM's memory policy in
# /proc/PID/numa_maps is bind to the planned node, each vCPU thread
# ("CPU n/TCG") may run only on its planned CPUs, the emulator on the
# VM's CPUs.  On this host the plan is node 0 and its CPUs.
. "${NP_SRCDIR:?}/tests/libvirt/daemon.sh"
in_private_namespace "$@"
NP=${NP:?}
command -v python3 >/dev/null || skip "python3 is missing (reads the plan JSON)"
command -v virt-xml-validate >/dev/null || skip "virt-xml-validate is missing (libvirt-clients)"
start_daemon

# plan_expect PLAN.json: "nodes N,.." then "vcpu V CPULIST" lines, then
# "emulator CPULIST" (the union), from the plan's one VM.
plan_expect() {
	python3 - "$1" <<'PY'
import json, sys
vm = json.load(open(sys.argv[1]))["vms"][0]
assert vm["placed"], vm["reason"]
def ids(x):
    out = set()
    for part in str(x).split(","):
        a, _, b = part.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return out
def fmt(s):
    s, out = sorted(s), []
    for i in s:
        if out and out[-1][1] == i - 1: out[-1][1] = i
        else: out.append([i, i])
    return ",".join(str(a) if a == b else "%d-%d" % (a, b) for a, b in out)
print("nodes", fmt(vm["nodes"]))
allc = set()
for v, c in vm["vcpu_pins"]:
    print("vcpu", v, fmt(ids(c)))
    allc |= ids(c)
print("emulator", fmt(allc))
PY
}

# check_domain NAME MIB: the domain in $LV_TMP/NAME.xml, its plan in
# $LV_TMP/NAME.plan.json.
check_domain() {
	name=$1 mib=$2 xml=$LV_TMP/$1.xml
	plan_expect "$LV_TMP/$name.plan.json" >"$LV_TMP/$name.expect" ||
		{ bad "$name: no plan"; return; }
	node=$(awk '$1 == "nodes" { print $2 }' "$LV_TMP/$name.expect")
	if ! virt-xml-validate "$xml" domain >"$LV_TMP/validate" 2>&1; then
		bad "$name: emitted XML does not validate: $(cat "$LV_TMP/validate")"
		return
	fi
	ok
	LV_DOMAINS="$LV_DOMAINS $name"
	if ! $VIRSH define "$xml" >"$LV_TMP/out" 2>&1 ||
	   ! $VIRSH start --paused "$name" >>"$LV_TMP/out" 2>&1; then
		bad "$name: define/start: $(cat "$LV_TMP/out")"
		tail -5 "/var/log/libvirt/qemu/$name.log" >&2
		return
	fi
	ok
	pid=$(qemu_pid "$name")
	echo "$name: QEMU pid $pid; plan: $(tr '\n' ' ' <"$LV_TMP/$name.expect")"
	# the guest RAM: the mapping of exactly MIB MiB, and its policy
	size=$((mib * 1048576)) addr=
	while IFS=' ' read -r range _; do
		lo=${range%-*} hi=${range#*-}
		if [ $((0x$hi - 0x$lo)) = "$size" ]; then addr=$lo; break; fi
	done <"/proc/$pid/maps"
	pol=$(awk -v a="$addr" '$1 == a { print $2 }' "/proc/$pid/numa_maps")
	echo "$name: guest RAM at $addr: $(grep "^$addr " "/proc/$pid/numa_maps" | cut -c1-100)"
	if [ -n "$addr" ] && [ "$pol" = "bind:$node" ]; then ok; else
		bad "$name: guest RAM policy '$pol', want bind:$node"; fi
	# the vCPU threads, by name
	seen=0
	for t in /proc/"$pid"/task/*; do
		comm=$(cat "$t/comm" 2>/dev/null)
		case $comm in
		"CPU "*"/TCG") ;;
		*) continue ;;
		esac
		v=${comm#CPU }
		v=${v%/TCG}
		want=$(awk -v v="$v" '$1 == "vcpu" && $2 == v { print $3 }' "$LV_TMP/$name.expect")
		got=$(awk '/^Cpus_allowed_list/ { print $2 }' "$t/status")
		echo "$name: thread '$comm' Cpus_allowed_list $got (plan: $want)"
		if [ "$got" = "$want" ]; then ok; else
			bad "$name: '$comm' allowed on $got, want $want"; fi
		seen=$((seen + 1))
	done
	want=$(grep -c '^vcpu ' "$LV_TMP/$name.expect")
	if [ "$seen" = "$want" ]; then ok; else
		bad "$name: $seen vCPU threads, want $want"; fi
	# the emulator (the main thread): the VM's CPUs
	want=$(awk '$1 == "emulator" { print $2 }' "$LV_TMP/$name.expect")
	got=$(awk '/^Cpus_allowed_list/ { print $2 }' "/proc/$pid/status")
	if [ "$got" = "$want" ]; then ok; else
		bad "$name: emulator allowed on $got, want $want"; fi
	# and libvirt itself reports the plan's numatune
	nt=$($VIRSH numatune "$name" | tr -s ' ' | tr '\n' ' ')
	echo "$name: virsh numatune: $nt"
	case $nt in
	*"numa_mode : strict numa_nodeset : $node "*) ok ;;
	*) bad "$name: virsh numatune says '$nt'" ;;
	esac
}

# 1. a new domain from a JSON VM list: dedicated CPUs, one per vCPU
mkdir -p "$LV_TMP/new"
echo '[{"name":"np-lv-new","vcpus":2,"memory_mib":64,"dedicated_cpus":true}]' >"$LV_TMP/new.json"
if "$NP" plan --emit json "$LV_TMP/new.json" >"$LV_TMP/np-lv-new.plan.json" &&
   "$NP" plan --emit libvirt --out "$LV_TMP/new" "$LV_TMP/new.json"; then ok
else bad "numaplace plan new.json"; fi
cp "$LV_TMP/new/np-lv-new.xml" "$LV_TMP/np-lv-new.xml" 2>/dev/null
check_domain np-lv-new 64

# 2. an existing domain edited: its other elements kept, started as well
cat >"$LV_TMP/in.xml" <<'XML'
<domain type='qemu'>
  <name>np-lv-edit</name>
  <!-- written by hand; numaplace adds the placement -->
  <memory unit='KiB'>98304</memory>
  <vcpu placement='auto'>3</vcpu>
  <os>
    <type arch='x86_64'>hvm</type>
  </os>
  <clock offset='utc'/>
  <on_crash>destroy</on_crash>
  <devices>
    <memballoon model='none'/>
  </devices>
</domain>
XML
if "$NP" plan --cpu-overcommit 2 --emit json "$LV_TMP/in.xml" >"$LV_TMP/np-lv-edit.plan.json" &&
   "$NP" plan --cpu-overcommit 2 --emit libvirt "$LV_TMP/in.xml" >"$LV_TMP/np-lv-edit.xml"; then ok
else bad "numaplace plan in.xml"; fi
if grep -q "<!-- written by hand; numaplace adds the placement -->" "$LV_TMP/np-lv-edit.xml" &&
   grep -q "<memballoon model='none'/>" "$LV_TMP/np-lv-edit.xml"; then ok; else
	bad "np-lv-edit: the input's comment or devices were not kept"; fi
check_domain np-lv-edit 96

summary
