#!/bin/sh
# The main job, for now: the topology of this machine and of a bundled dump.
set -eu
NP=${1:-build/tools/numaplace/numaplace}
DUMP=tests/dumps/xeon-4n-seed001

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step numaplace topo
"$NP" topo
step numaplace topo --sysroot $DUMP
"$NP" topo --sysroot $DUMP
step numaplace topo --sysroot $DUMP -v
"$NP" topo --sysroot $DUMP -v
step numaplace topo --sysroot $DUMP --json
"$NP" topo --sysroot $DUMP --json
