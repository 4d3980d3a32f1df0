/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host-side monitor: a thread that samples a running guest's
 * scheduler state from its RAM every interval, without anything loaded
 * into the guest.  A VM runner starts it once the guest's /init runs
 * (kt_vm_observer) and stops it before the guest's memory goes away.
 *
 *	k = kt_monitor_kernel_load(vmlinux, system_map);	once per kernel
 *	m = kt_monitor_new(k, &config, nr_cpus);		once per VM
 *	... kt_monitor_start() / kt_monitor_stop() around the guest ...
 *	kt_verdicts_eval(kt_monitor_series(m), &limits, verdicts);
 */
#ifndef KTSTR_MONITOR_MONITOR_H
#define KTSTR_MONITOR_MONITOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "series.h"
#include "verdict.h"

#define KT_MONITOR_DEFAULT_INTERVAL_MS 100

struct kt_monitor_kernel;
struct kt_monitor;

struct kt_monitor_config {
	unsigned int interval_ms;
	FILE *live;			/* one line per sample, or NULL */
	/*
	 * With @maps, each sample is followed on @maps_out by the
	 * scheduler's BPF maps, decoded (those named in @map_names, or
	 * all); @maps_record saves the guest memory the first dump read.
	 */
	bool maps;
	FILE *maps_out;
	const char *const *map_names;
	unsigned int nr_map_names;
	const char *maps_record;
	/*
	 * Keeps the scheduler's globals (its .bss/.data/.rodata and arena
	 * maps) as last read while it was attached, at most a second old,
	 * and read once more in the first sample that sees it exiting:
	 * what it held when it failed (kt_monitor_globals()).
	 */
	bool keep_globals;
};

/* BTF from @vmlinux, symbols from its .symtab or @system_map. */
struct kt_monitor_kernel *kt_monitor_kernel_load(const char *vmlinux,
						 const char *system_map);
void kt_monitor_kernel_free(struct kt_monitor_kernel *k);
/* What the kernel lacks, "" if nothing. */
const char *kt_monitor_kernel_missing(const struct kt_monitor_kernel *k);
const struct kt_layout *kt_monitor_kernel_layout(const struct kt_monitor_kernel *k);

struct kt_monitor *kt_monitor_new(const struct kt_monitor_kernel *k,
				  const struct kt_monitor_config *c,
				  unsigned int nr_cpus);
/* kt_vm_observer callbacks; @ctx is the kt_monitor. */
int kt_monitor_start(void *ctx, const char *shm_prefix, unsigned int nodes,
		     pid_t qemu);
void kt_monitor_stop(void *ctx);
const struct kt_series *kt_monitor_series(const struct kt_monitor *m);
/*
 * The attached scheduler's BPF maps, decoded now, while the monitor
 * watches the guest: a JSON array (see monitor/bpfmap.h) of the maps in
 * @names (NULL: all).  NULL with kt_errmsg() if there is no scheduler,
 * the monitor is not attached, or a name matches no map.
 */
json_t *kt_monitor_maps(struct kt_monitor *m, const char *const *names,
			unsigned int nr_names);
/*
 * With config.keep_globals, after kt_monitor_stop(): the last globals
 * read (a dump as kt_monitor_maps() returns, a new reference) and @t,
 * when, in seconds of the series; NULL if none was read.
 */
json_t *kt_monitor_globals(const struct kt_monitor *m, double *t);
/* Why the last try to read the globals failed; NULL if it did not. */
const char *kt_monitor_globals_error(const struct kt_monitor *m);
/*
 * A failed test's globals (kt_monitor_globals(), or NULL) and @error
 * (kt_monitor_globals_error()): on @f for TAP, without .rodata and
 * KT_MONITOR_GLOBALS_LINES lines at most; whole as @mon's
 * "scheduler_globals" ({"t", "maps", "error"}).  @f or @mon may be NULL.
 */
#define KT_MONITOR_GLOBALS_LINES 200
void kt_monitor_report_globals(FILE *f, json_t *mon, const json_t *globals,
			       double t, const char *error);
/* Prints kt_monitor_maps()'s dump, one line a value. */
void kt_monitor_print_maps(FILE *f, const json_t *maps, const char *indent);
/* Why the monitor could not watch this guest, or NULL. */
const char *kt_monitor_error(const struct kt_monitor *m);
void kt_monitor_free(struct kt_monitor *m);

/* "--interval"/"--monitor-interval" values: 1 to 60000 ms. */
int kt_monitor_parse_interval(const char *option, const char *arg,
			      unsigned int *ms);

/* One line describing sample @i, as `ktstr monitor` prints it. */
void kt_monitor_print_sample(FILE *f, const struct kt_series *s, size_t i);

#endif
