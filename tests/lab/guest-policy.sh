#!/bin/sh
# Runs inside a lab guest (put there with --add, with np-probe).  For each
# case, the same options go to numactl and to numaplace run, each
# launching np-probe, which reports where its pages landed.  Prints
# "CASE <name>|<numactl's distribution>|<numaplace's>" for the host.
# usage: guest-policy.sh MIB CASE... where CASE is name=options.
mib=$1
shift
for c in "$@"; do
	name=${c%%=*}
	opts=${c#*=}
	# shellcheck disable=SC2086
	a=$(numactl $opts np-probe "$mib" 2>&1)
	# shellcheck disable=SC2086
	b=$(numaplace run $opts np-probe "$mib" 2>&1)
	echo "CASE $name|$a|$b"
done
