// SPDX-License-Identifier: GPL-2.0
/*
 * Auto-repro: the repro VM and its AUTO-PROBE report, see repro.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backtrace.h"
#include "cache.h"
#include "decode.h"
#include "error.h"
#include "guest.h"
#include "json.h"
#include "repro.h"
#include "strbuf.h"

#define MAX_TARGETS 16
#define MAX_RECS 4096
#define GUEST_OUT "/tmp/ktstr-probe.out"
#define GUEST_READY "/tmp/ktstr-probe.ready"
#define LINE_PREFIX "KTSTR-PROBE "

/* Kernel callers of the callbacks, probed when the path is empty. */
static const char * const fallback_callers[] = {
	"enqueue_task_scx", "scx_do_enqueue_task", "dequeue_task_scx",
	"select_task_rq_scx", NULL,
};

struct target {
	char kind[8], name[128], callback[32], src[256];
	char mech[8];		/* "fentry", "kprobe"; "" for BPF */
	bool raw;		/* kprobe'd without BTF: args are registers */
	int nr_args;
	char arg_name[6][32], arg_type[6][64];
};

struct rec {
	char phase;		/* 'E', 'X' */
	unsigned long long seq, call_id, ret, args[6];
	unsigned int slot, cpu, nr_args;
	struct kt_capture cap[6];
	uint8_t *data[6];
};

struct run {
	struct target t[MAX_TARGETS];
	struct rec *r;
	size_t nr;
	unsigned long long exit_seq;
	unsigned int exit_cpu, exit_kind;
	bool have_exit, ended, failed;
	char exit_probe[256];
	struct kt_strbuf notes;
};

bool kt_repro_wanted(const char *out, bool expected_too)
{
	if (!out)
		return false;
	if (strstr(out, "was kicked out: "))
		return true;
	return expected_too && (strstr(out, ": error: ") ||
				strstr(out, ": stall: ")) &&
	       strstr(out, "# scheduler ");
}

int kt_repro_agent_path(const char *arch, char *buf, size_t len)
{
	if (kt_guest_build_path(arch, "repro-agent/ktstr-probe", buf, len))
		return -1;
	if (access(buf, X_OK))
		return kt_fail_errno("no probe agent for %s guests: %s (run '%s')",
				     arch, buf, kt_guest_make(arch));
	return 0;
}

/* -K FUNC for each function of $KTSTR_REPRO_KPROBE ("f1,f2"). */
static int forced_kprobes(char *buf, size_t len)
{
	const char *env = getenv(KT_REPRO_KPROBE_ENV), *p;
	size_t n = 0, w;

	buf[0] = '\0';
	for (p = env; p && *p; p += w) {
		p += strspn(p, ", ");
		w = strcspn(p, ", ");
		if (!w)
			break;
		if (!kt_repro_func_name_ok(p, w))
			return kt_fail("%s: '%.*s' is not a function name",
				       KT_REPRO_KPROBE_ENV, (int)w, p);
		if (n + w + 5 >= len)
			return kt_fail("%s: too long", KT_REPRO_KPROBE_ENV);
		n += snprintf(buf + n, len - n, " -K %.*s", (int)w, p);
	}
	return 0;
}

bool kt_repro_func_name_ok(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' &&
		    name[i] != '.')
			return false;
	return len > 0 && len < 128;
}

static void agent_command(const struct kt_backtrace *bt, const char *forced,
			  char *buf, size_t len)
{
	size_t n, i;

	n = snprintf(buf, len, KT_REPRO_GUEST_AGENT " -o " GUEST_OUT " -r " GUEST_READY);
	if (bt->trigger_comm[0])
		n += snprintf(buf + n, len - n, " -c %s", bt->trigger_comm);
	for (i = 0; i < bt->nr_path && n < len; i++)
		n += snprintf(buf + n, len - n, " -%c %s",
			      bt->path[i].kind == KT_FRAME_BPF ? 'b' : 'k',
			      bt->path[i].name);
	for (i = 0; !bt->nr_path && fallback_callers[i] && n < len; i++)
		n += snprintf(buf + n, len - n, " -k %s", fallback_callers[i]);
	if (n < len)
		snprintf(buf + n, len - n, "%s", forced);
}

