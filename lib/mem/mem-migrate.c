/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Moving another process's pages in timed batches (numaplace/migrate.h).
 *
 * The steps: the pidfd is checked, the target nodes against the
 * process's cpuset.mems, every page's node is read (move_pages with no
 * nodes), hot pages are sampled (soft-dirty bits) when asked, then the
 * pages present and not on their node are moved in batches: the first one
 * small and timed, each next one sized from the last ones' speed to take
 * about an eighth of batch_ns and never more than the rate allows in
 * batch_ns, with a wait before each so that the bytes moved keep to the
 * rate, and the pidfd checked again.  Threads (two by default) each take
 * the next batch in order and move it with their own move_pages call.
 * Last, every page's node is read back.
 */
#include <numaplace/migrate.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "linux/linux-pages.h"
#include "linux/linux-proc.h"
#include "linux/linux-softdirty.h"
#include "mem/mem-migrate-internal.h"
#include "util/util-err.h"
#include "util/util-time.h"

#define NS_PER_S 1000000000ull
#define MIB (1024.0 * 1024.0)
#define DEFAULT_BATCH_NS 10000000ull     /* 10 ms */
#define DEFAULT_SAMPLE_NS 200000000ull   /* 200 ms */
#define BASE_PAGE 4096u
/* how long a failed call waits for an exiting process to be gone */
#define EXIT_WAIT_MS 1000

