/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Node sets for one VM: what each node can still give it, the set a
 * strategy ranks best, and the VM's split over that set.
 *
 * Candidate sets, per node count k from 1 up (fewest nodes first): every
 * k-subset of the eligible nodes while there are at most EXACT_SETS of
 * them, else, from each eligible node as a seed, the set grown by the
 * nearest node (least added distance) each step: n candidates of k nodes
 * instead of C(n, k) (from the MAX_SEEDS nodes with the most memory
 * available when there are more).  A k is skipped at once when the k largest nodes
 * together lack the memory or the CPUs.
 */
#include "vm/vm-plan-internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/units.h>

#define EXACT_SETS 4096
/* grown sets start from at most this many seeds: the nodes with the most
 * memory available to the VM (a set's remote memory, ranked right after
 * its node count, is decided by its largest node) */
#define MAX_SEEDS 64
#define EXPLAIN_MAX_CANDIDATES 12

uint32_t vm_dist(const struct np_plan_host *h, size_t a, size_t b)
{
	return h->distances[a * h->nnodes + b];
}

uint64_t vm_mem_avail(const struct vm_ctx *c, size_t i, const struct vm_need *q)
{
	const struct np_plan_node *n = &c->h->nodes[i];
	long k;

	if (!q->huge_bytes)
		return n->free_mib;
	k = np_plan_node_huge_index(n, q->huge_bytes);
	return k < 0 ? 0 : n->huge[k].free * (q->huge_bytes >> 20);
}

uint64_t vm_cpu_avail(const struct vm_ctx *c, size_t i, const struct vm_need *q)
{
	const struct np_plan_node *n = &c->h->nodes[i];
	uint64_t f = c->nfree[i], keep, cap;

	if (q->dedicated) {
		/* the shared vCPUs already here keep their room */
		keep = (uint64_t)ceil((double)n->shared_vcpus / c->oc);
		return f > keep ? f - keep : 0;
	}
	cap = (uint64_t)floor((double)f * c->oc + 1e-9);
	return cap > n->shared_vcpus ? cap - n->shared_vcpus : 0;
}

bool vm_node_eligible(const struct vm_ctx *c, size_t i, const struct vm_need *q)
{
	const struct np_plan_node *n = &c->h->nodes[i];

	if (n->memory_only && !c->o->allow_memory_only_nodes)
		return false;
	if (q->fixed && q->fixed->n && !np_idset_contains(q->fixed, n->id))
		return false;
	return n->ncpus > 0 || n->memory_only;
}

int vm_split_alloc(struct vm_split *s, size_t k)
{
	s->k = k;
	s->idx = calloc(k, sizeof(*s->idx));
	s->mem_mib = calloc(k, sizeof(*s->mem_mib));
	s->vcpus = calloc(k, sizeof(*s->vcpus));
	if (s->idx && s->mem_mib && s->vcpus)
		return 0;
	vm_split_free(s);
	return -ENOMEM;
}

void vm_split_free(struct vm_split *s)
{
	free(s->idx);
	free(s->mem_mib);
	free(s->vcpus);
	memset(s, 0, sizeof(*s));
}

/* ---- the split of one VM over a set -------------------------------------- */

/* The least memory of a guest cell: x86 Linux's NODE_MIN_SIZE. */
#define CELL_MIN_MIB 4

/* vCPUs in proportion to the memory each CPU node got (largest
 * remainders), then moved from nodes over their capacity to nodes with
 * room, then one to every CPU cell left without a vCPU (a guest node of
 * a CPU host node with memory and no vCPU would run nothing local) from
 * the cell with the most, while that keeps one. */
