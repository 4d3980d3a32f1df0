/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How much host CPU each of a VM's vCPU threads has had: QEMU names
 * them "CPU <n>/TCG" (or /KVM) once started with debug-threads=on, and
 * the host kernel keeps each thread's run time in its schedstat.  A
 * guest CPU that makes no progress while its thread had the host CPU
 * was busy in the guest; one whose thread did not run was starved by
 * the host.  Single-threaded TCG runs every vCPU in turn on one thread,
 * "ALL CPUs/TCG": its time is the whole VM's.
 */
#ifndef KTSTR_MONITOR_VCPU_CLOCK_H
#define KTSTR_MONITOR_VCPU_CLOCK_H

#include <stdint.h>
#include <sys/types.h>

#include "target.h"

struct kt_vcpu_clock {
	unsigned int nr;		/* fd[] entries, QEMU's CPU indexes */
	int fd[KT_TARGET_MAX_CPUS];	/* its thread's schedstat, or -1 */
	int all_fd;			/* the one thread of every vCPU, or -1 */
};

/* No threads: reads give INT64_MIN, closing is a no-op. */
void kt_vcpu_clock_init(struct kt_vcpu_clock *c);
/*
 * Finds @pid's vCPU threads; @nr_cpus of them are expected, or the one
 * that runs them all.  Fails if @pid has none (not QEMU, or QEMU
 * without debug-threads=on).
 */
int kt_vcpu_clock_open(struct kt_vcpu_clock *c, pid_t pid,
		       unsigned int nr_cpus);
/* The host CPU time vCPU @cpu's thread has had, ns; INT64_MIN if unknown. */
int64_t kt_vcpu_clock_read(const struct kt_vcpu_clock *c, unsigned int cpu);
/* The same of the one thread that runs every vCPU in turn. */
int64_t kt_vcpu_clock_read_all(const struct kt_vcpu_clock *c);
void kt_vcpu_clock_close(struct kt_vcpu_clock *c);

#endif