uint64_t np_move_rate_cap_bytes(double rate_mibps, uint64_t batch_ns)
{
	double b;

	if (!(rate_mibps > 0))
		return 0;
	b = rate_mibps * MIB * (double)batch_ns / (double)NS_PER_S;
	if (b < BASE_PAGE)
		return BASE_PAGE;
	if (b > (double)UINT64_MAX / 2)
		return UINT64_MAX / 2;
	return (uint64_t)b;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

uint64_t np_move_batch_size(uint64_t cur_bytes, const uint64_t *bytes,
			    const uint64_t *ns, size_t n, uint64_t batch_ns,
			    uint64_t cap_bytes)
{
	uint64_t grow = cur_bytes > UINT64_MAX / NP_MOVE_BATCH_GROWTH ?
		UINT64_MAX : cur_bytes * NP_MOVE_BATCH_GROWTH;
	double per_byte[NP_MOVE_SPEED_WINDOW], med;
	uint64_t next;

	if (n > NP_MOVE_SPEED_WINDOW) {
		bytes += n - NP_MOVE_SPEED_WINDOW;
		ns += n - NP_MOVE_SPEED_WINDOW;
		n = NP_MOVE_SPEED_WINDOW;
	}
	for (size_t i = 0; i < n; i++)
		per_byte[i] = (double)ns[i] / (double)(bytes[i] ? bytes[i] : 1);
	qsort(per_byte, n, sizeof(*per_byte), cmp_double);
	med = n ? per_byte[n / 2] : 0;
	if (med <= 0) {
		next = grow;
	} else {
		double aim = (double)batch_ns * NP_MOVE_BATCH_AIM_PERMILLE /
			     1000.0;
		double b = aim / med;

		next = b >= (double)grow ? grow : (uint64_t)b;
	}
	if (next < NP_MOVE_PROBE_BYTES)
		next = NP_MOVE_PROBE_BYTES;
	if (cap_bytes && next > cap_bytes)
		next = cap_bytes;
	return next;
}

uint64_t np_move_rate_delay_ns(uint64_t bytes_done, uint64_t since_start_ns,
			       double rate_mibps)
{
	double due;

	if (!(rate_mibps > 0))
		return 0;
	/* when bytes_done may have been moved at the rate */
	due = (double)bytes_done / (rate_mibps * MIB) * (double)NS_PER_S;
	if (due <= (double)since_start_ns)
		return 0;
	return (uint64_t)(due - (double)since_start_ns);
}

size_t np_move_order_hot_first(struct np_move_page *pages, size_t n,
			       const uint8_t *hot)
{
	struct np_move_page *cold = malloc((n ? n : 1) * sizeof(*cold));
	size_t nhot = 0, ncold = 0;

	if (!cold) {
		/* stable in place, quadratic only without memory: rotate
		 * each hot page down to the end of the hot prefix */
		for (size_t i = 0; i < n; i++) {
			if (!hot[i])
				continue;
			struct np_move_page p = pages[i];

			memmove(pages + nhot + 1, pages + nhot,
				(i - nhot) * sizeof(*pages));
			pages[nhot++] = p;
		}
		return nhot;
	}
	for (size_t i = 0; i < n; i++) {
		if (hot[i])
			pages[nhot++] = pages[i];
		else
			cold[ncold++] = pages[i];
	}
	memcpy(pages + nhot, cold, ncold * sizeof(*cold));
	free(cold);
	return nhot;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t np_move_median_ns(uint64_t *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[(n - 1) / 2];
}

int np_move_check_mems(const struct np_root *r, pid_t pid,
		       const struct np_move_range *ranges, size_t n,
		       struct np_err *err)
{
	struct np_idset mems = { 0 };
	int e = np_proc_mems_allowed(r, pid, &mems, err);

	if (e)
		return e;
	for (size_t i = 0; i < n; i++) {
		char list[256];

		if (np_idset_contains(&mems, ranges[i].target_node))
			continue;
		np_idlist_format(list, sizeof(list), mems.ids, mems.n, ",");
		e = np_fail_input(err, -EINVAL, "node %u is outside the "
				  "cpuset.mems of process %d (it may use "
				  "nodes %s): no page moved",
				  ranges[i].target_node, (int)pid,
				  list[0] ? list : "none");
		break;
	}
	np_idset_free(&mems);
	return e;
}

const char *np_move_hot_source_name(enum np_move_hot_source s)
{
	switch (s) {
	case NP_HOT_NONE:
		return "none";
	case NP_HOT_SOFT_DIRTY:
		return "soft-dirty";
	case NP_HOT_DAMON:
		return "damon";
	}
	return "unknown";
}

void np_move_report_free(struct np_move_report *rep)
{
	if (!rep)
		return;
	free(rep->before);
	free(rep->after);
	free(rep->batch_ns);
	rep->before = rep->after = NULL;
	rep->batch_ns = NULL;
	rep->nbefore = rep->nafter = rep->nbatch_ns = 0;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / NS_PER_S),
		.tv_nsec = (long)(ns % NS_PER_S),
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

/* The work of one call. */
struct mover {
	pid_t pid;
	int pidfd;
	unsigned threads_asked;       /* np_move_opts.threads */
	struct np_root root;
	struct np_move_page *pages;   /* every page of the ranges, in order */
	size_t npages;
	int *before;                  /* [npages]: node or -errno */
	struct np_move_page *todo;    /* present, not on its node */
	int *todo_st;                 /* [ntodo]: move_pages' status */
	size_t ntodo;
	void **ptrs;                  /* [NP_MOVE_PAGES_CHUNK] */
	int *nodes, *status;          /* [NP_MOVE_PAGES_CHUNK] */
	struct np_move_report *rep;
	uint64_t moved_bytes;         /* of the pages moved */
};

static int validate(const struct np_move_range *ranges, size_t n,
		    size_t *npages, struct np_err *err)
{
	uint64_t total = 0;

	if (n && !ranges)
		return np_fail_input(err, -EINVAL, "no ranges given");
	for (size_t i = 0; i < n; i++) {
		const struct np_move_range *r = &ranges[i];
		uint64_t pb = r->page_bytes;

		if (pb < BASE_PAGE || (pb & (pb - 1)) || pb > UINT32_MAX)
			return np_fail_input(err, -EINVAL, "range %#llx: page "
					     "size %llu is not a power of two "
					     "of at least 4096",
					     (unsigned long long)r->start,
					     (unsigned long long)pb);
		if (r->start % pb || r->len_bytes % pb)
			return np_fail_input(err, -EINVAL, "range %#llx+%llu:"
					     " not aligned to its page size "
					     "%llu",
					     (unsigned long long)r->start,
					     (unsigned long long)r->len_bytes,
					     (unsigned long long)pb);
		if (r->target_node >= NP_MAX_NODES)
			return np_fail_input(err, -EINVAL, "node %u does not "
					     "exist", r->target_node);
		total += r->len_bytes / pb;
		if (total > SIZE_MAX / sizeof(struct np_move_page))
			return np_fail_input(err, -EINVAL, "ranges too large");
	}
	*npages = (size_t)total;
	return 0;
}

static int mover_alloc(struct mover *m, const struct np_move_range *ranges,
		       size_t n, struct np_err *err)
{
	size_t k = 0;

	m->pages = malloc((m->npages ? m->npages : 1) * sizeof(*m->pages));
	m->before = malloc((m->npages ? m->npages : 1) * sizeof(*m->before));
	m->todo = malloc((m->npages ? m->npages : 1) * sizeof(*m->todo));
	m->todo_st = malloc((m->npages ? m->npages : 1) *
			    sizeof(*m->todo_st));
	m->ptrs = malloc(NP_MOVE_PAGES_CHUNK * sizeof(*m->ptrs));
	m->nodes = malloc(NP_MOVE_PAGES_CHUNK * sizeof(*m->nodes));
	m->status = malloc(NP_MOVE_PAGES_CHUNK * sizeof(*m->status));
	if (!m->pages || !m->before || !m->todo || !m->todo_st || !m->ptrs ||
	    !m->nodes || !m->status)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		uint64_t pb = ranges[i].page_bytes;

		for (uint64_t a = 0; a < ranges[i].len_bytes; a += pb) {
			m->pages[k].addr = ranges[i].start + a;
			m->pages[k].idx = k;
			m->pages[k].page_bytes = (uint32_t)pb;
			m->pages[k].node = (int)ranges[i].target_node;
			k++;
		}
	}
	return 0;
}

static void mover_free(struct mover *m)
{
	free(m->pages);
	free(m->before);
	free(m->todo);
	free(m->todo_st);
	free(m->ptrs);
	free(m->nodes);
	free(m->status);
	if (m->root.path)
		np_root_close(&m->root);
}

/* -ESRCH (class system) saying the process exited; rep says how far. */
static int exited(struct mover *m, struct np_err *err)
{
	m->rep->target_exited = true;
	return np_fail_sys(err, -ESRCH, "process %d exited after %llu of %llu "
			   "pages were moved: the report is partial",
			   (int)m->pid,
			   (unsigned long long)m->rep->pages_moved,
			   (unsigned long long)m->rep->pages_to_move);
}

/* 0 alive, -ESRCH exited, or another negative errno. */
static int check_alive(struct mover *m, struct np_err *err)
{
	int a = np_pidfd_alive(m->pidfd);

	if (a == 1)
		return 0;
	if (a == 0)
		return exited(m, err);
	return np_fail_input(err, a, "pidfd %d: %s", m->pidfd, strerror(-a));
}

/* The pidfd is the process pid names (a caller's mix-up would move one
 * process's pages while watching another). */
static int check_pidfd_pid(struct mover *m, struct np_err *err)
{
	pid_t p = 0;
	int e = np_pidfd_pid(m->pidfd, &p);

	if (e)
		return np_fail_input(err, e, "fd %d: not a pidfd (%s)",
				     m->pidfd, strerror(-e));
	if (p == -1)
		return exited(m, err);
	if (p != m->pid)
		return np_fail_input(err, -EINVAL, "pidfd %d refers to process "
				     "%d, not %d", m->pidfd, (int)p,
				     (int)m->pid);
	return 0;
}

/* A failed move_pages call: the process's exit, a missing permission, or
 * the kernel's refusal. */
static int call_failed(struct mover *m, int e, struct np_err *err)
{
	/* a process exiting has dropped its memory (EINVAL: no mm) a moment
	 * before its pidfd becomes readable */
	int wait_ms = e == -EINVAL || e == -ESRCH ? EXIT_WAIT_MS : 0;

	if (np_pidfd_exited_within(m->pidfd, wait_ms) == 1)
		return exited(m, err);
	if (e == -EPERM)
		return np_fail_sys(err, -EPERM, "move_pages: process %d: %s:"
				   " moving another user's process's pages "
				   "needs CAP_SYS_NICE%s", (int)m->pid,
				   strerror(EPERM), np_numa_eperm_hint(e));
	return e;
}

/* How many threads may move or read at once: as asked, else the
 * default, at most the CPUs this thread may run on. */
static unsigned threads_allowed(unsigned asked)
{
	unsigned n = asked ? asked : NP_MOVE_DEFAULT_THREADS;
	cpu_set_t cs;

	if (!asked && sched_getaffinity(0, sizeof(cs), &cs) == 0 &&
	    (unsigned)CPU_COUNT(&cs) < n)
		n = (unsigned)CPU_COUNT(&cs);
	return n ? n : 1;
}

/* One thread's move_pages call arrays, a chunk each (lane 0's are the
 * mover's own). */
struct lane {
	void **ptrs;
	int *nodes, *status;
};

/* Lanes 0..n-1: as many as get their arrays (at least lane 0). */
static unsigned lanes_make(struct mover *m, struct lane *ln, unsigned n)
{
	ln[0] = (struct lane){ m->ptrs, m->nodes, m->status };
	for (unsigned i = 1; i < n; i++) {
		ln[i].ptrs = malloc(NP_MOVE_PAGES_CHUNK * sizeof(*ln[i].ptrs));
		ln[i].nodes = malloc(NP_MOVE_PAGES_CHUNK *
				     sizeof(*ln[i].nodes));
		ln[i].status = malloc(NP_MOVE_PAGES_CHUNK *
				      sizeof(*ln[i].status));
		if (!ln[i].ptrs || !ln[i].nodes || !ln[i].status) {
			free(ln[i].ptrs);
			free(ln[i].nodes);
			free(ln[i].status);
			return i;
		}
	}
	return n;
}

static void lanes_free(struct lane *ln, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		free(ln[i].ptrs);
		free(ln[i].nodes);
		free(ln[i].status);
	}
}

