#!/bin/sh
# The seeds' experiments (bench/experiments/): their workloads refuse bad
# options and misplaced pages on this host; seed004 runs end to end in a
# 4-node guest, every policy placing each instance's pages where it says;
# seed000 runs end to end in a 2-node guest through numaplace ab.
set -u
. "$(dirname "$0")/../cli/lib.sh"
RANDREAD=${NP_RANDREAD:?NP_RANDREAD must name np-randread}
STREAMLET=${NP_STREAMLET:?NP_STREAMLET must name np-streamlet}
EXP=$SRC/bench/experiments
export NUMAPLACE_CACHE_DIR=${NP_LAB_CACHE:-$TMP/cache}
exec </dev/null

# check_exit WANT LABEL CMD...: exit status and one stderr line.
check_exit() {
	want=$1 label=$2
	shift 2
	rc=0
	"$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	if [ "$rc" = "$want" ] && [ "$(wc -l <"$TMP/err")" = 1 ]; then ok
	else bad "$label: exit $rc (want $want), stderr: $(cat "$TMP/err")"; fi
}

# ---- on this host -------------------------------------------------------
check_exit 2 "randread bad size" "$RANDREAD" --size 3x
check_exit 2 "randread unknown option" "$RANDREAD" --bogus 1
check_exit 2 "randread bad expect" "$RANDREAD" --expect nodeX --size 1M
check_exit 2 "streamlet bad list" "$STREAMLET" --expect 1- --size 1M
check_exit 2 "streamlet ntimes" "$STREAMLET" --ntimes 1 --size 1M
# pages on node 0 (this host's only node), expected elsewhere: refused
# before anything is timed
check_exit 1 "randread misplaced" "$RANDREAD" --size 1M --reads 10 --expect 1
if grep -q '^np-randread: thread 0: 0 of 256 pages on node 1, expected all' \
	"$TMP/err" && ! grep -q '^ns_per_read' "$TMP/out"; then ok
else bad "randread misplaced: $(cat "$TMP/err")"; fi
check_exit 1 "streamlet misplaced" "$STREAMLET" --size 1M --expect 1
grep -q '^triad' "$TMP/out" && bad "streamlet timed misplaced pages" || ok
if "$RANDREAD" --size 1M --reads 1000 --expect 0 >"$TMP/out" &&
	grep -Eq '^thread 1: cpus of node 0, 256 pages: node0=256$' "$TMP/out" &&
	grep -Eq '^ns_per_read: [0-9.]+$' "$TMP/out"; then ok
else bad "randread on node 0: $(cat "$TMP/out")"; fi
# one node: seed000 has nothing to compare and says so
check_exit 2 "seed000 one node" env NUMAPLACE="$NP" NP_RANDREAD="$RANDREAD" \
	sh "$EXP/seed000/run.sh" --size 1M
grep -q 'needs two nodes with CPUs, this machine has 1' "$TMP/err" && ok ||
	bad "seed000 one node: $(cat "$TMP/err")"
check_exit 2 "seed004 bad plot" sh "$EXP/seed004/run.sh" --plot x.pdf

if ! command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	! ls /boot/vmlinuz-* >/dev/null 2>&1; then
	echo "no QEMU or no kernel: the guest runs are skipped (make deps)"
	summary
	exit $?
fi

# ---- seed004 in a 4-node guest --------------------------------------------
rc=0
"$NP" lab --preset 4n --timeout 300 --add "$EXP/seed004/run.sh" \
	--add "$STREAMLET" -- sh -c 'sh "$(command -v run.sh)" --size 4M \
	--ntimes 3 --reps 2 --seed 7 --csv /tmp/c.csv && echo "--- csv" &&
	cat /tmp/c.csv' >"$TMP/s4" 2>"$TMP/err" || rc=$?
