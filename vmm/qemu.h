/* SPDX-License-Identifier: GPL-2.0 */
/* The QEMU command line that realizes a topology. */
#ifndef KTSTR_QEMU_H
#define KTSTR_QEMU_H

#include <stdbool.h>
#include <stddef.h>

#include "arch.h"
#include "argv.h"
#include "topology.h"

enum kt_accel { KT_ACCEL_AUTO, KT_ACCEL_KVM, KT_ACCEL_TCG };

/* The CPU model's vendor: Intel, or AMD (EPYC-like, L3 per CCX). */
enum kt_cpu_vendor { KT_CPU_AUTO, KT_CPU_INTEL, KT_CPU_AMD };

int kt_accel_parse(const char *s, enum kt_accel *out);
int kt_cpu_vendor_parse(const char *s, enum kt_cpu_vendor *out);
const char *kt_cpu_vendor_name(enum kt_cpu_vendor v);
/*
 * KVM runs the host's CPU, so "auto" is the host's vendor there and the
 * other vendor is an error; under TCG "auto" is Intel.
 */
int kt_cpu_vendor_resolve(enum kt_cpu_vendor want, enum kt_accel accel,
			  enum kt_cpu_vendor *out);
const char *kt_accel_name(enum kt_accel accel);
/*
 * Turn "auto" into KVM only where KVM can really run a guest; an explicit
 * "kvm" that cannot is an error.  @why says what decided.
 */
int kt_accel_resolve(enum kt_accel want, enum kt_accel *out, char *why,
		     size_t len);
/*
 * kt_accel_resolve() for guests of @arch: an arm64 guest runs under TCG
 * on this (x86_64) host, and asking for KVM is a usage error.
 */
int kt_accel_resolve_arch(enum kt_arch arch, enum kt_accel want,
			  enum kt_accel *out, char *why, size_t len);

struct kt_qemu_spec {
	enum kt_arch arch;
	const struct kt_topology *topo;
	enum kt_accel accel;		/* resolved: KVM or TCG */
	enum kt_cpu_vendor vendor;	/* resolved: Intel or AMD */
	const char *kernel;		/* boot image */
	const char *initrd;
	const char *cmdline;
	const char *shm_prefix;		/* RAM block K (K-th node with memory): <prefix>-ram<K> */
	/* The console: ttyS0 on x86_64, ttyAMA0 (the PL011) on arm64. */
	const char *console_path;
	const char *stdout_path;	/* ttyS1; NULL: interactive stdio */
	const char *stderr_path;	/* ttyS2 */
	const char *control_path;	/* ttyS3, guest to host */
	const char *control_in_path;	/* ttyS3, host to guest; or NULL */
	const char *qmp_path;		/* QMP socket; or NULL */
	bool incoming;			/* wait for a saved state (-incoming defer) */
	/* arm64: the device tree the guest boots with (kt_dtb_build()). */
	const char *dtb;
	/*
	 * arm64: only QEMU's own device tree is wanted, written to this
	 * file (-machine dumpdtb=): the machine, CPUs and NUMA nodes of
	 * the same command line, its RAM not backed by files, and no
	 * kernel, ports or QMP.
	 */
	const char *dump_dtb;
};

/* $KTSTR_QEMU or qemu-system-x86_64. */
const char *kt_qemu_binary(void);
/*
 * The emulator for guests of @arch: kt_qemu_binary() for x86_64;
 * $KTSTR_QEMU_ARM64 or qemu-system-aarch64 for arm64.
 */
const char *kt_qemu_binary_arch(enum kt_arch arch);
int kt_qemu_argv(const struct kt_qemu_spec *s, struct kt_argv *argv);

#endif
