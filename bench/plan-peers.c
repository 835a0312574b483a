/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Nova's NUMA fit and numad's node choice, rewritten in C from their
 * sources (see plan-peers.h for the functions followed), on numaplace's
 * struct np_plan_host.  Where the originals read a machine (numad: sysfs
 * and idle ticks; Nova: libvirt's host cells and the placement service),
 * these read the host struct as it stands after the VMs placed so far.
 */
#include "plan-peers.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the host ------------------------------------------------------------- */

/* CPUs of node i not held by a dedicated vCPU. */
static size_t cpus_untaken(const struct np_plan_node *n)
{
	size_t f = 0;

	for (size_t a = 0; a < n->ncpus; a++)
		f += !n->cpu_taken || !n->cpu_taken[a];
	return f;
}

static long huge_index(const struct np_plan_node *n, uint64_t bytes)
{
	for (size_t k = 0; k < n->nhuge; k++)
		if (n->huge[k].size_bytes == bytes)
			return (long)k;
	return -1;
}

/* Memory node n can give a VM of this page size, in MiB. */
static uint64_t mem_avail(const struct np_plan_node *n, uint64_t huge_bytes)
{
	long k;

	if (!huge_bytes)
		return n->free_mib;
	k = huge_index(n, huge_bytes);
	return k < 0 ? 0 : n->huge[k].free * (huge_bytes >> 20);
}

/* vCPUs node n can still take, by numaplace's rule (vm_cpu_avail() in
 * lib/vm/vm-plan-fit.c), so the three planners share the CPU limit. */
static uint64_t cpu_avail(const struct np_plan_node *n, double oc,
			  bool dedicated)
{
	uint64_t f = cpus_untaken(n), keep, cap;

	if (dedicated) {
		keep = (uint64_t)ceil((double)n->shared_vcpus / oc);
		return f > keep ? f - keep : 0;
	}
	cap = (uint64_t)floor((double)f * oc + 1e-9);
	return cap > n->shared_vcpus ? cap - n->shared_vcpus : 0;
}

static void take_mem(struct np_plan_node *n, uint64_t huge_bytes, uint64_t mib)
{
	if (huge_bytes)
		n->huge[huge_index(n, huge_bytes)].free -= mib / (huge_bytes >> 20);
	else
		n->free_mib -= mib;
}

/* Dedicated vCPUs take the lowest free CPUs (Nova's
 * _pack_instance_onto_cores() on cells without sibling data pins in
 * sorted order); shared ones are counted. */
static int take_cpus(struct np_plan_node *n, unsigned vcpus, bool dedicated)
{
	if (!dedicated) {
		n->shared_vcpus += vcpus;
		return 0;
	}
	if (!n->cpu_taken && n->ncpus &&
	    !(n->cpu_taken = calloc(n->ncpus, sizeof(*n->cpu_taken))))
		return -ENOMEM;
	for (size_t a = 0; a < n->ncpus && vcpus; a++)
		if (!n->cpu_taken[a]) {
			n->cpu_taken[a] = true;
			vcpus--;
		}
	return 0;
}

/* ---- results -------------------------------------------------------------- */

uint64_t peer_vm_remote_mib(const struct peer_vm *vm)
{
	struct np_plan_vm v = { .placed = vm->placed,
				.memory_mib = vm->mib };

	v.nodes.n = vm->ncells;
	return np_plan_vm_remote_mib(&v);
}

void peer_plan_free(struct peer_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; p->vms && i < p->nvms; i++) {
		free(p->vms[i].pos);
		free(p->vms[i].mib);
		free(p->vms[i].vcpus);
	}
	free(p->vms);
	np_plan_host_free(p->left);
	free(p);
}

