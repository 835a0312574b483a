#!/usr/bin/env python3
"""Generate the constructed sysfs/procfs dumps under tests/dumps/<machine>/.

Only the standard library is used.  Output is deterministic (fixed seeds).
This script writes the kernel-side files only; hwloc.xml and topo.txt are
produced from the written tree by tests/dumps/gen/regen.sh (real hwloc and
real numactl), never by this script.

Formats follow Linux 6.1 (x86_64):
  - node meminfo: drivers/base/node.c node_read_meminfo() of v6.1, including
    its one-space-narrower "FileHugePages:" / "FilePmdMapped:" lines
  - cpumap / *_cpus / shared_cpu_map: "%*pb" with nr_cpu_ids bits
  - cpulist / nodelists: "%*pbl"
  - /proc/buddyinfo: "Node %d, zone %8s " then "%6lu " per order (11 orders)

Usage: gen_dumps.py [DUMPS_DIR]   (default: the directory above this script)
"""

import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DUMPS = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.dirname(HERE)

MANAGED = (
    "sys",
    "proc",
)


# --------------------------------------------------------------------------
# kernel text formats


def cpulist(ids):
    """Kernel %*pbl: ranges, comma separated; empty set -> ''."""
    ids = sorted(set(ids))
    out = []
    i = 0
    while i < len(ids):
        j = i
        while j + 1 < len(ids) and ids[j + 1] == ids[j] + 1:
            j += 1
        out.append(str(ids[i]) if i == j else "%d-%d" % (ids[i], ids[j]))
        i = j + 1
    return ",".join(out)


