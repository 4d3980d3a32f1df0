// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfmap.h"
#include "btf.h"
#include "error.h"
#include "json.h"
#include "memimage.h"
#include "monitor.h"
#include "symbols.h"
#include "target.h"
#include "vcpu_clock.h"

struct kt_monitor_kernel {
	struct kt_btf btf;
	struct kt_symbols syms;
	struct kt_layout layout;
	struct kt_bpfmap_layout maps;
};

struct kt_monitor {
	const struct kt_monitor_kernel *kernel;
	struct kt_monitor_config config;
	unsigned int max_cpus;
	struct kt_target target;
	struct kt_vcpu_clock vcpus;
	struct kt_series series;
	struct kt_memimage_rec *record;
	bool recorded;			/* saved by kt_monitor_stop() */
	json_t *globals;		/* keep_globals: the last read */
	struct kt_bpfmap_cache btfs;	/* ... with the BTF it parsed */
	double globals_t;
	size_t globals_tried;		/* the sample of the last try */
	bool globals_final;		/* read as the scheduler exited */
	char globals_error[1024];	/* why the last try failed, or "" */
	pthread_mutex_t read_lock;	/* one reader of the guest at a time */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool running, stopping;
	char error[1024];
};

struct kt_monitor_kernel *kt_monitor_kernel_load(const char *vmlinux,
						 const char *system_map)
{
	struct kt_monitor_kernel *k = calloc(1, sizeof(*k));
	enum kt_arch arch;

	if (!k) {
		kt_fail("out of memory");
		return NULL;
	}
	if (!vmlinux || !*vmlinux) {
		kt_fail("the monitor needs the kernel's vmlinux for its BTF");
		goto fail;
	}
	if (kt_btf_load(&k->btf, vmlinux))
		goto fail;
	/* The kernel says which guest it runs on, never the host. */
	if (kt_vmlinux_arch(vmlinux, &arch) ||
	    kt_symbols_load(&k->syms, vmlinux, system_map))
		goto fail_btf;
	if (kt_layout_resolve_arch(&k->layout, arch, &k->btf, &k->syms) ||
	    kt_layout_read_banner(&k->layout, vmlinux))
		goto fail_syms;
	kt_bpfmap_layout_resolve(&k->maps, &k->btf, &k->syms);
	return k;
fail_syms:
	kt_symbols_free(&k->syms);
fail_btf:
	kt_btf_free(&k->btf);
fail:
	free(k);
	return NULL;
}

void kt_monitor_kernel_free(struct kt_monitor_kernel *k)
{
	if (!k)
		return;
	kt_symbols_free(&k->syms);
	kt_btf_free(&k->btf);
	free(k);
}

const char *kt_monitor_kernel_missing(const struct kt_monitor_kernel *k)
{
	return k->layout.missing;
}

const struct kt_layout *kt_monitor_kernel_layout(const struct kt_monitor_kernel *k)
{
	return &k->layout;
}

struct kt_monitor *kt_monitor_new(const struct kt_monitor_kernel *k,
				  const struct kt_monitor_config *c,
				  unsigned int nr_cpus)
{
	struct kt_monitor *m;
	pthread_condattr_t attr;

	/* memimage.h's excerpts have q35's RAM layout only. */
	if (c->maps_record && k->layout.arch != KT_ARCH_X86_64) {
		kt_fail_usage("--maps-record %s: recording is for x86-64 guests only, this kernel is %s",
			      c->maps_record, kt_arch_name(k->layout.arch));
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		kt_fail("out of memory");
		return NULL;
	}
	m->kernel = k;
	m->config = *c;
	if (!m->config.interval_ms)
		m->config.interval_ms = KT_MONITOR_DEFAULT_INTERVAL_MS;
	m->max_cpus = nr_cpus;
	kt_vcpu_clock_init(&m->vcpus);
	pthread_mutex_init(&m->lock, NULL);
	pthread_mutex_init(&m->read_lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&m->wake, &attr);
	pthread_condattr_destroy(&attr);
	kt_series_init(&m->series, &k->layout, 0, m->config.interval_ms);
	return m;
}

