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
#include <stdint.h>
#include <bpf/libbpf.h>
#include <scx/common.h>

/*
 * LOADER_RUN() results, also the loader's exit status.  Failing to load
 * or attach exits with 1 (SCX_BUG()), bad usage with 2.
 */
#define LOADER_STOPPED	0	/* SIGINT/SIGTERM: we detached it */
#define LOADER_KICKED	3	/* the kernel kicked it out */
#define LOADER_RESTART	(-1)	/* the kernel asks for a reload (hotplug) */

/* What loader_options() read. */
struct loader_opts {
	bool verbose;			/* -v */
	uint32_t timeout_ms;		/* -t MS, 0: the kernel's default */
};

/*
 * An option of loader @name's own, for loader_options(): takes @opt's
 * argument @arg; returns 0, or 2 after a message naming @arg.
 */
typedef int (*loader_own_opt)(const char *name, int opt, const char *arg);

/* The help of the options that loader_options() reads, for usage texts. */
#define LOADER_OPTS_HELP						\
"  -t MS    watchdog timeout, ops.timeout_ms (default: the kernel's,\n" \
"           30 s; the kernel refuses more than that)\n"		\
"  -v       print libbpf debug messages\n"				\
"  -h       print this help\n"

/*
 * Reads -t MS, -v and -h, and the loader's own options @own_opts (a
 * getopt() string, "" for none), which go to @own.  Prints @usage for -h
 * (on stdout) and for bad usage (on stderr, after a message that starts
 * with @name).  Returns -1 to go on, else the loader's exit status (0
 * after -h, 2 for bad usage).
 */
int loader_options(const char *name, int argc, char **argv,
		   const char *usage, const char *own_opts,
		   loader_own_opt own, struct loader_opts *o);
/* Signal handlers and libbpf's log; -v shows libbpf's debug messages. */
void loader_init(bool verbose);
/* What -c COMM gave loader_comm_option(), NULL if nothing. */
extern const char *loader_comm;
/* A loader_own_opt for -c COMM: a possible task comm (1 to 15 characters). */
int loader_comm_option(const char *name, int opt, const char *arg);
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
/* The most LLCs loader_read_llcs() numbers. */
#define LOADER_MAX_LLCS 256

/*
 * Numbers the LLCs (L3 caches in sysfs) 0, 1, ... in the order of their
 * first CPU and fills @cpu_llc[cpu] for each possible CPU; CPUs that
 * sysfs says nothing about go to LLC 0.  Sets *@nr_cpus and *@nr_llcs and
 * prints the table on stderr.  Returns 0, or -1 (with a message starting
 * with @name) for more than @max_cpus CPUs or @max_llcs LLCs (at most
 * LOADER_MAX_LLCS).
 */
int loader_read_llcs(const char *name, __u32 *cpu_llc, unsigned int max_cpus,
		     unsigned int max_llcs, __u32 *nr_cpus, __u32 *nr_llcs);

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

/* For LOADER_MAIN(): nothing to set before loading. */
#define LOADER_NO_SETUP(__skel) 0

/*
 * For LOADER_MAIN() of a scheduler built on ktstr_llc_vtime.bpf.h: the
 * LLC table, see loader_read_llcs().
 */
#define LOADER_SETUP_LLCS(__skel)					\
	loader_read_llcs(bpf_object__name((__skel)->obj),		\
			 (__skel)->bss->cpu_llc,			\
			 sizeof((__skel)->bss->cpu_llc) /		\
			 sizeof((__skel)->bss->cpu_llc[0]),		\
			 bpf_map__max_entries((__skel)->maps.llcs),	\
			 &(__skel)->data->nr_cpus, &(__skel)->data->nr_llcs)

/*
 * main() of a loader: reads the options (loader_options(), with @__own
 * for those in @__own_opts), opens the skeleton, sets ops.timeout_ms,
 * calls @__setup(skel) (0, or nonzero to exit with 1 after printing why)
 * and runs the scheduler, again as long as the kernel asks for a restart.
 */
#define LOADER_MAIN_OPTS(__name, __usage, __own_opts, __own, __setup)	\
int main(int argc, char **argv)						\
{									\
	struct loader_opts __o;						\
	struct __name *__skel;						\
	int __ret;							\
									\
	__ret = loader_options(#__name, argc, argv, __usage,		\
			       __own_opts, __own, &__o);		\
	if (__ret >= 0)							\
		return __ret;						\
	loader_init(__o.verbose);					\
	do {								\
		__skel = SCX_OPS_OPEN(__name##_ops, __name);		\
		if (__o.timeout_ms)					\
			__skel->struct_ops.__name##_ops->timeout_ms =	\
				__o.timeout_ms;				\
		if (__setup(__skel))					\
			return 1;					\
		__ret = LOADER_RUN(__skel, __name);			\
	} while (__ret == LOADER_RESTART);				\
	return __ret;							\
}

/* The same for a loader without options of its own. */
#define LOADER_MAIN(__name, __usage, __setup)				\
	LOADER_MAIN_OPTS(__name, __usage, "", NULL, __setup)

#endif