def hexmap(ids, nbits):
    """Kernel %*pb with nbits bits (bitmap_string in lib/vsprintf.c)."""
    val = 0
    for i in ids:
        assert i < nbits
        val |= 1 << i
    chunks = []
    chunksz = nbits % 32 or 32
    i = ((nbits + 31) // 32) * 32 - 32
    while i >= 0:
        v = (val >> i) & ((1 << chunksz) - 1)
        width = (chunksz + 3) // 4
        chunks.append("%0*x" % (width, v))
        chunksz = 32
        i -= 32
    return ",".join(chunks)


MEMINFO_KB_FIELDS = [
    # (name as printed incl. colon, padded label width as in v6.1)
    ("MemTotal:       ", "MemTotal"),
    ("MemFree:        ", "MemFree"),
    ("MemUsed:        ", "MemUsed"),
    ("SwapCached:     ", "SwapCached"),
    ("Active:         ", "Active"),
    ("Inactive:       ", "Inactive"),
    ("Active(anon):   ", "Active(anon)"),
    ("Inactive(anon): ", "Inactive(anon)"),
    ("Active(file):   ", "Active(file)"),
    ("Inactive(file): ", "Inactive(file)"),
    ("Unevictable:    ", "Unevictable"),
    ("Mlocked:        ", "Mlocked"),
    ("Dirty:          ", "Dirty"),
    ("Writeback:      ", "Writeback"),
    ("FilePages:      ", "FilePages"),
    ("Mapped:         ", "Mapped"),
    ("AnonPages:      ", "AnonPages"),
    ("Shmem:          ", "Shmem"),
    ("KernelStack:    ", "KernelStack"),
    ("PageTables:     ", "PageTables"),
    ("SecPageTables:  ", "SecPageTables"),
    ("NFS_Unstable:   ", "NFS_Unstable"),
    ("Bounce:         ", "Bounce"),
    ("WritebackTmp:   ", "WritebackTmp"),
    ("KReclaimable:   ", "KReclaimable"),
    ("Slab:           ", "Slab"),
    ("SReclaimable:   ", "SReclaimable"),
    ("SUnreclaim:     ", "SUnreclaim"),
    ("AnonHugePages:  ", "AnonHugePages"),
    ("ShmemHugePages: ", "ShmemHugePages"),
    ("ShmemPmdMapped: ", "ShmemPmdMapped"),
    # v6.1 really prints these two with a single space before %8lu
    ("FileHugePages: ", "FileHugePages"),
    ("FilePmdMapped: ", "FilePmdMapped"),
]


def meminfo_text(nid, m):
    out = []
    for label, key in MEMINFO_KB_FIELDS:
        out.append("Node %d %s%8d kB\n" % (nid, label, m[key]))
    out.append("Node %d HugePages_Total: %5d\n" % (nid, m["HugePages_Total"]))
    out.append("Node %d HugePages_Free:  %5d\n" % (nid, m["HugePages_Free"]))
    out.append("Node %d HugePages_Surp:  %5d\n" % (nid, m["HugePages_Surp"]))
    return "".join(out)


def buddyinfo_line(nid, zone, counts):
    assert len(counts) == 11
    return "Node %d, zone %8s " % (nid, zone) + "".join("%6d " % c for c in counts) + "\n"


# --------------------------------------------------------------------------
# consistent synthetic numbers


def round4(x):
    return int(x) // 4 * 4


def make_meminfo(rng, total_kb, free_kb, hp2m, hp1g, movable_only=False, ncpus=0):
    """Self-consistent per-node meminfo values (kB).

    hp2m / hp1g: (nr, free, surplus) hugepage pools on this node.
    MemUsed = MemTotal - MemFree and includes the hugetlb pools.
    """
    assert total_kb % 4 == 0 and free_kb % 4 == 0
    m = dict.fromkeys([k for _, k in MEMINFO_KB_FIELDS], 0)
    m["MemTotal"] = total_kb
    m["MemFree"] = free_kb
    m["MemUsed"] = total_kb - free_kb
    m["HugePages_Total"], m["HugePages_Free"], m["HugePages_Surp"] = hp2m
    if total_kb == 0:
        return m
    hugetlb = hp2m[0] * 2048 + hp1g[0] * 1048576
    other = m["MemUsed"] - hugetlb
    assert other > 0, "hugepages do not fit in used memory"
    # split the non-hugetlb used memory: page cache, anon, slab, kernel
    if movable_only:
        # ZONE_MOVABLE holds only user pages: no slab, stacks, page tables
        file_part = round4(other * rng.uniform(0.55, 0.70))
        anon_part = round4(other * rng.uniform(0.15, 0.25))
        slab_r = slab_u = kstack = ptables = 0
    else:
        file_part = round4(other * rng.uniform(0.38, 0.50))
        anon_part = round4(other * rng.uniform(0.16, 0.24))
        slab_r = round4(other * rng.uniform(0.08, 0.12))
        slab_u = round4(other * rng.uniform(0.04, 0.07))
        kstack = max(16, ncpus) * 16 + rng.randrange(0, 200) * 16
        ptables = round4(anon_part * rng.uniform(0.02, 0.04))
    shmem = round4(file_part * rng.uniform(0.02, 0.08))
    cache = file_part - shmem
    m["Shmem"] = shmem
    m["FilePages"] = file_part
    m["Active(file)"] = round4(cache * rng.uniform(0.35, 0.55))
    m["Inactive(file)"] = cache - m["Active(file)"]
    m["AnonPages"] = anon_part
    anon_lru = anon_part + shmem          # shmem lives on the anon LRUs
    m["Active(anon)"] = round4(anon_lru * rng.uniform(0.05, 0.20))
    m["Inactive(anon)"] = anon_lru - m["Active(anon)"]
    m["Active"] = m["Active(anon)"] + m["Active(file)"]
    m["Inactive"] = m["Inactive(anon)"] + m["Inactive(file)"]
    m["Unevictable"] = round4(rng.uniform(0, 0.002) * other)
    m["Mlocked"] = round4(m["Unevictable"] * rng.uniform(0.3, 0.9))
    m["Dirty"] = round4(rng.randrange(0, 600))
    m["Writeback"] = 0
    m["Mapped"] = round4((anon_part + file_part) * rng.uniform(0.08, 0.2))
    m["KernelStack"] = kstack
    m["PageTables"] = ptables
    m["SReclaimable"] = slab_r
    m["SUnreclaim"] = slab_u
    m["KReclaimable"] = slab_r
    m["Slab"] = slab_r + slab_u
    m["AnonHugePages"] = (anon_part // 2 // 2048) * 2048
    used = (m["FilePages"] + m["AnonPages"] + m["Slab"] + m["KernelStack"]
            + m["PageTables"])
    assert used <= other, (used, other)
    return m


def split_buddy(rng, pages, lowfrag):
    """11 order counts whose page sum is exactly `pages`."""
    counts = [0] * 11
    if pages <= 0:
        return counts
    budget = pages
    base = lowfrag
    for order in range(10):
        c = int(base * rng.uniform(0.5, 1.5))
        if c * (1 << order) > budget // 4:
            c = budget // 4 // (1 << order)
        counts[order] = c
        budget -= c << order
        base = base * rng.uniform(0.45, 0.75)
    counts[10] = budget // 1024
    rest = budget % 1024
    for order in range(10):
        if rest & (1 << order):
            counts[order] += 1
    assert sum(c << o for o, c in enumerate(counts)) == pages
    return counts


def make_numastat(rng, nodes):
    """nodes: list of (nid, has_cpu, has_mem, scale) -> {nid: text}.

    Per node: hit + miss == local + other; sum(miss) == sum(foreign).
    """
    vals = {}
    memnodes = [n for n, c, mem, s in nodes if mem]
    total_miss = 0
    for nid, has_cpu, has_mem, scale in nodes:
        if not has_mem:
            vals[nid] = [0, 0, 0, 0, 0, 0]
            continue
        hit = int(scale * rng.uniform(0.8, 1.2))
        miss = 0 if len(memnodes) == 1 else int(hit * rng.uniform(0.0005, 0.01))
        inter = int(rng.uniform(1500, 40000)) if has_cpu else int(hit * rng.uniform(0.05, 0.2))
        if has_cpu:
            other = 0 if len(nodes) == 1 else int((hit + miss) * rng.uniform(0.01, 0.06))
        else:
            other = hit + miss
        local = hit + miss - other
        vals[nid] = [hit, miss, 0, inter, local, other]
        total_miss += miss
    # spread the foreign counts over nodes that have CPUs and memory
    initiators = [n for n, c, mem, s in nodes if c and mem]
    if total_miss:
        left = total_miss
        for i, nid in enumerate(initiators):
            share = left if i == len(initiators) - 1 else int(left * rng.uniform(0.3, 0.7))
            vals[nid][2] = share
            left -= share
    names = ["numa_hit", "numa_miss", "numa_foreign", "interleave_hit",
             "local_node", "other_node"]
    out = {}
    for nid, v in vals.items():
        assert v[0] + v[1] == v[4] + v[5]
        out[nid] = "".join("%s %d\n" % (n, x) for n, x in zip(names, v))
    return out


# --------------------------------------------------------------------------
# CPU description


class Cpu:
    def __init__(self, cpu, node, pkg, die, core_id, thread, apicid, cluster_id):
        self.cpu = cpu
        self.node = node
        self.pkg = pkg
        self.die = die
        self.core_id = core_id
        self.thread = thread
        self.apicid = apicid
        self.cluster_id = cluster_id
        # filled in later
        self.core_set = None
        self.pkg_set = None
        self.die_set = None
        self.cluster_set = None


def cache_files(level, ctype, size_k, ways, line=64):
    sets = size_k * 1024 // (line * ways)
    assert sets * line * ways == size_k * 1024, (level, size_k, ways)
    return dict(level=level, type=ctype, size="%dK" % size_k, ways=ways,
                line=line, sets=sets)


class Machine:
    def __init__(self, name):
        self.name = name
        self.files = {}

    def put(self, rel, text):
        assert rel not in self.files, rel
        self.files[rel] = text

    def write(self, dumps_dir):
        root = os.path.join(dumps_dir, self.name)
        for sub in MANAGED:
            p = os.path.join(root, sub)
            if os.path.isdir(p):
                shutil.rmtree(p)
        for rel, text in sorted(self.files.items()):
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="ascii", newline="") as f:
                f.write(text)


def build_cpu_sysfs(mach, cpus, nr_cpu_ids, caches, cpuinfo_fn):
    """caches: list of (index, cachedict, scope) where scope in
    'core', 'die', 'package'."""
    by_core, by_pkg, by_die, by_cluster = {}, {}, {}, {}
    for c in cpus:
        by_core.setdefault((c.pkg, c.die, c.core_id), set()).add(c.cpu)
        by_pkg.setdefault(c.pkg, set()).add(c.cpu)
        by_die.setdefault((c.pkg, c.die), set()).add(c.cpu)
        key = (c.pkg, c.cluster_id) if c.cluster_id != 65535 else ("self", c.cpu)
        by_cluster.setdefault(key, set()).add(c.cpu)
    for c in cpus:
        c.core_set = by_core[(c.pkg, c.die, c.core_id)]
        c.pkg_set = by_pkg[c.pkg]
        c.die_set = by_die[(c.pkg, c.die)]
        key = (c.pkg, c.cluster_id) if c.cluster_id != 65535 else ("self", c.cpu)
        c.cluster_set = by_cluster[key]

    n = len(cpus)
    base = "sys/devices/system/cpu/"
    mach.put(base + "possible", cpulist(range(nr_cpu_ids)) + "\n")
    mach.put(base + "present", cpulist(range(n)) + "\n")
    mach.put(base + "online", cpulist(range(n)) + "\n")
    mach.put(base + "offline", (cpulist(range(n, nr_cpu_ids)) if nr_cpu_ids > n else "") + "\n")
    mach.put(base + "kernel_max", "8191\n")

    # cache ids: enumerate instances per level/type by sharing set
    cache_ids = {}
    for c in cpus:
        t = base + "cpu%d/topology/" % c.cpu
        for fname, s in (("thread_siblings", c.core_set), ("core_cpus", c.core_set),
                         ("core_siblings", c.pkg_set), ("package_cpus", c.pkg_set),
                         ("die_cpus", c.die_set), ("cluster_cpus", c.cluster_set)):
            mach.put(t + fname, hexmap(s, nr_cpu_ids) + "\n")
            mach.put(t + fname + "_list", cpulist(s) + "\n")
        mach.put(t + "physical_package_id", "%d\n" % c.pkg)
        mach.put(t + "die_id", "%d\n" % c.die)
        mach.put(t + "core_id", "%d\n" % c.core_id)
        mach.put(t + "cluster_id", "%d\n" % c.cluster_id)
        for idx, cd, scope, idfn in caches:
            shared = {"core": c.core_set, "die": c.die_set, "package": c.pkg_set}[scope]
            d = base + "cpu%d/cache/index%d/" % (c.cpu, idx)
            mach.put(d + "level", "%d\n" % cd["level"])
            mach.put(d + "type", cd["type"] + "\n")
            mach.put(d + "size", cd["size"] + "\n")
            mach.put(d + "coherency_line_size", "%d\n" % cd["line"])
            mach.put(d + "ways_of_associativity", "%d\n" % cd["ways"])
            mach.put(d + "number_of_sets", "%d\n" % cd["sets"])
            mach.put(d + "physical_line_partition", "1\n")
            mach.put(d + "shared_cpu_list", cpulist(shared) + "\n")
            mach.put(d + "shared_cpu_map", hexmap(shared, nr_cpu_ids) + "\n")
            mach.put(d + "id", "%d\n" % idfn(c))
    mach.put("proc/cpuinfo", "".join(cpuinfo_fn(c) for c in cpus))
    # hwloc's own file for non-live fsroots (hwloc-gather-topology writes it
    # too): without it hwloc cannot tell the dump is x86 and its XML would
    # lack CPUVendor/CPUFamilyNumber/...; HostName is deliberately absent.
    mach.put("proc/hwloc-nofile-info",
             "OSName: Linux\n"
             "OSRelease: 6.1.0-18-amd64\n"
             "OSVersion: #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)\n"
             "Architecture: x86_64\n"
             "FallbackNbProcessors: %d\n"
             "PageSize: 4096\n" % n)


def x86_cpuinfo(vendor, family, model, model_name, stepping, microcode, mhz,
                cache_kb, flags, bugs, bogomips, addr, cpus_per_pkg, cores_per_pkg,
                cpuid_level, amd_tlb=None):
    def fn(c):
        lines = [
            ("processor", "%d" % c.cpu),
            ("vendor_id", vendor),
            ("cpu family", "%d" % family),
            ("model", "%d" % model),
            ("model name", model_name),
            ("stepping", "%d" % stepping),
        ]
        if microcode:
            lines.append(("microcode", microcode))
        lines += [
            ("cpu MHz", "%.3f" % mhz),
            ("cache size", "%d KB" % cache_kb),
            ("physical id", "%d" % c.pkg),
            ("siblings", "%d" % cpus_per_pkg),
            ("core id", "%d" % c.core_id),
            ("cpu cores", "%d" % cores_per_pkg),
            ("apicid", "%d" % c.apicid),
            ("initial apicid", "%d" % c.apicid),
            ("fpu", "yes"),
            ("fpu_exception", "yes"),
            ("cpuid level", "%d" % cpuid_level),
            ("wp", "yes"),
            ("flags", flags),
            ("bugs", bugs),
            ("bogomips", "%.2f" % bogomips),
        ]
        if amd_tlb:
            lines.append(("TLB size", amd_tlb))
        lines += [
            ("clflush size", "64"),
            ("cache_alignment", "64"),
            ("address sizes", addr),
            ("power management", ""),
        ]
        out = []
        for k, v in lines:
            if k == "power management":
                out.append("power management:")    # the kernel prints no tab here
                continue
            tabs = "\t\t" if len(k) < 8 else "\t"
            out.append("%s%s: %s" % (k, tabs, v))
        return "\n".join(out) + "\n\n"
    return fn


FLAGS_CLX = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts "
             "acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc art "
             "arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni "
             "pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid "
             "dca sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand "
             "lahf_lm abm 3dnowprefetch cpuid_fault epb cat_l3 cdp_l3 invpcid_single intel_ppin "
             "ssbd mba ibrs ibpb stibp ibrs_enhanced tpr_shadow vnmi flexpriority ept vpid "
             "ept_ad fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid cqm mpx rdt_a avx512f "
             "avx512dq rdseed adx smap clflushopt clwb intel_pt avx512cd avx512bw avx512vl "
             "xsaveopt xsavec xgetbv1 xsaves cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local "
             "dtherm ida arat pln pts pku ospke avx512_vnni md_clear flush_l1d arch_capabilities")
