/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest architectures ktstr can run: their names on the command line
 * and in the kernel cache's metadata, and what each needs from QEMU and
 * the BPF build.
 */
#ifndef KTSTR_ARCH_H
#define KTSTR_ARCH_H

enum kt_arch {
	KT_ARCH_X86_64,		/* the default, and what an entry without arch= is */
	KT_ARCH_ARM64,
	KT_ARCH_COUNT
};

/*
 * @name as given to --arch or in metadata: x86_64 (or x86, amd64) and
 * arm64 (or aarch64).  A kt_fail_usage() error naming @name otherwise.
 */
int kt_arch_parse(const char *name, enum kt_arch *arch);

/* The canonical name: "x86_64" or "arm64". */
const char *kt_arch_name(enum kt_arch arch);

/* The QEMU system emulator: "qemu-system-x86_64", "qemu-system-aarch64". */
const char *kt_arch_qemu(enum kt_arch arch);

/* The suffix of libbpf's -D__TARGET_ARCH_<name>: "x86" or "arm64". */
const char *kt_arch_bpf_target(enum kt_arch arch);

#endif