/*
 * fn on each of the n arguments at args (size bytes apart): the first on
 * this thread, the others on threads of their own, and any whose thread
 * cannot be made on this one afterwards.  Returns how many ran at once.
 */
static unsigned run_spread(void *(*fn)(void *), void *args, size_t size,
			   unsigned n)
{
	pthread_t th[NP_MOVE_MAX_THREADS];
	bool started[NP_MOVE_MAX_THREADS] = { false };
	unsigned together = 1;

	for (unsigned i = 1; i < n; i++) {
		started[i] = !pthread_create(&th[i], NULL, fn,
					     (char *)args + i * size);
		together += started[i];
	}
	fn(args);
	for (unsigned i = 1; i < n; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		else
			fn((char *)args + i * size);
	}
	return together;
}

/* One reader's slice: status[0..n) of pages[0..n), through its lane. */
struct reader {
	pid_t pid;
	const struct np_move_page *pages;
	size_t n;
	int *status;
	struct lane ln;
	int e;
	struct np_err err;
};

static void *read_slice(void *arg)
{
	struct reader *r = arg;

	r->e = 0;
	for (size_t i = 0; i < r->n && !r->e; i += NP_MOVE_PAGES_CHUNK) {
		size_t k = r->n - i < NP_MOVE_PAGES_CHUNK ? r->n - i :
			NP_MOVE_PAGES_CHUNK;

		for (size_t j = 0; j < k; j++)
			r->ln.ptrs[j] = (void *)(uintptr_t)r->pages[i + j].addr;
		r->e = np_move_pages(r->pid, k, r->ln.ptrs, NULL, r->status + i,
				     0, &r->err);
	}
	return NULL;
}

