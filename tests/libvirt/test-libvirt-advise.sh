#!/bin/sh
# libvirt asking numaplace instead of numad: a domain with <vcpu
# placement='auto'> makes libvirtd run /usr/bin/numad -w VCPUS:MIB and use
# the node set it prints.  In the test's private mount namespace the
# numaplace entry point (tools/numad) is bind-mounted over /usr/bin/numad
# (the host's numad is not touched), libvirtd is started there, and the
# domain must start with the node set the entry point gives, libvirt's
# own log showing the call.
. "${NP_SRCDIR:?}/tests/libvirt/daemon.sh"
in_private_namespace "$@"
NUMAD=${NP_NUMAD:?NP_NUMAD must name the numad entry point of numaplace}
[ -e /usr/bin/numad ] || skip "/usr/bin/numad is missing (package numad): nothing to stand in for"

# 1. the entry point itself: numad's interface
want=$("$NUMAD" -w 2:64) || bad "numad -w 2:64: exit $?"
case $want in
*[!0-9,-]* | "") bad "numad -w 2:64 printed '$want', not a node set" ;;
*) ok ;;
esac
echo "numaplace's numad -w 2:64: $want"
RC=0; err=$("$NUMAD" -w 2:x 2>&1 >/dev/null) || RC=$?
if [ "$RC" = 2 ] && [ "$err" = "numad: -w '2:x': expected CPUS[:MIB], e.g. 2:1024 (numad's form)" ]; then ok
else bad "numad -w 2:x: exit $RC, '$err'"; fi
RC=0; err=$("$NUMAD" -w 1:99999999 2>&1 >/dev/null) || RC=$?
if [ "$RC" = 1 ] && [ -n "$err" ]; then ok; echo "numad -w 1:99999999: $err"
else bad "numad -w 1:99999999 (more than the host has): exit $RC, '$err'"; fi

# 2. libvirt calls it for placement='auto'
mount --bind "$NUMAD" /usr/bin/numad || { bad "bind mount over /usr/bin/numad"; summary; exit 1; }
if /usr/bin/numad --help | grep -q numaplace; then ok; else bad "/usr/bin/numad is not numaplace's"; fi
start_daemon
cat >"$LV_TMP/auto.xml" <<'XML'
<domain type='qemu'>
  <name>np-lv-auto</name>
  <memory unit='MiB'>64</memory>
  <vcpu placement='auto'>2</vcpu>
  <os><type>hvm</type></os>
  <devices><memballoon model='none'/></devices>
</domain>
XML
LV_DOMAINS=np-lv-auto
if $VIRSH define "$LV_TMP/auto.xml" >"$LV_TMP/out" 2>&1 &&
   $VIRSH start --paused np-lv-auto >>"$LV_TMP/out" 2>&1; then ok; else
	bad "define/start np-lv-auto: $(cat "$LV_TMP/out")"; summary; exit 1; fi
nt=$($VIRSH numatune np-lv-auto | tr -s ' ' | tr '\n' ' ')
echo "np-lv-auto: virsh numatune: $nt"
case $nt in
*"numa_nodeset : $want "*) ok ;;
*) bad "np-lv-auto: numatune '$nt', want nodeset $want" ;;
esac
# the emulator runs on the advised nodes' CPUs
cpus=
for n in $(echo "$want" | tr ',' ' '); do
	case $n in
	*-*) for i in $(seq "${n%-*}" "${n#*-}"); do cpus="$cpus,$(cat /sys/devices/system/node/node$i/cpulist)"; done ;;
	*) cpus="$cpus,$(cat /sys/devices/system/node/node$n/cpulist)" ;;
	esac
done
cpus=${cpus#,}
got=$(awk '/^Cpus_allowed_list/ { print $2 }' "/proc/$(qemu_pid np-lv-auto)/status")
if [ "$got" = "$cpus" ]; then ok; else bad "np-lv-auto: QEMU allowed on CPUs $got, want $cpus"; fi
echo "np-lv-auto: QEMU allowed on CPUs $got"
# and libvirt's log shows that it asked, and what it got
call=$(grep -o "numad -w 2:64" /var/log/libvirt/libvirtd.log | head -1)
got=$(sed -n 's/.*Nodeset returned from numad: \([^ ]*\).*/\1/p' /var/log/libvirt/libvirtd.log | head -1)
echo "libvirtd.log: ran '$call', nodeset returned '$got'"
if [ -n "$call" ] && [ "$got" = "$want" ]; then ok; else
	bad "libvirtd.log: call '$call', nodeset '$got' (want $want)"; fi
summary
