/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace apply: pins a running QEMU's vCPU, emulator and I/O threads
 * and moves its guest RAM to the nodes of a plan (or --nodes), in
 * bounded batches, hot pages first or by address, and reports what it
 * did with the placement read back (np_apply, numaplace/vms.h).
 */
#include "cli/cli.h"
#include "cli/cli-json.h"
#include "cli/cli-opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/plan.h>
#include <numaplace/topo.h>
#include <numaplace/vms.h>

#include "view/view-apply.h"

void usage_apply(FILE *out)
{
	fprintf(out,
		"usage: numaplace apply (--pid PID | --qmp SOCKET | --domain NAME)\n"
		"                       (--plan FILE --vm NAME | --nodes LIST [--cpus LIST])\n"
		"                       [--emulator-cpus LIST]\n"
		"                       [--rate MIBPS] [--batch-ms N] [--order hot-first|address]\n"
		"                       [--sample-ms N] [--threads N] [--pins-only]\n"
		"                       [--dry-run] [--json]\n"
		"\n"
		"Pins a running QEMU's vCPU threads as the plan says (or to the CPUs of\n"
		"--nodes, or to --cpus), its emulator and I/O threads to the CPUs of the\n"
		"same nodes, and moves its guest RAM there with move_pages in batches:\n"
		"each within --batch-ms, at most --rate MiB/s, recently written pages\n"
		"first (soft-dirty bits) or by address.  The report says what moved,\n"
		"what failed and why, and the pages per node before and after, read\n"
		"back.  A libvirt domain is changed through virsh (vcpupin, emulatorpin,\n"
		"numatune in restrictive mode) so libvirt's view of it stays true.\n"
		"\n"
		"    --pid PID            the QEMU process\n"
		"    --qmp SOCKET         the QEMU whose QMP socket this is (its vCPUs\n"
		"                         through query-cpus-fast)\n"
		"    --domain NAME        a libvirt domain (its QEMU, changed through virsh)\n"
		"    --connect URI        virsh's connection URI (with --domain)\n"
		"    --plan FILE          a plan (numaplace plan --emit json) ...\n"
		"    --vm NAME            ... and the VM of it to apply\n"
		"    --nodes LIST         or: these nodes (cell N's memory to the\n"
		"                         N-th node, mod their number)\n"
		"    --cpus LIST          the vCPUs' CPUs (default: the nodes' CPUs)\n"
		"    --emulator-cpus LIST the other threads' CPUs (default: the nodes' CPUs)\n"
		"    --rate MIBPS         move at most MIBPS MiB per second (default: no limit)\n"
		"    --batch-ms N         each batch sized to take at most N ms (default 10)\n"
		"    --order ORDER        hot-first (default) or address\n"
		"    --sample-ms N        hot-first: the interval dirty pages are sampled\n"
		"                         over (default 200)\n"
		"    --threads N          N threads move batches at once (default 2, at\n"
		"                         most the CPUs numaplace may run on; 1: one\n"
		"                         CPU busy, at about 3/4 of the speed)\n"
		"    --pins-only          pin the threads, move no memory\n"
		"    -n, --dry-run        say what would be done, touch nothing\n"
		"    -j, --json           the report as JSON (numaplace-apply/1)\n"
		"    -h, --help           show this help\n");
}

/* The kernel's PID_MAX_LIMIT (include/linux/threads.h, 64-bit). */
#define PID_MAX_LIMIT 4194304u

struct apply_cli {
	unsigned pid, rate, batch_ms, sample_ms, threads;
	const char *qmp, *domain, *uri, *plan, *vm, *nodes, *cpus, *order;
	const char *emulator_cpus;
	bool dry_run, json, pins_only;
};

static int usage_error(const char *msg)
{
	np_err_line("apply: %s", msg);
	return NP_EXIT_USAGE;
}

static enum cli_next parse_apply_opts(int argc, char **argv,
				      struct apply_cli *o, int *rc)
{
	const struct cli_option options[] = {
		CLI_UNSIGNED(0, "pid", &o->pid, "PID", 1, PID_MAX_LIMIT),
		CLI_STRING(0, "qmp", &o->qmp, "SOCKET"),
		CLI_STRING(0, "domain", &o->domain, "NAME"),
		CLI_STRING(0, "connect", &o->uri, "URI"),
		CLI_STRING(0, "plan", &o->plan, "FILE"),
		CLI_STRING(0, "vm", &o->vm, "NAME"),
		CLI_IDS(0, "nodes", &o->nodes, "LIST"),
		CLI_IDS(0, "cpus", &o->cpus, "LIST"),
		CLI_IDS(0, "emulator-cpus", &o->emulator_cpus, "LIST"),
		CLI_UNSIGNED(0, "rate", &o->rate, "MIBPS", 1, 1u << 30),
		CLI_UNSIGNED(0, "batch-ms", &o->batch_ms, "N", 1, 60000),
		CLI_UNSIGNED(0, "sample-ms", &o->sample_ms, "N", 1, 60000),
		CLI_UNSIGNED(0, "threads", &o->threads, "N", 1,
			     NP_MOVE_MAX_THREADS),
		CLI_STRING(0, "order", &o->order, "ORDER"),
		CLI_FLAG(0, "pins-only", &o->pins_only),
		CLI_FLAG('n', "dry-run", &o->dry_run),
		CLI_FLAG('j', "json", &o->json),
		CLI_END(),
	};
	const struct cli_parser parser = {
		"apply", usage_apply, options, CLI_NO_OPERANDS,
	};
	int targets;

