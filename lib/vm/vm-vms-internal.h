/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by vm-vms*.c and vm-apply.c; not installed. */
#ifndef NP_VM_VMS_INTERNAL_H
#define NP_VM_VMS_INTERNAL_H

#include <numaplace/vms.h>

#include <stddef.h>
#include <stdint.h>

/* A memory backend named on QEMU's command line. */
struct np_qemu_backend {
	char *id;
	uint64_t size_bytes;
	char policy[16];              /* "" when not given */
	struct np_idset host_nodes;
};

/* A -numa node. */
struct np_qemu_numa_node {
	unsigned id;
	struct np_idset cpus;
	char *memdev;
};

/* What placement needs from a QEMU command line. */
struct np_qemu_args {
	char *name;                   /* -name guest=NAME or -name NAME */
	char *qmp_path;               /* -qmp unix:PATH, or a control -mon's
				       * socket chardev path */
	uint64_t mem_bytes;           /* -m (default 128 MiB) */
	struct np_qemu_backend *backends;
	size_t nbackends;
	struct np_qemu_numa_node *numa;
	size_t nnuma;
};

/* Parses argv[0..argc) (argv[0] is the program): 0 or -ENOMEM.  Words it
 * does not know are skipped; a malformed value leaves its field unset. */
int np_qemu_args_parse(char *const *argv, size_t argc,
		       struct np_qemu_args *out);
void np_qemu_args_free(struct np_qemu_args *a);

#endif
