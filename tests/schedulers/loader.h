/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the loaders of the ktstr in-tree schedulers share: option helpers,
 * signals, and LOADER_RUN(), which loads an opened skeleton, attaches it,
 * waits and reports how the scheduler ended.
 *
 * Every scheduler <name> follows one convention: skeleton "struct <name>",
 * struct_ops map "<name>_ops", exit info "uei".
 */
#ifndef KTSTR_LOADER_H
#define KTSTR_LOADER_H

#include <stdbool.h>
#include <bpf/libbpf.h>
#include <scx/common.h>

/*
 * LOADER_RUN() results, also the loader's exit status.  Failing to load
 * or attach exits with 1 (SCX_BUG()), bad usage with 2.
 */
#define LOADER_STOPPED	0	/* SIGINT/SIGTERM: we detached it */
#define LOADER_KICKED	3	/* the kernel kicked it out */
#define LOADER_RESTART	(-1)	/* the kernel asks for a reload (hotplug) */

/* Signal handlers and libbpf's log; -v shows libbpf's debug messages. */
void loader_init(bool verbose);
/* Is @comm a possible task comm (1 to TASK_COMM_LEN - 1 characters)? */
bool loader_comm_ok(const char *comm);
/* Copies @comm into a TASK_COMM_LEN array of the BPF program. */
void loader_set_comm(char *dst, const char *comm);
/* Prints "<name>: attached" and flushes stdout. */
void loader_attached(const char *name);
/*
 * Sleeps until a signal or until the kernel records an exit in @kind;
 * true if the kernel ended the scheduler.
 */
bool loader_wait(int *kind);
/* After UEI_REPORT(): prints the exit kind, returns a LOADER_* result. */
int loader_result(const char *name, int kind, __u64 ecode, bool kicked);

#define LOADER_RUN(__skel, __name) ({					\
	struct bpf_link *__link;					\
	__u64 __ecode;							\
	bool __kicked;							\
	int __ret;							\
									\
	SCX_OPS_LOAD(__skel, __name##_ops, __name, uei);		\
	__link = SCX_OPS_ATTACH(__skel, __name##_ops, __name);		\
	loader_attached(#__name);					\
	__kicked = loader_wait(&(__skel)->data->uei.kind);		\
	bpf_link__destroy(__link);					\
	__ecode = UEI_REPORT(__skel, uei);				\
	__ret = loader_result(#__name, (__skel)->data->uei.kind,	\
			      __ecode, __kicked);			\
	__name##__destroy(__skel);					\
	__ret;								\
})

#endif
