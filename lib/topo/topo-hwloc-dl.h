/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hwloc, opened on first use.
 *
 * Why not link it: mapping libhwloc (and the libudev it pulls in) costs a
 * process ~0.5 ms at start, which made `numaplace topo` slower than
 * `numactl -H` although the node layer never calls hwloc.  The topology
 * issue asks for hwloc "loaded only when asked"; dlopen makes that true
 * for the library's users too.  The calls are the exported hwloc 2.x ABI
 * (soname libhwloc.so.15); hwloc's inline helpers would bind those
 * symbols at link time, so the few we need are re-done here over the
 * pointers.
 */
#ifndef NP_TOPO_HWLOC_DL_H
#define NP_TOPO_HWLOC_DL_H

#include <hwloc.h>

#include <numaplace/error.h>

struct np_hwloc {
	int (*topology_init)(hwloc_topology_t *);
	void (*topology_destroy)(hwloc_topology_t);
	int (*topology_load)(hwloc_topology_t);
	int (*topology_set_flags)(hwloc_topology_t, unsigned long);
	int (*topology_set_xmlbuffer)(hwloc_topology_t, const char *, int);
	int (*topology_set_io_types_filter)(hwloc_topology_t,
					    enum hwloc_type_filter_e);
	int (*topology_export_xmlbuffer)(hwloc_topology_t, char **, int *,
					 unsigned long);
	void (*free_xmlbuffer)(hwloc_topology_t, char *);
	int (*get_type_depth)(hwloc_topology_t, hwloc_obj_type_t);
	unsigned (*get_nbobjs_by_depth)(hwloc_topology_t, int);
	hwloc_obj_t (*get_obj_by_depth)(hwloc_topology_t, int, unsigned);
	hwloc_bitmap_t (*bitmap_alloc)(void);
	void (*bitmap_free)(hwloc_bitmap_t);
	int (*bitmap_set)(hwloc_bitmap_t, unsigned);
	int (*bitmap_isset)(hwloc_const_bitmap_t, unsigned);
	int (*bitmap_intersects)(hwloc_const_bitmap_t, hwloc_const_bitmap_t);
	int (*bitmap_weight)(hwloc_const_bitmap_t);
	int (*memattr_get_value)(hwloc_topology_t, hwloc_memattr_id_t,
				 hwloc_obj_t, struct hwloc_location *,
				 unsigned long, hwloc_uint64_t *);
	int (*distances_get_by_name)(hwloc_topology_t, const char *, unsigned *,
				     struct hwloc_distances_s **, unsigned long);
	void (*distances_release)(hwloc_topology_t, struct hwloc_distances_s *);
};

/* The table, opening libhwloc on first call; NULL with err set if absent. */
const struct np_hwloc *np_hwloc_get(struct np_err *err);

/* Destroys an hwloc topology (NULL: nothing). */
void np_hwloc_release(void *topology);

/* Re-done inline helpers of hwloc.h / hwloc/helper.h. */
hwloc_obj_t np_hwloc_next(const struct np_hwloc *h, hwloc_topology_t topo,
			  hwloc_obj_type_t type, hwloc_obj_t prev);
unsigned np_hwloc_count(const struct np_hwloc *h, hwloc_topology_t topo,
			hwloc_obj_type_t type);
hwloc_obj_t np_hwloc_numanode(const struct np_hwloc *h, hwloc_topology_t topo,
			      unsigned os_index);

#endif
