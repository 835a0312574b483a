/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Node-placed frames in user space (include/numaplace/frames.h): regions
 * bound with mbind and populated before use, cut into frames for the
 * core's allocator (core/falloc.h), with one core cache per thread.
 *
 * Address layout: one reservation, one slot of 2^stride_shift bytes per
 * region, so a frame's number is its offset >> frame_shift and its node
 * is a table look-up of offset >> stride_shift -- no search on free.
 */
#include <numaplace/frames.h>

#include <errno.h>
#include <linux/mempolicy.h>
#include <linux/mman.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <numaplace/pages.h>
#include <numaplace/topo.h>

#include "falloc.h"
#include "linux/linux-parse.h"
#include "linux/linux-mempolicy.h"
#include "linux/linux-pages.h"
#include "linux/linux-proc.h"
#include "linux/linux-root.h"

#define MIB (1024.0 * 1024.0)
#define HUGE_2M (2u << 20)
#define NONE UINT32_MAX

/*
 * A thread's cache for one pool.
 *
 * slot: the one frame the thread freed last on its hot node, held aside
 * from the list, or NULL.  A thread that frees a frame and allocates
 * again at once (the common pattern) then hands the same address back
 * through one pointer: the list's count, which every push and pop would
 * otherwise store and load again, stays out of that chain.  The frame is
 * the core's "allocated" while it sits here, so everything that counts or
 * returns a cache's frames counts or returns it too (slot_flush(),
 * np_frames_free_frames()).  slot_core is its core node: the hot entry's
 * when it was armed (hot_arm() empties the slot before it changes).
 * Only the owner stores it; np_frames_free_frames() reads it from other
 * threads, hence relaxed atomics (plain moves on x86).
 */
struct tcache {
	struct np_fa_cache c;
	void *_Atomic slot;
	uint32_t slot_core;
	struct np_frames *pool;
	pthread_t owner;
	struct tcache *next;
};

struct np_frames {
	uint64_t serial;              /* never 0; new for every pool */
	struct np_fa fa;
	void *meta;
	char *base;                   /* first slot */
	char *reserve;                /* the whole mapping */
	size_t reserve_bytes;
	unsigned frame_shift, stride_shift;
	size_t frame_bytes;
	uint64_t frames;              /* per region */
	uintptr_t span_bytes;         /* nslots << stride_shift */
	uintptr_t slot_mask;          /* (1 << stride_shift) - 1 */
	uintptr_t region_bytes;       /* frames << frame_shift */
	unsigned nslots;
	uint32_t slot_core[NP_FA_MAX_NODES];   /* slot -> core node */
	uint32_t core_host[NP_FA_MAX_NODES];   /* core node -> machine id */
	uint32_t ncore;
	uint32_t *host_core;          /* machine id -> core node, or NONE */
	uint32_t *host_slot;          /* machine id -> slot, or NONE */
	uint32_t *pool_core;          /* machine id -> core node if in the pool */
	uint32_t nhost;               /* entries of both */
	uint32_t *cpu_core;           /* CPU number -> core node */
	uint32_t ncpu;
	enum np_frames_backing backing;
	uint64_t thp_bytes;
	pthread_mutex_t lock;         /* tcs */
	struct tcache *tcs;
	struct np_frames *next;       /* in the registry */
};

/* ---- pools and thread caches ------------------------------------------ */

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct np_frames *registry;
static atomic_uint_fast64_t next_serial = 1;
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

/*
 * The last pool this thread used, checked on every call, and where the
 * kernel writes the number of the CPU the thread runs on (glibc's rseq
 * area; a constant 0 without rseq, so the node found when the cache was
 * made stays).
 *
 * The hot entry: the one node of that pool the thread last allocated a
 * frame on, with everything the fast paths need already looked up (its
 * list, its hit counter, its region), so that they load no pool table and
 * no dependent pointer: a frame's free would otherwise wait for the
 * table look-up of its node before it could touch the list.  hot_bytes
 * is 0 while there is none (no free matches it then); it is armed by
 * alloc_onnode_slow(), dropped whenever serial changes, and hot_hit is
 * chosen again whenever the cache's node changes (follow_cpu()).
 */
static const uint32_t no_rseq_cpu;

/*
 * In an executable (the static library's objects: PIE, or no PIC at all)
 * the thread-local data below is %fs plus a constant the linker fills in
 * (local-exec); in the shared library, %fs plus an offset the loader
 * chose, loaded first (initial-exec: static TLS, no __tls_get_addr; a
 * dlopen of libnumaplace.so needs the loader's surplus of static TLS,
 * which these few hundred bytes fit).  The fast paths below read it on
 * every call: local-exec saves the offset's load in each, and the copy
 * of an argument the compiler made to free a register for it.
 */
#if defined(__PIC__) && !defined(__PIE__)
#define NP_TLS_MODEL __attribute__((tls_model("initial-exec")))
#else
#define NP_TLS_MODEL __attribute__((tls_model("local-exec")))
#endif

static __thread struct {
	uint64_t serial;
	struct tcache *tc;
	const volatile uint32_t *cpu_id;
	uint32_t last_cpu;
	uint32_t hot_node;               /* machine node id, NONE: none */
	uint32_t hot_core;               /* its core node */
	struct np_fa_list *hot_list;     /* the cache's list of hot_core */
	_Atomic uint64_t *hot_hit;       /* np_fa_hit_counter(hot_core) */
	uintptr_t hot_region;            /* address of the node's region */
	uint64_t hot_pfn;                /* the region's first frame number */
	uintptr_t hot_bytes;             /* the region's size; 0: none */
	uintptr_t hot_mask;              /* frame_bytes - 1 */
} tls NP_TLS_MODEL;

