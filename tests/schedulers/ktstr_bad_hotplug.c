// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_hotplug: per-CPU queues that keep feeding offline CPUs, see ktstr_bad_hotplug.bpf.c.
 */
#include "loader.h"
#include "ktstr_bad_hotplug.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_bad_hotplug [-t MS] [-v] [-h]\n"
"\n"
"A sched_ext scheduler with one queue per CPU (ops name\n"
"\"ktstr_bad_hotplug\") that is broken on purpose: it handles CPU hotplug\n"
"without restarting, but keeps queueing tasks for CPUs that went offline.\n"
"\n"
LOADER_OPTS_HELP;

LOADER_MAIN(ktstr_bad_hotplug, usage, LOADER_NO_SETUP)
