// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr-probe: the guest probe agent of auto-repro.  Attaches fentry and
 * fexit programs to kernel functions (-k) and to BPF programs of the
 * running sched_ext scheduler (-b, and every struct_ops program of it),
 * and a probe on the sched_ext exit; records each call's arguments and
 * the structs they point to until the scheduler exits, then writes the
 * calls of the tasks involved as "KTSTR-PROBE" lines for the host.
 * A kernel function that fentry cannot trace (not a BTF FUNC, or not in
 * ftrace's available_filter_functions), or one named -K, gets a kprobe
 * and a kretprobe instead, if /proc/kallsyms has it and the kprobe
 * blacklist does not.
 *
 *   ktstr-probe -o OUT -r READY [-c COMM] [-k FUNC]... [-K FUNC]...
 *               [-b PROG]... [-v]
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "probe.h"
#include "probe.bpf.skel.h"
#include "../fields.h"

#define MAX_TARGETS PROBE_SLOTS
#define MAX_KEEP 8192		/* records kept in memory */
#define MAX_OUT_CALLS 48	/* calls written per run, besides the named */
#define RAW_CALLS 4		/* and of each kprobe'd function without BTF */
#define MAX_NAMED 1024		/* records of the named task kept */
#define NAMED_SEQS 64
#define GRACE_MS 300		/* for exits of calls in flight */
#define MAX_CPUS 256

enum mech { MECH_FENTRY, MECH_KPROBE };

struct target {
	char name[128];
	char callback[32];
	char src[256];
	int prog_fd;		/* 0: a kernel function */
	bool ctx_array;
	enum mech mech;
	bool raw;		/* no BTF prototype: args are registers */
	bool notrace;		/* not in available_filter_functions */
	char why[160];		/* of the mechanism */
	int nr_args;
	char arg_name[PROBE_ARGS][32];
	char arg_type[PROBE_ARGS][64];	/* struct name, or "" */
};

struct rec {
	struct probe_call call;		/* type PROBE_MEM: mem is set */
	struct probe_mem *mem;		/* call.slot and call_id: its call's */
	unsigned long k;		/* arrival number */
	int pid;			/* of the first task argument */
	char comm[16];
	bool named;			/* also in named[] */
	bool orphan;			/* PROBE_MEM whose call is gone */
};

static struct target targets[MAX_TARGETS];
static struct probe_slot_cfg slot_cfg[PROBE_SLOTS];	/* as loaded */
static int nr_targets;
static struct rec ring[MAX_KEEP];
static struct rec named[MAX_NAMED];	/* of the task named -c */
static unsigned long nr_named;
static __u64 named_seqs[NAMED_SEQS];	/* its last calls' records */
static unsigned int nr_named_seqs;
static const char *wanted_comm;
static unsigned long nr_seen, nr_lost;
static struct probe_call exit_rec;
static bool have_exit;
static int stop_signal;
static bool verbose;
static struct btf *vmlinux;
static long task_pid_off = -1, task_comm_off = -1;
static char *forced[MAX_TARGETS];	/* -K */
static int nr_forced;
static int open_named[MAX_CPUS];	/* named calls in flight, per CPU */

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static const struct btf_type *resolve(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

/* The bytes of a cpumask that possible CPUs use, in whole longs. */
static long cpumask_bytes(void)
{
	int cpus = libbpf_num_possible_cpus();
	long bytes = cpus > 0 ? (cpus + 63) / 64 * 8 : KT_CAPTURE_CPUMASK_MAX;

	return bytes < KT_CAPTURE_CPUMASK_MAX ? bytes : KT_CAPTURE_CPUMASK_MAX;
}

/* Offset and size of member path @path ("scx.flags") of struct @id. */
static int member_window(__u32 id, const char *path, long *off, long *size)
{
	char buf[128], *name, *save = NULL;
	const struct btf_type *t;

	*off = 0;
	snprintf(buf, sizeof(buf), "%s", path);
	for (name = strtok_r(buf, ".", &save); name;
	     name = strtok_r(NULL, ".", &save)) {
		const struct btf_member *m;
		int i, found = 0;

		t = resolve(vmlinux, &id);
		if (!t || !btf_is_composite(t))
			return -1;
		m = btf_members(t);
		for (i = 0; i < btf_vlen(t); i++, m++) {
			if (strcmp(btf__name_by_offset(vmlinux, m->name_off),
				   name))
				continue;
			*off += btf_member_bit_offset(t, i) / 8;
			id = m->type;
			found = 1;
			break;
		}
		if (!found)
			return -1;
	}
	*size = btf__resolve_size(vmlinux, id);
	resolve(vmlinux, &id);
	t = btf__type_by_id(vmlinux, id);
	if (btf_is_struct(t) &&
	    !strcmp(btf__name_by_offset(vmlinux, t->name_off), "cpumask") &&
	    *size > cpumask_bytes())
		*size = cpumask_bytes();
	return *size > 0 ? 0 : -1;
}

static void add_window(struct probe_arg_cfg *a, long off, long size)
{
	while (size > 0 && a->nr_windows < PROBE_WINDOWS) {
		long len = size > PROBE_WIN_MAX ? PROBE_WIN_MAX : size;

		a->win[a->nr_windows].off = off;
		a->win[a->nr_windows].len = len;
		a->nr_windows++;
		off += len;
		size -= len;
	}
}

/* The windows of struct @type that fields.h asks for. */
static int plan_struct(const char *type, struct probe_arg_cfg *a)
{
	const struct kt_field_set *set = kt_field_set_of(type);
	int id = btf__find_by_name_kind(vmlinux, type, BTF_KIND_STRUCT);
	const char *const *f;
	long off, size;

	if (id < 0)
		return -1;
	a->kind = PROBE_ARG_STRUCT;
	a->nr_windows = 0;
	if (!set || !set->capture) {
		size = btf__resolve_size(vmlinux, id);
		add_window(a, 0, size > KT_CAPTURE_WHOLE_MAX ?
			   KT_CAPTURE_WHOLE_MAX : size);
		return 0;
	}
	for (f = set->capture; *f; f++)
		if (!member_window(id, *f, &off, &size))
			add_window(a, off, size);
	return 0;
}

/* Parameters of a FUNC_PROTO: names and the struct each points to. */
static void read_params(const struct btf *btf, __u32 proto_id,
			struct target *t)
{
	const struct btf_type *proto = btf__type_by_id(btf, proto_id);
	const struct btf_param *p = btf_params(proto);
	int i;

	t->nr_args = btf_vlen(proto) < PROBE_ARGS ? btf_vlen(proto) :
						    PROBE_ARGS;
	for (i = 0; i < t->nr_args; i++, p++) {
		__u32 id = p->type;
		const struct btf_type *pt = resolve(btf, &id);

		snprintf(t->arg_name[i], sizeof(t->arg_name[i]), "%s",
			 btf__name_by_offset(btf, p->name_off));
		t->arg_type[i][0] = '\0';
		if (!pt || !btf_is_ptr(pt))
			continue;
		id = pt->type;
		pt = resolve(btf, &id);
		if (pt && btf_is_struct(pt))
			snprintf(t->arg_type[i], sizeof(t->arg_type[i]), "%s",
				 btf__name_by_offset(btf, pt->name_off));
	}
}

static bool has_target(const char *name)
{
	int i;

	for (i = 0; i < nr_targets; i++)
		if (!strcmp(targets[i].name, name))
			return true;
	return false;
}

static bool is_forced(const char *name)
{
	int i;

	for (i = 0; i < nr_forced; i++)
		if (!strcmp(forced[i], name))
			return true;
	return false;
}

/*
 * Is @name a line of @path, as its first word ("name" or "name [mod]"
 * lines) or, with @last, its last ("0x...-0x...\tname" of the kprobe
 * blacklist)?  -1 if @path cannot be read.
 */
static int listed_in(const char *path, const char *name, bool last)
{
	size_t n = strlen(name);
	char line[512], *w;
	int found = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		w = last ? strrchr(line, '\t') : line;
		if (!w)
			continue;
		w += last;
		found = !strncmp(w, name, n) && (!w[n] || w[n] == ' ' ||
						 w[n] == '\t');
	}
	fclose(f);
	return found;
}

/* A function of vmlinux (not of a module) in /proc/kallsyms? */
static bool in_kallsyms(const char *name)
{
	char line[512], type, sym[256];
	bool found = false;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %c %255s", &type, sym) == 2 &&
			strchr("tTwW", type) && !strcmp(sym, name) &&
			!strchr(line, '[');
	if (f)
		fclose(f);
	return found;
}

/*
 * The kprobe pair for @name, if it can have one: set @t's mechanism, or
 * report the skip.  @no_fentry says why fentry is not used.
 */
static int kprobe_target(const char *name, struct target *t, bool btf,
			 const char *no_fentry)
{
	int bl;

	if (!in_kallsyms(name)) {
		printf("KTSTR-PROBE skip %s %s, and not in /proc/kallsyms: no kprobe\n",
		       name, no_fentry);
		return -1;
	}
	bl = listed_in("/sys/kernel/debug/kprobes/blacklist", name, true);
	if (bl > 0) {
		printf("KTSTR-PROBE skip %s %s, and in the kprobe blacklist (/sys/kernel/debug/kprobes/blacklist): no kprobe\n",
		       name, no_fentry);
		return -1;
	}
	t->mech = MECH_KPROBE;
	t->raw = !btf;
	snprintf(t->why, sizeof(t->why), "%s; in /proc/kallsyms%s", no_fentry,
		 bl < 0 ? ", kprobe blacklist unreadable" :
			  ", not in the kprobe blacklist");
	return 0;
}

static int add_kernel_target(const char *name)
{
	int id = btf__find_by_name_kind(vmlinux, name, BTF_KIND_FUNC), i;
	struct target *t = &targets[nr_targets];
	const char *no_fentry = NULL;

	if (nr_targets >= MAX_TARGETS || has_target(name))
		return -1;
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->notrace = !listed_in("/sys/kernel/tracing/available_filter_functions",
				name, false);
	if (id < 0)
		no_fentry = "not in the kernel's BTF (inlined or static): no fentry";
	else if (is_forced(name))
		no_fentry = "kprobe forced (-K)";
	else if (t->notrace)
		no_fentry = "a BTF FUNC not in available_filter_functions (notrace): no fentry";
	if (!no_fentry)
		snprintf(t->why, sizeof(t->why), "a BTF FUNC");
	else if (kprobe_target(name, t, id >= 0, no_fentry))
		return -1;
	if (id >= 0) {
		read_params(vmlinux, btf__type_by_id(vmlinux, id)->type, t);
	} else {
		t->nr_args = PROBE_ARGS;
		for (i = 0; i < PROBE_ARGS; i++)
			snprintf(t->arg_name[i], sizeof(t->arg_name[i]),
				 "arg%d", i);
	}
	nr_targets++;
	return 0;
}

/* The sched_ext_ops member that a program name ends in ("_enqueue"). */
static void callback_of(const char *name, char *out, size_t len)
{
	int id = btf__find_by_name_kind(vmlinux, "sched_ext_ops",
					BTF_KIND_STRUCT);
	const struct btf_type *t = id < 0 ? NULL : btf__type_by_id(vmlinux, id);
	const struct btf_member *m;
	size_t n = strlen(name), c;
	int i;

	out[0] = '\0';
	for (i = 0, m = t ? btf_members(t) : NULL; t && i < btf_vlen(t);
	     i++, m++) {
		const char *cb = btf__name_by_offset(vmlinux, m->name_off);

		c = strlen(cb);
		if (n > c && name[n - c - 1] == '_' && !strcmp(name + n - c, cb) &&
		    c >= strlen(out))
			snprintf(out, len, "%s", cb);
	}
}

/*
 * The real arguments of a struct_ops program: the prototype of the
 * kernel's stub for its callback, sched_ext_ops__<callback>, which also
 * names them.
 */
static void callback_params(const char *callback, struct target *t)
{
	char stub[64];
	int id;

	snprintf(stub, sizeof(stub), "sched_ext_ops__%s", callback);
	id = btf__find_by_name_kind(vmlinux, stub, BTF_KIND_FUNC);
	if (id > 0)
		read_params(vmlinux, btf__type_by_id(vmlinux, id)->type, t);
}

struct prog_funcs {
	struct bpf_func_info fi[64];
	struct bpf_line_info li[4096];
	__u32 nr_fi, nr_li;
	struct btf *btf;
};

static int load_prog_funcs(int fd, struct prog_funcs *pf)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_prog_get_info_by_fd(fd, &info, &len) || !info.btf_id)
		return -1;
	pf->nr_fi = info.nr_func_info < 64 ? info.nr_func_info : 64;
	pf->nr_li = info.nr_line_info < 4096 ? info.nr_line_info : 4096;
	memset(&info, 0, sizeof(info));
	info.nr_func_info = pf->nr_fi;
	info.func_info_rec_size = sizeof(pf->fi[0]);
	info.func_info = (unsigned long)pf->fi;
	info.nr_line_info = pf->nr_li;
	info.line_info_rec_size = sizeof(pf->li[0]);
	info.line_info = (unsigned long)pf->li;
	len = sizeof(info);
	if (bpf_prog_get_info_by_fd(fd, &info, &len))
		return -1;
	pf->btf = btf__load_from_kernel_by_id(info.btf_id);
	return pf->btf ? 0 : -1;
}

