// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr verifier without a VM: the verifier log's statistics lines, the
 * agent's records, the JSON report written and read back (and refused
 * when bad), --max-insns-pct, `ktstr compare` of two reports, and the
 * arguments `ktstr verifier` refuses before it boots anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "argv.h"
#include "error.h"
#include "kselftest_harness.h"
#include "kselftest/runner/tests/cli.h"
#include "kselftest/runner/tests/scratch.h"
#include "verifier/report.h"
#include "verifier/stats.h"

/* The word of @text after @key (up to a space or newline) into @out. */
static int word_after(const char *text, const char *key, char *out,
		      size_t len)
{
	const char *p = strstr(text, key);
	size_t n;

	if (!p)
		return -1;
	p += strlen(key);
	n = strcspn(p, "\n ");
	if (!n || n >= len)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* The size of file @name in the newc cpio archive @path; -1 if not there. */
static long long cpio_file_size(const char *path, const char *name)
{
	char hdr[111], entry[4096];
	unsigned long size, name_size;
	long long found = -1;
	FILE *f = fopen(path, "r");

	while (f && fread(hdr, 110, 1, f) == 1 && !strncmp(hdr, "070701", 6)) {
		hdr[110] = '\0';
		if (sscanf(hdr + 54, "%8lx", &size) != 1 ||
		    sscanf(hdr + 94, "%8lx", &name_size) != 1 ||
		    !name_size || name_size > sizeof(entry) ||
		    fread(entry, name_size, 1, f) != 1)
			break;
		entry[name_size - 1] = '\0';
		if (!strcmp(entry, name))
			found = size;
		/* The name after the 110-byte header, then the data, each padded to 4. */
		fseek(f, (4 - (110 + name_size) % 4) % 4 + ((size + 3) & ~3ul), SEEK_CUR);
	}
	if (f)
		fclose(f);
	return found;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* What the 7.3 verifier wrote for scx_qmap's qmap_init (BPF_LOG_STATS). */
static const char log_73[] =
	"verification time 2611 usec\n"
	"stack depth max 24\n"
	"subprog 0 (qmap_init) main insns_self 52 insns_total 52 stack 24\n"
	"processed 52 insns (limit 1000000) max_states_per_insn 0 total_states 4 peak_states 4 mark_read 1\n";

TEST(stats_of_a_7_3_log)
{
	struct kt_verifier_stats s;
	char err[200] = "";

	ASSERT_EQ(0, kt_verifier_parse_stats(log_73, strlen(log_73), &s, err,
					     sizeof(err))) TH_LOG("%s", err);
	EXPECT_TRUE(s.has_processed);
	EXPECT_TRUE(s.has_time);
	EXPECT_EQ(52, s.processed_insns);
	EXPECT_EQ(1000000, s.insn_limit);
	EXPECT_EQ(0, s.max_states_per_insn);
	EXPECT_EQ(4, s.total_states);
	EXPECT_EQ(4, s.peak_states);
	EXPECT_EQ(2611, s.time_us);
}

/* 6.x: "stack depth A+B"; a rejected load: its error, then the figures. */
TEST(stats_of_older_and_rejected_logs)
{
	static const char old[] =
		"verification time 17 usec\nstack depth 0+8\n"
		"processed 9 insns (limit 1000000) max_states_per_insn 1 total_states 2 peak_states 3 mark_read 0\n";
	static const char rejected[] =
		"0: R1=ctx() R10=fp0\n; return *(u64 *)0;\n"
		"0: (79) r0 = *(u64 *)(r0 +0)\nR0 !read_ok\n"
		"processed 1 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n";
	struct kt_verifier_stats s;
	char err[200];

	ASSERT_EQ(0, kt_verifier_parse_stats(old, strlen(old), &s, err, sizeof(err)));
	EXPECT_EQ(9, s.processed_insns);
	EXPECT_EQ(3, s.peak_states);
	EXPECT_EQ(17, s.time_us);
	ASSERT_EQ(0, kt_verifier_parse_stats(rejected, strlen(rejected), &s,
					     err, sizeof(err)));
	EXPECT_EQ(1, s.processed_insns);
	EXPECT_FALSE(s.has_time);
}

/* The buffer as the agent reads it: a NUL, then stale bytes. */
TEST(stats_stop_at_the_log_end)
{
	char buf[512], err[200];
	struct kt_verifier_stats s;

	memset(buf, 'x', sizeof(buf));
	memcpy(buf, log_73, sizeof(log_73));	/* with its NUL */
	ASSERT_EQ(0, kt_verifier_parse_stats(buf, sizeof(buf), &s, err,
					     sizeof(err)));
	EXPECT_EQ(52, s.processed_insns);
}

/*
 * A last line without its newline, then the NUL, then a stale statistics
 * line of an earlier, longer log in the same buffer: not read.
 */
TEST(stats_ignore_what_follows_an_unterminated_log)
{
	static const char processed[] =
		"processed 52 insns (limit 1000000) max_states_per_insn 0 total_states 4 peak_states 4 mark_read 0";
	static const char stale[] =
		"\nprocessed 999 insns (limit 1000000) max_states_per_insn 0 total_states 9 peak_states 9 mark_read 0\n";
	char buf[512], err[200] = "";
	struct kt_verifier_stats s;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, processed, sizeof(processed));	/* with its NUL */
	memcpy(buf + sizeof(processed), stale, strlen(stale));
	ASSERT_EQ(0, kt_verifier_parse_stats(buf, sizeof(buf), &s, err,
					     sizeof(err))) TH_LOG("%s", err);
	EXPECT_EQ(52, s.processed_insns);
	EXPECT_EQ(4, s.peak_states);
	/* Stale bytes only: no statistics at all. */
	buf[0] = '\0';
	EXPECT_EQ(-1, kt_verifier_parse_stats(buf, sizeof(buf), &s, err,
					      sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "no 'processed N insns' line")) TH_LOG("%s", err);
}

TEST(bad_stats_are_named)
{
	static const struct {
		const char *log, *error;
	} cases[] = {
		{ "", "no 'processed N insns' line" },
		{ "verification time 3 usec\n", "no 'processed N insns' line" },
		{ "processed many insns (limit 1000000)\n",
		  "statistics line does not parse: 'processed many insns (limit 1000000)'" },
		{ "processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0 extra\n",
		  "statistics line does not parse" },
		{ "verification time soon usec\nprocessed 5 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0\n",
		  "statistics line does not parse: 'verification time soon usec'" },
	};
	struct kt_verifier_stats s;
	char err[200];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		err[0] = '\0';
		EXPECT_EQ(-1, kt_verifier_parse_stats(cases[i].log,
						      strlen(cases[i].log),
						      &s, err, sizeof(err)));
		EXPECT_NE(NULL, strstr(err, cases[i].error)) TH_LOG("%s", err);
	}
}

