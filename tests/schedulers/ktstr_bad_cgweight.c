// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_cgweight: weighted vtime with cgroup weights inverted, see
 * ktstr_bad_cgweight.bpf.c.
 */
#include "loader.h"
#include "ktstr_bad_cgweight.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_bad_cgweight [-t MS] [-v] [-h]\n"
"\n"
"A global weighted-vtime sched_ext scheduler with cgroup weights (ops name\n"
"\"ktstr_bad_cgweight\") that is broken on purpose: it applies cpu.weight\n"
"the wrong way round, so a heavier cgroup gets less CPU.\n"
"\n"
LOADER_OPTS_HELP;

LOADER_MAIN(ktstr_bad_cgweight, usage, LOADER_NO_SETUP)
