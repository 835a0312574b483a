/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The contenders of `bench alloc`: numaplace's frame pool and its peers,
 * each with its measured loops.  Only a helper process runs these, one
 * allocator per process: the peers are loaded there with dlopen (the
 * library links none of them), and whatever an allocator keeps in its
 * globals below is that process's alone.
 */
#include "bench/bench-internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/frames.h>
#include <numaplace/topo.h>

/* ---- the measured loops ---- */

/* The one byte every frame gets: volatile, so it cannot be elided. */
static inline void touch(void *p)
{
	*(volatile unsigned char *)p = 1;
}

typedef void *alloc_fn(size_t bytes, unsigned node);
typedef int free_fn(void *p, size_t bytes);

/*
 * Inlined into each allocator's own loop with constant alloc/free, so
 * every contender pays exactly one call into its allocator per operation
 * (a direct call for numaplace and glibc, through the dlsym pointer for
 * the others, as a PLT would).
 */
static inline __attribute__((always_inline)) int
loop_single(alloc_fn *alloc, free_fn *release, uint64_t frames, size_t bytes,
	    unsigned node)
{
	for (uint64_t i = 0; i < frames; i++) {
		void *p = alloc(bytes, node);

		if (!p)
			return -ENOMEM;
		touch(p);
		if (release(p, bytes))
			return -EINVAL;
	}
	return 0;
}

static inline __attribute__((always_inline)) int
loop_batch(alloc_fn *alloc, free_fn *release, uint64_t frames, size_t bytes,
	   unsigned node)
{
	void *p[NP_BENCH_BATCH_FRAMES];

	for (uint64_t i = 0; i < frames; i += NP_BENCH_BATCH_FRAMES) {
		for (unsigned k = 0; k < NP_BENCH_BATCH_FRAMES; k++) {
			p[k] = alloc(bytes, node);
			if (!p[k]) {
				while (k--)
					release(p[k], bytes);
				return -ENOMEM;
			}
			touch(p[k]);
		}
		for (unsigned k = 0; k < NP_BENCH_BATCH_FRAMES; k++)
			if (release(p[k], bytes))
				return -EINVAL;
	}
	return 0;
}

#define BENCH_LOOPS(a)                                                      \
	static int a##_single(uint64_t frames, size_t bytes, unsigned node) \
	{                                                                   \
		return loop_single(a##_alloc, a##_free, frames, bytes, node); \
	}                                                                   \
	static int a##_batch(uint64_t frames, size_t bytes, unsigned node)  \
	{                                                                   \
		return loop_batch(a##_alloc, a##_free, frames, bytes, node);  \
	}

/* Loads a library and the symbols named in syms[] into slots[]. */
static int dl_load(const char *soname, const char *const *syms, void **slots,
		   size_t n, char *msg, size_t len)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(msg, len, "%s", dlerror());
		return -ENOENT;
	}
	for (size_t i = 0; i < n; i++) {
		slots[i] = dlsym(h, syms[i]);
		if (!slots[i]) {
			snprintf(msg, len, "%s: no symbol %s", soname, syms[i]);
			return -ENOENT;
		}
	}
	return 0;
}

/* ---- numaplace ---- */

static struct np_frames *bench_pool;

static void *numaplace_alloc(size_t bytes, unsigned node)
{
	return np_frames_alloc_onnode(bench_pool, bytes, node, NULL);
}

static int numaplace_free(void *p, size_t bytes)
{
	return np_frames_free(bench_pool, p, bytes);
}

BENCH_LOOPS(numaplace)

static int numaplace_setup(const struct np_bench_plan *pl, char *msg,
			   size_t len)
{
	struct np_frames_opts o = {
		.nodes = pl->pool_nodes,
		.nnodes = pl->npool_nodes,
		.bytes_per_node = pl->pool_bytes,
		.frame_bytes = pl->frame_bytes,
	};
	struct np_err err = { 0 };
	struct np_topo *t = NULL;
	int e = np_topo_from_sysroot_parts("/", NP_TOPO_COUNTERS, &t, &err);

	o.topo = t;
	if (!e)
		e = np_frames_create(&o, &bench_pool, &err);
	np_topo_free(t);
	if (e)
		snprintf(msg, len, "%s", err.msg[0] ? err.msg : strerror(-e));
	return e;
}

static void numaplace_describe(char *msg, size_t len)
{
	enum np_frames_backing b = np_frames_backing(bench_pool);

	if (b == NP_FRAMES_THP)
		snprintf(msg, len, "%s, %llu MiB of it huge",
			 np_frames_backing_name(b),
			 (unsigned long long)(np_frames_thp_bytes(bench_pool) /
					      NP_BENCH_MIB));
	else
		snprintf(msg, len, "%s", np_frames_backing_name(b));
}

/* ---- libnuma ---- */

static struct {
	void *(*alloc_onnode)(size_t bytes, int node);
	void (*free)(void *p, size_t bytes);
	int (*available)(void);
} libnuma;

static void *libnuma_alloc(size_t bytes, unsigned node)
{
	return libnuma.alloc_onnode(bytes, (int)node);
}

static int libnuma_free(void *p, size_t bytes)
{
	libnuma.free(p, bytes);
	return 0;
}

BENCH_LOOPS(libnuma)

