#!/bin/sh
# Regenerate every constructed dump under tests/dumps/:
#   1. gen_dumps.py writes the sysfs/procfs files and README of each machine
#   2. the real hwloc reads each dump and writes <machine>/hwloc.xml
#   3. the real numactl -H runs against each dump (tests/oracle/numactl-h.sh,
#      needs root) and writes <machine>/topo.txt
#   4. xeon-4n-seed001/topo.txt is checked against the seed's numactl -H
#      (gen/seed001-numactl-H.txt; equal modulo trailing spaces)
#
# A machine whose directory holds a file `numactl-differs` is one where
# numactl misreads the dump (the file says how): numactl's real output goes
# to <machine>/numactl-H.txt for the record, and the expected text is
# written by hand (topo-by-hand.txt) as that file explains.  numactl's exit status, when not 0
# (1 on a kernel without NUMA), is kept in <machine>/topo.status.
#
# hwloc is run as
#   HWLOC_COMPONENTS=linux,stop HWLOC_FSROOT=<dump> lstopo-no-graphics --of xml -
# Only the linux component may run: hwloc 2.9 otherwise also enables its x86
# backend (reads the HOST's CPUID: host CPUModel/CPUVendor land on the dump's
# packages) and its no_os backend (adds the host's uname: HostName, OSRelease).
# The XML is then post-processed in one way only: the <page_type> lines of each
# NUMA node are sorted by page size, since hwloc lists hugepage sizes in
# readdir() order, which differs between filesystems.
#
# Usage: tests/dumps/gen/regen.sh [machine...]   (default: all)
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
dumps=$(dirname "$here")
oracle=$(dirname "$dumps")/oracle/numactl-h.sh

command -v python3 >/dev/null || { echo "regen.sh: python3 needed" >&2; exit 1; }
command -v lstopo-no-graphics >/dev/null || { echo "regen.sh: lstopo-no-graphics (hwloc) needed" >&2; exit 1; }

python3 "$here/gen_dumps.py" "$dumps"

if [ $# -eq 0 ]; then
	set -- laptop-1n server-2s-smt xeon-4n-seed001 opteron-8n cxl-memonly sparse-025 \
		cpumap-only-2618 nul-2632 no-numa nodist-0 no-memfree hascpu-empty-310 \
		offline-node wide-1023
fi

sort_page_types() {
	python3 -c '
import re, sys
lines = sys.stdin.read().split("\n")
out, run = [], []
size = lambda l: int(re.search(r"size=\"(\d+)\"", l).group(1))
for l in lines + [None]:
    if l is not None and l.lstrip().startswith("<page_type "):
        run.append(l)
        continue
    out.extend(sorted(run, key=size))
    run = []
    if l is not None:
        out.append(l)
sys.stdout.write("\n".join(out))
'
}

for m in "$@"; do
	d="$dumps/$m"
	HWLOC_COMPONENTS=linux,stop HWLOC_FSROOT="$d" lstopo-no-graphics --of xml - \
		| sort_page_types >"$d/hwloc.xml.tmp"
	HWLOC_COMPONENTS=linux,stop HWLOC_FSROOT="$d" lstopo-no-graphics --of xml - \
		| sort_page_types | cmp -s - "$d/hwloc.xml.tmp" \
		|| { echo "regen.sh: $m: hwloc XML not deterministic" >&2; exit 1; }
	if grep -q 'name="HostName"\|name="LinuxCgroup"' "$d/hwloc.xml.tmp"; then
		echo "regen.sh: $m: host-specific info in hwloc XML" >&2
		exit 1
	fi
	mv "$d/hwloc.xml.tmp" "$d/hwloc.xml"

	rc=0
	NP_ORACLE_STATUS="$d/topo.status.tmp" "$oracle" "$d" >"$d/topo.txt.tmp" || rc=$?
	if [ "$rc" -ne 0 ]; then
		rm -f "$d/topo.txt.tmp" "$d/topo.status.tmp"
		echo "regen.sh: $m: oracle exit $rc, topo.txt left unchanged" >&2
		[ "$rc" -eq 77 ] && continue
		exit 1
	fi
	if [ "$(cat "$d/topo.status.tmp")" = 0 ]; then
		rm -f "$d/topo.status.tmp" "$d/topo.status"
	else
		mv "$d/topo.status.tmp" "$d/topo.status"
	fi
	if [ -f "$d/numactl-differs" ]; then
		mv "$d/topo.txt.tmp" "$d/numactl-H.txt"
	else
		mv "$d/topo.txt.tmp" "$d/topo.txt"
	fi
	echo "regen.sh: $m done"
done

seed_out="$dumps/xeon-4n-seed001/topo.txt"
if [ -f "$seed_out" ]; then
	if sed 's/ *$//' "$seed_out" | cmp -s - "$here/seed001-numactl-H.txt"; then
		echo "regen.sh: xeon-4n-seed001 matches the seed numactl -H output"
	else
		echo "regen.sh: xeon-4n-seed001/topo.txt differs from the seed:" >&2
		sed 's/ *$//' "$seed_out" | diff "$here/seed001-numactl-H.txt" - >&2 || true
		exit 1
	fi
fi
