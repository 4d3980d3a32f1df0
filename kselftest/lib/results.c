// SPDX-License-Identifier: GPL-2.0
/*
 * Structured results: one JSON object per line, appended to the file
 * $KTSTR_RESULTS names (see ktstr.h).  Only the test process writes
 * them, each record with a single write(2), so records never interleave.
 * A record that cannot be written is dropped with a diagnostic: the
 * figures are a by-product, the TAP verdict stands without them.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workload.h"

/* Groups larger than this report their first workers only. */
#define MAX_REPORTED_WORKERS 128

static int results_fd = -1;
static bool results_opened;
static char current_test[192];

static int open_results(void)
{
	const char *path = getenv("KTSTR_RESULTS");

	if (!results_opened) {
		results_opened = true;
		if (path && *path) {
			results_fd = open(path, O_WRONLY | O_APPEND | O_CREAT |
					  O_CLOEXEC | O_NOCTTY, 0644);
			if (results_fd < 0)
				printf("# ktstr: results file %s: %s\n", path,
				       strerror(errno));
		}
	}
	return results_fd;
}

/* Writes @rec as one line and frees it. */
static void emit(json_t *rec)
{
	size_t len;
	char *text;
	ssize_t n;

	if (!rec)
		return;
	if (open_results() < 0) {
		json_decref(rec);
		return;
	}
	if (current_test[0])
		json_object_set_new(rec, "test", json_string(current_test));
	text = json_dumps(rec, JSON_COMPACT | JSON_ENSURE_ASCII |
			  JSON_REAL_PRECISION(6));
	json_decref(rec);
	if (!text)
		return;
	len = strlen(text);
	text = realloc(text, len + 2);
	if (!text)
		return;
	text[len++] = '\n';
	text[len] = '\0';
	n = write(results_fd, text, len);
	if (n != (ssize_t)len)
		printf("# ktstr: results record of %zu bytes not written: %s\n",
		       len, n < 0 ? strerror(errno) : "short write");
	free(text);
}

void ktstr_result_begin(const char *test)
{
	snprintf(current_test, sizeof(current_test), "%s", test ? test : "");
}

/* JSON has no NaN or infinity: such a figure is left out. */
static void set_number(json_t *obj, const char *key, double v)
{
	if (v == v && v - v == 0)
		json_object_set_new(obj, key, json_real(v));
}

static json_t *values_object(const struct ktstr_kv *kv)
{
	json_t *obj = json_object();
	size_t i;

	for (i = 0; obj && kv && kv[i].key; i++)
		set_number(obj, kv[i].key, kv[i].value);
	return obj;
}

void ktstr_result_check(const char *check, const char *group, bool pass,
			const char *why, const struct ktstr_kv *kv)
{
	json_t *rec = json_object();

	if (!rec)
		return;
	json_object_set_new(rec, "type", json_string("check"));
	json_object_set_new(rec, "check", json_string(check));
	if (group)
		json_object_set_new(rec, "group", json_string(group));
	json_object_set_new(rec, "pass", json_boolean(pass));
	if (!pass && why && *why)
		json_object_set_new(rec, "reason",
				    json_stringn(why, strcspn(why, "\n")));
	json_object_set_new(rec, "values", values_object(kv));
	emit(rec);
}

void ktstr_result_values(const char *name, const struct ktstr_kv *kv)
{
	json_t *rec = json_object();

	if (!rec)
		return;
	json_object_set_new(rec, "type", json_string("values"));
	json_object_set_new(rec, "name", json_string(name));
	json_object_set_new(rec, "values", values_object(kv));
	emit(rec);
}

static double ms(uint64_t ns)
{
	return ns / 1e6;
}

static double us(uint64_t ns)
{
	return ns / 1e3;
}

static json_t *worker_object(const struct ktstr_worker_stats *s,
			     double group_cpu_ns)
{
	json_t *o = json_object();
	char cpus[1024];

	if (!o)
		return NULL;
	json_object_set_new(o, "pid", json_integer(s->pid));
	json_object_set_new(o, "nice", json_integer(s->nice));
	json_object_set_new(o, "work", json_integer(s->work));
	set_number(o, "cpu_ms", ms(s->cpu_ns));
	if (group_cpu_ns > 0)
		set_number(o, "cpu_share", s->cpu_ns / group_cpu_ns);
	set_number(o, "run_delay_ms", ms(s->run_delay_ns));
	set_number(o, "max_gap_ms", ms(s->max_gap_ns));
	json_object_set_new(o, "migrations", json_integer(s->nr_migrations));
	json_object_set_new(o, "llc_migrations",
			    json_integer(s->llc_migrations));
	json_object_set_new(o, "node_migrations",
			    json_integer(s->node_migrations));
	json_object_set_new(o, "switches", json_integer(s->nr_switches));
	if (ktstr_cpus_format(&s->cpus_used, cpus, sizeof(cpus)))
		json_object_set_new(o, "cpus", json_string(cpus));
	if (s->lat_count) {
		json_object_set_new(o, "wakeups", json_integer(s->lat_count));
		set_number(o, "lat_p50_us", us(s->lat_p50_ns));
		set_number(o, "lat_p99_us", us(s->lat_p99_ns));
		set_number(o, "lat_max_us", us(s->lat_max_ns));
	}
	json_object_set_new(o, "exited_early", json_boolean(s->exited_early));
	return o;
}

