// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_pidq: a global FIFO in a BPF queue map, see ktstr_pidq.bpf.c.
 */
#include "loader.h"
#include "ktstr_pidq.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_pidq [-t MS] [-v] [-h]\n"
"\n"
"A global FIFO sched_ext scheduler whose queue is a BPF queue map of\n"
"pids (ops name \"ktstr_pidq\").\n"
"\n"
LOADER_OPTS_HELP;

LOADER_MAIN(ktstr_pidq, usage, LOADER_NO_SETUP)