static int unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	unsigned int v;

	while (n < max && sscanf(s, "%2x", &v) == 1) {
		out[n++] = v;
		s += 2;
	}
	return n;
}

static void parse_target(struct run *run, const char *s)
{
	struct target tg = { 0 };
	int slot, off = 0, i;

	if (sscanf(s, "%d %7s %127s %31s %255s %d%n", &slot, tg.kind, tg.name,
		   tg.callback, tg.src, &tg.nr_args, &off) < 6 ||
	    slot < 0 || slot >= MAX_TARGETS)
		return;
	s += off;
	for (i = 0; i < tg.nr_args && i < 6; i++) {
		char item[128], *colon;

		if (sscanf(s, " %127s%n", item, &off) != 1)
			break;
		s += off;
		colon = strchr(item, ':');
		if (!colon)
			continue;
		*colon = '\0';
		snprintf(tg.arg_name[i], 32, "%.31s", item);
		snprintf(tg.arg_type[i], 64, "%s", strcmp(colon + 1, "-") ?
			 colon + 1 : "");
	}
	run->t[slot] = tg;
}

/* "SLOT fentry|kprobe btf|raw WHY": how a kernel function was probed. */
static void parse_mech(struct run *run, const char *s)
{
	char mech[8], args[8];
	int slot;

	if (sscanf(s, "%d %7s %7s", &slot, mech, args) != 3 || slot < 0 ||
	    slot >= MAX_TARGETS)
		return;
	snprintf(run->t[slot].mech, sizeof(run->t[slot].mech), "%s", mech);
	run->t[slot].raw = !strcmp(args, "raw");
}

static void parse_call(struct run *run, const char *s)
{
	struct rec *r;
	int off = 0;
	unsigned int i;

	if (run->nr >= MAX_RECS)
		return;
	r = &run->r[run->nr];
	memset(r, 0, sizeof(*r));
	if (sscanf(s, "%c %llu %llu %u %u %*u %llx %u%n", &r->phase, &r->seq,
		   &r->call_id, &r->slot, &r->cpu, &r->ret, &r->nr_args,
		   &off) < 7 || r->slot >= MAX_TARGETS)
		return;
	s += off;
	for (i = 0; i < r->nr_args && i < 6; i++, s += off)
		if (sscanf(s, " %llx%n", &r->args[i], &off) != 1)
			break;
	run->nr++;
}

static void parse_mem(struct run *run, const char *s)
{
	unsigned long long seq, addr;
	unsigned int arg, nwin, w, o, l;
	struct kt_capture *c;
	char type[64];
	int off = 0;
	size_t i;

	if (sscanf(s, "%llu %u %63s %llx %u%n", &seq, &arg, type, &addr, &nwin,
		   &off) < 5 || arg >= 6 || nwin > KT_CAPTURE_MAX_WINDOWS)
		return;
	for (i = run->nr; i-- > 0;)
		if (run->r[i].seq == seq)
			break;
	if (i == (size_t)-1 || run->r[i].data[arg])
		return;
	c = &run->r[i].cap[arg];
	c->addr = addr;
	s += off;
	for (w = 0; w < nwin; w++, s += off) {
		if (sscanf(s, " %u:%u%n", &o, &l, &off) != 2)
			return;
		c->win[w].off = o;
		c->win[w].len = l;
	}
	c->nr_windows = nwin;
	while (*s == ' ')
		s++;
	run->r[i].data[arg] = malloc(strlen(s) / 2 + 1);
	if (!run->r[i].data[arg])
		return;
	c->data_len = unhex(s, run->r[i].data[arg], strlen(s) / 2);
	c->data = run->r[i].data[arg];
}

