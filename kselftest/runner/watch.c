// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "compiler.h"
#include "error.h"
#include "json.h"
#include "monitor/output.h"
#include "watch.h"

/* A declaration's KTSTR_MON_* bits, verdict by verdict. */
static const unsigned int decl_bits[KT_NR_VERDICTS] = {
	[KT_V_STALL] = KTSTR_MON_STALL,
	[KT_V_IMBALANCE] = KTSTR_MON_IMBALANCE,
	[KT_V_LOCAL_DSQ] = KTSTR_MON_LOCAL_DSQ,
	[KT_V_FALLBACK_RATE] = KTSTR_MON_FALLBACK_RATE,
	[KT_V_KEEP_LAST_RATE] = KTSTR_MON_KEEP_LAST_RATE,
	[KT_V_CONSERVATION] = KTSTR_MON_CONSERVATION,
};

static unsigned int verdict_bits(unsigned int decl)
{
	unsigned int k, bits = 0;

	for (k = 0; k < KT_NR_VERDICTS; k++)
		if (decl & decl_bits[k])
			bits |= KT_V_BIT(k);
	return bits;
}

void kt_watch_add_options(struct option *options, size_t max)
{
	static const struct option own[] = {
		{ "no-monitor", no_argument, NULL, KT_OPT_NO_MONITOR },
		{ "monitor-interval", required_argument, NULL,
		  KT_OPT_MONITOR_INTERVAL },
	};
	size_t n = 0, i;

	while (options[n].name)
		n++;
	for (i = 0; i < ARRAY_SIZE(own) && n + 1 < max; i++)
		options[n++] = own[i];
	memset(&options[n], 0, sizeof(options[n]));
}

int kt_watch_option(struct kt_watch *w, int opt, const char *arg)
{
	switch (opt) {
	case KT_OPT_NO_MONITOR:
		w->off = true;
		return 1;
	case KT_OPT_MONITOR_INTERVAL:
		return kt_monitor_parse_interval("--monitor-interval", arg,
						 &w->interval_ms) ? -1 : 1;
	}
	return 0;
}

void kt_watch_prepare(struct kt_watch *w, const struct kt_kernel *const *kernels,
		      unsigned int nr_kernels)
{
	unsigned int i;

	for (i = 0; i < nr_kernels && i < KT_WATCH_MAX_KERNELS; i++) {
		w->kernels[i] = NULL;
		w->why_not[i][0] = '\0';
		if (w->off)
			continue;
		w->kernels[i] = kt_monitor_kernel_load(kernels[i]->vmlinux,
						       kernels[i]->system_map);
		if (!w->kernels[i])
			snprintf(w->why_not[i], sizeof(w->why_not[i]),
				 "kernel %s: %s", kernels[i]->version,
				 kt_errmsg());
	}
}

void kt_watch_release(struct kt_watch *w)
{
	unsigned int i;

	for (i = 0; i < KT_WATCH_MAX_KERNELS; i++) {
		kt_monitor_kernel_free(w->kernels[i]);
		w->kernels[i] = NULL;
	}
}

int kt_watch_begin(struct kt_watch_vm *v, const struct kt_watch *w,
		   unsigned int kernel, const struct kt_topology *t,
		   struct kt_vm_opts *vo)
{
	struct kt_monitor_config c = { .interval_ms = w->interval_ms,
					.keep_globals = true };

	memset(v, 0, sizeof(*v));
	v->kernel = kernel;
	if (w->off || kernel >= KT_WATCH_MAX_KERNELS || !w->kernels[kernel])
		return 0;
	v->monitor = kt_monitor_new(w->kernels[kernel], &c,
				    kt_topology_cpus(t));
	if (!v->monitor)
		return -1;
	v->observer = (struct kt_vm_observer){ kt_monitor_start,
					       kt_monitor_stop, v->monitor };
	vo->observer = &v->observer;
	return 0;
}

void kt_watch_limits(const struct ktstr_monitor_decl *d,
		     struct kt_monitor_limits *l)
{
	unsigned int off;

