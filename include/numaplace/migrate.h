/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Moving another process's memory between nodes in bounded steps
 * (lib/mem/mem-migrate.c): move_pages(2) in batches, at most a given rate,
 * each batch sized to finish within a time bound, in address order or hot
 * pages first, with every page's node read back before and after.
 *
 * What numactl's migratepages does not: it moves a whole process at once
 * (migrate_pages(2)), without a rate, an order, or a report.  `numaplace
 * apply` uses this for a running QEMU's guest RAM; it works on any process.
 *
 * Safety: the target is named by a pidfd (pidfd_open(2)) taken before the
 * first look; every batch first checks the pidfd still refers to a live
 * process, so a PID reused meanwhile is never touched.  Target nodes
 * outside the process's cpuset.mems are refused before anything moves.
 *
 * Units: bytes and pages of the mapping's page size (4 KiB, or the huge
 * page size of a hugetlb range: such a range moves in whole huge pages);
 * rates in MiB/s (2^20 bytes per second); times in ns.
 */
#ifndef NUMAPLACE_MIGRATE_H
#define NUMAPLACE_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <numaplace/error.h>
#include <numaplace/idset.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A range of the target's address space to move. */
struct np_move_range {
	uint64_t start;        /* page-aligned */
	uint64_t len_bytes;    /* a multiple of page_bytes */
	uint64_t page_bytes;   /* 4096, or the hugetlb page size */
	unsigned target_node;  /* where its pages should end */
};

enum np_move_order {
	NP_MOVE_ADDRESS,       /* ascending address, range by range */
	NP_MOVE_HOT_FIRST,     /* pages written in the sample interval first */
};

/* How hot pages were found (np_move_report.hot_source). */
enum np_move_hot_source {
	NP_HOT_NONE,           /* order address: not looked for */
	NP_HOT_SOFT_DIRTY,     /* clear_refs 4, interval, pagemap bit 55 */
	NP_HOT_DAMON,          /* the kernel's DAMON, where it has it */
};

struct np_move_opts {
	double rate_mibps;      /* at most this many MiB/s; 0: unlimited */
	uint64_t batch_ns;      /* each batch sized to finish within this
				 * (default 10 ms when 0) */
	enum np_move_order order;
	uint64_t sample_ns;     /* hot-first: the sampling interval (0: 200 ms) */
	unsigned threads;       /* threads calling move_pages at once, each
				 * on the next batch (0: NP_MOVE_DEFAULT_THREADS,
				 * at most the CPUs the caller may run on) */
	bool dry_run;           /* read placement, plan batches, move nothing */
};

/*
 * Threads: move_pages(2) moves one page after another in the calling
 * thread (look-up, isolation, copy, remap), where migrate_pages(2) walks
 * the page tables once; two threads on two batches at once make up for
 * the per-page look-ups (issue 15, in a TCG lab guest with batches of
 * an eighth of 10 ms: one thread moved at 0.62-0.76 of migratepages'
 * speed, two at 1.00-1.07; BENCHMARKS.md) at the cost of a second CPU
 * while the move lasts.  The order holds across threads: each
 * takes the next pages in order, so the hot pages go first.
 */
#define NP_MOVE_DEFAULT_THREADS 2u
#define NP_MOVE_MAX_THREADS 64u

/* Pages per node, before or after: nodes ascending. */
struct np_move_node_pages {
	unsigned node;
	uint64_t pages;
};

#define NP_MOVE_FIRST_PAGES 64
/* The first batch's size, timed to size the others. */
#define NP_MOVE_PROBE_BYTES (128u * 1024u)

struct np_move_report {
	pid_t pid;
	uint64_t pages_total;       /* in the ranges, present or not */
	uint64_t pages_present;     /* had a node before the move */
	uint64_t pages_to_move;     /* present and not on their target node */
	uint64_t pages_moved;       /* move_pages said the target node */
	uint64_t pages_hot;         /* hot-first: pages found hot */
	/* pages move_pages left behind, by its per-page status */
	uint64_t failed_ebusy, failed_eacces, failed_enomem, failed_efault,
		 failed_other;
	struct np_move_node_pages *before, *after;  /* read back, not assumed */
	size_t nbefore, nafter;     /* after: 0 when the process exited */
	unsigned batches;
	unsigned threads;           /* threads that moved pages at once */
	uint64_t batch_pages;       /* pages in the largest batch issued */
	/* Batch sizing: the first batch (at most NP_MOVE_PROBE_BYTES) is
	 * timed and each next one sized from the speed of the last ones
	 * (the upper median of up to 8) so that it takes about an eighth of
	 * batch_ns, never above the bound the rate implies.  A batch holds at
	 * least one page: a huge page slower to move than batch_ns overruns
	 * it alone. */
	uint64_t batch_bytes_cap;   /* rate x batch_ns (0: no rate) */
	uint64_t batch_bytes_max;   /* bytes in the largest batch issued */
	uint64_t *batch_ns;         /* each batch's move_pages time, in order */
	size_t nbatch_ns;
	uint64_t longest_batch_ns, median_batch_ns;
	uint64_t move_ns;           /* time spent in move_pages moving (the
				     * sum over threads) */
	uint64_t move_wall_ns;      /* the first batch's start to the last
				     * one's end (rate waits included) */
	uint64_t elapsed_ns;        /* first look to last read-back */
	double mibps;               /* moved bytes / move_wall_ns */
	enum np_move_hot_source hot_source;  /* NONE also when hot-first was
				     * asked but the kernel has no soft-dirty
				     * bits (then address order) */
	bool damon_present;         /* the kernel has DAMON (not used) */
	/* the first pages moved, in the order the batches were handed out
	 * (at most NP_MOVE_FIRST_PAGES), so a caller and a test can see the
	 * order was kept */
	uint64_t first_moved[NP_MOVE_FIRST_PAGES];   /* addresses */
	size_t nfirst_moved;
	bool target_exited;         /* the process ended mid-way: partial */
	bool dry_run;
};

/*
 * Moves the pages of ranges[0..n) of the process behind pidfd (pid: the
 * same process, for /proc) to each range's target node as opts say, and
 * fills rep (free it with np_move_report_free, also after an error).
 * Returns 0 when every present page ended on its node; -EAGAIN (system)
 * when some pages failed (counted by cause in rep); -ESRCH (system) when
 * the process exited mid-way (rep is the partial report); -EPERM (system)
 * naming CAP_SYS_NICE for another user's process; -EINVAL (input) for a
 * target node outside the process's cpuset.mems (naming it) or a range
 * not aligned; -ENOMEM.
 *
 * Only pages present before the move and not on their target node are
 * moved (MPOL_MF_MOVE: pages shared with another process stay).  Hot
 * first clears the process's soft-dirty bits (clear_refs 4: a tool such
 * as CRIU tracking the same process loses its own marks) and sleeps
 * sample_ns before ordering.  A dry run reads placement and sizes batches
 * from the rate alone (nothing is timed, sampled or moved).
 */
int np_move_process_pages(int pidfd, pid_t pid,
			  const struct np_move_range *ranges, size_t n,
			  const struct np_move_opts *opts,
			  struct np_move_report *rep, struct np_err *err);
void np_move_report_free(struct np_move_report *rep);

const char *np_move_hot_source_name(enum np_move_hot_source s);

#ifdef __cplusplus
}
#endif

#endif
