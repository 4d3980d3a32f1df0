/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A writer for the cpio "newc" format (magic 070701), the one the kernel
 * unpacks as an initramfs (Documentation/driver-api/early-userspace/
 * buffer-format.rst).  Output is reproducible: inode numbers count up from
 * 1 in the order entries are added, and mtime, uid and gid are always 0.
 *
 * Names are stored relative to the root: a leading '/' is dropped.  The
 * caller owns @fd and closes it; the writer only appends to it.  After a
 * failed add the archive is incomplete and every later call fails, so the
 * caller should kt_cpio_abort() and discard the output.
 */
#ifndef KTSTR_CPIO_H
#define KTSTR_CPIO_H

#include <stddef.h>
#include <stdint.h>

/* newc stores sizes in 32 bits. */
#define KT_CPIO_MAX_FILE	0xffffffffULL

struct kt_cpio;

/* NULL with kt_errmsg() set if out of memory. */
struct kt_cpio *kt_cpio_new(int fd);

/* @mode: permission bits; the type bits are set by each function. */
int kt_cpio_add_file(struct kt_cpio *c, const char *name, unsigned int mode,
		     const void *data, size_t len);
/* Copies exactly @size bytes from @fd's current offset, in small chunks. */
int kt_cpio_add_file_fd(struct kt_cpio *c, const char *name,
			unsigned int mode, int fd, uint64_t size);
int kt_cpio_add_dir(struct kt_cpio *c, const char *name, unsigned int mode);
int kt_cpio_add_symlink(struct kt_cpio *c, const char *name,
			const char *target);
int kt_cpio_add_chardev(struct kt_cpio *c, const char *name,
			unsigned int mode, unsigned int major,
			unsigned int minor);

/* Writes the TRAILER!!! entry and frees @c, also when it fails. */
int kt_cpio_finish(struct kt_cpio *c);
/* Frees @c without ending the archive. */
void kt_cpio_abort(struct kt_cpio *c);

#endif
