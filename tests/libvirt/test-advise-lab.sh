#!/bin/sh
# numaplace's advice against Debian's real numad, both run in lab guests
# whose nodes break numad's assumption that every node is like node 0:
# nodes of unequal size, and a memory-only (CXL-like) node.  For each
# request "numad -w VCPUS:MIB" the guest prints numad's answer, the answer
# of numaplace's numad entry point and of `numaplace plan --advise`; the
# two numaplace answers must agree, and must be the expected node sets
# (the fewest CPU nodes that hold the VM; 4:1000 is more than the CPU
# nodes' memory, not more than the guest's).  numad's answers are shown
# beside them, and where its rule is plain arithmetic they are checked too.
set -u
. "$(dirname "$0")/../cli/lib.sh"
exec </dev/null
NUMAD=${NP_NUMAD:?}
[ -x /usr/bin/numad ] || { echo "SKIP: /usr/bin/numad is missing (package numad)"; exit 77; }
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: qemu-system-x86_64 is missing"; exit 77; }
# the guest's PATH takes one file per name: numaplace's numad goes by
# another one there
cp "$NUMAD" "$TMP/numaplace-numad"

# compare SPEC "REQUEST WANT_NUMAPLACE WANT_NUMAD"...: one guest, every
# request; WANT_NUMAD "-" when numad's answer is only shown.
compare() {
	spec=$1
	shift
	reqs=
	for c in "$@"; do reqs="$reqs ${c%% *}"; done
	RC=0
	"$NP" lab --nodes "$spec" --add /usr/bin/numad --add "$TMP/numaplace-numad" -- \
		sh -c 'numactl -H | grep -E "^node [0-9]+ (size|free)"
		for r in '"$reqs"'; do
			a=$(numad -w $r 2>/dev/null) || a="exit $?"
			b=$(numaplace-numad -w $r 2>&1) || b="refused: ${b#numad: }"
			c=$(numaplace plan --advise $r 2>&1) || c="refused: ${c#numaplace: plan: --advise $r: }"
			echo "answer $r|$a|$b|$c"
		done' >"$TMP/out" 2>"$TMP/err" || RC=$?
	if [ "$RC" != 0 ]; then
		bad "lab --nodes $spec: exit $RC: $(tail -3 "$TMP/err")"
		return
	fi
	echo "guest --nodes $spec:"
	grep '^node' "$TMP/out" | sed 's/^/    /'
	printf '    %-9s %-9s %s\n' "-w" "numad" "numaplace"
	for c in "$@"; do
		set -- $c
		line=$(grep "^answer $1|" "$TMP/out")
		IFS='|' read -r _ numad ours plan <<-L
		$line
		L
		printf '    %-9s %-9s %s\n' "$1" "$numad" "$ours"
		if [ "$ours" = "$plan" ]; then ok; else
			bad "$spec $1: numad entry point '$ours', plan --advise '$plan'"; fi
		case $2 in
		refused) case $ours in refused:*) ok ;; *) bad "$spec $1: numaplace '$ours', want a refusal" ;; esac ;;
		*) # "0/1": either (the tighter fit of two near-equal nodes)
			hit=
			for w in $(echo "$2" | tr / ' '); do [ "$ours" = "$w" ] && hit=1; done
			if [ -n "$hit" ]; then ok; else bad "$spec $1: numaplace '$ours', want $2"; fi ;;
		esac
		if [ "$3" != - ]; then
			if [ "$numad" = "$3" ]; then ok; else bad "$spec $1: numad '$numad', expected $3"; fi
		fi
	done
}

# Node 0 small (256 MiB), node 1 large (1 GiB).  numad divides the
# request by node 0's size: 600 MiB "needs" 3 nodes, so it spans both;
# node 1 alone holds it.
compare 2:256M,2:1G "1:200 1 -" "1:600 1 0-1" "2:700 1 0-1" "4:900 0-1 -"
# Two 512 MiB CPU nodes and a 1 GiB memory-only node 2.  numad counts node
# 2 like any other and puts VMs' memory there (its CPUs: none); numaplace
# leaves it out unless told (--allow-memory-only-nodes) and says when the
# CPU nodes cannot hold a VM.
# numad's pair for 2:700 changes from run to run (it weighs idle CPU
# time, and node 2's counts); 4:1000 needs 3 nodes by its arithmetic.
compare 2:512M,2:512M,0:1G "1:300 0/1 -" "2:700 0-1 -" "4:1000 refused 0-2"
summary
