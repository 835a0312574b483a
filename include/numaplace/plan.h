/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VM placement (lib/vm/): VM specs, the host as the planner sees it, the
 * strategies, and plans; the emitters (JSON, QEMU arguments, libvirt
 * domain XML) render a plan.
 *
 * Units: memory in MiB (2^20 bytes) as libvirt's <memory unit='MiB'> and
 * QEMU's size=...M; hugepage sizes in bytes.  Node and CPU ids are the
 * host's (sparse ids allowed); vCPU ids are the guest's, 0 .. vcpus-1.
 *
 * Ownership: every struct returned here is freed by its *_free(); nothing
 * points into the caller's buffers after a call returns.  Errors follow
 * the library's contract (numaplace/error.h): 0 or -errno, and err filled
 * with one line naming the file, the element and why, class input for
 * the caller's file or option, system for memory or the machine.
 */
#ifndef NUMAPLACE_PLAN_H
#define NUMAPLACE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <numaplace/error.h>
#include <numaplace/idset.h>
#include <numaplace/topo.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The "version" of the plan JSON this library writes and reads. */
#define NP_PLAN_FORMAT_VERSION 1

/* ---- VM specs ------------------------------------------------------------ */

struct np_vm_spec {
	char *name;                 /* unique within a list */
	unsigned vcpus;             /* >= 1 */
	uint64_t memory_mib;        /* >= 1 */
	uint64_t hugepage_bytes;    /* 0: base pages; else 2 MiB or 1 GiB */
	bool dedicated_cpus;        /* one host CPU per vCPU, no sharing */
	unsigned max_nodes;         /* 0: as many host nodes as needed */
	/* An existing placement to honour (a domain's <numatune> nodeset,
	 * unless the caller asked to replace it): the VM may use only these
	 * host nodes.  Empty: free. */
	struct np_idset fixed_nodes;
	char *origin;               /* "vms.json", "vm1.xml:12": for messages */
	/* The domain XML it was read from (libvirt input only, else NULL):
	 * the libvirt emitter edits a copy, keeping everything else. */
	char *libvirt_xml;
};

struct np_vm_specs {
	struct np_vm_spec *v;
	size_t n;
};

void np_vm_specs_free(struct np_vm_specs *s);

/* JSON: [{"name":"vm1","vcpus":4,"memory_mib":4096,"hugepages":"2M"|"1G"|
 * null,"dedicated_cpus":true,"max_nodes":1}]; appends to *out. */
int np_vm_specs_from_json(const char *text, size_t len, const char *origin,
			  struct np_vm_specs *out, struct np_err *err);
/* Seed 004's lines "CPUS MEM_MIB", one VM per line, named vm1, vm2, ...
 * in order ('#' starts a comment); appends to *out. */
int np_vm_specs_from_lines(const char *text, size_t len, const char *origin,
			   struct np_vm_specs *out, struct np_err *err);
/* One libvirt domain XML (libxml2): name, vcpu, memory/currentMemory
 * (any unit), memoryBacking/hugepages, numatune/memory nodeset (into
 * fixed_nodes unless replace); appends to *out. */
int np_vm_spec_from_libvirt(const char *xml, size_t len, const char *origin,
			    bool replace, struct np_vm_specs *out,
			    struct np_err *err);

/* Reads a user-named VM or plan file whole (a regular file; NUL-terminated
 * text in *text, caller frees): "<path>: <why>" in err, class input for a
 * missing file or a directory. */
int np_vm_file_read(const char *path, char **text, size_t *len,
		    struct np_err *err);

/* ---- the host ------------------------------------------------------------ */

struct np_plan_hugepages {
	uint64_t size_bytes;
	uint64_t free;              /* pages */
	uint64_t total;             /* pages in the pool; 0: not set up */
};

struct np_plan_node {
	unsigned id;                /* host node id */
	uint64_t free_mib;          /* MemFree minus the reserve */
	struct np_plan_hugepages *huge;   /* ascending size */
	size_t nhuge;
	unsigned *cpus;             /* ascending, minus reserved CPUs */
	size_t ncpus;
	/* core[i]: a number shared by cpus[i]'s SMT siblings (from hwloc or
	 * sysfs core ids), or NULL when the input does not say */
	unsigned *core;
	/* cpu_taken[i]: cpus[i] is held by a dedicated vCPU (an existing VM
	 * or one planned); NULL until the planner or a plan file takes one */
	bool *cpu_taken;
	/* vCPUs of shared-CPU VMs already on this node: they float over the
	 * CPUs not taken, at most cpu_overcommit per CPU */
	uint64_t shared_vcpus;
	uint64_t total_mib;         /* MemTotal (or free_mib when unknown) */
	bool memory_only;           /* no CPUs: a farther tier (CXL) */
};

struct np_plan_host {
	struct np_plan_node *nodes; /* ascending id */
	size_t nnodes;
	uint32_t *distances;        /* [i * nnodes + j] by position; never NULL */
};

