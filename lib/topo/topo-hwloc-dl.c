/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "topo/topo-hwloc-dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "linux/linux-root.h"

static struct np_hwloc api;
static const char *load_error;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Symbol name and the slot it fills, in struct order. */
#define SYM(name, field) { "hwloc_" name, offsetof(struct np_hwloc, field) }
static const struct { const char *name; size_t off; } syms[] = {
	SYM("topology_init", topology_init),
	SYM("topology_destroy", topology_destroy),
	SYM("topology_load", topology_load),
	SYM("topology_set_flags", topology_set_flags),
	SYM("topology_set_xmlbuffer", topology_set_xmlbuffer),
	SYM("topology_set_io_types_filter", topology_set_io_types_filter),
	SYM("topology_export_xmlbuffer", topology_export_xmlbuffer),
	SYM("free_xmlbuffer", free_xmlbuffer),
	SYM("get_type_depth", get_type_depth),
	SYM("get_nbobjs_by_depth", get_nbobjs_by_depth),
	SYM("get_obj_by_depth", get_obj_by_depth),
	SYM("bitmap_alloc", bitmap_alloc),
	SYM("bitmap_free", bitmap_free),
	SYM("bitmap_set", bitmap_set),
	SYM("bitmap_isset", bitmap_isset),
	SYM("bitmap_intersects", bitmap_intersects),
	SYM("bitmap_weight", bitmap_weight),
	SYM("memattr_get_value", memattr_get_value),
	SYM("distances_get_by_name", distances_get_by_name),
	SYM("distances_release", distances_release),
};

static void open_hwloc(void)
{
	unsigned (*api_version)(void);
	void *h;

	h = dlopen("libhwloc.so.15", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		load_error = "cannot open libhwloc.so.15 (Debian package libhwloc15)";
		return;
	}
	*(void **)&api_version = dlsym(h, "hwloc_get_api_version");
	/* Same major ABI as the headers we were built with (hwloc's rule). */
	if (!api_version || (api_version() >> 16) != (HWLOC_API_VERSION >> 16)) {
		load_error = "libhwloc.so.15 is not the hwloc 2.x ABI";
		return;
	}
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *p = dlsym(h, syms[i].name);

		if (!p) {
			load_error = "libhwloc.so.15 lacks a needed symbol";
			memset(&api, 0, sizeof(api));
			return;
		}
		memcpy((char *)&api + syms[i].off, &p, sizeof(p));
	}
}

const struct np_hwloc *np_hwloc_get(struct np_err *err)
{
	pthread_once(&once, open_hwloc);
	if (load_error) {
		/* libhwloc missing: the machine lacks a package. */
		np_fail_sys(err, -ENOENT, "hwloc: %s", load_error);
		return NULL;
	}
	return &api;
}

void np_hwloc_release(void *topology)
{
	/* An hwloc object exists only once the table was loaded. */
	if (topology)
		api.topology_destroy((hwloc_topology_t)topology);
}

hwloc_obj_t np_hwloc_next(const struct np_hwloc *h, hwloc_topology_t topo,
			  hwloc_obj_type_t type, hwloc_obj_t prev)
{
	int depth = h->get_type_depth(topo, type);

	if (depth == HWLOC_TYPE_DEPTH_UNKNOWN ||
	    depth == HWLOC_TYPE_DEPTH_MULTIPLE)
		return NULL;
	if (!prev)
		return h->get_obj_by_depth(topo, depth, 0);
	return prev->depth == depth ? prev->next_cousin : NULL;
}

unsigned np_hwloc_count(const struct np_hwloc *h, hwloc_topology_t topo,
			hwloc_obj_type_t type)
{
	int depth = h->get_type_depth(topo, type);

	if (depth == HWLOC_TYPE_DEPTH_UNKNOWN ||
	    depth == HWLOC_TYPE_DEPTH_MULTIPLE)
		return 0;
	return h->get_nbobjs_by_depth(topo, depth);
}

hwloc_obj_t np_hwloc_numanode(const struct np_hwloc *h, hwloc_topology_t topo,
			      unsigned os_index)
{
	hwloc_obj_t obj = NULL;

	while ((obj = np_hwloc_next(h, topo, HWLOC_OBJ_NUMANODE, obj)))
		if (obj->os_index == os_index)
			return obj;
	return NULL;
}
