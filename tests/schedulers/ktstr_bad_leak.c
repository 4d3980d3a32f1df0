// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_leak: weighted vtime that leaks a map entry per task, see ktstr_bad_leak.bpf.c.
 */
#include "loader.h"
#include "ktstr_bad_leak.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_bad_leak [-t MS] [-v] [-h]\n"
"\n"
"A global weighted-vtime sched_ext scheduler (ops name \"ktstr_bad_leak\")\n"
"that is broken on purpose: it never frees the context of a task that\n"
"exited, and fails the fork after 4096 tasks.\n"
"\n"
LOADER_OPTS_HELP;

LOADER_MAIN(ktstr_bad_leak, usage, LOADER_NO_SETUP)
