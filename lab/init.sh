#!/bin/sh
# numaplace lab: PID 1 of the guest (busybox sh).
#
# Runs the command passed on the kernel command line (np.cmd=<base64 of a
# shell command>) with its stdin from /np-run/stdin (when the host sent
# one, else /dev/null), its stdout on ttyS1 and its stderr on ttyS2, writes
# "NP-LAB-EXIT <nonce> <status>" on the console (ttyS0) for the host to
# read, and powers off.  The nonce comes from the host in this run's
# initramfs (/np-run/nonce) and is deleted before the command starts, so a
# command cannot forge the marker.  np.shell=1 gives an interactive shell
# on the console instead; np.dump=1 also sends a tar (base64) of the
# guest's topology files on ttyS3.  np.lab=1 marks the kernel as a lab
# guest for the programs in it (numaplace bench mem).
export PATH=/opt/numaplace/bin:/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root TERM=${TERM:-linux}
nonce=$(cat /np-run/nonce 2>/dev/null)
rm -f /np-run/nonce
mount -t proc proc /proc
read -r up_init _ </proc/uptime
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/shm /dev/hugepages /run /root
mount -t hugetlbfs hugetlbfs /dev/hugepages 2>/dev/null
# Raw lines: no "\r\n" for "\n", no echo, byte for byte to the host.
for t in 1 2 3; do stty -F /dev/ttyS$t raw -echo 2>/dev/null; done

cmd_b64= shell=0 dump=0
for w in $(cat /proc/cmdline); do
	case $w in
	np.cmd=*) cmd_b64=${w#np.cmd=} ;;
	np.shell=1) shell=1 ;;
	np.dump=1) dump=1 ;;
	esac
done

# Markers for the host go to the console, or in a shell session (where
# the console is the user's terminal) to the otherwise unused ttyS1.
ctl=/dev/ttyS0
[ $shell = 1 ] && ctl=/dev/ttyS1
echo "NP-LAB-UPTIME $nonce init $up_init" >$ctl

rc=0
if [ $shell = 1 ]; then
	echo "numaplace lab: $(cat /sys/devices/system/node/online | tr -d '\n') nodes online; 'exit' powers off" >/dev/ttyS0
	setsid cttyhack sh -l
	rc=$?
elif [ -n "$cmd_b64" ]; then
	cmd=$(echo "$cmd_b64" | base64 -d)
	in=/dev/null
	[ -f /np-run/stdin ] && in=/np-run/stdin
	sh -c "$cmd" <$in >/dev/ttyS1 2>/dev/ttyS2
	rc=$?
fi

if [ $dump = 1 ]; then
	d=/tmp/np-dump
	capture-dump.sh "$d" >/dev/null 2>&1
	t=sys/firmware/acpi/tables
	mkdir -p "$d/$t"
	for f in SRAT SLIT HMAT APIC FACP DSDT; do
		[ -r "/$t/$f" ] && cat "/$t/$f" >"$d/$t/$f"
	done
	tar -C "$d" -cf - . | base64 >/dev/ttyS3
	echo "NP-LAB-DUMP-DONE $nonce" >$ctl
fi

read -r up _ </proc/uptime
echo "NP-LAB-UPTIME $nonce done $up" >$ctl
echo "NP-LAB-EXIT $nonce $rc" >$ctl
poweroff -f
