// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr gauntlet without booting: the listing of the real suite, its
 * shards, budgets from a fixed cost model, names, constraints, profiles,
 * kernels, and every bad argument.  Runs ./ktstr as a user would.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"

#include "costs.h"
#include "error.h"
#include "gauntlet.h"
#include "report.h"

#define OUT_MAX (1 << 20)

/* Runs `./ktstr gauntlet ARGS`; stdout and stderr into malloc'd strings. */
static int run_gauntlet(const char *args, char **out, char **err)
{
	char cmd[2048], o[] = "/tmp/ktstr-gt-out-XXXXXX",
	     e[] = "/tmp/ktstr-gt-err-XXXXXX";
	int fo = mkstemp(o), fe = mkstemp(e), status;
	FILE *f;
	size_t n;

	close(fo);
	close(fe);
	snprintf(cmd, sizeof(cmd), "./ktstr gauntlet %s >%s 2>%s", args, o, e);
	status = system(cmd);
	*out = calloc(1, OUT_MAX);
	*err = calloc(1, OUT_MAX);
	f = fopen(o, "r");
	n = fread(*out, 1, OUT_MAX - 1, f);
	(*out)[n] = '\0';
	fclose(f);
	f = fopen(e, "r");
	n = fread(*err, 1, OUT_MAX - 1, f);
	(*err)[n] = '\0';
	fclose(f);
	unlink(o);
	unlink(e);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The first column of each line, as a list of names. */
static size_t names(char *text, char **v, size_t max)
{
	size_t n = 0;
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, " ")] = '\0';
		v[n++] = line;
	}
	return n;
}

static bool contains(char *const *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], name))
			return true;
	return false;
}

#define MAX_ENTRIES 4096

/* The acceptance check: shards are disjoint and their union is the whole. */
TEST(shards_partition_the_listing)
{
	static char *all[MAX_ENTRIES], *part[MAX_ENTRIES];
	char *out, *err, *sout, *serr, args[64];
	unsigned int k, n, *seen;
	size_t nr_all, nr_part, i, j;

	ASSERT_EQ(0, run_gauntlet("--list", &out, &err)) TH_LOG("%s", err);
	nr_all = names(out, all, MAX_ENTRIES);
	ASSERT_LT(100, nr_all);
	seen = calloc(nr_all, sizeof(*seen));
	for (n = 1; n <= 5; n++) {
		memset(seen, 0, nr_all * sizeof(*seen));
		for (k = 1; k <= n; k++) {
			snprintf(args, sizeof(args), "--list --shard %u/%u", k, n);
			ASSERT_EQ(0, run_gauntlet(args, &sout, &serr)) TH_LOG("%s", serr);
			nr_part = names(sout, part, MAX_ENTRIES);
			for (i = 0; i < nr_part; i++) {
				for (j = 0; j < nr_all; j++)
					if (!strcmp(part[i], all[j]))
						break;
				ASSERT_LT(j, nr_all) TH_LOG("%s not in the listing", part[i]);
				EXPECT_EQ(0, seen[j]) TH_LOG("%s in shards %u and %u of %u",
							     part[i], seen[j], k, n);
				seen[j] = k;
			}
			free(sout);
			free(serr);
		}
		for (j = 0; j < nr_all; j++)
			EXPECT_NE(0, seen[j]) TH_LOG("%s in no shard of %u", all[j], n);
	}
	free(seen);
	free(out);
	free(err);
}