static struct peer_plan *plan_alloc(const struct np_plan_host *host,
				    size_t nvms)
{
	struct peer_plan *p = calloc(1, sizeof(*p));
	size_t n = host->nnodes ? host->nnodes : 1;

	if (!p)
		return NULL;
	p->nvms = nvms;
	p->vms = calloc(nvms ? nvms : 1, sizeof(*p->vms));
	p->left = np_plan_host_clone(host);
	if (!p->vms || !p->left) {
		peer_plan_free(p);
		return NULL;
	}
	for (size_t i = 0; i < nvms; i++) {
		struct peer_vm *v = &p->vms[i];

		v->pos = calloc(n, sizeof(*v->pos));
		v->mib = calloc(n, sizeof(*v->mib));
		v->vcpus = calloc(n, sizeof(*v->vcpus));
		if (!v->pos || !v->mib || !v->vcpus) {
			peer_plan_free(p);
			return NULL;
		}
	}
	return p;
}

static void count_placed(struct peer_plan *p, const struct peer_vm *v)
{
	p->placed++;
	for (size_t c = 0; c < v->ncells; c++)
		p->placed_mib += v->mib[c];
	p->remote_mib += peer_vm_remote_mib(v);
}

/* ---- Nova: the host cells' order ------------------------------------------ */

enum nova_key { KEY_AVAIL_MEMORY, KEY_CPU_USAGE, KEY_FREE_PCPUS };

static uint64_t nova_key(const struct np_plan_node *n, enum nova_key k)
{
	switch (k) {
	case KEY_AVAIL_MEMORY:
		return n->free_mib;       /* NUMACell.avail_memory */
	case KEY_CPU_USAGE:
		return n->shared_vcpus;   /* NUMACell.cpu_usage */
	default:
		return cpus_untaken(n);   /* len(NUMACell.free_pcpus) */
	}
}

/* Python's sorted(cells, key=k, reverse=rev): stable, and reverse keeps
 * equal elements in their order (it is not a reversed ascending sort). */
static void stable_sort(const struct np_plan_host *h, size_t *order,
			enum nova_key k, bool rev)
{
	for (size_t a = 1; a < h->nnodes; a++)
		for (size_t b = a; b > 0; b--) {
			uint64_t x = nova_key(&h->nodes[order[b]], k);
			uint64_t y = nova_key(&h->nodes[order[b - 1]], k);
			size_t t;

			if (rev ? x <= y : x >= y)
				break;
			t = order[b];
			order[b] = order[b - 1];
			order[b - 1] = t;
		}
}

void nova_cell_order(const struct np_plan_host *h, const struct nova_opts *o,
		     size_t ncells, bool dedicated, size_t *order)
{
	for (size_t i = 0; i < h->nnodes; i++)
		order[i] = i;
	/* numa_fit_instance_to_host(): "if it's equal, we'll use all cells
	 * and no sorting of the cells list is needed" */
	if (h->nnodes <= ncells)
		return;
	stable_sort(h, order, KEY_AVAIL_MEMORY, !o->pack);
	if (!dedicated)
		stable_sort(h, order, KEY_CPU_USAGE, o->pack);
	else
		stable_sort(h, order, KEY_FREE_PCPUS, !o->pack);
	/* no PCI devices here: the pci_stats sort does not run */
}

/* ---- Nova: one cell -------------------------------------------------------- */

