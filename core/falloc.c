/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The frame allocator above the per-node buddies; see falloc.h. */
#include "falloc.h"

#include "zonelist.h"

#define ALIGN64(x) (((x) + 63) & ~(size_t)63)
#define NONE UINT32_MAX

/* ---- locks ------------------------------------------------------------ */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/* Test-and-test-and-set: waiters spin on a shared read, not on writes. */
static void lock(np_fa_lock_t *l)
{
	while (atomic_exchange_explicit(&l->v, 1, memory_order_acquire))
		while (atomic_load_explicit(&l->v, memory_order_relaxed))
			cpu_relax();
}

static void unlock(np_fa_lock_t *l)
{
	atomic_store_explicit(&l->v, 0, memory_order_release);
}

static void stat_add(struct np_fa_node *n, enum np_fa_stat_item i,
		     uint64_t v)
{
	if (v)
		atomic_fetch_add_explicit(&n->stat[i], v, memory_order_relaxed);
}

/* ---- configuration and layout ------------------------------------------ */

uint32_t np_fa_default_batch(uint64_t frames, unsigned frame_shift)
{
	uint64_t mib_frames = frame_shift >= 20 ? 0 : 1ull << (20 - frame_shift);
	uint64_t batch = frames >> 10;
	uint64_t p = 1;

	if (batch > mib_frames)
		batch = mib_frames;
	batch /= 4;
	if (batch < 1)
		batch = 1;
	batch += batch / 2;
	while (p * 2 <= batch)
		p *= 2;
	return p - 1 ? (uint32_t)(p - 1) : 1;   /* Linux: max(1, ...) */
}

/* Where each piece lives in meta, computed the same way for sizing and
 * for building. */
struct layout {
	size_t nodes, zl, ranges, dist, fmeta[NP_FA_MAX_NODES], total;
	uint64_t lo[NP_FA_MAX_NODES], span[NP_FA_MAX_NODES];
};

static bool config_valid(const struct np_fa_config *cfg)
{
	uint32_t n = cfg->nnodes;

	if (n == 0 || n > NP_FA_MAX_NODES || !cfg->ranges || !cfg->nranges)
		return false;
	for (uint32_t i = 0; i < cfg->nranges; i++) {
		const struct np_fa_range *r = &cfg->ranges[i];

		if (r->node >= n || r->count == 0 ||
		    r->base_pfn + r->count < r->base_pfn)
			return false;
		for (uint32_t j = 0; j < i; j++) {
			const struct np_fa_range *q = &cfg->ranges[j];

			if (r->base_pfn < q->base_pfn + q->count &&
			    q->base_pfn < r->base_pfn + r->count)
				return false;
		}
	}
	if (cfg->distance) {
		/* Linux's slit_valid(): 10 on the diagonal, more elsewhere. */
		for (uint32_t i = 0; i < n; i++)
			for (uint32_t j = 0; j < n; j++) {
				uint8_t d = cfg->distance[i * n + j];

				if (i == j ? d != 10 : d <= 10)
					return false;
			}
	}
	if (cfg->high && cfg->batch > cfg->high)
		return false;
	return true;
}

static bool plan(const struct np_fa_config *cfg, struct layout *L)
{
	uint32_t n = cfg->nnodes;
	size_t off = 0;

	if (!config_valid(cfg))
		return false;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t lo = UINT64_MAX, hi = 0;

		for (uint32_t r = 0; r < cfg->nranges; r++) {
			const struct np_fa_range *g = &cfg->ranges[r];

			if (g->node != i)
				continue;
			if (g->base_pfn < lo)
				lo = g->base_pfn;
			if (g->base_pfn + g->count > hi)
				hi = g->base_pfn + g->count;
		}
		L->lo[i] = lo == UINT64_MAX ? 0 : lo;
		L->span[i] = lo == UINT64_MAX ? 0 : hi - lo;
		if (L->span[i] >= NP_BUDDY_NONE)
			return false;
	}
	L->nodes = off;
	off = ALIGN64(off + n * sizeof(struct np_fa_node));
	L->zl = off;
	off = ALIGN64(off + (size_t)n * n * sizeof(unsigned));
	L->ranges = off;
	off = ALIGN64(off + cfg->nranges * sizeof(struct np_fa_range));
	L->dist = off;
	off = ALIGN64(off + (size_t)n * n);
	for (uint32_t i = 0; i < n; i++) {
		L->fmeta[i] = off;
		off = ALIGN64(off + np_buddy_meta_bytes((uint32_t)L->span[i]));
	}
	L->total = off;
	return true;
}