TEST(names_constraints_profiles)
{
	static char *v[MAX_ENTRIES];
	char *out, *err;
	size_t n, i;

	ASSERT_EQ(0, run_gauntlet("--list", &out, &err)) TH_LOG("%s", err);
	n = names(out, v, MAX_ENTRIES);
	/* <test>/<preset>, and /<profile> for a declared flag profile. */
	EXPECT_TRUE(contains(v, n, "fair.eevdf.spin_overcommit/llc7"));
	EXPECT_TRUE(contains(v, n, "fair.scx_simple.spin_overcommit/odd-llc/fifo"));
	EXPECT_TRUE(contains(v, n, "lifecycle.scx_qmap.attach_run_detach/numa4/slice1ms"));
	EXPECT_FALSE(contains(v, n, "fair.eevdf.spin_overcommit/llc7/fifo"));
	/* .min_nodes = 2: never on one node; .min_llcs = 2: never on one LLC. */
	EXPECT_TRUE(contains(v, n, "cpuset.eevdf.overlapping_numa/numa2-far"));
	EXPECT_FALSE(contains(v, n, "cpuset.eevdf.overlapping_numa/llc5"));
	EXPECT_FALSE(contains(v, n, "cpuset.eevdf.per_llc_isolation/tiny"));
	/* Large presets only when asked. */
	for (i = 0; i < n; i++)
		EXPECT_EQ(NULL, strstr(v[i], "/big")) TH_LOG("%s", v[i]);
	free(out);
	free(err);
	/* An entry by its whole name, a profile's too. */
	ASSERT_EQ(0, run_gauntlet("--list fair.scx_simple.spin_overcommit/odd-llc/fifo", &out, &err));
	n = names(out, v, MAX_ENTRIES);
	EXPECT_EQ(1, n) TH_LOG("%s", out);
	EXPECT_TRUE(contains(v, n, "fair.scx_simple.spin_overcommit/odd-llc/fifo"));
	free(out);
	free(err);
	ASSERT_EQ(0, run_gauntlet("--list --large --preset big128 fair.eevdf.spin", &out, &err));
	EXPECT_NE(NULL, strstr(out, "fair.eevdf.spin_overcommit/big128 ")) TH_LOG("%s", out);
	free(out);
	free(err);
}

/* Presets with CPU capacities are arm64's: never in an x86_64 listing. */
TEST(capacity_presets_are_not_x86_64s)
{
	char *out, *err;

	ASSERT_EQ(0, run_gauntlet("--list fair.eevdf.spin_overcommit", &out, &err))
		TH_LOG("%s", err);
	EXPECT_EQ(NULL, strstr(out, "/big-little")) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "/tri-tier")) TH_LOG("%s", out);
	free(out);
	free(err);
	/* No x86_64 preset has them: nothing to run. */
	EXPECT_EQ(1, run_gauntlet("--list capacity.eevdf.", &out, &err));
	EXPECT_NE(NULL, strstr(err, "no test matches 'capacity.eevdf.'")) TH_LOG("%s", err);
	free(out);
	free(err);
}

/*
 * arm64's listing has them, and a test of big and small CPUs runs only
 * on presets that have them.  Listing reads the arm64 suite's
 * declarations: without `make arm64` there is nothing to list.
 */
TEST(capacity_presets_follow_the_arch)
{
	char *out, *err, *v[MAX_ENTRIES];
	size_t n, i;

	if (access("build/arm64/suite", F_OK))
		SKIP(return, "no build/arm64 (make arm64)");
	ASSERT_EQ(0, run_gauntlet("--arch arm64 --list fair.eevdf.spin_overcommit",
				  &out, &err)) TH_LOG("%s", err);
	n = names(out, v, MAX_ENTRIES);
	EXPECT_TRUE(contains(v, n, "fair.eevdf.spin_overcommit/big-little"));
	EXPECT_TRUE(contains(v, n, "fair.eevdf.spin_overcommit/tri-tier"));
	EXPECT_TRUE(contains(v, n, "fair.eevdf.spin_overcommit/llc7"));
	free(out);
	free(err);
	ASSERT_EQ(0, run_gauntlet("--arch arm64 --list capacity.eevdf.", &out,
				  &err)) TH_LOG("%s", err);
	n = names(out, v, MAX_ENTRIES);
	EXPECT_EQ(4, n) TH_LOG("%s", out);
	for (i = 0; i < n; i++)
		EXPECT_TRUE(strstr(v[i], "/big-little") || strstr(v[i], "/tri-tier"))
			TH_LOG("%s", v[i]);
	free(out);
	free(err);
}

