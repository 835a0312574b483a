#!/usr/bin/env python3
"""numaplace's test kernel (kernel/) under `numaplace lab --test-kernel`:
booted in six topologies (2s, 4n, 8n, an asymmetric 3-node machine, one
with a memoryless node, one with a CPU-less memory-only node), then 4n
with a command line sizing the workload and a machine from --topology (a
CXL host's dump), its report
is checked against what each topology implies, worked out here from the
lab spec alone: the nodes, CPUs, distances and memory it understood, the
frames per node, every vCPU started and took part, and the per-node
counters of each phase of seed 000's workload (local, bind to the last
node with memory, interleave over all nodes with memory, strict on the
last node with memory apart from the kernel's, which it fills).  Then a
SLIT QEMU accepts and Linux's slit_valid() rejects (a remote distance of
10), which the kernel must refuse, saying which entry and why, with a
non-zero status.  Prints "N passed, N failed"."""
import os
import subprocess
import sys
import tempfile

NP = os.environ["NP"]
KERNEL = os.environ["NP_TEST_KERNEL"]
PASS = FAIL = 0
# the lab's firmware when installed (else SeaBIOS, whose tables take the
# top of RAM)
QBOOT = os.access("/usr/share/qemu/qboot.rom", os.R_OK)
FRAMES_PER_CPU = 256
FRAME = 4096
MIB = 1 << 20
STATS = ("numa_hit", "numa_miss", "numa_foreign", "interleave_hit",
         "local_node", "other_node")
PHASES = ("local", "bind", "interleave", "strict")


def ok(cond, what):
    global PASS, FAIL
    if cond:
        PASS += 1
    else:
        FAIL += 1
        print("FAIL: " + what, file=sys.stderr)
    return cond


def kv(fields):
    return dict(f.split("=", 1) for f in fields if "=" in f)


def parse(report):
    """The report's lines by kind."""
    r = {"node": {}, "cpu": {}, "counters": {}, "frames": {}, "check": {},
         "cpu-result": {}, "memmap": [], "srat-range": [], "other": []}
    for line in report.splitlines():
        w = line.split()
        if not w:
            continue
        if w[0] == "node":
            r["node"][int(w[1])] = kv(w[2:])
        elif w[0] == "cpu":
            r["cpu"][int(w[1])] = kv(w[2:])
        elif w[0] == "counters":
            d = kv(w[1:])
            r["counters"][(d["phase"], int(d["node"]))] = \
                {s: int(d[s]) for s in STATS}
        elif w[0] == "frames":
            d = kv(w[1:])
            r["frames"][(d["phase"], int(d["cpu"]))] = \
                [int(x) for x in d["per_node"].split(",")]
        elif w[0] == "check":
            d = kv(w[1:])
            r["check"][d["phase"]] = d
        elif w[0] == "cpu-result":
            d = kv(w[1:])
            r["cpu-result"][int(d["cpu"])] = d
        elif w[0] in ("memmap", "srat-range"):
            r[w[0]].append({k: int(v, 0) for k, v in kv(w[1:]).items()})
        elif w[0] in ("tables", "machine", "workload", "result", "exit"):
            r[w[0]] = w[1:]
        else:
            r["other"].append(line)
    return r


def srat_ranges(mem):
    """QEMU's SRAT for nodes of these sizes (below 3.5 GiB in all): node 0
    without the 640 KiB - 1 MiB hole, then each node's memory in turn."""
    out, base = [], 0
    for n, size in enumerate(mem):
        if not size:
            continue
        if base == 0:
            out.append((n, 0, 640 << 10))
            out.append((n, 1 << 20, size - (1 << 20)))
        else:
            out.append((n, base, size))
        base += size
    return out


