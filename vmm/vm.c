// SPDX-License-Identifier: GPL-2.0
/*
 * The life of one VM.  Guest output arrives through FIFOs that this process
 * holds open at both ends (so they never report EOF before QEMU exits),
 * the console goes to a log file, and every file made for the VM is
 * removed however the run ends: payload exit, time limit, panic, QEMU dying
 * or a signal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "compiler.h"
#include "cache.h"
#include "control.h"
#include "dtb.h"
#include "error.h"
#include "payload.h"
#include "qmp.h"
#include "snapshot.h"
#include "vm.h"

#define SHM_DIR "/dev/shm"
#define SHM_PREFIX "ktstr-"
#define KILL_GRACE_MS 2000
/*
 * Under TCG on an oversubscribed host a boot now and then stops for good
 * right after SMP bring-up (seen with QEMU 10.0, 4 and 16 vCPUs on 2 host
 * CPUs).  A kernel console silent this long before /init starts is such
 * a stall; the VM is booted again, up to BOOT_ATTEMPTS times in all.
 * Past 16 vCPUs one more second each: TCG runs the vCPUs in turn on one
 * thread, and with 128 a boot went quiet for 28 s now and then after
 * SMP bring-up (a vCPU spinning on a lock whose holder waits its turn).
 * $KTSTR_BOOT_SILENCE_S changes the silence (slower machines, tests).
 */
#define BOOT_SILENCE_S 45
#define BOOT_SILENCE_CPUS 16
#define BOOT_ATTEMPTS 3
#define CMDLINE_MAX 2048
/*
 * QMP exchanges around a snapshot, generous for a loaded TCG host: they
 * take well under a second alone.
 */
#define QMP_CONNECT_MS 30000
#define QMP_STATE_MS 120000

enum port { PORT_STDOUT, PORT_STDERR, PORT_CONTROL, NR_PORTS };
static const char * const port_names[NR_PORTS] = { "stdout", "stderr",
						   "control" };

struct buf {
	char *data;
	size_t len, cap;
};

struct vm_run {
	const struct kt_vm_opts *o;
	struct kt_vm_result *r;
	char run_dir[PATH_MAX];
	char log_dir[PATH_MAX];
	char shm_prefix[PATH_MAX];
	char console[PATH_MAX + 16];
	char qemu_log[PATH_MAX + 16];
	char fifo[NR_PORTS][PATH_MAX + 16];
	int rfd[NR_PORTS], wfd[NR_PORTS];
	/* The control port's input: the host writes the payload here. */
	char payload_fifo[PATH_MAX + 16];
	int payload_fd;
	struct kt_payload words;	/* built from the options */
	const char *payload;	/* the line, sent once /init is ready */
	size_t payload_len;
	bool payload_sent;
	char payload_buf[KT_PAYLOAD_LINE_MAX + 1];
	/* SAVE: boot cold and keep a snapshot; RESTORE: start from one. */
	enum { SNAP_OFF, SNAP_SAVE, SNAP_RESTORE } snap;
	struct kt_snapshot snapshot;
	char qmp_path[PATH_MAX + 16];
	char dtb[PATH_MAX];		/* arm64: the guest's device tree */
	char state_path[PATH_MAX + 16];	/* RESTORE: this run's copy */
	bool restore_failed;		/* boot again, cold */
	int stop;			/* the stop signal received, or 0 */
	struct buf out;
	struct kt_control control;
	pid_t qemu;
	struct timespec start;
	off_t console_size;
	struct timespec console_changed;
	bool tty_saved;
	struct termios tty;
	bool observing;
};

/* The handler only writes the signal number here; supervise() reads it. */
static int signal_pipe[2] = { -1, -1 };
static unsigned int vm_counter;

static void on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	/* A full pipe already holds a pending wakeup: ignore the error. */
	(void)!write(signal_pipe[1], &c, 1);
	errno = saved;
}

static const int handled_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD };
#define NR_HANDLED ARRAY_SIZE(handled_signals)

static int install_handlers(struct sigaction *old)
{
	struct sigaction sa = { .sa_handler = on_signal };
	size_t i;

	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK))
		return kt_fail_errno("pipe");
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (i = 0; i < NR_HANDLED; i++)
		sigaction(handled_signals[i], &sa, &old[i]);
	return 0;
}

static void restore_handlers(struct sigaction *old)
{
	size_t i;

	for (i = 0; i < NR_HANDLED; i++)
		sigaction(handled_signals[i], &old[i], NULL);
	close(signal_pipe[0]);
	close(signal_pipe[1]);
	signal_pipe[0] = signal_pipe[1] = -1;
}

static double elapsed_s(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) +
	       (now.tv_nsec - since->tv_nsec) / 1e9;
}

static int buf_append(struct buf *b, const char *data, size_t len)
{
	char *p;
	size_t cap;

	if (b->len + len + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + len + 1)
			cap *= 2;
		p = realloc(b->data, cap);
		if (!p)
			return kt_fail("out of memory");
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

static void write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (fd >= 0 && len) {
		n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		data += n;
		len -= n;
	}
}