TEST(kernels_label_the_names)
{
	char *out, *err;

	ASSERT_EQ(0, run_gauntlet("--list --preset tiny --kernel 7.3 --kernel /boot/vmlinuz-6.12 fair.eevdf.spin",
			      &out, &err)) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(out, "fair.eevdf.spin_overcommit/tiny/7.3 ")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "fair.eevdf.spin_overcommit/tiny/vmlinuz-6.12 ")) TH_LOG("%s", out);
	free(out);
	free(err);
	/* One kernel: no label, the names stay those of the default. */
	ASSERT_EQ(0, run_gauntlet("--list --preset tiny --kernel 7.3 fair.eevdf.spin", &out, &err));
	EXPECT_NE(NULL, strstr(out, "fair.eevdf.spin_overcommit/tiny ")) TH_LOG("%s", out);
	free(out);
	free(err);
	EXPECT_EQ(2, run_gauntlet("--list --kernel a/7.3 --kernel b/7.3", &out, &err));
	EXPECT_NE(NULL, strstr(err, "have the same label '7.3'")) TH_LOG("%s", err);
	free(out);
	free(err);
}

static void write_costs(const char *path)
{
	FILE *f = fopen(path, "w");

	fputs("{\"version\": 1, \"boot_base_s\": 3, \"boot_per_cpu_s\": 0.1, \"calibrated\": true,\n"
	      " \"tests\": {\"fair.eevdf.spin_overcommit\": 5}}\n", f);
	fclose(f);
}

/* Same costs, same budget: the same choice, within the budget. */
TEST(budget_is_deterministic_and_fits)
{
	char costs[] = "/tmp/ktstr-gt-costs-XXXXXX", args[256];
	char *out1, *err1, *out2, *err2, *line;
	double total = 0, est;
	int fd = mkstemp(costs), status1, status2;

	close(fd);
	write_costs(costs);
	/* One VM at a time: the estimates of the chosen add up to the budget. */
	snprintf(args, sizeof(args), "-j 1 --list --budget 120 --costs %s",
		 costs);
	status1 = run_gauntlet(args, &out1, &err1);
	status2 = run_gauntlet(args, &out2, &err2);
	/* Gone before any assertion can end the test. */
	unlink(costs);
	ASSERT_EQ(0, status1) TH_LOG("%s", err1);
	ASSERT_EQ(0, status2) TH_LOG("%s", err2);
	EXPECT_STREQ(out1, out2);
	EXPECT_NE(NULL, strstr(err1, "(budget 120s)")) TH_LOG("%s", err1);
	EXPECT_NE(NULL, strstr(err1, "# left out ")) TH_LOG("%s", err1);
	/* The measured test costs 3 + 0.1 * 8 vCPUs + 5 on smt-mix. */
	line = strstr(out1, "fair.eevdf.spin_overcommit/smt-mix ");
	ASSERT_NE(NULL, line) TH_LOG("%s", out1);
	EXPECT_EQ(0, strncmp(strstr(line, "eevdf ") + strlen("eevdf "),
			     "             8.8s", 17)) TH_LOG("%.100s", line);
	for (line = out1; line && *line; line = strchr(line, '\n') ?
	     strchr(line, '\n') + 1 : NULL) {
		const char *s = strrchr(line, ' ');

		if (s && sscanf(s, " %lfs", &est) == 1)
			total += est;
	}
	EXPECT_LT(0, total);
	EXPECT_GE(120, total) TH_LOG("chosen entries estimate %.1fs", total);
	free(out1);
	free(err1);
	free(out2);
	free(err2);
}

TEST(budget_prefers_new_features_per_second)
{
	struct kt_preset a = { .name = "a", .nr_features = 2,
			       .features = { "llcs=1", "no-smt" } };
	struct kt_preset b = { .name = "b", .nr_features = 2,
			       .features = { "llcs=1", "smt" } };
	struct kt_preset c = { .name = "c", .nr_features = 3,
			       .features = { "llcs=3", "no-smt", "odd" } };
	struct kt_gauntlet_entry v[3] = {
		{ .test = "t", .preset = &a, .cost_s = 10 },
		{ .test = "t", .preset = &b, .cost_s = 10 },
		{ .test = "t", .preset = &c, .cost_s = 12 },
	};
	struct kt_gauntlet g = { .v = v, .count = 3 };

	snprintf(v[0].item.name, sizeof(v[0].item.name), "t/a");
	snprintf(v[1].item.name, sizeof(v[1].item.name), "t/b");
	snprintf(v[2].item.name, sizeof(v[2].item.name), "t/c");
	/* c: 3 new in 12 s; then b: "smt" new; a adds nothing new. */
	kt_gauntlet_budget(&g, 40, 1);
	EXPECT_FALSE(v[0].selected);
	EXPECT_TRUE(v[1].selected);
	EXPECT_TRUE(v[2].selected);
	EXPECT_NE(NULL, strstr(v[0].left_out, "adds no")) TH_LOG("%s", v[0].left_out);
	kt_gauntlet_budget(&g, 15, 1);
	EXPECT_TRUE(v[2].selected);
	EXPECT_FALSE(v[1].selected);
	EXPECT_NE(NULL, strstr(v[1].left_out, "over the budget")) TH_LOG("%s", v[1].left_out);
}

