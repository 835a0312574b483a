#!/bin/sh
# Seed 000's experiment around the test kernel
# (bench/experiments/seed000-kernel/run.sh): its refusals on this host,
# then end to end in a 2-node lab guest, QEMU inside it (TCG in TCG):
# `numaplace ab` over both sides, two runs each, every run's guest RAM
# checked from outside (each guest node's memory on the host node the side
# binds it to, the filled node wholly), which says that no speed
# difference is expected here and ends in its verdict.
set -u
. "$(dirname "$0")/../cli/lib.sh"
KERNEL=${NP_TEST_KERNEL:?NP_TEST_KERNEL must name the test kernel}
RUN=$SRC/bench/experiments/seed000-kernel/run.sh
export NUMAPLACE_CACHE_DIR=${NP_LAB_CACHE:-$TMP/cache}
exec </dev/null

# check_exit WANT LABEL CMD...: exit status and one stderr line matching RE.
check_exit() {
	want=$1 re=$2
	shift 2
	rc=0
	"$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	if [ "$rc" = "$want" ] && [ "$(wc -l <"$TMP/err")" = 1 ] &&
		grep -q "$re" "$TMP/err"; then ok
	else bad "$*: exit $rc (want $want), stderr: $(cat "$TMP/err")"; fi
}

check_exit 2 "unknown option" sh "$RUN" --bogus 1
check_exit 2 "not a number" sh "$RUN" --mem 1x
check_exit 2 "frames 5000: 1 to 1024 for 1 vCPUs on 16 MiB nodes" \
	sh "$RUN" --kernel "$KERNEL" --mem 16 --frames 5000
check_exit 2 "needs two host nodes with CPUs and memory, this machine has 1" \
	env NUMAPLACE="$NP" sh "$RUN" --kernel "$KERNEL"

. "$(dirname "$0")/lab-qemu.sh"
missing=$(lab_qemu_missing)
if [ -n "$missing" ]; then
	echo "$missing: the guest run is skipped"
	summary
	exit $?
fi

B=/opt/numaplace/bin
# --runs 2: four boots, each checked from outside before it counts
run_np lab --preset 2s --timeout 300 $QEMU_ADDS \
	--add "$KERNEL" \
	--add "$RUN" -- sh -c "export QEMU_MODULE_DIR=$B QEMU_ROMS=$B
		sh $B/run.sh --kernel $B/numaplace-test-kernel.elf --mem 16 \
		--frames 256 --reads 1000 --runs 2 --log /tmp/log --csv /tmp/ab.csv
		echo \"--- rc \$?\"; echo '--- log'; cat /tmp/log; echo '--- csv'; cat /tmp/ab.csv"
if [ "$RC" != 0 ]; then
	bad "lab exited $RC: $(tail -5 "$TMP/err")"
	summary
	exit 1
fi
section() {
	awk -v s="--- $1" '$0 == s { on = 1; next } /^--- / { on = 0 } on' "$TMP/out"
}
grep -qx -- '--- rc 0' "$TMP/out" && ok || bad "run.sh failed: $(cat "$TMP/out" "$TMP/err")"
grep -q '^seed000-kernel: guest nodes 0 and 1 (16 MiB, 1 vCPUs each) on host nodes 0 and 1, 256 frames' "$TMP/out" && ok ||
	bad "no header: $(head -3 "$TMP/out")"
grep -q '^emulated: .*no speed difference is expected$' "$TMP/out" && ok ||
	bad "no 'emulated' line: $(head -8 "$TMP/out")"
verdict=$(sed -n '/^--- rc/q;p' "$TMP/out" | grep -v '^$' | tail -1)
case $verdict in
"no significant difference at α = 0.05 (ratio "*|"B is "*" faster ("*|"B is "*" slower ("*) ok ;;
*) bad "last line is not a verdict: '$verdict'" ;;
esac
# every run: guest node 1 (4096 frames, filled by the strict phase) wholly
# on the host node its side binds it to (A: 0, B: 1), guest node 0's
# touched pages on host node 0, nothing elsewhere; then its figure
log=$(section log)
for s in A B; do
	n1=1
	[ $s = A ] && n1=0
	c=$(echo "$log" | grep -c "^placement: side $s: a mapping bound to host node $n1: 4096 pages there, 0 elsewhere\$")
	[ "$c" = 2 ] && ok || bad "side $s: guest node 1 placed in $c of 2 runs: $log"
	c=$(echo "$log" | grep -Ec "^placement: side $s: a mapping bound to host node 0: [1-9][0-9]* pages there, 0 elsewhere\$")
	[ "$c" -ge 2 ] && ok || bad "side $s: guest node 0: $log"
	c=$(echo "$log" | grep -Ec "^side $s: local_phase_cycles: [1-9][0-9]*\$")
	[ "$c" = 2 ] && ok || bad "side $s: $c figures of 2: $log"
done
n=$(section csv | grep -Ec '(^|,)(A|B),')
[ "$n" = 4 ] && ok || bad "$n measured runs in the CSV, want 4: $(section csv)"
summary