/* Stale files of a crashed run: their owner's PID is in the name. */
void kt_vm_sweep_stale_shm(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(SHM_DIR);
	long pid;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, SHM_PREFIX, strlen(SHM_PREFIX)))
			continue;
		pid = strtol(de->d_name + strlen(SHM_PREFIX), NULL, 10);
		if (pid <= 0 || kill(pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", SHM_DIR, de->d_name);
		unlink(path);
	}
	closedir(d);
}

/* The run directories of process @pid, which died without removing them. */
void kt_vm_sweep_run_dirs(pid_t pid)
{
	const char *tmp = getenv("TMPDIR");
	char prefix[32], dir[PATH_MAX], path[PATH_MAX + 300];
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s", tmp && *tmp ? tmp : "/tmp");
	snprintf(prefix, sizeof(prefix), "ktstr-%d-", pid);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		kt_remove_flat_dir(path);
	}
	closedir(d);
}

static int make_run_dir(struct vm_run *v)
{
	const char *tmp = getenv("TMPDIR");
	unsigned int id = ++vm_counter;
	enum port p;

	snprintf(v->run_dir, sizeof(v->run_dir), "%s/ktstr-%d-%u-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp", getpid(), id);
	if (!mkdtemp(v->run_dir)) {
		v->run_dir[0] = '\0';
		return kt_fail_errno("cannot create a run directory in %s",
				     tmp && *tmp ? tmp : "/tmp");
	}
	snprintf(v->shm_prefix, sizeof(v->shm_prefix), "%s/%s%d-%u", SHM_DIR,
		 SHM_PREFIX, getpid(), id);
	if (v->o->log_dir) {
		if (kt_mkdir_p(v->o->log_dir, 0755))
			return -1;
		snprintf(v->log_dir, sizeof(v->log_dir), "%s", v->o->log_dir);
	} else {
		snprintf(v->log_dir, sizeof(v->log_dir), "%s", v->run_dir);
	}
	snprintf(v->console, sizeof(v->console), "%s/console.log", v->log_dir);
	snprintf(v->qemu_log, sizeof(v->qemu_log), "%s/qemu.log", v->log_dir);
	for (p = 0; p < NR_PORTS; p++)
		snprintf(v->fifo[p], sizeof(v->fifo[p]), "%s/%s", v->run_dir,
			 port_names[p]);
	snprintf(v->payload_fifo, sizeof(v->payload_fifo), "%s/payload",
		 v->run_dir);
	snprintf(v->qmp_path, sizeof(v->qmp_path), "%s/qmp", v->run_dir);
	snprintf(v->state_path, sizeof(v->state_path), "%s/state", v->run_dir);
	return 0;
}

