/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Text views of the topology.  The first part reproduces numactl -H
 * (numactl.c hardware() of 2.0.16) byte for byte, quirks included: users'
 * eyes and scripts know that layout.
 */
#include "topo/topo-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/units.h>

#include "util/util-strbuf.h"

/*
 * numactl's "available: N nodes (...)" list: runs are written "a-b",
 * single ids ",c".  Its loop has one quirk we keep: a run is closed only
 * when a gap follows or at the highest node.
 */
static void numactl_available(struct strbuf *sb, const struct np_topo *t)
{
	long prev = -1;
	bool skip = false;
	unsigned maxnode = t->nodes[t->nnodes - 1].id;

	sb_printf(sb, "available: %zu nodes (", t->nnodes);
	for (size_t k = 0; k < t->nnodes; k++) {
		long i = (long)t->nodes[k].id;

		if (prev == -1) {
			sb_printf(sb, "%ld", i);
			prev = i;
			continue;
		}
		if (i > prev + 1) {
			if (skip) {
				sb_printf(sb, "%ld", prev);
				skip = false;
			}
			sb_printf(sb, ",%ld", i);
			prev = i;
			continue;
		}
		if (!skip) {
			sb_puts(sb, "-");
			skip = true;
		}
		prev = i;
		if ((unsigned long)i == maxnode && skip)
			sb_printf(sb, "%ld", prev);
	}
	sb_puts(sb, ")\n");
}

/* numactl prints byte counts >> 20 as "MB", or "<not available>". */
static void numactl_mem(struct strbuf *sb, uint64_t bytes)
{
	if (bytes == NP_UNKNOWN)
		sb_puts(sb, "<not available>");
	else
		sb_printf(sb, "%llu MB", (unsigned long long)(bytes >> 20));
}

static void numactl_distances(struct strbuf *sb, const struct np_topo *t)
{
	size_t n = t->nnodes;

	/* numactl asks distance(maxnode, first node); 0 means no table. */
	if (!t->distances || t->distances[(n - 1) * n] == 0) {
		sb_puts(sb, "No distance information available.\n");
		return;
	}
	sb_puts(sb, "node distances:\nnode ");
	for (size_t j = 0; j < n; j++)
		sb_printf(sb, " %2u ", t->nodes[j].id);
	sb_puts(sb, "\n");
	for (size_t i = 0; i < n; i++) {
		sb_printf(sb, " %2u: ", t->nodes[i].id);
		for (size_t j = 0; j < n; j++)
			sb_printf(sb, " %2u ", t->distances[i * n + j]);
		sb_puts(sb, "\n");
	}
}

static void numactl_hardware(struct strbuf *sb, const struct np_topo *t)
{
	numactl_available(sb, t);
	for (size_t i = 0; i < t->nnodes; i++) {
		const struct np_node *n = &t->nodes[i];

		sb_printf(sb, "node %u cpus:", n->id);
		for (size_t c = 0; c < n->ncpus; c++)
			sb_printf(sb, " %u", n->cpus[c]);
		sb_printf(sb, "\nnode %u size: ", n->id);
		numactl_mem(sb, n->total_bytes);
		sb_printf(sb, "\nnode %u free: ", n->id);
		numactl_mem(sb, n->free_bytes);
		sb_puts(sb, "\n");
	}
	numactl_distances(sb, t);
}

/* ---- verbose ------------------------------------------------------- */