size_t np_fa_meta_bytes(const struct np_fa_config *cfg)
{
	struct layout L;

	return plan(cfg, &L) ? L.total : 0;
}

static void copy_sorted_ranges(struct np_fa *fa, struct np_fa_range *dst,
			       const struct np_fa_config *cfg)
{
	/* insertion sort by base: ranges are few, and this is init */
	for (uint32_t i = 0; i < cfg->nranges; i++) {
		struct np_fa_range r = cfg->ranges[i];
		uint32_t j = i;

		while (j > 0 && dst[j - 1].base_pfn > r.base_pfn) {
			dst[j] = dst[j - 1];
			j--;
		}
		dst[j] = r;
	}
	fa->range = dst;
	fa->nranges = cfg->nranges;
}

static void build_zonelists(struct np_fa *fa, const struct np_fa_config *cfg,
			    unsigned *zl, uint8_t *dist)
{
	uint32_t n = cfg->nnodes;
	bool has_cpus[NP_FA_MAX_NODES], has_mem[NP_FA_MAX_NODES];
	unsigned count[NP_FA_MAX_NODES];
	int load[NP_FA_MAX_NODES];
	struct np_zonelist_input in = { n, dist, has_cpus, has_mem };

	for (uint32_t i = 0; i < n; i++) {
		has_cpus[i] = cfg->has_cpus ? cfg->has_cpus[i] : true;
		has_mem[i] = fa->node[i].has_memory;
		for (uint32_t j = 0; j < n; j++)
			dist[i * n + j] = cfg->distance ? cfg->distance[i * n + j]
						     : (i == j ? 10 : 20);
	}
	np_zonelists_build(&in, zl, count, load);
	for (uint32_t i = 0; i < n; i++) {
		fa->node[i].zl = &zl[i * n];
		fa->node[i].nzl = count[i];
		fa->node[i].has_cpus = has_cpus[i];
	}
}

static void init_node(struct np_fa_node *nd, uint32_t id,
		      const struct np_fa_config *cfg, const struct layout *L,
		      char *meta)
{
	*nd = (struct np_fa_node){ .id = id };
	atomic_init(&nd->lock.v, 0);
	for (int s = 0; s < NP_FA_NR_STATS; s++)
		atomic_init(&nd->stat[s], 0);
	np_buddy_init(&nd->buddy, L->lo[id], (uint32_t)L->span[id],
		      (struct np_frame_meta *)(meta + L->fmeta[id]));
	for (uint32_t r = 0; r < cfg->nranges; r++)
		if (cfg->ranges[r].node == id)
			np_buddy_add(&nd->buddy, cfg->ranges[r].base_pfn,
				     cfg->ranges[r].count);
	nd->has_memory = nd->buddy.npresent > 0;
	nd->batch = cfg->batch ? cfg->batch
		: np_fa_default_batch(nd->buddy.npresent, cfg->frame_shift);
	nd->high = cfg->high ? cfg->high : 6 * nd->batch;
	if (nd->high < nd->batch)
		nd->high = nd->batch;
}

int np_fa_init(struct np_fa *fa, const struct np_fa_config *cfg, void *meta,
	       size_t meta_bytes)
{
	struct layout L;
	char *m = meta;

	if (!fa || !meta || ((uintptr_t)meta & 63) || !plan(cfg, &L) ||
	    meta_bytes < L.total)
		return NP_FA_EINVAL;
	*fa = (struct np_fa){ .nnodes = cfg->nnodes };
	atomic_init(&fa->cache_lock.v, 0);
	atomic_init(&fa->bad_frees, 0);
	fa->node = (struct np_fa_node *)(m + L.nodes);
	for (uint32_t i = 0; i < cfg->nnodes; i++) {
		init_node(&fa->node[i], i, cfg, &L, m);
		if (fa->node[i].has_memory)
			fa->mem_nodes |= 1ull << i;
	}
	copy_sorted_ranges(fa, (struct np_fa_range *)(m + L.ranges), cfg);
	build_zonelists(fa, cfg, (unsigned *)(m + L.zl), (uint8_t *)(m + L.dist));
	return 0;
}

