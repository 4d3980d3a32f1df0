/* SPDX-License-Identifier: GPL-2.0 */
/* The guest image every VM boots: our /init, busybox, and what is added. */
#ifndef KTSTR_GUEST_H
#define KTSTR_GUEST_H

#include "initramfs.h"

/*
 * A new image holding /init, busybox with its applets, /dev/console and
 * ktstr's guest helpers under /ktstr.  The caller adds its own files and
 * calls kt_initramfs_build().
 */
struct kt_initramfs *kt_guest_image(void);
/* Add each --include path at its absolute host path. */
int kt_guest_add_includes(struct kt_initramfs *ir, char *const *paths,
			  unsigned int count);

#endif
