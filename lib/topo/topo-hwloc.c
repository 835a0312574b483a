/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What hwloc adds to the node layer: the CPU structure of each node
 * (packages, dies, cores, PUs, caches) and HMAT memory attributes, plus
 * hwloc XML as an input and an output.  hwloc is loaded only on request:
 * a full load costs several milliseconds, while the node layer is read
 * from sysfs in well under one.
 */
#include "topo/topo-internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo/topo-hwloc-dl.h"

/* The hwloc call table; set before any hwloc object exists (see
 * need_hwloc()), so every function below that sees an hwloc object
 * may use it. */
static const struct np_hwloc *H;

static int need_hwloc(struct np_err *err)
{
	H = np_hwloc_get(err);
	return H ? 0 : -ENOENT;
}

/* The value of attribute `key` in the tag [p, end), or NULL. */
static const char *xml_attr(const char *p, const char *end, const char *key,
			    size_t *vlen)
{
	size_t klen = strlen(key);

	for (; p + klen + 2 < end; p++) {
		const char *q, *v;

		if ((p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n' &&
		     p[-1] != '\r') || memcmp(p, key, klen) || p[klen] != '=' ||
		    (p[klen + 1] != '"' && p[klen + 1] != '\''))
			continue;
		v = p + klen + 2;
		q = memchr(v, p[klen + 1], (size_t)(end - v));
		if (!q)
			return NULL;
		*vlen = (size_t)(q - v);
		return v;
	}
	return NULL;
}

/* Decimal digits → value (saturated at ULLONG_MAX); false if not digits. */
static bool xml_index(const char *v, size_t n, unsigned long long *x)
{
	*x = 0;
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned)(v[i] - '0');

		if (v[i] < '0' || v[i] > '9')
			return false;
		*x = *x > (ULLONG_MAX - d) / 10 ? ULLONG_MAX : *x * 10 + d;
	}
	return true;
}

static int xml_check_object(const char *name, const char *tag,
			    const char *end, unsigned char *seen,
			    struct np_err *err)
{
	const char *type, *idx;
	unsigned long long id;
	size_t tlen, ilen;

	type = xml_attr(tag, end, "type", &tlen);
	idx = xml_attr(tag, end, "os_index", &ilen);
	/* Not digits: hwloc's to judge. */
	if (!type || !idx || !xml_index(idx, ilen, &id))
		return 0;
	if (tlen == 8 && !memcmp(type, "NUMANode", 8)) {
		if (id >= NP_MAX_NODES)
			return np_fail_node_id(err, name, id);
		if (seen[id / 8] & (1u << (id % 8)))
			return np_fail_input(err, -EINVAL, "%s: node %llu appears "
					     "twice", name, id);
		seen[id / 8] |= (unsigned char)(1u << (id % 8));
	} else if (tlen == 2 && !memcmp(type, "PU", 2) && id >= NP_MAX_CPUS) {
		return np_fail_input(err, -ERANGE, "%s: CPU %llu out of range "
				     "(ids go up to %u)", name, id,
				     NP_MAX_CPUS - 1);
	}
	return 0;
}

/*
 * The id limits of every input, checked on the text before hwloc loads
 * it: hwloc sizes its node and CPU bitmaps by the largest os_index, so a
 * NUMANode os_index="4294967295" would cost 512 MiB (and --xml write a
 * 1 GiB bitmap) before np_topo_check() could refuse it.  Duplicate node
 * ids are refused here too: hwloc keeps both objects.
 */
static int xml_prescan(const char *name, const char *buf, size_t len,
		       struct np_err *err)
{
	unsigned char seen[NP_MAX_NODES / 8] = { 0 };
	const char *p = buf, *end = buf + len;
	int e = 0;

	while (!e && p < end) {
		const char *tag = memmem(p, (size_t)(end - p), "<object", 7);
		const char *close;

		if (!tag)
			break;
		close = memchr(tag, '>', (size_t)(end - tag));
		if (!close)
			break;
		e = xml_check_object(name, tag + 7, close, seen, err);
		p = close;
	}
	return e;
}

