// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "error.h"
#include "json.h"
#include "report.h"

const char *kt_verdict_name(enum kt_verdict v)
{
	return v == KT_PASS ? "pass" : v == KT_SKIP ? "skip" : "fail";
}

void kt_tap_begin(unsigned int count)
{
	printf("TAP version 13\n1..%u\n", count);
	fflush(stdout);
}

/*
 * What the guest printed, for TAP: UTF-8 text as it is, any other byte
 * and every control but tab as \xNN, so that no output can end the line,
 * move a terminal's cursor back over it, or stop a parser that reads
 * UTF-8.
 */
static void print_guest_text(const char *text, const char *end)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t n;

	while (p < (const unsigned char *)end) {
		n = kt_utf8_length(p);
		if (n == 1 && ((*p < 0x20 && *p != '\t') || *p == 0x7f))
			n = 0;
		if (n)
			fwrite(p, 1, n, stdout);
		else
			printf("\\x%02x", *p);
		p += n ? n : 1;
	}
}

/* A line of what the guest printed, as a TAP diagnostic. */
static void print_guest_line(const char *line, const char *end)
{
	fputs("# ", stdout);
	print_guest_text(line, end);
	fputc('\n', stdout);
}

static void print_nested(const char *text)
{
	const char *line = text, *end;

	while (line && *line) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		print_guest_line(line, end);
		line = *end ? end + 1 : end;
	}
}

/* What the results channel dropped, so that a missing figure has a reason. */
static void print_dropped_records(const struct kt_records *rec)
{
	if (rec->rejected)
		printf("# results channel: %u lines that are not records dropped\n",
		       rec->rejected);
	if (rec->over_limit)
		printf("# results channel: %u lines beyond the %u KiB bound dropped\n",
		       rec->over_limit, KT_RESULTS_MAX_BYTES >> 10);
}

/* As the kernel's runner.sh nests a test's TAP under the suite's. */
void kt_tap_result(unsigned int n, const struct kt_result *r)
{
	const char *name = r->item->name;

	printf("# selftests: ktstr: %s\n", name);
	print_nested(r->output);
	print_dropped_records(&r->records);
	print_nested(r->monitor_summary);
	if (r->verdict == KT_FAIL && r->reason[0])
		print_nested(r->reason);
	print_nested(r->repro_text);
	printf("# %s: %s on %s, scheduler %s, %.1fs\n", name,
	       kt_verdict_name(r->verdict), r->item->topology,
	       r->item->scheduler, r->wall_s);
	if (r->verdict == KT_PASS) {
		printf("ok %u selftests: ktstr: %s\n", n, name);
	} else if (r->verdict == KT_SKIP) {
		/* The reason is the guest's "# SKIP" line, on ours. */
		printf("ok %u selftests: ktstr: %s # SKIP ", n, name);
		print_guest_text(r->reason, r->reason + strlen(r->reason));
		fputc('\n', stdout);
	} else {
		printf("not ok %u selftests: ktstr: %s\n", n, name);
	}
	fflush(stdout);
}

/* XML 1.0 takes no control but tab and newline, and this file is UTF-8. */
static void xml_escaped(FILE *f, const char *s)
{
	size_t n;

	for (; s && *s; s += n ? n : 1) {
		unsigned char c = *s;

		n = kt_utf8_length((const unsigned char *)s);
		if (!n)
			fputs("\xef\xbf\xbd", f);	/* U+FFFD */
		else if (n > 1)
			fwrite(s, 1, n, f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '&')
			fputs("&amp;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c < 0x20 && c != '\n' && c != '\t')
			continue;	/* not allowed in XML 1.0 */
		else
			fputc(c, f);
	}
}

static void junit_case(FILE *f, const struct kt_result *r)
{
	fprintf(f, "    <testcase classname=\"ktstr\" name=\"");
	xml_escaped(f, r->item->name);
	fprintf(f, "\" time=\"%.3f\">\n", r->wall_s);
	/* Where it ran, for a CI that merges the reports of both arches. */
	fprintf(f, "      <properties>\n        <property name=\"arch\" value=\"");
	xml_escaped(f, r->arch);
	fprintf(f, "\"/>\n        <property name=\"kernel\" value=\"");
	xml_escaped(f, r->kernel);
	fprintf(f, "\"/>\n      </properties>\n");
	if (r->verdict == KT_FAIL) {
		fprintf(f, "      <failure message=\"");
		xml_escaped(f, r->reason[0] ? r->reason : "test failed");
		fprintf(f, "\"/>\n");
	} else if (r->verdict == KT_SKIP) {
		fprintf(f, "      <skipped message=\"");
		xml_escaped(f, r->reason);
		fprintf(f, "\"/>\n");
	}
	fprintf(f, "      <system-out>");
	xml_escaped(f, r->output);
	fprintf(f, "</system-out>\n    </testcase>\n");
}

int kt_junit_write(const char *path, const struct kt_result *results,
		   size_t count, double total_s)
{
	size_t i, failures = 0, skipped = 0;
	char tmp[PATH_MAX + 16];
	FILE *f;

	for (i = 0; i < count; i++) {
		failures += results[i].verdict == KT_FAIL;
		skipped += results[i].verdict == KT_SKIP;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return kt_fail_errno("--junit %s", path);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
		count, failures, skipped, total_s);
	fprintf(f, "  <testsuite name=\"ktstr\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
		count, failures, skipped, total_s);
	for (i = 0; i < count; i++)
		junit_case(f, &results[i]);
	fprintf(f, "  </testsuite>\n</testsuites>\n");
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return kt_fail_errno("--junit %s", path);
	}
	return 0;
}