static void parse_output(struct run *run, const char *out)
{
	const char *line, *s;
	char text[256];

	for (line = out; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		s = strstr(line, LINE_PREFIX);
		if (!s || s - line > 8)
			continue;
		s += strlen(LINE_PREFIX);
		if (!strncmp(s, "target ", 7))
			parse_target(run, s + 7);
		else if (!strncmp(s, "mech ", 5))
			parse_mech(run, s + 5);
		else if (!strncmp(s, "call ", 5))
			parse_call(run, s + 5);
		else if (!strncmp(s, "mem ", 4))
			parse_mem(run, s + 4);
		else if (!strncmp(s, "exit ", 5))
			run->have_exit = sscanf(s + 5, "%llu %u %u", &run->exit_seq,
						&run->exit_cpu,
						&run->exit_kind) == 3;
		else if (!strncmp(s, "exit-probe ", 11))
			snprintf(run->exit_probe, sizeof(run->exit_probe),
				 "%.*s", (int)strcspn(s + 11, "\n"), s + 11);
		else if (!strncmp(s, "end", 3))
			run->ended = true;
		else if (!strncmp(s, "skip ", 5) || !strncmp(s, "error ", 6)) {
			run->failed |= !strncmp(s, "error ", 6);
			snprintf(text, sizeof(text), "%.*s",
				 (int)strcspn(s, "\n"), s);
			kt_sb_printf(&run->notes, "  agent: %s\n", text);
		}
	}
}

static const struct rec *exit_of(const struct run *run, const struct rec *e)
{
	size_t i;

	for (i = 0; i < run->nr; i++)
		if (run->r[i].phase == 'X' && run->r[i].call_id == e->seq)
			return &run->r[i];
	return NULL;
}

/* The task_struct argument of the innermost call in flight at the exit. */
static uint64_t in_flight_task(const struct run *run)
{
	const struct rec *x;
	uint64_t task = 0;
	size_t i;
	int a;

	for (i = 0; i < run->nr && run->have_exit; i++) {
		const struct rec *e = &run->r[i];

		if (e->phase != 'E' || e->cpu != run->exit_cpu ||
		    e->seq > run->exit_seq)
			continue;
		x = exit_of(run, e);
		if (x && x->seq < run->exit_seq)
			continue;
		for (a = 0; a < 6; a++)
			if (!strcmp(run->t[e->slot].arg_type[a], "task_struct") &&
			    e->args[a])
				task = e->args[a];
	}
	return task;
}

/*
 * The last task_struct argument captured with the comm the exit message
 * names (else its pid: pids of the first VM may differ in the repro VM,
 * comms do not).
 */
static uint64_t named_task(const struct run *run, struct kt_decoder *d,
			   const struct kt_backtrace *bt)
{
	char comm[16];
	uint64_t task = 0;
	int a, pid;
	size_t i;

	for (i = 0; i < run->nr; i++) {
		const struct rec *e = &run->r[i];

		for (a = 0; a < 6 && e->phase == 'E'; a++) {
			if (strcmp(run->t[e->slot].arg_type[a], "task_struct") ||
			    !e->data[a])
				continue;
			if (bt->trigger_comm[0] &&
			    kt_decode_member(d, "task_struct", "comm", &e->cap[a],
					     comm, sizeof(comm) - 1) > 0 &&
			    !strcmp(comm, bt->trigger_comm))
				task = e->args[a];
			else if (!bt->trigger_comm[0] && bt->trigger_pid > 0 &&
				 kt_decode_member(d, "task_struct", "pid",
						  &e->cap[a], &pid,
						  sizeof(pid)) == sizeof(pid) &&
				 pid == bt->trigger_pid)
				task = e->args[a];
		}
	}
	return task;
}

/*
 * The task that triggered the exit: the one its message names, else the
 * one in flight on the exiting CPU.  0 (all tasks) if neither is found;
 * @how says which rule picked it.
 */
