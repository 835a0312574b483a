/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `bench alloc` (include/numaplace/bench.h): the options checked, the
 * plan (which CPU each thread runs on, which node it allocates from, how
 * big numaplace's pool is), one helper per allocator, the rounds in
 * rotated order, and the result with its summaries.
 *
 * Every contender, numaplace's own included, is measured in a helper
 * process (numaplace-bench-helper), none in a fork of the caller.  The
 * CLI's children used to be forks of the CLI re-executed with the static
 * TLS tunable: numaplace's loop was a direct call into frames.c linked
 * into the same executable, with its initial-exec TLS resolved at link
 * time.  The helper is that too, whoever the caller is: a daemon linking
 * libnumaplace.so would otherwise measure calls through the PLT and TLS
 * through the GOT, in a fork of a process with threads of its own.  And
 * all six contenders keep running in the same kind of process, with the
 * same environment, as before.
 */
#include <numaplace/bench.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <numaplace/topo.h>

#include "bench/bench-internal.h"
#include "linux/linux-task.h"
#include "util/util-err.h"
#include "np-config.h"

#define MIB NP_BENCH_MIB

/*
 * jemalloc's TLS is initial-exec (2.6 KiB here): dlopen fails with
 * "cannot allocate memory in static TLS block" unless glibc reserved that
 * much at start-up, which only this tunable, read at exec, can ask for.
 */
#define STATIC_TLS_TUNABLE "glibc.rtld.optional_static_tls"
#define STATIC_TLS_BYTES "16384"

const char *np_bench_helper_installed_path(void)
{
	return NP_BENCH_HELPER_INSTALLED;
}

int np_bench_cpus_allowed(struct np_idset *out, struct np_err *err)
{
	int e = np_thread_allowed_cpus(out);

	if (e)
		return np_fail_sys(err, e, "sched_getaffinity: %s", strerror(-e));
	return 0;
}

/* ---- options ---- */

static int check_size(const struct np_bench_alloc_opts *o, struct np_err *err)
{
	uint64_t s = o->size_bytes;

	if (s && (s % o->frame_bytes || (s & (s - 1)) ||
		  s > 1024 * (uint64_t)o->frame_bytes))
		return np_fail_input(err, -EINVAL, "allocation size %llu: a "
				     "power-of-two number of frames, 1 to "
				     "1024 (%zu-byte frames)",
				     (unsigned long long)s, o->frame_bytes);
	return 0;
}

static int check_opts(const struct np_bench_alloc_opts *o, size_t ncpus,
		      struct np_err *err)
{
	if (o->frame_bytes != NP_BENCH_PAGE_BYTES && o->frame_bytes != 2 * MIB)
		return np_fail_input(err, -EINVAL, "frame size %zu: 4096 or %u "
				     "bytes", o->frame_bytes, 2 * MIB);
	if (o->threads == 0 || o->threads > ncpus)
		return np_fail_input(err, -EINVAL, "%u threads: from 1 to the "
				     "%zu CPUs to run them on", o->threads,
				     ncpus);
	if (o->rounds == 0)
		return np_fail_input(err, -EINVAL, "0 rounds: at least 1");
	if (o->time_ms == 0)
		return np_fail_input(err, -EINVAL, "time 0 ms: at least 1");
	/* What np_frames_create() would refuse in the helper, refused here
	 * as the caller's input before any helper starts. */
	if (o->pool_mib && ((uint64_t)o->pool_mib * MIB) % o->frame_bytes)
		return np_fail_input(err, -EINVAL, "a pool of %u MiB per node: "
				     "not a whole number of %zu KiB frames",
				     o->pool_mib, o->frame_bytes >> 10);
	return check_size(o, err);
}

/* ---- the plan every helper follows ---- */

/* nodes[] into the ascending, distinct pool_nodes[]. */
static void collect_pool_nodes(struct np_bench_plan *pl)
{
	for (unsigned i = 0; i < pl->nthreads; i++) {
		size_t k = 0;

		while (k < pl->npool_nodes && pl->pool_nodes[k] < pl->nodes[i])
			k++;
		if (k < pl->npool_nodes && pl->pool_nodes[k] == pl->nodes[i])
			continue;
		memmove(&pl->pool_nodes[k + 1], &pl->pool_nodes[k],
			(pl->npool_nodes - k) * sizeof(unsigned));
		pl->pool_nodes[k] = pl->nodes[i];
		pl->npool_nodes++;
	}
}

static int plan_nodes(const struct np_bench_alloc_opts *o,
		      struct np_bench_plan *pl, struct np_err *err)
{
	struct np_topo *live = NULL;
	const struct np_topo *t = o->topo;
	int e = 0;

	if (!t) {
		e = np_topo_from_sysroot_parts("/", NP_TOPO_BASIC, &live, err);
		t = live;
	}
	for (unsigned i = 0; !e && i < pl->nthreads; i++) {
		long idx = np_topo_memory_node_near_cpu(t, pl->cpus[i]);

		if (idx < 0)
			e = np_fail_sys(err, -ENOENT, "no node with memory for "
					"CPU %u", pl->cpus[i]);
		else
			pl->nodes[i] = t->nodes[idx].id;
	}
	np_topo_free(live);
	if (!e)
		collect_pool_nodes(pl);
	return e;
}

/* A pool big enough for every thread's batch plus its cache on top. */
static uint64_t pool_bytes_per_node(const struct np_bench_alloc_opts *o,
				    const struct np_bench_plan *pl)
{
	uint64_t most = 0, bytes;

	for (size_t k = 0; k < pl->npool_nodes; k++) {
		uint64_t n = 0;

		for (unsigned i = 0; i < pl->nthreads; i++)
			n += pl->nodes[i] == pl->pool_nodes[k];
		if (n > most)
			most = n;
	}
	if (o->pool_mib)
		return (uint64_t)o->pool_mib * MIB;
	bytes = (uint64_t)pl->alloc_bytes * 2 * NP_BENCH_BATCH_FRAMES * most;
	return bytes > 64 * MIB ? bytes : 64 * MIB;
}

static int make_plan(const struct np_bench_alloc_opts *o,
		     const struct np_idset *cpus, struct np_bench_plan *pl,
		     struct np_err *err)
{
	int e;

	pl->frame_bytes = o->frame_bytes;
	pl->alloc_bytes = o->size_bytes ? o->size_bytes : o->frame_bytes;
	pl->nthreads = o->threads;
	pl->nconfigs = o->threads > 1 ? 2 : 1;
	pl->rounds = o->rounds;
	pl->target_ns = o->time_ms * 1e6;
	pl->cpu_clock = o->cpu_clock;
	pl->cpus = calloc(o->threads, sizeof(unsigned));
	pl->nodes = calloc(o->threads, sizeof(unsigned));
	pl->pool_nodes = calloc(o->threads, sizeof(unsigned));
	if (!pl->cpus || !pl->nodes || !pl->pool_nodes)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	memcpy(pl->cpus, cpus->ids, o->threads * sizeof(unsigned));
	e = plan_nodes(o, pl, err);
	if (e)
		return e;
	pl->pool_bytes = pool_bytes_per_node(o, pl);
	return 0;
}

static void free_plan(struct np_bench_plan *pl)
{
	free(pl->cpus);
	free(pl->nodes);
	free(pl->pool_nodes);
}

/* ---- the helpers' environment ---- */

struct helper_env {
	char **envp;              /* environ's strings, GLIBC_TUNABLES replaced */
	char *tunables;           /* the one string of ours */
};

/* The caller's environment with the static TLS tunable added to
 * GLIBC_TUNABLES (kept as it is when it already names it). */
static int make_helper_env(struct helper_env *he)
{
	static const char key[] = "GLIBC_TUNABLES=";
	const char *old = NULL;
	size_t n = 0, k = 0;

	for (char **e = environ; e && *e; e++, n++)
		if (!strncmp(*e, key, sizeof(key) - 1))
			old = *e + sizeof(key) - 1;
	he->envp = calloc(n + 2, sizeof(char *));
	if (!he->envp)
		return -ENOMEM;
	if (old && strstr(old, STATIC_TLS_TUNABLE))
		he->tunables = strdup(old - (sizeof(key) - 1));
	else if (asprintf(&he->tunables, "%s%s%s" STATIC_TLS_TUNABLE "="
			  STATIC_TLS_BYTES, key, old ? old : "",
			  old && *old ? ":" : "") < 0)
		he->tunables = NULL;
	if (!he->tunables)
		return -ENOMEM;
	for (char **e = environ; e && *e; e++)
		if (strncmp(*e, key, sizeof(key) - 1))
			he->envp[k++] = *e;
	he->envp[k] = he->tunables;
	return 0;
}

static void free_helper_env(struct helper_env *he)
{
	free(he->envp);
	free(he->tunables);
}

struct helper {
	const char *path;
	bool named;               /* by the caller (option or environment) */
};

static struct helper find_helper(const struct np_bench_alloc_opts *o)
{
	const char *env = secure_getenv(NP_BENCH_HELPER_ENV);

	if (o->helper_path)
		return (struct helper){ o->helper_path, true };
	if (env && *env)
		return (struct helper){ env, true };
	if (o->helper_fallback && access(NP_BENCH_HELPER_INSTALLED, X_OK))
		return (struct helper){ o->helper_fallback, false };
	return (struct helper){ NP_BENCH_HELPER_INSTALLED, false };
}

/* ---- SIGPIPE, for the calling thread only ---- */

/* A helper that died is a reply that never comes (EPIPE), not a signal
 * that kills the caller: the signal is blocked while the run writes to
 * helpers, and one the run caused is taken before the mask is restored. */
struct sigpipe_guard {
	sigset_t old_mask;        /* also the helpers' mask */
	bool was_pending;
};

static void sigpipe_block(struct sigpipe_guard *g)
{
	sigset_t sigpipe_only, pending;

	sigemptyset(&sigpipe_only);
	sigaddset(&sigpipe_only, SIGPIPE);
	sigpending(&pending);
	g->was_pending = sigismember(&pending, SIGPIPE) == 1;
	pthread_sigmask(SIG_BLOCK, &sigpipe_only, &g->old_mask);
}

static void sigpipe_restore(const struct sigpipe_guard *g)
{
	static const struct timespec no_wait = { 0, 0 };
	sigset_t sigpipe_only;

	sigemptyset(&sigpipe_only);
	sigaddset(&sigpipe_only, SIGPIPE);
	if (!g->was_pending)
		while (sigtimedwait(&sigpipe_only, NULL, &no_wait) == SIGPIPE)
			;
	pthread_sigmask(SIG_SETMASK, &g->old_mask, NULL);
}

/* ---- the run ---- */

/* numaplace itself failing is the run failing. */
static int numaplace_failed(const struct np_bench_contender *k,
			    struct np_err *err)
{
	return np_fail_sys(err, -EIO, "numaplace's own pool: %s", k->why);
}

static int run_rounds(struct np_bench_contender *ks, size_t n,
		      const struct np_bench_plan *pl, struct np_err *err)
{
	for (unsigned r = 0; r < pl->rounds; r++) {
		for (size_t i = 0; i < n; i++) {
			struct np_bench_contender *k = &ks[(i + r) % n];

			for (unsigned cfg = 0; cfg < pl->nconfigs; cfg++) {
				if (!k->measured)
					break;
				np_bench_contender_measure(k, pl, cfg, r);
			}
			if (k == &ks[0] && !k->measured)
				return numaplace_failed(k, err);
		}
	}
	return 0;
}

static int alloc_series(struct np_bench_contender *k,
			const struct np_bench_plan *pl)
{
	for (unsigned cfg = 0; cfg < pl->nconfigs; cfg++)
		for (int m = 0; m < NP_BENCH_NMODES; m++) {
			k->ns[cfg][m] = calloc(pl->rounds, sizeof(double));
			if (!k->ns[cfg][m])
				return -ENOMEM;
		}
	return 0;
}

static int start_contenders(struct np_bench_contender *ks, size_t n,
			    const struct np_bench_plan *pl,
			    const struct helper *helper, char *const envp[],
			    const sigset_t *mask, struct np_err *err)
{
	char why[sizeof(ks->why)];

	for (size_t i = 0; i < n; i++) {
		int e;

		ks[i].a = &np_bench_allocators[i];
		if (alloc_series(&ks[i], pl))
			return np_fail_sys(err, -ENOMEM, "out of memory");
		e = np_bench_contender_start(&ks[i], pl, helper->path, envp,
					     mask, why, sizeof(why));
		/* A helper the caller named and that is not there is the
		 * caller's mistake; the installed one missing is not. */
		if (e && helper->named)
			return np_fail_errno(err, e, "%s: %s", ks[i].a->name,
					     why);
		if (e)
			return np_fail_sys(err, e, "%s: %s", ks[i].a->name, why);
		if (i == 0 && !ks[0].measured)
			return numaplace_failed(&ks[0], err);
	}
	return 0;
}

static int run_contenders(struct np_bench_contender *ks, size_t n,
			  const struct np_bench_plan *pl,
			  const struct helper *helper, struct np_err *err)
{
	struct helper_env he = { NULL, NULL };
	struct sigpipe_guard guard;
	int e = make_helper_env(&he);

	if (e) {
		free_helper_env(&he);
		return np_fail_sys(err, e, "out of memory");
	}
	sigpipe_block(&guard);
	e = start_contenders(ks, n, pl, helper, he.envp, &guard.old_mask, err);
	if (!e)
		e = run_rounds(ks, n, pl, err);
	if (e)
		for (size_t i = 0; i < n; i++)
			np_bench_contender_kill(&ks[i]);
	else
		np_bench_contenders_stop(ks, n);
	sigpipe_restore(&guard);
	free_helper_env(&he);
	return e;
}

/* ---- the result ---- */

static void free_entry_series(struct np_bench_alloc_entry *en)
{
	for (int cfg = 0; cfg < NP_BENCH_NCONFIGS; cfg++)
		for (int m = 0; m < NP_BENCH_NMODES; m++) {
			free(en->ns[cfg][m]);
			en->ns[cfg][m] = NULL;
		}
}

void np_bench_alloc_result_free(struct np_bench_alloc_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->entries && i < r->nentries; i++)
		free_entry_series(&r->entries[i]);
	free(r->entries);
	free(r->cpus);
	free(r->nodes);
	free(r->pool_nodes);
	free(r);
}

