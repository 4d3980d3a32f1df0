// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compare.h"
#include "error.h"
#include "json.h"
#include "verifier/report.h"

/*
 * Default thresholds, wide enough for TCG noise: under emulation a
 * worker's longest gap and run delay move by tens of percent between
 * identical runs, work done by about 20%.  Cross-LLC and cross-node
 * migrations are a part of all migrations, so their absolute threshold
 * is half as large.  A busy vCPU holds TCG's only thread for up to
 * 100 ms (QEMU's round-robin kick period), so wake-up latencies are tens
 * of milliseconds there and only a doubling by 5 ms or more counts.  A
 * share error moves by a few points of CPU share between runs: it counts
 * from 5 points (0.05) and 50% up.  Between whole-suite runs at -j 2 a
 * test's longest gap moved by up to 388 ms and its spread by up to 0.14;
 * with more VMs than host CPUs one run of fair.scx_simple.spin_overcommit
 * went from 0.06 to 0.24 and from 121 to 409 ms: hence 0.25 and 500 ms.
 */
const struct kt_metric_info kt_metrics[KT_NR_METRICS] = {
	[KT_METRIC_FAILED] = { "failed", false, { 0.5, 0 } },
	[KT_METRIC_SPREAD] = { "fairness_spread", false, { 0.25, 0.5 } },
	[KT_METRIC_GAP_MS] = { "longest_gap_ms", false, { 500, 1.0 } },
	[KT_METRIC_WORK] = { "work", true, { 100, 0.3 } },
	[KT_METRIC_MIGRATIONS] = { "migrations", false, { 100, 1.0 } },
	[KT_METRIC_LLC_MIGRATIONS] = { "llc_migrations", false, { 50, 1.0 } },
	[KT_METRIC_NODE_MIGRATIONS] = { "node_migrations", false, { 50, 1.0 } },
	[KT_METRIC_RUN_DELAY_MS] = { "run_delay_ms", false, { 100, 1.0 } },
	[KT_METRIC_WAKE_P99_US] = { "wake_latency_p99_us", false, { 5000, 1.0 } },
	[KT_METRIC_SHARE_ERROR] = { "share_error", false, { 0.05, 0.5 } },
	[KT_METRIC_VERDICTS] = { "monitor_failed_verdicts", false, { 0.5, 0 } },
	/*
	 * ktstr verifier: instructions and states are the same in every run
	 * of one binary on one kernel and topology, so any change is real;
	 * these say which are big enough to count: a doubling does, and a
	 * halving, +40% or less does not, nor a change by 100 instructions
	 * or 10 states.  The time is the verifier's own clock, which TCG
	 * stretches with the host's load: two runs of one scx_qmap took
	 * 208 and 531 ms for one program, 265 and 651 ms for another; only
	 * more than tripling, by more than half a second, counts.
	 */
	[KT_METRIC_VERIFIED_INSNS] = { "verified_insns", false, { 100, 0.4 } },
	[KT_METRIC_PEAK_STATES] = { "peak_states", false, { 10, 0.4 } },
	[KT_METRIC_VERIFY_TIME_US] = { "verify_time_us", false, { 500000, 2.0 } },
};

#define MAX_JSON_MIB 16

/* Where in which file a value is read from, for errors that name it. */
struct field {
	const char *file;
	const struct field *parent;	/* NULL: the result itself */
	const char *key;
	long index;			/* of an array element, else -1 */
};

static void field_at(struct field *f, const struct field *parent,
		     const char *key, long index)
{
	*f = (struct field){ .file = parent->file, .parent = parent,
			     .key = key, .index = index };
}

/* "groups[2].summary.spread" */
static size_t field_name(const struct field *f, char *buf, size_t len)
{
	size_t n = f->parent && f->parent->key ?
		   field_name(f->parent, buf, len) : 0;

	if (n < len)
		n += snprintf(buf + n, len - n, "%s%s", n ? "." : "", f->key);
	if (n < len && f->index >= 0)
		n += snprintf(buf + n, len - n, "[%ld]", f->index);
	return n;
}

static int wrong_type(const struct field *f, const char *want)
{
	char name[256];

	field_name(f, name, sizeof(name));
	return kt_fail("%s: field %s: not %s", f->file, name, want);
}

enum want { WANT_OBJECT, WANT_ARRAY, WANT_STRING, WANT_NUMBER, WANT_BOOLEAN };