/* Two records of the agent, as the results channel delivers them. */
static const char records[] =
	"{\"type\":\"verifier\",\"kind\":\"program\",\"name\":\"qmap_enqueue\",\"prog_type\":\"struct_ops\",\"loaded\":true,\"id\":41,\"verified_insns\":1200,\"stats\":{\"processed_insns\":1200,\"insn_limit\":1000000,\"peak_states\":60,\"total_states\":90,\"max_states_per_insn\":4,\"time_us\":15000}}\n"
	"{\"type\":\"verifier\",\"kind\":\"program\",\"name\":\"qmap_init\",\"prog_type\":\"struct_ops\",\"loaded\":true,\"id\":42,\"verified_insns\":52,\"stats\":{\"processed_insns\":52,\"insn_limit\":1000000,\"peak_states\":4,\"total_states\":4,\"max_states_per_insn\":0,\"time_us\":2611}}\n"
	"{\"type\":\"verifier\",\"kind\":\"run\",\"enabled\":true,\"ops\":\"qmap\",\"loads\":30,\"kept\":2}\n";

static void make_report(struct kt_verifier_report *r, const char *recs)
{
	struct kt_verifier_run *run;

	memset(r, 0, sizeof(*r));
	snprintf(r->scheduler, sizeof(r->scheduler), "scx_qmap");
	snprintf(r->args, sizeof(r->args), "-s 5000");
	run = kt_verifier_add_run(r);
	snprintf(run->kernel, sizeof(run->kernel), "7.3.4+deb13-cloud-amd64");
	snprintf(run->topology, sizeof(run->topology), "1n2l2c1t");
	snprintf(run->accel, sizeof(run->accel), "tcg");
	if (kt_verifier_run_records(run, recs))
		run->error[0] = '?';
}