def usable_frames(srat, memmap, floor):
    """Per node: the whole frames of its SRAT ranges that the boot memory
    map calls RAM (type 1), above what the kernel keeps for itself."""
    frames = {}
    for n, base, length in srat:
        for m in memmap:
            if m["type"] != 1:
                continue
            lo = max(base, m["base"], floor)
            hi = min(base + length, m["base"] + m["length"])
            lo = (lo + FRAME - 1) // FRAME * FRAME
            hi = hi // FRAME * FRAME
            if hi > lo:
                frames[n] = frames.get(n, 0) + (hi - lo) // FRAME
    return frames


def nearest_memory(n, mem, dist):
    """The first node with memory in n's fallback order (distance, then id;
    the topologies here have no ties that matter)."""
    if mem[n]:
        return n
    return min((dist[n][m], m) for m in range(len(mem)) if mem[m])[1]


def expect(cpus, mem, dist, per_cpu, strict_frames_by_cpu):
    """Per phase and node, the counters the topology implies."""
    nn = len(mem)
    cpu_node = [n for n in range(nn) for _ in range(cpus[n])]
    memnodes = [n for n in range(nn) if mem[n]]
    bind = memnodes[-1]
    strict = [n for n in memnodes if n != 0][-1] if len(memnodes) > 1 else 0
    e = {(p, n): dict.fromkeys(STATS, 0) for p in PHASES for n in range(nn)}

    def hit(p, page, cpu_n, count, il=False):
        c = e[(p, page)]
        c["numa_hit"] += count
        c["local_node" if page == cpu_n else "other_node"] += count
        if il:
            c["interleave_hit"] += count

    for cpu, cn in enumerate(cpu_node):
        hit("local", nearest_memory(cn, mem, dist), cn, per_cpu)
        hit("bind", bind, cn, per_cpu)
        k = len(memnodes)
        for i, m in enumerate(memnodes):
            hit("interleave", m, cn, per_cpu // k + (i < per_cpu % k), il=True)
        hit("strict", strict, cn, strict_frames_by_cpu[cpu])
    return e, bind, strict, cpu_node


def boot(args, kargs=()):
    return subprocess.run([NP, "lab"] + args + ["--test-kernel", KERNEL] +
                          (["--"] + list(kargs) if kargs else []),
                          stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=300)


def check_machine(name, args, cpus, mem_mib, dist, per_cpu=FRAMES_PER_CPU,
                  reads=4 * FRAMES_PER_CPU, kargs=()):
    p = boot(args, kargs)
    if not ok(p.returncode == 0 and p.stderr == "",
              "%s: exit %d, stderr %r" % (name, p.returncode, p.stderr[-300:])):
        print(p.stdout[-2000:], file=sys.stderr)
        return
    r = parse(p.stdout)
    nn, ncpu = len(cpus), sum(cpus)
    mem = [m * MIB for m in mem_mib]
    ok(r.get("result") == ["pass"] and r.get("exit") == ["0"],
       "%s: result %s exit %s" % (name, r.get("result"), r.get("exit")))
    t = kv(r["tables"])
    ok(t["from"] == "start_info" and t["bios_scan"] == t["rsdp"],
       "%s: RSDP from start_info %s, BIOS scan %s" % (name, t["rsdp"],
                                                    t["bios_scan"]))
    m = kv(r["machine"])
    ok(int(m["nodes"]) == nn and int(m["cpus"]) == ncpu,
       "%s: machine %s" % (name, r["machine"]))
    reserved = int(m["reserved_bytes"], 16)
    # the kernel, its page tables, stacks and boot heap: a few MiB of node 0
    ok(1 * MIB < reserved <= 16 * MIB, "%s: reserved %d" % (name, reserved))
    srat = srat_ranges(mem)
    got = [(d["node"], d["base"], d["length"]) for d in r["srat-range"]]
    ok(got == srat, "%s: SRAT ranges %s, want %s" % (name, got, srat))
    want_frames = usable_frames(srat, r["memmap"], reserved)
    frames = [0] * nn
    for n in range(nn):
        d = r["node"].get(n, {})
        ok(int(d.get("cpus", -1)) == cpus[n], "%s: node %d cpus %s, want %d"
           % (name, n, d.get("cpus"), cpus[n]))
        ok(d.get("distances") == ",".join(map(str, dist[n])),
           "%s: node %d distances %s, want %s" % (name, n, d.get("distances"),
                                                 dist[n]))
        frames[n] = int(d.get("frames", -1))
        # node 0 also holds the 640 KiB-1 MiB hole, below the kernel
        want_bytes = mem[n] - (384 << 10 if n == 0 else 0)
        ok(int(d.get("memory_bytes", -1)) == want_bytes,
           "%s: node %d memory %s, want %d" % (name, n, d.get("memory_bytes"),
                                               want_bytes))
        want = want_frames.get(n, 0)
        ok(frames[n] == want, "%s: node %d frames %d, want %d" %
           (name, n, frames[n], want))
        # qboot's map has no hole inside RAM: every frame of the node but
        # the kernel's
        if QBOOT and mem[n]:
            ok(want == (mem[n] - (reserved if n == 0 else 0)) // FRAME,
               "%s: node %d: %d usable frames of %d MiB" % (name, n, want,
                                                          mem[n] >> 20))
    cpu_node = [n for n in range(nn) for _ in range(cpus[n])]
    ok(sorted(r["cpu"]) == list(range(ncpu)), "%s: cpus %s" % (name, sorted(r["cpu"])))
    for c in range(ncpu):
        d = r["cpu"].get(c, {})
        ok(d.get("apic_id_seen") == d.get("apic_id") and
           int(d.get("node", -1)) == cpu_node[c],
           "%s: cpu %d: %s" % (name, c, d))
        res = r["cpu-result"].get(c, {})
        ok(res.get("errors") == "0" and int(res.get("frames_checked", 0)) >=
           3 * per_cpu, "%s: cpu %d result %s" % (name, c, res))
    strict_by_cpu = [sum(r["frames"].get(("strict", c), [0])) for c in range(ncpu)]
    e, bind, strict, _ = expect(cpus, mem, dist, per_cpu, strict_by_cpu)
    w = kv(r["workload"])
    ok(int(w["bind_node"]) == bind and int(w["strict_node"]) == strict and
       int(w["frames_per_cpu"]) == per_cpu and int(w["reads_per_cpu"]) == reads,
       "%s: workload %s, want bind %d strict %d" % (name, r["workload"],
                                                     bind, strict))
    # strict fills its node: every frame of it, once
    ok(sum(strict_by_cpu) == frames[strict],
       "%s: strict took %d frames of node %d, which has %d" %
       (name, sum(strict_by_cpu), strict, frames[strict]))
    for p in PHASES:
        ok(r["check"].get(p, {}).get("held") == "ok" and
           r["check"].get(p, {}).get("freed") == "ok",
           "%s: np_fa_check after %s: %s" % (name, p, r["check"].get(p)))
        for n in range(nn):
            got = r["counters"].get((p, n))
            ok(got == e[(p, n)], "%s: %s node %d counters %s, want %s" %
               (name, p, n, got, e[(p, n)]))
        for c in range(ncpu):
            f = r["frames"].get((p, c))
            if p != "strict":
                ok(f is not None and sum(f) == per_cpu,
                   "%s: %s cpu %d frames %s" % (name, p, c, f))
            else:
                ok(f is not None and all(f[n] == 0 for n in range(nn)
                                         if n != strict),
                   "%s: strict cpu %d frames %s" % (name, c, f))


def sym(nn, local, remote):
    return [[local if i == j else remote for j in range(nn)] for i in range(nn)]


def corrupt_slit():
    """QEMU takes a remote distance of 10; Linux's slit_valid() does not."""
    args = subprocess.run([NP, "lab", "--preset", "2s", "--qemu-args"],
                          capture_output=True, text=True, check=True).stdout
    args = args.split()
    i = args.index("dist,src=0,dst=1,val=21")
    args[i] = "dist,src=0,dst=1,val=10"
    qboot = "/usr/share/qemu/qboot.rom"
    cmd = ["qemu-system-x86_64", "-nodefaults", "-no-user-config", "-display",
           "none", "-accel", "tcg", "-machine", "pc"]
    if os.access(qboot, os.R_OK):
        cmd += ["-bios", qboot]
    cmd += ["-kernel", KERNEL, "-no-reboot", "-serial", "stdio", "-device",
            "isa-debug-exit,iobase=0xf4,iosize=0x04"] + args
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=120)
    out = p.stdout.replace("\r", "")
    ok(p.returncode == 3, "corrupt SLIT: QEMU exit %d (want 3: the kernel's 1)"
       % p.returncode)
    ok("slit-invalid from=0 to=1 distance=10 why=remote-distance-not-above-10\n"
       in out, "corrupt SLIT: no slit-invalid line in %r" % out[-400:])
    ok("error SLIT: " in out and out.endswith("result fail\nexit 1\n"),
       "corrupt SLIT: the report's end %r" % out[-300:])


