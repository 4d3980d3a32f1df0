// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's /init: mount the kernel filesystems a scheduler test needs,
 * ask the host for the payload on the control port, run it, report its
 * exit status on the control port and power off.
 *
 * Serial ports (see Documentation/shell.md):
 *   ttyS0  kernel console (host: per-VM log file)
 *   ttyS1  payload stdout (or the interactive terminal)
 *   ttyS2  payload stderr
 *   ttyS3  control, both ways: /init says "KTSTR_READY" once it is set
 *          up, the host answers with one "KTSTR_PAYLOAD <words>" line
 *          (vmm/payload.h; "KTSTR_PAYLOAD_ERROR <reason>" back if /init
 *          cannot take it), then the results channel's lines go out as
 *          "KTSTR_RESULT <line>" while the payload runs, and
 *          "KTSTR_EXIT <status>" last (vmm/control.h)
 *
 * The payload does not ride on the kernel command line: a guest restored
 * from a snapshot taken at KTSTR_READY keeps the command line it booted
 * with.  With ktstr.results=BYTES in the payload, the payload gets
 * $KTSTR_RESULTS, a FIFO that /init reads and relays line by line to the
 * control port, up to BYTES of lines; see results_relay.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/random.h>

#include "payload.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define RESULTS_DIR "/run/ktstr"
#define RESULTS_FIFO RESULTS_DIR "/results"
#define RESULT_PREFIX "KTSTR_RESULT "

/*
 * The payload's records, from the FIFO to the control port.  /init
 * reads the FIFO as soon as it can and queues the framed lines, so a
 * payload never waits for the serial port; the queue holds at most the
 * bound's worth of lines and their prefixes.  The first lines that fit are sent, every
 * later line is dropped and counted, as the host does (vmm/control.c).
 */
struct results_relay {
	int fifo;		/* read end (held read-write: never EOF), or -1 */
	size_t max;		/* bytes of lines, newlines included */
	size_t sent;
	bool full;
	unsigned long dropped;	/* lines */
	char *line;		/* the line being read */
	size_t line_len;
	bool line_dropped;	/* being skipped up to its newline */
	char *queue;		/* framed lines not yet written */
	size_t queue_len, queue_off;
};

/*
 * One write(), one record.  Not dprintf(): glibc first asks the fd for
 * its position, /dev/kmsg answers SEEK_CUR with EINVAL, and dprintf then
 * fails without writing anything.
 */
static void log_console(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int fd, n;

	n = snprintf(buf, sizeof(buf), "ktstr-init: ");
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		/* A record is lost, not retried: nothing else to tell. */
		(void)!write(fd, buf, n);
		close(fd);
	}
}

struct mount_point {
	const char *source, *target, *type;
	unsigned long flags;
	const char *data;
};

/*
 * /tmp and /run stay on the initramfs (itself a writable tmpfs): a tmpfs
 * mounted over them would hide files that --include placed there.
 */
