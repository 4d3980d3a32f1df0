/* SPDX-License-Identifier: GPL-2.0 */
/* What the repro unit tests read: recorded fixtures and the default kernel. */
#ifndef KTSTR_REPRO_TESTS_FIXTURES_H
#define KTSTR_REPRO_TESTS_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>

#include "cache.h"
#include "kernel.h"

/* build/tests/<test> -> the source tree's repro/tests/fixtures/@name. */
static inline char *read_fixture(const char *name)
{
	char root[4096], path[4200];
	long len;
	char *buf;
	FILE *f;

	if (kt_root_dir(root, sizeof(root)))
		return NULL;
	snprintf(path, sizeof(path), "%s/../../repro/tests/fixtures/%s", root,
		 name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, len + 1);
	if (buf && fread(buf, 1, len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* The default kernel's vmlinux, as every ktstr command resolves it. */
static inline int default_vmlinux(char *buf, size_t len)
{
	struct kt_kernel k;

	if (kt_kernel_resolve(NULL, &k) || !k.vmlinux[0])
		return -1;
	snprintf(buf, len, "%s", k.vmlinux);
	return 0;
}

#endif
