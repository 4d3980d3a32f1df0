// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "compiler.h"
#include "error.h"
#include "layout.h"

/* Alternatives in order: the first name this kernel has wins. */
static const char *const sym_names[KT_NR_SYMS][3] = {
	[KT_SYM_LINUX_BANNER] = { "linux_banner" },
	[KT_SYM_PAGE_OFFSET_BASE] = { "page_offset_base" },
	[KT_SYM_VMALLOC_BASE] = { "vmalloc_base" },
	[KT_SYM_INIT_TOP_PGT] = { "init_top_pgt", "init_level4_pgt" },
	[KT_SYM_PGTABLE_L5] = { "__pgtable_l5_enabled" },
	[KT_SYM_PER_CPU_OFFSET] = { "__per_cpu_offset" },
	[KT_SYM_NR_CPU_IDS] = { "nr_cpu_ids" },
	[KT_SYM_RUNQUEUES] = { "runqueues" },
	[KT_SYM_JIFFIES] = { "jiffies_64", "jiffies" },
	[KT_SYM_EXT_CLASS] = { "ext_sched_class" },
	[KT_SYM_SCX_ROOT] = { "scx_root" },
	[KT_SYM_SCX_ENABLE_STATE] = { "scx_enable_state_var",
				      "scx_ops_enable_state_var" },
	[KT_SYM_SCX_WATCHDOG_TS] = { "scx_watchdog_timestamp" },
	[KT_SYM_SCX_WATCHDOG_TIMEOUT] = { "scx_watchdog_timeout" },
	[KT_SYM_SCX_EVENTS_PCPU] = { "event_stats_cpu" },
	[KT_SYM_VMEMMAP_BASE] = { "vmemmap_base" },
	[KT_SYM_PHYS_BASE] = { "phys_base" },
	[KT_SYM_TEXT] = { "_text" },
	[KT_SYM_END] = { "_end" },
	[KT_SYM_SWAPPER_PG_DIR] = { "swapper_pg_dir" },
	[KT_SYM_KIMAGE_VOFFSET] = { "kimage_voffset" },
	[KT_SYM_MEMSTART_ADDR] = { "memstart_addr" },
};

/* What the monitor cannot work without at all, per arch. */
static const enum kt_sym required_x86_64[] = {
	KT_SYM_LINUX_BANNER, KT_SYM_PAGE_OFFSET_BASE, KT_SYM_INIT_TOP_PGT,
	KT_SYM_PER_CPU_OFFSET, KT_SYM_RUNQUEUES, KT_SYM_JIFFIES,
};
static const enum kt_sym required_arm64[] = {
	KT_SYM_LINUX_BANNER, KT_SYM_TEXT, KT_SYM_END, KT_SYM_SWAPPER_PG_DIR,
	KT_SYM_KIMAGE_VOFFSET, KT_SYM_MEMSTART_ADDR, KT_SYM_PER_CPU_OFFSET,
	KT_SYM_RUNQUEUES, KT_SYM_JIFFIES,
};

static const struct {
	const char *type, *path;
} fields[KT_NR_FIELDS] = {
	[KT_RQ_NR_RUNNING] = { "rq", "nr_running" },
	[KT_RQ_NR_SWITCHES] = { "rq", "nr_switches" },
	[KT_RQ_CLOCK] = { "rq", "clock" },
	[KT_RQ_CURR] = { "rq", "curr" },
	[KT_RQ_IDLE] = { "rq", "idle" },
	[KT_RQ_SCX_NR_RUNNING] = { "rq", "scx.nr_running" },
	[KT_RQ_SCX_FLAGS] = { "rq", "scx.flags" },
	[KT_RQ_LOCAL_DSQ_NR] = { "rq", "scx.local_dsq.nr" },
	[KT_RQ_LOCAL_DSQ] = { "rq", "scx.local_dsq" },
	[KT_RQ_SCX_RUNNABLE_LIST] = { "rq", "scx.runnable_list" },
	[KT_TASK_PID] = { "task_struct", "pid" },
	[KT_TASK_COMM] = { "task_struct", "comm" },
	[KT_TASK_POLICY] = { "task_struct", "policy" },
	[KT_TASK_SCHED_CLASS] = { "task_struct", "sched_class" },
	[KT_TASK_SUM_EXEC_RUNTIME] = { "task_struct", "se.sum_exec_runtime" },
	[KT_TASK_SCX_RUNNABLE_NODE] = { "task_struct", "scx.runnable_node" },
	[KT_TASK_SCX_DSQ] = { "task_struct", "scx.dsq" },
	[KT_TASK_SCX_RUNNABLE_AT] = { "task_struct", "scx.runnable_at" },
	[KT_TASK_SCX_RUNNABLE_CPU] = { "task_struct", "scx.runnable_cpu" },
	[KT_TASK_CPUS_PTR] = { "task_struct", "cpus_ptr" },
	[KT_TASK_MIGRATION_DISABLED] = { "task_struct", "migration_disabled" },
	[KT_DSQ_ID] = { "scx_dispatch_q", "id" },
	[KT_LIST_NEXT] = { "list_head", "next" },
	[KT_SCH_NAME] = { "scx_sched", "ops.name" },
	[KT_SCH_PCPU] = { "scx_sched", "pcpu" },
	[KT_SCH_PCPU_EVENTS] = { "scx_sched_pcpu", "event_stats" },
	[KT_SCH_EVENTS_CPU] = { "scx_sched", "event_stats_cpu" },
	[KT_SCH_WATCHDOG_TIMEOUT] = { "scx_sched", "watchdog_timeout" },
	[KT_SCH_EXIT_KIND] = { "scx_sched", "exit_kind" },
	[KT_SCH_BYPASS_DEPTH] = { "scx_sched", "bypass_depth" },
};