bool nova_cell_fits(const struct np_plan_host *h, const struct nova_opts *o,
		    size_t i, unsigned vcpus, uint64_t mib, uint64_t huge_bytes,
		    bool dedicated)
{
	const struct np_plan_node *n = &h->nodes[i];
	double ratio = o->cpu_allocation_ratio;
	uint64_t cpuset = cpus_untaken(n);

	if (huge_bytes) {
		/* _numa_cell_supports_pagesize_request() with an explicit
		 * size: that size's pool, free pages, whole pages */
		uint64_t page_mib = huge_bytes >> 20;

		if (huge_index(n, huge_bytes) < 0 || mib % page_mib ||
		    mem_avail(n, huge_bytes) < mib)
			return false;
	} else if (dedicated) {
		/* can_fit_pagesize(smallest, mem, use_free=True) */
		if (n->free_mib < mib)
			return false;
	} else {
		/* can_fit_pagesize(smallest, mem, use_free=False): against
		 * the cell's total; the free memory is the limits check
		 * below (ram_allocation_ratio 1.0: numaplace does not
		 * overcommit memory) */
		if (n->total_mib < mib)
			return false;
	}
	if (dedicated) {
		/* len(pcpuset), then avail_pcpus: pinned vCPUs need free
		 * CPUs, without the room shared vCPUs already hold */
		if (vcpus > n->ncpus || vcpus > cpu_avail(n, ratio, true))
			return false;
		return true;
	}
	/* "do not allow an instance to overcommit against itself" */
	if (vcpus > cpuset)
		return false;
	if ((double)(n->shared_vcpus + vcpus) > (double)cpuset * ratio)
		return false;
	if (!huge_bytes && n->free_mib < mib)
		return false;
	return true;
}

/* ---- Nova: the permutations --------------------------------------------- */

/* P(n, k) = n! / (n - k)!, in double (P(32, 16) is beyond 2^64) */
static double perm_count(size_t n, size_t k)
{
	double p = 1;

	for (size_t i = 0; i < k; i++)
		p *= (double)(n - i);
	return p;
}

/* The 1-based position of permutation sel[0..k) of 0..n-1 in
 * itertools.permutations' (lexicographic) order. */
static double perm_rank(size_t n, size_t k, const size_t *sel)
{
	bool used[n ? n : 1];
	double r = 0;

	memset(used, 0, sizeof(used));
	for (size_t i = 0; i < k; i++) {
		size_t smaller = 0;

		for (size_t j = 0; j < sel[i]; j++)
			smaller += !used[j];
		r += (double)smaller * perm_count(n - 1 - i, k - 1 - i);
		used[sel[i]] = true;
	}
	return r + 1;
}

enum { CACHE_UNKNOWN, CACHE_FIT, CACHE_NOFIT };

struct nova_call {
	const struct np_plan_host *h;
	const struct nova_opts *o;
	const size_t *cells;      /* host cells in Nova's order */
	size_t n, k;
	unsigned vcpus;
	uint64_t mib, huge;
	bool dedicated;
	unsigned char *cache;     /* [n * k]: fit_cache / not_fit_cache */
	unsigned checks;
};

/* The (host cell cells[j], guest cell c) pair, through Nova's caches.
 * Nova keys them on instance_cell.id, which a fit overwrites with the
 * host cell's id; its cells being equal, that changes how often it
 * checks a pair, not a verdict nor the permutations it walks. */
static bool pair_fits(struct nova_call *x, size_t j, size_t c)
{
	unsigned char *v = &x->cache[j * x->k + c];

	if (*v == CACHE_UNKNOWN) {
		x->checks++;
		*v = nova_cell_fits(x->h, x->o, x->cells[j], x->vcpus, x->mib,
				    x->huge, x->dedicated) ? CACHE_FIT :
			CACHE_NOFIT;
	}
	return *v == CACHE_FIT;
}

/* The next k-permutation of 0..n-1 in lexicographic order (sel and used
 * updated); false after the last. */
static bool perm_next(size_t n, size_t k, size_t *sel, bool *used)
{
	for (size_t i = k; i-- > 0;) {
		used[sel[i]] = false;
		for (size_t v = sel[i] + 1; v < n; v++)
			if (!used[v]) {
				size_t f = 0;

				sel[i] = v;
				used[v] = true;
				for (size_t j = i + 1; j < k; j++) {
					while (used[f])
						f++;
					sel[j] = f;
					used[f] = true;
				}
				return true;
			}
	}
	return false;
}

/* The loop of numa_fit_instance_to_host(): each permutation's pairs in
 * guest cell order, the first pair that does not fit ends it.  -1 when
 * the budget ran out first, else 1 (sel holds the fit) or 0. */
