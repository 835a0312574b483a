/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np-vms-writer PID ADDR OFFSET BYTES MS: writes BYTES bytes of process
 * PID's memory at ADDR + OFFSET (ADDR in hex, as numaplace vms --json
 * gives a guest RAM mapping's start) through /proc/PID/mem, over and
 * over for MS milliseconds, so that part of a paused QEMU's guest RAM is
 * what the kernel's soft-dirty bits call hot (numaplace apply --order
 * hot-first; tests/lab/guest-vms.sh).  QMP has no command that writes
 * guest RAM.  Needs root (ptrace access to PID).  Built static.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	char path[64], *buf;
	uint64_t addr, off, bytes, until, rounds = 0;
	int fd;

	if (argc != 6) {
		fprintf(stderr, "usage: np-vms-writer PID ADDR OFFSET BYTES MS\n");
		return 2;
	}
	addr = strtoull(argv[2], NULL, 16);
	off = strtoull(argv[3], NULL, 10);
	bytes = strtoull(argv[4], NULL, 10);
	until = now_ms() + strtoull(argv[5], NULL, 10);
	snprintf(path, sizeof(path), "/proc/%s/mem", argv[1]);
	fd = open(path, O_RDWR);
	buf = malloc(bytes);
	if (fd < 0 || !buf) {
		fprintf(stderr, "np-vms-writer: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (now_ms() < until) {
		memset(buf, (int)(rounds & 0xff), bytes);
		if (pwrite(fd, buf, bytes, (off_t)(addr + off)) != (ssize_t)bytes) {
			/* the process ended: done */
			break;
		}
		rounds++;
		usleep(10000);
	}
	printf("writer: %llu rounds\n", (unsigned long long)rounds);
	return 0;
}