static int open_fifos(struct vm_run *v)
{
	enum port p;

	for (p = 0; p < NR_PORTS; p++) {
		if (v->o->interactive && p == PORT_STDERR)
			continue;
		if (v->o->interactive && p == PORT_STDOUT)
			continue;
		if (mkfifo(v->fifo[p], 0600))
			return kt_fail_errno("mkfifo %s", v->fifo[p]);
		v->rfd[p] = open(v->fifo[p], O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (v->rfd[p] < 0)
			return kt_fail_errno("open %s", v->fifo[p]);
		/* Our own writer keeps the FIFO from ever reading as EOF. */
		v->wfd[p] = open(v->fifo[p], O_WRONLY | O_CLOEXEC);
		if (v->wfd[p] < 0)
			return kt_fail_errno("open %s", v->fifo[p]);
	}
	if (mkfifo(v->payload_fifo, 0600))
		return kt_fail_errno("mkfifo %s", v->payload_fifo);
	/*
	 * Read-write: the open does not wait for QEMU, QEMU's own open of
	 * the input does not wait for us, and QEMU never reads EOF on it.
	 * The pipe (64 KiB) takes the whole line at once, and only QEMU
	 * reads it.
	 */
	v->payload_fd = open(v->payload_fifo, O_RDWR | O_CLOEXEC);
	if (v->payload_fd < 0)
		return kt_fail_errno("open %s", v->payload_fifo);
	return 0;
}

static void remove_shm_files(struct vm_run *v)
{
	char path[PATH_MAX + 32];
	unsigned int n;

	if (!v->shm_prefix[0])
		return;
	for (n = 0; n < kt_topology_memory_nodes(v->o->topo); n++) {
		snprintf(path, sizeof(path), "%s-ram%u", v->shm_prefix, n);
		unlink(path);
	}
}

static void cleanup(struct vm_run *v)
{
	enum port p;

	for (p = 0; p < NR_PORTS; p++) {
		if (v->rfd[p] >= 0)
			close(v->rfd[p]);
		if (v->wfd[p] >= 0)
			close(v->wfd[p]);
		if (v->fifo[p][0])
			unlink(v->fifo[p]);
	}
	if (v->payload_fd >= 0)
		close(v->payload_fd);
	if (v->payload_fifo[0])
		unlink(v->payload_fifo);
	remove_shm_files(v);
	kt_snapshot_abort(&v->snapshot);
	if (v->run_dir[0]) {
		if (!v->o->log_dir) {
			unlink(v->console);
			unlink(v->qemu_log);
		}
		unlink(v->qmp_path);
		unlink(v->state_path);
		rmdir(v->run_dir);
	}
	if (v->tty_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &v->tty);
	kt_control_free(&v->control);
	if (v->o->capture_stdout)
		*v->o->capture_stdout = v->out.data;
	else
		free(v->out.data);
}

/*
 * Per-topology and user words only: the payload goes on the control port.
 * KASLR stays on unless asked: the monitor finds the kernel either way.
 */
static int build_cmdline(const struct kt_vm_opts *o, char *buf, size_t len)
{
	size_t n;

	n = snprintf(buf, len, "console=%s panic=-1%s mitigations=off rdinit=/init",
		     o->arch == KT_ARCH_ARM64 ? "ttyAMA0" : "ttyS0",
		     o->nokaslr ? " nokaslr" : "");
	/*
	 * Empty CPU slots of uneven LLCs are no CPUs of the guest's.  An
	 * arm64 guest's device tree lists only its CPUs.
	 */
	if (o->arch == KT_ARCH_X86_64 && kt_topology_has_holes(o->topo))
		n += snprintf(buf + n, len - n, " nr_cpus=%u",
			      kt_topology_cpus(o->topo));
	if (o->extra_cmdline)
		n += snprintf(buf + n, len - n, " %s", o->extra_cmdline);
	if (n >= len)
		return kt_fail("kernel command line too long (%zu bytes, at most %zu)",
			       n, len - 1);
	return 0;
}

/*
 * The line /init gets after KTSTR_READY.  Checked here, before booting,
 * against the very bounds /init decodes with (vmm/payload.c).
 */
static int build_payload(struct vm_run *v)
{
	const struct kt_vm_opts *o = v->o;
	char err[KT_PAYLOAD_ERR_MAX];
	const char *term = getenv("TERM");
	struct kt_payload *p = &v->words;
	struct winsize ws;
	int n;

	if (o->payload_line) {
		v->payload = o->payload_line;
		v->payload_len = strlen(o->payload_line);
		return 0;
	}
	memset(p, 0, sizeof(*p));
	if (o->command && strlen(o->command) > KT_PAYLOAD_COMMAND_MAX)
		return kt_fail("--exec command too long: %zu bytes, at most %d",
			       strlen(o->command), KT_PAYLOAD_COMMAND_MAX);
	if (o->command)
		snprintf(p->command, sizeof(p->command), "%s", o->command);
	if (o->interactive) {
		p->interactive = true;
		if (!ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) && ws.ws_row &&
		    ws.ws_col) {
			p->rows = ws.ws_row;
			p->cols = ws.ws_col;
		}
		/*
		 * Unset or empty: the guest's default.  Refused, not dropped,
		 * if the guest cannot take it: the shell would act oddly.
		 */
		if (term && *term && !kt_payload_term_ok(term))
			return kt_fail("TERM='%s' is not a terminal name the guest takes (letters, digits and '._+-', at most %d bytes)",
				       term, KT_PAYLOAD_TERM_MAX);
		if (term && *term)
			snprintf(p->term, sizeof(p->term), "%s", term);
	}
	if (o->records)
		p->results_max = KT_RESULTS_MAX_BYTES;
	/* Room for the clock and the seed, which are added as it is sent. */
	p->has_time = true;
	p->has_seed = true;
	n = kt_payload_encode(p, v->payload_buf, sizeof(v->payload_buf), err,
			      sizeof(err));
	if (n < 0)
		return kt_fail("the guest cannot take this payload: %s", err);
	v->payload = v->payload_buf;
	v->payload_len = n;
	return 0;
}

/* The host's clock and fresh randomness, as of now. */
static int stamp_payload(struct vm_run *v)
{
	char err[KT_PAYLOAD_ERR_MAX];
	struct timespec now;
	int n;

	if (v->o->payload_line)
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	v->words.time_s = now.tv_sec;
	v->words.time_ns = now.tv_nsec;
	if (getrandom(v->words.seed, sizeof(v->words.seed), 0) !=
	    sizeof(v->words.seed))
		return -1;
	n = kt_payload_encode(&v->words, v->payload_buf,
			      sizeof(v->payload_buf), err, sizeof(err));
	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	v->payload_len = n;
	return 0;
}

