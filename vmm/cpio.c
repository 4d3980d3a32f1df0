// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpio.h"
#include "error.h"

#define CPIO_MAGIC	"070701"
/* The magic and 13 fields of 8 hex digits. */
#define HDR_LEN		110
#define TRAILER		"TRAILER!!!"
#define COPY_CHUNK	(128 * 1024)

struct kt_cpio {
	int fd;
	uint32_t next_ino;
	uint64_t offset;	/* bytes written, for the 4-byte alignment */
	int failed;
	char *chunk;		/* for streaming files from a descriptor */
};

struct cpio_hdr {
	unsigned int mode;
	unsigned int nlink;
	uint64_t filesize;
	unsigned int rdev_major;
	unsigned int rdev_minor;
};

struct kt_cpio *kt_cpio_new(int fd)
{
	struct kt_cpio *c = calloc(1, sizeof(*c));

	if (c)
		c->chunk = malloc(COPY_CHUNK);
	if (!c || !c->chunk) {
		free(c);
		kt_fail("out of memory for a cpio writer");
		return NULL;
	}
	c->fd = fd;
	c->next_ino = 1;
	return c;
}

static int write_all(struct kt_cpio *c, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(c->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			c->failed = 1;
			return kt_fail_errno("cannot write cpio archive");
		}
		p += n;
		len -= n;
		c->offset += n;
	}
	return 0;
}

static int write_pad(struct kt_cpio *c)
{
	static const char zeros[4];
	size_t pad = (4 - (c->offset & 3)) & 3;

	return write_all(c, zeros, pad);
}

/* The archive stores names relative to the root the kernel unpacks into. */
static const char *strip_root(const char *name)
{
	while (*name == '/')
		name++;
	return name;
}

static int check_usable(struct kt_cpio *c, const char *name)
{
	if (c->failed)
		return kt_fail("cpio entry %s: an earlier write failed", name);
	if (!*strip_root(name))
		return kt_fail("cpio entry name '%s' is empty", name);
	/* The kernel stops unpacking there: the entries after it would be lost. */
	if (!strcmp(strip_root(name), TRAILER))
		return kt_fail("cpio entry name '%s' is the archive's end marker",
			       name);
	if (strlen(name) >= PATH_MAX)
		return kt_fail("cpio entry name too long: %.64s...", name);
	return 0;
}

/* Header, name and its padding in one write. */
static int write_header(struct kt_cpio *c, const char *name,
			const struct cpio_hdr *h)
{
	char buf[HDR_LEN + PATH_MAX + 4];
	size_t namesize, len;

	name = strip_root(name);
	namesize = strlen(name) + 1;
	if (h->filesize > KT_CPIO_MAX_FILE)
		return kt_fail("cpio entry %s: %llu bytes is over the 4 GiB newc limit",
			       name, (unsigned long long)h->filesize);
	len = snprintf(buf, sizeof(buf),
		       "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		       CPIO_MAGIC, c->next_ino++, h->mode, 0, 0, h->nlink, 0,
		       (unsigned int)h->filesize, 0, 0, h->rdev_major,
		       h->rdev_minor, (unsigned int)namesize, 0);
	memcpy(buf + len, name, namesize);
	len += namesize;
	while ((c->offset + len) & 3)
		buf[len++] = '\0';
	return write_all(c, buf, len);
}

int kt_cpio_add_file(struct kt_cpio *c, const char *name, unsigned int mode,
		     const void *data, size_t len)
{
	struct cpio_hdr h = {
		.mode = S_IFREG | (mode & 07777),
		.nlink = 1,
		.filesize = len,
	};

	if (check_usable(c, name) || write_header(c, name, &h) ||
	    write_all(c, data, len) || write_pad(c))
		return -1;
	return 0;
}

static ssize_t read_some(int fd, void *buf, size_t len)
{
	ssize_t n;

	do {
		n = read(fd, buf, len);
	} while (n < 0 && errno == EINTR);
	return n;
}

static int copy_from_fd(struct kt_cpio *c, const char *name, int fd,
			uint64_t size)
{
	uint64_t done = 0;
	ssize_t n;
	size_t want;

	while (done < size) {
		want = size - done < COPY_CHUNK ? size - done : COPY_CHUNK;
		n = read_some(fd, c->chunk, want);
		if (n < 0) {
			c->failed = 1;
			return kt_fail_errno("cpio entry %s: cannot read source",
					     strip_root(name));
		}
		if (n == 0) {
			/* The header promised @size bytes: no way back. */
			c->failed = 1;
			return kt_fail("cpio entry %s: source ended after %llu of %llu bytes",
				       strip_root(name),
				       (unsigned long long)done,
				       (unsigned long long)size);
		}
		if (write_all(c, c->chunk, n))
			return -1;
		done += n;
	}
	return 0;
}

int kt_cpio_add_file_fd(struct kt_cpio *c, const char *name,
			unsigned int mode, int fd, uint64_t size)
{
	struct cpio_hdr h = {
		.mode = S_IFREG | (mode & 07777),
		.nlink = 1,
		.filesize = size,
	};

	if (check_usable(c, name) || write_header(c, name, &h) ||
	    copy_from_fd(c, name, fd, size) || write_pad(c))
		return -1;
	return 0;
}

int kt_cpio_add_dir(struct kt_cpio *c, const char *name, unsigned int mode)
{
	/* "." and the entry in its parent, as a filesystem would count. */
	struct cpio_hdr h = { .mode = S_IFDIR | (mode & 07777), .nlink = 2 };

	if (check_usable(c, name))
		return -1;
	return write_header(c, name, &h);
}

int kt_cpio_add_symlink(struct kt_cpio *c, const char *name,
			const char *target)
{
	size_t len = strlen(target);
	struct cpio_hdr h = {
		.mode = S_IFLNK | 0777,
		.nlink = 1,
		.filesize = len,
	};

	if (check_usable(c, name))
		return -1;
	if (!len)
		return kt_fail("cpio symlink %s: empty target", name);
	/* The target is the entry's data, without a terminating NUL. */
	if (write_header(c, name, &h) || write_all(c, target, len) ||
	    write_pad(c))
		return -1;
	return 0;
}

int kt_cpio_add_chardev(struct kt_cpio *c, const char *name,
			unsigned int mode, unsigned int major,
			unsigned int minor)
{
	struct cpio_hdr h = {
		.mode = S_IFCHR | (mode & 07777),
		.nlink = 1,
		.rdev_major = major,
		.rdev_minor = minor,
	};

	if (check_usable(c, name))
		return -1;
	return write_header(c, name, &h);
}

void kt_cpio_abort(struct kt_cpio *c)
{
	if (!c)
		return;
	free(c->chunk);
	free(c);
}

int kt_cpio_finish(struct kt_cpio *c)
{
	struct cpio_hdr h = { .nlink = 1 };
	int ret = -1;

	if (c->failed)
		kt_fail("cpio archive incomplete: an earlier write failed");
	else
		ret = write_header(c, TRAILER, &h);
	kt_cpio_abort(c);
	return ret;
}
