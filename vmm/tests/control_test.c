// SPDX-License-Identifier: GPL-2.0
/*
 * The control port and the results channel: the host's parser fed byte
 * streams as the guest's /init writes them (READY, payload errors, good
 * records, garbage, oversized lines, a last line without its newline,
 * many records, any chunking), then real VMs whose payload writes
 * $KTSTR_RESULTS, tries to forge messages both ways, and overflows
 * /init's bound, and VMs sent payloads /init must refuse.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "control.h"
#include "error.h"
#include "launch.h"
#include "payload.h"

#define VM_TEST_TIMEOUT_S 240
#define CHECK_REC "{\"type\":\"check\",\"check\":\"fairness\",\"pass\":true,\"values\":{\"spread\":0.25}}"
#define GROUP_REC "{\"type\":\"group\",\"group\":\"spin\",\"summary\":{\"work\":10},\"workers\":[]}"
#define VALUES_REC "{\"type\":\"values\",\"name\":\"v\",\"values\":{\"x\":1}}"

FIXTURE(control) {
	struct kt_records rec;
	struct kt_control c;
};

FIXTURE_SETUP(control)
{
	memset(&self->rec, 0, sizeof(self->rec));
	kt_control_init(&self->c, &self->rec, KT_RESULTS_MAX_BYTES);
}

FIXTURE_TEARDOWN(control)
{
	kt_control_free(&self->c);
	kt_records_free(&self->rec);
}

static void feed(struct kt_control *c, const char *s)
{
	kt_control_feed(c, s, strlen(s));
}

static void feed_record(struct kt_control *c, const char *rec)
{
	feed(c, "KTSTR_RESULT ");
	feed(c, rec);
	feed(c, "\n");
}

TEST_F(control, messages_and_records)
{
	feed(&self->c, "KTSTR_READY\n");
	EXPECT_TRUE(self->c.ready);
	EXPECT_FALSE(self->c.exited);
	feed_record(&self->c, CHECK_REC);
	feed_record(&self->c, GROUP_REC);
	feed_record(&self->c, VALUES_REC);
	feed(&self->c, "KTSTR_EXIT 3\n");
	kt_control_end(&self->c);
	EXPECT_TRUE(self->c.exited);
	EXPECT_EQ(3, self->c.exit_status);
	EXPECT_EQ(3, self->rec.accepted);
	EXPECT_EQ(0, self->rec.rejected);
	EXPECT_EQ(0, self->rec.over_limit);
	EXPECT_STREQ(CHECK_REC "\n" GROUP_REC "\n" VALUES_REC "\n",
		     self->rec.text);
	EXPECT_EQ(strlen(self->rec.text), self->rec.len);
}

/* Each is counted and dropped; none changes the exit status. */
TEST_F(control, garbage_is_counted_and_dropped)
{
	static const char * const garbage[] = {
		"not json",
		"[1, 2]",
		"\"a string\"",
		"42",
		"{\"no\":\"type\"}",
		"{\"type\":\"verdict\"}",
		"{\"type\":7}",
		"{\"type\":\"check\"} trailing",
		"{\"type\":\"check\",",
		"{\"type\":\"check\",\"type\":\"group\"}",
		"KTSTR_EXIT 0",
		"",
		"\xff\xfe{\"type\":\"check\"}",
	};
	/* jansson takes it, but a NUL would end the records' text there. */
	static const char nul[] = "KTSTR_RESULT {\"type\":\"check\",\"v\":1\0}\n";
	size_t i;

	feed(&self->c, "KTSTR_READY\n");
	for (i = 0; i < ARRAY_SIZE(garbage); i++)
		feed_record(&self->c, garbage[i]);
	kt_control_feed(&self->c, nul, sizeof(nul) - 1);
	feed_record(&self->c, CHECK_REC);
	EXPECT_EQ(ARRAY_SIZE(garbage) + 1, self->rec.rejected);
	EXPECT_EQ(1, self->rec.accepted);
	EXPECT_STREQ(CHECK_REC "\n", self->rec.text);
	/* A record saying KTSTR_EXIT did not end the run. */
	EXPECT_FALSE(self->c.exited);
	/* Lines the protocol does not know are ignored. */
	feed(&self->c, "KTSTR_BOGUS 1\nKTSTR_EXIT\nxKTSTR_EXIT 4\n");
	EXPECT_FALSE(self->c.exited);
	feed(&self->c, "KTSTR_EXIT 0\n");
	EXPECT_TRUE(self->c.exited);
	EXPECT_EQ(0, self->c.exit_status);
}