const char *kt_sym_name(enum kt_sym s)
{
	return sym_names[s][0];
}

const char *kt_fld_name(enum kt_fld f, char *buf, unsigned int len)
{
	snprintf(buf, len, "%s.%s", fields[f].type, fields[f].path);
	return buf;
}

static void note_missing(struct kt_layout *l, const char *what)
{
	size_t n = strlen(l->missing);

	snprintf(l->missing + n, sizeof(l->missing) - n, "%s%s",
		 n ? ", " : "", what);
}

static void resolve_syms(struct kt_layout *l, const struct kt_symbols *syms)
{
	unsigned int s, i;

	for (s = 0; s < KT_NR_SYMS; s++)
		for (i = 0; i < 3 && sym_names[s][i]; i++)
			if (!kt_symbols_find(syms, sym_names[s][i],
					     &l->sym[s])) {
				l->has_sym[s] = true;
				break;
			}
}

static int add_event(void *ctx, const char *name, uint32_t offset,
		     uint32_t size)
{
	struct kt_layout *l = ctx;

	if (l->nr_events == KT_MAX_EVENTS || size != 8)
		return 0;
	snprintf(l->events[l->nr_events].name,
		 sizeof(l->events[0].name), "%s", name);
	l->events[l->nr_events++].offset = offset;
	return 0;
}

/* Where this kernel keeps its per-CPU event counters, if anywhere. */
static void resolve_events(struct kt_layout *l, const struct kt_btf *btf)
{
	if (l->f[KT_SCH_PCPU].available && l->f[KT_SCH_PCPU_EVENTS].available)
		l->events_at = KT_EVENTS_SCH_PCPU;
	else if (l->f[KT_SCH_EVENTS_CPU].available)
		l->events_at = KT_EVENTS_SCH_CPU;
	else if (l->has_sym[KT_SYM_SCX_EVENTS_PCPU])
		l->events_at = KT_EVENTS_GLOBAL_PCPU;
	if (l->events_at == KT_EVENTS_NONE ||
	    kt_btf_walk_members(btf, "scx_event_stats", add_event, l) ||
	    !l->nr_events) {
		l->events_at = KT_EVENTS_NONE;
		note_missing(l, "sched_ext event counters");
	}
}

static void resolve_enable_names(struct kt_layout *l,
				 const struct kt_btf *btf)
{
	static const char *const enums[] = { "scx_enable_state",
					     "scx_ops_enable_state" };
	const char *name;
	unsigned int e, v;

	for (e = 0; e < ARRAY_SIZE(enums); e++) {
		for (v = 0; v < ARRAY_SIZE(l->enable_names); v++) {
			name = kt_btf_enum_name(btf, enums[e], v);
			if (name)
				snprintf(l->enable_names[v],
					 sizeof(l->enable_names[v]), "%s",
					 name);
		}
		if (l->enable_names[0][0])
			return;
	}
}

static int add_exit_kind(void *ctx, const char *name, int64_t value)
{
	struct kt_layout *l = ctx;
	struct kt_exit_kind *k;

	if (l->nr_exit_kinds == ARRAY_SIZE(l->exit_kinds))
		return 1;
	k = &l->exit_kinds[l->nr_exit_kinds++];
	k->value = value;
	snprintf(k->name, sizeof(k->name), "%s", name);
	return 0;
}

const char *kt_layout_exit_name(const struct kt_layout *l, int64_t kind)
{
	unsigned int i;

	for (i = 0; i < l->nr_exit_kinds; i++)
		if (l->exit_kinds[i].value == kind)
			return l->exit_kinds[i].name;
	return NULL;
}

const char *kt_layout_enable_name(const struct kt_layout *l, int64_t state)
{
	if (state < 0 || state >= (int64_t)ARRAY_SIZE(l->enable_names) ||
	    !l->enable_names[state][0])
		return "-";
	return l->enable_names[state];
}

/*
 * Jiffies to time: sched_ext defines its longest watchdog timeout as
 * SCX_WATCHDOG_MAX_TIMEOUT = 30 * HZ (kernel/sched/ext/types.h, since
 * sched_ext was merged), and BTF keeps the value of that enumerator.
 */
#define WATCHDOG_MAX_TIMEOUT_S 30

