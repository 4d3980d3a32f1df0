// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <zstd.h>

#include "error.h"
#include "le.h"
#include "memimage.h"

#define MAGIC "KTMEMIM1"
#define HEADER_SIZE 24
#define RANGE_HEADER 12
/*
 * Excerpts are saved zstd-compressed: most of what is read is zeros.  At
 * the highest level, for small fixtures: the monitor saves once its
 * sampling is over.
 */
#define ZSTD_LEVEL 19
#define MAX_UNCOMPRESSED (256U << 20)

struct range {
	uint64_t gpa;
	uint32_t len;
	size_t at;		/* offset in the recorder's bytes */
};

enum rec_error {
	REC_OK,
	REC_NO_MEMORY,
	REC_TOO_MANY_RANGES,
	REC_TOO_LARGE,
};

struct kt_memimage_rec {
	struct kt_guestmem *mem;
	struct range *ranges;
	size_t nr, cap;
	uint8_t *bytes;
	size_t used, bytes_cap;
	uint64_t ram_size;
	enum rec_error error;	/* once: the excerpt is not whole */
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * size);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static bool seen(const struct kt_memimage_rec *r, uint64_t gpa, uint64_t len)
{
	size_t i;

	/* Readers read the same few words again and again: look back a bit. */
	for (i = r->nr; i-- && r->nr - i <= 4096;)
		if (r->ranges[i].gpa == gpa && r->ranges[i].len == len)
			return true;
	return false;
}

/* The bytes of the excerpt as saved, before compression. */
static size_t saved_size(const struct kt_memimage_rec *r)
{
	return HEADER_SIZE + r->nr * RANGE_HEADER + r->used;
}

/* What is not recorded reads as zero: zeros need no record. */
static bool all_zero(const uint8_t *p, uint64_t len)
{
	while (len && !*p)
		p++, len--;
	return !len;
}

static void on_read(void *ctx, uint64_t gpa, const void *buf, uint64_t len)
{
	struct kt_memimage_rec *r = ctx;
	struct range *x;

	if (r->error || all_zero(buf, len) || seen(r, gpa, len))
		return;
	/* What the loader would refuse is not recorded. */
	if (r->nr >= KT_MEMIMAGE_MAX_RANGES) {
		r->error = REC_TOO_MANY_RANGES;
		return;
	}
	if (len > MAX_UNCOMPRESSED ||
	    saved_size(r) + RANGE_HEADER + len > MAX_UNCOMPRESSED) {
		r->error = REC_TOO_LARGE;
		return;
	}
	if (grow((void **)&r->ranges, &r->cap, r->nr + 1, sizeof(*x)) ||
	    grow((void **)&r->bytes, &r->bytes_cap, r->used + len, 1)) {
		r->error = REC_NO_MEMORY;
		return;
	}
	x = &r->ranges[r->nr++];
	x->gpa = gpa;
	x->len = len;
	x->at = r->used;
	memcpy(r->bytes + r->used, buf, len);
	r->used += len;
}

struct kt_memimage_rec *kt_memimage_record(struct kt_guestmem *m)
{
	struct kt_memimage_rec *r = calloc(1, sizeof(*r));

	if (!r) {
		kt_fail("out of memory");
		return NULL;
	}
	r->mem = m;
	r->ram_size = m->ram_size;
	m->on_read = on_read;
	m->on_read_ctx = r;
	return r;
}

void kt_memimage_rec_reset(struct kt_memimage_rec *r)
{
	r->nr = 0;
	r->used = 0;
	r->error = REC_OK;
	r->mem->on_read = on_read;
	r->mem->on_read_ctx = r;
}

void kt_memimage_rec_stop(struct kt_memimage_rec *r)
{
	if (r->mem->on_read_ctx != r)
		return;
	r->mem->on_read = NULL;
	r->mem->on_read_ctx = NULL;
}