/* The same stream in one piece and byte by byte. */
TEST_F(control, any_chunking)
{
	const char *stream = "KTSTR_READY\nKTSTR_RESULT " CHECK_REC
			     "\nKTSTR_RESULT junk\nKTSTR_RESULT " VALUES_REC
			     "\nKTSTR_EXIT 9\n";
	size_t i;

	for (i = 0; stream[i]; i++)
		kt_control_feed(&self->c, stream + i, 1);
	EXPECT_TRUE(self->c.exited);
	EXPECT_EQ(9, self->c.exit_status);
	EXPECT_EQ(2, self->rec.accepted);
	EXPECT_EQ(1, self->rec.rejected);
	EXPECT_STREQ(CHECK_REC "\n" VALUES_REC "\n", self->rec.text);
}

/* The stream ends inside a line: the line counts as it is. */
TEST_F(control, last_line_without_newline)
{
	feed(&self->c, "KTSTR_RESULT " GROUP_REC);
	EXPECT_EQ(0, self->rec.accepted);
	kt_control_end(&self->c);
	EXPECT_EQ(1, self->rec.accepted);
	EXPECT_STREQ(GROUP_REC "\n", self->rec.text);

	/* Cut inside the record (a VM that died mid-line): rejected. */
	feed(&self->c, "KTSTR_RESULT {\"type\":\"check\",\"val");
	kt_control_end(&self->c);
	EXPECT_EQ(1, self->rec.accepted);
	EXPECT_EQ(1, self->rec.rejected);
	/* And an exit status without its newline still counts. */
	feed(&self->c, "KTSTR_EXIT 2");
	kt_control_end(&self->c);
	EXPECT_TRUE(self->c.exited);
	EXPECT_EQ(2, self->c.exit_status);
}

static char *record_of_size(size_t len)
{
	static const char head[] = "{\"type\":\"values\",\"name\":\"";
	static const char tail[] = "\",\"values\":{}}";
	char *rec = malloc(len + 1);

	memcpy(rec, head, strlen(head));
	memset(rec + strlen(head), 'x', len - strlen(head) - strlen(tail));
	memcpy(rec + len - strlen(tail), tail, strlen(tail) + 1);
	return rec;
}

/* The first lines that fit are kept: newlines count, the rest drops. */
TEST_F(control, bound_keeps_the_first_lines)
{
	size_t max = 1000;
	char *a = record_of_size(499), *b = record_of_size(499);

	kt_control_free(&self->c);
	kt_control_init(&self->c, &self->rec, max);
	feed_record(&self->c, a);
	feed_record(&self->c, b);	/* 500 + 500 bytes: exactly full */
	EXPECT_EQ(2, self->rec.accepted);
	EXPECT_EQ(1000, self->rec.received);
	EXPECT_FALSE(self->rec.full);
	feed_record(&self->c, "{}");
	feed_record(&self->c, VALUES_REC);
	EXPECT_EQ(2, self->rec.accepted);
	EXPECT_EQ(2, self->rec.over_limit);
	EXPECT_TRUE(self->rec.full);
	EXPECT_EQ(1000, self->rec.len);
	feed(&self->c, "KTSTR_EXIT 0\n");
	EXPECT_TRUE(self->c.exited);
	free(a);
	free(b);
}

/* A line longer than the bound is skipped without being kept. */
TEST_F(control, oversized_line)
{
	size_t max = 4096, big = 3 * max;
	char *rec = record_of_size(big);
	size_t i;

	kt_control_free(&self->c);
	kt_control_init(&self->c, &self->rec, max);
	feed(&self->c, "KTSTR_RESULT ");
	for (i = 0; i < big; i += 1000)
		kt_control_feed(&self->c, rec + i, big - i < 1000 ? big - i : 1000);
	feed(&self->c, "\n");
	EXPECT_EQ(1, self->rec.over_limit);
	EXPECT_EQ(0, self->rec.accepted);
	EXPECT_LE(self->c.line_cap, strlen("KTSTR_RESULT ") + max);
	/* Past the bound nothing more is kept, but messages still count. */
	feed_record(&self->c, VALUES_REC);
	EXPECT_EQ(2, self->rec.over_limit);
	/* Garbage as long, not a record: ignored, not counted. */
	for (i = 0; i < big; i += 1000)
		kt_control_feed(&self->c, rec + i, big - i < 1000 ? big - i : 1000);
	feed(&self->c, "\nKTSTR_EXIT 1\n");
	EXPECT_EQ(2, self->rec.over_limit);
	EXPECT_TRUE(self->c.exited);
	EXPECT_EQ(1, self->c.exit_status);
	free(rec);
}