static uint64_t trigger_task(const struct run *run, struct kt_decoder *d,
			     const struct kt_backtrace *bt, char *how,
			     size_t len)
{
	uint64_t task = named_task(run, d, bt);

	if (task && bt->trigger_comm[0]) {
		snprintf(how, len, "named in the exit message: comm %s",
			 bt->trigger_comm);
		return task;
	}
	if (task) {
		snprintf(how, len, "named in the exit message: pid %d",
			 bt->trigger_pid);
		return task;
	}
	task = in_flight_task(run);
	if (task) {
		snprintf(how, len, "in flight on CPU %u when the exit fired%s",
			 run->exit_cpu, bt->trigger_comm[0] || bt->trigger_pid > 0 ?
			 "; the task the message names was not seen" : "");
		return task;
	}
	snprintf(how, len, "none: %s and no call was in flight on CPU %u; all tasks",
		 bt->trigger_comm[0] || bt->trigger_pid > 0 ?
		 "the task the message names was not seen" :
		 "the message names no task", run->exit_cpu);
	return 0;
}

static bool has_task_arg(const struct run *run, const struct rec *e,
			 uint64_t task)
{
	int a;

	for (a = 0; a < 6; a++)
		if (!strcmp(run->t[e->slot].arg_type[a], "task_struct") &&
		    e->args[a] == task)
			return true;
	return false;
}

/*
 * A call of @task: one with it as an argument; a call without typed
 * arguments (kprobe'd without BTF) made on the same CPU while one of
 * those was in flight.
 */
static bool involves(const struct run *run, const struct rec *e,
		     uint64_t task)
{
	const struct rec *o, *x;

	if (!task)
		return true;
	if (!run->t[e->slot].raw)
		return has_task_arg(run, e, task);
	for (o = e; o-- > run->r;) {
		if (o->phase != 'E' || o->cpu != e->cpu || run->t[o->slot].raw ||
		    !has_task_arg(run, o, task))
			continue;
		x = exit_of(run, o);
		if (!x || x->seq > e->seq)
			return true;
	}
	return false;
}

/* A kernel address or register: a string, as it may not fit an int64. */
static json_t *hex_value(unsigned long long v)
{
	char hex[24];

	snprintf(hex, sizeof(hex), "0x%llx", v);
	return json_string(hex);
}

/*
 * Argument @a of call @e (to @t, returning @x) into @text and as its
 * JSON value: the struct it points to as decoded, else the scalar.
 */
static json_t *report_arg(struct kt_decoder *d, const struct target *t,
			  const struct rec *e, const struct rec *x, int a,
			  const char *name, struct kt_strbuf *text)
{
	char val[256];
	json_t *value;

	if (t->arg_type[a][0] && e->data[a]) {
		kt_sb_printf(text, "      %s *%s = 0x%llx\n", t->arg_type[a],
			     name, e->args[a]);
		/* A struct BTF does not have: its text says nothing more. */
		if (kt_decode_struct(d, t->arg_type[a], &e->cap[a],
				     x && x->data[a] ? &x->cap[a] : NULL,
				     "        ", text, &value) < 0)
			value = json_null();
		return value;
	}
	kt_decode_scalar(d, name, e->args[a], val, sizeof(val));
	kt_sb_printf(text, "      %s=%s\n", name, val);
	return kt_json_text(val);
}

