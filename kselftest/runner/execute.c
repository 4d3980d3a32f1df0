// SPDX-License-Identifier: GPL-2.0
/*
 * Running a plan's items, each in its own fresh VM.  With -j N, each VM
 * is supervised by a forked child of its own, so that kt_vm_run() and its
 * signal handling stay single-threaded; the child hands its result back
 * through an unlinked temporary file and the parent reports results in
 * plan order, whatever order the VMs finish in.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../ktstr_sched_env.h"
#include "argv.h"
#include "cache.h"
#include "error.h"
#include "execute.h"
#include "guest.h"
#include "repro/repro.h"

#define MAX_SCHEDS 256
#define GUEST_TESTS "/ktstr/tests"
#define GUEST_SCHEDS "/ktstr/schedulers"
/* What the host keeps for itself when VMs run side by side. */
#define HOST_RESERVE_MIB 1024

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

int kt_exec_list_dir(const char *dir, const char *arch, char **out,
		     size_t max, size_t *count)
{
	char path[PATH_MAX + 256];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	*count = 0;
	if (!d)
		return kt_fail_errno("%s (run '%s')", dir,
				     kt_guest_make(arch));
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

void kt_exec_free_list(char **list, size_t count)
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

int kt_exec_build_image(struct kt_launch *l,
			const struct kt_kernel *const *kernels,
			size_t nr_kernels, const char *scheduler,
			char *const *progs, size_t nr_progs, const char *root,
			char *out, size_t len)
{
	char dir[PATH_MAX + 32], guest[PATH_MAX], *scheds[MAX_SCHEDS];
	size_t nr_scheds = 0;
	struct kt_initramfs *ir = kt_guest_image_for(kt_arch_name(l->arch));
	int ret = -1;

	if (!ir)
		return -1;
	if (kt_guest_build_path(kt_arch_name(l->arch), "schedulers", dir, sizeof(dir)))
		goto out;
	if (access(dir, F_OK) == 0 &&
	    kt_exec_list_dir(dir, kt_arch_name(l->arch), scheds, MAX_SCHEDS,
			     &nr_scheds))
		goto out;
	if (add_dir_files(ir, progs, nr_progs, GUEST_TESTS) ||
	    add_dir_files(ir, scheds, nr_scheds, GUEST_SCHEDS) ||
	    kt_guest_add_kernel_configs(ir, kernels, nr_kernels) ||
	    kt_guest_add_includes(ir, l->includes, l->nr_includes))
		goto out;
	/* The auto-repro agent, where it is built. */
	if (kt_guest_build_path(kt_arch_name(l->arch), "repro-agent/ktstr-probe", guest,
				sizeof(guest)))
		goto out;
	if (!access(guest, X_OK) &&
	    kt_initramfs_add_file(ir, guest, KT_REPRO_GUEST_AGENT, 0))
		goto out;
	if (scheduler) {
		snprintf(guest, sizeof(guest), GUEST_SCHEDS "/%s",
			 strrchr(scheduler, '/') ? strrchr(scheduler, '/') + 1 :
			 scheduler);
		if (kt_initramfs_add_file(ir, scheduler, guest, 0))
			goto out;
	}
	ret = kt_initramfs_build(ir, out, len);
out:
	kt_exec_free_list(scheds, nr_scheds);
	kt_initramfs_free(ir);
	return ret;
}

/*
 * The KTSTR_SCHEDULER_* environment of a scheduler the guest starts by
 * hand (kselftest/ktstr_sched_env.h): --scheduler BIN, with the run's
 * arguments, or a flag profile, with its own.
 */
static void scheduler_env(const struct kt_exec *e,
			  const struct kt_run_item *it, char *buf, size_t len)
{
	char args[1200], ops[160], decl[160], ignores[64];

	kt_shell_quote(e->scheduler ? (e->sched_args ? e->sched_args : "") :
		    it->sched_args, args, sizeof(args));
	kt_shell_quote(it->sched_ops, ops, sizeof(ops));
	kt_shell_quote(it->sched_decl, decl, sizeof(decl));
	ktstr_ignores_format(it->sched_flags, ignores, sizeof(ignores));
	snprintf(buf, len,
		 KTSTR_ENV_SCHEDULER "=" GUEST_SCHEDS "/%s "
		 KTSTR_ENV_SCHEDULER_ARGS "=%s " KTSTR_ENV_SCHEDULER_OPS "=%s "
		 KTSTR_ENV_SCHEDULER_IGNORES "=%s "
		 KTSTR_ENV_SCHEDULER_DECL "=%s ",
		 it->sched_binary, args, ops, ignores, decl);
}

static void guest_command(const struct kt_exec *e,
			  const struct kt_run_item *it, char *buf, size_t len)
{
	char sched[PATH_MAX] = "";
	const char *prog = strrchr(it->prog, '/') + 1;

	if (it->sched_binary[0])
		scheduler_env(e, it, sched, sizeof(sched));
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
		r->verdict = kt_tap_all_skipped(r->output, r->reason,
						sizeof(r->reason)) ?
			     KT_SKIP : KT_PASS;
	} else if (vm->exit_status == 4) {	/* KSFT_SKIP */
		r->verdict = KT_SKIP;
		kt_tap_skip_reason(r->output, r->reason, sizeof(r->reason));
	} else {
		r->verdict = KT_FAIL;
		snprintf(r->reason, sizeof(r->reason),
			 "test exited with status %d", vm->exit_status);
	}
}

