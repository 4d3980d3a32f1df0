// SPDX-License-Identifier: GPL-2.0
/* The results of `ktstr verifier`: records in, JSON out and back, a table. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json.h"
#include "report.h"
#include "stats.h"

#define MAX_JSON_MIB 16

struct kt_verifier_run *kt_verifier_add_run(struct kt_verifier_report *r)
{
	struct kt_verifier_run *runs = realloc(r->runs,
					       (r->nr_runs + 1) * sizeof(*runs));

	if (!runs) {
		kt_fail("out of memory");
		return NULL;
	}
	r->runs = runs;
	memset(&runs[r->nr_runs], 0, sizeof(runs[0]));
	return &runs[r->nr_runs++];
}

void kt_verifier_report_free(struct kt_verifier_report *r)
{
	size_t i;

	for (i = 0; i < r->nr_runs; i++)
		free(r->runs[i].progs);
	free(r->runs);
	memset(r, 0, sizeof(*r));
}

/* Where a field is, for errors: "FILE: runs[0].programs[3]". */
struct where {
	const char *origin;
	char path[96];
};

static __printf(3, 4) int bad_field(const struct where *w, const char *key,
				    const char *fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return kt_fail("%s: field %s%s%s: %s", w->origin, w->path,
		       w->path[0] ? "." : "", key, what);
}

/* 1 and *@out if there, 0 if absent, -1 if not a whole number >= 0. */
static int get_count(const json_t *o, const struct where *w, const char *key,
		     unsigned long *out)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return bad_field(w, key, "not a whole number >= 0");
	*out = json_integer_value(v);
	return 1;
}

/* get_count() of a field that must be there. */
static int need_count(const json_t *o, const struct where *w, const char *key,
		      unsigned long *out)
{
	int ret = get_count(o, w, key, out);

	if (!ret)
		return bad_field(w, key, "missing");
	return ret < 0 ? -1 : 0;
}

static int get_text(const json_t *o, const struct where *w, const char *key,
		    char *buf, size_t len, bool required)
{
	json_t *v = json_object_get(o, key);

	buf[0] = '\0';
	if (!v && !required)
		return 0;
	if (!json_is_string(v))
		return bad_field(w, key, v ? "not a string" : "missing");
	snprintf(buf, len, "%s", json_string_value(v));
	return 1;
}

static int get_flag(const json_t *o, const struct where *w, const char *key,
		    bool *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_boolean(v))
		return bad_field(w, key, v ? "not true or false" : "missing");
	*out = json_is_true(v);
	return 0;
}

static int parse_stats(const json_t *s, const struct where *at,
		       struct kt_verifier_prog *p)
{
	struct where w = { .origin = at->origin };
	int ret;

	snprintf(w.path, sizeof(w.path), "%.80s%sstats", at->path,
		 at->path[0] ? "." : "");
	if (!json_is_object(s))
		return bad_field(at, "stats", "not an object");
	if (need_count(s, &w, "processed_insns", &p->stats.processed_insns) ||
	    need_count(s, &w, "insn_limit", &p->stats.insn_limit) ||
	    need_count(s, &w, "peak_states", &p->stats.peak_states) ||
	    need_count(s, &w, "total_states", &p->stats.total_states) ||
	    need_count(s, &w, "max_states_per_insn", &p->stats.max_states_per_insn))
		return -1;
	ret = get_count(s, &w, "time_us", &p->stats.time_us);
	if (ret < 0)
		return -1;
	p->stats.has_time = ret;
	p->has_stats = true;
	return 0;
}

/* One program object: the agent's record, as the report keeps it too. */
static int parse_program(const json_t *o, const struct where *w,
			 struct kt_verifier_prog *p)
{
	unsigned long id = 0, insns = 0;
	json_t *stats;
	int has_id, has_insns;

	memset(p, 0, sizeof(*p));
	if (!json_is_object(o))
		return kt_fail("%s: %s: not an object", w->origin, w->path);
	if (get_text(o, w, "name", p->name, sizeof(p->name), true) < 0 ||
	    get_text(o, w, "prog_type", p->prog_type, sizeof(p->prog_type),
		     true) < 0 ||
	    get_flag(o, w, "loaded", &p->loaded) ||
	    get_text(o, w, "error", p->error, sizeof(p->error), false) < 0 ||
	    get_text(o, w, "note", p->note, sizeof(p->note), false) < 0)
		return -1;
	has_id = get_count(o, w, "id", &id);
	has_insns = get_count(o, w, "verified_insns", &insns);
	if (has_id < 0 || has_insns < 0)
		return -1;
	if (has_id != has_insns)
		return bad_field(w, has_id ? "verified_insns" : "id",
				 "missing (id and verified_insns go together)");
	p->has_info = has_id;
	p->id = id;
	p->verified_insns = insns;
	stats = json_object_get(o, "stats");
	return stats ? parse_stats(stats, w, p) : 0;
}

