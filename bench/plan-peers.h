/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Two peers of numaplace's best-fit, written again in C from their
 * sources for bench/plan-compare.c (issue 14) and tests/unit/
 * test-plan-peers.c: OpenStack Nova's NUMA fit and numad 0.5's node
 * choice.  Both place VMs one by one in input order on a copy of a
 * struct np_plan_host, subtracting what each placed VM uses as
 * np_plan_make() does (memory or hugepages per node, dedicated CPUs
 * taken, shared vCPUs counted against cpu_overcommit), so the three are
 * judged under the same limits.  Node positions are indices into
 * host->nodes (ascending id).
 *
 * Nova (nova/virt/hardware.py, openstack/nova master, commit 00a03040 of
 * August 2026):
 *   numa_fit_instance_to_host() sorts the host cells (only when the host
 *   has more cells than the guest): by avail_memory, then by cpu_usage
 *   (shared CPUs) or len(free_pcpus) (dedicated), both stable, the
 *   direction set by [compute] packing_host_numa_cells_allocation_strategy
 *   (default False: spread, most free first; True: pack, most used
 *   first); then walks itertools.permutations(host_cells, len(guest
 *   cells)) and returns the first permutation whose every (host cell,
 *   guest cell) pair passes _numa_fit_instance_cell(), caching each
 *   pair's verdict (fit_cache, not_fit_cache).  No distance anywhere.
 *   _get_numa_topology_auto() splits a flavor with hw:numa_nodes=N into
 *   N equal cells and rejects a flavor whose vCPUs or memory N does not
 *   divide (ImageNUMATopologyAsymmetric).
 *
 * numad (numad.c, numad 0.5 / 20150602, Debian's numad package):
 *   `numad -w CPUS:MB` (what libvirt runs for placement='auto') calls
 *   pick_numa_nodes(-1, CPUS * 100, MB, 0): per node a "magnitude" from
 *   combined_value_of_weighted_resources() (memory factor times CPU
 *   factor), a node count min_req_nodes from node[0]'s MemTotal and CPU
 *   count (every node taken to be sized like node 0), per seed node the
 *   magnitudes of its min_req_nodes nearest nodes divided by distance
 *   squared, and from the best seed nodes added by distance (ties: larger
 *   magnitude) until memory (100 MB margin per node) and CPUs are met.
 */
#ifndef NP_BENCH_PLAN_PEERS_H
#define NP_BENCH_PLAN_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <numaplace/plan.h>

/* A peer's placement of one VM. */
struct peer_vm {
	bool placed;
	/* The host nodes it uses, in the order the peer filled them (Nova:
	 * guest cell order; numad: the order it added nodes).  cells <=
	 * nnodes; a cell may hold 0 MiB (numad names a node only for its
	 * CPUs). */
	size_t ncells;
	size_t *pos;                /* [nnodes] host node positions */
	uint64_t *mib;              /* [nnodes] memory on pos[i] */
	unsigned *vcpus;            /* [nnodes] vCPUs counted on pos[i] */
	/* Nova only: hw:numa_nodes of the VM's flavor (0: no equal split
	 * fits the host's cells: the flavor cannot be scheduled), the
	 * permutations its loop walks for this VM (exact, also when the
	 * walk here was cut), those this code enumerated, and whether the
	 * budget cut the enumeration. */
	unsigned nova_cells;
	double perms;
	uint64_t perms_run;
	bool capped;
};

struct peer_plan {
	struct peer_vm *vms;        /* in input order */
	size_t nvms, placed;
	uint64_t placed_mib;        /* memory of the placed VMs */
	uint64_t remote_mib;        /* outside each VM's largest cell */
	double perms;               /* Nova: sum of peer_vm.perms */
	size_t capped;              /* Nova: decisions cut at the budget */
	struct np_plan_host *left;  /* the host after the plan */
};

void peer_plan_free(struct peer_plan *p);

/* Memory of a placed peer VM outside its largest cell, in MiB: the
 * definition of np_plan_vm_remote_mib() (which computes it). */
uint64_t peer_vm_remote_mib(const struct peer_vm *vm);

/* ---- Nova ----------------------------------------------------------------- */

struct nova_opts {
	bool pack;                  /* packing_host_numa_cells_allocation_strategy */
	double cpu_allocation_ratio;     /* shared vCPUs per host CPU, >= 1 */
	/* permutations enumerated per numa_fit_instance_to_host() call; past
	 * it the call takes the first ncells fitting cells in Nova's order,
	 * which is the permutation the walk would have found (the cells of
	 * an equal split are alike), and counts as capped.  0: no limit. */
	uint64_t perm_budget;
};

/* What one nova_fit() call walked. */
struct nova_walk {
	double perms;               /* permutations Nova's loop yields */
	uint64_t perms_run;         /* permutations enumerated here */
	bool capped;
	unsigned cell_checks;       /* _numa_fit_instance_cell() calls */
};

/* The host cells in the order numa_fit_instance_to_host() walks them for
 * a guest of ncells cells (dedicated: pinned CPUs), into order[nnodes]. */
void nova_cell_order(const struct np_plan_host *h, const struct nova_opts *o,
		     size_t ncells, bool dedicated, size_t *order);

/* _numa_fit_instance_cell() for one guest cell of vcpus and mib on host
 * node position i of h (with the limits the scheduler passes: ram
 * ratio 1.0, cpu ratio o->cpu_allocation_ratio). */
bool nova_cell_fits(const struct np_plan_host *h, const struct nova_opts *o,
		    size_t i, unsigned vcpus, uint64_t mib, uint64_t huge_bytes,
		    bool dedicated);

/* numa_fit_instance_to_host() for ncells equal guest cells of cell_vcpus
 * and cell_mib: true with chosen[c] the host node position of guest cell
 * c, false when no permutation fits.  *w (may be NULL) says how much it
 * walked. */
bool nova_fit(const struct np_plan_host *h, const struct nova_opts *o,
	      size_t ncells, unsigned cell_vcpus, uint64_t cell_mib,
	      uint64_t huge_bytes, bool dedicated, size_t *chosen,
	      struct nova_walk *w);

/* hw:numa_nodes for a VM as an operator writes the flavor for this host's
 * shape: the smallest N (at most v->max_nodes when set) that divides the
 * VM's vCPUs and memory (hugepage VMs: into whole pages) and whose equal
 * cells fit N cells of the empty host (shape: the host before any VM);
 * 0 when there is none. */
unsigned nova_flavor_cells(const struct np_plan_host *shape,
			   const struct nova_opts *o,
			   const struct np_vm_spec *v);

/* nova_flavor_cells() of every VM into cells[specs->n]: the flavors
 * exist before the scheduler runs, so the bench computes them untimed. */
void nova_flavors(const struct np_plan_host *shape, const struct nova_opts *o,
		  const struct np_vm_specs *specs, unsigned *cells);

/* Every VM of specs in input order, each with its flavor's N
 * (flavor_cells[i], or computed when NULL) and one nova_fit() on what is
 * left.  0, or -ENOMEM. */
int nova_plan(const struct np_plan_host *host, const struct np_vm_specs *specs,
	      const struct nova_opts *o, const unsigned *flavor_cells,
	      struct peer_plan **out);

/* ---- numad ---------------------------------------------------------------- */

/*
 * numad's view of node i of h: MemTotal and MemFree in MB as it reads
 * them (total_mib, free_mib), CPUs_total (100 per core, SMT threads at
 * its default htt_percent 20 when h says which CPUs are siblings), and
 * CPUs_free from idle time, which a simulation must model: a dedicated
 * vCPU keeps its CPU busy, a shared one 1/cpu_overcommit of a CPU (a
 * node full at the planners' limit is fully busy).
 */
struct numad_node {
	uint64_t mbs_total, mbs_free;
	uint64_t cpus_total, cpus_free;      /* * 100 */
};

void numad_node_view(const struct np_plan_host *h, double cpu_overcommit,
		     size_t i, struct numad_node *out);

/* pick_numa_nodes(-1, vcpus * 100, mib, 0): the node positions numad
 * names, in the order it added them, into order[nnodes]; returns how
 * many. */
size_t numad_pick(const struct np_plan_host *h, double cpu_overcommit,
		  unsigned vcpus, uint64_t mib, size_t *order);

/* Every VM of specs in input order: numad's nodes, then memory taken
 * from them in that order (each node as much as it has: the kernel
 * fills the bound set) and vCPUs counted likewise; a VM whose nodes do
 * not hold it within the planners' limits is not placed.  0 or -ENOMEM. */
int numad_plan(const struct np_plan_host *host,
	       const struct np_vm_specs *specs, double cpu_overcommit,
	       struct peer_plan **out);

#endif
