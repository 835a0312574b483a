#!/bin/sh
# np_move_process_pages on real processes inside a 4-node lab guest (the
# guest's half is test-lab-move-guest.sh, the checks np-move-driver's):
# 64 MiB moved from node 0 to node 2 hot part first (by two threads, the
# default, and again by one), in batches within
# the bound the rate implies, every page on node 2 afterwards by
# move_pages and numa_maps and the report's before/after equal to them;
# 64 MiB of transparent huge pages moved, every 4 KiB page counted moved;
# 32 MiB of hugetlb pages moved as 16 huge pages;
# a target killed mid-way gives -ESRCH and a partial report; a target in
# a cgroup v2 cpuset of nodes 0-1 is refused node 2 and nothing moves.
# numactl --membind does not narrow Mems_allowed_list (only a cpuset
# does), which the membind section shows.
set -u
. "$(dirname "$0")/../cli/lib.sh"
export NUMAPLACE_CACHE_DIR=${NP_LAB_CACHE:-$TMP/cache}
exec </dev/null

if ! ls /boot/vmlinuz-* >/dev/null 2>&1; then
	echo "no kernel in /boot: skipping (make deps installs linux-image-amd64)"
	exit 77
fi

section() {
	awk -v s="--- $1" '$0 == s { on = 1; next } /^--- / { on = 0 } on' "$TMP/out"
}

run_np lab --preset 4n --timeout 240 --add "${NP_MOVE_DRIVER:?}" \
	--add "${NP_MOVE_TARGET:?}" --add "$SRC/tests/lab/test-lab-move-guest.sh" \
	-- test-lab-move-guest.sh
if [ "$RC" != 0 ] || ! grep -qx -- "--- end" "$TMP/out"; then
	bad "lab exited $RC: $(tail -5 "$TMP/err")"
	summary
	exit 1
fi

for c in hot hot1 kill cpuset thp hugetlb; do
	if section $c | grep -qx 'check: ok'; then ok
	else bad "$c: $(section $c)"; fi
done
# the checks the driver made, as lines a reader of this test can see
for l in "after: 16384 of 16384 pages on node 2 by move_pages" \
	"numa_maps: 1 node(s), N2=16384 (want N2=16384 only)" \
	"report before matches move_pages read back" \
	"report after matches move_pages read back" \
	"hot: 1024 pages by soft-dirty (want 1024 by soft-dirty)" \
	"first 64 pages moved: 64 in the hot part, first at +40 MiB"; do
	for c in hot hot1; do
		if section $c | grep -qxF -- "$l"; then ok
		else bad "$c: no line '$l' in: $(section $c)"; fi
	done
done
# two threads by default (the guest has 8 CPUs), one when asked
for c in "hot 2" "hot1 1"; do
	set -- $c
	if section $1 | grep -qxF -- "threads: $2 (want $2)"; then ok
	else bad "$1: no line 'threads: $2 (want $2)' in: $(section $1)"; fi
done
if section kill | grep -q '^rc -3 class 2: process [0-9]* exited after [0-9]* of 16384 pages were moved: the report is partial$'; then ok
else bad "kill: $(section kill)"; fi
# the huge pages left node 0's pool and took node 2's
for l in "node0 free 16 of 16" "node2 free 0 of 16"; do
	if section hugetlb | grep -qxF -- "$l"; then ok
	else bad "hugetlb: no line '$l' in: $(section hugetlb)"; fi
done
if section cpuset | grep -qx 'cpuset.mems: 0-1'; then ok
else bad "cpuset: $(section cpuset)"; fi
# numactl --membind sets a memory policy; the cpuset stays all nodes
if section membind | grep -qx 'Mems_allowed_list:	0-3'; then ok
else bad "membind: $(section membind)"; fi

# the guest's findings and reports, for the log
cat "$TMP/out"
summary
