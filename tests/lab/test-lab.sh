#!/bin/sh
# numaplace lab against real guests: topology inside the guest equals
# numactl -H and the spec that booted it; dumps read back on the host;
# exit status, errors, timeouts, panics; nothing left running when killed.
set -u
. "$(dirname "$0")/../cli/lib.sh"
SPEC_CHECK=${SPEC_CHECK:?SPEC_CHECK must name tests/lab/spec-check}
GUEST=$SRC/tests/lab/guest-topo.sh
export NUMAPLACE_CACHE_DIR=${NP_LAB_CACHE:-$TMP/cache}
# lab forwards a stdin that is not a terminal to the guest command: the
# tests give it one explicitly where they mean to.
exec </dev/null

if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	echo "qemu-system-x86_64 not installed: skipping (make deps installs it)"
	exit 77
fi
if ! ls /boot/vmlinuz-* >/dev/null 2>&1; then
	echo "no kernel in /boot: skipping (make deps installs linux-image-amd64)"
	exit 77
fi

# section NAME: the lines of $TMP/out after "--- NAME" up to the next "---".
section() {
	awk -v s="--- $1" '$0 == s { on = 1; next } /^--- / { on = 0 } on' "$TMP/out"
}

# boot_topo LABEL SPEC-ARGS...: boot, compare in the guest, check the spec.
boot_topo() {
	label=$1
	shift
	run_np lab --add "$GUEST" "$@" -- guest-topo.sh
	if [ "$RC" != 0 ]; then
		bad "$label: lab exited $RC: $(tail -5 "$TMP/err")"; return 1
	fi
	if head -1 "$TMP/out" | grep -q '^topo-vs-numactl: same$'; then ok
	else bad "$label: numaplace topo differs from numactl -H in the guest"; cat "$TMP/out" >&2; fi
	section json >"$TMP/$label.json"
	section text >"$TMP/$label.txt"
}

spec_check() {
	label=$1
	shift
	if "$SPEC_CHECK" "$TMP/$label.json" "$@" >"$TMP/check" 2>&1; then ok
	else bad "$label: guest topology does not match its spec: $(cat "$TMP/check")"; fi
}

# Six machines: 2, 3 (asymmetric), 4 and 8 nodes, a memory-only node, and a
# memoryless node (from a topology file with node ids 0,2,5).
boot_topo 2s --preset 2s && spec_check 2s --preset 2s
ASYM="10,20,30;25,10,20;35,28,10"
boot_topo asym --nodes 1:256M,1:256M,1:256M --distances "$ASYM" &&
	spec_check asym --nodes 1:256M,1:256M,1:256M --distances "$ASYM"
boot_topo 4n --preset 4n && spec_check 4n --preset 4n
boot_topo 8n --preset 8n && spec_check 8n --preset 8n
boot_topo sparse --topology "$DUMPS/sparse-025/topo.json" &&
	spec_check sparse --nodes 2:128M,2:64M,2:0 --distances "10,16,22;16,10,16;22,16,10"

# The memory-only machine, with a dump read back on the host.
if boot_topo cxl --preset cxl --dump "$TMP/dump"; then
	spec_check cxl --preset cxl
	"$NP" topo --sysroot "$TMP/dump" >"$TMP/host.txt" 2>&1
	# Free memory moves between the command and the capture; the rest
	# must be identical.
	grep -v ' free: ' "$TMP/host.txt" >"$TMP/host.nofree"
	grep -v ' free: ' "$TMP/cxl.txt" >"$TMP/guest.nofree"
	if cmp -s "$TMP/host.nofree" "$TMP/guest.nofree" && [ -s "$TMP/host.nofree" ]; then ok
	else bad "dump: host reading differs from the guest's own output"; diff "$TMP/cxl.txt" "$TMP/host.txt" >&2; fi
	"$NP" topo --sysroot "$TMP/dump" --json >"$TMP/dump.json" 2>&1
	if "$SPEC_CHECK" "$TMP/dump.json" --preset cxl >"$TMP/check" 2>&1; then ok
	else bad "dump: $(cat "$TMP/check")"; fi
	for t in SRAT SLIT; do
		f=$TMP/dump/sys/firmware/acpi/tables/$t
		if [ "$(head -c 4 "$f" 2>/dev/null)" = "$t" ]; then ok
		else bad "dump: no ACPI $t table"; fi
	done
