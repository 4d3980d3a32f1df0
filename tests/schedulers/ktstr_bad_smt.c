// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_smt: weighted vtime that takes CPU n ^ 1 for the SMT sibling of n, see ktstr_bad_smt.bpf.c.
 */
#include "loader.h"
#include "ktstr_bad_smt.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_bad_smt [-t MS] [-v] [-h]\n"
"\n"
"A global weighted-vtime sched_ext scheduler (ops name \"ktstr_bad_smt\")\n"
"that is broken on purpose: it takes CPU n ^ 1 for the SMT sibling of\n"
"CPU n, and fails on machines with an odd number of CPUs.\n"
"\n"
LOADER_OPTS_HELP;

LOADER_MAIN(ktstr_bad_smt, usage, LOADER_NO_SETUP)
