/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace plan: fit VMs to the NUMA nodes of a host.  Options in, the
 * host (numaplace/topo.h) and the plan (numaplace/plan.h) from the
 * library, the plan out through one emitter of the table below; with
 * --out DIR each VM's text is a file of its own, written whole.
 *
 * Adding an emitter is one line in plan_emitters[].  Adding a VM format is
 * one line in vm_readers[] (told apart by the first non-blank byte).
 */
#include "cli/cli.h"
#include "cli/cli-opts.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/output.h>
#include <numaplace/plan.h>
#include <numaplace/topo.h>
#include <numaplace/units.h>

#include "view/view-plan.h"
#include "numad-advise.h"

void usage_plan(FILE *out)
{
	fprintf(out,
		"usage: numaplace plan [--sysroot DIR | --topology FILE] [options] VMFILE...\n"
		"   or: numaplace plan [--sysroot DIR | --topology FILE] --advise VCPUS:MIB\n"
		"\n"
		"Fits VMs to the NUMA nodes of this host (or a dump, or a topology file):\n"
		"per VM its host nodes, memory per node, vCPU pins, and for a VM larger\n"
		"than a node guest NUMA cells whose distances mirror the host's.  A VM\n"
		"file is JSON ([{\"name\":\"vm1\",\"vcpus\":4,\"memory_mib\":4096,\n"
		"\"hugepages\":\"2M\"|\"1G\"|null,\"dedicated_cpus\":true,\"max_nodes\":1}])\n"
		"or seed 004's lines \"CPUS MEM_MIB\" (VMs vm1, vm2, ...), or a libvirt\n"
		"domain XML (its <numatune> nodeset is kept unless --replace).\n"
		"\n"
		"    -s, --strategy S       best-fit (default: fewest nodes, least distance,\n"
		"                           tightest fit), spread, pack, random,\n"
		"                           interleave, round-robin (seed 004's three)\n"
		"        --seed N           the random strategy's seed (default 0)\n"
		"        --reserve-mem M    MiB kept free on every node, or per node\n"
		"                           N:MIB[,N:MIB...]\n"
		"        --reserve-cpus L   housekeeping CPUs, never planned (\"0,1\")\n"
		"        --cpu-overcommit R shared vCPUs per host CPU (default 1)\n"
		"        --allow-memory-only-nodes  use CPU-less (CXL) nodes, as a\n"
		"                           farther tier\n"
		"        --allow-split      also split a VM that fits one node of the\n"
		"                           host when no node has room left for it\n"
		"                           (more VMs placed, their memory remote);\n"
		"                           by default such a VM stays whole\n"
		"        --keep-free V:MIB  a VM of V vCPUs and MIB must still fit after\n"
		"                           the plan, on as few nodes as before it\n"
		"        --existing FILE    VMs already running (a VM file or a plan JSON):\n"
		"                           their resources are taken first; one\n"
		"                           that does not fit the host is an error\n"
		"    -e, --emit FORMAT      json (default), table, libvirt (domain XML;\n"
		"                           a domain read from a file is edited, the\n"
		"                           rest of it kept byte for byte), qemu (each\n"
		"                           VM's QEMU arguments and vCPU pins) or\n"
		"                           qemu-pins (the pins and backends as JSON)\n"
		"        --out DIR          one file per VM in DIR (NAME.json, NAME.xml,\n"
		"                           NAME.args, NAME.pins.json), each whole\n"
		"        --hugetlbfs DIR    with --emit qemu: the hugetlbfs mount for VMs\n"
		"                           with hugepages (default /dev/hugepages)\n"
		"        --prealloc         with --emit qemu: preallocate base-page guest\n"
		"                           RAM too (hugepages always are)\n"
		"        --replace          a domain's own <numatune> nodeset is not held to\n"
		"        --restrictive      libvirt numatune mode 'restrictive' (the nodeset\n"
		"                           of a running domain can then be changed)\n"
		"        --advise V:MIB     only print the nodes for a VM of V vCPUs and MIB\n"
		"                           MiB, as 'numad -w V:MIB' prints them (what\n"
		"                           libvirt asks for <vcpu placement='auto'>)\n"
		"        --explain          per VM the candidate node sets and why the\n"
		"                           chosen one won\n"
		"        --sysroot DIR      read DIR/sys and DIR/proc instead of the host's\n"
		"        --topology FILE    read numaplace JSON or hwloc XML\n"
		"    -h, --help             show this help\n"
		"\n"
		"Exit status 0 when the plan was made (refused VMs are in it, with their\n"
		"reason); 2 for bad options or a bad VM file; 1 when a file cannot be\n"
		"written.\n");
}

