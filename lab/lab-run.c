/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Running a lab guest: QEMU (TCG) with the spec's -numa arguments, the
 * cached kernel and initramfs, the command on the kernel command line,
 * and four serial ports: console (with the exit status), the command's
 * stdout, its stderr, and the dump stream.  The ports, and the run's own
 * initramfs (the cached one plus this run's nonce and stdin), are memfds
 * handed to QEMU as /dev/fd/N, so a run creates no file at all; QEMU gets
 * PR_SET_PDEATHSIG so it dies with us, even if we are SIGKILLed.
 */
#include "lab-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linux/linux-root.h"

#define QBOOT "/usr/share/qemu/qboot.rom"
/* x86 COMMAND_LINE_SIZE is 2048; leave room for our own options. */
#define MAX_CMD_B64 1700

enum { PORT_CON, PORT_OUT, PORT_ERR, PORT_DUMP, PORT_QEMU, NPORTS };

/* The guest's markers carry a nonce chosen per run and handed to init in
 * the run's initramfs (np-run/nonce, deleted before the command starts):
 * a command that prints "NP-LAB-EXIT 0" on the console does not know it,
 * so it cannot forge its own exit status. */
#define NONCE_LEN 32

static int make_nonce(char out[NONCE_LEN + 1], struct np_err *err)
{
	unsigned char r[NONCE_LEN / 2];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return np_fail_sys(err, -errno, "lab: getrandom: %s",
				   strerror(errno));
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- the command line ------------------------------------------------ */

static void b64_encode(const unsigned char *in, size_t len, char *out)
{
	static const char t[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = in[i] << 16;

		v |= i + 1 < len ? in[i + 1] << 8 : 0;
		v |= i + 2 < len ? in[i + 2] : 0;
		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		out[o++] = i + 1 < len ? t[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? t[v & 63] : '=';
	}
	out[o] = '\0';
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decodes in place, skipping newlines; returns the decoded length. */
static size_t b64_decode(char *buf, size_t len)
{
	unsigned v = 0, bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int d = b64_value(buf[i]);

		if (d < 0)
			continue;
		v = v << 6 | (unsigned)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (char)(v >> bits & 0xff);
		}
	}
	return o;
}

/* 'a' 'b c' 'it'\''s': each argument single-quoted for sh -c. */
static char *shell_join(char *const *argv)
{
	size_t len = 1;
	char *s, *p;

	for (size_t i = 0; argv && argv[i]; i++)
		len += strlen(argv[i]) * 4 + 3;
	s = p = malloc(len);
	if (!s)
		return NULL;
	*p = '\0';
	for (size_t i = 0; argv && argv[i]; i++) {
		*p++ = '\'';
		for (const char *c = argv[i]; *c; c++) {
			if (*c == '\'') {
				memcpy(p, "'\\''", 4);
				p += 4;
			} else {
				*p++ = *c;
			}
		}
		*p++ = '\'';
		*p++ = argv[i + 1] ? ' ' : '\0';
	}
	*p = '\0';
	return s;
}

static int kernel_cmdline(char *const *argv, const struct np_lab_opts *opts,
			  char **out, struct np_err *err)
{
	char *cmd = shell_join(argv), *b64;
	size_t len;
	int n;

	*out = NULL;
	if (!cmd)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	len = strlen(cmd);
	b64 = malloc(len / 3 * 4 + 8);
	if (!b64) {
		free(cmd);
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	b64_encode((const unsigned char *)cmd, len, b64);
	free(cmd);
	if (strlen(b64) > MAX_CMD_B64) {
		free(b64);
		return np_fail_input(err, -E2BIG, "lab: the command is too long for "
			       "the kernel command line (put it in a script "
			       "and pass it with --add)");
	}
	/* lpj: skip the delay-loop calibration of every vCPU (~0.1 s each
	 * under TCG); cryptomgr.notests: skip the crypto self-tests
	 * (~0.2 s).  Neither matters to a guest that only places memory. */
	/* np.lab=1 tells programs in the guest where they run (numaplace
	 * bench mem says its figures are emulated). */
	n = asprintf(out, "console=ttyS0 quiet panic=-1 lpj=4000000 "
		     "cryptomgr.notests np.lab=1 np.shell=%d "
		     "np.dump=%d%s%s", opts->shell ? 1 : 0,
		     opts->dump_dir ? 1 : 0, *b64 ? " np.cmd=" : "", b64);
	free(b64);
	if (n < 0) {
		*out = NULL;
		return np_fail_sys(err, -ENOMEM, "out of memory");
	}
	return 0;
}

/* ---- QEMU ------------------------------------------------------------ */

struct qemu_argv {
	char **v;       /* cap entries, NULL-terminated */
	size_t n, cap;
	char *own[16];  /* strings we allocated */
	size_t nown;
};

static void qa(struct qemu_argv *a, const char *s)
{
	if (a->n + 1 < a->cap)
		a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

static const char *qa_own(struct qemu_argv *a, char *s)
{
	if (s && a->nown < 16)
		a->own[a->nown++] = s;
	return s ? s : "";
}

static void qa_port(struct qemu_argv *a, int fd)
{
	char path[64], *s = NULL;

	np_proc_fd_path(fd, path, sizeof(path));
	if (asprintf(&s, "file:%s", path) < 0)
		s = NULL;
	qa(a, "-serial");
	qa(a, qa_own(a, s));
}

static void qa_free(struct qemu_argv *a)
{
	for (size_t i = 0; i < a->nown; i++)
		free(a->own[i]);
	free(a->v);
}

static int build_qemu_argv(struct qemu_argv *a, const char *qemu,
			   const struct np_lab_image *img, const char *cmdline,
			   char **numa, const int *fds, int initrd_fd, bool shell)
{
	char initrd[64];

	size_t nnuma = 0;

	while (numa[nnuma])
		nnuma++;
	a->n = a->nown = 0;
	a->cap = nnuma + 48;   /* our own options below are fewer */
	a->v = calloc(a->cap, sizeof(*a->v));
	if (!a->v)
		return -ENOMEM;
	qa(a, qemu);
	qa(a, "-nodefaults");
	qa(a, "-no-user-config");
	qa(a, "-display");
	qa(a, "none");
	qa(a, "-accel");
	qa(a, "tcg,thread=multi");
	qa(a, "-machine");
	qa(a, "pc");
	if (access(QBOOT, R_OK) == 0) {
		qa(a, "-bios");
		qa(a, QBOOT);
	}
	qa(a, "-kernel");
	qa(a, img->kernel);
	np_proc_fd_path(initrd_fd, initrd, sizeof(initrd));
	qa(a, "-initrd");
	qa(a, qa_own(a, strdup(initrd)));
	qa(a, "-append");
	qa(a, cmdline);
	qa(a, "-no-reboot");
	for (size_t i = 0; numa[i]; i++)
		qa(a, numa[i]);
	if (shell) {
		qa(a, "-serial");
		qa(a, "stdio");
	} else {
		qa_port(a, fds[PORT_CON]);
	}
	qa_port(a, fds[PORT_OUT]);
	qa_port(a, fds[PORT_ERR]);
	qa_port(a, fds[PORT_DUMP]);
	return 0;
}

static pid_t start_qemu(char *const *argv, const int *fds, int initrd_fd,
			bool shell)
{
	pid_t parent = getpid(), pid = fork();

	if (pid != 0)
		return pid;
	/* QEMU must not outlive us, however we die. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	for (int i = 0; i < NPORTS; i++)
		fcntl(fds[i], F_SETFD, 0);
	if (initrd_fd >= 0)
		fcntl(initrd_fd, F_SETFD, 0);
	if (!shell) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
	}
	dup2(fds[PORT_QEMU], 2);
	execv(argv[0], argv);
	dprintf(fds[PORT_QEMU], "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Waits for pid up to timeout_ms; 1 when it exited, 0 on timeout. */
static int wait_exit(pid_t pid, double timeout_ms, int *status)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	double end = now_ms() + timeout_ms;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		double left = end - now_ms();

		if (r == pid) {
			if (pidfd >= 0)
				close(pidfd);
			return 1;
		}
		if (left <= 0)
			break;
		if (pidfd >= 0) {
			struct pollfd p = { pidfd, POLLIN, 0 };

			poll(&p, 1, left > 1000 ? 1000 : (int)left + 1);
		} else {
			usleep(5000);
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return 0;
}

/* ---- results ---------------------------------------------------------- */

/* The last `lines` lines of text (a malloc'd copy). */
static char *tail_lines(const char *text, size_t len, int lines)
{
	size_t start = len;
	int seen = 0;

	while (start > 0 && len && text[len - 1] == '\n')
		len--;
	start = len;
	while (start > 0) {
		if (text[start - 1] == '\n' && ++seen == lines)
			break;
		start--;
	}
	return strndup(text + start, len - start);
}

/* Console lines come with "\r\n"; the marker, "NP-LAB-EXIT <nonce>
 * <status>", is on a line of its own.  Lines without this run's nonce
 * are the command's own. */
static bool find_exit(const char *con, const char *nonce, int *status)
{
	char key[NONCE_LEN + 16];
	const char *p;

	snprintf(key, sizeof(key), "NP-LAB-EXIT %s ", nonce);
	p = strstr(con, key);
	return p && sscanf(p + strlen(key), "%d", status) == 1;
}

static void strip_cr(char *s)
{
	char *o = s;

	for (; *s; s++)
		if (*s != '\r')
			*o++ = *s;
	*o = '\0';
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Unpacks the guest's tar into dir, atomically: dir appears complete. */
static int unpack_dump(const char *dir, char *b64, size_t len,
		       struct np_err *err)
{
	char *parent = strdup(dir), *slash, tmp[4096];
	char *argv[] = { (char *)"tar", (char *)"-x", (char *)"-f", (char *)"-",
			 (char *)"-C", tmp, NULL };
	size_t n = b64_decode(b64, len);
	int fd, st, e = 0;

	if (!parent)
		return np_fail_sys(err, -ENOMEM, "out of memory");
	slash = strrchr(parent, '/');
	snprintf(tmp, sizeof(tmp), "%s/.np-dump-XXXXXX",
		 slash ? (slash == parent ? "/" : (*slash = '\0', parent)) : ".");
	free(parent);
	if (!n)
		return np_fail_sys(err, -EIO, "lab: the guest sent no dump");
	if (!mkdtemp(tmp))
		return np_fail_errno(err, -errno, "%s: %s", dir, strerror(errno));
	fd = memfd_create("np-dump-tar", MFD_CLOEXEC);
	if (fd < 0 || write(fd, b64, n) != (ssize_t)n ||
	    lseek(fd, 0, SEEK_SET) < 0)
		e = np_fail_sys(err, -EIO, "lab: dump: %s", strerror(errno));
	st = e ? 0 : np_lab_spawn_wait(argv, fd, -1);
	if (fd >= 0)
		close(fd);
	if (!e && st)
		e = np_fail_sys(err, -EIO, "lab: dump: tar could not unpack what "
			    "the guest sent");
	rmdir(dir);   /* allowed to exist when empty */
	if (!e && rename(tmp, dir))
		e = np_fail_errno(err, -errno, "%s: %s", dir, strerror(errno));
	if (e)
		nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return e;
}

static int check_dump_dir(const char *dir, struct np_err *err)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return 0;
	if (!S_ISDIR(st.st_mode) || rmdir(dir) != 0) {
		/* rmdir succeeded only when empty: recreate it then. */
		return np_fail_input(err, -EEXIST, "%s: exists and is not an empty "
			       "directory", dir);
	}
	return mkdir(dir, st.st_mode & 07777) ? np_fail_errno(err, -errno, "%s: %s",
							 dir, strerror(errno)) : 0;
}

/* "NP-LAB-UPTIME <nonce> init 1.23" and "... done 1.45": the guest's
 * clock. */
static double uptime_mark(const char *con, const char *nonce,
			  const char *what)
{
	char key[NONCE_LEN + 64];
	const char *p;
	double v;

	snprintf(key, sizeof(key), "NP-LAB-UPTIME %s %s ", nonce, what);
	p = strstr(con, key);
	return p && sscanf(p + strlen(key), "%lf", &v) == 1 ? v * 1e3 : 0;
}

static int collect(int *fds, int qstatus, const struct np_lab_opts *opts,
		   const char *nonce, struct np_lab_result *r,
		   struct np_err *err)
{
	char *con = NULL, *qerr = NULL, *dump = NULL;
	size_t clen = 0, qlen = 0, dlen = 0;
	int e = 0;

	/* In a shell session the console is the terminal and the guest
	 * sends its markers on the stdout port instead. */
	np_read_fd_all(fds[opts->shell ? PORT_OUT : PORT_CON], &con, &clen);
	if (!opts->shell)
		np_read_fd_all(fds[PORT_OUT], &r->out, &r->out_len);
	np_read_fd_all(fds[PORT_ERR], &r->err, &r->err_len);
	np_read_fd_all(fds[PORT_QEMU], &qerr, &qlen);
	if (con)
		strip_cr(con);
	r->kernel_ms = con ? uptime_mark(con, nonce, "init") : 0;
	r->init_ms = con ? uptime_mark(con, nonce, "done") - r->kernel_ms : 0;
	if (con && find_exit(con, nonce, &r->exit_status)) {
		r->outcome = NP_LAB_EXITED;
		if (opts->dump_dir && !np_read_fd_all(fds[PORT_DUMP], &dump, &dlen))
			e = unpack_dump(opts->dump_dir, dump, dlen, err);
		goto out;
	}
	/* QEMU refused to start (a configuration it rejects) or was killed:
	 * not a guest failure, so not the 124 of a hung or crashed guest. */
	if (WIFSIGNALED(qstatus)) {
		const char *sig = sigabbrev_np(WTERMSIG(qstatus));

		if (sig)
			e = np_fail_sys(err, -EIO, "lab: qemu was killed by SIG%s",
					sig);
		else
			e = np_fail_sys(err, -EIO, "lab: qemu was killed by signal %d",
					WTERMSIG(qstatus));
	} else if (qerr && qlen && WIFEXITED(qstatus) && WEXITSTATUS(qstatus)) {
		e = np_fail_input(err, -EINVAL, "qemu: %.*s", (int)strcspn(qerr, "\n"),
			    qerr);
	} else {
		r->outcome = NP_LAB_NO_STATUS;
		r->exit_status = NP_LAB_STATUS_NO_ANSWER;
		r->console_tail = con ? tail_lines(con, strlen(con), 20) : NULL;
		e = np_fail_sys(err, -EIO, "lab: the guest stopped without an exit "
			    "status (kernel panic or a crash in init?)");
	}
out:
	free(con);
	free(qerr);
	free(dump);
	return e;
}

void np_lab_result_free(struct np_lab_result *r)
{
	free(r->out);
	free(r->err);
	free(r->console_tail);
	memset(r, 0, sizeof(*r));
}

static int open_ports(int *fds, struct np_err *err)
{
	static const char *const names[NPORTS] = {
		"np-lab-console", "np-lab-stdout", "np-lab-stderr",
		"np-lab-dump", "np-lab-qemu",
	};

	for (int i = 0; i < NPORTS; i++)
		fds[i] = -1;
	for (int i = 0; i < NPORTS; i++) {
		fds[i] = memfd_create(names[i], MFD_CLOEXEC);
		if (fds[i] < 0)
			return np_fail_sys(err, -errno, "lab: memfd_create: %s",
				       strerror(errno));
	}
	return 0;
}

static void close_ports(int *fds)
{
	for (int i = 0; i < NPORTS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static int boot(const struct np_lab_spec *spec, const struct np_lab_opts *opts,
		const struct np_lab_image *img, const char *qemu,
		const char *cmdline, const char *nonce, struct np_lab_result *r,
		struct np_err *err)
{
	struct qemu_argv a = { NULL, 0, 0, { NULL }, 0 };
	char **numa = NULL;
	int fds[NPORTS], status = 0, initrd_fd = -1, e;
	unsigned timeout = opts->timeout_s ? opts->timeout_s : 120;
	double t0 = now_ms();
	pid_t pid;

	for (int i = 0; i < NPORTS; i++)
		fds[i] = -1;
	e = np_lab_qemu_numa_args(spec, &numa, err);
	if (!e)
		e = open_ports(fds, err);
	if (!e)
		e = np_lab_run_initrd(img->initrd, nonce,
				      opts->forward_stdin ? 0 : -1, &initrd_fd, err);
	if (e) {
		np_lab_argv_free(numa);
		close_ports(fds);
		return e;
	}
	if (build_qemu_argv(&a, qemu, img, cmdline, numa, fds, initrd_fd,
			    opts->shell)) {
		e = np_fail_sys(err, -ENOMEM, "out of memory");
	} else if ((pid = start_qemu(a.v, fds, initrd_fd, opts->shell)) < 0) {
		e = np_fail_sys(err, -errno, "lab: fork: %s", strerror(errno));
	} else if (!wait_exit(pid, timeout * 1000.0, &status)) {
		char *con = NULL;
		size_t len = 0;

		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		np_read_fd_all(fds[PORT_CON], &con, &len);
		if (con) {
			strip_cr(con);
			r->console_tail = tail_lines(con, strlen(con), 20);
		}
		free(con);
		r->outcome = NP_LAB_TIMED_OUT;
		r->exit_status = NP_LAB_STATUS_NO_ANSWER;
		e = np_fail_sys(err, -ETIMEDOUT, "lab: no answer from the guest "
			    "within %u s", timeout);
	} else {
		r->boot_ms = now_ms() - t0;
		e = collect(fds, status, opts, nonce, r, err);
	}
	qa_free(&a);
	np_lab_argv_free(numa);
	close_ports(fds);
	close(initrd_fd);
	return e;
}

/* ---- the test kernel --------------------------------------------------- */

/* isa-debug-exit: a write of N to the port ends QEMU with 2N + 1. */
#define DEBUG_EXIT_DEVICE "isa-debug-exit,iobase=0xf4,iosize=0x04"

static int check_test_kernel(const char *path, struct np_err *err)
{
	unsigned char h[5];
	int fd = np_open_regular(path, err);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = read(fd, h, sizeof(h));
	close(fd);
	if (n != (ssize_t)sizeof(h) || memcmp(h, "\x7f" "ELF", 4) || h[4] != 2)
		return np_fail_input(err, -EINVAL, "%s: not a 64-bit ELF file (the "
			       "test kernel is kernel/numaplace-test-kernel.elf "
			       "in the build directory)", path);
	return 0;
}

/* The kernel's own last line, "exit N". */
static bool report_exit(const char *out, int *code)
{
	const char *p = out, *last = NULL;

	while ((p = strstr(p, "exit ")) != NULL) {
		if (p == out || p[-1] == '\n')
			last = p;
		p++;
	}
	return last && sscanf(last + 5, "%d", code) == 1;
}

static int collect_test_kernel(int *fds, int qstatus, struct np_lab_result *r,
			       struct np_err *err)
{
	char *qerr = NULL;
	size_t qlen = 0;
	int code = -1, e = 0;

	np_read_fd_all(fds[PORT_CON], &r->out, &r->out_len);
	np_read_fd_all(fds[PORT_QEMU], &qerr, &qlen);
	if (r->out) {
		strip_cr(r->out);
		r->out_len = strlen(r->out);
	}
	if (WIFEXITED(qstatus) && (WEXITSTATUS(qstatus) & 1) && r->out &&
	    report_exit(r->out, &code) && 2 * code + 1 == WEXITSTATUS(qstatus)) {
		r->outcome = NP_LAB_EXITED;
		r->exit_status = code;
	} else if (WIFSIGNALED(qstatus)) {
		e = np_fail_sys(err, -EIO, "lab: qemu was killed by signal %d",
				WTERMSIG(qstatus));
	} else if (qerr && qlen && WIFEXITED(qstatus) && WEXITSTATUS(qstatus) &&
		   !(r->out && r->out_len)) {
		e = np_fail_input(err, -EINVAL, "qemu: %.*s", (int)strcspn(qerr, "\n"),
			    qerr);
	} else {
		r->outcome = NP_LAB_NO_STATUS;
		r->exit_status = NP_LAB_STATUS_NO_ANSWER;
		r->console_tail = r->out ? tail_lines(r->out, r->out_len, 20) : NULL;
		e = np_fail_sys(err, -EIO, "lab: the test kernel stopped without "
			    "its exit line (a triple fault, or a kernel that is "
			    "not numaplace's?)");
	}
	free(qerr);
	return e;
}

/* argv's words joined by spaces, or NULL (and -ENOMEM in *e). */
static char *join_words(char *const *argv, int *e)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; argv && argv[i]; i++)
		len += strlen(argv[i]) + 1;
	if (!(s = calloc(1, len))) {
		*e = -ENOMEM;
		return NULL;
	}
	for (size_t i = 0; argv && argv[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static int run_test_kernel(const struct np_lab_spec *spec,
			   const struct np_lab_opts *opts, char *const *argv,
			   struct np_lab_result *r, struct np_err *err)
{
	struct qemu_argv a = { NULL, 0, 0, { NULL }, 0 };
	unsigned timeout = opts->timeout_s ? opts->timeout_s : 120;
	char **numa = NULL, *qemu = NULL;
	int fds[NPORTS], status = 0, e;
	double t0 = now_ms();
	pid_t pid;

	for (int i = 0; i < NPORTS; i++)
		fds[i] = -1;
	e = np_lab_spec_validate(spec, err);
	if (!e)
		e = check_test_kernel(opts->test_kernel, err);
	if (!e && !(qemu = np_lab_which("qemu-system-x86_64")))
		e = np_fail_sys(err, -ENOENT, "lab: qemu-system-x86_64 not found: "
				"install package qemu-system-x86");
	if (!e)
		e = np_lab_qemu_numa_args(spec, &numa, err);
	if (!e)
		e = open_ports(fds, err);
	if (!e && !(a.v = calloc(a.cap = 48 + 4 * spec->nnodes * spec->nnodes +
				 8 * spec->nnodes, sizeof(*a.v))))
		e = np_fail_sys(err, -ENOMEM, "out of memory");
	if (e)
		goto out;
	qa(&a, qemu);
	qa(&a, "-nodefaults");
	qa(&a, "-no-user-config");
	qa(&a, "-display");
	qa(&a, "none");
	qa(&a, "-accel");
	qa(&a, "tcg,thread=multi");
	qa(&a, "-machine");
	qa(&a, "pc");
	if (access(QBOOT, R_OK) == 0) {
		qa(&a, "-bios");
		qa(&a, QBOOT);
	}
	qa(&a, "-kernel");
	qa(&a, opts->test_kernel);
	if (argv && argv[0]) {
		char *line = join_words(argv, &e);

		if (!line) {
			e = np_fail_sys(err, -ENOMEM, "out of memory");
			goto out;
		}
		qa(&a, "-append");
		qa(&a, qa_own(&a, line));
	}
	qa(&a, "-no-reboot");
	qa(&a, "-device");
	qa(&a, DEBUG_EXIT_DEVICE);
	for (size_t i = 0; numa[i]; i++)
		qa(&a, numa[i]);
	qa_port(&a, fds[PORT_CON]);
	if ((pid = start_qemu(a.v, fds, -1, false)) < 0) {
		e = np_fail_sys(err, -errno, "lab: fork: %s", strerror(errno));
	} else if (!wait_exit(pid, timeout * 1000.0, &status)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		np_read_fd_all(fds[PORT_CON], &r->out, &r->out_len);
		if (r->out) {
			strip_cr(r->out);
			r->out_len = strlen(r->out);
			r->console_tail = tail_lines(r->out, r->out_len, 20);
		}
		r->outcome = NP_LAB_TIMED_OUT;
		r->exit_status = NP_LAB_STATUS_NO_ANSWER;
		e = np_fail_sys(err, -ETIMEDOUT, "lab: no answer from the test "
			    "kernel within %u s", timeout);
	} else {
		r->boot_ms = now_ms() - t0;
		e = collect_test_kernel(fds, status, r, err);
	}
out:
	qa_free(&a);
	np_lab_argv_free(numa);
	close_ports(fds);
	free(qemu);
	r->total_ms = now_ms() - t0;
	return e;
}

int np_lab_run(const struct np_lab_spec *spec, const struct np_lab_opts *opts_in,
	       char *const *argv, struct np_lab_result *r, struct np_err *err)
{
	static char *const shell_argv[] = { (char *)"sh", NULL };
	struct np_lab_opts o = *opts_in, *opts = &o;
	struct np_lab_image img;
	char *qemu, *cmdline = NULL, nonce[NONCE_LEN + 1];
	double t0 = now_ms();
	int e;

	memset(r, 0, sizeof(*r));
	if (opts_in->test_kernel)
		return run_test_kernel(spec, opts_in, argv, r, err);
	/* A shell given its commands on stdin (a pipe, a file, /dev/null)
	 * runs them as a command does: nothing typed ahead is lost, and it
	 * ends at their end. */
	if (o.shell && o.forward_stdin) {
		o.shell = false;
		argv = shell_argv;
	}
	e = np_lab_spec_validate(spec, err);
	if (!e)
		e = np_lab_check_inputs(opts, err);
	if (!e)
		e = make_nonce(nonce, err);
	if (e)
		return e;
	if (opts->dump_dir && (e = check_dump_dir(opts->dump_dir, err)))
		return e;
	qemu = np_lab_which("qemu-system-x86_64");
	if (!qemu)
		return np_fail_sys(err, -ENOENT, "lab: qemu-system-x86_64 not found: "
			       "install package qemu-system-x86");
	e = kernel_cmdline(argv, opts, &cmdline, err);
	if (!e)
		e = np_lab_image_prepare(opts, &img, err);
	if (!e) {
		r->image_ms = now_ms() - t0;
		e = boot(spec, opts, &img, qemu, cmdline, nonce, r, err);
		np_lab_image_release(&img);
	}
	r->total_ms = now_ms() - t0;
	free(cmdline);
	free(qemu);
	return e;
}
