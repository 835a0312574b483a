/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * np_vm_spec_from_libvirt on the whole input.  A rejected domain comes
 * with an error code and a one-line message; an accepted one keeps the
 * promises of plan.h, and writing a one-node plan into it
 * (np_plan_emit_libvirt, editing the input) gives a domain that reads
 * back as the same VM, now held to that node.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <numaplace/plan.h>

#include "fuzz.h"

static void check_spec(const struct np_vm_spec *s)
{
	FUZZ_ASSERT(s->name && *s->name);
	FUZZ_ASSERT(s->vcpus >= 1);
	FUZZ_ASSERT(s->memory_mib >= 1);
	FUZZ_ASSERT(s->hugepage_bytes == 0 || s->hugepage_bytes == 2u << 20 ||
		    s->hugepage_bytes == 1u << 30);
	for (size_t i = 1; i < s->fixed_nodes.n; i++)
		FUZZ_ASSERT(s->fixed_nodes.ids[i - 1] < s->fixed_nodes.ids[i]);
	FUZZ_ASSERT(s->libvirt_xml != NULL);
}

/* The spec's VM on node 0, every vCPU on CPU 0, written into its domain. */
static void round_trip(const struct np_vm_spec *s)
{
	struct np_plan_cell cell = { 0, s->vcpus, s->memory_mib, 0 };
	struct np_idset *pins = calloc(s->vcpus, sizeof(*pins));
	struct np_plan_vm vm = { .name = s->name, .placed = true,
		.vcpus = s->vcpus, .cells = &cell, .ncells = 1 };
	struct np_plan plan = { .vms = &vm, .nvms = 1, .placed = 1 };
	struct np_vm_specs back = { 0 };
	struct np_err err = { 0 };
	char *out = NULL;
	int rc;

	FUZZ_ASSERT(pins != NULL);
	vm.vcpu_cpus = pins;
	FUZZ_ASSERT(np_idset_push(&vm.nodes, 0) == 0);
	for (unsigned v = 0; v < s->vcpus; v++)
		FUZZ_ASSERT(np_idset_push(&pins[v], 0) == 0);
	rc = np_plan_emit_libvirt(&plan, &vm, s, NULL, &out, &err);
	if (rc == 0) {
		FUZZ_ASSERT(out != NULL);
		rc = np_vm_spec_from_libvirt(out, strlen(out), "out", false,
					     &back, &err);
		FUZZ_ASSERT(rc == 0);
		FUZZ_ASSERT(strcmp(back.v[0].name, s->name) == 0);
		FUZZ_ASSERT(back.v[0].vcpus == s->vcpus);
		FUZZ_ASSERT(back.v[0].memory_mib == s->memory_mib);
		FUZZ_ASSERT(back.v[0].fixed_nodes.n == 1 &&
			    back.v[0].fixed_nodes.ids[0] == 0);
	} else {
		/* only memory, or an input libxml2 cannot map to its bytes */
		FUZZ_ASSERT(out == NULL && err.msg[0]);
	}
	np_vm_specs_free(&back);
	free(out);
	for (unsigned v = 0; v < s->vcpus; v++)
		np_idset_free(&pins[v]);
	free(pins);
	np_idset_free(&vm.nodes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct np_vm_specs s = { 0 };
	struct np_err err = { 0 };
	int rc;

	rc = np_vm_spec_from_libvirt((const char *)data, size, "fuzz.xml",
				     false, &s, &err);
	if (rc < 0) {
		FUZZ_ASSERT(rc == -EINVAL || rc == -ERANGE || rc == -ENOMEM);
		FUZZ_ASSERT(err.msg[0] && !strchr(err.msg, '\n'));
		FUZZ_ASSERT(s.n == 0);
		return 0;
	}
	FUZZ_ASSERT(s.n == 1);
	check_spec(&s.v[0]);
	/* a spec of thousands of vCPUs makes the round trip slow, not
	 * more thorough */
	if (s.v[0].vcpus <= 64)
		round_trip(&s.v[0]);
	np_vm_specs_free(&s);
	return 0;
}