static void advance(struct timespec *t, unsigned int ms)
{
	t->tv_nsec += (long)ms * 1000000L;
	t->tv_sec += t->tv_nsec / 1000000000L;
	t->tv_nsec %= 1000000000L;
}

/* Sleeps until @deadline; false once asked to stop. */
static bool wait_until(struct kt_monitor *m, const struct timespec *deadline)
{
	bool go_on;

	pthread_mutex_lock(&m->lock);
	while (!m->stopping &&
	       pthread_cond_timedwait(&m->wake, &m->lock, deadline) != ETIMEDOUT)
		;
	go_on = !m->stopping;
	pthread_mutex_unlock(&m->lock);
	return go_on;
}

/* Host-side values: what each vCPU thread has run so far. */
static void time_vcpus(const struct kt_monitor *m, struct kt_sample *s)
{
	unsigned int cpu;
	int64_t ns;

	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		ns = kt_vcpu_clock_read(&m->vcpus, cpu);
		s->cpu[cpu].v[KT_CV_VCPU_RUN] = ns == INT64_MIN ? KT_NA : ns;
	}
	ns = kt_vcpu_clock_read_all(&m->vcpus);
	s->vm_run = ns == INT64_MIN ? KT_NA : ns;
}

static void save_record(struct kt_monitor *m)
{
	if (kt_memimage_save(m->record, m->config.maps_record,
			     m->target.nr_cpus))
		snprintf(m->error, sizeof(m->error), "--maps-record: %s",
			 kt_errmsg());
	kt_memimage_rec_free(m->record);
	m->record = NULL;
}

/*
 * A recording is of one dump that found the scheduler, from the first
 * read on: the kernel found again, then its maps.  Saved (compressed,
 * which takes a while) once sampling is over.
 */
static json_t *record_maps(struct kt_monitor *m)
{
	json_t *maps = NULL;

	pthread_mutex_lock(&m->read_lock);
	kt_memimage_rec_reset(m->record);
	if (kt_target_setup(&m->target, &m->kernel->layout, m->max_cpus)) {
		kt_fail("--maps-record: finding the kernel again: %s",
			kt_errmsg());
		snprintf(m->error, sizeof(m->error), "%s", kt_errmsg());
	} else {
		maps = kt_bpfmap_dump(&m->target, &m->kernel->maps,
				      m->config.map_names,
				      m->config.nr_map_names);
	}
	/* The error of an earlier try, if any, is past: this one worked. */
	if (maps) {
		kt_memimage_rec_stop(m->record);
		m->recorded = true;
		m->error[0] = 0;
	}
	pthread_mutex_unlock(&m->read_lock);
	return maps;
}

static void print_maps(struct kt_monitor *m, double t)
{
	FILE *f = m->config.maps_out ? m->config.maps_out : stdout;
	json_t *maps;

	if (m->record && !m->recorded)
		maps = record_maps(m);
	else
		maps = kt_monitor_maps(m, m->config.map_names,
				       m->config.nr_map_names);
	fprintf(f, "maps at %.2fs:\n", t);
	if (maps)
		kt_bpfmap_print(f, maps, "  ");
	else
		fprintf(f, "  %s\n", kt_errmsg());
	fflush(f);
	json_decref(maps);
}

static double thread_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/*
 * A second apart while the scheduler runs, whether the last try read
 * them or not; once more, and then no more, in the first sample that
 * sees it exiting (its maps go with it).  Returns the host CPU it took,
 * in us: part of the sample's cost.
 */
static double keep_globals(struct kt_monitor *m, const struct kt_sample *s)
{
	size_t i = m->series.count - 1;
	size_t every = (999 + m->config.interval_ms) / m->config.interval_ms;
	bool exiting = s->exit_kind > 0, tried = m->globals || m->globals_error[0];
	double start = thread_cpu_us();
	json_t *g;

	if (m->globals_final || !s->scheduler[0] ||
	    (tried && !exiting && i - m->globals_tried < every))
		return 0;
	pthread_mutex_lock(&m->read_lock);
	g = kt_bpfmap_globals(&m->target, &m->kernel->maps, &m->btfs);
	if (!g)
		snprintf(m->globals_error, sizeof(m->globals_error), "%s",
			 kt_errmsg());
	pthread_mutex_unlock(&m->read_lock);
	m->globals_final = exiting;
	m->globals_tried = i;
	if (g) {	/* else gone already: the last one read stays */
		json_decref(m->globals);
		m->globals = g;
		m->globals_t = kt_series_time(&m->series, i);
		m->globals_error[0] = 0;
	}
	return thread_cpu_us() - start;
}

