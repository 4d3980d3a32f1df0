/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fields of a struct argument that the probe agent captures and the
 * report decodes, by member path ("scx" is a whole member, "scx.flags"
 * one inside it).  Offsets and sizes always come from BTF.  A struct not
 * listed is captured whole, up to KT_CAPTURE_WHOLE_MAX bytes.  Shared by
 * the guest agent (what to read) and the host decoder (what to print).
 */
#ifndef KTSTR_REPRO_FIELDS_H
#define KTSTR_REPRO_FIELDS_H

#define KT_CAPTURE_WHOLE_MAX	256
/* Of a struct cpumask, only the CPUs a guest can have (512). */
#define KT_CAPTURE_CPUMASK_MAX	64

struct kt_field_set {
	const char *type;
	const char *const *capture;	/* read these members */
	const char *const *show;	/* print these; others when changed */
};

static const char *const kt_task_capture[] = {
	"pid", "tgid", "comm", "__state", "prio", "nr_cpus_allowed",
	"cpus_mask", "on_rq", "on_cpu", "wake_cpu", "recent_used_cpu", "scx",
	NULL,
};

static const char *const kt_task_show[] = {
	"pid", "comm", "__state", "prio", "nr_cpus_allowed", "cpus_mask",
	"on_rq", "on_cpu", "scx.flags", "scx.dsq", "scx.ops_state",
	"scx.ddsp_dsq_id", "scx.ddsp_enq_flags", "scx.slice", "scx.dsq_vtime",
	"scx.sticky_cpu", "scx.holding_cpu", "scx.selected_cpu", "scx.weight",
	NULL,
};

static const char *const kt_rq_capture[] = {
	"cpu", "nr_running", "curr", "clock", "scx.local_dsq",
	"scx.nr_running", "scx.flags", "scx.clock", NULL,
};

static const char *const kt_rq_show[] = {
	"cpu", "nr_running", "curr", "scx.nr_running", "scx.flags",
	"scx.local_dsq.nr", "scx.local_dsq.id", NULL,
};

static const char *const kt_dsq_show[] = {
	"id", "nr", "seq", "first_task", NULL,
};

static const char *const kt_exit_info_show[] = {
	"kind", "exit_cpu", "exit_code", NULL,
};

static const struct kt_field_set kt_field_sets[] = {
	{ "task_struct", kt_task_capture, kt_task_show },
	{ "rq", kt_rq_capture, kt_rq_show },
	{ "scx_dispatch_q", NULL, kt_dsq_show },
	{ "scx_exit_info", NULL, kt_exit_info_show },
	{ NULL, NULL, NULL },
};

static inline const struct kt_field_set *kt_field_set_of(const char *type)
{
	const struct kt_field_set *s;

	for (s = kt_field_sets; s->type; s++)
		if (!__builtin_strcmp(s->type, type))
			return s;
	return NULL;
}

#endif