/* 4096 → "4K", 2097152 → "2M", 1073741824 → "1G". */
static void size_label(char *buf, size_t len, uint64_t bytes)
{
	static const char units[] = "KMGTP";
	uint64_t v = bytes >> 10;
	int u = 0;

	while (v >= 1024 && v % 1024 == 0 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%llu%c", (unsigned long long)v, units[u]);
}

static const char *node_kind(const struct np_node *n)
{
	/* A node that lists CPUs has CPUs, whatever a has_cpu mask (or a
	 * hand-written JSON) says. */
	bool cpus = n->has_cpus || n->ncpus > 0;

	if (cpus && n->has_memory)
		return "CPUs and memory";
	if (n->has_memory)
		return "memory only (no CPUs: CXL or memory expander)";
	if (cpus)
		return "CPUs only (memoryless node)";
	return "neither CPUs nor memory";
}

/*
 * A memoryless node's CPUs get memory from the nearest node with memory
 * (the kernel's zonelist order starts there): say which.
 */
static void verbose_no_memory(struct strbuf *sb, const struct np_topo *t,
			      const struct np_node *n)
{
	size_t self = (size_t)np_topo_node_index(t, n->id), best = t->nnodes;
	uint32_t dist = UINT32_MAX;

	for (size_t j = 0; t->distances && j < t->nnodes; j++) {
		uint32_t d = t->distances[self * t->nnodes + j];

		if (j != self && t->nodes[j].has_memory && d && d < dist) {
			dist = d;
			best = j;
		}
	}
	sb_puts(sb, "  memory:    none");
	if (n->has_cpus && best < t->nnodes)
		sb_printf(sb, "; its CPUs allocate from node %u first "
			  "(distance %u)", t->nodes[best].id, dist);
	sb_puts(sb, "\n");
}

static void verbose_memory(struct strbuf *sb, const struct np_topo *t,
			   const struct np_node *n)
{
	char a[32], b[32];

	if (n->total_bytes == NP_UNKNOWN)
		return;
	if (!n->has_memory && n->total_bytes == 0) {
		verbose_no_memory(sb, t, n);
		return;
	}
	np_format_bytes(a, sizeof(a), n->total_bytes);
	if (n->free_bytes == NP_UNKNOWN) {
		sb_printf(sb, "  memory:    %s total, free unknown\n", a);
		return;
	}
	np_format_bytes(b, sizeof(b), n->free_bytes);
	sb_printf(sb, "  memory:    %s total, %s free", a, b);
	if (n->total_bytes)
		sb_printf(sb, " (%.1f%%)", 100.0 * (double)n->free_bytes /
			  (double)n->total_bytes);
	sb_puts(sb, "\n");
}

static void verbose_count(struct strbuf *sb, uint64_t v)
{
	if (v == NP_UNKNOWN)
		sb_puts(sb, "?");
	else
		sb_printf(sb, "%llu", (unsigned long long)v);
}

static void verbose_hugepages(struct strbuf *sb, const struct np_node *n)
{
	char label[32];

	if (!n->nhugepages) {
		if (n->has_memory)
			sb_puts(sb, "  hugepages: none configured\n");
		return;
	}
	for (size_t i = 0; i < n->nhugepages; i++) {
		const struct np_hugepages *hp = &n->hugepages[i];

		np_format_bytes(label, sizeof(label), hp->size_bytes);
		sb_printf(sb, "%s%s pages: ", i ? "             " :
			  "  hugepages: ", label);
		verbose_count(sb, hp->total);
		sb_puts(sb, " total, ");
		verbose_count(sb, hp->free);
		sb_puts(sb, " free, ");
		verbose_count(sb, hp->surplus);
		sb_puts(sb, " surplus\n");
	}
}

/*
 * Free memory by buddy block size: how much of the free memory could
 * still back a 2 MiB page (order 9 on 4 KiB pages) without compaction.
 */
static void verbose_buddy(struct strbuf *sb, const struct np_node *n)
{
	uint64_t total = 0, large = 0;
	char label[24], a[32], b[32];

	if (!n->norders) {
		if (n->has_memory)
			sb_puts(sb, "  free blocks: buddyinfo not available\n");
		return;
	}
	sb_puts(sb, "  free blocks by size (buddyinfo, all zones):\n    ");
	for (size_t k = 0; k < n->norders; k++) {
		size_label(label, sizeof(label), n->page_size_bytes << k);
		sb_printf(sb, "%7s", label);
	}
	sb_puts(sb, "\n    ");
	for (size_t k = 0; k < n->norders; k++) {
		uint64_t bytes = n->free_blocks_by_order[k] *
				 (n->page_size_bytes << k);

		sb_printf(sb, "%7llu",
			  (unsigned long long)n->free_blocks_by_order[k]);
		total += bytes;
		if ((n->page_size_bytes << k) >= (2u << 20))
			large += bytes;
	}
	np_format_bytes(a, sizeof(a), large);
	np_format_bytes(b, sizeof(b), total);
	sb_printf(sb, "\n    in blocks of 2 MiB or more: %s of %s", a, b);
	if (total)
		sb_printf(sb, " (%.0f%%)", 100.0 * (double)large / (double)total);
	sb_puts(sb, "\n");
}

static void verbose_numastat(struct strbuf *sb, const struct np_node *n)
{
	const struct np_node_numastat *s = &n->numastat;

	if (!n->has_numastat)
		return;
	sb_printf(sb, "  numastat:  numa_hit %llu, numa_miss %llu, "
		  "numa_foreign %llu,\n             interleave_hit %llu, "
		  "local_node %llu, other_node %llu\n",
		  (unsigned long long)s->numa_hit,
		  (unsigned long long)s->numa_miss,
		  (unsigned long long)s->numa_foreign,
		  (unsigned long long)s->interleave_hit,
		  (unsigned long long)s->local_node,
		  (unsigned long long)s->other_node);
}

static void verbose_cpu_structure(struct strbuf *sb, const struct np_node *n)
{
	const struct np_node_cpu_structure *s = &n->cpu_structure;
	char size[32];

	if (!n->has_cpu_structure || !n->ncpus)
		return;
	sb_printf(sb, "  cpu structure: %u package%s, %u core%s, %u PU%s",
		  s->packages, s->packages == 1 ? "" : "s",
		  s->cores, s->cores == 1 ? "" : "s",
		  s->pus, s->pus == 1 ? "" : "s");
	if (s->cores && s->pus > s->cores && s->pus % s->cores == 0)
		sb_printf(sb, " (SMT %u)", s->pus / s->cores);
	sb_puts(sb, "\n");
	for (unsigned i = 0; i < s->ncache_levels; i++) {
		const struct np_cache_level *c = &s->cache_levels[i];

		np_format_bytes(size, sizeof(size), c->size_bytes);
		sb_printf(sb, "%sL%u%s %s x%u", i ? ", " : "  caches:    ",
			  c->depth, c->type == 'd' ? "d" : c->type == 'i' ?
			  "i" : "", size, c->count);
	}
	if (s->ncache_levels)
		sb_puts(sb, "\n");
	if (s->local_bandwidth_mibps || s->local_latency_ns)
		sb_printf(sb, "  hmat:      local bandwidth %llu MiB/s, "
			  "latency %llu ns\n",
			  (unsigned long long)s->local_bandwidth_mibps,
			  (unsigned long long)s->local_latency_ns);
}

static void verbose_node(struct strbuf *sb, const struct np_topo *t,
			 const struct np_node *n)
{
	if (t->not_numa)
		sb_printf(sb, "\nnode %u: the whole machine (the kernel has no "
			  "NUMA: no node directories)\n", n->id);
	else
		sb_printf(sb, "\nnode %u: %s\n", n->id, node_kind(n));
	if (n->ncpus) {
		sb_puts(sb, "  cpus:      ");
		sb_idlist(sb, n->cpus, n->ncpus);
		sb_printf(sb, " (%zu)\n", n->ncpus);
	}
	verbose_memory(sb, t, n);
	/* ZONE_MOVABLE only (typical of CXL and hot-plugged memory): the
	 * kernel keeps its own allocations (slab, page tables) elsewhere. */
	if (n->has_memory && !n->has_normal_memory)
		sb_puts(sb, "  zones:     movable only: no kernel allocations "
			"land here\n");
	verbose_hugepages(sb, n);
	verbose_buddy(sb, n);
	verbose_numastat(sb, n);
	verbose_cpu_structure(sb, n);
}

/* Online nodes without a node directory: their distance columns were
 * dropped (linux-topo.c reads the rows against the online mask). */
static void verbose_dirless(struct strbuf *sb, const struct np_topo *t)
{
	bool any = false;

	for (size_t i = 0; i < t->nonline; i++) {
		if (np_topo_node_index(t, t->online_nodes[i]) >= 0)
			continue;
		sb_printf(sb, "%s%u", any ? "," : "nodes online without a node "
			  "directory (not shown; distance columns matched by the "
			  "online mask): ", t->online_nodes[i]);
		any = true;
	}
	if (any)
		sb_puts(sb, "\n");
}

static void verbose_machine(struct strbuf *sb, const struct np_topo *t)
{
	sb_puts(sb, "\n");
	if (t->possible_nodes || t->online_nodes) {
		sb_puts(sb, "nodes:       possible ");
		sb_idlist(sb, t->possible_nodes, t->npossible);
		sb_puts(sb, ", online ");
		sb_idlist(sb, t->online_nodes, t->nonline);
		sb_puts(sb, "\n");
		verbose_dirless(sb, t);
	}
	sb_puts(sb, "memory tiers:");
	if (!t->ntiers)
		sb_puts(sb, " not reported by this kernel");
	for (size_t i = 0; i < t->ntiers; i++) {
		sb_printf(sb, "%s memory_tier%u: nodes ", i ? "," : "",
			  t->tiers[i].id);
		sb_idlist(sb, t->tiers[i].nodes, t->tiers[i].nnodes);
	}
	sb_puts(sb, "\nweighted interleave:");
	if (!t->wi.present) {
		sb_puts(sb, " not supported by this kernel\n");
		return;
	}
	if (t->wi.has_auto)
		sb_printf(sb, " auto %s (file %s);", t->wi.auto_enabled ?
			  "on" : "off", t->wi.auto_file);
	sb_puts(sb, " weights");
	for (size_t i = 0; i < t->nnodes; i++)
		if (t->wi.weights && t->wi.weights[i])
			sb_printf(sb, " %u:%u", t->nodes[i].id, t->wi.weights[i]);
	sb_puts(sb, "\n");
}

int np_topo_to_text(const struct np_topo *t, unsigned flags, const char *note,
		    char **out, size_t *len)
{
	struct strbuf sb = { 0 };

	*out = NULL;
	if (!t->nnodes)
		return -EINVAL;
	/* numactl's hardware() on a kernel without NUMA; numactl then
	 * exits 1, and so does the CLI (cmd-topo.c). */
	if (t->not_numa)
		sb_puts(&sb, "No NUMA available on this system\n");
	else
		numactl_hardware(&sb, t);
	if (flags & NP_TEXT_VERBOSE) {
		for (size_t i = 0; i < t->nnodes; i++)
			verbose_node(&sb, t, &t->nodes[i]);
		if (note)
			sb_printf(&sb, "\ncpu structure: %s\n", note);
		verbose_machine(&sb, t);
	}
	if (sb.oom) {
		sb_release(&sb);
		return -ENOMEM;
	}
	*out = sb.buf;
	if (len)
		*len = sb.len;
	return 0;
}
