// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduler lifecycle in the guest: start a declared sched_ext scheduler,
 * wait until the kernel reports it attached, notice when it exits or is
 * kicked out (and why, from the kernel log), stop it and check that
 * sched_ext returns to "disabled".
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../ktstr_sched_env.h"
#include "internal.h"
#include "ktstr.h"

#define SCX_DIR "/sys/kernel/sched_ext"
#define SCHED_DIR "/ktstr/schedulers"
#define DEFAULT_ATTACH_TIMEOUT_S 120
#define STOP_TIMEOUT_S 30
#define MAX_ARGS 32

/* The first line of a small sysfs file. */
static int read_line(const char *path, char *buf, size_t len)
{
	if (ktstr_read_file(path, buf, len) < 0)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static uint64_t read_enable_seq(void)
{
	char buf[64];

	if (read_line(SCX_DIR "/enable_seq", buf, sizeof(buf)))
		return 0;
	return strtoull(buf, NULL, 10);
}

static bool state_is(const char *want)
{
	char buf[64];

	return !read_line(SCX_DIR "/state", buf, sizeof(buf)) &&
	       !strcmp(buf, want);
}

static bool ops_matches(const char *ops_name)
{
	char buf[128];

	if (read_line(SCX_DIR "/root/ops", buf, sizeof(buf)))
		return false;
	return !*ops_name || !strcmp(buf, ops_name);
}

static const struct ktstr_sched_decl *find_decl(const char *name)
{
	const struct ktstr_sched_decl *d;

	if (!__start_ktstr_scheds)
		return NULL;
	for (d = __start_ktstr_scheds; d < __stop_ktstr_scheds; d++)
		if (d->magic == KTSTR_DECL_MAGIC && !strcmp(d->name, name))
			return d;
	return NULL;
}

const char *ktstr_sched_effective_name(const char *declared)
{
	static char name[KTSTR_SCHED_VARIANT_LEN];
	const char *env = getenv(KTSTR_ENV_SCHEDULER);

	if (!declared || !*declared || !strcmp(declared, "eevdf"))
		return "eevdf";
	if (!env || !*env)
		return declared;
	ktstr_sched_variant_name(env, name, sizeof(name));
	return name;
}

static const char *env_or_empty(const char *name)
{
	const char *v = getenv(name);

	return v ? v : "";
}

/*
 * The override from `ktstr run --scheduler PATH -- ARGS`: the host also
 * says which root/ops means attached and what the binary does not claim
 * to do, from a declaration of the same binary or the user's option.
 */
static int override_decl(struct ktstr_sched_decl *d, const char *path)
{
	const char *ignores = env_or_empty(KTSTR_ENV_SCHEDULER_IGNORES);
	char bad[64];
	uint32_t flags;

	if (ktstr_ignores_parse(ignores, &flags, bad, sizeof(bad)))
		return ktstr_fail("%s='%s': '%s' is not a claim to waive (known: %s)",
				  KTSTR_ENV_SCHEDULER_IGNORES, ignores, bad,
				  KTSTR_IGNORES_WORDS);
	memset(d, 0, sizeof(*d));
	d->magic = KTSTR_DECL_MAGIC;
	snprintf(d->name, sizeof(d->name), "%s", ktstr_sched_effective_name("x"));
	snprintf(d->binary, sizeof(d->binary), "%s", path);
	snprintf(d->args, sizeof(d->args), "%s",
		 env_or_empty(KTSTR_ENV_SCHEDULER_ARGS));
	snprintf(d->ops_name, sizeof(d->ops_name), "%s",
		 env_or_empty(KTSTR_ENV_SCHEDULER_OPS));
	d->flags = flags;
	return 0;
}

/* Where the override's ops name and claims came from, for the TAP. */
static void print_override(const struct ktstr_sched_decl *d)
{
	const char *from = env_or_empty(KTSTR_ENV_SCHEDULER_DECL);
	char ignores[64];

	ktstr_ignores_format(d->flags, ignores, sizeof(ignores));
	printf("# scheduler %s: %s%s%s, ops '%s'%s, ignores %s%s%s\n",
	       d->name, d->binary, d->args[0] ? " " : "", d->args,
	       d->ops_name, d->ops_name[0] ? "" : " (any)", ignores,
	       from[0] ? "; ops and claims of the declared scheduler " : "",
	       from);
	fflush(stdout);
}

/*
 * In a ktstr VM schedulers are in /ktstr/schedulers; in a kselftest
 * install they are in schedulers/ beside the test program; else $PATH.
 */
static void resolve_binary(const struct ktstr_sched_decl *d, char *out,
			   size_t len)
{
	char exe[PATH_MAX - 256];
	ssize_t n;

	if (strchr(d->binary, '/')) {
		snprintf(out, len, "%s", d->binary);
		return;
	}
	snprintf(out, len, SCHED_DIR "/%s", d->binary);
	if (!access(out, X_OK))
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		snprintf(out, len, "%s/schedulers/%s", exe, d->binary);
		if (!access(out, X_OK))
			return;
	}
	snprintf(out, len, "%s", d->binary);
}

