/* SPDX-License-Identifier: GPL-2.0 */
/* Results of a suite run: TAP 13 on stdout, JUnit XML, JSON per test. */
#ifndef KTSTR_RUNNER_REPORT_H
#define KTSTR_RUNNER_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "control.h"
#include "plan.h"

enum kt_verdict { KT_PASS, KT_FAIL, KT_SKIP };

struct kt_result {
	const struct kt_run_item *item;
	enum kt_verdict verdict;
	char reason[6144];		/* why it failed or skipped */
	char *output;			/* the VM's TAP, malloc'd */
	char *monitor_summary;		/* "monitor: ..." lines, malloc'd */
	char *monitor_json;		/* the monitor's JSON object, malloc'd */
	char *repro_text;		/* the AUTO-PROBE section, malloc'd */
	char *repro_json;		/* its JSON object, malloc'd */
	struct kt_records records;	/* the guest's result records */
	double wall_s;
	char kernel[128];
	char arch[16];			/* the guest's: x86_64 or arm64 */
	char accel[16];
	char boot[16];			/* cold, saved or restored */
	char boot_image[16];		/* bzImage, vmlinux or Image; "": no VM */
	bool kaslr;			/* a bzImage or Image without nokaslr */
};

void kt_tap_begin(unsigned int count);
/* "# selftests: ktstr: <name>", the nested output, then ok / not ok. */
void kt_tap_result(unsigned int n, const struct kt_result *r);
int kt_junit_write(const char *path, const struct kt_result *results,
		   size_t count, double total_s);
int kt_json_write(const char *dir, const struct kt_result *r);
/* The file of test @name's result with @suffix ("x.json"), '/' as '@'. */
void kt_result_file(const char *name, const char *suffix, char *buf,
		    size_t len);
const char *kt_verdict_name(enum kt_verdict v);
/*
 * Did the harness output @tap skip every test it ran?  Its exit status
 * does not say (a run of skipped tests exits 0): its "# Totals:" line
 * does.  @reason gets the first "# SKIP" text.
 */
bool kt_tap_all_skipped(const char *tap, char *reason, size_t len);
/* The first "# SKIP" text of @tap (NULL or without one: "skipped"). */
void kt_tap_skip_reason(const char *tap, char *reason, size_t len);

#endif