/* Once, when /init says KTSTR_READY (or the guest is restored). */
static int send_payload(struct vm_run *v)
{
	size_t off = 0;
	ssize_t n;

	v->payload_sent = true;
	if (stamp_payload(v))
		return -1;
	while (off < v->payload_len) {
		n = write(v->payload_fd, v->payload + off,
			  v->payload_len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += n;
	}
	return 0;
}

/* Shell-quoted, so the line can be pasted into a shell. */
static void print_argv(char **argv)
{
	const char *c;

	for (; *argv; argv++) {
		if (!**argv || strpbrk(*argv, " \t\n'\"\\$`*?[]{}()<>|&;#~")) {
			putchar('\'');
			for (c = *argv; *c; c++)
				fputs(*c == '\'' ? "'\\''" : (char[]){ *c, 0 },
				      stdout);
			putchar('\'');
		} else {
			fputs(*argv, stdout);
		}
		putchar(argv[1] ? ' ' : '\n');
	}
}

static void exec_qemu(struct vm_run *v, char **argv, const sigset_t *mask)
{
	int fd;
	size_t i;

	/* QEMU must not outlive us, even if we are SIGKILLed. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (i = 0; i < NR_HANDLED; i++)
		signal(handled_signals[i], SIG_DFL);
	sigprocmask(SIG_SETMASK, mask, NULL);
	fd = open(v->qemu_log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dup2(fd, STDERR_FILENO);
		if (!v->o->interactive)
			dup2(fd, STDOUT_FILENO);
		close(fd);
	}
	if (!v->o->interactive) {
		fd = open("/dev/null", O_RDONLY);
		dup2(fd, STDIN_FILENO);
	}
	execvp(argv[0], argv);
	dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0],
		strerror(errno));
	_exit(127);
}

static int spawn_qemu(struct vm_run *v, char **argv)
{
	sigset_t all, old;

	/* No handler of ours may run in the child before exec. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	v->qemu = fork();
	if (v->qemu == 0)
		exec_qemu(v, argv, &old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (v->qemu < 0) {
		v->qemu = 0;
		return kt_fail_errno("cannot start %s", argv[0]);
	}
	return 0;
}

/*
 * The capture is a C string, read on by everything that reports it: a
 * NUL the guest wrote would hide all that follows.  It becomes U+2400,
 * the symbol for NUL.
 */
static void capture_output(struct buf *b, const char *data, size_t len)
{
	const char *nul;

	while (len && (nul = memchr(data, '\0', len))) {
		buf_append(b, data, nul - data);
		buf_append(b, "\xe2\x90\x80", 3);
		len -= nul - data + 1;
		data = nul + 1;
	}
	buf_append(b, data, len);
}

static void relay(struct vm_run *v, enum port p)
{
	char data[65536];
	ssize_t n;

	for (;;) {
		n = read(v->rfd[p], data, sizeof(data));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		if (p == PORT_CONTROL) {
			kt_control_feed(&v->control, data, n);
			continue;
		}
		if (p == PORT_STDOUT) {
			write_all(v->o->stdout_fd, data, n);
			if (v->o->capture_stdout)
				capture_output(&v->out, data, n);
		} else {
			write_all(v->o->stderr_fd, data, n);
		}
	}
}

static void relay_all(struct vm_run *v)
{
	enum port p;

	for (p = 0; p < NR_PORTS; p++)
		if (v->rfd[p] >= 0)
			relay(v, p);
}

static void stop_qemu(struct vm_run *v)
{
	int i, status;

	if (v->qemu <= 0)
		return;
	kill(v->qemu, SIGTERM);
	for (i = 0; i < KILL_GRACE_MS / 10; i++) {
		if (waitpid(v->qemu, &status, WNOHANG) == v->qemu) {
			v->qemu = 0;
			return;
		}
		usleep(10000);
	}
	kill(v->qemu, SIGKILL);
	waitpid(v->qemu, &status, 0);
	v->qemu = 0;
}

/* The guest panicked if the console says so; copy the reason. */
static bool find_panic(struct vm_run *v)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(v->console, "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "Kernel panic - not syncing");

		if (!p)
			continue;
		p[strcspn(p, "\r\n")] = '\0';
		snprintf(v->r->detail, sizeof(v->r->detail), "%s", p);
		found = true;
		break;
	}
	fclose(f);
	return found;
}

static void qemu_error(struct vm_run *v, int status)
{
	char text[400] = "";
	ssize_t n = 0;
	int fd = open(v->qemu_log, O_RDONLY);

	if (fd >= 0) {
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
	}
	text[n > 0 ? n : 0] = '\0';
	text[strcspn(text, "\n")] = '\0';
	if (WIFSIGNALED(status))
		snprintf(v->r->detail, sizeof(v->r->detail),
			 "QEMU killed by signal %d%s%s", WTERMSIG(status),
			 *text ? ": " : "", text);
	else
		snprintf(v->r->detail, sizeof(v->r->detail),
			 "QEMU exited with status %d%s%s", WEXITSTATUS(status),
			 *text ? ": " : "", text);
}

static void classify_exit(struct vm_run *v, int status)
{
	kt_control_end(&v->control);
	if (v->control.payload_error[0]) {
		/* /init powered off without running anything. */
		v->r->outcome = KT_VM_BAD_PAYLOAD;
		snprintf(v->r->detail, sizeof(v->r->detail),
			 "the guest's /init refused the payload: %s",
			 v->control.payload_error);
	} else if (v->control.exited) {
		v->r->outcome = KT_VM_EXITED;
		v->r->exit_status = v->control.exit_status;
	} else if (find_panic(v)) {
		v->r->outcome = KT_VM_PANIC;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		v->r->outcome = KT_VM_QEMU_FAILED;
		qemu_error(v, status);
	} else {
		v->r->outcome = KT_VM_NO_STATUS;
		snprintf(v->r->detail, sizeof(v->r->detail),
			 "the guest stopped without reporting an exit status");
	}
}

/* Keep the console's last lines for a run that did not end normally. */
static void save_console_tail(struct vm_run *v)
{
	char *tail = v->r->console_tail;
	size_t size = sizeof(v->r->console_tail);
	ssize_t n;
	off_t end;
	char *nl;
	int fd;

	if (v->r->outcome == KT_VM_EXITED ||
	    v->r->outcome == KT_VM_INTERRUPTED)
		return;
	fd = open(v->console, O_RDONLY);
	if (fd < 0)
		return;
	end = lseek(fd, 0, SEEK_END);
	n = pread(fd, tail, size - 1, end > (off_t)size - 1 ?
		  end - (off_t)(size - 1) : 0);
	close(fd);
	if (n <= 0)
		return;
	tail[n] = '\0';
	/* Start at a line boundary. */
	nl = end > (off_t)size - 1 ? strchr(tail, '\n') : NULL;
	if (nl)
		memmove(tail, nl + 1, strlen(nl + 1) + 1);
}

static bool booted(struct vm_run *v)
{
	return v->control.ready;
}

/* Once per VM, when the guest is up: the kernel's memory is set up. */
static void start_observer(struct vm_run *v)
{
	const struct kt_vm_observer *obs = v->o->observer;

	if (!obs || v->observing || !booted(v))
		return;
	v->observing = true;
	obs->start(obs->ctx, v->shm_prefix,
		   kt_topology_memory_nodes(v->o->topo), v->qemu);
}

static void stop_observer(struct vm_run *v)
{
	if (!v->observing)
		return;
	v->o->observer->stop(v->o->observer->ctx);
	v->observing = false;
}

static int poll_timeout_ms(struct vm_run *v)
{
	double left;

	/* Wake up every second until /init runs, to watch the console. */
	if (!booted(v))
		return 1000;
	if (!v->o->timeout_s)
		return -1;
	left = v->o->timeout_s - elapsed_s(&v->start);
	return left <= 0 ? 0 : (int)(left * 1000) + 1;
}

static unsigned int boot_silence_s(const struct kt_topology *t)
{
	const char *env = getenv("KTSTR_BOOT_SILENCE_S");
	unsigned int cpus = kt_topology_cpus(t);
	int s = env ? atoi(env) : 0;

	if (s > 0)
		return s;
	return BOOT_SILENCE_S +
	       (cpus > BOOT_SILENCE_CPUS ? cpus - BOOT_SILENCE_CPUS : 0);
}

/* True once the console has been silent for BOOT_SILENCE_S before /init. */
static bool boot_stalled(struct vm_run *v)
{
	struct stat st;

	if (booted(v) || stat(v->console, &st))
		return false;
	if (st.st_size != v->console_size) {
		v->console_size = st.st_size;
		clock_gettime(CLOCK_MONOTONIC, &v->console_changed);
		return false;
	}
	return elapsed_s(&v->console_changed) >= boot_silence_s(v->o->topo);
}

/* Says why this VM boots cold although snapshots are on. */
static void boot_cold(struct vm_run *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->r->boot_note, sizeof(v->r->boot_note), fmt, ap);
	va_end(ap);
	v->r->boot = KT_VM_BOOT_COLD;
	fprintf(stderr, "ktstr: booting cold: %s\n", v->r->boot_note);
}

