// SPDX-License-Identifier: GPL-2.0
/*
 * BTF-guided decoding of captured kernel memory, without the report
 * around it: the input is a struct's captured windows and bytes, at
 * entry and at exit, as the guest agent sends them, and a value decoded
 * as flags, a DSQ id, a CPU mask or a scalar argument.  The layouts are
 * the kernel's BTF (see kernel_btf.h); without BTF there is nothing to
 * decode and the target does nothing.  Seeds: real captures of the
 * repro fixtures, by decode_corpus.py.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "decode.h"
#include "kernel_btf.h"
#include "strbuf.h"

static const char *const types[] = {
	"task_struct", "rq", "scx_dispatch_q", "scx_exit_info",
	"sched_ext_entity", "scx_rq", "cpumask", "no_such_struct",
};

static const char *const enums[] = {
	"scx_enq_flags", "scx_ent_flags", "scx_ops_state", "scx_rq_flags",
	"scx_deq_flags", "scx_ent_dsq_flags", "no_such_enum",
};

static const char *const params[] = {
	"enq_flags", "dsq_id", "cpu", "kind", "p", NULL,
};

/* Little-endian, as the seeds are packed. */
struct decode_fuzz_header {
	uint8_t type;		/* index into types[], modulo */
	uint8_t nr_windows;	/* modulo KT_CAPTURE_MAX_WINDOWS + 1 */
	uint8_t flags;
#define FLAG_EXIT 0x1		/* an exit capture: the data's second half */
	uint8_t value_kind;	/* enums[], then params[], modulo */
	uint64_t value;
	uint64_t addr;
} __packed;

static struct kt_decoder *decoder;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	decoder = fuzz_kernel_decoder();
	return 0;
}

static void decode_value(const struct decode_fuzz_header *h,
			 const uint8_t *data, size_t size)
{
	unsigned int kind = h->value_kind % (ARRAY_SIZE(enums) +
					     ARRAY_SIZE(params));
	char buf[256];

	if (kind < ARRAY_SIZE(enums))
		kt_decode_flags(decoder, enums[kind], h->value, buf,
				sizeof(buf));
	else
		kt_decode_scalar(decoder, params[kind - ARRAY_SIZE(enums)],
				 h->value, buf, sizeof(buf));
	kt_decode_dsq_id(decoder, h->value, buf, sizeof(buf));
	kt_decode_cpumask(data, size, buf, sizeof(buf));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kt_capture entry = { 0 }, exit = { 0 };
	struct kt_strbuf text = { 0 };
	struct decode_fuzz_header h;
	const char *type;
	json_t *json;
	unsigned int w;
	char comm[16];
	int pid;

	if (!decoder || size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	data += sizeof(h);
	size -= sizeof(h);
	type = types[h.type % ARRAY_SIZE(types)];
	entry.addr = h.addr;
	entry.nr_windows = h.nr_windows % (KT_CAPTURE_MAX_WINDOWS + 1);
	for (w = 0; w < entry.nr_windows && size >= 8; w++) {
		memcpy(&entry.win[w].off, data, 4);
		memcpy(&entry.win[w].len, data + 4, 4);
		data += 8;
		size -= 8;
	}
	entry.nr_windows = w;
	entry.data = data;
	entry.data_len = size;
	exit = entry;
	if (h.flags & FLAG_EXIT) {
		entry.data_len = size / 2;
		exit.data = data + size / 2;
		exit.data_len = size - size / 2;
	}
	if (kt_decode_struct(decoder, type, &entry,
			     h.flags & FLAG_EXIT ? &exit : NULL, "  ", &text,
			     &json) >= 0)
		json_decref(json);
	kt_sb_free(&text);
	kt_decode_member(decoder, type, "comm", &entry, comm, sizeof(comm));
	kt_decode_member(decoder, type, "pid", &entry, &pid, sizeof(pid));
	kt_decode_member(decoder, type, "scx.dsq_vtime", &entry, &pid,
			 sizeof(pid));
	decode_value(&h, data, size);
	return 0;
}
