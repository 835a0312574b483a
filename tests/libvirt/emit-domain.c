/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libvirt tests' domain writer: a one-cell plan made by hand (the
 * VM on host node NODE, its vCPUs on the CPUs of CPULIST) written by
 * np_plan_emit_libvirt(), to stdout.
 *
 *   emit-domain NAME VCPUS MIB NODE CPULIST [--dedicated] [--in FILE]
 *
 * --dedicated pins vCPU v to the v-th CPU of CPULIST alone (else every
 * vCPU may run on all of them); --in edits that domain XML instead of
 * writing a new one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/plan.h>
#include <numaplace/units.h>

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	do {
		if (len + 4096 + 1 > cap) {
			cap = 2 * cap + 8192;
			buf = realloc(buf, cap);
			if (!buf)
				break;
		}
		n = fread(buf + len, 1, 4096, f);
		len += n;
	} while (n);
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* "0-1,4": the CPU ids, in order. */
static int parse_cpus(const char *s, struct np_idset *out)
{
	while (*s) {
		uint64_t a, b;

		if (np_scan_decimal(&s, 65535, &a) < 0)
			return -EINVAL;
		b = a;
		if (*s == '-' && (s++, np_scan_decimal(&s, 65535, &b) < 0))
			return -EINVAL;
		for (uint64_t c = a; c <= b; c++)
			if (np_idset_push(out, (unsigned)c) < 0)
				return -EINVAL;
		if (*s == ',')
			s++;
		else if (*s)
			return -EINVAL;
	}
	return out->n ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	struct np_vm_spec spec = { 0 };
	struct np_plan_vm vm = { 0 };
	struct np_plan plan = { 0 };
	struct np_plan_cell cell;
	struct np_idset cpus = { 0 };
	struct np_err err = { 0 };
	uint64_t vcpus, mib, node;
	bool dedicated = false;
	const char *in = NULL;
	char *out = NULL;
	int rc;

	if (argc < 6 || np_parse_decimal(argv[2], 4096, &vcpus) < 0 ||
	    np_parse_decimal(argv[3], UINT32_MAX, &mib) < 0 ||
	    np_parse_decimal(argv[4], 4095, &node) < 0 ||
	    parse_cpus(argv[5], &cpus) < 0 || vcpus == 0) {
		fprintf(stderr, "usage: emit-domain NAME VCPUS MIB NODE "
			"CPULIST [--dedicated] [--in FILE]\n");
		return 2;
	}
	for (int i = 6; i < argc; i++) {
		if (strcmp(argv[i], "--dedicated") == 0)
			dedicated = true;
		else if (strcmp(argv[i], "--in") == 0 && i + 1 < argc)
			in = argv[++i];
	}
	spec.name = argv[1];
	spec.vcpus = (unsigned)vcpus;
	spec.memory_mib = mib;
	spec.origin = (char *)(in ? in : argv[1]);
	if (in && !(spec.libvirt_xml = slurp(in))) {
		perror(in);
		return 1;
	}
	vm.name = argv[1];
	vm.placed = true;
	vm.vcpus = spec.vcpus;
	np_idset_push(&vm.nodes, (unsigned)node);
	vm.memory_mib = &mib;
	cell = (struct np_plan_cell){ 0, spec.vcpus, mib, (unsigned)node };
	vm.cells = &cell;
	vm.ncells = 1;
	vm.vcpu_cpus = calloc(vcpus, sizeof(*vm.vcpu_cpus));
	for (unsigned v = 0; vm.vcpu_cpus && v < vcpus; v++)
		for (size_t i = 0; i < cpus.n; i++)
			if (!dedicated || i == v % cpus.n)
				np_idset_push(&vm.vcpu_cpus[v], cpus.ids[i]);
	plan.vms = &vm;
	plan.nvms = plan.placed = 1;
	rc = np_plan_emit_libvirt(&plan, &vm, &spec, NULL, &out, &err);
	if (rc < 0)
		fprintf(stderr, "emit-domain: %s\n", err.msg);
	else
		fputs(out, stdout);
	free(out);
	for (unsigned v = 0; vm.vcpu_cpus && v < vcpus; v++)
		np_idset_free(&vm.vcpu_cpus[v]);
	free(vm.vcpu_cpus);
	np_idset_free(&vm.nodes);
	np_idset_free(&cpus);
	free(spec.libvirt_xml);
	return rc < 0 ? 1 : 0;
}