int np_fa_pfn_node(const struct np_fa *fa, uint64_t pfn)
{
	uint32_t lo = 0, hi = fa->nranges;

	/* the last range starting at or below pfn */
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (fa->range[mid].base_pfn <= pfn)
			lo = mid;
		else
			hi = mid;
	}
	if (pfn < fa->range[lo].base_pfn ||
	    pfn - fa->range[lo].base_pfn >= fa->range[lo].count)
		return -1;
	return (int)fa->range[lo].node;
}

/* ---- caches ------------------------------------------------------------- */

static size_t cache_list_slots(const struct np_fa *fa, uint32_t i)
{
	return (size_t)fa->node[i].high + 1;
}

size_t np_fa_cache_bytes(const struct np_fa *fa)
{
	size_t off = ALIGN64(fa->nnodes * sizeof(struct np_fa_list));

	off = ALIGN64(off + fa->nnodes * sizeof(struct np_fa_pcp_stat));
	for (uint32_t i = 0; i < fa->nnodes; i++)
		off += cache_list_slots(fa, i) * sizeof(uint64_t);
	return ALIGN64(off);
}

/* The first node with memory in a node's fallback order. */
static uint32_t nearest_memory(const struct np_fa *fa, uint32_t node)
{
	const struct np_fa_node *nd = &fa->node[node];

	for (uint32_t k = 0; k < nd->nzl; k++)
		if (fa->node[nd->zl[k]].has_memory)
			return nd->zl[k];
	return node;
}

void np_fa_cache_set_node(struct np_fa_cache *c, uint32_t node)
{
	/* A CPU-less node has no CPU to serve (it never scores local_node). */
	if (node >= c->fa->nnodes || !c->fa->node[node].has_cpus)
		return;
	c->node = node;
	c->local_pref = nearest_memory(c->fa, node);
}

int np_fa_cache_attach(struct np_fa *fa, struct np_fa_cache *c, void *mem,
		       size_t mem_bytes, uint32_t node)
{
	char *m = mem;
	size_t off;
	uint64_t *slots;

	if (node >= fa->nnodes || !fa->node[node].has_cpus || !mem ||
	    ((uintptr_t)mem & 63) || mem_bytes < np_fa_cache_bytes(fa))
		return NP_FA_EINVAL;
	*c = (struct np_fa_cache){ .fa = fa };
	c->list = (struct np_fa_list *)m;
	off = ALIGN64(fa->nnodes * sizeof(struct np_fa_list));
	c->st = (struct np_fa_pcp_stat *)(m + off);
	off = ALIGN64(off + fa->nnodes * sizeof(struct np_fa_pcp_stat));
	slots = (uint64_t *)(m + off);
	for (uint32_t i = 0; i < fa->nnodes; i++) {
		c->list[i] = (struct np_fa_list){ 0, fa->node[i].high,
			fa->node[i].batch, i, slots };
		slots += cache_list_slots(fa, i);
		atomic_init(&c->st[i].hit[0], 0);
		atomic_init(&c->st[i].hit[1], 0);
		atomic_init(&c->st[i].interleave_hit, 0);
	}
	np_fa_cache_set_node(c, node);
	lock(&fa->cache_lock);
	c->next = fa->caches;
	fa->caches = c;
	unlock(&fa->cache_lock);
	return 0;
}

/* Moves the cache's counts for frames of node i into the node's totals.
 * Called by the owner (the only writer of c->st). */
static void fold(struct np_fa_cache *c, uint32_t i)
{
	struct np_fa_pcp_stat *s = &c->st[i];
	struct np_fa_node *nd = &c->fa->node[i];
	uint64_t other = atomic_load_explicit(&s->hit[0], memory_order_relaxed);
	uint64_t local = atomic_load_explicit(&s->hit[1], memory_order_relaxed);
	uint64_t il = atomic_load_explicit(&s->interleave_hit, memory_order_relaxed);

	stat_add(nd, NP_FA_NUMA_HIT, other + local);
	stat_add(nd, NP_FA_LOCAL_NODE, local);
	stat_add(nd, NP_FA_OTHER_NODE, other);
	stat_add(nd, NP_FA_INTERLEAVE_HIT, il);
	atomic_store_explicit(&s->hit[0], 0, memory_order_relaxed);
	atomic_store_explicit(&s->hit[1], 0, memory_order_relaxed);
	atomic_store_explicit(&s->interleave_hit, 0, memory_order_relaxed);
}