	*o = (struct apply_cli){ .batch_ms = 10 };
	if (cli_parse_options(&parser, argc, argv, NULL, rc) == CLI_EXIT)
		return CLI_EXIT;
	*rc = NP_EXIT_USAGE;
	targets = !!o->pid + !!o->qmp + !!o->domain;
	if (targets != 1)
		*rc = usage_error("give one of --pid PID, --qmp SOCKET, "
				  "--domain NAME");
	else if (!!o->plan != !!o->vm)
		*rc = usage_error("--plan FILE and --vm NAME go together");
	else if (!o->plan == !o->nodes)
		*rc = usage_error("give --plan FILE --vm NAME or --nodes LIST");
	else if (o->cpus && !o->nodes)
		*rc = usage_error("--cpus goes with --nodes");
	else if (o->uri && !o->domain)
		*rc = usage_error("--connect is for --domain");
	else if (o->order && strcmp(o->order, "hot-first") &&
		 strcmp(o->order, "address"))
		*rc = usage_error("--order: expected hot-first or address");
	else
		return CLI_CONTINUE;
	return CLI_EXIT;
}

static int parse_ids(const char *opt, const char *s, enum np_idstr_kind kind,
		     const struct np_topo *t, struct np_idset *out)
{
	struct np_idset exists = { 0 };
	struct np_err err = { 0 };
	int e = kind == NP_IDSTR_NODES ? np_topo_node_set(t, &exists) :
					 np_topo_cpu_set(t, &exists);

	if (!e)
		e = np_idstr_parse(s, kind, &exists, &exists, out, &err);
	np_idset_free(&exists);
	if (e == -ENOMEM) {
		np_err_line("apply: out of memory");
		return NP_EXIT_RUNTIME;
	}
	if (e) {
		np_err_line("apply: %s: %s", opt, err.msg);
		return np_exit_code(&err);
	}
	return 0;
}

struct rendering {
	const struct np_apply_report *rep;
};

static int text_view(FILE *f, const void *ctx)
{
	apply_print(f, ((const struct rendering *)ctx)->rep);
	return 0;
}

static int json_view(FILE *f, const void *ctx)
{
	bool oom = false;

	return np_json_write(f, apply_json(((const struct rendering *)ctx)->rep,
					   &oom), oom);
}

static int run_apply(const struct apply_cli *c, struct np_apply_opts *o)
{
	struct np_apply_report rep;
	struct np_err err = { 0 };
	char *out = NULL;
	size_t len = 0;
	int e, rc;

	e = np_apply(o, &rep, &err);
	/* a report that got as far as the pins or the memory is shown, also
	 * when the VM ended or pages failed: partial, and said so */
	if (!e || rep.moved || rep.exited || (rep.npins && !rep.dry_run)) {
		rc = np_render("apply", c->json ? json_view : text_view,
			       &(struct rendering){ &rep }, &out, &len);
		if (!rc)
			rc = np_emit(out, len);
		free(out);
		if (rc) {
			np_apply_report_free(&rep);
			return rc;
		}
	}
	np_apply_report_free(&rep);
	if (e) {
		np_err_line("apply: %s", err.msg);
		return np_exit_code(&err);
	}
	return NP_EXIT_OK;
}

int cmd_apply(int argc, char **argv)
{
	struct np_idset nodes = { 0 }, cpus = { 0 }, emu = { 0 };
	struct np_topo *t = NULL;
	struct np_err err = { 0 };
	struct apply_cli c;
	char *plan = NULL;
	size_t plan_len = 0;
	int rc;

	if (parse_apply_opts(argc, argv, &c, &rc) == CLI_EXIT)
		return rc;
	if (np_topo_from_sysroot("/", &t, &err)) {
		np_err_line("apply: %s", err.msg);
		return np_exit_code(&err);
	}
	rc = 0;
	if (c.nodes)
		rc = parse_ids("--nodes", c.nodes, NP_IDSTR_NODES, t, &nodes);
	if (!rc && c.cpus)
		rc = parse_ids("--cpus", c.cpus, NP_IDSTR_CPUS, t, &cpus);
	if (!rc && c.emulator_cpus)
		rc = parse_ids("--emulator-cpus", c.emulator_cpus,
			       NP_IDSTR_CPUS, t, &emu);
	if (!rc && c.plan && np_vm_file_read(c.plan, &plan, &plan_len, &err)) {
		np_err_line("apply: %s", err.msg);
		rc = np_exit_code(&err);
	}
	if (!rc) {
		struct np_apply_opts o = {
			.topo = t, .pid = (pid_t)c.pid, .qmp = c.qmp,
			.domain = c.domain, .virsh_uri = c.uri,
			.plan_json = plan, .plan_len = plan_len,
			.plan_origin = c.plan, .vm_name = c.vm,
			.nodes = c.nodes ? &nodes : NULL,
			.cpus = c.cpus ? &cpus : NULL,
			.emulator_cpus = c.emulator_cpus ? &emu : NULL,
			.move = {
				.rate_mibps = c.rate,
				.batch_ns = (uint64_t)c.batch_ms * 1000000u,
				.order = c.order && !strcmp(c.order, "address") ?
					 NP_MOVE_ADDRESS : NP_MOVE_HOT_FIRST,
				.sample_ns = (uint64_t)c.sample_ms * 1000000u,
				.threads = c.threads,
			},
			.dry_run = c.dry_run, .no_memory = c.pins_only,
		};

		rc = run_apply(&c, &o);
	}
	free(plan);
	np_idset_free(&nodes);
	np_idset_free(&cpus);
	np_idset_free(&emu);
	np_topo_free(t);
	return rc;
}