static int split_vcpus(const struct vm_need *q, struct vm_split *s,
		       const uint64_t *cap)
{
	uint64_t base = 0, given = 0;
	double rem[s->k];

	for (size_t j = 0; j < s->k; j++)
		if (cap[j])
			base += s->mem_mib[j] ? s->mem_mib[j] : 0;
	for (size_t j = 0; j < s->k; j++) {
		double share = 0;

		if (cap[j])
			share = base ? (double)q->vcpus * s->mem_mib[j] / base :
				0;
		s->vcpus[j] = (unsigned)share;
		rem[j] = share - s->vcpus[j];
		given += s->vcpus[j];
	}
	while (given < q->vcpus) {
		size_t best = s->k;

		for (size_t j = 0; j < s->k; j++)
			if (cap[j] > s->vcpus[j] && (best == s->k ||
						     rem[j] > rem[best]))
				best = j;
		if (best == s->k)
			return 0;
		s->vcpus[best]++;
		rem[best] = -1;
		given++;
	}
	for (size_t j = 0; j < s->k; j++)
		while (s->vcpus[j] > cap[j]) {
			size_t to = s->k;

			for (size_t m = 0; m < s->k; m++)
				if (cap[m] > s->vcpus[m] && (to == s->k ||
				    cap[m] - s->vcpus[m] > cap[to] - s->vcpus[to]))
					to = m;
			if (to == s->k)
				return 0;
			s->vcpus[j]--;
			s->vcpus[to]++;
		}
	for (size_t j = 0; j < s->k; j++) {
		size_t from = s->k;

		if (!cap[j] || s->vcpus[j] || !s->mem_mib[j])
			continue;
		for (size_t m = 0; m < s->k; m++)
			if (s->vcpus[m] > 1 && (from == s->k ||
						s->vcpus[m] > s->vcpus[from]))
				from = m;
		if (from == s->k)
			break;
		s->vcpus[from]--;
		s->vcpus[j]++;
	}
	return 1;
}

int vm_split_over(struct vm_ctx *c, const struct vm_need *q, struct vm_split *s)
{
	uint64_t avail[s->k], cap[s->k], left = q->mib, min_mib;
	size_t ord[s->k];
	bool cpu_node;

	for (size_t j = 0; j < s->k; j++) {
		avail[j] = vm_mem_avail(c, s->idx[j], q);
		cap[j] = vm_cpu_avail(c, s->idx[j], q);
		s->mem_mib[j] = 0;
		ord[j] = j;
	}
	/* memory: CPU nodes before memory-only ones (the farther tier),
	 * each by most available first: the fewest MiB away from home */
	for (size_t a = 1; a < s->k; a++)
		for (size_t b = a; b > 0; b--) {
			const struct np_plan_node *x = &c->h->nodes[s->idx[ord[b]]];
			const struct np_plan_node *y = &c->h->nodes[s->idx[ord[b - 1]]];

			if (x->memory_only > y->memory_only ||
			    (x->memory_only == y->memory_only &&
			     avail[ord[b]] <= avail[ord[b - 1]]))
				break;
			size_t t = ord[b];
			ord[b] = ord[b - 1];
			ord[b - 1] = t;
		}
	for (size_t a = 0; a < s->k && left; a++) {
		size_t j = ord[a];
		uint64_t take = avail[j] < left ? avail[j] : left;

		take -= take % q->unit_mib;
		s->mem_mib[j] = take;
		left -= take;
	}
	if (left)
		return 0;
	/* A guest cell needs memory a guest kernel keeps: x86 Linux ignores
	 * a node's memory under NODE_MIN_SIZE (4 MiB).  A CPU node in the
	 * set only for its CPUs, and the last, partial piece of the greedy
	 * fill, are raised to that from the largest piece. */
	min_mib = (CELL_MIN_MIB + q->unit_mib - 1) / q->unit_mib * q->unit_mib;
	for (size_t j = 0; j < s->k; j++) {
		uint64_t need;

		cpu_node = !c->h->nodes[s->idx[j]].memory_only;
		if (j == ord[0] || s->mem_mib[j] >= min_mib ||
		    (!s->mem_mib[j] && (!cpu_node || !cap[j])))
			continue;
		need = min_mib - s->mem_mib[j];
		if (avail[j] < min_mib || s->mem_mib[ord[0]] < min_mib + need)
			continue;
		s->mem_mib[ord[0]] -= need;
		s->mem_mib[j] = min_mib;
	}
	return split_vcpus(q, s, cap);
}

/* ---- candidate sets --------------------------------------------------- */

struct cand_key {
	unsigned memonly;
	uint64_t remote_mib;     /* memory outside the largest cell */
	uint64_t dist;
	double spread;           /* VM_RANK_SPREAD: the least share left */
	uint64_t slack_mib, slack_cpu;
};

/* dist: the set's distance when the caller knows it, else UINT64_MAX */
static void key_of(const struct vm_ctx *c, const struct vm_need *q,
		   const size_t *idx, size_t k, uint64_t dist,
		   struct cand_key *key)
{
	uint64_t mem = 0, cpu = 0, tot = 0;
	double cpu_tot = 0;

