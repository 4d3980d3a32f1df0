// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "qmp.h"

/* How often to look again at a socket that is not there yet. */
#define CONNECT_RETRY_MS 10
#define MIGRATE_POLL_MS 5

struct kt_qmp {
	int fd;
	/* Tells our replies from late ones to commands that timed out. */
	json_int_t last_id;
	char *buf;		/* received, not yet parsed */
	size_t len, cap;
	/* The rest of a refused oversized message is still to come. */
	bool skip_line;
	struct kt_qmp_cancel cancel;	/* fd -1: none */
};

/* An exchange's deadline, and its name for errors ("QMP <command>"). */
struct bound {
	char what[sizeof(((struct sockaddr_un *)0)->sun_path) + 32];
	int timeout_ms;
	int64_t deadline;
};

/* The cancel fd spoke: true if it was a stop, not only noise. */
static bool cancelled(const struct kt_qmp_cancel *c)
{
	return c->fd >= 0 && c->stop(c->arg);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int left_ms(int64_t deadline)
{
	int64_t left = deadline - now_ms();

	return left > 0 ? left : 0;
}

static void wait_init(struct bound *w, const char *what, int timeout_ms)
{
	snprintf(w->what, sizeof(w->what), "QMP %s", what);
	w->timeout_ms = timeout_ms;
	w->deadline = now_ms() + timeout_ms;
}

/*
 * Waits @ms, or less if the cancel fd speaks.  -1 if the wait was
 * cancelled.
 */
static int nap(const struct kt_qmp_cancel *c, int ms, const char *what)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

	if (poll(&pfd, c->fd >= 0, ms) > 0 && cancelled(c))
		return kt_fail("%s: interrupted", what);
	return 0;
}

/* 0 when q->fd is ready for @events, -1 on timeout or cancellation. */
static int wait_fd(const struct kt_qmp *q, short events,
		   const struct bound *w)
{
	struct pollfd pfd[2] = {
		{ .fd = q->fd, .events = events },
		{ .fd = q->cancel.fd, .events = POLLIN },
	};
	int r;

	for (;;) {
		r = poll(pfd, q->cancel.fd >= 0 ? 2 : 1, left_ms(w->deadline));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return kt_fail_errno("%s: poll", w->what);
		if (!r)
			return kt_fail("%s: no reply within %d ms", w->what,
				       w->timeout_ms);
		if ((pfd[1].revents & POLLIN) && cancelled(&q->cancel))
			return kt_fail("%s: interrupted", w->what);
		if (pfd[0].revents)
			return 0;
	}
}

static int send_all(struct kt_qmp *q, const char *s, size_t len,
		    const struct bound *w)
{
	ssize_t n;

	while (len) {
		/* Not SIGPIPE when QEMU has gone: that is an error to report. */
		n = send(q->fd, s, len, MSG_NOSIGNAL);
		if (n >= 0) {
			s += n;
			len -= n;
		} else if (errno == EPIPE || errno == ECONNRESET) {
			return kt_fail("%s: QEMU closed the connection",
				       w->what);
		} else if (errno == EAGAIN) {
			if (wait_fd(q, POLLOUT, w))
				return -1;
		} else if (errno != EINTR) {
			return kt_fail_errno("%s: send", w->what);
		}
	}
	return 0;
}

/* Reads what has arrived, waiting for it until the deadline. */
static int fill(struct kt_qmp *q, const struct bound *w)
{
	size_t cap;
	char *buf;
	ssize_t n;

	if (q->len == q->cap) {
		cap = q->cap ? q->cap * 2 : 4096;
		/* Room for the longest message and its newline. */
		if (cap > KT_QMP_MSG_MAX + 1)
			cap = KT_QMP_MSG_MAX + 1;
		buf = realloc(q->buf, cap);
		if (!buf)
			return kt_fail("%s: out of memory", w->what);
		q->buf = buf;
		q->cap = cap;
	}
	if (wait_fd(q, POLLIN, w))
		return -1;
	n = read(q->fd, q->buf + q->len, q->cap - q->len);
	if (!n || (n < 0 && errno == ECONNRESET))
		return kt_fail("%s: QEMU closed the connection", w->what);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 :
			kt_fail_errno("%s: read", w->what);
	q->len += n;
	return 0;
}

static void consume(struct kt_qmp *q, size_t n)
{
	memmove(q->buf, q->buf + n, q->len - n);
	q->len -= n;
}

/*
 * The next message.  QEMU ends each with a newline and escapes newlines
 * within strings, so a line is a message.
 */
