/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * numaplace run: launch a command under a memory policy and CPU binding,
 * with numactl's options, so a script written for numactl keeps working.
 */
#include "cli/cli.h"
#include "cli/cli-opts.h"

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <numaplace/pages.h>
#include <numaplace/policy.h>
#include <numaplace/topo.h>
#include <numaplace/watch.h>

#include "view/view-placement.h"

void usage_run(FILE *out)
{
	fprintf(out,
		"usage: numaplace run [options] [--] CMD [ARG...]\n"
		"\n"
		"Runs CMD under a memory policy and CPU binding; the options are numactl's.\n"
		"\n"
		"    -m, --membind NODES         allocate only on NODES\n"
		"    -p, --preferred NODE        prefer NODE, fall back to others\n"
		"    -P, --preferred-many NODES  prefer NODES (Linux 5.15+)\n"
		"    -i, --interleave NODES      interleave pages over NODES\n"
		"    -w, --weighted-interleave NODES\n"
		"                                interleave by the kernel's node weights (6.9+)\n"
		"        --weights N:W,...       set those weights first (needs root; the\n"
		"                                kernel then turns its auto weights off)\n"
		"    -l, --localalloc            allocate on the node of the running CPU\n"
		"    -N, --cpunodebind NODES     run on the CPUs of NODES\n"
		"    -C, --physcpubind CPUS      run on CPUS\n"
		"    -b, --balancing             let NUMA balancing move pages (with --membind)\n"
		"    -a, --all                   NODES and CPUS relative to all, not the cpuset\n"
		"        --static / --relative   MPOL_F_STATIC_NODES / MPOL_F_RELATIVE_NODES\n"
		"        --report                when CMD ends, say on stderr where its pages\n"
		"                                were and how each node's memory changed\n"
		"    -h, --help                  show this help\n"
		"\n"
		"NODES and CPUS: 1 | 0-3 | 0,2-3 | all | !1 (all but 1) | +0-1 (relative to\n"
		"the cpuset).  CMD's exit status is numaplace's; a CMD that cannot run\n"
		"gives 127.\n");
}

struct run_opts {
	const char *nodes_str, *cpunodes_str, *cpus_str, *weights;
	enum np_policy_mode mode;
	unsigned flags;
	bool mode_set, all, report;
	char **cmd;               /* the command and its arguments */
};

/* The numactl option that sets a mode, for messages. */
static const char *mode_option(enum np_policy_mode mode)
{
	switch (mode) {
	case NP_POLICY_BIND: return "--membind";
	case NP_POLICY_PREFERRED: return "--preferred";
	case NP_POLICY_PREFERRED_MANY: return "--preferred-many";
	case NP_POLICY_INTERLEAVE: return "--interleave";
	case NP_POLICY_WEIGHTED_INTERLEAVE: return "--weighted-interleave";
	case NP_POLICY_LOCAL: return "--localalloc";
	default: return "--default";
	}
}

static int set_mode(const struct cli_option *opt, const char *nodes)
{
	struct run_opts *o = opt->value;
	enum np_policy_mode mode = (enum np_policy_mode)opt->data;

	if (o->mode_set && o->mode != mode) {
		np_err_line("run: %s and %s exclude each other",
			    mode_option(o->mode), mode_option(mode));
		return NP_EXIT_USAGE;
	}
	o->mode = mode;
	o->mode_set = true;
	o->nodes_str = nodes;
	return 0;
}

/*
 * No --sysroot: run sets the policy and CPU binding of a process on this
 * kernel, so it reads this machine's topology and the task's cpuset live.
 */