/*
 * status[i] of pages[0..n): their nodes now (move_pages, no nodes), read
 * by as many threads as may move (each a slice of at least a chunk): a
 * query walks the page tables once per page, as a move does.
 */
static int read_nodes(struct mover *m, const struct np_move_page *pages,
		      size_t n, int *status, struct np_err *err)
{
	unsigned nt = threads_allowed(m->threads_asked);
	struct lane ln[NP_MOVE_MAX_THREADS];
	struct reader *rd;
	int e = 0;

	if (n / NP_MOVE_PAGES_CHUNK < nt)
		nt = (unsigned)(n / NP_MOVE_PAGES_CHUNK);
	nt = lanes_make(m, ln, nt ? nt : 1);
	rd = calloc(nt, sizeof(*rd));
	if (!rd) {
		lanes_free(ln, nt);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	for (unsigned i = 0; i < nt; i++) {
		size_t lo = n * i / nt, hi = n * (i + 1) / nt;

		rd[i] = (struct reader){ .pid = m->pid, .pages = pages + lo,
					 .n = hi - lo, .status = status + lo,
					 .ln = ln[i] };
	}
	run_spread(read_slice, rd, sizeof(*rd), nt);
	lanes_free(ln, nt);
	for (unsigned i = 0; i < nt && !e; i++) {
		if (!rd[i].e)
			continue;
		e = rd[i].e;
		if (err)
			*err = rd[i].err;
	}
	free(rd);
	return e ? call_failed(m, e, err) : 0;
}

/* Pages per node of the non-negative entries of st[0..n), nodes ascending. */
static int count_nodes(const int *st, size_t n,
		       struct np_move_node_pages **out, size_t *nout)
{
	int maxn = -1;
	uint64_t *cnt;

	*out = NULL;
	*nout = 0;
	for (size_t i = 0; i < n; i++)
		if (st[i] > maxn)
			maxn = st[i];
	if (maxn < 0)
		return 0;
	cnt = calloc((size_t)maxn + 1, sizeof(*cnt));
	if (!cnt)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (st[i] >= 0)
			cnt[st[i]]++;
	for (int i = 0; i <= maxn; i++)
		*nout += cnt[i] != 0;
	*out = malloc(*nout * sizeof(**out));
	if (!*out) {
		free(cnt);
		*nout = 0;
		return -ENOMEM;
	}
	*nout = 0;
	for (int i = 0; i <= maxn; i++)
		if (cnt[i])
			(*out)[(*nout)++] = (struct np_move_node_pages){
				.node = (unsigned)i, .pages = cnt[i] };
	free(cnt);
	return 0;
}

/* Which of m->pages were written in sample_ns: hot[i] per page. */
static int sample_hot(struct mover *m, const struct np_move_range *ranges,
		      size_t n, uint64_t sample_ns, uint8_t *hot,
		      struct np_err *err)
{
	size_t k = 0;
	int e = np_softdirty_clear(&m->root, m->pid, err);

	if (e)
		return e == -ESRCH ? exited(m, err) : e;
	sleep_ns(sample_ns);
	e = check_alive(m, err);
	if (e)
		return e;
	for (size_t i = 0; i < n; i++) {
		uint64_t np = ranges[i].len_bytes / ranges[i].page_bytes;

		e = np_softdirty_read(&m->root, m->pid, ranges[i].start, np,
				      ranges[i].page_bytes, hot + k, err);
		if (e)
			return e == -ESRCH ? exited(m, err) : e;
		k += np;
	}
	return 0;
}

/* The pages to move (present, elsewhere), hot ones first when asked. */
static int plan_order(struct mover *m, const struct np_move_range *ranges,
		      size_t n, const struct np_move_opts *o,
		      struct np_err *err)
{
	struct np_move_report *rep = m->rep;
	uint8_t *hot = NULL, *todo_hot = NULL;
	int e = 0;

	rep->hot_source = NP_HOT_NONE;
	rep->damon_present = np_damon_present(&m->root) == 1;
	if (o->order == NP_MOVE_HOT_FIRST && !o->dry_run &&
	    np_softdirty_supported() == 1) {
		hot = calloc(m->npages ? m->npages : 1, 1);
		todo_hot = calloc(m->npages ? m->npages : 1, 1);
		if (!hot || !todo_hot) {
			e = np_fail_sys(err, -ENOMEM, "out of memory");
			goto out;
		}
		e = sample_hot(m, ranges, n, o->sample_ns ? o->sample_ns :
			       DEFAULT_SAMPLE_NS, hot, err);
		if (e)
			goto out;
		rep->hot_source = NP_HOT_SOFT_DIRTY;
	}
	m->ntodo = 0;
	for (size_t i = 0; i < m->npages; i++) {
		if (hot && hot[i] && m->before[i] >= 0)
			rep->pages_hot++;
		if (m->before[i] < 0 || m->before[i] == m->pages[i].node)
			continue;
		if (todo_hot)
			todo_hot[m->ntodo] = hot[i];
		m->todo[m->ntodo++] = m->pages[i];
	}
	if (todo_hot)
		np_move_order_hot_first(m->todo, m->ntodo, todo_hot);
out:
	free(hot);
	free(todo_hot);
	return e;
}

/* The report's counter of pages left behind with move_pages' status s. */
static uint64_t *failed_counter(struct np_move_report *rep, int s)
{
	switch (s) {
	case -EBUSY:
		return &rep->failed_ebusy;
	case -EACCES:
		return &rep->failed_eacces;
	case -ENOMEM:
		return &rep->failed_enomem;
	case -EFAULT:
		return &rep->failed_efault;
	default:
		return &rep->failed_other;
	}
}

/* Counts the outcome of todo[off..off+k) from their status after a move. */
static void count_status(struct mover *m, const int *status, size_t off,
			 size_t k)
{
	struct np_move_report *rep = m->rep;

	for (size_t i = 0; i < k; i++) {
		const struct np_move_page *p = &m->todo[off + i];
		int s = status[i];

		m->todo_st[off + i] = s;
		if (s != p->node) {
			(*failed_counter(rep, s))++;
			continue;
		}
		rep->pages_moved++;
		m->moved_bytes += p->page_bytes;
	}
}

/* The report's first pages moved: the first of todo in the order they
 * were handed out (with more threads than one, two batches move at once
 * and may end in either order) that move_pages put on their node. */
static void first_moved(struct mover *m)
{
	struct np_move_report *rep = m->rep;

	rep->nfirst_moved = 0;
	for (size_t j = 0; j < m->ntodo &&
	     rep->nfirst_moved < NP_MOVE_FIRST_PAGES; j++)
		if (m->todo_st[j] == m->todo[j].node)
			rep->first_moved[rep->nfirst_moved++] = m->todo[j].addr;
}

/*
 * A page whose own move failed may have moved with another: the 4 KiB
 * pages of a transparent huge page move with the first of them, the
 * others of the same batch say EBUSY (already taken for migration).
 * Those the read back finds on their node count as moved.
 */
static void reconcile(struct mover *m, const int *after)
{
	struct np_move_report *rep = m->rep;

	for (size_t j = 0; j < m->ntodo; j++) {
		const struct np_move_page *p = &m->todo[j];

		if (m->todo_st[j] == p->node || after[p->idx] != p->node)
			continue;
		(*failed_counter(rep, m->todo_st[j]))--;
		m->todo_st[j] = p->node;
		rep->pages_moved++;
		m->moved_bytes += p->page_bytes;
	}
}

static int push_batch_ns(struct np_move_report *rep, size_t *cap,
			 uint64_t ns)
{
	if (rep->nbatch_ns == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		uint64_t *v = realloc(rep->batch_ns, nc * sizeof(*v));

		if (!v)
			return -ENOMEM;
		rep->batch_ns = v;
		*cap = nc;
	}
	rep->batch_ns[rep->nbatch_ns++] = ns;
	return 0;
}

/* Takes pages from todo[off..) up to want bytes (at least one page, at
 * most a chunk) into a lane's call arrays; returns how many. */
static size_t fill_batch(const struct mover *m, const struct lane *ln,
			 size_t off, uint64_t want, uint64_t *bytes)
{
	size_t k = 0;

	*bytes = 0;
	while (off + k < m->ntodo && k < NP_MOVE_PAGES_CHUNK) {
		const struct np_move_page *p = &m->todo[off + k];

		if (k && *bytes + p->page_bytes > want)
			break;
		if (ln) {
			ln->ptrs[k] = (void *)(uintptr_t)p->addr;
			ln->nodes[k] = p->node;
		}
		*bytes += p->page_bytes;
		k++;
	}
	return k;
}

/*
 * The batches, shared by the mover's threads: each takes the next pages
 * of todo (so the order holds across threads: the hot pages are the first
 * ones taken), waits first as the rate says for the bytes already handed
 * out, and moves them with its own move_pages call.  Every batch's time
 * sizes the next batch of any thread.  The first error stops them all.
 */
struct batcher {
	struct mover *m;
	double rate_mibps;
	uint64_t batch_ns, cap;
	pthread_mutex_t lock;
	size_t off;                   /* todo's next page to hand out */
	uint64_t want;                /* the next batch's bytes */
	uint64_t given_bytes;         /* handed out so far (the rate) */
	uint64_t start, first_t0, last_end;
	uint64_t win_bytes[NP_MOVE_SPEED_WINDOW], win_ns[NP_MOVE_SPEED_WINDOW];
	size_t nwin, ns_cap;
	int e;                        /* the first error, 0 */
	struct np_err err;            /* its message */
};

/* Records the first error (its message from *err) and stops the batches;
 * called with the lock held. */
static void batcher_fail(struct batcher *b, int e, const struct np_err *err)
{
	if (b->e)
		return;
	b->e = e;
	if (err)
		b->err = *err;
}

/* Hands out the next batch into ln (the lock held): its first page in
 * *off and its size; 0 pages when none is left or the batches stopped,
 * else after *wait_ns (the rate) has been slept without the lock. */
static size_t batcher_take(struct batcher *b, const struct lane *ln,
			   size_t *off, uint64_t *bytes, uint64_t *wait_ns)
{
	size_t k;

	*wait_ns = 0;
	if (b->e || b->off >= b->m->ntodo)
		return 0;
	*wait_ns = np_move_rate_delay_ns(b->given_bytes, np_now_ns() - b->start,
					 b->rate_mibps);
	if (*wait_ns)
		return 0;
	k = fill_batch(b->m, ln, b->off, b->want, bytes);
	*off = b->off;
	b->off += k;
	b->given_bytes += *bytes;
	return k;
}

/* A batch's outcome into the report and the sizer (the lock held). */
static int batcher_done(struct batcher *b, const struct lane *ln, size_t off,
			size_t k, uint64_t bytes, uint64_t t0, uint64_t dt)
{
	struct np_move_report *rep = b->m->rep;

	if (!rep->batches || t0 < b->first_t0)
		b->first_t0 = t0;
	if (t0 + dt > b->last_end)
		b->last_end = t0 + dt;
	rep->batches++;
	rep->move_ns += dt;
	rep->move_wall_ns = b->last_end - b->first_t0;
	if (push_batch_ns(rep, &b->ns_cap, dt))
		return -ENOMEM;
	if (dt > rep->longest_batch_ns)
		rep->longest_batch_ns = dt;
	if (k > rep->batch_pages)
		rep->batch_pages = k;
	if (bytes > rep->batch_bytes_max)
		rep->batch_bytes_max = bytes;
	count_status(b->m, ln->status, off, k);
	if (b->nwin == NP_MOVE_SPEED_WINDOW) {
		memmove(b->win_bytes, b->win_bytes + 1,
			(b->nwin - 1) * sizeof(*b->win_bytes));
		memmove(b->win_ns, b->win_ns + 1,
			(b->nwin - 1) * sizeof(*b->win_ns));
		b->nwin--;
	}
	b->win_bytes[b->nwin] = bytes;
	b->win_ns[b->nwin++] = dt;
	b->want = np_move_batch_size(b->want, b->win_bytes, b->win_ns,
				     b->nwin, b->batch_ns, b->cap);
	return 0;
}

struct lane_run {
	struct batcher *b;
	struct lane ln;
};

static void *lane_main(void *arg)
{
	struct lane_run *lr = arg;
	struct batcher *b = lr->b;
	struct mover *m = b->m;
	struct np_err err = { 0 };

	pthread_mutex_lock(&b->lock);
	for (;;) {
		uint64_t bytes = 0, t0, dt, wait;
		size_t off = 0, k;
		int e;

		k = batcher_take(b, &lr->ln, &off, &bytes, &wait);
		if (!k && !wait)
			break;
		if (wait) {
			pthread_mutex_unlock(&b->lock);
			sleep_ns(wait);
			pthread_mutex_lock(&b->lock);
			continue;
		}
		e = check_alive(m, &err);
		if (e) {
			batcher_fail(b, e, &err);
			break;
		}
		pthread_mutex_unlock(&b->lock);
		t0 = np_now_ns();
		e = np_move_pages(m->pid, k, lr->ln.ptrs, lr->ln.nodes,
				  lr->ln.status, NP_MPOL_MF_MOVE, &err);
		dt = np_now_ns() - t0;
		pthread_mutex_lock(&b->lock);
		if (e)
			batcher_fail(b, call_failed(m, e, &err), &err);
		else if (batcher_done(b, &lr->ln, off, k, bytes, t0, dt))
			batcher_fail(b, np_fail_sys(&err, -ENOMEM, "out of "
						    "memory"), &err);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

/* How many threads move: as asked (0: NP_MOVE_DEFAULT_THREADS), at most
 * the CPUs this thread may run on and one per first batch's worth of
 * pages to move. */
static unsigned lanes_wanted(const struct mover *m, unsigned asked)
{
	unsigned n = threads_allowed(asked);
	uint64_t bytes = 0;

	for (size_t i = 0; i < m->ntodo; i++)
		bytes += m->todo[i].page_bytes;
	if (bytes / NP_MOVE_PROBE_BYTES < n)
		n = (unsigned)(bytes / NP_MOVE_PROBE_BYTES);
	return n ? n : 1;
}

static int move_batches(struct mover *m, const struct np_move_opts *o,
			uint64_t batch_ns, struct np_err *err)
{
	struct np_move_report *rep = m->rep;
	struct lane ln[NP_MOVE_MAX_THREADS];
	unsigned nl = lanes_make(m, ln, lanes_wanted(m, o->threads));
	struct batcher b = {
		.m = m, .rate_mibps = o->rate_mibps, .batch_ns = batch_ns,
		.cap = rep->batch_bytes_cap,
	};
	struct lane_run lr[NP_MOVE_MAX_THREADS];
	int e = 0;

	b.want = b.cap && b.cap < NP_MOVE_PROBE_BYTES ? b.cap :
		NP_MOVE_PROBE_BYTES;
	/* a page no batch reached (the move stopped) has no status */
	for (size_t j = 0; j < m->ntodo; j++)
		m->todo_st[j] = -ENOENT;
	pthread_mutex_init(&b.lock, NULL);
	b.start = np_now_ns();
	for (unsigned i = 0; i < nl; i++)
		lr[i] = (struct lane_run){ &b, ln[i] };
	/* a lane whose thread cannot be made runs after the first, which
	 * has left it no work: the others move it all */
	rep->threads = run_spread(lane_main, lr, sizeof(*lr), nl);
	lanes_free(ln, nl);
	pthread_mutex_destroy(&b.lock);
	first_moved(m);
	if (b.e == -ESRCH && rep->target_exited) {
		/* said again: the other threads' batches ended meanwhile */
		e = exited(m, err);
	} else if (b.e) {
		e = b.e;
		if (err)
			*err = b.err;
	}
	return e;
}

/* A dry run: how many batches the rate's bound makes (sizes without a
 * rate come from timing, which a dry run does not do: 0). */
static void plan_dry(struct mover *m)
{
	struct np_move_report *rep = m->rep;
	uint64_t cap = rep->batch_bytes_cap, bytes;
	size_t off = 0, k;

	if (!cap)
		return;
	while (off < m->ntodo) {
		k = fill_batch(m, NULL, off, cap, &bytes);
		rep->batches++;
		if (k > rep->batch_pages)
			rep->batch_pages = k;
		if (bytes > rep->batch_bytes_max)
			rep->batch_bytes_max = bytes;
		off += k;
	}
}

/* After: every page's node read back; present-before pages elsewhere
 * than their target are counted into *astray. */
static int read_after(struct mover *m, uint64_t *astray, struct np_err *err)
{
	int *after = malloc((m->npages ? m->npages : 1) * sizeof(*after));
	int e;

	*astray = 0;
	if (!after)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	e = read_nodes(m, m->pages, m->npages, after, err);
	if (!e) {
		reconcile(m, after);
		for (size_t i = 0; i < m->npages; i++)
			if (m->before[i] >= 0 && after[i] != m->pages[i].node)
				(*astray)++;
		if (count_nodes(after, m->npages, &m->rep->after,
				&m->rep->nafter))
			e = np_fail_sys(err, -ENOMEM, "out of memory");
	}
	free(after);
	return e;
}

static void finish(struct mover *m, uint64_t t_start)
{
	struct np_move_report *rep = m->rep;
	uint64_t *v;

	rep->elapsed_ns = np_now_ns() - t_start;
	if (rep->move_wall_ns)
		rep->mibps = (double)m->moved_bytes / MIB /
			     ((double)rep->move_wall_ns / (double)NS_PER_S);
	if (!rep->nbatch_ns)
		return;
	v = malloc(rep->nbatch_ns * sizeof(*v));
	if (!v) {
		rep->median_batch_ns = rep->batch_ns[rep->nbatch_ns / 2];
		return;
	}
	memcpy(v, rep->batch_ns, rep->nbatch_ns * sizeof(*v));
	rep->median_batch_ns = np_move_median_ns(v, rep->nbatch_ns);
	free(v);
}

static int failed_pages(const struct np_move_report *rep, uint64_t astray,
			struct np_err *err)
{
	uint64_t failed = rep->failed_ebusy + rep->failed_eacces +
		rep->failed_enomem + rep->failed_efault + rep->failed_other;

	if (!failed && !astray)
		return 0;
	return np_fail_sys(err, -EAGAIN, "process %d: %llu of %llu pages not "
			   "moved (EBUSY %llu, EACCES %llu, ENOMEM %llu, "
			   "EFAULT %llu, other %llu), %llu not on their node "
			   "after", (int)rep->pid, (unsigned long long)failed,
			   (unsigned long long)rep->pages_to_move,
			   (unsigned long long)rep->failed_ebusy,
			   (unsigned long long)rep->failed_eacces,
			   (unsigned long long)rep->failed_enomem,
			   (unsigned long long)rep->failed_efault,
			   (unsigned long long)rep->failed_other,
			   (unsigned long long)astray);
}

static int run(struct mover *m, const struct np_move_range *ranges, size_t n,
	       const struct np_move_opts *o, struct np_err *err)
{
	struct np_move_report *rep = m->rep;
	uint64_t batch_ns = o->batch_ns ? o->batch_ns : DEFAULT_BATCH_NS;
	uint64_t astray = 0;
	int e;

	e = check_alive(m, err);
	if (!e)
		e = check_pidfd_pid(m, err);
	if (!e)
		e = np_root_open(&m->root, "/", err);
	if (!e)
		e = np_move_check_mems(&m->root, m->pid, ranges, n, err);
	if (e == -ESRCH && !rep->target_exited && np_pidfd_alive(m->pidfd) == 0)
		e = exited(m, err);
	if (!e)
		e = mover_alloc(m, ranges, n, err);
	if (!e)
		e = read_nodes(m, m->pages, m->npages, m->before, err);
	if (e)
		return e;
	rep->pages_total = m->npages;
	for (size_t i = 0; i < m->npages; i++)
		rep->pages_present += m->before[i] >= 0;
	if (count_nodes(m->before, m->npages, &rep->before, &rep->nbefore))
		return np_fail_sys(err, -ENOMEM, "out of memory");
	e = plan_order(m, ranges, n, o, err);
	if (e)
		return e;
	rep->pages_to_move = m->ntodo;
	rep->batch_bytes_cap = np_move_rate_cap_bytes(o->rate_mibps, batch_ns);
	if (o->dry_run) {
		rep->threads = lanes_wanted(m, o->threads);
		plan_dry(m);
		return 0;
	}
	e = move_batches(m, o, batch_ns, err);
	if (e)
		return e;
	e = read_after(m, &astray, err);
	if (e)
		return e;
	return failed_pages(rep, astray, err);
}

int np_move_process_pages(int pidfd, pid_t pid,
			  const struct np_move_range *ranges, size_t n,
			  const struct np_move_opts *opts,
			  struct np_move_report *rep, struct np_err *err)
{
	static const struct np_move_opts defaults;
	struct mover m = { .pid = pid, .pidfd = pidfd, .rep = rep,
			   .root = { .fd = -1 } };
	uint64_t t_start = np_now_ns();
	int e;

	if (!rep)
		return np_fail_input(err, -EINVAL, "no report given");
	memset(rep, 0, sizeof(*rep));
	rep->pid = pid;
	if (!opts)
		opts = &defaults;
	rep->dry_run = opts->dry_run;
	if (pidfd < 0 || pid <= 0)
		return np_fail_input(err, -EINVAL, "process %d: no pidfd",
				     (int)pid);
	if (opts->rate_mibps < 0)
		return np_fail_input(err, -EINVAL, "rate %g MiB/s is negative",
				     opts->rate_mibps);
	if (opts->threads > NP_MOVE_MAX_THREADS)
		return np_fail_input(err, -EINVAL, "%u threads: at most %u move "
				     "pages at once", opts->threads,
				     NP_MOVE_MAX_THREADS);
	m.threads_asked = opts->threads;
	e = validate(ranges, n, &m.npages, err);
	if (!e)
		e = run(&m, ranges, n, opts, err);
	finish(&m, t_start);
	mover_free(&m);
	return e;
}
