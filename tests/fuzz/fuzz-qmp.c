/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The QMP client reading what a QEMU wrote: the input is everything the
 * monitor sends (greeting, replies with ids 1 = qmp_capabilities,
 * 2 = query-memdev, 3 = query-cpus-fast, 4 = query-status, events), then
 * the socket closes.  Whatever the bytes, each call returns 0 or one of
 * the errors qmp.h names, with a message, and what it returns keeps its
 * promises (host nodes ascending, vCPUs ascending by index).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <numaplace/qmp.h>

#include "fuzz.h"

/* Fits a socket's default buffer: written whole before the client reads. */
#define MAX_INPUT (64u << 10)

static void check_error(int rc, const struct np_err *err)
{
	FUZZ_ASSERT(rc == -EPROTO || rc == -ECONNRESET || rc == -ETIMEDOUT ||
		    rc == -ENOMEM || rc == -EINVAL || rc == -EOPNOTSUPP ||
		    rc == -ENODEV);
	FUZZ_ASSERT(err->msg[0] && err->code == rc);
}

static void queries(struct np_qmp *q)
{
	struct np_qmp_memdev *m;
	struct np_qmp_cpu *c;
	struct np_err err = { 0 };
	size_t n;
	char *s;
	int rc = np_qmp_query_memdev(q, &m, &n, &err);

	if (rc) {
		check_error(rc, &err);
		FUZZ_ASSERT(!m && !n);
	}
	for (size_t i = 0; !rc && i < n; i++)
		for (size_t k = 1; k < m[i].host_nodes.n; k++)
			FUZZ_ASSERT(m[i].host_nodes.ids[k - 1] <
				    m[i].host_nodes.ids[k]);
	np_qmp_memdevs_free(m, n);
	rc = np_qmp_query_cpus(q, &c, &n, &err);
	if (rc) {
		check_error(rc, &err);
		FUZZ_ASSERT(!c && !n);
	}
	for (size_t i = 1; !rc && i < n; i++)
		FUZZ_ASSERT(c[i - 1].cpu_index <= c[i].cpu_index);
	free(c);
	rc = np_qmp_execute(q, "query-status", NULL, &s, &err);
	if (rc)
		check_error(rc, &err);
	FUZZ_ASSERT(!rc == !!s);
	free(s);
	while (np_qmp_next_event(q, &s) == 1) {
		FUZZ_ASSERT(s && s[0] == '{');
		free(s);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct np_qmp *q = NULL;
	struct np_err err = { 0 };
	int sv[2], rc;

	if (size > MAX_INPUT ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return 0;
	if (write(sv[1], data, size) != (ssize_t)size) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	shutdown(sv[1], SHUT_WR);
	rc = np_qmp_open_fd(sv[0], "fuzz", 50, &q, &err);
	if (rc) {
		check_error(rc, &err);
		FUZZ_ASSERT(!q);
	} else {
		queries(q);
		np_qmp_close(q);
	}
	close(sv[1]);
	return 0;
}