/*
 * Between the boot and the payload in the console log: whoever reads it
 * sees where the boot above came from.  QEMU appends to it too.
 */
static void console_note(struct vm_run *v, const char *what)
{
	int fd = open(v->console, O_WRONLY | O_APPEND | O_CLOEXEC);

	if (fd < 0)
		return;
	dprintf(fd, "ktstr: %s %s\n", what, v->snapshot.key);
	close(fd);
}

/* The command line with fixed names where this run's own files go. */
static int snapshot_key(struct vm_run *v, const struct kt_qemu_spec *spec)
{
	struct kt_qemu_spec k = *spec;
	struct kt_argv a = { 0 };
	int ret;

	k.kernel = "KERNEL";
	k.initrd = "INITRD";
	k.shm_prefix = SHM_DIR "/RAM";
	k.console_path = "CONSOLE";
	k.stderr_path = "PORT";
	k.control_path = "PORT";
	k.stdout_path = spec->stdout_path ? "PORT" : NULL;
	k.control_in_path = spec->control_in_path ? "PORT" : NULL;
	k.qmp_path = "QMP";
	k.incoming = false;
	ret = kt_qemu_argv(&k, &a);
	if (!ret)
		ret = kt_snapshot_key(&v->snapshot, a.items, spec->kernel,
				      spec->initrd,
				      kt_topology_memory_nodes(v->o->topo));
	kt_argv_free(&a);
	return ret;
}

/*
 * Restore where the cache has this very VM ready; else boot cold and
 * save it when /init is ready.  Anything in the way means a cold boot,
 * said on stderr: never a failed run.
 */
static void plan_snapshot(struct vm_run *v, struct kt_qemu_spec *spec)
{
	v->r->boot = KT_VM_BOOT_COLD;
	if (v->o->no_snapshot || v->o->dry_run)
		return;
	/*
	 * Not yet for arm64: a saved virt machine has not been restored
	 * and checked here; every arm64 guest boots cold, said only in the
	 * result (it is no failure of anything).
	 */
	if (v->o->arch != KT_ARCH_X86_64) {
		snprintf(v->r->boot_note, sizeof(v->r->boot_note),
			 "snapshots are for x86_64 guests only");
		return;
	}
	if (snapshot_key(v, spec)) {
		boot_cold(v, "snapshots unavailable: %s", kt_errmsg());
		return;
	}
	if (kt_snapshot_exists(&v->snapshot)) {
		if (!kt_snapshot_check_out(&v->snapshot, v->shm_prefix,
					   v->state_path, v->console)) {
			v->snap = SNAP_RESTORE;
			v->r->boot = KT_VM_BOOT_RESTORED;
			spec->incoming = true;
			console_note(v, "restored from snapshot");
			return;
		}
		/* Broken, or removed by a concurrent trim: make it anew. */
		remove_shm_files(v);
		kt_snapshot_drop(&v->snapshot);
	}
	if (kt_snapshot_begin(&v->snapshot)) {
		boot_cold(v, "cannot save a snapshot: %s", kt_errmsg());
		return;
	}
	v->snap = SNAP_SAVE;
}