	memset(key, 0, sizeof(*key));
	for (size_t a = 0; a < k; a++) {
		const struct np_plan_node *n = &c->h->nodes[idx[a]];

		key->memonly += n->memory_only;
		for (size_t b = a + 1; dist == UINT64_MAX && b < k; b++)
			key->dist += vm_dist(c->h, idx[a], idx[b]) +
				     vm_dist(c->h, idx[b], idx[a]);
		mem += vm_mem_avail(c, idx[a], q);
		cpu += vm_cpu_avail(c, idx[a], q);
		tot += n->total_mib;
		cpu_tot += q->dedicated ? n->ncpus : n->ncpus * c->oc;
	}
	if (dist != UINT64_MAX)
		key->dist = dist;
	key->slack_mib = mem - q->mib;
	key->slack_cpu = cpu - q->vcpus;
	{
		double fm = tot ? (double)key->slack_mib / tot : 0;
		double fc = cpu_tot > 0 ? key->slack_cpu / cpu_tot : 0;

		key->spread = fm < fc ? fm : fc;
	}
}

/* <0: a ranks before b. Ties go to the set found first (lower ids). */
static int key_cmp(enum vm_rank rank, const struct cand_key *a,
		   const struct cand_key *b)
{
	if (a->memonly != b->memonly)
		return a->memonly < b->memonly ? -1 : 1;
	if (rank == VM_RANK_PACK)
		return 0;
	if (rank == VM_RANK_BEST && a->remote_mib != b->remote_mib)
		return a->remote_mib < b->remote_mib ? -1 : 1;
	if (rank == VM_RANK_SPREAD && a->spread != b->spread)
		return a->spread > b->spread ? -1 : 1;
	if (rank == VM_RANK_SPREAD && a->slack_mib != b->slack_mib)
		return a->slack_mib > b->slack_mib ? -1 : 1;
	if (a->dist != b->dist)
		return a->dist < b->dist ? -1 : 1;
	if (a->slack_mib != b->slack_mib)
		return a->slack_mib < b->slack_mib ? -1 : 1;
	if (a->slack_cpu != b->slack_cpu)
		return a->slack_cpu < b->slack_cpu ? -1 : 1;
	return 0;
}

struct search {
	struct vm_ctx *c;
	const struct vm_need *q;
	enum vm_rank rank;
	size_t k;
	size_t *elig, nelig;
	size_t *best;            /* [k] */
	struct cand_key best_key;
	bool found;
	unsigned shown;
	struct vm_split trial;
	uint64_t *mem;           /* [nelig] memory available, by elig */
	/* grow_to(): NULL until needed; seed t starts at elig[seeds[t]] */
	size_t *grow, grown, *cur, *seeds, nseeds;
	uint64_t *add;
	uint64_t *gdist;         /* [t * nelig + m]: distance of prefix m + 1 */
	bool *in;
};

static void explain_set(struct search *s, const size_t *idx, const char *what,
			const struct cand_key *key)
{
	struct strbuf *sb = s->c->explain;

	if (!sb || s->shown++ >= EXPLAIN_MAX_CANDIDATES)
		return;
	sb_printf(sb, "    nodes ");
	for (size_t a = 0; a < s->k; a++)
		sb_printf(sb, "%s%u", a ? "," : "", s->c->h->nodes[idx[a]].id);
	if (key)
		sb_printf(sb, ": fits, %llu MiB off its largest cell, distance "
			  "%llu, %llu MiB and %llu vCPUs left over%s\n",
			  (unsigned long long)key->remote_mib,
			  (unsigned long long)key->dist,
			  (unsigned long long)key->slack_mib,
			  (unsigned long long)key->slack_cpu,
			  key->memonly ? ", memory-only tier" : "");
	else
		sb_printf(sb, ": %s\n", what);
}

static void consider(struct search *s, const size_t *idx, uint64_t dist)
{
	uint64_t mem = 0, cpu = 0;
	struct cand_key key;

	for (size_t a = 0; a < s->k; a++) {
		mem += vm_mem_avail(s->c, idx[a], s->q);
		cpu += vm_cpu_avail(s->c, idx[a], s->q);
	}
	if (mem < s->q->mib || cpu < s->q->vcpus) {
		explain_set(s, idx, mem < s->q->mib ? "too little memory" :
			    "too few CPUs", NULL);
		return;
	}
	memcpy(s->trial.idx, idx, s->k * sizeof(*idx));
	if (!vm_split_over(s->c, s->q, &s->trial)) {
		explain_set(s, idx, "no split fits", NULL);
		return;
	}
	key_of(s->c, s->q, idx, s->k, dist, &key);
	{
		uint64_t max = 0;

		for (size_t a = 0; a < s->k; a++)
			if (s->trial.mem_mib[a] > max)
				max = s->trial.mem_mib[a];
		key.remote_mib = s->q->mib - max;
	}
	explain_set(s, idx, NULL, &key);
	if (!s->found || key_cmp(s->rank, &key, &s->best_key) < 0) {
		memcpy(s->best, idx, s->k * sizeof(*idx));
		s->best_key = key;
		s->found = true;
	}
}