static const char * const want_names[] = {
	[WANT_OBJECT] = "an object", [WANT_ARRAY] = "an array",
	[WANT_STRING] = "a string", [WANT_NUMBER] = "a number",
	[WANT_BOOLEAN] = "true or false",
};

static bool is(const json_t *v, enum want want)
{
	switch (want) {
	case WANT_OBJECT:
		return json_is_object(v);
	case WANT_ARRAY:
		return json_is_array(v);
	case WANT_STRING:
		return json_is_string(v);
	case WANT_NUMBER:
		return json_is_number(v);
	case WANT_BOOLEAN:
		return json_is_boolean(v);
	}
	return false;
}

/*
 * @key of @obj when it is what we @want: 1 and *@out, 0 if absent (or
 * null), -1 if of another type.
 */
static int get(const json_t *obj, const struct field *at, const char *key,
	       enum want want, json_t **out)
{
	json_t *v = json_object_get(obj, key);
	struct field f;

	*out = v;
	if (!v || json_is_null(v))
		return 0;
	if (is(v, want))
		return 1;
	field_at(&f, at, key, -1);
	return wrong_type(&f, want_names[want]);
}

static int get_number(const json_t *obj, const struct field *at,
		      const char *key, double *out)
{
	json_t *v;
	int ret = get(obj, at, key, WANT_NUMBER, &v);

	if (ret > 0)
		*out = json_number_value(v);
	return ret;
}

/* A string field copied into @buf ("" if absent). */
static int get_string(const json_t *obj, const struct field *at,
		      const char *key, char *buf, size_t len)
{
	json_t *v;
	int ret = get(obj, at, key, WANT_STRING, &v);

	snprintf(buf, len, "%s", ret > 0 ? json_string_value(v) : "");
	return ret;
}

/* Element @i of array @key, which must be an object. */
static int element(const json_t *array, const struct field *at,
		   const char *key, size_t i, struct field *f)
{
	field_at(f, at, key, i);
	return json_is_object(json_array_get(array, i)) ? 0 :
	       wrong_type(f, want_names[WANT_OBJECT]);
}

static void keep_max(struct kt_result_metrics *m, enum kt_metric k, double v)
{
	if (!m->has[k] || v > m->v[k])
		m->v[k] = v;
	m->has[k] = true;
}

static void add(struct kt_result_metrics *m, enum kt_metric k, double v)
{
	m->v[k] += v;
	m->has[k] = true;
}

/* Sums over groups (results.c's "summary" of each group record). */
struct group_sums {
	double delay_ms, workers;
};

static const struct {
	const char *key;
	enum kt_metric metric;
	bool sum;		/* else the largest */
} summary_fields[] = {
	{ "spread", KT_METRIC_SPREAD, false },
	{ "max_gap_ms", KT_METRIC_GAP_MS, false },
	{ "lat_p99_us", KT_METRIC_WAKE_P99_US, false },
	{ "work", KT_METRIC_WORK, true },
	{ "migrations", KT_METRIC_MIGRATIONS, true },
	{ "llc_migrations", KT_METRIC_LLC_MIGRATIONS, true },
	{ "node_migrations", KT_METRIC_NODE_MIGRATIONS, true },
};

static int group_summary(const json_t *sum, const struct field *at,
			 struct kt_result_metrics *m, struct group_sums *g)
{
	double v, workers = 0, delay = 0;
	size_t i;
	int has_workers, has_delay;

	for (i = 0; i < ARRAY_SIZE(summary_fields); i++) {
		int ret = get_number(sum, at, summary_fields[i].key, &v);

		if (ret < 0)
			return -1;
		if (ret && summary_fields[i].sum)
			add(m, summary_fields[i].metric, v);
		else if (ret)
			keep_max(m, summary_fields[i].metric, v);
	}
	has_workers = get_number(sum, at, "workers", &workers);
	has_delay = get_number(sum, at, "run_delay_ms_mean", &delay);
	if (has_workers < 0 || has_delay < 0)
		return -1;
	if (has_workers && has_delay) {
		g->delay_ms += delay * workers;
		g->workers += workers;
	}
	return 0;
}

static int group_metrics(const json_t *groups, const struct field *top,
			 struct kt_result_metrics *m)
{
	struct group_sums g = { 0 };
	struct field f, s;
	json_t *sum;
	size_t i;

