/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /proc/PID/numa_maps parsing into kinds, pages per node and policies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <numaplace/pages.h>

/* Lines as Linux 6.1 writes them (fs/proc/task_mmu.c show_numa_map()). */
static const char sample[] =
	"55c0f8a00000 bind:1 file=/usr/bin/np-probe mapped=2 N0=2 kernelpagesize_kB=4\n"
	"55c0f8c04000 bind:1 file=/usr/bin/np-probe anon=1 dirty=1 N1=1 kernelpagesize_kB=4\n"
	"55c0f9e1a000 bind:1 heap anon=33 dirty=33 N1=33 kernelpagesize_kB=4\n"
	"7f1c40000000 interleave:0-1 anon=4096 dirty=4096 N0=2048 N1=2048 kernelpagesize_kB=4\n"
	"7f1c50000000 prefer (many):1,3 anon=10 dirty=10 N3=10 kernelpagesize_kB=4\n"
	"7f1c60000000 weighted interleave:0-1 anon=3 dirty=3 N1=1 N0=2 kernelpagesize_kB=4\n"
	"7f1c70000000 bind=static:1 file=/dev/shm/seg dirty=256 mapmax=2 N0=256 kernelpagesize_kB=4\n"
	"7f1c80000000 default file=/dev/zero\\040(deleted) dirty=8 N0=8 kernelpagesize_kB=4\n"
	"7f1c90000000 default file=/dev/hugepages/x huge dirty=2 N1=2 kernelpagesize_kB=2048\n"
	"7f1ca0000000 local file=/usr/lib/x86_64-linux-gnu/libc.so.6 mapped=40 mapmax=12 N0=40 kernelpagesize_kB=4\n"
	"7ffd1e5c0000 bind:1 stack anon=5 dirty=5 N1=5 kernelpagesize_kB=4\n"
	"7ffd1e5fc000 bind:1\n";

static void test_sample(void **state)
{
	struct np_numa_maps m;
	struct np_err err = { 0 };

	(void)state;
	assert_int_equal(np_parse_numa_maps(sample, strlen(sample), &m, &err), 0);
	assert_int_equal(m.n, 12);
	assert_int_equal(m.maps[0].kind, NP_KIND_FILE);
	assert_string_equal(m.maps[0].path, "/usr/bin/np-probe");
	/* anon= on a file mapping: private COW pages, anonymous */
	assert_int_equal(m.maps[1].kind, NP_KIND_ANON);
	assert_int_equal(m.maps[2].kind, NP_KIND_HEAP);
	assert_string_equal(m.maps[2].policy, "bind:1");
	assert_int_equal(m.maps[2].nnodes, 1);
	assert_int_equal(m.maps[2].nodes[0].node, 1);
	assert_int_equal(m.maps[2].nodes[0].pages, 33);
	assert_int_equal(m.maps[3].nnodes, 2);
	assert_int_equal(m.maps[3].nodes[1].pages, 2048);
	assert_string_equal(m.maps[4].policy, "prefer (many):1,3");
	assert_string_equal(m.maps[5].policy, "weighted interleave:0-1");
	/* nodes come out ascending whatever order the line has */
	assert_int_equal(m.maps[5].nodes[0].node, 0);
	assert_int_equal(m.maps[5].nodes[0].pages, 2);
	assert_int_equal(m.maps[6].kind, NP_KIND_SHMEM);
	assert_string_equal(m.maps[6].policy, "bind=static:1");
	assert_int_equal(m.maps[7].kind, NP_KIND_SHMEM);
	assert_int_equal(m.maps[8].kind, NP_KIND_HUGETLB);
	assert_int_equal(m.maps[8].page_bytes, 2048 * 1024);
	assert_int_equal(m.maps[9].kind, NP_KIND_FILE);
	assert_int_equal(m.maps[10].kind, NP_KIND_STACK);
	assert_int_equal(m.maps[10].start, 0x7ffd1e5c0000ull);
	assert_int_equal(m.maps[11].nnodes, 0);
	assert_int_equal(m.maps[11].page_bytes, 4096);
	np_numa_maps_free(&m);
}

