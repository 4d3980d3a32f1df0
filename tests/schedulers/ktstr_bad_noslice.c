// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_noslice: a FIFO whose lone tasks never lose their CPU, see ktstr_bad_noslice.bpf.c.
 */
#include "loader.h"
#include "ktstr_bad_noslice.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_bad_noslice [-t MS] [-v] [-h]\n"
"\n"
"A global FIFO sched_ext scheduler (ops name \"ktstr_bad_noslice\") that\n"
"is broken on purpose: a task that finds the queue empty runs with an\n"
"infinite slice, and nothing ends it when others start waiting.\n"
"\n"
LOADER_OPTS_HELP;

LOADER_MAIN(ktstr_bad_noslice, usage, LOADER_NO_SETUP)