static int libnuma_setup(const struct np_bench_plan *pl, char *msg, size_t len)
{
	static const char *const syms[] = {
		"numa_alloc_onnode", "numa_free", "numa_available",
	};
	void *slots[3];
	int e = dl_load("libnuma.so.1", syms, slots, 3, msg, len);

	(void)pl;
	if (e)
		return e;
	*(void **)&libnuma.alloc_onnode = slots[0];
	*(void **)&libnuma.free = slots[1];
	*(void **)&libnuma.available = slots[2];
	if (libnuma.available() < 0) {
		snprintf(msg, len, "numa_available() < 0: no NUMA support");
		return -ENOSYS;
	}
	return 0;
}

/* ---- glibc (the helper has no other malloc) ---- */

static void *glibc_alloc(size_t bytes, unsigned node)
{
	(void)node;
	return aligned_alloc(NP_BENCH_PAGE_BYTES, bytes);
}

static int glibc_free(void *p, size_t bytes)
{
	(void)bytes;
	free(p);
	return 0;
}

BENCH_LOOPS(glibc)

static int glibc_setup(const struct np_bench_plan *pl, char *msg, size_t len)
{
	(void)pl;
	(void)msg;
	(void)len;
	return 0;
}

/* ---- mimalloc ---- */

static struct {
	void *(*malloc_aligned)(size_t bytes, size_t align);
	void (*free)(void *p);
} mimalloc;

static void *mimalloc_alloc(size_t bytes, unsigned node)
{
	(void)node;
	return mimalloc.malloc_aligned(bytes, NP_BENCH_PAGE_BYTES);
}

static int mimalloc_free(void *p, size_t bytes)
{
	(void)bytes;
	mimalloc.free(p);
	return 0;
}

BENCH_LOOPS(mimalloc)

static int mimalloc_setup(const struct np_bench_plan *pl, char *msg,
			  size_t len)
{
	static const char *const syms[] = { "mi_malloc_aligned", "mi_free" };
	void *slots[2];
	int e = dl_load("libmimalloc.so.2", syms, slots, 2, msg, len);

	(void)pl;
	if (e)
		return e;
	*(void **)&mimalloc.malloc_aligned = slots[0];
	*(void **)&mimalloc.free = slots[1];
	return 0;
}

/* ---- jemalloc; MALLOCX_ALIGN(a) is lg(a) in the low bits of the flags ---- */

#define JE_ALIGN_PAGE 12

static struct {
	void *(*mallocx)(size_t bytes, int flags);
	void (*dallocx)(void *p, int flags);
} jemalloc;

static void *jemalloc_alloc(size_t bytes, unsigned node)
{
	(void)node;
	return jemalloc.mallocx(bytes, JE_ALIGN_PAGE);
}

static int jemalloc_free(void *p, size_t bytes)
{
	(void)bytes;
	jemalloc.dallocx(p, JE_ALIGN_PAGE);
	return 0;
}

BENCH_LOOPS(jemalloc)

static int jemalloc_setup(const struct np_bench_plan *pl, char *msg,
			  size_t len)
{
	static const char *const syms[] = { "mallocx", "dallocx" };
	void *slots[2];
	int e = dl_load("libjemalloc.so.2", syms, slots, 2, msg, len);

	(void)pl;
	if (e)
		return e;
	*(void **)&jemalloc.mallocx = slots[0];
	*(void **)&jemalloc.dallocx = slots[1];
	return 0;
}

/* ---- memkind; MEMKIND_REGULAR is a variable holding the kind ---- */

static struct {
	int (*posix_memalign)(void *kind, void **p, size_t align, size_t bytes);
	void (*free)(void *kind, void *p);
	void *kind;
} memkind;

static void *memkind_alloc(size_t bytes, unsigned node)
{
	void *p;

	(void)node;
	if (memkind.posix_memalign(memkind.kind, &p, NP_BENCH_PAGE_BYTES, bytes))
		return NULL;
	return p;
}

static int memkind_free(void *p, size_t bytes)
{
	(void)bytes;
	memkind.free(memkind.kind, p);
	return 0;
}

BENCH_LOOPS(memkind)

static int memkind_setup(const struct np_bench_plan *pl, char *msg, size_t len)
{
	static const char *const syms[] = {
		"memkind_posix_memalign", "memkind_free", "MEMKIND_REGULAR",
	};
	void *slots[3];
	int e = dl_load("libmemkind.so.0", syms, slots, 3, msg, len);

	(void)pl;
	if (e)
		return e;
	*(void **)&memkind.posix_memalign = slots[0];
	*(void **)&memkind.free = slots[1];
	memkind.kind = *(void **)slots[2];
	return 0;
}

const struct np_bench_allocator np_bench_allocators[] = {
	{ "numaplace", numaplace_setup, numaplace_describe, numaplace_single,
	  numaplace_batch },
	{ "numa_alloc_onnode", libnuma_setup, NULL, libnuma_single,
	  libnuma_batch },
	{ "glibc", glibc_setup, NULL, glibc_single, glibc_batch },
	{ "mimalloc", mimalloc_setup, NULL, mimalloc_single, mimalloc_batch },
	{ "jemalloc", jemalloc_setup, NULL, jemalloc_single, jemalloc_batch },
	{ "memkind", memkind_setup, NULL, memkind_single, memkind_batch },
};

const size_t np_bench_nallocators =
	sizeof(np_bench_allocators) / sizeof(np_bench_allocators[0]);
