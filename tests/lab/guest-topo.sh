#!/bin/sh
# Runs inside a lab guest (put there with --add).  numaplace topo must print
# exactly what numactl -H prints; both read MemFree, which moves a little
# while programs start, so a few tries are allowed.  Then the text and the
# JSON for the host to compare with the spec and with the dump.
for try in 1 2 3 4 5; do
	numactl -H >/tmp/want 2>&1
	numaplace topo >/tmp/got 2>&1
	cmp -s /tmp/want /tmp/got && break
done
if cmp -s /tmp/want /tmp/got; then
	echo "topo-vs-numactl: same"
else
	echo "topo-vs-numactl: differ"
	diff /tmp/want /tmp/got
fi
echo "--- text"
cat /tmp/got
echo "--- json"
numaplace topo --json