struct plan_cli {
	const char *sysroot, *topology, *strategy, *emit, *out;
	const char *reserve_mem, *reserve_cpus, *existing, *advise;
	bool replace;
	unsigned advise_vcpus;
	uint64_t advise_mib;
	struct np_plan_opts o;
	struct np_plan_reserve reserve;
	struct np_plan_qemu_opts qemu;
};

/* ---- the emitters -------------------------------------------------------- */

struct plan_run {
	const struct np_plan *plan;
	const struct np_vm_specs *specs;
	const struct np_plan_opts *opts;
	const struct np_plan_qemu_opts *qemu;
};

struct plan_emitter {
	const char *name;
	/* the whole plan for stdout; NULL: each VM's text in turn */
	int (*plan)(const struct plan_run *r, char **out, struct np_err *err);
	/* one VM's text: a file under --out; NULL: no --out */
	int (*vm)(const struct plan_run *r, size_t i, char **out,
		  struct np_err *err);
	const char *ext;                 /* of the files under --out */
	bool every_vm;                   /* a file also for an unplaced VM */
};

static int emit_json(const struct plan_run *r, char **out, struct np_err *err)
{
	return np_plan_emit_json(r->plan, out, err);
}

static int emit_json_vm(const struct plan_run *r, size_t i, char **out,
			struct np_err *err)
{
	return np_plan_emit_json_vm(r->plan, &r->plan->vms[i], out, err);
}

/* Closes a memstream whose text went to *out: on an error (e, or the
 * close itself failing) *out is freed and err says why, out of memory
 * unless a callee already said something else. */
static int memstream_close(FILE *f, int e, char **out, struct np_err *err)
{
	if (f && fclose(f) && !e)
		e = -ENOMEM;
	if (e) {
		free(*out);
		*out = NULL;
		if (e == -ENOMEM) {
			err->code = e;
			err->cls = NP_ERR_SYSTEM;
			snprintf(err->msg, sizeof(err->msg), "out of memory");
		}
	}
	return e;
}

static int emit_table(const struct plan_run *r, char **out, struct np_err *err)
{
	size_t len;
	FILE *f = open_memstream(out, &len);
	/* a memstream fails only for want of memory */
	int e = f && !view_plan_table(f, r->plan) ? 0 : -ENOMEM;

	return memstream_close(f, e, out, err);
}

/* One placed VM's text (emit_each and --out call these only for placed
 * VMs, unless the emitter writes a file for every VM). */
static int emit_libvirt_vm(const struct plan_run *r, size_t i, char **out,
			   struct np_err *err)
{
	return np_plan_emit_libvirt(r->plan, &r->plan->vms[i], &r->specs->v[i],
				    r->opts, out, err);
}

static int emit_qemu_vm(const struct plan_run *r, size_t i, char **out,
			struct np_err *err)
{
	return np_plan_emit_qemu(r->plan, &r->plan->vms[i], &r->specs->v[i],
				 r->qemu, out, err);
}

static int emit_pins_vm(const struct plan_run *r, size_t i, char **out,
			struct np_err *err)
{
	return np_plan_emit_qemu_pins(&r->plan->vms[i], out, err);
}

/* An unplaced VM in a QEMU argument list: a comment saying why. */
static void unplaced_shell(FILE *f, const struct np_plan_vm *vm)
{
	fprintf(f, "# %s: not placed: %s\n", vm->name,
		vm->reason ? vm->reason : "");
}

/* ... in a stream of domain XML: an XML comment ("--" may not be in one). */
static void unplaced_xml(FILE *f, const struct np_plan_vm *vm)
{
	fprintf(f, "<!-- %s: not placed: ", vm->name);
	for (const char *c = vm->reason ? vm->reason : ""; *c; c++)
		fputc(*c == '-' && c[1] == '-' ? '=' : *c, f);
	fputs(" -->\n", f);
}

/* How emit_each lays the VMs' texts out. */
struct each_layout {
	const char *head, *sep, *tail;
	const char *after;        /* after each VM's text */
	/* an unplaced VM's line; NULL: unplaced VMs are left out */
	void (*unplaced)(FILE *f, const struct np_plan_vm *vm);
};

