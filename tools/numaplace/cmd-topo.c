/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* numaplace topo: the NUMA topology of this machine, a dump, or a file. */
#include "cli/cli.h"
#include "cli/cli-opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/topo.h>

void usage_topo(FILE *out)
{
	fprintf(out,
		"usage: numaplace topo [-v] [--json | --xml] [--sysroot DIR | --topology FILE]\n"
		"\n"
		"Shows the NUMA nodes, their CPUs, memory and distances, in the layout of\n"
		"'numactl -H'.\n"
		"\n"
		"    -v, --verbose       also hugepages, free memory by block size, node kinds\n"
		"                        (memory-only, memoryless), numastat counters, memory\n"
		"                        tiers, interleave weights and the CPU structure (hwloc)\n"
		"    -j, --json          the whole model as JSON (docs/topo-json.md)\n"
		"        --xml           the hwloc XML of the source\n"
		"        --sysroot DIR   read DIR/sys and DIR/proc instead of /sys and /proc\n"
		"                        (a dump made by tools/capture-dump.sh or 'numaplace lab --dump')\n"
		"        --topology FILE read numaplace JSON or hwloc XML\n"
		"    -h, --help          show this help\n");
}

struct topo_opts {
	bool verbose, json, xml;
	const char *sysroot, *topology;
};

static enum cli_next parse_topo_opts(int argc, char **argv,
				     struct topo_opts *o, int *exit_code)
{
	const struct cli_option options[] = {
		CLI_FLAG('v', "verbose", &o->verbose),
		CLI_FLAG('j', "json", &o->json),
		CLI_FLAG(0, "xml", &o->xml),
		CLI_STRING(0, "sysroot", &o->sysroot, "DIR"),
		CLI_STRING(0, "topology", &o->topology, "FILE"),
		CLI_END(),
	};
	const struct cli_parser parser = {
		"topo", usage_topo, options, CLI_NO_OPERANDS,
	};

	if (cli_parse_options(&parser, argc, argv, NULL, exit_code) == CLI_EXIT)
		return CLI_EXIT;
	*exit_code = NP_EXIT_USAGE;
	if (o->json && o->xml) {
		np_err_line("topo: --json and --xml exclude each other");
		return CLI_EXIT;
	}
	if (o->sysroot && o->topology) {
		np_err_line("topo: --sysroot and --topology exclude each other");
		return CLI_EXIT;
	}
	return CLI_CONTINUE;
}

static int load(const struct topo_opts *o, struct np_topo **t)
{
	struct np_err err = { 0 };
	int e;

	if (o->topology)
		e = np_topo_from_file(o->topology, t, &err);
	else
		/* numactl's layout needs only the basic part: stay as fast. */
		e = np_topo_from_sysroot_parts(o->sysroot ? o->sysroot : "/",
					       o->json || o->verbose ?
					       NP_TOPO_ALL : NP_TOPO_BASIC,
					       t, &err);
	if (e) {
		np_err_line("%s", err.msg);
		return np_exit_code(&err);
	}
	return 0;
}

static int render(const struct topo_opts *o, struct np_topo *t, char **out,
		  size_t *len)
{
	struct np_err err = { 0 };
	const char *note = NULL;
	int e;

	if (o->xml) {
		e = np_topo_to_hwloc_xml(t, out, len, &err);
		if (e)
			np_err_line("topo: --xml: %s", err.msg);
		return e ? np_exit_code(&err) : 0;
	}
	/* The CPU structure is optional detail: say why it is missing
	 * (-ENOENT: no hwloc.xml, a JSON source, no libhwloc).  A dump's
	 * hwloc.xml that is there but damaged is an error, as any other
	 * damaged file of the dump: no half output under exit 0. */
	if (o->verbose) {
		e = np_topo_load_cpu_structure(t, &err);
		if (e && e != -ENOENT) {
			np_err_line("%s", err.msg);
			return np_exit_code(&err);
		}
		if (e)
			note = err.msg;
	}
	e = o->json ? np_topo_to_json(t, out, len) :
		np_topo_to_text(t, o->verbose ? NP_TEXT_VERBOSE : NP_TEXT_NUMACTL,
				note, out, len);
	if (e) {
		np_err_line("topo: cannot render: out of memory");
		return NP_EXIT_RUNTIME;
	}
	return 0;
}

int cmd_topo(int argc, char **argv)
{
	struct topo_opts o = { 0 };
	struct np_topo *t = NULL;
	char *out = NULL;
	size_t len = 0;
	int rc;

	if (parse_topo_opts(argc, argv, &o, &rc) == CLI_EXIT)
		return rc;
	rc = load(&o, &t);
	if (!rc)
		rc = render(&o, t, &out, &len);
	if (!rc)
		rc = np_emit(out, len);
	/* numactl -H on a kernel without NUMA prints its line and exits 1. */
	if (!rc && t->not_numa && !o.json && !o.xml && !o.verbose)
		rc = NP_EXIT_RUNTIME;
	free(out);
	np_topo_free(t);
	return rc;
}