static int item_topology(const struct kt_exec *e,
			 const struct kt_run_item *it, struct kt_topology *t)
{
	if (kt_topology_parse(it->topology, t))
		return -1;
	if (it->memory_mib &&
	    kt_topology_set_memory(t, it->memory_mib, it->topology))
		return -1;
	if (e->launch->memory_mib &&
	    kt_topology_set_memory(t, e->launch->memory_mib, "--memory"))
		return -1;
	return 0;
}

static void fail_result(struct kt_result *r)
{
	r->verdict = KT_FAIL;
	snprintf(r->reason, sizeof(r->reason), "%s", kt_errmsg());
}

/*
 * A test whose sched_ext scheduler exited when it should not have (or
 * any exit, for `ktstr repro`): rerun it with probes on the crash path.
 */
static void auto_repro(const struct kt_exec *e, const struct kt_vm_opts *vo,
		       const struct kt_exec_kernel *k, struct kt_result *r)
{
	struct kt_repro_result res;
	char agent[PATH_MAX];

	if (e->no_auto_repro || (r->verdict != KT_FAIL && !e->repro_always) ||
	    !kt_repro_wanted(r->output, e->repro_always))
		return;
	/* The image has it if it is built: else say so, and boot nothing. */
	if (kt_repro_agent_path(kt_arch_name(e->launch->arch), agent,
				sizeof(agent)) ||
	    kt_repro_run(vo, vo->command, r->output, k->kernel.vmlinux, &res)) {
		if (asprintf(&r->repro_text, "AUTO-PROBE: skipped: %s\n",
			     kt_errmsg()) < 0)
			r->repro_text = NULL;
		return;
	}
	r->repro_text = res.text;
	r->repro_json = res.json;
}

/* Returns 128 + signal if the VM was interrupted, else 0. */
/*
 * Which image booted and whether with KASLR, which only a bzImage's
 * decompressor gives on x86_64 (an arm64 Image moves itself): results of
 * the two are not comparable.
 */
static void boot_image_of(const struct kt_exec_kernel *k,
			  const struct kt_vm_opts *vo, struct kt_result *r)
{
	bool bzimage = k->kernel.bzimage[0] &&
		       !strcmp(k->boot_image, k->kernel.bzimage);
	const char *name = vo->arch == KT_ARCH_ARM64 ? "Image" : "bzImage";

	snprintf(r->boot_image, sizeof(r->boot_image), "%s",
		 bzimage ? name : "vmlinux");
	r->kaslr = bzimage && !vo->nokaslr;
}

static int run_one(const struct kt_exec *e, const struct kt_run_item *it,
		   struct kt_result *r)
{
	const struct kt_exec_kernel *k = &e->kernels[it->kernel];
	struct kt_topology topo;
	struct kt_vm_opts vo;
	struct kt_vm_result vm;
	struct kt_watch_vm watch;
	char command[2048], log_dir[PATH_MAX + 200], why[160];

