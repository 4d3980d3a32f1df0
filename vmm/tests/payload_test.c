// SPDX-License-Identifier: GPL-2.0
/*
 * The payload line: what the host encodes /init decodes to the same
 * payload, and every line /init cannot take whole is refused with a
 * reason naming what is wrong (the same code runs in the guest).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "payload.h"

static char line[KT_PAYLOAD_LINE_MAX + 1];
static struct kt_payload in, out;
static char err[KT_PAYLOAD_ERR_MAX];

/* @s as /init reads it: without its newline. */
static int decode(const char *s)
{
	size_t len = strlen(s);

	if (len && s[len - 1] == '\n')
		len--;
	return kt_payload_decode(s, len, &out, err, sizeof(err));
}

TEST(round_trip)
{
	int n;

	memset(&in, 0, sizeof(in));
	snprintf(in.command, sizeof(in.command),
		 "echo 'a b' \"$X\"; printf '\\n' | cat; exit 3");
	in.interactive = true;
	in.rows = 50;
	in.cols = 132;
	snprintf(in.term, sizeof(in.term), "xterm-256color");
	in.results_max = 2 << 20;
	n = kt_payload_encode(&in, line, sizeof(line), err, sizeof(err));
	ASSERT_LT(0, n) TH_LOG("%s", err);
	EXPECT_EQ(strlen(line), n);
	EXPECT_EQ('\n', line[n - 1]);
	/* One line: nothing in the command can end it early. */
	EXPECT_EQ(line + n - 1, strchr(line, '\n'));
	EXPECT_EQ(0, strncmp(line, "KTSTR_PAYLOAD ktstr.exec=6563686f", 33));
	EXPECT_NE(NULL, strstr(line, " ktstr.shell=1 ktstr.rows=50 ktstr.cols=132 ktstr.term=xterm-256color ktstr.results=2097152\n"));
	ASSERT_EQ(0, decode(line)) TH_LOG("%s", err);
	EXPECT_STREQ(in.command, out.command);
	EXPECT_TRUE(out.interactive);
	EXPECT_EQ(50, out.rows);
	EXPECT_EQ(132, out.cols);
	EXPECT_STREQ("xterm-256color", out.term);
	EXPECT_EQ(2 << 20, out.results_max);
}

/* No command is a login shell; no word at all is valid. */
TEST(empty_payload)
{
	memset(&in, 0, sizeof(in));
	ASSERT_EQ(14, kt_payload_encode(&in, line, sizeof(line), err,
					sizeof(err)));
	EXPECT_STREQ("KTSTR_PAYLOAD\n", line);
	ASSERT_EQ(0, decode(line)) TH_LOG("%s", err);
	EXPECT_STREQ("", out.command);
	EXPECT_FALSE(out.interactive);
	EXPECT_STREQ("", out.term);
	EXPECT_EQ(0, out.results_max);
}

/* Every byte 1..255 survives the trip. */
TEST(any_byte_in_the_command)
{
	int i;

	memset(&in, 0, sizeof(in));
	for (i = 1; i < 256; i++)
		in.command[i - 1] = (char)i;
	ASSERT_LT(0, kt_payload_encode(&in, line, sizeof(line), err,
				       sizeof(err)));
	ASSERT_EQ(0, decode(line)) TH_LOG("%s", err);
	EXPECT_EQ(0, memcmp(in.command, out.command, 256));
}

TEST(longest_command_fits)
{
	memset(&in, 0, sizeof(in));
	memset(in.command, 'x', KT_PAYLOAD_COMMAND_MAX);
	in.interactive = true;
	in.rows = in.cols = 65535;
	memset(in.term, 'a', KT_PAYLOAD_TERM_MAX);
	in.results_max = KT_PAYLOAD_RESULTS_MAX;
	ASSERT_LT(0, kt_payload_encode(&in, line, sizeof(line), err,
				       sizeof(err))) TH_LOG("%s", err);
	ASSERT_EQ(0, decode(line)) TH_LOG("%s", err);
	EXPECT_EQ(KT_PAYLOAD_COMMAND_MAX, strlen(out.command));
}

