#!/bin/sh
# numaplace plan's speed (issue 14): best-fit on synthetic hosts, 100 to
# 10,000 VMs on 64 nodes / 1,024 CPUs and 10,000 VMs on 4 to 256 nodes;
# median of RUNS calls each (bench/plan-scale.c).
set -eu
NP=${1:-build/tools/numaplace/numaplace}
RUNS=${RUNS:-5}
"$(dirname "$NP")/../../bench/plan-scale" "$RUNS"
