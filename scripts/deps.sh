#!/bin/sh
# Installs the Debian packages numaplace needs that are missing.
# Nothing is installed, and the network is not touched, when all are there.
# usage: scripts/deps.sh [--fuzz]   (--fuzz adds clang and its fuzzer runtime)
# The lab (numaplace lab) needs QEMU, qboot (qemu-system-data), a kernel
# (linux-image-amd64: its post-install step takes about two minutes, once)
# and a static busybox for the guest.  `numaplace bench alloc` compares
# with mimalloc, jemalloc and memkind, loaded with dlopen in child processes.
# `bench mem` and `ab` draw their plots with gnuplot; the accuracy script
# under bench/ also runs mbw as a peer of `bench mem`.
# libvirt domain XML is read and written with libxml2; the libvirt tests
# start Debian's own daemon (libvirtd, the QEMU driver), validate with
# virt-xml-validate and compare the advice with numad's.
set -eu

PKGS="meson ninja-build pkg-config gcc libc6-dev make python3
libhwloc-dev hwloc libnuma-dev numactl libjson-c-dev libcmocka-dev
util-linux mount
qemu-system-x86 qemu-system-data linux-image-amd64 busybox-static xz-utils tar
libmimalloc2.0 libjemalloc2 libmemkind0
gnuplot-nox mbw
libxml2-dev libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients
numad"
if [ "${1:-}" = "--fuzz" ]; then
	PKGS="$PKGS clang libclang-rt-dev"
fi

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "deps: need root (or sudo) to install:$missing" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
