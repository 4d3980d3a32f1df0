// SPDX-License-Identifier: GPL-2.0
/*
 * Test declarations read out of a test program's ELF sections (ktstr
 * run, ktstr gauntlet, any program a user names) and looked up the way
 * the plan does.  Seeds: the ktstr sections of built test programs.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "decls.h"
#include "fuzz/memfile.h"

/* Every name the plan prints, as it prints them. */
static void use(const struct kt_decls *d)
{
	static char buf[1024];
	size_t i;

	for (i = 0; i < d->nr_tests; i++)
		snprintf(buf, sizeof(buf), "%s.%s %s", d->tests[i].fixture,
			 d->tests[i].test, d->tests[i].topology);
	for (i = 0; i < d->nr_variants; i++)
		snprintf(buf, sizeof(buf), "%s.%s %s", d->variants[i].fixture,
			 d->variants[i].variant, d->variants[i].scheduler);
	for (i = 0; i < d->nr_scheds; i++)
		snprintf(buf, sizeof(buf), "%s %s %s %s", d->scheds[i].name,
			 d->scheds[i].binary, d->scheds[i].args,
			 d->scheds[i].ops_name);
	for (i = 0; i < d->nr_profiles; i++)
		snprintf(buf, sizeof(buf), "%s %s %s", d->profiles[i].scheduler,
			 d->profiles[i].name, d->profiles[i].args);
	kt_decls_sched(d, "scx_simple");
	kt_decls_sched_by_binary(d, "scx_simple");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_decls d;
	char path[64];
	int fd = fuzz_memfile(data, size, path, sizeof(path));

	if (fd < 0)
		return 0;
	if (!kt_decls_read(path, &d)) {
		use(&d);
		kt_decls_free(&d);
	}
	close(fd);
	return 0;
}
