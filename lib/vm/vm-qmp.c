/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The QMP client of numaplace/qmp.h.  QEMU writes one JSON object per
 * line ("\r\n"): the client buffers what the socket gives until a line is
 * whole, so a message split over reads, or many in one read, are the
 * same.  Every command carries a numeric "id"; a reply with another id is
 * the late answer to a command that timed out, and is dropped.  Replies
 * without an id are QEMU's answer to a request it could not parse, which
 * is the only one outstanding.
 */
#include <numaplace/qmp.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "util/util-err.h"

/* A line longer than this is not QMP (query replies are kilobytes). */
#define MAX_LINE (64u << 20)

struct np_qmp {
	int fd;
	char *path;                 /* for messages */
	unsigned timeout_ms;
	char *buf;                  /* received, not yet a whole line */
	size_t len, cap;
	int64_t next_id;
	unsigned major, minor, micro;
	char err_class[64];
	char *events[NP_QMP_MAX_EVENTS];   /* ring: head, count */
	size_t ev_head, ev_count;
	uint64_t ev_dropped;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fail_closed(struct np_qmp *q, struct np_err *err)
{
	return np_fail_sys(err, -ECONNRESET, "qmp: %s: QEMU closed the "
			   "connection", q->path);
}

/* Waits until fd is ready for events or the deadline passes. */
static int wait_fd(struct np_qmp *q, short events, int64_t deadline,
		   const char *what, struct np_err *err)
{
	struct pollfd pfd = { .fd = q->fd, .events = events };

	for (;;) {
		int64_t left = deadline - now_ms();
		int r;

		if (left < 0)
			left = 0;
		r = poll(&pfd, 1, (int)left);
		if (r > 0)
			return 0;
		if (r == 0)
			return np_fail_sys(err, -ETIMEDOUT, "qmp: %s: no %s within "
					   "%u ms", q->path, what, q->timeout_ms);
		if (errno != EINTR)
			return np_fail_sys(err, -errno, "qmp: %s: poll: %s",
					   q->path, strerror(errno));
	}
}

static int send_all(struct np_qmp *q, const char *s, size_t n, int64_t deadline,
		    struct np_err *err)
{
	while (n) {
		ssize_t w = send(q->fd, s, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		int e;

		if (w >= 0) {
			s += w;
			n -= (size_t)w;
			continue;
		}
		if (errno == EPIPE || errno == ECONNRESET)
			return fail_closed(q, err);
		if (errno != EAGAIN && errno != EINTR)
			return np_fail_sys(err, -errno, "qmp: %s: send: %s",
					   q->path, strerror(errno));
		e = wait_fd(q, POLLOUT, deadline, "room to send", err);
		if (e)
			return e;
	}
	return 0;
}

/* Reads once into the buffer: 0, or an error (the peer closed: -ECONNRESET). */
static int fill(struct np_qmp *q, int64_t deadline, const char *what,
		struct np_err *err)
{
	ssize_t r;
	int e;