fi

# numaplace run against numactl, same options, same program (np-probe):
# the pages must land where numactl puts them.  Several nodes under bind
# or preferred-many mean "the nearest of them to the CPU the task runs on",
# so those cases also pin the CPU (-N) to be comparable.
PROBE=${NP_PROBE:?NP_PROBE must name tests/lab/np-probe}
POLICY="$SRC/tests/lab/guest-policy.sh"
run_np lab --preset 4n --add "$PROBE" --add "$POLICY" -- guest-policy.sh 32 \
	membind-1="-m 1" membind-23="-N 2 --membind=2,3" not-0="-N 1 -m !0" relative="-m +1" \
	preferred-2="-p 2" preferred-many="-N 3 --preferred-many 1,3" \
	interleave-all="-i all" interleave-02="--interleave 0,2" \
	cpunode-3="-N 3" local-on-1="-N 1 -l" physcpu-4="-C 4" cpus-6-7="--physcpubind 6-7"
grep '^CASE ' "$TMP/out" >"$TMP/cases"
if [ "$RC" = 0 ] && [ "$(wc -l <"$TMP/cases")" = 12 ] &&
   sh "$SRC/tests/lab/policy-compare.sh" "$TMP/cases" >"$TMP/verdict"; then ok
else bad "run vs numactl on 4n: $(cat "$TMP/verdict" "$TMP/err" 2>/dev/null)"; fi
if grep -q 'membind-1: same (numactl: node1=8192;' "$TMP/verdict" &&
   grep -q 'interleave-02: same (numactl: node0=[0-9]* node2=[0-9]*;' "$TMP/verdict"; then ok
else bad "run vs numactl on 4n: unexpected placement: $(cat "$TMP/verdict")"; fi
# A memory-only node takes a binding; a CPU-less node cannot run a task;
# the lab's 6.1 kernel predates weighted interleave, and says so.
run_np lab --preset cxl --add "$PROBE" --add "$POLICY" -- sh -c '
	guest-policy.sh 32 memonly-2="-m 2" pref-memonly="-p 2"
	numaplace run -N 2 true; echo "cpuless=$?"
	numaplace run -w 0,1 true; echo "weighted=$?"
	numaplace run -p 0,1 true; echo "preferred2=$?"'
grep '^CASE ' "$TMP/out" >"$TMP/cases"
if sh "$SRC/tests/lab/policy-compare.sh" "$TMP/cases" >"$TMP/verdict" &&
   grep -q 'memonly-2: same (numactl: node2=8192;' "$TMP/verdict"; then ok
else bad "run on cxl: $(cat "$TMP/verdict")"; fi
if grep -q '^cpuless=2$' "$TMP/out" && grep -q '^numaplace: run: --cpunodebind: node 2 has no CPUs$' "$TMP/err"; then ok
else bad "run -N on a CPU-less node: $(cat "$TMP/out" "$TMP/err")"; fi
if grep -q '^preferred2=2$' "$TMP/out" && grep -q '^numaplace: run: --preferred takes one node' "$TMP/err"; then ok
else bad "run -p with two nodes: $(cat "$TMP/out" "$TMP/err")"; fi
if grep -q '^weighted=1$' "$TMP/out" && grep -q '^numaplace: run: this kernel does not support weighted-interleave$' "$TMP/err"; then ok
else bad "run -w on kernel 6.1: $(cat "$TMP/out" "$TMP/err")"; fi