static uint64_t binom_capped(size_t n, size_t k, uint64_t cap)
{
	uint64_t r = 1;

	for (size_t i = 1; i <= k; i++) {
		r = r * (n - k + i) / i;
		if (r > cap)
			return cap + 1;
	}
	return r;
}

static void all_subsets(struct search *s)
{
	size_t pick[s->k], idx[s->k];

	for (size_t a = 0; a < s->k; a++)
		pick[a] = a;
	for (;;) {
		for (size_t a = 0; a < s->k; a++)
			idx[a] = s->elig[pick[a]];
		consider(s, idx, UINT64_MAX);
		size_t a = s->k;
		while (a > 0 && pick[a - 1] == s->nelig - s->k + a - 1)
			a--;
		if (a == 0)
			return;
		pick[a - 1]++;
		for (size_t b = a; b < s->k; b++)
			pick[b] = pick[b - 1] + 1;
	}
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * From each seed, the nearest node added step by step: least added
 * distance (both directions), then most memory available, then lowest
 * position.  The order a seed grows in does not depend on k, so each k
 * takes prefixes of it (grow[seed * nelig + step]); the orders are grown
 * as far as the largest k asked so far (twice that, to amortise), with
 * each seed's added distances kept up to date: O(nelig) per step.
 */
/* Positions in elig of the seeds: most memory first, then lowest. */
static int pick_seeds(struct search *s)
{
	size_t ne = s->nelig;

	s->nseeds = ne < MAX_SEEDS ? ne : MAX_SEEDS;
	s->seeds = calloc(ne, sizeof(*s->seeds));
	if (!s->seeds)
		return -ENOMEM;
	for (size_t e = 0; e < ne; e++)
		s->seeds[e] = e;
	for (size_t a = 0; a < s->nseeds; a++) {
		size_t best = a;

		for (size_t b = a + 1; b < ne; b++)
			if (s->mem[s->seeds[b]] > s->mem[s->seeds[best]])
				best = b;
		size_t t = s->seeds[a];
		s->seeds[a] = s->seeds[best];
		s->seeds[best] = t;
	}
	return 0;
}

static int grow_to(struct search *s, size_t len)
{
	size_t ne = s->nelig;

	if (len > ne)
		len = ne;
	if (!s->grow) {
		if (pick_seeds(s))
			return -ENOMEM;
		s->grow = calloc(s->nseeds * ne, sizeof(*s->grow));
		s->add = calloc(s->nseeds * ne, sizeof(*s->add));
		s->in = calloc(s->nseeds * ne, sizeof(*s->in));
		s->cur = calloc(s->nseeds, sizeof(*s->cur));
		s->gdist = calloc(s->nseeds * ne, sizeof(*s->gdist));
		if (!s->grow || !s->add || !s->in || !s->cur || !s->gdist)
			return -ENOMEM;
		for (size_t t = 0; t < s->nseeds; t++)
			s->cur[t] = s->seeds[t];
	}
	for (size_t t = 0; t < s->nseeds; t++) {
		size_t *g = &s->grow[t * ne];
		uint64_t *add = &s->add[t * ne];
		bool *in = &s->in[t * ne];

		for (size_t m = s->grown; m < len; m++) {
			size_t cur = s->cur[t], best = SIZE_MAX;

			g[m] = s->elig[cur];
			in[cur] = true;
			s->gdist[t * ne + m] = m ? s->gdist[t * ne + m - 1] +
				add[cur] : 0;
			for (size_t e = 0; e < ne; e++) {
				if (in[e])
					continue;
				add[e] += vm_dist(s->c->h, s->elig[cur], s->elig[e]) +
					  vm_dist(s->c->h, s->elig[e], s->elig[cur]);
				if (best == SIZE_MAX || add[e] < add[best] ||
				    (add[e] == add[best] &&
				     s->mem[e] > s->mem[best]))
					best = e;
			}
			s->cur[t] = best == SIZE_MAX ? cur : best;
		}
	}
	s->grown = len;
	return 0;
}

static void grown_sets(struct search *s)
{
	for (size_t t = 0; t < s->nseeds; t++)
		consider(s, &s->grow[t * s->nelig],
			 s->gdist[t * s->nelig + s->k - 1]);
}

static int cmp_u64_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x > y ? -1 : x < y;
}

