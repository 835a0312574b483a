#!/bin/sh
# The numaplace command line: help, version, errors, topo's options.
set -u
. "$(dirname "$0")/lib.sh"

run_np --help
if [ $RC = 0 ] && grep -q '^   topo ' "$TMP/out" && grep -q '^   help ' "$TMP/out"; then ok
else bad "--help does not list the commands"; fi

run_np --version
if [ $RC = 0 ] && grep -Eq '^numaplace [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/out"; then ok
else bad "--version: $(cat "$TMP/out")"; fi

run_np help topo; cp "$TMP/out" "$TMP/help1"
run_np topo --help
if [ $RC = 0 ] && cmp -s "$TMP/out" "$TMP/help1" && grep -q 'usage: numaplace topo' "$TMP/out"
then ok; else bad "help topo and topo --help differ"; fi

expect_error 2 "^numaplace: 'frobnicate' is not a numaplace command" frobnicate
expect_error 2 "^numaplace: unknown option '--frob'" --frob
expect_error 2 "^numaplace: help: 'nope' is not a numaplace command" help nope
expect_error 2 "^numaplace: topo: unknown option '--frob'" topo --frob
expect_error 2 "^numaplace: topo: unknown option '-Z'" topo -Z
expect_error 2 "^numaplace: topo: option '--sysroot' needs an argument" topo --sysroot
expect_error 2 "^numaplace: topo: unexpected argument 'extra'" topo extra
expect_error 2 "^numaplace: topo: --json and --xml exclude each other" topo --json --xml
expect_error 2 "^numaplace: /nonexistent: No such file or directory$" topo --sysroot /nonexistent
expect_error 2 "^numaplace: /nonexistent.json: No such file or directory$" topo --topology /nonexistent.json

# copy_dump FROM TO: the files the node layer reads, not the CPU tree.
copy_dump() {
	mkdir -p "$2/sys/devices/system"
	cp -r "$1/proc" "$2/"
	cp -r "$1/sys/devices/system/node" "$2/sys/devices/system/"
	if [ -d "$1/sys/devices/virtual" ]; then cp -r "$1/sys/devices/virtual" "$2/sys/devices/"; fi
	if [ -d "$1/sys/kernel" ]; then cp -r "$1/sys/kernel" "$2/sys/"; fi
}