static void snapshot_info(struct vm_run *v, char *buf, size_t len)
{
	char topo[128];
	time_t now = time(NULL);

	if (kt_topology_short(v->o->topo, topo, sizeof(topo)))
		snprintf(topo, sizeof(topo), "(not short-formable)");
	snprintf(buf, len,
		 "topology %s\nmemory %luM\nkernel %s\ninitrd %s\nqemu %s\naccel %s\nsaved %s",
		 topo, v->o->topo->memory_mib, v->o->kernel, v->o->initramfs,
		 kt_qemu_binary(), kt_accel_name(v->r->accel), ctime(&now));
}

/* The last stop signal received, or 0 if only SIGCHLD came. */
static int drain_signal_pipe(void)
{
	char sigs[64];
	int stop = 0;
	ssize_t n, i;

	while ((n = read(signal_pipe[0], sigs, sizeof(sigs))) > 0)
		for (i = 0; i < n; i++)
			if (sigs[i] != SIGCHLD)
				stop = sigs[i];
	return stop;
}

/* A stop signal came (kept in v->stop): also QMP's cancel test. */
static bool stop_requested(void *arg)
{
	struct vm_run *v = arg;

	if (!v->stop)
		v->stop = drain_signal_pipe();
	return v->stop;
}

static void report_interrupt(struct vm_run *v)
{
	stop_qemu(v);
	v->r->outcome = KT_VM_INTERRUPTED;
	v->r->signal = v->stop;
	snprintf(v->r->detail, sizeof(v->r->detail),
		 "interrupted by signal %d", v->stop);
}

/* QEMU was killed (not by us): no fault of the snapshot's. */
static bool qemu_killed(struct vm_run *v)
{
	siginfo_t si = { 0 };

	return !waitid(P_PID, v->qemu, &si, WEXITED | WNOHANG | WNOWAIT) &&
	       si.si_pid == v->qemu &&
	       (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED);
}

/* A QMP connection whose waits end at a stop signal. */
static struct kt_qmp *qmp_connect(struct vm_run *v)
{
	const struct kt_qmp_cancel on_stop = {
		.fd = signal_pipe[0], .stop = stop_requested, .arg = v,
	};

	return kt_qmp_connect(v->qmp_path, v->qemu, QMP_CONNECT_MS, &on_stop);
}

/*
 * /init is ready: stop the guest, save it into a new cache entry, and
 * let it go on to run this payload.  A save that fails costs this run
 * nothing but the note; -1 only if the guest cannot go on, or a stop
 * signal came.
 */
static int save_guest(struct vm_run *v)
{
	char state[PATH_MAX + 80], info[PATH_MAX * 2 + 512];
	struct kt_qmp *q;
	int ret;

	v->snap = SNAP_OFF;
	q = qmp_connect(v);
	if (!q) {
		kt_snapshot_abort(&v->snapshot);
		if (v->stop)
			return -1;
		boot_cold(v, "snapshot not saved: %s", kt_errmsg());
		return 0;
	}
	kt_snapshot_tmp_state(&v->snapshot, state, sizeof(state));
	snapshot_info(v, info, sizeof(info));
	ret = kt_qmp_save_state(q, state, QMP_STATE_MS);
	if (!ret && !stop_requested(v))
		ret = kt_snapshot_commit(&v->snapshot, v->shm_prefix,
					 v->console, info);
	if (ret || v->stop) {
		kt_snapshot_abort(&v->snapshot);
		if (!v->stop)
			boot_cold(v, "snapshot not saved: %s", kt_errmsg());
	} else {
		v->r->boot = KT_VM_BOOT_SAVED;
		console_note(v, "saved as snapshot");
	}
	/*
	 * A ^C reaches QEMU too: a cont that fails because QEMU died of it
	 * is that interrupt, so look for a stop signal again after it.
	 */
	ret = stop_requested(v) ? -1 : kt_qmp_cont(q, QMP_CONNECT_MS);
	if (ret && !stop_requested(v))
		snprintf(v->r->detail, sizeof(v->r->detail),
			 "the guest did not resume after its snapshot: %s",
			 kt_errmsg());
	kt_qmp_close(q);
	return ret;
}

/*
 * The guest comes back as it was saved: /init waiting for its payload.
 * An entry that cannot be loaded is dropped, and the VM boots again cold
 * (restore_failed); a stop signal or a killed QEMU is no fault of the
 * entry's.
 */
