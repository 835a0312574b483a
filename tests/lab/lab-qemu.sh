# Sourced by the lab tests that run a real QEMU inside a guest: where this
# host's QEMU, its TCG module and firmware are, QEMU_ADDS (the --add
# options that put them into a guest; the paths have no blanks, so it is
# used unquoted), and lab_qemu_missing, which names the first of them (or
# the guest's kernel) this host lacks, and prints nothing when all are
# there.
QEMU=$(command -v qemu-system-x86_64 || true)
MODULE=/usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so
ROMS=/usr/share/qemu
QEMU_ADDS="--add $QEMU --add $MODULE --add $ROMS/qboot.rom --add $ROMS/kvmvapic.bin"

lab_qemu_missing() {
	for f in "$QEMU" "$MODULE" "$ROMS/qboot.rom" "$ROMS/kvmvapic.bin"; do
		if [ -z "$f" ] || [ ! -r "$f" ]; then
			echo "${f:-qemu-system-x86_64} not installed (make deps installs qemu-system-x86)"
			return
		fi
	done
	ls /boot/vmlinuz-* >/dev/null 2>&1 ||
		echo "no kernel in /boot (make deps installs linux-image-amd64)"
}
