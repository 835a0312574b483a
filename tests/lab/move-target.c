/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np-move-target MIB NODE HOT_OFF_MIB HOT_MIB [thp|hugetlb]: a process
 * whose memory np-move-driver and the migrate benchmark move.  Maps MIB
 * MiB of anonymous memory without transparent huge pages (with "thp":
 * aligned to 2 MiB and asking for them, as QEMU's guest RAM does; with
 * "hugetlb": 2 MiB pages of the hugetlb pool), bound to NODE
 * (mbind), writes every page, prints "ready ADDR LEN HOTADDR HOTLEN"
 * (hex addresses, decimal bytes) and then, until killed, writes one byte
 * of every page of the hot part [HOT_OFF_MIB, +HOT_MIB) each millisecond
 * (HOT_MIB 0: none; it only waits, asleep).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096ul
#define MIB (1ul << 20)
#define THP (2ul << 20)
#define K_MPOL_BIND 2

int main(int argc, char **argv)
{
	unsigned long mib, node, hot_off, hot_mib, mask;
	volatile char *p, *hot;

	bool thp = argc == 6 && !strcmp(argv[5], "thp");
	bool huge = argc == 6 && !strcmp(argv[5], "hugetlb");

	if (argc != 5 && !thp && !huge) {
		fprintf(stderr, "usage: np-move-target MIB NODE HOT_OFF_MIB "
			"HOT_MIB [thp|hugetlb]\n");
		return 2;
	}
	mib = strtoul(argv[1], NULL, 10);
	node = strtoul(argv[2], NULL, 10);
	hot_off = strtoul(argv[3], NULL, 10);
	hot_mib = strtoul(argv[4], NULL, 10);
	if (!mib || node >= 64 || hot_off + hot_mib > mib) {
		fprintf(stderr, "np-move-target: bad sizes\n");
		return 2;
	}
	/* 2 MiB more, to start on a 2 MiB boundary (hugetlb: always) */
	p = mmap(NULL, mib * MIB + (huge ? 0 : THP), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | (huge ? MAP_HUGETLB : 0), -1, 0);
	if (p == MAP_FAILED) {
		perror("np-move-target: mmap");
		return 1;
	}
	p += (THP - (uintptr_t)p % THP) % THP;
	if (!huge)
		madvise((void *)p, mib * MIB,
			thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	mask = 1ul << node;
	if (syscall(SYS_mbind, p, mib * MIB, K_MPOL_BIND, &mask, 64, 0)) {
		perror("np-move-target: mbind");
		return 1;
	}
	for (unsigned long o = 0; o < mib * MIB; o += PAGE)
		p[o] = 1;
	hot = p + hot_off * MIB;
	printf("ready %lx %lu %lx %lu\n", (unsigned long)(uintptr_t)p,
	       mib * MIB, (unsigned long)(uintptr_t)hot, hot_mib * MIB);
	fflush(stdout);
	/* without a hot part, no wake-ups: a mover's batches are timed */
	if (!hot_mib)
		for (;;)
			pause();
	for (unsigned n = 0;; n++) {
		for (unsigned long o = 0; o < hot_mib * MIB; o += PAGE)
			hot[o] = (char)n;
		usleep(1000);
	}
}