static void exec_scheduler(const struct ktstr_sched_decl *d, int out)
{
	char args[sizeof(d->args)], binary[PATH_MAX];
	char *argv[MAX_ARGS + 2], *save = NULL, *word;
	int n = 0;

	resolve_binary(d, binary, sizeof(binary));
	snprintf(args, sizeof(args), "%s", d->args);
	argv[n++] = binary;
	for (word = strtok_r(args, " \t", &save); word && n <= MAX_ARGS;
	     word = strtok_r(NULL, " \t", &save))
		argv[n++] = word;
	argv[n] = NULL;
	dup2(out, STDOUT_FILENO);
	dup2(out, STDERR_FILENO);
	setsid();
	execvp(binary, argv);
	dprintf(out, "ktstr: cannot run scheduler %s: %s\n", binary,
		strerror(errno));
	_exit(127);
}

static int spawn(struct ktstr_sched *s)
{
	snprintf(s->output_path, sizeof(s->output_path),
		 "/tmp/ktstr-sched-%s-%d.log", s->name, getpid());
	s->output_fd = open(s->output_path, O_RDWR | O_CREAT | O_TRUNC |
			    O_APPEND | O_CLOEXEC, 0644);
	if (s->output_fd < 0)
		return ktstr_fail("cannot create %s: %s", s->output_path,
				  strerror(errno));
	s->pid = fork();
	if (s->pid < 0)
		return ktstr_fail("fork: %s", strerror(errno));
	if (s->pid == 0)
		exec_scheduler(s->decl, s->output_fd);
	return 0;
}

static bool reap(struct ktstr_sched *s)
{
	int status;

	if (s->pid <= 0)
		return true;
	if (waitpid(s->pid, &status, WNOHANG) != s->pid)
		return false;
	s->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) :
					     128 + WTERMSIG(status);
	s->pid = 0;
	return true;
}

static unsigned int attach_timeout_s(const struct ktstr_sched *s)
{
	return s->decl->attach_timeout_s ?: DEFAULT_ATTACH_TIMEOUT_S;
}

static unsigned int count_disables(const struct ktstr_sched *s);
static void exit_message(const struct ktstr_sched *s, char *buf, size_t len);

static int wait_attached(struct ktstr_sched *s, uint64_t seq_before)
{
	unsigned int timeout = attach_timeout_s(s);
	uint64_t deadline = ktstr_now_ns() + timeout * 1000000000ULL;
	char tail[2048], msg[256];

	while (ktstr_now_ns() < deadline) {
		if (state_is("enabled") && read_enable_seq() > seq_before &&
		    ops_matches(s->decl->ops_name)) {
			s->enable_seq = read_enable_seq();
			read_line(SCX_DIR "/root/ops", s->ops, sizeof(s->ops));
			s->disables_seen = count_disables(s);
			return 0;
		}
		if (reap(s)) {
			exit_message(s, msg, sizeof(msg));
			ktstr_sched_tail(s, 20, tail, sizeof(tail));
			return ktstr_fail("scheduler %s exited with status %d before attaching%s%s%s; its output:\n%s",
					  s->name, s->exit_status,
					  *msg ? " (" : "", msg, *msg ? ")" : "",
					  tail);
		}
		ktstr_sleep_ms(50);
	}
	ktstr_sched_tail(s, 20, tail, sizeof(tail));
	return ktstr_fail("scheduler %s did not attach within %us (state must be 'enabled' with ops '%s'); its output:\n%s",
			  s->name, timeout, s->decl->ops_name, tail);
}

