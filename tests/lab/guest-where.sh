#!/bin/sh
# Runs inside a 2-node lab guest: the situation of ../shared/seeds/001.
# A file on a real (loop, ext4) disk is read into the page cache by a task
# bound to node 0; then a program bound to node 1 maps and reads it.
# Prints numaplace where (text and JSON) and numastat -p for the same
# process, then the same program under run --report.
lab-disk 64 || echo "no ext4 disk"
dd if=/dev/zero of=/mnt/data bs=1M count=8 2>/dev/null
sync
echo 3 >/proc/sys/vm/drop_caches
numaplace run -m 0 cat /mnt/data >/dev/null
numaplace run -m 1 np-probe hold 16 /mnt/data >/tmp/ready &
pid=$!
for i in $(seq 200); do
	grep -q ready /tmp/ready 2>/dev/null && break
	sleep 0.1
done
echo "--- where"
numaplace where -p $pid
echo "--- json"
numaplace where -p $pid --json
echo "--- numastat"
numastat -p $pid
kill $pid
echo "--- report"
numaplace run --report -m 1 np-probe hold 16 /mnt/data 1 2>&1
echo "exit=$?"
