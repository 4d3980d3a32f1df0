// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON result: the guest's records grouped by type beside the
 * monitor's and auto-repro's objects, read back with jansson and by
 * `ktstr compare`; then a real suite test whose result file holds the
 * check and group records its guest wrote, run serially and under -j 2
 * (where the result travels from the VM's supervisor to the parent).
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "cli.h"
#include "scratch.h"
#include "compare.h"
#include "control.h"
#include "error.h"
#include "report.h"

#define VM_TIMEOUT_S 900
#define SUITE_TEST "fair.eevdf.spin_overcommit"

#define CHECK_FAIR "{\"type\":\"check\",\"check\":\"fairness\",\"group\":\"spin\",\"pass\":true,\"values\":{\"spread\":0.2,\"limit\":0.75},\"test\":\"fair.x.spin\"}"
#define CHECK_SHARE "{\"type\":\"check\",\"check\":\"share\",\"group\":\"nice\",\"pass\":false,\"reason\":\"nice 0 got 31%\",\"values\":{\"expected\":0.75,\"measured\":0.31,\"tolerance\":0.15}}"
#define GROUP_SPIN "{\"type\":\"group\",\"group\":\"spin\",\"kind\":\"spin\",\"summary\":{\"workers\":2,\"work\":300,\"spread\":0.2,\"max_gap_ms\":40,\"migrations\":7,\"llc_migrations\":3,\"node_migrations\":1,\"run_delay_ms_mean\":12,\"lat_p99_us\":900},\"workers\":[{\"pid\":10,\"work\":165},{\"pid\":11,\"work\":135}]}"
#define VALUES_REC "{\"type\":\"values\",\"name\":\"pingpong\",\"values\":{\"round_trips\":1000}}"
#define MONITOR "{\n  \"interval_ms\": 100,\n  \"verdicts\": [\n    {\"name\": \"stall\", \"failed\": false, \"value\": 0.000},\n    {\"name\": \"imbalance\", \"failed\": true, \"value\": 1.267}\n  ],\n  \"samples\": []\n}"
#define REPRO "{\"probes\": [\"scx_bpf_error\"], \"hits\": 3}"

static struct cli c;

FIXTURE(results) {
	char dir[64];
	struct kt_run_item item;
	struct kt_result r;
};

FIXTURE_SETUP(results)
{
	ASSERT_NE(NULL, scratch_make(self->dir, sizeof(self->dir), "resultstest"));
	memset(&self->item, 0, sizeof(self->item));
	snprintf(self->item.name, sizeof(self->item.name), "fair.x.spin");
	snprintf(self->item.topology, sizeof(self->item.topology), "1n2l2c1t");
	snprintf(self->item.scheduler, sizeof(self->item.scheduler), "x");
	memset(&self->r, 0, sizeof(self->r));
	self->r.item = &self->item;
	self->r.verdict = KT_FAIL;
	snprintf(self->r.reason, sizeof(self->r.reason), "share too low");
	snprintf(self->r.kernel, sizeof(self->r.kernel), "7.3-test");
	snprintf(self->r.accel, sizeof(self->r.accel), "tcg");
	self->r.wall_s = 12.3456;
}

FIXTURE_TEARDOWN(results)
{
	kt_records_free(&self->r.records);
	SCRATCH_REMOVE(self->dir);
}

static void add_record(struct kt_records *rec, const char *line)
{
	kt_records_add(rec, line, strlen(line), KT_RESULTS_MAX_BYTES);
}

static json_t *load_result(const char *dir, const char *name)
{
	char path[256];
	json_error_t err;
	json_t *res;

	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	res = json_load_file(path, 0, &err);
	if (!res)
		fprintf(stderr, "# %s: %s (line %d)\n", path, err.text, err.line);
	return res;
}

static json_t *parsed(const char *text)
{
	return json_loads(text, 0, NULL);
}

TEST_F(results, records_in_the_json_result)
{
	json_t *res, *want, *arr;
	struct kt_result_set set;

	add_record(&self->r.records, CHECK_FAIR);
	add_record(&self->r.records, GROUP_SPIN);
	add_record(&self->r.records, "garbage");
	add_record(&self->r.records, CHECK_SHARE);
	add_record(&self->r.records, VALUES_REC);
	self->r.records.over_limit = 2;	/* as if /init had dropped two */
	snprintf(self->r.boot_image, sizeof(self->r.boot_image), "bzImage");
	self->r.kaslr = true;
	/* A guest prints what it likes: bytes that are not UTF-8 too. */
	self->r.output = strdup("TAP version 13\n\xff\xfe bad \xe2\x82 bytes\x01\nok 1\n");
	self->r.monitor_json = strdup(MONITOR);
	self->r.repro_json = strdup(REPRO);
	ASSERT_EQ(0, kt_json_write(self->dir, &self->r)) TH_LOG("%s", kt_errmsg());
	free(self->r.output);
	free(self->r.monitor_json);
	free(self->r.repro_json);

	res = load_result(self->dir, "fair.x.spin");
	ASSERT_NE(NULL, res);
	EXPECT_STREQ("fair.x.spin", json_string_value(json_object_get(res, "name")));
	EXPECT_STREQ("fail", json_string_value(json_object_get(res, "result")));
	EXPECT_STREQ("share too low", json_string_value(json_object_get(res, "reason")));
	EXPECT_STREQ("1n2l2c1t", json_string_value(json_object_get(res, "topology")));
	EXPECT_STREQ("x", json_string_value(json_object_get(res, "scheduler")));
	EXPECT_STREQ("7.3-test", json_string_value(json_object_get(res, "kernel")));
	EXPECT_STREQ("tcg", json_string_value(json_object_get(res, "accel")));
	EXPECT_STREQ("bzImage", json_string_value(json_object_get(res, "boot_image")));
	EXPECT_TRUE(json_is_true(json_object_get(res, "kaslr")));
	EXPECT_EQ(12.346, json_real_value(json_object_get(res, "wall_s")));
	EXPECT_STREQ("TAP version 13\n\xef\xbf\xbd\xef\xbf\xbd bad \xef\xbf\xbd\xef\xbf\xbd bytes\x01\nok 1\n",
		     json_string_value(json_object_get(res, "output")));

	/* Each record, whole, under its type, in the order it came. */
	arr = json_object_get(res, "checks");
	ASSERT_EQ(2, json_array_size(arr));
	want = parsed(CHECK_FAIR);
	EXPECT_TRUE(json_equal(want, json_array_get(arr, 0)));
	json_decref(want);
	want = parsed(CHECK_SHARE);
	EXPECT_TRUE(json_equal(want, json_array_get(arr, 1)));
	json_decref(want);
	arr = json_object_get(res, "groups");
	ASSERT_EQ(1, json_array_size(arr));
	want = parsed(GROUP_SPIN);
	EXPECT_TRUE(json_equal(want, json_array_get(arr, 0)));
	json_decref(want);
	arr = json_object_get(res, "values");
	ASSERT_EQ(1, json_array_size(arr));
	EXPECT_STREQ("pingpong", json_string_value(json_object_get(json_array_get(arr, 0), "name")));
	arr = json_object_get(res, "results_channel");
	EXPECT_EQ(4, json_integer_value(json_object_get(arr, "accepted")));
	EXPECT_EQ(1, json_integer_value(json_object_get(arr, "rejected")));
	EXPECT_EQ(2, json_integer_value(json_object_get(arr, "over_limit")));

	/* The other writers' objects as objects, not text. */
	want = parsed(MONITOR);
	EXPECT_TRUE(json_equal(want, json_object_get(res, "monitor")));
	json_decref(want);
	want = parsed(REPRO);
	EXPECT_TRUE(json_equal(want, json_object_get(res, "auto_repro")));
	json_decref(want);
	json_decref(res);

	/* And compare reads its metrics from those fields. */
	ASSERT_EQ(0, kt_result_set_load(self->dir, &set)) TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(1, set.count);
	EXPECT_STREQ("fair.spin", set.v[0].test);
	EXPECT_EQ(1, set.v[0].v[KT_METRIC_FAILED]);
	EXPECT_EQ(0.2, set.v[0].v[KT_METRIC_SPREAD]);
	EXPECT_EQ(300, set.v[0].v[KT_METRIC_WORK]);
	EXPECT_EQ(40, set.v[0].v[KT_METRIC_GAP_MS]);
	EXPECT_EQ(7, set.v[0].v[KT_METRIC_MIGRATIONS]);
	EXPECT_EQ(3, set.v[0].v[KT_METRIC_LLC_MIGRATIONS]);
	EXPECT_EQ(1, set.v[0].v[KT_METRIC_NODE_MIGRATIONS]);
	EXPECT_EQ(12, set.v[0].v[KT_METRIC_RUN_DELAY_MS]);
	EXPECT_EQ(900, set.v[0].v[KT_METRIC_WAKE_P99_US]);
	EXPECT_GT(1e-9, fabs(0.44 - set.v[0].v[KT_METRIC_SHARE_ERROR]));
	EXPECT_EQ(1, set.v[0].v[KT_METRIC_VERDICTS]);
	EXPECT_STREQ("bzImage", set.v[0].boot_image);
	EXPECT_EQ(1, set.v[0].kaslr);
	kt_result_set_free(&set);
}

/* No records, no monitor: the arrays are there, empty. */
TEST_F(results, a_result_without_records)
{
	json_t *res;

	self->r.verdict = KT_PASS;
	self->r.reason[0] = '\0';
	ASSERT_EQ(0, kt_json_write(self->dir, &self->r)) TH_LOG("%s", kt_errmsg());
	res = load_result(self->dir, "fair.x.spin");
	ASSERT_NE(NULL, res);
	EXPECT_STREQ("", json_string_value(json_object_get(res, "output")));
	EXPECT_EQ(0, json_array_size(json_object_get(res, "checks")));
	EXPECT_TRUE(json_is_array(json_object_get(res, "groups")));
	EXPECT_TRUE(json_is_array(json_object_get(res, "values")));
	EXPECT_EQ(NULL, json_object_get(res, "monitor"));
	EXPECT_EQ(NULL, json_object_get(res, "auto_repro"));
	/* No VM booted (it failed before): no image, KASLR unknown. */
	EXPECT_STREQ("", json_string_value(json_object_get(res, "boot_image")));
	EXPECT_TRUE(json_is_null(json_object_get(res, "kaslr")));
	json_decref(res);
}

/* Another writer's object that is not JSON is named; no file is left. */
TEST_F(results, a_bad_monitor_object_is_named)
{
	char cmd[128];

	self->r.monitor_json = "{\"verdicts\": [";
	EXPECT_EQ(-1, kt_json_write(self->dir, &self->r));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "result of fair.x.spin: its monitor object is not valid JSON: "))
		TH_LOG("%s", kt_errmsg());
	self->r.monitor_json = NULL;
	self->r.repro_json = "not json";
	EXPECT_EQ(-1, kt_json_write(self->dir, &self->r));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "its auto_repro object is not valid JSON"))
		TH_LOG("%s", kt_errmsg());
	self->r.repro_json = NULL;
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A %s)\"", self->dir);
	EXPECT_EQ(0, system(cmd));
}