int ktstr_sched_start(struct ktstr_sched *s, const char *name)
{
	static struct ktstr_sched_decl override;
	const char *env = getenv(KTSTR_ENV_SCHEDULER);
	const char *effective = ktstr_sched_effective_name(name);
	uint64_t seq;

	memset(s, 0, sizeof(*s));
	s->output_fd = -1;
	snprintf(s->name, sizeof(s->name), "%s", effective);
	if (!strcmp(effective, "eevdf")) {
		s->exit_kind = KTSTR_SCHED_NONE;
		return 0;
	}
	if (env && *env) {
		if (override_decl(&override, env))
			return -1;
		s->decl = &override;
		print_override(s->decl);
	} else {
		s->decl = find_decl(name);
		if (!s->decl)
			return ktstr_fail("no scheduler '%s' is declared (KTSTR_SCHEDULER)",
					  name);
	}
	if (access(SCX_DIR "/state", R_OK))
		return ktstr_fail("this kernel has no sched_ext (%s/state)",
				  SCX_DIR);
	if (!state_is("disabled"))
		return ktstr_fail("sched_ext is not disabled before %s starts",
				  s->name);
	seq = read_enable_seq();
	if (spawn(s))
		return -1;
	if (wait_attached(s, seq)) {
		ktstr_sched_stop(s);
		return -1;
	}
	s->exit_kind = KTSTR_SCHED_RUNNING;
	ktstr_probe_start();
	return 0;
}

static enum ktstr_sched_exit exit_kind_of(const char *reason)
{
	if (strstr(reason, "runnable task stall"))
		return KTSTR_SCHED_STALL;
	if (strstr(reason, "scx_bpf_error") || strstr(reason, "runtime error"))
		return KTSTR_SCHED_ERROR;
	return KTSTR_SCHED_OTHER;
}

/*
 * SCX_EXIT_UNREG_KERN: the kernel unregistered the scheduler and asked
 * it to restart (SCX_ECODE_ACT_RESTART); in 7.3 only CPU hotplug does.
 * The kernel logs the reason only; the loader prints the message.
 */
#define RESTART_REASON "unregistered from the main kernel"

struct exit_log {
	const char *ops;
	char reason[256];
	char msg[256];
	unsigned int disables;		/* "disabled (...)" lines seen */
	unsigned int restart_at;	/* disables at the last restart request */
};

/*
 * The kernel logs 'sched_ext: BPF scheduler "<ops>" disabled (<reason>)'
 * and, for errors, 'sched_ext: <ops>: <message>'.  Keep the last ones.
 */
static void match_exit(const char *text, void *arg)
{
	struct exit_log *e = arg;
	size_t ops_len = strlen(e->ops);
	const char *p = strstr(text, "sched_ext: BPF scheduler \"");

	if (p)
		p = strstr(p, "disabled (");
	if (p) {
		e->disables++;
		snprintf(e->reason, sizeof(e->reason), "%s", p + 10);
		e->reason[strcspn(e->reason, ")")] = '\0';
		e->msg[0] = '\0';
		if (!strcmp(e->reason, RESTART_REASON))
			e->restart_at = e->disables;
	} else if (ops_len && !strncmp(text, "sched_ext: ", 11) &&
		   !strncmp(text + 11, e->ops, ops_len) &&
		   text[11 + ops_len] == ':') {
		snprintf(e->msg, sizeof(e->msg), "%s", text + 13 + ops_len);
	}
}

static void read_exit_reason(struct ktstr_sched *s)
{
	/* The ops name it attached with: a --scheduler binary declares none. */
	struct exit_log e = { .ops = s->ops };

	if (ktstr_kmsg_foreach(match_exit, &e) || !*e.reason)
		return;
	s->exit_kind = exit_kind_of(e.reason);
	snprintf(s->exit_reason, sizeof(s->exit_reason), "%s%s%s", e.reason,
		 *e.msg ? ": " : "", e.msg);
}