	memset(r, 0, sizeof(*r));
	r->item = it;
	snprintf(r->kernel, sizeof(r->kernel), "%s", k->kernel.version);
	snprintf(r->arch, sizeof(r->arch), "%s", kt_arch_name(e->launch->arch));
	if (item_topology(e, it, &topo)) {
		fail_result(r);
		return 0;
	}
	if (kt_topology_check_arch(&topo, e->launch->arch)) {
		/* A test of what another arch has (capacities): not a failure. */
		r->verdict = KT_SKIP;
		snprintf(r->reason, sizeof(r->reason), "%s", kt_errmsg());
		return 0;
	}
	kt_launch_vm_opts(e->launch, &vo);
	vo.topo = &topo;
	vo.kernel = k->boot_image;
	vo.initramfs = e->initramfs;
	/* --timeout replaces every test's own limit. */
	vo.timeout_s = e->launch->timeout_s ? e->launch->timeout_s :
		       it->test_timeout_s +
		       kt_boot_margin_s(kt_topology_cpus(&topo));
	vo.dry_run = false;
	if (e->launch->log_dir) {
		snprintf(log_dir, sizeof(log_dir), "%s/%s", e->launch->log_dir,
			 it->name);
		vo.log_dir = log_dir;
	}
	guest_command(e, it, command, sizeof(command));
	vo.command = command;
	vo.capture_stdout = &r->output;
	vo.records = &r->records;
	if (kt_watch_begin(&watch, &e->watch, it->kernel, &topo, &vo) ||
	    kt_accel_resolve_arch(e->launch->arch, e->launch->accel,
				  &vo.accel, why, sizeof(why)) ||
	    kt_vm_run(&vo, &vm)) {
		fail_result(r);
		kt_watch_end(&watch, &e->watch, it, NULL, r);
		return 0;
	}
	snprintf(r->accel, sizeof(r->accel), "%s", kt_accel_name(vm.accel));
	snprintf(r->boot, sizeof(r->boot), "%s", kt_vm_boot_name(vm.boot));
	boot_image_of(k, &vo, r);
	r->wall_s = vm.wall_s;
	judge(r, &vm);
	kt_watch_end(&watch, &e->watch, it, e->json, r);
	if (vm.outcome == KT_VM_EXITED)
		auto_repro(e, &vo, k, r);
	return vm.outcome == KT_VM_INTERRUPTED ? 128 + vm.signal : 0;
}

/* Reports one result: TAP, JSON, the caller's hook. */
static void report(const struct kt_exec *e, unsigned int n,
		   const struct kt_result *r,
		   void (*on_result)(const struct kt_result *r, void *arg),
		   void *arg)
{
	kt_tap_result(n, r);
	if (e->json && kt_json_write(e->json, r))
		fprintf(stderr, "ktstr: %s\n", kt_errmsg());
	if (on_result)
		on_result(r, arg);
}

static int run_serial(struct kt_exec *e, const struct kt_plan *p,
		      struct kt_result *results, unsigned int *done,
		      void (*on_result)(const struct kt_result *r, void *arg),
		      void *arg)
{
	unsigned int i;
	int stop = 0;

	for (i = 0; i < p->count && !stop; i++) {
		progress(&p->items[i], i + 1, p->count);
		stop = run_one(e, &p->items[i], &results[i]);
		progress(NULL, 0, 0);
		if (stop)
			break;
		report(e, i + 1, &results[i], on_result, arg);
		*done = i + 1;
	}
	return stop;
}

/*
 * A child's result travels as the struct (its pointers are meaningless in
 * the parent) followed by the output.  A pointer field added to struct
 * kt_result needs its own place here.
 */
enum wire_text { WIRE_OUTPUT, WIRE_MONITOR_SUMMARY, WIRE_MONITOR_JSON,
		 WIRE_REPRO_TEXT, WIRE_REPRO_JSON, WIRE_RECORDS, NR_WIRE_TEXTS };

struct wire_header {
	struct kt_result result;
	size_t len[NR_WIRE_TEXTS];
	int stop;
};

static char **wire_text(struct kt_result *r, enum wire_text t)
{
	switch (t) {
	case WIRE_MONITOR_SUMMARY:
		return &r->monitor_summary;
	case WIRE_MONITOR_JSON:
		return &r->monitor_json;
	case WIRE_REPRO_TEXT:
		return &r->repro_text;
	case WIRE_REPRO_JSON:
		return &r->repro_json;
	case WIRE_RECORDS:
		return &r->records.text;
	default:
		return &r->output;
	}
}

static int send_result(int fd, struct kt_result *r, int stop)
{
	struct wire_header h = { .result = *r, .stop = stop };
	enum wire_text t;

	for (t = 0; t < NR_WIRE_TEXTS; t++)
		h.len[t] = *wire_text(r, t) ? strlen(*wire_text(r, t)) : 0;
	if (write(fd, &h, sizeof(h)) != sizeof(h))
		return -1;
	for (t = 0; t < NR_WIRE_TEXTS; t++)
		if (h.len[t] && write(fd, *wire_text(r, t), h.len[t]) !=
				(ssize_t)h.len[t])
			return -1;
	return 0;
}

static int recv_result(int fd, const struct kt_run_item *it,
		       struct kt_result *r, int *stop)
{
	struct wire_header h;