/* A contender's figures into its entry (its series move there). */
static int fill_entry(struct np_bench_alloc_entry *en,
		      struct np_bench_contender *k,
		      const struct np_bench_plan *pl)
{
	en->name = k->a->name;
	en->measured = k->measured;
	snprintf(en->why, sizeof(en->why), "%s", k->why);
	memcpy(en->ns, k->ns, sizeof(en->ns));
	memset(k->ns, 0, sizeof(k->ns));
	if (!en->measured) {
		free_entry_series(en);
		return 0;
	}
	memcpy(en->frames, k->frames, sizeof(en->frames));
	for (unsigned cfg = 0; cfg < pl->nconfigs; cfg++)
		for (int m = 0; m < NP_BENCH_NMODES; m++) {
			int e = np_stats_summarize(en->ns[cfg][m], pl->rounds,
						   &en->summary[cfg][m], NULL);

			if (e)
				return e;
		}
	return 0;
}

/* Ratios against numaplace (entries[0]) and scaling, from the medians. */
static void fill_ratios(struct np_bench_alloc_result *res)
{
	const struct np_bench_alloc_entry *np = &res->entries[0];

	for (size_t i = 0; i < res->nentries; i++) {
		struct np_bench_alloc_entry *en = &res->entries[i];

		if (!en->measured)
			continue;
		for (unsigned cfg = 0; cfg < res->nconfigs; cfg++)
			for (int m = 0; m < NP_BENCH_NMODES; m++)
				en->ratio[cfg][m] = en->summary[cfg][m].median /
						    np->summary[cfg][m].median;
		for (int m = 0; res->nconfigs > 1 && m < NP_BENCH_NMODES; m++)
			en->scaling[m] = en->summary[0][m].median /
					 en->summary[1][m].median;
	}
}

