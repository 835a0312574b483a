#!/bin/sh
# A domain numaplace wrote, run by a real libvirt: defined, started paused
# under TCG, and checked from outside its QEMU process: the guest RAM's
# memory policy in /proc/PID/numa_maps is bind to the planned node, each
# vCPU thread ("CPU n/TCG") may run only on its planned CPU, the emulator
# on the VM's CPUs.  On this host the plan is node 0 and its CPUs.
. "${NP_SRCDIR:?}/tests/libvirt/daemon.sh"
in_private_namespace "$@"
EMIT=${EMIT_DOMAIN:?}

NODE=0
CPUS=$(cat /sys/devices/system/node/node$NODE/cpulist 2>/dev/null || echo 0)
start_daemon

# cpulist CPU...: "0-1" style for a list of ids (as the kernel prints)
as_list() { echo "$*" | tr ' ' '\n' | awk 'NR == 1 { s = p = $1; next }
	$1 == p + 1 { p = $1; next } { printf "%s%s,", s, (s == p ? "" : "-" p); s = p = $1 }
	END { printf "%s%s\n", s, (s == p ? "" : "-" p) }'; }
ids_of() { echo "$1" | tr ',' '\n' | awk -F- '{ e = NF > 1 ? $2 : $1; for (i = $1; i <= e; i++) print i }'; }
NCPUS=$(ids_of "$CPUS" | wc -l)

# check_domain NAME VCPUS MIB: started paused, then the QEMU process's
# RAM policy and thread affinities against the plan (dedicated: vCPU v on
# the v-th CPU of node 0, modulo their count).
check_domain() {
	name=$1 vcpus=$2 mib=$3 xml=$LV_TMP/$1.xml
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
	echo "$name: QEMU pid $pid, $vcpus vCPUs, $mib MiB"
	# the guest RAM: the mapping of exactly MIB MiB; its policy
	size=$((mib * 1048576))
	addr=
	while IFS=' ' read -r range _; do
		lo=${range%-*} hi=${range#*-}
		if [ $((0x$hi - 0x$lo)) = "$size" ]; then addr=$lo; break; fi
	done <"/proc/$pid/maps"
	pol=$(awk -v a="$addr" '$1 == a || $1 == "0000" a { print $2 }' "/proc/$pid/numa_maps")
	echo "$name: guest RAM at $addr: $(grep "^$addr" "/proc/$pid/numa_maps" | cut -c1-100)"
	if [ "$pol" = "bind:$NODE" ]; then ok; else
		bad "$name: guest RAM policy '$pol', want bind:$NODE"; fi
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
		want=$(ids_of "$CPUS" | sed -n "$((v % NCPUS + 1))p")
		got=$(awk '/^Cpus_allowed_list/ { print $2 }' "$t/status")
		echo "$name: thread '$comm' Cpus_allowed_list $got (plan: $want)"
		if [ "$got" = "$want" ]; then ok; else
			bad "$name: '$comm' allowed on $got, want $want"; fi
		seen=$((seen + 1))
	done
	if [ "$seen" = "$vcpus" ]; then ok; else
		bad "$name: $seen vCPU threads, want $vcpus"; fi
	# the emulator (the main thread): the VM's CPUs
	got=$(awk '/^Cpus_allowed_list/ { print $2 }' "/proc/$pid/status")
	if [ "$got" = "$CPUS" ]; then ok; else
		bad "$name: emulator allowed on $got, want $CPUS"; fi
	# and libvirt itself reports the plan's numatune
	nt=$($VIRSH numatune "$name" | tr -s ' ' | tr '\n' ' ')
	echo "$name: virsh numatune: $nt"
	case $nt in
	*"numa_mode : strict numa_nodeset : $NODE "*) ok ;;
	*) bad "$name: virsh numatune says '$nt'" ;;
	esac
}

# 1. a new domain, dedicated CPUs
"$EMIT" np-lv-new 2 64 "$NODE" "$CPUS" --dedicated >"$LV_TMP/np-lv-new.xml" ||
	bad "emit-domain np-lv-new"
check_domain np-lv-new 2 64

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
"$EMIT" np-lv-edit 3 96 "$NODE" "$CPUS" --dedicated --in "$LV_TMP/in.xml" \
	>"$LV_TMP/np-lv-edit.xml" || bad "emit-domain np-lv-edit"
if grep -q "<!-- written by hand; numaplace adds the placement -->" "$LV_TMP/np-lv-edit.xml" &&
   grep -q "<memballoon model='none'/>" "$LV_TMP/np-lv-edit.xml"; then ok; else
	bad "np-lv-edit: the input's comment or devices were not kept"; fi
check_domain np-lv-edit 3 96

summary