static void resolve_hz(struct kt_layout *l, const struct kt_btf *btf)
{
	int64_t max_timeout;

	if (kt_btf_enum_value(btf, "scx_consts", "SCX_WATCHDOG_MAX_TIMEOUT",
			      &max_timeout) || max_timeout <= 0 ||
	    max_timeout % WATCHDOG_MAX_TIMEOUT_S) {
		note_missing(l, "HZ (SCX_WATCHDOG_MAX_TIMEOUT)");
		return;
	}
	l->hz = max_timeout / WATCHDOG_MAX_TIMEOUT_S;
}

/* Constants the monitor compares with, from BTF's enums. */
static void resolve_constants(struct kt_layout *l, const struct kt_btf *btf)
{
	if (kt_btf_enum_value(btf, "scx_rq_flags", "SCX_RQ_ONLINE",
			      &l->rq_online_flag))
		note_missing(l, "SCX_RQ_ONLINE");
	if (kt_btf_enum_value(btf, "scx_dsq_id_flags", "SCX_DSQ_GLOBAL",
			      &l->dsq_global_id))
		note_missing(l, "SCX_DSQ_GLOBAL");
	resolve_hz(l, btf);
}

static int check_required(const struct kt_layout *l,
			  const struct kt_symbols *syms)
{
	const enum kt_sym *req = required_x86_64;
	unsigned int i, n = ARRAY_SIZE(required_x86_64);

	if (l->arch == KT_ARCH_ARM64) {
		req = required_arm64;
		n = ARRAY_SIZE(required_arm64);
	}
	for (i = 0; i < n; i++)
		if (!l->has_sym[req[i]])
			return kt_fail("kernel symbol %s not found in %s",
				       kt_sym_name(req[i]), syms->source);
	return 0;
}

int kt_layout_resolve(struct kt_layout *l, const struct kt_btf *btf,
		      const struct kt_symbols *syms)
{
	return kt_layout_resolve_arch(l, KT_ARCH_X86_64, btf, syms);
}

int kt_layout_resolve_arch(struct kt_layout *l, enum kt_arch arch,
			   const struct kt_btf *btf,
			   const struct kt_symbols *syms)
{
	char name[96];
	unsigned int i;

	memset(l, 0, sizeof(*l));
	l->arch = arch;
	resolve_syms(l, syms);
	if (check_required(l, syms))
		return -1;
	if (!kt_btf_struct_size(btf, "rq") ||
	    !kt_btf_struct_size(btf, "task_struct"))
		return kt_fail("%s: BTF has no struct rq or task_struct",
			       btf->path);
	for (i = 0; i < KT_NR_FIELDS; i++) {
		/* Unavailable is an answer here, not an error. */
		kt_btf_field(btf, fields[i].type, fields[i].path, &l->f[i]);
	}
	/* Only one of the event layouts exists; the others are not missing. */
	for (i = 0; i < KT_NR_FIELDS; i++)
		if (!l->f[i].available && i != KT_SCH_PCPU &&
		    i != KT_SCH_PCPU_EVENTS && i != KT_SCH_EVENTS_CPU &&
		    i != KT_SCH_WATCHDOG_TIMEOUT && i != KT_SCH_EXIT_KIND)
			note_missing(l, kt_fld_name(i, name, sizeof(name)));
	resolve_events(l, btf);
	resolve_constants(l, btf);
	resolve_enable_names(l, btf);
	if (kt_btf_walk_enum(btf, "scx_exit_kind", add_exit_kind, l))
		note_missing(l, "enum scx_exit_kind");
	if (!l->has_sym[KT_SYM_SCX_ROOT])
		note_missing(l, "scx_root");
	if (!l->has_sym[KT_SYM_SCX_ENABLE_STATE])
		note_missing(l, "scx_enable_state_var");
	if (!l->has_sym[KT_SYM_SCX_WATCHDOG_TS])
		note_missing(l, "scx_watchdog_timestamp");
	if (!l->f[KT_SCH_WATCHDOG_TIMEOUT].available &&
	    !l->has_sym[KT_SYM_SCX_WATCHDOG_TIMEOUT])
		note_missing(l, "scx watchdog timeout");
	return 0;
}

int kt_layout_read_banner(struct kt_layout *l, const char *vmlinux)
{
	static const char prefix[] = "Linux version ";
	uint64_t addr = l->sym[KT_SYM_LINUX_BANNER];
	char *nul;
	size_t got;

	if (kt_vmlinux_read(vmlinux, addr, l->banner, sizeof(l->banner) - 1,
			    &got))
		return -1;
	l->banner[got] = '\0';
	nul = memchr(l->banner, '\0', got);
	/* Another kernel's symbols point elsewhere in this vmlinux. */
	if (strncmp(l->banner, prefix, sizeof(prefix) - 1) || !nul)
		return kt_fail("vmlinux %s: no \"%s...\" string at linux_banner (0x%llx): the symbols are not this vmlinux's",
			       vmlinux, prefix, (unsigned long long)addr);
	l->banner_len = nul - l->banner + 1;
	snprintf(l->banner_from, sizeof(l->banner_from), "%s", vmlinux);
	return 0;
}