/* Every VM's text in turn, as the layout says. */
static int emit_each(const struct plan_run *r,
		     int (*vm_text)(const struct plan_run *, size_t, char **,
				    struct np_err *),
		     const struct each_layout *l, char **out,
		     struct np_err *err)
{
	size_t len = 0;
	FILE *f = open_memstream(out, &len);
	bool first = true;
	int e = f ? 0 : -ENOMEM;

	if (f)
		fputs(l->head, f);
	for (size_t i = 0; !e && i < r->plan->nvms; i++) {
		const struct np_plan_vm *vm = &r->plan->vms[i];
		char *text = NULL;

		if (!vm->placed && !l->unplaced)
			continue;
		if (!first)
			fputs(l->sep, f);
		first = false;
		if (!vm->placed) {
			l->unplaced(f, vm);
			continue;
		}
		e = vm_text(r, i, &text, err);
		if (!e)
			fprintf(f, "%s%s", text, l->after);
		free(text);
	}
	if (f && !e)
		fputs(l->tail, f);
	return memstream_close(f, e, out, err);
}

static int emit_libvirt(const struct plan_run *r, char **out,
			struct np_err *err)
{
	static const struct each_layout l = { "", "", "", "\n", unplaced_xml };

	return emit_each(r, emit_libvirt_vm, &l, out, err);
}

static int emit_qemu(const struct plan_run *r, char **out, struct np_err *err)
{
	static const struct each_layout l = { "", "\n", "", "", unplaced_shell };

	return emit_each(r, emit_qemu_vm, &l, out, err);
}

static int emit_pins(const struct plan_run *r, char **out, struct np_err *err)
{
	static const struct each_layout l = { "[\n", ",\n", "]\n", "", NULL };

	return emit_each(r, emit_pins_vm, &l, out, err);
}

static const struct plan_emitter plan_emitters[] = {
	{ "json", emit_json, emit_json_vm, ".json", true },
	{ "table", emit_table, NULL, NULL, false },
	{ "libvirt", emit_libvirt, emit_libvirt_vm, ".xml", false },
	{ "qemu", emit_qemu, emit_qemu_vm, ".args", false },
	{ "qemu-pins", emit_pins, emit_pins_vm, ".pins.json", false },
};

static const struct plan_emitter *find_emitter(const char *name)
{
	for (size_t i = 0; i < sizeof(plan_emitters) / sizeof(plan_emitters[0]);
	     i++)
		if (!strcmp(plan_emitters[i].name, name))
			return &plan_emitters[i];
	return NULL;
}

/* ---- VM files ----------------------------------------------------------- */

typedef int vm_reader_fn(const char *text, size_t len, const char *origin,
			 struct np_vm_specs *out, struct np_err *err);

static int read_libvirt(const char *text, size_t len, const char *origin,
			struct np_vm_specs *out, struct np_err *err)
{
	return np_vm_spec_from_libvirt(text, len, origin, false, out, err);
}

static int read_libvirt_replace(const char *text, size_t len,
				const char *origin, struct np_vm_specs *out,
				struct np_err *err)
{
	return np_vm_spec_from_libvirt(text, len, origin, true, out, err);
}

/* What a VM file is, by its first non-blank byte. */
static const struct vm_reader {
	const char *first;        /* any of these bytes */
	vm_reader_fn *read;
} vm_readers[] = {
	{ "[", np_vm_specs_from_json },
	{ "#0123456789", np_vm_specs_from_lines },
	{ "<", read_libvirt },
};

static int read_vms(const char *path, struct np_vm_specs *out, bool plan_ok,
		    bool replace, struct np_plan_host *host)
{
	struct np_err err = { 0 };
	char *text = NULL;
	size_t len = 0, i = 0;
	int e;

	e = np_vm_file_read(path, &text, &len, &err);
	if (e) {
		np_err_line("plan: %s", err.msg);
		return np_exit_code(&err);
	}
	while (i < len && strchr(" \t\r\n", text[i]))
		i++;
	e = 1;
	for (size_t r = 0; e == 1 && i < len &&
	     r < sizeof(vm_readers) / sizeof(vm_readers[0]); r++)
		if (text[i] && strchr(vm_readers[r].first, text[i]))
			e = (replace && vm_readers[r].read == read_libvirt ?
			     read_libvirt_replace : vm_readers[r].read)(
				text, len, path, out, &err);
	if (e == 1 && plan_ok && i < len && text[i] == '{')
		e = np_plan_host_subtract_json(host, text, len, path, &err);
	free(text);
	if (e == 1) {
		np_err_line("plan: %s: not a VM list: expected a JSON array%s, "
			    "lines \"CPUS MEM_MIB\" or a libvirt domain", path, plan_ok ?
			    ", a plan JSON" : "");
		return NP_EXIT_USAGE;
	}
	if (e) {
		np_err_line("plan: %s", err.msg);
		return np_exit_code(&err);
	}
	return 0;
}

