/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lab's machine spec (lab --nodes SPEC --distances MATRIX): the input
 * is "NODES\nDISTANCES".  Whatever the bytes, a refused spec says why in
 * one line and is left empty; an accepted one validates or is refused by
 * np_lab_spec_validate() with a reason, and a valid one turns into QEMU
 * arguments naming every node.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lab.h"

static void check_refused(int rc, const struct np_err *err)
{
	FUZZ_ASSERT(rc == -EINVAL || rc == -ERANGE || rc == -ENOMEM);
	FUZZ_ASSERT(err->msg[0] && !strchr(err->msg, '\n'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct np_lab_spec spec;
	struct np_err err = { 0 };
	char *s = malloc(size + 1), *dist, **argv = NULL;
	size_t nnuma = 0;
	int rc;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	dist = strchr(s, '\n');
	if (dist)
		*dist++ = '\0';
	rc = np_lab_parse_nodes(s, &spec, &err);
	if (rc) {
		check_refused(rc, &err);
		FUZZ_ASSERT(spec.nnodes == 0);
		free(s);
		return 0;
	}
	FUZZ_ASSERT(spec.nnodes >= 1 && spec.nnodes <= NP_LAB_MAX_NODES);
	if (dist && (rc = np_lab_parse_distances(dist, &spec, &err))) {
		check_refused(rc, &err);
		free(s);
		return 0;
	}
	if ((rc = np_lab_spec_validate(&spec, &err))) {
		check_refused(rc, &err);
		free(s);
		return 0;
	}
	rc = np_lab_qemu_numa_args(&spec, &argv, &err);
	if (rc) {
		FUZZ_ASSERT(rc == -ENOMEM);
		free(s);
		return 0;
	}
	for (size_t i = 0; argv[i]; i++)
		nnuma += !strcmp(argv[i], "-numa") &&
			 argv[i + 1] && !strncmp(argv[i + 1], "node,", 5);
	FUZZ_ASSERT(nnuma == spec.nnodes);
	np_lab_argv_free(argv);
	free(s);
	return 0;
}
