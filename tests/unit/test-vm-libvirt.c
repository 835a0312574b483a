/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt domain XML (lib/vm/vm-libvirt.c): specs read from domains, and
 * placed VMs written into them.  Plans are built by hand here, so the
 * emitter is tested on what it writes, not on what a planner chose.  Every
 * emitted domain is checked with libvirt's own schema (virt-xml-validate,
 * Debian's libvirt-clients), and an edited domain is compared byte for
 * byte with its expected file beside the input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <numaplace/plan.h>

/* A fixture beside this test, whole, through the VM files' reader. */
static char *slurp(const char *rel, size_t *len)
{
	char path[4096];
	struct np_err err = { 0 };
	char *buf = NULL;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/tests/unit/vm-libvirt/%s",
		 getenv("NP_SRCDIR") ? getenv("NP_SRCDIR") : ".", rel);
	assert_int_equal(np_vm_file_read(path, &buf, &n, &err), 0);
	if (len)
		*len = n;
	return buf;
}

static int parse(const char *xml, const char *origin, bool replace,
		 struct np_vm_specs *out, struct np_err *err)
{
	return np_vm_spec_from_libvirt(xml, strlen(xml), origin, replace, out,
				       err);
}

/* virt-xml-validate on xml: its exit status. */
static int validate(const char *xml)
{
	char path[] = "/tmp/np-test-vm-libvirt.XXXXXX";
	char cmd[256];
	int fd = mkstemp(path), st;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, xml, strlen(xml)), (ssize_t)strlen(xml));
	close(fd);
	snprintf(cmd, sizeof(cmd), "virt-xml-validate %s domain >/dev/null 2>&1",
		 path);
	st = system(cmd);
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* ---- reading ---------------------------------------------------------------- */

static void test_read_full(void **state)
{
	struct np_vm_specs s = { 0 };
	struct np_err err = { 0 };
	size_t len;
	char *xml = slurp("full-in.xml", &len);

	(void)state;
	assert_int_equal(np_vm_spec_from_libvirt(xml, len, "full.xml", false,
						 &s, &err), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0].name, "web&db");     /* unescaped */
	assert_int_equal(s.v[0].vcpus, 4);
	assert_int_equal(s.v[0].memory_mib, 3072);      /* <memory>, GiB */
	assert_int_equal(s.v[0].hugepage_bytes, 0);
	/* "0-3,^2": libvirt's caret takes 2 out */
	assert_int_equal(s.v[0].fixed_nodes.n, 3);
	assert_int_equal(s.v[0].fixed_nodes.ids[0], 0);
	assert_int_equal(s.v[0].fixed_nodes.ids[1], 1);
	assert_int_equal(s.v[0].fixed_nodes.ids[2], 3);
	assert_string_equal(s.v[0].origin, "full.xml");
	assert_memory_equal(s.v[0].libvirt_xml, xml, len);
	assert_int_equal(strlen(s.v[0].libvirt_xml), len);
	/* --replace: the nodeset is not held to; appends a second spec */
	assert_int_equal(np_vm_spec_from_libvirt(xml, len, "full.xml", true,
						 &s, &err), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.v[1].fixed_nodes.n, 0);
	assert_string_equal(s.v[0].name, "web&db");
	np_vm_specs_free(&s);
	free(xml);
}