/* Source file:line of the function starting at @insn_off. */
static void source_of(const struct prog_funcs *pf, __u32 insn_off,
		      char *out, size_t len)
{
	const char *file, *base;
	__u32 i;

	snprintf(out, len, "-");
	for (i = 0; i < pf->nr_li; i++) {
		if (pf->li[i].insn_off != insn_off)
			continue;
		file = btf__name_by_offset(pf->btf, pf->li[i].file_name_off);
		base = file ? strstr(file, "tests/") : NULL;
		snprintf(out, len, "%s:%u", base ? base : file,
			 BPF_LINE_INFO_LINE_NUM(pf->li[i].line_col));
		return;
	}
}

/*
 * Targets in struct_ops program @fd: the program itself and those of its
 * subprograms listed with -b.
 */
static void add_prog_targets(int fd, char **wanted, int nr_wanted)
{
	struct prog_funcs *pf = calloc(1, sizeof(*pf));
	char callback[32];
	__u32 i;
	int w;

	if (!pf || load_prog_funcs(fd, pf)) {
		free(pf);
		return;
	}
	callback[0] = '\0';
	for (i = 0; i < pf->nr_fi && nr_targets < MAX_TARGETS; i++) {
		const struct btf_type *ft = btf__type_by_id(pf->btf,
							    pf->fi[i].type_id);
		const char *fn = btf__name_by_offset(pf->btf, ft->name_off);
		struct target *t = &targets[nr_targets];
		bool is_main = i == 0, listed = false;

		for (w = 0; w < nr_wanted; w++)
			listed |= !strcmp(wanted[w], fn);
		/* info.name is cut at 15 characters: the BTF name is whole */
		if (is_main)
			callback_of(fn, callback, sizeof(callback));
		if ((!is_main && !listed) || has_target(fn))
			continue;
		memset(t, 0, sizeof(*t));
		snprintf(t->name, sizeof(t->name), "%s", fn);
		snprintf(t->callback, sizeof(t->callback), "%s", callback);
		t->prog_fd = dup(fd);
		source_of(pf, pf->fi[i].insn_off, t->src, sizeof(t->src));
		if (is_main) {
			t->ctx_array = true;
			callback_params(callback, t);
		} else {
			read_params(pf->btf, ft->type, t);
		}
		nr_targets++;
	}
	btf__free(pf->btf);
	free(pf);
}