static void hot_drop(void)
{
	tls.hot_node = NONE;
	tls.hot_bytes = 0;
}

static const volatile uint32_t *rseq_cpu_id(void)
{
	if (__rseq_size == 0)
		return &no_rseq_cpu;
	return &((volatile struct rseq *)((char *)__builtin_thread_pointer() +
					  __rseq_offset))->cpu_id;
}

/* Is tls this pool's?  Serials are never reused, so the serial alone
 * says it (a pool at a freed pool's address has a new one). */
static inline bool tls_mine(const struct np_frames *p)
{
	return tls.serial == p->serial;
}

/* ... with the thread still on the CPU it was on (for allocations, whose
 * counters and local policy depend on it). */
static inline bool tls_fresh(const struct np_frames *p)
{
	return tls_mine(p) && *tls.cpu_id == tls.last_cpu;
}

static uint32_t core_of_cpu(const struct np_frames *p, unsigned cpu)
{
	return cpu < p->ncpu ? p->cpu_core[cpu] : NONE;
}

/* Keeps the cache's node the node of the CPU the thread is on, so that
 * local allocation and local_node/other_node follow the thread. */
static void follow_cpu(struct np_frames *p, struct tcache *tc)
{
	uint32_t cpu = *tls.cpu_id, n;

	tls.last_cpu = cpu;
	if (tls.cpu_id == &no_rseq_cpu)
		return;
	n = core_of_cpu(p, cpu);
	if (n != NONE && n != tc->c.node) {
		np_fa_cache_set_node(&tc->c, n);
		/* local_node and other_node swap places for the hot list */
		if (tls.hot_bytes)
			tls.hot_hit = np_fa_hit_counter(&tc->c, tls.hot_core);
	}
}

/* The node of the CPU the thread is on; a CPU the topology does not know
 * counts as the first node with CPUs (caches live on nodes with CPUs). */
static uint32_t start_node(const struct np_frames *p)
{
	int c = sched_getcpu();
	uint32_t n = core_of_cpu(p, c < 0 ? 0 : (unsigned)c);

	for (uint32_t i = 0; n == NONE && i < p->ncore; i++)
		if (p->fa.node[i].has_cpus)
			n = i;
	return n == NONE ? 0 : n;
}

/*
 * The thread's caches of the pools it used last, so that a thread working
 * with a few pools (a VMM with one per guest) switches without the pool's
 * mutex.  Serials are never reused: a match is this pool's cache, and an
 * entry of a destroyed pool never matches again.
 */
#define RECENT_POOLS 8
static __thread struct {
	uint64_t serial;
	struct tcache *tc;
} recent[RECENT_POOLS] NP_TLS_MODEL;

static struct tcache *recent_find(const struct np_frames *p)
{
	for (unsigned i = 0; i < RECENT_POOLS; i++)
		if (recent[i].serial == p->serial)
			return recent[i].tc;
	return NULL;
}

static void recent_add(const struct np_frames *p, struct tcache *tc)
{
	for (unsigned i = RECENT_POOLS - 1; i > 0; i--)
		recent[i] = recent[i - 1];
	recent[0].serial = p->serial;
	recent[0].tc = tc;
}

/* Returns the slot's frame to its list (the owner only). */
static void slot_flush(const struct np_frames *p, struct tcache *tc)
{
	char *a = atomic_load_explicit(&tc->slot, memory_order_relaxed);

	if (!a)
		return;
	atomic_store_explicit(&tc->slot, NULL, memory_order_relaxed);
	np_fa_free_onnode(&tc->c, (uint64_t)(a - p->base) >> p->frame_shift,
			  tc->slot_core);
}

static void thread_exit(void *unused)
{
	pthread_t self = pthread_self();

	(void)unused;
	pthread_mutex_lock(&registry_lock);
	for (struct np_frames *p = registry; p; p = p->next) {
		pthread_mutex_lock(&p->lock);
		for (struct tcache **pp = &p->tcs; *pp;) {
			struct tcache *tc = *pp;

			if (!pthread_equal(tc->owner, self)) {
				pp = &tc->next;
				continue;
			}
			slot_flush(p, tc);
			np_fa_cache_detach(&tc->c);
			*pp = tc->next;
			free(tc);
		}
		pthread_mutex_unlock(&p->lock);
	}
	pthread_mutex_unlock(&registry_lock);
	tls.serial = 0;
	hot_drop();
	for (unsigned i = 0; i < RECENT_POOLS; i++)
		recent[i].serial = 0;
}

static void make_key(void)
{
	pthread_key_create(&exit_key, thread_exit);
}

static struct tcache *tcache_slow(struct np_frames *p)
{
	pthread_t self = pthread_self();
	struct tcache *tc = recent_find(p);
	size_t head = (sizeof(*tc) + 63) & ~(size_t)63;
	size_t bytes = np_fa_cache_bytes(&p->fa);