static enum cli_next parse_run_opts(int argc, char **argv, struct run_opts *o,
				    int *exit_code)
{
	const struct cli_option options[] = {
		CLI_CALLBACK('m', "membind", o, "NODES", set_mode,
			     NP_POLICY_BIND),
		CLI_CALLBACK('p', "preferred", o, "NODE", set_mode,
			     NP_POLICY_PREFERRED),
		CLI_CALLBACK('P', "preferred-many", o, "NODES", set_mode,
			     NP_POLICY_PREFERRED_MANY),
		CLI_CALLBACK('i', "interleave", o, "NODES", set_mode,
			     NP_POLICY_INTERLEAVE),
		CLI_CALLBACK('w', "weighted-interleave", o, "NODES", set_mode,
			     NP_POLICY_WEIGHTED_INTERLEAVE),
		CLI_STRING(0, "weights", &o->weights, "N:W,..."),
		CLI_CALLBACK('l', "localalloc", o, NULL, set_mode,
			     NP_POLICY_LOCAL),
		CLI_IDS('N', "cpunodebind", &o->cpunodes_str, "NODES"),
		CLI_IDS('c', "cpubind", &o->cpunodes_str, "NODES"),
		CLI_IDS('C', "physcpubind", &o->cpus_str, "CPUS"),
		CLI_BIT('b', "balancing", &o->flags, NP_POLICY_BALANCING),
		CLI_FLAG('a', "all", &o->all),
		CLI_BIT(0, "static", &o->flags, NP_POLICY_STATIC_NODES),
		CLI_BIT(0, "relative", &o->flags, NP_POLICY_RELATIVE_NODES),
		CLI_FLAG(0, "report", &o->report),
		CLI_END(),
	};
	const struct cli_parser parser = {
		"run", usage_run, options, CLI_STOP_AT_OPERAND,
	};
	int operand;

	if (cli_parse_options(&parser, argc, argv, &operand, exit_code) ==
	    CLI_EXIT)
		return CLI_EXIT;
	if (operand >= argc) {
		np_err_line("run: no command given");
		*exit_code = NP_EXIT_USAGE;
		return CLI_EXIT;
	}
	o->cmd = argv + operand;
	return CLI_CONTINUE;
}

/* What node and CPU strings may name, and what they are relative to. */
struct sets {
	struct np_idset nodes, cpus, allowed_nodes, allowed_cpus;
};

static void sets_free(struct sets *s)
{
	np_idset_free(&s->nodes);
	np_idset_free(&s->cpus);
	np_idset_free(&s->allowed_nodes);
	np_idset_free(&s->allowed_cpus);
}

static int load_sets(const struct np_topo *t, bool all, struct sets *s)
{
	struct np_err err = { 0 };

	memset(s, 0, sizeof(*s));
	if (np_topo_node_set(t, &s->nodes) || np_topo_cpu_set(t, &s->cpus)) {
		np_err_line("run: out of memory");
		return NP_EXIT_RUNTIME;
	}
	if (all)
		return np_topo_node_set(t, &s->allowed_nodes) ||
		       np_topo_cpu_set(t, &s->allowed_cpus) ? NP_EXIT_RUNTIME : 0;
	if (np_task_allowed("/", 0, t, &s->allowed_nodes, &s->allowed_cpus,
			    &err)) {
		np_err_line("run: %s", err.msg);
		return np_exit_code(&err);
	}
	return 0;
}

static int parse_ids(const char *what, const char *str, enum np_idstr_kind kind,
		     const struct sets *s, struct np_idset *out)
{
	struct np_err err = { 0 };

	if (np_idstr_parse(str, kind, kind == NP_IDSTR_NODES ? &s->nodes :
			   &s->cpus, kind == NP_IDSTR_NODES ? &s->allowed_nodes :
			   &s->allowed_cpus, out, &err)) {
		np_err_line("run: %s: %s", what, err.msg);
		return np_exit_code(&err);
	}
	return 0;
}

/* What CMD runs under, decided and checked before anything is changed
 * or forked: a bad option never leaves a weight written or a report of
 * numaplace's own child behind. */
struct plan {
	bool bind;                  /* set the CPU affinity to cpus */
	struct np_idset cpus;
	bool set_policy;            /* set pol */
	struct np_policy pol;
	struct np_wi_weight *weights;
	size_t nweights;
};

static void plan_free(struct plan *p)
{
	np_idset_free(&p->cpus);
	np_idset_free(&p->pol.nodes);
	free(p->weights);
}

