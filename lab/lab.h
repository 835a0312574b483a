/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lab: an emulated NUMA machine (QEMU TCG with -numa, a real Linux
 * kernel, a busybox initramfs holding numaplace) that runs one command and
 * reports its output and exit status.  The kernel really places pages on
 * the emulated nodes; remote access is not slower (no latency model), so
 * placement can be checked here but not its speed.
 *
 * This header has two parts: the machine spec (pure: parse, validate,
 * turn into QEMU arguments) and the runner (builds/caches the image,
 * starts QEMU, collects the result).
 */
#ifndef NP_LAB_H
#define NP_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <numaplace/error.h>
#include <numaplace/topo.h>

#include "nodes.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NP_LAB_MAX_NODES NP_CORE_MAX_NODES
#define NP_LAB_MAX_CPUS 64

struct np_lab_node {
	unsigned cpus;       /* 0 = memory-only node (CXL-like) */
	uint64_t mem_bytes;  /* 0 = memoryless node (CPUs only) */
};

struct np_lab_spec {
	unsigned nnodes;
	struct np_lab_node nodes[NP_LAB_MAX_NODES];
	/* distance[i][j]: 10 on the diagonal, 11..255 elsewhere;
	 * np_lab_parse_nodes() and the presets fill 10 local / 20 remote */
	unsigned char distance[NP_LAB_MAX_NODES][NP_LAB_MAX_NODES];
};

/*
 * "2:512M,2:512M,0:1G": CPUS:MEM per node; MEM takes K, M, G (binary,
 * optionally followed by "iB" or "B"), B for bytes, or no suffix for MiB
 * as QEMU's -m does.  np_lab_spec_validate() then wants each node's memory
 * a multiple of 8 MiB (QEMU's pc machine and Linux's memory sections) and
 * node 0 at least 128 MiB (the kernel and the image load there).  On error
 * err names the bad token and the spec is left empty.  -EINVAL for
 * syntax, -ERANGE for sizes or counts out of range.
 */
int np_lab_parse_nodes(const char *s, struct np_lab_spec *spec,
		       struct np_err *err);

/* "10,21;21,10": one row per node; asymmetric allowed; 10 on the diagonal,
 * 11..255 elsewhere (Linux rejects other SLITs). Needs spec->nnodes set. */
int np_lab_parse_distances(const char *s, struct np_lab_spec *spec,
			   struct np_err *err);

/* Named shapes: "2s", "4n", "8n", "cxl" (see np_lab_preset_names()). */
int np_lab_preset(const char *name, struct np_lab_spec *spec,
		  struct np_err *err);
const char *const *np_lab_preset_names(void);

/*
 * A lab machine shaped like a topology (e.g. from `numaplace topo --json`):
 * node count and order, distances, memory-only and memoryless nodes.  CPUs
 * per node are capped at cpu_cap; memory is total/mem_scale clamped to
 * 64..2048 MiB and rounded down to 8 MiB on nodes with memory, node 0
 * raised to 128 MiB.  Node ids become 0..n-1 (the guest kernel numbers its
 * nodes from the firmware's proximity domains in order), so a machine
 * whose node 0 has no memory cannot be reproduced.
 */
int np_lab_spec_from_topo(const struct np_topo *t, unsigned cpu_cap,
			  unsigned mem_scale, struct np_lab_spec *spec,
			  struct np_err *err);

/* Checks limits and that the machine can boot (some node has CPUs, some
 * node has memory, CPU node 0 ... as QEMU wants). */
int np_lab_spec_validate(const struct np_lab_spec *spec, struct np_err *err);

unsigned np_lab_spec_cpus(const struct np_lab_spec *spec);
uint64_t np_lab_spec_mem_bytes(const struct np_lab_spec *spec);

/*
 * The -smp/-m/-object/-numa arguments for this spec, as a NULL-terminated
 * malloc'd argv (each string malloc'd; free with np_lab_argv_free()).
 */
int np_lab_qemu_numa_args(const struct np_lab_spec *spec, char ***argv,
			  struct np_err *err);
