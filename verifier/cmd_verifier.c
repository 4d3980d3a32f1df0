// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr verifier BIN [-- ARGS]: for each --kernel and each --topology,
 * boot a VM, load the scheduler BIN there under the guest agent
 * (verifier/agent/agent.c) and report, for each BPF program it keeps,
 * the verified instructions, the verifier's peak states and its time.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "argv.h"
#include "cache.h"
#include "commands.h"
#include "error.h"
#include "kernel_source.h"
#include "launch.h"
#include "report.h"

#define GUEST_DIR "/ktstr/verifier"
#define GUEST_AGENT GUEST_DIR "/ktstr-verifier"
/* BIN's directory: a BIN of any name leaves the agent as it is. */
#define GUEST_BIN_DIR GUEST_DIR "/bin"
#define DEFAULT_TOPOLOGY "1n2l2c1t"
#define MAX_SPECS 16
/* TCG: scx_qmap takes some seconds to load; a big scheduler minutes. */
#define READY_TIMEOUT_S 600
/* Booting, and --while-loaded: the VM's --timeout is --ready-timeout's plus this. */
#define VM_EXTRA_S 300
/* The longest command the payload line takes (Documentation/shell.md). */
#define MAX_COMMAND 7936

struct verifier_opts {
	struct kt_launch launch;
	const char *kernels[MAX_SPECS], *topologies[MAX_SPECS];
	unsigned int nr_kernels, nr_topologies;
	const char *json, *while_loaded;
	double max_pct;			/* 0: no check */
	unsigned int ready_timeout_s;
	bool timeout_given;		/* --timeout, else the ready timeout's */
	const char *bin;
	char bin_name[64];		/* its name in the guest */
	char agent[4096];		/* the agent on the host */
	char command[MAX_COMMAND + 1];
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ktstr verifier [options] BIN [-- ARGS]\n\n"
		"Boot a VM for each --kernel and --topology, load the sched_ext scheduler\n"
		"BIN (with ARGS) there, and report for each BPF program it keeps the\n"
		"instructions the verifier processed, its peak states and its time.\n\n"
		"options:\n"
		"  --kernel K            as below; repeatable (default: the newest cached)\n"
		"  --topology T          as below; repeatable (default: " DEFAULT_TOPOLOGY ")\n"
		"  --json FILE           write the results as JSON to FILE\n"
		"  --max-insns-pct P     fail if a program uses more than P %% of the\n"
		"                        kernel's limit of verified instructions (1000000)\n"
		"  --while-loaded CMD    run CMD in the guest while BIN is loaded (its\n"
		"                        stdout is ktstr's; BIN's output goes to stderr)\n"
		"  --ready-timeout S     how long BIN may take to enable sched_ext (default %d);\n"
		"                        without --timeout, the VM's is %d s more\n"
		"launch options:\n" KT_LAUNCH_HELP
		"\nexit status: 0 if every run loaded BIN and no program is over\n"
		"--max-insns-pct, 1 otherwise, 2 on bad arguments.\n",
		READY_TIMEOUT_S, VM_EXTRA_S);
}

static int parse_pct(const char *arg, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(arg, &end);
	if (end == arg || *end || errno || !(*out > 0 && *out <= 100))
		return kt_fail_usage("--max-insns-pct '%s': expected a percentage above 0, at most 100",
				     arg);
	return 0;
}

static int parse_timeout(const char *arg, unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (end == arg || *end || !v || v > 86400 || *arg == '-')
		return kt_fail_usage("--ready-timeout '%s': expected whole seconds, 1 to 86400",
				     arg);
	*out = v;
	return 0;
}

static int add_spec(const char **list, unsigned int *n, const char *what,
		    const char *arg)
{
	if (*n == MAX_SPECS)
		return kt_fail_usage("at most %d --%s", MAX_SPECS, what);
	list[(*n)++] = arg;
	return 0;
}