static int walk_permutations(struct nova_call *x, size_t *sel, uint64_t *run)
{
	bool used[x->n];

	memset(used, 0, sizeof(used));
	for (size_t i = 0; i < x->k; i++) {
		sel[i] = i;
		used[i] = true;
	}
	*run = 0;
	do {
		size_t c = 0;

		if (x->o->perm_budget && *run == x->o->perm_budget)
			return -1;
		++*run;
		while (c < x->k && pair_fits(x, sel[c], c))
			c++;
		if (c == x->k)
			return 1;
	} while (perm_next(x->n, x->k, sel, used));
	return 0;
}

/* The same first fit without walking the permutations.  The guest cells
 * are equal (Nova's automatic split), so a pair's verdict depends on the
 * host cell alone, and the first permutation in lexicographic order
 * whose pairs all fit is the first ncells fitting host cells in Nova's
 * order. */
static bool first_fitting_cells(struct nova_call *x, size_t *sel)
{
	size_t got = 0;

	for (size_t j = 0; j < x->n && got < x->k; j++)
		if (pair_fits(x, j, got))
			sel[got++] = j;
	return got == x->k;
}

bool nova_fit(const struct np_plan_host *h, const struct nova_opts *o,
	      size_t ncells, unsigned cell_vcpus, uint64_t cell_mib,
	      uint64_t huge_bytes, bool dedicated, size_t *chosen,
	      struct nova_walk *w)
{
	size_t n = h->nnodes, cells[n ? n : 1], sel[ncells ? ncells : 1];
	unsigned char cache[(n ? n : 1) * (ncells ? ncells : 1)];
	struct nova_call x = { h, o, cells, n, ncells, cell_vcpus, cell_mib,
			       huge_bytes, dedicated, cache, 0 };
	struct nova_walk dummy;
	int r;

	if (!w)
		w = &dummy;
	memset(w, 0, sizeof(*w));
	/* "There are not enough NUMA nodes on the system" */
	if (!ncells || n < ncells)
		return false;
	memset(cache, CACHE_UNKNOWN, sizeof(cache));
	nova_cell_order(h, o, ncells, dedicated, cells);
	r = walk_permutations(&x, sel, &w->perms_run);
	if (r < 0) {
		w->capped = true;
		r = first_fitting_cells(&x, sel);
	}
	w->perms = r ? perm_rank(n, ncells, sel) : perm_count(n, ncells);
	w->cell_checks = x.checks;
	for (size_t c = 0; r && c < ncells; c++)
		chosen[c] = cells[sel[c]];
	return r;
}

/* ---- Nova: flavors and the plan ----------------------------------------- */

/* The equal split of v into N cells: false when Nova's
 * _get_numa_topology_auto() would raise ImageNUMATopologyAsymmetric, or
 * a cell is not whole hugepages. */
static bool equal_split(const struct np_vm_spec *v, unsigned N,
			unsigned *cell_vcpus, uint64_t *cell_mib)
{
	if (v->vcpus % N || v->memory_mib % N)
		return false;
	*cell_vcpus = v->vcpus / N;
	*cell_mib = v->memory_mib / N;
	return !v->hugepage_bytes || *cell_mib % (v->hugepage_bytes >> 20) == 0;
}

unsigned nova_flavor_cells(const struct np_plan_host *shape,
			   const struct nova_opts *o,
			   const struct np_vm_spec *v)
{
	unsigned max = (unsigned)shape->nnodes;

	if (v->max_nodes && v->max_nodes < max)
		max = v->max_nodes;
	for (unsigned N = 1; N <= max; N++) {
		unsigned cv, fit = 0;
		uint64_t cm;

		if (!equal_split(v, N, &cv, &cm))
			continue;
		for (size_t i = 0; i < shape->nnodes; i++)
			fit += nova_cell_fits(shape, o, i, cv, cm,
					      v->hugepage_bytes,
					      v->dedicated_cpus);
		if (fit >= N)
			return N;
	}
	return 0;
}

