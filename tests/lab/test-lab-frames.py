#!/usr/bin/env python3
"""numaplace frames in lab guests: every frame handed out for node N is on
node N by move_pages (4 KiB and 2 MiB frames, THP and hugetlbfs), on 2, 4
and 3 nodes (one memory-only); a full preferred node falls back to the
nearest node and the counters say numa_miss / numa_foreign; interleave is
exact; a CPU on a node outside the pool allocates from the nearest pool
node and scores other_node.  Prints "N passed, N failed"."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

NP = os.environ["NP"]
os.environ.setdefault("NUMAPLACE_CACHE_DIR",
                      os.environ.get("NP_LAB_CACHE", "/tmp/np-lab-cache"))
PASS = FAIL = 0
HUGE = "/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/nr_hugepages"


def ok(cond, what):
    global PASS, FAIL
    if cond:
        PASS += 1
    else:
        FAIL += 1
        print("FAIL: " + what, file=sys.stderr)
    return cond


def guest(lab_args, cases, setup="", add=()):
    """Runs each case (name, shell command) in one guest; returns
    {name: (rc, stdout-of-case, stderr-of-case)}."""
    script = [setup]
    for name, cmd in cases:
        script.append('echo "--- %s"; %s 2>/tmp/err; rc=$?; '
                      'echo "--- %s-rc $rc"; cat /tmp/err' % (name, cmd, name))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "frames-cases.sh")
        with open(path, "w") as f:
            f.write("\n".join(script) + "\n")
        os.chmod(path, 0o755)
        adds = []
        for f in (path,) + tuple(add):
            adds += ["--add", f]
        p = subprocess.run([NP, "lab"] + lab_args + adds +
                           ["--", "frames-cases.sh"],
                           stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=300)
    if not ok(p.returncode == 0, "lab %s exited %d: %s" %
              (lab_args, p.returncode, p.stderr[-500:])):
        return {}
    out, res, name, buf = {}, {}, None, []
    for line in p.stdout.splitlines():
        if line.startswith("--- ") and line.split()[1].endswith("-rc"):
            rc_name, rc = line.split()[1][:-3], int(line.split()[2])
            res[rc_name] = [rc, "\n".join(buf), ""]
            name, buf = rc_name + "-err", []
        elif line.startswith("--- "):
            if name and name.endswith("-err"):
                res[name[:-4]][2] = "\n".join(buf)
            name, buf = line.split()[1], []
        else:
            buf.append(line)
    if name and name.endswith("-err"):
        res[name[:-4]][2] = "\n".join(buf)
    return res


def frames_json(res, name):
    if not ok(name in res, "case %s did not run" % name):
        return None
    rc, out, err = res[name]
    if not ok(rc == 0, "%s: exit %d: %s" % (name, rc, err)):
        return None
    try:
        return json.loads(out)
    except ValueError:
        ok(False, "%s: not JSON: %s" % (name, out[:200]))
        return None


def stats(j, node):
    for s in j["stats"]:
        if s["node"] == node:
            return s
    return {}


def check_bind(res, name, node, nodes, frames, frame_bytes, backing):
    """All frames on `node` per move_pages, every region frame on its node,
    invariants hold, and the counters: numa_hit for every frame."""
    j = frames_json(res, name)
    if j is None:
        return
    want = {str(n): (frames if n == node else 0) for n in nodes}
    ok(j["frame_bytes"] == frame_bytes and j["frames"] == frames,
       "%s: frame_bytes %s frames %s" % (name, j["frame_bytes"], j["frames"]))
    ok(j["placement"] == want, "%s: placement %s, want %s" %
       (name, j["placement"], want))
    ok(j["backing"] == backing, "%s: backing %s, want %s" %
       (name, j["backing"], backing))
    ok(all(r["off_node"] == 0 and r["on_node"] > 0
           for r in j["regions"].values()) and j["invariants_hold"],
       "%s: regions %s invariants %s" % (name, j["regions"],
                                         j["invariants_hold"]))
    s = stats(j, node)
    ok(s.get("numa_hit") == frames and s.get("numa_miss") == 0 and
       s.get("numa_foreign") == 0, "%s: counters of node %d: %s" %
       (name, node, s))


def expect_counters(j, name, want):
    """want: {node: {counter: value}}; unnamed counters must be 0."""
    keys = ("numa_hit", "numa_miss", "numa_foreign", "interleave_hit",
            "local_node", "other_node")
    for s in j["stats"]:
        w = want.get(s["node"], {})
        got = {k: s[k] for k in keys}
        exp = {k: w.get(k, 0) for k in keys}
        ok(got == exp, "%s: node %d counters %s, want %s" %
           (name, s["node"], got, exp))


def two_sockets():
    cases = []
    for n in (0, 1):
        cases.append(("bind4k-%d" % n, "numaplace frames --pool 16M --policy "
                      "bind --node %d --alloc 8M --verify --json" % n))
        cases.append(("thp-%d" % n, "numaplace frames --pool 16M --frame 2m "
                      "--policy bind --node %d --alloc 8M --verify --json" % n))
    # then reserve 2 MiB pages on both nodes: the pool takes hugetlbfs
    setup_huge = "; ".join("echo 4 >%s" % (HUGE % n) for n in (0, 1))
    for n in (0, 1):
        cases.append(("huge-%d" % n, "numaplace frames --pool 8M --frame 2m "
                      "--policy bind --node %d --alloc 4M --verify --json" % n))
    cases.insert(4, ("reserve", setup_huge + "; cat %s %s" % (HUGE % 0, HUGE % 1)))
    res = guest(["--preset", "2s"], cases)
    for n in (0, 1):
        check_bind(res, "bind4k-%d" % n, n, (0, 1), 2048, 4096, "base pages")
        check_bind(res, "thp-%d" % n, n, (0, 1), 4, 2 << 20, "THP")
        check_bind(res, "huge-%d" % n, n, (0, 1), 2, 2 << 20, "hugetlbfs")


def four_nodes():
    cases = []
    for n in range(4):
        cases.append(("bind4k-%d" % n, "numaplace frames --pool 8M --policy "
                      "bind --node %d --alloc 4M --verify --json" % n))
        cases.append(("thp-%d" % n, "numaplace frames --pool 8M --frame 2m "
                      "--policy bind --node %d --alloc 4M --verify --json" % n))
    # node 1 holds 2048 frames; 3072 asked from a CPU of node 1 (CPU 2)
    pref = ("numactl --physcpubind=2 numaplace frames --pool 8M --policy "
            "preferred --node 1 --alloc 12M --verify --json")
    cases.append(("pref-full", pref))
    cases.append(("pref-strict", pref.replace("--verify", "--strict")))
    cases.append(("bind-full", "numaplace frames --pool 8M --policy bind "
                  "--node 1 --alloc 12M"))
    cases.append(("interleave", "numactl --physcpubind=0 numaplace frames "
                  "--pool 8M --policy interleave --alloc 4M --json"))
    res = guest(["--preset", "4n"], cases)
    for n in range(4):
        check_bind(res, "bind4k-%d" % n, n, range(4), 1024, 4096, "base pages")
        check_bind(res, "thp-%d" % n, n, range(4), 2, 2 << 20, "THP")
    # 4n: all remote distances 21; node 1's zonelist is 1,2,3,0 (Linux
    # prefers the next node up), so the overflow goes to node 2.
    j = frames_json(res, "pref-full")
    if j:
        ok(j["placement"] == {"0": 0, "1": 2048, "2": 1024, "3": 0},
           "pref-full: placement %s" % j["placement"])
        expect_counters(j, "pref-full", {
            1: {"numa_hit": 2048, "numa_foreign": 1024, "local_node": 2048},
            2: {"numa_miss": 1024, "other_node": 1024}})
    for name, why in (("pref-strict", "under preferred --strict"),
                      ("bind-full", "under bind")):
        rc, out, err = res.get(name, (None, "", ""))
        ok(rc == 1 and out == "" and len(err.splitlines()) == 1 and
           "frame 2049 of 3072: no free frame " + why in err,
           "%s: rc %s out %r err %r" % (name, rc, out[:80], err))
    j = frames_json(res, "interleave")
    if j:
        ok(j["placement"] == {"0": 256, "1": 256, "2": 256, "3": 256},
           "interleave: placement %s" % j["placement"])
        expect_counters(j, "interleave", {
            0: {"numa_hit": 256, "interleave_hit": 256, "local_node": 256},
            1: {"numa_hit": 256, "interleave_hit": 256, "other_node": 256},
            2: {"numa_hit": 256, "interleave_hit": 256, "other_node": 256},
            3: {"numa_hit": 256, "interleave_hit": 256, "other_node": 256}})


def memory_only():
    cases = [
        ("bind4k-2", "numaplace frames --pool 16M --policy bind --node 2 "
         "--alloc 8M --verify --json"),
        ("thp-2", "numaplace frames --pool 16M --frame 2m --policy bind "
         "--node 2 --alloc 8M --verify --json"),
        # node 2 (CPU-less) full: nearest is node 0 (30) before node 1 (40)
        ("pref-2", "numactl --physcpubind=0 numaplace frames --pool 8M "
         "--policy preferred --node 2 --alloc 12M --verify --json"),
        # node 1 not in the pool: its CPUs allocate from node 0 (21 < 40)
        ("local-off-pool", "numactl --physcpubind=2 numaplace frames "
         "--nodes 0,2 --pool 8M --alloc 1M --verify --json"),
        ("no-node", "numaplace frames --nodes 0,5 --pool 8M"),
        # the kernel as the peer: memory bound to the CPU-less node 2 scores
        # numa_hit (and other_node, never local_node) there, as ours does
        ("kernel", "N=/sys/devices/system/node/node2/numastat; cat $N; "
         "numactl --physcpubind=0 --membind=2 np-probe 32 >/dev/null; cat $N"),
    ]
    probe = os.environ.get("NP_PROBE")
    res = guest(["--preset", "cxl"], cases, add=(probe,) if probe else ())
    check_bind(res, "bind4k-2", 2, range(3), 2048, 4096, "base pages")
    check_bind(res, "thp-2", 2, range(3), 4, 2 << 20, "THP")
    j = frames_json(res, "bind4k-2")
    if j:
        ok(stats(j, 2).get("local_node") == 0 and
           stats(j, 2).get("other_node") == 2048,
           "bind4k-2: a CPU-less node scored local_node: %s" % stats(j, 2))
    j = frames_json(res, "pref-2")
    if j:
        ok(j["placement"] == {"0": 1024, "1": 0, "2": 2048},
           "pref-2: placement %s" % j["placement"])
        expect_counters(j, "pref-2", {
            2: {"numa_hit": 2048, "numa_foreign": 1024, "other_node": 2048},
            0: {"numa_miss": 1024, "local_node": 1024}})
    j = frames_json(res, "local-off-pool")
    if j:
        ok(j["placement"] == {"0": 256, "1": 0, "2": 0},
           "local-off-pool: placement %s" % j["placement"])
        expect_counters(j, "local-off-pool", {
            0: {"numa_hit": 256, "other_node": 256}})
    if probe:
        rc, out, err = res.get("kernel", (None, "", ""))
        v = {}
        for i, line in enumerate(out.splitlines()):
            k, n = line.split()
            v.setdefault(k, []).append(int(n))
        ok(rc == 0 and len(v.get("numa_hit", [])) == 2 and
           v["numa_hit"][1] > v["numa_hit"][0] and
           v["local_node"] == [0, 0] and
           v["other_node"][1] - v["other_node"][0] ==
           v["numa_hit"][1] - v["numa_hit"][0],
           "kernel peer on the CPU-less node: rc %s %s" % (rc, v))
    rc, out, err = res.get("no-node", (None, "", ""))
    ok(rc == 2 and out == "" and
       err.strip() == "numaplace: frames: --nodes: node 5 does not exist",
       "no-node: rc %s err %r" % (rc, err))


def main():
    if not shutil.which("qemu-system-x86_64"):
        print("qemu-system-x86_64 not installed: skipping")
        return 77
    two_sockets()
    four_nodes()
    memory_only()
    print("%d passed, %d failed" % (PASS, FAIL))
    return 0 if FAIL == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