/* The host refuses, before booting, what /init would. */
TEST(encode_refuses)
{
	static char big[KT_PAYLOAD_COMMAND_MAX + 2];

	memset(&in, 0, sizeof(in));
	snprintf(in.term, sizeof(in.term), "xterm 256");
	EXPECT_EQ(-1, kt_payload_encode(&in, line, sizeof(line), err,
					sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "TERM='xterm 256' is not a terminal name"))
		TH_LOG("%s", err);
	memset(&in, 0, sizeof(in));
	in.results_max = KT_PAYLOAD_RESULTS_MAX + 1;
	EXPECT_EQ(-1, kt_payload_encode(&in, line, sizeof(line), err,
					sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "results bound")) TH_LOG("%s", err);
	memset(&in, 0, sizeof(in));
	EXPECT_EQ(-1, kt_payload_encode(&in, line, 100, err, sizeof(err)));
	/* The struct cannot hold a longer command: the check is the caller's. */
	memset(big, 'x', sizeof(big) - 1);
	EXPECT_EQ(KT_PAYLOAD_COMMAND_MAX + 1, strlen(big));
	EXPECT_TRUE(kt_payload_term_ok("vt100"));
	EXPECT_TRUE(kt_payload_term_ok("screen.xterm-256color"));
	EXPECT_FALSE(kt_payload_term_ok(""));
	EXPECT_FALSE(kt_payload_term_ok("a;b"));
	EXPECT_FALSE(kt_payload_term_ok("\x1b[0m"));
	memset(big, 'a', KT_PAYLOAD_TERM_MAX + 1);
	big[KT_PAYLOAD_TERM_MAX + 1] = '\0';
	EXPECT_FALSE(kt_payload_term_ok(big));
	big[KT_PAYLOAD_TERM_MAX] = '\0';
	EXPECT_TRUE(kt_payload_term_ok(big));
}

struct bad {
	const char *line;
	const char *reason;
};

