// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr run: every planned test in its own fresh VM, TAP 13 on stdout.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "commands.h"
#include "error.h"
#include "guest.h"
#include "launch.h"
#include "plan.h"
#include "report.h"

#define MAX_PROGS 256
#define MAX_FILTERS 64
#define GUEST_TESTS "/ktstr/tests"
#define GUEST_SCHEDS "/ktstr/schedulers"

struct run_opts {
	struct kt_launch launch;	/* kernel, accel, includes, log dir */
	struct kt_plan_opts plan;
	char *filters[MAX_FILTERS];
	const char *junit;
	const char *json;
	char sched_args[1024];
	bool list;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ktstr run [options] [TEST...] [-- SCHEDULER ARGS]\n\n"
		"Run each test (all, or those whose name contains TEST or matches it\n"
		"as a glob) in its own VM of its declared topology; TAP 13 on stdout.\n\n"
		"options:\n"
		"  --scheduler PATH run the standard scenarios under this scheduler\n"
		"  --junit FILE     write JUnit XML\n"
		"  --json DIR       write one JSON result per test into DIR\n"
		"  --opt-in         include tests that only run when asked\n"
		"  --list           print the plan, boot nothing\n"
		KT_LAUNCH_HELP
		"\nexit status: 0 if no test failed, 1 otherwise, 2 on bad arguments.\n");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Executable files of @dir, sorted; the caller frees each. */
static int list_dir(const char *dir, char **out, size_t max, size_t *count)
{
	char path[PATH_MAX + 256];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	*count = 0;
	if (!d)
		return kt_fail_errno("%s (run 'make')", dir);
	while ((de = readdir(d)) && *count < max) {
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.' || stat(path, &st) ||
		    !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
			continue;
		out[(*count)++] = strdup(path);
	}
	closedir(d);
	qsort(out, *count, sizeof(out[0]), cmp_str);
	return 0;
}

static void free_list(char **list, size_t count)
{
	while (count)
		free(list[--count]);
}

static int add_dir_files(struct kt_initramfs *ir, char *const *files,
			 size_t count, const char *guest_dir)
{
	char guest[PATH_MAX];
	size_t i;

	for (i = 0; i < count; i++) {
		snprintf(guest, sizeof(guest), "%s/%s", guest_dir,
			 strrchr(files[i], '/') + 1);
		if (kt_initramfs_add_file(ir, files[i], guest, 0))
			return -1;
	}
	return 0;
}

/* One image for the whole run: tests, schedulers, --include, --scheduler. */
static int build_image(struct run_opts *o, char *const *progs,
		       size_t nr_progs, const char *root, char *out,
		       size_t len)
{
	char dir[PATH_MAX + 32], guest[PATH_MAX], *scheds[MAX_PROGS];
	size_t nr_scheds = 0;
	struct kt_initramfs *ir = kt_guest_image();
	int ret = -1;

	if (!ir)
		return -1;
	snprintf(dir, sizeof(dir), "%s/build/schedulers", root);
	if (access(dir, F_OK) == 0 &&
	    list_dir(dir, scheds, MAX_PROGS, &nr_scheds))
		goto out;
	if (add_dir_files(ir, progs, nr_progs, GUEST_TESTS) ||
	    add_dir_files(ir, scheds, nr_scheds, GUEST_SCHEDS) ||
	    kt_guest_add_includes(ir, o->launch.includes,
				  o->launch.nr_includes))
		goto out;
	if (o->plan.scheduler) {
		snprintf(guest, sizeof(guest), GUEST_SCHEDS "/%s",
			 strrchr(o->plan.scheduler, '/') ?
			 strrchr(o->plan.scheduler, '/') + 1 :
			 o->plan.scheduler);
		if (kt_initramfs_add_file(ir, o->plan.scheduler, guest, 0))
			goto out;
	}
	ret = kt_initramfs_build(ir, out, len);
out:
	free_list(scheds, nr_scheds);
	kt_initramfs_free(ir);
	return ret;
}

static void shell_quote(const char *s, char *out, size_t len)
{
	size_t n = 0;

	out[n++] = '\'';
	for (; *s && n + 5 < len; s++) {
		if (*s == '\'') {
			memcpy(out + n, "'\\''", 4);
			n += 4;
		} else {
			out[n++] = *s;
		}
	}
	out[n++] = '\'';
	out[n] = '\0';
}

static void guest_command(const struct run_opts *o,
			  const struct kt_run_item *it, char *buf, size_t len)
{
	char args[1200] = "", sched[PATH_MAX] = "";
	const char *prog = strrchr(it->prog, '/') + 1;

	if (o->plan.scheduler) {
		shell_quote(o->sched_args, args, sizeof(args));
		snprintf(sched, sizeof(sched),
			 "KTSTR_SCHEDULER=" GUEST_SCHEDS "/%s KTSTR_SCHEDULER_ARGS=%s ",
			 it->scheduler, args);
	}
	/* The harness's stderr joins its TAP, in order. */
	snprintf(buf, len, "cd /tmp && exec 2>&1 && %s" GUEST_TESTS "/%s -r %s",
		 sched, prog, it->selector);
}

