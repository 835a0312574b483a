/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The planner (numaplace/plan.h): one pass places VMs in an order on a
 * copy of the host; each strategy is a node choice per VM.
 *
 * best-fit places the largest VMs first (first-fit decreasing keeps the
 * small ones for the gaps); when VMs are refused it plans again with the
 * largest ones last, as many times as that places more, so that a big VM
 * does not cost several small ones.  For a handful of VMs on up to 8
 * nodes it tries every order, and on up to 4 nodes it also searches every
 * placement in the decreasing order (each VM on each node subset, split
 * by the fill rule, or left out), bounded by the best plan so far.  The plan kept is the one with the most VMs
 * placed, then the least remote memory, then the least distance.
 */
#include "vm/vm-plan-internal.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/units.h>

#include "util/util-rand.h"

/* every order of at most this many VMs on at most EXACT_NODES nodes */
#define EXACT_VMS 6
#define EXACT_NODES 8
/* and every placement of each of them on at most this many nodes */
#define EXACT_SEARCH_NODES 4
/* plans again with the largest refused VMs last at most this often */
#define RETRIES 8

static const char *const strategy_names[] = {
	[NP_PLAN_BEST_FIT] = "best-fit",
	[NP_PLAN_SPREAD] = "spread",
	[NP_PLAN_PACK] = "pack",
	[NP_PLAN_RANDOM] = "random",
	[NP_PLAN_INTERLEAVE] = "interleave",
	[NP_PLAN_ROUND_ROBIN] = "round-robin",
};
#define NSTRATEGIES (sizeof(strategy_names) / sizeof(strategy_names[0]))

int np_plan_strategy_parse(const char *s, enum np_plan_strategy *out,
			   struct np_err *err)
{
	for (size_t i = 0; i < NSTRATEGIES; i++)
		if (!strcmp(s, strategy_names[i])) {
			*out = (enum np_plan_strategy)i;
			return 0;
		}
	return np_fail_input(err, -EINVAL, "--strategy: '%s' is not one of "
			     "best-fit, spread, pack, random, interleave, "
			     "round-robin", s);
}

const char *np_plan_strategy_name(enum np_plan_strategy s)
{
	return (size_t)s < NSTRATEGIES ? strategy_names[s] : "unknown";
}

/* ---- plan VMs ------------------------------------------------------------- */

static void vm_clear(struct np_plan_vm *v)
{
	free(v->name);
	free(v->reason);
	np_idset_free(&v->nodes);
	free(v->memory_mib);
	for (unsigned i = 0; v->vcpu_cpus && i < v->vcpus; i++)
		np_idset_free(&v->vcpu_cpus[i]);
	free(v->vcpu_cpus);
	free(v->cells);
	free(v->guest_distances);
	free(v->explain);
	memset(v, 0, sizeof(*v));
}

void np_plan_free(struct np_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nvms; i++)
		vm_clear(&p->vms[i]);
	free(p->vms);
	np_plan_host_free(p->left);
	free(p->largest_vcpus);
	free(p->largest_mib);
	free(p);
}

uint64_t np_plan_vm_remote_mib(const struct np_plan_vm *vm)
{
	uint64_t sum = 0, max = 0;

	if (!vm->placed)
		return 0;
	for (size_t i = 0; i < vm->nodes.n; i++) {
		sum += vm->memory_mib[i];
		if (vm->memory_mib[i] > max)
			max = vm->memory_mib[i];
	}
	return sum - max;
}

/* ---- taking resources ------------------------------------------------------ */

static void take_memory(struct vm_ctx *c, size_t i, const struct vm_need *q,
			uint64_t mib)
{
	struct np_plan_node *n = &c->h->nodes[i];

	if (q->huge_bytes) {
		long k = np_plan_node_huge_index(n, q->huge_bytes);

		n->huge[k].free -= mib / (q->huge_bytes >> 20);
	} else {
		n->free_mib -= mib;
	}
}

static int ensure_taken(struct np_plan_node *n)
{
	if (!n->cpu_taken && n->ncpus)
		n->cpu_taken = calloc(n->ncpus, sizeof(*n->cpu_taken));
	return n->ncpus && !n->cpu_taken ? -ENOMEM : 0;
}

/* Takes `want` CPUs of node i for one guest: whole free cores first, a
 * core's siblings together, so a guest's vCPUs share cores only with
 * each other.  The CPUs go to out[] in the order taken. */
static int take_cpus(struct vm_ctx *c, size_t i, unsigned want, unsigned *out)
{
	struct np_plan_node *n = &c->h->nodes[i];
	unsigned got = 0;

	if (ensure_taken(n))
		return -ENOMEM;
	for (int pass = 0; pass < 2 && got < want; pass++)
		for (size_t a = 0; a < n->ncpus && got < want; a++) {
			unsigned core = n->core ? n->core[a] : n->cpus[a];
			bool whole = true;

			if (n->cpu_taken[a])
				continue;
			for (size_t b = 0; n->core && b < n->ncpus; b++)
				if (n->core[b] == core && n->cpu_taken[b])
					whole = false;
			if (pass == 0 && !whole)
				continue;
			for (size_t b = a; b < n->ncpus && got < want; b++) {
				if (n->cpu_taken[b] || (n->core ?
				    n->core[b] != core : b != a))
					continue;
				n->cpu_taken[b] = true;
				c->nfree[i]--;
				out[got++] = n->cpus[b];
			}
		}
	return 0;
}

/* The CPUs of node i not taken: where a shared vCPU may run. */
static int untaken_cpus(const struct vm_ctx *c, size_t i, struct np_idset *s)
{
	const struct np_plan_node *n = &c->h->nodes[i];

	for (size_t a = 0; a < n->ncpus; a++)
		if ((!n->cpu_taken || !n->cpu_taken[a]) &&
		    np_idset_push(s, n->cpus[a]))
			return -ENOMEM;
	return 0;
}

/* ---- one VM's result ---------------------------------------------------- */