TEST(records_make_a_run)
{
	struct kt_verifier_report r;
	const struct kt_verifier_run *run;

	make_report(&r, records);
	run = &r.runs[0];
	ASSERT_EQ(0, run->error[0]) TH_LOG("%s", kt_errmsg());
	EXPECT_TRUE(run->enabled);
	EXPECT_STREQ("qmap", run->ops);
	EXPECT_EQ(30, run->loads);
	EXPECT_EQ(2, run->kept);
	ASSERT_EQ(2, run->nr_progs);
	EXPECT_STREQ("qmap_enqueue", run->progs[0].name);
	EXPECT_EQ(41, run->progs[0].id);
	EXPECT_EQ(1200, run->progs[0].verified_insns);
	EXPECT_EQ(60, run->progs[0].stats.peak_states);
	EXPECT_EQ(15000, run->progs[0].stats.time_us);
	EXPECT_TRUE(run->progs[1].stats.has_time);
	kt_verifier_report_free(&r);
}

TEST(bad_records_are_named)
{
	static const struct {
		const char *line, *error;
	} cases[] = {
		{ "[1]", "record 1: not a JSON object" },
		{ "{\"type\":\"verifier\",\"kind\":\"gossip\"}", "record 1.kind: 'gossip', not program or run" },
		{ "{\"type\":\"verifier\",\"kind\":\"program\",\"name\":\"p\",\"prog_type\":\"xdp\",\"loaded\":true,\"id\":3}",
		  "record 1.verified_insns: missing (id and verified_insns go together)" },
		{ "{\"type\":\"verifier\",\"kind\":\"program\",\"name\":\"p\",\"prog_type\":\"xdp\",\"loaded\":\"yes\"}",
		  "record 1.loaded: not true or false" },
		{ "{\"type\":\"verifier\",\"kind\":\"program\",\"name\":\"p\",\"prog_type\":\"xdp\",\"loaded\":true,\"id\":3,\"verified_insns\":-4}",
		  "record 1.verified_insns: not a whole number >= 0" },
		{ "{\"type\":\"verifier\",\"kind\":\"program\",\"name\":\"p\",\"prog_type\":\"xdp\",\"loaded\":true,\"stats\":{\"processed_insns\":3}}",
		  "record 1.stats.insn_limit: missing" },
		{ "{\"type\":\"verifier\",\"kind\":\"run\",\"enabled\":true,\"ops\":\"q\",\"loads\":1.5,\"kept\":1}",
		  "record 1.loads: not a whole number >= 0" },
	};
	struct kt_verifier_run run;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(&run, 0, sizeof(run));
		EXPECT_EQ(-1, kt_verifier_run_records(&run, cases[i].line));
		EXPECT_NE(NULL, strstr(kt_errmsg(), cases[i].error))
			TH_LOG("%s", kt_errmsg());
		free(run.progs);
	}
}

FIXTURE(files) {
	char dir[64];
	char path[128];
};

FIXTURE_SETUP(files)
{
	ASSERT_NE(NULL, scratch_make(self->dir, sizeof(self->dir), "verifier-test"));
	snprintf(self->path, sizeof(self->path), "%s/report.json", self->dir);
}

FIXTURE_TEARDOWN(files)
{
	SCRATCH_REMOVE(self->dir);
}