static int hwloc_from_xml_buffer(const char *name, const char *buf,
				 size_t len, hwloc_topology_t *out,
				 struct np_err *err)
{
	hwloc_topology_t topo;
	int e;

	if (len > (size_t)INT32_MAX)
		return np_fail_input(err, -EFBIG, "%s: too large", name);
	e = xml_prescan(name, buf, len, err);
	if (e)
		return e;
	if (H->topology_init(&topo))
		return np_fail_sys(err, -ENOMEM, "out of memory");
	/* hwloc's XML importer reads the buffer with len including a NUL. */
	if (H->topology_set_xmlbuffer(topo, buf, (int)len + 1) ||
	    H->topology_set_flags(topo,
				     HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED) ||
	    H->topology_load(topo)) {
		e = errno ? -errno : -EINVAL;
		H->topology_destroy(topo);
		return np_fail_errno(err, e == -ENOMEM ? e : -EINVAL,
			       "%s: not a valid hwloc XML topology", name);
	}
	*out = topo;
	return 0;
}

static int hwloc_live(hwloc_topology_t *out, struct np_err *err)
{
	hwloc_topology_t topo;

	if (H->topology_init(&topo))
		return np_fail_sys(err, -ENOMEM, "out of memory");
	/* I/O devices are not about NUMA placement of memory and CPUs. */
	H->topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_NONE);
	if (H->topology_load(topo)) {
		int e = -errno;

		H->topology_destroy(topo);
		return np_fail_errno(err, e ? e : -EIO, "hwloc: cannot load this "
			       "machine's topology: %s", strerror(e ? -e : EIO));
	}
	*out = topo;
	return 0;
}

static int load_hwloc(struct np_topo *t, struct np_err *err)
{
	hwloc_topology_t topo = NULL;
	char path[4096];
	size_t len;
	char *buf;
	int e;

	if (t->hwloc)
		return 0;
	if (t->source == NP_TOPO_JSON)
		return np_fail_input(err, -ENOENT, "%s: numaplace JSON carries no "
			       "CPU structure", t->origin);
	if (need_hwloc(err))
		return -ENOENT;
	if (strcmp(t->origin, "/") == 0) {
		e = hwloc_live(&topo, err);
	} else {
		snprintf(path, sizeof(path), "%s/hwloc.xml", t->origin);
		e = np_read_file(path, &buf, &len, err);
		if (e == -ENOENT)
			return np_fail_errno(err, e, "%s: no hwloc.xml in this dump, "
				       "so no CPU structure (tools/capture-dump.sh "
				       "writes one)", t->origin);
		if (e)
			return e;
		e = hwloc_from_xml_buffer(path, buf, len, &topo, err);
		free(buf);
	}
	if (e)
		return e;
	t->hwloc = topo;
	return 0;
}

static hwloc_bitmap_t node_cpuset(const struct np_node *n)
{
	hwloc_bitmap_t set = H->bitmap_alloc();

	for (size_t i = 0; set && i < n->ncpus; i++)
		H->bitmap_set(set, n->cpus[i]);
	return set;
}

static unsigned count_intersecting(hwloc_topology_t topo, hwloc_obj_type_t type,
				   hwloc_const_bitmap_t set)
{
	hwloc_obj_t obj = NULL;
	unsigned n = 0;

	while ((obj = np_hwloc_next(H, topo, type, obj)) != NULL)
		if (obj->cpuset && H->bitmap_intersects(obj->cpuset, set))
			n++;
	return n;
}

static char cache_type_char(hwloc_obj_cache_type_t type)
{
	return type == HWLOC_OBJ_CACHE_DATA ? 'd' :
	       type == HWLOC_OBJ_CACHE_INSTRUCTION ? 'i' : 'u';
}

