/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parts of mem-migrate.c that are pure functions of their inputs, so
 * the unit tests can drive them with injected timings and bitmaps: the
 * batch sizer, the rate limiter, the hot-first order, and the cpuset
 * check against a /proc below any root.  Internal to libnumaplace.
 */
#ifndef NP_MEM_MIGRATE_INTERNAL_H
#define NP_MEM_MIGRATE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <numaplace/migrate.h>

#include "linux/linux-root.h"

/* One page to move: its address, size and the node it should end on. */
struct np_move_page {
	uint64_t addr;
	size_t idx;            /* its place among all pages of the ranges */
	uint32_t page_bytes;   /* huge pages above 4 GiB do not exist */
	int node;
};

/* A batch is sized to take this share of batch_ns (per mille): the
 * bound is on the longest batch, and a batch can take longer than its
 * size says (other tasks, the LRU, a vCPU stopped by the hypervisor).
 * Measured in a TCG lab guest on a host with 8 % steal (BENCHMARKS.md,
 * issue 15): batches of one size took up to 2-3 times their median, and
 * stalls of up to about 8 ms came on top; at an aim of a half or a
 * quarter of 10 ms the longest batch of a 512 MiB move passed 10 ms in
 * about half the moves, with batches of 1.25 ms (an eighth) in none of
 * 6.  A call's own cost (one page moved, bench/move-pages-calls.sh) was
 * 56-88 us at the median, 4-7 % of a 1.25 ms batch. */
#define NP_MOVE_BATCH_AIM_PERMILLE 125u
/* A batch grows at most this many times over the previous one. */
#define NP_MOVE_BATCH_GROWTH 4u

/*
 * The bound a rate puts on one batch: the bytes the rate allows in
 * batch_ns, so that a batch never moves more at once than the rate would
 * spread over that time.  0 for no rate (rate_mibps <= 0).  At least one
 * 4 KiB page's worth otherwise.
 */
uint64_t np_move_rate_cap_bytes(double rate_mibps, uint64_t batch_ns);

/* Batches whose speed sizes the next one: a single stall (another task
 * on the CPU, a TLB shootdown waiting on a descheduled vCPU) must not
 * shrink the batches after it, a lasting slowdown must. */
#define NP_MOVE_SPEED_WINDOW 8

/*
 * The next batch's size in bytes from the last n batches (n at most
 * NP_MOVE_SPEED_WINDOW, oldest first): bytes[i] moved in ns[i].  Their
 * time per byte is ranked and the upper median taken (for n = 1 the one
 * batch, for 8 the 5th fastest), so less than half of them being slow
 * does not change the size.  Aims at NP_MOVE_BATCH_AIM_PERMILLE of
 * batch_ns at that speed, grows at most NP_MOVE_BATCH_GROWTH times over
 * cur_bytes, never goes below NP_MOVE_PROBE_BYTES, and stays within
 * cap_bytes (0: no cap; the cap wins over that floor).  A median of 0 ns
 * (batches faster than the clock): grows.
 *
 * The floor: each move_pages call drains the LRU caches of every CPU and
 * waits for an RCU grace period (lru_cache_disable()), a cost of its own
 * that does not shrink with the batch.  Sized by time per byte alone,
 * batches near that cost shrink, take longer per byte, and shrink again:
 * at a 1 ms bound in a lab guest they fell to one page and a third of
 * the speed.  128 KiB (32 pages) takes about 0.2 ms there.
 */
uint64_t np_move_batch_size(uint64_t cur_bytes, const uint64_t *bytes,
			    const uint64_t *ns, size_t n, uint64_t batch_ns,
			    uint64_t cap_bytes);

/*
 * How long to wait before the next batch so that bytes_done since the
 * start (since_start_ns ago) keeps to rate_mibps: 0 when already below
 * it or without a rate.
 */
uint64_t np_move_rate_delay_ns(uint64_t bytes_done, uint64_t since_start_ns,
			       double rate_mibps);

/*
 * Orders pages[0..n) in place: those with hot[i] set first, then the
 * others, each group keeping its order (a stable partition).  Returns
 * the number of hot pages.  hot is indexed by the pages' order on entry.
 */
size_t np_move_order_hot_first(struct np_move_page *pages, size_t n,
			       const uint8_t *hot);

/*
 * Refuses a range whose target node is not in the process's cpuset.mems
 * (Mems_allowed_list of proc/<pid>/status below r): -EINVAL, class
 * input, naming the node, the process and the nodes it may use.
 */
int np_move_check_mems(const struct np_root *r, pid_t pid,
		       const struct np_move_range *ranges, size_t n,
		       struct np_err *err);

/* The median of v[0..n) (sorts v); 0 when n is 0.  Even n: the lower of
 * the two middle values, an observed batch time. */
uint64_t np_move_median_ns(uint64_t *v, size_t n);

#endif