static int restore_guest(struct vm_run *v)
{
	struct kt_qmp *q;
	int ret = -1;

	q = qmp_connect(v);
	if (q && !kt_qmp_load_state(q, v->state_path, QMP_STATE_MS))
		ret = kt_qmp_cont(q, QMP_CONNECT_MS);
	if (ret && !stop_requested(v) && qemu_killed(v)) {
		v->r->outcome = KT_VM_QEMU_FAILED;
		snprintf(v->r->detail, sizeof(v->r->detail),
			 "QEMU was killed while the guest was restored: %s",
			 kt_errmsg());
	} else if (ret && !v->stop) {
		boot_cold(v, "snapshot %.12s not restored: %s",
			  v->snapshot.key, kt_errmsg());
		kt_snapshot_drop(&v->snapshot);
		v->restore_failed = true;
	}
	kt_qmp_close(q);
	v->control.ready = !ret;
	return ret;
}

/*
 * /init waits for its payload: save the guest first if this boot is to
 * be a snapshot, then send it.  Non-zero: the VM is over (stopped, its
 * outcome set).
 */
static int go_ahead(struct vm_run *v)
{
	if (v->snap == SNAP_SAVE && save_guest(v)) {
		if (v->stop) {
			report_interrupt(v);
			return -1;
		}
		stop_qemu(v);
		v->r->outcome = KT_VM_QEMU_FAILED;
		return -1;
	}
	if (send_payload(v)) {
		stop_qemu(v);
		v->r->outcome = KT_VM_QEMU_FAILED;
		snprintf(v->r->detail, sizeof(v->r->detail),
			 "cannot send the payload to the guest: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

static void supervise(struct vm_run *v)
{
	struct pollfd fds[NR_PORTS + 1];
	int status, nfds, i;
	enum port p;

	if (v->snap == SNAP_RESTORE && restore_guest(v)) {
		if (v->stop)
			report_interrupt(v);
		else
			stop_qemu(v);
		return;
	}
	/* A restored guest says nothing: it is ready already. */
	if (v->control.ready) {
		if (go_ahead(v))
			return;
		start_observer(v);
	}
	for (;;) {
		nfds = 0;
		fds[nfds++] = (struct pollfd){ .fd = signal_pipe[0],
					       .events = POLLIN };
		for (p = 0; p < NR_PORTS; p++)
			if (v->rfd[p] >= 0)
				fds[nfds++] = (struct pollfd){ .fd = v->rfd[p],
							       .events = POLLIN };
		i = poll(fds, nfds, poll_timeout_ms(v));
		if (i < 0 && errno != EINTR)
			break;
		relay_all(v);
		if (stop_requested(v)) {
			report_interrupt(v);
			return;
		}
		if (v->control.ready && !v->payload_sent && go_ahead(v))
			return;
		start_observer(v);
		if (waitpid(v->qemu, &status, WNOHANG) == v->qemu) {
			v->qemu = 0;
			relay_all(v);
			classify_exit(v, status);
			return;
		}
		if (boot_stalled(v)) {
			stop_qemu(v);
			v->r->outcome = KT_VM_BOOT_STALL;
			snprintf(v->r->detail, sizeof(v->r->detail),
				 "the kernel console was silent for %us before /init started",
				 boot_silence_s(v->o->topo));
			return;
		}
		if (v->o->timeout_s && elapsed_s(&v->start) >= v->o->timeout_s) {
			stop_qemu(v);
			relay_all(v);
			v->r->outcome = KT_VM_TIMEOUT;
			snprintf(v->r->detail, sizeof(v->r->detail),
				 "time limit of %us exceeded", v->o->timeout_s);
			return;
		}
	}
	stop_qemu(v);
	v->r->outcome = KT_VM_QEMU_FAILED;
	snprintf(v->r->detail, sizeof(v->r->detail), "poll failed: %s",
		 strerror(errno));
}

/*
 * The kernel unpacks the initramfs into RAM next to the archive itself;
 * past half of the memory the unpacking fails part way, silently, and
 * the guest boots without some of its files.
 */
static int check_initramfs_fits(const struct kt_vm_opts *o)
{
	unsigned long mib = o->topo->memory_mib;
	struct stat st;

	if (stat(o->initramfs, &st))
		return kt_fail_errno("initramfs %s", o->initramfs);
	if ((unsigned long)(st.st_size >> 20) * 2 <= mib)
		return 0;
	return kt_fail("the guest image is %lluM, too large for the VM's %luM of memory (at most half): use --memory %luM or more",
		       (unsigned long long)(st.st_size >> 20), mib,
		       ((unsigned long)(st.st_size >> 20) * 2 + 256) / 256 * 256);
}

static int truncate_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return kt_fail_errno("cannot create %s", path);
	close(fd);
	return 0;
}

static int prepare(struct vm_run *v, struct kt_argv *argv)
{
	struct kt_qemu_spec spec = { 0 };
	char cmdline[CMDLINE_MAX];

	if (check_initramfs_fits(v->o))
		return -1;

	if (build_cmdline(v->o, cmdline, sizeof(cmdline)) || build_payload(v))
		return -1;
	if (kt_accel_resolve_arch(v->o->arch, v->o->accel, &v->r->accel,
				  v->r->accel_reason,
				  sizeof(v->r->accel_reason)) ||
	    kt_cpu_vendor_resolve(v->o->vendor, v->r->accel, &v->r->vendor))
		return -1;
	if (make_run_dir(v) || open_fifos(v))
		return -1;
	spec.arch = v->o->arch;
	spec.topo = v->o->topo;
	spec.accel = v->r->accel;
	spec.vendor = v->r->vendor;
	spec.kernel = v->o->kernel;
	spec.initrd = v->o->initramfs;
	spec.cmdline = cmdline;
	spec.shm_prefix = v->shm_prefix;
	spec.console_path = v->console;
	spec.stdout_path = v->o->interactive ? NULL : v->fifo[PORT_STDOUT];
	spec.stderr_path = v->fifo[PORT_STDERR];
	spec.control_path = v->fifo[PORT_CONTROL];
	spec.control_in_path = v->payload_fifo;
	spec.qmp_path = v->qmp_path;
	if (spec.arch == KT_ARCH_ARM64) {
		if (kt_dtb_build(&spec, v->dtb, sizeof(v->dtb)))
			return -1;
		spec.dtb = v->dtb;
	}
	plan_snapshot(v, &spec);
	/* The console appends: only a restored guest's holds its boot. */
	if (v->snap != SNAP_RESTORE && !v->o->dry_run && truncate_file(v->console))
		return -1;
	return kt_qemu_argv(&spec, argv);
}

static int run_once(const struct kt_vm_opts *o, struct kt_vm_result *r,
		    bool *restore_failed)
{
	struct sigaction old[NR_HANDLED];
	struct vm_run v = { .o = o, .r = r };
	struct kt_argv argv = { 0 };
	int ret = -1;
	enum port p;

	memset(r, 0, sizeof(*r));
	for (p = 0; p < NR_PORTS; p++)
		v.rfd[p] = v.wfd[p] = -1;
	v.payload_fd = -1;
	if (o->records)
		kt_records_free(o->records);
	kt_control_init(&v.control, o->records, KT_RESULTS_MAX_BYTES);
	if (install_handlers(old))
		return -1;
	if (prepare(&v, &argv))
		goto out;
	if (o->dry_run) {
		print_argv(argv.items);
		ret = 0;
		goto out;
	}
	if (o->interactive && !tcgetattr(STDIN_FILENO, &v.tty))
		v.tty_saved = true;
	clock_gettime(CLOCK_MONOTONIC, &v.start);
	v.console_changed = v.start;
	if (spawn_qemu(&v, argv.items))
		goto out;
	supervise(&v);
	*restore_failed = v.restore_failed;
	stop_observer(&v);
	r->wall_s = elapsed_s(&v.start);
	save_console_tail(&v);
	ret = 0;
out:
	stop_observer(&v);
	stop_qemu(&v);
	cleanup(&v);
	restore_handlers(old);
	kt_argv_free(&argv);
	return ret;
}

int kt_vm_run(const struct kt_vm_opts *o, struct kt_vm_result *r)
{
	struct kt_vm_opts cold = *o;
	unsigned int attempt;
	bool restore_failed;
	char note[sizeof(r->boot_note)];
	int ret;

	kt_vm_sweep_stale_shm();
	kt_snapshot_sweep_stale();
	for (attempt = 1;; attempt++) {
		restore_failed = false;
		ret = run_once(o, r, &restore_failed);
		if (!ret && restore_failed) {
			/* Once more from scratch, with the reason kept. */
			snprintf(note, sizeof(note), "%s", r->boot_note);
			cold.no_snapshot = true;
			ret = run_once(&cold, r, &restore_failed);
			snprintf(r->boot_note, sizeof(r->boot_note), "%s", note);
		}
		if (ret || r->outcome != KT_VM_BOOT_STALL ||
		    attempt == BOOT_ATTEMPTS)
			break;
		if (o->capture_stdout) {
			free(*o->capture_stdout);
			*o->capture_stdout = NULL;
		}
	}
	r->boot_attempts = attempt;
	return ret;
}

const char *kt_vm_outcome_name(enum kt_vm_outcome outcome)
{
	switch (outcome) {
	case KT_VM_EXITED:
		return "exited";
	case KT_VM_TIMEOUT:
		return "timeout";
	case KT_VM_PANIC:
		return "panic";
	case KT_VM_QEMU_FAILED:
		return "qemu-failed";
	case KT_VM_NO_STATUS:
		return "no-status";
	case KT_VM_INTERRUPTED:
		return "interrupted";
	case KT_VM_BOOT_STALL:
		return "boot-stall";
	case KT_VM_BAD_PAYLOAD:
		return "bad-payload";
	}
	return "unknown";
}

const char *kt_vm_boot_name(enum kt_vm_boot boot)
{
	switch (boot) {
	case KT_VM_BOOT_COLD:
		return "cold";
	case KT_VM_BOOT_SAVED:
		return "saved";
	case KT_VM_BOOT_RESTORED:
		return "restored";
	}
	return "unknown";
}

int kt_vm_exit_code(const struct kt_vm_result *r)
{
	switch (r->outcome) {
	case KT_VM_EXITED:
		return r->exit_status;
	case KT_VM_INTERRUPTED:
		return 128 + r->signal;
	case KT_VM_TIMEOUT:
		return 124;
	default:
		return 125;
	}
}