static unsigned int count_disables(const struct ktstr_sched *s)
{
	struct exit_log e = { .ops = s->ops };

	ktstr_kmsg_foreach(match_exit, &e);
	return e.disables;
}

#define RESTART_POLL_MS 50
/* Reading the whole kernel log is slow under TCG: not at every poll. */
#define RESTART_LOG_EVERY 5

/* The message of the scheduler's last "EXIT: reason (message)" line. */
static void exit_message(const struct ktstr_sched *s, char *buf, size_t len)
{
	char tail[4096], *p, *q = NULL;

	ktstr_sched_tail(s, 40, tail, sizeof(tail));
	for (p = tail; (p = strstr(p, "EXIT: ")); p++)
		q = p + 6;
	snprintf(buf, len, "%.*s", q ? (int)strcspn(q, "\n") : 0, q ? q : "");
}

static bool restart_failed(struct ktstr_sched *s, enum ktstr_sched_exit kind,
			   const char *what)
{
	char msg[256];

	exit_message(s, msg, sizeof(msg));
	s->exit_kind = kind;
	snprintf(s->exit_reason, sizeof(s->exit_reason),
		 "the kernel asked it to restart (%s) and %s",
		 *msg ? msg : RESTART_REASON, what);
	return false;
}

/* It attached again after a restart request: count it. */
static bool restarted(struct ktstr_sched *s, const struct exit_log *e,
		      uint64_t t0)
{
	uint64_t ms = (ktstr_now_ns() - t0) / 1000000;

	s->restarts++;
	s->restart_max_ms = ms > s->restart_max_ms ? ms : s->restart_max_ms;
	s->enable_seq = read_enable_seq();
	s->disables_seen = e->disables;
	return true;
}

/*
 * The scheduler left "enabled" while its process may live on: if the
 * kernel asked it to restart, wait for the same process to attach again
 * (state enabled, the same ops, a new enable_seq) within its attach
 * timeout, as long as a first attach may take.  False if it did not:
 * either an exit that is no restart (the caller reports it) or a restart
 * that did not happen (exit_kind and exit_reason say so).
 */
static bool follow_restart(struct ktstr_sched *s)
{
	unsigned int timeout = attach_timeout_s(s), polls;
	struct exit_log e = { .ops = s->ops };
	uint64_t t0 = ktstr_now_ns();
	bool gone, back, asked;
	char what[320];

	for (polls = 0;; polls++) {
		gone = reap(s);
		back = !gone && state_is("enabled") &&
		       read_enable_seq() > s->enable_seq && ops_matches(s->ops);
		if (gone || back || !(polls % RESTART_LOG_EVERY)) {
			memset(&e, 0, sizeof(e));
			e.ops = s->ops;
			ktstr_kmsg_foreach(match_exit, &e);
		}
		asked = e.restart_at > s->disables_seen;
		if (gone && asked) {
			snprintf(what, sizeof(what),
				 "its process exited with status %d before attaching again",
				 s->exit_status);
			return restart_failed(s, KTSTR_SCHED_EXITED, what);
		}
		/* An exit of its own since the restart request: no restart. */
		if (gone || e.disables > (asked ? e.restart_at : s->disables_seen))
			break;
		if (back && asked)
			return restarted(s, &e, t0);
		if (asked && ktstr_now_ns() - t0 > timeout * 1000000000ull) {
			snprintf(what, sizeof(what),
				 "it did not attach again within %u s", timeout);
			return restart_failed(s, KTSTR_SCHED_OTHER, what);
		}
		ktstr_sleep_ms(RESTART_POLL_MS);
	}
	if (!asked)
		return false;
	snprintf(what, sizeof(what), "then exited: %s", e.reason);
	return restart_failed(s, KTSTR_SCHED_OTHER, what);
}

/*
 * The kernel logs why it disabled a scheduler from a worker that may run
 * well after the state changed (hundreds of milliseconds on a loaded
 * emulator): wait for that record, and give the process a moment to
 * print its exit information.
 */
#define EXIT_LOG_WAIT_MS 5000
#define EXIT_LOG_POLL_MS 100

