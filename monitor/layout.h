/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything the monitor reads, resolved once per kernel: symbol
 * addresses from the symbol table and field offsets from BTF.  What this
 * kernel lacks is marked unavailable and listed in @missing; the sampler
 * then reports it as unavailable instead of guessing.
 */
#ifndef KTSTR_MONITOR_LAYOUT_H
#define KTSTR_MONITOR_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "arch.h"
#include "btf.h"
#include "symbols.h"

enum kt_sym {
	KT_SYM_LINUX_BANNER,
	KT_SYM_PAGE_OFFSET_BASE,
	KT_SYM_VMALLOC_BASE,
	KT_SYM_INIT_TOP_PGT,
	KT_SYM_PGTABLE_L5,
	KT_SYM_PER_CPU_OFFSET,
	KT_SYM_NR_CPU_IDS,
	KT_SYM_RUNQUEUES,
	KT_SYM_JIFFIES,
	KT_SYM_EXT_CLASS,
	KT_SYM_SCX_ROOT,
	KT_SYM_SCX_ENABLE_STATE,
	KT_SYM_SCX_WATCHDOG_TS,
	KT_SYM_SCX_WATCHDOG_TIMEOUT,	/* older kernels: a global */
	KT_SYM_SCX_EVENTS_PCPU,		/* 6.15: a per-CPU variable */
	KT_SYM_VMEMMAP_BASE,
	KT_SYM_PHYS_BASE,		/* the kernel's own, to check ours */
	KT_SYM_TEXT,			/* _text and _end: the image's bounds */
	KT_SYM_END,
	KT_SYM_SWAPPER_PG_DIR,		/* arm64: the kernel's TTBR1 tables */
	KT_SYM_KIMAGE_VOFFSET,		/* arm64: image va - pa */
	KT_SYM_MEMSTART_ADDR,		/* arm64: the linear map's pa */
	KT_NR_SYMS,
};

enum kt_fld {
	KT_RQ_NR_RUNNING,
	KT_RQ_NR_SWITCHES,
	KT_RQ_CLOCK,
	KT_RQ_CURR,
	KT_RQ_IDLE,
	KT_RQ_SCX_NR_RUNNING,
	KT_RQ_SCX_FLAGS,
	KT_RQ_LOCAL_DSQ_NR,
	KT_RQ_LOCAL_DSQ,		/* the DSQ itself: its address */
	KT_RQ_SCX_RUNNABLE_LIST,
	KT_TASK_PID,
	KT_TASK_COMM,
	KT_TASK_POLICY,
	KT_TASK_SCHED_CLASS,
	KT_TASK_SUM_EXEC_RUNTIME,	/* ns of CPU time */
	KT_TASK_SCX_RUNNABLE_NODE,
	KT_TASK_SCX_DSQ,
	KT_TASK_SCX_RUNNABLE_AT,	/* jiffies: when its wait began */
	KT_TASK_SCX_RUNNABLE_CPU,	/* 7.x: the runqueue it waits on */
	KT_TASK_CPUS_PTR,
	KT_TASK_MIGRATION_DISABLED,
	KT_DSQ_ID,
	KT_LIST_NEXT,
	KT_SCH_NAME,
	KT_SCH_PCPU,			/* 7.x: scx_sched_pcpu per CPU */
	KT_SCH_PCPU_EVENTS,		/* ... holding scx_event_stats */
	KT_SCH_EVENTS_CPU,		/* 6.16: scx_event_stats per CPU */
	KT_SCH_WATCHDOG_TIMEOUT,
	KT_SCH_EXIT_KIND,
	KT_SCH_BYPASS_DEPTH,		/* 7.x: > 0 while sched_ext bypasses it */
	KT_NR_FIELDS,
};

#define KT_MAX_EVENTS 32

enum kt_events_at {
	KT_EVENTS_NONE,
	KT_EVENTS_SCH_PCPU,		/* root->pcpu[cpu].event_stats */
	KT_EVENTS_SCH_CPU,		/* root->event_stats_cpu[cpu] */
	KT_EVENTS_GLOBAL_PCPU,		/* event_stats_cpu[cpu] */
};

struct kt_event_field {
	char name[64];			/* SCX_EV_SELECT_CPU_FALLBACK */
	uint32_t offset;
};

/* "Linux version ... \n" and its NUL: 7.3's is 165 bytes. */
#define KT_BANNER_MAX 512

struct kt_layout {
	enum kt_arch arch;		/* the kernel's, from its vmlinux */
	/* Link-time addresses: add the guest's KASLR offset to use them. */
	uint64_t sym[KT_NR_SYMS];
	bool has_sym[KT_NR_SYMS];
	struct kt_field f[KT_NR_FIELDS];
	enum kt_events_at events_at;
	struct kt_event_field events[KT_MAX_EVENTS];
	unsigned int nr_events;
	char enable_names[8][32];	/* scx_enable_state values, from BTF */
	struct kt_exit_kind {
		int64_t value;
		char name[32];
	} exit_kinds[32];		/* enum scx_exit_kind, from BTF */
	unsigned int nr_exit_kinds;
	int64_t rq_online_flag;		/* SCX_RQ_ONLINE; 0: unknown */
	int64_t dsq_global_id;		/* SCX_DSQ_GLOBAL; 0: unknown */
	int64_t hz;			/* the guest's jiffies per second; 0: unknown */
	char missing[2048];		/* "rq.scx.flags, scx_root, ..." */
	/* linux_banner's bytes, its NUL included, as the vmlinux has them. */
	char banner[KT_BANNER_MAX];
	unsigned int banner_len;
	char banner_from[512];		/* the vmlinux they came from */
};

const char *kt_sym_name(enum kt_sym s);
/* "SCX_EXIT_ERROR_BPF" for an exit kind, NULL if this kernel has none. */
const char *kt_layout_exit_name(const struct kt_layout *l, int64_t kind);
/* "SCX_ENABLED" for an enable state value, "-" if unknown. */
const char *kt_layout_enable_name(const struct kt_layout *l, int64_t state);
/* The dotted name of a field, "rq.scx.local_dsq.nr". */
const char *kt_fld_name(enum kt_fld f, char *buf, unsigned int len);

/*
 * -1 only if the kernel cannot be read at all (no runqueues, no BTF, no
 * symbol that finding an @arch kernel in guest RAM needs).
 */
int kt_layout_resolve_arch(struct kt_layout *l, enum kt_arch arch,
			   const struct kt_btf *btf,
			   const struct kt_symbols *syms);
/* kt_layout_resolve_arch() for an x86-64 kernel. */
int kt_layout_resolve(struct kt_layout *l, const struct kt_btf *btf,
		      const struct kt_symbols *syms);
/*
 * Takes linux_banner's bytes from @vmlinux, at the address the symbols
 * give: what the monitor looks for in guest RAM to find the image.
 */
int kt_layout_read_banner(struct kt_layout *l, const char *vmlinux);

#endif