/* Caches from the outermost level in, as lscpu and lstopo list them. */
static void fill_caches(hwloc_topology_t topo, hwloc_const_bitmap_t set,
			struct np_node_cpu_structure *s)
{
	static const hwloc_obj_type_t types[] = {
		HWLOC_OBJ_L5CACHE, HWLOC_OBJ_L4CACHE, HWLOC_OBJ_L3CACHE,
		HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L1ICACHE,
	};

	for (size_t k = 0; k < sizeof(types) / sizeof(types[0]); k++) {
		struct np_cache_level *c = &s->cache_levels[s->ncache_levels];
		hwloc_obj_t obj = NULL;

		c->count = 0;
		while ((obj = np_hwloc_next(H, topo, types[k], obj))) {
			if (!obj->cpuset || !H->bitmap_intersects(obj->cpuset, set))
				continue;
			if (!c->count) {
				c->depth = obj->attr->cache.depth;
				c->type = cache_type_char(obj->attr->cache.type);
				c->size_bytes = obj->attr->cache.size;
			}
			c->count++;
		}
		if (c->count && s->ncache_levels < 8)
			s->ncache_levels++;
	}
}

static void fill_memattrs(hwloc_topology_t topo, const struct np_node *n,
			  hwloc_const_bitmap_t set,
			  struct np_node_cpu_structure *s)
{
	hwloc_obj_t numa = np_hwloc_numanode(H, topo, n->id);
	struct hwloc_location loc;
	hwloc_uint64_t v;

	if (!numa || !n->ncpus)
		return;
	loc.type = HWLOC_LOCATION_TYPE_CPUSET;
	loc.location.cpuset = (hwloc_cpuset_t)set;
	if (!H->memattr_get_value(topo, HWLOC_MEMATTR_ID_BANDWIDTH, numa,
				     &loc, 0, &v))
		s->local_bandwidth_mibps = v;
	if (!H->memattr_get_value(topo, HWLOC_MEMATTR_ID_LATENCY, numa,
				     &loc, 0, &v))
		s->local_latency_ns = v;
}

static int fill_node(hwloc_topology_t topo, struct np_node *n)
{
	struct np_node_cpu_structure *s = &n->cpu_structure;
	hwloc_bitmap_t set = node_cpuset(n);

	if (!set)
		return -ENOMEM;
	memset(s, 0, sizeof(*s));
	if (n->ncpus) {
		s->packages = count_intersecting(topo, HWLOC_OBJ_PACKAGE, set);
		s->dies = count_intersecting(topo, HWLOC_OBJ_DIE, set);
		s->cores = count_intersecting(topo, HWLOC_OBJ_CORE, set);
		s->pus = count_intersecting(topo, HWLOC_OBJ_PU, set);
		fill_caches(topo, set, s);
	}
	fill_memattrs(topo, n, set, s);
	n->has_cpu_structure = true;
	H->bitmap_free(set);
	return 0;
}

int np_topo_load_cpu_structure(struct np_topo *t, struct np_err *err)
{
	int e = load_hwloc(t, err);

	for (size_t i = 0; !e && i < t->nnodes; i++)
		if (fill_node((hwloc_topology_t)t->hwloc, &t->nodes[i]))
			e = np_fail_sys(err, -ENOMEM, "out of memory");
	return e;
}

int np_topo_to_hwloc_xml(struct np_topo *t, char **out, size_t *len,
			 struct np_err *err)
{
	char *xml;
	int xlen, e;

	*out = NULL;
	e = load_hwloc(t, err);
	if (e)
		return e;
	if (H->topology_export_xmlbuffer((hwloc_topology_t)t->hwloc, &xml,
					    &xlen, 0))
		return np_fail_sys(err, -EIO, "hwloc: cannot export XML");
	/* Hand back malloc'd memory: hwloc's buffer has its own free. */
	*out = strndup(xml, (size_t)(xlen > 0 ? xlen - 1 : 0));
	H->free_xmlbuffer((hwloc_topology_t)t->hwloc, xml);
	if (!*out)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	if (len)
		*len = strlen(*out);
	return 0;
}

