// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr monitor: boot a topology, optionally start a scheduler, run a
 * command, and watch the guest's scheduler from its memory meanwhile,
 * one line per interval; the verdicts at the end.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "commands.h"
#include "error.h"
#include "guest.h"
#include "json.h"
#include "launch.h"
#include "monitor.h"
#include "output.h"
#include "strlist.h"

#define MONITOR_EXEC_TIMEOUT_S 3600
#define ATTACH_WAIT_S 60

struct monitor_opts {
	struct kt_launch launch;
	const char *scheduler;
	char scheduler_path[PATH_MAX + 32];
	char scheduler_args[1024];	/* after --, each shell-quoted */
	const char *command;
	const char *json;
	const char *plot;
	bool quiet;
	struct kt_strlist map_names;
	struct kt_monitor_config config;
	struct kt_monitor_limits limits;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ktstr monitor --topology T [options] [--scheduler S] [--exec CMD]\n"
		"                     [-- SCHEDULER ARGS]\n\n"
		"Boot a VM of topology T, start scheduler S (a name in build/schedulers,\n"
		"build/arm64/schedulers with --arch arm64, or a path), run CMD (default:\n"
		"idle until --timeout or Ctrl-C) and watch the guest's scheduler from\n"
		"the host, one line per interval on stdout.\n"
		"The guest's output goes to stderr.\n\n"
		"options:\n"
		"  --scheduler S    start sched_ext scheduler S first, wait until attached\n"
		"  --exec CMD       run CMD (/bin/sh -c) in the guest\n"
		"  --interval MS    sample every MS milliseconds (default %d)\n"
		"  --limit N=V      set a verdict's limit, e.g. stall=3000 (ms; repeatable)\n"
		"  --expect NAME    the verdict NAME must trip (repeatable)\n"
		"  --json FILE      write the series and verdicts as JSON\n"
		"  --plot FILE      write the series as an SVG plot\n"
		"  --quiet          no line per interval\n"
		"  --maps           after each sample, the scheduler's BPF maps, decoded\n"
		"  --map NAME       only map NAME (\"scx_qmap.bss\" or \"bss\"); implies\n"
		"                   --maps (repeatable, or a comma list)\n"
		"  --maps-record FILE  save the guest memory the first map dump read\n"
		"                   (fixtures of unit tests)\n"
		KT_LAUNCH_HELP
		"\nexit status: the command's; 1 if it succeeded but a verdict failed, or\n"
		"if the VM could not be prepared; 2 on bad arguments; 124 on timeout,\n"
		"125 if the VM failed, 128+N when stopped by signal N.\n",
		KT_MONITOR_DEFAULT_INTERVAL_MS);
}

/* "--map a,b": each name once; an empty one is an error. */
static int add_map_names(struct monitor_opts *o, const char *arg)
{
	char *copy = strdup(arg), *name, *save = NULL;
	int ret = 0;

	if (!copy)
		return kt_fail("out of memory");
	if (!*arg || arg[strlen(arg) - 1] == ',' || *arg == ',' ||
	    strstr(arg, ",,"))
		ret = kt_fail_usage("--map '%s': expected map names separated by commas",
				    arg);
	for (name = strtok_r(copy, ",", &save); name && !ret;
	     name = strtok_r(NULL, ",", &save))
		if (kt_strlist_push(&o->map_names, name) < 0)
			ret = kt_fail("out of memory");
	free(copy);
	o->config.map_names = (const char *const *)o->map_names.items;
	o->config.nr_map_names = o->map_names.count;
	return ret;
}

static int own_option(struct monitor_opts *o, int opt, const char *arg)
{
	int k;

	switch (opt) {
	case 's':
		o->scheduler = arg;
		return 0;
	case 'e':
		o->command = arg;
		return 0;
	case 'i':
		return kt_monitor_parse_interval("--interval", arg,
						 &o->config.interval_ms);
	case 'L':
		return kt_monitor_limit_set(&o->limits, arg);
	case 'x':
		k = kt_monitor_verdict_parse(arg);
		if (k < 0)
			return kt_fail_usage("--expect '%s': no such verdict",
					     arg);
		o->limits.expect |= KT_V_BIT(k);
		return 0;
	case 'j':
		o->json = arg;
		return 0;
	case 'p':
		o->plot = arg;
		return 0;
	case 'q':
		o->quiet = true;
		return 0;
	case 'm':
		o->config.maps = true;
		return 0;
	case 'M':
		o->config.maps = true;
		return add_map_names(o, arg);
	case 'R':
		o->config.maps = true;
		o->config.maps_record = arg;
		return 0;
	}
	return 1;
}

