// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr verifier end to end, real VMs: the kernel's scx_qmap on two
 * topologies, and in the same guest, while qmap is loaded
 * (--while-loaded), what bpftool (the host's, which the build needs for
 * its skeletons, put in the guest with --include) and the kernel's fdinfo of qmap's program fds say.  Each
 * program's id, name and type must be bpftool's; its verified_insns the
 * fdinfo's "verified_insns:" of that prog_id (bpftool 7.5, and the
 * 7.3 kernel tree's, do not print verified_insns); the verifier's own
 * count (from its log) the same.  Then --max-insns-pct over a real
 * report, a BIN that loads no BPF program, loads with BPF_COMMON_ATTRS
 * (the 7.x kernel's) and a scheduler the kernel ejects at once.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kselftest/runner/tests/cli.h"
#include "kselftest/runner/tests/scratch.h"

#define VM_TIMEOUT_S 1800
#define QMAP "build/schedulers/scx_qmap"
#define ERROR_SCHED "build/schedulers/ktstr_error"
#define LOADER "build/verifier-agent/test-loader"
#define BPFTOOL "/usr/sbin/bpftool"
/* "FDINFO <prog_id> <verified_insns>" for each BPF program fd in the guest. */
#define FDINFO "for f in /proc/[0-9]*/fdinfo/*; do awk '/^prog_id:/ { id = $2 } /^verified_insns:/ { print \"FDINFO\", id, $2 }' $f; done 2>/dev/null\n"

FIXTURE(vvm) {
	char dir[64];
	char json[128];
	char fdinfo[128];		/* a script of FDINFO, for the guest */
};

FIXTURE_SETUP(vvm)
{
	FILE *f;

	ASSERT_NE(NULL, scratch_make(self->dir, sizeof(self->dir), "verifier-vmtest"));
	snprintf(self->json, sizeof(self->json), "%s/qmap.json", self->dir);
	snprintf(self->fdinfo, sizeof(self->fdinfo), "%s/fdinfo.sh", self->dir);
	f = fopen(self->fdinfo, "w");
	ASSERT_NE(NULL, f);
	fputs(FDINFO, f);
	fclose(f);
}

FIXTURE_TEARDOWN(vvm)
{
	SCRATCH_REMOVE(self->dir);
}

/* bpftool's entry of program @id in the array @progs, or NULL. */
static json_t *bpftool_prog(json_t *progs, json_int_t id)
{
	json_t *p;
	size_t i;

	json_array_foreach(progs, i, p)
		if (json_integer_value(json_object_get(p, "id")) == id)
			return p;
	return NULL;
}

/* The verified_insns the guest's fdinfo shows for @id, or -1. */
static long long fdinfo_insns(const char *out, long long id)
{
	const char *p = out;
	long long i, n;

	while ((p = strstr(p, "FDINFO "))) {
		if (sscanf(p, "FDINFO %lld %lld", &i, &n) == 2 && i == id)
			return n;
		p++;
	}
	return -1;
}

/*
 * The bpftool arrays on ktstr's stdout, one per run: each is one line
 * starting with '[' (the table's lines never do).
 */
static size_t bpftool_outputs(const char *out, json_t **arrays, size_t max)
{
	const char *line = out;
	size_t n = 0, len;

	for (; *line && n < max; line += len + (line[len] == '\n')) {
		len = strcspn(line, "\n");
		if (*line == '[')
			arrays[n++] = json_loadb(line, len, 0, NULL);
	}
	return n;
}

TEST_F_TIMEOUT(vvm, qmap_matches_bpftool_on_two_topologies, VM_TIMEOUT_S)
{
	json_t *report, *runs, *run, *progs, *p, *bt[2] = { NULL, NULL }, *b;
	const char *fdinfo[2];
	size_t i, j, matched;
	json_int_t peak;
	struct cli c;

	/* The build makes skeletons with it: a host without it built nothing. */
	ASSERT_EQ(0, access(BPFTOOL, X_OK))
		TH_LOG(BPFTOOL " is missing (Debian package bpftool, Documentation/install.md)");
	ASSERT_EQ(0, cli_run(&c, "./ktstr verifier --topology 1n1l2c1t --topology 1n2l2c1t --include %s --include %s --while-loaded 'bpftool prog show --json; sh %s' --max-insns-pct 50 --json %s %s",
			     BPFTOOL, self->fdinfo, self->fdinfo, self->json, QMAP))
		TH_LOG("stdout:\n%s\nstderr:\n%s", c.out, c.err);
	TH_LOG("%s", c.out);
	ASSERT_EQ(2, bpftool_outputs(c.out, bt, 2)) TH_LOG("%s", c.out);
	/* Each run's fdinfo lines follow its bpftool array. */
	fdinfo[0] = strstr(c.out, "FDINFO ");
	ASSERT_NE(NULL, fdinfo[0]);
	fdinfo[1] = strstr(fdinfo[0], "\n[");
	ASSERT_NE(NULL, fdinfo[1]) TH_LOG("%s", c.out);
	fdinfo[1] = strstr(fdinfo[1], "FDINFO ");
	ASSERT_NE(NULL, fdinfo[1]) TH_LOG("%s", c.out);
	report = json_load_file(self->json, JSON_REJECT_DUPLICATES, NULL);
	ASSERT_NE(NULL, report);
	runs = json_object_get(report, "runs");
	ASSERT_EQ(2, json_array_size(runs));
	json_array_foreach(runs, i, run) {
		EXPECT_EQ(json_true(), json_object_get(run, "enabled"));
		EXPECT_STREQ("qmap", json_string_value(json_object_get(run, "ops")));
		EXPECT_STREQ("", json_string_value(json_object_get(run, "error")));
		progs = json_object_get(run, "programs");
		/* qmap's struct_ops callbacks and its timer/syscall programs. */
		EXPECT_LE(10, json_array_size(progs));
		matched = 0;
		peak = 0;
		json_array_foreach(progs, j, p) {
			json_int_t id = json_integer_value(json_object_get(p, "id"));
			json_int_t insns = json_integer_value(json_object_get(p, "verified_insns"));
			const char *name = json_string_value(json_object_get(p, "name"));
			json_t *stats = json_object_get(p, "stats");

			ASSERT_NE(NULL, bt[i]);
			b = bpftool_prog(bt[i], id);
			ASSERT_NE(NULL, b) TH_LOG("run %zu: program %s id %lld not in bpftool's list",
						  i, name, (long long)id);
			EXPECT_STREQ(json_string_value(json_object_get(b, "name")), name);
			EXPECT_STREQ(json_string_value(json_object_get(b, "type")),
				     json_string_value(json_object_get(p, "prog_type")));
			EXPECT_EQ(fdinfo_insns(fdinfo[i], id), insns) TH_LOG("%s", name);
			EXPECT_LT(0, insns);
			EXPECT_EQ(insns, json_integer_value(json_object_get(stats, "processed_insns")));
			EXPECT_EQ(1000000, json_integer_value(json_object_get(stats, "insn_limit")));
			EXPECT_NE(NULL, json_object_get(stats, "time_us"));
			if (json_integer_value(json_object_get(stats, "peak_states")) > peak)
				peak = json_integer_value(json_object_get(stats, "peak_states"));
			matched++;
		}
		EXPECT_LT(100, peak);
		EXPECT_EQ(json_array_size(progs), matched);
	}
	json_decref(report);
	json_decref(bt[0]);
	json_decref(bt[1]);
	/* The same report against itself: every program pairs, nothing changed. */
	EXPECT_EQ(0, cli_run(&c, "./ktstr compare %s %s", self->json, self->json));
	EXPECT_NE(NULL, strstr(c.out, " 0 regressions, 0 improvements, 0 only in A, 0 only in B"))
		TH_LOG("%s", c.out);
}

TEST_F_TIMEOUT(vvm, max_insns_pct_fails_naming_the_program, VM_TIMEOUT_S)
{
	struct cli c;

	EXPECT_EQ(1, cli_run(&c, "./ktstr verifier --topology 1n1l2c1t --max-insns-pct 0.001 --json %s "
			     QMAP, self->json)) TH_LOG("%s", c.err);
	/* Every program of qmap is over 10 instructions. */
	EXPECT_NE(NULL, strstr(c.err, "ktstr verifier: scx_qmap: program qmap_enqueue on "))
		TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.err, "% of the kernel's limit of 1000000, above --max-insns-pct 0.001\n"))
		TH_LOG("%s", c.err);
	/* The report is written all the same. */
	EXPECT_EQ(0, access(self->json, R_OK));
}

