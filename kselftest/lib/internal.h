/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the files of the test library; not part of the API
 * that tests use (that is ktstr.h).
 */
#ifndef KTSTR_INTERNAL_H
#define KTSTR_INTERNAL_H

#include <stddef.h>

#include "ktstr.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef __printf
#define __printf(a, b) __attribute__((				\
	format(printf, a, b)))
#endif

/*
 * Records the message ktstr_errmsg() returns and returns -1.  errno is
 * preserved, so a caller can still look at it after reporting.
 */
__printf(1, 2) int ktstr_fail(const char *fmt, ...);

/*
 * A check's figures as one diagnostic line ("# share nice 0: pass
 * expected 0.856 measured 0.823 tolerance 0.15"), pass or fail, so that
 * the TAP alone serves a calibration; then its result record.
 */
void ktstr_report_check(const char *check, const char *group, bool pass,
			const char *why, const struct ktstr_kv *kv);

/* snprintf() at @at of @buf; returns the new end, never past @len. */
__printf(4, 5) size_t ktstr_append(char *buf, size_t len, size_t at,
				   const char *fmt, ...);

#ifndef __weak
#define __weak __attribute__((weak))
#endif

/*
 * The linker's bounds of the declaration sections of this program; weak,
 * so a program without declarations still links (they are then NULL).
 */
extern const struct ktstr_test_decl __start_ktstr_tests[] __weak;
extern const struct ktstr_test_decl __stop_ktstr_tests[] __weak;
extern const struct ktstr_sched_decl __start_ktstr_scheds[] __weak;
extern const struct ktstr_sched_decl __stop_ktstr_scheds[] __weak;

/*
 * Whole small files (sysfs, procfs, cgroupfs).  Reading returns the
 * length read, NUL-terminated, and fails if the file does not fit;
 * writing is a single write(2), as kernfs wants.  Failures name the file,
 * and for writes the value.
 */
int ktstr_read_file(const char *path, char *buf, size_t len);
int ktstr_write_file(const char *path, const char *text);

/*
 * Calls @fn with the text of every kernel log record in /dev/kmsg, oldest
 * first; -1 if /dev/kmsg cannot be opened.
 */
int ktstr_kmsg_foreach(void (*fn)(const char *msg, void *arg), void *arg);

/* Reads a cpulist file such as /sys/devices/system/cpu/online. */
int ktstr_read_cpulist(const char *path, cpu_set_t *out);

/* The auto-repro probe agent, if the host asked for it (probe.c). */
void ktstr_probe_start(void);
void ktstr_probe_stop(void);


#endif
