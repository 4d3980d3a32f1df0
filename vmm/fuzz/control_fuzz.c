// SPDX-License-Identifier: GPL-2.0
/*
 * The control port (guest ttyS3) and the results channel it carries:
 * the input is a header and the bytes the guest's /init writes, fed in
 * chunks of the size the header gives, as the port delivers them.  Apart
 * from not crashing, the channel must keep its bound and its text whole:
 * the target aborts if it does not.  Seeds: real runs' records, written
 * as /init sends them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

struct control_fuzz_header {
	uint8_t chunk;		/* bytes a read gives: 1 + chunk % 64; 0: all */
	uint8_t max_kib;	/* the records' bound: 1 + max_kib % 64 KiB */
	uint8_t flags;
#define FLAG_NO_RECORDS 0x1	/* records are discarded */
};

static void check(const struct kt_records *r, size_t max_bytes)
{
	if (r->received > max_bytes || r->len > r->received)
		abort();
	if (r->text ? strlen(r->text) != r->len : r->len != 0)
		abort();
	if (r->len && r->text[r->len - 1] != '\n')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct control_fuzz_header h;
	struct kt_records records = { 0 };
	struct kt_control c;
	size_t max_bytes, n;

	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	data += sizeof(h);
	size -= sizeof(h);
	max_bytes = (1 + h.max_kib % 64) << 10;
	kt_control_init(&c, h.flags & FLAG_NO_RECORDS ? NULL : &records,
			max_bytes);
	while (size) {
		n = h.chunk ? 1 + h.chunk % 64 : size;
		if (n > size)
			n = size;
		kt_control_feed(&c, (const char *)data, n);
		data += n;
		size -= n;
	}
	kt_control_end(&c);
	check(&records, max_bytes);
	kt_control_free(&c);
	kt_records_free(&records);
	return 0;
}