/* Every struct_ops program loaded: the scheduler's callbacks. */
static void add_struct_ops(char **wanted, int nr_wanted)
{
	__u32 id = 0;

	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		if (!bpf_prog_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_PROG_TYPE_STRUCT_OPS)
			add_prog_targets(fd, wanted, nr_wanted);
		close(fd);
	}
}

static bool tracepoint_listed(const char *event)
{
	static const char *const files[] = {
		"/sys/kernel/tracing/available_events",
		"/sys/kernel/debug/tracing/available_events",
	};
	char line[256];
	bool found = false;
	size_t i;
	FILE *f;

	mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	for (i = 0; i < 2 && !found; i++) {
		f = fopen(files[i], "r");
		while (f && !found && fgets(line, sizeof(line), f))
			found = !strncmp(line, event, strlen(event)) &&
				line[strlen(event)] == '\n';
		if (f)
			fclose(f);
	}
	return found;
}

/* The sched_ext_exit tracepoint if the kernel has it, else scx_vexit. */
static int choose_exit_probe(struct probe_bpf *skel)
{
	bool btf_tp = btf__find_by_name_kind(vmlinux, "btf_trace_sched_ext_exit",
					     BTF_KIND_TYPEDEF) > 0;
	bool listed = tracepoint_listed("sched_ext:sched_ext_exit");

	if (btf_tp && listed) {
		bpf_program__set_autoload(skel->progs.exit_fentry, false);
		printf("KTSTR-PROBE exit-probe tp_btf/sched_ext_exit (BTF btf_trace_sched_ext_exit, available_events sched_ext:sched_ext_exit)\n");
		return 0;
	}
	bpf_program__set_autoload(skel->progs.exit_tp, false);
	if (btf__find_by_name_kind(vmlinux, "scx_vexit", BTF_KIND_FUNC) < 0) {
		printf("KTSTR-PROBE error the kernel has neither the sched_ext_exit tracepoint nor scx_vexit in BTF\n");
		return -1;
	}
	printf("KTSTR-PROBE exit-probe fentry/scx_vexit (no sched_ext_exit tracepoint: BTF %s, available_events %s)\n",
	       btf_tp ? "yes" : "no", listed ? "yes" : "no");
	return 0;
}