static void test_smaps_thp(void **state)
{
	static const char smaps[] =
		"55c0f9e1a000-55c0f9e3b000 rw-p 00000000 00:00 0    [heap]\n"
		"Size:                132 kB\n"
		"AnonHugePages:          0 kB\n"
		"7f1c40000000-7f1c41000000 rw-p 00000000 00:00 0\n"
		"Size:              16384 kB\n"
		"AnonHugePages:      14336 kB\n"
		"VmFlags: rd wr mr mw me ac sd\n"
		"7f1cffff0000-7f1cffff1000 rw-p 00000000 00:00 0\n"
		"AnonHugePages:       2048 kB\n";
	struct np_numa_maps m;
	struct np_err err = { 0 };

	(void)state;
	assert_int_equal(np_parse_numa_maps(sample, strlen(sample), &m, &err), 0);
	np_numa_maps_add_smaps(&m, smaps, strlen(smaps));
	assert_int_equal(m.maps[2].thp_bytes, 0);
	assert_int_equal(m.maps[3].thp_bytes, 14336ull * 1024);
	/* a VMA numa_maps does not list changes nothing */
	for (size_t i = 0; i < m.n; i++)
		if (i != 3)
			assert_int_equal(m.maps[i].thp_bytes, 0);
	np_numa_maps_free(&m);
}

static void test_policy_nodes(void **state)
{
	static const struct {
		const char *policy, *mode;
		size_t n;
		unsigned first, last;
	} c[] = {
		{ "bind:1", "bind", 1, 1, 1 },
		{ "bind:0-2", "bind", 3, 0, 2 },
		{ "interleave:0,2,5", "interleave", 3, 0, 5 },
		{ "prefer (many):1,3", "prefer (many)", 2, 1, 3 },
		{ "weighted interleave:0-1", "weighted interleave", 2, 0, 1 },
		{ "bind=static:1", "bind", 1, 1, 1 },
		{ "default", "default", 0, 0, 0 },
		{ "local", "local", 0, 0, 0 },
	};
	char mode[32];

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct np_idset nodes = { 0 };
		int n = np_policy_nodes(c[i].policy, &nodes, mode, sizeof(mode));

		assert_string_equal(mode, c[i].mode);
		assert_int_equal(n, c[i].n);
		assert_int_equal(nodes.n, c[i].n);
		if (n) {
			assert_int_equal(nodes.ids[0], c[i].first);
			assert_int_equal(nodes.ids[n - 1], c[i].last);
		}
		np_idset_free(&nodes);
	}
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"xyz bind:1\n",
		"55c0 bind:1 N0=x\n",
		"55c0 bind:1 N0=1 N0=2\n",
		"55c0 bind:1 N99999=1\n",
		"55c0\n",
		"55c0 bind:1 N0=1\0\n",
	};
	static const size_t len[] = { 11, 17, 22, 22, 5, 17 };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct np_numa_maps m = { (struct np_mapping *)1, 9 };
		struct np_err err = { 0 };
		int e = np_parse_numa_maps(bad[i], len[i], &m, &err);

		if (e != -EINVAL)
			fail_msg("case %zu: got %d", i, e);
		assert_int_equal(err.cls, NP_ERR_INPUT);
		assert_true(strncmp(err.msg, "numa_maps: ", 11) == 0 && err.msg[11]);
		assert_null(m.maps);
		assert_int_equal(m.n, 0);
	}
}

/* The calling process's own pages: touched ones are on a node that
 * exists, untouched ones are -ENOENT, as move_pages(2) says. */
static void test_pages_nodes(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	struct np_err err = { 0 };
	char *mem = mmap(NULL, 8 * (size_t)page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int nodes[8];

	(void)state;
	assert_true(mem != MAP_FAILED);
	for (int i = 0; i < 4; i++)
		mem[i * page] = 1;
	assert_int_equal(np_pages_nodes(mem, 8 * (size_t)page, (size_t)page,
					 nodes, &err), 0);
	for (int i = 0; i < 4; i++) {
		char path[64];

		assert_true(nodes[i] >= 0);
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d",
			 nodes[i]);
		assert_int_equal(access(path, F_OK), 0);
	}
	for (int i = 4; i < 8; i++)
		assert_int_equal(nodes[i], -ENOENT);
	assert_int_equal(np_pages_nodes(mem + 1, 16, (size_t)page, nodes, &err),
			 -EINVAL);
	munmap(mem, 8 * (size_t)page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_policy_nodes),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_pages_nodes),
		cmocka_unit_test(test_smaps_thp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