TEST(decode_refuses_malformed_lines)
{
	static const struct bad bad[] = {
		{ "", "not a KTSTR_PAYLOAD line" },
		{ "KTSTR_PAYLOADS", "not a KTSTR_PAYLOAD line" },
		{ "ktstr_payload ktstr.shell=1", "not a KTSTR_PAYLOAD line" },
		{ "KTSTR_PAYLOAD ", "an empty word at 14" },
		{ "KTSTR_PAYLOAD  ktstr.shell=1", "an empty word at 14" },
		{ "KTSTR_PAYLOAD ktstr.shell=1 ", "an empty word at 28" },
		{ "KTSTR_PAYLOAD\tktstr.shell=1", "byte 0x09 at 13" },
		{ "KTSTR_PAYLOAD ktstr.shell=1\r", "byte 0x0d at 27" },
		{ "KTSTR_PAYLOAD \xff", "byte 0xff at 14" },
		{ "KTSTR_PAYLOAD ktstr.bogus=1", "unknown word 'ktstr.bogus=1'" },
		{ "KTSTR_PAYLOAD ktstr.exec", "unknown word 'ktstr.exec'" },
		{ "KTSTR_PAYLOAD ktstr.exec=6", "ktstr.exec=an odd number of hex digits" },
		{ "KTSTR_PAYLOAD ktstr.exec=6g", "ktstr.exec=not lowercase hex at digit 1" },
		{ "KTSTR_PAYLOAD ktstr.exec=6A", "ktstr.exec=not lowercase hex at digit 1" },
		{ "KTSTR_PAYLOAD ktstr.exec=zz", "ktstr.exec=not lowercase hex at digit 0" },
		{ "KTSTR_PAYLOAD ktstr.exec=610062", "ktstr.exec=a NUL byte in the command" },
		{ "KTSTR_PAYLOAD ktstr.exec=61 ktstr.exec=62", "ktstr.exec= given twice" },
		{ "KTSTR_PAYLOAD ktstr.shell=0", "ktstr.shell= takes only 1" },
		{ "KTSTR_PAYLOAD ktstr.shell=", "ktstr.shell= takes only 1" },
		{ "KTSTR_PAYLOAD ktstr.rows=24", "ktstr.rows= without ktstr.cols=" },
		{ "KTSTR_PAYLOAD ktstr.cols=80", "ktstr.cols= without ktstr.rows=" },
		{ "KTSTR_PAYLOAD ktstr.rows=0 ktstr.cols=80", "ktstr.rows='0' is not from 1 to 65535" },
		{ "KTSTR_PAYLOAD ktstr.rows=24 ktstr.cols=65536", "ktstr.cols='65536' is not from 1 to 65535" },
		{ "KTSTR_PAYLOAD ktstr.rows=24 ktstr.cols=99999999999999999999999", "ktstr.cols='99999999999999999999' is not from 1 to 65535" },
		{ "KTSTR_PAYLOAD ktstr.rows=-1 ktstr.cols=80", "ktstr.rows='-1' is not a number" },
		{ "KTSTR_PAYLOAD ktstr.rows=2x ktstr.cols=80", "ktstr.rows='2x' is not a number" },
		{ "KTSTR_PAYLOAD ktstr.rows= ktstr.cols=80", "ktstr.rows='' is not a number" },
		{ "KTSTR_PAYLOAD ktstr.term=", "ktstr.term='' is not a terminal name" },
		{ "KTSTR_PAYLOAD ktstr.term=a;b", "ktstr.term='a;b' is not a terminal name" },
		{ "KTSTR_PAYLOAD ktstr.results=0", "ktstr.results='0' is not from 1 to 67108864" },
		{ "KTSTR_PAYLOAD ktstr.results=67108865", "ktstr.results='67108865' is not from 1 to 67108864" },
		{ "KTSTR_PAYLOAD ktstr.results=+5", "ktstr.results='+5' is not a number" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(err, 0, sizeof(err));
		EXPECT_EQ(-1, decode(bad[i].line)) TH_LOG("%s", bad[i].line);
		EXPECT_NE(NULL, strstr(err, bad[i].reason))
			TH_LOG("'%s': '%s', not '%s'", bad[i].line, err,
			       bad[i].reason);
	}
}

TEST(decode_refuses_overlong)
{
	static char big[KT_PAYLOAD_LINE_MAX + 64];
	size_t n;

	/* A command over the bound, on a line that fits. */
	n = snprintf(big, sizeof(big), "KTSTR_PAYLOAD ktstr.exec=");
	memset(big + n, 'a', 2 * (KT_PAYLOAD_COMMAND_MAX + 1));
	big[n + 2 * (KT_PAYLOAD_COMMAND_MAX + 1)] = '\0';
	EXPECT_EQ(-1, decode(big));
	EXPECT_NE(NULL, strstr(err, "ktstr.exec=a command of 7937 bytes, at most 7936"))
		TH_LOG("%s", err);
	/* The line itself over the bound. */
	memset(big + n, 'a', sizeof(big) - n - 1);
	big[sizeof(big) - 1] = '\0';
	EXPECT_EQ(-1, decode(big));
	EXPECT_NE(NULL, strstr(err, "at most 16384")) TH_LOG("%s", err);
}

/*
 * read_line() of what a writer sends in @chunks (NULL-ended), each its
 * own write with a pause between, so the reader sees partial lines.
 */
static int read_chunks(const char *const *chunks, size_t *len)
{
	int fds[2], ret;
	pid_t pid;

	if (pipe(fds))
		return -2;
	pid = fork();
	if (!pid) {
		close(fds[0]);
		for (; *chunks; chunks++) {
			if (write(fds[1], *chunks, strlen(*chunks)) < 0)
				_exit(1);
			usleep(20000);
		}
		_exit(0);
	}
	close(fds[1]);
	ret = kt_payload_read_line(fds[0], line, len, err, sizeof(err));
	close(fds[0]);
	waitpid(pid, NULL, 0);
	return ret;
}

TEST(read_line_in_pieces)
{
	const char *const chunks[] = { "KTSTR_PAY", "LOAD ktstr.sh", "ell=1",
				       "\n", NULL };
	size_t len;

	ASSERT_EQ(0, read_chunks(chunks, &len)) TH_LOG("%s", err);
	EXPECT_EQ(strlen("KTSTR_PAYLOAD ktstr.shell=1"), len);
	EXPECT_EQ(0, memcmp(line, "KTSTR_PAYLOAD ktstr.shell=1", len));
}

TEST(read_line_refuses)
{
	const char *const closed[] = { "KTSTR_PAYLOAD", NULL };
	const char *const more[] = { "KTSTR_PAYLOAD\nKTSTR", NULL };
	static char big[KT_PAYLOAD_LINE_MAX + 2];
	const char *const overlong[] = { big, NULL };
	const char *const just_fits[] = { big, "\n", NULL };
	size_t len;

	EXPECT_EQ(-1, read_chunks(closed, &len));
	EXPECT_STREQ("the port closed after 13 bytes of the payload line", err);
	EXPECT_EQ(-1, read_chunks(more, &len));
	EXPECT_STREQ("5 bytes after the payload line", err);
	memset(big, 'a', KT_PAYLOAD_LINE_MAX + 1);
	EXPECT_EQ(-1, read_chunks(overlong, &len));
	EXPECT_NE(NULL, strstr(err, "no newline in the first 16384 bytes"))
		TH_LOG("%s", err);
	/* The longest line, its newline included, is read. */
	big[KT_PAYLOAD_LINE_MAX - 1] = '\0';
	EXPECT_EQ(0, read_chunks(just_fits, &len)) TH_LOG("%s", err);
	EXPECT_EQ(KT_PAYLOAD_LINE_MAX - 1, len);
	EXPECT_EQ(-1, kt_payload_read_line(-1, line, &len, err, sizeof(err)));
	EXPECT_STREQ("reading the payload line: Bad file descriptor", err);
}

/* The host's clock and randomness reach /init whole. */
TEST(time_and_seed)
{
	int i, n;

	memset(&in, 0, sizeof(in));
	in.has_time = true;
	in.time_s = 1796270400;
	in.time_ns = 5;
	in.has_seed = true;
	for (i = 0; i < KT_PAYLOAD_SEED_LEN; i++)
		in.seed[i] = (unsigned char)(i * 37);
	n = kt_payload_encode(&in, line, sizeof(line), err, sizeof(err));
	ASSERT_LT(0, n) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(line, " ktstr.time=1796270400.000000005 ktstr.seed=00254a6f"));
	ASSERT_EQ(0, decode(line)) TH_LOG("%s", err);
	EXPECT_TRUE(out.has_time);
	EXPECT_EQ(1796270400ull, out.time_s);
	EXPECT_EQ(5, out.time_ns);
	EXPECT_TRUE(out.has_seed);
	EXPECT_EQ(0, memcmp(in.seed, out.seed, sizeof(in.seed)));
	/* Neither word: neither is applied. */
	ASSERT_EQ(0, decode("KTSTR_PAYLOAD"));
	EXPECT_FALSE(out.has_time);
	EXPECT_FALSE(out.has_seed);
}

