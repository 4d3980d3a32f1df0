// SPDX-License-Identifier: GPL-2.0
/*
 * Shared loader code of the ktstr in-tree schedulers, see loader.h.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "loader.h"

#define TASK_COMM_LEN 16

/* Set by SIGINT/SIGTERM. */
static int loader_stop;
static bool loader_verbose;

static void on_signal(int sig)
{
	__atomic_store_n(&loader_stop, 1, __ATOMIC_SEQ_CST);
}

static bool stop_requested(void)
{
	return __atomic_load_n(&loader_stop, __ATOMIC_SEQ_CST);
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	if (level == LIBBPF_DEBUG && !loader_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

void loader_init(bool verbose)
{
	struct sigaction sa = { .sa_handler = on_signal };

	loader_verbose = verbose;
	libbpf_set_print(print_libbpf);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool loader_comm_ok(const char *comm)
{
	size_t len = strlen(comm);

	return len && len < TASK_COMM_LEN;
}

void loader_set_comm(char *dst, const char *comm)
{
	memset(dst, 0, TASK_COMM_LEN);
	memcpy(dst, comm, strnlen(comm, TASK_COMM_LEN - 1));
}

void loader_attached(const char *name)
{
	printf("%s: attached\n", name);
	fflush(stdout);
}

bool loader_wait(int *kind)
{
	const struct timespec tick = { .tv_nsec = 100 * 1000 * 1000 };

	for (;;) {
		/* The BPF side sets it with a barrier: read it with one. */
		if (__sync_val_compare_and_swap(kind, -1, -1))
			return true;
		if (stop_requested())
			return false;
		nanosleep(&tick, NULL);
	}
}

/* enum scx_exit_kind, kernel/sched/ext/internal.h */
static const char *exit_kind_name(int kind)
{
	switch (kind) {
	case 0:		return "none";
	case 1:		return "done";
	case 64:	return "unreg";
	case 65:	return "unreg_bpf";
	case 66:	return "unreg_kern";
	case 67:	return "sysrq";
	case 68:	return "parent";
	case 69:	return "parent_kill";
	case 1024:	return "error";
	case 1025:	return "error_bpf";
	case 1026:	return "error_stall";
	case 1027:	return "error_reenq";
	case 1028:	return "error_rescue";
	default:	return "unknown";
	}
}

int loader_result(const char *name, int kind, __u64 ecode, bool kicked)
{
	printf("%s: %s, exit kind %d (%s)\n", name,
	       kicked ? "kicked out" : "detached", kind, exit_kind_name(kind));
	fflush(stdout);
	if (!kicked)
		return LOADER_STOPPED;
	if (!stop_requested() && UEI_ECODE_RESTART(ecode))
		return LOADER_RESTART;
	return LOADER_KICKED;
}
