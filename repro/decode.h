/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoding captured kernel memory with the kernel's BTF (the cached
 * vmlinux of the kernel the VM ran): struct layouts, enum names for
 * flags and DSQ ids, CPU masks.  Nothing here knows an offset.
 */
#ifndef KTSTR_REPRO_DECODE_H
#define KTSTR_REPRO_DECODE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define KT_CAPTURE_MAX_WINDOWS 32

struct kt_decoder;

/* Bytes of a struct at @addr: windows (offset, length) packed in @data. */
struct kt_capture {
	uint64_t addr;
	unsigned int nr_windows;
	struct {
		uint32_t off;
		uint32_t len;
	} win[KT_CAPTURE_MAX_WINDOWS];
	const uint8_t *data;
	size_t data_len;
};

/*
 * @vmlinux: an ELF file with .BTF, or a raw BTF file.  NULL with
 * kt_errmsg() set if it has no usable BTF.
 */
struct kt_decoder *kt_decoder_open(const char *vmlinux);
void kt_decoder_free(struct kt_decoder *d);

/*
 * Append struct @type at entry (and, if @exit is not NULL, at exit) to
 * @text, one line per group of fields, each prefixed by @indent: the
 * fields kt_field_sets lists to show, and every captured field that
 * changed, as "name=old -> new".  *@json is the same as a JSON object
 * ({"type", "addr", "fields"}), the caller's to free.  Returns the number
 * of changed fields, or -1 (*@json NULL) if BTF has no @type or out of
 * memory.
 */
int kt_decode_struct(struct kt_decoder *d, const char *type,
		     const struct kt_capture *entry,
		     const struct kt_capture *exit, const char *indent,
		     struct kt_strbuf *text, json_t **json);

/*
 * Copy member @path ("pid", "scx.dsq_vtime") of struct @type from capture
 * @c into @buf (zero-filled, at most @len bytes); returns the bytes
 * copied, or -1 (kt_errmsg()) if BTF has no such member or the capture
 * does not hold it.
 */
int kt_decode_member(struct kt_decoder *d, const char *type,
		     const char *path, const struct kt_capture *c, void *buf,
		     size_t len);
/* "SCX_DSQ_LOCAL", "SCX_DSQ_LOCAL_ON|3", "0x1 (user DSQ 1)" */
void kt_decode_dsq_id(struct kt_decoder *d, uint64_t id, char *buf,
		      size_t len);
/* Flag names of enum @enum_name set in @v, e.g. "SCX_ENQ_WAKEUP|0x8". */
void kt_decode_flags(struct kt_decoder *d, const char *enum_name, uint64_t v,
		     char *buf, size_t len);
/* "0xf (0-3)" */
void kt_decode_cpumask(const uint8_t *bits, size_t len, char *buf, size_t n);
/* A scalar argument by its parameter name (enq_flags, dsq_id, ...). */
void kt_decode_scalar(struct kt_decoder *d, const char *param, uint64_t v,
		      char *buf, size_t len);
/* The function-pointer members of struct sched_ext_ops, NULL-terminated. */
const char *const *kt_decoder_callbacks(struct kt_decoder *d);

#endif