/* The model file, removed whatever the test's end. */
FIXTURE(model) {
	char path[64];
};

FIXTURE_SETUP(model)
{
	int fd;

	snprintf(self->path, sizeof(self->path), "/tmp/ktstr-gt-model-XXXXXX");
	fd = mkstemp(self->path);
	ASSERT_LE(0, fd);
	close(fd);
}

FIXTURE_TEARDOWN(model)
{
	unlink(self->path);
}

TEST_F(model, cost_model_fit_and_file)
{
	struct kt_costs c, d;
	unsigned int cpus[] = { 2, 10, 16 };
	double boot[] = { 3.2, 4.0, 4.6 };
	char *path = self->path;

	kt_costs_init(&c);
	ASSERT_EQ(0, kt_costs_fit_boot(&c, cpus, boot, 3));
	EXPECT_LT(2.9, c.boot_base_s);
	EXPECT_GT(3.1, c.boot_base_s);
	EXPECT_LT(0.09, c.boot_per_cpu_s);
	EXPECT_GT(0.11, c.boot_per_cpu_s);
	ASSERT_EQ(0, kt_costs_observe(&c, "x.y", 4, 20));
	/*
	 * A faster run takes the estimate halfway down (20 to 16), a slower
	 * one up at once: budgets are limits, but one stall is no rule.
	 */
	ASSERT_EQ(0, kt_costs_observe(&c, "x.y", 4, 12));
	EXPECT_LT(15.9, kt_costs_estimate(&c, "x.y", 4));
	EXPECT_GT(16.1, kt_costs_estimate(&c, "x.y", 4));
	ASSERT_EQ(0, kt_costs_observe(&c, "x.y", 4, 20));
	ASSERT_EQ(0, kt_costs_save(path, &c));
	ASSERT_EQ(0, kt_costs_load(path, &d));
	EXPECT_LT(19.9, kt_costs_estimate(&d, "x.y", 4));
	EXPECT_GT(20.1, kt_costs_estimate(&d, "x.y", 4));
	EXPECT_TRUE(d.calibrated);
	EXPECT_EQ(round(c.boot_base_s * 1000) / 1000, d.boot_base_s);
	EXPECT_EQ(round(c.boot_per_cpu_s * 10000) / 10000, d.boot_per_cpu_s);
	kt_costs_free(&c);
	kt_costs_free(&d);
	EXPECT_EQ(-1, kt_costs_fit_boot(&c, cpus, boot, 1));
}

/* The start of a model as ktstr wrote it before JSON. */
#define OLD_TEXT_MODEL							\
	"# ktstr gauntlet cost model: wall = boot_base_s + boot_per_cpu_s * vCPUs + test run_s\n" \
	"boot_base_s 5.000\nboot_per_cpu_s 0.2500\ncalibrated 0\n"

struct bad_model {
	const char *what, *text, *message;
};

static void write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fwrite(text, 1, len, f);
		fclose(f);
	}
}

/*
 * Every way a cost file can be bad: refused, the error naming the file
 * and, where there is one, the field; the model left at its defaults.
 */