struct group_sums {
	double work, cpu_ns, delay_ns, max_gap_ns;
	double min_work, max_work;
	uint64_t migrations, llc_migrations, node_migrations;
	unsigned int exited_early;
};

static void sum_group(const struct ktstr_workers *w, struct group_sums *g)
{
	unsigned int i, n = ktstr_workers_count(w);

	memset(g, 0, sizeof(*g));
	for (i = 0; i < n; i++) {
		const struct ktstr_worker_stats *s = ktstr_worker_stats(w, i);

		if (!i || s->work < g->min_work)
			g->min_work = s->work;
		if (!i || s->work > g->max_work)
			g->max_work = s->work;
		g->work += s->work;
		g->cpu_ns += s->cpu_ns;
		g->delay_ns += s->run_delay_ns;
		if (s->max_gap_ns > g->max_gap_ns)
			g->max_gap_ns = s->max_gap_ns;
		g->migrations += s->nr_migrations;
		g->llc_migrations += s->llc_migrations;
		g->node_migrations += s->node_migrations;
		g->exited_early += s->exited_early;
	}
}

static json_t *summary_object(const struct ktstr_workers *w,
			      const struct group_sums *g)
{
	unsigned int n = ktstr_workers_count(w);
	double mean = n ? g->work / n : 0;
	struct ktstr_latency lat;
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "workers", json_integer(n));
	set_number(o, "work", g->work);
	set_number(o, "work_mean", mean);
	/* The fairness check's spread, of CPU time; the work's beside it. */
	if (n && g->cpu_ns > 0)
		set_number(o, "spread", ktstr_cpu_spread(w));
	if (mean > 0) {
		set_number(o, "work_spread", (g->max_work - g->min_work) / mean);
		set_number(o, "min_work_share", g->min_work / mean);
	}
	set_number(o, "cpu_ms", ms(g->cpu_ns));
	if (n)
		set_number(o, "run_delay_ms_mean", ms(g->delay_ns / n));
	set_number(o, "max_gap_ms", ms(g->max_gap_ns));
	json_object_set_new(o, "migrations", json_integer(g->migrations));
	json_object_set_new(o, "llc_migrations",
			    json_integer(g->llc_migrations));
	json_object_set_new(o, "node_migrations",
			    json_integer(g->node_migrations));
	json_object_set_new(o, "exited_early", json_integer(g->exited_early));
	if (!ktstr_workers_latency(w, &lat)) {
		json_object_set_new(o, "wakeups", json_integer(lat.count));
		set_number(o, "lat_p50_us", us(lat.p50_ns));
		set_number(o, "lat_p90_us", us(lat.p90_ns));
		set_number(o, "lat_p99_us", us(lat.p99_ns));
		set_number(o, "lat_max_us", us(lat.max_ns));
	}
	return o;
}

void ktstr_result_group(const struct ktstr_workers *w)
{
	unsigned int i, n = ktstr_workers_count(w);
	json_t *rec, *workers;
	struct group_sums g;

	if (open_results() < 0)
		return;
	rec = json_object();
	workers = json_array();
	if (!rec || !workers) {
		json_decref(rec);
		json_decref(workers);
		return;
	}
	sum_group(w, &g);
	json_object_set_new(rec, "type", json_string("group"));
	json_object_set_new(rec, "group", json_string(ktstr_workers_name(w)));
	json_object_set_new(rec, "kind",
			    json_string(ktstr_work_kind_name(w->spec.kind)));
	json_object_set_new(rec, "summary", summary_object(w, &g));
	for (i = 0; i < n && i < MAX_REPORTED_WORKERS; i++)
		json_array_append_new(workers,
				      worker_object(ktstr_worker_stats(w, i),
						    g.cpu_ns));
	json_object_set_new(rec, "workers", workers);
	if (n > MAX_REPORTED_WORKERS)
		json_object_set_new(rec, "workers_left_out",
				    json_integer(n - MAX_REPORTED_WORKERS));
	emit(rec);
}
