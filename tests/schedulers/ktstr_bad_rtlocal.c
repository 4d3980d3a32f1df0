// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_rtlocal: tasks queued on local DSQs of CPUs taken by RT tasks, see ktstr_bad_rtlocal.bpf.c.
 */
#include "loader.h"
#include "ktstr_bad_rtlocal.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_bad_rtlocal [-t MS] [-v] [-h]\n"
"\n"
"A sched_ext scheduler that puts each task straight into a CPU's local\n"
"DSQ (ops name \"ktstr_bad_rtlocal\"), broken on purpose: tasks stay queued\n"
"on a CPU that a real-time task has taken.\n"
"\n"
LOADER_OPTS_HELP;

LOADER_MAIN(ktstr_bad_rtlocal, usage, LOADER_NO_SETUP)