	if (tc)
		goto found;
	pthread_once(&exit_once, make_key);
	pthread_mutex_lock(&p->lock);
	for (tc = p->tcs; tc; tc = tc->next)
		if (pthread_equal(tc->owner, self))
			break;
	if (!tc) {
		tc = aligned_alloc(64, head + bytes);
		if (tc && np_fa_cache_attach(&p->fa, &tc->c, (char *)tc + head,
					     bytes, start_node(p))) {
			free(tc);
			tc = NULL;
		}
		if (tc) {
			tc->slot = NULL;
			tc->slot_core = NONE;
			tc->pool = p;
			tc->owner = self;
			tc->next = p->tcs;
			p->tcs = tc;
		}
	}
	pthread_mutex_unlock(&p->lock);
	if (!tc)
		return NULL;
	pthread_setspecific(exit_key, (void *)1);   /* run thread_exit */
	recent_add(p, tc);
found:
	tls.serial = p->serial;
	tls.tc = tc;
	hot_drop();
	tls.cpu_id = rseq_cpu_id();
	follow_cpu(p, tc);
	return tc;
}

/* The thread's cache, its node following the thread's CPU. */
static struct tcache *tcache(struct np_frames *p)
{
	if (tls_mine(p)) {
		if (*tls.cpu_id != tls.last_cpu)
			follow_cpu(p, tls.tc);
		return tls.tc;
	}
	return tcache_slow(p);
}

/* ---- creating a pool ---------------------------------------------------- */