/* Gives the n coldest (lowest) frames of a list to its node's buddy. */
static void drain_n(struct np_fa_cache *c, struct np_fa_list *l, uint32_t n)
{
	struct np_fa_node *nd = &c->fa->node[l->node];
	uint64_t bad = 0;

	if (n > l->count)
		n = l->count;
	lock(&nd->lock);
	for (uint32_t i = 0; i < n; i++)
		if (np_buddy_free(&nd->buddy, l->pfn[i], 0))
			bad++;
	fold(c, l->node);
	unlock(&nd->lock);
	for (uint32_t i = n; i < l->count; i++)
		l->pfn[i - n] = l->pfn[i];
	l->count -= n;
	if (bad)
		atomic_fetch_add_explicit(&c->fa->bad_frees, bad,
					  memory_order_relaxed);
}

void np_fa_drain_batch(struct np_fa_cache *c, struct np_fa_list *l)
{
	drain_n(c, l, l->batch);
}

void np_fa_cache_drain(struct np_fa_cache *c)
{
	for (uint32_t i = 0; i < c->fa->nnodes; i++)
		drain_n(c, &c->list[i], c->list[i].count);
}

void np_fa_cache_detach(struct np_fa_cache *c)
{
	struct np_fa *fa = c->fa;
	struct np_fa_cache **pp;

	np_fa_cache_drain(c);   /* folds every node's counts too */
	lock(&fa->cache_lock);
	for (pp = &fa->caches; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	unlock(&fa->cache_lock);
	c->next = 0;
}

/* Fills an empty list with up to batch frames; how many it got. */
static uint32_t refill(struct np_fa_cache *c, struct np_fa_list *l)
{
	struct np_fa_node *nd = &c->fa->node[l->node];
	uint32_t got = 0;
	uint64_t pfn;

	lock(&nd->lock);
	while (got < l->batch && np_buddy_alloc(&nd->buddy, 0, &pfn) == 0)
		got++, l->pfn[l->batch - got] = pfn;
	fold(c, l->node);
	unlock(&nd->lock);
	/* The lowest frame ends up on top, handed out first. */
	if (got < l->batch)
		for (uint32_t i = 0; i < got; i++)
			l->pfn[i] = l->pfn[l->batch - got + i];
	l->count = got;
	return got;
}

int np_fa_refill_take(struct np_fa_cache *c, uint32_t node, uint64_t *pfn)
{
	struct np_fa_list *l = &c->list[node];

	if (!refill(c, l))
		return NP_FA_ENOMEM;
	*pfn = l->pfn[--l->count];
	np_fa_count(&c->st[node].hit[node == c->node]);
	return 0;
}

/* ---- policies ----------------------------------------------------------- */

/* What a request may try, in order: base's zonelist filtered by mask
 * (then, for preferred-many, by mask2). */
struct plan_req {
	uint32_t base;
	uint64_t mask, mask2;
	uint32_t target;         /* interleave's node, or NONE */
	bool strict;
};

static int next_interleave(struct np_fa_policy *p, uint64_t set,
			   uint32_t nnodes)
{
	uint32_t start = p->il_next % nnodes;

	for (uint32_t k = 0; k < nnodes; k++) {
		uint32_t i = (start + k) % nnodes;

		if (set & (1ull << i)) {
			p->il_next = i + 1;
			return (int)i;
		}
	}
	return -1;
}

static int resolve(struct np_fa_cache *c, struct np_fa_policy *p,
		   struct plan_req *r)
{
	struct np_fa *fa = c->fa;
	uint64_t all = fa->nnodes == 64 ? ~0ull : (1ull << fa->nnodes) - 1;
	uint64_t set = p->nodes & fa->mem_nodes;

	*r = (struct plan_req){ c->node, fa->mem_nodes, 0, NONE,
				(p->flags & NP_FA_STRICT) != 0 };
	switch (p->mode) {
	case NP_FA_LOCAL:
		return 0;
	case NP_FA_PREFERRED:
		if (p->node >= fa->nnodes || !fa->node[p->node].has_memory)
			return NP_FA_EINVAL;
		r->base = p->node;
		return 0;
	case NP_FA_BIND:
	case NP_FA_PREFERRED_MANY:
	case NP_FA_INTERLEAVE:
		if ((p->nodes & ~all) || !set)
			return NP_FA_EINVAL;
		break;
	default:
		return NP_FA_EINVAL;
	}
	r->mask = set;
	if (p->mode == NP_FA_PREFERRED_MANY)
		r->mask2 = fa->mem_nodes & ~set;
	if (p->mode == NP_FA_INTERLEAVE) {
		r->target = (uint32_t)next_interleave(p, set, fa->nnodes);
		r->base = r->target;
		r->mask = fa->mem_nodes;
	}
	return 0;
}

/* Linux's zone_statistics() for one allocation. */
static void count_alloc(struct np_fa_cache *c, uint32_t page, uint32_t pref,
			uint32_t target)
{
	struct np_fa_node *pn = &c->fa->node[page];

	if (page == pref) {
		/* the common case: per-CPU, folded later */
		np_fa_count(&c->st[page].hit[page == c->node]);
	} else {
		stat_add(pn, NP_FA_NUMA_MISS, 1);
		stat_add(&c->fa->node[pref], NP_FA_NUMA_FOREIGN, 1);
		stat_add(pn, page == c->node ? NP_FA_LOCAL_NODE
					     : NP_FA_OTHER_NODE, 1);
	}
	if (page == target)
		np_fa_count(&c->st[page].interleave_hit);
}

static bool take(struct np_fa_cache *c, uint32_t node, unsigned order,
		 uint64_t *pfn)
{
	struct np_fa_node *nd = &c->fa->node[node];
	struct np_fa_list *l = &c->list[node];
	bool ok;

	if (order == 0) {
		if (l->count == 0 && !refill(c, l))
			return false;
		*pfn = l->pfn[--l->count];
		return true;
	}
	lock(&nd->lock);
	ok = np_buddy_alloc(&nd->buddy, order, pfn) == 0;
	unlock(&nd->lock);
	return ok;
}

int np_fa_alloc(struct np_fa_cache *c, struct np_fa_policy *p,
		unsigned order, uint64_t *pfn, uint32_t *node)
{
	struct plan_req r;
	uint32_t first = NONE, pref = NONE;
	int err;

	if (order > NP_BUDDY_MAX_ORDER)
		return NP_FA_EINVAL;
	err = resolve(c, p, &r);
	if (err)
		return err;
	for (int pass = 0; pass < 2; pass++) {
		const struct np_fa_node *b = &c->fa->node[r.base];
		uint64_t mask = pass ? r.mask2 : r.mask;

		/* preferred-many's second pass is Linux's __alloc_pages() with
		 * no nodemask: it prefers the local node (nearest with memory) */
		if (pass)
			pref = c->local_pref;
		for (uint32_t k = 0; k < b->nzl; k++) {
			uint32_t n = b->zl[k];

			if (!(mask & (1ull << n)))
				continue;
			if (first == NONE)
				first = pref = n;
			else if (r.strict)
				return NP_FA_ENOMEM;
			if (take(c, n, order, pfn)) {
				count_alloc(c, n, pref, r.target);
				*node = n;
				return 0;
			}
		}
	}
	return NP_FA_ENOMEM;
}

int np_fa_free(struct np_fa_cache *c, uint64_t pfn, unsigned order)
{
	int node = np_fa_pfn_node(c->fa, pfn);
	struct np_fa_node *nd;
	int err;

	if (node < 0 || order > NP_BUDDY_MAX_ORDER)
		return NP_FA_EINVAL;
	if (order == 0) {
		np_fa_free_onnode(c, pfn, (uint32_t)node);
		return 0;
	}
	nd = &c->fa->node[node];
	lock(&nd->lock);
	err = np_buddy_free(&nd->buddy, pfn, order);
	unlock(&nd->lock);
	return err ? NP_FA_EINVAL : 0;
}

/* ---- reading and checking ---------------------------------------------- */

void np_fa_node_stats(struct np_fa *fa, uint32_t node,
		      uint64_t out[NP_FA_NR_STATS])
{
	const struct np_fa_node *nd = &fa->node[node];

	for (int s = 0; s < NP_FA_NR_STATS; s++)
		out[s] = atomic_load_explicit(&nd->stat[s], memory_order_relaxed);
	lock(&fa->cache_lock);
	for (struct np_fa_cache *c = fa->caches; c; c = c->next) {
		const struct np_fa_pcp_stat *s = &c->st[node];
		uint64_t other = atomic_load_explicit(&s->hit[0],
						      memory_order_relaxed);
		uint64_t local = atomic_load_explicit(&s->hit[1],
						      memory_order_relaxed);

		out[NP_FA_NUMA_HIT] += other + local;
		out[NP_FA_LOCAL_NODE] += local;
		out[NP_FA_OTHER_NODE] += other;
		out[NP_FA_INTERLEAVE_HIT] += atomic_load_explicit(
			&s->interleave_hit, memory_order_relaxed);
	}
	unlock(&fa->cache_lock);
}

uint64_t np_fa_node_free_frames(struct np_fa *fa, uint32_t node)
{
	struct np_fa_node *nd = &fa->node[node];
	uint64_t n;

	lock(&nd->lock);
	n = nd->buddy.nfree;
	unlock(&nd->lock);
	lock(&fa->cache_lock);
	for (struct np_fa_cache *c = fa->caches; c; c = c->next)
		n += c->list[node].count;
	unlock(&fa->cache_lock);
	return n;
}

static struct np_frame_meta *frame_meta(struct np_fa *fa, uint32_t node,
					uint64_t pfn)
{
	struct np_buddy *b = &fa->node[node].buddy;

	if (pfn < b->base_pfn || pfn - b->base_pfn >= b->span)
		return 0;
	return &b->meta[pfn - b->base_pfn];
}

/* Marks (or, with set false, unmarks) every cached frame; counts them per
 * node in cached[]; false at the first frame in the wrong place. */
static bool mark_cached(struct np_fa *fa, bool set, uint64_t *cached)
{
	for (struct np_fa_cache *c = fa->caches; c; c = c->next)
		for (uint32_t i = 0; i < fa->nnodes; i++) {
			const struct np_fa_list *l = &c->list[i];

			if (l->node != i || l->count > l->high)
				return false;
			for (uint32_t k = 0; k < l->count; k++) {
				struct np_frame_meta *m = frame_meta(fa, i, l->pfn[k]);

				if (!set) {
					if (m)
						m->mark = 0;
					continue;
				}
				if (!m || np_fa_pfn_node(fa, l->pfn[k]) != (int)i ||
				    m->state != NP_FRAME_ALLOCATED ||
				    m->order != 0 || m->mark)
					return false;
				m->mark = 1;
				cached[i]++;
			}
		}
	return true;
}

static bool counters_add_up(struct np_fa *fa)
{
	uint64_t hm = 0, lo = 0, miss = 0, foreign = 0;

	for (uint32_t i = 0; i < fa->nnodes; i++) {
		uint64_t s[NP_FA_NR_STATS];

		np_fa_node_stats(fa, i, s);
		hm += s[NP_FA_NUMA_HIT] + s[NP_FA_NUMA_MISS];
		lo += s[NP_FA_LOCAL_NODE] + s[NP_FA_OTHER_NODE];
		miss += s[NP_FA_NUMA_MISS];
		foreign += s[NP_FA_NUMA_FOREIGN];
		if (s[NP_FA_INTERLEAVE_HIT] > s[NP_FA_NUMA_HIT])
			return false;
		if (!fa->node[i].has_memory &&
		    (s[NP_FA_NUMA_HIT] | s[NP_FA_NUMA_MISS] |
		     s[NP_FA_NUMA_FOREIGN] | s[NP_FA_LOCAL_NODE] |
		     s[NP_FA_OTHER_NODE]))
			return false;
		if (!fa->node[i].has_cpus && s[NP_FA_LOCAL_NODE])
			return false;
	}
	return hm == lo && miss == foreign;
}

int np_fa_check(struct np_fa *fa, const uint64_t *in_use)
{
	uint64_t cached[NP_FA_MAX_NODES] = { 0 };
	bool ok = true;

	if (atomic_load_explicit(&fa->bad_frees, memory_order_relaxed))
		return NP_FA_ECORRUPT;
	for (uint32_t i = 0; i < fa->nnodes; i++)
		if (np_buddy_check(&fa->node[i].buddy))
			return NP_FA_ECORRUPT;
	lock(&fa->cache_lock);
	ok = mark_cached(fa, true, cached);
	mark_cached(fa, false, cached);
	unlock(&fa->cache_lock);
	for (uint32_t i = 0; ok && i < fa->nnodes; i++) {
		const struct np_buddy *b = &fa->node[i].buddy;
		uint64_t allocated = b->npresent - b->nfree;

		if (allocated < cached[i] ||
		    (in_use && allocated - cached[i] != in_use[i]))
			ok = false;
	}
	if (ok)
		ok = counters_add_up(fa);
	return ok ? 0 : NP_FA_ECORRUPT;
}
