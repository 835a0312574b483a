/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace vms: the QEMU processes of this host, each with its vCPUs
 * (thread, the CPU it last ran on, its node, its affinity), its guest RAM
 * per host node, its guest cells and a verdict (numaplace/vms.h).
 */
#include "cli/cli.h"
#include "cli/cli-json.h"
#include "cli/cli-opts.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <numaplace/topo.h>
#include <numaplace/vms.h>

#include "view/view-vms.h"

void usage_vms(FILE *out)
{
	fprintf(out,
		"usage: numaplace vms [--json] [--watch SECONDS [--count N]] [--qmp SOCKET]\n"
		"                     [--sysroot DIR] [--topology FILE] [PID|NAME...]\n"
		"\n"
		"Lists the QEMU processes of this host (all, or those named by PID or by\n"
		"their -name, as libvirt's domain names are) and, per VM: each vCPU's\n"
		"thread, the host CPU it last ran on, that CPU's node and the vCPU's\n"
		"affinity; its guest RAM per host node (numa_maps of the mappings of its\n"
		"memory backends, not QEMU's own heap); its guest NUMA cells; and a\n"
		"verdict: local, split across nodes, or remote (guest RAM on other nodes\n"
		"than the vCPUs using it, with the share).\n"
		"\n"
		"vCPUs come from QMP query-cpus-fast when a socket is known (--qmp, or\n"
		"-qmp unix:PATH on QEMU's command line), else from the thread names\n"
		"'CPU n/KVM' and 'CPU n/TCG' (-name NAME,debug-threads=on).\n"
		"\n"
		"    -j, --json         the same content as JSON (numaplace-vms/1)\n"
		"    --watch SECONDS    refresh every SECONDS (in place on a terminal)\n"
		"    --count N          with --watch: stop after N refreshes\n"
		"    --qmp SOCKET       the QMP socket of the one VM named\n"
		"    --no-qmp           thread names only\n"
		"    --sysroot DIR      read DIR/proc (a capture) instead of /proc\n"
		"    --topology FILE    the CPUs' nodes from numaplace JSON or hwloc XML\n"
		"    -h, --help         show this help\n");
}

struct vms_opts {
	bool json, no_qmp;
	unsigned watch_s, count;
	const char *qmp, *sysroot, *topology;
	char **select;
	size_t nselect;
};

static enum cli_next parse_vms_opts(int argc, char **argv, struct vms_opts *o,
				    int *rc)
{
	const struct cli_option options[] = {
		CLI_FLAG('j', "json", &o->json),
		CLI_UNSIGNED(0, "watch", &o->watch_s, "SECONDS", 1, 86400),
		CLI_UNSIGNED(0, "count", &o->count, "N", 1, 1000000),
		CLI_STRING(0, "qmp", &o->qmp, "SOCKET"),
		CLI_FLAG(0, "no-qmp", &o->no_qmp),
		CLI_STRING(0, "sysroot", &o->sysroot, "DIR"),
		CLI_STRING(0, "topology", &o->topology, "FILE"),
		CLI_END(),
	};
	const struct cli_parser parser = { "vms", usage_vms, options, 0 };
	int operand;

	*o = (struct vms_opts){ .json = false };
	if (cli_parse_options(&parser, argc, argv, &operand, rc) == CLI_EXIT)
		return CLI_EXIT;
	o->select = argv + operand;
	o->nselect = (size_t)(argc - operand);
	if (o->qmp && o->nselect != 1) {
		np_err_line("vms: --qmp SOCKET is for one VM: name it by PID or "
			    "name");
		*rc = NP_EXIT_USAGE;
		return CLI_EXIT;
	}
	if (o->count && !o->watch_s) {
		np_err_line("vms: --count is for --watch");
		*rc = NP_EXIT_USAGE;
		return CLI_EXIT;
	}
	return CLI_CONTINUE;
}

struct rendering {
	const struct np_vm *vms;
	size_t n;
};

static int text_view(FILE *f, const void *ctx)
{
	const struct rendering *r = ctx;

	vms_print(f, r->vms, r->n);
	return 0;
}

static int json_view(FILE *f, const void *ctx)
{
	const struct rendering *r = ctx;
	bool oom = false;

	return np_json_write(f, vms_json(r->vms, r->n, &oom), oom);
}

static int load_topo(const struct vms_opts *o, struct np_topo **t)
{
	struct np_err err = { 0 };
	int e;

	if (o->topology)
		e = np_topo_from_file(o->topology, t, &err);
	else
		e = np_topo_from_sysroot(o->sysroot ? o->sysroot : "/", t,
					 &err);
	if (e) {
		np_err_line("vms: %s", err.msg);
		return np_exit_code(&err);
	}
	return 0;
}

/* One look: the VMs asked for, rendered into *out. */
static int look(const struct vms_opts *o, const struct np_topo *t,
		char **out, size_t *len)
{
	struct np_vms_opts vo = {
		.root = o->sysroot, .topo = t, .qmp = o->qmp,
		.no_qmp = o->no_qmp,
		/* a monitor another client holds never greets: do not wait long */
		.qmp_timeout_ms = 1000,
	};
	struct np_err err = { 0 };
	struct np_vm *vms = NULL;
	size_t n = 0;
	int rc;

	/* a PID alone is inspected as it is, so a process that is not QEMU
	 * is named as such */
	if (o->nselect == 1 && strspn(o->select[0], "0123456789") ==
	    strlen(o->select[0]) && o->select[0][0]) {
		vms = calloc(1, sizeof(*vms));
		if (!vms) {
			np_err_line("vms: out of memory");
			return NP_EXIT_RUNTIME;
		}
		if (np_vm_inspect((pid_t)strtol(o->select[0], NULL, 10), &vo,
				  vms, &err)) {
			free(vms);
			np_err_line("vms: %s", err.msg);
			return np_exit_code(&err);
		}
		n = 1;
	} else if (np_vms_list(&vo, (const char *const *)o->select,
			       o->nselect, &vms, &n, &err)) {
		np_err_line("vms: %s", err.msg);
		return np_exit_code(&err);
	}
	rc = np_render("vms", o->json ? json_view : text_view,
		       &(struct rendering){ vms, n }, out, len);
	np_vms_free(vms, n);
	return rc;
}

int cmd_vms(int argc, char **argv)
{
	struct np_topo *t = NULL;
	struct vms_opts o;
	bool tty = isatty(STDOUT_FILENO);
	int rc;

	if (parse_vms_opts(argc, argv, &o, &rc) == CLI_EXIT)
		return rc;
	rc = load_topo(&o, &t);
	for (unsigned i = 0; !rc; i++) {
		char *out = NULL;
		size_t len = 0;

		rc = look(&o, t, &out, &len);
		if (!rc && o.watch_s && tty)
			/* home and clear: the table refreshes in place */
			rc = np_emit("\033[H\033[J", 6);
		if (!rc)
			rc = np_emit(out, len);
		free(out);
		if (rc || !o.watch_s || (o.count && i + 1 >= o.count))
			break;
		if (!tty)
			rc = np_emit("\n", 1);
		nanosleep(&(struct timespec){ .tv_sec = o.watch_s }, NULL);
	}
	np_topo_free(t);
	return rc;
}
