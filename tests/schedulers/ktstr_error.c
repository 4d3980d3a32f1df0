// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_error: a FIFO that fails with scx_bpf_error() when it enqueues a
 * task with the trigger comm, see ktstr_error.bpf.c.
 */
#include "loader.h"
#include "ktstr_error.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_error [-c COMM] [-t MS] [-v] [-h]\n"
"\n"
"A global FIFO sched_ext scheduler (ops name \"ktstr_error\") that calls\n"
"scx_bpf_error() when it enqueues a task whose comm is COMM, so that the\n"
"kernel kicks it out.\n"
"\n"
"  -c COMM  trigger comm, at most 15 characters (default \"ktstr-trigger\")\n"
LOADER_OPTS_HELP;

static int setup(struct ktstr_error *skel)
{
	if (loader_comm)
		loader_set_comm(skel->data->trigger_comm, loader_comm);
	return 0;
}

LOADER_MAIN_OPTS(ktstr_error, usage, "c:", loader_comm_option, setup)
