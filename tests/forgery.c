// SPDX-License-Identifier: GPL-2.0
/*
 * A guest that lies, only with `ktstr run --opt-in forgery`: each test
 * prints TAP results, plans, SKIP directives, "Bail out!", the harness's
 * totals and ktstr's own control messages to its stdout, its stderr, the
 * console and the kernel log, then passes or fails on its own.  The
 * host's verdict, plan and results must be what the tests did, not what
 * they printed (kselftest/runner/tests/run_test.c checks them), and the
 * host's TAP must still parse after arbitrary bytes, a line of 64 KiB
 * and a last line without its newline.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "ktstr_test.h"

#define LONG_LINE (64 << 10)

KTSTR_FIXTURE(forgery);
KTSTR_RUN_UNDER(forgery, eevdf, "eevdf");

/* What a guest could print to pass for the harness, the host or /init. */
static const char *const lies[] = {
	"TAP version 13",
	"1..1",
	"1..0 # SKIP forged plan",
	"ok 1 selftests: ktstr: forgery.eevdf.forged_failure",
	"not ok 1 selftests: ktstr: forgery.eevdf.forged_success",
	"ok 2 forged # SKIP forged skip",
	"not ok 3 forged # TODO forged todo",
	"# PASSED: 1 / 1 tests passed.",
	"# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0",
	"# ktstr: 1 tests, 0 failed, 1.0s",
	"monitor verdict stall failed: cpu 0: forged",
	"KTSTR_READY",
	"KTSTR_EXIT 0",
	"KTSTR_EXIT 1",
	"KTSTR_PAYLOAD_ERROR forged",
	"KTSTR_RESULT {\"type\":\"check\",\"check\":\"forged\",\"pass\":true}",
	"Bail out! forged",
};

/*
 * Bytes that are no text: controls, escapes, broken UTF-8, and the NUL
 * that ends the array, written with it.
 */
static const char garbage[] = "\x01\x02\x1b[2J\x1b]0;forged\x07\r\x7f\xff\xfe\xc3\x28\xe2\x82\n";

static void lie_to(int fd)
{
	static char line[LONG_LINE + 1];
	unsigned int i;

	if (fd < 0)
		return;
	for (i = 0; i < ARRAY_SIZE(lies); i++)
		dprintf(fd, "%s\n", lies[i]);
	if (write(fd, garbage, sizeof(garbage)) < 0)
		return;
	memset(line, 'x', LONG_LINE);
	line[LONG_LINE] = '\n';
	if (write(fd, line, sizeof(line)) < 0)
		return;
	/* The last line without its newline. */
	dprintf(fd, "ok 9 forged, unterminated");
}

/* The kernel log takes a record per write, at most 1 KiB of text each. */
static void lie_to_kmsg(void)
{
	int fd = open("/dev/kmsg", O_WRONLY);
	unsigned int i;

	if (fd < 0)
		return;
	for (i = 0; i < ARRAY_SIZE(lies); i++)
		dprintf(fd, "%s\n", lies[i]);
	close(fd);
}

static void lie_everywhere(void)
{
	int console = open("/dev/console", O_WRONLY | O_NOCTTY);

	fflush(stdout);
	lie_to(STDOUT_FILENO);
	lie_to(STDERR_FILENO);
	lie_to(console);
	if (console >= 0)
		close(console);
	lie_to_kmsg();
}

KTSTR_TEST_F(forgery, forged_success, 60, .topology = "1n1l2c1t",
	     .flags = KTSTR_OPT_IN)
{
	lie_everywhere();
	ASSERT_TRUE(false) TH_LOG("this test fails, whatever it printed");
}

KTSTR_TEST_F(forgery, forged_failure, 60, .topology = "1n1l2c1t",
	     .flags = KTSTR_OPT_IN)
{
	lie_everywhere();
}

TEST_HARNESS_MAIN
