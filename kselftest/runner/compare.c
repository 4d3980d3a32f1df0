// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "error.h"

/*
 * Default thresholds, wide enough for TCG noise: under emulation a
 * worker's longest gap and run delay move by tens of percent between
 * identical runs, work done by about 20%.
 */
const struct kt_metric_info kt_metrics[KT_NR_METRICS] = {
	[KT_METRIC_FAILED] = { "failed", false, { 0.5, 0 } },
	[KT_METRIC_SPREAD] = { "fairness_spread", false, { 0.15, 0.5 } },
	[KT_METRIC_GAP_MS] = { "longest_gap_ms", false, { 250, 1.0 } },
	[KT_METRIC_WORK] = { "work", true, { 100, 0.3 } },
	[KT_METRIC_MIGRATIONS] = { "migrations", false, { 100, 1.0 } },
	[KT_METRIC_RUN_DELAY_MS] = { "run_delay_ms", false, { 100, 1.0 } },
	[KT_METRIC_WAKE_DELAY_MS] = { "wake_delay_ms", false, { 50, 1.0 } },
	[KT_METRIC_VERDICTS] = { "monitor_failed_verdicts", false, { 0.5, 0 } },
};

#define MAX_JSON (16u << 20)

/* The JSON string value of top-level @key, unescaped, malloc'd. */
static char *json_string(const char *json, const char *key)
{
	char pat[80];
	const char *p;
	char *out, *o;

	snprintf(pat, sizeof(pat), "\n  \"%s\": \"", key);
	p = strstr(json, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	out = malloc(strlen(p) + 1);
	if (!out)
		return NULL;
	for (o = out; *p && *p != '"'; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		p++;
		if (*p == 'n')
			*o++ = '\n';
		else if (*p == 't')
			*o++ = '\t';
		else if (*p == 'u' && strlen(p) >= 5)
			p += 4, *o++ = '?';
		else if (*p)
			*o++ = *p;
		else
			break;
	}
	*o = '\0';
	return out;
}

static void copy_field(const char *json, const char *key, char *buf,
		       size_t len)
{
	char *s = json_string(json, key);

	snprintf(buf, len, "%s", s ? s : "");
	free(s);
}

/* Per-group work figures, for the fairness spread. */
struct group {
	double min, max, sum;
	unsigned int n;
};

static void close_group(struct group *g, struct kt_result_metrics *m)
{
	double spread;

	if (g->n >= 2 && g->sum > 0) {
		spread = (g->max - g->min) / (g->sum / g->n);
		if (!m->has[KT_METRIC_SPREAD] || spread > m->v[KT_METRIC_SPREAD])
			m->v[KT_METRIC_SPREAD] = spread;
		m->has[KT_METRIC_SPREAD] = true;
	}
	memset(g, 0, sizeof(*g));
}

/* A worker line of ktstr_print_stats(). */
static void worker_line(const char *line, struct group *g,
			struct kt_result_metrics *m, unsigned int *workers,
			double *delay_sum, double *wake_sum, bool *has_wake)
{
	unsigned long long work, cpu, delay, gap, migr, wake;
	const char *p = strstr(line, ": work ");

	if (!p || sscanf(p, ": work %llu cpu %llums run_delay %llums max_gap %llums migrations %llu",
			 &work, &cpu, &delay, &gap, &migr) != 5)
		return;
	p = strstr(line, " wake_delay ");
	if (p && sscanf(p, " wake_delay %llums", &wake) == 1) {
		*wake_sum += wake;
		*has_wake = true;
	}
	if (!g->n || work < g->min)
		g->min = work;
	if (!g->n || work > g->max)
		g->max = work;
	g->sum += work;
	g->n++;
	(*workers)++;
	*delay_sum += delay;
	m->v[KT_METRIC_WORK] += work;
	m->v[KT_METRIC_MIGRATIONS] += migr;
	if (gap > m->v[KT_METRIC_GAP_MS])
		m->v[KT_METRIC_GAP_MS] = gap;
}

static void output_metrics(const char *out, struct kt_result_metrics *m)
{
	struct group g = { 0 };
	unsigned int workers = 0;
	double delay = 0, wake = 0;
	bool has_wake = false;
	const char *line = out, *end;
	char buf[1024];

	while (line && *line) {
		end = strchr(line, '\n');
		snprintf(buf, sizeof(buf), "%.*s",
			 (int)(end ? end - line : (long)strlen(line)), line);
		if (strstr(buf, " workers") && !strstr(buf, "worker "))
			close_group(&g, m);
		else if (strstr(buf, "worker ") && strstr(buf, ": work "))
			worker_line(buf, &g, m, &workers, &delay, &wake,
				    &has_wake);
		line = end ? end + 1 : NULL;
	}
	close_group(&g, m);
	if (!workers)
		return;
	m->has[KT_METRIC_WORK] = m->has[KT_METRIC_MIGRATIONS] = true;
	m->has[KT_METRIC_GAP_MS] = m->has[KT_METRIC_RUN_DELAY_MS] = true;
	m->v[KT_METRIC_RUN_DELAY_MS] = delay / workers;
	if (has_wake) {
		m->has[KT_METRIC_WAKE_DELAY_MS] = true;
		m->v[KT_METRIC_WAKE_DELAY_MS] = wake / workers;
	}
}

/* Failed verdicts of the monitor object, when the result has one. */
static void monitor_metrics(const char *json, struct kt_result_metrics *m)
{
	const char *p = strstr(json, "\"monitor\"");

	if (!p)
		return;
	m->has[KT_METRIC_VERDICTS] = true;
	while ((p = strstr(p, "\"failed\""))) {
		p += strlen("\"failed\"");
		if (!strncmp(p, ": true", 6) || !strncmp(p, ":true", 5))
			m->v[KT_METRIC_VERDICTS]++;
	}
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

int kt_result_parse(const char *json, const char *origin,
		    struct kt_result_metrics *m)
{
	char name[192], *out;

	memset(m, 0, sizeof(*m));
	copy_field(json, "name", name, sizeof(name));
	copy_field(json, "result", m->result, sizeof(m->result));
	if (!name[0] || !m->result[0])
		return kt_fail("%s: not a ktstr result (no name or result)",
			       origin);
	copy_field(json, "topology", m->topology, sizeof(m->topology));
	copy_field(json, "scheduler", m->scheduler, sizeof(m->scheduler));
	copy_field(json, "kernel", m->kernel, sizeof(m->kernel));
	test_identity(name, m->scheduler, m->topology, m->test,
		      sizeof(m->test));
	m->has[KT_METRIC_FAILED] = true;
	m->v[KT_METRIC_FAILED] = !strcmp(m->result, "fail");
	out = json_string(json, "output");
	if (out)
		output_metrics(out, m);
	free(out);
	monitor_metrics(json, m);
	return 0;
}

/*
 * Why @s is not one whole JSON object, or NULL: strings closed, brackets
 * matched, nothing after the end.  Catches a truncated or cut result,
 * which the field scanner above would read as a shorter one.
 */
static const char *json_error(const char *s)
{
	char stack[64];
	unsigned int depth = 0;
	const char *p = s + strspn(s, " \t\r\n");

	if (*p != '{')
		return "not an object";
	for (; *p; p++) {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && !*++p)
					break;
			if (!*p)
				return "ends inside a string";
		} else if (*p == '{' || *p == '[') {
			if (depth == sizeof(stack))
				return "nested too deeply";
			stack[depth++] = *p == '{' ? '}' : ']';
		} else if (*p == '}' || *p == ']') {
			if (!depth || stack[--depth] != *p)
				return "unmatched bracket";
			if (!depth)
				break;
		}
	}
	if (depth)
		return "truncated";
	p++;
	return p[strspn(p, " \t\r\n")] ? "text after the object" : NULL;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	const char *why;
	char *buf;
	size_t n;

	if (!f)
		return kt_fail_errno("%s", path), NULL;
	buf = malloc(MAX_JSON + 1);
	if (!buf) {
		fclose(f);
		return kt_fail("out of memory"), NULL;
	}
	n = fread(buf, 1, MAX_JSON + 1, f);
	fclose(f);
	if (n > MAX_JSON) {
		free(buf);
		return kt_fail("%s: larger than %u MiB", path, MAX_JSON >> 20),
		       NULL;
	}
	buf[n] = '\0';
	why = json_error(buf);
	if (why) {
		free(buf);
		return kt_fail("%s: malformed JSON (%s)", path, why), NULL;
	}
	return buf;
}