void nova_flavors(const struct np_plan_host *shape, const struct nova_opts *o,
		  const struct np_vm_specs *specs, unsigned *cells)
{
	for (size_t i = 0; i < specs->n; i++)
		cells[i] = nova_flavor_cells(shape, o, &specs->v[i]);
}

int nova_plan(const struct np_plan_host *host, const struct np_vm_specs *specs,
	      const struct nova_opts *o, const unsigned *flavor_cells,
	      struct peer_plan **out)
{
	struct peer_plan *p = plan_alloc(host, specs->n);

	*out = NULL;
	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < specs->n; i++) {
		const struct np_vm_spec *v = &specs->v[i];
		struct peer_vm *pv = &p->vms[i];
		struct nova_walk w;
		unsigned N = flavor_cells ? flavor_cells[i] :
			nova_flavor_cells(host, o, v), cv = 0;
		uint64_t cm = 0;

		pv->nova_cells = N;
		if (!N)
			continue;
		equal_split(v, N, &cv, &cm);
		pv->placed = nova_fit(p->left, o, N, cv, cm, v->hugepage_bytes,
				      v->dedicated_cpus, pv->pos, &w);
		pv->perms = w.perms;
		pv->perms_run = w.perms_run;
		pv->capped = w.capped;
		p->perms += w.perms;
		p->capped += w.capped;
		if (!pv->placed)
			continue;
		pv->ncells = N;
		for (unsigned c = 0; c < N; c++) {
			struct np_plan_node *n = &p->left->nodes[pv->pos[c]];

			pv->mib[c] = cm;
			pv->vcpus[c] = cv;
			take_mem(n, v->hugepage_bytes, cm);
			if (take_cpus(n, cv, v->dedicated_cpus)) {
				peer_plan_free(p);
				return -ENOMEM;
			}
		}
		count_placed(p, pv);
	}
	*out = p;
	return 0;
}

/* ---- numad ---------------------------------------------------------------- */

/* numad's htt_percent default (DEFAULT_HTT_PERCENT) */
#define HTT_PERCENT 20
/* pick_numa_nodes(): MBS_MARGIN, CPUS_MARGIN */
#define MBS_MARGIN 100
#define CPUS_MARGIN 0

/* threads_per_core: numad counts cpu0's thread_siblings; here the SMT
 * siblings of the first CPU of the first node with CPUs (1 without
 * core data). */
static unsigned threads_per_core(const struct np_plan_host *h)
{
	for (size_t i = 0; i < h->nnodes; i++) {
		const struct np_plan_node *n = &h->nodes[i];
		unsigned t = 0;

		if (!n->ncpus)
			continue;
		if (!n->core)
			return 1;
		for (size_t a = 0; a < n->ncpus; a++)
			t += n->core[a] == n->core[0];
		return t ? t : 1;
	}
	return 1;
}

void numad_node_view(const struct np_plan_host *h, double oc, size_t i,
		     struct numad_node *out)
{
	const struct np_plan_node *n = &h->nodes[i];
	uint64_t tpc = threads_per_core(h), lcpus = n->ncpus;
	double busy, idle;

	out->mbs_total = n->total_mib;
	out->mbs_free = n->free_mib;
	/* update_nodes(): CPUs_total, hyper-threads discounted */
	if (tpc == 1)
		out->cpus_total = lcpus * 100;
	else
		out->cpus_total = lcpus / tpc * 100 +
				  lcpus / tpc * (tpc - 1) * HTT_PERCENT;
	/* idle ticks: the CPUs neither pinned nor loaded by shared vCPUs */
	busy = (double)(lcpus - cpus_untaken(n)) + (double)n->shared_vcpus / oc;
	idle = (double)lcpus - busy;
	out->cpus_free = idle > 0 ? (uint64_t)(idle * 100) : 0;
	if (tpc > 1) {
		uint64_t d = (lcpus - lcpus / tpc) * (100 - HTT_PERCENT);

		out->cpus_free = out->cpus_free > d ? out->cpus_free - d : 0;
	}
	if (out->cpus_free > out->cpus_total)
		out->cpus_free = out->cpus_total;
}

