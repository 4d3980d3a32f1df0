/* SPDX-License-Identifier: GPL-2.0 */
/* The guest image every VM boots: our /init, busybox, and what is added. */
#ifndef KTSTR_GUEST_H
#define KTSTR_GUEST_H

#include <stddef.h>

#include "initramfs.h"
#include "kernel.h"

/*
 * A new image holding /init, busybox with its applets, /dev/console and
 * ktstr's guest helpers under /ktstr.  The caller adds its own files and
 * calls kt_initramfs_build().
 */
struct kt_initramfs *kt_guest_image(void);
/* Add each --include path at its absolute host path. */
int kt_guest_add_includes(struct kt_initramfs *ir, char *const *paths,
			  unsigned int count);
/*
 * Each kernel's config at /boot/config-<release>, where libbpf reads it
 * for a BPF program's __kconfig externs in a guest running that kernel.
 * One image serves every kernel of a run: kernels of the same release
 * share one file.  A kernel whose release or config is unknown gets a
 * warning on stderr, and its guests go without.
 */
int kt_guest_add_kernel_configs(struct kt_initramfs *ir,
				const struct kt_kernel *const *kernels,
				size_t count);

#endif
