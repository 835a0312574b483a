/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numad, as libvirt calls it: "numad -w CPUS:MB" prints the node set for
 * a domain with <vcpu placement='auto'> (or <numatune><memory
 * placement='auto'/>), answered by numaplace's planner on the live host
 * instead of numad's equal-node estimate.  Installed as
 * libexecdir/numaplace/numad; README.md says how to put it where libvirt
 * looks (/usr/bin/numad): a bind mount or dpkg-divert.
 *
 * Only the advice is numad's interface here: numad's daemon (moving
 * running processes) is not, and any other option is refused with the
 * reason, exit 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/error.h>

#include "numad-advise.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: numad -w CPUS[:MIB]\n\n"
		"numaplace's stand-in for numad's pre-placement advice: "
		"prints the NUMA nodes\nnumaplace's planner gives a VM of "
		"CPUS vCPUs and MIB MiB on this host.\n");
}

int main(int argc, char **argv)
{
	const char *arg = NULL;
	struct np_err err = { 0 };
	unsigned vcpus;
	uint64_t mib;
	char *out;
	int e;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc) {
			arg = argv[++i];
		} else if (strncmp(argv[i], "-w", 2) == 0 && argv[i][2]) {
			arg = argv[i] + 2;
		} else {
			fprintf(stderr, "numad: '%s': numaplace answers only "
				"-w CPUS[:MIB] (pre-placement advice)\n",
				argv[i]);
			return 2;
		}
	}
	if (!arg) {
		usage(stderr);
		return 2;
	}
	if (numad_parse_request(arg, &vcpus, &mib, &err) < 0) {
		fprintf(stderr, "numad: -w %s\n", err.msg);
		return 2;
	}
	e = numad_advise("/", vcpus, mib, &out, &err);
	if (e < 0) {
		fprintf(stderr, "numad: %s\n", err.msg);
		return err.cls == NP_ERR_INPUT ? 2 : 1;
	}
	if (fputs(out, stdout) == EOF || fflush(stdout) == EOF) {
		perror("numad: standard output");
		free(out);
		return 1;
	}
	free(out);
	return 0;
}
