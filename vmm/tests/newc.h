/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict reader of cpio newc archives, as the kernel's initramfs
 * unpacker reads them: for the tests and the fuzz target of the writer,
 * which has no reader of its own.
 */
#ifndef KTSTR_TESTS_NEWC_H
#define KTSTR_TESTS_NEWC_H

#include <stdlib.h>
#include <string.h>

struct newc_ent {
	char name[256];
	unsigned long ino, mode, uid, gid, nlink, mtime, size;
	unsigned long rmajor, rminor;
	size_t hdr_off, data_off;
};

static inline unsigned long newc_field(const char *hdr, int i)
{
	char tmp[9];

	memcpy(tmp, hdr + 6 + 8 * i, 8);
	tmp[8] = '\0';
	return strtoul(tmp, NULL, 16);
}

static inline size_t newc_align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Entries up to and including the trailer; -1 if the archive is bad. */
static inline int newc_parse(const char *buf, size_t len,
			     struct newc_ent *e, int max)
{
	size_t off = 0, namesize;
	int n;

	for (n = 0; n < max; n++) {
		if (off + 110 > len || memcmp(buf + off, "070701", 6))
			return -1;
		e[n].hdr_off = off;
		e[n].ino = newc_field(buf + off, 0);
		e[n].mode = newc_field(buf + off, 1);
		e[n].uid = newc_field(buf + off, 2);
		e[n].gid = newc_field(buf + off, 3);
		e[n].nlink = newc_field(buf + off, 4);
		e[n].mtime = newc_field(buf + off, 5);
		e[n].size = newc_field(buf + off, 6);
		e[n].rmajor = newc_field(buf + off, 9);
		e[n].rminor = newc_field(buf + off, 10);
		namesize = newc_field(buf + off, 11);
		if (!namesize || namesize > sizeof(e[n].name) ||
		    off + 110 + namesize > len ||
		    buf[off + 110 + namesize - 1] != '\0')
			return -1;
		memcpy(e[n].name, buf + off + 110, namesize);
		e[n].data_off = newc_align4(off + 110 + namesize);
		off = newc_align4(e[n].data_off + e[n].size);
		if (off > len)
			return -1;
		if (!strcmp(e[n].name, "TRAILER!!!"))
			return n + 1;
	}
	return -1;
}

#endif