void np_lab_argv_free(char **argv);

/* ---- running a guest ------------------------------------------------ */

struct np_lab_opts {
	const char *kernel;      /* NULL: newest /boot/vmlinuz-* */
	const char *cache_dir;   /* NULL: $XDG_CACHE_HOME/numaplace or ~/.cache/numaplace */
	bool add_self;           /* put the running program into the guest's PATH */
	const char *const *payload; /* extra host files for /opt/numaplace/bin, NULL-terminated */
	const char *dump_dir;    /* non-NULL: copy the guest's topology files here */
	unsigned timeout_s;      /* 0: 120 */
	bool shell;              /* interactive shell on this terminal */
	/* Read this process's stdin (fd 0) to its end before the guest
	 * starts and give it to the command as its stdin (without: the
	 * command's stdin is /dev/null).  With shell, the shell reads its
	 * commands from it instead of a terminal and its output comes back
	 * as a command's does. */
	bool forward_stdin;
	/* Non-NULL: boot this ELF, numaplace's test kernel (kernel/), instead
	 * of Linux: no initramfs and no command; QEMU gets an isa-debug-exit
	 * device, the result's out is what the kernel wrote on COM1 and its
	 * exit_status the code it left QEMU with, which its report's last
	 * line, "exit N", must confirm (else NO_STATUS).  np_lab_run's argv,
	 * if any, is its command line (words joined by spaces: npk.frames=N
	 * ..., kernel/README.md).  kernel, payload, dump_dir, shell and
	 * forward_stdin are not used. */
	const char *test_kernel;
};

/* How a run ended.  Only TIMED_OUT and NO_STATUS are the lab's "the guest
 * did not answer" (the CLI's exit 124); FAILED is an error like any other,
 * classed in err (a bad file, a full disk, QEMU killed by a signal). */
enum np_lab_outcome {
	NP_LAB_FAILED = 0,       /* no result: err says why */
	NP_LAB_EXITED,           /* the command ran: exit_status is its own */
	NP_LAB_TIMED_OUT,        /* no answer within the timeout */
	NP_LAB_NO_STATUS,        /* the guest stopped without the command's
				  * status (a kernel panic, a crash in init) */
};

/* The exit status the lab reports for TIMED_OUT and NO_STATUS, as
 * timeout(1) does. */
#define NP_LAB_STATUS_NO_ANSWER 124

struct np_lab_result {
	enum np_lab_outcome outcome;
	int exit_status;         /* the command's; NP_LAB_STATUS_NO_ANSWER when
				  * it timed out or gave no status */
	char *out;               /* the command's stdout (malloc'd) */
	size_t out_len;
	char *err;               /* its stderr */
	size_t err_len;
	char *console_tail;      /* last 20 console lines when the guest timed
				  * out or gave no status */
	/* where the time went, in ms: image (build or cache look-up), boot
	 * (QEMU start to exit), kernel (guest clock at init), init (guest
	 * clock from init to power-off), total */
	double image_ms, boot_ms, kernel_ms, init_ms, total_ms;
};

/*
 * Boots the spec and runs argv (NULL-terminated) inside, unless opts->shell.
 * Returns 0 when the guest ran the command (whatever its status), or a
 * negative errno with err set and result->outcome saying how it ended:
 * -ENOENT qemu/kernel/busybox missing (err names the package), -EACCES
 * kernel unreadable, -EINVAL/-EEXIST a bad --kernel or payload file,
 * -ENOSPC a full cache disk, -EPERM a cache another user can change,
 * -ETIMEDOUT no answer by the timeout (TIMED_OUT), -EIO the guest stopped
 * without a status (NO_STATUS; both with result->console_tail) or QEMU
 * died of a signal (FAILED).
 */
int np_lab_run(const struct np_lab_spec *spec, const struct np_lab_opts *opts,
	       char *const *argv, struct np_lab_result *result,
	       struct np_err *err);
void np_lab_result_free(struct np_lab_result *r);

#ifdef __cplusplus
}
#endif

#endif