/* ---- hwloc XML as the input ------------------------------------------ */

/*
 * Which NUMA node a PU belongs to.  hwloc gives a NUMA node the cpuset of
 * the CPUs close to it, so a memory-only (CXL) node attached at package
 * or machine level "contains" CPUs that Linux lists under another node.
 * The owner is the closest node: the one with the smallest cpuset that
 * contains the PU, preferring ordinary memory over a subtyped one (hwloc
 * marks HBM/NVM/CXL nodes with a subtype) and then the lower OS index.
 */
static bool better_owner(hwloc_obj_t cand, hwloc_obj_t best)
{
	int wc = H->bitmap_weight(cand->cpuset);
	int wb = H->bitmap_weight(best->cpuset);

	if (wc != wb)
		return wc < wb;
	if (!cand->subtype != !best->subtype)
		return !cand->subtype;
	return cand->os_index < best->os_index;
}

static hwloc_obj_t pu_owner(hwloc_topology_t topo, unsigned pu)
{
	hwloc_obj_t numa = NULL, best = NULL;

	while ((numa = np_hwloc_next(H, topo, HWLOC_OBJ_NUMANODE,
						   numa))) {
		if (!numa->cpuset || !H->bitmap_isset(numa->cpuset, pu))
			continue;
		if (!best || better_owner(numa, best))
			best = numa;
	}
	return best;
}

