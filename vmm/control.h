/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control port (guest ttyS3), host side, and the results channel it
 * carries.  The guest's /init writes one message a line:
 *
 *   KTSTR_READY                  /init is set up and waits for the payload
 *   KTSTR_PAYLOAD_ERROR <reason> /init could not take the payload line
 *   KTSTR_RESULT <line>          one line the payload wrote to $KTSTR_RESULTS
 *   KTSTR_RESULTS_DROPPED <n>    lines /init dropped beyond the bound
 *   KTSTR_EXIT <status>          the payload's exit status, last
 *
 * and the host writes one line, the payload, after KTSTR_READY:
 *
 *   KTSTR_PAYLOAD <words>        see vmm/payload.h
 *
 * /init prefixes every line of $KTSTR_RESULTS itself, so no record can
 * pass for another message, and the payload's stdout (ttyS1) is never
 * read for records.  See Documentation/shell.md.
 */
#ifndef KTSTR_CONTROL_H
#define KTSTR_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The record text one VM run may send, newlines included: the first
 * lines that fit are kept, every later line is dropped and counted.  A
 * group record of 128 workers (the most results.c reports) is about
 * 45 KB, so this holds some 45 of them; the control port carried about
 * 230 KB/s under TCG (measured on a loaded 2-CPU host), so a run that
 * fills it spends about 9 s of serial transfer, while its test runs.
 */
#define KT_RESULTS_MAX_BYTES (2u << 20)

/* The records of one VM run. */
struct kt_records {
	char *text;		/* accepted records, one JSON object a line */
	size_t len;		/* bytes of text */
	size_t received;	/* bytes of record lines counted against the bound */
	bool full;		/* a line did not fit: the rest is dropped */
	unsigned int accepted;
	unsigned int rejected;	/* not a JSON object with a known "type" */
	unsigned int over_limit; /* dropped beyond the bound, here or by /init */
	/*
	 * The record types this run takes (set before the run, kept by
	 * kt_records_free()); NULL: kt_record_types, the test library's.
	 */
	const char * const *types;
	unsigned int nr_types;
};

/* The record types results.c writes, in the order of kt_record_types. */
#define KT_NR_RECORD_TYPES 3
extern const char * const kt_record_types[KT_NR_RECORD_TYPES];

/*
 * Takes one line of $KTSTR_RESULTS (@len bytes, no newline) within
 * @max_bytes.  Never fails: a line that is not a record, or that does
 * not fit, is counted and dropped.
 */
void kt_records_add(struct kt_records *r, const char *line, size_t len,
		    size_t max_bytes);
void kt_records_free(struct kt_records *r);

/* Room for the reason of a KTSTR_PAYLOAD_ERROR, cut if longer. */
#define KT_CONTROL_REASON_MAX 200

struct kt_control {
	bool ready;		/* KTSTR_READY seen: the payload may go */
	char payload_error[KT_CONTROL_REASON_MAX];	/* "": none */
	bool exited;		/* KTSTR_EXIT seen: exit_status is valid */
	int exit_status;
	struct kt_records *records;	/* NULL: records are discarded */
	size_t max_bytes;
	char *line;		/* the line being received */
	size_t line_len, line_cap;
	bool line_too_long;	/* longer than any message: skipped */
	bool line_is_record;	/* the skipped line was a KTSTR_RESULT */
};

void kt_control_init(struct kt_control *c, struct kt_records *records,
		     size_t max_bytes);
/* Bytes as they came from the port, in any chunks. */
void kt_control_feed(struct kt_control *c, const char *data, size_t len);
/* The port is closed: a last line without its newline counts as it is. */
void kt_control_end(struct kt_control *c);
void kt_control_free(struct kt_control *c);

#endif
