/* SPDX-License-Identifier: GPL-2.0 */
/* The QEMU command line that realizes a topology. */
#ifndef KTSTR_QEMU_H
#define KTSTR_QEMU_H

#include <stdbool.h>
#include <stddef.h>

#include "argv.h"
#include "topology.h"

enum kt_accel { KT_ACCEL_AUTO, KT_ACCEL_KVM, KT_ACCEL_TCG };

int kt_accel_parse(const char *s, enum kt_accel *out);
const char *kt_accel_name(enum kt_accel accel);
/*
 * Turn "auto" into KVM only where KVM can really run a guest; an explicit
 * "kvm" that cannot is an error.  @why says what decided.
 */
int kt_accel_resolve(enum kt_accel want, enum kt_accel *out, char *why,
		     size_t len);

struct kt_qemu_spec {
	const struct kt_topology *topo;
	enum kt_accel accel;		/* resolved: KVM or TCG */
	const char *kernel;		/* boot image */
	const char *initrd;
	const char *cmdline;
	const char *shm_prefix;		/* node N memory: <prefix>-node<N> */
	const char *console_path;	/* ttyS0 */
	const char *stdout_path;	/* ttyS1; NULL: interactive stdio */
	const char *stderr_path;	/* ttyS2 */
	const char *control_path;	/* ttyS3 */
};

/* $KTSTR_QEMU or qemu-system-x86_64. */
const char *kt_qemu_binary(void);
int kt_qemu_argv(const struct kt_qemu_spec *s, struct kt_argv *argv);

#endif