/* /init's own count of lines it dropped beyond the bound. */
TEST_F(control, lines_dropped_by_the_guest)
{
	feed_record(&self->c, CHECK_REC);
	feed(&self->c, "KTSTR_RESULTS_DROPPED 17\nKTSTR_EXIT 0\n");
	EXPECT_EQ(1, self->rec.accepted);
	EXPECT_EQ(17, self->rec.over_limit);
	EXPECT_TRUE(self->rec.full);
}

TEST_F(control, many_records)
{
	char rec[128];
	unsigned int i, n = 20000;
	json_t *j;
	char *line;

	for (i = 0; i < n; i++) {
		snprintf(rec, sizeof(rec),
			 "{\"type\":\"values\",\"name\":\"r%u\",\"values\":{\"i\":%u}}",
			 i, i);
		feed_record(&self->c, rec);
	}
	EXPECT_EQ(n, self->rec.accepted);
	EXPECT_EQ(0, self->rec.over_limit);
	/* Each kept line is the record, in order. */
	line = self->rec.text;
	for (i = 0; line && *line; i++) {
		j = json_loadb(line, strcspn(line, "\n"), 0, NULL);
		ASSERT_NE(NULL, j);
		EXPECT_EQ(i, json_integer_value(json_object_get(
				json_object_get(j, "values"), "i")));
		json_decref(j);
		line = strchr(line, '\n') + 1;
	}
	EXPECT_EQ(n, i);
}

/* Without a collector record lines are read past, messages still count. */
/* READY is the whole line: the host sends the payload on it alone. */
TEST_F(control, ready)
{
	EXPECT_FALSE(self->c.ready);
	feed(&self->c, "KTSTR_READYX\nKTSTR_READY 1\nxKTSTR_READY\n");
	EXPECT_FALSE(self->c.ready);
	feed(&self->c, "KTSTR_REA");
	EXPECT_FALSE(self->c.ready);
	feed(&self->c, "DY\r\n");
	EXPECT_TRUE(self->c.ready);
	EXPECT_STREQ("", self->c.payload_error);
	EXPECT_FALSE(self->c.exited);
}

TEST_F(control, payload_error)
{
	feed(&self->c, "KTSTR_READY\nKTSTR_PAYLOAD_ERROR ktstr.exec=an odd");
	EXPECT_STREQ("", self->c.payload_error);
	feed(&self->c, " number of hex digits\n");
	EXPECT_STREQ("ktstr.exec=an odd number of hex digits",
		     self->c.payload_error);
	EXPECT_FALSE(self->c.exited);
}

/* An error without its reason is still an error. */
TEST_F(control, payload_error_without_reason)
{
	feed(&self->c, "KTSTR_PAYLOAD_ERROR ");
	feed(&self->c, "\n");
	EXPECT_STREQ("(no reason given)", self->c.payload_error);
}

/* A long reason is cut to what the result holds, never dropped. */
TEST(control_payload_error_long_reason)
{
	char line[512];
	struct kt_control c;

	kt_control_init(&c, NULL, KT_RESULTS_MAX_BYTES);
	memset(line, 'r', sizeof(line));
	feed(&c, "KTSTR_PAYLOAD_ERROR ");
	kt_control_feed(&c, line, KT_CONTROL_REASON_MAX + 5);
	feed(&c, "\n");
	EXPECT_EQ(KT_CONTROL_REASON_MAX - 1, strlen(c.payload_error));
	EXPECT_EQ('r', c.payload_error[0]);
	/* Longer than any message: skipped as such, the reason still kept. */
	memset(c.payload_error, 0, sizeof(c.payload_error));
	feed(&c, "KTSTR_PAYLOAD_ERROR ");
	kt_control_feed(&c, line, sizeof(line));
	kt_control_feed(&c, line, sizeof(line));
	feed(&c, "\nKTSTR_READY\n");
	EXPECT_EQ(KT_CONTROL_REASON_MAX - 1, strlen(c.payload_error));
	EXPECT_EQ('r', c.payload_error[0]);
	EXPECT_TRUE(c.ready);
	kt_control_free(&c);
}