/* @opt one of the command's own options; -1 if its value is bad. */
static int own_option(struct verifier_opts *o, int opt, const char *arg)
{
	switch (opt) {
	case KT_OPT_KERNEL:
		return add_spec(o->kernels, &o->nr_kernels, "kernel", arg);
	case KT_OPT_TOPOLOGY:
		return add_spec(o->topologies, &o->nr_topologies, "topology", arg);
	case 'j':
		o->json = arg;
		return 0;
	case 'p':
		return parse_pct(arg, &o->max_pct);
	case 'w':
		o->while_loaded = arg;
		return 0;
	case 'r':
		return parse_timeout(arg, &o->ready_timeout_s);
	}
	return kt_fail_usage("unknown option");
}

/* The --json file's directory must be there before any VM boots. */
static int check_json_path(const char *path)
{
	char copy[4096];
	struct stat st;

	snprintf(copy, sizeof(copy), "%s", path);
	if (!*path || (!stat(path, &st) && S_ISDIR(st.st_mode)))
		return kt_fail_usage("--json '%s': expected a file name", path);
	if (stat(dirname(copy), &st) || !S_ISDIR(st.st_mode))
		return kt_fail_usage("--json '%s': directory %s does not exist",
				     path, copy);
	return 0;
}

static int check_bin(struct verifier_opts *o)
{
	const char *base = strrchr(o->bin, '/') ? strrchr(o->bin, '/') + 1 :
			   o->bin;
	struct stat st;
	size_t i;

	if (stat(o->bin, &st))
		return kt_fail_usage("BIN '%s': %s", o->bin, strerror(errno));
	if (!S_ISREG(st.st_mode) || access(o->bin, X_OK))
		return kt_fail_usage("BIN '%s': not an executable file", o->bin);
	/* Its name in the guest: the same, if the shell needs no quotes. */
	snprintf(o->bin_name, sizeof(o->bin_name), "%s", base);
	for (i = 0; o->bin_name[i]; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-",
			    o->bin_name[i]))
			o->bin_name[i] = '_';
	return 0;
}

static int append_quoted(char *buf, size_t *n, const char *word)
{
	char q[MAX_COMMAND + 1];

	if (kt_shell_quote(word, q, sizeof(q)) ||
	    *n + 1 + strlen(q) > MAX_COMMAND)
		return kt_fail_usage("the guest's command is too long (at most %d bytes): shorten ARGS or --while-loaded",
				     MAX_COMMAND);
	*n += snprintf(buf + *n, MAX_COMMAND + 1 - *n, " %s", q);
	return 0;
}

/* The agent's command line in the guest. */
static int guest_command(struct verifier_opts *o, char **args, int nr_args)
{
	char guest_bin[160];
	size_t n;
	int i;

	n = snprintf(o->command, sizeof(o->command),
		     GUEST_AGENT " --ready-timeout %u", o->ready_timeout_s);
	if (o->while_loaded &&
	    (append_quoted(o->command, &n, "--while-loaded") ||
	     append_quoted(o->command, &n, o->while_loaded)))
		return -1;
	snprintf(guest_bin, sizeof(guest_bin), GUEST_BIN_DIR "/%s", o->bin_name);
	if (append_quoted(o->command, &n, guest_bin))
		return -1;
	for (i = 0; i < nr_args; i++)
		if (append_quoted(o->command, &n, args[i]))
			return -1;
	return 0;
}

/* The agent on the host: build/verifier-agent/ktstr-verifier. */
static int agent_path(char *buf, size_t len)
{
	if (kt_root_path(buf, len, "build/verifier-agent/ktstr-verifier"))
		return -1;
	if (access(buf, X_OK))
		return kt_fail_errno("verifier agent %s (run 'make')", buf);
	return 0;
}

