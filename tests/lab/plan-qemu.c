/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np-plan-qemu: the QEMU side of issue 14's tests, on the host and in lab
 * guests, through the library's API (the planner's command is not needed
 * for a hand-built plan).
 *
 * np-plan-qemu args [--prealloc] [--hugepages BYTES] [--hugetlbfs PATH]
 *                   [--dedicated] [--dist MATRIX] [--pins FILE]
 *                   NAME NODE:VCPUS:MIB:CPUS...
 * np-plan-qemu args --interleave [...] NAME NODES:VCPUS:MIB:CPUS
 *   Builds a placed VM with one guest cell per NODE:VCPUS:MIB:CPUS (in
 *   order; a cell's vCPUs may run on CPUS, or with --dedicated each on
 *   its own CPU of CPUS in turn), guest distances MATRIX ("10,21;31,10",
 *   default 10 local, 20 remote), or with --interleave no cells and MIB
 *   interleaved over NODES ("0,2-3"); prints np_plan_emit_qemu's
 *   arguments and writes np_plan_emit_qemu_pins's JSON to FILE.
 *
 * np-plan-qemu check --qmp SOCKET --pins FILE [--pid PID] [--wait S]
 *   Waits up to S seconds (default 10) for the socket, then checks with
 *   QMP that every backend of FILE exists with its size, policy and host
 *   nodes, and that QEMU has FILE's vCPUs in the guest nodes FILE
 *   says; pins each vCPU thread (query-cpus-fast) to its host CPUs with
 *   np_thread_bind_cpus and reads the affinity back with
 *   sched_getaffinity(2) itself.  With --pid, asks move_pages(2) where
 *   every page of each backend's mapping (the mappings numa_maps shows
 *   with the backend's policy, "bind:1" or "interleave:0,2-3", their
 *   extent from /proc/PID/maps) is.  Prints
 *   one line per finding and "check: ok" or "check: N failed"; exits 0
 *   or 1.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include <numaplace/pages.h>
#include <numaplace/plan.h>
#include <numaplace/policy.h>
#include <numaplace/qmp.h>

#include "linux/linux-pages.h"

static unsigned failures;

