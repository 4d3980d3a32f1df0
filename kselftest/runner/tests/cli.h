/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running ./ktstr as a user would, from the integration tests: its exit
 * status, its stdout and stderr, and whether its TAP parses.
 */
#ifndef KTSTR_RUNNER_TESTS_CLI_H
#define KTSTR_RUNNER_TESTS_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compiler.h"

#define CLI_OUT_MAX (1 << 20)

#ifdef __TH_LOG
/*
 * These tests log whole outputs of ktstr, nested TAP included.  The
 * harness puts "# " before the first line of a log only, so a nested
 * "not ok" would read as a result of ours: every line gets it.
 */
static inline __printf(4, 5) void cli_th_log(const char *file, int line,
					     const char *test,
					     const char *fmt, ...)
{
	char *text = NULL;
	const char *p, *last = "";
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	fprintf(TH_LOG_STREAM, "# %s:%d:%s:", file, line, test);
	for (p = text ? text : "(no memory for the log)"; *p; last = p++) {
		fputc(*p, TH_LOG_STREAM);
		if (*p == '\n' && p[1])
			fputs("# ", TH_LOG_STREAM);
	}
	if (*last != '\n')
		fputc('\n', TH_LOG_STREAM);
	free(text);
}
#undef __TH_LOG
#define __TH_LOG(fmt, ...) \
	cli_th_log(__FILE__, __LINE__, _metadata->name, fmt, ##__VA_ARGS__)
#endif

struct cli {
	char out[CLI_OUT_MAX];
	char err[CLI_OUT_MAX];
};

static inline void cli_slurp(const char *path, char *buf)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, CLI_OUT_MAX - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
}

/*
 * Runs the shell command made of @fmt (e.g. "./ktstr compare %s %s") with
 * stdout and stderr kept in @c; returns its exit status, or -1.
 */
static inline __printf(2, 3) int cli_run(struct cli *c, const char *fmt, ...)
{
	char cmd[4096], o[] = "/tmp/ktstr-cli-out-XXXXXX",
	     e[] = "/tmp/ktstr-cli-err-XXXXXX";
	int fo = mkstemp(o), fe = mkstemp(e), status, n;
	va_list ap;

	if (fo < 0 || fe < 0)
		return -1;
	close(fo);
	close(fe);
	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(cmd + n, sizeof(cmd) - n, " >%s 2>%s", o, e);
	status = system(cmd);
	cli_slurp(o, c->out);
	cli_slurp(e, c->err);
	unlink(o);
	unlink(e);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* python3-tap: no parse errors, one plan, as many results as it says. */
static inline bool cli_tap_file_is_valid(const char *path)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c 'import sys\n"
		 "from tap.parser import Parser\n"
		 "lines = list(Parser().parse_file(sys.argv[1]))\n"
		 "plans = [l for l in lines if l.category == \"plan\"]\n"
		 "tests = [l for l in lines if l.category == \"test\"]\n"
		 "bad = [l for l in lines if l.category == \"unknown\" and l.text.strip()]\n"
		 "ok = len(plans) == 1 and plans[0].expected_tests == len(tests) and not bad\n"
		 "sys.exit(0 if ok else 1)' %s >/dev/null 2>&1", path);
	return system(cmd) == 0;
}

/* The same for TAP held in memory. */
static inline bool cli_tap_is_valid(const char *text)
{
	char path[] = "/tmp/ktstr-cli-tap-XXXXXX";
	int fd = mkstemp(path), ret;
	size_t len = strlen(text);

	if (fd < 0)
		return false;
	ret = write(fd, text, len) == (ssize_t)len;
	close(fd);
	ret = ret && cli_tap_file_is_valid(path);
	unlink(path);
	return ret;
}

#endif