	if (q->cap - q->len < 4096) {
		size_t cap = q->cap ? q->cap * 2 : 8192;
		char *nb;

		if (cap > MAX_LINE + 8192)
			return np_fail_sys(err, -EPROTO, "qmp: %s: a message of "
					   "more than %u MiB", q->path,
					   MAX_LINE >> 20);
		nb = realloc(q->buf, cap);
		if (!nb)
			return np_fail_sys(err, -ENOMEM, "out of memory");
		q->buf = nb;
		q->cap = cap;
	}
	e = wait_fd(q, POLLIN, deadline, what, err);
	if (e)
		return e;
	do
		r = recv(q->fd, q->buf + q->len, q->cap - q->len, 0);
	while (r < 0 && errno == EINTR);
	if (r == 0 || (r < 0 && errno == ECONNRESET))
		return fail_closed(q, err);
	if (r < 0)
		return np_fail_sys(err, -errno, "qmp: %s: recv: %s", q->path,
				   strerror(errno));
	q->len += (size_t)r;
	return 0;
}

/*
 * The next whole line of the buffer, NUL-terminated without its "\r\n",
 * into *line (valid until the buffer changes); its length with the
 * newline in *used.  false when no line is whole yet.
 */
static bool take_line(struct np_qmp *q, char **line, size_t *used)
{
	char *nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
	size_t n;

	if (!nl)
		return false;
	n = (size_t)(nl - q->buf);
	*nl = '\0';
	if (n && q->buf[n - 1] == '\r')
		q->buf[n - 1] = '\0';
	*line = q->buf;
	*used = n + 1;
	return true;
}

/* The next message, a JSON object, within the deadline. */
static int read_message(struct np_qmp *q, int64_t deadline, const char *what,
			json_object **msg, struct np_err *err)
{
	for (;;) {
		json_object *o = NULL;
		bool blank = true;
		char *line;
		size_t used;
		int e;

		if (!take_line(q, &line, &used)) {
			e = fill(q, deadline, what, err);
			if (e)
				return e;
			continue;
		}
		if (line[strspn(line, " \t")]) {
			blank = false;
			o = json_tokener_parse(line);
		}
		memmove(q->buf, q->buf + used, q->len - used);
		q->len -= used;
		if (o && json_object_is_type(o, json_type_object)) {
			*msg = o;
			return 0;
		}
		json_object_put(o);
		if (!blank)
			return np_fail_sys(err, -EPROTO, "qmp: %s: a message "
					   "that is not a JSON object", q->path);
	}
}

static int connect_unix(const char *path, struct np_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return np_fail_input(err, -ENAMETOOLONG, "qmp: %s: longer than "
				     "a unix socket path may be (%zu bytes)",
				     path, sizeof(sa.sun_path) - 1);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return np_fail_sys(err, -errno, "qmp: socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = -errno;

		close(fd);
		return np_fail_errno(err, e, "qmp: %s: %s", path, strerror(-e));
	}
	return fd;
}

static void keep_event(struct np_qmp *q, json_object *ev)
{
	const char *s = json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN);
	char *copy = s ? strdup(s) : NULL;

	if (!copy) {
		q->ev_dropped++;
		return;
	}
	if (q->ev_count == NP_QMP_MAX_EVENTS) {
		free(q->events[q->ev_head]);
		q->ev_head = (q->ev_head + 1) % NP_QMP_MAX_EVENTS;
		q->ev_count--;
		q->ev_dropped++;
	}
	q->events[(q->ev_head + q->ev_count) % NP_QMP_MAX_EVENTS] = copy;
	q->ev_count++;
}

/* The greeting: {"QMP": {"version": {"qemu": {"major": ...}}, ...}}. */
static int read_greeting(struct np_qmp *q, struct np_err *err)
{
	json_object *msg = NULL, *qmp, *ver, *qemu, *v;
	int e = read_message(q, now_ms() + q->timeout_ms, "greeting", &msg, err);

	if (e)
		return e;
	if (!json_object_object_get_ex(msg, "QMP", &qmp)) {
		json_object_put(msg);
		return np_fail_sys(err, -EPROTO, "qmp: %s: no QMP greeting",
				   q->path);
	}
	if (json_object_object_get_ex(qmp, "version", &ver) &&
	    json_object_object_get_ex(ver, "qemu", &qemu)) {
		if (json_object_object_get_ex(qemu, "major", &v))
			q->major = (unsigned)json_object_get_int(v);
		if (json_object_object_get_ex(qemu, "minor", &v))
			q->minor = (unsigned)json_object_get_int(v);
		if (json_object_object_get_ex(qemu, "micro", &v))
			q->micro = (unsigned)json_object_get_int(v);
	}
	json_object_put(msg);
	return 0;
}

static int reply_error(struct np_qmp *q, const char *command, json_object *error,
		       struct np_err *err)
{
	json_object *cls = NULL, *desc = NULL;
	const char *c, *d;
	int code = -EINVAL;

