#!/bin/sh
# numastat.sh DUMPDIR [ARGS...]
#
# Run the REAL numastat (numactl 2.0.16) with ARGS against a sysfs dump:
# inside a private mount namespace, bind-mount DUMPDIR/sys/devices/system/node
# over /sys/devices/system/node and exec numastat ARGS. Prints numastat's
# stdout unchanged, including its "Token ... not in hash table." lines.
#
# numastat also reads the HOST's /proc/meminfo (Hugepagesize, for the
# HugePages_* rows of -m) and sysconf(_SC_PAGESIZE) (for -n); a dump is
# compared faithfully only when its default hugepage size is the host's.
# Its line folding follows NUMASTAT_WIDTH, else 80 on a terminal, else no
# folding: it is passed through unchanged.
#
# Exit 77 (meson "skip") with one line on stderr when not root, when numastat
# or unshare is missing, or when the namespace/bind mount cannot be set up.
set -eu

skip() {
	echo "numastat.sh: SKIP: $*" >&2
	exit 77
}

[ $# -ge 1 ] || { echo "usage: $0 DUMPDIR [ARGS...]" >&2; exit 2; }
[ -d "$1/sys/devices/system/node" ] || { echo "numastat.sh: $1: no sys/devices/system/node" >&2; exit 2; }
abs=$(cd "$1" && pwd -P)
shift

[ "$(id -u)" -eq 0 ] || skip "needs root (mount namespace + bind mount)"
command -v numastat >/dev/null 2>&1 || skip "numastat not installed"
command -v unshare >/dev/null 2>&1 || skip "unshare not installed"

# Probe the namespace and bind mount separately, so that a failure there is a
# skip while a numastat failure on a valid mount is a real failure.
# shellcheck disable=SC2016
unshare -m sh -c 'mount --make-rprivate / 2>/dev/null; mount --bind "$1/sys/devices/system/node" /sys/devices/system/node' sh "$abs" \
	>/dev/null 2>&1 || skip "cannot bind-mount over /sys/devices/system/node (unshare -m / mount --bind failed)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2016
if ! unshare -m sh -c 'mount --make-rprivate / 2>/dev/null; mount --bind "$1/sys/devices/system/node" /sys/devices/system/node && shift && exec numastat "$@"' sh "$abs" "$@" \
	>"$tmp/out" 2>"$tmp/err"; then
	cat "$tmp/err" >&2
	echo "numastat.sh: numastat $* failed on $abs" >&2
	exit 1
fi
cat "$tmp/err" >&2
cat "$tmp/out"
