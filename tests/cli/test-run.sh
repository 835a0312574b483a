#!/bin/sh
# numaplace run on this machine: options, errors, exit status, and the
# policies the host kernel has (weighted interleave is tested here for
# real: the lab's kernel predates it).  Placement across nodes is checked
# in lab guests (tests/lab).
set -u
. "$(dirname "$0")/lib.sh"

# policy_of OPTS...: the heap's policy word in numa_maps under `run OPTS`.
policy_of() {
	"$NP" run "$@" -- sh -c 'grep -m1 heap /proc/self/numa_maps || head -1 /proc/self/numa_maps' 2>&1 |
		awk '{ print $2 }'
}

[ "$(policy_of -m 0)" = "bind:0" ] && ok || bad "-m 0: $(policy_of -m 0)"
[ "$(policy_of --membind=all)" = "bind:0" ] && ok || bad "--membind=all"
[ "$(policy_of -p 0)" = "prefer:0" ] && ok || bad "-p 0: $(policy_of -p 0)"
[ "$(policy_of -i all)" = "interleave:0" ] && ok || bad "-i all: $(policy_of -i all)"
[ "$(policy_of -l)" = "local" ] && ok || bad "-l: $(policy_of -l)"
[ "$(policy_of --preferred-many 0)" = "prefer" ] || [ "$(policy_of --preferred-many 0)" = "prefer (many):0" ] && ok ||
	bad "--preferred-many 0: $(policy_of --preferred-many 0)"
[ "$(policy_of -m 0 --static)" = "bind=static:0" ] && ok || bad "--static: $(policy_of -m 0 --static)"
[ "$(policy_of -m +0)" = "bind:0" ] && ok || bad "-m +0"
[ "$(policy_of -b -m 0)" = "bind=balancing:0" ] && ok || bad "-b: $(policy_of -b -m 0)"
[ "$(policy_of --relative -m 0)" = "bind=relative:0" ] && ok || bad "--relative: $(policy_of --relative -m 0)"
[ "$(policy_of -a -m all)" = "bind:0" ] && ok || bad "-a: $(policy_of -a -m all)"

# Weighted interleave, where this kernel has it.
if [ -d /sys/kernel/mm/mempolicy/weighted_interleave ]; then
	[ "$(policy_of -w 0)" = "weighted" ] || [ "$(policy_of -w 0)" = "weighted interleave:0" ] && ok ||
		bad "-w 0: $(policy_of -w 0)"
fi

# CPU binding: the task's affinity is the node's CPUs / the CPUs given.
cpus=$("$NP" run -C 0 -- sh -c 'grep Cpus_allowed_list /proc/self/status' | awk '{ print $2 }')
[ "$cpus" = 0 ] && ok || bad "-C 0: Cpus_allowed_list $cpus"
want=$(sed 's/,/ /g' /sys/devices/system/node/node0/cpulist)
cpus=$("$NP" run -N 0 -- sh -c 'grep Cpus_allowed_list /proc/self/status' | awk '{ print $2 }')
[ "$cpus" = "$(cat /sys/devices/system/node/node0/cpulist)" ] && ok || bad "-N 0: $cpus, want $want"

# Exit status passes through; a missing command is 127.
run_np run -m 0 -- sh -c 'exit 9'
[ "$RC" = 9 ] && ok || bad "exit 9: got $RC"
expect_error 127 "^numaplace: run: no-such-command: No such file or directory$" run -m 0 no-such-command

# Bad input: one line, non-zero, nothing run.
expect_error 2 "^numaplace: run: --membind: node 7 does not exist$" run -m 7 true
expect_error 2 "^numaplace: run: --membind: empty node string$" run -m '' true
expect_error 2 "^numaplace: run: --interleave: node string '0,,1': expected a number at ',1'$" run -i 0,,1 true
expect_error 2 "^numaplace: run: --physcpubind: CPU 4096 does not exist$" run -C 4096 true
expect_error 2 "^numaplace: run: --membind and --interleave exclude each other$" run -m 0 -i 0 true
expect_error 2 "^numaplace: run: no command given$" run -m 0
expect_error 2 "^numaplace: run: unknown option '--frob'$" run --frob true
expect_error 2 "^numaplace: run: option '--membind' needs an argument$" run --membind
expect_error 2 "^numaplace: run: --weights: expected NODE:WEIGHT at 'x'$" run -w 0 --weights x true

summary