/* Why a recording cannot be saved, or 0. */
static int check_saveable(const struct kt_memimage_rec *r, const char *path)
{
	switch (r->error) {
	case REC_NO_MEMORY:
		return kt_fail("%s: out of memory while recording", path);
	case REC_TOO_MANY_RANGES:
		return kt_fail("%s: more than %u ranges read, more than an excerpt holds",
			       path, KT_MEMIMAGE_MAX_RANGES);
	case REC_TOO_LARGE:
		return kt_fail("%s: more than %u bytes read, more than an excerpt holds",
			       path, MAX_UNCOMPRESSED);
	case REC_OK:
		break;
	}
	if (r->ram_size < 4096 || r->ram_size > KT_MEMIMAGE_MAX_RAM ||
	    r->ram_size % 4096)
		return kt_fail("%s: a guest of %llu bytes of RAM: an excerpt holds whole pages up to %llu",
			       path, (unsigned long long)r->ram_size,
			       KT_MEMIMAGE_MAX_RAM);
	return 0;
}

static void put(uint8_t **o, uint64_t v, int bytes)
{
	int i;

	for (i = 0; i < bytes; i++)
		*(*o)++ = v >> (8 * i);
}

int kt_memimage_save(const struct kt_memimage_rec *r, const char *path,
		     unsigned int nr_cpus)
{
	size_t size = saved_size(r), i;
	size_t packed_size;
	uint8_t *buf, *o, *packed;
	FILE *f;
	int ret = 0;

	if (check_saveable(r, path))
		return -1;
	buf = malloc(size);
	if (!buf)
		return kt_fail("out of memory");
	o = buf;
	memcpy(o, MAGIC, 8);
	o += 8;
	put(&o, r->ram_size, 8);
	put(&o, nr_cpus, 4);
	put(&o, r->nr, 4);
	for (i = 0; i < r->nr; i++) {
		put(&o, r->ranges[i].gpa, 8);
		put(&o, r->ranges[i].len, 4);
		memcpy(o, r->bytes + r->ranges[i].at, r->ranges[i].len);
		o += r->ranges[i].len;
	}
	packed = malloc(ZSTD_compressBound(size));
	if (!packed) {
		free(buf);
		return kt_fail("out of memory");
	}
	packed_size = ZSTD_compress(packed, ZSTD_compressBound(size), buf,
				    size, ZSTD_LEVEL);
	free(buf);
	if (ZSTD_isError(packed_size)) {
		free(packed);
		return kt_fail("%s: zstd: %s", path,
			       ZSTD_getErrorName(packed_size));
	}
	f = fopen(path, "wb");
	if (!f || fwrite(packed, 1, packed_size, f) != packed_size)
		ret = kt_fail_errno("%s", path);
	if (f && fclose(f) && !ret)
		ret = kt_fail_errno("%s", path);
	if (ret)
		remove(path);
	free(packed);
	return ret;
}

void kt_memimage_rec_free(struct kt_memimage_rec *r)
{
	if (!r)
		return;
	kt_memimage_rec_stop(r);
	free(r->ranges);
	free(r->bytes);
	free(r);
}