if [ "$rc" = 0 ]; then ok; else bad "seed004 in 4n: exit $rc: $(tail -5 "$TMP/err")"; fi
grep -q '^emulated: ' "$TMP/s4" && ok || bad "seed004: no 'emulated' line"
sed -n '/^--- csv$/,$p' "$TMP/s4" | tail -n +2 >"$TMP/s4.csv"
# 2 reps x 3 policies x 4 instances, instance i on node i's CPUs
if [ "$(tail -n +2 "$TMP/s4.csv" | wc -l)" = 24 ] &&
	awk -F, 'NR > 1 && $3 != $4 { exit 1 }' "$TMP/s4.csv"; then ok
else bad "seed004: not 24 instances on their nodes: $(cat "$TMP/s4.csv")"; fi
# round-robin: instance i on node i; interleave: over 0-3; random: the
# Park-Miller draws of seed 7, which the instances checked before timing
awk -F, '$2 == "round-robin" && $5 != $3 { exit 1 }
	$2 == "interleave" && $5 != "0-3" { exit 1 }' "$TMP/s4.csv" && ok ||
	bad "seed004: round-robin or interleave misplaced: $(cat "$TMP/s4.csv")"
want=$(awk 'BEGIN { x = 7; for (i = 0; i < 8; i++) {
	x = (x * 16807) % 2147483647; printf "%d ", x % 4 } }')
got=$(awk -F, '$2 == "random" { printf "%s ", $5 }' "$TMP/s4.csv")
[ "$got" = "$want" ] && ok || bad "seed004: random nodes '$got', want '$want'"
awk -F, 'NR > 1 && !($6 > 0) { exit 1 }' "$TMP/s4.csv" && ok ||
	bad "seed004: an instance without a figure"
for p in random interleave round-robin; do
	grep -Eq "^$p +[0-9.]+  [0-9.]+\.\.[0-9.]+$" "$TMP/s4" && ok ||
		bad "seed004: no summary line for $p"
done
if command -v gnuplot >/dev/null 2>&1; then
	sh "$EXP/seed004/run.sh" --plot-only "$TMP/s4.csv" "$TMP/s4.svg" &&
		grep -q '<svg' "$TMP/s4.svg" && ok || bad "seed004: no SVG plot"
fi

# ---- seed000 in a 2-node guest, through numaplace ab --------------------
# 20 runs per side as the script's default; every run checked its pages
# (np-randread --expect) or ab would have stopped with its failure.
rc=0
"$NP" lab --preset 2s --timeout 300 --add "$EXP/seed000/run.sh" \
	--add "$RANDREAD" -- sh -c 'if sh "$(command -v run.sh)" --size 8M \
	--reads 100000 --csv /tmp/ab.csv 2>/tmp/err; then echo "--- csv" &&
	cat /tmp/ab.csv; else tail -5 /tmp/err >&2; exit 1; fi' \
	>"$TMP/s0" 2>"$TMP/err" || rc=$?
if [ "$rc" = 0 ]; then ok; else bad "seed000 in 2s: exit $rc: $(tail -5 "$TMP/err")"; fi
grep -q '^seed000: 2 threads on nodes 0,1, 8M each' "$TMP/s0" && ok ||
	bad "seed000: no header: $(head -3 "$TMP/s0")"
grep -q '^emulated: ' "$TMP/s0" && ok || bad "seed000: no 'emulated' line"
# the verdict: one of ab's two forms, last before the CSV
verdict=$(sed -n '/^--- csv$/q;p' "$TMP/s0" | grep -v '^$' | tail -1)
case $verdict in
"no significant difference at α = 0.05 (ratio "*|"B is "*" faster ("*|"B is "*" slower ("*) ok ;;
*) bad "seed000: last line is not a verdict: '$verdict'" ;;
esac
# every measured run is in the CSV: 20 per side
n=$(sed -n '/^--- csv$/,$p' "$TMP/s0" | grep -Ec '(^|,)(A|B),')
[ "$n" = 40 ] && ok || bad "seed000: $n measured runs in the CSV, want 40: $(sed -n '/^--- csv$/,$p' "$TMP/s0" | head -5)"

summary