/* ---- options ------------------------------------------------------------ */

static int set_overcommit(const struct cli_option *opt, const char *arg)
{
	struct plan_cli *o = opt->value;
	char *end;
	double r;

	errno = 0;
	r = strtod(arg, &end);
	if (end == arg || *end || errno || !(r >= 1 && r <= 1000)) {
		np_err_line("plan: --cpu-overcommit: '%s' is not a ratio from 1 "
			    "to 1000", arg);
		return NP_EXIT_USAGE;
	}
	o->o.cpu_overcommit = r;
	return 0;
}

static int set_keep_free(const struct cli_option *opt, const char *arg)
{
	struct plan_cli *o = opt->value;
	const char *p = arg;
	uint64_t v, m;

	if (np_scan_decimal(&p, 65536, &v) || *p++ != ':' ||
	    np_parse_decimal(p, UINT64_C(1) << 30, &m) || !v || !m) {
		np_err_line("plan: --keep-free: '%s' is not VCPUS:MIB (both "
			    "above 0)", arg);
		return NP_EXIT_USAGE;
	}
	o->o.keep_free_vcpus = (unsigned)v;
	o->o.keep_free_mib = m;
	return 0;
}

static int set_seed(const struct cli_option *opt, const char *arg)
{
	struct plan_cli *o = opt->value;

	if (np_parse_decimal(arg, UINT64_MAX, &o->o.seed)) {
		np_err_line("plan: --seed: '%s' is not a number", arg);
		return NP_EXIT_USAGE;
	}
	return 0;
}

/* "4096" (every node) or "0:4096,1:1024" (per node). */
static int parse_reserve_mem(struct plan_cli *o)
{
	struct np_plan_reserve *r = &o->reserve;
	const char *p = o->reserve_mem;
	uint64_t a, b;

	if (!strchr(p, ':')) {
		if (!np_parse_decimal(p, UINT64_C(1) << 40, &r->mib_all))
			return 0;
		goto bad;
	}
	while (*p) {
		if (np_scan_decimal(&p, UINT_MAX, &a) || *p++ != ':' ||
		    np_scan_decimal(&p, UINT64_C(1) << 40, &b) ||
		    (*p && *p != ','))
			goto bad;
		if (*p)
			p++;
		unsigned *ids = realloc(r->mib_nodes, (r->nmib + 1) *
					sizeof(*ids));
		uint64_t *mib = ids ? realloc(r->mib, (r->nmib + 1) *
					      sizeof(*mib)) : NULL;

		if (ids)
			r->mib_nodes = ids;
		if (!mib) {
			np_err_line("plan: out of memory");
			return NP_EXIT_RUNTIME;
		}
		r->mib = mib;
		r->mib_nodes[r->nmib] = (unsigned)a;
		r->mib[r->nmib++] = b;
	}
	return 0;
bad:
	np_err_line("plan: --reserve-mem: '%s' is not MIB or NODE:MIB[,...]",
		    o->reserve_mem);
	return NP_EXIT_USAGE;
}

