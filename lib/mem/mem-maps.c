/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/numa_maps: one line per mapping, "<start> <policy> [tokens]",
 * with N<node>=<pages> tokens for where its pages are
 * (fs/proc/task_mmu.c show_numa_map()).
 */
#include <numaplace/pages.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linux/linux-parse.h"
#include "linux/linux-proc.h"
#include "linux/linux-root.h"

static const char *const kind_names[NP_NKINDS] = {
	"heap", "stack", "anon", "file", "shmem", "hugetlb",
};

const char *np_mem_kind_name(enum np_mem_kind kind)
{
	return (unsigned)kind < NP_NKINDS ? kind_names[kind] : "?";
}

void np_numa_maps_free(struct np_numa_maps *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->maps[i].path);
		free(m->maps[i].nodes);
	}
	free(m->maps);
	m->maps = NULL;
	m->n = 0;
}

/* Names that are shared memory whatever the filesystem says. */
static bool is_shmem_path(const char *p)
{
	return !strncmp(p, "/dev/shm/", 9) || !strncmp(p, "/SYSV", 5) ||
	       !strncmp(p, "/memfd:", 7) || !strncmp(p, "/dev/zero", 9);
}

/*
 * On the live machine a mapped file on tmpfs or ramfs is shared memory,
 * not page cache of a disk file: ask the filesystem.
 */
static void classify_by_fs(struct np_numa_maps *m)
{
	for (size_t i = 0; i < m->n; i++) {
		struct np_mapping *map = &m->maps[i];

		if (map->kind == NP_KIND_FILE && map->path &&
		    np_path_on_memory_fs(map->path))
			map->kind = NP_KIND_SHMEM;
	}
}

static int add_node(struct np_mapping *m, unsigned node, uint64_t pages)
{
	struct np_node_pages *n = realloc(m->nodes, (m->nnodes + 1) *
					  sizeof(*n));
	size_t i;

	if (!n)
		return -ENOMEM;
	m->nodes = n;
	for (i = m->nnodes; i > 0 && n[i - 1].node > node; i--)
		n[i] = n[i - 1];
	n[i].node = node;
	n[i].pages = pages;
	m->nnodes++;
	return 0;
}

/* "N12=345" → node 12, 345 pages. */
static int parse_node_token(const char *tok, struct np_mapping *m)
{
	char *end;
	unsigned long node, pages;

	node = strtoul(tok + 1, &end, 10);
	if (end == tok + 1 || *end != '=' || node >= NP_MAX_NODES)
		return -EINVAL;
	pages = strtoul(end + 1, &end, 10);
	if (*end)
		return -EINVAL;
	for (size_t i = 0; i < m->nnodes; i++)
		if (m->nodes[i].node == node)
			return -EINVAL;
	return add_node(m, (unsigned)node, pages);
}

static int parse_token(const char *tok, struct np_mapping *m, bool *anon,
		       bool *huge)
{
	if (tok[0] == 'N' && tok[1] >= '0' && tok[1] <= '9')
		return parse_node_token(tok, m);
	if (!strncmp(tok, "file=", 5)) {
		free(m->path);
		m->path = strdup(tok + 5);
		return m->path ? 0 : -ENOMEM;
	}
	if (!strcmp(tok, "heap"))
		m->kind = NP_KIND_HEAP;
	else if (!strcmp(tok, "stack"))
		m->kind = NP_KIND_STACK;
	else if (!strcmp(tok, "huge"))
		*huge = true;
	else if (!strncmp(tok, "anon=", 5))
		*anon = true;
	else if (!strncmp(tok, "kernelpagesize_kB=", 18))
		m->page_bytes = strtoull(tok + 18, NULL, 10) * 1024;
	return 0;
}

/*
 * The policy is the second field but may contain a space ("prefer
 * (many):1", "weighted interleave:0-1"): it runs up to the first token
 * that is a known key or N<node>=.
 */
static const char *policy_end(const char *p)
{
	static const char *const two_words[] = {
		"prefer (many)", "weighted interleave", NULL,
	};

	for (size_t i = 0; two_words[i]; i++)
		if (!strncmp(p, two_words[i], strlen(two_words[i])))
			return p + strcspn(p + strlen(two_words[i]), " ") +
			       strlen(two_words[i]);
	return p + strcspn(p, " ");
}

static int parse_line(char *line, struct np_mapping *m, const char **why)
{
	char *p, *end, *tok, *save = NULL;
	bool anon = false, huge = false;
	const char *pe;
	int e = 0;

	memset(m, 0, sizeof(*m));
	m->kind = NP_KIND_ANON;
	m->page_bytes = 4096;
	m->start = strtoull(line, &end, 16);
	if (end == line || *end != ' ') {
		*why = "expected '<address> <policy>'";
		return -EINVAL;
	}
	p = end + 1;
	pe = policy_end(p);
	if (pe == p || (size_t)(pe - p) >= sizeof(m->policy)) {
		*why = "bad policy field";
		return -EINVAL;
	}
	memcpy(m->policy, p, (size_t)(pe - p));
	p += pe - p;
	for (tok = strtok_r(p, " ", &save); tok && !e;
	     tok = strtok_r(NULL, " ", &save))
		e = parse_token(tok, m, &anon, &huge);
	if (e) {
		*why = e == -ENOMEM ? "out of memory" : "bad N<node>=<pages>";
		free(m->path);
		free(m->nodes);
		return e;
	}
	if (huge)
		m->kind = NP_KIND_HUGETLB;
	else if (m->path && !anon && is_shmem_path(m->path))
		m->kind = NP_KIND_SHMEM;
	else if (m->path && !anon)
		m->kind = NP_KIND_FILE;
	return 0;
}

