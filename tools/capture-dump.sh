#!/bin/sh
# capture-dump.sh [OUTDIR]
#
# Capture this machine's NUMA topology into a directory laid out like
# numaplace's test fixtures (tests/dumps/<machine>/), so that numaplace can
# read it later with --sysroot OUTDIR, and a bug report can include it.
#
# It copies (with cat, one file at a time: sysfs files all claim a size of
# 4096 bytes, so cp -r would not do) the files that exist and are readable:
#   sys/devices/system/node/{possible,online,has_*}
#   sys/devices/system/node/nodeN/{cpulist,cpumap,distance,meminfo,numastat}
#   sys/devices/system/node/nodeN/hugepages/hugepages-*/{nr,free,surplus}_hugepages
#   sys/devices/system/node/nodeN/access{0,1}/initiators/* and memory_side_cache/*
#   sys/devices/system/cpu/{possible,present,online,offline,kernel_max}
#   sys/devices/system/cpu/cpuN/topology/*, cpuN/cache/indexK/*,
#     cpuN/cpu_capacity, cpuN/cpufreq/{cpuinfo_max_freq,base_frequency}
#   sys/devices/virtual/memory_tiering/**      (memory tiers)
#   sys/kernel/mm/mempolicy/weighted_interleave/*
#   proc/buddyinfo, proc/cpuinfo, proc/meminfo
# and writes proc/hwloc-nofile-info (OS name/release/arch, no host name) so
# that hwloc can read the dump with HWLOC_FSROOT=OUTDIR.
# If available it also saves `lstopo-no-graphics --of xml` as hwloc.xml and
# `numactl -H` as topo.txt (both taken from the live machine).
#
# Unreadable files are skipped silently. Nothing outside OUTDIR is modified.
# Default OUTDIR: ./numaplace-dump-<hostname>-<date>.
#
# NUMAPLACE_CAPTURE_ROOT=DIR reads from DIR instead of / (for testing the
# script on an existing dump); hwloc.xml and topo.txt are then not produced.
set -u

root=${NUMAPLACE_CAPTURE_ROOT:-/}
root=${root%/}
host=$(uname -n 2>/dev/null || echo host)
out=${1:-./numaplace-dump-$host-$(date +%Y%m%d-%H%M%S)}

if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
	echo "capture-dump.sh: $out exists and is not empty; give a new directory" >&2
	exit 1
fi
mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd -P)

# copy REL: $root/REL -> $out/REL, if it is a readable regular file
copy() {
	src="$root/$1"
	[ -f "$src" ] || return 0
	[ -L "$src" ] && return 0
	dst="$out/$1"
	mkdir -p "${dst%/*}" || return 0
	cat "$src" >"$dst" 2>/dev/null || rm -f "$dst"
}

# copy_dir REL: every regular file below $root/REL (not following symlinks)
copy_dir() {
	[ -d "$root/$1" ] || return 0
	find "$root/$1" -type f 2>/dev/null | while IFS= read -r f; do
		copy "${f#"$root"/}"
	done
}

# copy_links REL: entries of a directory; symlinks are recreated as symlinks
# (sysfs access*/initiators/nodeN point to other node directories)
copy_links() {
	d="$root/$1"
	[ -d "$d" ] || return 0
	for e in "$d"/*; do
		[ -e "$e" ] || [ -L "$e" ] || continue
		name=${e##*/}
		if [ -L "$e" ]; then
			mkdir -p "$out/$1"
			ln -s "$(readlink "$e")" "$out/$1/$name" 2>/dev/null || true
		elif [ -f "$e" ]; then
			copy "$1/$name"
		fi
	done
}

# ---- NUMA nodes
n=sys/devices/system/node
for f in possible online has_cpu has_memory has_normal_memory has_generic_initiator; do
	copy "$n/$f"
done
for d in "$root/$n"/node[0-9]*; do
	[ -d "$d" ] || continue
	nd=$n/${d##*/}
	for f in cpulist cpumap distance meminfo numastat; do
		copy "$nd/$f"
	done
	for h in "$d"/hugepages/hugepages-*; do
		[ -d "$h" ] || continue
		for f in nr_hugepages free_hugepages surplus_hugepages; do
			copy "$nd/hugepages/${h##*/}/$f"
		done
	done
	for a in access0 access1; do
		copy_links "$nd/$a/initiators"
	done
	copy_dir "$nd/memory_side_cache"
done

# ---- CPUs
c=sys/devices/system/cpu
for f in possible present online offline kernel_max; do
	copy "$c/$f"
done
for d in "$root/$c"/cpu[0-9]*; do
	[ -d "$d" ] || continue
	cd_=$c/${d##*/}
	for f in "$d"/topology/*; do
		[ -f "$f" ] && copy "$cd_/topology/${f##*/}"
	done
	for i in "$d"/cache/index[0-9]*; do
		[ -d "$i" ] || continue
		for f in level type size coherency_line_size ways_of_associativity \
			number_of_sets physical_line_partition shared_cpu_list \
			shared_cpu_map id allocation_policy write_policy; do
			copy "$cd_/cache/${i##*/}/$f"
		done
	done
	copy "$cd_/cpu_capacity"
	copy "$cd_/cpufreq/cpuinfo_max_freq"
	copy "$cd_/cpufreq/base_frequency"
done

# ---- memory tiers, weighted interleave
copy_dir sys/devices/virtual/memory_tiering
copy_dir sys/kernel/mm/mempolicy/weighted_interleave

# ---- procfs
for f in buddyinfo cpuinfo meminfo; do
	copy "proc/$f"
done

if [ ! -d "$out/$n" ] && [ ! -d "$out/$c" ]; then
	echo "capture-dump.sh: nothing found under $root/$n and $root/$c (not Linux?)" >&2
fi

# ---- hwloc's description of this (non-live) root: no host name on purpose
if [ "$root" = "" ]; then
	mkdir -p "$out/proc"
	{
		echo "OSName: $(uname -s)"
		echo "OSRelease: $(uname -r)"
		echo "OSVersion: $(uname -v)"
		echo "Architecture: $(uname -m)"
		echo "FallbackNbProcessors: $(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)"
		echo "PageSize: $(getconf PAGESIZE 2>/dev/null || echo 4096)"
	} >"$out/proc/hwloc-nofile-info" 2>/dev/null || true
else
	copy proc/hwloc-nofile-info
fi

# ---- live tools (only when capturing the running machine)
if [ "$root" = "" ]; then
	if command -v lstopo-no-graphics >/dev/null 2>&1; then
		if lstopo-no-graphics --of xml - >"$out/hwloc.xml" 2>/dev/null; then
			echo "capture-dump.sh: hwloc.xml written (it contains this host's name; edit if needed)"
		else
			rm -f "$out/hwloc.xml"
			echo "capture-dump.sh: lstopo-no-graphics failed; no hwloc.xml" >&2
		fi
	else
		echo "capture-dump.sh: lstopo-no-graphics not installed (package hwloc); no hwloc.xml"
	fi
	if command -v numactl >/dev/null 2>&1; then
		numactl -H >"$out/topo.txt" 2>/dev/null || {
			rm -f "$out/topo.txt"
			echo "capture-dump.sh: numactl -H failed; no topo.txt" >&2
		}
	else
		echo "capture-dump.sh: numactl not installed; no topo.txt"
	fi
fi

nfiles=$(find "$out" -type f | wc -l)
parent=$(dirname "$out")
base=$(basename "$out")
echo "capture-dump.sh: wrote $nfiles files to $out"
echo "To share it:  tar czf $base.tar.gz -C $parent $base"