static void progress(const struct kt_run_item *it, unsigned int n,
		     unsigned int total)
{
	if (!isatty(STDERR_FILENO))
		return;
	if (it)
		fprintf(stderr, "\r\033[K[%u/%u] %s (%s, %s)", n, total,
			it->name, it->topology, it->scheduler);
	else
		fprintf(stderr, "\r\033[K");
}

static void judge(struct kt_result *r, const struct kt_vm_result *vm)
{
	if (vm->outcome != KT_VM_EXITED) {
		r->verdict = KT_FAIL;
		snprintf(r->reason, sizeof(r->reason), "VM %s: %s%s%s",
			 kt_vm_outcome_name(vm->outcome), vm->detail,
			 vm->console_tail[0] ? "\nlast console lines:\n" : "",
			 vm->console_tail);
		return;
	}
	if (vm->exit_status == 0) {
		r->verdict = KT_PASS;
	} else if (vm->exit_status == 4) {	/* KSFT_SKIP */
		const char *skip = r->output ? strstr(r->output, "# SKIP ") :
				   NULL;

		r->verdict = KT_SKIP;
		snprintf(r->reason, sizeof(r->reason), "%s",
			 skip ? skip + 7 : "skipped");
		r->reason[strcspn(r->reason, "\n")] = '\0';
	} else {
		r->verdict = KT_FAIL;
		snprintf(r->reason, sizeof(r->reason),
			 "test exited with status %d", vm->exit_status);
	}
}

static int run_one(struct run_opts *o, const struct kt_run_item *it,
		   const char *initramfs, struct kt_result *r)
{
	struct kt_topology topo;
	struct kt_vm_opts vo;
	struct kt_vm_result vm;
	char command[2048], log_dir[PATH_MAX + 200];

	memset(r, 0, sizeof(*r));
	r->item = it;
	snprintf(r->kernel, sizeof(r->kernel), "%s", o->launch.kernel.version);
	if (kt_topology_parse(it->topology, &topo)) {
		r->verdict = KT_FAIL;
		snprintf(r->reason, sizeof(r->reason), "%s", kt_errmsg());
		return 0;
	}
	if (it->memory_mib)
		topo.memory_mib = it->memory_mib;
	if (o->launch.memory &&
	    (kt_topology_parse_memory(o->launch.memory, &topo.memory_mib) ||
	     kt_topology_validate(&topo, "--memory"))) {
		r->verdict = KT_FAIL;
		snprintf(r->reason, sizeof(r->reason), "%s", kt_errmsg());
		return 0;
	}
	kt_launch_vm_opts(&o->launch, &vo);
	vo.topo = &topo;
	vo.initramfs = initramfs;
	/* --timeout replaces every test's own limit. */
	vo.timeout_s = o->launch.timeout_s ? o->launch.timeout_s :
		       it->vm_timeout_s;
	vo.dry_run = false;
	if (o->launch.log_dir) {
		snprintf(log_dir, sizeof(log_dir), "%s/%s", o->launch.log_dir,
			 it->name);
		vo.log_dir = log_dir;
	}
	guest_command(o, it, command, sizeof(command));
	vo.command = command;
	vo.capture_stdout = &r->output;
	if (kt_accel_resolve(o->launch.accel, &vo.accel, r->reason,
			     sizeof(r->reason)) || kt_vm_run(&vo, &vm)) {
		r->verdict = KT_FAIL;
		snprintf(r->reason, sizeof(r->reason), "%s", kt_errmsg());
		return 0;
	}
	snprintf(r->accel, sizeof(r->accel), "%s", kt_accel_name(vm.accel));
	r->wall_s = vm.wall_s;
	judge(r, &vm);
	return vm.outcome == KT_VM_INTERRUPTED ? 128 + vm.signal : 0;
}