static void finding(bool good, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void finding(bool good, const char *fmt, ...)
{
	va_list ap;

	if (!good)
		failures++;
	printf("%s", good ? "" : "FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						      noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "np-plan-qemu: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

/* "0-3,8" into an id set (ascending input), up to stop or the end. */
static const char *parse_ids(const char *s, char stop, struct np_idset *out)
{
	char *end;

	*out = (struct np_idset){ 0 };
	while (*s && *s != stop) {
		unsigned long lo = strtoul(s, &end, 10), hi = lo;

		if (end == s)
			die("'%s': not a CPU list", s);
		if (*end == '-')
			hi = strtoul(end + 1, &end, 10);
		for (unsigned long i = lo; i <= hi; i++)
			if (np_idset_push(out, (unsigned)i))
				die("'%s': not ascending", s);
		if (*end == ',')
			end++;
		else if (*end && *end != stop)
			die("'%s': not a CPU list", s);
		s = end;
	}
	if (!out->n)
		die("an empty CPU list");
	return *s ? s + 1 : s;
}

struct args_opts {
	struct np_plan_qemu_opts q;
	uint64_t hugepage_bytes;
	bool dedicated, interleave;
	const char *dist, *pins;
};

static void parse_dist(const char *s, struct np_plan_vm *vm)
{
	size_t n = vm->ncells, k = 0;

	vm->guest_distances = calloc(n * n, sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			vm->guest_distances[i * n + j] = i == j ? 10 : 20;
	while (s && *s) {
		char *end;

		if (k == n * n)
			die("--dist: more than %zu entries", n * n);
		vm->guest_distances[k++] = (uint32_t)strtoul(s, &end, 10);
		if (end == s || (*end && *end != ',' && *end != ';'))
			die("--dist: '%s'", s);
		s = *end ? end + 1 : end;
	}
	if (s && k != n * n)
		die("--dist: %zu entries for %zu cells", k, n);
}

/* The vCPUs' CPUs of the next nv vCPUs from CPU list s. */
static void add_vcpus(struct np_plan_vm *vm, unsigned nv, const char *s,
		      const struct args_opts *o)
{
	struct np_idset cpus;

	parse_ids(s, '\0', &cpus);
	vm->vcpu_cpus = realloc(vm->vcpu_cpus, (vm->vcpus + nv) *
				sizeof(*vm->vcpu_cpus));
	for (unsigned i = 0; i < nv; i++) {
		struct np_idset *pin = &vm->vcpu_cpus[vm->vcpus + i];

		*pin = (struct np_idset){ 0 };
		if (o->dedicated)
			np_idset_push(pin, cpus.ids[i % cpus.n]);
		else
			for (size_t j = 0; j < cpus.n; j++)
				np_idset_push(pin, cpus.ids[j]);
	}
	vm->vcpus += nv;
	np_idset_free(&cpus);
}

/* NODE:VCPUS:MIB:CPUS into cell k; its vCPUs follow the VM's so far. */
static void parse_cell(const char *s, struct np_plan_vm *vm, size_t k,
		       const struct args_opts *o)
{
	unsigned node, nv;
	unsigned long long mib;
	int used = 0;

	if (sscanf(s, "%u:%u:%llu:%n", &node, &nv, &mib, &used) != 3 || !used)
		die("'%s': not NODE:VCPUS:MIB:CPUS", s);
	vm->cells[k] = (struct np_plan_cell){ vm->vcpus, nv, mib, node };
	add_vcpus(vm, nv, s + used, o);
}

/* NODES:VCPUS:MIB:CPUS: no cells, MIB spread evenly over NODES. */
static void parse_interleaved(const char *s, struct np_plan_vm *vm,
			      const struct args_opts *o)
{
	const char *rest = parse_ids(s, ':', &vm->nodes);
	unsigned nv;
	unsigned long long mib;
	int used = 0;

	if (sscanf(rest, "%u:%llu:%n", &nv, &mib, &used) != 2 || !used)
		die("'%s': not NODES:VCPUS:MIB:CPUS", s);
	vm->interleaved = true;
	vm->memory_mib = calloc(vm->nodes.n, sizeof(*vm->memory_mib));
	for (size_t i = 0; i < vm->nodes.n; i++)
		vm->memory_mib[i] = mib / vm->nodes.n +
				    (i < mib % vm->nodes.n);
	add_vcpus(vm, nv, rest + used, o);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) == EOF || fclose(f))
		die("%s: %s", path, strerror(errno));
}

static int cmd_args(int argc, char **argv)
{
	struct args_opts o = { 0 };
	struct np_plan_vm vm = { .placed = true };
	struct np_vm_spec spec = { 0 };
	struct np_err err = { 0 };
	char *out = NULL;
	int i = 0;

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--prealloc")) {
			o.q.prealloc = true;
			continue;
		}
		if (!strcmp(a, "--dedicated")) {
			o.dedicated = true;
			continue;
		}
		if (!strcmp(a, "--interleave")) {
			o.interleave = true;
			continue;
		}
		if (!v)
			die("%s: needs a value", a);
		i++;
		if (!strcmp(a, "--hugepages"))
			o.hugepage_bytes = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--hugetlbfs"))
			o.q.hugetlbfs = v;
		else if (!strcmp(a, "--dist"))
			o.dist = v;
		else if (!strcmp(a, "--pins"))
			o.pins = v;
		else
			die("%s: unknown option", a);
	}
	if (argc - i < 2)
		die("usage: np-plan-qemu args [options] NAME NODE:VCPUS:MIB:CPUS...");
	vm.name = argv[i++];
	if (o.interleave) {
		parse_interleaved(argv[i], &vm, &o);
	} else {
		vm.ncells = (size_t)(argc - i);
		vm.cells = calloc(vm.ncells, sizeof(*vm.cells));
		for (size_t k = 0; k < vm.ncells; k++)
			parse_cell(argv[i + (int)k], &vm, k, &o);
		parse_dist(o.dist, &vm);
	}
	spec.hugepage_bytes = o.hugepage_bytes;
	if (np_plan_emit_qemu(NULL, &vm, &spec, &o.q, &out, &err))
		die("%s", err.msg);
	fputs(out, stdout);
	free(out);
	if (o.pins) {
		if (np_plan_emit_qemu_pins(&vm, &out, &err))
			die("%s", err.msg);
		write_file(o.pins, out);
		free(out);
	}
	for (unsigned v = 0; v < vm.vcpus; v++)
		np_idset_free(&vm.vcpu_cpus[v]);
	free(vm.vcpu_cpus);
	free(vm.cells);
	free(vm.guest_distances);
	free(vm.memory_mib);
	np_idset_free(&vm.nodes);
	return 0;
}

