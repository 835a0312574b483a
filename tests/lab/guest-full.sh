#!/bin/sh
# Runs inside a 2-node lab guest: node 1 made nearly full (its memory
# reserved as hugetlb pages, which no OOM kill can take back), then a
# program preferring node 1 (falls back to node 0) and one bound to it
# (the OOM killer ends it), under numactl and under numaplace run.
echo 200 >/sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages
echo "reserved=$(cat /sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages)"
echo "pref-numactl=$(numactl -p 1 np-probe 256)"
echo "pref-numaplace=$(numaplace run -p 1 np-probe 256)"
numactl -m 1 np-probe 256 >/dev/null 2>&1
echo "bind-numactl-exit=$?"
numaplace run --report -m 1 np-probe 256 >/dev/null 2>/tmp/report
echo "bind-numaplace-exit=$?"
echo "--- report"
cat /tmp/report