static void test_read_units(void **state)
{
	static const struct {
		const char *mem;
		uint64_t mib;
	} cases[] = {
		{ "<memory>1048576</memory>", 1024 },          /* KiB default */
		{ "<memory>1048577</memory>", 1025 },          /* rounded up */
		{ "<memory unit='KB'>1048576</memory>", 1000 }, /* 1000s */
		{ "<memory unit='b'>1073741824</memory>", 1024 },
		{ "<memory unit='bytes'>2097152</memory>", 2 },
		{ "<memory unit='M'>512</memory>", 512 },
		{ "<memory unit='mib'>512</memory>", 512 },
		{ "<memory unit='MB'>1000</memory>", 954 },    /* 10^9 B */
		{ "<memory unit='G'>2</memory>", 2048 },
		{ "<memory unit='TiB'>1</memory>", 1048576 },
		{ "<currentMemory unit='MiB'>300</currentMemory>", 300 },
		{ "<memory unit='MiB'>800</memory>"
		  "<currentMemory unit='MiB'>300</currentMemory>", 800 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct np_vm_specs s = { 0 };
		struct np_err err = { 0 };
		char xml[512];

		snprintf(xml, sizeof(xml), "<domain type='qemu'><name>a</name>"
			 "%s</domain>", cases[i].mem);
		assert_int_equal(parse(xml, "u.xml", false, &s, &err), 0);
		assert_int_equal(s.v[0].memory_mib, cases[i].mib);
		assert_int_equal(s.v[0].vcpus, 1);     /* libvirt's default */
		np_vm_specs_free(&s);
	}
}

static void test_read_hugepages(void **state)
{
	static const struct {
		const char *backing;
		uint64_t bytes;
	} cases[] = {
		{ "<hugepages/>", 2u << 20 },
		{ "<hugepages><page size='2048'/></hugepages>", 2u << 20 },
		{ "<hugepages><page size='1' unit='G' nodeset='0'/>"
		  "<page size='1048576' unit='KiB' nodeset='1'/></hugepages>",
		  1u << 30 },
		{ "<nosharepages/>", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct np_vm_specs s = { 0 };
		struct np_err err = { 0 };
		char xml[512];

		snprintf(xml, sizeof(xml), "<domain type='kvm'><name>h</name>"
			 "<memory unit='GiB'>4</memory><vcpu>2</vcpu>"
			 "<memoryBacking>%s</memoryBacking></domain>",
			 cases[i].backing);
		assert_int_equal(parse(xml, "h.xml", false, &s, &err), 0);
		assert_int_equal(s.v[0].hugepage_bytes, cases[i].bytes);
		np_vm_specs_free(&s);
	}
}

/* One line naming the file, the element and why; class input; nothing
 * appended. */
static void test_read_errors(void **state)
{
	static const struct {
		const char *body;
		const char *msg;
	} cases[] = {
		{ "<domain><name>a</name><memory>1024000</memory>"
		  "<vcpu>0</vcpu></domain>",
		  "vm1.xml: <vcpu>: '0': at least one vCPU" },
		{ "<domain><name>a</name><memory>1024000</memory>"
		  "<vcpu>two</vcpu></domain>",
		  "vm1.xml: <vcpu>: 'two': not a number of vCPUs from 1 to 65536" },
		{ "<domain><name>a</name><memory>1024000</memory>"
		  "<vcpu placement='near'>2</vcpu></domain>",
		  "vm1.xml: <vcpu placement='near'>: expected static or auto" },
		{ "<domain><name>a</name><memory unit='parsec'>1</memory>"
		  "</domain>",
		  "vm1.xml: <memory>: unit 'parsec': not a size unit (b, KiB, "
		  "MiB, GiB, TiB, KB, MB, ...)" },
		{ "<domain><name>a</name><memory>-5</memory></domain>",
		  "vm1.xml: <memory>: '-5': not a number" },
		{ "<domain><name>a</name><memory unit='EiB'>99</memory>"
		  "</domain>",
		  "vm1.xml: <memory>: '99': too large" },
		{ "<domain><name>a</name><memory unit='TiB'>2048</memory>"
		  "</domain>",
		  "vm1.xml: <memory>: 2147483648 MiB: more than 1 PiB" },
		{ "<domain><name>a</name><memory unit='KiB'>512</memory>"
		  "</domain>",
		  "vm1.xml: <memory>: 524288 bytes: at least 1 MiB" },
		{ "<domain><name>a</name></domain>",
		  "vm1.xml: <memory>: missing" },
		{ "<domain><memory>1024000</memory></domain>",
		  "vm1.xml: <name>: missing" },
		{ "<domain><name> </name><memory>1024000</memory></domain>",
		  "vm1.xml: <name>: empty" },
		{ "<network><name>a</name></network>",
		  "vm1.xml: <network>: not a libvirt domain (the root element "
		  "is <domain>)" },
		{ "<domain><name>a</name><memory>1024000</memory>"
		  "<memoryBacking><hugepages><page size='4096'/></hugepages>"
		  "</memoryBacking></domain>",
		  "vm1.xml: <memoryBacking><hugepages><page size='4096'>: "
		  "hugepages are 2 MiB or 1 GiB" },
		{ "<domain><name>a</name><memory>1024000</memory>"
		  "<memoryBacking><hugepages><page size='2' unit='M'/>"
		  "<page size='1' unit='G'/></hugepages></memoryBacking>"
		  "</domain>",
		  "vm1.xml: <memoryBacking><hugepages>: pages of two sizes; "
		  "numaplace places one size per VM" },
		{ "<domain><name>a</name><memory>1024000</memory>"
		  "<numatune><memory nodeset='1-x'/></numatune></domain>",
		  "vm1.xml: <numatune><memory nodeset>: '1-x': not a node set "
		  "(\"0-3,^2\", ids below 4096)" },
		{ "<domain><name>a</name><memory>1024000</memory>"
		  "<numatune><memory nodeset='1,^1'/></numatune></domain>",
		  "vm1.xml: <numatune><memory nodeset>: '1,^1': selects no "
		  "node" },
		{ "<domain><name>a</name>\n<memory>1</memory>\n</domian>",
		  "vm1.xml:3: malformed XML: Opening and ending tag mismatch: "
		  "domain line 1 and domian" },
		{ "", "vm1.xml:1: malformed XML: Document is empty" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct np_vm_specs s = { 0 };
		struct np_err err = { 0 };

		assert_int_equal(parse(cases[i].body, "vm1.xml", false, &s,
				       &err), i == 5 || i == 6 ? -ERANGE :
			 -EINVAL);
		assert_int_equal(err.cls, NP_ERR_INPUT);
		assert_string_equal(err.msg, cases[i].msg);
		assert_int_equal(s.n, 0);
		assert_null(s.v);
	}
}

/* ---- writing ---------------------------------------------------------------- */

/*
 * A placed VM by hand: cell c on host node nodes[c] with vcpus[c] vCPUs
 * and mib[c] MiB; a shared vCPU may run on every CPU of its node (node n
 * has CPUs 4n .. 4n+3), a dedicated one on CPU 4n + its index in the cell.
 */
struct hand_vm {
	struct np_plan_vm vm;
	struct np_plan plan;
};

static void hand_vm(struct hand_vm *h, const char *name, size_t ncells,
		    const unsigned *nodes, const unsigned *vcpus,
		    const uint64_t *mib, const uint32_t *dist, bool dedicated)
{
	struct np_plan_vm *vm = &h->vm;
	unsigned v = 0;

	memset(h, 0, sizeof(*h));
	vm->name = strdup(name);
	vm->placed = true;
	vm->ncells = ncells;
	vm->cells = calloc(ncells, sizeof(*vm->cells));
	vm->memory_mib = calloc(ncells, sizeof(*vm->memory_mib));
	for (size_t c = 0; c < ncells; c++)
		vm->vcpus += vcpus[c];
	vm->vcpu_cpus = calloc(vm->vcpus, sizeof(*vm->vcpu_cpus));
	for (size_t c = 0; c < ncells; c++) {
		vm->cells[c] = (struct np_plan_cell){ v, vcpus[c], mib[c],
			nodes[c] };
		vm->memory_mib[c] = mib[c];
		assert_int_equal(np_idset_push(&vm->nodes, nodes[c]), 0);
		for (unsigned k = 0; k < vcpus[c]; k++, v++)
			for (unsigned cpu = 4 * nodes[c];
			     cpu < 4 * nodes[c] + 4; cpu++)
				if (!dedicated || cpu == 4 * nodes[c] + k)
					assert_int_equal(np_idset_push(
						&vm->vcpu_cpus[v], cpu), 0);
	}
	if (dist) {
		vm->guest_distances = calloc(ncells * ncells, sizeof(uint32_t));
		memcpy(vm->guest_distances, dist,
		       ncells * ncells * sizeof(uint32_t));
	}
	h->plan.vms = vm;
	h->plan.nvms = h->plan.placed = 1;
}

static void hand_vm_free(struct hand_vm *h)
{
	for (unsigned v = 0; v < h->vm.vcpus; v++)
		np_idset_free(&h->vm.vcpu_cpus[v]);
	free(h->vm.vcpu_cpus);
	free(h->vm.cells);
	free(h->vm.memory_mib);
	free(h->vm.guest_distances);
	free(h->vm.name);
	np_idset_free(&h->vm.nodes);
}

static const char *NEW_2CELL =
	"<domain type=\"qemu\">\n"
	"  <name>big</name>\n"
	"  <memory unit=\"MiB\">3072</memory>\n"
	"  <vcpu placement='static'>3</vcpu>\n"
	"  <cputune>\n"
	"    <vcpupin vcpu=\"0\" cpuset=\"4-7\"/>\n"
	"    <vcpupin vcpu=\"1\" cpuset=\"4-7\"/>\n"
	"    <vcpupin vcpu=\"2\" cpuset=\"12-15\"/>\n"
	"    <emulatorpin cpuset=\"4-7,12-15\"/>\n"
	"  </cputune>\n"
	"  <numatune>\n"
	"    <memory mode=\"strict\" nodeset=\"1,3\"/>\n"
	"    <memnode cellid=\"0\" mode=\"strict\" nodeset=\"1\"/>\n"
	"    <memnode cellid=\"1\" mode=\"strict\" nodeset=\"3\"/>\n"
	"  </numatune>\n"
	"  <cpu>\n"
	"    <numa>\n"
	"      <cell id=\"0\" cpus=\"0-1\" memory=\"2048\" unit=\"MiB\">\n"
	"        <distances>\n"
	"          <sibling id=\"0\" value=\"10\"/>\n"
	"          <sibling id=\"1\" value=\"21\"/>\n"
	"        </distances>\n"
	"      </cell>\n"
	"      <cell id=\"1\" cpus=\"2\" memory=\"1024\" unit=\"MiB\">\n"
	"        <distances>\n"
	"          <sibling id=\"0\" value=\"21\"/>\n"
	"          <sibling id=\"1\" value=\"10\"/>\n"
	"        </distances>\n"
	"      </cell>\n"
	"    </numa>\n"
	"  </cpu>\n"
	"  <memoryBacking>\n"
	"    <hugepages>\n"
	"      <page size=\"2048\" unit=\"KiB\" nodeset=\"0-1\"/>\n"
	"    </hugepages>\n"
	"  </memoryBacking>\n"
	"  <os>\n"
	"    <type>hvm</type>\n"
	"  </os>\n"
	"</domain>";

/* No input domain: a whole new one, every placement element in it. */
static void test_emit_new(void **state)
{
	static const unsigned nodes[] = { 1, 3 }, vcpus[] = { 2, 1 };
	static const uint64_t mib[] = { 2048, 1024 };
	static const uint32_t dist[] = { 10, 21, 21, 10 };
	struct np_vm_spec spec = { .name = "big", .vcpus = 3,
		.memory_mib = 3072, .hugepage_bytes = 2u << 20 };
	struct np_plan_opts opts = { 0 };
	struct np_err err = { 0 };
	struct hand_vm h;
	char *out = NULL;

	(void)state;
	hand_vm(&h, "big", 2, nodes, vcpus, mib, dist, false);
	assert_int_equal(np_plan_emit_libvirt(&h.plan, &h.vm, &spec, &opts,
					      &out, &err), 0);
	assert_string_equal(out, NEW_2CELL);
	assert_int_equal(validate(out), 0);
	free(out);
	hand_vm_free(&h);
}

/* One cell, dedicated CPUs, restrictive with the reason as a comment,
 * and a name that needs escaping. */
static void test_emit_dedicated_restrictive(void **state)
{
	static const unsigned nodes[] = { 2 }, vcpus[] = { 2 };
	static const uint64_t mib[] = { 512 };
	struct np_vm_spec spec = { .name = "a<b>&'c", .vcpus = 2,
		.memory_mib = 512 };
	struct np_plan_opts opts = { .restrictive = true, .explain = true };
	struct np_vm_specs back = { 0 };
	struct np_err err = { 0 };
	struct hand_vm h;
	char *out = NULL;

	(void)state;
	hand_vm(&h, spec.name, 1, nodes, vcpus, mib, NULL, true);
	assert_int_equal(np_plan_emit_libvirt(&h.plan, &h.vm, &spec, &opts,
					      &out, &err), 0);
	assert_non_null(strstr(out, "<name>a&lt;b&gt;&amp;'c</name>"));
	assert_non_null(strstr(out, "<vcpupin vcpu=\"0\" cpuset=\"8\"/>\n"
			       "    <vcpupin vcpu=\"1\" cpuset=\"9\"/>\n"
			       "    <emulatorpin cpuset=\"8-9\"/>"));
	assert_non_null(strstr(out, "<!-- mode='restrictive': libvirt changes "
			       "the nodeset of a running domain (virsh "
			       "numatune) only in this mode -->\n"
			       "    <memory mode=\"restrictive\" nodeset=\"2\"/>"
			       "\n    <memnode cellid=\"0\" mode=\"restrictive\""
			       " nodeset=\"2\"/>"));
	assert_non_null(strstr(out, "<cell id=\"0\" cpus=\"0-1\" "
			       "memory=\"512\" unit=\"MiB\"/>"));
	assert_null(strstr(out, "distances"));
	assert_null(strstr(out, "memoryBacking"));
	assert_int_equal(validate(out), 0);
	/* and it reads back as the VM it was written for */
	assert_int_equal(parse(out, "back.xml", false, &back, &err), 0);
	assert_string_equal(back.v[0].name, "a<b>&'c");
	assert_int_equal(back.v[0].vcpus, 2);
	assert_int_equal(back.v[0].memory_mib, 512);
	assert_int_equal(back.v[0].fixed_nodes.n, 1);
	assert_int_equal(back.v[0].fixed_nodes.ids[0], 2);
	np_vm_specs_free(&back);
	free(out);
	hand_vm_free(&h);
}

/* An edited domain: what placement owns replaced, everything else byte
 * for byte (full-out.xml is full-in.xml with exactly those edits). */
static void test_emit_edit(void **state)
{
	static const unsigned nodes[] = { 0, 1 }, vcpus[] = { 2, 2 };
	static const uint64_t mib[] = { 2048, 1024 };
	static const uint32_t dist[] = { 10, 20, 20, 10 };
	struct np_vm_specs s = { 0 };
	struct np_plan_opts opts = { 0 };
	struct np_err err = { 0 };
	size_t len;
	char *in = slurp("full-in.xml", &len), *want = slurp("full-out.xml",
							     NULL);
	struct hand_vm h;
	char *out = NULL;

	(void)state;
	assert_int_equal(np_vm_spec_from_libvirt(in, len, "full.xml", true,
						 &s, &err), 0);
	s.v[0].hugepage_bytes = 1u << 30;
	hand_vm(&h, "web&db", 2, nodes, vcpus, mib, dist, false);
	assert_int_equal(np_plan_emit_libvirt(&h.plan, &h.vm, &s.v[0], &opts,
					      &out, &err), 0);
	assert_string_equal(out, want);
	assert_int_equal(validate(out), 0);
	free(out);
	/* twice: the edit of an edit is the same file */
	free(s.v[0].libvirt_xml);
	s.v[0].libvirt_xml = strdup(want);
	assert_int_equal(np_plan_emit_libvirt(&h.plan, &h.vm, &s.v[0], &opts,
					      &out, &err), 0);
	assert_string_equal(out, want);
	free(out);
	np_vm_specs_free(&s);
	hand_vm_free(&h);
	free(in);
	free(want);
}

/* A domain written on one line with no <vcpu>, a self-closed <cputune>
 * and <memoryBacking>: new elements after <memory>, containers opened. */
static void test_emit_compact(void **state)
{
	static const char *in =
		"<domain type='qemu'><name>c</name><memory unit='MiB'>64"
		"</memory><cputune/><memoryBacking><nosharepages/>"
		"</memoryBacking><os><type>hvm</type></os></domain>\n";
	static const char *want =
		"<domain type='qemu'><name>c</name><memory unit='MiB'>64"
		"</memory>\n"
		"<vcpu placement='static'>1</vcpu>\n"
		"<numatune>\n"
		"  <memory mode=\"strict\" nodeset=\"0\"/>\n"
		"  <memnode cellid=\"0\" mode=\"strict\" nodeset=\"0\"/>\n"
		"</numatune>\n"
		"<cpu>\n"
		"  <numa>\n"
		"    <cell id=\"0\" cpus=\"0\" memory=\"64\" unit=\"MiB\"/>\n"
		"  </numa>\n"
		"</cpu><cputune>\n"
		"  <vcpupin vcpu=\"0\" cpuset=\"0-3\"/>\n"
		"  <emulatorpin cpuset=\"0-3\"/>\n"
		"</cputune><memoryBacking><nosharepages/>\n"
		"  <hugepages>\n"
		"    <page size=\"2048\" unit=\"KiB\" nodeset=\"0\"/>\n"
		"  </hugepages>\n"
		"</memoryBacking><os><type>hvm</type></os></domain>\n";
	static const unsigned nodes[] = { 0 }, vcpus[] = { 1 };
	static const uint64_t mib[] = { 64 };
	struct np_vm_specs s = { 0 };
	struct np_err err = { 0 };
	struct hand_vm h;
	char *out = NULL;

	(void)state;
	assert_int_equal(parse(in, "c.xml", false, &s, &err), 0);
	s.v[0].hugepage_bytes = 2u << 20;
	hand_vm(&h, "c", 1, nodes, vcpus, mib, NULL, false);
	assert_int_equal(np_plan_emit_libvirt(&h.plan, &h.vm, &s.v[0], NULL,
					      &out, &err), 0);
	assert_string_equal(out, want);
	assert_int_equal(validate(out), 0);
	free(out);
	np_vm_specs_free(&s);
	hand_vm_free(&h);
}

/* Memory on a CPU-less (CXL) node: a guest cell without vCPUs, no cpus
 * attribute (libvirt starts such a domain: -numa node,nodeid=1,memdev=). */
static void test_emit_cpuless_cell(void **state)
{
	static const unsigned nodes[] = { 0, 2 }, vcpus[] = { 2, 0 };
	static const uint64_t mib[] = { 512, 1024 };
	static const uint32_t dist[] = { 10, 14, 14, 10 };
	struct np_vm_spec spec = { .name = "cxl", .vcpus = 2,
		.memory_mib = 1536 };
	struct np_err err = { 0 };
	struct hand_vm h;
	char *out = NULL;

	(void)state;
	hand_vm(&h, "cxl", 2, nodes, vcpus, mib, dist, false);
	assert_int_equal(np_plan_emit_libvirt(&h.plan, &h.vm, &spec, NULL,
					      &out, &err), 0);
	assert_non_null(strstr(out, "<cell id=\"0\" cpus=\"0-1\" "
			       "memory=\"512\" unit=\"MiB\">"));
	assert_non_null(strstr(out, "<cell id=\"1\" memory=\"1024\" "
			       "unit=\"MiB\">"));
	assert_non_null(strstr(out, "<memnode cellid=\"1\" mode=\"strict\" "
			       "nodeset=\"2\"/>"));
	assert_int_equal(validate(out), 0);
	free(out);
	hand_vm_free(&h);
}

/* A cell with vCPUs and 0 MiB (its host node gives only CPUs): its vCPUs
 * join the nearest cell with memory, pins unchanged; --explain says so. */
static void test_emit_memoryless_cell(void **state)
{
	static const unsigned nodes[] = { 0, 1, 2 }, vcpus[] = { 2, 1, 1 };
	static const uint64_t mib[] = { 1024, 0, 1024 };
	static const uint32_t dist[] = { 10, 21, 31, 21, 10, 12, 31, 12, 10 };
	struct np_vm_spec spec = { .name = "ml", .vcpus = 4,
		.memory_mib = 2048 };
	struct np_plan_opts opts = { .explain = true };
	struct np_err err = { 0 };
	struct hand_vm h;
	char *out = NULL;

	(void)state;
	hand_vm(&h, "ml", 3, nodes, vcpus, mib, dist, false);
	assert_int_equal(np_plan_emit_libvirt(&h.plan, &h.vm, &spec, &opts,
					      &out, &err), 0);
	/* host node 1's vCPU 2 is nearest (12) to node 2's cell */
	assert_non_null(strstr(out,
		"    <numa>\n"
		"      <!-- vCPUs of host node 1, which gives no memory, are in "
		"cell 1: libvirt cannot start a cell of 0 MiB -->\n"
		"      <cell id=\"0\" cpus=\"0-1\" memory=\"1024\" "
		"unit=\"MiB\">\n"
		"        <distances>\n"
		"          <sibling id=\"0\" value=\"10\"/>\n"
		"          <sibling id=\"1\" value=\"31\"/>\n"
		"        </distances>\n"
		"      </cell>\n"
		"      <cell id=\"1\" cpus=\"2-3\" memory=\"1024\" "
		"unit=\"MiB\">\n"));
	assert_non_null(strstr(out, "<memory mode=\"strict\" "
			       "nodeset=\"0-2\"/>\n"
			       "    <memnode cellid=\"0\" mode=\"strict\" "
			       "nodeset=\"0\"/>\n"
			       "    <memnode cellid=\"1\" mode=\"strict\" "
			       "nodeset=\"2\"/>\n  </numatune>"));
	assert_non_null(strstr(out, "<vcpupin vcpu=\"2\" cpuset=\"4-7\"/>"));
	assert_int_equal(validate(out), 0);
	free(out);
	hand_vm_free(&h);
}

/* Seed 004's interleave: no guest cells, memory spread over every node
 * (mode='interleave'), vCPUs floating over all their CPUs. */
static void test_emit_interleaved(void **state)
{
	static const unsigned nodes[] = { 0, 1, 2, 3 }, vcpus[] = { 1, 1, 1, 1 };
	static const uint64_t mib[] = { 256, 256, 256, 256 };
	struct np_vm_spec spec = { .name = "il", .vcpus = 4,
		.memory_mib = 1024 };
	struct np_plan_opts opts = { .restrictive = true, .explain = true };
	struct np_err err = { 0 };
	struct hand_vm h;
	char *out = NULL;

	(void)state;
	hand_vm(&h, "il", 4, nodes, vcpus, mib, NULL, false);
	free(h.vm.cells);
	h.vm.cells = NULL;
	h.vm.ncells = 0;
	h.vm.interleaved = true;
	h.vm.hugepage_bytes = 2u << 20;
	assert_int_equal(np_plan_emit_libvirt(&h.plan, &h.vm, &spec, &opts,
					      &out, &err), 0);
	assert_non_null(strstr(out, "  <numatune>\n"
			       "    <memory mode=\"interleave\" "
			       "nodeset=\"0-3\"/>\n  </numatune>\n"));
	assert_null(strstr(out, "memnode"));
	assert_null(strstr(out, "<cpu>"));
	assert_null(strstr(out, "restrictive"));
	assert_non_null(strstr(out, "<page size=\"2048\" unit=\"KiB\"/>"));
	assert_int_equal(validate(out), 0);
	free(out);
	hand_vm_free(&h);
}

static void test_emit_errors(void **state)
{
	static const unsigned nodes[] = { 0 }, vcpus[] = { 2 };
	static const uint64_t mib[] = { 64 };
	struct np_vm_spec spec = { .name = "x", .vcpus = 2, .memory_mib = 64 };
	struct np_err err = { 0 };
	struct hand_vm h;
	char *out = (char *)"untouched";

	(void)state;
	hand_vm(&h, "x", 1, nodes, vcpus, mib, NULL, false);
	h.vm.placed = false;
	h.vm.reason = (char *)"needs 64 MiB on <= 1 node; the largest free "
		"node, 0, has 10 MiB";
	assert_int_equal(np_plan_emit_libvirt(&h.plan, &h.vm, &spec, NULL,
					      &out, &err), -EINVAL);
	assert_null(out);
	assert_int_equal(err.cls, NP_ERR_INPUT);
	assert_string_equal(err.msg, "x: not placed: needs 64 MiB on <= 1 "
			    "node; the largest free node, 0, has 10 MiB");
	h.vm.placed = true;
	h.vm.reason = NULL;
	spec.vcpus = 3;
	assert_int_equal(np_plan_emit_libvirt(&h.plan, &h.vm, &spec, NULL,
					      &out, &err), -EINVAL);
	assert_string_equal(err.msg, "x: the plan has 2 vCPUs in its cells "
			    "and 2 in all, the spec 3");
	spec.vcpus = 2;
	h.vm.cells[0].memory_mib = 0;
	assert_int_equal(np_plan_emit_libvirt(&h.plan, &h.vm, &spec, NULL,
					      &out, &err), -EINVAL);
	assert_string_equal(err.msg, "x: no guest cell has memory");
	h.vm.cells[0].memory_mib = 64;
	spec.libvirt_xml = (char *)"<domain><name>x</name></domain>";
	spec.origin = (char *)"x.xml";
	assert_int_equal(np_plan_emit_libvirt(&h.plan, &h.vm, &spec, NULL,
					      &out, &err), 0);
	free(out);
	spec.libvirt_xml = (char *)"<domain><name>x</name>";
	assert_int_equal(np_plan_emit_libvirt(&h.plan, &h.vm, &spec, NULL,
					      &out, &err), -EINVAL);
	assert_null(out);
	assert_string_equal(err.msg, "x.xml:1: malformed XML: Premature end "
			    "of data in tag domain line 1");
	hand_vm_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_full),
		cmocka_unit_test(test_read_units),
		cmocka_unit_test(test_read_hugepages),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_emit_new),
		cmocka_unit_test(test_emit_dedicated_restrictive),
		cmocka_unit_test(test_emit_edit),
		cmocka_unit_test(test_emit_compact),
		cmocka_unit_test(test_emit_cpuless_cell),
		cmocka_unit_test(test_emit_memoryless_cell),
		cmocka_unit_test(test_emit_interleaved),
		cmocka_unit_test(test_emit_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
