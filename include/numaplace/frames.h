/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Node-placed frames for user space: the host backend of the core's frame
 * allocator ("like numa_alloc_onnode, but fast").
 *
 * A pool reserves, for each chosen node, one region of memory bound to
 * that node (mmap + mbind(MPOL_BIND) + populate, before any page is
 * touched), cuts it into frames of 4 KiB or 2 MiB, and hands the frames to
 * the core allocator (core/falloc.h): per-node buddy pools, per-thread
 * caches on the fast path (no lock, no system call, no atomic read-modify-
 * write), distance-ordered fallback when a policy allows it, and Linux's
 * NUMA counters (numa_hit, numa_miss, numa_foreign, interleave_hit,
 * local_node, other_node) per node.
 *
 * 2 MiB frames come from hugetlbfs when the node has that many free 2 MiB
 * huge pages reserved, otherwise from THP (MADV_HUGEPAGE); the pool says
 * which it got, and how much of a THP region the kernel made huge.
 *
 * Nodes are the machine's node ids.  Every node of the machine is known
 * to the allocator; the ones without a region act as memoryless, so a
 * thread on a CPU of such a node allocates "locally" from the nearest
 * pool node, as the kernel does for a memoryless node.
 *
 * Errors are negative errnos, with a message when an np_err is given;
 * never a silent fallback: a node that does not exist or has no memory,
 * an mbind the kernel refuses, or a node without the free memory asked
 * for fails the pool (libnuma would hand back unbound memory).  Thread
 * safety: any thread may allocate and free; each thread gets its own
 * cache on first use, given back when the thread exits or the pool is
 * destroyed.
 */
#ifndef NUMAPLACE_FRAMES_H
#define NUMAPLACE_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include <numaplace/error.h>
#include <numaplace/policy.h>
#include <numaplace/topo.h>