/* Call @e, the @n-th shown, into @text and appended to @calls; false if out of memory. */
static bool report_call(struct run *run, struct kt_decoder *d,
			const struct rec *e, int n, struct kt_strbuf *text,
			json_t *calls)
{
	const struct target *t = &run->t[e->slot];
	const struct rec *x = exit_of(run, e);
	bool kp = !strcmp(t->mech, "kprobe");
	json_t *call, *args = json_array();
	char raw_name[8];
	int a;

	kt_sb_printf(text, "  #%d %s%s%s%s %s, CPU %u%s\n", n, t->name,
		     strcmp(t->callback, "-") ? " [ops." : "",
		     strcmp(t->callback, "-") ? t->callback : "",
		     strcmp(t->callback, "-") ? "]" : "",
		     strcmp(t->src, "-") ? t->src :
		     kp ? "(kernel, kprobe)" : "(kernel)", e->cpu,
		     !x ? ", no exit recorded" :
		     x->seq > run->exit_seq ? ", returned after the exit fired" : "");
	call = json_pack("{s:o, s:o, s:o, s:o, s:o, s:I}",
			 "function", kt_json_text(t->name),
			 "kind", kt_json_text(t->kind),
			 "mechanism", kt_json_text(t->mech[0] ? t->mech : "fentry"),
			 "callback", kt_json_text(t->callback),
			 "source", kt_json_text(t->src),
			 "cpu", (json_int_t)e->cpu);
	if (t->raw) {
		/* no prototype: the argument registers, the return value */
		kt_sb_printf(text, "      raw args (no BTF prototype):");
		for (a = 0; a < t->nr_args && a < 6; a++)
			kt_sb_printf(text, " arg%d=0x%llx", a, e->args[a]);
		if (x)
			kt_sb_printf(text, "\n      returned 0x%llx\n", x->ret);
		else
			kt_sb_printf(text, "\n");
		if (json_object_set_new(call, "raw", json_true()) ||
		    json_object_set_new(call, "ret",
					x ? hex_value(x->ret) : json_null())) {
			json_decref(call);
			call = NULL;
		}
	}
	for (a = 0; a < t->nr_args && a < 6; a++) {
		const char *name = t->arg_name[a][0] &&
				   strcmp(t->arg_name[a], "-") ?
				   t->arg_name[a] : "arg";

		if (t->raw) {
			snprintf(raw_name, sizeof(raw_name), "arg%d", a);
			args = kt_json_append(args, json_pack("{s:s, s:o}",
					"name", raw_name,
					"value", hex_value(e->args[a])));
			continue;
		}
		args = kt_json_append(args, json_pack("{s:o, s:o}",
				"name", kt_json_text(name),
				"value", report_arg(d, t, e, x, a, name, text)));
	}
	if (json_object_set_new(call, "args", args)) {
		json_decref(call);
		return false;
	}
	return !json_array_append_new(calls, call);
}

/*
 * The calls of functions kprobe'd without BTF that are not the task's
 * (they have no task argument): the last the agent wrote of each.
 */
static json_t *report_raw_calls(struct run *run, struct kt_decoder *d,
				uint64_t task, struct kt_strbuf *text)
{
	json_t *calls = json_array();
	bool ok = calls;
	int n = 0;
	size_t i;

	for (i = 0; i < run->nr; i++) {
		const struct rec *e = &run->r[i];

		if (e->phase != 'E' || !run->t[e->slot].raw ||
		    e->seq >= run->exit_seq || (task && involves(run, e, task)))
			continue;
		if (!n)
			kt_sb_printf(text, "  calls of functions kprobe'd without BTF, of any task (no task argument):\n");
		ok = report_call(run, d, e, ++n, text, calls) && ok;
	}
	if (ok)
		return calls;
	json_decref(calls);
	return NULL;
}

/* Why there is no probe report, for the JSON: NULL if there is one. */
static const char *no_report(const struct run *run,
			     const struct kt_decoder *d)
{
	if (!d)
		return "no BTF";
	if (!run->ended)
		return run->failed ? "agent failed" : "agent did not finish";
	return run->have_exit ? NULL : "no exit in the repro VM";
}

/* @d: the kernel's BTF, NULL if it has none (kt_errmsg() says why). */
static void build_report(struct run *run, const struct kt_backtrace *bt,
		   struct kt_decoder *d, double wall_s, struct kt_repro_result *res)
{
	struct kt_strbuf text = { 0 };
	json_t *report, *path = json_array(), *calls, *raw_calls;
	const char *error = no_report(run, d);
	uint64_t task = 0;
	char how[160];
	size_t i, first = 0;
	int n = 0, shown = 0;
	bool ok;

