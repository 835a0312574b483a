#!/bin/sh
# lab-disk [MIB]: a real disk in a lab guest, for a page cache that is not
# tmpfs: loads loop and ext4 (modules the image carries; ~0.6 s under
# emulation, so only on request), makes an ext4 file system of MIB MiB
# (default 64) on a loop device and mounts it on /mnt.
set -e
mib=${1:-64}
if [ ! -r /lib/np-modules/order ]; then
	echo "lab-disk: this image has no loop/ext4 modules (a --kernel of unknown version?)" >&2
	exit 1
fi
while read -r m; do
	grep -q "^$m " /proc/modules || insmod "/lib/np-modules/$m.ko"
done </lib/np-modules/order
dd if=/dev/zero of=/tmp/lab-disk.img bs=1M count="$mib" 2>/dev/null
dev=$(losetup -f)
losetup "$dev" /tmp/lab-disk.img
mke2fs -q "$dev" >/dev/null
mkdir -p /mnt
mount -t ext4 "$dev" /mnt
