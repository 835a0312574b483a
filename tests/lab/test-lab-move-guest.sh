#!/bin/sh
# Runs inside a 4-node lab guest (tests/lab/test-lab-move.sh): the page
# mover on a real process, each case a section of the output.
#   hot:     64 MiB on node 0 with a hot 4 MiB, moved to node 2 at 32 MiB/s
#   hot1:    the same by one thread (hot: the mover's default, two)
#   kill:    the same without a hot part, killed 500 ms into a 16 MiB/s move
#   thp:     64 MiB in transparent huge pages moved to node 2, no rate
#   hugetlb: 32 MiB of 2 MiB hugetlb pages moved from node 0 to node 2
#   membind: what numactl --membind does to a process's Mems_allowed_list
#   cpuset:  a target in a cgroup v2 cpuset of nodes 0-1, moved to node 2
T=$(command -v np-move-target)
# the hugetlb case's pools, 16 huge pages on nodes 0 and 2, taken first:
# after the other cases have used and freed node 0's memory, 2 MiB
# blocks may be too few there
H=hugepages/hugepages-2048kB
pools=
for n in 0 2; do
	echo 16 >/sys/devices/system/node/node$n/$H/nr_hugepages
	pools="$pools node$n $(cat /sys/devices/system/node/node$n/$H/nr_hugepages)"
done
echo "--- hot"
np-move-driver "$T" hot 32
echo "--- hot1"
np-move-driver "$T" hot 32 1
echo "--- kill"
np-move-driver "$T" kill 16
echo "--- thp"
np-move-driver "$T" thp
echo "--- hugetlb"
echo "pools: $pools"
np-move-driver "$T" hugetlb
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