	if (lseek(fd, 0, SEEK_SET) ||
	    read(fd, &h, sizeof(h)) != sizeof(h))
		return -1;
	enum wire_text t;
	char **text;

	*r = h.result;
	r->item = it;
	*stop = h.stop;
	for (t = 0; t < NR_WIRE_TEXTS; t++)
		*wire_text(r, t) = NULL;
	for (t = 0; t < NR_WIRE_TEXTS; t++) {
		if (!h.len[t])
			continue;
		text = wire_text(r, t);
		*text = malloc(h.len[t] + 1);
		if (!*text || read(fd, *text, h.len[t]) != (ssize_t)h.len[t])
			return -1;
		(*text)[h.len[t]] = '\0';
	}
	return 0;
}

struct slot {
	pid_t pid;
	int fd;
	unsigned int item;
	unsigned long memory_mib;
};

static volatile sig_atomic_t pending_signal;

static void on_parent_signal(int sig)
{
	pending_signal = sig;
}

unsigned long kt_exec_available_mib(void)
{
	char line[256];
	unsigned long kib = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lu kB", &kib) == 1)
			break;
	fclose(f);
	return kib / 1024;
}

static int start_child(struct kt_exec *e, const struct kt_run_item *it,
		       struct slot *s)
{
	struct kt_result r;
	int stop;

	s->fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (s->fd < 0)
		return kt_fail_errno("a result file in /tmp");
	fflush(stdout);
	fflush(stderr);
	s->pid = fork();
	if (s->pid < 0) {
		close(s->fd);
		return kt_fail_errno("fork");
	}
	if (s->pid)
		return 0;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	stop = run_one(e, it, &r);
	_exit(send_result(s->fd, &r, stop) ? 1 : 0);
}

static void forward_signal(struct slot *slots, unsigned int jobs)
{
	unsigned int i;

	for (i = 0; i < jobs; i++)
		if (slots[i].pid > 0)
			kill(slots[i].pid, pending_signal);
}

/* Waits for one child; its result goes to results[], marked done. */
static int reap(struct slot *slots, unsigned int jobs,
		const struct kt_plan *p, struct kt_result *results,
		bool *finished, int *stop)
{
	int status, child_stop = 0;
	unsigned int i;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, 0);
		if (pid > 0)
			break;
		if (errno != EINTR)
			return kt_fail_errno("waitpid");
		if (pending_signal)
			forward_signal(slots, jobs);
	}
	for (i = 0; i < jobs && slots[i].pid != pid; i++)
		;
	if (i == jobs)
		return 0;
	if (recv_result(slots[i].fd, &p->items[slots[i].item],
			&results[slots[i].item], &child_stop)) {
		struct kt_result *r = &results[slots[i].item];

		memset(r, 0, sizeof(*r));
		r->item = &p->items[slots[i].item];
		r->verdict = KT_FAIL;
		snprintf(r->reason, sizeof(r->reason),
			 "the process running this VM died (status %#x)",
			 status);
		/* Its QEMU died with it (PDEATHSIG); its files did not. */
		kt_vm_sweep_stale_shm();
		kt_vm_sweep_run_dirs(pid);
	}
	if (child_stop && !*stop)
		*stop = child_stop;
	finished[slots[i].item] = true;
	close(slots[i].fd);
	slots[i].pid = 0;
	return 0;
}

static bool fits(const struct slot *slots, unsigned int jobs,
		 unsigned long need_mib, unsigned long avail_mib)
{
	unsigned long used = 0;
	unsigned int i, running = 0;

	for (i = 0; i < jobs; i++)
		if (slots[i].pid > 0) {
			used += slots[i].memory_mib;
			running++;
		}
	/* One VM always may run; it fails on its own if it cannot. */
	return !running || used + need_mib + HOST_RESERVE_MIB <= avail_mib;
}

static bool running(const struct slot *slots, unsigned int jobs)
{
	unsigned int i;

	for (i = 0; i < jobs; i++)
		if (slots[i].pid > 0)
			return true;
	return false;
}

static struct slot *free_slot(struct slot *slots, unsigned int jobs)
{
	unsigned int i;

	for (i = 0; i < jobs; i++)
		if (slots[i].pid <= 0)
			return &slots[i];
	return NULL;
}

static unsigned long item_memory(const struct kt_exec *e,
				 const struct kt_run_item *it)
{
	struct kt_topology t;

	return item_topology(e, it, &t) ? 0 : t.memory_mib;
}