static int add_program(struct kt_verifier_run *run, const json_t *o,
		       const struct where *w)
{
	struct kt_verifier_prog *progs = realloc(run->progs,
						 (run->nr_progs + 1) * sizeof(*progs));

	if (!progs)
		return kt_fail("out of memory");
	run->progs = progs;
	if (parse_program(o, w, &progs[run->nr_progs]))
		return -1;
	run->nr_progs++;
	return 0;
}

static int run_summary(struct kt_verifier_run *run, const json_t *o,
		       const struct where *w)
{
	if (get_flag(o, w, "enabled", &run->enabled) ||
	    get_text(o, w, "ops", run->ops, sizeof(run->ops), true) < 0 ||
	    need_count(o, w, "loads", &run->loads) ||
	    need_count(o, w, "kept", &run->kept))
		return -1;
	return 0;
}

int kt_verifier_run_records(struct kt_verifier_run *run, const char *text)
{
	struct where w = { .origin = "the agent's records" };
	const char *line = text;
	char kind[16];
	size_t len, n = 0;
	json_t *rec;
	int ret = 0;

	while (!ret && line && *line) {
		len = strcspn(line, "\n");
		rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
		snprintf(w.path, sizeof(w.path), "record %zu", ++n);
		if (!json_is_object(rec))
			ret = kt_fail("%s: %s: not a JSON object", w.origin, w.path);
		else if (get_text(rec, &w, "kind", kind, sizeof(kind), true) < 0)
			ret = -1;
		else if (!strcmp(kind, "program"))
			ret = add_program(run, rec, &w);
		else if (!strcmp(kind, "run"))
			ret = run_summary(run, rec, &w);
		else
			ret = bad_field(&w, "kind", "'%s', not program or run", kind);
		json_decref(rec);
		line += len + (line[len] == '\n');
	}
	return ret;
}

static json_t *run_json(const struct kt_verifier_run *run)
{
	json_t *o = json_object(), *progs = json_array();
	size_t i;

	json_object_set_new(o, "kernel", kt_json_text(run->kernel));
	json_object_set_new(o, "topology", kt_json_text(run->topology));
	json_object_set_new(o, "accel", kt_json_text(run->accel));
	json_object_set_new(o, "enabled", json_boolean(run->enabled));
	json_object_set_new(o, "ops", kt_json_text(run->ops));
	json_object_set_new(o, "loads", json_integer(run->loads));
	json_object_set_new(o, "kept", json_integer(run->kept));
	json_object_set_new(o, "error", kt_json_text(run->error));
	for (i = 0; i < run->nr_progs; i++)
		json_array_append_new(progs, kt_verifier_prog_json(&run->progs[i]));
	json_object_set_new(o, "programs", progs);
	return o;
}

json_t *kt_verifier_report_json(const struct kt_verifier_report *r)
{
	json_t *o = json_object(), *runs = json_array();
	size_t i;

	json_object_set_new(o, "type", json_string(KT_VERIFIER_REPORT_TYPE));
	json_object_set_new(o, "scheduler", kt_json_text(r->scheduler));
	json_object_set_new(o, "args", kt_json_text(r->args));
	for (i = 0; i < r->nr_runs; i++)
		json_array_append_new(runs, run_json(&r->runs[i]));
	json_object_set_new(o, "runs", runs);
	return o;
}

int kt_verifier_report_save(const struct kt_verifier_report *r,
			    const char *path)
{
	json_t *v = kt_verifier_report_json(r);
	int ret;

	if (!v)
		return kt_fail("out of memory");
	ret = kt_json_save("verifier report", path, v,
			   JSON_INDENT(2) | JSON_REAL_PRECISION(12));
	json_decref(v);
	return ret;
}

bool kt_verifier_is_report(const json_t *v)
{
	const char *type = json_string_value(json_object_get(v, "type"));

	return type && !strcmp(type, KT_VERIFIER_REPORT_TYPE);
}

static int parse_run(const json_t *o, struct where *w,
		     struct kt_verifier_run *run)
{
	json_t *progs;
	size_t i;
	int ret;

	if (!json_is_object(o))
		return kt_fail("%s: %s: not an object", w->origin, w->path);
	if (get_text(o, w, "kernel", run->kernel, sizeof(run->kernel), true) < 0 ||
	    get_text(o, w, "topology", run->topology, sizeof(run->topology),
		     true) < 0 ||
	    get_text(o, w, "accel", run->accel, sizeof(run->accel), false) < 0 ||
	    get_text(o, w, "error", run->error, sizeof(run->error), false) < 0)
		return -1;
	ret = run_summary(run, o, w);
	progs = json_object_get(o, "programs");
	if (ret)
		return -1;
	if (!json_is_array(progs))
		return bad_field(w, "programs", progs ? "not an array" : "missing");
	for (i = 0; i < json_array_size(progs); i++) {
		struct where pw = { .origin = w->origin };

		snprintf(pw.path, sizeof(pw.path), "%s.programs[%zu]", w->path, i);
		if (add_program(run, json_array_get(progs, i), &pw))
			return -1;
	}
	return 0;
}