TEST_F(files, report_round_trip)
{
	struct kt_verifier_report a, b;
	struct kt_verifier_run *run;

	make_report(&a, records);
	run = kt_verifier_add_run(&a);
	snprintf(run->kernel, sizeof(run->kernel), "7.3.4+deb13-cloud-amd64");
	snprintf(run->topology, sizeof(run->topology), "2n2l1c2t");
	snprintf(run->error, sizeof(run->error), "VM timeout");
	ASSERT_EQ(0, kt_verifier_report_save(&a, self->path));
	ASSERT_EQ(0, kt_verifier_report_load(self->path, &b)) TH_LOG("%s", kt_errmsg());
	EXPECT_STREQ("scx_qmap", b.scheduler);
	EXPECT_STREQ("-s 5000", b.args);
	ASSERT_EQ(2, b.nr_runs);
	EXPECT_STREQ("tcg", b.runs[0].accel);
	ASSERT_EQ(2, b.runs[0].nr_progs);
	EXPECT_EQ(0, memcmp(a.runs[0].progs, b.runs[0].progs,
			    2 * sizeof(a.runs[0].progs[0])));
	EXPECT_STREQ("VM timeout", b.runs[1].error);
	EXPECT_EQ(0, b.runs[1].nr_progs);
	kt_verifier_report_free(&a);
	kt_verifier_report_free(&b);
}

TEST_F(files, bad_reports_are_named)
{
	static const struct {
		const char *text, *error;
	} cases[] = {
		{ "{\"type\":\"verifier_report\",\"scheduler\":\"s\",\"runs\":[", "not valid JSON" },
		{ "{\"name\":\"fair.eevdf.spin\",\"result\":\"pass\"}", "not a ktstr verifier report" },
		{ "{\"type\":\"verifier_report\",\"scheduler\":\"s\",\"runs\":{}}", "field runs: not an array" },
		{ "{\"type\":\"verifier_report\",\"scheduler\":\"s\",\"runs\":[{\"kernel\":\"k\",\"topology\":\"t\",\"enabled\":true,\"ops\":\"o\",\"loads\":1,\"kept\":1}]}",
		  "field runs[0].programs: missing" },
		{ "{\"type\":\"verifier_report\",\"scheduler\":\"s\",\"runs\":[{\"kernel\":\"k\",\"topology\":\"t\",\"enabled\":true,\"ops\":\"o\",\"loads\":1,\"kept\":1,\"programs\":[{\"name\":\"p\",\"prog_type\":\"xdp\",\"loaded\":true,\"stats\":{\"processed_insns\":1,\"insn_limit\":1,\"peak_states\":\"4\",\"total_states\":1,\"max_states_per_insn\":1}}]}]}",
		  "field runs[0].programs[0].stats.peak_states: not a whole number >= 0" },
		{ "{\"type\":\"verifier_report\",\"type\":\"verifier_report\"}", "duplicate object key" },
	};
	struct kt_verifier_report r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		write_file(self->path, cases[i].text);
		EXPECT_EQ(-1, kt_verifier_report_load(self->path, &r));
		EXPECT_NE(NULL, strstr(kt_errmsg(), cases[i].error))
			TH_LOG("case %zu: %s", i, kt_errmsg());
		EXPECT_NE(NULL, strstr(kt_errmsg(), self->path));
	}
}

/* The report of the records above, and a stream to print it to. */
FIXTURE(printed) {
	struct kt_verifier_report r;
	char *text;
	size_t len;
	FILE *out;
};

FIXTURE_SETUP(printed)
{
	make_report(&self->r, records);
	self->text = NULL;
	self->out = open_memstream(&self->text, &self->len);
	ASSERT_NE(NULL, self->out);
}

FIXTURE_TEARDOWN(printed)
{
	if (self->out)
		fclose(self->out);
	free(self->text);
	kt_verifier_report_free(&self->r);
}

/* What is printed so far, for strstr(). */
static const char *printed_text(FILE *out, char *const *text)
{
	fflush(out);
	return *text;
}

