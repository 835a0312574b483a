#!/bin/sh
# numaplace plan's best-fit beside Nova's NUMA fit and numad's choice
# (issue 14): the same seeded workloads on 4- to 32-node synthetic hosts,
# VMs placed, remote memory and time, median of RUNS (bench/plan-compare.c,
# the peers in bench/plan-peers.c).  BUDGET cuts Nova's permutation walk
# per decision (the count it reports stays exact).
set -eu
NP=${1:-build/tools/numaplace/numaplace}
RUNS=${RUNS:-5}
BUDGET=${BUDGET:-1000000}
"$(dirname "$NP")/../../bench/plan-compare" "$RUNS" "$BUDGET"
# CPython's pace in the same loop, to read the permutation counts as time
if command -v python3 >/dev/null 2>&1; then
	python3 "$(dirname "$0")/plan-nova-loop.py"
fi
