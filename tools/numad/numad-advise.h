/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numad's pre-placement advice, "numad -w CPUS[:MB]", answered by the
 * planner (np_plan_advise): shared by `numaplace plan --advise` and the
 * numad-named entry point libvirt can call (tools/numad/numad.c).
 *
 * What numad prints there is one line, the node set in its own list form
 * ("0", "0-1", "0-1,3"), and its exit status is 0; libvirt reads the line
 * as the domain's nodeset.  Where numad would print every node when
 * nothing fits, numaplace refuses with the reason (one line on stderr,
 * exit 1): libvirt then does not start the domain, and says why.
 */
#ifndef NP_NUMAD_ADVISE_H
#define NP_NUMAD_ADVISE_H

#include <stdint.h>

#include <numaplace/error.h>
#include <numaplace/idset.h>

/*
 * numad's argument "CPUS[:MB]": CPUS with up to two decimals (numad
 * counts hundredths of a CPU; a fraction asks for one more vCPU here),
 * MB in MiB, 0 when left out.  0, or -EINVAL with err filled (input).
 */
int numad_parse_request(const char *arg, unsigned *vcpus, uint64_t *mib,
			struct np_err *err);

/* "NODES\n" for a node set as numad prints it ("0-1,3"); NULL on ENOMEM. */
char *numad_nodes_line(const struct np_idset *nodes);

/*
 * The advice for vcpus and mib on the machine below root ("/": the live
 * host; a dump directory otherwise), as numad prints it: "NODES\n" in
 * *out (malloc'd).  0 or -errno with err filled (ENOSPC: nothing fits).
 */
int numad_advise(const char *root, unsigned vcpus, uint64_t mib, char **out,
		 struct np_err *err);

#endif