	for (i = 0; i < json_array_size(groups); i++) {
		if (element(groups, top, "groups", i, &f))
			return -1;
		switch (get(json_array_get(groups, i), &f, "summary",
			    WANT_OBJECT, &sum)) {
		case -1:
			return -1;
		case 0:
			continue;
		}
		field_at(&s, &f, "summary", -1);
		if (group_summary(sum, &s, m, &g))
			return -1;
	}
	if (g.workers > 0) {
		m->v[KT_METRIC_RUN_DELAY_MS] = g.delay_ms / g.workers;
		m->has[KT_METRIC_RUN_DELAY_MS] = true;
	}
	return 0;
}

/* A "share" check: how far the measured share was from the expected. */
static int share_error(const json_t *check, const struct field *f,
		       struct kt_result_metrics *m)
{
	double expected = 0, measured = 0;
	struct field vf;
	json_t *values;
	int e, x;

	x = get(check, f, "values", WANT_OBJECT, &values);
	if (x <= 0)
		return x;
	field_at(&vf, f, "values", -1);
	e = get_number(values, &vf, "expected", &expected);
	x = get_number(values, &vf, "measured", &measured);
	if (e < 0 || x < 0)
		return -1;
	if (e && x)
		keep_max(m, KT_METRIC_SHARE_ERROR, fabs(measured - expected));
	return 0;
}

static int check_metrics(const json_t *checks, const struct field *top,
			 struct kt_result_metrics *m)
{
	char name[64];
	struct field f;
	size_t i;

	for (i = 0; i < json_array_size(checks); i++) {
		if (element(checks, top, "checks", i, &f) ||
		    get_string(json_array_get(checks, i), &f, "check", name,
			       sizeof(name)) < 0)
			return -1;
		if (!strcmp(name, "share") &&
		    share_error(json_array_get(checks, i), &f, m))
			return -1;
	}
	return 0;
}

/* Failed verdicts of the monitor object, when the result has one. */
static int monitor_metrics(const json_t *mon, const struct field *top,
			   struct kt_result_metrics *m)
{
	struct field f, vf;
	json_t *verdicts, *failed;
	size_t i;
	int ret;

	field_at(&f, top, "monitor", -1);
	ret = get(mon, &f, "verdicts", WANT_ARRAY, &verdicts);
	if (ret <= 0)
		return ret;
	m->has[KT_METRIC_VERDICTS] = true;
	for (i = 0; i < json_array_size(verdicts); i++) {
		if (element(verdicts, &f, "verdicts", i, &vf))
			return -1;
		ret = get(json_array_get(verdicts, i), &vf, "failed",
			  WANT_BOOLEAN, &failed);
		if (ret < 0)
			return -1;
		m->v[KT_METRIC_VERDICTS] += json_is_true(failed);
	}
	return 0;
}

/*
 * "fixture.variant.test" with variant == scheduler: "fixture.test"; and
 * without the "/<topology>" part of a gauntlet or matrix entry's name,
 * which the topology field holds: `ktstr run` and `ktstr run --scheduler
 * BIN --topology T` results pair.
 */
static void test_identity(const char *name, const char *sched,
			  const char *topology, char *buf, size_t len)
{
	const char *dot1 = strchr(name, '.'), *dot2;
	size_t slen = strlen(sched), tlen = strlen(topology);
	char *slash;

	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (dot2 && (size_t)(dot2 - dot1 - 1) == slen &&
	    !strncmp(dot1 + 1, sched, slen))
		snprintf(buf, len, "%.*s%s", (int)(dot1 - name), name, dot2);
	else
		snprintf(buf, len, "%s", name);
	slash = strchr(buf, '/');
	if (slash && tlen && !strncmp(slash + 1, topology, tlen) &&
	    (!slash[1 + tlen] || slash[1 + tlen] == '/'))
		memmove(slash, slash + 1 + tlen, strlen(slash + 1 + tlen) + 1);
}

/* How it booted, if the result says (results before KASLR do not). */
static int boot_of(const json_t *res, const struct field *top,
		   struct kt_result_metrics *m)
{
	json_t *kaslr;
	int ret;

	if (get_string(res, top, "boot_image", m->boot_image,
		       sizeof(m->boot_image)) < 0)
		return -1;
	ret = get(res, top, "kaslr", WANT_BOOLEAN, &kaslr);
	if (ret < 0)
		return -1;
	m->kaslr = ret ? json_is_true(kaslr) : -1;
	return 0;
}

/* name, result and what pairs results; a result must have the first two. */
static int identity(const json_t *res, const struct field *top,
		    struct kt_result_metrics *m)
{
	char name[192];
	struct field f;