static int load_one(const char *dir, const char *file, struct kt_result_set *s)
{
	char path[PATH_MAX + 256];
	struct kt_result_metrics *v;
	char *text;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	text = read_text(path);
	if (!text)
		return -1;
	v = realloc(s->v, (s->count + 1) * sizeof(*v));
	if (!v) {
		free(text);
		return kt_fail("out of memory");
	}
	s->v = v;
	ret = kt_result_parse(text, path, &s->v[s->count]);
	free(text);
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

int kt_result_set_load(const char *dir, struct kt_result_set *s)
{
	struct dirent *de;
	DIR *d;
	int ret = 0;

	memset(s, 0, sizeof(*s));
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
		return kt_fail("--threshold '%s': expected METRIC=ABS,REL with METRIC one of fairness_spread, longest_gap_ms, work, migrations, run_delay_ms, wake_delay_ms, monitor_failed_verdicts, failed",
			       s);
	abs_v = strtod(eq + 1, &end);
	if (end == eq + 1 || end != comma || !(abs_v >= 0))
		return kt_fail("--threshold '%s': ABS must be a number >= 0", s);
	rel_v = strtod(comma + 1, &end);
	if (end != comma + 1 && *end == '%')
		rel_v /= 100, end++;
	if (end == comma + 1 || *end || !(rel_v >= 0))
		return kt_fail("--threshold '%s': REL must be a fraction or a percentage >= 0",
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

void kt_compare(const struct kt_result_set *a, const struct kt_result_set *b,
		const struct kt_compare_opts *o, FILE *out,
		struct kt_compare_summary *sum)
{
	bool *paired = calloc(b->count + 1, sizeof(*paired));
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
		compare_pair(&a->v[i], &b->v[j], o, out, sum);
	}
	for (j = 0; j < b->count; j++)
		if (paired && !paired[j]) {
			sum->only_b++;
			fprintf(out, "only in B  %s on %s, %s, %s\n",
				b->v[j].test, b->v[j].topology,
				b->v[j].scheduler, b->v[j].kernel);
		}
	free(paired);
}