# Every fixture: text and JSON from the dump equal the expected files, and
# JSON read back with --topology prints the same numactl text.
for d in "$DUMPS"/*/; do
	[ -f "$d/topo.txt" ] || continue
	m=$(basename "$d")
	# numactl's exit status when it is not 0 (1: "No NUMA available")
	st=$(cat "$d/topo.status" 2>/dev/null || echo 0)
	run_np topo --sysroot "$d"
	if [ $RC = "$st" ] && cmp -s "$TMP/out" "$d/topo.txt"; then ok
	else bad "$m: topo differs from topo.txt"; fi
	run_np topo --sysroot "$d" --json
	if [ $RC = 0 ] && cmp -s "$TMP/out" "$d/topo.json"; then ok
	else bad "$m: topo --json differs from topo.json"; fi
	cp "$TMP/out" "$TMP/$m.json"
	run_np topo --topology "$TMP/$m.json"
	if [ $RC = "$st" ] && cmp -s "$TMP/out" "$d/topo.txt"; then ok
	else bad "$m: --topology of its JSON differs from topo.txt"; fi
done

# hwloc XML out and back in: the same nodes, CPUs and distances.
m=server-2s-smt
run_np topo --sysroot "$DUMPS/$m" --xml
if [ $RC = 0 ] && grep -q '<topology' "$TMP/out"; then ok; else bad "$m: --xml"; fi
cp "$TMP/out" "$TMP/$m.xml"
run_np topo --topology "$TMP/$m.xml"
grep -v ' free: ' "$DUMPS/$m/topo.txt" >"$TMP/want"
grep -v ' free: ' "$TMP/out" >"$TMP/got"
if [ $RC = 0 ] && cmp -s "$TMP/want" "$TMP/got" && grep -q 'node 0 free: <not available>' "$TMP/out"
then ok; else bad "$m: --topology of its hwloc XML differs"; fi
expect_error 2 "numaplace JSON carries no CPU structure" topo --topology "$TMP/$m.json" --xml
copy_dump "$DUMPS/cxl-memonly" "$TMP/noxml"
expect_error 2 "noxml: no hwloc.xml in this dump" topo --sysroot "$TMP/noxml" --xml
run_np topo --sysroot "$TMP/noxml" -v
if [ $RC = 0 ] && grep -q '^cpu structure: .*no hwloc.xml in this dump' "$TMP/out"; then ok
else bad "-v without hwloc.xml does not say why the CPU structure is missing"; fi

# A damaged dump: one line naming the file and the reason, nothing on stdout.
copy_dump "$DUMPS/server-2s-smt" "$TMP/dump"
: >"$TMP/dump/sys/devices/system/node/node1/distance"
expect_error 2 "^numaplace: $TMP/dump/sys/devices/system/node/node1/distance: empty distance row$" topo --sysroot "$TMP/dump"
expect_error 2 "node1/distance: empty distance row$" topo --sysroot "$TMP/dump" --json
expect_error 2 "node1/distance: empty distance row$" topo --sysroot "$TMP/dump" -v
printf 'not json' >"$TMP/bad.json"
expect_error 2 "^numaplace: $TMP/bad.json: invalid JSON" topo --topology "$TMP/bad.json"
printf '<topology><garbage' >"$TMP/bad.xml"
expect_error 2 "^numaplace: $TMP/bad.xml: not a valid hwloc XML topology$" topo --topology "$TMP/bad.xml"

# The capture script: re-capturing a fixture reproduces what numaplace
# reads from it; capturing this machine gives what numaplace sees live.
CAP=$SRC/tools/capture-dump.sh
NUMAPLACE_CAPTURE_ROOT="$DUMPS/laptop-1n" sh "$CAP" "$TMP/recap" >/dev/null
run_np topo --sysroot "$TMP/recap" --json
if [ $RC = 0 ] && cmp -s "$TMP/out" "$DUMPS/laptop-1n/topo.json"; then ok
else bad "capture-dump.sh of a fixture does not reproduce its topo.json"; fi
sh "$CAP" "$TMP/live" >/dev/null 2>&1
run_np topo --sysroot "$TMP/live"
grep -v ' free: ' "$TMP/out" >"$TMP/got"
"$NP" topo | grep -v ' free: ' >"$TMP/want"
if [ $RC = 0 ] && cmp -s "$TMP/want" "$TMP/got"; then ok
else bad "capture-dump.sh of this machine: topo --sysroot differs from live"; fi
run_np topo --sysroot "$TMP/live" -v
if [ $RC = 0 ] && ! grep -q '^cpu structure:' "$TMP/out"; then ok
else bad "capture-dump.sh of this machine: -v has no CPU structure"; fi


# ---- the shared option parser (cli/cli-opts.c) ----------------------------
# The same for every command that uses it: -h, --help and an abbreviation
# of it print the usage that 'help <cmd>' prints, on stdout, nothing on
# stderr, exit 0; the first problem wins and is one line, exit 2.
for c in topo where run stat frames lab; do
	run_np help "$c"; cp "$TMP/out" "$TMP/help-$c"
	if [ "$RC" = 0 ] && [ ! -s "$TMP/err" ] && head -1 "$TMP/out" | grep -q "^usage: numaplace $c "
	then ok; else bad "help $c: exit $RC: $(head -1 "$TMP/out") $(cat "$TMP/err")"; fi
	for h in --help -h --he; do
		run_np "$c" "$h"
		if [ "$RC" = 0 ] && [ ! -s "$TMP/err" ] && cmp -s "$TMP/out" "$TMP/help-$c"; then ok
		else bad "$c $h: exit $RC, stderr '$(cat "$TMP/err")', or not the usage of 'help $c'"; fi
	done
	expect_error 2 "^numaplace: $c: unknown option '--frob'$" "$c" --frob
	expect_error 2 "^numaplace: $c: unknown option '-Z'$" "$c" -Z
	expect_error 2 "^numaplace: $c: option '--help' doesn't allow an argument$" "$c" --help=x
	expect_error 2 "^numaplace: $c: unknown option '--frob'$" "$c" --frob --help
done
run_np frames --policy bind --help
if [ "$RC" = 0 ] && [ ! -s "$TMP/err" ] && cmp -s "$TMP/out" "$TMP/help-frames"; then ok
else bad "frames --policy bind --help: exit $RC: $(cat "$TMP/err")"; fi

# A missing argument, at the end or before nothing: named as typed.
expect_error 2 "^numaplace: where: option '--pid' needs an argument$" where --pid
expect_error 2 "^numaplace: where: option '-p' needs an argument$" where -p
expect_error 2 "^numaplace: run: option '-m' needs an argument$" run -m
expect_error 2 "^numaplace: frames: option '--pool' needs an argument$" frames --pool
expect_error 2 "^numaplace: lab: option '--timeout' needs an argument$" lab --timeout
# A flag given a value, an ambiguous abbreviation (--pre: --preferred or
# --preferred-many), and one that is not.
expect_error 2 "^numaplace: topo: option '--json' doesn't allow an argument$" topo --json=1
expect_error 2 "^numaplace: lab: option '--shell' doesn't allow an argument$" lab --shell=1
expect_error 2 "^numaplace: run: unknown option '--pre'$" run --pre 0 true
run_np topo --sys "$DUMPS/laptop-1n"
if [ "$RC" = 0 ] && cmp -s "$TMP/out" "$DUMPS/laptop-1n/topo.txt"; then ok
else bad "topo --sys (an abbreviation of --sysroot): exit $RC: $(cat "$TMP/err")"; fi

# Numbers in a range (lab's counts): digits only, both ends included.
for v in x 0 86401 -1 ' 5' 5s 99999999999999999999 ''; do
	expect_error 2 "^numaplace: lab: --timeout: '$v' is not a number from 1 to 86400$" lab --timeout "$v"
done
expect_error 2 "^numaplace: lab: --timeout: '\\+5' is not a number from 1 to 86400$" lab --timeout +5
expect_error 2 "^numaplace: lab: --timeout: '0' is not a number from 1 to 86400$" lab --timeout=0
expect_error 2 "^numaplace: lab: --cpus-per-node: '65' is not a number from 1 to 64$" lab --cpus-per-node 65
expect_error 2 "^numaplace: lab: --mem-scale: '0' is not a number from 1 to 1048576$" lab --mem-scale 0
run_np lab --timeout 86400 --cpus-per-node 64 --mem-scale 1048576 --preset 2s --qemu-args
if [ "$RC" = 0 ] && grep -q -- '-numa node,nodeid=1' "$TMP/out"; then ok
else bad "lab: the top of each range is refused: exit $RC: $(cat "$TMP/err")"; fi
expect_error 2 "^numaplace: where: --pid: 'x' is not a number from 1 to 4194304$" where -p x

# run and lab stop at the first operand: what follows is CMD's.
run_np run sh -c 'echo "$0"' -h
if [ "$RC" = 0 ] && [ "$(cat "$TMP/out")" = "-h" ]; then ok
else bad "run CMD -h: -h was not CMD's: exit $RC: $(cat "$TMP/out" "$TMP/err")"; fi
run_np lab --preset 2s --qemu-args true --frob
if [ "$RC" = 0 ] && grep -q -- '-numa node,nodeid=0' "$TMP/out"; then ok
else bad "lab ... CMD --frob: --frob was not CMD's: exit $RC: $(cat "$TMP/err")"; fi

# ---- where --sysroot: a captured proc tree ---------------------------------
W=$DUMPS/qemu-prefer-2n
run_np where --sysroot "$W" -p 2841
if [ "$RC" = 0 ] && [ ! -s "$TMP/err" ] && cmp -s "$TMP/out" "$W/where.txt"; then ok
else bad "where --sysroot: differs from where.txt: exit $RC: $(cat "$TMP/err")"; fi
run_np where -p 2841 --json --sysroot "$W"
if [ "$RC" = 0 ] && cmp -s "$TMP/out" "$W/where.json"; then ok
else bad "where --sysroot --json: differs from where.json: exit $RC: $(cat "$TMP/err")"; fi
# The figures, from the N<node>= counts of proc/2841/numa_maps by hand:
# 4 KiB pages except the hugetlb mapping's 2 MiB ones; THP from smaps.
if python3 - "$TMP/out" <<'P'
import json, sys
j = json.load(open(sys.argv[1]))
P4, P2M = 4096, 2 << 20
want = {
    "heap": {0: 0, 1: 2905 * P4},
    "stack": {0: 0, 1: 34 * P4},
    "anon": {0: 512 * P4, 1: (210 + 37 + 45 + 1024 + 4 + 2 + 13 + 2 + 2) * P4},
    "file": {0: (212 + 1530 + 486 + 40 + 228 + 52 + 25 + 1 + 38 + 10) * P4, 1: 4 * P4},
    "shmem": {0: 0, 1: 0},
    "hugetlb": {0: 56 * P2M, 1: 200 * P2M},
}
got = {k["kind"]: {n["node"]: n["bytes"] for n in k["nodes"]} for k in j["kinds"]}
assert got == want, got
assert j["pid"] == 2841 and j["comm"] == "qemu-system-x86", (j["pid"], j["comm"])
assert j["thp_bytes"] == 4096 * 1024, j["thp_bytes"]
out = [(o["node"], o["kind"], (o["path"] or "").split("/")[-1], o["bytes"]) for o in j["outside_policy"]]
assert out == [
    (0, "file", "qemu-system-x86_64", (212 + 1530 + 486) * P4),
    (0, "anon", "", 512 * P4),
    (0, "hugetlb", "qemu_back_mem.pc.ram.Xb9Gc1\\040(deleted)", 56 * P2M),
    (0, "file", "libc.so.6", (40 + 228 + 52) * P4),
    (0, "file", "libglib-2.0.so.0.8000.0", 25 * P4),
    (0, "file", "ld-linux-x86-64.so.2", (1 + 38 + 10) * P4),
], out
P
then ok; else bad "where --sysroot --json: the figures of qemu-prefer-2n"; fi
expect_error 2 "^numaplace: where: no process 2842$" where --sysroot "$W" -p 2842
expect_error 2 "^numaplace: where: /nonexistent: No such file or directory$" where --sysroot /nonexistent -p 2841
expect_error 2 "^numaplace: where: option '--sysroot' needs an argument$" where -p 1 --sysroot

# ---- output is checked once, centrally (main.c) -----------------------------
# A full disk: exit 1 and one line naming standard output, whatever wrote
# the output (np_emit, the usage, printf); a command that failed already
# keeps its code and its own line.
expect_full() {
	RC=0
	"$NP" "$@" >/dev/full 2>"$TMP/err" || RC=$?
	if [ "$RC" = 1 ] && [ "$(wc -l <"$TMP/err")" = 1 ] &&
	   grep -qx 'numaplace: write to standard output: No space left on device' "$TMP/err"; then ok
	else bad "numaplace $* >/dev/full: exit $RC, stderr '$(cat "$TMP/err")'"; fi
}
if [ -w /dev/full ]; then
	expect_full topo --sysroot "$DUMPS/server-2s-smt"
	expect_full topo --sysroot "$DUMPS/opteron-8n" -v
	expect_full help topo
	expect_full topo --help
	expect_full stat --sysroot "$DUMPS/server-2s-smt"
	expect_full stat -m --json --sysroot "$DUMPS/cxl-memonly"
	expect_full where --sysroot "$W" -p 2841
	expect_full lab --preset 8n --qemu-args
	expect_full --help
	expect_full --version
	RC=0; "$NP" topo --frob >/dev/full 2>"$TMP/err" || RC=$?
	if [ "$RC" = 2 ] && [ "$(cat "$TMP/err")" = "numaplace: topo: unknown option '--frob'" ]; then ok
	else bad "topo --frob >/dev/full: exit $RC, stderr '$(cat "$TMP/err")'"; fi
fi
# Nothing written to a closed stdout is no failure; something is.
RC=0; "$NP" topo --sysroot "$DUMPS/laptop-1n" >&- 2>"$TMP/err" || RC=$?
if [ "$RC" = 1 ] && [ "$(cat "$TMP/err")" = "numaplace: write to standard output: Bad file descriptor" ]; then ok
else bad "topo >&-: exit $RC, stderr '$(cat "$TMP/err")'"; fi

# A pipe whose reader has gone: the reader closes its end, then tells
# numaplace to start (through a fifo), so the first write has no reader.
# SIGPIPE kills numaplace (141 in the shell): no success, no message.
# Where SIGPIPE is ignored (inherited: the shell cannot undo that), the
# write fails with EPIPE and main says so: exit 1 and the one line.
mkfifo "$TMP/closed"
{ read -r _ <"$TMP/closed"; RC=0
  "$NP" topo -v --sysroot "$DUMPS/opteron-8n" 2>"$TMP/err" || RC=$?
  echo "$RC" >"$TMP/rc"; } | { exec 0<&-; echo >"$TMP/closed"; }
sigign=$(awk '$1 == "SigIgn:" { print $2 }' /proc/$$/status)
if [ $((0x$sigign >> 12 & 1)) = 1 ]; then
	want_rc=1 want_err="numaplace: write to standard output: Broken pipe"
else
	want_rc=141 want_err=""
fi
if [ "$(cat "$TMP/rc")" = "$want_rc" ] && [ "$(cat "$TMP/err")" = "$want_err" ]; then ok
else bad "topo -v into a closed pipe: exit $(cat "$TMP/rc"), want $want_rc; stderr '$(cat "$TMP/err")'"; fi

# ---- issue 12: real machines' sysfs and the topology-input defects ----

# Every fixture, by-hand ones included: JSON read back with --topology
# writes the same JSON (only "source" differs) and the same -v text up to
# the CPU structure, which JSON does not carry.
for d in "$DUMPS"/*/; do
	[ -f "$d/topo.json" ] || continue
	m=$(basename "$d")
	run_np topo --topology "$d/topo.json" --json
	sed 's/"source": "json"/"source": "sysfs"/' "$TMP/out" >"$TMP/got"
	if [ $RC = 0 ] && cmp -s "$TMP/got" "$d/topo.json"; then ok
	else bad "$m: topo.json read back writes other JSON"; fi
	run_np topo --sysroot "$d" -v
	if [ $RC = 0 ] && cmp -s "$TMP/out" "$d/topo-v.txt"; then ok
	else bad "$m: topo -v differs from topo-v.txt"; fi
