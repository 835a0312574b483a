/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lab's image: the kernel (decompressed once to its ELF vmlinux, whose
 * PVH entry note lets QEMU start it directly, several seconds faster than
 * a bzImage through firmware) and an initramfs (busybox, the guest init,
 * numaplace, numactl, numastat and the shared libraries they load), both
 * kept in a cache directory under names derived from their content, so a
 * second boot builds nothing.
 */
#include "lab-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab-embedded.h"
#include "linux/linux-root.h"
#include "util/util-fd.h"

/* numaplace opens it with dlopen, so ldd does not list it. */
#define HWLOC_LIB "/lib/x86_64-linux-gnu/libhwloc.so.15"

/* ---- small helpers --------------------------------------------------- */

char *np_lab_which(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? strdup(name) : NULL;
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name);
		if (n && access(buf, X_OK) == 0)
			return strdup(buf);
		path += n + (path[n] == ':');
	}
	return NULL;
}

int np_lab_spawn_wait(char *const *argv, int in_fd, int out_fd)
{
	pid_t pid;
	int st;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(in_fd >= 0 ? in_fd : null, 0);
		dup2(out_fd >= 0 ? out_fd : null, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* 64-bit hash over 8-byte words (FNV-style mixing): fast enough to hash
 * the whole image content on every run (~15 MB in a few ms). */
static uint64_t hash_bytes(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		h = (h ^ w) * 0x100000001b3ull;
		h ^= h >> 29;
		p += 8;
		len -= 8;
	}
	while (len--)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h;
}

/*
 * The cache holds what QEMU boots as root of the guest, so it must be
 * the caller's alone: never a default in /tmp (where anyone may create
 * it first), and checked before use (check_cache_dir()).  Without HOME
 * there is no safe default: the caller says where.
 */
static int cache_dir_path(const struct np_lab_opts *opts, char **out,
			  struct np_err *err)
{
	const char *env = getenv("NUMAPLACE_CACHE_DIR");
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int n;

	*out = NULL;
	if (opts->cache_dir)
		n = asprintf(out, "%s", opts->cache_dir);
	else if (env && *env)
		n = asprintf(out, "%s", env);
	else if (xdg && *xdg)
		n = asprintf(out, "%s/numaplace", xdg);
	else if (home && *home)
		n = asprintf(out, "%s/.cache/numaplace", home);
	else
		return np_fail_input(err, -ENOENT, "lab: no place for the image "
				     "cache: HOME is not set; set HOME or "
				     "XDG_CACHE_HOME (or NUMAPLACE_CACHE_DIR)");
	if (n < 0) {
		*out = NULL;
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	return 0;
}

/* Whose a cache path is: the caller's, and not writable by anyone else
 * (who could swap the initramfs root boots).  Symlinks are judged by
 * their owner only (their mode means nothing). */
static int check_owner(const char *path, const struct stat *st,
		       struct np_err *err)
{
	if (st->st_uid != geteuid())
		return np_fail_sys(err, -EPERM, "%s: owned by uid %u, not by "
				   "this user: the lab will not boot what another "
				   "user can change (remove it, or choose another "
				   "cache with NUMAPLACE_CACHE_DIR)", path,
				   (unsigned)st->st_uid);
	if (!S_ISLNK(st->st_mode) && (st->st_mode & 022))
		return np_fail_sys(err, -EPERM, "%s: writable by other users: "
				   "the lab will not boot what another user can "
				   "change (chmod go-w it, or remove it)", path);
	return 0;
}

static int check_cache_dir(const char *dir, struct np_err *err)
{
	struct stat st;
	int e;

	if (lstat(dir, &st))
		return np_fail_errno(err, -errno, "%s: %s", dir, strerror(errno));
	if (S_ISLNK(st.st_mode)) {
		e = check_owner(dir, &st, err);
		if (e)
			return e;
		if (stat(dir, &st))
			return np_fail_errno(err, -errno, "%s: %s", dir,
					     strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return np_fail_input(err, -ENOTDIR, "%s: not a directory", dir);
	return check_owner(dir, &st, err);
}

/*
 * A cached file about to be used: 1 when present and the caller's alone,
 * 0 when absent, a negative errno (err filled) when it may not be used.
 */
static int cache_entry(const char *path, bool symlink_ok, struct np_err *err)
{
	struct stat st;
	int e;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : np_fail_errno(err, -errno, "%s: %s",
							   path, strerror(errno));
	if (!S_ISREG(st.st_mode) && !(symlink_ok && S_ISLNK(st.st_mode)))
		return np_fail_sys(err, -EPERM, "%s: not a regular file: remove "
				   "it (the cache is rebuilt)", path);
	e = check_owner(path, &st, err);
	return e ? e : 1;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * Writes a cache file so that no reader ever sees half of it and a killed
 * run leaves nothing: an unnamed O_TMPFILE in the cache directory, linked
 * to its name only when complete.
 */
static int open_tmpfile(const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);

	return fd < 0 ? -errno : fd;
}

static int publish_tmpfile(int fd, const char *path)
{
	return np_link_tmpfile(fd, path);
}

#define COPY_CHUNK (1u << 20)   /* a multiple of 8: see hash_bytes() */

/*
 * Reads exactly len bytes of in_fd from offset off in chunks (files of any
 * size, never whole in memory) and hands each to out_fd (when >= 0) and to
 * *hash (when non-NULL).  Returns a read's -errno, -ESTALE when the file
 * is shorter than len (it changed under us); a write's -errno (-ENOSPC)
 * goes to *werr.
 */
static int stream_range(int in_fd, off_t off, uint64_t len, int out_fd,
			uint64_t *hash, int *werr)
{
	char *buf = malloc(COPY_CHUNK);
	int e = 0;

	*werr = 0;
	if (!buf)
		return -ENOMEM;
	while (!e && len) {
		size_t want = len < COPY_CHUNK ? (size_t)len : COPY_CHUNK, got = 0;

		while (got < want) {
			ssize_t n = pread(in_fd, buf + got, want - got, off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				e = n < 0 ? -errno : -ESTALE;
				break;
			}
			got += (size_t)n;
			off += n;
		}
		if (e)
			break;
		if (hash)
			*hash = hash_bytes(*hash, buf, got);
		if (out_fd >= 0 && (*werr = np_write_all(out_fd, buf, got)))
			break;
		len -= got;
	}
	free(buf);
	return e;
}

/* ---- the kernel ------------------------------------------------------- */

static int version_cmp(const void *a, const void *b)
{
	return strverscmp(*(char *const *)b, *(char *const *)a);
}

/* The newest /boot/vmlinuz-*, by version order. */
static int find_boot_kernel(char **out, struct np_err *err)
{
	char *names[256];
	size_t n = 0;
	struct dirent *de;
	DIR *d = opendir("/boot");

	*out = NULL;
	if (d) {
		while ((de = readdir(d)) && n < 256)
			if (!strncmp(de->d_name, "vmlinuz-", 8))
				names[n++] = strdup(de->d_name);
		closedir(d);
	}
	if (!n)
		return np_fail_sys(err, -ENOENT, "lab: no kernel in /boot: install "
			       "package linux-image-amd64, or pass --kernel FILE");
	qsort(names, n, sizeof(*names), version_cmp);
	if (names[0] && asprintf(out, "/boot/%s", names[0]) < 0)
		*out = NULL;
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	return *out ? 0 : np_fail_sys(err, -ENOMEM, "out of memory");
}

static bool is_elf(const char *buf, size_t len)
{
	return len > 4 && !memcmp(buf, "\177ELF", 4);
}

struct codec {
	const unsigned char magic[6];
	size_t magic_len;
	const char *tool;   /* decompressor reading stdin */
	const char *package;
	bool size_appended; /* the kernel build appends 4 bytes of size */
};

static const struct codec codecs[] = {
	{ { 0x1f, 0x8b }, 2, "gzip", "gzip", false },
	{ { 0xfd, '7', 'z', 'X', 'Z', 0 }, 6, "xz", "xz-utils", true },
	{ { 0x28, 0xb5, 0x2f, 0xfd }, 4, "zstd", "zstd", true },
	{ { 0x02, 0x21, 0x4c, 0x18 }, 4, "lz4", "lz4", true },
	{ { 'B', 'Z', 'h' }, 3, "bzip2", "bzip2", true },
	{ { 0x5d, 0, 0 }, 3, "lzma", "xz-utils", true },
};

static uint32_t le32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return u[0] | u[1] << 8 | u[2] << 16 | (uint32_t)u[3] << 24;
}

/*
 * Runs the decompressor with stdin from in_fd and copies what it writes
 * into out_fd ourselves, so that a failing write (a full cache disk) is
 * told apart from a payload the tool cannot unpack.  Returns the tool's
 * exit status (127: not found); *write_err is a write's -errno or 0.
 */
static int run_decompressor(const struct codec *c, int in_fd, int out_fd,
			    int *write_err)
{
	char *buf = malloc(COPY_CHUNK);
	int p[2], st;
	pid_t pid;

	*write_err = 0;
	if (!buf)
		return -ENOMEM;
	if (pipe2(p, O_CLOEXEC)) {
		free(buf);
		return -errno;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(in_fd, 0);
		dup2(p[1], 1);
		dup2(null, 2);
		execlp(c->tool, c->tool, "-dc", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (pid > 0) {
		ssize_t n = read(p[0], buf, COPY_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		*write_err = np_write_all(out_fd, buf, (size_t)n);
		if (*write_err)
			break;   /* closing the pipe stops the tool */
	}
	close(p[0]);
	free(buf);
	if (pid < 0)
		return -errno;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/*
 * Decompresses the bzImage payload (boot protocol >= 2.08) of the kernel
 * open on fd into out_fd, streaming: the file is never read whole.  A
 * payload that does not unpack is the caller's input when they named the
 * kernel (given), the system's when it is the distribution's.
 */
static int extract_vmlinux(const char *path, int fd, uint64_t size,
			   const char *hdr, size_t hlen, bool given,
			   int out_fd, struct np_err *err)
{
	uint64_t setup, off, plen;
	const struct codec *c = NULL;
	unsigned char magic[6] = { 0 };
	int in, st, werr = 0, e;

	if (hlen < 0x250 || memcmp(hdr + 0x202, "HdrS", 4))
		return np_fail_input(err, -EINVAL, "%s: neither an ELF vmlinux nor a "
			       "bzImage", path);
	setup = (unsigned char)hdr[0x1f1] ? (unsigned char)hdr[0x1f1] : 4;
	off = (setup + 1) * 512 + le32(hdr + 0x248);
	plen = le32(hdr + 0x24c);
	if (off + plen > size || plen < 8)
		return np_fail_input(err, -EINVAL, "%s: bzImage payload out of bounds",
			       path);
	if (pread(fd, magic, sizeof(magic), (off_t)off) != (ssize_t)sizeof(magic))
		return np_fail_errno(err, -EIO, "%s: %s", path, strerror(EIO));
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		if (!memcmp(magic, codecs[i].magic, codecs[i].magic_len))
			c = &codecs[i];
	if (!c)
		return np_fail_input(err, -EINVAL, "%s: unknown kernel compression",
			       path);
	if (c->size_appended)
		plen -= 4;
	in = memfd_create("np-lab-payload", MFD_CLOEXEC);
	if (in < 0)
		return np_fail_sys(err, -errno, "lab: memfd_create: %s",
			       strerror(errno));
	e = stream_range(fd, (off_t)off, plen, in, NULL, &werr);
	if (e) {
		close(in);
		return e == -ESTALE ?
			np_fail_input(err, e, "%s: changed while being read", path) :
			np_fail_errno(err, e, "%s: %s", path, strerror(-e));
	}
	if (werr || lseek(in, 0, SEEK_SET) < 0) {
		e = werr ? werr : -errno;
		close(in);
		return np_fail_sys(err, e, "lab: temporary file: %s", strerror(-e));
	}
	st = run_decompressor(c, in, out_fd, &werr);
	close(in);
	if (werr)
		return np_fail_errno(err, werr, "lab: writing the unpacked kernel "
				     "into the cache: %s", strerror(-werr));
	if (st < 0)
		return np_fail_sys(err, st, "lab: %s: %s", c->tool, strerror(-st));
	if (st == 127)
		return np_fail_sys(err, -ENOENT, "lab: %s not found to unpack the "
			       "kernel: install package %s", c->tool, c->package);
	if (st > 128)
		return np_fail_sys(err, -EIO, "lab: %s was killed by signal %d while "
				   "unpacking the kernel", c->tool, st - 128);
	if (st)
		return (given ? np_fail_input : np_fail_sys)(err, -EINVAL,
			"%s: the kernel's %s payload is corrupt (%s -d failed)",
			path, c->tool, c->tool);
	return 0;
}

/*
 * Opens the kernel to boot.  A --kernel FILE is the caller's input: it must
 * be a regular file (a FIFO would block the open), readable.
 */
static int open_kernel(const char *path, bool given, struct np_err *err)
{
	int fd = np_open_regular(path, err);

	if (fd == -EACCES)
		return np_fail_sys(err, -EACCES, "%s: not readable by this user (some "
			    "distributions install kernels root-only): run "
			    "'sudo chmod 0644 %s' or pass --kernel FILE", path,
			    path);
	if (fd == -ENOENT && !given)
		return np_fail_sys(err, -ENOENT, "%s: %s: install package "
				   "linux-image-amd64", path, strerror(ENOENT));
	return fd;
}

/*
 * The cached ELF for a bzImage, named after the kernel file's identity
 * (path, size, mtime): decompressing 60 MB takes seconds, the look-up none.
 */
static int prepare_kernel(const char *cache, const char *given, char **out,
			  struct np_err *err)
{
	char *path = NULL, *cached = NULL, hdr[0x250];
	struct stat st;
	ssize_t hlen;
	uint64_t h;
	int e, fd = -1, tmp;

	*out = NULL;
	e = given ? ((path = strdup(given)) ? 0 : -ENOMEM) :
		find_boot_kernel(&path, err);
	if (e)
		return e;
	fd = open_kernel(path, given, err);
	if (fd < 0) {
		e = fd;
		goto out;
	}
	if (fstat(fd, &st)) {
		e = np_fail_sys(err, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	h = hash_bytes(0xcbf29ce484222325ull, path, strlen(path));
	h = hash_bytes(h, &st.st_size, sizeof(st.st_size));
	h = hash_bytes(h, &st.st_mtim, sizeof(st.st_mtim));
	if (asprintf(&cached, "%s/vmlinux-%016llx", cache,
		     (unsigned long long)h) < 0) {
		cached = NULL;
		e = np_fail_sys(err, -ENOMEM, "out of memory");
		goto out;
	}
	e = cache_entry(cached, false, err);
	if (e) {
		if (e > 0) {
			*out = cached;
			cached = NULL;
			e = 0;
		}
		goto out;
	}
	hlen = pread(fd, hdr, sizeof(hdr), 0);
	if (hlen < 0) {
		e = np_fail_errno(err, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (is_elf(hdr, (size_t)hlen)) {
		*out = path;
		path = NULL;
		goto out;
	}
	tmp = open_tmpfile(cache);
	if (tmp < 0) {
		e = np_fail_errno(err, tmp, "%s: %s", cache, strerror(-tmp));
		goto out;
	}
	e = extract_vmlinux(path, fd, (uint64_t)st.st_size, hdr, (size_t)hlen,
			    given != NULL, tmp, err);
	if (!e && (e = publish_tmpfile(tmp, cached)))
		np_fail_errno(err, e, "%s: %s", cached, strerror(-e));
	close(tmp);
	if (!e) {
		*out = cached;
		cached = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	free(path);
	free(cached);
	return e;
}

/* ---- the initramfs ---------------------------------------------------- */

struct entry {
	char *path;       /* in the guest, without leading '/' */
	unsigned mode;    /* S_IF* | permissions */
	char *data;       /* file content or symlink target (malloc'd) */
	char *host;       /* or: the host file whose len bytes are streamed
			   * into the image (data NULL) */
	size_t len;
	unsigned rmajor, rminor;
};

struct image {
	struct entry *e;
	size_t n, cap;
	bool oom;
};

static struct entry *image_find(struct image *im, const char *path)
{
	for (size_t i = 0; i < im->n; i++)
		if (!strcmp(im->e[i].path, path))
			return &im->e[i];
	return NULL;
}

/* Adds an entry (data is taken over); the first one for a path wins. */
static void image_add(struct image *im, const char *path, unsigned mode,
		      char *data, size_t len)
{
	struct entry *e;

	if (im->oom || image_find(im, path)) {
		free(data);
		return;
	}
	if (im->n == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 256;
		struct entry *ne = realloc(im->e, cap * sizeof(*ne));

		if (!ne) {
			im->oom = true;
			free(data);
			return;
		}
		im->e = ne;
		im->cap = cap;
	}
	e = &im->e[im->n];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path) {
		im->oom = true;
		free(data);
		return;
	}
	e->mode = mode;
	e->data = data;
	e->len = len;
	im->n++;
}

static void image_add_dirs(struct image *im, const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf; (p = strchr(p, '/')); p++) {
		*p = '\0';
		image_add(im, buf, S_IFDIR | 0755, NULL, 0);
		*p = '/';
	}
}

static void image_add_text(struct image *im, const char *path, unsigned mode,
			   const char *text)
{
	char *copy = strdup(text);

	if (!copy) {
		im->oom = true;
		return;
	}
	image_add_dirs(im, path);
	image_add(im, path, S_IFREG | mode, copy, strlen(text));
}

static void image_add_node(struct image *im, const char *path,
			   unsigned major_, unsigned minor_)
{
	image_add_dirs(im, path);
	image_add(im, path, S_IFCHR | 0600, NULL, 0);
	if (!im->oom) {
		struct entry *e = image_find(im, path);

		e->rmajor = major_;
		e->rminor = minor_;
	}
}

/* cpio "newc" sizes are 32-bit. */
#define MAX_IMAGE_FILE 0xffffffffull

/*
 * A host file into the image: only its name and size now; its content is
 * streamed when the image is hashed and written (files of any size).
 */
static int image_add_file(struct image *im, const char *guest,
			  const char *host, struct np_err *err)
{
	struct stat st;
	struct entry *e;
	int fd = np_open_regular(host, err);

	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		close(fd);
		return np_fail_sys(err, -errno, "%s: %s", host, strerror(errno));
	}
	close(fd);
	if ((uint64_t)st.st_size > MAX_IMAGE_FILE)
		return np_fail_input(err, -EFBIG, "%s: too large for the guest's "
				     "initramfs (4 GiB at most)", host);
	image_add_dirs(im, guest);
	if (im->oom || image_find(im, guest))
		return 0;
	image_add(im, guest, S_IFREG | (st.st_mode & 0111 ? 0755 : 0644), NULL,
		  (size_t)st.st_size);
	e = im->oom ? NULL : image_find(im, guest);
	if (e && !(e->host = strdup(host)))
		im->oom = true;
	return 0;
}

/* Streams an entry's host file into out_fd and/or *hash.  Read errors
 * fill err; a write's -errno comes back with err untouched. */
static int entry_stream(const struct entry *en, int out_fd, uint64_t *hash,
			struct np_err *err)
{
	int fd = np_open_regular(en->host, err), e, werr;

	if (fd < 0)
		return fd;
	e = stream_range(fd, 0, en->len, out_fd, hash, &werr);
	close(fd);
	if (e == -ESTALE)
		return np_fail_input(err, e, "%s: changed while the image was "
				     "built", en->host);
	if (e)
		return np_fail_errno(err, e, "%s: %s", en->host, strerror(-e));
	return werr;
}

/* Runs argv and hands back its stdout (via a memfd: no file is made). */
static int run_capture(char *const *argv, char **buf, size_t *len,
		       int *status, struct np_err *err)
{
	int fd, e;

	fd = memfd_create("np-lab-capture", MFD_CLOEXEC);
	if (fd < 0)
		return np_fail_sys(err, -errno, "lab: memfd_create: %s",
			       strerror(errno));
	*status = np_lab_spawn_wait(argv, -1, fd);
	e = np_read_fd_all(fd, buf, len);
	close(fd);
	if (e)
		np_fail_errno(err, e, "lab: %s output: %s", argv[0], strerror(-e));
	return e;
}

/* Shared libraries of an ELF, from ldd's "=> /path" and loader lines. */
static int add_libs_of(struct image *im, const char *host, struct np_err *err)
{
	char *argv[] = { (char *)"ldd", (char *)host, NULL };
	char *buf = NULL, *line, *save = NULL;
	size_t len;
	int st, e;

	/* A static ELF makes ldd fail: then there is nothing to add. */
	e = run_capture(argv, &buf, &len, &st, err);
	if (e)
		return e;
	for (line = strtok_r(buf, "\n", &save); line && !e;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = strstr(line, "=> /"), *end;

		p = p ? p + 3 : strchr(line, '/');
		if (!p)
			continue;
		end = strchr(p, ' ');
		if (end)
			*end = '\0';
		e = image_add_file(im, p + 1, p, err);
	}
	free(buf);
	return e;
}

/* busybox and one symlink per applet, as `busybox --install -s` would. */
static int add_busybox(struct image *im, struct np_err *err)
{
	char *argv[] = { (char *)"/bin/busybox", (char *)"--list", NULL };
	char *buf = NULL, *line, *save = NULL;
	size_t len;
	int st, e;

	if (access("/bin/busybox", X_OK))
		return np_fail_sys(err, -ENOENT, "lab: /bin/busybox not found: "
			       "install package busybox-static");
	e = image_add_file(im, "bin/busybox", "/bin/busybox", err);
	if (!e)
		e = add_libs_of(im, "/bin/busybox", err);
	if (!e)
		e = run_capture(argv, &buf, &len, &st, err);
	if (!e && st)
		e = np_fail_sys(err, -EIO, "lab: /bin/busybox --list failed");
	for (line = e ? NULL : strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char path[128], *target = strdup("busybox");

		snprintf(path, sizeof(path), "bin/%s", line);
		if (!target) {
			im->oom = true;
			break;
		}
		image_add(im, path, S_IFLNK | 0777, target, strlen(target));
	}
	free(buf);
	return e;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/*
 * Kernel modules for a block device with a real page cache in the guest
 * (initramfs files are tmpfs, i.e. shared memory): loop and ext4 with what
 * ext4 needs, in load order.  Taken from /lib/modules/<version> of the
 * kernel being booted, when it is the distribution's; `lab-disk` in the
 * guest loads them in the order of lib/np-modules/order.
 */
static const char *const lab_modules[] = {
	"crc16", "mbcache", "jbd2", "crc32c_generic", "ext4", "loop", NULL,
};

/* The relative path of module `name` in modules.dep, or NULL. */
static char *module_path(const char *dep, const char *name)
{
	char pat[64];
	const char *p = dep;
	size_t n = (size_t)snprintf(pat, sizeof(pat), "/%s.ko:", name);

	while ((p = strstr(p, pat))) {
		const char *start = p;

		while (start > dep && start[-1] != '\n')
			start--;
		return strndup(start, (size_t)(p - start) + n - 1);
	}
	return NULL;
}

static int add_modules(struct image *im, const char *modver,
		       struct np_err *err)
{
	char path[PATH_MAX], guest[128], order[512] = "";
	char *dep = NULL;
	size_t len;
	int e = 0;

	if (!modver)
		return 0;
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.dep", modver);
	if (np_read_file(path, &dep, &len, NULL))
		return 0;  /* no modules for this kernel: the lab works without */
	for (size_t i = 0; !e && lab_modules[i]; i++) {
		char *rel = module_path(dep, lab_modules[i]);

		if (!rel)
			continue;
		snprintf(path, sizeof(path), "/lib/modules/%s/%s", modver, rel);
		snprintf(guest, sizeof(guest), "lib/np-modules/%s.ko",
			 lab_modules[i]);
		free(rel);
		e = image_add_file(im, guest, path, err);
		snprintf(order + strlen(order), sizeof(order) - strlen(order),
			 "%s\n", lab_modules[i]);
	}
	free(dep);
	if (!e && order[0])
		image_add_text(im, "lib/np-modules/order", 0644, order);
	return e;
}

/* A host program into the guest's PATH, with its libraries. */
static int add_payload(struct image *im, const char *host, struct np_err *err)
{
	char guest[PATH_MAX];
	int e;

	snprintf(guest, sizeof(guest), "opt/numaplace/bin/%s", base_name(host));
	e = image_add_file(im, guest, host, err);
	return e ? e : add_libs_of(im, host, err);
}

static int build_entries(struct image *im, const struct np_lab_opts *opts,
			 const char *modver, struct np_err *err)
{
	static const char *const peers[] = {
		"numactl", "numastat", "lstopo-no-graphics", NULL,
	};
	int e;

	image_add_text(im, "init", 0755, np_lab_init_sh);
	image_add_text(im, "opt/numaplace/bin/capture-dump.sh", 0755,
		       np_lab_capture_sh);
	image_add_text(im, "opt/numaplace/bin/lab-disk", 0755, np_lab_disk_sh);
	image_add_node(im, "dev/console", 5, 1);
	image_add_node(im, "dev/null", 1, 3);
	for (unsigned i = 0; i < 4; i++) {
		char p[32];

		snprintf(p, sizeof(p), "dev/ttyS%u", i);
		image_add_node(im, p, 4, 64 + i);
	}
	for (const char *d = "proc\0sys\0tmp\0run\0root\0etc\0"; *d;
	     d += strlen(d) + 1)
		image_add(im, d, S_IFDIR | (strcmp(d, "tmp") ? 0755 : 01777),
			  NULL, 0);
	e = add_busybox(im, err);
	if (!e)
		e = add_modules(im, modver, err);
	for (size_t i = 0; !e && opts->payload && opts->payload[i]; i++)
		e = add_payload(im, opts->payload[i], err);
	if (!e && opts->add_self) {
		char self[PATH_MAX];

		e = np_self_exe(self, sizeof(self));
		if (e)
			np_fail_errno(err, e, "lab: cannot find the running program: %s",
				strerror(-e));
		else
			e = add_payload(im, self, err);
	}
	for (size_t i = 0; !e && peers[i]; i++) {
		char *host = np_lab_which(peers[i]);
		char guest[PATH_MAX];

		if (!host)
			continue;
		snprintf(guest, sizeof(guest), "usr/bin/%s", peers[i]);
		e = image_add_file(im, guest, host, err);
		if (!e)
			e = add_libs_of(im, host, err);
		free(host);
	}
	/* numaplace opens hwloc with dlopen: ldd cannot see it. */
	if (!e && access(HWLOC_LIB, R_OK) == 0) {
		e = image_add_file(im, HWLOC_LIB + 1, HWLOC_LIB, err);
		if (!e)
			e = add_libs_of(im, HWLOC_LIB, err);
	}
	if (!e && im->oom)
		e = np_fail_sys(err, -ENOMEM, "out of memory");
	return e;
}

static int cmp_entries(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path,
		      ((const struct entry *)b)->path);
}

/* The content hash names the image: files are hashed by content,
 * streamed (the same value as hashing them whole). */
static int image_hash(const struct image *im, uint64_t *hash,
		      struct np_err *err)
{
	uint64_t h = 0xcbf29ce484222325ull;
	int e = 0;

	for (size_t i = 0; !e && i < im->n; i++) {
		const struct entry *en = &im->e[i];

		h = hash_bytes(h, en->path, strlen(en->path) + 1);
		h = hash_bytes(h, &en->mode, sizeof(en->mode));
		if (en->host)
			e = entry_stream(en, -1, &h, err);
		else
			h = hash_bytes(h, en->data, en->data ? en->len : 0);
	}
	*hash = h;
	return e;
}

static int write_pad(int fd, size_t len)
{
	static const char zeros[4];

	return np_write_all(fd, zeros, (4 - len % 4) % 4);
}

/* cpio "newc": a 110-byte ASCII header, the name, data, 4-byte padding. */
int np_lab_cpio_header(int fd, unsigned ino, unsigned mode, unsigned rmajor,
		       unsigned rminor, const char *name, size_t len)
{
	char hdr[111];
	size_t nlen = strlen(name) + 1;
	int e;

	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X"
		 "%08X%08X%08X%08X%08X%08X", ino, mode, 0, 0,
		 S_ISDIR(mode) ? 2 : 1, 0, (unsigned)len, 0, 0, rmajor, rminor,
		 (unsigned)nlen, 0);
	e = np_write_all(fd, hdr, 110);
	if (!e)
		e = np_write_all(fd, name, nlen);
	return e ? e : write_pad(fd, 110 + nlen);
}

int np_lab_cpio_trailer(int fd)
{
	return np_lab_cpio_header(fd, 0, 0, 0, 0, "TRAILER!!!", 0);
}

/* Write errors come back as they are (-ENOSPC: a full cache disk). */
static int write_cpio(int fd, const struct image *im, struct np_err *err)
{
	int e = 0;

	for (size_t i = 0; !e && i < im->n; i++) {
		const struct entry *en = &im->e[i];

		e = np_lab_cpio_header(fd, (unsigned)i + 1, en->mode, en->rmajor,
				       en->rminor, en->path, en->len);
		if (!e && en->host)
			e = entry_stream(en, fd, NULL, err);
		else if (!e && en->len)
			e = np_write_all(fd, en->data, en->len);
		if (!e)
			e = write_pad(fd, en->len);
	}
	return e ? e : np_lab_cpio_trailer(fd);
}

static void image_free(struct image *im)
{
	for (size_t i = 0; i < im->n; i++) {
		free(im->e[i].path);
		free(im->e[i].data);
		free(im->e[i].host);
	}
	free(im->e);
}

static uint64_t hash_identity(uint64_t h, const char *path)
{
	struct stat st;

	h = hash_bytes(h, path, strlen(path) + 1);
	if (stat(path, &st) == 0) {
		h = hash_bytes(h, &st.st_size, sizeof(st.st_size));
		h = hash_bytes(h, &st.st_mtim, sizeof(st.st_mtim));
		h = hash_bytes(h, &st.st_ino, sizeof(st.st_ino));
	}
	return h;
}

/*
 * Building the entry list costs a few hundred ms (ldd and busybox runs,
 * reading every file to hash it).  Its result is remembered under a key
 * made of the inputs' identities (path, size, mtime, inode) plus the
 * package database's, which changes whenever a library could have: a
 * symlink initrd-inputs-<key> -> initrd-<content hash>.cpio.
 */
static uint64_t inputs_key(const struct np_lab_opts *opts, const char *modver)
{
	static const char *const fixed[] = {
		"/bin/busybox", "/var/lib/dpkg/status", HWLOC_LIB, NULL,
	};
	static const char *const peers[] = {
		"numactl", "numastat", "lstopo-no-graphics", NULL,
	};
	uint64_t h = hash_bytes(0x84222325cbf29ce4ull, np_lab_init_sh,
				sizeof(np_lab_init_sh));

	h = hash_bytes(h, np_lab_capture_sh, sizeof(np_lab_capture_sh));
	h = hash_bytes(h, np_lab_disk_sh, sizeof(np_lab_disk_sh));
	for (size_t i = 0; fixed[i]; i++)
		h = hash_identity(h, fixed[i]);
	for (size_t i = 0; peers[i]; i++) {
		char *p = np_lab_which(peers[i]);

		h = hash_identity(h, p ? p : peers[i]);
		free(p);
	}
	for (size_t i = 0; opts->payload && opts->payload[i]; i++)
		h = hash_identity(h, opts->payload[i]);
	if (opts->add_self) {
		char self[PATH_MAX];

		if (np_self_exe(self, sizeof(self)) == 0)
			h = hash_identity(h, self);
	}
	if (modver) {
		char dep[PATH_MAX];

		snprintf(dep, sizeof(dep), "/lib/modules/%s/modules.dep", modver);
		h = hash_identity(h, dep);
	}
	return h;
}

static void remember_inputs(const char *link, const char *initrd)
{
	char tmp[PATH_MAX + 16];

	snprintf(tmp, sizeof(tmp), "%s.%d", link, (int)getpid());
	if (symlink(base_name(initrd), tmp) == 0 && rename(tmp, link))
		unlink(tmp);
}

static int prepare_initrd(const char *cache, const struct np_lab_opts *opts,
			  const char *modver, char **out, struct np_err *err)
{
	struct image im = { NULL, 0, 0, false };
	char link[PATH_MAX], target[PATH_MAX];
	uint64_t h = 0;
	ssize_t n;
	int e, fd;

	*out = NULL;
	snprintf(link, sizeof(link), "%s/initrd-inputs-%016llx", cache,
		 (unsigned long long)inputs_key(opts, modver));
	e = cache_entry(link, true, err);
	if (e < 0)
		return e;
	n = e ? readlink(link, target, sizeof(target) - 1) : -1;
	if (n > 0 && !memchr(target, '/', (size_t)n)) {
		target[n] = '\0';
		if (asprintf(out, "%s/%s", cache, target) < 0)
			return np_fail_sys(err, -ENOMEM, "out of memory");
		e = cache_entry(*out, false, err);
		if (e) {
			if (e < 0) {
				free(*out);
				*out = NULL;
			}
			return e < 0 ? e : 0;
		}
		free(*out);
		*out = NULL;
	}
	e = build_entries(&im, opts, modver, err);
	if (!e) {
		qsort(im.e, im.n, sizeof(*im.e), cmp_entries);
		e = image_hash(&im, &h, err);
	}
	if (e)
		goto out;
	if (asprintf(out, "%s/initrd-%016llx.cpio", cache,
		     (unsigned long long)h) < 0) {
		*out = NULL;
		e = np_fail_sys(err, -ENOMEM, "out of memory");
		goto out;
	}
	e = cache_entry(*out, false, err);
	if (e) {
		e = e < 0 ? e : 0;
		goto out;
	}
	fd = open_tmpfile(cache);
	if (fd < 0) {
		e = np_fail_errno(err, fd, "%s: %s", cache, strerror(-fd));
		goto out;
	}
	if (err)
		memset(err, 0, sizeof(*err));
	e = write_cpio(fd, &im, err);
	if (!e)
		e = publish_tmpfile(fd, *out);
	close(fd);
	if (e && (!err || !err->cls))
		np_fail_errno(err, e, "%s: %s", *out, strerror(-e));
out:
	if (!e)
		remember_inputs(link, *out);
	if (e) {
		free(*out);
		*out = NULL;
	}
	image_free(&im);
	return e;
}

void np_lab_image_release(struct np_lab_image *img)
{
	free(img->kernel);
	free(img->initrd);
	free(img->cache_dir);
	memset(img, 0, sizeof(*img));
}

/* "6.1.0-56-amd64" from /boot/vmlinuz-6.1.0-56-amd64 (or --kernel
 * with such a name); NULL for a kernel of unknown version. */
static int kernel_version(const char *given, char **ver)
{
	char *path = NULL;
	const char *b;

	*ver = NULL;
	if (given)
		path = strdup(given);
	else if (find_boot_kernel(&path, NULL))
		return 0;
	if (!path)
		return -ENOMEM;
	b = base_name(path);
	if (!strncmp(b, "vmlinuz-", 8) || !strncmp(b, "vmlinux-", 8))
		*ver = strdup(b + 8);
	free(path);
	return 0;
}

int np_lab_image_prepare(const struct np_lab_opts *opts,
			 struct np_lab_image *img, struct np_err *err)
{
	char *dir, *modver = NULL;
	int e;

	memset(img, 0, sizeof(*img));
	e = cache_dir_path(opts, &dir, err);
	if (e)
		return e;
	img->cache_dir = dir;
	e = mkdir_p(dir);
	if (e) {
		np_fail_errno(err, e, "%s: %s", dir, strerror(-e));
		goto fail;
	}
	e = check_cache_dir(dir, err);
	if (!e)
		e = prepare_kernel(dir, opts->kernel, &img->kernel, err);
	if (!e)
		e = kernel_version(opts->kernel, &modver);
	if (!e)
		e = prepare_initrd(dir, opts, modver, &img->initrd, err);
	free(modver);
	if (!e)
		return 0;
fail:
	np_lab_image_release(img);
	return e;
}

/* Names in the guest's /opt/numaplace/bin that the image itself fills. */
static const char *const own_names[] = {
	"numaplace", "capture-dump.sh", "lab-disk", NULL,
};

int np_lab_check_inputs(const struct np_lab_opts *opts, struct np_err *err)
{
	const char *const *p = opts->payload;
	char self[PATH_MAX] = "";
	int fd;

	if (opts->kernel) {
		fd = open_kernel(opts->kernel, true, err);
		if (fd < 0)
			return fd;
		close(fd);
	}
	if (opts->add_self && np_self_exe(self, sizeof(self)))
		self[0] = '\0';
	for (size_t i = 0; p && p[i]; i++) {
		const char *name = base_name(p[i]);

		fd = np_open_regular(p[i], err);
		if (fd < 0)
			return fd;
		close(fd);
		for (size_t k = 0; own_names[k]; k++)
			if (!strcmp(name, own_names[k]) ||
			    (self[0] && !strcmp(name, base_name(self))))
				return np_fail_input(err, -EEXIST, "lab: --add %s: "
					"the guest's own /opt/numaplace/bin/%s would "
					"be replaced; rename the file", p[i], name);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(name, base_name(p[j])))
				return np_fail_input(err, -EEXIST, "lab: --add %s "
					"and --add %s both become /opt/numaplace/bin/%s "
					"in the guest; rename one", p[j], p[i], name);
	}
	return 0;
}

/*
 * The initramfs of one run, in a memfd: the cached image followed by a
 * small cpio archive of this run's own files (the kernel unpacks
 * concatenated archives in order): np-run/nonce, and np-run/stdin when
 * stdin_fd >= 0 (read to its end first, any size up to cpio's 4 GiB).
 */
int np_lab_run_initrd(const char *initrd, const char *nonce, int stdin_fd,
		      int *out_fd, struct np_err *err)
{
	int in = -1, base, fd, e = 0, werr = 0;
	struct stat st;
	off_t in_len = 0;

	*out_fd = -1;
	if (stdin_fd >= 0) {
		in = memfd_create("np-lab-stdin", MFD_CLOEXEC);
		if (in < 0)
			return np_fail_sys(err, -errno, "lab: memfd_create: %s",
					   strerror(errno));
		for (;;) {
			char buf[65536];
			ssize_t n = read(stdin_fd, buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				e = np_fail_sys(err, -errno, "lab: standard input: %s",
						strerror(errno));
				break;
			}
			if (n == 0)
				break;
			if ((e = np_write_all(in, buf, (size_t)n))) {
				np_fail_sys(err, e, "lab: standard input: %s",
					    strerror(-e));
				break;
			}
			in_len += n;
		}
		if (!e && (uint64_t)in_len > MAX_IMAGE_FILE)
			e = np_fail_input(err, -EFBIG, "lab: standard input: too "
					  "large for the guest (4 GiB at most)");
		if (e) {
			close(in);
			return e;
		}
	}
	fd = memfd_create("np-lab-initrd", MFD_CLOEXEC);
	base = open(initrd, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || base < 0 || fstat(base, &st)) {
		e = np_fail_sys(err, -errno, "%s: %s", fd < 0 ? "lab: memfd_create" :
				initrd, strerror(errno));
		goto out;
	}
	e = stream_range(base, 0, (uint64_t)st.st_size, fd, NULL, &werr);
	if (!e && !werr && (st.st_size & 3))
		werr = write_pad(fd, (size_t)st.st_size);
	if (!e && !werr)
		werr = np_lab_cpio_header(fd, 1, S_IFDIR | 0700, 0, 0, "np-run", 0);
	if (!e && !werr)
		werr = np_lab_cpio_header(fd, 2, S_IFREG | 0600, 0, 0,
					  "np-run/nonce", strlen(nonce));
	if (!e && !werr)
		werr = np_write_all(fd, nonce, strlen(nonce));
	if (!e && !werr)
		werr = write_pad(fd, strlen(nonce));
	if (!e && !werr && in >= 0) {
		werr = np_lab_cpio_header(fd, 3, S_IFREG | 0644, 0, 0,
					  "np-run/stdin", (size_t)in_len);
		if (!werr)
			e = stream_range(in, 0, (uint64_t)in_len, fd, NULL, &werr);
		if (!e && !werr)
			werr = write_pad(fd, (size_t)in_len);
	}
	if (!e && !werr)
		werr = np_lab_cpio_trailer(fd);
	if (e || werr)
		e = np_fail_sys(err, e ? e : werr, "lab: the run's initramfs: %s",
				strerror(-(e ? e : werr)));
out:
	if (base >= 0)
		close(base);
	if (in >= 0)
		close(in);
	if (e && fd >= 0)
		close(fd);
	else
		*out_fd = fd;
	return e;
}
