#!/usr/bin/env python3
"""numaplace bench mem in lab guests: a 2-node guest gives 2x2 matrices,
a guest with a CPU-less node has it as a column only (and refuses it as a
CPU node), every figure is there and the report says it is emulated and
reads the guest kernel's NUMA balancing and THP mode.  Prints "N passed,
N failed"."""
import json
import os
import subprocess
import sys

NP = os.environ["NP"]
SRC = os.environ["NP_SRCDIR"]
os.environ.setdefault("NUMAPLACE_CACHE_DIR",
                      os.environ.get("NP_LAB_CACHE", "/tmp/np-lab-cache"))
GUEST = os.path.join(SRC, "tests", "lab", "guest-bench-mem.sh")
PASS = FAIL = 0


def ok(cond, what):
    global PASS, FAIL
    if cond:
        PASS += 1
    else:
        FAIL += 1
        print("FAIL: " + what, file=sys.stderr)
    return cond


def sections(text):
    out, name = {}, None
    for line in text.splitlines():
        if line.startswith("--- "):
            name = line[4:]
            out[name] = []
        elif name:
            out[name].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def boot(preset):
    p = subprocess.run([NP, "lab", "--preset", preset, "--add", GUEST, "--",
                        "guest-bench-mem.sh"], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=300)
    if not ok(p.returncode == 0, "lab --preset %s exited %d: %s" %
              (preset, p.returncode, p.stderr[-500:])):
        return None
    return sections(p.stdout)


def check(preset, cpu_nodes, mem_nodes):
    s = boot(preset)
    if s is None:
        return
    state = dict(l.split("=", 1) for l in s["state"].splitlines())
    if not ok(s.get("json-rc") == "0", "%s: json run: %s" %
              (preset, s.get("json"))):
        return
    j = json.loads(s["json"])
    pairs = [(c, m) for c in cpu_nodes for m in mem_nodes]
    ok([(b["cpu_node"], b["mem_node"]) for b in j["bandwidth"]] == pairs,
       "%s: bandwidth pairs %s" % (preset, j["bandwidth"]))
    ok([(l["cpu_node"], l["mem_node"]) for l in j["latency"]] == pairs,
       "%s: latency pairs" % preset)
    ok(all(b["triad_mbps"] > 0 and b["read_mbps"] > 0 and
           b["copy_mbps"] is None and len(b["repetitions_mbps"]["triad"]) == 2
           and b["threads"] == 2 for b in j["bandwidth"]),
       "%s: bandwidth figures %s" % (preset, j["bandwidth"]))
    ok(all(l["ns"] > 0 and len(l["repetitions_ns"]) == 5
           for l in j["latency"]), "%s: latency figures" % preset)
    ok(j["emulated"] == "TCG does not model remote latency" and
       j["host"]["lab_guest"] is True, "%s: not said emulated: %s" %
       (preset, j["emulated"]))
    ok(j["host"]["thp"] == state["thp"] and
       j["host"]["numa_balancing"] == int(state["balancing"]),
       "%s: state %s, guest says %s" % (preset, j["host"], state))
    text = s["text"]
    head = "Numa node" + "".join("\t%6d" % m for m in mem_nodes)
    rows = [l for l in text.splitlines() if l[:8].strip().isdigit()]
    ok(s["text-rc"] == "0" and head in text and
       "emulated: TCG does not model remote latency" in text and
       [int(l.split("\t")[0]) for l in rows] == cpu_nodes * 3,
       "%s: text matrices: %s" % (preset, text[:1500]))
    if 2 not in cpu_nodes and 2 in mem_nodes:
        ok(s["cpuless-rc"] == "2" and s["cpuless"].startswith(
            "numaplace: bench mem: CPU node 2 has no CPUs (memory only: a "
            "column, not a row)") and len(s["cpuless"].splitlines()) == 1,
           "cxl: --cpu-nodes 2: %s (rc %s)" % (s["cpuless"],
                                               s["cpuless-rc"]))


check("2s", [0, 1], [0, 1])
check("cxl", [0, 1], [0, 1, 2])
print("%d passed, %d failed" % (PASS, FAIL))
sys.exit(1 if FAIL else 0)