/* The worker figures the guest printed in its TAP, worker by worker. */
static void expect_workers_as_printed(struct __test_metadata *_metadata,
				      const json_t *workers,
				      const char *output)
{
	char pat[64];
	size_t i;
	long long work;
	int matched;

	for (i = 0; i < json_array_size(workers); i++) {
		const json_t *w = json_array_get(workers, i);
		const char *line;

		snprintf(pat, sizeof(pat), "worker %zu pid %lld ", i,
			 json_integer_value(json_object_get(w, "pid")));
		line = strstr(output, pat);
		ASSERT_NE(NULL, line) TH_LOG("no '%s' in %s", pat, output);
		line = strstr(line, ": work ");
		ASSERT_NE(NULL, line);
		matched = sscanf(line, ": work %lld", &work);
		ASSERT_EQ(1, matched);
		EXPECT_EQ(work, json_number_value(json_object_get(w, "work")));
		EXPECT_TRUE(json_is_number(json_object_get(w, "cpu_ms")));
		EXPECT_TRUE(json_is_integer(json_object_get(w, "migrations")));
		EXPECT_TRUE(json_is_integer(json_object_get(w, "llc_migrations")));
		EXPECT_TRUE(json_is_integer(json_object_get(w, "node_migrations")));
	}
}

static const json_t *find_check(const json_t *checks, const char *name)
{
	size_t i;

	for (i = 0; i < json_array_size(checks); i++)
		if (!strcmp(name, json_string_value(json_object_get(
				json_array_get(checks, i), "check")) ?: ""))
			return json_array_get(checks, i);
	return NULL;
}