TEST_F(printed, max_insns_pct)
{
	struct kt_verifier_prog *enqueue = &self->r.runs[0].progs[0];

	/* 1200 of 1000000 is 0.12%. */
	EXPECT_EQ(0, kt_verifier_check_insns(&self->r, 0.12, self->out));
	EXPECT_EQ(1, kt_verifier_check_insns(&self->r, 0.1, self->out));
	EXPECT_EQ(2, kt_verifier_check_insns(&self->r, 0.001, self->out));
	EXPECT_NE(NULL, strstr(printed_text(self->out, &self->text),
			       "ktstr verifier: scx_qmap: program qmap_enqueue on 7.3.4+deb13-cloud-amd64, topology 1n2l2c1t: 1200 instructions verified, 0.12% of the kernel's limit of 1000000, above --max-insns-pct 0.1\n"))
		TH_LOG("%s", self->text);
	/* Without the log's limit: the kernel's BPF_COMPLEXITY_LIMIT_INSNS. */
	enqueue->has_stats = false;
	EXPECT_EQ(1000000, kt_verifier_insn_limit(enqueue));
	enqueue->has_stats = true;
	enqueue->stats.insn_limit = 2000;
	EXPECT_EQ(1, kt_verifier_check_insns(&self->r, 50, self->out));
	EXPECT_NE(NULL, strstr(printed_text(self->out, &self->text),
			       "1200 instructions verified, 60.00% of the kernel's limit of 2000, above --max-insns-pct 50\n"))
		TH_LOG("%s", self->text);
}

TEST_F(printed, table)
{
	const char *text;

	kt_verifier_report_print(&self->r, self->out);
	text = printed_text(self->out, &self->text);
	EXPECT_NE(NULL, strstr(text, "scx_qmap on 7.3.4+deb13-cloud-amd64, topology 1n2l2c1t: ops qmap, 2 programs kept of 30 loads\n"))
		TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "qmap_enqueue                 struct_ops         1200    0.12%          60      15000\n"))
		TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "total                                           1252\n"))
		TH_LOG("%s", text);
}

/*
 * B doubles qmap_enqueue's instructions and grows qmap_init's by 40%
 * (52 -> 72, within the absolute threshold of 100 instructions).
 */
TEST_F(files, compare_two_reports)
{
	struct kt_verifier_report a, b;
	char pa[160], pb[160];
	struct cli c;

	snprintf(pa, sizeof(pa), "%s/a.json", self->dir);
	snprintf(pb, sizeof(pb), "%s/b.json", self->dir);
	make_report(&a, records);
	make_report(&b, records);
	b.runs[0].progs[0].verified_insns = 2400;
	b.runs[0].progs[0].stats.processed_insns = 2400;
	b.runs[0].progs[1].verified_insns = 52 * 14 / 10;
	ASSERT_EQ(0, kt_verifier_report_save(&a, pa));
	ASSERT_EQ(0, kt_verifier_report_save(&b, pb));
	EXPECT_EQ(0, cli_run(&c, "./ktstr compare %s %s", pa, pa));
	EXPECT_NE(NULL, strstr(c.out, "# compare: 3 pairs, 0 regressions")) TH_LOG("%s", c.out);
	EXPECT_EQ(1, cli_run(&c, "./ktstr compare %s %s", pa, pb));
	EXPECT_NE(NULL, strstr(c.out, "REGRESSION  verifier.qmap_enqueue on 1n2l2c1t, scx_qmap, 7.3.4+deb13-cloud-amd64: verified_insns 1200 -> 2400\n"))
		TH_LOG("%s", c.out);
	EXPECT_EQ(NULL, strstr(c.out, "qmap_init")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.out, "# compare: 3 pairs, 1 regressions, 0 improvements")) TH_LOG("%s", c.out);
	EXPECT_EQ(0, cli_run(&c, "./ktstr compare %s %s", pb, pa));
	EXPECT_NE(NULL, strstr(c.out, "improvement verifier.qmap_enqueue")) TH_LOG("%s", c.out);
	/* Over the absolute threshold, the relative one decides: 40% is within it. */
	b.runs[0].progs[0].verified_insns = 1680;
	ASSERT_EQ(0, kt_verifier_report_save(&b, pb));
	EXPECT_EQ(0, cli_run(&c, "./ktstr compare %s %s", pa, pb));
	EXPECT_NE(NULL, strstr(c.out, "# compare: 3 pairs, 0 regressions")) TH_LOG("%s", c.out);
	b.runs[0].progs[0].verified_insns = 1704;	/* +42% */
	ASSERT_EQ(0, kt_verifier_report_save(&b, pb));
	EXPECT_EQ(1, cli_run(&c, "./ktstr compare %s %s", pa, pb));
	EXPECT_NE(NULL, strstr(c.out, "verified_insns 1200 -> 1704\n")) TH_LOG("%s", c.out);
	/* A failed run in B: the run's own result fails. */
	snprintf(b.runs[0].error, sizeof(b.runs[0].error), "VM timeout");
	b.runs[0].nr_progs = 0;
	ASSERT_EQ(0, kt_verifier_report_save(&b, pb));
	EXPECT_EQ(1, cli_run(&c, "./ktstr compare %s %s", pa, pb));
	EXPECT_NE(NULL, strstr(c.out, "REGRESSION  verifier on 1n2l2c1t, scx_qmap, 7.3.4+deb13-cloud-amd64: failed 0 -> 1\n"))
		TH_LOG("%s", c.out);
	/* A report that does not parse is named; compare exits 2. */
	write_file(pb, "{\"type\":\"verifier_report\"}");
	EXPECT_EQ(2, cli_run(&c, "./ktstr compare %s %s", pa, pb));
	EXPECT_NE(NULL, strstr(c.err, "field scheduler: missing")) TH_LOG("%s", c.err);
	kt_verifier_report_free(&a);
	kt_verifier_report_free(&b);
}