static int populate(char *addr, size_t len)
{
	if (madvise(addr, len, MADV_POPULATE_WRITE) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	/* before Linux 5.14: touch every page */
	for (size_t off = 0; off < len; off += 4096)
		((volatile char *)addr)[off] = 0;
	return 0;
}

static int check_nodes(const struct np_frames_opts *o, const struct np_topo *t,
		       uint64_t bytes, struct np_err *err)
{
	for (size_t i = 0; i < o->nnodes; i++) {
		long k = np_topo_node_index(t, o->nodes[i]);
		const struct np_node *nd;

		for (size_t j = 0; j < i; j++)
			if (o->nodes[j] == o->nodes[i])
				return np_fail_input(err, -EINVAL, "node %u is listed twice",
					       o->nodes[i]);
		if (k < 0)
			return np_fail_input(err, -EINVAL, "node %u does not exist",
				       o->nodes[i]);
		nd = &t->nodes[k];
		if (!nd->has_memory || nd->total_bytes == 0)
			return np_fail_input(err, -EINVAL, "node %u has no memory",
				       o->nodes[i]);
		if (nd->free_bytes != NP_UNKNOWN && bytes > nd->free_bytes)
			return np_fail_sys(err, -ENOMEM,
				       "node %u has %.0f MiB free; the pool asks %.0f MiB",
				       o->nodes[i], nd->free_bytes / MIB, bytes / MIB);
	}
	return 0;
}

/* hugetlbfs when every node has the 2 MiB pages reserved and free. */
static bool hugetlb_everywhere(const struct np_frames_opts *o,
			       const struct np_topo *t, uint64_t frames)
{
	for (size_t i = 0; i < o->nnodes; i++) {
		const struct np_node *nd = &t->nodes[np_topo_node_index(t, o->nodes[i])];
		bool ok = false;

		for (size_t h = 0; h < nd->nhugepages; h++)
			if (nd->hugepages[h].size_bytes == HUGE_2M &&
			    nd->hugepages[h].free >= frames)
				ok = true;
		if (!ok)
			return false;
	}
	return true;
}

static int map_region(struct np_frames *p, unsigned slot, unsigned node,
		      struct np_err *err)
{
	char *addr = p->base + ((size_t)slot << p->stride_shift);
	size_t len = (size_t)(p->frames << p->frame_shift);
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	int e;

	if (p->backing == NP_FRAMES_HUGETLB)
		flags |= MAP_HUGETLB | MAP_HUGE_2MB;
	if (mmap(addr, len, PROT_READ | PROT_WRITE, flags, -1, 0) == MAP_FAILED)
		return np_fail_sys(err, -errno, "mmap of %.0f MiB for node %u: %s",
			       len / MIB, node, strerror(errno));
	e = np_mbind_nodes(addr, len, NP_POLICY_BIND,
			   &(struct np_idset){ &node, 1, 1 });
	if (e)
		return np_fail_errno(err, e, "mbind to node %u: %s%s", node,
				     strerror(-e), e == -EINVAL ?
				     " (is the node in this task's cpuset?)" :
				     np_numa_eperm_hint(e));
	if (p->backing == NP_FRAMES_THP)
		madvise(addr, len, MADV_HUGEPAGE);
	e = populate(addr, len);
	if (e)
		return np_fail_sys(err, e == -EFAULT ? -ENOMEM : e,
			       "node %u: the kernel could not populate %.0f MiB: %s",
			       node, len / MIB, strerror(-e));
	return 0;
}

/* Reserves address space: one aligned slot per region. */
static int reserve(struct np_frames *p, struct np_err *err)
{
	size_t slot = (size_t)1 << p->stride_shift;
	size_t align = slot > HUGE_2M ? slot : HUGE_2M;
	uintptr_t a;

	p->reserve_bytes = slot * p->nslots + align;
	p->reserve = mmap(NULL, p->reserve_bytes, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p->reserve == MAP_FAILED) {
		p->reserve = NULL;
		return np_fail_sys(err, -errno, "reserving %.0f MiB of address space: %s",
			       p->reserve_bytes / MIB, strerror(errno));
	}
	a = ((uintptr_t)p->reserve + align - 1) & ~(uintptr_t)(align - 1);
	p->base = (char *)a;
	return 0;
}

/* Machine ids <-> core nodes (every node of the machine) and CPU map. */
static int build_maps(struct np_frames *p, const struct np_topo *t,
		      struct np_err *err)
{
	unsigned maxid = 0, maxcpu = 0;

	if (t->nnodes > NP_FA_MAX_NODES)
		return np_fail_input(err, -EINVAL, "%zu nodes: at most %d are supported",
			       t->nnodes, NP_FA_MAX_NODES);
	for (size_t i = 0; i < t->nnodes; i++) {
		if (t->nodes[i].id > maxid)
			maxid = t->nodes[i].id;
		for (size_t c = 0; c < t->nodes[i].ncpus; c++)
			if (t->nodes[i].cpus[c] > maxcpu)
				maxcpu = t->nodes[i].cpus[c];
	}
	p->ncore = (uint32_t)t->nnodes;
	p->nhost = maxid + 1;
	p->ncpu = maxcpu + 1;
	p->host_core = malloc(p->nhost * sizeof(uint32_t));
	p->host_slot = malloc(p->nhost * sizeof(uint32_t));
	p->pool_core = malloc(p->nhost * sizeof(uint32_t));
	p->cpu_core = malloc(p->ncpu * sizeof(uint32_t));
	if (!p->host_core || !p->host_slot || !p->pool_core || !p->cpu_core)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	memset(p->host_core, 0xff, p->nhost * sizeof(uint32_t));
	memset(p->host_slot, 0xff, p->nhost * sizeof(uint32_t));
	memset(p->pool_core, 0xff, p->nhost * sizeof(uint32_t));
	memset(p->cpu_core, 0xff, p->ncpu * sizeof(uint32_t));
	for (uint32_t i = 0; i < p->ncore; i++) {
		p->core_host[i] = t->nodes[i].id;
		p->host_core[t->nodes[i].id] = i;
		for (size_t c = 0; c < t->nodes[i].ncpus; c++)
			p->cpu_core[t->nodes[i].cpus[c]] = i;
	}
	return 0;
}

/*
 * Linux sizes a CPU's lists by the zone: batch 63 for 4 KiB pages on a
 * node of 1 GiB or more.  A pool is a slice of its node, so the rule is
 * applied to the node's memory (the smallest pool node's), not to the
 * slice -- a 64 MiB pool would get batch 3 and take its node lock every
 * few frames of a burst.  Then halved (staying 2^n - 1) until one
 * thread's list, at most 6 * batch frames, holds no more than a quarter
 * of a region, so idle threads cannot hoard a small pool.
 */
static uint32_t default_batch(const struct np_frames *p, const struct np_topo *t,
			      const struct np_frames_opts *o)
{
	uint64_t node_frames = UINT64_MAX;
	uint32_t batch;

	for (size_t i = 0; i < o->nnodes; i++) {
		const struct np_node *nd = &t->nodes[np_topo_node_index(t, o->nodes[i])];
		uint64_t f = nd->total_bytes == NP_UNKNOWN ? p->frames
			     : nd->total_bytes >> p->frame_shift;

		if (f < node_frames)
			node_frames = f;
	}
	if (node_frames < p->frames)
		node_frames = p->frames;
	batch = np_fa_default_batch(node_frames, p->frame_shift);
	while (batch > 1 && 6ull * batch > p->frames / 4)
		batch /= 2;
	return batch;
}

static int init_core(struct np_frames *p, const struct np_topo *t,
		     const struct np_frames_opts *o, struct np_err *err)
{
	struct np_fa_range ranges[NP_FA_MAX_NODES];
	uint8_t dist[NP_FA_MAX_NODES * NP_FA_MAX_NODES];
	bool cpus[NP_FA_MAX_NODES], have_dist = t->distances != NULL;
	struct np_fa_config cfg = {
		.nnodes = p->ncore, .has_cpus = cpus, .ranges = ranges,
		.nranges = p->nslots, .frame_shift = p->frame_shift,
		.batch = o->batch, .high = o->high,
	};
	size_t bytes;

	for (uint32_t i = 0; i < p->ncore; i++) {
		cpus[i] = t->nodes[i].has_cpus;
		for (uint32_t j = 0; j < p->ncore; j++) {
			uint32_t d = have_dist ? t->distances[i * p->ncore + j] : 0;

			if (d == 0 || d > 255)
				have_dist = false;
			dist[i * p->ncore + j] = (uint8_t)d;
		}
	}
	cfg.distance = have_dist ? dist : NULL;
	if (!o->batch)
		cfg.batch = default_batch(p, t, o);
	if (o->high && cfg.batch > o->high && !o->batch)
		cfg.batch = o->high;
	if (!o->high)
		cfg.high = 6 * cfg.batch;
	for (unsigned s = 0; s < p->nslots; s++)
		ranges[s] = (struct np_fa_range){
			(uint64_t)s << (p->stride_shift - p->frame_shift),
			p->frames, p->slot_core[s] };
	bytes = np_fa_meta_bytes(&cfg);
	if (bytes == 0)
		return np_fail_input(err, -EINVAL, "%s",
			       cfg.high && cfg.batch > cfg.high
			       ? "the cache batch is larger than its high mark"
			       : "the node distances are not a valid SLIT "
				 "(10 to itself, more than 10 to others)");
	p->meta = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
	if (!p->meta)
		return np_fail_sys(err, -ENOMEM, "out of memory for %zu bytes of "
			       "frame metadata", bytes);
	if (np_fa_init(&p->fa, &cfg, p->meta, bytes))
		return np_fail_input(err, -EINVAL, "the frame allocator refused "
			       "the layout");
	return 0;
}

static void thp_measure(struct np_frames *p)
{
	p->thp_bytes = np_pages_thp_bytes(p->base,
					  (size_t)p->nslots << p->stride_shift);
}

static int check_opts(const struct np_frames_opts *o, struct np_err *err)
{
	if (o->frame_bytes != 4096 && o->frame_bytes != HUGE_2M)
		return np_fail_input(err, -EINVAL, "frame size %zu: 4096 or 2097152 "
			       "bytes", o->frame_bytes);
	if (!o->nnodes || !o->nodes)
		return np_fail_input(err, -EINVAL, "no node for the pool");
	if (!o->topo)
		return np_fail_input(err, -EINVAL, "no machine topology for the "
				     "pool");
	if (o->nnodes > NP_FA_MAX_NODES)
		return np_fail_input(err, -EINVAL, "%zu nodes: at most %d", o->nnodes,
			       NP_FA_MAX_NODES);
	if (o->bytes_per_node < o->frame_bytes ||
	    o->bytes_per_node > ((uint64_t)1 << 44))
		return np_fail_input(err, -EINVAL, "pool size %llu bytes per node: "
			       "from one frame to 16 TiB",
			       (unsigned long long)o->bytes_per_node);
	/* Rounding up would map memory nobody asked for, and the pool line
	 * would then count more frames than the size given. */
	if (o->bytes_per_node % o->frame_bytes)
		return np_fail_input(err, -EINVAL, "pool size %llu bytes per node: "
				     "not a whole number of %zu KiB frames",
				     (unsigned long long)o->bytes_per_node,
				     o->frame_bytes >> 10);
	return 0;
}

static int create(struct np_frames *p, const struct np_frames_opts *o,
		  struct np_err *err)
{
	const struct np_topo *t = o->topo;
	uint64_t bytes;
	int rc;

	p->frame_bytes = o->frame_bytes;
	p->frame_shift = o->frame_bytes == HUGE_2M ? 21 : 12;
	p->frames = (o->bytes_per_node + o->frame_bytes - 1) >> p->frame_shift;
	bytes = p->frames << p->frame_shift;
	p->stride_shift = 21;
	while (((uint64_t)1 << p->stride_shift) < bytes)
		p->stride_shift++;
	p->nslots = (unsigned)o->nnodes;
	p->span_bytes = (uintptr_t)p->nslots << p->stride_shift;
	p->slot_mask = ((uintptr_t)1 << p->stride_shift) - 1;
	p->region_bytes = (uintptr_t)bytes;
	p->backing = o->frame_bytes == 4096 ? NP_FRAMES_BASE_PAGES
		: hugetlb_everywhere(o, t, p->frames) ? NP_FRAMES_HUGETLB
		: NP_FRAMES_THP;
	rc = check_nodes(o, t, bytes, err);
	if (!rc)
		rc = build_maps(p, t, err);
	for (unsigned s = 0; !rc && s < p->nslots; s++) {
		p->slot_core[s] = p->host_core[o->nodes[s]];
		p->host_slot[o->nodes[s]] = s;
		p->pool_core[o->nodes[s]] = p->slot_core[s];
	}
	if (!rc)
		rc = init_core(p, t, o, err);
	if (!rc)
		rc = reserve(p, err);
	for (unsigned s = 0; !rc && s < p->nslots; s++)
		rc = map_region(p, s, o->nodes[s], err);
	if (!rc && p->backing == NP_FRAMES_THP)
		thp_measure(p);
	return rc;
}

int np_frames_create(const struct np_frames_opts *o, struct np_frames **out,
		     struct np_err *err)
{
	struct np_frames *p;
	int rc = check_opts(o, err);

	*out = NULL;
	if (rc)
		return rc;
	p = calloc(1, sizeof(*p));
	if (!p)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	pthread_mutex_init(&p->lock, NULL);
	rc = create(p, o, err);
	if (rc) {
		np_frames_destroy(p);
		return rc;
	}
	p->serial = atomic_fetch_add(&next_serial, 1);
	pthread_mutex_lock(&registry_lock);
	p->next = registry;
	registry = p;
	pthread_mutex_unlock(&registry_lock);
	*out = p;
	return 0;
}

void np_frames_destroy(struct np_frames *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&registry_lock);
	for (struct np_frames **pp = &registry; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	pthread_mutex_unlock(&registry_lock);
	while (p->tcs) {
		struct tcache *tc = p->tcs;

		p->tcs = tc->next;
		free(tc);
	}
	if (tls.serial == p->serial) {
		tls.serial = 0;
		hot_drop();
	}
	if (p->reserve)
		munmap(p->reserve, p->reserve_bytes);
	pthread_mutex_destroy(&p->lock);
	free(p->meta);
	free(p->host_core);
	free(p->host_slot);
	free(p->pool_core);
	free(p->cpu_core);
	free(p);
}

size_t np_frames_frame_bytes(const struct np_frames *p)
{
	return p->frame_bytes;
}

enum np_frames_backing np_frames_backing(const struct np_frames *p)
{
	return p->backing;
}

const char *np_frames_backing_name(enum np_frames_backing b)
{
	switch (b) {
	case NP_FRAMES_BASE_PAGES:
		return "base pages";
	case NP_FRAMES_HUGETLB:
		return "hugetlbfs";
	case NP_FRAMES_THP:
		return "THP";
	}
	return "?";
}

uint64_t np_frames_thp_bytes(const struct np_frames *p)
{
	return p->thp_bytes;
}

uint64_t np_frames_per_node(const struct np_frames *p)
{
	return p->frames;
}

/* ---- allocation ---------------------------------------------------------- */

/* Frames -> buddy order: bytes rounded up to 2^order frames. */
static int order_of(const struct np_frames *p, size_t bytes)
{
	size_t frames;
	int order = 0;

	if (bytes == 0)
		return -1;
	frames = (bytes + p->frame_bytes - 1) >> p->frame_shift;
	while (((size_t)1 << order) < frames)
		order++;
	return order > NP_BUDDY_MAX_ORDER ? -1 : order;
}

static void *frame_addr(const struct np_frames *p, uint64_t pfn)
{
	return p->base + ((size_t)pfn << p->frame_shift);
}

/* An allocation's failure, in err (which may be NULL): NULL. */
static void *fail_null(struct np_err *err, int rc, size_t bytes,
		       const char *where)
{
	if (rc == NP_FA_ENOMEM)
		np_fail_sys(err, -ENOMEM, "%zu bytes %s: no free frames", bytes,
			    where);
	else
		np_fail_input(err, -EINVAL, "%zu bytes %s: not a size or node "
			      "of this pool", bytes, where);
	return NULL;
}

/* Makes node (core node core, in the pool) the thread's hot entry. */
static void hot_arm(const struct np_frames *p, struct tcache *tc,
		    unsigned node, uint32_t core)
{
	uint32_t slot = p->host_slot[node];

	if (tc->slot_core != core) {
		slot_flush(p, tc);
		tc->slot_core = core;
	}
	tls.hot_node = node;
	tls.hot_core = core;
	tls.hot_list = &tc->c.list[core];
	tls.hot_hit = np_fa_hit_counter(&tc->c, core);
	tls.hot_region = (uintptr_t)p->base + ((uintptr_t)slot << p->stride_shift);
	tls.hot_pfn = (uint64_t)slot << (p->stride_shift - p->frame_shift);
	tls.hot_bytes = p->region_bytes;
	tls.hot_mask = p->frame_bytes - 1;
}

__attribute__((noinline, cold))
static void *alloc_onnode_slow(struct np_frames *p, size_t bytes,
			       unsigned node, struct np_err *err)
{
	struct tcache *tc = tcache(p);
	struct np_fa_policy pol;
	uint32_t core, got;
	uint64_t pfn;
	int order, rc;

	if (!tc)
		return np_fail_sys(err, -ENOMEM, "out of memory"), NULL;
	if (node >= p->nhost || (core = p->pool_core[node]) == NONE ||
	    (order = order_of(p, bytes)) < 0)
		return fail_null(err, NP_FA_EINVAL, bytes, "on a node");
	if (order == 0) {
		hot_arm(p, tc, node, core);
		rc = np_fa_alloc_onnode(&tc->c, core, &pfn);
	} else {
		pol = (struct np_fa_policy){ NP_FA_BIND, 0, 1ull << core, 0, 0 };
		rc = np_fa_alloc(&tc->c, &pol, (unsigned)order, &pfn, &got);
	}
	return rc ? fail_null(err, rc, bytes, "on a node") : frame_addr(p, pfn);
}

/*
 * The fast path: one frame of the hot node, asked for by its size, the
 * thread still on the CPU its counters were chosen for, from the slot or
 * a list that has one; anything else (first use, another node or pool, a
 * CPU change, an empty list, any other size, bad arguments) goes the slow
 * way, which arms the hot entry for the node asked.  (Testing the size
 * for equality is one fused compare; a range, 1 to a frame, took one
 * more micro-op on every call.)  Every load here is of the pool, the
 * thread's own TLS or the list: none waits on another.
 */
void *np_frames_alloc_onnode(struct np_frames *p, size_t bytes, unsigned node,
			     struct np_err *err)
{
	if (__builtin_expect(bytes == p->frame_bytes &&
			     tls.serial == p->serial && tls.hot_node == node &&
			     *tls.cpu_id == tls.last_cpu, 1)) {
		struct tcache *tc = tls.tc;
		void *a = atomic_load_explicit(&tc->slot, memory_order_relaxed);
		struct np_fa_list *l;
		uint32_t n;

		if (__builtin_expect(a != NULL, 1)) {
			atomic_store_explicit(&tc->slot, NULL,
					      memory_order_relaxed);
			np_fa_count(tls.hot_hit);
			return a;
		}
		l = tls.hot_list;
		n = l->count;
		if (__builtin_expect(n != 0, 1)) {
			l->count = --n;
			np_fa_count(tls.hot_hit);
			return frame_addr(p, l->pfn[n]);
		}
	}
	return alloc_onnode_slow(p, bytes, node, err);
}

__attribute__((noinline, cold))
static int free_slow(struct np_frames *p, void *addr, size_t bytes)
{
	uintptr_t off = (uintptr_t)addr - (uintptr_t)p->base;
	uint64_t slot = off >> p->stride_shift;
	uint64_t pfn = off >> p->frame_shift;
	struct tcache *tc;
	int order;

	if ((uintptr_t)addr < (uintptr_t)p->base || off >= p->span_bytes ||
	    (off & (p->frame_bytes - 1)) || (off & p->slot_mask) >= p->region_bytes)
		return -EINVAL;
	tc = tcache(p);
	if (!tc)
		return -ENOMEM;
	order = order_of(p, bytes);
	if (order < 0)
		return -EINVAL;
	if (order == 0) {
		np_fa_free_onnode(&tc->c, pfn, p->slot_core[slot]);
		return 0;
	}
	return np_fa_free(&tc->c, pfn, (unsigned)order) ? -EINVAL : 0;
}

/* A frame of any node of a pool this thread has a cache of (remote frees,
 * a thread that only frees), else the slow way. */
__attribute__((noinline))
static int free_other(struct np_frames *p, void *addr, size_t bytes)
{
	uintptr_t off = (uintptr_t)addr - (uintptr_t)p->base;

	/* off wraps for an address below base and fails the span test */
	if (__builtin_expect(tls_mine(p) && bytes - 1 < p->frame_bytes &&
			     off < p->span_bytes &&
			     !(off & (p->frame_bytes - 1)) &&
			     (off & p->slot_mask) < p->region_bytes, 1)) {
		np_fa_free_onnode(&tls.tc->c, off >> p->frame_shift,
				  p->slot_core[off >> p->stride_shift]);
		return 0;
	}
	return free_slow(p, addr, bytes);
}

/*
 * The fast path: a frame of the hot node's region goes to the slot, or
 * on the hot list, which is that node's (a frame is only ever cached on
 * its own node's list, whatever the CPU).  off wraps for an address below
 * the region and fails the range test; the mask tests alignment (of
 * the address: the region starts on a frame boundary).  Three
 * fused compares and no shift: the frame's index is computed only for
 * the list (a rotate by a register count is two micro-ops here, and the
 * slot, where a single frame's free goes, needs no index).
 */
int np_frames_free(struct np_frames *p, void *addr, size_t bytes)
{
	uintptr_t off = (uintptr_t)addr - tls.hot_region;

	if (__builtin_expect(bytes == p->frame_bytes &&
			     tls.serial == p->serial && off < tls.hot_bytes &&
			     !((uintptr_t)addr & tls.hot_mask), 1)) {
		struct tcache *tc = tls.tc;
		struct np_fa_list *l;
		uint32_t n;

		if (__builtin_expect(!atomic_load_explicit(&tc->slot,
				memory_order_relaxed), 1)) {
			atomic_store_explicit(&tc->slot, addr,
					      memory_order_relaxed);
			return 0;
		}
		l = tls.hot_list;
		n = l->count;
		l->pfn[n] = tls.hot_pfn + (off >> p->frame_shift);
		l->count = ++n;
		if (__builtin_expect(n > l->high, 0))
			np_fa_drain_batch(&tls.tc->c, l);
		return 0;
	}
	return free_other(p, addr, bytes);
}

/*
 * The one place the library's policy becomes the core's: default and
 * local are the core's local, the other modes map one to one, and only
 * NP_POLICY_STRICT among the flags means anything to a pool.
 */
static int core_mode(enum np_policy_mode mode, enum np_fa_mode *out)
{
	switch (mode) {
	case NP_POLICY_DEFAULT:
	case NP_POLICY_LOCAL: *out = NP_FA_LOCAL; return 0;
	case NP_POLICY_BIND: *out = NP_FA_BIND; return 0;
	case NP_POLICY_PREFERRED: *out = NP_FA_PREFERRED; return 0;
	case NP_POLICY_PREFERRED_MANY: *out = NP_FA_PREFERRED_MANY; return 0;
	case NP_POLICY_INTERLEAVE: *out = NP_FA_INTERLEAVE; return 0;
	case NP_POLICY_WEIGHTED_INTERLEAVE: break;
	}
	return -EOPNOTSUPP;
}

int np_frames_policy_make(const struct np_frames *p,
			  const struct np_policy *pol,
			  struct np_frames_policy *out, struct np_err *err)
{
	const struct np_idset *nodes = &pol->nodes;
	enum np_fa_mode mode;

	*out = (struct np_frames_policy){ .mode = pol->mode,
					  .flags = pol->flags };
	if (core_mode(pol->mode, &mode))
		return np_fail_input(err, -EOPNOTSUPP, "frame pools have no %s "
				     "policy", np_policy_mode_name(pol->mode));
	if (pol->flags & ~(unsigned)NP_POLICY_STRICT)
		return np_fail_input(err, -EINVAL, "frame pools take no policy "
				     "flag but strict");
	if (mode == NP_FA_LOCAL)
		return nodes->n ? np_fail_input(err, -EINVAL, "local takes no "
						"node") : 0;
	if (mode == NP_FA_PREFERRED && nodes->n != 1)
		return np_fail_input(err, -EINVAL, "preferred takes one node");
	if (nodes->n == 0)
		return np_fail_input(err, -EINVAL, "the policy names no node");
	for (size_t i = 0; i < nodes->n; i++) {
		unsigned id = nodes->ids[i];

		if (id >= p->nhost || p->host_slot[id] == NONE)
			return np_fail_input(err, -EINVAL, "node %u is not in the "
					     "pool", id);
		out->mask |= 1ull << p->host_core[id];
		out->node = p->host_core[id];
	}
	return 0;
}

void *np_frames_alloc(struct np_frames *p, size_t bytes,
		      struct np_frames_policy *pol, unsigned *node,
		      struct np_err *err)
{
	struct np_fa_policy fp;
	enum np_fa_mode mode;
	struct tcache *tc;
	uint64_t pfn;
	uint32_t got;
	int order, rc;

	/* The fast case: one frame under the local policy, from the cache */
	if ((pol->mode == NP_POLICY_DEFAULT || pol->mode == NP_POLICY_LOCAL) &&
	    tls_fresh(p) && bytes - 1 < p->frame_bytes &&
	    np_fa_alloc_local_cached(&tls.tc->c, &pfn, &got) == 0) {
		if (node)
			*node = p->core_host[got];
		return frame_addr(p, pfn);
	}
	tc = tcache(p);
	order = order_of(p, bytes);
	if (!tc)
		return np_fail_sys(err, -ENOMEM, "out of memory"), NULL;
	if (order < 0 || core_mode(pol->mode, &mode))
		return fail_null(err, NP_FA_EINVAL, bytes, "under the policy");
	fp = (struct np_fa_policy){ mode,
		pol->flags & NP_POLICY_STRICT ? NP_FA_STRICT : 0,
		pol->mask, pol->node, pol->il_next };
	rc = np_fa_alloc(&tc->c, &fp, (unsigned)order, &pfn, &got);
	pol->il_next = fp.il_next;
	if (rc)
		return fail_null(err, rc, bytes, "under the policy");
	if (node)
		*node = p->core_host[got];
	return frame_addr(p, pfn);
}

/* ---- counters and verification ------------------------------------------ */

int np_frames_stats(struct np_frames *p, unsigned node,
		    struct np_node_numastat *out)
{
	uint64_t s[NP_FA_NR_STATS];

	if (node >= p->nhost || p->host_core[node] == NONE)
		return -EINVAL;
	/* The core's counters, converted here and only here. */
	np_fa_node_stats(&p->fa, p->host_core[node], s);
	*out = (struct np_node_numastat){
		.numa_hit = s[NP_FA_NUMA_HIT],
		.numa_miss = s[NP_FA_NUMA_MISS],
		.numa_foreign = s[NP_FA_NUMA_FOREIGN],
		.interleave_hit = s[NP_FA_INTERLEAVE_HIT],
		.local_node = s[NP_FA_LOCAL_NODE],
		.other_node = s[NP_FA_OTHER_NODE],
	};
	return 0;
}

uint64_t np_frames_free_frames(struct np_frames *p, unsigned node)
{
	uint32_t core;
	uint64_t n;

	if (node >= p->nhost || (core = p->host_core[node]) == NONE)
		return 0;
	n = np_fa_node_free_frames(&p->fa, core);
	/* and the threads' slots: free, though the core has them out */
	pthread_mutex_lock(&p->lock);
	for (struct tcache *tc = p->tcs; tc; tc = tc->next)
		if (tc->slot_core == core &&
		    atomic_load_explicit(&tc->slot, memory_order_relaxed))
			n++;
	pthread_mutex_unlock(&p->lock);
	return n;
}

/* Frame i of the listed ones: one node for all its base pages, -1 when
 * they disagree, or the first page's negative status. */
static int frames_nodes(const struct np_frames *p, void *const *addrs,
			size_t n, int *nodes, struct np_err *err)
{
	size_t per = p->frame_bytes / 4096, total = n * per;
	void **pages = malloc(total * sizeof(void *));
	int *status = malloc(total * sizeof(int));
	int rc = 0;

	if (!pages || !status) {
		free(pages);
		free(status);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < per; k++)
			pages[i * per + k] = (char *)addrs[i] + k * 4096;
	rc = np_move_pages(0, total, pages, NULL, status, 0, err);
	for (size_t i = 0; !rc && i < n; i++) {
		nodes[i] = status[i * per];
		for (size_t k = 1; k < per && nodes[i] >= 0; k++)
			if (status[i * per + k] != nodes[i])
				nodes[i] = -1;
	}
	free(pages);
	free(status);
	return rc;
}

int np_frames_where(const struct np_frames *p, void *const *addrs, size_t n,
		    int *nodes, struct np_err *err)
{
	const size_t chunk = 1024;

	for (size_t i = 0; i < n; i += chunk) {
		int rc = frames_nodes(p, addrs + i, n - i < chunk ? n - i : chunk,
				      nodes + i, err);

		if (rc)
			return rc;
	}
	return 0;
}

int np_frames_verify_region(const struct np_frames *p, unsigned node,
			    uint64_t *on_node, uint64_t *off_node,
			    struct np_err *err)
{
	const size_t chunk = 1024;
	void *addrs[1024];
	int nodes[1024];
	char *region;
	uint32_t slot;

	if (node >= p->nhost || (slot = p->host_slot[node]) == NONE)
		return np_fail_input(err, -EINVAL, "node %u is not in the pool", node);
	region = p->base + ((size_t)slot << p->stride_shift);
	*on_node = *off_node = 0;
	for (uint64_t f = 0; f < p->frames; f += chunk) {
		size_t k = p->frames - f < chunk ? (size_t)(p->frames - f) : chunk;
		int rc;

		for (size_t i = 0; i < k; i++)
			addrs[i] = region + ((f + i) << p->frame_shift);
		rc = frames_nodes(p, addrs, k, nodes, err);
		if (rc)
			return rc;
		for (size_t i = 0; i < k; i++) {
			if (nodes[i] == (int)node)
				(*on_node)++;
			else
				(*off_node)++;
		}
	}
	return 0;
}

int np_frames_check(struct np_frames *p)
{
	return np_fa_check(&p->fa, NULL) ? -EBADMSG : 0;
}

void np_frames_thread_drain(struct np_frames *p)
{
	struct tcache *tc = tcache(p);

	if (tc) {
		slot_flush(p, tc);
		np_fa_cache_drain(&tc->c);
	}
}

int np_frames_parse_size(const char *s, uint64_t *bytes, struct np_err *err)
{
	const char *end;
	int rc = np_parse_size(s, &end, 1, (uint64_t)1 << 50, bytes);

	if (rc == -ERANGE)
		return np_fail_input(err, -EINVAL, "size '%s': too large", s);
	if (rc || *end)
		return np_fail_input(err, -EINVAL, "size '%s': expected a number of "
			       "bytes with K, M, G or T", s);
	if (*bytes == 0)
		return np_fail_input(err, -EINVAL, "size '%s': must be more than "
				     "0 bytes", s);
	return 0;
}
