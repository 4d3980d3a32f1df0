/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Baselines: result sets (directories of JSON results) kept under a name
 * in $KTSTR_CACHE_DIR/baselines/<name>/ to compare later runs against.
 * A baseline is written beside its final place and renamed into it, so a
 * name always holds one complete result set.
 */
#ifndef KTSTR_RUNNER_BASELINE_H
#define KTSTR_RUNNER_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

/* Letters, digits, '.', '-', '_'; not starting with '.'. */
int kt_baseline_check_name(const char *name);
/* $KTSTR_CACHE_DIR/baselines/<name>. */
int kt_baseline_path(const char *name, char *buf, size_t len);
/* A fresh work directory to write the results of baseline @name into. */
int kt_baseline_begin(const char *name, char *dir, size_t len);
/*
 * Makes the results in @dir baseline @name, replacing any older one:
 * renamed when @owned (made by kt_baseline_begin), copied otherwise.
 */
int kt_baseline_commit(const char *name, const char *dir, bool owned);
/*
 * A result set: a directory or a file (a verifier report) as given,
 * else the baseline of that name.
 */
int kt_baseline_resolve(const char *spec, char *buf, size_t len);

#endif