static int plan_cpus(const struct np_topo *t, const struct run_opts *o,
		     const struct sets *s, struct plan *p)
{
	struct np_idset nodes = { 0 };
	struct np_err err = { 0 };
	int rc;

	if (!o->cpunodes_str && !o->cpus_str)
		return 0;
	p->bind = true;
	if (o->cpus_str)
		return parse_ids("--physcpubind", o->cpus_str, NP_IDSTR_CPUS, s,
				 &p->cpus);
	rc = parse_ids("--cpunodebind", o->cpunodes_str, NP_IDSTR_NODES, s,
		       &nodes);
	if (!rc && np_topo_cpus_of_nodes(t, &nodes, &s->allowed_cpus, &p->cpus,
					 &err)) {
		np_err_line("run: --cpunodebind: %s", err.msg);
		rc = np_exit_code(&err);
	}
	np_idset_free(&nodes);
	return rc;
}

/* Flag and option combinations the kernel would refuse or ignore. */
static int check_combinations(const struct run_opts *o)
{
	bool nodes = o->mode_set && o->mode != NP_POLICY_LOCAL;
	const char *why = NULL;

	if ((o->flags & NP_POLICY_STATIC_NODES) &&
	    (o->flags & NP_POLICY_RELATIVE_NODES))
		why = "--static and --relative exclude each other";
	else if ((o->flags & (NP_POLICY_STATIC_NODES |
			      NP_POLICY_RELATIVE_NODES)) && !nodes)
		why = "--static and --relative need a policy with nodes "
		      "(--membind, --preferred, --interleave, ...)";
	else if ((o->flags & NP_POLICY_BALANCING) &&
		 !(o->mode_set && o->mode == NP_POLICY_BIND))
		why = "--balancing needs --membind";
	else if (o->weights && !(o->mode_set &&
				 o->mode == NP_POLICY_WEIGHTED_INTERLEAVE))
		why = "--weights needs --weighted-interleave";
	if (!why)
		return 0;
	np_err_line("run: %s", why);
	return NP_EXIT_USAGE;
}

static int plan_policy(const struct np_topo *t, const struct run_opts *o,
		       const struct sets *s, struct plan *p)
{
	struct np_err err = { 0 };
	const char *what = mode_option(o->mode);
	int rc = 0;

	if (!o->mode_set)
		return 0;
	p->set_policy = true;
	p->pol = (struct np_policy){ o->mode, o->flags, { 0 } };
	if (o->nodes_str)
		rc = parse_ids(what, o->nodes_str, NP_IDSTR_NODES, s,
			       &p->pol.nodes);
	if (!rc && o->mode == NP_POLICY_PREFERRED && p->pol.nodes.n > 1) {
		np_err_line("run: --preferred takes one node (use "
			    "--preferred-many for several)");
		rc = NP_EXIT_USAGE;
	}
	if (!rc && p->pol.nodes.n &&
	    np_nodes_have_memory(t, &p->pol.nodes, &err)) {
		np_err_line("run: %s: %s", what, err.msg);
		rc = np_exit_code(&err);
	}
	if (!rc && o->weights && np_wi_parse_weights(o->weights, t, &p->weights,
						     &p->nweights, &err)) {
		np_err_line("run: --weights: %s", err.msg);
		rc = np_exit_code(&err);
	}
	return rc;
}

static int make_plan(const struct np_topo *t, const struct run_opts *o,
		     const struct sets *s, struct plan *p)
{
	int rc = check_combinations(o);

	/* numactl: "No NUMA available on this system", exit 1.  CPUs can
	 * still be bound (--physcpubind); nodes mean nothing. */
	if (!rc && t->not_numa && (o->mode_set || o->cpunodes_str)) {
		/* t->origin is the root the library read: "/" here */
		np_err_line("run: the kernel has no NUMA (no node directory "
			    "below %s): %s has no node to use", t->origin,
			    o->mode_set ? mode_option(o->mode) :
			    "--cpunodebind");
		return NP_EXIT_RUNTIME;
	}
	if (!rc)
		rc = plan_cpus(t, o, s, p);
	if (!rc)
		rc = plan_policy(t, o, s, p);
	return rc;
}

/* Binds, writes the weights, sets the policy: in the process that then
 * becomes CMD. */
