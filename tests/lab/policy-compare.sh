#!/bin/sh
# policy-compare.sh FILE: checks the CASE lines guest-policy.sh printed.
# Bind, preferred and local placement must equal numactl's page for page;
# interleave may differ by one 2 MiB huge page (512 pages) per node, since
# with THP interleave alternates whole huge pages.  Prints one line per
# case and exits non-zero if any differs.
status=0
while IFS='|' read -r name a b; do
	name=${name#CASE }
	tol=0
	case $name in interleave*) tol=512 ;; esac
	verdict=$(awk -v a="$a" -v b="$b" -v tol=$tol 'BEGIN {
		na = split(a, x, " "); nb = split(b, y, " ")
		for (i = 1; i <= na; i++) { split(x[i], kv, "="); A[kv[1]] = kv[2] + 0; K[kv[1]] = 1 }
		for (i = 1; i <= nb; i++) { split(y[i], kv, "="); B[kv[1]] = kv[2] + 0; K[kv[1]] = 1 }
		if (a !~ /^node[0-9]+=/ || b !~ /^node[0-9]+=/) { print "bad"; exit }
		for (k in K) { d = A[k] - B[k]; if (d < 0) d = -d; if (d > tol) { print "differ"; exit } }
		print "same" }')
	echo "$name: $verdict (numactl: $a; numaplace: $b)"
	[ "$verdict" = same ] || status=1
done <"$1"
exit $status