/* ---- check -------------------------------------------------------------- */

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		die("pins file: no \"%s\"", key);
	return v;
}

static void ids_of(json_object *arr, struct np_idset *out)
{
	*out = (struct np_idset){ 0 };
	for (size_t i = 0; i < json_object_array_length(arr); i++)
		np_idset_push(out, (unsigned)json_object_get_int(
				json_object_array_get_idx(arr, i)));
}

static bool same_ids(const struct np_idset *a, const struct np_idset *b)
{
	return a->n == b->n && (!a->n || !memcmp(a->ids, b->ids,
						 a->n * sizeof(*a->ids)));
}

/* "0,2-3", as numa_maps and the kernel's lists write a set. */
static const char *ids_str(const struct np_idset *s, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->n && n + 24 < size;) {
		size_t j = i;

		while (j + 1 < s->n && s->ids[j + 1] == s->ids[j] + 1)
			j++;
		n += (size_t)snprintf(buf + n, size - n, "%s%u", i ? "," : "",
				      s->ids[i]);
		if (j > i)
			n += (size_t)snprintf(buf + n, size - n, "-%u", s->ids[j]);
		i = j + 1;
	}
	return buf;
}

/* QEMU binds its socket before it listens: until the deadline, a socket
 * that is not there yet or refuses is tried again. */
static struct np_qmp *connect_wait(const char *sock, unsigned wait_s)
{
	struct np_err err = { 0 };
	struct np_qmp *q = NULL;
	int e;

	for (unsigned i = 0;; i++) {
		e = np_qmp_open(sock, 10000, &q, &err);
		if (!e)
			return q;
		if ((e != -ENOENT && e != -ECONNREFUSED) || i >= wait_s * 20)
			die("%s", err.msg);
		usleep(50000);
	}
}

static void check_memdevs(struct np_qmp *q, json_object *pins)
{
	json_object *devs = member(pins, "memdevs");
	struct np_qmp_memdev *m = NULL;
	struct np_err err = { 0 };
	size_t n = 0;

	if (np_qmp_query_memdev(q, &m, &n, &err))
		die("%s", err.msg);
	finding(n == json_object_array_length(devs), "query-memdev: %zu "
		"backends, planned %zu", n, json_object_array_length(devs));
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);
		const char *id = json_object_get_string(member(d, "id"));
		uint64_t bytes = (uint64_t)json_object_get_int64(
			member(d, "size_mib")) << 20;
		const char *policy = json_object_get_string(member(d, "policy"));
		struct np_idset want;
		const struct np_qmp_memdev *got = NULL;
		char a[256], b[256];

		ids_of(member(d, "host_nodes"), &want);
		for (size_t k = 0; k < n; k++)
			if (m[k].id && !strcmp(m[k].id, id))
				got = &m[k];
		if (!got) {
			finding(false, "memdev %s: not in query-memdev", id);
		} else {
			finding(got->size_bytes == bytes &&
				!strcmp(got->policy, policy) &&
				same_ids(&got->host_nodes, &want),
				"memdev %s: size %llu policy %s host-nodes %s "
				"prealloc %s (planned size %llu policy %s "
				"host-nodes %s)", id,
				(unsigned long long)got->size_bytes, got->policy,
				ids_str(&got->host_nodes, a, sizeof(a)),
				got->prealloc ? "on" : "off",
				(unsigned long long)bytes, policy,
				ids_str(&want, b, sizeof(b)));
		}
		np_idset_free(&want);
	}
	np_qmp_memdevs_free(m, n);
}

