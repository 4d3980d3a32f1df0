// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
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

static void print_nested(const char *text)
{
	const char *line = text, *end;

	while (line && *line) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		printf("# %.*s\n", (int)(end - line), line);
		line = *end ? end + 1 : end;
	}
}

/* As the kernel's runner.sh nests a test's TAP under the suite's. */
void kt_tap_result(unsigned int n, const struct kt_result *r)
{
	const char *name = r->item->name;

	printf("# selftests: ktstr: %s\n", name);
	print_nested(r->output);
	print_nested(r->monitor_summary);
	if (r->verdict == KT_FAIL && r->reason[0])
		print_nested(r->reason);
	print_nested(r->repro_text);
	printf("# %s: %s on %s, scheduler %s, %.1fs\n", name,
	       kt_verdict_name(r->verdict), r->item->topology,
	       r->item->scheduler, r->wall_s);
	if (r->verdict == KT_PASS)
		printf("ok %u selftests: ktstr: %s\n", n, name);
	else if (r->verdict == KT_SKIP)
		printf("ok %u selftests: ktstr: %s # SKIP %s\n", n, name,
		       r->reason);
	else
		printf("not ok %u selftests: ktstr: %s\n", n, name);
	fflush(stdout);
}

static void xml_escaped(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '<')
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

int kt_json_write(const char *dir, const struct kt_result *r)
{
	char path[PATH_MAX + 256], tmp[PATH_MAX + 300], file[256];
	FILE *f;

	if (kt_mkdir_p(dir, 0755))
		return -1;
	kt_result_file(r->item->name, ".json", file, sizeof(file));
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return kt_fail_errno("--json %s", path);
	fprintf(f, "{\n  \"name\": ");
	kt_json_string(f, r->item->name);
	fprintf(f, ",\n  \"result\": \"%s\",\n  \"reason\": ",
		kt_verdict_name(r->verdict));
	kt_json_string(f, r->reason);
	fprintf(f, ",\n  \"topology\": ");
	kt_json_string(f, r->item->topology);
	fprintf(f, ",\n  \"scheduler\": ");
	kt_json_string(f, r->item->scheduler);
	fprintf(f, ",\n  \"kernel\": ");
	kt_json_string(f, r->kernel);
	fprintf(f, ",\n  \"accel\": ");
	kt_json_string(f, r->accel);
	fprintf(f, ",\n  \"wall_s\": %.3f,\n  \"output\": ", r->wall_s);
	kt_json_string(f, r->output);
	if (r->monitor_json) {
		fputs(",\n  \"monitor\": ", f);
		fputs(r->monitor_json, f);
	}
	if (r->repro_json) {
		fputs(",\n  \"auto_repro\": ", f);
		fputs(r->repro_json, f);
	}
	fprintf(f, "\n}\n");
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return kt_fail_errno("--json %s", path);
	}
	return 0;
}
