// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_fifo: one global FIFO, see ktstr_fifo.bpf.h.
 */
#include "loader.h"
#include "ktstr_fifo.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_fifo [-t MS] [-v] [-h]\n"
"\n"
"A global FIFO sched_ext scheduler (ops name \"ktstr_fifo\").\n"
"\n"
LOADER_OPTS_HELP;

LOADER_MAIN(ktstr_fifo, usage, LOADER_NO_SETUP)