static int apply_plan(const struct plan *p)
{
	struct np_err err = { 0 };

	if (p->bind && np_task_bind_cpus(&p->cpus, &err))
		goto fail;
	for (size_t i = 0; i < p->nweights; i++)
		if (np_wi_set_weight("/", p->weights[i].node,
				     p->weights[i].weight, &err)) {
			np_err_line("run: --weights: %s", err.msg);
			return np_exit_code(&err);
		}
	if (p->set_policy && np_policy_apply(&p->pol, &err))
		goto fail;
	return 0;
fail:
	np_err_line("run: %s", err.msg);
	return np_exit_code(&err);
}

/* Whether execvp would find cmd: a path, or a name on PATH. */
static bool findable(const char *cmd)
{
	const char *path = getenv("PATH");
	bool denied = false;
	char buf[4096];

	if (strchr(cmd, '/'))
		return access(cmd, X_OK) == 0;
	/* execvp's default search path when PATH is unset */
	if (!path)
		path = "/bin:/usr/bin";
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		int n = snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(end - p), p,
				 end == p ? "" : "/", cmd);

		if (n > 0 && (size_t)n < sizeof(buf)) {
			if (access(buf, X_OK) == 0)
				return true;
			denied |= errno == EACCES;
		}
		if (!*end)
			break;
		p = end;
	}
	/* As execvp reports it: EACCES if one was found but not runnable. */
	errno = denied ? EACCES : ENOENT;
	return false;
}

/* ---- --report ---------------------------------------------------------- */

/* The meminfo parts a node's used memory is split into. */
static const char *const parts[] = {
	"AnonPages", "FilePages", "Shmem", "Slab", "PageTables", "KernelStack",
};
#define NPARTS (sizeof(parts) / sizeof(parts[0]))

static int64_t meminfo_kib(const struct np_node *n, const char *name)
{
	for (size_t i = 0; i < n->nmeminfo; i++)
		if (!strcmp(n->meminfo[i].name, name))
			return (int64_t)n->meminfo[i].value;
	return 0;
}

/* MemUsed and its parts per node: after minus before, in MiB. */
static void print_machine_delta(const struct np_topo *before,
				const struct np_topo *after)
{
	fprintf(stderr, "\nChange of each node's used memory while it ran, in MiB"
		" (that sample minus the start):\n%-14s", "");
	for (size_t i = 0; i < before->nnodes; i++) {
		char h[16];

		snprintf(h, sizeof(h), "node %u", before->nodes[i].id);
		fprintf(stderr, " %10s", h);
	}
	fprintf(stderr, "\n");
	for (size_t p = 0; p <= NPARTS + 1; p++) {
		const char *name = p == 0 ? "MemUsed" : p <= NPARTS ?
			parts[p - 1] : "other";

		fprintf(stderr, "%s%-*s", p ? "  " : "", p ? 12 : 14, name);
		for (size_t i = 0; i < before->nnodes && i < after->nnodes; i++) {
			const struct np_node *a = &after->nodes[i];
			const struct np_node *b = &before->nodes[i];
			int64_t d;

			if (p <= NPARTS)
				d = meminfo_kib(a, p ? parts[p - 1] : "MemUsed") -
				    meminfo_kib(b, p ? parts[p - 1] : "MemUsed");
			else {
				d = meminfo_kib(a, "MemUsed") - meminfo_kib(b, "MemUsed");
				for (size_t k = 0; k < NPARTS; k++)
					d -= meminfo_kib(a, parts[k]) -
					     meminfo_kib(b, parts[k]);
			}
			fprintf(stderr, " %+10.2f", (double)d / 1024.0);
		}
		fprintf(stderr, "\n");
	}
}

static void report(const struct np_watch *w, const char *cmd)
{
	struct np_placement pl = { 0 };

	fprintf(stderr, "\nnumaplace run --report:\n");
	if (!w->peak.machine ||
	    np_placement_account(&pl, &w->peak.maps, NULL)) {
		fprintf(stderr, "%s ended before it could be sampled.\n", cmd);
		np_placement_free(&pl);
		return;
	}
	fprintf(stderr, "At the sample with the most memory (%.1f MiB), %.0f "
		"ms after the start, of %u; the last, at %.0f ms, had %.1f "
		"MiB:\n", (double)w->peak.bytes / (1024.0 * 1024.0),
		w->peak.at_ms, w->samples, w->last_at_ms,
		(double)w->last_bytes / (1024.0 * 1024.0));
	placement_print(stderr, &pl, (int)w->pid, cmd);
	print_machine_delta(w->before, w->peak.machine);
	np_placement_free(&pl);
}