static int parse_numa_maps(const char *buf, size_t len,
			   struct np_numa_maps *out, const char **why)
{
	char *text, *line, *save = NULL;
	size_t cap = 0;
	int e = 0;

	out->maps = NULL;
	out->n = 0;
	if (len && memchr(buf, '\0', len)) {
		*why = "NUL byte in numa_maps";
		return -EINVAL;
	}
	text = strndup(buf, len);
	if (!text)
		return -ENOMEM;
	for (line = strtok_r(text, "\n", &save); line && !e;
	     line = strtok_r(NULL, "\n", &save)) {
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct np_mapping *nm = realloc(out->maps,
							ncap * sizeof(*nm));

			if (!nm) {
				e = -ENOMEM;
				*why = "out of memory";
				break;
			}
			out->maps = nm;
			cap = ncap;
		}
		e = parse_line(line, &out->maps[out->n], why);
		if (!e)
			out->n++;
	}
	free(text);
	if (e)
		np_numa_maps_free(out);
	return e;
}

int np_parse_numa_maps(const char *buf, size_t len, struct np_numa_maps *out,
		       struct np_err *err)
{
	const char *why = NULL;
	int e = parse_numa_maps(buf, len, out, &why);

	if (e == -ENOMEM)
		return np_fail_sys(err, e, "numa_maps: out of memory");
	if (e)
		return np_fail_input(err, e, "numa_maps: %s", why);
	return 0;
}

static struct np_mapping *find_mapping(struct np_numa_maps *m,
				       uint64_t start)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->maps[i].start == start)
			return &m->maps[i];
	return NULL;
}

void np_numa_maps_add_smaps(struct np_numa_maps *m, const char *smaps,
			    size_t len)
{
	char *text = strndup(smaps, len), *line, *save = NULL;
	struct np_mapping *cur = NULL;

	if (!text)
		return;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *end;
		uint64_t v = strtoull(line, &end, 16);

		if (end != line && *end == '-') {
			cur = find_mapping(m, v);
			continue;
		}
		if (cur && !strncmp(line, "AnonHugePages:", 14))
			cur->thp_bytes = strtoull(line + 14, NULL, 10) * 1024;
	}
	free(text);
}

int np_numa_maps_read(const char *root, pid_t pid, struct np_numa_maps *out,
		      struct np_err *err)
{
	struct np_root r;
	const char *why = NULL;
	char *buf;
	size_t len;
	int e;

	out->maps = NULL;
	out->n = 0;
	e = np_root_open(&r, root, err);
	if (e)
		return e;
	e = np_proc_read(&r, pid, "numa_maps", &buf, &len, err);
	if (!e) {
		e = parse_numa_maps(buf, len, out, &why);
		/* The kernel wrote it: text we cannot read is not the
		 * caller's fault. */
		if (e)
			np_fail_sys(err, e, "%s/proc/%d/numa_maps: %s", r.path,
				    (int)pid, why);
		else if (!r.path[0])
			classify_by_fs(out);
		free(buf);
	}
	if (!e && np_proc_read(&r, pid, "smaps", &buf, &len, NULL) == 0) {
		np_numa_maps_add_smaps(out, buf, len);
		free(buf);
	}
	np_root_close(&r);
	return e;
}

uint64_t np_pages_thp_bytes(const void *addr, size_t len)
{
	struct np_numa_maps m;
	uintptr_t lo = (uintptr_t)addr, hi = lo + len;
	uint64_t bytes = 0;

	if (np_numa_maps_read("/", getpid(), &m, NULL))
		return 0;
	for (size_t i = 0; i < m.n; i++)
		if (m.maps[i].start >= lo && m.maps[i].start < hi)
			bytes += m.maps[i].thp_bytes;
	np_numa_maps_free(&m);
	return bytes;
}

int np_policy_nodes(const char *policy, struct np_idset *nodes, char *mode,
		    size_t mode_len)
{
	const char *colon = strrchr(policy, ':');
	const char *why;
	int e;

	snprintf(mode, mode_len, "%.*s", (int)(colon ? colon - policy :
					       (long)strlen(policy)), policy);
	/* "bind=static:1": the flags after '=' are not part of the mode */
	mode[strcspn(mode, "=")] = '\0';
	if (!colon)
		return 0;
	e = np_parse_idlist(colon + 1, strlen(colon + 1), NP_MAX_NODES - 1,
			    nodes, &why);
	if (e == -ENOMEM)
		return e;
	return e ? 0 : (int)nodes->n;
}