/* The plan's arrays and the contenders' series move into the result. */
static int make_result(struct np_bench_plan *pl, struct np_bench_contender *ks,
		       size_t n, struct np_bench_alloc_result **out,
		       struct np_err *err)
{
	struct np_bench_alloc_result *res = calloc(1, sizeof(*res));

	if (!res || !(res->entries = calloc(n, sizeof(*res->entries)))) {
		free(res);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	res->nentries = n;
	res->frame_bytes = pl->frame_bytes;
	res->alloc_bytes = pl->alloc_bytes;
	res->threads = pl->nthreads;
	res->nconfigs = pl->nconfigs;
	res->rounds = pl->rounds;
	res->cpus = pl->cpus;
	res->nodes = pl->nodes;
	res->pool_nodes = pl->pool_nodes;
	res->npool_nodes = pl->npool_nodes;
	res->pool_bytes_per_node = pl->pool_bytes;
	res->cpu_clock = pl->cpu_clock;
	pl->cpus = pl->nodes = pl->pool_nodes = NULL;
	snprintf(res->pool_backing, sizeof(res->pool_backing), "%s",
		 ks[0].note);
	for (size_t i = 0; i < n; i++)
		if (fill_entry(&res->entries[i], &ks[i], pl)) {
			np_bench_alloc_result_free(res);
			return np_fail_sys(err, -ENOMEM, "out of memory");
		}
	fill_ratios(res);
	*out = res;
	return 0;
}

static int run_with_cpus(const struct np_bench_alloc_opts *o,
			 const struct np_idset *cpus,
			 struct np_bench_alloc_result **out, struct np_err *err)
{
	struct np_bench_contender *ks;
	struct np_bench_plan pl = { 0 };
	struct helper helper = find_helper(o);
	size_t n = np_bench_nallocators;
	int e = check_opts(o, cpus->n, err);

	if (e)
		return e;
	ks = calloc(n, sizeof(*ks));
	if (!ks)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	e = make_plan(o, cpus, &pl, err);
	if (!e)
		e = run_contenders(ks, n, &pl, &helper, err);
	if (!e)
		e = make_result(&pl, ks, n, out, err);
	for (size_t i = 0; i < n; i++)
		for (int cfg = 0; cfg < NP_BENCH_NCONFIGS; cfg++)
			for (int m = 0; m < NP_BENCH_NMODES; m++)
				free(ks[i].ns[cfg][m]);
	free(ks);
	free_plan(&pl);
	return e;
}

int np_bench_alloc_run(const struct np_bench_alloc_opts *o,
		       struct np_bench_alloc_result **out, struct np_err *err)
{
	struct np_idset own = { 0 };
	int e;

	*out = NULL;
	if (!o->cpus) {
		e = np_bench_cpus_allowed(&own, err);
		if (e)
			return e;
	}
	e = run_with_cpus(o, o->cpus ? o->cpus : &own, out, err);
	np_idset_free(&own);
	return e;
}