static int sort_split(struct vm_split *s)
{
	/* cells in ascending host node order */
	for (size_t a = 1; a < s->k; a++)
		for (size_t b = a; b > 0 && s->idx[b] < s->idx[b - 1]; b--) {
			size_t t = s->idx[b];
			uint64_t m = s->mem_mib[b];
			unsigned v = s->vcpus[b];

			s->idx[b] = s->idx[b - 1];
			s->mem_mib[b] = s->mem_mib[b - 1];
			s->vcpus[b] = s->vcpus[b - 1];
			s->idx[b - 1] = t;
			s->mem_mib[b - 1] = m;
			s->vcpus[b - 1] = v;
		}
	return 0;
}

/* Applies split s to the state and fills vm (placed, cells, pins). */
static int place(struct vm_ctx *c, const struct vm_need *q, struct vm_split *s,
		 struct np_plan_vm *vm)
{
	const struct np_plan_host *h = c->h;
	size_t used = 0, cell = 0;
	unsigned v = 0;

	sort_split(s);
	for (size_t j = 0; j < s->k; j++)
		used += s->mem_mib[j] || s->vcpus[j];
	vm->memory_mib = calloc(used ? used : 1, sizeof(*vm->memory_mib));
	vm->cells = calloc(used ? used : 1, sizeof(*vm->cells));
	vm->guest_distances = calloc(used ? used * used : 1,
				     sizeof(*vm->guest_distances));
	vm->vcpu_cpus = calloc(q->vcpus, sizeof(*vm->vcpu_cpus));
	vm->vcpus = q->vcpus;
	if (!vm->memory_mib || !vm->cells || !vm->guest_distances ||
	    !vm->vcpu_cpus)
		return -ENOMEM;
	for (size_t j = 0; j < s->k; j++) {
		size_t i = s->idx[j];
		unsigned pins[s->vcpus[j] ? s->vcpus[j] : 1];

		if (!s->mem_mib[j] && !s->vcpus[j])
			continue;
		if (np_idset_push(&vm->nodes, h->nodes[i].id))
			return -ENOMEM;
		vm->memory_mib[cell] = s->mem_mib[j];
		vm->cells[cell] = (struct np_plan_cell){ v, s->vcpus[j],
			s->mem_mib[j], h->nodes[i].id };
		take_memory(c, i, q, s->mem_mib[j]);
		if (q->dedicated && take_cpus(c, i, s->vcpus[j], pins))
			return -ENOMEM;
		for (unsigned a = 0; a < s->vcpus[j]; a++, v++)
			if (q->dedicated &&
			    np_idset_push(&vm->vcpu_cpus[v], pins[a]))
				return -ENOMEM;
		if (!q->dedicated)
			c->h->nodes[i].shared_vcpus += s->vcpus[j];
		cell++;
	}
	/* shared vCPUs float over their cell's node, fixed after all
	 * dedicated CPUs of this VM are taken */
	for (size_t a = 0; !q->dedicated && a < cell; a++) {
		long i = np_plan_host_index(h, vm->cells[a].host_node);

		for (unsigned b = 0; b < vm->cells[a].nvcpus; b++)
			if (untaken_cpus(c, (size_t)i,
					 &vm->vcpu_cpus[vm->cells[a].first_vcpu + b]))
				return -ENOMEM;
	}
	vm->ncells = cell;
	for (size_t a = 0; a < cell; a++)
		for (size_t b = 0; b < cell; b++)
			vm->guest_distances[a * cell + b] = vm_dist(h,
				(size_t)np_plan_host_index(h, vm->cells[a].host_node),
				(size_t)np_plan_host_index(h, vm->cells[b].host_node));
	vm->placed = true;
	return 0;
}

/* ---- the seed-004 policies and interleave ----------------------------- */

struct turn {
	struct np_rand rng;
	size_t next;             /* round-robin: the VM count so far */
};

static size_t eligible(const struct vm_ctx *c, const struct vm_need *q,
		       size_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < c->h->nnodes; i++)
		if (vm_node_eligible(c, i, q) && !c->h->nodes[i].memory_only)
			out[n++] = i;
	return n;
}

/* One given node, as seed 004 chose it: placed there or refused. */
static int on_node(struct vm_ctx *c, const struct vm_need *q, size_t i,
		   const char *why_this, struct np_plan_vm *vm)
{
	struct vm_split s;
	uint64_t mem = vm_mem_avail(c, i, q), cpu = vm_cpu_avail(c, i, q);
	char a[32], b[32];
	int e;

	if (vm_split_alloc(&s, 1))
		return -ENOMEM;
	s.idx[0] = i;
	if (c->explain)
		sb_printf(c->explain, "    node %u (%s): %s\n", c->h->nodes[i].id,
			  why_this, mem >= q->mib && cpu >= q->vcpus ? "fits" :
			  "does not fit");
	if (mem >= q->mib && cpu >= q->vcpus && vm_split_over(c, q, &s)) {
		e = place(c, q, &s, vm);
		vm_split_free(&s);
		return e;
	}
	vm_split_free(&s);
	if (asprintf(&vm->reason, "needs %s and %u vCPUs on node %u (%s); "
		     "it has %s%s and %llu vCPUs of room",
		     np_format_bytes(a, sizeof(a), q->mib << 20), q->vcpus,
		     c->h->nodes[i].id, why_this,
		     np_format_bytes(b, sizeof(b), mem << 20),
		     q->huge_bytes ? " of hugepages" : " free",
		     (unsigned long long)cpu) < 0)
		vm->reason = NULL;
	return vm->reason ? 0 : -ENOMEM;
}

