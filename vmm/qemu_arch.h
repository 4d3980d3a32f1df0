/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The QEMU command line, split kvmtool style: qemu.c builds what every
 * guest has (RAM per NUMA node, distances, kernel, QMP) and asks the
 * file of the guest's architecture for the rest.
 */
#ifndef KTSTR_QEMU_ARCH_H
#define KTSTR_QEMU_ARCH_H

#include <stdbool.h>

#include "argv.h"
#include "qemu.h"

struct kt_qemu_arch {
	/* -machine, -accel, -cpu and -smp. */
	int (*machine)(const struct kt_qemu_spec *s, struct kt_argv *a);
	/* Which node each CPU is in (-numa cpu). */
	int (*numa_cpus)(const struct kt_qemu_spec *s, struct kt_argv *a);
	/* CPUs besides those -smp starts. */
	int (*cpu_devices)(const struct kt_qemu_spec *s, struct kt_argv *a);
	/* The console and the guest's ttyS1-3. */
	int (*ports)(const struct kt_qemu_spec *s, struct kt_argv *a);
};

extern const struct kt_qemu_arch kt_qemu_x86_64;
extern const struct kt_qemu_arch kt_qemu_arm64;

/* "single", unless $KTSTR_TCG_THREAD=multi. */
const char *kt_qemu_tcg_threading(void);
/*
 * A -chardev @id writing to @path (and reading @in_path, if set), or
 * this process's stdio if @path is NULL; @append keeps what the file
 * holds.
 */
int kt_qemu_add_chardev(struct kt_argv *a, const char *id, const char *path,
			const char *in_path, bool append);

#endif