/*
 * Two programs of one name (a scheduler may load one twice): each pairs
 * with the one in the same place in the other report, whatever the
 * sort does with equal keys.
 */
TEST_F(files, programs_of_one_name_pair_in_order)
{
	static const char twice[] =
		"{\"type\":\"verifier\",\"kind\":\"program\",\"name\":\"dup\",\"prog_type\":\"struct_ops\",\"loaded\":true,\"id\":41,\"verified_insns\":100}\n"
		"{\"type\":\"verifier\",\"kind\":\"program\",\"name\":\"dup\",\"prog_type\":\"struct_ops\",\"loaded\":true,\"id\":42,\"verified_insns\":50000}\n"
		"{\"type\":\"verifier\",\"kind\":\"run\",\"enabled\":true,\"ops\":\"qmap\",\"loads\":2,\"kept\":2}\n";
	struct kt_verifier_report a;
	struct cli c;

	make_report(&a, twice);
	ASSERT_EQ(2, a.runs[0].nr_progs);
	ASSERT_EQ(0, kt_verifier_report_save(&a, self->path));
	EXPECT_EQ(0, cli_run(&c, "./ktstr compare %s %s", self->path, self->path));
	EXPECT_NE(NULL, strstr(c.out, "# compare: 3 pairs, 0 regressions, 0 improvements")) TH_LOG("%s", c.out);
	kt_verifier_report_free(&a);
}

/*
 * BIN is put under /ktstr/verifier/bin/: one named ktstr-verifier is
 * not the agent.  --dry-run builds the image it would boot.
 */
TEST_F(files, a_bin_named_like_the_agent)
{
	char bin[128], image[4096] = "", agent_name[] = "ktstr/verifier/ktstr-verifier";
	struct stat agent, bin_st;
	struct cli c;

	snprintf(bin, sizeof(bin), "%s/ktstr-verifier", self->dir);
	ASSERT_EQ(0, cli_run(&c, "cp /bin/true %s", bin));
	ASSERT_EQ(0, stat("build/verifier-agent/ktstr-verifier", &agent));
	ASSERT_EQ(0, stat(bin, &bin_st));
	ASSERT_NE(agent.st_size, bin_st.st_size);
	if (cli_run(&c, "./ktstr verifier --dry-run %s", bin))
		SKIP(return, "no kernel to build an image for: %.200s", c.err);
	ASSERT_EQ(0, word_after(c.out, " -initrd ", image, sizeof(image))) TH_LOG("%s", c.out);
	EXPECT_EQ(agent.st_size, cpio_file_size(image, agent_name));
	EXPECT_EQ(bin_st.st_size, cpio_file_size(image, "ktstr/verifier/bin/ktstr-verifier"));
}

/*
 * Every --kernel is found before the first VM boots: a bad second one
 * costs no run of the first (--dry-run: nothing boots either way).
 */
