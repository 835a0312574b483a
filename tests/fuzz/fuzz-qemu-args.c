/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * QEMU's command line as `numaplace vms` reads it from /proc/PID/cmdline
 * (any process may name itself qemu-system-*): the input is the words,
 * NUL-separated, as the kernel gives them.  Whatever the words, the
 * parser returns 0 or -ENOMEM, and what it returns keeps its promises:
 * every id set ascending, every string NUL-terminated.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vm/vm-vms-internal.h"

#include "fuzz.h"

#define MAX_WORDS 256

static void check_set(const struct np_idset *s)
{
	for (size_t i = 1; i < s->n; i++)
		FUZZ_ASSERT(s->ids[i - 1] < s->ids[i]);
}

static void check(const struct np_qemu_args *a)
{
	if (a->name)
		FUZZ_ASSERT(strlen(a->name) < (1u << 20));
	if (a->qmp_path)
		FUZZ_ASSERT(strlen(a->qmp_path) < (1u << 20));
	FUZZ_ASSERT(!a->nbackends || a->backends);
	for (size_t i = 0; i < a->nbackends; i++) {
		FUZZ_ASSERT(memchr(a->backends[i].policy, '\0',
				   sizeof(a->backends[i].policy)));
		check_set(&a->backends[i].host_nodes);
	}
	FUZZ_ASSERT(!a->nnuma || a->numa);
	for (size_t i = 0; i < a->nnuma; i++)
		check_set(&a->numa[i].cpus);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char *argv[MAX_WORDS];
	struct np_qemu_args a;
	size_t argc = 0;
	int rc;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	/* the words as /proc/PID/cmdline has them: each NUL-terminated */
	for (size_t at = 0; at < size && argc < MAX_WORDS;) {
		argv[argc++] = buf + at;
		at += strlen(buf + at) + 1;
	}
	rc = np_qemu_args_parse(argv, argc, &a);
	FUZZ_ASSERT(rc == 0 || rc == -ENOMEM);
	if (!rc) {
		check(&a);
		np_qemu_args_free(&a);
	}
	free(buf);
	return 0;
}
