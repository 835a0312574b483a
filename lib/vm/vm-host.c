/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host as the planner sees it (numaplace/plan.h): per node the free
 * memory minus the reserve, the free hugepages per size, the CPUs minus
 * the housekeeping ones and which of them are SMT siblings.
 */
#include "vm/vm-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "topo/topo-internal.h"

#define MIB_SHIFT 20

static void node_clear(struct np_plan_node *n)
{
	free(n->huge);
	free(n->cpus);
	free(n->core);
	free(n->cpu_taken);
}

void np_plan_host_free(struct np_plan_host *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->nnodes; i++)
		node_clear(&h->nodes[i]);
	free(h->nodes);
	free(h->distances);
	free(h);
}

long np_plan_host_index(const struct np_plan_host *h, unsigned id)
{
	for (size_t i = 0; i < h->nnodes; i++)
		if (h->nodes[i].id == id)
			return (long)i;
	return -1;
}

long np_plan_node_huge_index(const struct np_plan_node *n, uint64_t bytes)
{
	for (size_t i = 0; i < n->nhuge; i++)
		if (n->huge[i].size_bytes == bytes)
			return (long)i;
	return -1;
}

static void *dup_array(const void *p, size_t n, size_t size, bool *oom)
{
	void *q;

	if (!p || !n)
		return NULL;
	q = malloc(n * size);
	if (!q)
		*oom = true;
	else
		memcpy(q, p, n * size);
	return q;
}

struct np_plan_host *np_plan_host_clone(const struct np_plan_host *h)
{
	struct np_plan_host *c = calloc(1, sizeof(*c));
	bool oom = !c;

	if (oom)
		return NULL;
	c->nnodes = h->nnodes;
	c->nodes = calloc(h->nnodes ? h->nnodes : 1, sizeof(*c->nodes));
	c->distances = dup_array(h->distances, h->nnodes * h->nnodes,
				 sizeof(*h->distances), &oom);
	oom |= !c->nodes;
	for (size_t i = 0; !oom && i < h->nnodes; i++) {
		const struct np_plan_node *s = &h->nodes[i];
		struct np_plan_node *d = &c->nodes[i];

		*d = *s;
		d->huge = dup_array(s->huge, s->nhuge, sizeof(*s->huge), &oom);
		d->cpus = dup_array(s->cpus, s->ncpus, sizeof(*s->cpus), &oom);
		d->core = dup_array(s->core, s->ncpus, sizeof(*s->core), &oom);
		d->cpu_taken = dup_array(s->cpu_taken, s->ncpus,
					 sizeof(*s->cpu_taken), &oom);
	}
	if (oom) {
		np_plan_host_free(c);
		return NULL;
	}
	return c;
}

static uint64_t reserve_of(const struct np_plan_reserve *r, unsigned id)
{
	uint64_t mib = r ? r->mib_all : 0;

	for (size_t i = 0; r && i < r->nmib; i++)
		if (r->mib_nodes[i] == id)
			mib += r->mib[i];
	return mib;
}

static int check_reserve(const struct np_topo *t,
			 const struct np_plan_reserve *r, struct np_err *err)
{
	for (size_t i = 0; r && i < r->nmib; i++)
		if (np_topo_node_index(t, r->mib_nodes[i]) < 0)
			return np_fail_input(err, -EINVAL, "--reserve-mem: node "
					     "%u does not exist", r->mib_nodes[i]);
	for (size_t i = 0; r && i < r->cpus.n; i++)
		if (np_topo_node_of_cpu(t, r->cpus.ids[i]) < 0)
			return np_fail_input(err, -EINVAL, "--reserve-cpus: CPU "
					     "%u does not exist", r->cpus.ids[i]);
	return 0;
}

/* SMT siblings: hwloc where loaded, else the sysfs files of the root,
 * else unknown (core stays NULL). */
static int fill_cores(const struct np_topo *t, struct np_plan_node *n,
		      struct np_err *err)
{
	int e;

	if (!n->ncpus)
		return 0;
	n->core = malloc(n->ncpus * sizeof(*n->core));
	if (!n->core)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	e = np_topo_hwloc_core_ids(t, n->cpus, n->ncpus, n->core);
	if (e == -ENOENT && t->source == NP_TOPO_SYSFS && t->origin)
		e = np_linux_cpu_core_ids(t->origin, n->cpus, n->ncpus,
					  n->core, err);
	if (e == -ENOENT) {
		free(n->core);
		n->core = NULL;
		return 0;
	}
	return e;
}

static int fill_node(const struct np_topo *t, const struct np_node *s,
		     const struct np_plan_reserve *r, struct np_plan_node *d,
		     struct np_err *err)
{
	uint64_t free_b = s->free_bytes != NP_UNKNOWN ? s->free_bytes :
			  s->total_bytes != NP_UNKNOWN ? s->total_bytes : 0;
	uint64_t reserve = reserve_of(r, s->id);

	d->id = s->id;
	d->free_mib = free_b >> MIB_SHIFT;
	d->free_mib = d->free_mib > reserve ? d->free_mib - reserve : 0;
	d->total_mib = s->total_bytes != NP_UNKNOWN ?
		       s->total_bytes >> MIB_SHIFT : free_b >> MIB_SHIFT;
	if (s->nhugepages) {
		d->huge = calloc(s->nhugepages, sizeof(*d->huge));
		if (!d->huge)
			return np_fail_sys(err, -ENOMEM, "out of memory");
		for (size_t k = 0; k < s->nhugepages; k++) {
			d->huge[k].size_bytes = s->hugepages[k].size_bytes;
			d->huge[k].free = s->hugepages[k].free;
			d->huge[k].total = s->hugepages[k].total;
		}
		d->nhuge = s->nhugepages;
	}
	d->cpus = calloc(s->ncpus ? s->ncpus : 1, sizeof(*d->cpus));
	if (!d->cpus)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	for (size_t k = 0; k < s->ncpus; k++)
		if (!r || !np_idset_contains(&r->cpus, s->cpus[k]))
			d->cpus[d->ncpus++] = s->cpus[k];
	d->memory_only = s->ncpus == 0 && d->total_mib > 0;
	return fill_cores(t, d, err);
}

int np_plan_host_from_topo(const struct np_topo *t,
			   const struct np_plan_reserve *reserve,
			   struct np_plan_host **out, struct np_err *err)
{
	struct np_plan_host *h;
	size_t n = t->nnodes;
	int e;

	*out = NULL;
	e = check_reserve(t, reserve, err);
	if (e)
		return e;
	h = calloc(1, sizeof(*h));
	if (!h || !(h->nodes = calloc(n ? n : 1, sizeof(*h->nodes))) ||
	    !(h->distances = calloc(n ? n * n : 1, sizeof(*h->distances)))) {
		np_plan_host_free(h);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	h->nnodes = n;
	for (size_t i = 0; i < n; i++) {
		e = fill_node(t, &t->nodes[i], reserve, &h->nodes[i], err);
		if (e) {
			np_plan_host_free(h);
			return e;
		}
		for (size_t j = 0; j < n; j++) {
			uint32_t d = t->distances ? t->distances[i * n + j] : 0;

			h->distances[i * n + j] = d ? d : i == j ? 10 : 20;
		}
	}
	*out = h;
	return 0;
}