FLAGS_BDX = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts "
             "acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc "
             "arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf pni "
             "pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid "
             "dca sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand "
             "lahf_lm abm 3dnowprefetch cpuid_fault epb cat_l3 cdp_l3 invpcid_single pti "
             "intel_ppin ssbd ibrs ibpb stibp tpr_shadow vnmi flexpriority ept vpid ept_ad "
             "fsgsbase tsc_adjust bmi1 hle avx2 smep bmi2 erms invpcid rtm cqm rdt_a rdseed adx "
             "smap intel_pt xsaveopt cqm_llc cqm_occup_llc cqm_mbm_total cqm_mbm_local dtherm "
             "ida arat pln pts md_clear flush_l1d")
FLAGS_TGL = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts "
             "acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc art "
             "arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf "
             "tsc_known_freq pni pclmulqdq dtes64 monitor ds_cpl vmx est tm2 ssse3 sdbg fma cx16 "
             "xtpr pdcm pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx "
             "f16c rdrand lahf_lm abm 3dnowprefetch cpuid_fault epb cat_l2 invpcid_single cdp_l2 "
             "ssbd ibrs ibpb stibp ibrs_enhanced tpr_shadow vnmi flexpriority ept vpid ept_ad "
             "fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid rdt_a avx512f avx512dq rdseed "
             "adx smap avx512ifma clflushopt clwb intel_pt avx512cd sha_ni avx512bw avx512vl "
             "xsaveopt xsavec xgetbv1 xsaves split_lock_detect dtherm ida arat pln pts hwp "
             "hwp_notify hwp_act_window hwp_epp hwp_pkg_req avx512vbmi umip pku ospke "
             "avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq rdpid "
             "movdiri movdir64b fsrm avx512_vp2intersect md_clear ibt flush_l1d arch_capabilities")
FLAGS_SPR = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts "
             "acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc art "
             "arch_perfmon pebs bts rep_good nopl xtopology nonstop_tsc cpuid aperfmperf "
             "tsc_known_freq pni pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 sdbg fma "
             "cx16 xtpr pdcm pcid dca sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes "
             "xsave avx f16c rdrand lahf_lm abm 3dnowprefetch cpuid_fault epb cat_l3 cat_l2 cdp_l3 "
             "invpcid_single intel_ppin cdp_l2 ssbd mba ibrs ibpb stibp ibrs_enhanced tpr_shadow "
             "vnmi flexpriority ept vpid ept_ad fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms "
             "invpcid cqm rdt_a avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb "
             "intel_pt avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves cqm_llc "
             "cqm_occup_llc cqm_mbm_total cqm_mbm_local split_lock_detect avx_vnni avx512_bf16 "
             "wbnoinvd dtherm ida arat pln pts hfi avx512vbmi umip pku ospke waitpkg avx512_vbmi2 "
             "gfni vaes vpclmulqdq avx512_vnni avx512_bitalg tme avx512_vpopcntdq la57 rdpid "
             "bus_lock_detect cldemote movdiri movdir64b enqcmd fsrm md_clear serialize tsxldtrk "
             "pconfig arch_lbr ibt amx_bf16 avx512_fp16 amx_tile amx_int8 flush_l1d "
             "arch_capabilities")
FLAGS_QEMU_ICX = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush "
                  "mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc arch_perfmon "
                  "rep_good nopl xtopology cpuid tsc_known_freq pni pclmulqdq vmx ssse3 fma cx16 "
                  "pdcm pcid sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave avx "
                  "f16c rdrand hypervisor lahf_lm abm 3dnowprefetch cpuid_fault invpcid_single "
                  "ssbd ibrs ibpb stibp ibrs_enhanced tpr_shadow vnmi flexpriority ept vpid ept_ad "
                  "fsgsbase tsc_adjust bmi1 avx2 smep bmi2 erms invpcid avx512f avx512dq rdseed "
                  "adx smap avx512ifma clflushopt clwb avx512cd sha_ni avx512bw avx512vl xsaveopt "
                  "xsavec xgetbv1 xsaves wbnoinvd arat avx512vbmi umip pku ospke avx512_vbmi2 gfni "
                  "vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq la57 rdpid fsrm "
                  "md_clear arch_capabilities")
FLAGS_MAGNYCOURS = ("fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 "
                    "clflush mmx fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm "
                    "3dnowext 3dnow constant_tsc rep_good nopl nonstop_tsc cpuid extd_apicid "
                    "amd_dcm pni monitor cx16 popcnt lahf_lm cmp_legacy svm extapic cr8_legacy "
                    "abm sse4a misalignsse 3dnowprefetch osvw ibs skinit wdt nodeid_msr hw_pstate "
                    "vmmcall npt lbrv svm_lock nrip_save pausefilter")


def intel_cpus(npkg, cores_per_pkg, threads, node_of_pkg, core_ids, numbering,
               apic_pkg_shift):
    """numbering(pkg, core_index, thread) -> cpu number."""
    cpus = []
    for p in range(npkg):
        for ci, cid in enumerate(core_ids):
            for t in range(threads):
                apic = (p << apic_pkg_shift) | (cid * threads) | t if threads > 1 else (p << apic_pkg_shift) | cid
                cpus.append(Cpu(numbering(p, ci, t), node_of_pkg(p), p, 0, cid, t,
                                apic, apic >> 1 if threads > 1 else apic))
    cpus.sort(key=lambda c: c.cpu)
    assert [c.cpu for c in cpus] == list(range(len(cpus)))
    return cpus


# --------------------------------------------------------------------------
# node trees


