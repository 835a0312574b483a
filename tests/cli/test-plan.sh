#!/bin/sh
# numaplace plan: the plan of seed 004's input on dumps (never the live
# machine), every emitter and --out, and every kind of bad input: one
# line, exit 2, nothing on stdout, no file left in --out.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1
X4=$DUMPS/xeon-4n-seed001
SMT=$DUMPS/server-2s-smt

printf '2 1024\n4 2048\n' >input1.txt
cat >vms.json <<'J'
[{"name":"web","vcpus":4,"memory_mib":4096},
 {"name":"db","vcpus":8,"memory_mib":8192,"dedicated_cpus":true,"max_nodes":1},
 {"name":"big","vcpus":24,"memory_mib":100000}]
J

# seed 004's lines, JSON out: version, both VMs on one node each
run_np plan --sysroot "$X4" input1.txt
if [ "$RC" = 0 ] && [ ! -s err ] &&
   python3 -c '
import json, sys
p = json.load(open("out"))
assert p["version"] == 1 and p["strategy"] == "best-fit", p
assert p["placed"] == 2 and p["refused"] == 0
v = {x["name"]: x for x in p["vms"]}
assert v["vm1"]["nodes"] == [2] and v["vm1"]["memory_per_node_mib"] == {"2": 1024}
assert v["vm2"]["vcpus"] == 4 and len(v["vm2"]["vcpu_pins"]) == 4
assert len(p["host_left"]) == 4 and len(p["largest_fit"]) == 4
assert p["host_left"][2]["free_mib"] == 62570 - 3072
'; then ok; else bad "plan input1.txt: exit $RC $(cat err)"; fi

# a VM larger than a node: two guest cells, distances mirror the host's
run_np plan --sysroot "$X4" vms.json
if [ "$RC" = 0 ] && python3 -c '
import json
p = json.load(open("out"))
v = {x["name"]: x for x in p["vms"]}
b = v["big"]
assert b["placed"] and len(b["nodes"]) == 2, b
assert b["guest_distances"] == [[10, 21], [21, 10]]
assert sum(c["memory_mib"] for c in b["guest_cells"]) == 100000
assert [c["host_nodes"] for c in b["guest_cells"]] == [[n] for n in b["nodes"]]
d = v["db"]
cpus = [pin[1] for pin in d["vcpu_pins"]]
assert len(set(cpus)) == 8 and all(isinstance(c, int) for c in cpus)
'; then ok; else bad "plan vms.json: $(cat err)"; fi

# SMT siblings from an hwloc XML topology (as from the dump's sysfs):
# dedicated vCPUs take a whole core (0 and its sibling 32) first
printf '[{"name":"a","vcpus":3,"memory_mib":1000,"dedicated_cpus":true,"max_nodes":1}]' >smt.json
for src in "--topology $SMT/hwloc.xml" "--sysroot $SMT"; do
	# shellcheck disable=SC2086
	run_np plan $src smt.json
	if [ "$RC" = 0 ] && python3 -c '
import json
p = json.load(open("out"))
assert [x[1] for x in p["vms"][0]["vcpu_pins"]] == [0, 32, 1], p["vms"][0]["vcpu_pins"]
'; then ok; else bad "plan $src: SMT pins $(cat err)"; fi
done

# table and --explain
run_np plan --sysroot "$X4" -e table --explain vms.json
if [ "$RC" = 0 ] && grep -q "^strategy best-fit: 3 of 3 VMs placed" out &&
   grep -q "^big: 24 vCPUs" out && grep -q "chosen: nodes" out; then ok
else bad "plan --emit table --explain: $(cat out err)"; fi

# every strategy runs on the same input
for s in best-fit spread pack random interleave round-robin; do
	run_np plan --sysroot "$X4" --strategy "$s" --seed 3 input1.txt
	if [ "$RC" = 0 ] && grep -q "\"strategy\": \"$s\"" out; then ok
	else bad "plan --strategy $s: exit $RC $(cat err)"; fi
done

# --out: one file per VM, each a plan JSON of its own, usable as --existing
mkdir outdir
run_np plan --sysroot "$X4" --out outdir vms.json
if [ "$RC" = 0 ] && [ ! -s out ] && [ -f outdir/web.json ] &&
   [ -f outdir/db.json ] && [ -f outdir/big.json ] &&
   [ -z "$(find outdir -name '*.tmp-*')" ]; then ok
else bad "plan --out: exit $RC $(ls outdir) $(cat err)"; fi
run_np plan --sysroot "$X4" --existing outdir/big.json -e table input1.txt
if [ "$RC" = 0 ] && grep -q "2 of 2 VMs placed" out; then ok
else bad "plan --existing plan file: $(cat err)"; fi