	if (get_string(res, top, "name", name, sizeof(name)) < 0 ||
	    get_string(res, top, "result", m->result, sizeof(m->result)) < 0 ||
	    get_string(res, top, "topology", m->topology,
		       sizeof(m->topology)) < 0 ||
	    get_string(res, top, "scheduler", m->scheduler,
		       sizeof(m->scheduler)) < 0 ||
	    get_string(res, top, "kernel", m->kernel, sizeof(m->kernel)) < 0)
		return -1;
	if (!name[0] || !m->result[0])
		return kt_fail("%s: not a ktstr result: no field %s",
			       top->file, name[0] ? "result" : "name");
	if (strcmp(m->result, "pass") && strcmp(m->result, "fail") &&
	    strcmp(m->result, "skip")) {
		field_at(&f, top, "result", -1);
		return wrong_type(&f, "pass, fail or skip");
	}
	test_identity(name, m->scheduler, m->topology, m->test,
		      sizeof(m->test));
	return boot_of(res, top, m);
}

int kt_result_parse(const json_t *res, const char *origin,
		    struct kt_result_metrics *m)
{
	struct field top = { .file = origin, .index = -1 };
	json_t *groups, *checks, *mon;

	memset(m, 0, sizeof(*m));
	if (!json_is_object(res))
		return kt_fail("%s: not a ktstr result (not a JSON object)",
			       origin);
	if (identity(res, &top, m))
		return -1;
	m->has[KT_METRIC_FAILED] = true;
	m->v[KT_METRIC_FAILED] = !strcmp(m->result, "fail");
	if (get(res, &top, "groups", WANT_ARRAY, &groups) < 0 ||
	    get(res, &top, "checks", WANT_ARRAY, &checks) < 0 ||
	    get(res, &top, "monitor", WANT_OBJECT, &mon) < 0)
		return -1;
	if (group_metrics(groups, &top, m) || check_metrics(checks, &top, m))
		return -1;
	return mon ? monitor_metrics(mon, &top, m) : 0;
}

static int load_one(const char *dir, const char *file, struct kt_result_set *s)
{
	char path[PATH_MAX + 256];
	struct kt_result_metrics *v;
	json_t *res;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	res = kt_json_load(path, MAX_JSON_MIB);
	if (!res)
		return -1;
	v = realloc(s->v, (s->count + 1) * sizeof(*v));
	if (!v) {
		json_decref(res);
		return kt_fail("out of memory");
	}
	s->v = v;
	ret = kt_result_parse(res, path, &s->v[s->count]);
	json_decref(res);
	s->count += !ret;
	return ret;
}

static int cmp_metrics(const void *a, const void *b)
{
	const struct kt_result_metrics *x = a, *y = b;
	int c = strcmp(x->test, y->test);

	if (!c)
		c = strcmp(x->topology, y->topology);
	if (!c)
		c = strcmp(x->scheduler, y->scheduler);
	return c ? c : strcmp(x->kernel, y->kernel);
}

static struct kt_result_metrics *new_metrics(struct kt_result_set *s)
{
	struct kt_result_metrics *v = realloc(s->v, (s->count + 1) * sizeof(*v));

	if (!v) {
		kt_fail("out of memory");
		return NULL;
	}
	s->v = v;
	memset(&v[s->count], 0, sizeof(v[0]));
	v[s->count].kaslr = -1;
	return &v[s->count++];
}

static void set_metric(struct kt_result_metrics *m, enum kt_metric k, double v)
{
	m->v[k] = v;
	m->has[k] = true;
}

/* "verifier.<program>" under the report's scheduler, or "verifier" for the run. */
static struct kt_result_metrics *verifier_result(struct kt_result_set *s,
						 const struct kt_verifier_report *r,
						 const struct kt_verifier_run *run,
						 const char *prog, bool failed)
{
	struct kt_result_metrics *m = new_metrics(s);

	if (!m)
		return NULL;
	snprintf(m->test, sizeof(m->test), "verifier%s%s", prog ? "." : "",
		 prog ? prog : "");
	snprintf(m->topology, sizeof(m->topology), "%s", run->topology);
	snprintf(m->scheduler, sizeof(m->scheduler), "%s", r->scheduler);
	snprintf(m->kernel, sizeof(m->kernel), "%s", run->kernel);
	snprintf(m->result, sizeof(m->result), "%s", failed ? "fail" : "pass");
	set_metric(m, KT_METRIC_FAILED, failed);
	return m;
}