/* The thread's affinity by the system call itself, not the library. */
static void affinity_of(pid_t tid, struct np_idset *out)
{
	cpu_set_t set;

	*out = (struct np_idset){ 0 };
	CPU_ZERO(&set);
	if (sched_getaffinity(tid, sizeof(set), &set))
		return;
	for (unsigned c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			np_idset_push(out, c);
}

static void check_vcpus(struct np_qmp *q, json_object *pins)
{
	json_object *list = member(pins, "vcpu_pins");
	size_t want_n = json_object_array_length(list), n = 0;
	struct np_qmp_cpu *c = NULL;
	struct np_err err = { 0 };

	if (np_qmp_query_cpus(q, &c, &n, &err))
		die("%s", err.msg);
	finding(n == want_n && (int)want_n == json_object_get_int(
			member(pins, "vcpus")),
		"query-cpus-fast: %zu vCPUs, planned %zu", n, want_n);
	for (size_t i = 0; i < n && i < want_n; i++) {
		json_object *p = json_object_array_get_idx(list, i);
		int node = json_object_get_int(member(p, "guest_node"));
		struct np_idset want, got;
		char a[256], b[256];

		ids_of(member(p, "host_cpus"), &want);
		finding(c[i].cpu_index == i && c[i].node_id == node,
			"vcpu %zu: guest node %d (planned %d)", i, c[i].node_id,
			node);
		if (np_thread_bind_cpus(c[i].thread_id, &want, &err))
			finding(false, "vcpu %zu: %s", i, err.msg);
		affinity_of(c[i].thread_id, &got);
		finding(same_ids(&got, &want), "vcpu %zu: thread %d pinned to %s "
			"(planned %s)", i, (int)c[i].thread_id,
			ids_str(&got, a, sizeof(a)), ids_str(&want, b, sizeof(b)));
		np_idset_free(&want);
		np_idset_free(&got);
	}
	free(c);
}

/* The end of the mapping that starts at start, from /proc/PID/maps. */
static uint64_t mapping_end(pid_t pid, uint64_t start)
{
	char path[64], line[512];
	uint64_t end = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;

		if (sscanf(line, "%llx-%llx", &lo, &hi) == 2 && lo == start)
			end = hi;
	}
	if (f)
		fclose(f);
	return end;
}

/* Counts the pages of pid's mapping at start by the node move_pages
 * says they are on (NP_MAX_NODES: not present). */
static void count_mapping(pid_t pid, uint64_t start, uint64_t *per_node,
			  uint64_t *absent)
{
	uint64_t end = mapping_end(pid, start);
	size_t n = (size_t)((end - start) / 4096);
	void **pages = calloc(n + 1, sizeof(*pages));
	int *status = calloc(n + 1, sizeof(*status));
	struct np_err err = { 0 };

	for (size_t k = 0; k < n; k++)
		pages[k] = (void *)(uintptr_t)(start + k * 4096);
	if (np_move_pages(pid, n, pages, NULL, status, 0, &err))
		die("%s", err.msg);
	for (size_t k = 0; k < n; k++) {
		if (status[k] >= 0 && status[k] < (int)NP_MAX_NODES)
			per_node[status[k]]++;
		else
			(*absent)++;
	}
	free(pages);
	free(status);
}