TEST_F(model, bad_cost_files_are_named)
{
	static const struct bad_model bad[] = {
		{ "malformed", "{\"version\": 1,, \"boot_base_s\": 2}",
		  "not valid JSON: string or '}' expected near ',' (line 1, column 15)" },
		{ "truncated", "{\"version\": 1, \"boot_base_s\": 2.4",
		  "not valid JSON: '}' expected near end of file (line 1, column 33)" },
		{ "empty", "", "not valid JSON: '[' or '{' expected near end of file" },
		{ "trailing", "{}\n{}\n", "not valid JSON: end of file expected near '{' (line 2, column 1)" },
		{ "twice", "{\"version\": 1, \"version\": 1}",
		  "not valid JSON: duplicate object key near '\"version\"'" },
		{ "not finite", "{\"version\": 1, \"boot_base_s\": 1e999}",
		  "not valid JSON: real number overflow near '1e999'" },
		{ "an array", "[1]", "not a cost model (not a JSON object)" },
		{ "the text format", OLD_TEXT_MODEL,
		  "a cost model in the text format of an older ktstr, not JSON: delete it" },
		{ "no version", "{\"boot_base_s\": 3}", "field version: missing" },
		{ "another version", "{\"version\": 2}",
		  "field version: 2, but this ktstr reads version 1" },
		{ "a real version", "{\"version\": 1.0}",
		  "field version: Expected integer, got real" },
		{ "no boot_base_s", "{\"version\": 1, \"boot_per_cpu_s\": 0.1}",
		  "field boot_base_s: missing" },
		{ "a string", "{\"version\": 1, \"boot_base_s\": \"3\"}",
		  "field boot_base_s: Expected real or integer, got string" },
		{ "null", "{\"version\": 1, \"boot_base_s\": null}",
		  "field boot_base_s: Expected real or integer, got null" },
		{ "negative", "{\"version\": 1, \"boot_base_s\": 3, \"boot_per_cpu_s\": -0.1}",
		  "field boot_per_cpu_s: -0.1, not a number of seconds >= 0" },
		{ "calibrated 1", "{\"version\": 1, \"boot_base_s\": 3, \"boot_per_cpu_s\": 0.1, \"calibrated\": 1}",
		  "field calibrated: Expected true or false, got integer" },
		{ "no tests", "{\"version\": 1, \"boot_base_s\": 3, \"boot_per_cpu_s\": 0.1, \"calibrated\": true}",
		  "field tests: missing" },
		{ "tests a list", "{\"version\": 1, \"boot_base_s\": 3, \"boot_per_cpu_s\": 0.1, \"calibrated\": true, \"tests\": [\"a.b.c\", 5]}",
		  "field tests: not an object" },
		{ "a test's string", "{\"version\": 1, \"boot_base_s\": 3, \"boot_per_cpu_s\": 0.1, \"calibrated\": true, \"tests\": {\"a.b.c\": 5, \"a.b.d\": \"5s\"}}",
		  "field tests.a.b.d: Expected real or integer, got string" },
		{ "a test's negative time", "{\"version\": 1, \"boot_base_s\": 3, \"boot_per_cpu_s\": 0.1, \"calibrated\": true, \"tests\": {\"a.b.c\": -5}}",
		  "field tests.a.b.c: -5, not a number of seconds >= 0" },
		{ "an unknown field", "{\"version\": 1, \"boot_base_s\": 3, \"boot_per_cpu_s\": 0.1, \"calibrated\": true, \"tests\": {}, \"boot_s\": 3}",
		  "field boot_s: not a field of a cost model" },
	};
	char message[512], *big, *out, *err;
	struct kt_costs c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		write_text(self->path, bad[i].text, strlen(bad[i].text));
		c.boot_base_s = -1;
		EXPECT_EQ(-1, kt_costs_load(self->path, &c)) TH_LOG("%s", bad[i].what);
		snprintf(message, sizeof(message), "%s: %s", self->path,
			 bad[i].message);
		EXPECT_NE(NULL, strstr(kt_errmsg(), message))
			TH_LOG("%s: expected '%s' in: %s", bad[i].what, message,
			       kt_errmsg());
		EXPECT_EQ(KT_COST_BOOT_BASE_S, c.boot_base_s) TH_LOG("%s", bad[i].what);
		EXPECT_EQ(0, c.nr_tests) TH_LOG("%s", bad[i].what);
	}

	/* A test name longer than the model keeps. */
	big = malloc(2 << 20);
	ASSERT_NE(NULL, big);
	snprintf(big, 2 << 20, "{\"version\": 1, \"boot_base_s\": 3, \"boot_per_cpu_s\": 0.1, \"calibrated\": true, \"tests\": {\"%0200d\": 5}}",
		 0);
	write_text(self->path, big, strlen(big));
	EXPECT_EQ(-1, kt_costs_load(self->path, &c));
	EXPECT_NE(NULL, strstr(kt_errmsg(), ": a test name longer than 191 characters"))
		TH_LOG("%s", kt_errmsg());
	EXPECT_NE(NULL, strstr(kt_errmsg(), "field tests.0000")) TH_LOG("%s", kt_errmsg());

	/* Over 1 MiB: refused before it is all read. */
	memset(big, ' ', 2 << 20);
	big[0] = '{';
	big[(2 << 20) - 1] = '}';
	write_text(self->path, big, 2 << 20);
	free(big);
	EXPECT_EQ(-1, kt_costs_load(self->path, &c));
	snprintf(message, sizeof(message), "%s: larger than 1 MiB", self->path);
	EXPECT_STREQ(message, kt_errmsg());

	/* The command says so too, and plans nothing. */
	write_text(self->path, OLD_TEXT_MODEL, strlen(OLD_TEXT_MODEL));
	snprintf(message, sizeof(message), "--list --costs %s", self->path);
	EXPECT_EQ(1, run_gauntlet(message, &out, &err));
	snprintf(message, sizeof(message), "ktstr gauntlet: %s: a cost model in the text format of an older ktstr",
		 self->path);
	EXPECT_NE(NULL, strstr(err, message)) TH_LOG("%s", err);
	EXPECT_STREQ("", out);
	free(out);
	free(err);
}