static void *sample_loop(void *arg)
{
	struct kt_monitor *m = arg;
	struct kt_sample *s;
	struct timespec next;
	sigset_t all;

	/* Signals are the VM runner's business, on its own thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	clock_gettime(CLOCK_MONOTONIC, &next);
	do {
		s = kt_series_add(&m->series);
		if (s) {
			kt_sample_take(&m->target, s);
			time_vcpus(m, s);
			if (m->config.live) {
				kt_monitor_print_sample(m->config.live,
							&m->series,
							m->series.count - 1);
				fflush(m->config.live);
			}
			if (m->config.maps)
				print_maps(m, kt_series_time(&m->series,
							     m->series.count - 1));
			if (m->config.keep_globals)
				s->cost_us += keep_globals(m, s);
		}
		advance(&next, m->config.interval_ms);
	} while (wait_until(m, &next));
	return NULL;
}

/* With --maps-record, everything read from the first byte is recorded. */
static int attach(struct kt_monitor *m, const char *shm_prefix,
		  unsigned int nodes)
{
	if (!m->config.maps_record)
		return kt_target_attach(&m->target, &m->kernel->layout,
					shm_prefix, nodes, m->max_cpus);
	memset(&m->target, 0, sizeof(m->target));
	if (kt_guestmem_open(&m->target.mem, shm_prefix, nodes))
		return -1;
	m->record = kt_memimage_record(&m->target.mem);
	if (!m->record ||
	    kt_target_setup(&m->target, &m->kernel->layout, m->max_cpus)) {
		kt_memimage_rec_free(m->record);
		m->record = NULL;
		kt_guestmem_close(&m->target.mem);
		return -1;
	}
	return 0;
}

int kt_monitor_start(void *ctx, const char *shm_prefix, unsigned int nodes,
		     pid_t qemu)
{
	struct kt_monitor *m = ctx;
	int err;

	if (m->running)
		return 0;
	if (attach(m, shm_prefix, nodes)) {
		snprintf(m->error, sizeof(m->error), "%s", kt_errmsg());
		return -1;
	}
	m->series.nr_cpus = m->target.nr_cpus;
	m->series.place = m->target.place;
	m->series.find_us = m->target.find_us;
	/* Without vCPU thread names the samples just lack vcpu_run. */
	if (qemu > 0)
		kt_vcpu_clock_open(&m->vcpus, qemu, m->target.nr_cpus);
	err = pthread_create(&m->thread, NULL, sample_loop, m);
	if (err) {
		errno = err;
		kt_fail_errno("monitor thread");
		snprintf(m->error, sizeof(m->error), "%s", kt_errmsg());
		kt_memimage_rec_free(m->record);
		m->record = NULL;
		kt_vcpu_clock_close(&m->vcpus);
		kt_target_detach(&m->target);
		return -1;
	}
	m->running = true;
	return 0;
}

void kt_monitor_stop(void *ctx)
{
	struct kt_monitor *m = ctx;

	if (!m->running)
		return;
	pthread_mutex_lock(&m->lock);
	m->stopping = true;
	pthread_cond_signal(&m->wake);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	kt_vcpu_clock_close(&m->vcpus);
	pthread_mutex_lock(&m->read_lock);
	if (m->record && m->recorded)
		save_record(m);
	if (m->record && !m->error[0])
		snprintf(m->error, sizeof(m->error),
			 "--maps-record %s: no map dump found the scheduler's maps",
			 m->config.maps_record);
	kt_memimage_rec_free(m->record);
	m->record = NULL;
	kt_target_detach(&m->target);
	m->running = false;
	pthread_mutex_unlock(&m->read_lock);
}

const struct kt_series *kt_monitor_series(const struct kt_monitor *m)
{
	return &m->series;
}

json_t *kt_monitor_maps(struct kt_monitor *m, const char *const *names,
			unsigned int nr_names)
{
	json_t *maps = NULL;

	pthread_mutex_lock(&m->read_lock);
	if (!m->target.mem.nr_nodes)
		kt_fail("the monitor is not attached to a guest");
	else
		maps = kt_bpfmap_dump(&m->target, &m->kernel->maps, names,
				      nr_names);
	pthread_mutex_unlock(&m->read_lock);
	return maps;
}

json_t *kt_monitor_globals(const struct kt_monitor *m, double *t)
{
	*t = m->globals_t;
	return json_incref(m->globals);
}

const char *kt_monitor_globals_error(const struct kt_monitor *m)
{
	return m->globals_error[0] ? m->globals_error : NULL;
}

void kt_monitor_print_maps(FILE *f, const json_t *maps, const char *indent)
{
	kt_bpfmap_print(f, maps, indent);
}

void kt_monitor_report_globals(FILE *f, json_t *mon, const json_t *globals,
			       double t, const char *error)
{
	json_t *changing = json_array(), *m, *g;
	const char *name;
	size_t i;

	/* In TAP what changes: .rodata, fixed at load, is in the JSON. */
	json_array_foreach(globals, i, m) {
		name = json_string_value(json_object_get(m, "name"));
		if (changing && (!name || !strstr(name, ".rodata")))
			json_array_append(changing, m);
	}
	if (f && globals && changing) {
		fprintf(f, "monitor: scheduler globals at %.1fs, the last read while it was attached (.rodata in the JSON result):\n",
			t);
		kt_bpfmap_print_lines(f, changing, "monitor:   ",
				      KT_MONITOR_GLOBALS_LINES);
	}
	json_decref(changing);
	if (f && error)
		fprintf(f, "monitor: scheduler globals: %s\n", error);
	if (!mon || (!globals && !error))
		return;
	g = globals ? json_pack("{s:o, s:O}", "t", kt_json_real(t, 2), "maps",
				globals) : json_object();
	if (g && error)
		json_object_set_new(g, "error", kt_json_text(error));
	json_object_set_new(mon, "scheduler_globals", g);
}

const char *kt_monitor_error(const struct kt_monitor *m)
{
	return m->error[0] ? m->error : NULL;
}

void kt_monitor_free(struct kt_monitor *m)
{
	if (!m)
		return;
	kt_monitor_stop(m);
	kt_series_free(&m->series);
	json_decref(m->globals);
	kt_bpfmap_cache_free(&m->btfs);
	pthread_cond_destroy(&m->wake);
	pthread_mutex_destroy(&m->lock);
	pthread_mutex_destroy(&m->read_lock);
	free(m);
}

int kt_monitor_parse_interval(const char *option, const char *arg,
			      unsigned int *ms)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (!*arg || *end || v < 1 || v > 60000)
		return kt_fail_usage("%s '%s': expected milliseconds, 1 to 60000",
				     option, arg);
	*ms = v;
	return 0;
}

