// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_bad_wakeup: weighted vtime that queues wake-ups on their previous CPU, see ktstr_bad_wakeup.bpf.c.
 */
#include "loader.h"
#include "ktstr_bad_wakeup.bpf.skel.h"

static const char usage[] =
"Usage: ktstr_bad_wakeup [-t MS] [-v] [-h]\n"
"\n"
"A global weighted-vtime sched_ext scheduler (ops name \"ktstr_bad_wakeup\")\n"
"that is broken on purpose: a waking task is queued on the CPU it last\n"
"ran on, even when that CPU is busy and others are idle.\n"
"\n"
LOADER_OPTS_HELP;

LOADER_MAIN(ktstr_bad_wakeup, usage, LOADER_NO_SETUP)