static enum cli_next parse_plan_opts(int argc, char **argv, struct plan_cli *o,
				     int *first, int *rc)
{
	const struct cli_option options[] = {
		CLI_STRING(0, "sysroot", &o->sysroot, "DIR"),
		CLI_STRING(0, "topology", &o->topology, "FILE"),
		CLI_STRING('s', "strategy", &o->strategy, "S"),
		CLI_CALLBACK(0, "seed", o, "N", set_seed, 0),
		CLI_STRING(0, "reserve-mem", &o->reserve_mem, "M"),
		CLI_IDS(0, "reserve-cpus", &o->reserve_cpus, "LIST"),
		CLI_CALLBACK(0, "cpu-overcommit", o, "R", set_overcommit, 0),
		CLI_FLAG(0, "allow-memory-only-nodes",
			 &o->o.allow_memory_only_nodes),
		CLI_CALLBACK(0, "keep-free", o, "V:MIB", set_keep_free, 0),
		CLI_STRING(0, "existing", &o->existing, "FILE"),
		CLI_STRING('e', "emit", &o->emit, "FORMAT"),
		CLI_STRING(0, "out", &o->out, "DIR"),
		CLI_FLAG(0, "explain", &o->o.explain),
		CLI_STRING(0, "hugetlbfs", &o->qemu.hugetlbfs, "DIR"),
		CLI_FLAG(0, "prealloc", &o->qemu.prealloc),
		CLI_FLAG(0, "replace", &o->replace),
		CLI_FLAG(0, "restrictive", &o->o.restrictive),
		CLI_FLAG(0, "allow-split", &o->o.allow_split),
		CLI_STRING(0, "advise", &o->advise, "V:MIB"),
		CLI_END(),
	};
	const struct cli_parser parser = { "plan", usage_plan, options, 0 };
	struct np_err err = { 0 };

	if (cli_parse_options(&parser, argc, argv, first, rc) == CLI_EXIT)
		return CLI_EXIT;
	*rc = NP_EXIT_USAGE;
	if (o->sysroot && o->topology) {
		np_err_line("plan: --sysroot and --topology exclude each other");
		return CLI_EXIT;
	}
	if (o->advise && *first < argc) {
		np_err_line("plan: --advise takes no VM file ('%s')",
			    argv[*first]);
		return CLI_EXIT;
	}
	if (o->advise && numad_parse_request(o->advise, &o->advise_vcpus,
					     &o->advise_mib, &err)) {
		np_err_line("plan: --advise: %s", err.msg);
		return CLI_EXIT;
	}
	if (*first >= argc && !o->advise) {
		np_err_line("plan: needs at least one VM file (see 'numaplace "
			    "plan --help')");
		return CLI_EXIT;
	}
	if (o->strategy && np_plan_strategy_parse(o->strategy,
						  &o->o.strategy, &err)) {
		np_err_line("plan: %s", err.msg);
		return CLI_EXIT;
	}
	if (!o->emit)
		o->emit = "json";
	if (!find_emitter(o->emit)) {
		np_err_line("plan: --emit: '%s' is not one of json, table, "
			    "libvirt, qemu, qemu-pins", o->emit);
		return CLI_EXIT;
	}
	if (o->out && !find_emitter(o->emit)->vm) {
		np_err_line("plan: --out: --emit %s has no file per VM",
			    o->emit);
		return CLI_EXIT;
	}
	if (o->reserve_mem && (*rc = parse_reserve_mem(o)))
		return CLI_EXIT;
	*rc = 0;
	return CLI_CONTINUE;
}

/* ---- the host ------------------------------------------------------------ */

static int load_host(struct plan_cli *o, struct np_plan_host **host)
{
	struct np_err err = { 0 };
	struct np_topo *t = NULL;
	struct np_idset all = { 0 };
	int e;

	if (o->topology)
		e = np_topo_from_file(o->topology, &t, &err);
	else
		e = np_topo_from_sysroot(o->sysroot ? o->sysroot : "/", &t,
					 &err);
	if (!e && o->reserve_cpus) {
		e = np_topo_cpu_set(t, &all);
		if (!e && np_idstr_parse(o->reserve_cpus, NP_IDSTR_CPUS, &all,
					 &all, &o->reserve.cpus, &err)) {
			np_err_line("plan: --reserve-cpus: %s", err.msg);
			np_idset_free(&all);
			np_topo_free(t);
			return NP_EXIT_USAGE;
		}
	}
	np_idset_free(&all);
	if (!e)
		e = np_plan_host_from_topo(t, &o->reserve, host, &err);
	np_topo_free(t);
	if (e) {
		np_err_line("plan: %s", err.msg);
		return np_exit_code(&err);
	}
	return 0;
}

/* ---- output -------------------------------------------------------------- */

static char *vm_path(const char *dir, const char *name, const char *ext)
{
	char *p = NULL;

	if (asprintf(&p, "%s/%s%s", dir, name, ext) < 0)
		return NULL;
	return p;
}

