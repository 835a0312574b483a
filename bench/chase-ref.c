/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * chase-ref: a pointer chase written apart from numaplace's (for the
 * accuracy check in bench/run-mem.sh): one cycle through every 64-byte
 * line of a buffer, the buffer cut into 256 KiB groups whose order is
 * drawn by sorting them on random keys, the lines of each group put in
 * random order by a Fisher-Yates shuffle driven by xorshift64*; or, with
 * "full", one random order over all lines (every load a likely TLB miss).
 * Pinned to one CPU, one warm-up pass, then REPS timed passes of LOADS
 * dependent loads; prints the median ns per load.
 *
 *   chase-ref BYTES LOADS REPS 4k|huge [full] [CPU]
 */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define LINE 64
#define GROUP_BYTES (256 * 1024)

static uint64_t rng = 88172645463325252ull;

static uint64_t xorshift(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}

struct key {
	uint64_t key;
	size_t group;
};

static int by_key(const void *x, const void *y)
{
	const struct key *a = x, *b = y;

	return a->key < b->key ? -1 : a->key > b->key;
}

static void shuffle(size_t *v, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		size_t j = i + xorshift() % (n - i);
		size_t t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
	size_t bytes, lines, per, ngroups, *seq, at = 0;
	long loads, reps;
	int full = 0, cpu = 0;
	char *buf;
	void **p;
	double *ns;
	cpu_set_t set;

	if (argc < 5) {
		fprintf(stderr, "usage: chase-ref BYTES LOADS REPS 4k|huge [full] [CPU]\n");
		return 2;
	}
	bytes = strtoull(argv[1], NULL, 10) / LINE * LINE;
	loads = atol(argv[2]);
	reps = atol(argv[3]);
	for (int i = 5; i < argc; i++) {
		if (!strcmp(argv[i], "full"))
			full = 1;
		else
			cpu = atoi(argv[i]);
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	buf = mmap(NULL, bytes + (2 << 20), PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	buf = (char *)(((uintptr_t)buf + (2 << 20) - 1) & ~(uintptr_t)((2 << 20) - 1));
	madvise(buf, bytes, strcmp(argv[4], "huge") ? MADV_NOHUGEPAGE :
		MADV_HUGEPAGE);
	lines = bytes / LINE;
	per = full ? lines : GROUP_BYTES / LINE;
	ngroups = (lines + per - 1) / per;
	seq = malloc(lines * sizeof(*seq));
	{
		struct key *k = malloc(ngroups * sizeof(*k));

		for (size_t g = 0; g < ngroups; g++)
			k[g] = (struct key){ xorshift(), g };
		qsort(k, ngroups, sizeof(*k), by_key);
		for (size_t g = 0; g < ngroups; g++) {
			size_t first = k[g].group * per;
			size_t n = lines - first < per ? lines - first : per;

			for (size_t i = 0; i < n; i++)
				seq[at + i] = first + i;
			shuffle(seq + at, n);
			at += n;
		}
		free(k);
	}
	for (size_t i = 0; i < lines; i++)
		*(void **)(buf + seq[i] * LINE) = buf + seq[(i + 1) % lines] * LINE;
	p = (void **)(buf + seq[0] * LINE);
	free(seq);
	ns = calloc(reps, sizeof(*ns));
	for (long r = -1; r < reps; r++) {
		double t = now();

		for (long i = 0; i < loads; i++)
			p = *p;
		if (r >= 0)
			ns[r] = (now() - t) * 1e9 / loads;
	}
	qsort(ns, reps, sizeof(*ns), cmp_double);
	for (long r = 0; r < reps; r++)
		printf("rep %.2f\n", ns[r]);
	printf("ns %.2f\nend %p\n", reps % 2 ? ns[reps / 2] :
	       (ns[reps / 2 - 1] + ns[reps / 2]) / 2, (void *)p);
	return 0;
}