/* The records of one real run, as its result file holds them. */
static void expect_guest_records(struct __test_metadata *_metadata,
				 const char *dir)
{
	const json_t *fair, *group, *summary, *channel;
	struct kt_result_set set;
	json_t *res;
	size_t n;

	res = load_result(dir, SUITE_TEST);
	ASSERT_NE(NULL, res);
	EXPECT_STREQ("pass", json_string_value(json_object_get(res, "result")));
	/* The fairness check with the spread it judged by. */
	fair = find_check(json_object_get(res, "checks"), "fairness");
	ASSERT_NE(NULL, fair);
	EXPECT_STREQ(SUITE_TEST, json_string_value(json_object_get(fair, "test")));
	EXPECT_STREQ("spin", json_string_value(json_object_get(fair, "group")));
	EXPECT_TRUE(json_is_true(json_object_get(fair, "pass")));
	EXPECT_TRUE(json_is_number(json_object_get(json_object_get(fair, "values"), "spread")));
	/* The group, its summary the same spread, a figure per worker. */
	ASSERT_EQ(1, json_array_size(json_object_get(res, "groups")));
	group = json_array_get(json_object_get(res, "groups"), 0);
	summary = json_object_get(group, "summary");
	EXPECT_STREQ("spin", json_string_value(json_object_get(group, "group")));
	EXPECT_EQ(json_number_value(json_object_get(json_object_get(fair, "values"), "spread")),
		  json_number_value(json_object_get(summary, "spread")));
	n = json_integer_value(json_object_get(summary, "workers"));
	EXPECT_LT(0, n);
	EXPECT_EQ(n, json_array_size(json_object_get(group, "workers")));
	expect_workers_as_printed(_metadata, json_object_get(group, "workers"),
				  json_string_value(json_object_get(res, "output")));
	/* Nothing dropped; nothing of the records in the TAP. */
	channel = json_object_get(res, "results_channel");
	EXPECT_EQ(json_array_size(json_object_get(res, "checks")) + 1 +
		  json_array_size(json_object_get(res, "values")),
		  json_integer_value(json_object_get(channel, "accepted")));
	EXPECT_EQ(0, json_integer_value(json_object_get(channel, "rejected")));
	EXPECT_EQ(0, json_integer_value(json_object_get(channel, "over_limit")));
	EXPECT_EQ(NULL, strstr(json_string_value(json_object_get(res, "output")), "\"type\""));
	EXPECT_TRUE(json_is_object(json_object_get(res, "monitor")));

	/* compare's metrics are those figures. */
	ASSERT_EQ(0, kt_result_set_load(dir, &set)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(json_number_value(json_object_get(summary, "spread")),
		  set.v[0].v[KT_METRIC_SPREAD]);
	EXPECT_EQ(json_number_value(json_object_get(summary, "work")),
		  set.v[0].v[KT_METRIC_WORK]);
	EXPECT_EQ(json_number_value(json_object_get(summary, "llc_migrations")),
		  set.v[0].v[KT_METRIC_LLC_MIGRATIONS]);
	EXPECT_TRUE(set.v[0].has[KT_METRIC_RUN_DELAY_MS]);
	EXPECT_TRUE(set.v[0].has[KT_METRIC_VERDICTS]);
	kt_result_set_free(&set);
	json_decref(res);
}

TEST_F_TIMEOUT(results, a_real_test_serially_and_under_j2, VM_TIMEOUT_S)
{
	char dir[128];

	snprintf(dir, sizeof(dir), "%s/serial", self->dir);
	ASSERT_EQ(0, cli_run(&c, "./ktstr run --json %s " SUITE_TEST, dir))
		TH_LOG("%s%s", c.out, c.err);
	EXPECT_EQ(NULL, strstr(c.out, "results channel:")) TH_LOG("%s", c.out);
	expect_guest_records(_metadata, dir);
	/* -j 2 with one test: the result crosses from its supervisor. */
	snprintf(dir, sizeof(dir), "%s/parallel", self->dir);
	ASSERT_EQ(0, cli_run(&c, "./ktstr run -j 2 --json %s " SUITE_TEST, dir))
		TH_LOG("%s%s", c.out, c.err);
	expect_guest_records(_metadata, dir);
}

TEST_HARNESS_MAIN