static int parse(int argc, char **argv, struct verifier_opts *o,
		 struct kt_verifier_report *rep)
{
	static const struct option own[] = {
		{ "json", required_argument, NULL, 'j' },
		{ "max-insns-pct", required_argument, NULL, 'p' },
		{ "while-loaded", required_argument, NULL, 'w' },
		{ "ready-timeout", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct option options[KT_LAUNCH_MAX_OPTIONS];
	int opt, end, handled, i;
	size_t n = 0;

	kt_launch_init(&o->launch, 0);
	o->ready_timeout_s = READY_TIMEOUT_S;
	kt_launch_options(own, options);
	for (end = 1; end < argc && strcmp(argv[end], "--"); end++)
		;
	while ((opt = getopt_long(end, argv, "h", options, NULL)) != -1) {
		handled = kt_launch_option(&o->launch, opt, optarg);
		if (handled < 0)
			return -1;
		o->timeout_given |= opt == KT_OPT_TIMEOUT;
		if (opt == 'h' || opt == '?' || opt == ':') {
			usage(opt == 'h' ? stdout : stderr);
			return opt == 'h' ? 1 : 2;
		}
		if ((!handled || opt == KT_OPT_KERNEL || opt == KT_OPT_TOPOLOGY) &&
		    own_option(o, opt, optarg))
			return -1;
	}
	if (optind + 1 != end)
		return kt_fail_usage(optind == end ? "expected the scheduler binary BIN" :
				     "expected one scheduler binary BIN, then -- ARGS");
	o->bin = argv[optind];
	if (check_bin(o) || (o->json && check_json_path(o->json)))
		return -1;
	if (!o->timeout_given)
		o->launch.timeout_s = o->ready_timeout_s + VM_EXTRA_S;
	if (!o->nr_topologies)
		o->topologies[o->nr_topologies++] = DEFAULT_TOPOLOGY;
	if (!o->nr_kernels)
		o->kernels[o->nr_kernels++] = NULL;
	snprintf(rep->scheduler, sizeof(rep->scheduler), "%s", o->bin_name);
	for (i = end + 1; i < argc && n < sizeof(rep->args); i++)
		n += snprintf(rep->args + n, sizeof(rep->args) - n, "%s%s",
			      n ? " " : "", argv[i]);
	return guest_command(o, argv + end + 1, argc > end ? argc - end - 1 : 0);
}

/* The agent and BIN, in every image (kt_launch's add_files). */
static int add_files(struct kt_initramfs *ir, void *ctx)
{
	struct verifier_opts *o = ctx;
	char guest[160];

	snprintf(guest, sizeof(guest), GUEST_BIN_DIR "/%s", o->bin_name);
	return kt_initramfs_add_file(ir, o->agent, GUEST_AGENT, 0) ?:
	       kt_initramfs_add_file(ir, o->bin, guest, 0);
}

static void run_failed(struct kt_verifier_run *run, const char *fmt,
		       const char *detail)
{
	snprintf(run->error, sizeof(run->error), fmt, detail);
}

/* One VM: @run gets its figures, or the reason it has none. */
static int one_run(struct verifier_opts *o, struct kt_verifier_run *run)
{
	static const char * const types[] = { "verifier" };
	struct kt_records rec = { .types = types, .nr_types = 1 };
	struct kt_launch *l = &o->launch;
	struct kt_vm_result r;
	struct kt_vm_opts vo;
	char status[32];

	/* Its guest agent reads x86_64 syscall registers. */
	if (l->arch != KT_ARCH_X86_64)
		return kt_fail_usage("--arch %s: ktstr verifier runs x86_64 guests only",
				     kt_arch_name(l->arch));
	if (kt_launch_prepare(l))
		return -1;
	snprintf(run->kernel, sizeof(run->kernel), "%s", l->kernel.version);
	snprintf(run->topology, sizeof(run->topology), "%s", l->topology_spec);
	kt_launch_vm_opts(l, &vo);
	vo.command = o->command;
	vo.stdout_fd = STDOUT_FILENO;
	vo.stderr_fd = STDERR_FILENO;
	vo.records = &rec;
	if (kt_launch_run(l, &vo, &r)) {
		kt_records_free(&rec);
		return -1;
	}
	if (l->dry_run) {
		kt_records_free(&rec);
		return 0;
	}
	snprintf(run->accel, sizeof(run->accel), "%s", kt_accel_name(r.accel));
	if (r.outcome != KT_VM_EXITED) {
		kt_launch_report(&r);
		run_failed(run, "VM %s", kt_vm_outcome_name(r.outcome));
	} else if (kt_verifier_run_records(run, rec.text ? rec.text : "")) {
		run_failed(run, "%s", kt_errmsg());
	} else if (r.exit_status) {
		snprintf(status, sizeof(status), "%d", r.exit_status);
		run_failed(run, "the guest agent exited with status %s (its reason is above)",
			   status);
	} else if (!run->enabled) {
		run_failed(run, "%s", "the scheduler was not enabled");
	}
	kt_records_free(&rec);
	return r.outcome == KT_VM_INTERRUPTED ? kt_vm_exit_code(&r) : 0;
}

/*
 * Every --kernel and --topology (with --memory) before the first boot:
 * one that is wrong must not cost the runs before it.  One run prepares
 * them again (kt_launch_prepare()), from the cache.
 */
static int resolve_all(const struct verifier_opts *o)
{
	static struct kt_kernel kernel;
	struct kt_topology topo;
	unsigned int i;

	for (i = 0; i < o->nr_topologies; i++) {
		if (kt_topology_parse(o->topologies[i], &topo))
			return -1;
		if (o->launch.memory_mib &&
		    kt_topology_set_memory(&topo, o->launch.memory_mib, "--memory"))
			return kt_fail_mark_usage();
	}
	for (i = 0; i < o->nr_kernels; i++)
		if (kt_kernel_obtain(o->kernels[i], &kernel) ||
		    !kt_launch_boot_image(&o->launch, &kernel))
			return -1;
	return 0;
}

/*
 * A run that cannot be done (its image, its VM) ends them all; the runs
 * done before it stay in @rep.
 */
static int run_all(struct verifier_opts *o, struct kt_verifier_report *rep,
		   bool *failed)
{
	struct kt_verifier_run *run;
	unsigned int k, t;
	int ret;

	for (k = 0; k < o->nr_kernels; k++) {
		for (t = 0; t < o->nr_topologies; t++) {
			o->launch.kernel_spec = o->kernels[k];
			o->launch.topology_spec = o->topologies[t];
			run = kt_verifier_add_run(rep);
			if (!run)
				return -1;
			ret = one_run(o, run);
			if (ret) {
				rep->nr_runs--;
				return ret;
			}
			*failed |= run->error[0] != 0;
		}
	}
	return 0;
}

/* The table and --json of the runs done, however many. */
static int report_runs(const struct verifier_opts *o,
		       const struct kt_verifier_report *rep)
{
	if (!rep->nr_runs)
		return 0;
	kt_verifier_report_print(rep, stdout);
	fflush(stdout);
	return o->json ? kt_verifier_report_save(rep, o->json) : 0;
}

int cmd_verifier(int argc, char **argv)
{
	struct kt_verifier_report rep = { 0 };
	struct verifier_opts o;
	bool failed = false;
	unsigned int over = 0;
	int ret;

	memset(&o, 0, sizeof(o));
	ret = parse(argc, argv, &o, &rep);
	if (ret > 0)
		return ret == 1 ? 0 : KT_EXIT_USAGE;
	if (ret || agent_path(o.agent, sizeof(o.agent)) || resolve_all(&o))
		goto fail;
	o.launch.add_files = add_files;
	o.launch.add_files_ctx = &o;
	ret = run_all(&o, &rep, &failed);
	if (ret) {
		if (ret < 0)
			fprintf(stderr, "ktstr verifier: %s\n", kt_errmsg());
		if (!o.launch.dry_run && report_runs(&o, &rep))
			fprintf(stderr, "ktstr verifier: %s\n", kt_errmsg());
		kt_verifier_report_free(&rep);
		return ret > 0 ? ret : kt_exit_status();
	}
	if (o.launch.dry_run) {
		kt_verifier_report_free(&rep);
		return 0;
	}
	if (report_runs(&o, &rep))
		goto fail;
	if (o.max_pct > 0)
		over = kt_verifier_check_insns(&rep, o.max_pct, stderr);
	kt_verifier_report_free(&rep);
	return failed || over ? KT_EXIT_FAILURE : 0;
fail:
	fprintf(stderr, "ktstr verifier: %s\n", kt_errmsg());
	kt_verifier_report_free(&rep);
	return kt_exit_status();
}
