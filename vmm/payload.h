/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The payload: what the guest's /init runs and how.  The host sends it as
 * one line on the control port once /init says KTSTR_READY, not on the
 * kernel command line: a guest restored from a snapshot keeps the command
 * line it booted with, so only a channel read after the snapshot can
 * carry each test's own payload.
 *
 *   KTSTR_PAYLOAD[ ktstr.exec=<hex>][ ktstr.shell=1]
 *                [ ktstr.rows=<n> ktstr.cols=<n>][ ktstr.term=<name>]
 *                [ ktstr.results=<bytes>][ ktstr.time=<s>.<ns>]
 *                [ ktstr.seed=<hex>]
 *
 * Words are separated by one space, each at most once.  The host encodes
 * and /init decodes with this one file (built into both), so the two
 * agree on every word and bound; /init refuses anything else with
 * KTSTR_PAYLOAD_ERROR <reason> rather than run a payload it misread.
 * See Documentation/shell.md.
 */
#ifndef KTSTR_PAYLOAD_H
#define KTSTR_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>

#define KT_PAYLOAD_PREFIX "KTSTR_PAYLOAD"
/*
 * The longest line, newline included.  The control port takes some
 * 200 KB/s under TCG, so even a full line costs /init under 0.1 s.
 */
#define KT_PAYLOAD_LINE_MAX 16384
/* Room for the other words beside the hex-encoded command. */
#define KT_PAYLOAD_COMMAND_MAX ((KT_PAYLOAD_LINE_MAX - 512) / 2)
#define KT_PAYLOAD_TERM_MAX 63
/* /init allocates the results bound: no more than this. */
#define KT_PAYLOAD_RESULTS_MAX (64ul << 20)
/* Bytes of host randomness /init mixes into the guest's pool. */
#define KT_PAYLOAD_SEED_LEN 32
/* Room for any reason kt_payload_encode() or _decode() gives. */
#define KT_PAYLOAD_ERR_MAX 160

struct kt_payload {
	char command[KT_PAYLOAD_COMMAND_MAX + 1];	/* "": login shell */
	bool interactive;
	unsigned short rows, cols;	/* 0: not given */
	char term[KT_PAYLOAD_TERM_MAX + 1];	/* "": not given */
	unsigned long results_max;	/* 0: no results channel */
	/*
	 * The host's wall clock and fresh randomness as the line is sent: a
	 * guest restored from a snapshot wakes with the clock and the random
	 * state of the moment the snapshot was taken.
	 */
	bool has_time;
	unsigned long long time_s;
	unsigned int time_ns;
	bool has_seed;
	unsigned char seed[KT_PAYLOAD_SEED_LEN];
};

/* A $TERM /init takes: letters, digits and '._+-', at most 63 bytes. */
bool kt_payload_term_ok(const char *term);
/*
 * Writes @p's line, newline included, into @line (@len bytes, at least
 * KT_PAYLOAD_LINE_MAX + 1) and returns its length, or -1 with the reason
 * in @err if /init could not take it.
 */
int kt_payload_encode(const struct kt_payload *p, char *line, size_t len,
		      char *err, size_t errlen);
/*
 * Reads one line (@len bytes, without its newline) into @p.  Returns 0,
 * or -1 with the reason in @err: a line /init cannot take whole is
 * refused, never taken in part.
 */
int kt_payload_decode(const char *line, size_t len, struct kt_payload *p,
		      char *err, size_t errlen);
/*
 * Reads one line from @fd into @line (KT_PAYLOAD_LINE_MAX bytes) in
 * whatever chunks it comes, and sets @len to its length without the
 * newline.  Returns 0, or -1 with the reason in @err: the line did not
 * end within the bound, @fd failed or closed first, or more came with
 * the line than the line (the host sends one line, once).
 */
int kt_payload_read_line(int fd, char *line, size_t *len, char *err,
			 size_t errlen);

#endif
