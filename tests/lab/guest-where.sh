#!/bin/sh
# Runs inside a 2-node lab guest: the situation of ../shared/seeds/001 --
# a file's pages land on node 0 first (written by a task bound there),
# then a program bound to node 1 maps and reads it.  Prints numaplace
# where (text and JSON) and numastat -p for the same process.
numaplace run -m 0 dd if=/dev/zero of=/tmp/data bs=1M count=8 2>/dev/null
numaplace run -m 1 np-probe hold 16 /tmp/data >/tmp/ready &
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
numaplace run --report -m 1 np-probe hold 16 /tmp/data 1 2>&1
echo "exit=$?"
