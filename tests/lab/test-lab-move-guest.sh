#!/bin/sh
# Runs inside a 4-node lab guest (tests/lab/test-lab-move.sh): the page
# mover on a real process, each case a section of the output.
#   hot:     64 MiB on node 0 with a hot 4 MiB, moved to node 2 at 32 MiB/s
#   kill:    the same without a hot part, killed 500 ms into a 16 MiB/s move
#   thp:     64 MiB in transparent huge pages moved to node 2, no rate
#   membind: what numactl --membind does to a process's Mems_allowed_list
#   cpuset:  a target in a cgroup v2 cpuset of nodes 0-1, moved to node 2
T=$(command -v np-move-target)
echo "--- hot"
np-move-driver "$T" hot 32
echo "--- kill"
np-move-driver "$T" kill 16
echo "--- thp"
np-move-driver "$T" thp
echo "--- membind"
numactl --membind=0 sh -c 'grep "^Mems_allowed_list:" /proc/self/status'
echo "--- cpuset"
CG=/sys/fs/cgroup
grep -q "^[^ ]* $CG cgroup2 " /proc/mounts || mount -t cgroup2 none "$CG"
if echo +cpuset >"$CG"/cgroup.subtree_control && mkdir -p "$CG"/np-move &&
	echo 0-1 >"$CG"/np-move/cpuset.mems; then
	echo "cpuset.mems: $(cat "$CG"/np-move/cpuset.mems.effective)"
	np-move-driver "$T" cpuset "$CG"/np-move
else
	echo "no cgroup v2 cpuset in this guest"
fi
echo "--- end"