/* The entry or exit program of @slot, of mechanism @mech. */
static struct bpf_program *mech_prog(struct probe_bpf *skel, int slot,
				     bool entry, enum mech mech)
{
	char name[32];

	snprintf(name, sizeof(name), "%s%s_%d", mech == MECH_KPROBE ? "k" : "",
		 entry ? "entry" : "exit", slot);
	return bpf_object__find_program_by_name(skel->obj, name);
}

static struct bpf_program *slot_prog(struct probe_bpf *skel, int slot,
				     bool entry)
{
	return mech_prog(skel, slot, entry, slot < nr_targets ?
			 targets[slot].mech : MECH_FENTRY);
}

static void configure(struct probe_bpf *skel)
{
	struct probe_slot_cfg *cfg = (struct probe_slot_cfg *)skel->rodata->cfg;
	int s, i;

	for (s = 0; s < PROBE_SLOTS; s++) {
		struct target *t = &targets[s];
		enum mech m, used = s < nr_targets ? t->mech : MECH_FENTRY;
		struct bpf_program *e, *x;

		/* verification under TCG is slow: only the pair in use */
		for (m = MECH_FENTRY; m <= MECH_KPROBE; m++) {
			bpf_program__set_autoload(mech_prog(skel, s, true, m),
						  s < nr_targets && m == used);
			bpf_program__set_autoload(mech_prog(skel, s, false, m),
						  s < nr_targets && m == used);
		}
		if (s >= nr_targets)
			continue;
		cfg[s].ctx_array = t->ctx_array;
		cfg[s].nr_args = t->nr_args;
		for (i = 0; i < t->nr_args; i++)
			if (!t->arg_type[i][0] ||
			    plan_struct(t->arg_type[i], &cfg[s].arg[i]))
				cfg[s].arg[i].kind = PROBE_ARG_SCALAR;
		if (t->mech == MECH_KPROBE)
			continue;
		e = slot_prog(skel, s, true);
		x = slot_prog(skel, s, false);
		bpf_program__set_attach_target(e, t->prog_fd, t->name);
		bpf_program__set_attach_target(x, t->prog_fd, t->name);
	}
	memcpy(slot_cfg, cfg, sizeof(slot_cfg));
}