done

# An online node without a node directory: numactl misreads it
# (numactl-H.txt), the expected text is by hand (numactl-differs).
d=$DUMPS/offline-node
run_np topo --sysroot "$d"
if [ $RC = 0 ] && cmp -s "$TMP/out" "$d/topo-by-hand.txt"; then ok
else bad "offline-node: topo differs from topo-by-hand.txt"; fi
run_np topo --topology "$d/topo.json"
if [ $RC = 0 ] && cmp -s "$TMP/out" "$d/topo-by-hand.txt"; then ok
else bad "offline-node: --topology of its JSON differs from topo-by-hand.txt"; fi
if cmp -s "$d/numactl-H.txt" "$d/topo-by-hand.txt"; then
	bad "offline-node: numactl-H.txt no longer differs: make it topo.txt"
else ok; fi
copy_dump "$d" "$TMP/offline"
rm "$TMP/offline/sys/devices/system/node/online"
expect_error 2 "^numaplace: $TMP/offline/sys/devices/system/node/node0/distance: more entries than nodes \(3 nodes\)$" topo --sysroot "$TMP/offline"

# A kernel without NUMA: numactl's line and exit 1; JSON and -v describe
# the implicit node; stat says so in one line, exit 1 as numastat.
d=$DUMPS/no-numa
run_np topo --sysroot "$d"
if [ $RC = 1 ] && [ "$(cat "$TMP/out")" = "No NUMA available on this system" ] && [ ! -s "$TMP/err" ]
then ok; else bad "no-numa: topo: exit $RC, '$(cat "$TMP/out")'"; fi
run_np topo --sysroot "$d" --json
if [ $RC = 0 ] && grep -q '"numa": false' "$TMP/out"; then ok
else bad "no-numa: --json does not say numa: false"; fi
expect_error 1 "^numaplace: stat: $d: the kernel has no NUMA \(no sys/devices/system/node\): no per-node counters$" stat --sysroot "$d"
expect_error 1 "the kernel has no NUMA" stat --json --sysroot "$d"
mkdir -p "$TMP/nothing"
expect_error 2 "^numaplace: $TMP/nothing/sys/devices/system/node: No such file or directory$" topo --sysroot "$TMP/nothing"

