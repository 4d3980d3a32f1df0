// SPDX-License-Identifier: GPL-2.0
/*
 * Nesting a guest's TAP under the suite's: the input is the output of
 * the test program in the guest, written as the guest likes.  Whatever
 * it holds, each of its lines must come out as one "# " comment line,
 * with no control character but tab, so that no guest line passes for a
 * result of the suite or rewrites one on a terminal: the target aborts
 * if the TAP has any line of its own that is not a comment but the one
 * result line, or any such character.  Seeds: tests' output cut from
 * real runs' TAP.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "report.h"

static int tap_fd = -1;

/* stdout goes to a memory file: no file is left behind. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	tap_fd = memfd_create("tap_fuzz", MFD_CLOEXEC);
	if (tap_fd < 0 || dup2(tap_fd, STDOUT_FILENO) < 0)
		abort();
	return 0;
}

static char *text_of(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/* A control character but tab: report.c escapes the guest's. */
static bool has_control(const char *line)
{
	const unsigned char *p;

	for (p = (const unsigned char *)line; *p; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return true;
	return false;
}

/* The TAP written since the start of the memory file. */
static void check_tap(const char *expected_result)
{
	off_t len = lseek(tap_fd, 0, SEEK_CUR);
	char *tap, *line, *next;
	size_t results = 0;

	tap = calloc(1, len + 1);
	if (!tap || pread(tap_fd, tap, len, 0) != len)
		abort();
	for (line = tap; *line; line = next) {
		next = strchr(line, '\n');
		if (!next)
			abort();	/* every line ends */
		*next++ = '\0';
		if (has_control(line))
			abort();	/* a guest line moves the cursor */
		if (line[0] == '#' && (line[1] == ' ' || !line[1]))
			continue;
		if (strncmp(line, expected_result, strlen(expected_result)))
			abort();
		results++;
	}
	if (results != 1)
		abort();
	free(tap);
	if (ftruncate(tap_fd, 0) || lseek(tap_fd, 0, SEEK_SET))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kt_run_item item = {
		.name = "fuzz.tap", .topology = "1n1l2c1t",
		.scheduler = "eevdf",
	};
	struct kt_result r = { .item = &item };
	static const char *const results[] = {
		[KT_PASS] = "ok 1 selftests: ktstr: fuzz.tap",
		[KT_FAIL] = "not ok 1 selftests: ktstr: fuzz.tap",
		[KT_SKIP] = "ok 1 selftests: ktstr: fuzz.tap # SKIP ",
	};

	r.output = text_of(data, size);
	if (!r.output)
		return 0;
	r.verdict = size % 3;
	/* A failure's reason and the repro's text quote the guest too. */
	snprintf(r.reason, sizeof(r.reason), "%s", r.output);
	/* A skip's reason is its line of the output, as judge() cuts it. */
	if (r.verdict == KT_SKIP)
		r.reason[strcspn(r.reason, "\n")] = '\0';
	r.repro_text = r.output;
	r.monitor_summary = r.output;
	r.records.rejected = size & 1;
	kt_tap_result(1, &r);
	fflush(stdout);
	check_tap(results[r.verdict]);
	free(r.output);
	return 0;
}