def write_nodes(mach, rng, nr_cpu_ids, possible, nodes, dist, cpus,
                has_normal=None, hp=None, zones=None, numastat_scale=None):
    """nodes: {nid: dict(total=kB, free=kB, movable_only=bool)}."""
    base = "sys/devices/system/node/"
    online = sorted(nodes)
    node_cpus = {n: sorted(c.cpu for c in cpus if c.node == n) for n in online}
    memnodes = [n for n in online if nodes[n]["total"] > 0]
    if has_normal is None:
        has_normal = [n for n in memnodes if not nodes[n].get("movable_only")]
    mach.put(base + "possible", cpulist(possible) + "\n")
    mach.put(base + "online", cpulist(online) + "\n")
    mach.put(base + "has_cpu", cpulist([n for n in online if node_cpus[n]]) + "\n")
    mach.put(base + "has_memory", cpulist(memnodes) + "\n")
    mach.put(base + "has_normal_memory", cpulist(has_normal) + "\n")
    mach.put(base + "has_generic_initiator", "\n")
    hp = hp or {}
    zones = zones or {}
    ns = make_numastat(rng, [(n, bool(node_cpus[n]), n in memnodes,
                              (numastat_scale or {}).get(n, 5e6)) for n in online])
    buddy = []
    for n in online:
        d = base + "node%d/" % n
        mach.put(d + "cpulist", cpulist(node_cpus[n]) + "\n")
        mach.put(d + "cpumap", hexmap(node_cpus[n], nr_cpu_ids) + "\n")
        mach.put(d + "distance", " ".join(str(dist[n][m]) for m in online) + "\n")
        h2, h1 = hp.get(n, ((0, 0, 0), (0, 0, 0)))
        m = make_meminfo(rng, nodes[n]["total"], nodes[n]["free"], h2, h1,
                         nodes[n].get("movable_only", False), len(node_cpus[n]))
        mach.put(d + "meminfo", meminfo_text(n, m))
        mach.put(d + "numastat", ns[n])
        if n in memnodes:
            # hugetlb registers its per-node attributes only on N_MEMORY nodes
            for size, (nr, free, surp) in (("2048kB", h2), ("1048576kB", h1)):
                hd = d + "hugepages/hugepages-%s/" % size
                mach.put(hd + "nr_hugepages", "%d\n" % nr)
                mach.put(hd + "free_hugepages", "%d\n" % free)
                mach.put(hd + "surplus_hugepages", "%d\n" % surp)
            # buddyinfo: split MemFree over the node's zones
            pages = nodes[n]["free"] // 4
            zl = zones.get(n, [("Normal", None)])
            fixed = sum(z[1] for z in zl if z[1] is not None)
            for zname, zpages in zl:
                zp = zpages if zpages is not None else pages - fixed
                frag = {"DMA": 1, "DMA32": 40}.get(zname, 600)
                if zname == "DMA":
                    counts = split_buddy(random.Random(n), zp, 1)
                else:
                    counts = split_buddy(rng, zp, frag)
                buddy.append(buddyinfo_line(n, zname, counts))
    mach.put("proc/buddyinfo", "".join(buddy))


def write_power(mach, d):
    mach.put(d + "uevent", "")
    mach.put(d + "power/control", "auto\n")
    mach.put(d + "power/runtime_active_time", "0\n")
    mach.put(d + "power/runtime_status", "unsupported\n")
    mach.put(d + "power/runtime_suspended_time", "0\n")


def write_tiers(mach, tiers):
    base = "sys/devices/virtual/memory_tiering/"
    write_power(mach, base)
    for tid, nodes in tiers:
        d = base + "memory_tier%d/" % tid
        mach.put(d + "nodelist", cpulist(nodes) + "\n")
        write_power(mach, d)


def write_wi(mach, weights, auto_name=None, auto_val=None):
    base = "sys/kernel/mm/mempolicy/weighted_interleave/"
    for n, w in weights:
        mach.put(base + "node%d" % n, "%d\n" % w)
    if auto_name:
        mach.put(base + auto_name, auto_val + "\n")


DMA_PAGES = 3975   # free pages typically left in ZONE_DMA


# --------------------------------------------------------------------------
# machines


def laptop():
    m = Machine("laptop-1n")
    rng = random.Random(1)
    nr = 16
    cpus = intel_cpus(1, 4, 2, lambda p: 0, [0, 1, 2, 3],
                      lambda p, ci, t: ci + 4 * t, 4)
    caches = [
        (0, cache_files(1, "Data", 48, 12), "core", lambda c: c.apicid >> 1),
        (1, cache_files(1, "Instruction", 32, 8), "core", lambda c: c.apicid >> 1),
        (2, cache_files(2, "Unified", 1280, 20), "core", lambda c: c.apicid >> 1),
        (3, cache_files(3, "Unified", 12288, 12), "package", lambda c: c.pkg),
    ]
    build_cpu_sysfs(m, cpus, nr, caches, x86_cpuinfo(
        "GenuineIntel", 6, 140, "11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz", 1,
        "0xb4", 2800.0, 12288, FLAGS_TGL,
        "spectre_v1 spectre_v2 spec_store_bypass swapgs eibrs_pbrsb gds", 5606.40,
        "39 bits physical, 48 bits virtual", 8, 4, 27))
    nodes = {0: dict(total=15972876, free=9876540)}
    write_nodes(m, rng, nr, [0], nodes, {0: {0: 10}}, cpus,
                zones={0: [("DMA", DMA_PAGES), ("DMA32", 512311), ("Normal", None)]},
                numastat_scale={0: 48e6})
    m.readme = (
        "Constructed laptop: one package with 4 cores x 2 SMT threads (Intel Core "
        "i7-1165G7 / Tiger Lake, SMT siblings numbered n and n+4), ~16 GB in a single "
        "NUMA node 0, zones DMA/DMA32/Normal, no hugepages reserved, no memory tiers and "
        "no weighted-interleave directory. nr_cpu_ids is 16 (cpu/possible 0-15, present "
        "0-7), so cpumaps are 16 bits wide (\"00ff\"). It is the degenerate case every "
        "command must handle: a non-NUMA machine where numactl still prints one node and "
        "a 1x1 distance table.")
    return m


def server():
    m = Machine("server-2s-smt")
    rng = random.Random(2)
    nr = 80
    cpus = intel_cpus(2, 16, 2, lambda p: p, list(range(16)),
                      lambda p, ci, t: p * 16 + ci + 32 * t, 6)
    caches = [
        (0, cache_files(1, "Data", 32, 8), "core", lambda c: c.apicid >> 1),
        (1, cache_files(1, "Instruction", 32, 8), "core", lambda c: c.apicid >> 1),
        (2, cache_files(2, "Unified", 1024, 16), "core", lambda c: c.apicid >> 1),
        (3, cache_files(3, "Unified", 22528, 11), "package", lambda c: c.pkg),
    ]
    build_cpu_sysfs(m, cpus, nr, caches, x86_cpuinfo(
        "GenuineIntel", 6, 85, "Intel(R) Xeon(R) Gold 6226R CPU @ 2.90GHz", 7,
        "0x5003604", 2900.0, 22528, FLAGS_CLX,
        "spectre_v1 spectre_v2 spec_store_bypass swapgs taa itlb_multihit mmio_stale_data "
        "retbleed eibrs_pbrsb gds", 5800.0, "46 bits physical, 48 bits virtual", 32, 16, 22))
    # hugepages: node0 2048 x 2M (1536 free) + 8 x 1G (6 free); node1 2048 x 2M all
    # free + 8 x 1G all free
    hp = {0: ((2048, 1536, 0), (8, 6, 0)), 1: ((2048, 2048, 0), (8, 8, 0))}
    nodes = {0: dict(total=263464916, free=229374512),
             1: dict(total=264209372, free=238891076)}
    write_nodes(m, rng, nr, [0, 1], nodes, {0: {0: 10, 1: 21}, 1: {0: 21, 1: 10}}, cpus,
                hp=hp,
                zones={0: [("DMA", DMA_PAGES), ("DMA32", 383427), ("Normal", None)]},
                numastat_scale={0: 912e6, 1: 874e6})
    write_tiers(m, [(4, [0, 1])])
    write_wi(m, [(0, 1), (1, 1)], "auto", "true")
    m.readme = (
        "Constructed two-socket server: 2 x Intel Xeon Gold 6226R, 16 cores x 2 SMT per "
        "socket, 64 CPUs; node 0 = CPUs 0-15,32-47 and node 1 = 16-31,48-63 (SMT siblings n "
        "and n+32, the usual Intel enumeration), distances 10/21, ~251 GiB per node. Node 0 "
        "has 2048 x 2 MiB (1536 free) and 8 x 1 GiB (6 free) hugepages, node 1 2048 x 2 MiB "
        "and 8 x 1 GiB all free; meminfo HugePages_* count only the 2 MiB pool and MemUsed "
        "includes both pools. One memory tier (memory_tier4 = 0-1) and weighted interleave "
        "weights node0=1 node1=1 with the `auto` file = true. nr_cpu_ids is 80, so cpumaps "
        "have a 16-bit leading group (\"0000,0000ffff,0000ffff\"). It is the common "
        "production case and the main fixture for hugepage accounting.")
    return m


