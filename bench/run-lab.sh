#!/bin/sh
# Lab boot time: a 4-node guest running `true`, image cached, against the
# peer "bare QEMU": the same kernel, QEMU options and -numa arguments with a
# busybox-only initramfs and an init that powers off at once (what a
# hand-made prototype does).  Then where the time goes, and boot time by
# node count (1, 2, 4, 8, 16 nodes of 1 CPU).
set -eu
NP=${1:-build/tools/numaplace/numaplace}
ROUNDS=${ROUNDS:-15}
CMDTIME=$(dirname "$NP")/../../bench/cmdtime
export NUMAPLACE_CACHE_DIR=${NUMAPLACE_CACHE_DIR:-build/lab-cache}
W=$(mktemp -d /tmp/np-bench-lab.XXXXXX)
trap 'rm -rf "$W"' EXIT

nodes() { # N: N nodes of 1 CPU; node 0 128M, the others 64M
	s="1:128M"; i=1
	while [ $i -lt "$1" ]; do s="$s,1:64M"; i=$((i + 1)); done
	echo "$s"
}

# Warm the cache (kernel decompressed, image built).
"$NP" lab --nodes "$(nodes 4)" -- true

# The peer: bare QEMU with the cached kernel and a minimal initramfs.
kernel=$(ls -t "$NUMAPLACE_CACHE_DIR"/vmlinux-* | head -1)
mkdir -p "$W/ir/bin" "$W/ir/dev" "$W/ir/proc"
cp /bin/busybox "$W/ir/bin/"
printf '#!/bin/busybox sh\n/bin/busybox poweroff -f\n' >"$W/ir/init"
chmod +x "$W/ir/init"
(cd "$W/ir" && find . | /bin/busybox cpio -o -H newc 2>/dev/null) >"$W/ir.cpio"
# shellcheck disable=SC2046
set -- qemu-system-x86_64 -nodefaults -no-user-config -display none \
	-accel tcg,thread=multi -machine pc -bios /usr/share/qemu/qboot.rom \
	-kernel "$kernel" -initrd "$W/ir.cpio" -no-reboot \
	-append "console=ttyS0 quiet panic=-1 lpj=4000000 cryptomgr.notests" \
	$("$NP" lab --nodes "$(nodes 4)" --qemu-args)

echo "== 4 nodes x 1 CPU, 'true': bare QEMU (peer) vs numaplace lab, $ROUNDS rounds"
"$CMDTIME" -n "$ROUNDS" -w 1 -- "$@" ::: "$NP" lab --nodes "$(nodes 4)" -- true \
	::: "$NP" lab --preset 4n -- true

echo
echo "== where the time goes (numaplace lab -v, median of $ROUNDS), by node count"
printf '%-6s %9s %9s %9s %9s %9s %9s\n' nodes image_ms boot_ms kernel_ms init_ms qemu_ms total_ms
for n in 1 2 4 8 16; do
	: >"$W/t"
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		"$NP" lab -v --nodes "$(nodes $n)" -- true 2>>"$W/t"
		r=$((r + 1))
	done
	sed -n 's/.*image \([0-9]*\) ms, boot \([0-9]*\) ms (kernel to init \([0-9]*\) ms, init to power-off \([0-9]*\) ms, QEMU start and exit \([0-9-]*\) ms), total \([0-9]*\) ms/\1 \2 \3 \4 \5 \6/p' "$W/t" |
	awk -v n=$n '{ for (i = 1; i <= 6; i++) v[i, NR] = $i; rows = NR }
	     END {
		printf "%-6s", n
		for (i = 1; i <= 6; i++) {
			for (a = 1; a <= rows; a++) col[a] = v[i, a]
			# insertion sort, then the median
			for (a = 2; a <= rows; a++) { x = col[a]; b = a - 1
				while (b >= 1 && col[b] > x) { col[b + 1] = col[b]; b-- }
				col[b + 1] = x }
			printf " %9d", col[int((rows + 1) / 2)]
		}
		printf "\n" }'
done
