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
/*
 * The same for guests of @arch, "x86_64" (as kt_guest_image(), also for
 * NULL) or "arm64": its programs come from its build directory (make
 * ARCH=arm64: build/arm64), and the image takes only programs for its
 * machine (kt_initramfs_set_machine()), --include included.  Another
 * @arch is a usage error.
 */
struct kt_initramfs *kt_guest_image_for(const char *arch);
/*
 * <ktstr's root>/<@arch's build directory>/@what in @buf, as
 * build/suite for x86_64 and build/arm64/suite for arm64.
 */
int kt_guest_build_path(const char *arch, const char *what, char *buf,
			size_t len);
/* The command that builds @arch's guest programs: "make", "make arm64". */
const char *kt_guest_make(const char *arch);
/*
 * A program the user named (@what, "--scheduler X") at host @path is
 * refused (a usage error naming it and both machines) unless it runs in
 * guests of @arch; a file that is not a program (a script) passes.
 */
int kt_guest_check_program(const char *arch, const char *what,
			   const char *path);
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