struct bad_arg {
	const char *args;
	int status;
	const char *message;
};

TEST(bad_arguments_are_refused)
{
	static const struct bad_arg bad[] = {
		{ "--list --shard 0/3", 2, "--shard 0/3: K must be from 1 to 3" },
		{ "--list --shard 4/3", 2, "--shard 4/3: K must be from 1 to 3" },
		{ "--list --shard 1/0", 2, "N must be a number from 1 to 1000, not '0'" },
		{ "--list --shard two", 2, "--shard 'two': expected K/N" },
		{ "--list --shard 1/2x", 2, "not '2x'" },
		{ "--list --budget 0", 2, "--budget '0': expected a number of seconds above 0" },
		{ "--list --budget -5", 2, "--budget '-5'" },
		{ "--list --budget soon", 2, "--budget 'soon'" },
		{ "--list -j 0", 2, "-j '0': not a number of VMs" },
		{ "--list -j 4096", 2, "more VMs than the host's" },
		{ "--list --preset nosuch", 2, "unknown preset 'nosuch'" },
		{ "--list no-such-test", 1, "no test matches 'no-such-test'" },
		{ "--list --skip ''", 2, "--skip '': an empty pattern" },
		{ "--list --skip '*'", 1, "--skip leaves out every test" },
		{ "--list --skip lifecycle lifecycle", 1, "no test matches 'lifecycle', or --skip leaves out every one that does" },
		{ "--list --topology tiny", 2, "use --preset and --list" },
		{ "--list --kernel ''", 2, "--kernel: empty" },
		{ "--list --kernel git+nourl", 2, "--kernel 'git+nourl': expected git+URL#REF" },
		{ "--list --memory lots", 2, "memory 'lots' is not a size such as 512M or 2G" },
		{ "--list --baseline ../x", 2, "baseline name '../x'" },
		{ "--calibrate --list", 2, "--calibrate runs on its own" },
	};
	char *out, *err;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(bad[i].status, run_gauntlet(bad[i].args, &out, &err))
			TH_LOG("%s", bad[i].args);
		EXPECT_NE(NULL, strstr(err, bad[i].message))
			TH_LOG("%s: %s", bad[i].args, err);
		EXPECT_NE(NULL, strstr(err, "ktstr gauntlet: ")) TH_LOG("%s", err);
		EXPECT_STREQ("", out);
		free(out);
		free(err);
	}
}

/* An entry's result files (JSON, monitor plot) sit flat in --json DIR. */
TEST(result_files_of_entries_are_flat)
{
	char file[256];

	kt_result_file("fair.eevdf.spin/llc7/fifo/7.3", ".monitor.svg", file,
		       sizeof(file));
	EXPECT_STREQ("fair.eevdf.spin@llc7@fifo@7.3.monitor.svg", file);
	kt_result_file("fair.eevdf.spin", ".json", file, sizeof(file));
	EXPECT_STREQ("fair.eevdf.spin.json", file);
}

TEST_HARNESS_MAIN
