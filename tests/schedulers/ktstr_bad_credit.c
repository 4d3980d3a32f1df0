// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_credit: weighted vtime with unbounded sleeper credit, see
 * ktstr_bad_credit.bpf.c.
 */
#include "loader.h"
#include "ktstr_bad_credit.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_bad_credit [-t MS] [-v] [-h]\n"
"\n"
"A global weighted-vtime sched_ext scheduler (ops name \"ktstr_bad_credit\")\n"
"that is broken on purpose: a task that slept keeps all the vtime credit\n"
"it built up, so after a long sleep it runs alone until it catches up.\n"
"\n"
LOADER_OPTS_HELP;

LOADER_MAIN(ktstr_bad_credit, usage, LOADER_NO_SETUP)
