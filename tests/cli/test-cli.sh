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
	run_np topo --sysroot "$d"
	if [ $RC = 0 ] && cmp -s "$TMP/out" "$d/topo.txt"; then ok
	else bad "$m: topo differs from topo.txt"; fi
	run_np topo --sysroot "$d" --json
	if [ $RC = 0 ] && cmp -s "$TMP/out" "$d/topo.json"; then ok
	else bad "$m: topo --json differs from topo.json"; fi
	cp "$TMP/out" "$TMP/$m.json"
	run_np topo --topology "$TMP/$m.json"
	if [ $RC = 0 ] && cmp -s "$TMP/out" "$d/topo.txt"; then ok
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
	expect_error 2 "^numaplace: $c: option '--help' takes no argument$" "$c" --help=x
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
expect_error 2 "^numaplace: topo: option '--json' takes no argument$" topo --json=1
expect_error 2 "^numaplace: lab: option '--shell' takes no argument$" lab --shell=1
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
expect_error 2 "^numaplace: where: -p: 'x' is not a process id$" where -p x

# run and lab stop at the first operand: what follows is CMD's.
run_np run sh -c 'echo "$0"' -h
if [ "$RC" = 0 ] && [ "$(cat "$TMP/out")" = "-h" ]; then ok
else bad "run CMD -h: -h was not CMD's: exit $RC: $(cat "$TMP/out" "$TMP/err")"; fi
run_np lab --preset 2s --qemu-args true --frob
if [ "$RC" = 0 ] && grep -q -- '-numa node,nodeid=0' "$TMP/out"; then ok
else bad "lab ... CMD --frob: --frob was not CMD's: exit $RC: $(cat "$TMP/err")"; fi

summary