/* Pages of pid's mappings whose numa_maps policy is policy, per node. */
static void pages_of_policy(pid_t pid, const char *policy, uint64_t *per_node,
			    uint64_t *absent)
{
	struct np_numa_maps maps;
	struct np_err err = { 0 };

	*absent = 0;
	memset(per_node, 0, NP_MAX_NODES * sizeof(*per_node));
	if (np_numa_maps_read("/", pid, &maps, &err))
		die("%s", err.msg);
	for (size_t i = 0; i < maps.n; i++)
		if (!strcmp(maps.maps[i].policy, policy))
			count_mapping(pid, maps.maps[i].start, per_node, absent);
	np_numa_maps_free(&maps);
}

/* Every page of each backend on its host nodes; an interleaved one has
 * pages on each of them. */
static void check_pages(pid_t pid, json_object *pins)
{
	static uint64_t per_node[NP_MAX_NODES];
	json_object *devs = member(pins, "memdevs");

	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);
		uint64_t want = (uint64_t)json_object_get_int64(
			member(d, "size_mib")) << 20 >> 12;
		uint64_t on = 0, off = 0, absent;
		bool each = true;
		struct np_idset nodes;
		char list[256], policy[300];

		ids_of(member(d, "host_nodes"), &nodes);
		ids_str(&nodes, list, sizeof(list));
		snprintf(policy, sizeof(policy), "%s:%s",
			 json_object_get_string(member(d, "policy")), list);
		pages_of_policy(pid, policy, per_node, &absent);
		for (unsigned n = 0; n < NP_MAX_NODES; n++) {
			if (np_idset_contains(&nodes, n))
				on += per_node[n];
			else
				off += per_node[n];
		}
		for (size_t k = 0; k < nodes.n; k++)
			each &= per_node[nodes.ids[k]] > 0;
		finding(on >= want && !off && each, "memdev %s: move_pages: %llu "
			"pages on node%s %s, %llu elsewhere, %llu not present "
			"(planned %llu on node%s %s)",
			json_object_get_string(member(d, "id")),
			(unsigned long long)on, nodes.n > 1 ? "s" : "", list,
			(unsigned long long)off, (unsigned long long)absent,
			(unsigned long long)want, nodes.n > 1 ? "s" : "", list);
		for (size_t k = 0; nodes.n > 1 && k < nodes.n; k++)
			printf("memdev %s: node %u: %llu pages\n",
			       json_object_get_string(member(d, "id")),
			       nodes.ids[k],
			       (unsigned long long)per_node[nodes.ids[k]]);
		np_idset_free(&nodes);
	}
}

static int cmd_check(int argc, char **argv)
{
	const char *sock = NULL, *pins_path = NULL;
	unsigned wait_s = 10;
	pid_t pid = 0;
	json_object *pins;
	struct np_qmp *q;

	for (int i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--qmp"))
			sock = argv[i + 1];
		else if (!strcmp(argv[i], "--pins"))
			pins_path = argv[i + 1];
		else if (!strcmp(argv[i], "--pid"))
			pid = (pid_t)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--wait"))
			wait_s = (unsigned)atoi(argv[i + 1]);
		else
			die("%s: unknown option", argv[i]);
	}
	if (!sock || !pins_path)
		die("usage: np-plan-qemu check --qmp SOCKET --pins FILE [--pid PID]");
	pins = json_object_from_file(pins_path);
	if (!pins)
		die("%s: not JSON", pins_path);
	q = connect_wait(sock, wait_s);
	check_memdevs(q, pins);
	check_vcpus(q, pins);
	np_qmp_close(q);
	if (pid)
		check_pages(pid, pins);
	json_object_put(pins);
	if (failures)
		printf("check: %u failed\n", failures);
	else
		printf("check: ok\n");
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "args"))
		return cmd_args(argc - 2, argv + 2);
	if (argc > 1 && !strcmp(argv[1], "check"))
		return cmd_check(argc - 2, argv + 2);
	die("usage: np-plan-qemu args|check ...");
}