/* Copies a range into the (writable, ours) memory, page by page. */
static int place(struct kt_guestmem *m, uint64_t gpa, const uint8_t *p,
		 uint64_t len)
{
	uint64_t chunk;
	void *dst;

	while (len) {
		chunk = 4096 - (gpa & 4095);
		if (chunk > len)
			chunk = len;
		dst = (void *)kt_guestmem_ptr(m, gpa, chunk);
		if (!dst)
			return -1;
		memcpy(dst, p, chunk);
		gpa += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

static int load_raw(struct kt_guestmem *m, const void *data, size_t len,
		    const char *what, unsigned int *nr_cpus)
{
	const uint8_t *p = data, *end = p + len, **at;
	uint64_t ram, gpa, n, i, rlen;
	void *mem;

	memset(m, 0, sizeof(*m));
	if (len < HEADER_SIZE || memcmp(p, MAGIC, 8))
		return kt_fail("%s: not a guest memory excerpt (no %s header)",
			       what, MAGIC);
	ram = kt_load_le(p + 8, 8);
	*nr_cpus = kt_load_le(p + 16, 4);
	n = kt_load_le(p + 20, 4);
	if (ram < 4096 || ram > KT_MEMIMAGE_MAX_RAM || ram % 4096)
		return kt_fail("%s: RAM of %llu bytes, expected whole pages up to %llu",
			       what, (unsigned long long)ram,
			       KT_MEMIMAGE_MAX_RAM);
	if (n > KT_MEMIMAGE_MAX_RANGES || n > (len - HEADER_SIZE) / RANGE_HEADER)
		return kt_fail("%s: %llu ranges do not fit its %zu bytes", what,
			       (unsigned long long)n, len);
	/* Ranges are applied last to first: the first read of a byte wins. */
	at = malloc((n ? n : 1) * sizeof(*at));
	if (!at)
		return kt_fail("out of memory");
	p += HEADER_SIZE;
	for (i = 0; i < n; i++) {
		if ((size_t)(end - p) < RANGE_HEADER ||
		    kt_load_le(p + 8, 4) > (size_t)(end - p) - RANGE_HEADER) {
			free(at);
			return kt_fail("%s: range %llu runs past the end", what,
				       (unsigned long long)i);
		}
		at[i] = p;
		p += RANGE_HEADER + kt_load_le(p + 8, 4);
	}
	mem = mmap(NULL, ram, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED) {
		free(at);
		return kt_fail_errno("%s: %llu bytes of guest memory", what,
				     (unsigned long long)ram);
	}
	kt_guestmem_init(m, (const void *const[]){ mem }, &ram, 1);
	m->node[0].mapped = true;
	for (i = n; i--;) {
		gpa = kt_load_le(at[i], 8);
		rlen = kt_load_le(at[i] + 8, 4);
		if (place(m, gpa, at[i] + RANGE_HEADER, rlen)) {
			free(at);
			kt_guestmem_close(m);
			return kt_fail("%s: range %llu (%llu bytes at 0x%llx) is not in the guest's RAM",
				       what, (unsigned long long)i,
				       (unsigned long long)rlen,
				       (unsigned long long)gpa);
		}
	}
	free(at);
	return 0;
}

int kt_memimage_load(struct kt_guestmem *m, const void *data, size_t len,
		     const char *what, unsigned int *nr_cpus)
{
	unsigned long long size = ZSTD_getFrameContentSize(data, len);
	size_t got;
	void *raw;
	int ret;

	memset(m, 0, sizeof(*m));
	if (size == ZSTD_CONTENTSIZE_ERROR)	/* not zstd: as it is */
		return load_raw(m, data, len, what, nr_cpus);
	if (size == ZSTD_CONTENTSIZE_UNKNOWN || size > MAX_UNCOMPRESSED)
		return kt_fail("%s: compressed excerpt of unknown size or over %u bytes",
			       what, MAX_UNCOMPRESSED);
	raw = malloc(size ? size : 1);
	if (!raw)
		return kt_fail("out of memory");
	got = ZSTD_decompress(raw, size, data, len);
	if (ZSTD_isError(got) || got != size) {
		free(raw);
		return kt_fail("%s: zstd: %s", what, ZSTD_isError(got) ?
			       ZSTD_getErrorName(got) : "short frame");
	}
	ret = load_raw(m, raw, size, what, nr_cpus);
	free(raw);
	return ret;
}

int kt_memimage_load_file(struct kt_guestmem *m, const char *path,
			  unsigned int *nr_cpus)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;
	int ret;

	if (!f)
		return kt_fail_errno("%s", path);
	len = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
	if (len < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return kt_fail_errno("%s", path);
	}
	buf = malloc(len ? len : 1);
	if (!buf || fread(buf, 1, len, f) != (size_t)len) {
		fclose(f);
		free(buf);
		return kt_fail("%s: could not read it", path);
	}
	fclose(f);
	ret = kt_memimage_load(m, buf, len, path, nr_cpus);
	free(buf);
	return ret;
}