# reserve: 61500 MiB on every node leaves at most 2027 MiB on a node, so
# vm2's 2 GiB spans two nodes; with 3000 more on node 3, vm2 is refused
run_np plan --sysroot "$X4" --reserve-mem 61500 --reserve-cpus 0-9 input1.txt
if [ "$RC" = 0 ] && python3 -c '
import json
p = json.load(open("out"))
v = {x["name"]: x for x in p["vms"]}
assert p["placed"] == 2 and len(v["vm2"]["nodes"]) == 2, v["vm2"]
assert p["host_left"][0]["cpus"] == "40-49"
assert p["host_left"][3]["free_mib"] + v["vm2"]["memory_per_node_mib"].get("3", 0) + v["vm1"]["memory_per_node_mib"].get("3", 0) == 63527 - 61500
'; then ok; else bad "plan --reserve-mem: $(cat out err)"; fi
run_np plan --sysroot "$X4" --reserve-mem 0:61500,1:61500,2:61500,3:64000 --strategy round-robin input1.txt
if [ "$RC" = 0 ] && grep -q '"reason": "needs 2 GiB and 4 vCPUs on node 1 (its turn); it has 1.3 GiB free and 20 vCPUs of room"' out; then ok
else bad "plan --reserve-mem per node: $(cat out err)"; fi

# ---- bad input: one line, exit 2, no file in --out ---------------------
mkdir empty
printf '[{"name":"a","vcpus":2,' >broken.json
printf '[{"name":"a","vcpus":0,"memory_mib":512}]' >zero.json
printf '[{"name":"a","vcpus":2,"memory_mib":1024,"hugepages":"1G"}]' >huge.json
printf 'hello\n' >other.txt
printf '2 0\n' >zero-mem.txt
expect_error 2 "^numaplace: plan: broken.json: invalid JSON" \
	plan --sysroot "$X4" --out empty broken.json
expect_error 2 "^numaplace: plan: zero.json: \[0\] \(a\): vcpus: 0: a VM needs at least 1 vCPU$" \
	plan --sysroot "$X4" --out empty zero.json
expect_error 2 "^numaplace: plan: huge.json: \[0\]: hugepages: the host has no 1 GiB hugepages$" \
	plan --sysroot "$DUMPS/laptop-1n" --out empty huge.json
expect_error 2 "^numaplace: plan: --reserve-mem: node 7 does not exist$" \
	plan --sysroot "$X4" --reserve-mem 0:100,7:100 --out empty input1.txt
expect_error 2 "^numaplace: plan: --reserve-cpus: .*999" \
	plan --sysroot "$X4" --reserve-cpus 999 --out empty input1.txt
expect_error 2 "^numaplace: plan: --strategy: 'first-fit' is not one of best-fit, spread, pack, random, interleave, round-robin$" \
	plan --sysroot "$X4" --strategy first-fit --out empty input1.txt
expect_error 2 "^numaplace: plan: other.txt: not a VM list" \
	plan --sysroot "$X4" --out empty other.txt
expect_error 2 "^numaplace: plan: zero-mem.txt:1: MEM_MIB 0" \
	plan --sysroot "$X4" --out empty zero-mem.txt
expect_error 2 "^numaplace: plan: missing.json: " \
	plan --sysroot "$X4" --out empty missing.json
expect_error 2 "^numaplace: plan: --keep-free: '4' is not VCPUS:MIB" \
	plan --sysroot "$X4" --keep-free 4 input1.txt
expect_error 2 "^numaplace: plan: --emit: 'yaml' is not one of" \
	plan --sysroot "$X4" --emit yaml input1.txt
expect_error 2 "^numaplace: plan: --out: --emit table has no file per VM$" \
	plan --sysroot "$X4" --emit table --out empty input1.txt
expect_error 2 "^numaplace: plan: needs at least one VM file" \
	plan --sysroot "$X4"
printf '{"version":1,"vms":[{"name":"x","placed":true,"memory_per_node_mib":{"9":5}}]}' >old.json
expect_error 2 "^numaplace: plan: old.json: vms\[0\] \(x\): memory_per_node_mib: node '9' does not exist on this host$" \
	plan --sysroot "$X4" --existing old.json --out empty input1.txt
# a running VM larger than the host: an error, not left out in silence
printf '8 99999999\n' >huge-running.txt
expect_error 2 "^numaplace: plan: huge-running.txt: \[0\]: existing VM 'vm1' does not fit this host: needs " \
	plan --sysroot "$X4" --existing huge-running.txt --out empty input1.txt
expect_error 2 "^numaplace: plan: --out: " \
	plan --sysroot "$X4" --out no/such/dir input1.txt
if [ -z "$(ls -A empty)" ]; then ok; else bad "files left in --out: $(ls -A empty)"; fi

run_np --help
if grep -q "^   plan " out; then ok; else bad "plan missing from numaplace --help"; fi
summary