static int verifier_results(const struct kt_verifier_report *r,
			    struct kt_result_set *s)
{
	const struct kt_verifier_prog *p;
	struct kt_result_metrics *m;
	unsigned long insns;
	size_t i, j;

	for (i = 0; i < r->nr_runs; i++) {
		if (!verifier_result(s, r, &r->runs[i], NULL,
				     r->runs[i].error[0]))
			return -1;
		for (j = 0; j < r->runs[i].nr_progs; j++) {
			p = &r->runs[i].progs[j];
			m = verifier_result(s, r, &r->runs[i], p->name, !p->loaded);
			if (!m)
				return -1;
			if (kt_verifier_prog_insns(p, &insns))
				set_metric(m, KT_METRIC_VERIFIED_INSNS, insns);
			if (p->has_stats)
				set_metric(m, KT_METRIC_PEAK_STATES,
					   p->stats.peak_states);
			if (p->stats.has_time)
				set_metric(m, KT_METRIC_VERIFY_TIME_US,
					   p->stats.time_us);
		}
	}
	return 0;
}

/* A file: the JSON report of `ktstr verifier`, each program a result. */
static int load_report(const char *path, struct kt_result_set *s)
{
	struct kt_verifier_report r;
	int ret;

	if (kt_verifier_report_load(path, &r))
		return -1;
	ret = verifier_results(&r, s);
	kt_verifier_report_free(&r);
	if (!ret && !s->count)
		ret = kt_fail("%s: a verifier report without runs", path);
	if (ret)
		kt_result_set_free(s);
	else
		qsort(s->v, s->count, sizeof(*s->v), cmp_metrics);
	return ret;
}

int kt_result_set_load(const char *dir, struct kt_result_set *s)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	if (!stat(dir, &st) && S_ISREG(st.st_mode))
		return load_report(dir, s);
	d = opendir(dir);
	if (!d)
		return kt_fail_errno("results %s", dir);
	while (!ret && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] != '.' && n > 5 &&
		    !strcmp(de->d_name + n - 5, ".json"))
			ret = load_one(dir, de->d_name, s);
	}
	closedir(d);
	if (!ret && !s->count)
		ret = kt_fail("results %s: no *.json results", dir);
	if (!ret)
		qsort(s->v, s->count, sizeof(*s->v), cmp_metrics);
	if (ret)
		kt_result_set_free(s);
	return ret;
}

void kt_result_set_free(struct kt_result_set *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void kt_compare_defaults(struct kt_compare_opts *o)
{
	unsigned int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < KT_NR_METRICS; i++)
		o->thr[i] = kt_metrics[i].def;
}

/* "failed, fairness_spread, ..." */
static const char *metric_names(void)
{
	static char names[512];
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < KT_NR_METRICS && n < sizeof(names); i++)
		n += snprintf(names + n, sizeof(names) - n, "%s%s",
			      i ? ", " : "", kt_metrics[i].name);
	return names;
}

int kt_compare_parse_threshold(struct kt_compare_opts *o, const char *s)
{
	const char *eq = strchr(s, '='), *comma = eq ? strchr(eq, ',') : NULL;
	double abs_v, rel_v;
	char *end;
	unsigned int i;

	for (i = 0; eq && i < KT_NR_METRICS; i++)
		if (strlen(kt_metrics[i].name) == (size_t)(eq - s) &&
		    !strncmp(kt_metrics[i].name, s, eq - s))
			break;
	if (!eq || i == KT_NR_METRICS || !comma)
		return kt_fail_usage("--threshold '%s': expected METRIC=ABS,REL with METRIC one of %s",
				     s, metric_names());
	abs_v = strtod(eq + 1, &end);
	if (end == eq + 1 || end != comma || !(abs_v >= 0))
		return kt_fail_usage("--threshold '%s': ABS must be a number >= 0", s);
	rel_v = strtod(comma + 1, &end);
	if (end != comma + 1 && *end == '%')
		rel_v /= 100, end++;
	if (end == comma + 1 || *end || !(rel_v >= 0))
		return kt_fail_usage("--threshold '%s': REL must be a fraction or a percentage >= 0",
				     s);
	o->thr[i].abs = abs_v;
	o->thr[i].rel = rel_v;
	return 0;
}