#ifdef __cplusplus
extern "C" {
#endif

struct np_frames;

enum np_frames_backing {
	NP_FRAMES_BASE_PAGES,   /* 4 KiB frames on 4 KiB pages */
	NP_FRAMES_HUGETLB,      /* 2 MiB frames on hugetlbfs pages */
	NP_FRAMES_THP,          /* 2 MiB frames on THP (as far as it went) */
};

struct np_frames_opts {
	const unsigned *nodes;   /* the nodes that get a region */
	size_t nnodes;
	uint64_t bytes_per_node; /* a whole number of frames */
	size_t frame_bytes;      /* 4096 or 2 MiB */
	/* The machine, loaded by the caller (np_topo_from_sysroot_parts()
	 * with NP_TOPO_COUNTERS, so that free memory and free huge pages per
	 * node are known); only read during np_frames_create(). */
	const struct np_topo *topo;
	/* Per-thread cache tuning, in frames: refill/drain `batch` at a time,
	 * give back above `high`.  0: Linux's rule for the node's memory
	 * (63 and 378 for 4 KiB frames on a node of 1 GiB or more, 1 and 6
	 * for 2 MiB frames), lowered so that one thread's cache holds at
	 * most a quarter of a region. */
	unsigned batch, high;
};

/*
 * Creates a pool.  -EINVAL: a bad option, a node that does not exist,
 * a node without memory; -ENOMEM: a node with less free memory than asked
 * for, or the kernel could not populate the region; -EPERM/-EINVAL from
 * mbind (e.g. a node outside the task's cpuset), named in err.
 */
int np_frames_create(const struct np_frames_opts *o, struct np_frames **out,
		     struct np_err *err);

/* Unmaps everything; no thread may use the pool any more. */
void np_frames_destroy(struct np_frames *p);

size_t np_frames_frame_bytes(const struct np_frames *p);
enum np_frames_backing np_frames_backing(const struct np_frames *p);
const char *np_frames_backing_name(enum np_frames_backing b);
/* Bytes of the regions the kernel backs with THP (smaps AnonHugePages). */
uint64_t np_frames_thp_bytes(const struct np_frames *p);
/* Frames of each region (bytes_per_node / frame_bytes). */
uint64_t np_frames_per_node(const struct np_frames *p);

/*
 * bytes (rounded up to a power-of-two number of frames, at most 1024
 * frames) on `node` and nowhere else.  NULL on failure, with err (may be
 * NULL) holding -ENOMEM (class system) when the node's frames are used
 * up, -EINVAL (class input) for a node not in the pool or a size out of
 * range.  The memory is not zeroed.  The fast path (one frame asked for
 * by its size, frame_bytes, on the node the thread last took one from)
 * never touches err; a smaller size gets a frame the slow way.
 */
void *np_frames_alloc_onnode(struct np_frames *p, size_t bytes,
			     unsigned node, struct np_err *err);

/* Gives back what an alloc returned, with the same bytes.  -EINVAL for an
 * address the pool did not hand out (a block of another size, a double
 * free of a larger block). */
int np_frames_free(struct np_frames *p, void *addr, size_t bytes);

/*
 * A memory policy (numaplace/policy.h, the same type `numaplace run`
 * applies to a task) made for one pool; interleave keeps its position in
 * it.  Modes, as the kernel has them: default and local (the calling
 * CPU's node, then the nearest), bind (the set, nearest first, nowhere
 * else), preferred (one node, then by distance from it), preferred-many
 * (the set, then every other node), interleave (round-robin over the
 * set).  Flags: NP_POLICY_STRICT fails rather than falls back.
 */
struct np_frames_policy {
	enum np_policy_mode mode;
	unsigned flags;
	uint64_t mask;          /* pool-internal node indexes */
	unsigned node;
	unsigned il_next;
};

/* Makes pol (machine node ids) into a policy for pool p: -EINVAL naming a
 * node not in the pool, nodes for local, not one node for preferred, a
 * kernel flag; -EOPNOTSUPP for weighted interleave.  Class input. */
int np_frames_policy_make(const struct np_frames *p,
			  const struct np_policy *pol,
			  struct np_frames_policy *out, struct np_err *err);

/* Allocates under a policy; the node it came from in *node (optional).
 * NULL on failure, err as for np_frames_alloc_onnode(). */
void *np_frames_alloc(struct np_frames *p, size_t bytes,
		      struct np_frames_policy *pol, unsigned *node,
		      struct np_err *err);

/* A node's counters, as the kernel keeps them (exact when no allocation
 * is in flight); -EINVAL for a node the machine does not have. */
int np_frames_stats(struct np_frames *p, unsigned node,
		    struct np_node_numastat *out);

/* Free frames of a node (pool and every thread's cache); reads the other
 * threads' caches unlocked, so exact only when no other thread is
 * allocating or freeing in the pool. */
uint64_t np_frames_free_frames(struct np_frames *p, unsigned node);

/*
 * Where the kernel put frames, by move_pages(2): nodes[i] is the node of
 * every base page of the frame at addrs[i] (-1 when its pages disagree, a
 * negative errno when a page is missing).
 */
int np_frames_where(const struct np_frames *p, void *const *addrs, size_t n,
		    int *nodes, struct np_err *err);

/*
 * Every frame of every region, by move_pages(2): how many frames of the
 * region for node `node` are wholly on that node, in *on_node, and how
 * many are elsewhere or split, in *off_node.
 */
int np_frames_verify_region(const struct np_frames *p, unsigned node,
			    uint64_t *on_node, uint64_t *off_node,
			    struct np_err *err);

/* The core's invariant check (nothing may be in flight): 0 or -EBADMSG. */
int np_frames_check(struct np_frames *p);

/* A size as numactl takes it: "4096", "64K", "16M", "1G" (binary
 * units; "MiB" and "MB" also read as 2^20); -EINVAL with a message. */
int np_frames_parse_size(const char *s, uint64_t *bytes, struct np_err *err);

/* Gives the calling thread's cached frames back (also done at its exit). */
void np_frames_thread_drain(struct np_frames *p);

#ifdef __cplusplus
}
#endif

#endif