	json_object_object_get_ex(error, "class", &cls);
	json_object_object_get_ex(error, "desc", &desc);
	c = cls ? json_object_get_string(cls) : "";
	d = desc ? json_object_get_string(desc) : "";
	snprintf(q->err_class, sizeof(q->err_class), "%s", c ? c : "");
	if (!strcmp(q->err_class, "CommandNotFound"))
		code = -EOPNOTSUPP;
	else if (!strcmp(q->err_class, "DeviceNotFound"))
		code = -ENODEV;
	return np_fail_input(err, code, "qmp: %s: %s: %s", command,
			     q->err_class[0] ? q->err_class : "(no class)",
			     d ? d : "");
}

/* Is msg the reply to request id?  (No id: an error QEMU could not tie
 * to a request, which can only be the outstanding one.) */
static bool is_our_reply(json_object *msg, int64_t id, bool *is_reply)
{
	json_object *mid, *x;
	bool error = json_object_object_get_ex(msg, "error", &x);

	*is_reply = error || json_object_object_get_ex(msg, "return", &x);
	if (!*is_reply)
		return false;
	if (!json_object_object_get_ex(msg, "id", &mid))
		return error;
	return json_object_is_type(mid, json_type_int) &&
	       json_object_get_int64(mid) == id;
}

/*
 * Sends command (args may be NULL; not consumed) and waits for its
 * reply; *ret holds a reference to the "return" value.
 */
static int call(struct np_qmp *q, const char *command, json_object *args,
		json_object **ret, struct np_err *err)
{
	int64_t id = q->next_id++, deadline = now_ms() + q->timeout_ms;
	json_object *req = json_object_new_object(), *msg = NULL;
	const char *text;
	char what[96];
	int e = 0;

	*ret = NULL;
	q->err_class[0] = '\0';
	if (!req || json_object_object_add(req, "execute",
					   json_object_new_string(command)) ||
	    (args && json_object_object_add(req, "arguments",
					     json_object_get(args))) ||
	    json_object_object_add(req, "id", json_object_new_int64(id)) ||
	    !(text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN))) {
		json_object_put(req);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	e = send_all(q, text, strlen(text), deadline, err);
	if (!e)
		e = send_all(q, "\n", 1, deadline, err);
	json_object_put(req);
	snprintf(what, sizeof(what), "reply to %s", command);
	while (!e) {
		bool reply;
		json_object *v;

		e = read_message(q, deadline, what, &msg, err);
		if (e)
			break;
		if (is_our_reply(msg, id, &reply)) {
			if (json_object_object_get_ex(msg, "error", &v))
				e = reply_error(q, command, v, err);
			else if (json_object_object_get_ex(msg, "return", &v))
				*ret = json_object_get(v);
			json_object_put(msg);
			return e;
		}
		if (!reply && json_object_object_get_ex(msg, "event", &v))
			keep_event(q, msg);
		else if (!reply)
			e = np_fail_sys(err, -EPROTO, "qmp: %s: a message that "
					"is neither a reply nor an event",
					q->path);
		json_object_put(msg);
	}
	return e;
}

int np_qmp_open_fd(int fd, const char *name, unsigned timeout_ms,
		   struct np_qmp **out, struct np_err *err)
{
	struct np_qmp *q = calloc(1, sizeof(*q));
	json_object *ret = NULL;
	int e;

	*out = NULL;
	if (!q || !(q->path = strdup(name))) {
		free(q);
		close(fd);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	q->fd = fd;
	q->timeout_ms = timeout_ms ? timeout_ms : NP_QMP_TIMEOUT_MS;
	q->next_id = 1;
	e = read_greeting(q, err);
	if (!e)
		e = call(q, "qmp_capabilities", NULL, &ret, err);
	json_object_put(ret);
	if (e) {
		np_qmp_close(q);
		return e;
	}
	*out = q;
	return 0;
}

int np_qmp_open(const char *path, unsigned timeout_ms, struct np_qmp **out,
		struct np_err *err)
{
	int fd = connect_unix(path, err);