def refusals():
    """--test-kernel's usage errors: one line, exit 2, nothing booted."""
    for args, what in (
            (["--test-kernel", "/nonexistent/k.elf"], "/nonexistent/k.elf"),
            (["--test-kernel", os.environ["NP_SRCDIR"] + "/README.md"],
             "not a 64-bit ELF"),
            (["--test-kernel", KERNEL, "--add", KERNEL], "excludes"),
            (["--test-kernel", KERNEL, "--shell"], "excludes")):
        p = subprocess.run([NP, "lab"] + args, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=60)
        ok(p.returncode == 2 and p.stdout == "" and
           p.stderr.startswith("numaplace: ") and what in p.stderr and
           p.stderr.count("\n") == 1,
           "lab %s: exit %d, %r" % (args, p.returncode, p.stderr))


def no_answer():
    """A kernel that never ends (waiting on a COM1 nobody writes to) is the
    lab's timeout: 124, as timeout(1), one line; an ELF without the PVH
    note is QEMU's refusal, the caller's input: 2."""
    p = subprocess.run([NP, "lab", "--preset", "2s", "--timeout", "2",
                        "--test-kernel", KERNEL, "--", "npk.wait"],
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=60)
    ok(p.returncode == 124 and p.stdout == "" and p.stderr ==
       "numaplace: lab: no answer from the test kernel within 2 s\n",
       "hung kernel: exit %d, %r" % (p.returncode, p.stderr))
    p = subprocess.run([NP, "lab", "--preset", "2s", "--test-kernel",
                        sys.executable], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    ok(p.returncode == 2 and p.stdout == "" and p.stderr.count("\n") == 1 and
       "PVH" in p.stderr, "no PVH note: exit %d, %r" % (p.returncode,
                                                        p.stderr))


def x2apic_under_kvm():
    """QEMU 7.2's TCG has no x2APIC; KVM gives it with -cpu host, so where
    /dev/kvm is usable the x2APIC path (MSRs, the 64-bit ICR) starts the
    second CPU.  Small: on a host that is itself a VM every first touch
    of guest memory is slow."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("no usable /dev/kvm: the x2APIC boot is skipped")
        return
    cmd = ["qemu-system-x86_64", "-nodefaults", "-no-user-config", "-display",
           "none", "-accel", "kvm", "-cpu", "host", "-machine", "pc"]
    if QBOOT:
        cmd += ["-bios", "/usr/share/qemu/qboot.rom"]
    cmd += ["-kernel", KERNEL, "-append", "npk.frames=64 npk.reads=256",
            "-no-reboot", "-serial", "stdio", "-device",
            "isa-debug-exit,iobase=0xf4,iosize=0x04", "-m", "32M",
            "-smp", "2,sockets=2", "-object", "memory-backend-ram,id=m0,size=16M",
            "-object", "memory-backend-ram,id=m1,size=16M",
            "-numa", "node,nodeid=0,cpus=0,memdev=m0",
            "-numa", "node,nodeid=1,cpus=1,memdev=m1"]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=120)
    r = parse(p.stdout.replace("\r", ""))
    ok(p.returncode == 1 and r.get("result") == ["pass"] and
       kv(r.get("machine", [])).get("apic") == "x2apic" and
       r["cpu"].get(1, {}).get("apic_id_seen") == "1",
       "KVM x2APIC boot: QEMU exit %d, %r" % (p.returncode,
                                              p.stdout[-400:] + p.stderr[-200:]))


def main():
    refusals()
    no_answer()
    check_machine("2s", ["--preset", "2s"], [2, 2], [512, 512], sym(2, 10, 21))
    check_machine("4n", ["--preset", "4n"], [2] * 4, [256] * 4, sym(4, 10, 21))
    # the command line sizes the workload: 301 frames interleave unevenly
    check_machine("4n-sized", ["--preset", "4n"], [2] * 4, [256] * 4,
                  sym(4, 10, 21), per_cpu=301, reads=777,
                  kargs=["npk.frames=301", "npk.reads=777"])
    # a kernel that fails says why, and lab passes its status on
    p = boot(["--preset", "2s"], ["npk.frames=x"])
    ok(p.returncode == 1 and p.stderr == "" and
       p.stdout.endswith("error command line: a number from 1 to 16777216 "
                         "after npk.frames= or npk.reads=\nresult fail\n"
                         "exit 1\n"),
       "bad command line: exit %d, %r %r" % (p.returncode, p.stdout[-200:],
                                             p.stderr))
    d8 = subprocess.run([NP, "lab", "--preset", "8n", "--qemu-args"],
                        capture_output=True, text=True, check=True).stdout.split()
    dist8 = sym(8, 10, 0)
    for a in d8:
        if a.startswith("dist,"):
            d = kv(a.split(",")[1:])
            dist8[int(d["src"])][int(d["dst"])] = int(d["val"])
    check_machine("8n", ["--preset", "8n"], [1] * 8, [192] + [128] * 7, dist8)
    asym = [[10, 15, 30], [25, 10, 20], [40, 18, 10]]
    check_machine("asymmetric-3n", ["--nodes", "2:256M,1:192M,2:128M",
                                    "--distances", "10,15,30;25,10,20;40,18,10"],
                  [2, 1, 2], [256, 192, 128], asym)
    # node 1 has CPUs and no memory: its CPUs take from node 2 (16 < 20)
    ml = [[10, 20, 20], [20, 10, 16], [20, 16, 10]]
    check_machine("memoryless", ["--nodes", "2:256M,2:0,1:128M",
                                 "--distances", "10,20,20;20,10,16;20,16,10"],
                  [2, 2, 1], [256, 0, 128], ml)
    cxl = [[10, 21, 30], [21, 10, 40], [30, 40, 10]]
    check_machine("cpu-less", ["--preset", "cxl"], [2, 2, 0], [512, 512, 512],
                  cxl)
    # a real machine's shape (--topology): the CXL host of tests/dumps,
    # 2 CPUs per node, memory / 256 rounded down to 8 MiB (501 -> 496)
    with tempfile.NamedTemporaryFile("w", suffix=".json") as f:
        subprocess.run([NP, "topo", "--sysroot", os.environ["NP_SRCDIR"] +
                        "/tests/dumps/cxl-memonly", "--json"], stdout=f,
                       check=True)
        check_machine("topology-cxl", ["--topology", f.name], [2, 2, 0],
                      [496, 496, 512], [[10, 21, 14], [21, 10, 24],
                                        [14, 24, 10]])
    corrupt_slit()
    x2apic_under_kvm()
    print("%d passed, %d failed" % (PASS, FAIL))
    return 1 if FAIL else 0


if __name__ == "__main__":
    sys.exit(main())
