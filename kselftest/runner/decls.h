/* SPDX-License-Identifier: GPL-2.0 */
/* Reading test declarations out of a test program, before anything boots. */
#ifndef KTSTR_RUNNER_DECLS_H
#define KTSTR_RUNNER_DECLS_H

#include <stddef.h>

#include "../ktstr_decl.h"

struct kt_decls {
	struct ktstr_test_decl *tests;
	size_t nr_tests;
	struct ktstr_variant_decl *variants;
	size_t nr_variants;
	struct ktstr_sched_decl *scheds;
	size_t nr_scheds;
	struct ktstr_profile_decl *profiles;
	size_t nr_profiles;
};

/* Reads the ktstr sections of the ELF file @path with libelf. */
int kt_decls_read(const char *path, struct kt_decls *d);
void kt_decls_free(struct kt_decls *d);
const struct ktstr_sched_decl *kt_decls_sched(const struct kt_decls *d,
					      const char *name);
/*
 * The declared scheduler whose binary has the file name @file_name (a
 * declaration's binary may be a path), the one also named @file_name if
 * several are: what `--scheduler DIR/NAME` takes its ops name and claims
 * from.
 */
const struct ktstr_sched_decl *
kt_decls_sched_by_binary(const struct kt_decls *d, const char *file_name);

#endif