static json_t *next_message(struct kt_qmp *q, const struct bound *w)
{
	json_error_t err;
	json_t *msg;
	char *nl;

	for (;;) {
		nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
		if (nl && q->skip_line) {
			consume(q, nl + 1 - q->buf);
			q->skip_line = false;
			continue;
		}
		if (nl)
			break;
		if (q->len > KT_QMP_MSG_MAX || (q->skip_line && q->len)) {
			/* Drop it as it comes so that later replies are read. */
			q->len = 0;
			if (!q->skip_line) {
				q->skip_line = true;
				kt_fail("%s: message longer than %d bytes",
					w->what, KT_QMP_MSG_MAX);
				return NULL;
			}
		}
		if (fill(q, w))
			return NULL;
	}
	msg = json_loadb(q->buf, nl - q->buf, 0, &err);
	consume(q, nl + 1 - q->buf);
	if (!json_is_object(msg)) {
		if (msg)
			kt_fail("%s: message is not a JSON object", w->what);
		else
			kt_fail("%s: malformed message: %s", w->what,
				err.text);
		json_decref(msg);
		return NULL;
	}
	return msg;
}

static int execute(struct kt_qmp *q, const char *cmd, json_t *args,
		   json_t **ret, const struct bound *w)
{
	json_t *msg, *reply, *id, *val;
	const char *desc;
	char *text;
	int err;

	msg = json_pack("{s:s, s:I}", "execute", cmd, "id", ++q->last_id);
	if (msg && args && json_object_set(msg, "arguments", args)) {
		json_decref(msg);
		msg = NULL;
	}
	json_decref(args);
	text = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
	json_decref(msg);
	if (!text)
		return kt_fail("%s: cannot encode the command", w->what);
	err = send_all(q, text, strlen(text), w) || send_all(q, "\n", 1, w);
	free(text);
	if (err)
		return -1;

	for (;;) {
		reply = next_message(q, w);
		if (!reply)
			return -1;
		/* Anything else is an event or a reply we gave up on. */
		id = json_object_get(reply, "id");
		if (json_is_integer(id) && json_integer_value(id) == q->last_id)
			break;
		json_decref(reply);
	}
	val = json_object_get(reply, "return");
	if (val) {
		if (ret)
			*ret = json_incref(val);
		json_decref(reply);
		return 0;
	}
	desc = json_string_value(json_object_get(json_object_get(reply,
								 "error"),
						 "desc"));
	if (desc)
		kt_fail("%s: %s", w->what, desc);
	else
		kt_fail("%s: reply with neither a return value nor an error",
			w->what);
	json_decref(reply);
	return -1;
}

int kt_qmp_execute(struct kt_qmp *q, const char *cmd, json_t *args,
		   json_t **ret, int timeout_ms)
{
	struct bound w;

	wait_init(&w, cmd ? cmd : "(null)", timeout_ms);
	return execute(q, cmd, args, ret, &w);
}

/*
 * Without reaping a child of the caller, which it waits for itself: a
 * process that has exited but is not reaped yet still takes kill(pid, 0).
 */
static bool exited(pid_t pid)
{
	siginfo_t si = { 0 };

	if (!waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT))
		return si.si_pid == pid;
	return errno == ECHILD && kill(pid, 0) && errno == ESRCH;
}

/* QEMU creates the socket some time after it starts: try until then. */
static int connect_retrying(const char *path, pid_t pid, int timeout_ms,
			    const struct kt_qmp_cancel *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int64_t deadline = now_ms() + timeout_ms;
	size_t len = strlen(path);
	int fd, err, left;

	if (len >= sizeof(sa.sun_path))
		return kt_fail("QMP socket %s: path too long", path);
	memcpy(sa.sun_path, path, len + 1);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    0);
		if (fd < 0)
			return kt_fail_errno("QMP socket %s: socket", path);
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		err = errno;
		close(fd);
		errno = err;
		/* Not there yet, not listening yet, or its backlog is full. */
		if (err != ENOENT && err != ECONNREFUSED && err != EAGAIN)
			return kt_fail_errno("QMP socket %s: connect", path);
		if (pid > 0 && exited(pid))
			return kt_fail("QMP socket %s: QEMU (pid %d) exited before accepting a connection",
				       path, (int)pid);
		left = left_ms(deadline);
		if (!left)
			return kt_fail_errno("QMP socket %s: no connection within %d ms",
					     path, timeout_ms);
		if (nap(c, left < CONNECT_RETRY_MS ? left : CONNECT_RETRY_MS,
			"QMP connect"))
			return -1;
	}
}