/* combined_value_of_weighted_resources() */
static uint64_t numad_magnitude(int64_t mbs, int64_t cpus, uint64_t mbs_free,
				uint64_t cpus_free)
{
	int64_t need_mem, need_cpu, excess_mem, excess_cpu;

	if ((int64_t)mbs_free > mbs) {
		need_mem = mbs;
		excess_mem = (int64_t)mbs_free - mbs;
	} else {
		need_mem = (int64_t)mbs_free;
		excess_mem = 0;
	}
	if ((int64_t)cpus_free > cpus) {
		need_cpu = cpus;
		excess_cpu = (int64_t)cpus_free - cpus;
	} else {
		need_cpu = (int64_t)cpus_free;
		excess_cpu = 0;
	}
	return (uint64_t)((need_mem * 10 + excess_mem * 4) *
			  (need_cpu * 6 + excess_cpu * 1));
}

/* pick_numa_nodes()'s selection sort of index[] by distance from node
 * `from`, ties to the larger magnitude (with its swaps: not stable) */
static void numad_sort(const struct np_plan_host *h, const uint64_t *mag,
		       size_t from, int *index)
{
	size_t n = h->nnodes;

	for (size_t i = 0; i < n; i++)
		index[i] = (int)i;
	for (size_t ij = 0; ij < n; ij++) {
		size_t best = ij;

		for (size_t ik = ij + 1; ik < n; ik++) {
			/* tmp_node[index[ik]].distance[from]: the row of
			 * the candidate, the column of the seed */
			uint32_t dk = h->distances[(size_t)index[ik] * n + from];
			uint32_t db = h->distances[(size_t)index[best] * n + from];

			if (db > dk)
				best = ik;
			else if (db == dk && mag[index[best]] < mag[index[ik]])
				best = ik;
		}
		if (best != ij) {
			int t = index[ij];

			index[ij] = index[best];
			index[best] = t;
		}
	}
}

size_t numad_pick(const struct np_plan_host *h, double oc, unsigned vcpus,
		  uint64_t mib, size_t *order)
{
	size_t n = h->nnodes, got = 0;
	struct numad_node nd[n ? n : 1];
	uint64_t mag[n ? n : 1], totmag[n ? n : 1];
	int index[n ? n : 1];
	bool in[n ? n : 1];
	int64_t mbs = (int64_t)mib, cpus = (int64_t)vcpus * 100;
	int64_t min_req, mem_req, cpu_req;
	size_t best = 0, k;

	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		numad_node_view(h, oc, i, &nd[i]);
		/* "Enforce 1/100th CPU minimum" */
		if (nd[i].cpus_free < 1)
			nd[i].cpus_free = 1;
		mag[i] = numad_magnitude(mbs, cpus, nd[i].mbs_free,
					 nd[i].cpus_free);
		in[i] = false;
	}
	/* "Figure out minimum number of nodes required": node[0] stands
	 * for every node (a CPU-less node 0 would divide by zero in numad;
	 * here it asks for every node) */
	mem_req = nd[0].mbs_total ?
		(int64_t)ceil((double)mbs / (double)nd[0].mbs_total) : (int64_t)n;
	cpu_req = nd[0].cpus_total ?
		(int64_t)ceil((double)cpus / (double)nd[0].cpus_total) : (int64_t)n;
	min_req = mem_req > cpu_req ? mem_req : cpu_req;
	if (min_req > (int64_t)n)
		min_req = (int64_t)n;
	/* per seed node, its min_req nearest nodes' magnitudes / dist^2 */
	for (size_t ix = 0; ix < n; ix++) {
		numad_sort(h, mag, ix, index);
		totmag[ix] = 0;
		for (int64_t ij = 0; ij < min_req; ij++) {
			uint64_t d = h->distances[(size_t)index[ij] * n + ix];

			totmag[ix] += mag[index[ij]] / (d * d);
		}
	}
	for (size_t ix = 0; ix < n; ix++)
		if (totmag[best] < totmag[ix])
			best = ix;
	numad_sort(h, mag, best, index);
	/* "Allocate more resources until request is met." */
	for (k = 0; k < n && (min_req > 0 || mbs > 0 || cpus > 0); k++) {
		struct numad_node *t = &nd[index[k]];
		bool equal = true;

		order[got++] = (size_t)index[k];
		in[index[k]] = true;
		min_req--;
		/* EQUAL_LISTS(target_node_list_p, all_nodes_list_p) */
		for (size_t i = 0; i < n; i++)
			equal &= in[i] == (nd[i].mbs_total >= 1);
		if (equal)
			break;          /* "we must use all resource nodes" */
		if ((int64_t)t->mbs_free >= mbs + MBS_MARGIN) {
			t->mbs_free -= (uint64_t)mbs;
			mbs = 0;
		} else {
			/* numad subtracts MBs_free - MBS_MARGIN in unsigned
			 * arithmetic: below the margin the request grows */
			mbs -= (int64_t)t->mbs_free - MBS_MARGIN;
			t->mbs_free = MBS_MARGIN;
		}
		if ((int64_t)t->cpus_free >= cpus + CPUS_MARGIN) {
			t->cpus_free -= (uint64_t)cpus;
			cpus = 0;
		} else {
			cpus -= (int64_t)t->cpus_free - CPUS_MARGIN;
			t->cpus_free = CPUS_MARGIN;
		}
	}
	return got;
}

