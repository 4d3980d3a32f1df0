// SPDX-License-Identifier: GPL-2.0
/* ./ktstr snapshot: what the snapshot cache holds, and emptying it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "error.h"
#include "snapshot.h"

static const char usage_text[] =
"usage: ktstr snapshot <subcommand>\n"
"\n"
"  list     saved guests, least recently used first: key, size on disk,\n"
"           last use, topology and kernel\n"
"  clear    remove every saved guest (the next VM of each kind boots cold)\n"
"\n"
"The cache lives in $KTSTR_SNAPSHOT_DIR, else snapshots/ in ktstr's cache,\n"
"and keeps at most $KTSTR_SNAPSHOT_CACHE_MIB MiB (default 4096).\n"
"\n"
"exit status: 0 on success, 1 on an error, 2 on bad arguments.\n";

#define usage_error(...) kt_usage_exit("snapshot", usage_text, __VA_ARGS__)

/* The value of "@key " in an entry's info text, or "?". */
static void info_field(const char *info, const char *key, char *out,
		       size_t len)
{
	size_t klen = strlen(key);
	const char *p;

	for (p = info; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, key, klen) && p[klen] == ' ') {
			snprintf(out, len, "%.*s", (int)strcspn(p + klen + 1, "\n"),
				 p + klen + 1);
			return;
		}
	}
	snprintf(out, len, "?");
}

static int snapshot_list(void)
{
	char info[4096], topo[128], kernel[PATH_MAX], used[32];
	unsigned long long total = 0;
	struct kt_snapshot_entry *e;
	size_t n, i;

	if (kt_snapshot_list(&e, &n)) {
		fprintf(stderr, "ktstr: %s\n", kt_errmsg());
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (kt_snapshot_info(&e[i], info, sizeof(info)))
			info[0] = '\0';
		info_field(info, "topology", topo, sizeof(topo));
		info_field(info, "kernel", kernel, sizeof(kernel));
		strftime(used, sizeof(used), "%Y-%m-%d %H:%M",
			 localtime(&e[i].used));
		printf("%.12s  %5lluM  %s  %-16s %s\n", e[i].name,
		       e[i].bytes >> 20, used, topo, kernel);
		total += e[i].bytes;
	}
	printf("%zu saved guest%s, %lluM of at most %lluM\n", n,
	       n == 1 ? "" : "s", total >> 20, kt_snapshot_cache_bound() >> 20);
	free(e);
	return 0;
}

int cmd_snapshot(int argc, char **argv)
{
	int n;

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "help"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "list"))
		return snapshot_list();
	if (argc == 2 && !strcmp(argv[1], "clear")) {
		n = kt_snapshot_clear();
		if (n < 0) {
			fprintf(stderr, "ktstr: %s\n", kt_errmsg());
			return 1;
		}
		printf("removed %d saved guest%s\n", n, n == 1 ? "" : "s");
		return 0;
	}
	if (argc < 2)
		return usage_error("missing subcommand");
	return usage_error("unknown subcommand or arguments: '%s'", argv[1]);
}