	*out = NULL;
	return fd < 0 ? fd : np_qmp_open_fd(fd, path, timeout_ms, out, err);
}

void np_qmp_close(struct np_qmp *q)
{
	if (!q)
		return;
	if (q->fd >= 0)
		close(q->fd);
	while (q->ev_count) {
		free(q->events[q->ev_head]);
		q->ev_head = (q->ev_head + 1) % NP_QMP_MAX_EVENTS;
		q->ev_count--;
	}
	free(q->buf);
	free(q->path);
	free(q);
}

void np_qmp_set_timeout(struct np_qmp *q, unsigned timeout_ms)
{
	q->timeout_ms = timeout_ms ? timeout_ms : NP_QMP_TIMEOUT_MS;
}

void np_qmp_version(const struct np_qmp *q, unsigned *major, unsigned *minor,
		    unsigned *micro)
{
	*major = q->major;
	*minor = q->minor;
	*micro = q->micro;
}

const char *np_qmp_error_class(const struct np_qmp *q)
{
	return q->err_class;
}

int np_qmp_execute(struct np_qmp *q, const char *command, const char *args_json,
		   char **ret_json, struct np_err *err)
{
	json_object *args = NULL, *ret = NULL;
	const char *s;
	int e;

	if (ret_json)
		*ret_json = NULL;
	if (args_json) {
		args = json_tokener_parse(args_json);
		if (!args || !json_object_is_type(args, json_type_object)) {
			json_object_put(args);
			return np_fail_input(err, -EINVAL, "qmp: %s: arguments "
					     "are not a JSON object", command);
		}
	}
	e = call(q, command, args, &ret, err);
	json_object_put(args);
	if (e || !ret_json) {
		json_object_put(ret);
		return e;
	}
	/* a "return" of null would be a NULL object: JSON text "null" */
	s = ret ? json_object_to_json_string_ext(ret, JSON_C_TO_STRING_PLAIN) :
	    "null";
	*ret_json = s ? strdup(s) : NULL;
	json_object_put(ret);
	if (!*ret_json)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	return 0;
}

int np_qmp_next_event(struct np_qmp *q, char **event_json)
{
	*event_json = NULL;
	if (!q->ev_count)
		return 0;
	*event_json = q->events[q->ev_head];
	q->ev_head = (q->ev_head + 1) % NP_QMP_MAX_EVENTS;
	q->ev_count--;
	return 1;
}

uint64_t np_qmp_events_dropped(const struct np_qmp *q)
{
	return q->ev_dropped;
}

/* ---- typed queries ------------------------------------------------------- */

static bool get_int(json_object *o, const char *key, int64_t *v)
{
	json_object *x;

	if (!json_object_object_get_ex(o, key, &x) ||
	    !json_object_is_type(x, json_type_int))
		return false;
	*v = json_object_get_int64(x);
	return true;
}

static bool get_bool(json_object *o, const char *key)
{
	json_object *x;

	return json_object_object_get_ex(o, key, &x) && json_object_get_boolean(x);
}

static int bad_reply(struct np_qmp *q, const char *command, size_t i,
		     const char *why, struct np_err *err)
{
	return np_fail_sys(err, -EPROTO, "qmp: %s: %s: entry %zu %s", q->path,
			   command, i, why);
}

/*
 * A query returning a list: the reply in *ret (put it when done), its
 * length in *len and *arr zeroed room for as many elements of elem bytes
 * (NULL for none).
 */
static int query_list(struct np_qmp *q, const char *command, size_t elem,
		      json_object **ret, void **arr, size_t *len,
		      struct np_err *err)
{
	int e = call(q, command, NULL, ret, err);

	*arr = NULL;
	*len = 0;
	if (e)
		return e;
	if (!json_object_is_type(*ret, json_type_array)) {
		json_object_put(*ret);
		*ret = NULL;
		return np_fail_sys(err, -EPROTO, "qmp: %s: %s: the reply is not "
				   "a list", q->path, command);
	}
	*len = json_object_array_length(*ret);
	if (*len && !(*arr = calloc(*len, elem))) {
		json_object_put(*ret);
		*ret = NULL;
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	return 0;
}

static int parse_memdev(struct np_qmp *q, json_object *o, size_t i,
			struct np_qmp_memdev *m, struct np_err *err)
{
	json_object *x, *nodes;
	int64_t size;