TEST(control_without_records)
{
	struct kt_control c;
	char *rec = record_of_size(1 << 20);

	kt_control_init(&c, NULL, KT_RESULTS_MAX_BYTES);
	feed(&c, "KTSTR_READY\nKTSTR_RESULT ");
	feed(&c, rec);
	feed(&c, "\nKTSTR_RESULTS_DROPPED 3\nKTSTR_EXIT 6\n");
	EXPECT_TRUE(c.ready);
	EXPECT_TRUE(c.exited);
	EXPECT_EQ(6, c.exit_status);
	EXPECT_LE(c.line_cap, 1024);
	kt_control_free(&c);
	free(rec);
}

FIXTURE(vm) {
};

FIXTURE_SETUP(vm)
{
}

FIXTURE_TEARDOWN(vm)
{
}

/* The options of a one-CPU VM with the guest image of this tree's build. */
static int vm_opts(struct kt_launch *l, struct kt_vm_opts *o)
{
	/* As ./ktstr would. */
	setenv("KTSTR_ROOT", ".", 0);
	kt_launch_init(l, VM_TEST_TIMEOUT_S / 2);
	l->topology_spec = "1n1l1c1t";
	l->accel = KT_ACCEL_AUTO;
	if (kt_launch_prepare(l))
		return -1;
	kt_launch_vm_opts(l, o);
	return 0;
}

/*
 * A real VM running @command with the results channel, or taking
 * @payload_line as it is if that is set.
 */
static int run_vm(const char *command, const char *payload_line,
		  struct kt_records *rec, char **out, struct kt_vm_result *r)
{
	struct kt_launch l;
	struct kt_vm_opts o;

	if (vm_opts(&l, &o))
		return -1;
	o.command = command;
	o.payload_line = payload_line;
	o.capture_stdout = out;
	o.records = rec;
	if (kt_accel_resolve(l.accel, &o.accel, r->detail, sizeof(r->detail)))
		return -1;
	return kt_vm_run(&o, r);
}

#define PAYLOAD								\
	"echo '" CHECK_REC "' >> $KTSTR_RESULTS; "			\
	"echo 'not json' >> $KTSTR_RESULTS; "				\
	"echo 'KTSTR_EXIT 0' >> $KTSTR_RESULTS; "			\
	"echo; echo 'KTSTR_RESULT " VALUES_REC "'; "			\
	"echo 'KTSTR_RESULT " VALUES_REC "' >&2; "			\
	"echo '# not TAP' >/dev/null; "					\
	"printf '%s' '" GROUP_REC "' >> $KTSTR_RESULTS; "		\
	"echo stdout-end; exit 5"

TEST_F_TIMEOUT(vm, results_channel, VM_TEST_TIMEOUT_S)
{
	struct kt_records rec = { 0 };
	struct kt_vm_result r;
	char *out = NULL;

	ASSERT_EQ(0, run_vm(PAYLOAD, NULL, &rec, &out, &r)) TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(KT_VM_EXITED, r.outcome) TH_LOG("%s", r.detail);
	/* The record saying KTSTR_EXIT 0 did not replace the real status. */
	EXPECT_EQ(5, r.exit_status);
	EXPECT_EQ(2, rec.accepted);
	EXPECT_EQ(2, rec.rejected);
	EXPECT_EQ(0, rec.over_limit);
	/* The last record had no newline: /init ended it. */
	EXPECT_STREQ(CHECK_REC "\n" GROUP_REC "\n", rec.text);
	/* Lines on stdout that look like records stay on stdout. */
	ASSERT_NE(NULL, out);
	EXPECT_STREQ("\nKTSTR_RESULT " VALUES_REC "\nstdout-end\n", out);
	free(out);
	kt_records_free(&rec);
}

/*
 * /init's own bound, made small here (the payload line says 200 bytes,
 * the host keeps its 2 MiB): the first lines that fit are sent, the rest
 * are counted in the guest.
 */