static void print_targets(void)
{
	int s, i;

	for (s = 0; s < nr_targets; s++) {
		struct target *t = &targets[s];

		printf("KTSTR-PROBE target %d %s %s %s %s %d", s,
		       t->prog_fd ? "bpf" : "kernel", t->name,
		       t->callback[0] ? t->callback : "-",
		       t->src[0] ? t->src : "-", t->nr_args);
		for (i = 0; i < t->nr_args; i++)
			printf(" %s:%s", t->arg_name[i][0] ? t->arg_name[i] : "-",
			       t->arg_type[i][0] ? t->arg_type[i] : "-");
		printf("\n");
		if (!t->prog_fd)
			printf("KTSTR-PROBE mech %d %s %s %s\n", s,
			       t->mech == MECH_KPROBE ? "kprobe" : "fentry",
			       t->raw ? "raw" : "btf", t->why);
	}
}

/* The call record a struct capture belongs to, among the last ones. */
static struct rec *owner_of(__u64 seq, unsigned long before)
{
	unsigned long k;

	for (k = 1; k <= 256 && k <= before; k++) {
		struct rec *r = &ring[(before - k) % MAX_KEEP];

		if (r->call.type != PROBE_MEM && r->call.seq == seq)
			return r;
	}
	return NULL;
}

static bool is_named_seq(__u64 seq)
{
	unsigned int i;

	for (i = 0; seq && i < NAMED_SEQS; i++)
		if (named_seqs[i] == seq)
			return true;
	return false;
}

static void print_hex(const __u8 *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char buf[2 * (PROBE_DATA + PROBE_WIN_MAX)];
	size_t i;

	for (i = 0; i < len && i < sizeof(buf) / 2; i++) {
		buf[2 * i] = digits[p[i] >> 4];
		buf[2 * i + 1] = digits[p[i] & 15];
	}
	fwrite(buf, 1, 2 * i, stdout);
}

/* A copy of the header and the captured bytes only. */
static struct probe_mem *copy_mem(const struct probe_mem *m)
{
	size_t len = m->len < PROBE_DATA + PROBE_WIN_MAX ? m->len :
		     PROBE_DATA + PROBE_WIN_MAX;
	struct probe_mem *c = malloc(offsetof(struct probe_mem, data) + len);

	if (c)
		memcpy(c, m, offsetof(struct probe_mem, data) + len);
	return c;
}

/* A copy of @r in the store of the named task's records. */
static void keep_named(struct rec *r)
{
	struct rec *n = &named[nr_named % MAX_NAMED];

	free(n->mem);
	*n = *r;
	n->mem = NULL;
	if (r->mem)
		n->mem = copy_mem(r->mem);
	r->named = true;
	nr_named++;
}

/* Call @r is the named task's: keep it and the records it has so far. */
static void name_call(struct rec *r)
{
	unsigned long j;

	if (r->named)
		return;
	if (r->call.type == PROBE_ENTRY)
		open_named[r->call.cpu % MAX_CPUS]++;
	named_seqs[nr_named_seqs++ % NAMED_SEQS] = r->call.seq;
	keep_named(r);
	for (j = r->k + 1; j + 1 < nr_seen; j++) {
		struct rec *m = &ring[j % MAX_KEEP];

		if (m->call.type == PROBE_MEM && m->call.seq == r->call.seq &&
		    !m->named)
			keep_named(m);
	}
}

