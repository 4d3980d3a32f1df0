// SPDX-License-Identifier: GPL-2.0
/*
 * The crash path from a guest's kernel log: the input is the test's
 * output (nested TAP with the kernel log in it), which the guest writes
 * as it likes.  Seeds: exit reports cut from real runs' TAP.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backtrace.h"
#include "repro.h"

/* What kt_decoder_callbacks() gives for a 7.x sched_ext_ops. */
static const char *const callbacks[] = {
	"select_cpu", "enqueue", "dequeue", "dispatch", "tick", "runnable",
	"running", "stopping", "quiescent", "init_task", "exit_task",
	"enable", "disable", "cgroup_init", "cgroup_move", "init", "exit",
	NULL,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kt_backtrace bt;
	char *log = malloc(size + 1);

	if (!log)
		return 0;
	memcpy(log, data, size);
	log[size] = '\0';
	kt_bt_parse(log, callbacks, &bt);
	kt_bt_parse(log, NULL, &bt);
	kt_repro_wanted(log, true);
	free(log);
	return 0;
}