static bool same_key(const struct kt_result_metrics *a,
		     const struct kt_result_metrics *b,
		     const struct kt_compare_opts *o)
{
	bool sched = !strcmp(a->scheduler, b->scheduler) ||
		     (o->sched_a[0] && !strcmp(a->scheduler, o->sched_a) &&
		      !strcmp(b->scheduler, o->sched_b));

	return sched && !strcmp(a->topology, b->topology) &&
	       !strcmp(a->kernel, b->kernel) && !strcmp(a->test, b->test);
}

/* -1 regression, 1 improvement, 0 within the thresholds. */
static int judge(enum kt_metric k, double a, double b,
		 const struct kt_threshold *t)
{
	double d = b - a;
	double rel = a != 0 ? fabs(d) / fabs(a) : (d != 0 ? INFINITY : 0);

	if (fabs(d) <= t->abs || rel <= t->rel)
		return 0;
	if (kt_metrics[k].higher_is_better)
		return d > 0 ? 1 : -1;
	return d < 0 ? 1 : -1;
}

static void compare_pair(const struct kt_result_metrics *a,
			 const struct kt_result_metrics *b,
			 const struct kt_compare_opts *o, FILE *out,
			 struct kt_compare_summary *sum)
{
	unsigned int k;
	int j;

	for (k = 0; k < KT_NR_METRICS; k++) {
		if (!a->has[k] || !b->has[k])
			continue;
		j = judge(k, a->v[k], b->v[k], &o->thr[k]);
		if (!j)
			continue;
		fprintf(out, "%-11s %s on %s, %s%s%s, %s: %s %g -> %g\n",
			j < 0 ? "REGRESSION" : "improvement", a->test,
			a->topology, a->scheduler,
			strcmp(a->scheduler, b->scheduler) ? " vs " : "",
			strcmp(a->scheduler, b->scheduler) ? b->scheduler : "",
			a->kernel, kt_metrics[k].name, a->v[k], b->v[k]);
		if (j < 0)
			sum->regressions++;
		else
			sum->improvements++;
	}
}

/* Known in both and not the same. */
static bool boot_differs(const struct kt_result_metrics *a,
			 const struct kt_result_metrics *b)
{
	return (a->kaslr >= 0 && b->kaslr >= 0 && a->kaslr != b->kaslr) ||
	       (a->boot_image[0] && b->boot_image[0] &&
		strcmp(a->boot_image, b->boot_image));
}

static const char *kaslr_word(int kaslr)
{
	return kaslr < 0 ? "unknown" : kaslr ? "on" : "off";
}

void kt_compare(const struct kt_result_set *a, const struct kt_result_set *b,
		const struct kt_compare_opts *o, FILE *out,
		struct kt_compare_summary *sum)
{
	bool *paired = calloc(b->count + 1, sizeof(*paired));
	const struct kt_result_metrics *first[2] = { NULL, NULL };
	size_t i, j;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < a->count; i++) {
		for (j = 0; j < b->count; j++)
			if (!(paired && paired[j]) &&
			    same_key(&a->v[i], &b->v[j], o))
				break;
		if (j == b->count) {
			sum->only_a++;
			fprintf(out, "only in A  %s on %s, %s, %s\n",
				a->v[i].test, a->v[i].topology,
				a->v[i].scheduler, a->v[i].kernel);
			continue;
		}
		if (paired)
			paired[j] = true;
		sum->pairs++;
		if (boot_differs(&a->v[i], &b->v[j]) && !sum->boot_differs++) {
			first[0] = &a->v[i];
			first[1] = &b->v[j];
		}
		compare_pair(&a->v[i], &b->v[j], o, out, sum);
	}
	if (sum->boot_differs)
		fprintf(out, "warning    %u of %u pairs booted differently (first: %s on %s, A %s with KASLR %s, B %s with KASLR %s): their figures are not comparable\n",
			sum->boot_differs, sum->pairs, first[0]->test,
			first[0]->topology, first[0]->boot_image[0] ?
			first[0]->boot_image : "unknown image",
			kaslr_word(first[0]->kaslr), first[1]->boot_image[0] ?
			first[1]->boot_image : "unknown image",
			kaslr_word(first[1]->kaslr));
	for (j = 0; j < b->count; j++)
		if (paired && !paired[j]) {
			sum->only_b++;
			fprintf(out, "only in B  %s on %s, %s, %s\n",
				b->v[j].test, b->v[j].topology,
				b->v[j].scheduler, b->v[j].kernel);
		}
	free(paired);
}
