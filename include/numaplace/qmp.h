/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small client of QEMU's machine protocol (QMP) over a unix socket:
 * the greeting, capabilities negotiation, commands with arguments and
 * their replies matched by "id", and the asynchronous events that arrive
 * in between, kept in order for the caller.  One command at a time per
 * connection; not thread-safe.
 *
 * Arguments and replies are JSON text (the library's JSON is json-c, not
 * part of this API); query-memdev and query-cpus-fast, which placement
 * needs, also come as structs.
 *
 * Errors follow numaplace/error.h.  An error reply is class input (the
 * command or its arguments were refused as given): the message is
 * "qmp: COMMAND: CLASS: DESC" with QMP's error class and description,
 * and np_qmp_error_class() returns the class ("GenericError",
 * "CommandNotFound", "DeviceNotFound", ...).  A path that does not exist
 * or that nobody listens on (-ENOENT, -ECONNREFUSED) or that is too long
 * (-ENAMETOOLONG) is input too.  Everything else is class system: a peer
 * that closed (-ECONNRESET), a reply that is not QMP (-EPROTO), no reply
 * in time (-ETIMEDOUT), memory.
 */
#ifndef NUMAPLACE_QMP_H
#define NUMAPLACE_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <numaplace/error.h>
#include <numaplace/idset.h>

#ifdef __cplusplus
extern "C" {
#endif

struct np_qmp;

/* Default time a reply may take. */
#define NP_QMP_TIMEOUT_MS 5000u
/* Events kept unread at most; older ones are dropped (and counted). */
#define NP_QMP_MAX_EVENTS 256u

/*
 * Connects to the QMP socket at path, reads the greeting and negotiates
 * capabilities (none asked), each within timeout_ms (0: NP_QMP_TIMEOUT_MS).
 * *out is freed with np_qmp_close().
 */
int np_qmp_open(const char *path, unsigned timeout_ms, struct np_qmp **out,
		struct np_err *err);
/*
 * The same over a socket already connected to QEMU's monitor (a
 * socketpair end given to QEMU as -chardev socket,fd=N, or a socket the
 * caller connected itself); name stands for it in messages.  fd is the
 * client's from the call on, closed by np_qmp_close() (or on failure).
 */
int np_qmp_open_fd(int fd, const char *name, unsigned timeout_ms,
		   struct np_qmp **out, struct np_err *err);
void np_qmp_close(struct np_qmp *q);

/* The time each later reply may take (0: NP_QMP_TIMEOUT_MS). */
void np_qmp_set_timeout(struct np_qmp *q, unsigned timeout_ms);

/* QEMU's version from the greeting, e.g. 7, 2, 22. */
void np_qmp_version(const struct np_qmp *q, unsigned *major, unsigned *minor,
		    unsigned *micro);

/*
 * Runs command with arguments args_json (a JSON object's text, or NULL for
 * none) and waits for its reply; *ret_json (if ret_json is not NULL) is
 * the reply's "return" value as JSON text, malloc'd.  Events that arrive
 * meanwhile are kept (np_qmp_next_event); replies to an earlier command
 * that timed out are dropped.  On -ETIMEDOUT the connection stays usable.
 */
int np_qmp_execute(struct np_qmp *q, const char *command,
		   const char *args_json, char **ret_json, struct np_err *err);

/* The QMP class of the last error reply ("" when the last command did not
 * get one). */
const char *np_qmp_error_class(const struct np_qmp *q);

/*
 * The oldest kept event as JSON text ({"event":..., "data":...,
 * "timestamp":...}), malloc'd into *event_json and removed: 1, or 0 when
 * none is kept, or -ENOMEM.  Does not read the socket.
 */
int np_qmp_next_event(struct np_qmp *q, char **event_json);
/* Events dropped because NP_QMP_MAX_EVENTS were kept unread. */
uint64_t np_qmp_events_dropped(const struct np_qmp *q);

/* ---- the queries placement needs ----------------------------------------- */

/* One memory backend (query-memdev). */
struct np_qmp_memdev {
	char *id;                   /* "ram0"; NULL when QEMU gave none */
	uint64_t size_bytes;
	bool merge, dump, prealloc, share;
	char policy[16];            /* "default", "preferred", "bind", "interleave" */
	struct np_idset host_nodes;
};

int np_qmp_query_memdev(struct np_qmp *q, struct np_qmp_memdev **out,
			size_t *n, struct np_err *err);
void np_qmp_memdevs_free(struct np_qmp_memdev *m, size_t n);

/* One vCPU (query-cpus-fast); -1 where QEMU does not say. */
struct np_qmp_cpu {
	unsigned cpu_index;
	pid_t thread_id;            /* the host thread running this vCPU */
	int node_id, socket_id, core_id;
};

/* The vCPUs ascending by cpu_index; *out freed with free(). */
int np_qmp_query_cpus(struct np_qmp *q, struct np_qmp_cpu **out, size_t *n,
		      struct np_err *err);

#ifdef __cplusplus
}
#endif

#endif