# Empty has_cpu: a node with CPUs is never "memory only".
run_np topo -v --sysroot "$DUMPS/hascpu-empty-310"
if [ $RC = 0 ] && ! grep -q 'memory only' "$TMP/out" && [ "$(grep -c '^node [01]: CPUs and memory$' "$TMP/out")" = 2 ]
then ok; else bad "hascpu-empty-310: a node with CPUs called memory only"; fi

# cpumap without cpulist, and cpumap winning over a cpulist that disagrees.
copy_dump "$DUMPS/server-2s-smt" "$TMP/disagree"
echo 0-3 >"$TMP/disagree/sys/devices/system/node/node0/cpulist"
run_np topo --sysroot "$TMP/disagree"
if [ $RC = 0 ] && cmp -s "$TMP/out" "$DUMPS/server-2s-smt/topo.txt"; then ok
else bad "cpulist that disagrees with cpumap: cpumap must win"; fi

# Defect 18: a node directory beyond the id limit is named.
mkdir -p "$TMP/n100k/sys/devices/system/node/node100000"
expect_error 2 "^numaplace: $TMP/n100k/sys/devices/system/node/node100000: node id 100000 out of range \(ids go up to 4095\)$" topo --sysroot "$TMP/n100k"

# Defect 12: kB x 1024 that overflows is refused, not "size: 0 MB".
copy_dump "$DUMPS/laptop-1n" "$TMP/ovf"
sed -i 's/^Node 0 MemTotal: .*/Node 0 MemTotal:       18014398509481984 kB/' "$TMP/ovf/sys/devices/system/node/node0/meminfo"
expect_error 2 "node0/meminfo: MemTotal 18014398509481984 kB out of range$" topo --sysroot "$TMP/ovf"
expect_error 2 "node0/meminfo: MemTotal 18014398509481984 kB out of range$" stat --sysroot "$TMP/ovf"
# MemFree > MemTotal: kept from sysfs, and what --json writes reads back.
copy_dump "$DUMPS/laptop-1n" "$TMP/fgt"
sed -i 's/^Node 0 MemFree: .*/Node 0 MemFree:        99999999 kB/' "$TMP/fgt/sys/devices/system/node/node0/meminfo"
run_np topo --sysroot "$TMP/fgt" --json
cp "$TMP/out" "$TMP/fgt.json"
run_np topo --topology "$TMP/fgt.json"
if [ $RC = 0 ] && grep -q '^node 0 free: 97656 MB$' "$TMP/out"; then ok
else bad "MemFree > MemTotal: --json does not read back ($(cat "$TMP/err"))"; fi
sed 's/"total_bytes": [0-9]*/"total_bytes": 9223372036854775808/' "$TMP/fgt.json" >"$TMP/big.json"
expect_error 2 "big.json: nodes\[0\].memory.total_bytes: number out of range$" topo --topology "$TMP/big.json"