int kt_verifier_report_parse(const json_t *v, const char *origin,
			     struct kt_verifier_report *r)
{
	struct where w = { .origin = origin };
	json_t *runs;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!kt_verifier_is_report(v))
		return kt_fail("%s: not a ktstr verifier report (no \"type\": \"%s\")",
			       origin, KT_VERIFIER_REPORT_TYPE);
	if (get_text(v, &w, "scheduler", r->scheduler, sizeof(r->scheduler),
		     true) < 0 ||
	    get_text(v, &w, "args", r->args, sizeof(r->args), false) < 0)
		return -1;
	runs = json_object_get(v, "runs");
	if (!json_is_array(runs))
		return bad_field(&w, "runs", runs ? "not an array" : "missing");
	for (i = 0; i < json_array_size(runs); i++) {
		struct kt_verifier_run *run = kt_verifier_add_run(r);

		snprintf(w.path, sizeof(w.path), "runs[%zu]", i);
		if (!run || parse_run(json_array_get(runs, i), &w, run)) {
			kt_verifier_report_free(r);
			return -1;
		}
	}
	return 0;
}

int kt_verifier_report_load(const char *path, struct kt_verifier_report *r)
{
	json_t *v = kt_json_load(path, MAX_JSON_MIB);
	int ret;

	if (!v)
		return -1;
	ret = kt_verifier_report_parse(v, path, r);
	json_decref(v);
	return ret;
}

unsigned long kt_verifier_insn_limit(const struct kt_verifier_prog *p)
{
	return p->has_stats && p->stats.insn_limit ? p->stats.insn_limit :
	       KT_VERIFIER_INSN_LIMIT;
}

bool kt_verifier_prog_insns(const struct kt_verifier_prog *p, unsigned long *out)
{
	*out = p->has_info ? p->verified_insns : p->stats.processed_insns;
	return p->has_info || p->has_stats;
}

static void print_program(const struct kt_verifier_prog *p, FILE *out)
{
	char insns[24] = "-", pct[16] = "-", peak[24] = "-", time[24] = "-";
	unsigned long n;

	if (kt_verifier_prog_insns(p, &n)) {
		snprintf(insns, sizeof(insns), "%lu", n);
		snprintf(pct, sizeof(pct), "%.2f%%",
			 100.0 * n / kt_verifier_insn_limit(p));
	}
	if (p->has_stats)
		snprintf(peak, sizeof(peak), "%lu", p->stats.peak_states);
	if (p->stats.has_time)
		snprintf(time, sizeof(time), "%lu", p->stats.time_us);
	fprintf(out, "%-28s %-12s %10s %8s %11s %10s%s%s\n", p->name,
		p->prog_type, insns, pct, peak, time,
		p->loaded ? "" : "  REJECTED: ", p->loaded ? "" : p->error);
}

void kt_verifier_report_print(const struct kt_verifier_report *r, FILE *out)
{
	unsigned long total, n;
	size_t i, j;

	for (i = 0; i < r->nr_runs; i++) {
		const struct kt_verifier_run *run = &r->runs[i];

		fprintf(out, "%s%s on %s, topology %s: ", i ? "\n" : "",
			r->scheduler, run->kernel, run->topology);
		if (run->error[0]) {
			fprintf(out, "failed: %s\n", run->error);
			if (!run->nr_progs)
				continue;
		} else {
			fprintf(out, "ops %s, %lu programs kept of %lu loads\n",
				run->ops, run->kept, run->loads);
		}
		fprintf(out, "%-28s %-12s %10s %8s %11s %10s\n", "PROGRAM",
			"TYPE", "INSNS", "%LIMIT", "PEAK_STATES", "TIME_US");
		for (j = 0, total = 0; j < run->nr_progs; j++) {
			print_program(&run->progs[j], out);
			if (kt_verifier_prog_insns(&run->progs[j], &n))
				total += n;
		}
		fprintf(out, "%-28s %-12s %10lu\n", "total", "", total);
	}
}

unsigned int kt_verifier_check_insns(const struct kt_verifier_report *r,
				     double pct, FILE *out)
{
	unsigned int over = 0;
	unsigned long n, limit;
	size_t i, j;

	for (i = 0; i < r->nr_runs; i++) {
		for (j = 0; j < r->runs[i].nr_progs; j++) {
			const struct kt_verifier_prog *p = &r->runs[i].progs[j];

			limit = kt_verifier_insn_limit(p);
			if (!kt_verifier_prog_insns(p, &n) || 100.0 * n / limit <= pct)
				continue;
			over++;
			fprintf(out, "ktstr verifier: %s: program %s on %s, topology %s: %lu instructions verified, %.2f%% of the kernel's limit of %lu, above --max-insns-pct %g\n",
				r->scheduler, p->name, r->runs[i].kernel,
				r->runs[i].topology, n, 100.0 * n / limit,
				limit, pct);
		}
	}
	return over;
}