/* The k largest memories and CPU capacities together: a bound. */
static bool k_may_fit(const uint64_t *mem_sorted, const uint64_t *cpu_sorted,
		      size_t k, const struct vm_need *q)
{
	uint64_t m = 0, c = 0;

	for (size_t a = 0; a < k; a++) {
		m += mem_sorted[a];
		c += cpu_sorted[a];
	}
	return m >= q->mib && c >= q->vcpus;
}

static size_t eligible_nodes(struct vm_ctx *c, const struct vm_need *q,
			     size_t *elig)
{
	size_t n = 0;

	for (size_t i = 0; i < c->h->nnodes; i++)
		if (vm_node_eligible(c, i, q))
			elig[n++] = i;
	return n;
}

static int search_k(struct search *s, size_t k)
{
	s->k = k;
	s->found = false;
	s->shown = 0;
	if (vm_split_alloc(&s->trial, k))
		return -ENOMEM;
	s->best = calloc(k, sizeof(*s->best));
	if (!s->best) {
		vm_split_free(&s->trial);
		return -ENOMEM;
	}
	if (k == 1 || binom_capped(s->nelig, k, EXACT_SETS) <= EXACT_SETS) {
		all_subsets(s);
	} else {
		if (s->grown < k && grow_to(s, 2 * k)) {
			vm_split_free(&s->trial);
			free(s->best);
			s->best = NULL;
			return -ENOMEM;
		}
		grown_sets(s);
	}
	return 0;
}

int vm_find_set(struct vm_ctx *c, const struct vm_need *q, enum vm_rank rank,
		struct vm_split *out)
{
	size_t n = c->h->nnodes, kmax;
	size_t *elig = calloc(n ? n : 1, sizeof(*elig));
	uint64_t *ms = calloc(n ? n : 1, sizeof(*ms));
	uint64_t *cs = calloc(n ? n : 1, sizeof(*cs));
	uint64_t *mem = calloc(n ? n : 1, sizeof(*mem));
	struct search s = { c, q, rank, 0, elig, 0, NULL, { 0 }, false, 0,
			    { 0 }, mem, NULL };
	int rc = 0;

	if (!elig || !ms || !cs || !mem) {
		rc = -ENOMEM;
		goto out;
	}
	s.nelig = eligible_nodes(c, q, elig);
	kmax = q->max_nodes && q->max_nodes < s.nelig ? q->max_nodes : s.nelig;
	for (size_t a = 0; a < s.nelig; a++) {
		mem[a] = vm_mem_avail(c, elig[a], q);
		ms[a] = mem[a];
		cs[a] = vm_cpu_avail(c, elig[a], q);
	}
	qsort(ms, s.nelig, sizeof(*ms), cmp_u64_desc);
	qsort(cs, s.nelig, sizeof(*cs), cmp_u64_desc);
	for (size_t k = 1; k <= kmax && rc == 0; k++) {
		if (!k_may_fit(ms, cs, k, q)) {
			if (c->explain)
				sb_printf(c->explain, "    %zu node%s: even the "
					  "largest lack%s the memory or the "
					  "CPUs\n", k, k == 1 ? "" : "s",
					  k == 1 ? "s" : "");
			continue;
		}
		if (search_k(&s, k)) {
			rc = -ENOMEM;
			break;
		}
		if (s.found) {
			rc = vm_split_alloc(out, k) ? -ENOMEM : 1;
			if (rc == 1) {
				/* grown sets are in growing order */
				qsort(s.best, k, sizeof(*s.best), cmp_size);
				memcpy(out->idx, s.best, k * sizeof(*s.best));
				vm_split_over(c, q, out);
			}
		}
		vm_split_free(&s.trial);
		free(s.best);
		s.best = NULL;
	}
out:
	free(s.grow);
	free(s.add);
	free(s.in);
	free(s.cur);
	free(s.seeds);
	free(s.gdist);
	free(mem);
	free(elig);
	free(ms);
	free(cs);
	return rc;
}

/* ---- why not ------------------------------------------------------------ */

static void sb_mib(struct strbuf *sb, uint64_t mib)
{
	char b[32];

	sb_puts(sb, np_format_bytes(b, sizeof(b), mib << 20));
}

struct top {
	size_t i;
	uint64_t v;
};