/* A call's task: pid and comm from its first task_struct capture. */
static void note_task(struct rec *mr)
{
	const struct probe_mem *m = mr->mem;
	struct rec *r = owner_of(m->seq, nr_seen - 1);
	const struct probe_arg_cfg *cfg;
	__u32 w, pos = 0;

	if (!r || r->pid > 0 || m->arg >= PROBE_ARGS ||
	    strcmp(targets[r->call.slot % PROBE_SLOTS].arg_type[m->arg],
		   "task_struct"))
		return;
	/* the windows as configured: no BTF walk per record */
	cfg = &slot_cfg[r->call.slot % PROBE_SLOTS].arg[m->arg];
	for (w = 0; w < cfg->nr_windows; pos += cfg->win[w].len, w++) {
		if (pos + cfg->win[w].len > m->len)
			break;
		if (cfg->win[w].off == task_pid_off)
			memcpy(&r->pid, m->data + pos, 4);
		if (cfg->win[w].off == task_comm_off)
			memcpy(r->comm, m->data + pos, 15);
	}
	if (r->call.type == PROBE_ENTRY && wanted_comm &&
	    !strcmp(r->comm, wanted_comm))
		name_call(r);
}

/*
 * Every record goes into the ring, which keeps the last MAX_KEEP; those
 * of the calls of the task named -c also go into a store of their own,
 * so that they survive however long the exit takes to come (the
 * watchdog's, seconds after the starved task's last call).
 */
static int on_record(void *ctx, void *data, size_t size)
{
	const struct probe_call *c = data;
	struct rec *r = &ring[nr_seen % MAX_KEEP], *owner;

	free(r->mem);
	memset(r, 0, sizeof(*r));
	r->k = nr_seen;
	if (c->type == PROBE_MEM) {
		r->mem = copy_mem(data);
		if (!r->mem) {
			nr_lost++;
			return 0;
		}
		r->call.type = PROBE_MEM;
		r->call.seq = r->mem->seq;
		owner = owner_of(r->call.seq, nr_seen);
		r->orphan = !owner;
		if (owner) {
			r->call.slot = owner->call.slot;
			r->call.call_id = owner->call.call_id;
		}
		nr_seen++;
		if (owner)
			note_task(r);
		if (owner && is_named_seq(r->call.seq) && !r->named)
			keep_named(r);
		return 0;
	}
	r->call = *c;
	nr_seen++;
	if (c->type == PROBE_EXIT && is_named_seq(c->call_id)) {
		named_seqs[nr_named_seqs++ % NAMED_SEQS] = c->seq;
		keep_named(r);
		if (open_named[c->cpu % MAX_CPUS] > 0)
			open_named[c->cpu % MAX_CPUS]--;
	}
	/* no task argument: the named task's if inside one of its calls */
	if (c->type == PROBE_ENTRY && targets[c->slot % PROBE_SLOTS].raw &&
	    open_named[c->cpu % MAX_CPUS] > 0)
		name_call(r);
	if (c->type == PROBE_SCHED_EXIT && !have_exit) {
		exit_rec = *c;
		have_exit = true;
	}
	return 0;
}

static void print_rec(const struct rec *r)
{
	const struct probe_call *c = &r->call;
	const struct probe_arg_cfg *cfg;
	__u32 w, i;

	if (c->type == PROBE_MEM) {
		const struct target *t = &targets[c->slot % PROBE_SLOTS];

		if (r->orphan || !r->mem || r->mem->arg >= PROBE_ARGS)
			return;
		cfg = &slot_cfg[c->slot % PROBE_SLOTS].arg[r->mem->arg];
		printf("KTSTR-PROBE mem %llu %u %s 0x%llx %u",
		       (unsigned long long)r->mem->seq, r->mem->arg,
		       t->arg_type[r->mem->arg],
		       (unsigned long long)r->mem->addr, cfg->nr_windows);
		for (w = 0; w < cfg->nr_windows; w++)
			printf(" %u:%u", cfg->win[w].off, cfg->win[w].len);
		printf(" ");
		print_hex(r->mem->data, r->mem->len);
		printf("\n");
		return;
	}
	printf("KTSTR-PROBE call %c %llu %llu %u %u %llu 0x%llx %u",
	       c->type == PROBE_ENTRY ? 'E' : 'X',
	       (unsigned long long)c->seq, (unsigned long long)c->call_id,
	       c->slot, c->cpu, (unsigned long long)c->ts,
	       (unsigned long long)c->ret, c->nr_args);
	for (i = 0; i < c->nr_args && i < PROBE_ARGS; i++)
		printf(" 0x%llx", (unsigned long long)c->args[i]);
	printf("\n");
}

/*
 * Written, in arrival order: the records of the named task's calls (the
 * last MAX_NAMED), and from the ring the last MAX_OUT_CALLS calls of the
 * tasks in flight on the exiting CPU when the exit fired, else of all
 * tasks.
 */