static void print_value(FILE *f, const char *label, int64_t v)
{
	if (v == KT_NA)
		fprintf(f, " %s -", label);
	else
		fprintf(f, " %s %lld", label, (long long)v);
}

void kt_monitor_print_sample(FILE *f, const struct kt_series *s, size_t i)
{
	const struct kt_sample *x = &s->samples[i];
	unsigned int cpu;

	fprintf(f, "%7.2fs jiffies %lld %s %s |", kt_series_time(s, i),
		(long long)x->jiffies,
		kt_layout_enable_name(s->layout, x->enable_state),
		x->scheduler[0] ? x->scheduler : "-");
	for (cpu = 0; cpu < x->nr_cpus; cpu++) {
		const struct kt_cpu_sample *c = &x->cpu[cpu];

		fprintf(f, " cpu%u:", cpu);
		print_value(f, "run", c->v[KT_CV_NR_RUNNING]);
		print_value(f, "scx", c->v[KT_CV_SCX_NR_RUNNING]);
		print_value(f, "dsq", c->v[KT_CV_LOCAL_DSQ]);
		fprintf(f, " %s", c->curr_idle ? "idle" : c->comm);
		if (cpu + 1 < x->nr_cpus)
			fputs(" |", f);
	}
	fputc('\n', f);
}