static int refuse_fmt(struct np_plan_vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int refuse_fmt(struct np_plan_vm *vm, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&vm->reason, fmt, ap);
	va_end(ap);
	if (n < 0)
		vm->reason = NULL;
	return vm->reason ? 0 : -ENOMEM;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* Every vCPU floats over the untaken CPUs of all nodes[] (ascending). */
static int shared_over_all(const struct vm_ctx *c, const size_t *nodes,
			   size_t n, struct np_plan_vm *vm)
{
	size_t total = 0, m = 0;
	unsigned *all;

	for (size_t j = 0; j < n; j++)
		total += c->h->nodes[nodes[j]].ncpus;
	all = calloc(total ? total : 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (size_t j = 0; j < n; j++) {
		const struct np_plan_node *nd = &c->h->nodes[nodes[j]];

		for (size_t a = 0; a < nd->ncpus; a++)
			if (!nd->cpu_taken || !nd->cpu_taken[a])
				all[m++] = nd->cpus[a];
	}
	qsort(all, m, sizeof(*all), cmp_unsigned);
	for (unsigned v = 0; v < vm->vcpus; v++)
		for (size_t a = 0; a < m; a++)
			if (np_idset_push(&vm->vcpu_cpus[v], all[a])) {
				free(all);
				return -ENOMEM;
			}
	free(all);
	return 0;
}

struct room {
	uint64_t room;
	size_t pos;
};

static int cmp_room(const void *a, const void *b)
{
	const struct room *x = a, *y = b;

	if (x->room != y->room)
		return x->room > y->room ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* extra[j] = 1 for the rem nodes of nodes[0..n) with the most room for
 * this VM (memory, or vCPUs when cpus; ties by position), else 0: the
 * remainder of an equal split goes there, so a run of small VMs does not
 * pile its odd vCPU or MiB onto the first node until it is full. */
static void extra_by_room(const struct vm_ctx *c, const struct vm_need *q,
			  const size_t *nodes, size_t n, uint64_t rem,
			  bool cpus, unsigned *extra)
{
	struct room r[n ? n : 1];

	for (size_t j = 0; j < n; j++) {
		r[j].room = cpus ? vm_cpu_avail(c, nodes[j], q) :
			vm_mem_avail(c, nodes[j], q);
		r[j].pos = j;
		extra[j] = 0;
	}
	if (!rem)
		return;
	qsort(r, n, sizeof(*r), cmp_room);
	for (size_t i = 0; i < n && i < rem; i++)
		extra[r[i].pos] = 1;
}

/* Memory in equal shares over every memory node, vCPUs over every CPU
 * node (seed 004's interleave: "from 0 up to the given node"); what does
 * not divide evenly goes to the nodes with the most room. */
static int interleave(struct vm_ctx *c, const struct vm_need *q,
		      struct np_plan_vm *vm)
{
	size_t n = c->h->nnodes, nm = 0, nc = 0;
	size_t mem_nodes[n ? n : 1], cpu_nodes[n ? n : 1];
	uint64_t units, share[n ? n : 1];
	unsigned load[n ? n : 1], extra[n ? n : 1];
	char a[32], b[32];

	for (size_t i = 0; i < n; i++) {
		const struct np_plan_node *nd = &c->h->nodes[i];

		if (!vm_node_eligible(c, i, q))
			continue;
		if (nd->total_mib)
			mem_nodes[nm++] = i;
		if (nd->ncpus)
			cpu_nodes[nc++] = i;
	}
	if (!nm || !nc)
		return refuse_fmt(vm, "no node to interleave over");
	units = q->mib / q->unit_mib;
	extra_by_room(c, q, mem_nodes, nm, units % nm, false, extra);
	for (size_t j = 0; j < nm; j++) {
		share[j] = (units / nm + extra[j]) * q->unit_mib;
		if (share[j] > vm_mem_avail(c, mem_nodes[j], q))
			return refuse_fmt(vm, "needs %s on each of %zu nodes "
				"(interleaved); node %u has %s",
				np_format_bytes(a, sizeof(a), share[j] << 20),
				nm, c->h->nodes[mem_nodes[j]].id,
				np_format_bytes(b, sizeof(b),
					vm_mem_avail(c, mem_nodes[j], q) << 20));
	}
	extra_by_room(c, q, cpu_nodes, nc, q->vcpus % nc, true, extra);
	for (size_t j = 0; j < nc; j++) {
		load[j] = q->vcpus / nc + extra[j];
		if (load[j] > vm_cpu_avail(c, cpu_nodes[j], q))
			return refuse_fmt(vm, "needs %u vCPUs on each CPU node "
				"(spread with its memory); node %u has room "
				"for %llu", load[j], c->h->nodes[cpu_nodes[j]].id,
				(unsigned long long)vm_cpu_avail(c,
							cpu_nodes[j], q));
	}
	vm->memory_mib = calloc(nm, sizeof(*vm->memory_mib));
	vm->vcpu_cpus = calloc(q->vcpus, sizeof(*vm->vcpu_cpus));
	vm->vcpus = q->vcpus;
	if (!vm->memory_mib || !vm->vcpu_cpus)
		return -ENOMEM;
	for (size_t j = 0; j < nm; j++) {
		if (np_idset_push(&vm->nodes, c->h->nodes[mem_nodes[j]].id))
			return -ENOMEM;
		vm->memory_mib[j] = share[j];
		take_memory(c, mem_nodes[j], q, share[j]);
	}
	for (size_t j = 0, v = 0; j < nc; j++) {
		unsigned pins[load[j] ? load[j] : 1];

		if (q->dedicated) {
			if (take_cpus(c, cpu_nodes[j], load[j], pins))
				return -ENOMEM;
			for (unsigned x = 0; x < load[j]; x++)
				if (np_idset_push(&vm->vcpu_cpus[v++], pins[x]))
					return -ENOMEM;
		} else {
			c->h->nodes[cpu_nodes[j]].shared_vcpus += load[j];
		}
	}
	if (!q->dedicated && shared_over_all(c, cpu_nodes, nc, vm))
		return -ENOMEM;
	vm->interleaved = true;
	vm->placed = true;
	return 0;
}

/* ---- one VM, any strategy ------------------------------------------------- */

/* The exact search's decision (force_mask) for this VM. */
static int forced(struct vm_ctx *c, const struct vm_need *q,
		  struct np_plan_vm *vm)
{
	struct vm_split s = { 0 };
	size_t k = 0;
	int e;

	for (size_t i = 0; i < c->h->nnodes; i++)
		k += (c->force_mask >> i) & 1;
	if (!k) {
		vm->reason = vm_refusal(c, q);
		if (vm->reason && strncmp(vm->reason, "needs", 5))
			return 0;
		free(vm->reason);
		return refuse_fmt(vm, "left out: it fits, but only at the cost "
				  "of more VMs than itself (an exhaustive "
				  "search of every placement)");
	}
	if (vm_split_alloc(&s, k))
		return -ENOMEM;
	k = 0;
	for (size_t i = 0; i < c->h->nnodes; i++)
		if ((c->force_mask >> i) & 1)
			s.idx[k++] = i;
	e = vm_split_over(c, q, &s) ? place(c, q, &s, vm) : -EINVAL;
	vm_split_free(&s);
	return e;
}

static enum vm_rank rank_of(enum np_plan_strategy s)
{
	return s == NP_PLAN_SPREAD ? VM_RANK_SPREAD :
	       s == NP_PLAN_PACK ? VM_RANK_PACK : VM_RANK_BEST;
}

static int plan_one(struct vm_ctx *c, const struct vm_need *q,
		    struct turn *t, struct np_plan_vm *vm)
{
	enum np_plan_strategy st = c->o->strategy;
	size_t n = c->h->nnodes, ne;
	size_t elig[n ? n : 1];
	struct vm_split s = { 0 };
	char why[64];
	int e;

	if (st == NP_PLAN_INTERLEAVE)
		return interleave(c, q, vm);
	if (st == NP_PLAN_RANDOM || st == NP_PLAN_ROUND_ROBIN) {
		size_t pick;

		ne = eligible(c, q, elig);
		if (!ne)
			return refuse_fmt(vm, "no node with CPUs to choose from");
		if (st == NP_PLAN_RANDOM) {
			pick = elig[np_rand_below(&t->rng, ne)];
			snprintf(why, sizeof(why), "drawn at random");
		} else {
			pick = elig[t->next++ % ne];
			snprintf(why, sizeof(why), "its turn");
		}
		return on_node(c, q, pick, why, vm);
	}
	if (c->force_mask >= 0)
		return forced(c, q, vm);
	e = vm_find_set(c, q, rank_of(st), &s);
	if (e < 0)
		return e;
	if (e == 0) {
		vm->reason = vm_refusal(c, q);
		return vm->reason ? 0 : -ENOMEM;
	}
	e = place(c, q, &s, vm);
	vm_split_free(&s);
	return e;
}

/* ---- passes ---------------------------------------------------------------- */

struct pass {
	struct np_plan_host *h;
	struct np_plan_vm *vms;   /* [n], input order */
	size_t n, placed;
	uint64_t remote_mib, dist;
};

static void pass_free(struct pass *p)
{
	for (size_t i = 0; p->vms && i < p->n; i++)
		vm_clear(&p->vms[i]);
	free(p->vms);
	np_plan_host_free(p->h);
	memset(p, 0, sizeof(*p));
}

static int ctx_init(struct vm_ctx *c, struct np_plan_host *h,
		    const struct np_plan_opts *o)
{
	c->h = h;
	c->o = o;
	c->oc = o->cpu_overcommit >= 1 ? o->cpu_overcommit : 1;
	c->explain = NULL;
	c->force_mask = -1;
	c->nfree = calloc(h->nnodes ? h->nnodes : 1, sizeof(*c->nfree));
	if (!c->nfree)
		return -ENOMEM;
	for (size_t i = 0; i < h->nnodes; i++) {
		const struct np_plan_node *n = &h->nodes[i];

		for (size_t a = 0; a < n->ncpus; a++)
			c->nfree[i] += !n->cpu_taken || !n->cpu_taken[a];
	}
	return 0;
}

static uint64_t vm_dist_sum(const struct np_plan_vm *vm)
{
	uint64_t d = 0;

	/* both directions, as the candidate sets are ranked */
	for (size_t a = 0; a < vm->ncells; a++)
		for (size_t b = a + 1; b < vm->ncells; b++)
			d += vm->guest_distances[a * vm->ncells + b] +
			     vm->guest_distances[b * vm->ncells + a];
	return d;
}

struct keep {
	bool on;
	struct vm_need q;        /* the --keep-free VM, max_nodes set */
};

/* The keep-free VM still fits after vm was placed? */
static int keep_fits(struct vm_ctx *c, const struct keep *k)
{
	struct vm_split s = { 0 };
	struct strbuf *ex = c->explain;
	int e;

	c->explain = NULL;
	e = vm_find_set(c, &k->q, VM_RANK_BEST, &s);
	c->explain = ex;
	vm_split_free(&s);
	return e;
}

static int plan_with_keep(struct vm_ctx *c, const struct vm_need *q,
			  struct turn *t, const struct keep *k,
			  struct np_plan_vm *vm)
{
	struct np_plan_host *saved = NULL;
	char a[32];
	int e;

	if (k->on && !(saved = np_plan_host_clone(c->h)))
		return -ENOMEM;
	e = plan_one(c, q, t, vm);
	if (!e && vm->placed && k->on && (e = keep_fits(c, k)) == 0) {
		/* undo: the state as it was, this VM refused */
		char *name = vm->name;

		vm->name = NULL;
		vm_clear(vm);
		vm->name = name;
		vm->vcpus = q->vcpus;
		np_plan_host_free(c->h);
		c->h = saved;
		saved = NULL;
		free(c->nfree);
		{
			struct strbuf *ex = c->explain;

			e = ctx_init(c, c->h, c->o);
			c->explain = ex;
		}
		if (!e)
			e = refuse_fmt(vm, "placing it would leave no room for "
				"the --keep-free VM (%u vCPUs, %s on ≤ %u "
				"node%s)", k->q.vcpus, np_format_bytes(a,
				sizeof(a), k->q.mib << 20), k->q.max_nodes,
				k->q.max_nodes == 1 ? "" : "s");
	} else if (e > 0) {
		e = 0;
	}
	np_plan_host_free(saved);
	return e;
}

static void explain_head(struct strbuf *sb, const struct np_vm_spec *sp)
{
	char a[32];

	sb_printf(sb, "%s: %u vCPUs%s, %s%s%s\n", sp->name, sp->vcpus,
		  sp->dedicated_cpus ? " (dedicated)" : "",
		  np_format_bytes(a, sizeof(a), sp->memory_mib << 20),
		  sp->hugepage_bytes ? " in hugepages" : "",
		  sp->max_nodes ? ", at most a few nodes" : "");
}

static int explain_tail(struct strbuf *sb, const struct np_plan_vm *vm,
			enum np_plan_strategy st)
{
	if (vm->placed) {
		sb_puts(sb, "  chosen: nodes ");
		sb_idlist(sb, vm->nodes.ids, vm->nodes.n);
		if (st == NP_PLAN_BEST_FIT)
			sb_printf(sb, ": the fewest nodes (%zu) that fit, then "
				  "the least memory off its largest cell (%llu "
				  "MiB), the least distance between them (%llu), "
				  "the tightest fit\n", vm->nodes.n,
				  (unsigned long long)np_plan_vm_remote_mib(vm),
				  (unsigned long long)vm_dist_sum(vm));
		else
			sb_printf(sb, " (%s)\n", np_plan_strategy_name(st));
	} else {
		sb_printf(sb, "  refused: %s\n", vm->reason);
	}
	return 0;
}

static int run_pass(const struct np_plan_host *base,
		    const struct np_vm_specs *specs, const struct vm_need *needs,
		    const size_t *order, const struct np_plan_opts *o,
		    const struct keep *k, const long *masks, struct pass *out)
{
	struct turn t = { 0 };
	struct vm_ctx c;
	struct strbuf sb = { 0 };
	size_t n = specs->n;
	int e = 0;

	memset(out, 0, sizeof(*out));
	out->n = n;
	out->h = np_plan_host_clone(base);
	out->vms = calloc(n ? n : 1, sizeof(*out->vms));
	if (!out->h || !out->vms || ctx_init(&c, out->h, o)) {
		pass_free(out);
		return -ENOMEM;
	}
	np_rand_seed(&t.rng, o->seed);
	for (size_t a = 0; !e && a < n; a++) {
		size_t i = order[a];
		struct np_plan_vm *vm = &out->vms[i];

		vm->name = strdup(specs->v[i].name);
		vm->vcpus = needs[i].vcpus;
		vm->dedicated = needs[i].dedicated;
		vm->hugepage_bytes = needs[i].huge_bytes;
		if (!vm->name) {
			e = -ENOMEM;
			break;
		}
		if (o->explain) {
			sb = (struct strbuf){ 0 };
			explain_head(&sb, &specs->v[i]);
			c.explain = &sb;
		}
		c.force_mask = masks ? masks[i] : -1;
		e = plan_with_keep(&c, &needs[i], &t, k, vm);
		out->h = c.h;
		if (!e && o->explain) {
			explain_tail(&sb, vm, o->strategy);
			if (sb.oom)
				e = -ENOMEM;
			vm->explain = sb.buf;
			vm->dedicated = needs[i].dedicated;
			vm->hugepage_bytes = needs[i].huge_bytes;
		}
		if (!vm->placed)
			continue;
		vm->dedicated = needs[i].dedicated;
		vm->hugepage_bytes = needs[i].huge_bytes;
		out->placed++;
		out->remote_mib += np_plan_vm_remote_mib(vm);
		out->dist += vm_dist_sum(vm);
	}
	free(c.nfree);
	if (e)
		pass_free(out);
	return e;
}

/* a better than b: more placed, less remote memory, less distance. */
static bool pass_better(const struct pass *a, const struct pass *b)
{
	if (a->placed != b->placed)
		return a->placed > b->placed;
	if (a->remote_mib != b->remote_mib)
		return a->remote_mib < b->remote_mib;
	return a->dist < b->dist;
}

/* Keeps *cand in *best when better; frees the other. */
static void keep_better(struct pass *best, struct pass *cand)
{
	if (!best->vms || pass_better(cand, best)) {
		pass_free(best);
		*best = *cand;
	} else {
		pass_free(cand);
	}
	memset(cand, 0, sizeof(*cand));
}

struct plan_in {
	const struct np_plan_host *base;
	const struct np_vm_specs *specs;
	const struct vm_need *needs;
	const struct np_plan_opts *o;
	const struct keep *k;
};

static int try_order(const struct plan_in *in, const size_t *order,
		     struct pass *best)
{
	struct pass p;
	int e = run_pass(in->base, in->specs, in->needs, order, in->o, in->k,
			 NULL, &p);

	if (!e)
		keep_better(best, &p);
	return e;
}

/* Heap's algorithm over order[0..n): every permutation once. */
static int all_orders(const struct plan_in *in, size_t *order, size_t n,
		      struct pass *best)
{
	size_t cnt[EXACT_VMS] = { 0 }, i = 1;
	int e = try_order(in, order, best);

	while (!e && i < n) {
		if (cnt[i] < i) {
			size_t j = i % 2 ? cnt[i] : 0, t = order[j];

			order[j] = order[i];
			order[i] = t;
			e = try_order(in, order, best);
			cnt[i]++;
			i = 1;
		} else {
			cnt[i++] = 0;
		}
	}
	return e;
}

struct by_size {
	uint64_t mib;
	unsigned vcpus;
	size_t i;
};

static int cmp_desc(const void *a, const void *b)
{
	const struct by_size *p = a, *q = b;

	if (p->mib != q->mib)
		return p->mib > q->mib ? -1 : 1;
	if (p->vcpus != q->vcpus)
		return p->vcpus > q->vcpus ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

/* Positions by decreasing memory, then vCPUs, then input order. */
static int decreasing(const struct vm_need *needs, size_t n, size_t *out)
{
	struct by_size *v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = (struct by_size){ needs[i].mib, needs[i].vcpus, i };
	qsort(v, n, sizeof(*v), cmp_desc);
	for (size_t i = 0; i < n; i++)
		out[i] = v[i].i;
	free(v);
	return 0;
}

/* ---- the exact search for a few VMs on a small host -------------------- */

struct exact {
	struct vm_ctx c;
	const struct plan_in *in;
	const size_t *order;
	size_t n;
	long masks[EXACT_VMS], best_masks[EXACT_VMS];
	size_t best_placed;
	uint64_t best_remote, best_dist;
	bool found;
};

/* Takes (sign 1) or gives back (-1) what split s holds. */
static void light_apply(struct vm_ctx *c, const struct vm_need *q,
			const struct vm_split *s, int sign)
{
	for (size_t j = 0; j < s->k; j++) {
		struct np_plan_node *n = &c->h->nodes[s->idx[j]];
		uint64_t m = s->mem_mib[j];

		if (q->huge_bytes) {
			long h = np_plan_node_huge_index(n, q->huge_bytes);
			uint64_t pages = m / (q->huge_bytes >> 20);

			n->huge[h].free += sign > 0 ? -pages : pages;
		} else {
			n->free_mib += sign > 0 ? -m : m;
		}
		if (q->dedicated)
			c->nfree[s->idx[j]] += sign > 0 ? -(size_t)s->vcpus[j] :
					       s->vcpus[j];
		else
			n->shared_vcpus += sign > 0 ? s->vcpus[j] :
					   -(uint64_t)s->vcpus[j];
	}
}

static void exact_dfs(struct exact *x, size_t a, size_t placed,
		      uint64_t remote, uint64_t dist)
{
	size_t nn = x->c.h->nnodes;
	const struct vm_need *q;
	size_t i;

	if (placed + (x->n - a) < x->best_placed ||
	    (placed + (x->n - a) == x->best_placed && remote > x->best_remote))
		return;
	if (a == x->n) {
		if (placed > x->best_placed || remote < x->best_remote ||
		    (remote == x->best_remote && dist < x->best_dist)) {
			x->best_placed = placed;
			x->best_remote = remote;
			x->best_dist = dist;
			memcpy(x->best_masks, x->masks, sizeof(x->masks));
			x->found = true;
		}
		return;
	}
	i = x->order[a];
	q = &x->in->needs[i];
	for (long m = 1; m < 1L << nn; m++) {
		struct vm_split s = { 0 };
		size_t k = (size_t)__builtin_popcountl((unsigned long)m), j = 0;
		uint64_t max = 0, d = 0;
		bool ok = !q->max_nodes || k <= q->max_nodes;

		for (size_t b = 0; ok && b < nn; b++)
			if ((m >> b) & 1)
				ok = vm_node_eligible(&x->c, b, q);
		if (!ok || vm_split_alloc(&s, k))
			continue;
		for (size_t b = 0; b < nn; b++)
			if ((m >> b) & 1)
				s.idx[j++] = b;
		if (vm_split_over(&x->c, q, &s)) {
			for (j = 0; j < k; j++) {
				max = s.mem_mib[j] > max ? s.mem_mib[j] : max;
				for (size_t b = j + 1; b < k; b++)
					d += vm_dist(x->c.h, s.idx[j], s.idx[b]) +
					     vm_dist(x->c.h, s.idx[b], s.idx[j]);
			}
			light_apply(&x->c, q, &s, 1);
			x->masks[i] = m;
			exact_dfs(x, a + 1, placed + 1, remote + q->mib - max,
				  dist + d);
			light_apply(&x->c, q, &s, -1);
		}
		vm_split_free(&s);
	}
	x->masks[i] = 0;
	exact_dfs(x, a + 1, placed, remote, dist);
}

/* Every placement of every VM (each node subset, its split by the fill
 * rule, or left out), bounded by the best plan so far; when one beats
 * it, that plan is made. */
static int exact(const struct plan_in *in, const size_t *order,
		 struct pass *best)
{
	struct exact x = { .in = in, .order = order, .n = in->specs->n,
			   .best_placed = best->placed,
			   .best_remote = best->remote_mib,
			   .best_dist = best->dist };
	struct np_plan_host *h = np_plan_host_clone(in->base);
	struct pass p;
	int e;

	if (!h || ctx_init(&x.c, h, in->o)) {
		np_plan_host_free(h);
		return -ENOMEM;
	}
	exact_dfs(&x, 0, 0, 0, 0);
	free(x.c.nfree);
	np_plan_host_free(h);
	if (!x.found)
		return 0;
	e = run_pass(in->base, in->specs, in->needs, order, in->o, in->k,
		     x.best_masks, &p);
	if (!e)
		keep_better(best, &p);
	return e;
}

/* best-fit: decreasing first; then the m largest moved last (smallest of
 * them first) while that places more. */
static int best_fit(const struct plan_in *in, struct pass *best)
{
	size_t n = in->specs->n, m = 0;
	size_t *desc = calloc(n ? n : 1, sizeof(*desc));
	size_t *order = calloc(n ? n : 1, sizeof(*order));
	int e = 0;

	if (!desc || !order) {
		e = -ENOMEM;
		goto out;
	}
	e = decreasing(in->needs, n, desc);
	if (!e)
		e = try_order(in, desc, best);
	for (unsigned r = 0; !e && r < RETRIES && best->placed < n; r++) {
		size_t refused = n - best->placed, placed_before = best->placed;

		m += refused;
		if (m >= n)
			break;
		memcpy(order, desc + m, (n - m) * sizeof(*order));
		for (size_t a = 0; a < m; a++)
			order[n - m + a] = desc[m - 1 - a];
		e = try_order(in, order, best);
		if (!e && best->placed == placed_before && r > 0)
			break;
	}
	if (!e && n > 1 && n <= EXACT_VMS &&
	    in->base->nnodes <= EXACT_NODES) {
		memcpy(order, desc, n * sizeof(*order));
		e = all_orders(in, order, n, best);
	}
	if (!e && n <= EXACT_VMS && in->base->nnodes <= EXACT_SEARCH_NODES &&
	    !in->k->on)
		e = exact(in, desc, best);
out:
	free(desc);
	free(order);
	return e;
}

/* ---- checks and the whole plan ----------------------------------------- */

/* A pool of that size set up on some node (pages in it, used or not):
 * else no VM of that kind can ever run here, which is the input's fault. */
static bool host_has_huge(const struct np_plan_host *h, uint64_t bytes)
{
	for (size_t i = 0; i < h->nnodes; i++) {
		long k = np_plan_node_huge_index(&h->nodes[i], bytes);

		if (k >= 0 && (h->nodes[i].huge[k].total ||
			       h->nodes[i].huge[k].free))
			return true;
	}
	return false;
}

static int check_spec(const struct np_plan_host *h, const struct np_vm_spec *s,
		      struct vm_need *q, struct np_err *err)
{
	const char *where = s->origin ? s->origin : s->name;
	char a[32];

	memset(q, 0, sizeof(*q));
	if (!s->vcpus)
		return np_fail_input(err, -EINVAL, "%s: vcpus: 0: a VM needs "
				     "at least 1 vCPU", where);
	if (!s->memory_mib)
		return np_fail_input(err, -EINVAL, "%s: memory: 0: a VM needs "
				     "memory", where);
	if (s->hugepage_bytes && !host_has_huge(h, s->hugepage_bytes))
		return np_fail_input(err, -EINVAL, "%s: hugepages: the host has "
				     "no %s hugepages", where, np_format_bytes(a,
				     sizeof(a), s->hugepage_bytes));
	if (s->hugepage_bytes && s->memory_mib % (s->hugepage_bytes >> 20))
		return np_fail_input(err, -EINVAL, "%s: memory: %llu MiB is "
				     "not a multiple of its %s hugepages", where,
				     (unsigned long long)s->memory_mib,
				     np_format_bytes(a, sizeof(a),
						     s->hugepage_bytes));
	for (size_t i = 0; i < s->fixed_nodes.n; i++)
		if (np_plan_host_index(h, s->fixed_nodes.ids[i]) < 0)
			return np_fail_input(err, -EINVAL, "%s: nodeset: node %u "
					     "does not exist", where,
					     s->fixed_nodes.ids[i]);
	q->vcpus = s->vcpus;
	q->mib = s->memory_mib;
	q->huge_bytes = s->hugepage_bytes;
	q->unit_mib = s->hugepage_bytes ? s->hugepage_bytes >> 20 : 1;
	q->dedicated = s->dedicated_cpus;
	q->max_nodes = s->max_nodes;
	q->fixed = &s->fixed_nodes;
	return 0;
}

static int check_specs(const struct np_plan_host *h,
		       const struct np_vm_specs *s, struct vm_need **out,
		       struct np_err *err)
{
	struct vm_need *q = calloc(s && s->n ? s->n : 1, sizeof(*q));
	int e = q ? 0 : np_fail_sys(err, -ENOMEM, "out of memory");

	for (size_t i = 0; !e && s && i < s->n; i++)
		e = check_spec(h, &s->v[i], &q[i], err);
	if (e) {
		free(q);
		return e;
	}
	*out = q;
	return 0;
}

/* The keep-free VM: it must fit on the host before the plan, on as few
 * nodes as it needs there; the plan keeps it so. */
static int keep_init(const struct np_plan_host *h, const struct np_plan_opts *o,
		     struct keep *k, struct np_err *err)
{
	struct vm_split s = { 0 };
	struct np_plan_host *c0;
	struct vm_ctx c;
	char a[32];
	int e;

	memset(k, 0, sizeof(*k));
	if (!o->keep_free_vcpus && !o->keep_free_mib)
		return 0;
	k->on = true;
	k->q.vcpus = o->keep_free_vcpus;
	k->q.mib = o->keep_free_mib;
	k->q.unit_mib = 1;
	c0 = np_plan_host_clone(h);
	if (!c0 || ctx_init(&c, c0, o)) {
		np_plan_host_free(c0);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	e = vm_find_set(&c, &k->q, VM_RANK_BEST, &s);
	if (e == 1)
		k->q.max_nodes = (unsigned)s.k;
	vm_split_free(&s);
	free(c.nfree);
	np_plan_host_free(c0);
	if (e < 0)
		return np_fail_sys(err, e, "out of memory");
	if (e == 0)
		return np_fail_input(err, -EINVAL, "--keep-free: a VM of %u "
				     "vCPUs and %s does not fit even before the "
				     "plan", k->q.vcpus, np_format_bytes(a,
				     sizeof(a), k->q.mib << 20));
	return 0;
}

static int largest_fit(struct np_plan *p, const struct np_plan_opts *o)
{
	struct np_plan_host *h = p->left;
	size_t n = h->nnodes;
	struct vm_need q = { .vcpus = 1, .mib = 1, .unit_mib = 1 };
	struct vm_ctx c;
	struct by_size v[n ? n : 1];
	size_t ne = 0;

	p->nlargest = n;
	p->largest_vcpus = calloc(n ? n : 1, sizeof(*p->largest_vcpus));
	p->largest_mib = calloc(n ? n : 1, sizeof(*p->largest_mib));
	if (!p->largest_vcpus || !p->largest_mib || ctx_init(&c, h, o))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (vm_node_eligible(&c, i, &q))
			v[ne++] = (struct by_size){ vm_mem_avail(&c, i, &q),
				(unsigned)vm_cpu_avail(&c, i, &q), i };
	qsort(v, ne, sizeof(*v), cmp_desc);
	for (size_t k = 0; k < n; k++) {
		uint64_t mib = 0, cpus = 0;

		for (size_t a = 0; a <= k && a < ne; a++) {
			mib += v[a].mib;
			cpus += v[a].vcpus;
		}
		p->largest_mib[k] = cpus ? mib : 0;
		p->largest_vcpus[k] = mib ? (unsigned)cpus : 0;
	}
	free(c.nfree);
	return 0;
}

/* Existing VMs take their share first (their own plan is not kept). */
static int subtract_existing(struct np_plan_host **base,
			     const struct np_vm_specs *existing,
			     const struct np_plan_opts *o, struct np_err *err)
{
	struct np_plan_opts eo = *o;
	struct vm_need *needs = NULL;
	struct keep none = { 0 };
	struct pass p;
	size_t *order;
	int e;

	if (!existing || !existing->n)
		return 0;
	e = check_specs(*base, existing, &needs, err);
	if (e)
		return e;
	eo.explain = false;
	order = calloc(existing->n, sizeof(*order));
	e = order ? decreasing(needs, existing->n, order) : -ENOMEM;
	if (!e)
		e = run_pass(*base, existing, needs, order, &eo, &none, NULL,
			     &p);
	free(order);
	free(needs);
	if (e)
		return np_fail_sys(err, e, "out of memory");
	/* A running VM the host cannot hold: the host or the list is wrong,
	 * and planning around it as if it were not there would hand its
	 * memory out twice. */
	for (size_t i = 0; i < existing->n; i++) {
		const struct np_plan_vm *v = &p.vms[i];

		if (v->placed)
			continue;
		e = np_fail_input(err, -EINVAL, "%s: existing VM '%s' does "
				  "not fit this host: %s",
				  existing->v[i].origin ? existing->v[i].origin :
				  "--existing", v->name, v->reason);
		pass_free(&p);
		return e;
	}
	np_plan_host_free(*base);
	*base = p.h;
	p.h = NULL;
	pass_free(&p);
	return 0;
}

/*
 * A VM that fits one node of the host as the plan starts (memory and
 * vCPUs, on an eligible node) is kept on one node by the strategies that
 * split: splitting it later only because other VMs took the room makes
 * its memory remote to place one VM more, a trade the operator asks for
 * with allow_split.  Seed 004's strategies choose their nodes themselves.
 */
static int keep_whole(struct np_plan_host *base, const struct np_plan_opts *o,
		      struct vm_need *needs, size_t n, struct np_err *err)
{
	struct vm_ctx c;

	if (o->allow_split || (o->strategy != NP_PLAN_BEST_FIT &&
			       o->strategy != NP_PLAN_SPREAD &&
			       o->strategy != NP_PLAN_PACK))
		return 0;
	if (ctx_init(&c, base, o))
		return np_fail_sys(err, -ENOMEM, "out of memory");
	for (size_t v = 0; v < n; v++) {
		struct vm_need *q = &needs[v];

		if (q->max_nodes == 1)
			continue;
		for (size_t i = 0; i < base->nnodes; i++)
			if (vm_node_eligible(&c, i, q) &&
			    !base->nodes[i].memory_only &&
			    vm_mem_avail(&c, i, q) >= q->mib &&
			    vm_cpu_avail(&c, i, q) >= q->vcpus) {
				q->max_nodes = 1;
				q->whole = true;
				break;
			}
	}
	free(c.nfree);
	return 0;
}

int np_plan_make(const struct np_plan_host *host,
		 const struct np_vm_specs *specs,
		 const struct np_vm_specs *existing,
		 const struct np_plan_opts *opts, struct np_plan **out,
		 struct np_err *err)
{
	struct np_plan_host *base = NULL;
	struct vm_need *needs = NULL;
	struct pass best = { 0 };
	struct np_plan *p = NULL;
	struct plan_in in;
	struct keep k;
	size_t *order = NULL;
	int e;

	*out = NULL;
	if (opts->cpu_overcommit < 1 && opts->cpu_overcommit != 0)
		return np_fail_input(err, -EINVAL, "--cpu-overcommit: %g is "
				     "below 1", opts->cpu_overcommit);
	e = check_specs(host, specs, &needs, err);
	if (e)
		return e;
	base = np_plan_host_clone(host);
	if (!base) {
		e = np_fail_sys(err, -ENOMEM, "out of memory");
		goto out;
	}
	e = subtract_existing(&base, existing, opts, err);
	if (!e)
		e = keep_whole(base, opts, needs, specs->n, err);
	if (!e)
		e = keep_init(base, opts, &k, err);
	if (e)
		goto out;
	in = (struct plan_in){ base, specs, needs, opts, &k };
	if (opts->strategy == NP_PLAN_BEST_FIT) {
		e = best_fit(&in, &best);
	} else {
		order = calloc(specs->n ? specs->n : 1, sizeof(*order));
		for (size_t i = 0; order && i < specs->n; i++)
			order[i] = i;
		e = order ? run_pass(base, specs, needs, order, opts, &k, NULL,
				     &best) : -ENOMEM;
	}
	p = e ? NULL : calloc(1, sizeof(*p));
	if (!p) {
		e = np_fail_sys(err, -ENOMEM, "out of memory");
		goto out;
	}
	p->strategy = opts->strategy;
	p->vms = best.vms;
	p->nvms = specs->n;
	p->placed = best.placed;
	p->left = best.h;
	best.vms = NULL;
	best.h = NULL;
	if (largest_fit(p, opts)) {
		np_plan_free(p);
		p = NULL;
		e = np_fail_sys(err, -ENOMEM, "out of memory");
		goto out;
	}
	*out = p;
out:
	pass_free(&best);
	np_plan_host_free(base);
	free(needs);
	free(order);
	return e;
}

int np_plan_advise(const struct np_plan_host *host, unsigned vcpus,
		   uint64_t mib, struct np_idset *nodes, struct np_err *err)
{
	struct np_plan_opts o = { .strategy = NP_PLAN_BEST_FIT,
				  .cpu_overcommit = 1 };
	struct vm_need q = { .vcpus = vcpus ? vcpus : 1, .mib = mib ? mib : 1,
			     .unit_mib = 1 };
	struct np_plan_host *h = np_plan_host_clone(host);
	struct vm_split s = { 0 };
	struct vm_ctx c;
	char a[32];
	int e;

	if (!h || ctx_init(&c, h, &o)) {
		np_plan_host_free(h);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	/* numad's question is about room, not pinning: a VM may share its
	 * CPUs as numad assumes, so CPUs count at overcommit 1 */
	e = vm_find_set(&c, &q, VM_RANK_BEST, &s);
	for (size_t j = 0; e == 1 && j < s.k; j++)
		if ((s.mem_mib[j] || s.vcpus[j]) &&
		    np_idset_push(nodes, h->nodes[s.idx[j]].id))
			e = -ENOMEM;
	/* positions ascend, so do ids */
	vm_split_free(&s);
	free(c.nfree);
	np_plan_host_free(h);
	if (e < 0)
		return np_fail_sys(err, e, "out of memory");
	if (e == 0)
		return np_fail_sys(err, -ENOSPC, "no set of nodes has %u CPUs "
				   "and %s free", q.vcpus, np_format_bytes(a,
				   sizeof(a), q.mib << 20));
	return 0;
}