struct kt_qmp *kt_qmp_connect(const char *path, pid_t pid, int timeout_ms,
			      const struct kt_qmp_cancel *cancel)
{
	struct kt_qmp *q;
	json_t *greeting;
	struct bound w;

	q = calloc(1, sizeof(*q));
	if (!q) {
		kt_fail("QMP socket %s: out of memory", path);
		return NULL;
	}
	q->cancel.fd = -1;
	if (cancel)
		q->cancel = *cancel;
	wait_init(&w, path, timeout_ms);
	q->fd = connect_retrying(path, pid, timeout_ms, &q->cancel);
	if (q->fd < 0)
		goto fail;
	greeting = next_message(q, &w);
	if (!greeting)
		goto fail;
	if (!json_object_get(greeting, "QMP")) {
		json_decref(greeting);
		kt_fail("QMP socket %s: not a QMP greeting", path);
		goto fail;
	}
	json_decref(greeting);
	/* Until then QEMU takes no other command. */
	if (execute(q, "qmp_capabilities", NULL, NULL, &w))
		goto fail;
	return q;
fail:
	kt_qmp_close(q);
	return NULL;
}

void kt_qmp_close(struct kt_qmp *q)
{
	if (!q)
		return;
	if (q->fd >= 0)
		close(q->fd);
	free(q->buf);
	free(q);
}

/*
 * The VM's RAM is a memory-backend-file with share=on that the caller
 * keeps and copies, so the state file need not hold it: it stays small
 * and is written in milliseconds.  Both ends must agree on it.
 */
static int ignore_shared_ram(struct kt_qmp *q, int64_t deadline)
{
	return kt_qmp_execute(q, "migrate-set-capabilities",
			      json_pack("{s:[{s:s, s:b}]}", "capabilities",
					"capability", "x-ignore-shared",
					"state", 1),
			      NULL, left_ms(deadline));
}

/*
 * A file channel rather than a file: URI, in which QEMU would take a
 * ",offset=" in the path for an option.
 */
static json_t *file_channels(const char *path)
{
	return json_pack("[{s:s, s:{s:s, s:s, s:i}}]", "channel-type", "main",
			 "addr", "transport", "file", "filename", path,
			 "offset", 0);
}

/* Migration runs in the background; @what and @path name it in errors. */
static int wait_migration(struct kt_qmp *q, const char *what,
			  const char *path, int64_t deadline, int timeout_ms)
{
	const char *status, *desc;
	json_t *info;
	int left;

	for (;;) {
		if (kt_qmp_execute(q, "query-migrate", NULL, &info,
				   left_ms(deadline)))
			return -1;
		/* No status yet is "none": not started. */
		status = "none";
		desc = NULL;
		json_unpack(info, "{s?s, s?s}", "status", &status,
			    "error-desc", &desc);
		if (!strcmp(status, "completed")) {
			json_decref(info);
			return 0;
		}
		if (!strcmp(status, "failed") || !strcmp(status, "cancelled")) {
			kt_fail("QMP %s %s: %s", what, path,
				desc ? desc : status);
			json_decref(info);
			return -1;
		}
		left = left_ms(deadline);
		if (!left) {
			kt_fail("QMP %s %s: still %s after %d ms", what, path,
				status, timeout_ms);
			json_decref(info);
			return -1;
		}
		json_decref(info);
		if (nap(&q->cancel, left < MIGRATE_POLL_MS ? left : MIGRATE_POLL_MS,
			what))
			return -1;
	}
}

int kt_qmp_save_state(struct kt_qmp *q, const char *state_path,
		      int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	/* Stopped first, the state is one instant's, written in one pass. */
	if (kt_qmp_execute(q, "stop", NULL, NULL, timeout_ms) ||
	    ignore_shared_ram(q, deadline) ||
	    kt_qmp_execute(q, "migrate",
			   json_pack("{s:o}", "channels",
				     file_channels(state_path)),
			   NULL, left_ms(deadline)))
		return -1;
	return wait_migration(q, "migrate to", state_path, deadline,
			      timeout_ms);
}

int kt_qmp_load_state(struct kt_qmp *q, const char *state_path,
		      int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	/*
	 * QEMU would exit on a bad state file, leaving the caller only an
	 * EOF; staying, it says why in query-migrate's error-desc.
	 */
	if (ignore_shared_ram(q, deadline) ||
	    kt_qmp_execute(q, "migrate-incoming",
			   json_pack("{s:o, s:b}", "channels",
				     file_channels(state_path),
				     "exit-on-error", 0),
			   NULL, left_ms(deadline)))
		return -1;
	return wait_migration(q, "migrate-incoming from", state_path,
			      deadline, timeout_ms);
}

int kt_qmp_cont(struct kt_qmp *q, int timeout_ms)
{
	return kt_qmp_execute(q, "cont", NULL, NULL, timeout_ms);
}
