/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Running VMs: where each QEMU's vCPUs run and where its guest RAM is
 * (lib/vm/vm-vms.c, `numaplace vms`), and pinning and moving them
 * (lib/vm/vm-apply.c, `numaplace apply`).
 *
 * A VM is a QEMU process (comm or argv[0] qemu-system-*, qemu-kvm).  Its
 * vCPU threads come from QMP query-cpus-fast when a QMP socket is known
 * (np_vms_opts.qmp, or -qmp unix:PATH on its command line), else from
 * thread names "CPU n/KVM" / "CPU n/TCG" (-name ...,debug-threads=on;
 * libvirt always sets it).  Guest RAM is the mappings whose size is a
 * memory backend's (query-memdev, or the command line's -object
 * memory-backend-*,size= and -m), which keeps QEMU's own heap and its
 * other buffers apart; its pages per host node are numa_maps'.
 *
 * Reads below a root ("/" or a capture with proc/ and sys/) so tests run
 * on fixtures; np_vms_opts.topo says which CPU is on which node.
 */
#ifndef NUMAPLACE_VMS_H
#define NUMAPLACE_VMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <numaplace/error.h>
#include <numaplace/idset.h>
#include <numaplace/migrate.h>

#ifdef __cplusplus
extern "C" {
#endif

struct np_topo;

enum np_vm_vcpu_source {
	NP_VCPUS_NONE,       /* none found */
	NP_VCPUS_QMP,        /* query-cpus-fast */
	NP_VCPUS_THREADS,    /* thread names "CPU n/..." */
};

struct np_vm_vcpu {
	unsigned index;          /* QEMU's cpu-index */
	pid_t tid;
	int last_cpu;            /* host CPU it last ran on; -1 unknown */
	int last_node;           /* that CPU's node; -1 unknown */
	struct np_idset allowed; /* its affinity */
	/* the node it counts for: the one node of its affinity when all its
	 * CPUs are on one node, else last_node */
	int home_node;
	int guest_node;          /* the guest NUMA cell it is in; -1 unknown */
};

/* Bytes per host node; ascending node. */
struct np_vm_node_bytes {
	unsigned node;
	uint64_t bytes;
};

/* One guest RAM mapping (one memory backend). */
struct np_vm_ram {
	uint64_t start, len_bytes;
	uint64_t page_bytes;          /* 4096, or the hugetlb page size */
	char *backend;                /* "ram0"; NULL when not known */
	char policy[64];              /* "bind:0", from numa_maps */
	char backend_policy[16];      /* query-memdev's, "" without QMP */
	struct np_idset host_nodes;   /* the policy's nodes (empty: any) */
	int guest_node;               /* -1 unknown */
	struct np_vm_node_bytes *nodes; /* resident bytes per host node */
	size_t nnodes;
	uint64_t resident_bytes;
};

/* A guest NUMA cell (-numa node / query-cpus-fast props.node-id). */
struct np_vm_cell {
	unsigned id;
	struct np_idset vcpus;
	char *memdev;                 /* NULL: none (or unknown) */
	uint64_t mem_bytes;           /* of its backend; 0 unknown */
};

enum np_vm_verdict {
	NP_VM_UNKNOWN,     /* no vCPU or no guest RAM found */
	NP_VM_LOCAL,       /* all guest RAM on the nodes its vCPUs use, one node */
	NP_VM_SPLIT,       /* local per cell, over several nodes */
	NP_VM_REMOTE,      /* some guest RAM away from the vCPUs using it */
};

const char *np_vm_verdict_name(enum np_vm_verdict v);

struct np_vm {
	pid_t pid;
	char *name;                   /* -name guest=NAME / -name NAME; NULL */
	char *qmp_path;               /* the QMP socket asked, or NULL */
	enum np_vm_vcpu_source vcpu_source;
	char qmp_error[640];          /* why QMP was not used, "" if it was */
	struct np_vm_vcpu *vcpus;     /* ascending index */
	size_t nvcpus;
	struct np_vm_ram *ram;        /* ascending address */
	size_t nram;
	struct np_vm_cell *cells;     /* ascending id; none: no -numa */
	size_t ncells;
	pid_t *other_tids;            /* emulator and I/O threads */
	size_t nother;
	struct np_vm_node_bytes *ram_nodes;  /* guest RAM per host node */
	size_t nram_nodes;
	uint64_t ram_bytes;           /* resident guest RAM */
	/* of it, away from the vCPUs using it: per range, its bytes off each
	 * using vCPU's node averaged over those vCPUs (a cell's vCPUs use
	 * its memory; memory without a cell, or of a cell without vCPUs,
	 * every vCPU) */
	uint64_t remote_bytes;
	struct np_idset vcpu_nodes;   /* the vCPUs' home nodes */
	enum np_vm_verdict verdict;
};

struct np_vms_opts {
	const char *root;             /* NULL: "/" */
	const struct np_topo *topo;   /* the CPUs' nodes (required) */
	const char *qmp;              /* a QMP socket for the one VM asked */
	bool no_qmp;                  /* thread names only */
	unsigned qmp_timeout_ms;      /* 0: NP_QMP_TIMEOUT_MS */
};

/* One QEMU process.  -ESRCH (input) for no such process, -EINVAL (input)
 * "process PID (COMM) is not QEMU". */
int np_vm_inspect(pid_t pid, const struct np_vms_opts *opts, struct np_vm *out,
		  struct np_err *err);
void np_vm_free(struct np_vm *vm);

/* Every QEMU below the root, ascending pid; `select` (names or PIDs as
 * strings, nselect of them; 0: all) keeps those named.  A name or PID
 * that matches none is -ENOENT (input) naming it. */
int np_vms_list(const struct np_vms_opts *opts, const char *const *select,
		size_t nselect, struct np_vm **out, size_t *n,
		struct np_err *err);
void np_vms_free(struct np_vm *vms, size_t n);

/*
 * From the pieces a VM was read into: vcpu home nodes, guest RAM per
 * node, the remote bytes and the verdict.  np_vm_inspect() calls it; it is
 * public so the verdict's rule is testable on hand-built VMs.
 */
int np_vm_judge(struct np_vm *vm);

/* ---- apply --------------------------------------------------------------- */

struct np_apply_opts {
	const char *root;             /* NULL: "/" */
	const struct np_topo *topo;   /* required */
	/* the target, one of: */
	pid_t pid;
	const char *qmp;              /* a QMP socket: the QEMU behind it */
	const char *domain;           /* a libvirt domain, through virsh */
	const char *virsh_uri;        /* virsh -c URI; NULL: virsh's default */
	/* where to, one of: */
	const char *plan_json;        /* plan JSON text (numaplace plan --emit json) */
	size_t plan_len;
	const char *plan_origin;      /* its file name, for messages */
	const char *vm_name;          /* the VM of the plan */
	const struct np_idset *nodes; /* --nodes */
	const struct np_idset *cpus;  /* --cpus: the vCPUs' CPUs (NULL: the
				       * nodes' CPUs) */
	const struct np_idset *emulator_cpus; /* the other threads' CPUs
				       * (NULL: the nodes' CPUs) */
	struct np_move_opts move;
	bool dry_run;
	bool no_memory;               /* pins only */
};

struct np_apply_pin {
	pid_t tid;
	int vcpu;                     /* vCPU index, -1 for other threads */
	struct np_idset before, after;  /* after: read back (dry run: planned) */
};

struct np_apply_report {
	pid_t pid;
	char *name;
	bool via_libvirt;
	bool dry_run;
	struct np_apply_pin *pins;
	size_t npins;
	struct np_idset mem_nodes;    /* libvirt numatune nodeset set */
	struct np_move_range *ranges; /* what was asked to move */
	size_t nranges;
	enum np_move_order order;     /* as asked */
	/* after the move, numa_maps of each guest RAM range read again:
	 * pages not on the range's target node (verified: it was read) */
	bool verified;
	uint64_t off_target_pages;
	bool moved;                   /* move report below is filled */
	struct np_move_report move;
	bool exited;                  /* the VM ended mid-way */
	char *virsh_log;              /* the virsh commands run, one a line */
	char *note;                   /* what did not stop the apply but did
				       * not happen (virsh numatune refused) */
};

/*
 * Pins and moves as opts say and reports it.  After the move each range's
 * pages per node are read again from numa_maps: pages move_pages called
 * busy that are on their target node all the same do not fail the call
 * (rep->note says so).  0 when done; a negative
 * errno with err filled otherwise, and rep kept as far as it got (free it
 * with np_apply_report_free in every case): -ESRCH (system) when the VM
 * ended mid-way, -EAGAIN when some pages failed to move, -EINVAL (input)
 * for a target that is not QEMU, a plan without the VM, a node outside
 * the process's cpuset.mems (named), -EPERM naming CAP_SYS_NICE.
 */
int np_apply(const struct np_apply_opts *opts, struct np_apply_report *rep,
	     struct np_err *err);
void np_apply_report_free(struct np_apply_report *rep);

#ifdef __cplusplus
}
#endif

#endif
