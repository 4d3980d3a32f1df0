/* SPDX-License-Identifier: GPL-2.0 */
/*
 * For fuzz targets of readers that open a path: the input as a memory
 * file, opened by its /proc/self/fd path, so that nothing is left on
 * disk whatever the reader or the target does.
 */
#ifndef KTSTR_FUZZ_MEMFILE_H
#define KTSTR_FUZZ_MEMFILE_H

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* The fd (close it after use) and its path in @path; -1 on failure. */
static inline int fuzz_memfile(const uint8_t *data, size_t size,
			       char *path, size_t len)
{
	int fd = memfd_create("fuzz-input", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