TEST_F_TIMEOUT(vvm, a_binary_that_loads_no_program, VM_TIMEOUT_S)
{
	struct cli c;

	EXPECT_EQ(1, cli_run(&c, "./ktstr verifier --topology 1n1l2c1t --json %s /bin/true",
			     self->json));
	EXPECT_NE(NULL, strstr(c.err, "ktstr-verifier: /ktstr/verifier/bin/true exited with status 0 before sched_ext was enabled (0 BPF program loads seen)"))
		TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.out, "true on ")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, ": failed: the guest agent exited with status 1"))
		TH_LOG("%s", c.out);
}

/* The report's only run, or NULL. */
static json_t *only_run(json_t *report)
{
	json_t *runs = json_object_get(report, "runs");

	return json_array_size(runs) == 1 ? json_array_get(runs, 0) : NULL;
}

/*
 * A load whose common attributes carry a log keeps it (the kernel would
 * refuse a second one: EINVAL, not the verifier's EACCES); one whose
 * common attributes have none gets the agent's, so its figures are read.
 */
TEST_F_TIMEOUT(vvm, common_attrs_keep_the_loaders_log, VM_TIMEOUT_S)
{
	json_t *report, *progs, *p;
	struct cli c;

	EXPECT_EQ(1, cli_run(&c, "./ktstr verifier --topology 1n1l2c1t --json %s " LOADER " -- common",
			     self->json)) TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.err, "common log: errno 13, the log holds the verifier's error\n"))
		TH_LOG("%s", c.err);
	EXPECT_NE(NULL, strstr(c.err, "common without log: errno 13\n")) TH_LOG("%s", c.err);
	report = json_load_file(self->json, 0, NULL);
	ASSERT_NE(NULL, only_run(report));
	progs = json_object_get(only_run(report), "programs");
	ASSERT_EQ(1, json_array_size(progs)) TH_LOG("%s", c.out);
	p = json_array_get(progs, 0);
	EXPECT_STREQ("test_common", json_string_value(json_object_get(p, "name")));
	EXPECT_EQ(json_false(), json_object_get(p, "loaded"));
	EXPECT_EQ(1, json_integer_value(json_object_get(json_object_get(p, "stats"),
							"processed_insns")));
	json_decref(report);
}

/*
 * ktstr_error fails as soon as it enqueues a task of the agent's own
 * name, which polls sched_ext every 20 ms: the kernel ejects it at
 * once.  It was enabled all the same (enable_seq rose).
 */
TEST_F_TIMEOUT(vvm, an_ejected_scheduler_was_enabled, VM_TIMEOUT_S)
{
	json_t *report;
	struct cli c;

	cli_run(&c, "./ktstr verifier --topology 1n1l2c1t --json %s " ERROR_SCHED " -- -c ktstr-verifier",
		self->json);
	report = json_load_file(self->json, 0, NULL);
	ASSERT_NE(NULL, only_run(report)) TH_LOG("%s", c.err);
	EXPECT_EQ(json_true(), json_object_get(only_run(report), "enabled"))
		TH_LOG("%s", c.err);
	EXPECT_EQ(NULL, strstr(c.err, "before sched_ext was enabled")) TH_LOG("%s", c.err);
	json_decref(report);
}

TEST_HARNESS_MAIN
