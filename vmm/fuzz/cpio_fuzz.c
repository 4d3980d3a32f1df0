// SPDX-License-Identifier: GPL-2.0
/*
 * The cpio writer, on the names and contents a user hands the guest
 * (--include files, schedulers, test programs).  ktstr only writes cpio:
 * the reader is here, as the kernel's initramfs unpacker reads newc, and
 * the target aborts unless every entry comes back as written, with
 * nothing after the trailer.  The input is a list of entries; seeds: the
 * entries of a small real guest image.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpio.h"
#include "tests/newc.h"

#define MAX_ENTRIES 16

/* One entry as written, and what was read back of it. */
struct entry {
	uint8_t kind;		/* file, dir, symlink, chardev */
	unsigned int mode;
	char name[300];
	const uint8_t *data;	/* a file's bytes or a symlink's target */
	size_t len;
	bool written;
};

/* Input: per entry, kind and mode, name length, name, data length, data. */
static size_t parse_entries(const uint8_t *data, size_t size,
			    struct entry *e)
{
	size_t n = 0, pos = 0, len;

	while (n < MAX_ENTRIES && pos + 4 <= size) {
		e[n].kind = data[pos] & 3;
		e[n].mode = (data[pos] >> 2) * 0111 & 07777;
		len = data[pos + 1];
		pos += 2;
		if (pos + len + 2 > size)
			break;
		memcpy(e[n].name, data + pos, len);
		e[n].name[len] = '\0';
		pos += len;
		len = data[pos] | data[pos + 1] << 8;
		pos += 2;
		if (len > size - pos)
			len = size - pos;
		e[n].data = data + pos;
		e[n].len = len;
		pos += len;
		n++;
	}
	return n;
}

static int add(struct kt_cpio *c, struct entry *e)
{
	char target[1024];

	switch (e->kind) {
	case 0:
		return kt_cpio_add_file(c, e->name, e->mode, e->data, e->len);
	case 1:
		return kt_cpio_add_dir(c, e->name, e->mode);
	case 2:
		if (e->len >= sizeof(target))
			e->len = sizeof(target) - 1;
		memcpy(target, e->data, e->len);
		target[e->len] = '\0';
		e->len = strlen(target);	/* a C string: up to a NUL */
		return kt_cpio_add_symlink(c, e->name, target);
	default:
		return kt_cpio_add_chardev(c, e->name, e->mode, e->len >> 8,
					   e->len & 255);
	}
}

/* The kernel's view (init/initramfs.c): aborts unless it matches @e. */
static void read_back(const char *a, size_t size, const struct entry *e,
		      size_t n)
{
	static const unsigned int type[] = { S_IFREG, S_IFDIR, S_IFLNK,
					     S_IFCHR };
	static struct newc_ent got[MAX_ENTRIES + 1];
	int nr = newc_parse(a, size, got, MAX_ENTRIES + 1), k;
	size_t i = 0;

	if (nr < 1 || newc_align4(got[nr - 1].data_off) != size)
		abort();	/* bad, or something after the trailer */
	for (k = 0; k < nr - 1; k++, i++) {
		while (i < n && !e[i].written)
			i++;
		if (i == n)
			abort();	/* an entry not written */
		if (strcmp(got[k].name, e[i].name + strspn(e[i].name, "/")) ||
		    got[k].mode != (type[e[i].kind] |
				    (e[i].kind == 2 ? 0777 : e[i].mode)))
			abort();
		if (e[i].kind != 1 && e[i].kind != 3 &&
		    (got[k].size != e[i].len ||
		     memcmp(a + got[k].data_off, e[i].data, e[i].len)))
			abort();
	}
	while (i < n && !e[i].written)
		i++;
	if (i != n)
		abort();	/* an entry written but not read */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct entry e[MAX_ENTRIES];
	struct kt_cpio *c;
	size_t n, i;
	char *archive;
	off_t len;
	int fd;

	n = parse_entries(data, size, e);
	fd = memfd_create("cpio_fuzz", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	c = kt_cpio_new(fd);
	if (!c) {
		close(fd);
		return 0;
	}
	for (i = 0; i < n; i++)
		e[i].written = !add(c, &e[i]);
	if (kt_cpio_finish(c))
		abort();
	len = lseek(fd, 0, SEEK_END);
	archive = malloc(len + 1);
	if (!archive || pread(fd, archive, len, 0) != len)
		abort();
	read_back(archive, len, e, n);
	free(archive);
	close(fd);
	return 0;
}