def xeon4():
    m = Machine("xeon-4n-seed001")
    rng = random.Random(3)
    nr = 96
    core_ids = [0, 1, 2, 3, 4, 8, 9, 10, 11, 12]
    cpus = intel_cpus(4, 10, 2, lambda p: p, core_ids,
                      lambda p, ci, t: p * 10 + ci + 40 * t, 6)
    caches = [
        (0, cache_files(1, "Data", 32, 8), "core", lambda c: c.apicid >> 1),
        (1, cache_files(1, "Instruction", 32, 8), "core", lambda c: c.apicid >> 1),
        (2, cache_files(2, "Unified", 256, 8), "core", lambda c: c.apicid >> 1),
        (3, cache_files(3, "Unified", 25600, 20), "package", lambda c: c.pkg),
    ]
    build_cpu_sysfs(m, cpus, nr, caches, x86_cpuinfo(
        "GenuineIntel", 6, 79, "Intel(R) Xeon(R) CPU E7-4820 v4 @ 2.00GHz", 1,
        "0xb000040", 2000.0, 25600, FLAGS_BDX,
        "cpu_meltdown spectre_v1 spectre_v2 spec_store_bypass l1tf mds swapgs taa "
        "itlb_multihit mmio_stale_data", 3990.64, "46 bits physical, 48 bits virtual",
        20, 10, 20))
    # MemTotal/MemFree chosen so that kB/1024 floors to the seed's MB values:
    # size 64383/64507/64507/64465 MB, free 62720/62866/62570/63527 MB
    nodes = {0: dict(total=65928284, free=64225436),
             1: dict(total=66055780, free=64375120),
             2: dict(total=66055212, free=64072004),
             3: dict(total=66012536, free=65052208)}
    dist = {i: {j: 10 if i == j else 21 for j in range(4)} for i in range(4)}
    write_nodes(m, rng, nr, [0, 1, 2, 3], nodes, dist, cpus,
                zones={0: [("DMA", DMA_PAGES), ("DMA32", 452118), ("Normal", None)]},
                numastat_scale={0: 31e6, 1: 22e6, 2: 27e6, 3: 12e6})
    m.readme = (
        "Reproduces the `numactl -H` output of a real 4-socket machine from seed 001 "
        "(4 x Intel Xeon E7-4820 v4, 10 cores x 2 SMT each, 80 CPUs; node N = CPUs "
        "10N..10N+9 plus their SMT siblings 40+10N..49+10N; all remote distances 21). "
        "MemTotal/MemFree are chosen so that numactl's kB/1024 rounding gives exactly the "
        "seed's size/free MB; core_ids are non-contiguous within a package "
        "(0-4,8-12) as on real Broadwell-EX parts. nr_cpu_ids is 96 "
        "(\"0000ffff,ffffffff,ffffffff\" width). No hugepages, tiers or weighted interleave. "
        "It anchors numaplace's output to a topology seen in the wild.")
    return m


OPTERON_DIST = [
    [10, 16, 16, 22, 16, 22, 16, 22],
    [16, 10, 22, 16, 22, 16, 22, 16],
    [16, 22, 10, 16, 16, 22, 16, 22],
    [22, 16, 16, 10, 22, 16, 22, 16],
    [16, 22, 16, 22, 10, 16, 16, 22],
    [22, 16, 22, 16, 16, 10, 22, 16],
    [16, 22, 16, 22, 16, 22, 10, 16],
    [22, 16, 22, 16, 22, 16, 16, 10],
]


def opteron():
    m = Machine("opteron-8n")
    rng = random.Random(4)
    nr = 64
    cpus = []
    for node in range(8):
        pkg = node // 2
        for k in range(6):
            cpu = node * 6 + k
            apic = 16 + pkg * 16 + (node % 2) * 6 + k   # BSP apic ids start at 16
            # fam10h multi-node: die_id = node id (MSR_FAM10H_NODE_ID), core_id is
            # reduced modulo cores-per-node; no L2 cluster on AMD (65535)
            cpus.append(Cpu(cpu, node, pkg, node, k, 0, apic, 65535))
    caches = [
        (0, cache_files(1, "Data", 64, 2), "core", lambda c: c.apicid),
        (1, cache_files(1, "Instruction", 64, 2), "core", lambda c: c.apicid),
        (2, cache_files(2, "Unified", 512, 16), "core", lambda c: c.apicid),
        (3, cache_files(3, "Unified", 5118, 48), "die", lambda c: c.die),
    ]
    build_cpu_sysfs(m, cpus, nr, caches, x86_cpuinfo(
        "AuthenticAMD", 16, 9, "AMD Opteron(tm) Processor 6164 HE", 1,
        "0x10000d9", 1700.0, 512, FLAGS_MAGNYCOURS,
        "tlb_mmatch apic_c1e fxsave_leak sysret_ss_attrs null_seg spectre_v1 spectre_v2",
        3400.15, "48 bits physical, 48 bits virtual", 12, 12, 5, amd_tlb="1024 4K pages"))
    nodes = {}
    for n in range(8):
        total = 16370412 if n == 0 else 16515072 - 4 * rng.randrange(0, 300)
        free = round4(total * rng.uniform(0.70, 0.90))
        nodes[n] = dict(total=total, free=free)
    hp = {1: ((512, 384, 0), (0, 0, 0)), 6: ((256, 256, 0), (0, 0, 0))}
    dist = {i: {j: OPTERON_DIST[i][j] for j in range(8)} for i in range(8)}
    write_nodes(m, rng, nr, list(range(8)), nodes, dist, cpus, hp=hp,
                zones={0: [("DMA", DMA_PAGES), ("DMA32", 611202), ("Normal", None)]},
                numastat_scale={n: 4e6 + n * 1.7e6 for n in range(8)})
    m.readme = (
        "Constructed 4-socket AMD Opteron 6164 HE (Magny-Cours) box: each package holds two "
        "dies, each die is a NUMA node with 6 cores (no SMT) and its own 5118K L3, giving 8 "
        "nodes and 48 CPUs (node N = CPUs 6N..6N+5). Distances are 10 local, 16 for one "
        "HyperTransport hop and 22 for two, in the symmetric pattern of a 4P G34 board. As "
        "on a real fam10h kernel, die_id equals the node id and core_id restarts at 0 on "
        "each die, so (package, core_id) is not unique; cluster_id is 65535. A few 2 MiB "
        "hugepages on nodes 1 and 6. It exercises many nodes, non-uniform distances and "
        "two NUMA nodes per package.")
    return m