static void dump(const struct probe_bpf *skel)
{
	unsigned long first = nr_seen > MAX_KEEP ? nr_seen - MAX_KEEP : 0, k;
	unsigned long n = nr_named > MAX_NAMED ? nr_named - MAX_NAMED : 0;
	static int pids[64];
	int nr_pids = 0, p, calls = 0;
	static bool keep[MAX_KEEP];
	__u64 chosen[MAX_OUT_CALLS + PROBE_SLOTS * RAW_CALLS];
	int raw[PROBE_SLOTS] = { 0 };
	__u64 exit_seq = have_exit ? exit_rec.seq : ~0ULL;

	for (k = first; k < nr_seen; k++) {
		const struct rec *r = &ring[k % MAX_KEEP];
		bool in_flight;
		unsigned long j;

		if (r->call.type != PROBE_ENTRY || r->pid <= 0 ||
		    nr_pids >= 64 || !have_exit || r->call.cpu != exit_rec.cpu ||
		    r->call.seq >= exit_seq)
			continue;
		in_flight = true;
		for (j = k + 1; j < nr_seen; j++) {
			const struct rec *x = &ring[j % MAX_KEEP];

			if (x->call.type == PROBE_EXIT &&
			    x->call.call_id == r->call.seq &&
			    x->call.seq < exit_seq)
				in_flight = false;
		}
		if (!in_flight)
			continue;
		for (p = 0; p < nr_pids && pids[p] != r->pid; p++)
			;
		if (p == nr_pids)
			pids[nr_pids++] = r->pid;
	}
	for (k = nr_seen; k-- > first && calls < MAX_OUT_CALLS;) {
		const struct rec *r = &ring[k % MAX_KEEP];
		bool mine = !nr_pids;

		if (r->call.type != PROBE_ENTRY || r->named)
			continue;
		for (p = 0; p < nr_pids; p++)
			mine |= r->pid == pids[p];
		if (mine)
			chosen[calls++] = r->call.seq;
	}
	/* no task argument to choose them by: the last of each, any task */
	for (k = nr_seen; k-- > first;) {
		const struct rec *r = &ring[k % MAX_KEEP];
		int s = r->call.slot % PROBE_SLOTS;

		if (r->call.type == PROBE_ENTRY && !r->named && targets[s].raw &&
		    raw[s] < RAW_CALLS && r->call.seq < exit_seq) {
			chosen[calls++] = r->call.seq;
			raw[s]++;
		}
	}
	for (k = first; k < nr_seen; k++) {
		const struct rec *r = &ring[k % MAX_KEEP];

		keep[k % MAX_KEEP] = false;
		for (p = 0; !r->named && p < calls; p++)
			keep[k % MAX_KEEP] |= r->call.call_id == chosen[p];
	}
	for (p = 0; p < nr_pids; p++)
		printf("KTSTR-PROBE task %d\n", pids[p]);
	/* merge the two by arrival */
	for (k = first; k < nr_seen || n < nr_named;) {
		const struct rec *nr = n < nr_named ? &named[n % MAX_NAMED] : NULL;

		if (nr && (k >= nr_seen || nr->k < k)) {
			print_rec(nr);
			n++;
			continue;
		}
		if (keep[k % MAX_KEEP])
			print_rec(&ring[k % MAX_KEEP]);
		k++;
	}
	if (have_exit)
		printf("KTSTR-PROBE exit %llu %u %llu\n",
		       (unsigned long long)exit_rec.seq, exit_rec.cpu,
		       (unsigned long long)exit_rec.args[0]);
	printf("KTSTR-PROBE stats %lu records, %lu of the named task, %llu lost\n",
	       nr_seen, nr_named,
	       (unsigned long long)(nr_lost + skel->bss->dropped));
	printf("KTSTR-PROBE end\n");
	fflush(stdout);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static struct bpf_link *links[2 * PROBE_SLOTS + 1];
static int nr_links;

/*
 * The exit probe, then each target's entry and exit programs, one by
 * one: a target that cannot be attached (init text, a BPF program that
 * went away) must not stop the rest, and a target is probed at both
 * ends or not at all.  Not the skeleton's attach: after its first
 * failure its links stay, and a program whose target is a BPF program
 * cannot be attached a second time (EINVAL).
 */
static int attach_all(struct probe_bpf *skel)
{
	struct bpf_program *exit_prog = skel->progs.exit_tp;
	struct bpf_link *e, *x;
	int s, err;

	if (!bpf_program__autoload(exit_prog))
		exit_prog = skel->progs.exit_fentry;
	x = bpf_program__attach(exit_prog);
	if (!x) {
		printf("KTSTR-PROBE error cannot attach the exit probe %s: %s\n",
		       bpf_program__name(exit_prog), strerror(errno));
		return -1;
	}
	links[nr_links++] = x;
	for (s = 0; s < nr_targets; s++) {
		bool kp = targets[s].mech == MECH_KPROBE;

		if (kp) {
			e = bpf_program__attach_kprobe(slot_prog(skel, s, true),
						       false, targets[s].name);
			x = e ? bpf_program__attach_kprobe(slot_prog(skel, s, false),
							   true, targets[s].name) :
				NULL;
		} else {
			e = bpf_program__attach(slot_prog(skel, s, true));
			x = e ? bpf_program__attach(slot_prog(skel, s, false)) :
				NULL;
		}
		if (!x) {
			err = errno;
			bpf_link__destroy(e);
			printf("KTSTR-PROBE skip %s %s attach failed: %s%s\n",
			       targets[s].name, kp ? "kprobe" : "fentry",
			       strerror(err), kp && targets[s].notrace ?
			       " (not in available_filter_functions: without CONFIG_KPROBE_EVENTS_ON_NOTRACE the kernel refuses kprobes on notrace functions)" :
			       "");
			continue;
		}
		links[nr_links++] = e;
		links[nr_links++] = x;
	}
	if (nr_links == 1) {
		printf("KTSTR-PROBE error no function of the path could be probed\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char *kfuncs[MAX_TARGETS], *progs[MAX_TARGETS];
	const char *out = NULL, *ready = NULL;
	int nr_k = 0, nr_b = 0, opt, i, ret = 1;
	struct ring_buffer *rb = NULL;
	struct probe_bpf *skel;
	double deadline = 0;
	FILE *f;

	while ((opt = getopt(argc, argv, "o:r:c:k:K:b:v")) != -1) {
		if (opt == 'o')
			out = optarg;
		else if (opt == 'r')
			ready = optarg;
		else if (opt == 'c')
			wanted_comm = optarg;
		else if (opt == 'k' && nr_k < MAX_TARGETS)
			kfuncs[nr_k++] = optarg;
		else if (opt == 'K' && nr_forced < MAX_TARGETS)
			forced[nr_forced++] = optarg;
		else if (opt == 'b' && nr_b < MAX_TARGETS)
			progs[nr_b++] = optarg;
		else if (opt == 'v')
			verbose = true;
		else
			return 2;
	}
	if (out && !freopen(out, "w", stdout))
		return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	libbpf_set_print(print_libbpf);
	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux) {
		printf("KTSTR-PROBE error the kernel has no BTF (/sys/kernel/btf/vmlinux)\n");
		return 1;
	}
	{
		int tid = btf__find_by_name_kind(vmlinux, "task_struct",
						 BTF_KIND_STRUCT);
		long size;

		if (tid > 0) {
			member_window(tid, "pid", &task_pid_off, &size);
			member_window(tid, "comm", &task_comm_off, &size);
		}
	}
	add_struct_ops(progs, nr_b);
	mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	for (i = 0; i < nr_k; i++)
		add_kernel_target(kfuncs[i]);
	/* forced and not on the path: probed as well */
	for (i = 0; i < nr_forced; i++)
		add_kernel_target(forced[i]);
	skel = probe_bpf__open();
	if (!skel) {
		printf("KTSTR-PROBE error cannot open the probe programs\n");
		return 1;
	}
	if (choose_exit_probe(skel))
		goto out;
	configure(skel);
	print_targets();
	if (probe_bpf__load(skel)) {
		printf("KTSTR-PROBE error cannot load the probe programs: %s\n",
		       strerror(errno));
		goto out;
	}
	if (attach_all(skel))
		goto out;
	rb = ring_buffer__new(bpf_map__fd(skel->maps.records), on_record, NULL,
			      NULL);
	if (!rb) {
		printf("KTSTR-PROBE error cannot read the ring buffer: %s\n",
		       strerror(errno));
		goto out;
	}
	fflush(stdout);
	f = ready ? fopen(ready, "w") : NULL;
	if (f)
		fclose(f);
	while (!stop_signal) {
		ring_buffer__poll(rb, 50);
		if ((have_exit || skel->bss->stopped) && !deadline)
			deadline = now_ms() + GRACE_MS;
		if (deadline && now_ms() > deadline)
			break;
	}
	ring_buffer__consume(rb);
	if (!have_exit && skel->bss->stopped) {
		/* its record did not fit in the ring buffer */
		exit_rec.type = PROBE_SCHED_EXIT;
		exit_rec.seq = skel->bss->exit_seq;
		exit_rec.cpu = skel->bss->exit_cpu;
		exit_rec.args[0] = skel->bss->exit_kind;
		have_exit = true;
	}
	dump(skel);
	ret = 0;
out:
	fflush(stdout);
	while (nr_links)
		bpf_link__destroy(links[--nr_links]);
	ring_buffer__free(rb);
	probe_bpf__destroy(skel);
	return ret;
}