void kt_result_file(const char *name, const char *suffix, char *buf,
		    size_t len)
{
	char *slash;

	snprintf(buf, len, "%s%s", name, suffix);
	/* Gauntlet names have '/' between their parts: one flat directory. */
	for (slash = buf; (slash = strchr(slash, '/'));)
		*slash = '@';
}

static const char * const record_fields[KT_NR_RECORD_TYPES] = {
	"checks", "groups", "values",
};

static int record_type(const json_t *rec)
{
	const char *type = json_string_value(json_object_get(rec, "type"));
	int i;

	for (i = 0; type && i < KT_NR_RECORD_TYPES; i++)
		if (!strcmp(type, kt_record_types[i]))
			return i;
	return -1;
}

/* The records, one array per type, and what the channel dropped. */
static void add_records(json_t *obj, const struct kt_records *rec)
{
	json_t *arrays[KT_NR_RECORD_TYPES], *one;
	const char *line = rec->text;
	size_t len;
	int i;

	for (i = 0; i < KT_NR_RECORD_TYPES; i++) {
		arrays[i] = json_array();
		json_object_set_new(obj, record_fields[i], arrays[i]);
	}
	while (line && *line) {
		len = strcspn(line, "\n");
		/* Each was checked on arrival: only a type to find here. */
		one = json_loadb(line, len, 0, NULL);
		i = record_type(one);
		if (i >= 0)
			json_array_append(arrays[i], one);
		json_decref(one);
		line += len + (line[len] == '\n');
	}
	one = json_object();
	json_object_set_new(one, "accepted", json_integer(rec->accepted));
	json_object_set_new(one, "rejected", json_integer(rec->rejected));
	json_object_set_new(one, "over_limit", json_integer(rec->over_limit));
	json_object_set_new(obj, "results_channel", one);
}

/* A JSON text another writer made (monitor, auto-repro), as a value. */
static int add_parsed(json_t *obj, const char *key, const char *text,
		      const char *name)
{
	json_error_t err;
	json_t *v;

	if (!text)
		return 0;
	v = json_loads(text, 0, &err);
	if (!v)
		return kt_fail("result of %s: its %s object is not valid JSON: %s (line %d, column %d)",
			       name, key, err.text, err.line, err.column);
	json_object_set_new(obj, key, v);
	return 0;
}

static json_t *result_object(const struct kt_result *r)
{
	json_t *obj = json_object();
	const char *name = r->item->name;

	if (!obj)
		return kt_fail("out of memory"), NULL;
	json_object_set_new(obj, "name", kt_json_text(name));
	json_object_set_new(obj, "result",
			    json_string(kt_verdict_name(r->verdict)));
	json_object_set_new(obj, "reason", kt_json_text(r->reason));
	json_object_set_new(obj, "topology", kt_json_text(r->item->topology));
	json_object_set_new(obj, "scheduler", kt_json_text(r->item->scheduler));
	json_object_set_new(obj, "kernel", kt_json_text(r->kernel));
	json_object_set_new(obj, "arch", kt_json_text(r->arch));
	json_object_set_new(obj, "accel", kt_json_text(r->accel));
	json_object_set_new(obj, "boot", kt_json_text(r->boot));
	json_object_set_new(obj, "boot_image", kt_json_text(r->boot_image));
	json_object_set_new(obj, "kaslr", r->boot_image[0] ?
			    json_boolean(r->kaslr) : json_null());
	json_object_set_new(obj, "wall_s", kt_json_real(r->wall_s, 3));
	json_object_set_new(obj, "output", kt_json_text(r->output));
	add_records(obj, &r->records);
	if (add_parsed(obj, "monitor", r->monitor_json, name) ||
	    add_parsed(obj, "auto_repro", r->repro_json, name)) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

int kt_json_write(const char *dir, const struct kt_result *r)
{
	char path[PATH_MAX + 256], file[256];
	json_t *obj;
	int ret;

	if (kt_mkdir_p(dir, 0755))
		return -1;
	obj = result_object(r);
	if (!obj)
		return -1;
	kt_result_file(r->item->name, ".json", file, sizeof(file));
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	ret = kt_json_save("--json", path, obj, KT_JSON_FLAGS);
	json_decref(obj);
	return ret;
}

bool kt_tap_all_skipped(const char *tap, char *reason, size_t len)
{
	unsigned int pass, fail, xfail, xpass, skip, error;
	const char *totals = tap ? strstr(tap, "# Totals: ") : NULL;

	if (!totals ||
	    sscanf(totals, "# Totals: pass:%u fail:%u xfail:%u xpass:%u skip:%u error:%u",
		   &pass, &fail, &xfail, &xpass, &skip, &error) != 6 ||
	    pass || fail || xfail || xpass || error || !skip)
		return false;
	kt_tap_skip_reason(tap, reason, len);
	return true;
}

void kt_tap_skip_reason(const char *tap, char *reason, size_t len)
{
	const char *why = tap ? strstr(tap, "# SKIP ") : NULL;

	snprintf(reason, len, "%s", why ? why + 7 : "skipped");
	reason[strcspn(reason, "\n")] = '\0';
}
