// SPDX-License-Identifier: GPL-2.0
/*
 * Where a test runs: inside a ktstr VM or on an ordinary machine, where
 * a test program is a plain kselftest that SKIPs when the machine cannot
 * give it what its declaration asks for.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "ktstr.h"

bool ktstr_in_vm(void)
{
	char cmdline[4096];
	ssize_t n;
	int fd = open("/proc/cmdline", O_RDONLY);

	if (fd < 0)
		return false;
	n = read(fd, cmdline, sizeof(cmdline) - 1);
	close(fd);
	if (n <= 0)
		return false;
	cmdline[n] = '\0';
	return strstr(cmdline, " ktstr.") != NULL;
}

const struct ktstr_test_decl *ktstr_find_test(const char *fixture,
					      const char *test)
{
	const struct ktstr_test_decl *d;

	if (!__start_ktstr_tests)
		return NULL;
	for (d = __start_ktstr_tests; d < __stop_ktstr_tests; d++)
		if (d->magic == KTSTR_DECL_MAGIC &&
		    !strcmp(d->fixture, fixture) && !strcmp(d->test, test))
			return d;
	return NULL;
}

const char *ktstr_unmet_needs(const struct ktstr_test_decl *decl, char *buf,
			      size_t len)
{
	struct ktstr_topo t;

	if (geteuid()) {
		snprintf(buf, len, "needs root (cgroups, sched_ext)");
		return buf;
	}
	if (decl && (decl->flags & KTSTR_NEEDS_SCHED_EXT) &&
	    access("/sys/kernel/sched_ext/state", R_OK)) {
		snprintf(buf, len, "the kernel has no sched_ext");
		return buf;
	}
	if (!decl)
		return NULL;
	if (ktstr_topo_read(&t)) {
		snprintf(buf, len, "cannot read the topology: %s",
			 ktstr_errmsg());
		return buf;
	}
	if (t.nr_cpus < decl->min_cpus)
		snprintf(buf, len, "needs %u CPUs, has %u", decl->min_cpus,
			 t.nr_cpus);
	else if (t.nr_llcs < decl->min_llcs)
		snprintf(buf, len, "needs %u LLCs, has %u", decl->min_llcs,
			 t.nr_llcs);
	else if (t.nr_nodes < decl->min_nodes)
		snprintf(buf, len, "needs %u NUMA nodes, has %u",
			 decl->min_nodes, t.nr_nodes);
	else if (decl->smt == KTSTR_SMT_REQUIRED && t.threads_per_core < 2)
		snprintf(buf, len, "needs SMT");
	else if (decl->smt == KTSTR_SMT_NONE && t.threads_per_core > 1)
		snprintf(buf, len, "needs a machine without SMT");
	else
		return NULL;
	return buf;
}

void ktstr_print_lines(const char *text)
{
	const char *line = text, *end;

	while (*line) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		printf("# %.*s\n", (int)(end - line), line);
		line = *end ? end + 1 : end;
	}
	fflush(stdout);
}

/* A record is at most 1 KiB of text plus its header (printk's limits). */
#define KMSG_RECORD_MAX 8192

int ktstr_kmsg_foreach(void (*fn)(const char *msg, void *arg), void *arg)
{
	char rec[KMSG_RECORD_MAX], *text;
	ssize_t n;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, rec, sizeof(rec) - 1)) != 0) {
		if (n < 0) {
			if (errno == EPIPE)
				continue;	/* overwritten records */
			break;
		}
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text)
			continue;
		text[strcspn(text, "\n")] = '\0';
		fn(text + 1, arg);
	}
	close(fd);
	return 0;
}

struct log_ring {
	char (*lines)[256];
	unsigned int size, count;
};

static void keep_line(const char *msg, void *arg)
{
	struct log_ring *r = arg;

	snprintf(r->lines[r->count++ % r->size], sizeof(r->lines[0]), "%s",
		 msg);
}

/* The last @lines messages of the kernel log. */
void ktstr_print_kernel_log(unsigned int lines)
{
	struct log_ring r = { .size = lines };
	unsigned int i;

	if (!lines)
		return;
	r.lines = calloc(lines, sizeof(*r.lines));
	if (!r.lines)
		return;
	if (ktstr_kmsg_foreach(keep_line, &r) == 0) {
		printf("# kernel log (last %u lines):\n", lines);
		for (i = r.count > lines ? r.count - lines : 0; i < r.count; i++)
			printf("#   %s\n", r.lines[i % lines]);
		fflush(stdout);
	}
	free(r.lines);
}