static int xml_node_cpus(hwloc_topology_t topo, struct np_node *n)
{
	struct np_idset l = { NULL, 0 };
	hwloc_obj_t pu = NULL;
	unsigned *sorted;
	size_t cnt = 0;

	/* PUs come in logical order; collect then sort by OS index. */
	while ((pu = np_hwloc_next(H, topo, HWLOC_OBJ_PU, pu))) {
		hwloc_obj_t owner = pu_owner(topo, pu->os_index);

		if (owner && owner->os_index == n->id)
			cnt++;
	}
	sorted = calloc(cnt ? cnt : 1, sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	cnt = 0;
	while ((pu = np_hwloc_next(H, topo, HWLOC_OBJ_PU, pu))) {
		hwloc_obj_t owner = pu_owner(topo, pu->os_index);

		if (owner && owner->os_index == n->id)
			sorted[cnt++] = pu->os_index;
	}
	for (size_t i = 1; i < cnt; i++)
		for (size_t j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
			unsigned tmp = sorted[j];

			sorted[j] = sorted[j - 1];
			sorted[j - 1] = tmp;
		}
	for (size_t i = 0; i < cnt; i++)
		if (np_idset_push(&l, sorted[i])) {
			free(sorted);
			np_idset_free(&l);
			return -ENOMEM;
		}
	free(sorted);
	n->cpus = l.ids;
	n->ncpus = l.n;
	return 0;
}

static int xml_node_memory(hwloc_obj_t numa, struct np_node *n)
{
	const struct hwloc_numanode_attr_s *a = &numa->attr->numanode;

	n->total_bytes = a->local_memory;
	n->free_bytes = NP_UNKNOWN;
	n->hugepages = calloc(a->page_types_len ? a->page_types_len : 1,
			      sizeof(*n->hugepages));
	if (!n->hugepages)
		return -ENOMEM;
	for (unsigned i = 0; i < a->page_types_len; i++) {
		/* The first entry is the base page size (normal memory). */
		if (i == 0 || !a->page_types[i].size)
			continue;
		n->hugepages[n->nhugepages].size_bytes = a->page_types[i].size;
		n->hugepages[n->nhugepages].total = a->page_types[i].count;
		n->hugepages[n->nhugepages].free = NP_UNKNOWN;
		n->hugepages[n->nhugepages].surplus = NP_UNKNOWN;
		n->nhugepages++;
	}
	np_sort_hugepages(n);
	if (a->page_types_len && a->page_types[0].size)
		n->page_size_bytes = a->page_types[0].size;
	return 0;
}

static void xml_distances(hwloc_topology_t topo, struct np_topo *t)
{
	struct hwloc_distances_s *d = NULL;
	unsigned nr = 1;

	if (H->distances_get_by_name(topo, "NUMALatency", &nr, &d, 0) ||
	    nr < 1)
		return;
	for (unsigned i = 0; i < d->nbobjs; i++) {
		long a = np_topo_node_index(t, d->objs[i]->os_index);

		for (unsigned j = 0; a >= 0 && j < d->nbobjs; j++) {
			long b = np_topo_node_index(t, d->objs[j]->os_index);
			hwloc_uint64_t v = d->values[i * d->nbobjs + j];

			if (b >= 0 && v <= 255)
				t->distances[(size_t)a * t->nnodes + (size_t)b] =
					(uint32_t)v;
		}
	}
	H->distances_release(topo, d);
}

static int xml_fill(hwloc_topology_t topo, struct np_topo *t)
{
	int nn = (int)np_hwloc_count(H, topo, HWLOC_OBJ_NUMANODE);
	unsigned *ids;
	int e;

	if (nn <= 0)
		return -ENOENT;
	ids = calloc((size_t)nn, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (int i = 0; i < nn; i++)
		ids[i] = H->get_obj_by_depth(topo,
						 HWLOC_TYPE_DEPTH_NUMANODE, (unsigned)i)->os_index;
	for (int i = 1; i < nn; i++)
		for (int j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
			unsigned tmp = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = tmp;
		}
	e = np_topo_alloc_nodes(t, ids, (size_t)nn);
	free(ids);
	for (size_t i = 0; !e && i < t->nnodes; i++) {
		struct np_node *n = &t->nodes[i];
		hwloc_obj_t numa = np_hwloc_numanode(H, topo, n->id);

		e = xml_node_cpus(topo, n);
		if (!e)
			e = xml_node_memory(numa, n);
		n->has_cpus = n->ncpus > 0;
		n->has_memory = n->total_bytes > 0;
		n->has_normal_memory = n->has_memory;
	}
	if (!e)
		xml_distances(topo, t);
	return e;
}

int np_topo_from_hwloc_xml(const char *name, const char *buf, size_t len,
			   struct np_topo **out, struct np_err *err)
{
	hwloc_topology_t topo;
	struct np_topo *t;
	int e;

	*out = NULL;
	if (need_hwloc(err))
		return -ENOENT;
	e = hwloc_from_xml_buffer(name, buf, len, &topo, err);
	if (e)
		return e;
	t = np_topo_new(NP_TOPO_HWLOC_XML, name);
	if (!t) {
		H->topology_destroy(topo);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	t->hwloc = topo;
	e = xml_fill(topo, t);
	if (e) {
		np_topo_free(t);
		return np_fail_errno(err, e, "%s: %s", name, e == -ENOENT ?
			       "no NUMA nodes in this hwloc XML" :
			       "out of memory");
	}
	e = np_topo_check(t, name, err);
	if (e) {
		np_topo_free(t);
		return e;
	}
	*out = t;
	return 0;
}

int np_topo_hwloc_core_ids(const struct np_topo *t, const unsigned *cpus,
			   size_t n, unsigned *core)
{
	hwloc_topology_t topo = (hwloc_topology_t)t->hwloc;

	if (!topo || !H)
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		hwloc_obj_t obj = NULL;
		bool found = false;

		while (!found && (obj = np_hwloc_next(H, topo, HWLOC_OBJ_CORE,
						      obj)))
			if (obj->cpuset && H->bitmap_isset(obj->cpuset, cpus[i]))
				found = true;
		if (!found)
			return -ENOENT;
		/* a core's number is its lowest PU, as the sysfs reading */
		core[i] = cpus[i];
		for (size_t j = 0; j < i; j++)
			if (H->bitmap_isset(obj->cpuset, cpus[j])) {
				core[i] = core[j];
				break;
			}
	}
	return 0;
}