static const struct mount_point mounts[] = {
	{ "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755" },
	{ "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	  "gid=5,mode=620,ptmxmode=666" },
	{ "tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, NULL },
	{ "cgroup2", "/sys/fs/cgroup", "cgroup2",
	  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "bpf", "/sys/fs/bpf", "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	  "mode=0700" },
	{ "debugfs", "/sys/kernel/debug", "debugfs",
	  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
	{ "tracefs", "/sys/kernel/tracing", "tracefs",
	  MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL },
};

static void mount_all(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mounts); i++) {
		const struct mount_point *m = &mounts[i];

		mkdir(m->target, 0755);
		if (mount(m->source, m->target, m->type, m->flags, m->data) &&
		    errno != EBUSY)
			log_console("mount %s on %s: %s", m->type, m->target,
				    strerror(errno));
	}
}

/*
 * An image with a busybox the host could not list the applets of (an
 * arm64 guest's, vmm/guest.c) has no /bin/sh yet: busybox makes its
 * links, before KTSTR_READY so that a snapshot has them.
 */
static void install_applets(void)
{
	int status;
	pid_t pid;

	if (!access("/bin/sh", X_OK) || access("/bin/busybox", X_OK))
		return;
	pid = fork();
	if (!pid) {
		execl("/bin/busybox", "busybox", "--install", "-s",
		      (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		log_console("busybox --install -s failed");
}

static int open_port(const char *path, int flags, int raw)
{
	struct termios tio;
	int fd = open(path, flags | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		log_console("open %s: %s", path, strerror(errno));
		return -1;
	}
	if (raw && !tcgetattr(fd, &tio)) {
		/* Output bytes go to the host unchanged: no CR added. */
		cfmakeraw(&tio);
		tcsetattr(fd, TCSANOW, &tio);
	}
	return fd;
}

/*
 * Says KTSTR_READY and takes the payload the host answers with.  A line
 * /init cannot take is reported on the console and to the host, which
 * turns it into its error; the payload is then not run at all.
 */
static int receive_payload(int ctl, struct kt_payload *p)
{
	static char line[KT_PAYLOAD_LINE_MAX];
	char err[KT_PAYLOAD_ERR_MAX];
	size_t len;

	/* Whatever the port held before READY is no payload. */
	tcflush(ctl, TCIFLUSH);
	dprintf(ctl, "KTSTR_READY\n");
	if (!kt_payload_read_line(ctl, line, &len, err, sizeof(err)) &&
	    !kt_payload_decode(line, len, p, err, sizeof(err)))
		return 0;
	log_console("bad payload: %s", err);
	dprintf(ctl, "KTSTR_PAYLOAD_ERROR %s\n", err);
	tcdrain(ctl);
	return -1;
}

/*
 * A guest restored from a snapshot wakes with the wall clock and the
 * random state of the moment the snapshot was taken: the host's clock and
 * fresh randomness come with every payload, so no two tests see the same
 * random numbers and timestamps are the host's.
 */
static void refresh_clock_and_random(const struct kt_payload *p)
{
	union {
		struct rand_pool_info info;
		unsigned char raw[sizeof(struct rand_pool_info) +
				  KT_PAYLOAD_SEED_LEN];
	} seed;
	struct timespec ts;
	int fd;

	if (p->has_time) {
		ts.tv_sec = p->time_s;
		ts.tv_nsec = p->time_ns;
		if (clock_settime(CLOCK_REALTIME, &ts))
			log_console("cannot set the clock: %s",
				    strerror(errno));
	}
	if (!p->has_seed)
		return;
	fd = open("/dev/urandom", O_WRONLY | O_CLOEXEC);
	seed.info.entropy_count = 8 * KT_PAYLOAD_SEED_LEN;
	seed.info.buf_size = KT_PAYLOAD_SEED_LEN;
	memcpy(seed.raw + sizeof(seed.info), p->seed, KT_PAYLOAD_SEED_LEN);
	/* Credited, then a reseed now: not at the next scheduled one. */
	if (fd < 0 || ioctl(fd, RNDADDENTROPY, &seed) ||
	    ioctl(fd, RNDRESEEDCRNG))
		log_console("cannot reseed the random pool: %s",
			    strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void setup_interactive(const struct kt_payload *p, int tty)
{
	struct winsize ws = { .ws_row = p->rows, .ws_col = p->cols };

	setsid();
	ioctl(tty, TIOCSCTTY, 1);
	if (p->rows && p->cols)
		ioctl(tty, TIOCSWINSZ, &ws);
}

static void exec_payload(const struct kt_payload *p, int out, int err,
			 const sigset_t *mask)
{
	int in = p->interactive ? out : open("/dev/null", O_RDONLY);

	sigprocmask(SIG_SETMASK, mask, NULL);
	if (p->interactive)
		setup_interactive(p, out);
	else
		setsid();
	dup2(in, 0);
	dup2(out, 1);
	dup2(err, 2);
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", "/root", 1);
	setenv("TERM", p->term[0] ? p->term : "vt100", 1);
	if (p->results_max)
		setenv("KTSTR_RESULTS", RESULTS_FIFO, 1);
	chdir("/root");
	if (p->command[0])
		execl("/bin/sh", "sh", "-c", p->command, (char *)NULL);
	else
		execl("/bin/sh", "sh", "-l", (char *)NULL);
	dprintf(2, "ktstr-init: cannot run /bin/sh: %s\n", strerror(errno));
	_exit(127);
}

static int results_open(struct results_relay *rl, size_t max)
{
	memset(rl, 0, sizeof(*rl));
	rl->fifo = -1;
	if (!max)
		return 0;
	mkdir(RESULTS_DIR, 0755);
	if (mkfifo(RESULTS_FIFO, 0666) && errno != EEXIST) {
		log_console("mkfifo %s: %s", RESULTS_FIFO, strerror(errno));
		return -1;
	}
	/* Whatever the umask, any process of the payload may write. */
	chmod(RESULTS_FIFO, 0666);
	rl->line = malloc(max);
	rl->fifo = open(RESULTS_FIFO, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (!rl->line || rl->fifo < 0) {
		log_console("results channel %s: %s", RESULTS_FIFO,
			    strerror(errno));
		if (rl->fifo >= 0)
			close(rl->fifo);
		rl->fifo = -1;
		return -1;
	}
	rl->max = max;
	return 0;
}

static void results_queue_line(struct results_relay *rl)
{
	size_t prefix = strlen(RESULT_PREFIX);
	size_t need = prefix + rl->line_len + 1;
	char *q = realloc(rl->queue, rl->queue_len + need);

	if (!q) {
		rl->dropped++;
		return;
	}
	memcpy(q + rl->queue_len, RESULT_PREFIX, prefix);
	memcpy(q + rl->queue_len + prefix, rl->line, rl->line_len);
	q[rl->queue_len + need - 1] = '\n';
	rl->queue = q;
	rl->queue_len += need;
	rl->sent += rl->line_len + 1;
}

static void results_end_line(struct results_relay *rl)
{
	if (rl->line_dropped)
		rl->dropped++;
	else if (rl->line_len)
		results_queue_line(rl);
	rl->line_dropped = false;
	rl->line_len = 0;
}

static void results_take(struct results_relay *rl, const char *data,
			 size_t n)
{
	const char *nl;
	size_t k;

	while (n) {
		nl = memchr(data, '\n', n);
		k = nl ? (size_t)(nl - data) : n;
		/* The newline counts too: the host bounds the same bytes. */
		if (k && !rl->line_dropped &&
		    (rl->full || rl->line_len + k + 1 > rl->max - rl->sent)) {
			rl->full = true;
			rl->line_dropped = true;
		}
		if (k && !rl->line_dropped) {
			memcpy(rl->line + rl->line_len, data, k);
			rl->line_len += k;
		}
		if (nl) {
			results_end_line(rl);
			k++;
		}
		data += k;
		n -= k;
	}
}

static void results_read(struct results_relay *rl)
{
	char buf[65536];
	ssize_t n;

	while (rl->fifo >= 0) {
		n = read(rl->fifo, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		results_take(rl, buf, n);
	}
}

/* As much of the queue as @ctl takes now (all of it if it blocks). */
static void results_send(struct results_relay *rl, int ctl)
{
	ssize_t n;

	while (ctl >= 0 && rl->queue_off < rl->queue_len) {
		n = write(ctl, rl->queue + rl->queue_off,
			  rl->queue_len - rl->queue_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		rl->queue_off += n;
	}
	rl->queue_off = rl->queue_len = 0;
}

/*
 * The payload is gone: what it left in the FIFO, a last line without
 * its newline as a line, everything sent before the exit status.
 */
static void results_finish(struct results_relay *rl, int ctl)
{
	results_read(rl);
	if (rl->line_len || rl->line_dropped)
		results_end_line(rl);
	if (ctl < 0)
		return;
	fcntl(ctl, F_SETFL, fcntl(ctl, F_GETFL) & ~O_NONBLOCK);
	results_send(rl, ctl);
	if (rl->dropped)
		dprintf(ctl, "KTSTR_RESULTS_DROPPED %lu\n", rl->dropped);
}

/* Reaps every orphan; true once the payload itself is gone. */
static bool reap(pid_t child, int *status)
{
	int st;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &st, WNOHANG);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0) {
			*status = 255;
			return true;
		}
		if (!pid)
			return false;
		if (pid != child)
			continue;
		*status = WIFEXITED(st) ? WEXITSTATUS(st) :
					  128 + WTERMSIG(st);
		return true;
	}
}

/*
 * PID 1 relays the results channel until the payload exits.  SIGCHLD is
 * blocked and read from @sigfd, so an exit cannot slip in between the
 * reaping and the poll; without a signalfd, poll wakes up every 100 ms.
 */
static int supervise_payload(pid_t child, int sigfd, struct results_relay *rl,
			     int ctl)
{
	struct signalfd_siginfo si;
	struct pollfd fds[3];
	int status, n;

	if (ctl >= 0)
		fcntl(ctl, F_SETFL, fcntl(ctl, F_GETFL) | O_NONBLOCK);
	while (!reap(child, &status)) {
		n = 0;
		fds[n++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		fds[n++] = (struct pollfd){ .fd = rl->fifo, .events = POLLIN };
		if (ctl >= 0 && rl->queue_len)
			fds[n++] = (struct pollfd){ .fd = ctl,
						    .events = POLLOUT };
		poll(fds, n, sigfd < 0 ? 100 : -1);
		while (sigfd >= 0 && read(sigfd, &si, sizeof(si)) > 0)
			;
		results_read(rl);
		results_send(rl, ctl);
	}
	return status;
}

static int run_payload(const struct kt_payload *p, int out, int err, int ctl,
		       struct results_relay *rl)
{
	sigset_t chld, old;
	int sigfd, status;
	pid_t child;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sigfd < 0)
		log_console("signalfd: %s", strerror(errno));
	child = fork();
	if (child == 0)
		exec_payload(p, out, err, &old);
	status = child < 0 ? 255 : supervise_payload(child, sigfd, rl, ctl);
	if (sigfd >= 0)
		close(sigfd);
	return status;
}

int main(void)
{
	static struct kt_payload p;
	struct results_relay rl;
	int out, err, ctl, status;

	mount_all();
	install_applets();
	sethostname("ktstr", 5);
	mkdir("/root", 0700);
	/* Read and written: the payload comes in on it. */
	ctl = open_port("/dev/ttyS3", O_RDWR, 1);
	/* The host's boot-stall watchdog stands down at KTSTR_READY. */
	if (ctl < 0 || receive_payload(ctl, &p)) {
		sync();
		reboot(RB_POWER_OFF);
		return 1;
	}
	refresh_clock_and_random(&p);
	if (results_open(&rl, p.results_max))
		p.results_max = 0;

	out = open_port("/dev/ttyS1", O_RDWR, !p.interactive);
	err = p.interactive ? out : open_port("/dev/ttyS2", O_WRONLY, 1);

	status = run_payload(&p, out, err, ctl, &rl);

	/* Let the payload's last bytes leave the UARTs before power off. */
	kill(-1, SIGKILL);
	results_finish(&rl, ctl);
	if (out >= 0)
		tcdrain(out);
	if (err >= 0)
		tcdrain(err);
	dprintf(ctl, "KTSTR_EXIT %d\n", status);
	tcdrain(ctl);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