static int parse(int argc, char **argv, struct run_opts *o)
{
	static const struct option own[] = {
		{ "scheduler", required_argument, NULL, 's' },
		{ "junit", required_argument, NULL, 'j' },
		{ "json", required_argument, NULL, 'J' },
		{ "opt-in", no_argument, NULL, 'o' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct option options[KT_LAUNCH_MAX_OPTIONS];
	int opt, handled, end = argc, i;
	size_t n = 0;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			end = i;
			break;
		}
	for (i = end + 1; i < argc; i++)
		n += snprintf(o->sched_args + n, sizeof(o->sched_args) - n,
			      "%s%s", n ? " " : "", argv[i]);
	kt_launch_options(own, options);
	while ((opt = getopt_long(end, argv, "h", options, NULL)) != -1) {
		handled = kt_launch_option(&o->launch, opt, optarg);
		if (handled < 0)
			return -1;
		if (handled)
			continue;
		switch (opt) {
		case 's':
			o->plan.scheduler = optarg;
			break;
		case 'j':
			o->junit = optarg;
			break;
		case 'J':
			o->json = optarg;
			break;
		case 'o':
			o->plan.opt_in = true;
			break;
		case 'l':
			o->list = true;
			break;
		default:
			usage(opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 1 : 2;
		}
	}
	if (end < argc && !o->plan.scheduler)
		return kt_fail("arguments after -- are for --scheduler");
	for (; optind < end && o->plan.nr_filters < MAX_FILTERS; optind++)
		o->filters[o->plan.nr_filters++] = argv[optind];
	o->plan.filters = o->filters;
	o->plan.topology = o->launch.topology_spec;
	if (o->plan.scheduler && access(o->plan.scheduler, X_OK))
		return kt_fail_errno("--scheduler %s", o->plan.scheduler);
	return 0;
}

static void print_plan(const struct kt_plan *p)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		printf("%-48s %-10s %-16s %us\n", p->items[i].name,
		       p->items[i].topology, p->items[i].scheduler,
		       p->items[i].vm_timeout_s);
}

static int run_all(struct run_opts *o, const struct kt_plan *p,
		   const char *initramfs)
{
	struct kt_result *results = calloc(p->count ? p->count : 1,
					   sizeof(*results));
	unsigned int failed = 0, i;
	double start = now_s();
	int stop = 0;

	if (!results)
		return kt_fail("out of memory"), 1;
	kt_tap_begin(p->count);
	for (i = 0; i < p->count && !stop; i++) {
		progress(&p->items[i], i + 1, p->count);
		stop = run_one(o, &p->items[i], initramfs, &results[i]);
		progress(NULL, 0, 0);
		if (stop)
			break;
		kt_tap_result(i + 1, &results[i]);
		failed += results[i].verdict == KT_FAIL;
		if (o->json && kt_json_write(o->json, &results[i]))
			fprintf(stderr, "ktstr run: %s\n", kt_errmsg());
	}
	printf("# ktstr: %u tests, %u failed, %.1fs\n", i, failed,
	       now_s() - start);
	if (o->junit && kt_junit_write(o->junit, results, i, now_s() - start))
		fprintf(stderr, "ktstr run: %s\n", kt_errmsg());
	while (i)
		free(results[--i].output);
	free(results);
	if (stop)
		return stop;
	return failed ? 1 : 0;
}

int cmd_run(int argc, char **argv)
{
	char root[PATH_MAX], dir[PATH_MAX + 16], initramfs[PATH_MAX];
	char *progs[MAX_PROGS];
	struct run_opts o;
	struct kt_plan plan;
	size_t nr_progs = 0;
	int ret;

	memset(&o, 0, sizeof(o));
	kt_launch_init(&o.launch, 0);
	/* -1: bad input (message set); 1: help shown; 2: usage shown. */
	ret = parse(argc, argv, &o);
	if (ret < 0)
		fprintf(stderr, "ktstr run: %s\n", kt_errmsg());
	if (ret)
		return ret < 0 ? 2 : ret == 1 ? 0 : 2;
	if (kt_root_dir(root, sizeof(root)))
		goto fail;
	snprintf(dir, sizeof(dir), "%s/build/suite", root);
	if (list_dir(dir, progs, MAX_PROGS, &nr_progs))
		goto fail;
	if (kt_plan_build(progs, nr_progs, &o.plan, &plan))
		goto fail_progs;
	if (!plan.count) {
		kt_fail(o.plan.nr_filters ? "no test matches '%s'%s" :
			"no tests in %s", o.plan.nr_filters ? o.filters[0] : dir,
			o.plan.nr_filters > 1 ? " or the other names given" : "");
		goto fail_plan;
	}
	if (o.list || o.launch.dry_run) {
		print_plan(&plan);
		ret = 0;
		goto out;
	}
	if (kt_kernel_resolve(o.launch.kernel_spec, &o.launch.kernel))
		goto fail_plan;
	o.launch.boot_image = kt_kernel_boot_image(&o.launch.kernel);
	if (!o.launch.boot_image ||
	    build_image(&o, progs, nr_progs, root, initramfs,
			sizeof(initramfs)))
		goto fail_plan;
	ret = run_all(&o, &plan, initramfs);
out:
	kt_plan_free(&plan);
	free_list(progs, nr_progs);
	return ret;
fail_plan:
	kt_plan_free(&plan);
fail_progs:
	free_list(progs, nr_progs);
fail:
	fprintf(stderr, "ktstr run: %s\n", kt_errmsg());
	return 1;
}
