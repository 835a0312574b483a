#!/bin/sh
# numactl itself as the peer: `numaplace topo` must print the bytes that
# the installed numactl -H prints, for this machine and for every dump
# (numactl reads a dump through a bind mount in a private mount namespace,
# see tests/oracle/numactl-h.sh; skipped where that is not permitted).
set -u
. "$(dirname "$0")/lib.sh"
ORACLE=$SRC/tests/oracle/numactl-h.sh

if ! command -v numactl >/dev/null 2>&1; then
	echo "numactl not installed: skipping"; exit 77
fi

# Live: free memory moves between the two runs, so retry a few times.
same=no
for try in 1 2 3 4 5; do
	numactl -H >"$TMP/want" 2>/dev/null
	"$NP" topo >"$TMP/got" 2>&1
	if cmp -s "$TMP/want" "$TMP/got"; then same=yes; break; fi
done
if [ $same = yes ]; then ok; else
	bad "live: numaplace topo differs from numactl -H"
	diff "$TMP/want" "$TMP/got" >&2
fi

if ! sh "$ORACLE" "$DUMPS/laptop-1n" >/dev/null 2>"$TMP/why"; then
	echo "dumps not compared: $(cat "$TMP/why")"
	summary
	exit $?
fi
for d in "$DUMPS"/*/; do
	[ -f "$d/topo.txt" ] || continue
	m=$(basename "$d")
	sh "$ORACLE" "$d" >"$TMP/want" 2>"$TMP/why" || { bad "$m: oracle: $(cat "$TMP/why")"; continue; }
	"$NP" topo --sysroot "$d" >"$TMP/got" 2>&1
	if cmp -s "$TMP/want" "$TMP/got"; then ok; else
		bad "$m: numaplace topo --sysroot differs from numactl -H on the same dump"
		diff "$TMP/want" "$TMP/got" >&2
	fi
done
summary
