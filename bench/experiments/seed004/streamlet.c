/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np-streamlet: one of seed 004's STREAM-like instances.  One thread,
 * three arrays of SIZE bytes each (doubles), first touched here (so they
 * land where the task's memory policy puts them), then STREAM's triad
 * a[j] = b[j] + q * c[j] NTIMES times; the best pass counts, as STREAM
 * reports, 24 bytes per element, MB = 10^6 bytes.
 *
 *   np-streamlet [--size SIZE] [--ntimes N] [--expect NODE|LIST] [--go FILE]
 *
 * Prints where the arrays' pages are, then "triad_mbps: X" (the best pass,
 * as STREAM) and "triad_mbps_mean: X" (all passes but the first: what an
 * instance got while others ran too).  --go: after the placement check,
 * print "ready" and wait until FILE exists, so that concurrent instances
 * start their timing together.  --expect
 * checks the pages before the timing: all on NODE, or (a list, "0-3" or
 * "0,2") every listed node holding some and no other node any, as an
 * interleave does; a page elsewhere is an error (exit 1, nothing timed).
 * The result is validated as STREAM validates it (every element equal
 * to the value the passes imply, within 1e-13 relative).
 */
#include "../exp-common.h"

#include <math.h>
#include <sys/mman.h>

static bool in_list(const char *list, unsigned node)
{
	const char *p = list;

	while (*p) {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi = lo;

		if (end == p)
			return false;
		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		if (node >= lo && node <= hi)
			return true;
		if (*end != ',')
			return false;
		p = end + 1;
	}
	return false;
}

static bool valid_list(const char *list)
{
	const char *p = list;

	for (;;) {
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '-') {
			p++;
			if (*p < '0' || *p > '9')
				return false;
			while (*p >= '0' && *p <= '9')
				p++;
		}
		if (!*p)
			return true;
		if (*p++ != ',')
			return false;
	}
}

int main(int argc, char **argv)
{
	uint64_t size = 64ull << 20, ntimes = 5, count[EXP_MAX_NODES];
	const char *expect = NULL, *go = NULL;
	double *a, *b, *c, best = 0, sum = 0, q = 3.0;
	double ea = 1.0, eb = 2.0, ec = 0.5;
	size_t n;
	int rc;

	exp_prog = "np-streamlet";
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
			printf("usage: np-streamlet [--size SIZE] [--ntimes N] "
			       "[--expect NODE|LIST] [--go FILE]\n");
			return 0;
		}
		if (!v)
			exp_bad("%s: %s", o, o[0] == '-' ? "needs a value" :
				"unexpected operand");
		if (!strcmp(o, "--size"))
			size = exp_size(o, v);
		else if (!strcmp(o, "--ntimes"))
			ntimes = exp_count(o, v);
		else if (!strcmp(o, "--expect"))
			expect = v;
		else if (!strcmp(o, "--go"))
			go = v;
		else
			exp_bad("%s: unknown option", o);
		i++;
	}
	if (size < EXP_PAGE || size % EXP_PAGE)
		exp_bad("--size %" PRIu64 ": a whole number of 4 KiB pages", size);
	if (ntimes < 2 || ntimes > 1000)
		exp_bad("--ntimes %" PRIu64 ": 2 to 1000 (the first pass is "
			"not counted)", ntimes);
	if (expect && !valid_list(expect))
		exp_bad("--expect '%s': a node or a list of nodes (0-3, 0,2)",
			expect);
	n = size / sizeof(double);
	a = mmap(NULL, 3 * size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED)
		exp_die("mmap of 3 x %" PRIu64 " bytes: %s", size, strerror(errno));
	b = a + n;
	c = b + n;
	for (size_t j = 0; j < n; j++) {
		a[j] = ea;
		b[j] = eb;
		c[j] = ec;
	}
	rc = exp_pages_per_node((char *)a, 3 * size, count);
	printf("pages: %" PRIu64 ":", 3 * size / EXP_PAGE);
	for (unsigned i = 0; i < EXP_MAX_NODES; i++)
		if (count[i])
			printf(" node%u=%" PRIu64, i, count[i]);
	printf("\n");
	fflush(stdout);
	if (rc)
		exp_die("move_pages could not say where the pages are: %s",
			strerror(-rc));
	if (expect) {
		bool bad = false;

		for (unsigned i = 0; i < EXP_MAX_NODES; i++)
			if (in_list(expect, i) ? !count[i] : count[i] != 0)
				bad = true;
		if (bad)
			exp_die("pages not where --expect %s says", expect);
	}
	if (go) {
		printf("ready\n");
		fflush(stdout);
		while (access(go, F_OK))
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	for (uint64_t k = 0; k < ntimes; k++) {
		double t0 = exp_now(), t;

		for (size_t j = 0; j < n; j++)
			a[j] = b[j] + q * c[j];
		t = exp_now() - t0;
		if (k > 0 && (best == 0 || t < best))
			best = t;
		if (k > 0)
			sum += t;
	}
	/* every pass wrote the same a = b + q c from unchanged b and c */
	ea = eb + q * ec;
	for (size_t j = 0; j < n; j++)
		if (fabs(a[j] - ea) > 1e-13 * fabs(ea))
			exp_die("validation failed: a[%zu] = %g, expected %g", j,
				a[j], ea);
	printf("triad_mbps: %.1f\n", best > 0 ? 24.0 * n / best / 1e6 : 0.0);
	printf("triad_mbps_mean: %.1f\n",
	       sum > 0 ? 24.0 * n * (double)(ntimes - 1) / sum / 1e6 : 0.0);
	return 0;
}
