/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The figures the BPF verifier prints at the end of its log when asked
 * for statistics (log_level BPF_LOG_STATS, 4), kernel/bpf/verifier.c's
 * print_verification_stats():
 *
 *   verification time 1234 usec
 *   stack depth max 64               (7.x; "stack depth 0+8" before)
 *   processed 1234 insns (limit 1000000) max_states_per_insn 4 \
 *     total_states 56 peak_states 56 mark_read 3
 *
 * and one program's figures as the agent records them and the host's
 * report keeps them, with their JSON form.  Built into the guest agent
 * and into ktstr, so that both write the same object.  No other line of
 * the log is read.
 */
#ifndef KTSTR_VERIFIER_STATS_H
#define KTSTR_VERIFIER_STATS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * The kernel's BPF_COMPLEXITY_LIMIT_INSNS (include/linux/bpf.h), the
 * instructions one privileged load may process.  The log states it too,
 * "(limit N)", and that figure is the one used when it is there.
 */
#define KT_VERIFIER_INSN_LIMIT 1000000u

struct kt_verifier_stats {
	bool has_processed;	/* the "processed" line was there */
	bool has_time;		/* the "verification time" line was there */
	unsigned long processed_insns;
	unsigned long insn_limit;
	unsigned long max_states_per_insn;
	unsigned long total_states;
	unsigned long peak_states;
	unsigned long time_us;
};

/* One BPF program: what the agent learnt of it. */
struct kt_verifier_prog {
	char name[64];
	char prog_type[32];
	bool loaded;			/* false: the verifier rejected it */
	char error[64];			/* of a rejected load */
	bool has_info;			/* id and verified_insns (bpf_prog_info) */
	unsigned long id, verified_insns;
	bool has_stats;			/* the log's statistics */
	struct kt_verifier_stats stats;
	char note[160];			/* why a figure is missing */
};

/*
 * @p as a JSON object: name, prog_type, loaded, error, id,
 * verified_insns, stats {processed_insns, insn_limit, peak_states,
 * total_states, max_states_per_insn, time_us}, note; what is not known
 * is left out.  NULL if out of memory.
 */
json_t *kt_verifier_prog_json(const struct kt_verifier_prog *p);

/*
 * Reads the statistics lines out of the verifier log @log (@len bytes,
 * NUL or not).  The last "processed" line wins (a log holds one per
 * load).  -1 if a statistics line is there but does not parse, or if
 * there is no "processed" line at all; @err (@err_len bytes) says why.
 */
int kt_verifier_parse_stats(const char *log, size_t len,
			    struct kt_verifier_stats *s, char *err,
			    size_t err_len);

#endif