	kt_sb_printf(&text, "AUTO-PROBE: scheduler %s exited (%s); repro VM wall time %.1fs\n",
		     bt->ops, bt->reason, wall_s);
	kt_sb_printf(&text, "  crash path (kernel log backtrace, outermost first):%s",
		     bt->nr_path ? "" : " empty (only generic frames); probing the scheduler's callbacks and their kernel callers");
	for (i = 0; i < bt->nr_path; i++) {
		kt_sb_printf(&text, "%s%s%s%s%s", i ? " -> " : " ", bt->path[i].name,
			     bt->path[i].callback[0] ? " [ops." : "",
			     bt->path[i].callback, bt->path[i].callback[0] ? "]" : "");
		path = kt_json_append(path, kt_json_text(bt->path[i].name));
	}
	report = json_pack("{s:o, s:o, s:o, s:o}",
			   "scheduler", kt_json_text(bt->ops),
			   "reason", kt_json_text(bt->reason),
			   "repro_vm_s", kt_json_real(wall_s, 3), "path", path);
	ok = report;
	kt_sb_printf(&text, "\n  exit probe: %s\n", run->exit_probe[0] ?
		     run->exit_probe : "none (the agent did not report)");
	kt_sb_printf(&text, "%s", kt_sb_str(&run->notes));
	if (!d || !run->ended) {
		kt_sb_printf(&text, "  no probe report: %s\n", !d ? kt_errmsg() :
			     run->failed ? "the agent failed (its error above)" :
			     "the agent did not finish (see the repro VM's output)");
	} else if (!run->have_exit) {
		kt_sb_printf(&text, "  no probe report: the scheduler did not exit in the repro VM\n");
	} else {
		task = trigger_task(run, d, bt, how, sizeof(how));
		for (i = 0; i < run->nr; i++)
			if (run->r[i].phase == 'E' && involves(run, &run->r[i], task))
				n++;
		for (i = 0; i < run->nr && n > 12; i++)
			if (run->r[i].phase == 'E' && involves(run, &run->r[i], task) &&
			    n-- > 12)
				first = i + 1;
		kt_sb_printf(&text, "  exit fired: kind %u on CPU %u\n",
			     run->exit_kind, run->exit_cpu);
		kt_sb_printf(&text, "  triggering task 0x%llx, %s\n",
			     (unsigned long long)task, how);
		kt_sb_printf(&text, "  its calls, in call order (entry -> exit):\n");
		calls = json_array();
		ok = calls && ok;
		for (i = first; i < run->nr; i++)
			if (run->r[i].phase == 'E' && run->r[i].seq < run->exit_seq &&
			    involves(run, &run->r[i], task))
				ok = report_call(run, d, &run->r[i], ++shown,
						 &text, calls) && ok;
		if (!shown)
			kt_sb_printf(&text, "  none recorded before the exit\n");
		raw_calls = report_raw_calls(run, d, task, &text);
		/* '|': each call takes its value, so every one must run. */
		if (json_object_set_new(report, "exit_kind",
					json_integer(run->exit_kind)) |
		    json_object_set_new(report, "exit_cpu",
					json_integer(run->exit_cpu)) |
		    json_object_set_new(report, "task", hex_value(task)) |
		    json_object_set_new(report, "task_rule", kt_json_text(how)) |
		    json_object_set_new(report, "calls", calls) |
		    json_object_set_new(report, "raw_calls", raw_calls))
			ok = false;
	}
	if (error)
		ok = !json_object_set_new(report, "error", json_string(error)) &&
		     ok;
	res->text = kt_sb_take(&text);
	/* NULL if out of memory: the caller says so. */
	res->json = ok ? json_dumps(report, KT_JSON_FLAGS) : NULL;
	json_decref(report);
}

