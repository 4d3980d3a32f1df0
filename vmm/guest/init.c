// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's /init: mount the kernel filesystems a scheduler test needs,
 * run the payload named on the kernel command line, report its exit status
 * to the host on the control port and power off.
 *
 * Serial ports (see Documentation/vmm.md):
 *   ttyS0  kernel console (host: per-VM log file)
 *   ttyS1  payload stdout (or the interactive terminal)
 *   ttyS2  payload stderr
 *   ttyS3  control: "KTSTR_BOOTED" when /init starts, then
 *          "KTSTR_EXIT <status>"
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define CMDLINE_MAX 4096

struct payload {
	char command[CMDLINE_MAX];
	int interactive;
	unsigned short rows, cols;
	char term[64];
};

static void log_console(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int fd;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fd = open("/dev/kmsg", O_WRONLY);
	if (fd >= 0) {
		dprintf(fd, "ktstr-init: %s\n", buf);
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

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The host hex-encodes the command so no quoting survives the cmdline. */
static int hex_decode(const char *hex, size_t len, char *out, size_t outlen)
{
	size_t i;

	if (len % 2 || len / 2 >= outlen)
		return -1;
	for (i = 0; i < len; i += 2) {
		int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (char)(hi << 4 | lo);
	}
	out[len / 2] = '\0';
	return 0;
}

static const char *param_value(const char *word, const char *key)
{
	size_t n = strlen(key);

	return strncmp(word, key, n) ? NULL : word + n;
}

static void apply_param(struct payload *p, const char *word, size_t len)
{
	char buf[CMDLINE_MAX];
	const char *v;

	if (len >= sizeof(buf))
		return;
	memcpy(buf, word, len);
	buf[len] = '\0';
	v = param_value(buf, "ktstr.exec=");
	if (v && hex_decode(v, strlen(v), p->command, sizeof(p->command)))
		log_console("bad ktstr.exec= on the kernel command line");
	if (param_value(buf, "ktstr.shell=1"))
		p->interactive = 1;
	v = param_value(buf, "ktstr.rows=");
	if (v)
		p->rows = atoi(v);
	v = param_value(buf, "ktstr.cols=");
	if (v)
		p->cols = atoi(v);
	v = param_value(buf, "ktstr.term=");
	if (v)
		snprintf(p->term, sizeof(p->term), "%s", v);
}

static void read_payload(struct payload *p)
{
	char cmdline[CMDLINE_MAX];
	char *w, *end;
	ssize_t n;
	int fd;

	memset(p, 0, sizeof(*p));
	snprintf(p->term, sizeof(p->term), "vt100");
	fd = open("/proc/cmdline", O_RDONLY);
	if (fd < 0)
		return;
	n = read(fd, cmdline, sizeof(cmdline) - 1);
	close(fd);
	if (n <= 0)
		return;
	cmdline[n] = '\0';
	for (w = cmdline; *w; w = end) {
		while (*w == ' ' || *w == '\n')
			w++;
		end = w;
		while (*end && *end != ' ' && *end != '\n')
			end++;
		if (end > w)
			apply_param(p, w, end - w);
	}
}

static int open_port(const char *path, int flags, int raw)
{
	struct termios tio;
	int fd = open(path, flags | O_NOCTTY);

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

static void setup_interactive(const struct payload *p, int tty)
{
	struct winsize ws = { .ws_row = p->rows, .ws_col = p->cols };

	setsid();
	ioctl(tty, TIOCSCTTY, 1);
	if (p->rows && p->cols)
		ioctl(tty, TIOCSWINSZ, &ws);
}

static void exec_payload(const struct payload *p, int out, int err)
{
	int in = p->interactive ? out : open("/dev/null", O_RDONLY);

	if (p->interactive)
		setup_interactive(p, out);
	else
		setsid();
	dup2(in, 0);
	dup2(out, 1);
	dup2(err, 2);
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 1);
	setenv("HOME", "/root", 1);
	setenv("TERM", p->term, 1);
	chdir("/root");
	if (p->command[0])
		execl("/bin/sh", "sh", "-c", p->command, (char *)NULL);
	else
		execl("/bin/sh", "sh", "-l", (char *)NULL);
	dprintf(2, "ktstr-init: cannot run /bin/sh: %s\n", strerror(errno));
	_exit(127);
}

/* PID 1 reaps every orphan until the payload itself is gone. */
static int wait_payload(pid_t child)
{
	int status;
	pid_t pid;

	for (;;) {
		pid = wait(&status);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			return 255;
		if (pid != child)
			continue;
		if (WIFEXITED(status))
			return WEXITSTATUS(status);
		return 128 + WTERMSIG(status);
	}
}

int main(void)
{
	struct payload p;
	int out, err, ctl, status;
	pid_t child;

	mount_all();
	sethostname("ktstr", 5);
	mkdir("/root", 0700);
	read_payload(&p);

	out = open_port("/dev/ttyS1", O_RDWR, !p.interactive);
	err = p.interactive ? out : open_port("/dev/ttyS2", O_WRONLY, 1);
	ctl = open_port("/dev/ttyS3", O_WRONLY, 1);
	/* The host's boot-stall watchdog stands down. */
	if (ctl >= 0)
		dprintf(ctl, "KTSTR_BOOTED\n");

	child = fork();
	if (child == 0)
		exec_payload(&p, out, err);
	status = child < 0 ? 255 : wait_payload(child);

	/* Let the payload's last bytes leave the UARTs before power off. */
	kill(-1, SIGKILL);
	if (out >= 0)
		tcdrain(out);
	if (err >= 0)
		tcdrain(err);
	if (ctl >= 0) {
		dprintf(ctl, "KTSTR_EXIT %d\n", status);
		tcdrain(ctl);
	}
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