static int cmp_top(const void *a, const void *b)
{
	const struct top *x = a, *y = b;

	return x->v > y->v ? -1 : x->v < y->v ? 1 :
	       x->i < y->i ? -1 : x->i > y->i;
}

/* "the largest free node, 1, has 31.2 GiB" / "the 2 largest free nodes,
 * 0-1, have 40 GiB" */
static void sb_top(struct strbuf *sb, const struct vm_ctx *c, struct top *t,
		   size_t k, const char *what, bool mib, const char *unit)
{
	unsigned ids[k];
	uint64_t sum = 0;

	for (size_t a = 0; a < k; a++) {
		ids[a] = c->h->nodes[t[a].i].id;
		sum += t[a].v;
	}
	for (size_t a = 1; a < k; a++)
		for (size_t b = a; b > 0 && ids[b] < ids[b - 1]; b--) {
			unsigned x = ids[b];
			ids[b] = ids[b - 1];
			ids[b - 1] = x;
		}
	if (k == 1)
		sb_printf(sb, "the %s node, %u, has ", what, ids[0]);
	else {
		sb_printf(sb, "the %zu %s nodes, ", k, what);
		sb_idlist(sb, ids, k);
		sb_puts(sb, ", have ");
	}
	if (mib)
		sb_mib(sb, sum);
	else
		sb_printf(sb, "%llu %s", (unsigned long long)sum, unit);
}

char *vm_refusal(const struct vm_ctx *c, const struct vm_need *q)
{
	size_t n = c->h->nnodes, ne = 0, kmax;
	struct top tm[n ? n : 1], tc[n ? n : 1];
	struct strbuf sb = { 0 };
	uint64_t msum = 0, csum = 0;
	char hb[32];

	for (size_t i = 0; i < n; i++)
		if (vm_node_eligible(c, i, q)) {
			tm[ne] = (struct top){ i, vm_mem_avail(c, i, q) };
			tc[ne++] = (struct top){ i, vm_cpu_avail(c, i, q) };
		}
	if (!ne) {
		if (q->fixed && q->fixed->n)
			sb_puts(&sb, "none of its fixed nodes can hold a VM");
		else
			sb_puts(&sb, "no node with CPUs (memory-only nodes need "
				"--allow-memory-only-nodes)");
		return sb.oom ? NULL : sb.buf;
	}
	kmax = q->max_nodes && q->max_nodes < ne ? q->max_nodes : ne;
	qsort(tm, ne, sizeof(*tm), cmp_top);
	qsort(tc, ne, sizeof(*tc), cmp_top);
	for (size_t a = 0; a < kmax; a++) {
		msum += tm[a].v;
		csum += tc[a].v;
	}
	if (msum < q->mib) {
		sb_puts(&sb, "needs ");
		sb_mib(&sb, q->mib);
		if (q->huge_bytes)
			sb_printf(&sb, " of %s hugepages", np_format_bytes(hb,
				  sizeof(hb), q->huge_bytes));
		sb_printf(&sb, " on %s%zu node%s; ", kmax < n ? "≤ " : "", kmax,
			  kmax == 1 ? "" : "s");
		sb_top(&sb, c, tm, kmax, q->huge_bytes ? "largest hugepage" :
		       "largest free", true, NULL);
		if (q->huge_bytes)
			sb_puts(&sb, " free");
	} else if (csum < q->vcpus) {
		sb_printf(&sb, "needs %u %s on %s%zu node%s; ", q->vcpus,
			  q->dedicated ? "dedicated CPUs" : "vCPUs",
			  kmax < n ? "≤ " : "", kmax, kmax == 1 ? "" : "s");
		sb_top(&sb, c, tc, kmax, q->dedicated ? "freest" :
		       "least loaded", false, q->dedicated ? "free CPUs" :
		       "vCPUs of room");
		if (!q->dedicated)
			sb_printf(&sb, " (overcommit %g)", c->oc);
	} else {
		sb_puts(&sb, "needs ");
		sb_mib(&sb, q->mib);
		sb_printf(&sb, " and %u %s together on %s%zu node%s; no such "
			  "set has both", q->vcpus, q->dedicated ?
			  "dedicated CPUs" : "vCPUs", kmax < n ? "≤ " : "",
			  kmax, kmax == 1 ? "" : "s");
	}
	if (q->whole)
		sb_puts(&sb, " (it fits one node of this host, so it is kept "
			"whole; --allow-split would split it)");
	return sb.oom ? NULL : sb.buf;
}
