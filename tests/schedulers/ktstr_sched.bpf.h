/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the ktstr in-tree schedulers share on the BPF side.
 */
#ifndef KTSTR_SCHED_BPF_H
#define KTSTR_SCHED_BPF_H

#include <scx/common.bpf.h>

/* The shared FIFO of ktstr_fifo, ktstr_error and ktstr_stall. */
#define FIFO_DSQ	0

/* Does @p's comm equal @name, a TASK_COMM_LEN array? */
static __always_inline bool comm_is(const struct task_struct *p,
				    const char *name)
{
	int i;

	for (i = 0; i < TASK_COMM_LEN; i++) {
		if (p->comm[i] != name[i])
			return false;
		if (!name[i])
			return true;
	}
	return true;
}

#endif