TEST(kernels_resolve_before_the_first_run)
{
	char kernel[4096] = "";
	struct cli c;

	if (cli_run(&c, "./ktstr verifier --dry-run /bin/true"))
		SKIP(return, "no kernel: %.200s", c.err);
	ASSERT_EQ(0, word_after(c.out, " -kernel ", kernel, sizeof(kernel))) TH_LOG("%s", c.out);
	EXPECT_EQ(1, cli_run(&c, "./ktstr verifier --dry-run --kernel %s --kernel /nonexistent/bzImage /bin/true",
			     kernel));
	EXPECT_EQ(NULL, strstr(c.out, "qemu-system")) TH_LOG("%s", c.out);
	EXPECT_NE(NULL, strstr(c.err, "ktstr verifier: kernel /nonexistent/bzImage: No such file or directory"))
		TH_LOG("%s", c.err);
}

/* Refused before anything boots, exit status 2, each naming what is wrong. */
TEST(bad_arguments)
{
	static const struct {
		const char *args, *error;
	} cases[] = {
		{ "", "expected the scheduler binary BIN" },
		{ "build/schedulers/scx_qmap build/schedulers/scx_simple",
		  "expected one scheduler binary BIN, then -- ARGS" },
		{ "/nonexistent/scx_nothing", "BIN '/nonexistent/scx_nothing': No such file or directory" },
		{ "/tmp", "BIN '/tmp': not an executable file" },
		{ "/etc/passwd", "BIN '/etc/passwd': not an executable file" },
		{ "--max-insns-pct 0 /bin/true", "--max-insns-pct '0': expected a percentage above 0, at most 100" },
		{ "--max-insns-pct 5x /bin/true", "--max-insns-pct '5x'" },
		{ "--max-insns-pct 101 /bin/true", "--max-insns-pct '101'" },
		{ "--ready-timeout 0 /bin/true", "--ready-timeout '0': expected whole seconds" },
		{ "--json /nonexistent/dir/r.json /bin/true", "--json '/nonexistent/dir/r.json': directory /nonexistent/dir does not exist" },
		{ "--json /tmp /bin/true", "--json '/tmp': expected a file name" },
		{ "--topology 9x /bin/true", "9x" },
		{ "--nosuch /bin/true", "Usage: ktstr verifier" },
	};
	struct cli c;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_EQ(2, cli_run(&c, "./ktstr verifier %s", cases[i].args))
			TH_LOG("%s: %s", cases[i].args, c.err);
		EXPECT_NE(NULL, strstr(c.err, cases[i].error))
			TH_LOG("%s: %s", cases[i].args, c.err);
		EXPECT_EQ(NULL, strstr(c.err, "booting")) TH_LOG("%s", c.err);
	}
	EXPECT_EQ(0, cli_run(&c, "./ktstr verifier --help"));
	EXPECT_NE(NULL, strstr(c.out, "--max-insns-pct P"));
}

/*
 * ARGS the guest's command line cannot hold (the payload takes 7936
 * bytes): refused with exit status 2 before booting.  Run without a
 * shell, whose command line would not hold them either.
 */
TEST(args_too_long_for_the_guest)
{
	char arg[5000], err[1024] = "";
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	memset(arg, '\'', sizeof(arg) - 1);	/* each quote takes 4 bytes quoted */
	arg[sizeof(arg) - 1] = '\0';
	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		execl("./ktstr", "ktstr", "verifier", "/bin/true", "--", arg,
		      (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	n = read(fds[0], err, sizeof(err) - 1);
	err[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(2, WEXITSTATUS(status));
	EXPECT_NE(NULL, strstr(err, "ktstr verifier: the guest's command is too long (at most 7936 bytes): shorten ARGS or --while-loaded"))
		TH_LOG("%s", err);
}

/* kt_shell_quote(): what fits is quoted; what does not is said so. */
TEST(shell_quote)
{
	char out[16];

	EXPECT_EQ(0, kt_shell_quote("a b'c", out, sizeof(out)));
	EXPECT_STREQ("'a b'\\''c'", out);
	EXPECT_EQ(-1, kt_shell_quote("0123456789abcdef", out, sizeof(out)));
	EXPECT_EQ('\'', out[strlen(out) - 1]);
}

TEST_HARNESS_MAIN