/* Where "--" is (or @argc); what follows it, quoted for the guest shell. */
static int split_scheduler_args(int argc, char **argv, struct monitor_opts *o)
{
	size_t n = 0, cap = sizeof(o->scheduler_args);
	int end, i;
	char *c;

	for (end = 1; end < argc && strcmp(argv[end], "--"); end++)
		;
	for (i = end + 1; i < argc; i++) {
		n += snprintf(o->scheduler_args + n, cap - n, " '");
		for (c = argv[i]; *c && n + 6 < cap; c++)
			n += snprintf(o->scheduler_args + n, cap - n, "%s",
				      *c == '\'' ? "'\\''" : (char[]){ *c, 0 });
		n += snprintf(o->scheduler_args + n, cap - n, "'");
		if (n >= cap - 1)
			return kt_fail_usage("scheduler arguments too long (at most %zu bytes)",
					     cap - 8);
	}
	return end;
}

/* 0 parsed, 1 help shown, 2 usage error shown, -1 bad value. */
static int parse(int argc, char **argv, struct monitor_opts *o)
{
	static const struct option own[] = {
		{ "scheduler", required_argument, NULL, 's' },
		{ "exec", required_argument, NULL, 'e' },
		{ "interval", required_argument, NULL, 'i' },
		{ "limit", required_argument, NULL, 'L' },
		{ "expect", required_argument, NULL, 'x' },
		{ "json", required_argument, NULL, 'j' },
		{ "plot", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "maps", no_argument, NULL, 'm' },
		{ "map", required_argument, NULL, 'M' },
		{ "maps-record", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct option options[KT_LAUNCH_MAX_OPTIONS];
	int opt, handled, end = argc;

	end = split_scheduler_args(argc, argv, o);
	if (end < 0)
		return -1;
	kt_launch_options(own, options);
	while ((opt = getopt_long(end, argv, "h", options, NULL)) != -1) {
		handled = kt_launch_option(&o->launch, opt, optarg);
		if (handled < 0)
			return -1;
		if (handled)
			continue;
		handled = own_option(o, opt, optarg);
		if (handled < 0)
			return -1;
		if (!handled)
			continue;
		usage(opt == 'h' ? stdout : stderr);
		return opt == 'h' ? 1 : 2;
	}
	if (optind < end)
		return kt_fail_usage("unexpected argument '%s' (quote the command: --exec '...')",
				     argv[optind]);
	if (end < argc && !o->scheduler)
		return kt_fail_usage("arguments after -- are for --scheduler");
	return 0;
}

/*
 * A name in the guests' build (build/schedulers, build/arm64/schedulers
 * for --arch arm64), or a path; it goes into the guest as is, if it is a
 * program for the guests' machine.
 */
static int find_scheduler(struct monitor_opts *o)
{
	const char *arch = kt_arch_name(o->launch.arch);
	char rel[NAME_MAX + 16], what[PATH_MAX + 16];

	if (!o->scheduler)
		return 0;
	if (strchr(o->scheduler, '/')) {
		if (!realpath(o->scheduler, o->scheduler_path))
			return kt_fail_usage("--scheduler %s: %s", o->scheduler,
					     strerror(errno));
	} else {
		if (snprintf(rel, sizeof(rel), "schedulers/%s", o->scheduler) >=
		    (int)sizeof(rel))
			return kt_fail_usage("--scheduler %s: name too long",
					     o->scheduler);
		if (kt_guest_build_path(arch, rel, o->scheduler_path,
					sizeof(o->scheduler_path)))
			return -1;
	}
	if (access(o->scheduler_path, X_OK))
		return kt_fail_usage("--scheduler %s (%s): %s", o->scheduler,
				     o->scheduler_path, strerror(errno));
	snprintf(what, sizeof(what), "--scheduler %s", o->scheduler);
	if (kt_guest_check_program(arch, what, o->scheduler_path))
		return -1;
	if (o->launch.nr_includes >= KT_LAUNCH_MAX_INCLUDES)
		return kt_fail_usage("too many --include options for --scheduler");
	o->launch.includes[o->launch.nr_includes++] = o->scheduler_path;
	return 0;
}

/*
 * The guest side: the scheduler in the background until sched_ext says
 * it is enabled, the command, then the scheduler stopped.
 */
static char *guest_command(const struct monitor_opts *o)
{
	const char *cmd = o->command ? o->command : "while :; do sleep 1; done";
	char *out = NULL;

	if (!o->scheduler) {
		if (asprintf(&out, "exec 1>&2; %s", cmd) < 0)
			return NULL;
		return out;
	}
	if (asprintf(&out,
		     "exec 1>&2\n"
		     "%s%s &\n"
		     "sched=$!\n"
		     "n=0\n"
		     "until [ \"$(cat /sys/kernel/sched_ext/state)\" = enabled ]; do\n"
		     "  n=$((n + 1))\n"
		     "  if [ $n -gt %d ] || ! kill -0 $sched 2>/dev/null; then\n"
		     "    echo 'ktstr monitor: %s did not attach' >&2; exit 1\n"
		     "  fi\n"
		     "  sleep 0.1\n"
		     "done\n"
		     "%s\n"
		     "status=$?\n"
		     "kill -INT $sched; wait $sched; exit $status\n",
		     o->scheduler_path, o->scheduler_args, ATTACH_WAIT_S * 10,
		     o->scheduler, cmd) < 0)
		return NULL;
	return out;
}

static int write_json(const char *path, const struct kt_monitor *m,
		      const struct kt_monitor_verdict *v, const char *plot)
{
	json_t *obj = kt_monitor_json(kt_monitor_series(m), v,
				      kt_monitor_error(m), plot);
	int ret;

	if (!obj)
		return -1;
	ret = kt_json_save("--json", path, obj, KT_JSON_FLAGS);
	json_decref(obj);
	return ret;
}

static int report(const struct monitor_opts *o, const struct kt_monitor *m,
		  struct kt_monitor_verdict *v)
{
	const struct kt_series *s = kt_monitor_series(m);

	kt_verdicts_eval(s, &o->limits, v);
	kt_monitor_summary(stderr, s, v, kt_monitor_error(m));
	if (o->plot && kt_monitor_plot(o->plot, "ktstr monitor", s, v))
		return -1;
	if (o->json && write_json(o->json, m, v, o->plot))
		return -1;
	return 0;
}

static int watch(struct monitor_opts *o, struct kt_monitor_kernel *k)
{
	struct kt_monitor_verdict verdicts[KT_NR_VERDICTS];
	struct kt_vm_observer observer;
	struct kt_vm_result r;
	struct kt_monitor *m;
	struct kt_vm_opts vo;
	char *command;
	int ret = 1;

	o->config.live = o->quiet ? NULL : stdout;
	o->config.maps_out = stdout;
	m = kt_monitor_new(k, &o->config, kt_topology_cpus(&o->launch.topo));
	if (!m) {
		fprintf(stderr, "ktstr monitor: %s\n", kt_errmsg());
		return kt_exit_status();
	}
	command = guest_command(o);
	if (!command) {
		kt_monitor_free(m);
		return kt_fail("out of memory"), 1;
	}
	observer = (struct kt_vm_observer){ kt_monitor_start, kt_monitor_stop,
					    m };
	kt_launch_vm_opts(&o->launch, &vo);
	vo.command = command;
	vo.stdout_fd = STDERR_FILENO;
	vo.stderr_fd = STDERR_FILENO;
	vo.observer = &observer;
	if (kt_launch_run(&o->launch, &vo, &r)) {
		fprintf(stderr, "ktstr monitor: %s\n", kt_errmsg());
		goto out;
	}
	kt_launch_report(&r);
	if (report(o, m, verdicts)) {
		fprintf(stderr, "ktstr monitor: %s\n", kt_errmsg());
		goto out;
	}
	ret = kt_vm_exit_code(&r);
	if (!ret && (kt_verdicts_failed(verdicts) || kt_monitor_error(m)))
		ret = 1;
out:
	kt_monitor_free(m);
	free(command);
	return ret;
}

static int run_monitor(struct monitor_opts *o, int argc, char **argv);

int cmd_monitor(int argc, char **argv)
{
	struct monitor_opts o;
	int ret;

	memset(&o, 0, sizeof(o));
	ret = run_monitor(&o, argc, argv);
	kt_strlist_free(&o.map_names);
	return ret;
}

static int run_monitor(struct monitor_opts *o, int argc, char **argv)
{
	struct kt_monitor_kernel *k;
	int ret;

	kt_launch_init(&o->launch, 0);
	kt_monitor_limits_default(&o->limits);
	ret = parse(argc, argv, o);
	if (ret > 0)
		return ret == 1 ? 0 : KT_EXIT_USAGE;
	if (ret < 0 || find_scheduler(o))
		goto fail;
	if (!o->launch.timeout_s && o->command)
		o->launch.timeout_s = MONITOR_EXEC_TIMEOUT_S;
	if (kt_launch_prepare(&o->launch))
		goto fail;
	if (o->launch.dry_run) {
		struct kt_vm_opts vo;
		struct kt_vm_result r;

		kt_launch_vm_opts(&o->launch, &vo);
		if (kt_launch_run(&o->launch, &vo, &r))
			goto fail;
		return 0;
	}
	k = kt_monitor_kernel_load(o->launch.kernel.vmlinux,
				   o->launch.kernel.system_map);
	if (!k) {
		fprintf(stderr, "ktstr monitor: kernel %s: %s\n",
			o->launch.kernel.version, kt_errmsg());
		return 1;
	}
	ret = watch(o, k);
	kt_monitor_kernel_free(k);
	return ret;
fail:
	fprintf(stderr, "ktstr monitor: %s\n", kt_errmsg());
	return kt_exit_status();
}