def cxl():
    m = Machine("cxl-memonly")
    rng = random.Random(5)
    nr = 48
    cpus = intel_cpus(2, 8, 2, lambda p: p, list(range(8)),
                      lambda p, ci, t: p * 8 + ci + 16 * t, 7)
    caches = [
        (0, cache_files(1, "Data", 48, 12), "core", lambda c: c.apicid >> 1),
        (1, cache_files(1, "Instruction", 32, 8), "core", lambda c: c.apicid >> 1),
        (2, cache_files(2, "Unified", 2048, 16), "core", lambda c: c.apicid >> 1),
        (3, cache_files(3, "Unified", 23040, 15), "package", lambda c: c.pkg),
    ]
    build_cpu_sysfs(m, cpus, nr, caches, x86_cpuinfo(
        "GenuineIntel", 6, 143, "Intel(R) Xeon(R) Gold 6434", 8,
        "0x2b0004b1", 3700.0, 23040, FLAGS_SPR,
        "spectre_v1 spectre_v2 spec_store_bypass swapgs eibrs_pbrsb", 7400.0,
        "46 bits physical, 57 bits virtual", 16, 8, 32))
    nodes = {0: dict(total=131450212, free=118772340),
             1: dict(total=132069604, free=125309988),
             2: dict(total=134217728, free=131626452, movable_only=True)}
    dist = {0: {0: 10, 1: 21, 2: 14}, 1: {0: 21, 1: 10, 2: 24}, 2: {0: 14, 1: 24, 2: 10}}
    hp = {2: ((1024, 1024, 0), (0, 0, 0))}
    write_nodes(m, rng, nr, [0, 1, 2], nodes, dist, cpus, hp=hp,
                zones={0: [("DMA", DMA_PAGES), ("DMA32", 429561), ("Normal", None)],
                       2: [("Movable", None)]},
                numastat_scale={0: 402e6, 1: 377e6, 2: 9e6})
    write_tiers(m, [(4, [0, 1]), (22, [2])])
    write_wi(m, [(0, 4), (1, 4), (2, 1)], "__auto_type", "true")
    m.readme = (
        "Constructed 2-socket Intel Xeon Gold 6434 (Sapphire Rapids) host, 8 cores x 2 SMT "
        "per socket (node 0 = CPUs 0-7,16-23, node 1 = 8-15,24-31), plus node 2: a 128 GiB "
        "CXL Type-3 memory expander with memory but NO CPUs (empty cpulist, all-zero cpumap; "
        "has_cpu = 0-1, has_memory = 0-2, has_normal_memory = 0-1 because the expander is "
        "onlined as ZONE_MOVABLE only). Distances 0-1 10/21, to node 2: 14 from node 0 and "
        "24 from node 1. Node 2's buddyinfo has a single Movable zone and its meminfo has no "
        "slab/kernel stack/page tables; it holds 1024 x 2 MiB hugepages. Memory tiers "
        "memory_tier4 = 0-1 and memory_tier22 = 2; weighted interleave node0=4 node1=4 "
        "node2=1 with the auto switch under the kernel-quirk name `__auto_type`. "
        "nr_cpu_ids is 48. It is the fixture for CPU-less nodes and tiering.")
    return m


def sparse():
    m = Machine("sparse-025")
    rng = random.Random(6)
    nr = 28
    node_of = [0, 2, 5]
    cpus = intel_cpus(3, 4, 2, lambda p: node_of[p], [0, 1, 2, 3],
                      lambda p, ci, t: p * 8 + ci * 2 + t, 3)
    caches = [
        (0, cache_files(1, "Data", 32, 8), "core", lambda c: c.apicid >> 1),
        (1, cache_files(1, "Instruction", 32, 8), "core", lambda c: c.apicid >> 1),
        (2, cache_files(2, "Unified", 4096, 16), "core", lambda c: c.apicid >> 1),
        (3, cache_files(3, "Unified", 16384, 16), "package", lambda c: c.pkg),
    ]
    build_cpu_sysfs(m, cpus, nr, caches, x86_cpuinfo(
        "GenuineIntel", 6, 106, "Intel Xeon Processor (Icelake)", 0,
        "0x1", 2394.374, 16384, FLAGS_QEMU_ICX,
        "spectre_v1 spectre_v2 spec_store_bypass swapgs", 4788.74,
        "46 bits physical, 57 bits virtual", 8, 4, 13))
    nodes = {0: dict(total=16356980, free=14021508),
             2: dict(total=16480948, free=13920148),
             5: dict(total=0, free=0)}
    dist = {0: {0: 10, 2: 16, 5: 22}, 2: {0: 16, 2: 10, 5: 16}, 5: {0: 22, 2: 16, 5: 10}}
    hp = {0: ((256, 200, 0), (0, 0, 0)), 2: ((0, 0, 0), (2, 1, 0))}
    write_nodes(m, rng, nr, list(range(8)), nodes, dist, cpus, hp=hp,
                zones={0: [("DMA", DMA_PAGES), ("DMA32", 498302), ("Normal", None)]},
                numastat_scale={0: 7.3e6, 2: 5.1e6})
    write_tiers(m, [(4, [0, 2])])
    m.readme = (
        "Constructed QEMU/KVM guest (\"Intel Xeon Processor (Icelake)\", 3 sockets x 4 cores "
        "x 2 threads, 24 CPUs numbered socket-major with SMT siblings adjacent) whose NUMA "
        "node ids are sparse: possible 0-7, online 0,2,5. Node 0 (CPUs 0-7) and node 2 "
        "(8-15) have ~16 GB each; node 5 (CPUs 16-23) is a memoryless node WITH CPUs "
        "(MemTotal 0, no buddyinfo lines, no hugepages directory since hugetlb registers "
        "per-node attributes only on N_MEMORY nodes, all-zero numastat; has_memory = 0,2). "
        "Every distance row has 3 entries (10 16 22 / 16 10 16 / 22 16 10, a chain 0-2-5). Hugepages: "
        "node 0 256 x 2 MiB (200 free), node 2 2 x 1 GiB (1 free); memory_tier4 = 0,2. "
        "nr_cpu_ids is 28, so cpumaps are a single 7-digit group. It catches code that "
        "assumes node ids are 0..N-1 or that every node has memory.")
    return m

# --------------------------------------------------------------------------
# Real machines' sysfs (issue 12): the shapes of older and non-NUMA kernels.
# Each machine below has one quirk; the rest is kept small.  The node files
# are written by write_nodes_quirky(), not write_nodes(), so the machines
# above stay byte-identical.

# Node meminfo of 2.6.18 (drivers/base/node.c node_read_meminfo()).
MEMINFO_2618 = [
    ("MemTotal:     ", "MemTotal"), ("MemFree:      ", "MemFree"),
    ("MemUsed:      ", "MemUsed"), ("Active:       ", "Active"),
    ("Inactive:     ", "Inactive"), ("HighTotal:    ", "HighTotal"),
    ("HighFree:     ", "HighFree"), ("LowTotal:     ", "LowTotal"),
    ("LowFree:      ", "LowFree"), ("Dirty:        ", "Dirty"),
    ("Writeback:    ", "Writeback"), ("FilePages:    ", "FilePages"),
    ("Mapped:       ", "Mapped"), ("AnonPages:    ", "AnonPages"),
    ("PageTables:   ", "PageTables"), ("NFS_Unstable: ", "NFS_Unstable"),
    ("Bounce:       ", "Bounce"), ("Slab:         ", "Slab"),
]

# Node meminfo of 2.6.32 (the same function, eight years later).
MEMINFO_2632 = [
    ("MemTotal:       ", "MemTotal"), ("MemFree:        ", "MemFree"),
    ("MemUsed:        ", "MemUsed"), ("Active:         ", "Active"),
    ("Inactive:       ", "Inactive"), ("Active(anon):   ", "Active(anon)"),
    ("Inactive(anon): ", "Inactive(anon)"), ("Active(file):   ", "Active(file)"),
    ("Inactive(file): ", "Inactive(file)"), ("Unevictable:    ", "Unevictable"),
    ("Mlocked:        ", "Mlocked"), ("Dirty:          ", "Dirty"),
    ("Writeback:      ", "Writeback"), ("FilePages:      ", "FilePages"),
    ("Mapped:         ", "Mapped"), ("AnonPages:      ", "AnonPages"),
    ("Shmem:          ", "Shmem"), ("KernelStack:    ", "KernelStack"),
    ("PageTables:     ", "PageTables"), ("NFS_Unstable:   ", "NFS_Unstable"),
    ("Bounce:         ", "Bounce"), ("WritebackTmp:   ", "WritebackTmp"),
    ("Slab:           ", "Slab"), ("SReclaimable:   ", "SReclaimable"),
    ("SUnreclaim:     ", "SUnreclaim"),
]