static int skip_report(struct kt_repro_result *res)
{
	struct kt_strbuf t = { 0 };

	kt_sb_printf(&t, "AUTO-PROBE: skipped: %s\n", kt_errmsg());
	res->text = kt_sb_take(&t);
	return res->text ? 0 : kt_fail("out of memory");
}

/* The report of the repro VM's output @out, see kt_repro_report(). */
static int report_output(const struct kt_backtrace *bt, const char *out,
			 const char *vm_problem, struct kt_decoder *d,
			 double wall_s, struct kt_repro_result *res)
{
	struct run run = { 0 };
	size_t i, a;

	run.r = calloc(MAX_RECS, sizeof(*run.r));
	if (!run.r)
		return kt_fail("out of memory");
	if (vm_problem)
		kt_sb_printf(&run.notes, "  repro VM: %s\n", vm_problem);
	parse_output(&run, out);
	res->wall_s = wall_s;
	build_report(&run, bt, d, wall_s, res);
	for (i = 0; i < run.nr; i++)
		for (a = 0; a < 6; a++)
			free(run.r[i].data[a]);
	free(run.r);
	kt_sb_free(&run.notes);
	if (!res->text || !res->json) {
		kt_repro_result_free(res);
		return kt_fail("out of memory");
	}
	return 0;
}

int kt_repro_report(const char *test_output, const char *vm_output,
		    const char *vmlinux, double wall_s,
		    struct kt_repro_result *res)
{
	struct kt_decoder *d = kt_decoder_open(vmlinux);
	int ret;

	/* Without an exit report kt_errmsg() says that, not d's error. */
	ret = kt_repro_report_btf(test_output, vm_output, d, wall_s, res);
	kt_decoder_free(d);
	return ret;
}

int kt_repro_report_btf(const char *test_output, const char *vm_output,
			struct kt_decoder *d, double wall_s,
			struct kt_repro_result *res)
{
	struct kt_backtrace bt;

	memset(res, 0, sizeof(*res));
	if (kt_bt_parse(test_output, NULL, &bt))
		return skip_report(res);
	return report_output(&bt, vm_output, NULL, d, wall_s, res);
}

int kt_repro_run(const struct kt_vm_opts *vm, const char *command,
		 const char *test_output, const char *vmlinux,
		 struct kt_repro_result *res)
{
	char agent[4096], forced[1024], *cmd, *out = NULL, problem[600];
	struct kt_vm_opts vo = *vm;
	struct kt_decoder *d;
	struct kt_backtrace bt;
	struct kt_vm_result vr;
	size_t len;
	int ret;

	memset(res, 0, sizeof(*res));
	if (kt_bt_parse(test_output, NULL, &bt))
		return skip_report(res);
	if (forced_kprobes(forced, sizeof(forced)))
		return -1;
	agent_command(&bt, forced, agent, sizeof(agent));
	len = strlen(command) + strlen(agent) + 256;
	cmd = malloc(len);
	if (!cmd)
		return kt_fail("out of memory");
	snprintf(cmd, len, "export KTSTR_PROBE_AGENT='%s' KTSTR_PROBE_READY=" GUEST_READY
		 "; %s; s=$?; cat " GUEST_OUT "; exit $s", agent, command);
	vo.command = cmd;
	vo.capture_stdout = &out;
	vo.log_dir = NULL;
	vo.observer = NULL;	/* the first VM's monitor is gone */
	if (kt_vm_run(&vo, &vr)) {
		free(cmd);
		return -1;
	}
	snprintf(problem, sizeof(problem), "%s: %s",
		 kt_vm_outcome_name(vr.outcome), vr.detail);
	d = kt_decoder_open(vmlinux);
	ret = report_output(&bt, out, vr.outcome == KT_VM_EXITED ? NULL :
			    problem, d, vr.wall_s, res);
	kt_decoder_free(d);
	free(out);
	free(cmd);
	return ret;
}

void kt_repro_result_free(struct kt_repro_result *res)
{
	free(res->text);
	free(res->json);
	memset(res, 0, sizeof(*res));
}