	if (!json_object_is_type(o, json_type_object) ||
	    !get_int(o, "size", &size) || size < 0)
		return bad_reply(q, "query-memdev", i, "has no size", err);
	m->size_bytes = json_object_get_uint64(json_object_object_get(o, "size"));
	m->merge = get_bool(o, "merge");
	m->dump = get_bool(o, "dump");
	m->prealloc = get_bool(o, "prealloc");
	m->share = get_bool(o, "share");
	if (!json_object_object_get_ex(o, "policy", &x) ||
	    !json_object_is_type(x, json_type_string))
		return bad_reply(q, "query-memdev", i, "has no policy", err);
	snprintf(m->policy, sizeof(m->policy), "%s", json_object_get_string(x));
	if (json_object_object_get_ex(o, "id", &x) &&
	    json_object_is_type(x, json_type_string) &&
	    !(m->id = strdup(json_object_get_string(x))))
		return np_fail_sys(err, -ENOMEM, "out of memory");
	if (!json_object_object_get_ex(o, "host-nodes", &nodes) ||
	    !json_object_is_type(nodes, json_type_array))
		return bad_reply(q, "query-memdev", i, "has no host-nodes", err);
	for (size_t k = 0; k < json_object_array_length(nodes); k++) {
		json_object *n = json_object_array_get_idx(nodes, k);
		int64_t id = json_object_get_int64(n);
		int e;

		if (!json_object_is_type(n, json_type_int) || id < 0 ||
		    id >= NP_MAX_NODES)
			return bad_reply(q, "query-memdev", i, "has a host node "
					 "that is not a node id", err);
		e = np_idset_push(&m->host_nodes, (unsigned)id);
		if (e == -ENOMEM)
			return np_fail_sys(err, e, "out of memory");
		if (e)
			return bad_reply(q, "query-memdev", i, "has host nodes "
					 "out of order", err);
	}
	return 0;
}

int np_qmp_query_memdev(struct np_qmp *q, struct np_qmp_memdev **out,
			size_t *n, struct np_err *err)
{
	json_object *ret = NULL;
	void *arr;
	size_t len;
	int e = query_list(q, "query-memdev", sizeof(**out), &ret, &arr, &len,
			   err);

	*out = arr;
	for (size_t i = 0; !e && i < len; i++)
		e = parse_memdev(q, json_object_array_get_idx(ret, i), i,
				 &(*out)[i], err);
	json_object_put(ret);
	if (e) {
		np_qmp_memdevs_free(*out, len);
		*out = NULL;
		len = 0;
	}
	*n = len;
	return e;
}

void np_qmp_memdevs_free(struct np_qmp_memdev *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].id);
		np_idset_free(&m[i].host_nodes);
	}
	free(m);
}

static int prop(json_object *props, const char *key)
{
	int64_t v;

	return props && get_int(props, key, &v) && v >= 0 && v <= INT32_MAX ?
	       (int)v : -1;
}

static int cmp_cpu(const void *a, const void *b)
{
	const struct np_qmp_cpu *x = a, *y = b;

	return (x->cpu_index > y->cpu_index) - (x->cpu_index < y->cpu_index);
}

static int parse_cpu(struct np_qmp *q, json_object *o, size_t i,
		     struct np_qmp_cpu *c, struct np_err *err)
{
	json_object *props = NULL;
	int64_t idx, tid;

	if (!json_object_is_type(o, json_type_object) ||
	    !get_int(o, "cpu-index", &idx) || idx < 0 || idx > INT32_MAX ||
	    !get_int(o, "thread-id", &tid) || tid <= 0 || tid > INT32_MAX)
		return bad_reply(q, "query-cpus-fast", i, "has no cpu-index or "
				 "thread-id", err);
	json_object_object_get_ex(o, "props", &props);
	*c = (struct np_qmp_cpu){
		.cpu_index = (unsigned)idx,
		.thread_id = (pid_t)tid,
		.node_id = prop(props, "node-id"),
		.socket_id = prop(props, "socket-id"),
		.core_id = prop(props, "core-id"),
	};
	return 0;
}

int np_qmp_query_cpus(struct np_qmp *q, struct np_qmp_cpu **out, size_t *n,
		      struct np_err *err)
{
	json_object *ret = NULL;
	void *arr;
	size_t len;
	int e = query_list(q, "query-cpus-fast", sizeof(**out), &ret, &arr,
			   &len, err);

	*out = arr;
	for (size_t i = 0; !e && i < len; i++)
		e = parse_cpu(q, json_object_array_get_idx(ret, i), i, &(*out)[i],
			      err);
	json_object_put(ret);
	if (e) {
		free(*out);
		*out = NULL;
		len = 0;
	}
	if (len)
		qsort(*out, len, sizeof(**out), cmp_cpu);
	*n = len;
	return e;
}