TEST_F_TIMEOUT(vm, results_channel_bound, VM_TEST_TIMEOUT_S)
{
	static char line[KT_PAYLOAD_LINE_MAX + 1];
	static struct kt_payload p;
	struct kt_records rec = { 0 };
	struct kt_vm_result r;
	char err[KT_PAYLOAD_ERR_MAX];
	char *out = NULL;

	snprintf(p.command, sizeof(p.command), "%s",
		 "for i in 1 2 3 4 5 6 7 8 9 10; do echo '" VALUES_REC "'; done >> $KTSTR_RESULTS; "
		 "head -c 100000 /dev/zero | tr '\\0' x >> $KTSTR_RESULTS");
	p.results_max = 200;
	ASSERT_LT(0, kt_payload_encode(&p, line, sizeof(line), err,
				       sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, run_vm(NULL, line, &rec, &out, &r))
		TH_LOG("%s", kt_errmsg());
	ASSERT_EQ(KT_VM_EXITED, r.outcome) TH_LOG("%s", r.detail);
	EXPECT_EQ(0, r.exit_status);
	/* Each line is 46 bytes with its newline: 4 fit in 200. */
	EXPECT_EQ(46, strlen(VALUES_REC "\n"));
	EXPECT_EQ(4, rec.accepted);
	EXPECT_EQ(7, rec.over_limit);
	EXPECT_TRUE(rec.full);
	free(out);
	kt_records_free(&rec);
}

/*
 * /init refuses a payload line it cannot take whole, says so on the
 * console, and the host's result names what is wrong; nothing runs.
 */
static void expect_refusal(struct __test_metadata *_metadata, const char *line,
		    const char *reason)
{
	struct kt_vm_result r;
	char *out = NULL;

	ASSERT_EQ(0, run_vm(NULL, line, NULL, &out, &r)) TH_LOG("%s", kt_errmsg());
	EXPECT_EQ(KT_VM_BAD_PAYLOAD, r.outcome) TH_LOG("%s", r.detail);
	EXPECT_STREQ("bad-payload", kt_vm_outcome_name(r.outcome));
	EXPECT_EQ(125, kt_vm_exit_code(&r));
	EXPECT_EQ(0, strncmp(r.detail, "the guest's /init refused the payload: ",
			     39)) TH_LOG("%s", r.detail);
	EXPECT_NE(NULL, strstr(r.detail, reason)) TH_LOG("%s", r.detail);
	EXPECT_NE(NULL, strstr(r.console_tail, "ktstr-init: bad payload: "))
		TH_LOG("%s", r.console_tail);
	EXPECT_TRUE(!out || !*out) TH_LOG("%s", out);
	free(out);
}

TEST_F_TIMEOUT(vm, malformed_payload_is_refused, VM_TEST_TIMEOUT_S)
{
	/* "echo x", but upper case hex. */
	expect_refusal(_metadata, "KTSTR_PAYLOAD ktstr.exec=6563686F2078\n",
		"ktstr.exec=not lowercase hex at digit 7");
}

TEST_F_TIMEOUT(vm, overlong_payload_is_refused, VM_TEST_TIMEOUT_S)
{
	static char line[KT_PAYLOAD_LINE_MAX + 4096];
	size_t n = snprintf(line, sizeof(line), "KTSTR_PAYLOAD ktstr.exec=");

	/* "echo xxxx...", longer than any line /init takes. */
	n += snprintf(line + n, sizeof(line) - n, "6563686f20");
	memset(line + n, '7', sizeof(line) - n - 2);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	expect_refusal(_metadata, line, "no newline in the first 16384 bytes");
}

/*
 * What the host can tell /init would refuse is refused before booting,
 * naming the option at fault.
 */
TEST(payload_refused_before_booting)
{
	static char command[KT_PAYLOAD_COMMAND_MAX + 2];
	const char *term = getenv("TERM");
	struct kt_launch l;
	struct kt_vm_opts o;
	struct kt_vm_result r;

	ASSERT_EQ(0, vm_opts(&l, &o)) TH_LOG("%s", kt_errmsg());
	o.accel = KT_ACCEL_TCG;
	o.dry_run = true;
	memset(command, 'x', sizeof(command) - 1);
	o.command = command;
	EXPECT_EQ(-1, kt_vm_run(&o, &r));
	EXPECT_STREQ("--exec command too long: 7937 bytes, at most 7936",
		     kt_errmsg());
	o.interactive = true;
	o.command = NULL;
	setenv("TERM", "xterm;rm", 1);
	EXPECT_EQ(-1, kt_vm_run(&o, &r));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "TERM='xterm;rm' is not a terminal name the guest takes"))
		TH_LOG("%s", kt_errmsg());
	if (term)
		setenv("TERM", term, 1);
	else
		unsetenv("TERM");
}

TEST_HARNESS_MAIN