static int run_parallel(struct kt_exec *e, const struct kt_plan *p,
			struct kt_result *results, unsigned int *done,
			void (*on_result)(const struct kt_result *r, void *arg),
			void *arg)
{
	struct sigaction sa = { .sa_handler = on_parent_signal }, old[3];
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct slot slots[64] = { 0 }, *s;
	unsigned long avail = kt_exec_available_mib();
	unsigned int next = 0, jobs = e->jobs > 64 ? 64 : e->jobs, i;
	bool *finished = calloc(p->count + 1, sizeof(*finished));
	int stop = 0, ret = 0;

	if (!finished)
		return kt_fail("out of memory"), 1;
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	while (*done < p->count) {
		unsigned long need = next < p->count ?
				     item_memory(e, &p->items[next]) : 0;

		s = free_slot(slots, jobs);
		if (!stop && !pending_signal && next < p->count && s &&
		    fits(slots, jobs, need, avail)) {
			s->item = next;
			s->memory_mib = need;
			if (start_child(e, &p->items[next], s)) {
				ret = -1;
				break;
			}
			next++;
			continue;
		}
		if (next == *done)
			break;	/* stopped, nothing running */
		if (reap(slots, jobs, p, results, finished, &stop)) {
			ret = -1;
			break;
		}
		if (pending_signal && !stop)
			stop = 128 + pending_signal;
		while (*done < next && finished[*done] && !stop) {
			report(e, *done + 1, &results[*done], on_result, arg);
			(*done)++;
		}
		if (stop)
			break;
	}
	/* Stopped early: let the VMs already started stop themselves. */
	while (!ret && running(slots, jobs))
		ret = reap(slots, jobs, p, results, finished, &stop);
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	free(finished);
	if (ret)
		return fprintf(stderr, "ktstr: %s\n", kt_errmsg()), 1;
	return stop;
}

/* Before any VM, and before -j forks: the children share what it read. */
static void watch_kernels(struct kt_exec *e)
{
	const struct kt_kernel *kernels[KT_EXEC_MAX_KERNELS];
	unsigned int i;

	for (i = 0; i < e->nr_kernels; i++)
		kernels[i] = &e->kernels[i].kernel;
	kt_watch_prepare(&e->watch, kernels, e->nr_kernels);
}

int kt_exec_run(struct kt_exec *e, const struct kt_plan *p,
		void (*on_result)(const struct kt_result *r, void *arg),
		void *arg)
{
	struct kt_result *results = calloc(p->count ? p->count : 1,
					   sizeof(*results));
	unsigned int failed = 0, done = 0, i;
	double start = now_s();
	int stop;

	if (!results)
		return kt_fail("out of memory"), 1;
	watch_kernels(e);
	kt_tap_begin(p->count);
	if (e->jobs > 1)
		stop = run_parallel(e, p, results, &done, on_result, arg);
	else
		stop = run_serial(e, p, results, &done, on_result, arg);
	for (i = 0; i < done; i++)
		failed += results[i].verdict == KT_FAIL;
	printf("# ktstr: %u tests, %u failed, %.1fs\n", done, failed,
	       now_s() - start);
	if (e->junit &&
	    kt_junit_write(e->junit, results, done, now_s() - start))
		fprintf(stderr, "ktstr: %s\n", kt_errmsg());
	for (i = 0; i < p->count; i++) {
		free(results[i].output);
		free(results[i].monitor_summary);
		free(results[i].monitor_json);
		free(results[i].repro_text);
		free(results[i].repro_json);
		kt_records_free(&results[i].records);
	}
	free(results);
	kt_watch_release(&e->watch);
	if (stop)
		return stop;
	return failed ? 1 : 0;
}

unsigned int kt_exec_default_jobs(enum kt_accel want)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	enum kt_accel accel;
	char why[256];

	if (kt_accel_resolve(want, &accel, why, sizeof(why)) ||
	    accel != KT_ACCEL_TCG || cpus < 2)
		return 1;
	return cpus < KT_EXEC_TCG_JOBS_MAX ? cpus : KT_EXEC_TCG_JOBS_MAX;
}

int kt_exec_parse_jobs(const char *s, unsigned int *jobs)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	char *end;
	long n;

	/* 0: chosen at the start from the host, as without -j. */
	if (!strcmp(s, "auto")) {
		*jobs = 0;
		return 0;
	}
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || end == s || *end || n < 1)
		return kt_fail_usage("-j '%s': not a number of VMs (1 or more) or auto", s);
	if (n > cpus)
		return kt_fail_usage("-j %ld: more VMs than the host's %ld CPUs",
				     n, cpus);
	*jobs = n;
	return 0;
}