TEST(time_and_seed_refused)
{
	static const struct {
		const char *line, *reason;
	} bad[] = {
		{ "KTSTR_PAYLOAD ktstr.time=12", "is not <seconds>.<9 digits>" },
		{ "KTSTR_PAYLOAD ktstr.time=12.5", "is not <seconds>.<9 digits>" },
		{ "KTSTR_PAYLOAD ktstr.time=.000000000", "is not a number" },
		{ "KTSTR_PAYLOAD ktstr.time=1x.000000000", "is not a number" },
		{ "KTSTR_PAYLOAD ktstr.time=100000000000.000000000", "is not from 0" },
		{ "KTSTR_PAYLOAD ktstr.seed=00", "2 hex digits, not 64" },
		{ "KTSTR_PAYLOAD ktstr.seed=0000000000000000000000000000000000000000000000000000000000000g00", "not lowercase hex at digit 61" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, decode(bad[i].line)) TH_LOG("%s", bad[i].line);
		EXPECT_NE(NULL, strstr(err, bad[i].reason))
			TH_LOG("%s: '%s'", bad[i].line, err);
	}
	memset(&in, 0, sizeof(in));
	in.has_time = true;
	in.time_ns = 1000000000;
	EXPECT_EQ(-1, kt_payload_encode(&in, line, sizeof(line), err,
					 sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "out of range")) TH_LOG("%s", err);
}

TEST_HARNESS_MAIN
