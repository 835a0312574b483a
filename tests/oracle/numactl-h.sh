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
# libnuma sizes its CPU masks from sched_getaffinity() of the host (kernel
# cpumask size), so a dump whose cpumap is wider than the host's cpumask
# makes numactl print "Cannot parse cpumap".  Then numactl runs again with
# the LD_PRELOAD shim wide-cpumask.c (built here with cc), which reports an
# 8192-CPU mask; without cc that is a skip.
#
# A dump without sys/devices/system/node is a kernel without NUMA: numactl
# runs under numa-syscalls-refused.c (built here with cc), which makes the NUMA
# system calls fail with ENOSYS as such a kernel does, with the dump's
# sys/devices/system mounted over the host's.  numactl then prints "No
# NUMA available on this system" and exits 1; the script prints that and
# exits 0, writing numactl's exit status to $NP_ORACLE_STATUS if set.
set -eu

skip() {
	echo "numactl-h.sh: SKIP: $*" >&2
	exit 77
}

[ $# -eq 1 ] || { echo "usage: $0 DUMPDIR" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd -P)
mnt=sys/devices/system/node
wrap=
if [ ! -d "$1/sys/devices/system/node" ]; then
	[ -d "$1/sys/devices/system/cpu" ] || { echo "numactl-h.sh: $1: no sys/devices/system/node or cpu" >&2; exit 2; }
	mnt=sys/devices/system
fi
abs=$(cd "$1" && pwd -P)

[ "$(id -u)" -eq 0 ] || skip "needs root (mount namespace + bind mount)"
command -v numactl >/dev/null 2>&1 || skip "numactl not installed"
command -v unshare >/dev/null 2>&1 || skip "unshare not installed"

# Probe the namespace and bind mount separately, so that a failure there is a
# skip while a numactl failure on a valid mount is a real failure.
# shellcheck disable=SC2016
unshare -m sh -c 'mount --make-rprivate / 2>/dev/null; mount --bind "$1/$2" "/$2"' sh "$abs" "$mnt" \
	>/dev/null 2>&1 || skip "cannot bind-mount over /$mnt (unshare -m / mount --bind failed)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

build() { # build OUT SRC [FLAGS...]
	out=$1 src=$2
	shift 2
	command -v cc >/dev/null 2>&1 || skip "cc needed to build $src"
	cc -O2 -o "$out" "$here/$src" "$@" 2>"$tmp/cc.err" || { cat "$tmp/cc.err" >&2; skip "cannot build $src"; }
}

if [ "$mnt" = sys/devices/system ]; then
	build "$tmp/numa-syscalls-refused" numa-syscalls-refused.c
	wrap="$tmp/numa-syscalls-refused ENOSYS"
fi

run_numactl() { # [LD_PRELOAD value]
	rc=0
	# shellcheck disable=SC2016
	unshare -m sh -c 'mount --make-rprivate / 2>/dev/null; mount --bind "$1/$2" "/$2" && LD_PRELOAD=$3 exec $4 numactl -H' sh "$abs" "$mnt" "${1:-}" "$wrap" \
		>"$tmp/out" 2>"$tmp/err" || rc=$?
}

run_numactl
if grep -q "Cannot parse cpumap" "$tmp/err"; then
	build "$tmp/wide-cpumask.so" wide-cpumask.c -shared -fPIC -ldl
	run_numactl "$tmp/wide-cpumask.so"
	grep -q "Cannot parse cpumap" "$tmp/err" && skip "the dump's cpumap is wider than 8192 CPUs"
fi
# numactl -H exits 1 only after "No NUMA available on this system".
if [ "$rc" -ne 0 ] && ! { [ "$rc" -eq 1 ] && [ -n "$wrap" ] && grep -q "^No NUMA available" "$tmp/out"; }; then
	cat "$tmp/err" >&2
	echo "numactl-h.sh: numactl -H failed on $abs (exit $rc)" >&2
	exit 1
fi
[ -z "${NP_ORACLE_STATUS:-}" ] || echo "$rc" >"$NP_ORACLE_STATUS"
cat "$tmp/err" >&2
cat "$tmp/out"