# numaplace where, in the seed-001 situation: page cache on node 0 (a real
# disk: loop and ext4, which the lab loads as modules) under a node-1
# binding is found and explained, and the totals are numastat's.
run_np lab --preset 2s --add "$PROBE" --add "$SRC/tests/lab/guest-where.sh" -- guest-where.sh
section where >"$TMP/where.txt"
section numastat >"$TMP/numastat.txt"
w=$(awk '$1 == "total" { $1 = ""; print }' "$TMP/where.txt" | xargs)
n=$(awk '$1 == "Total" { $1 = ""; print }' "$TMP/numastat.txt" | xargs)
if [ "$RC" = 0 ] && [ -n "$w" ] && [ "$w" = "$n" ]; then ok
else bad "where vs numastat -p: where '$w', numastat '$n' ($(cat "$TMP/err"))"; fi
# np-probe's own 1 MiB memfd is shared memory on its node (1).
if awk '$1 == "shmem" && $3 + 0 >= 1 { found = 1 } END { exit !found }' "$TMP/where.txt"; then ok
else bad "where does not see the probe's shared memory: $(cat "$TMP/where.txt")"; fi
# The guest's THP is "always": np-probe's 16 MiB are mostly huge pages.
if grep -q '^(of the anonymous memory, 1[0-9]\.[0-9]* MiB is in transparent huge pages)$' "$TMP/where.txt"; then ok
else bad "where does not see the THP: $(cat "$TMP/where.txt")"; fi
if grep -q '8.00 MiB on node 0: file /mnt/data (policy bind:1)' "$TMP/where.txt" &&
   grep -q 'file pages already in the page cache before this process mapped them' "$TMP/where.txt"; then ok
else bad "where does not explain the node-0 file pages: $(cat "$TMP/where.txt")"; fi
anon1=$(section json | tr -d ' \n' | sed 's/.*"kind":"anon","nodes":\[\([^]]*\)\].*/\1/' |
	sed 's/.*{"node":1,"bytes":\([0-9]*\)}.*/\1/')
if [ "${anon1:-0}" -ge $((16 << 20)) ] 2>/dev/null; then ok
else bad "where --json: anon on node 1 is '$anon1', want >= 16 MiB"; fi

# run --report: the same picture while the command runs, and each node's
# change split into the kernel's counters.
section report >"$TMP/report.txt"
if grep -q '^exit=0$' "$TMP/report.txt" &&
   grep -q 'MiB on node 0: file /mnt/data (policy bind:1)' "$TMP/report.txt" &&
   awk '$1 == "AnonPages" && $3 + 0 >= 15 { found = 1 } END { exit !found }' "$TMP/report.txt" &&
   grep -q '^  other ' "$TMP/report.txt"; then ok
else bad "run --report: $(cat "$TMP/report.txt")"; fi

# A full node: preferred falls back to the other node as numactl's does;
# bound, the kernel's OOM killer ends the program, and --report says why.
run_np lab --preset 2s --add "$PROBE" --add "$SRC/tests/lab/guest-full.sh" -- guest-full.sh
pages() { # pages() KEY NODE: pages on NODE in the KEY= line
	sed -n "s/^$1=.*node$2=\([0-9]*\).*/\1/p" "$TMP/out"
}
if grep -q '^reserved=200$' "$TMP/out" &&
   [ "$(pages pref-numactl 0)" -gt 30000 ] && [ "$(pages pref-numaplace 0)" -gt 30000 ] &&
   [ "$(pages pref-numactl 1)" -gt 1000 ] && [ "$(pages pref-numaplace 1)" -gt 1000 ]; then ok
else bad "preferred to a full node does not fall back like numactl: $(grep pref "$TMP/out")"; fi
if grep -q '^bind-numactl-exit=137$' "$TMP/out" && grep -q '^bind-numaplace-exit=137$' "$TMP/out" &&
   grep -q "np-probe was killed by SIGKILL while bound to node 1: most likely the kernel's OOM killer" "$TMP/out"; then ok
else bad "bound to a full node: $(cat "$TMP/out")"; fi

# Exit status, as a shell gives it; stdin is the command's; a marker the
# command prints itself does not count (the guest's carries a nonce).
# (A pipeline runs run_np in a subshell: its RC comes back in a file.)
echo hi | { run_np lab -- sh -c 'cat; echo out; echo "NP-LAB-EXIT 0" >/dev/console; echo err >&2; exit 7'
	echo "$RC" >"$TMP/rc"; }