static void wait_exit_logged(const struct ktstr_sched *s)
{
	uint64_t deadline = ktstr_now_ns() + EXIT_LOG_WAIT_MS * 1000000ull;

	ktstr_sleep_ms(EXIT_LOG_POLL_MS);
	while (count_disables(s) <= s->disables_seen &&
	       ktstr_now_ns() < deadline)
		ktstr_sleep_ms(EXIT_LOG_POLL_MS);
}

bool ktstr_sched_alive(struct ktstr_sched *s)
{
	if (s->exit_kind != KTSTR_SCHED_RUNNING)
		return false;
	if (!reap(s) && state_is("enabled") &&
	    read_enable_seq() == s->enable_seq)
		return true;
	if (follow_restart(s))
		return true;
	if (s->exit_kind != KTSTR_SCHED_RUNNING)
		return false;
	wait_exit_logged(s);
	s->exit_kind = KTSTR_SCHED_EXITED;
	read_exit_reason(s);
	if (!*s->exit_reason)
		snprintf(s->exit_reason, sizeof(s->exit_reason),
			 "process exited with status %d, sched_ext state no longer enabled",
			 s->exit_status);
	return false;
}

bool ktstr_sched_follow(struct ktstr_sched *s, unsigned int settle_ms)
{
	uint64_t deadline = ktstr_now_ns() + settle_ms * 1000000ull;
	unsigned int restarts = s->restarts;

	if (!s->decl)
		return true;
	do {
		if (!ktstr_sched_alive(s))
			return false;
		if (s->restarts != restarts)
			return true;
		ktstr_sleep_ms(RESTART_POLL_MS);
	} while (ktstr_now_ns() < deadline);
	return true;
}

int ktstr_sched_stop(struct ktstr_sched *s)
{
	uint64_t deadline = ktstr_now_ns() + STOP_TIMEOUT_S * 1000000000ULL;

	if (!s->decl)
		return 0;
	ktstr_probe_stop();
	if (s->pid > 0) {
		kill(s->pid, SIGINT);
		while (!reap(s) && ktstr_now_ns() < deadline)
			ktstr_sleep_ms(50);
		if (s->pid > 0) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, NULL, 0);
			s->pid = 0;
		}
	}
	if (s->exit_kind == KTSTR_SCHED_RUNNING)
		s->exit_kind = KTSTR_SCHED_STOPPED;
	while (!state_is("disabled") && ktstr_now_ns() < deadline)
		ktstr_sleep_ms(50);
	if (!state_is("disabled"))
		return ktstr_fail("sched_ext did not return to 'disabled' within %ds after stopping %s",
				  STOP_TIMEOUT_S, s->name);
	return 0;
}

void ktstr_sched_tail(const struct ktstr_sched *s, unsigned int lines,
		      char *buf, size_t len)
{
	char *data;
	off_t size, start;
	ssize_t n;
	unsigned int seen = 0;

	buf[0] = '\0';
	if (s->output_fd < 0 || len < 2)
		return;
	size = lseek(s->output_fd, 0, SEEK_END);
	start = size > (off_t)len - 1 ? size - (off_t)(len - 1) : 0;
	data = malloc(len);
	if (!data)
		return;
	n = pread(s->output_fd, data, len - 1, start);
	if (n <= 0) {
		free(data);
		return;
	}
	data[n] = '\0';
	for (start = n - 1; start > 0; start--)
		if (data[start - 1] == '\n' && ++seen > lines)
			break;
	snprintf(buf, len, "%s", data + start);
	free(data);
}

const char *ktstr_sched_exit_name(enum ktstr_sched_exit kind)
{
	static const char * const names[] = {
		[KTSTR_SCHED_RUNNING] = "running",
		[KTSTR_SCHED_NONE] = "none",
		[KTSTR_SCHED_STOPPED] = "stopped",
		[KTSTR_SCHED_ERROR] = "error",
		[KTSTR_SCHED_STALL] = "stall",
		[KTSTR_SCHED_EXITED] = "exited",
		[KTSTR_SCHED_OTHER] = "other",
	};

	return kind <= KTSTR_SCHED_OTHER ? names[kind] : "unknown";
}
