#!/bin/sh
# Runs inside a lab guest for test-lab-bench-mem.sh: bench mem with sizes
# small enough for TCG, as JSON and as text, one refusal, and what the
# guest's kernel says of the state bench mem reports.
ARGS="--size 16M --ntimes 2 --latency --loads 20000"
echo "--- json"
numaplace bench mem $ARGS --kernels triad,read --json 2>&1
rc=$?; echo "--- json-rc"; echo $rc
echo "--- text"
numaplace bench mem $ARGS --kernels copy 2>&1
rc=$?; echo "--- text-rc"; echo $rc
echo "--- cpuless"
numaplace bench mem $ARGS --cpu-nodes 2 2>&1
rc=$?; echo "--- cpuless-rc"; echo $rc
echo "--- state"
echo "thp=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled)"
echo "balancing=$(cat /proc/sys/kernel/numa_balancing)"
