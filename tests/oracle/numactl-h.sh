#!/bin/sh
# numactl-h.sh DUMPDIR
#
# Run the REAL `numactl -H` against a sysfs dump: inside a private mount
# namespace, bind-mount DUMPDIR/sys/devices/system/node over
# /sys/devices/system/node and exec numactl -H. Prints numactl's stdout
# unchanged (including its trailing spaces).
#
# Exit 77 (meson "skip") with one line on stderr when not root, when numactl
# or unshare is missing, or when the namespace/bind mount cannot be set up.
#
# Caveat: libnuma sizes its CPU masks from sched_getaffinity() of the host
# (kernel cpumask size), so a dump whose cpumap is wider than the host's
# cpumask makes numactl print "Cannot parse cpumap". That is a host limit,
# reported as a skip too.
set -eu

skip() {
	echo "numactl-h.sh: SKIP: $*" >&2
	exit 77
}

[ $# -eq 1 ] || { echo "usage: $0 DUMPDIR" >&2; exit 2; }
[ -d "$1/sys/devices/system/node" ] || { echo "numactl-h.sh: $1: no sys/devices/system/node" >&2; exit 2; }
abs=$(cd "$1" && pwd -P)

[ "$(id -u)" -eq 0 ] || skip "needs root (mount namespace + bind mount)"
command -v numactl >/dev/null 2>&1 || skip "numactl not installed"
command -v unshare >/dev/null 2>&1 || skip "unshare not installed"

# Probe the namespace and bind mount separately, so that a failure there is a
# skip while a numactl failure on a valid mount is a real failure.
# shellcheck disable=SC2016
unshare -m sh -c 'mount --make-rprivate / 2>/dev/null; mount --bind "$1/sys/devices/system/node" /sys/devices/system/node' sh "$abs" \
	>/dev/null 2>&1 || skip "cannot bind-mount over /sys/devices/system/node (unshare -m / mount --bind failed)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2016
if ! unshare -m sh -c 'mount --make-rprivate / 2>/dev/null; mount --bind "$1/sys/devices/system/node" /sys/devices/system/node && exec numactl -H' sh "$abs" \
	>"$tmp/out" 2>"$tmp/err"; then
	cat "$tmp/err" >&2
	echo "numactl-h.sh: numactl -H failed on $abs" >&2
	exit 1
fi
if grep -q "Cannot parse cpumap" "$tmp/err"; then
	skip "host cpumask narrower than the dump's cpumap"
fi
cat "$tmp/err" >&2
cat "$tmp/out"