struct np_plan_reserve {
	uint64_t mib_all;           /* from every node */
	/* per node, on top of mib_all: node ids[i] keeps mib[i] */
	unsigned *mib_nodes;
	uint64_t *mib;
	size_t nmib;
	struct np_idset cpus;       /* housekeeping CPUs, never planned */
};

/* The host from a loaded topology (live, --sysroot, or a file), minus the
 * reserve.  A topology without distances gets 10 local, 20 remote. */
int np_plan_host_from_topo(const struct np_topo *t,
			   const struct np_plan_reserve *reserve,
			   struct np_plan_host **out, struct np_err *err);
void np_plan_host_free(struct np_plan_host *h);
/* A deep copy of h (what a planner of its own, or a second plan on the
 * same host, starts from); NULL on ENOMEM. */
struct np_plan_host *np_plan_host_clone(const struct np_plan_host *h);

/* ---- planning ------------------------------------------------------------ */

enum np_plan_strategy {
	NP_PLAN_BEST_FIT,     /* fewest nodes, least distance, tightest fit */
	NP_PLAN_SPREAD,       /* balance free memory and CPU load */
	NP_PLAN_PACK,         /* fill nodes in order, keep whole nodes free */
	NP_PLAN_RANDOM,       /* seed 004: one node drawn at random (seed) */
	NP_PLAN_INTERLEAVE,   /* seed 004: over every node */
	NP_PLAN_ROUND_ROBIN,  /* seed 004: one node per VM in turn */
};

/* "best-fit" ... "round-robin"; -EINVAL (input) naming the choices. */
int np_plan_strategy_parse(const char *s, enum np_plan_strategy *out,
			   struct np_err *err);
const char *np_plan_strategy_name(enum np_plan_strategy s);

struct np_plan_opts {
	enum np_plan_strategy strategy;
	uint64_t seed;                  /* random */
	double cpu_overcommit;          /* vCPUs per host CPU, shared CPUs; >= 1 */
	bool allow_memory_only_nodes;   /* else memory-only nodes are unused */
	unsigned keep_free_vcpus;       /* --keep-free VCPUS:MIB; 0:0 none */
	uint64_t keep_free_mib;
	bool explain;                   /* fill np_plan_vm.explain */
	bool restrictive;               /* libvirt mode='restrictive' */
	/* Also split a VM that fits one node of the host (as given, minus
	 * --existing) when no single node has room left for it, to place
	 * more VMs.  Off: such a VM stays on one node or is refused, as
	 * Nova and an operator keep a VM that fits a node local. */
	bool allow_split;
};

/* A guest NUMA cell: vCPUs first_vcpu .. first_vcpu + nvcpus - 1 and
 * memory_mib of memory, backed by one host node. */
struct np_plan_cell {
	unsigned first_vcpu, nvcpus;
	uint64_t memory_mib;
	unsigned host_node;
};

struct np_plan_vm {
	char *name;
	bool placed;
	char *reason;                   /* placed == false: why, else NULL */
	struct np_idset nodes;          /* host nodes used, ascending */
	uint64_t *memory_mib;           /* [nodes.n]: per nodes.ids[i] */
	/* vcpu_cpus[v]: the host CPUs vCPU v may run on: one CPU when
	 * dedicated, else the CPUs of its cell's node */
	struct np_idset *vcpu_cpus;     /* [vcpus] */
	unsigned vcpus;
	struct np_plan_cell *cells;     /* one per host node used */
	size_t ncells;
	uint32_t *guest_distances;      /* [ncells * ncells], mirroring the host */
	char *explain;                  /* opts.explain: candidates and choice */
	/* memory interleaved over nodes (strategy interleave): no guest
	 * cells (ncells 0), vCPUs float over the CPUs of every node */
	bool interleaved;
	bool dedicated;                 /* vcpu_cpus[v] hold one CPU each */
	uint64_t hugepage_bytes;        /* 0: base pages */
};

struct np_plan {
	enum np_plan_strategy strategy;
	struct np_plan_vm *vms;         /* in input order */
	size_t nvms, placed;
	struct np_plan_host *left;      /* what remains after the plan */
	/* largest_vcpus[k] / largest_mib[k]: the largest VM (most memory,
	 * then most vCPUs) that still fits on at most k + 1 nodes */
	unsigned *largest_vcpus;
	uint64_t *largest_mib;
	size_t nlargest;                /* = left->nnodes */
};

/* Plans specs onto host after subtracting existing (VMs already running;
 * may be NULL).  A VM that cannot be placed is in the plan with placed
 * false and a reason naming the resource and the nodes; only bad
 * arguments and memory fail the call. */
int np_plan_make(const struct np_plan_host *host,
		 const struct np_vm_specs *specs,
		 const struct np_vm_specs *existing,
		 const struct np_plan_opts *opts, struct np_plan **out,
		 struct np_err *err);
