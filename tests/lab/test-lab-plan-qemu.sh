#!/bin/sh
# A real QEMU inside a 4-node lab guest, started paused with the arguments
# np_plan_emit_qemu writes for plans on that guest's nodes (the guest's
# half is guest-plan-qemu.sh): two guest cells on nodes 1 and 2 with the
# guest's distance between them, memory interleaved over nodes 0, 2 and 3,
# 2 MiB hugepages on node 3, and numaplace plan's own plan (--emit qemu)
# of a VM that only nodes 1 and 2 together can hold.  QMP says
# every backend is bound as planned and the vCPUs are in their guest
# nodes; the vCPU threads end pinned as the arguments' comments say;
# move_pages, numa_maps and numaplace where put every page of guest RAM on
# its planned node; QEMU is gone after kill.
set -u
. "$(dirname "$0")/../cli/lib.sh"
PQ=${NP_PLAN_QEMU:?NP_PLAN_QEMU must name np-plan-qemu}
export NUMAPLACE_CACHE_DIR=${NP_LAB_CACHE:-$TMP/cache}
exec </dev/null

. "$(dirname "$0")/lab-qemu.sh"
missing=$(lab_qemu_missing)
if [ -n "$missing" ]; then
	echo "$missing: skipping"
	exit 77
fi

# section NAME: the lines of $TMP/out after "--- NAME" up to the next "---".
section() {
	awk -v s="--- $1" '$0 == s { on = 1; next } /^--- / { on = 0 } on' "$TMP/out"
}

has_line() {
	if section "$1" | grep -qxF -- "$2"; then ok
	else bad "$1: no line '$2' in: $(section "$1")"; fi
}

# pins_match CASE: every "# vcpu V -> host cpus L" of the arguments is the
# affinity of the thread "CPU V/TCG" as the guest's kernel reports it.
pins_match() {
	section "$1-args" | sed -n 's/^# vcpu \([0-9]*\) -> host cpus \(.*\)$/CPU \1\/TCG: \2/p' >"$TMP/$1.want"
	section "$1-threads" | sort >"$TMP/$1.got"
	if [ -s "$TMP/$1.want" ] && sort "$TMP/$1.want" | cmp -s - "$TMP/$1.got"; then ok
	else bad "$1: vCPU threads $(cat "$TMP/$1.got"), planned $(cat "$TMP/$1.want")"; fi
}

# anon_mib CASE NODE: MiB of anonymous memory numaplace where puts on NODE.
anon_mib() {
	section "$1-where" | python3 -c 'import json, sys
j = json.load(sys.stdin)
print(sum(n["bytes"] for k in j["kinds"] if k["kind"] == "anon"
          for n in k["nodes"] if n["node"] == int(sys.argv[1])) >> 20)' "$2"
}

run_np lab --preset 4n --timeout 90 $QEMU_ADDS \
	--add "$PQ" \
	--add "$SRC/tests/lab/guest-plan-qemu.sh" -- guest-plan-qemu.sh
if [ "$RC" != 0 ]; then
	bad "lab exited $RC: $(tail -5 "$TMP/err")"
	summary
	exit 1
fi

for c in two il huge pl; do
	if section "$c-check" | grep -qx 'check: ok'; then ok
	else bad "$c: $(section "$c-check") $(section "$c-stderr")"; fi
	has_line "$c-gone" gone
	if [ -z "$(section "$c-stderr")" ]; then ok
	else bad "$c: QEMU said $(section "$c-stderr")"; fi
	pins_match "$c"
done

# two cells on nodes 1 and 2, 21 apart in the 4n machine
has_line two-args "-numa dist,src=0,dst=1,val=21"
has_line two-args "-numa node,nodeid=1,cpus=1,memdev=ram1"
has_line two-check "memdev ram0: size 33554432 policy bind host-nodes 1 prealloc on (planned size 33554432 policy bind host-nodes 1)"
has_line two-check "memdev ram1: size 33554432 policy bind host-nodes 2 prealloc on (planned size 33554432 policy bind host-nodes 2)"
has_line two-check "vcpu 1: guest node 1 (planned 1)"
has_line two-check "memdev ram0: move_pages: 8192 pages on node 1, 0 elsewhere, 0 not present (planned 8192 on node 1)"
has_line two-check "memdev ram1: move_pages: 8192 pages on node 2, 0 elsewhere, 0 not present (planned 8192 on node 2)"
# numa_maps: each bound mapping wholly on its node ("N1=8192" its only
# node count)
for n in 1 2; do
	nodes=$(section two-numa_maps | awk -v pol="bind:$n" '$2 == pol {
		for (i = 3; i <= NF; i++) if ($i ~ /^N[0-9]+=/) printf "%s ", $i }')
	if [ "$nodes" = "N$n=8192 " ]; then ok
	else bad "two: numa_maps of node $n: $(section two-numa_maps)"; fi
	mib=$(anon_mib two $n)
	if [ "${mib:-0}" -ge 32 ]; then ok
	else bad "two: numaplace where has ${mib:-?} MiB of anonymous memory on node $n, want >= 32"; fi
done

# interleaved over nodes 0, 2 and 3: one backend, every page on those
# nodes and each of them holding some
has_line il-args "-object memory-backend-ram,id=ram0,size=48M,prealloc=on,host-nodes=0,host-nodes=2-3,policy=interleave"
has_line il-check "memdev ram0: size 50331648 policy interleave host-nodes 0,2-3 prealloc on (planned size 50331648 policy interleave host-nodes 0,2-3)"
if section il-check | grep -q '^memdev ram0: move_pages: 12288 pages on nodes 0,2-3, 0 elsewhere, 0 not present (planned 12288 on nodes 0,2-3)$'; then ok
else bad "il: $(section il-check)"; fi
nodes=$(section il-numa_maps | awk '$2 == "interleave:0,2-3" {
	for (i = 3; i <= NF; i++) if ($i ~ /^N[0-9]+=/) { split($i, kv, "="); printf "%s ", kv[1] } }')
if [ "$nodes" = "N0 N2 N3 " ]; then ok
else bad "il: numa_maps $(section il-numa_maps)"; fi

# hugepages on node 3: a hugetlbfs file, its 8 pages taken from node 3
has_line huge-args "-object memory-backend-file,id=ram0,size=16M,mem-path=/dev/hugepages,prealloc=on,host-nodes=3,policy=bind"
has_line huge-check "memdev ram0: move_pages: 4096 pages on node 3, 0 elsewhere, 0 not present (planned 4096 on node 3)"
if section huge-numa_maps | grep -q '^[0-9a-f]* bind:3 file=/dev/hugepages/.* huge .*N3=8 kernelpagesize_kB=2048$'; then ok
else bad "huge: numa_maps $(section huge-numa_maps)"; fi
has_line huge-hugepages "node3 0"

# numaplace plan --emit qemu in the guest: two cells, on nodes 1 and 2
has_line pl-plan planned
if section pl-args | grep -q '^-numa dist,src=0,dst=1,val=21$' &&
	[ "$(section pl-args | grep -c '^-object memory-backend-ram,.*,prealloc=on,host-nodes=[12],policy=bind$')" = 2 ]; then ok
else bad "pl: arguments $(section pl-args)"; fi
for n in 1 2; do
	if section pl-check | grep -q "^memdev ram[01]: move_pages: [0-9]* pages on node $n, 0 elsewhere, 0 not present (planned [0-9]* on node $n)$"; then ok
	else bad "pl: node $n: $(section pl-check)"; fi
done

summary