# Defect 3: hwloc XML node ids, the same limits as every input.
sed 's/type="NUMANode" os_index="0"/type="NUMANode" os_index="4294967295"/' "$DUMPS/laptop-1n/hwloc.xml" >"$TMP/big.xml"
expect_error 2 "^numaplace: $TMP/big.xml: node id 4294967295 out of range \(ids go up to 4095\)$" topo --topology "$TMP/big.xml"
sed 's/type="NUMANode" os_index="1"/type="NUMANode" os_index="0"/' "$DUMPS/server-2s-smt/hwloc.xml" >"$TMP/dup.xml"
expect_error 2 "^numaplace: $TMP/dup.xml: node 0 appears twice$" topo --topology "$TMP/dup.xml"
copy_dump "$DUMPS/laptop-1n" "$TMP/bigxml"
cp "$TMP/big.xml" "$TMP/bigxml/hwloc.xml"
expect_error 2 "bigxml/hwloc.xml: node id 4294967295 out of range" topo --sysroot "$TMP/bigxml" -v

# Defect 19: a garbage hwloc.xml in a dump is an error for -v (exit 2, one
# line), where a missing one is a note (above).
copy_dump "$DUMPS/laptop-1n" "$TMP/gxml"
printf '<topology>garbage' >"$TMP/gxml/hwloc.xml"
expect_error 2 "^numaplace: $TMP/gxml/hwloc.xml: not a valid hwloc XML topology$" topo --sysroot "$TMP/gxml" -v
expect_error 2 "gxml/hwloc.xml: not a valid hwloc XML topology$" topo --sysroot "$TMP/gxml" --xml

summary
