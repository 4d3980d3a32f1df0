// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_affinity: per-CPU queues that ignore affinity changes, see ktstr_bad_affinity.bpf.c.
 */
#include "loader.h"
#include "ktstr_bad_affinity.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_bad_affinity [-t MS] [-v] [-h]\n"
"\n"
"A sched_ext scheduler with one queue per CPU (ops name\n"
"\"ktstr_bad_affinity\") that is broken on purpose: a task stays queued\n"
"on its home CPU after its affinity or cpuset stops including it.\n"
"\n"
LOADER_OPTS_HELP;

LOADER_MAIN(ktstr_bad_affinity, usage, LOADER_NO_SETUP)