/*
 * SIGKILL while bound to nodes that had little free memory left is the
 * kernel's OOM killer at work: a binding makes the other nodes' memory
 * unusable, so say which nodes ran dry.
 */
static void explain_kill(const char *cmd, const struct np_watch *w)
{
	struct np_idset nodes = { 0 };
	char mode[32];
	int n = 0;

	for (size_t i = 0; i < w->peak.maps.n && n <= 0; i++)
		n = np_policy_nodes(w->peak.maps.maps[i].policy, &nodes, mode,
				    sizeof(mode));
	fprintf(stderr, "\n%s was killed by SIGKILL", cmd);
	if (n <= 0 || strcmp(mode, "bind") || !w->peak.machine) {
		fprintf(stderr, ".\n");
		np_idset_free(&nodes);
		return;
	}
	fprintf(stderr, " while bound to node");
	for (size_t i = 0; i < nodes.n; i++)
		fprintf(stderr, "%s %u", i ? "," : (nodes.n > 1 ? "s" : ""),
			nodes.ids[i]);
	fprintf(stderr, ": most likely the kernel's OOM killer, as those nodes "
		"ran out of memory (free at the sample with the most memory:");
	for (size_t i = 0; i < nodes.n; i++) {
		long idx = np_topo_node_index(w->peak.machine, nodes.ids[i]);

		if (idx >= 0)
			fprintf(stderr, " node %u %.1f MiB", nodes.ids[i],
				(double)w->peak.machine->nodes[idx].free_bytes /
				(1024.0 * 1024.0));
	}
	fprintf(stderr, "); memory on other nodes cannot be used under "
		"--membind (--preferred would fall back).\n");
	np_idset_free(&nodes);
}

/* What the command runs under, and the command: for the watched child. */
struct launch {
	const struct plan *plan;
	char **cmd;
};

/* In the child: bind, set the policy, become the command. */
static int launch(void *ctx)
{
	const struct launch *l = ctx;
	int rc = apply_plan(l->plan);

	if (rc)
		return rc;
	execvp(l->cmd[0], l->cmd);
	np_err_line("run: %s: %s", l->cmd[0], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

static int run_reported(const struct plan *p, char **cmd)
{
	struct launch l = { p, cmd };
	struct np_err err = { 0 };
	struct np_watch w;
	int status;

	/* A command that cannot start gets one line, not a report of the
	 * child that tried. */
	if (!findable(cmd[0])) {
		np_err_line("run: %s: %s", cmd[0], strerror(errno));
		return errno == ENOENT ? 127 : 126;
	}
	if (np_watch_command(launch, &l, &w, &err)) {
		np_err_line("run: --report: %s", err.msg);
		np_watch_free(&w);
		return np_exit_code(&err);
	}
	status = w.wait_status;
	report(&w, cmd[0]);
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		explain_kill(cmd[0], &w);
	np_watch_free(&w);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct np_err err = { 0 };
	struct np_topo *t = NULL;
	struct plan p = { 0 };
	struct sets s;
	int rc;

	memset(&o, 0, sizeof(o));
	if (parse_run_opts(argc, argv, &o, &rc) == CLI_EXIT)
		return rc;
	if (np_topo_from_sysroot_parts("/", NP_TOPO_BASIC, &t, &err)) {
		np_err_line("%s", err.msg);
		return np_exit_code(&err);
	}
	rc = load_sets(t, o.all, &s);
	if (!rc)
		rc = make_plan(t, &o, &s, &p);
	sets_free(&s);
	np_topo_free(t);
	if (!rc && o.report)
		rc = run_reported(&p, o.cmd);
	else if (!rc && !(rc = apply_plan(&p))) {
		fflush(NULL);
		execvp(o.cmd[0], o.cmd);
		np_err_line("run: %s: %s", o.cmd[0], strerror(errno));
		rc = errno == ENOENT ? 127 : 126;
	}
	plan_free(&p);
	return rc;
}