RC=$(cat "$TMP/rc")
if [ "$RC" = 7 ] && [ "$(cat "$TMP/out")" = "hi
out" ] && [ "$(cat "$TMP/err")" = err ]; then ok
else bad "exit 7 with stdin: got $RC, out '$(cat "$TMP/out")', err '$(cat "$TMP/err")'"; fi
# The guest command's output lost on a full disk is no success (main's one
# output check covers the lab's passing on of it too).
if [ -w /dev/full ]; then
	RC=0
	"$NP" lab -- echo hello >/dev/full 2>"$TMP/err" </dev/null || RC=$?
	if [ "$RC" = 1 ] && [ "$(cat "$TMP/err")" = "numaplace: write to standard output: No space left on device" ]; then ok
	else bad "lab -- echo hello >/dev/full: exit $RC, stderr '$(cat "$TMP/err")'"; fi
fi
# --shell reading a pipe (its input used to reach the console before the
# shell read it, and a closed stdin left it waiting): every line is run,
# and it ends at the input's end (not at the timeout).
i=1
while [ $i -le 300 ]; do echo "echo line$i"; i=$((i + 1)); done >"$TMP/script"
cat "$TMP/script" | { run_np lab --timeout 100 --shell; echo "$RC" >"$TMP/rc"; }
RC=$(cat "$TMP/rc")
if [ "$RC" = 0 ] && [ "$(wc -l <"$TMP/out")" = 300 ] && [ "$(tail -1 "$TMP/out")" = line300 ]; then ok
else bad "--shell <script: got $RC, $(wc -l <"$TMP/out") lines: $(tail -3 "$TMP/out") $(cat "$TMP/err")"; fi
run_np lab -- no-such-command --flag
if [ "$RC" = 127 ] && grep -q 'not found' "$TMP/err"; then ok
else bad "missing command: got $RC, err '$(cat "$TMP/err")'"; fi

# A guest that does not answer, and one that panics: exit 124, one line;
# with -v the console's last lines.  The panicking command first forges
# the old exit marker on the console: it must not count.
run_np lab -v --timeout 3 -- sleep 600
if [ "$RC" = 124 ] && grep -q '^numaplace: lab: no answer from the guest within 3 s$' "$TMP/err" &&
   grep -q '^--- last console lines:' "$TMP/err"; then ok
else bad "timeout: got $RC: $(cat "$TMP/err")"; fi
expect_error 124 "^numaplace: lab: the guest stopped without an exit status" \
	lab -- sh -c 'echo "NP-LAB-EXIT 0" >/dev/console; echo c >/proc/sysrq-trigger'

# QEMU killed by a signal: said as such, exit 1 (not 124, "timeout").
mkdir -p "$TMP/bin"
printf '#!/bin/sh\nkill -KILL $$\n' >"$TMP/bin/qemu-system-x86_64"
chmod +x "$TMP/bin/qemu-system-x86_64"
PATH=$TMP/bin:$PATH expect_error 1 "^numaplace: lab: qemu was killed by SIGKILL$" lab -- true

# Files of any size are streamed into the image: the 63 MiB ELF vmlinux
# the cache holds by now, and a 200 MB file (sparse: cheap to make).
# A cache of its own, removed with $TMP.
K=$(ls "$NUMAPLACE_CACHE_DIR"/vmlinux-* 2>/dev/null | head -1)
truncate -s 200M "$TMP/big.bin"
if [ -n "$K" ]; then
	NUMAPLACE_CACHE_DIR=$TMP/big-cache run_np lab --nodes 2:768M,2:256M --kernel "$K" \
		--add "$TMP/big.bin" -- stat -c %s /opt/numaplace/bin/big.bin
	if [ "$RC" = 0 ] && [ "$(cat "$TMP/out")" = 209715200 ] && [ "$(stat -c %s "$K")" -gt $((60 << 20)) ]; then ok
	else bad "a 63 MiB kernel and a 200 MB --add: got $RC: $(cat "$TMP/out" "$TMP/err")"; fi
else
	bad "no vmlinux in the cache after the boots above"
fi

# The cache: an entry another user owns is refused (they could change
# what root boots).  No guest starts.
if [ "$(id -u)" = 0 ] && [ -n "$K" ]; then
	mkdir -m 700 "$TMP/their-cache"
	cp "$K" "$TMP/their-cache/"
	chown 65534 "$TMP/their-cache/${K##*/}"
	NUMAPLACE_CACHE_DIR=$TMP/their-cache expect_error 1 \
		"^numaplace: $TMP/their-cache/${K##*/}: owned by uid 65534, not by this user" lab -- true
	rm -rf "$TMP/their-cache"
fi

# Bad input: exit 2, one line naming the bad token, no guest started.
expect_error 2 "^numaplace: --nodes: bad node '2x512M': expected CPUS:MEM like 2:512M$" lab --nodes 2x512M -- true
expect_error 2 "^numaplace: --distances: row 1 has 1 entry, want 2$" lab --preset 2s --distances '10,21;21' -- true
expect_error 2 "^numaplace: --distances: node 0 to 1 is 5, must be above 10$" lab --preset 2s --distances '10,5;21,10' -- true
expect_error 2 "^numaplace: --preset: unknown preset 'nope'" lab --preset nope -- true
expect_error 2 "^numaplace: lab: give a command after '--', or --shell$" lab --preset 2s
expect_error 2 "^numaplace: --nodes: node 0 needs at least 128M" lab --nodes 1:64M,1:256M -- true
# A --kernel that does not exist is the caller's input (exit 2, as for
# topo --topology FILE); a missing package is the machine's (exit 1, below).
expect_error 2 "^numaplace: /nonexistent/vmlinuz: No such file or directory$" lab --kernel /nonexistent/vmlinuz -- true
# A kernel the user may not read (Ubuntu installs them 0600): one line that
# says so and what to do.  Needs root to make such a user.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	K=$(mktemp -d /tmp/np-lab-kernel.XXXXXX)
	chmod 755 "$K"
	head -c 4096 /dev/zero >"$K/vmlinuz"
	chmod 600 "$K/vmlinuz"
	mkdir -m 777 "$K/cache"
	RC=0
	NUMAPLACE_CACHE_DIR=$K/cache setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$NP" lab --kernel "$K/vmlinuz" -- true >"$TMP/out" 2>"$TMP/err" || RC=$?
	if [ "$RC" = 1 ] && grep -q "^numaplace: $K/vmlinuz: not readable by this user.*--kernel FILE" "$TMP/err"; then ok
	else bad "unreadable kernel: got $RC: $(cat "$TMP/err")"; fi
	rm -rf "$K"
fi
RC=0
env PATH=/nonexistent "$NP" lab -- true >"$TMP/out" 2>"$TMP/err" || RC=$?
if [ "$RC" = 1 ] && grep -q 'qemu-system-x86_64 not found: install package qemu-system-x86' "$TMP/err"; then ok
else bad "no qemu: got $RC: $(cat "$TMP/err")"; fi

# Killed with SIGKILL: its QEMU must go too, and no files may stay behind.
children_of() {
	for s in /proc/[0-9]*/stat; do
		{ read -r p _ _ pp _ <"$s"; } 2>/dev/null || continue
		[ "$pp" = "$1" ] && echo "$p"
	done
}
# (np-cli.* are other test scripts' own directories, made concurrently.)
ls -a /tmp | grep -i 'np' | grep -v '^np-cli\.' >"$TMP/tmp-before"
"$NP" lab -- sleep 600 >/dev/null 2>&1 &
lab=$!
q=""
for i in $(seq 100); do
	q=$(children_of $lab | head -1)
	[ -n "$q" ] && grep -q qemu "/proc/$q/cmdline" 2>/dev/null && break
	sleep 0.1
done
kill -9 $lab
wait $lab 2>/dev/null
gone=no
for i in $(seq 50); do
	if [ -z "$q" ] || ! kill -0 "$q" 2>/dev/null; then gone=yes; break; fi
	sleep 0.1
done
if [ -n "$q" ] && [ $gone = yes ]; then ok
else bad "killed numaplace lab left QEMU (pid '$q') running"; [ -n "$q" ] && kill -9 "$q"; fi
ls -a /tmp | grep -i 'np' | grep -v '^np-cli\.' >"$TMP/tmp-after"
if cmp -s "$TMP/tmp-before" "$TMP/tmp-after"; then ok
else bad "killed numaplace lab left files in /tmp: $(diff "$TMP/tmp-before" "$TMP/tmp-after" | grep '^>')"; fi

summary
