/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np-probe hold MIB FILE [SECONDS]: maps FILE and reads every page,
 * allocates and touches MIB MiB of anonymous memory and 1 MiB of shared
 * memory (memfd), prints "ready" and waits SECONDS (default: until
 * killed): a process with memory of every kind for `numaplace where`.
 *
 * np-probe MIB: allocates MIB MiB of anonymous memory, touches every page,
 * asks the kernel where each page is (move_pages with no target nodes)
 * and prints "node<N>=<pages>" for every node holding some, ascending.
 * Built static so that it runs in a lab guest without libraries, and
 * without libnuma so that it measures, not the library under test.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_NODES 1024

static void touch(volatile char *p, size_t len, long page, bool write)
{
	for (size_t off = 0; off < len; off += (size_t)page) {
		if (write)
			p[off] = 1;
		else
			(void)p[off];
	}
}

static int hold(unsigned long mib, const char *file, unsigned seconds)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd = open(file, O_RDONLY), shm = memfd_create("np-probe-shm", 0);
	off_t flen = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
	char *f, *a, *s;

	if (fd < 0 || flen <= 0 || shm < 0 || ftruncate(shm, 1 << 20)) {
		fprintf(stderr, "np-probe: %s: %s\n", file, strerror(errno));
		return 1;
	}
	f = mmap(NULL, (size_t)flen, PROT_READ, MAP_SHARED, fd, 0);
	a = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	s = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, shm, 0);
	if (f == MAP_FAILED || a == MAP_FAILED || s == MAP_FAILED) {
		fprintf(stderr, "np-probe: mmap: %s\n", strerror(errno));
		return 1;
	}
	touch(f, (size_t)flen, page, false);
	touch(a, mib << 20, page, true);
	touch(s, 1 << 20, page, true);
	printf("ready\n");
	fflush(stdout);
	if (seconds) {
		sleep(seconds);
		return 0;
	}
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 0;
	size_t npages, count[MAX_NODES] = { 0 };
	void **pages;
	int *status;
	char *mem;

	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "hold"))
		return hold(strtoul(argv[2], NULL, 10), argv[3],
			    argc == 5 ? (unsigned)strtoul(argv[4], NULL, 10) : 0);
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
