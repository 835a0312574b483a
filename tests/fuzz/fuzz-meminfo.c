/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np_parse_node_meminfo.  data[0] % 16 is the node number ('0'..'9' in a
 * corpus file mean nodes 0..9), the rest is the file.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "linux/linux-parse.h"

static void check_field(const struct np_meminfo *m, size_t i)
{
	const struct np_counter *f = &m->fields[i];
	size_t len = strnlen(f->name, sizeof(f->name));

	FUZZ_ASSERT(len > 0 && len < sizeof(f->name));
	FUZZ_ASSERT(!memchr(f->name, ' ', len) && !memchr(f->name, '\t', len));
	FUZZ_ASSERT(!memchr(f->name, ':', len) && !memchr(f->name, '\n', len));
	FUZZ_ASSERT(f->is_kib == 0 || f->is_kib == 1);
	/* Names are unique, so a look-up finds this very field. */
	FUZZ_ASSERT(np_meminfo_get(m, f->name) == f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data + 1;
	struct np_meminfo m;
	const char *why = NULL;
	int rc;

	if (size < 1)
		return 0;
	rc = np_parse_node_meminfo(buf, size - 1, data[0] % 16, &m, &why);
	if (rc) {
		FUZZ_ASSERT_PARSE_ERROR(rc, why);
		FUZZ_ASSERT(m.n == 0 && m.fields == NULL);
		return 0;
	}
	/* MemFree may be missing (numactl: "<not available>"). */
	FUZZ_ASSERT(m.n >= 1 && m.fields != NULL);
	FUZZ_ASSERT(np_meminfo_get(&m, "MemTotal") != NULL);
	/* One field per line of text: none dropped, none invented. */
	FUZZ_ASSERT(m.n == fuzz_count_text_lines(buf, size - 1));
	for (size_t i = 0; i < m.n; i++)
		check_field(&m, i);
	np_meminfo_free(&m);
	return 0;
}
