// SPDX-License-Identifier: GPL-2.0
/*
 * Shared loader code of the ktstr in-tree schedulers, see loader.h.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

int loader_options(const char *name, int argc, char **argv,
		   const char *usage, const char *own_opts,
		   loader_own_opt own, struct loader_opts *o)
{
	char optstring[32];
	unsigned long ms;
	char *end;
	int opt, ret;

	memset(o, 0, sizeof(*o));
	snprintf(optstring, sizeof(optstring), "t:vh%s", own_opts);
	while ((opt = getopt(argc, argv, optstring)) != -1) {
		switch (opt) {
		case 't':
			ms = strtoul(optarg, &end, 10);
			if (*end || !ms || ms > UINT32_MAX) {
				fprintf(stderr, "%s: bad -t '%s'\n", name, optarg);
				return 2;
			}
			o->timeout_ms = ms;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case '?':
			fputs(usage, stderr);
			return 2;
		default:
			ret = own(name, opt, optarg);
			if (ret)
				return ret;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", name,
			argv[optind]);
		fputs(usage, stderr);
		return 2;
	}
	return -1;
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

const char *loader_comm;

int loader_comm_option(const char *name, int opt, const char *arg)
{
	size_t len = strlen(arg);

	if (!len || len >= TASK_COMM_LEN) {
		fprintf(stderr, "%s: bad comm '%s'\n", name, arg);
		return 2;
	}
	loader_comm = arg;
	return 0;
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

/*
 * The first CPU of the L3 that @cpu shares, or -1 if sysfs does not say
 * (no L3, CPU offline).
 */
static int llc_first_cpu(int cpu)
{
	char path[128];
	FILE *f;
	int first;

	snprintf(path, sizeof(path),
		 "/sys/devices/system/cpu/cpu%d/cache/index3/shared_cpu_list",
		 cpu);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &first) != 1)
		first = -1;
	fclose(f);
	return first;
}

int loader_read_llcs(const char *name, __u32 *cpu_llc, unsigned int max_cpus,
		     unsigned int max_llcs, __u32 *nr_cpus, __u32 *nr_llcs)
{
	int first[LOADER_MAX_LLCS];
	int cpu, llc, n = 0, cpus = libbpf_num_possible_cpus();

	if (cpus < 1 || (unsigned int)cpus > max_cpus) {
		fprintf(stderr, "%s: %d CPUs not supported (at most %u)\n",
			name, cpus, max_cpus);
		return -1;
	}
	if (max_llcs > LOADER_MAX_LLCS)
		max_llcs = LOADER_MAX_LLCS;
	for (cpu = 0; cpu < cpus; cpu++) {
		int f = llc_first_cpu(cpu);

		for (llc = 0; llc < n && first[llc] != f; llc++)
			;
		if (f >= 0 && llc == n) {
			if ((unsigned int)n == max_llcs) {
				fprintf(stderr, "%s: more than %u LLCs\n", name,
					max_llcs);
				return -1;
			}
			first[n++] = f;
		}
		cpu_llc[cpu] = f >= 0 ? llc : 0;
	}
	*nr_cpus = cpus;
	*nr_llcs = n ?: 1;

	fprintf(stderr, "%s: %u LLCs, cpu->llc:", name, *nr_llcs);
	for (cpu = 0; cpu < cpus; cpu++)
		fprintf(stderr, " %u", cpu_llc[cpu]);
	fputc('\n', stderr);
	return 0;
}
