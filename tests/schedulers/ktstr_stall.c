// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_stall: a FIFO that never runs tasks with the starve comm, so the
 * sched_ext watchdog kicks it out, see ktstr_stall.bpf.c.
 */
#include "loader.h"
#include "ktstr_stall.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_stall [-c COMM] [-t MS] [-v] [-h]\n"
"\n"
"A global FIFO sched_ext scheduler (ops name \"ktstr_stall\") that never\n"
"runs tasks whose comm is COMM, so that the sched_ext watchdog kicks it\n"
"out with a runnable task stall.\n"
"\n"
"  -c COMM  starve comm, at most 15 characters (default \"ktstr-starve\")\n"
LOADER_OPTS_HELP;

static int setup(struct ktstr_stall *skel)
{
	if (loader_comm)
		loader_set_comm(skel->data->starve_comm, loader_comm);
	return 0;
}

LOADER_MAIN_OPTS(ktstr_stall, usage, "c:", loader_comm_option, setup)