void np_plan_free(struct np_plan *p);

/* Memory of a placed VM outside its largest cell's node, in MiB: what the
 * plan makes remote (0 for a VM on one node). */
uint64_t np_plan_vm_remote_mib(const struct np_plan_vm *vm);

/* Subtracts the placed VMs of a plan JSON file (what np_plan_emit_json
 * wrote) from host: memory and hugepages per node, dedicated CPUs taken,
 * shared vCPUs counted.  -EINVAL (input) naming origin and the element
 * for a malformed file or a node or CPU the host does not have. */
int np_plan_host_subtract_json(struct np_plan_host *host, const char *text,
			       size_t len, const char *origin,
			       struct np_err *err);

/* ---- emitters (malloc'd NUL-terminated text in *out) ---------------------- */

/* The plan JSON (NP_PLAN_FORMAT_VERSION), every VM and the host left. */
int np_plan_emit_json(const struct np_plan *p, char **out, struct np_err *err);
/* One VM's object of the plan JSON, alone (for --out DIR). */
int np_plan_emit_json_vm(const struct np_plan *p, const struct np_plan_vm *vm,
			 char **out, struct np_err *err);
/* What the QEMU emitter cannot learn from the plan; NULL: the defaults. */
struct np_plan_qemu_opts {
	/* The hugetlbfs mount that backs a VM with hugepages (NULL:
	 * /dev/hugepages, Debian's default 2 MiB mount); QEMU takes the page
	 * size from the mount, so 1 GiB pages need one mounted pagesize=1G. */
	const char *hugetlbfs;
	/* prealloc=on on base-page backends too (hugepage backends always
	 * have it: a missing hugepage is then a start-up error, not a SIGBUS
	 * in the guest later) */
	bool prealloc;
};

/*
 * QEMU arguments for one placed VM, one option and its value per line
 * ("-smp 4,sockets=2,cores=2,threads=1"), for any machine type:
 *   -smp V,sockets=S,cores=C,threads=1   every guest cell whole sockets
 *   -m TOTALM
 *   -object memory-backend-ram,id=ramK,size=XM,host-nodes=N,policy=bind
 *           (memory-backend-file,...,mem-path=HUGETLBFS,prealloc=on with
 *           hugepages), one per guest cell K, also for a single cell:
 *           that is how QEMU binds guest RAM to a host node
 *   -numa node,nodeid=K,cpus=A-B,memdev=ramK
 *   -numa dist,src=I,dst=J,val=D   every ordered pair, when cells > 1
 * then the vCPU pins to apply after start as comment lines
 * "# vcpu V -> host cpus LIST".  A first comment line names the VM.  An
 * interleaved VM (no cells) is one guest node whose backend has
 * host-nodes=... per range and policy=interleave.  Hugepages: the VM's
 * hugepage_bytes, else spec's (spec may be NULL).  p may be NULL (one
 * VM's arguments need nothing else of the plan).  -EINVAL (input) naming
 * the VM for a VM not placed or a plan QEMU cannot take (cells not
 * covering the vCPUs, a distance outside 10..255, a cell not a whole
 * number of hugepages, a mount path with white space).
 */
int np_plan_emit_qemu(const struct np_plan *p, const struct np_plan_vm *vm,
		      const struct np_vm_spec *spec,
		      const struct np_plan_qemu_opts *opts, char **out,
		      struct np_err *err);

/*
 * The same VM's pins and backends as JSON, for a program that applies
 * them to the running QEMU (QMP query-cpus-fast gives each vCPU's thread,
 * query-memdev each backend):
 *   {"version":NP_PLAN_QEMU_PINS_VERSION, "vm":"vm1", "vcpus":4,
 *    "vcpu_pins":[{"vcpu":0, "guest_node":0, "host_cpus":[0,1]}, ...],
 *    "memdevs":[{"id":"ram0", "guest_node":0, "host_nodes":[1],
 *                "policy":"bind", "size_mib":1024}, ...]}
 */
#define NP_PLAN_QEMU_PINS_VERSION 1
int np_plan_emit_qemu_pins(const struct np_plan_vm *vm, char **out,
			   struct np_err *err);
/* libvirt domain XML for one VM (libxml2): spec->libvirt_xml edited in
 * place when there is one, else a new domain. */
int np_plan_emit_libvirt(const struct np_plan *p, const struct np_plan_vm *vm,
			 const struct np_vm_spec *spec,
			 const struct np_plan_opts *opts, char **out,
			 struct np_err *err);

/* numad's "-w VCPUS:MIB" answer: the nodeset (as numad prints it, e.g.
 * "0-1") the planner would give such a VM on host; -ENOSPC (system) when
 * nothing fits. */
int np_plan_advise(const struct np_plan_host *host, unsigned vcpus,
		   uint64_t mib, struct np_idset *nodes, struct np_err *err);

#ifdef __cplusplus
}
#endif

#endif