/* Fills v from numad's nodes: memory and vCPUs taken in its order, each
 * node as much as it has.  false (nothing taken) when they do not hold
 * the VM. */
static int numad_take(struct np_plan_host *h, const struct np_vm_spec *s,
		      double oc, const size_t *order, size_t k,
		      struct peer_vm *v)
{
	uint64_t mleft = s->memory_mib, unit = s->hugepage_bytes ?
		s->hugepage_bytes >> 20 : 1;
	uint64_t cleft = s->vcpus;

	for (size_t j = 0; j < k; j++) {
		const struct np_plan_node *n = &h->nodes[order[j]];
		uint64_t m = mem_avail(n, s->hugepage_bytes);
		uint64_t c = cpu_avail(n, oc, s->dedicated_cpus);

		m = m < mleft ? m : mleft;
		m -= m % unit;
		c = c < cleft ? c : cleft;
		v->pos[j] = order[j];
		v->mib[j] = m;
		v->vcpus[j] = (unsigned)c;
		mleft -= m;
		cleft -= c;
	}
	if (mleft || cleft)
		return 0;
	v->ncells = k;
	for (size_t j = 0; j < k; j++) {
		take_mem(&h->nodes[order[j]], s->hugepage_bytes, v->mib[j]);
		if (take_cpus(&h->nodes[order[j]], v->vcpus[j],
			      s->dedicated_cpus))
			return -ENOMEM;
	}
	v->placed = true;
	return 1;
}

int numad_plan(const struct np_plan_host *host,
	       const struct np_vm_specs *specs, double oc,
	       struct peer_plan **out)
{
	struct peer_plan *p = plan_alloc(host, specs->n);
	size_t order[host->nnodes ? host->nnodes : 1];

	*out = NULL;
	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < specs->n; i++) {
		const struct np_vm_spec *s = &specs->v[i];
		size_t k = numad_pick(p->left, oc, s->vcpus, s->memory_mib,
				      order);
		int r = numad_take(p->left, s, oc, order, k, &p->vms[i]);

		if (r < 0) {
			peer_plan_free(p);
			return r;
		}
		if (r)
			count_placed(p, &p->vms[i]);
	}
	*out = p;
	return 0;
}