def meminfo_fields(nid, m, fields, hugepages=True, surp=True, drop=()):
    out = []
    for label, key in fields:
        if key not in drop:
            out.append("Node %d %s%8d kB\n" % (nid, label, m.get(key, 0)))
    if hugepages:
        out.append("Node %d HugePages_Total: %5d\n" % (nid, 0))
        out.append("Node %d HugePages_Free:  %5d\n" % (nid, 0))
        if surp:
            out.append("Node %d HugePages_Surp:  %5d\n" % (nid, 0))
    return "".join(out)


def simple_meminfo(rng, total_kb, free_kb):
    m = make_meminfo(rng, total_kb, free_kb, (0, 0, 0), (0, 0, 0))
    m["LowTotal"], m["LowFree"] = total_kb, free_kb
    return m


def simple_cpus(mach, packages, nr_cpu_ids, threads=1, cpuinfo=True):
    """A small cpu/ tree: packages is a list of CPU lists (one package
    each, SMT siblings adjacent when threads is 2), no caches."""
    base = "sys/devices/system/cpu/"
    ids = sorted(c for p in packages for c in p)
    mach.put(base + "possible", cpulist(range(nr_cpu_ids)) + "\n")
    mach.put(base + "present", cpulist(ids) + "\n")
    mach.put(base + "online", cpulist(ids) + "\n")
    mach.put(base + "kernel_max", "%d\n" % (max(nr_cpu_ids, 64) - 1))
    info = {}
    for pkg, cpus in enumerate(packages):
        cpus = sorted(cpus)
        for k, c in enumerate(cpus):
            sib = cpus[k - k % threads:k - k % threads + threads]
            info[c] = (pkg, k // threads)
            t = base + "cpu%d/topology/" % c
            mach.put(t + "physical_package_id", "%d\n" % pkg)
            mach.put(t + "core_id", "%d\n" % (k // threads))
            for fname, st in (("thread_siblings", sib), ("core_siblings", cpus)):
                mach.put(t + fname, hexmap(st, nr_cpu_ids) + "\n")
                mach.put(t + fname + "_list", cpulist(st) + "\n")
    if cpuinfo:
        mach.put("proc/cpuinfo", "".join(
            "processor\t: %d\nvendor_id\t: GenuineIntel\nphysical id\t: %d\n"
            "core id\t\t: %d\n\n" % (c, info[c][0], info[c][1]) for c in ids))
    mach.put("proc/hwloc-nofile-info",
             "OSName: Linux\nOSRelease: %s\nArchitecture: x86_64\n"
             "FallbackNbProcessors: %d\nPageSize: 4096\n"
             % (mach.release, len(ids)))


def write_nodes_quirky(mach, rng, nr_cpu_ids, nodes, dist, node_cpus, q):
    """nodes: {nid: (total_kB, free_kB)}, dist: {nid: [row entries]}.

    q (the machine's quirks):
      fields      meminfo layout (MEMINFO_KB_FIELDS, MEMINFO_2618, ...)
      cpulist     write nodeN/cpulist (False: cpumap only, before 2.6.26)
      states      node state files to write, or () for none (before 2.6.23)
      nul         end the state masks, cpulist and cpumap in "\n\0"
      has_cpu     text of has_cpu instead of the real list
      drop        meminfo fields left out ("MemFree")
      hugepages   write nodeN/hugepages/ (2.6.31 and later)
      possible    the possible node ids
      no_dir      online node ids that get no node directory
      distance    {nid: text} overriding the distance file
    """
    base = "sys/devices/system/node/"
    online = sorted(nodes)
    tail = "\n\0" if q.get("nul") else "\n"
    state = {
        "possible": q.get("possible", online),
        "online": online,
        "has_normal_memory": [n for n in online if nodes[n][0] > 0],
        "has_memory": [n for n in online if nodes[n][0] > 0],
        "has_cpu": [n for n in online if node_cpus.get(n)],
    }
    for name in q.get("states", ("possible", "online", "has_normal_memory",
                                 "has_memory", "has_cpu")):
        text = cpulist(state[name]) + tail
        if name == "has_cpu" and "has_cpu" in q:
            text = q["has_cpu"]
        mach.put(base + name, text)
    fields = q.get("fields", MEMINFO_KB_FIELDS)
    names = ["numa_hit", "numa_miss", "numa_foreign", "interleave_hit",
             "local_node", "other_node"]
    buddy = []
    for n in online:
        if n in q.get("no_dir", ()):
            continue
        d = base + "node%d/" % n
        cpus = node_cpus.get(n, [])
        if q.get("cpulist", True):
            mach.put(d + "cpulist", cpulist(cpus) + tail)
        mach.put(d + "cpumap", hexmap(cpus, nr_cpu_ids) + tail)
        mach.put(d + "distance", q.get("distance", {}).get(
            n, " ".join(str(x) for x in dist[n]) + "\n"))
        total, free = nodes[n]
        m = simple_meminfo(rng, total, free)
        mach.put(d + "meminfo", meminfo_fields(
            n, m, fields, surp=fields is not MEMINFO_2618, drop=q.get("drop", ())))
        hit = int(rng.uniform(2e6, 9e6))
        other = int(hit * rng.uniform(0.01, 0.05))
        mach.put(d + "numastat", "".join("%s %d\n" % (k, v) for k, v in zip(
            names, [hit, 0, 0, int(rng.uniform(1500, 9000)), hit - other, other])))
        if q.get("hugepages", True) and total:
            for size in ("2048kB", "1048576kB"):
                hd = d + "hugepages/hugepages-%s/" % size
                for f in ("nr_hugepages", "free_hugepages", "surplus_hugepages"):
                    mach.put(hd + f, "0\n")
        if total:
            zl = [("DMA", DMA_PAGES), ("Normal", None)] if n == online[0] else [("Normal", None)]
            fixed = sum(z[1] for z in zl if z[1] is not None)
            for zname, zp in zl:
                pages = zp if zp is not None else free // 4 - fixed
                buddy.append(buddyinfo_line(n, zname, split_buddy(rng, pages, 300)))
    mach.put("proc/buddyinfo", "".join(buddy))


def quirky_machine(name, release, seed, nr_cpu_ids, node_cpus, nodes, dist, q,
                   readme):
    m = Machine(name)
    m.release = release
    rng = random.Random(seed)
    simple_cpus(m, [node_cpus[n] for n in sorted(node_cpus)], nr_cpu_ids,
                q.get("threads", 1))
    write_nodes_quirky(m, rng, nr_cpu_ids, nodes, dist, node_cpus, q)
    m.readme = readme
    return m


def two_nodes(d=21):
    return {0: [10, d], 1: [d, 10]}


def cpumap_only():
    return quirky_machine(
        "cpumap-only-2618", "2.6.18-419.el5", 11, 64,
        {0: [0, 2, 4, 6], 1: [1, 3, 5, 7]},
        {0: (8387124, 6113408), 1: (8388608, 7102264)}, two_nodes(20),
        dict(fields=MEMINFO_2618, cpulist=False, states=(), hugepages=False),
        "A 2.6.18 kernel (RHEL 5 era), two sockets of 4 cores with the CPUs "
        "interleaved between the nodes (node 0 = 0,2,4,6). Node directories have "
        "cpumap but NO cpulist (cpulist came in 2.6.26), no node state masks "
        "(possible/online/has_* came in 2.6.23), no hugepages directories (2.6.31) "
        "and the 2.6.18 meminfo layout (no HugePages_Surp). cpumap is "
        "cpumask_scnprintf() of NR_CPUS=64 bits: \"00000000,00000055\". numactl "
        "reads only cpumap; numaplace must too.")


def nul_tail():
    return quirky_machine(
        "nul-2632", "2.6.32-754.el6.x86_64", 12, 32,
        {0: [0, 1, 2, 3], 1: [4, 5, 6, 7]},
        {0: (16651840, 12903444), 1: (16777216, 14522716)}, two_nodes(),
        dict(fields=MEMINFO_2632, nul=True,
             states=("possible", "online", "has_normal_memory", "has_cpu")),
        "A 2.6.32 kernel (RHEL 6 era), 2 nodes of 4 CPUs. The node state masks "
        "(possible, online, has_normal_memory, has_cpu; has_memory did not exist "
        "yet) end in \"\\n\\0\": print_nodes_state() of 2.6.23 to 3.2 "
        "(drivers/base/node.c) wrote the newline and a NUL and counted both in "
        "the length it returned, so the NUL is part of the file. cpulist and "
        "cpumap are given the same tail, as the captures the issue reports had "
        "it there too. numactl reads neither the masks nor cpulist, and stops "
        "at the newline of cpumap.")


def no_numa():
    m = Machine("no-numa")
    m.release = "5.10.0-28-amd64"
    simple_cpus(m, [range(4)], 4, threads=2)
    m.put("proc/meminfo",
          "MemTotal:        8039532 kB\n"
          "MemFree:         5207848 kB\n"
          "MemAvailable:    6935412 kB\n"
          "Buffers:          120916 kB\n"
          "Cached:          1729788 kB\n"
          "SwapCached:            0 kB\n"
          "Active:          1016280 kB\n"
          "Inactive:        1397400 kB\n"
          "HugePages_Total:       0\n"
          "HugePages_Free:        0\n"
          "HugePages_Rsvd:        0\n"
          "HugePages_Surp:        0\n"
          "Hugepagesize:       2048 kB\n"
          "Hugetlb:               0 kB\n")
    rng = random.Random(13)
    pages = 5207848 // 4
    m.put("proc/buddyinfo", buddyinfo_line(0, "DMA", split_buddy(rng, DMA_PAGES, 1))
          + buddyinfo_line(0, "Normal", split_buddy(rng, pages - DMA_PAGES, 300)))
    m.readme = (
        "A kernel built without CONFIG_NUMA (a small VM or an embedded board): "
        "4 CPUs (2 cores x 2 SMT) and 8 GB, and NO sys/devices/system/node at all; "
        "/proc/buddyinfo still says \"Node 0\". numactl -H prints \"No NUMA "
        "available on this system\" and exits 1 (numactl.c hardware(), because "
        "get_mempolicy() fails with ENOSYS). The oracle reproduces that by "
        "running the real numactl with those system calls refused with ENOSYS "
        "(tests/oracle/numa-syscalls-refused.c) and the dump's sys/devices/system "
        "mounted over the host's.")
    return m


def nodist_zero():
    return quirky_machine(
        "nodist-0", "4.19.0-27-arm64", 14, 8,
        {0: [0, 1, 2, 3], 1: [4, 5, 6, 7]},
        {0: (33417212, 30101112), 1: (33554432, 31987004)},
        {0: [0, 0], 1: [0, 0]}, {},
        "Two nodes whose firmware gave no distance table: every entry of every "
        "distance file is 0 (node_read_distance() prints one entry per online "
        "node, so \"0 0\"). numactl -H prints \"No distance information "
        "available.\" (numa_distance() of the last node to the first is 0); "
        "numaplace's JSON has \"distances\": null. The unit tests also cover a "
        "lone \"0\".")


def no_memfree():
    return quirky_machine(
        "no-memfree", "3.0.101-63-default", 15, 16,
        {0: [0, 1, 2, 3], 1: [4, 5, 6, 7]},
        {0: (16651840, 12903444), 1: (16777216, 14522716)}, two_nodes(),
        dict(drop=("MemFree",)),
        "Two nodes whose meminfo has no MemFree line (as in captures the issue "
        "reports). numactl prints \"node N free: <not available>\" "
        "(numa_node_size64() leaves the free size at -1, and warns on stderr); "
        "numaplace's JSON has \"free_bytes\": null.")


def has_cpu_empty():
    return quirky_machine(
        "hascpu-empty-310", "3.10.0-1160.el7.x86_64", 16, 16,
        {0: [0, 1, 2, 3, 8, 9, 10, 11], 1: [4, 5, 6, 7, 12, 13, 14, 15]},
        {0: (32795900, 27110636), 1: (33554432, 30010944)}, two_nodes(),
        dict(has_cpu="\n", threads=2),
        "A 3.10 kernel (RHEL 7 era), 2 nodes of 4 cores x 2 SMT, whose has_cpu "
        "file is empty although both nodes have CPUs (as some 3.10 kernels "
        "print it). numactl ignores has_cpu; numaplace believes the node's own "
        "CPU list and never calls these nodes \"memory only\".")


def offline_node():
    return quirky_machine(
        "offline-node", "5.14.0-362.el9.x86_64", 17, 16,
        {0: [0, 1, 2, 3], 1: [4, 5, 6, 7], 3: [8, 9, 10, 11]},
        {0: (16651840, 12903444), 1: (16777216, 14522716),
         2: (8388608, 8001112), 3: (16777216, 15110004)},
        {0: [10, 16, 22, 16], 1: [16, 10, 16, 22], 3: [16, 22, 16, 10]},
        dict(no_dir=(2,), possible=range(4)),
        "Four online nodes (online = 0-3, and every distance row has 4 entries, "
        "one per online node as node_read_distance() prints them) but only three "
        "node directories: node 2 (8 GiB, no CPUs) is online without one. "
        "numactl -H cannot be the oracle here: its parse_numbers() skips the "
        "missing node's id but not its column, so it shifts node 3's distances "
        "(and writes the last row past its table). The expected text is "
        "therefore written by hand, in topo-by-hand.txt (not topo.txt, which the "
        "generic loops compare with numactl), in numactl's layout: the nodes that "
        "have a directory, each row's columns matched to nodes through the online "
        "mask; what numactl really prints is kept in numactl-H.txt. See "
        "numactl-differs.")


def wide_1023():
    node_cpus = {0: [0, 1, 2, 3], 5: [4096, 4097], 512: [6000, 6001, 6002, 6003],
                 1023: [8188, 8189, 8190, 8191]}
    ids = sorted(node_cpus)
    dist = {a: [10 if a == b else 20 + (abs(a - b) > 600) * 10 for b in ids]
            for a in ids}
    return quirky_machine(
        "wide-1023", "6.6.0-0.deb12", 18, 8192, node_cpus,
        {0: (16651840, 12903444), 5: (16777216, 14522716),
         512: (16777216, 16001112), 1023: (16777216, 15110004)},
        dist, dict(possible=range(1024)),
        "Node ids 0, 5, 512 and 1023 (possible 0-1023, CONFIG_NODES_SHIFT=10) "
        "with cpumaps of nr_cpu_ids = 8192 bits (256 groups of 8 hex digits) "
        "and CPUs up to 8191. numactl sizes its CPU masks from the host kernel's "
        "sched_getaffinity() (tests/oracle/numactl-h.sh adds an LD_PRELOAD shim "
        "when the host's mask is narrower than 8192 bits).")


QUIRKY = (cpumap_only, nul_tail, no_numa, nodist_zero, no_memfree,
          has_cpu_empty, offline_node, wide_1023)


def main():
    for fn in (laptop, server, xeon4, opteron, cxl, sparse):
        mach = fn()
        mach.write(DUMPS)
        with open(os.path.join(DUMPS, mach.name, "README"), "w") as f:
            f.write(mach.readme + " Files follow Linux 6.1 formats; generated by "
                    "tests/dumps/gen/gen_dumps.py, with hwloc.xml (hwloc 2.9) and topo.txt "
                    "(numactl 2.0.16 -H) produced from this tree by tests/dumps/gen/regen.sh.\n")
        print("wrote %s (%d files)" % (mach.name, len(mach.files)))
    for fn in QUIRKY:
        mach = fn()
        mach.write(DUMPS)
        with open(os.path.join(DUMPS, mach.name, "README"), "w") as f:
            f.write(mach.readme + " Kernel release modelled: %s. Generated by "
                    "tests/dumps/gen/gen_dumps.py (CPU files kept minimal: no "
                    "caches); hwloc.xml (hwloc 2.9) and topo.txt (numactl 2.0.16 -H) "
                    "produced from this tree by tests/dumps/gen/regen.sh.\n" % mach.release)
        print("wrote %s (%d files)" % (mach.name, len(mach.files)))


if __name__ == "__main__":
    main()