	kt_monitor_limits_default(l);
	if (d->stall_ms)
		l->stall_ms = d->stall_ms;
	if (d->imbalance_x10)
		l->max_imbalance = d->imbalance_x10 / 10.0;
	if (d->max_local_dsq)
		l->max_local_dsq = d->max_local_dsq;
	if (d->max_fallback_rate)
		l->max_fallback_rate = d->max_fallback_rate;
	if (d->max_keep_last_rate)
		l->max_keep_last_rate = d->max_keep_last_rate;
	if (d->conservation_samples)
		l->conservation_samples = d->conservation_samples;
	off = verdict_bits(d->off);
	if (off & KT_V_BIT(KT_V_STALL))
		l->stall_ms = 0;
	if (off & KT_V_BIT(KT_V_IMBALANCE))
		l->max_imbalance = 0;
	if (off & KT_V_BIT(KT_V_LOCAL_DSQ))
		l->max_local_dsq = 0;
	if (off & KT_V_BIT(KT_V_FALLBACK_RATE))
		l->max_fallback_rate = 0;
	if (off & KT_V_BIT(KT_V_KEEP_LAST_RATE))
		l->max_keep_last_rate = 0;
	if (off & KT_V_BIT(KT_V_CONSERVATION))
		l->conservation_samples = 0;
	l->expect = verdict_bits(d->expect);
}

/* "<dir>/<name>.monitor.svg"; the JSON names it relative to itself. */
static const char *write_plot(const char *json_dir, const char *name,
			      const struct kt_series *s,
			      const struct kt_monitor_verdict *v, char *file,
			      size_t len)
{
	char path[4096];

	kt_result_file(name, ".monitor.svg", file, len);
	if (kt_mkdir_p(json_dir, 0755))
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", json_dir, file);
	if (kt_monitor_plot(path, name, s, v)) {
		fprintf(stderr, "ktstr: %s\n", kt_errmsg());
		return NULL;
	}
	return file;
}

static void fail_with(struct kt_result *r, const struct kt_monitor_verdict *v,
		      const char *error)
{
	size_t n = strlen(r->reason);
	FILE *f;

	if (r->verdict == KT_PASS) {
		r->verdict = KT_FAIL;
		r->reason[0] = '\0';
		n = 0;
	}
	f = fmemopen(r->reason + n, sizeof(r->reason) - n, "w");
	if (!f)
		return;
	if (n)
		fputc('\n', f);
	if (error)
		fprintf(f, "monitor: could not watch the guest: %s\n", error);
	else
		kt_monitor_failures(f, v);
	fclose(f);
}

static void describe(struct kt_watch_vm *v,
		     const struct kt_run_item *it, const char *json_dir,
		     struct kt_result *r)
{
	struct kt_monitor_verdict verdicts[KT_NR_VERDICTS];
	const struct kt_series *s = kt_monitor_series(v->monitor);
	const char *error = kt_monitor_error(v->monitor), *plot = NULL;
	const char *globals_error = NULL;
	struct kt_monitor_limits limits;
	char file[512];
	json_t *mon, *globals = NULL;
	bool judged, failed;
	size_t len;
	double t = 0;
	FILE *f;

	kt_watch_limits(&it->monitor, &limits);
	kt_verdicts_eval(s, &limits, verdicts);
	/* A guest that never booted was not watched: its failure says why. */
	judged = r->verdict != KT_SKIP && (s->count || error);
	failed = judged && (error || kt_verdicts_failed(verdicts));
	if (failed || r->verdict == KT_FAIL) {
		globals = kt_monitor_globals(v->monitor, &t);
		globals_error = kt_monitor_globals_error(v->monitor);
	}
	if (json_dir && !error && s->count)
		plot = write_plot(json_dir, it->name, s, verdicts, file,
				  sizeof(file));
	/* As text: a result crosses from a worker to the parent as text. */
	mon = kt_monitor_json(s, verdicts, error, plot);
	f = open_memstream(&r->monitor_summary, &len);
	if (f)
		kt_monitor_summary(f, s, verdicts, error);
	kt_monitor_report_globals(f, mon, globals, t, globals_error);
	if (f)
		fclose(f);
	r->monitor_json = mon ? json_dumps(mon, KT_JSON_FLAGS) : NULL;
	json_decref(mon);
	json_decref(globals);
	if (failed)
		fail_with(r, verdicts, error);
}

void kt_watch_end(struct kt_watch_vm *v, const struct kt_watch *w,
		  const struct kt_run_item *it, const char *json_dir,
		  struct kt_result *r)
{
	if (!v->monitor) {
		if (!w->off && v->kernel < KT_WATCH_MAX_KERNELS &&
		    w->why_not[v->kernel][0] &&
		    asprintf(&r->monitor_summary, "monitor: off: %s\n",
			     w->why_not[v->kernel]) < 0)
			r->monitor_summary = NULL;
		return;
	}
	describe(v, it, json_dir, r);
	kt_monitor_free(v->monitor);
	v->monitor = NULL;
}
