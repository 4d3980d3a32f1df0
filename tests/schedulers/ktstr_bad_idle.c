// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_idle: weighted vtime that never wakes an idle CPU, see ktstr_bad_idle.bpf.c.
 */
#include "loader.h"
#include "ktstr_bad_idle.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_bad_idle [-t MS] [-v] [-h]\n"
"\n"
"A global weighted-vtime sched_ext scheduler (ops name \"ktstr_bad_idle\")\n"
"that is broken on purpose: it never wakes an idle CPU, so idle CPUs\n"
"stay idle while tasks wait in the shared queue.\n"
"\n"
LOADER_OPTS_HELP;

LOADER_MAIN(ktstr_bad_idle, usage, LOADER_NO_SETUP)