/* Every file rendered first, then each written whole. */
static int write_out_dir(const struct plan_cli *o, const struct plan_emitter *em,
			 const struct plan_run *r)
{
	size_t n = r->plan->nvms;
	char **texts = calloc(n ? n : 1, sizeof(*texts));
	struct np_err err = { 0 };
	int rc = texts ? 0 : NP_EXIT_RUNTIME;

	for (size_t i = 0; !rc && i < n; i++)
		if ((em->every_vm || r->plan->vms[i].placed) &&
		    em->vm(r, i, &texts[i], &err)) {
			np_err_line("plan: %s: %s", r->plan->vms[i].name, err.msg);
			rc = np_exit_code(&err);
		}
	for (size_t i = 0; !rc && i < n; i++) {
		char *path;

		if (!texts[i])
			continue;       /* not placed: the plan says why */
		path = vm_path(o->out, r->plan->vms[i].name, em->ext);

		if (!path || np_output_replace(path, texts[i], strlen(texts[i]),
					       &err)) {
			np_err_line("plan: --out: %s", path ? err.msg :
				    "out of memory");
			rc = path ? np_exit_code(&err) : NP_EXIT_RUNTIME;
		}
		free(path);
	}
	for (size_t i = 0; texts && i < n; i++)
		free(texts[i]);
	free(texts);
	return rc;
}

static int write_stdout(const struct plan_emitter *em, const struct plan_run *r)
{
	struct np_err err = { 0 };
	char *text = NULL;
	int rc;

	if (em->plan(r, &text, &err)) {
		np_err_line("plan: %s", err.msg);
		return np_exit_code(&err);
	}
	rc = np_emit(text, strlen(text));
	free(text);
	return rc;
}

/* A wrong --out DIR is said before the planning, not after it. */
static int check_out_dir(const struct plan_cli *o, const struct np_vm_specs *s)
{
	struct np_err err = { 0 };
	char *path;
	int e;

	if (!o->out || !s->n)
		return 0;
	path = vm_path(o->out, s->v[0].name, find_emitter(o->emit)->ext);
	if (!path) {
		np_err_line("plan: out of memory");
		return NP_EXIT_RUNTIME;
	}
	e = np_output_check(path, &err);
	free(path);
	if (e) {
		np_err_line("plan: --out: %s", err.msg);
		return np_exit_code(&err);
	}
	return 0;
}

/* numad's answer: the nodes, on one line, as numad -w prints them. */
static int advise(const struct plan_cli *o, const struct np_plan_host *host)
{
	struct np_idset nodes = { 0 };
	struct np_err err = { 0 };
	char *line;
	int rc;

	if (np_plan_advise(host, o->advise_vcpus, o->advise_mib, &nodes,
			   &err)) {
		np_err_line("plan: --advise %s: %s", o->advise, err.msg);
		return np_exit_code(&err);
	}
	line = numad_nodes_line(&nodes);
	np_idset_free(&nodes);
	if (!line) {
		np_err_line("plan: out of memory");
		return NP_EXIT_RUNTIME;
	}
	rc = np_emit(line, strlen(line));
	free(line);
	return rc;
}

int cmd_plan(int argc, char **argv)
{
	struct plan_cli o = { .o = { .cpu_overcommit = 1 } };
	struct np_vm_specs specs = { 0 }, existing = { 0 };
	struct np_plan_host *host = NULL;
	struct np_plan *plan = NULL;
	struct np_err err = { 0 };
	const struct plan_emitter *em;
	int first, rc;

	if (parse_plan_opts(argc, argv, &o, &first, &rc) == CLI_EXIT)
		goto out;
	em = find_emitter(o.emit);
	rc = load_host(&o, &host);
	if (!rc && o.advise) {
		rc = advise(&o, host);
		goto out;
	}
	for (int i = first; !rc && i < argc; i++)
		rc = read_vms(argv[i], &specs, false, o.replace, host);
	if (!rc && o.existing)
		rc = read_vms(o.existing, &existing, true, o.replace, host);
	if (!rc)
		rc = check_out_dir(&o, &specs);
	if (!rc && np_plan_make(host, &specs, &existing, &o.o, &plan, &err)) {
		np_err_line("plan: %s", err.msg);
		rc = np_exit_code(&err);
	}
	if (!rc) {
		struct plan_run r = { plan, &specs, &o.o, &o.qemu };

		rc = o.out ? write_out_dir(&o, em, &r) : write_stdout(em, &r);
	}
out:
	np_plan_free(plan);
	np_plan_host_free(host);
	np_vm_specs_free(&specs);
	np_vm_specs_free(&existing);
	free(o.reserve.mib_nodes);
	free(o.reserve.mib);
	np_idset_free(&o.reserve.cpus);
	return rc;
}
