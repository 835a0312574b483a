/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np-probe MIB: allocates MIB MiB of anonymous memory, touches every page,
 * asks the kernel where each page is (move_pages with no target nodes)
 * and prints "node<N>=<pages>" for every node holding some, ascending.
 * Built static so that it runs in a lab guest without libraries, and
 * without libnuma so that it measures, not the library under test.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_NODES 1024

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 0;
	size_t npages, count[MAX_NODES] = { 0 };
	void **pages;
	int *status;
	char *mem;

	if (!mib || mib > 65536) {
		fprintf(stderr, "usage: np-probe MIB\n");
		return 2;
	}
	npages = mib * (1ul << 20) / (size_t)page;
	mem = mmap(NULL, npages * (size_t)page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pages = calloc(npages, sizeof(*pages));
	status = calloc(npages, sizeof(*status));
	if (mem == MAP_FAILED || !pages || !status) {
		fprintf(stderr, "np-probe: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < npages; i++) {
		mem[i * (size_t)page] = 1;
		pages[i] = mem + i * (size_t)page;
	}
	if (syscall(SYS_move_pages, 0, npages, pages, NULL, status, 0)) {
		fprintf(stderr, "np-probe: move_pages: %s\n", strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < npages; i++) {
		if (status[i] < 0 || status[i] >= MAX_NODES) {
			fprintf(stderr, "np-probe: page %zu: %s\n", i,
				strerror(-status[i]));
			return 1;
		}
		count[status[i]]++;
	}
	for (int n = 0, first = 1; n < MAX_NODES; n++)
		if (count[n]) {
			printf("%snode%d=%zu", first ? "" : " ", n, count[n]);
			first = 0;
		}
	printf("\n");
	return 0;
}
