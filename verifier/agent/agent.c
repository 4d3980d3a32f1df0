// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr-verifier: run a BPF scheduler and record what the verifier spent
 * on each BPF program it loads (Documentation/verifier.md).
 *
 *   ktstr-verifier [--ready-timeout S] [--while-loaded CMD] BIN [ARG...]
 *
 * BIN runs under ptrace, with a seccomp filter that stops it at each
 * bpf(BPF_PROG_LOAD) and nowhere else.  At that stop the load gets the
 * verifier's statistics (log_level BPF_LOG_STATS): in a log buffer of
 * our own, placed on the loading thread's stack below the x86-64 red
 * zone (memory the ABI lets a signal handler clobber at any time, so
 * the program keeps nothing there), or in the loader's own buffer when
 * it asked for a log.  At the syscall's exit the log is read, the
 * loader's attributes are put back as they were, and the new program's
 * id and verified_insns are read from a copy of its fd (pidfd_getfd).
 *
 * Once /sys/kernel/sched_ext/state says "enabled", the programs whose
 * ids are still loaded are the scheduler's (libbpf's feature probes are
 * loaded and closed at once); CMD runs, then BIN gets SIGINT.  One
 * record a program, then one for the run, go to $KTSTR_RESULTS (stdout
 * without it), as JSON objects of type "verifier".  BIN's stdout goes
 * to stderr: stdout is for the records and CMD.
 *
 * Exit status: 0 if the scheduler was enabled and every program it kept
 * was read, 1 otherwise (the reason on stderr), 2 on bad arguments.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "stats.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifndef __x86_64__
#error "ktstr-verifier reads x86-64 registers"
#endif

#define SCX_STATE "/sys/kernel/sched_ext/state"
#define SCX_OPS "/sys/kernel/sched_ext/root/ops"
#define SCX_ENABLE_SEQ "/sys/kernel/sched_ext/enable_seq"
/* Statistics take a few lines, one more per subprogram (7.x). */
#define LOG_SIZE (32u << 10)
#define RED_ZONE 128
#define MAX_LOADS 1024
#define MAX_THREADS 256
#define POLL_NS (20 * 1000 * 1000)
#define STOP_TIMEOUT_S 30
/*
 * BPF_COMMON_ATTRS (7.x): a flag in the command, which then carries
 * common attributes, a log among them.  Not in older uapi headers.
 */
#define COMMON_ATTRS (1u << 16)
#define CMD_MASK 0xffff
/* The verifier's statistics (kernel-internal, include/linux/bpf_verifier.h). */
#define LOG_STATS 4
#define LOG_MASK 15

#ifndef offsetofend
#define offsetofend(T, m) (offsetof(T, m) + sizeof(((T *)0)->m))
#endif
/* The start of union bpf_attr for BPF_PROG_LOAD, up to prog_name. */
#define ATTR_LOG_END offsetofend(union bpf_attr, log_buf)
#define ATTR_NAME_END offsetofend(union bpf_attr, prog_name)
/* The kernel writes the log's true size back if the attributes hold it. */
#define ATTR_TRUE_SIZE_END offsetofend(union bpf_attr, log_true_size)

/* One bpf(BPF_PROG_LOAD) of the tracee. */
struct load {
	struct kt_verifier_prog prog;	/* what is recorded */
	unsigned int prog_type;
	long ret;			/* fd, or -errno */
	bool kept;			/* still loaded once enabled */
};

/* A load between its seccomp stop and its syscall-exit stop. */
struct pending {
	pid_t tid;
	struct load *load;
	unsigned long attr_addr;	/* the loader's union bpf_attr */
	union bpf_attr saved;		/* its log fields, to put back */
	bool has_true_size;		/* it holds log_true_size */
	bool own_log;			/* the log is ours, not the loader's */
	unsigned long log_addr, log_size;
};

static struct load loads[MAX_LOADS];
static unsigned int nr_loads;
static struct pending pending[MAX_THREADS];
/* Every traced thread alive, to kill them all if BIN will not stop. */
static pid_t seen[MAX_THREADS * 4];
static unsigned int nr_seen;
/* Loads not read: over MAX_LOADS, or more than MAX_THREADS at once. */
static unsigned int nr_unread;
/* Threads not tracked: more than ARRAY_SIZE(seen) at once. */
static unsigned int nr_untracked;

static int usage(FILE *out, int status)
{
	fprintf(out, "Usage: ktstr-verifier [--ready-timeout S] [--while-loaded CMD] BIN [ARG...]\n");
	return status;
}

static int mem_read(pid_t tid, unsigned long addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)addr, len };

	return process_vm_readv(tid, &local, 1, &remote, 1, 0) == (ssize_t)len ?
	       0 : -1;
}

static int mem_write(pid_t tid, unsigned long addr, const void *buf,
		     size_t len)
{
	struct iovec local = { (void *)buf, len }, remote = { (void *)addr, len };

	return process_vm_writev(tid, &local, 1, &remote, 1, 0) == (ssize_t)len ?
	       0 : -1;
}

/*
 * Is [addr, addr + len) inside the writable mapping that holds @sp, the
 * thread's stack?  Anything else below the stack pointer (a small thread
 * stack's neighbour) may hold the program's data.
 */
static bool on_stack(pid_t tid, unsigned long sp, unsigned long addr,
		     unsigned long len)
{
	unsigned long lo, hi;
	char path[64], line[512], perms[8];
	bool found = false, ok = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", tid);
	f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 ||
		    sp < lo || sp >= hi)
			continue;
		found = true;
		ok = perms[1] == 'w' && addr >= lo && addr + len <= hi;
	}
	if (f)
		fclose(f);
	return ok;
}

static struct pending *pending_of(pid_t tid, bool create)
{
	struct pending *free_slot = NULL;
	unsigned int i;

	for (i = 0; i < MAX_THREADS; i++) {
		if (pending[i].tid == tid)
			return &pending[i];
		if (!pending[i].tid && !free_slot)
			free_slot = &pending[i];
	}
	if (create && free_slot) {
		memset(free_slot, 0, sizeof(*free_slot));
		free_slot->tid = tid;
	}
	return create ? free_slot : NULL;
}

/* The kernel's own check of a load's log (kernel/bpf/log.c). */
static bool log_attr_valid(const union bpf_attr *attr)
{
	return !!attr->log_buf == !!attr->log_size &&
	       (!attr->log_buf || attr->log_level) &&
	       !(attr->log_level & ~LOG_MASK) && attr->log_size <= UINT32_MAX >> 2;
}

static void note(struct load *l, const char *what)
{
	snprintf(l->prog.note, sizeof(l->prog.note), "%s", what);
}

/* A buffer of ours on the thread's stack, for statistics only. */
static int own_log(struct pending *p, const struct user_regs_struct *r,
		   union bpf_attr *attr)
{
	const char nul = 0;

	p->log_addr = (r->rsp - RED_ZONE - LOG_SIZE) & ~15ul;
	p->log_size = LOG_SIZE;
	if (!on_stack(p->tid, r->rsp, p->log_addr, LOG_SIZE) ||
	    mem_write(p->tid, p->log_addr, &nul, 1)) {
		note(p->load, "no room for a log below the stack pointer");
		p->log_addr = 0;
		return -1;
	}
	attr->log_buf = p->log_addr;
	attr->log_size = LOG_SIZE;
	/* A level the loader set without a buffer would fill ours. */
	attr->log_level = LOG_STATS;
	p->own_log = true;
	return 0;
}

/*
 * Point the load's log at a buffer of ours, or add statistics to its own.
 * Attributes the kernel refuses stay as they are, and so does a loader's
 * question for its log's size (a level, no buffer, room for the answer):
 * either way the load's outcome is the loader's own.
 */
static void ask_for_stats(struct pending *p, const struct user_regs_struct *r,
			  union bpf_attr *attr)
{
	struct load *l = p->load;

	if (!log_attr_valid(attr)) {
		note(l, "the kernel refuses the load's log attributes");
		return;
	}
	if (attr->log_buf) {
		p->log_addr = attr->log_buf;
		p->log_size = attr->log_size;
		attr->log_level |= LOG_STATS;
	} else if (attr->log_level && p->has_true_size) {
		note(l, "the loader asks for its log's size only");
		return;
	} else if (own_log(p, r, attr)) {
		return;
	}
	if (mem_write(p->tid, p->attr_addr, attr, ATTR_LOG_END)) {
		snprintf(l->prog.note, sizeof(l->prog.note),
			 "cannot write the load's attributes: %s",
			 strerror(errno));
		p->log_addr = 0;
	}
}

/* struct bpf_common_attr (7.x), not in older uapi headers. */
struct common_attr {
	__u64 log_buf;
	__u32 log_size, log_level, log_true_size;
};

/*
 * Does the load carry a log in its common attributes (7.x, bpf()'s 4th
 * and 5th arguments)?  The kernel refuses two different logs, so such a
 * load keeps its own; one whose common attributes cannot be read fails
 * in the kernel too (EFAULT).
 */
static bool common_log(pid_t tid, const struct user_regs_struct *r,
		       struct load *l)
{
	struct common_attr common = { 0 };
	size_t size = r->r8 < sizeof(common) ? r->r8 : sizeof(common);

	if (!(r->rdi & COMMON_ATTRS) || !size)
		return false;
	if (mem_read(tid, r->r10, &common, size)) {
		note(l, "cannot read the load's common attributes");
		return true;
	}
	if (common.log_buf)
		note(l, "the loader logs through common attributes");
	return common.log_buf;
}

/* bpf(cmd, attr, size, common, common_size) at its seccomp stop. */
static void on_load_entry(pid_t tid)
{
	struct user_regs_struct r;
	union bpf_attr attr;
	struct pending *p;
	struct load *l;

	if (ptrace(PTRACE_GETREGS, tid, NULL, &r) ||
	    (r.rdi & CMD_MASK) != BPF_PROG_LOAD || r.rdx < ATTR_NAME_END)
		return;
	p = nr_loads < MAX_LOADS ? pending_of(tid, true) : NULL;
	if (!p) {
		nr_unread++;
		return;
	}
	l = &loads[nr_loads++];
	memset(l, 0, sizeof(*l));
	p->load = l;
	p->attr_addr = r.rsi;
	p->log_addr = 0;
	p->own_log = false;
	p->has_true_size = r.rdx >= ATTR_TRUE_SIZE_END;
	memset(&attr, 0, sizeof(attr));
	if (mem_read(tid, r.rsi, &attr, ATTR_NAME_END)) {
		note(l, "cannot read the load's attributes");
		p->attr_addr = 0;
		return;
	}
	snprintf(l->prog.name, sizeof(l->prog.name), "%.*s",
		 (int)sizeof(attr.prog_name), attr.prog_name);
	l->prog_type = attr.prog_type;
	memcpy(&p->saved, &attr, ATTR_LOG_END);
	if (common_log(tid, &r, l)) {
		p->attr_addr = 0;
		return;
	}
	ask_for_stats(p, &r, &attr);
}

static void read_stats(struct pending *p)
{
	struct load *l = p->load;
	char *log = calloc(1, p->log_size + 1), err[200];

	if (!log || mem_read(p->tid, p->log_addr, log, p->log_size)) {
		snprintf(l->prog.note, sizeof(l->prog.note), "cannot read the verifier log");
	} else if (kt_verifier_parse_stats(log, p->log_size, &l->prog.stats, err,
					   sizeof(err))) {
		snprintf(l->prog.note, sizeof(l->prog.note), "%.150s", err);
	} else {
		l->prog.has_stats = true;
	}
	free(log);
}

/*
 * The kernel keeps 15 bytes of a program's name; its BTF has the whole
 * function name, which bpftool shows too.  Kept as it is if there is none.
 */
static void full_name(int fd, const struct bpf_prog_info *info, char *name,
		      size_t len)
{
	struct bpf_func_info func = { 0 };
	struct bpf_prog_info one = { 0 };
	__u32 one_len = sizeof(one);
	const struct btf_type *t;
	struct btf *btf;

	if (strlen(name) < BPF_OBJ_NAME_LEN - 1 || !info->btf_id ||
	    !info->nr_func_info)
		return;
	one.nr_func_info = 1;
	one.func_info_rec_size = sizeof(func);
	one.func_info = (unsigned long)&func;
	if (bpf_prog_get_info_by_fd(fd, &one, &one_len))
		return;
	btf = btf__load_from_kernel_by_id(info->btf_id);
	t = btf ? btf__type_by_id(btf, func.type_id) : NULL;
	if (t && t->name_off)
		snprintf(name, len, "%s", btf__name_by_offset(btf, t->name_off));
	btf__free(btf);
}

/* The program's id and verified_insns, from a copy of the tracee's fd. */
static void read_info(pid_t tgid, struct load *l)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int pidfd, fd;

	pidfd = pidfd_open(tgid, 0);
	fd = pidfd >= 0 ? pidfd_getfd(pidfd, l->ret, 0) : -1;
	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_prog_get_info_by_fd(fd, &info, &len)) {
		snprintf(l->prog.note, sizeof(l->prog.note), "cannot read the program's info: %s",
			 strerror(errno));
	} else {
		l->prog.id = info.id;
		l->prog.verified_insns = info.verified_insns;
		l->prog.has_info = true;
		full_name(fd, &info, l->prog.name, sizeof(l->prog.name));
	}
	if (fd >= 0)
		close(fd);
	if (pidfd >= 0)
		close(pidfd);
}

static pid_t tgid_of(pid_t tid)
{
	char path[64], line[128];
	pid_t tgid = tid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	if (f)
		fclose(f);
	return tgid;
}

/*
 * The loader's log fields as they were.  With a log of ours, the kernel
 * wrote its size to log_true_size where the loader's would have got 0
 * (no level, or no room for the size: see ask_for_stats()).  With the
 * loader's own log, the kernel's size stands: it is that log's.
 */
static void restore_attr(pid_t tid, const struct pending *p)
{
	const __u32 no_log = 0;

	mem_write(tid, p->attr_addr, &p->saved, ATTR_LOG_END);
	if (p->own_log && p->has_true_size)
		mem_write(tid, p->attr_addr + offsetof(union bpf_attr, log_true_size),
			  &no_log, sizeof(no_log));
}

static void on_load_exit(pid_t tid)
{
	struct pending *p = pending_of(tid, false);
	struct user_regs_struct r;

	if (!p || !p->load)
		return;
	if (!ptrace(PTRACE_GETREGS, tid, NULL, &r)) {
		p->load->ret = (long)r.rax;
		if (p->log_addr)
			read_stats(p);
		if (p->attr_addr)
			restore_attr(tid, p);
		if (p->load->ret >= 0)
			read_info(tgid_of(tid), p->load);
	}
	p->tid = 0;
}

static void track(pid_t tid)
{
	unsigned int i;

	for (i = 0; i < nr_seen; i++)
		if (seen[i] == tid)
			return;
	if (nr_seen < ARRAY_SIZE(seen))
		seen[nr_seen++] = tid;
	else
		nr_untracked++;
}

/* @tid exited: its id may come back as a new thread's. */
static void forget(pid_t tid)
{
	struct pending *p = pending_of(tid, false);
	unsigned int i;

	if (p)
		p->tid = 0;
	for (i = 0; i < nr_seen; i++) {
		if (seen[i] == tid) {
			seen[i] = seen[--nr_seen];
			break;
		}
	}
}

static bool stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
	       sig == SIGTTOU;
}

/*
 * Handle one ptrace stop and let the thread go on.  Under PTRACE_SEIZE a
 * new thread's first stop and a group-stop are PTRACE_EVENT_STOP: the
 * first with SIGTRAP (so is the wakeup of a group-stop by SIGCONT), a
 * group-stop with its stop signal, which leaves the thread stopped
 * (PTRACE_LISTEN) as it would be untraced.  Any other signal is
 * delivered.
 */
static void on_stop(pid_t tid, int status)
{
	int sig = WSTOPSIG(status), event = status >> 16;
	enum __ptrace_request next = PTRACE_CONT;

	track(tid);
	if (event == PTRACE_EVENT_SECCOMP) {
		on_load_entry(tid);
		next = PTRACE_SYSCALL;	/* to its exit stop */
		sig = 0;
	} else if (sig == (SIGTRAP | 0x80)) {
		on_load_exit(tid);
		sig = 0;
	} else if (event == PTRACE_EVENT_STOP) {
		if (stop_signal(sig))
			next = PTRACE_LISTEN;
		sig = 0;
	} else if (event) {
		sig = 0;
	}
	ptrace(next, tid, NULL, (void *)(long)sig);
}

/* Only bpf(BPF_PROG_LOAD, ...) stops the tracee; anything else runs. */
static int install_filter(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bpf, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, CMD_MASK),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BPF_PROG_LOAD, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { ARRAY_SIZE(f), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* BIN's side of start_traced(): waits until it is traced, then execs. */
static void exec_traced(char **argv, int go)
{
	char byte;

	/* Our stdout is the report's and --while-loaded's. */
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0 ||
	    read(go, &byte, 1) || install_filter()) {
		perror("ktstr-verifier: tracing");
		_exit(127);
	}
	execv(argv[0], argv);
	fprintf(stderr, "ktstr-verifier: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/*
 * BIN, seized (PTRACE_SEIZE) before it installs its seccomp filter and
 * execs: its side waits for the end of a pipe that this side closes
 * once it traces it.
 */
static pid_t start_traced(char **argv)
{
	int go[2];
	pid_t pid;

	if (pipe2(go, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		close(go[1]);
		exec_traced(argv, go[0]);
	}
	close(go[0]);
	if (ptrace(PTRACE_SEIZE, pid, NULL,
		   (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE |
				  PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
				  PTRACE_O_TRACEEXEC | PTRACE_O_TRACESECCOMP |
				  PTRACE_O_EXITKILL))) {
		perror("ktstr-verifier: ptrace");
		kill(pid, SIGKILL);
		close(go[1]);
		return -1;
	}
	close(go[1]);
	track(pid);
	return pid;
}

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, len, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
}

/* sched_ext's count of enables; read before BIN starts. */
static unsigned long long enable_seq_before;

static unsigned long long enable_seq(void)
{
	char seq[32];

	read_line(SCX_ENABLE_SEQ, seq, sizeof(seq));
	return strtoull(seq, NULL, 10);
}

/*
 * Enabled now, or since BIN started: a scheduler the kernel ejects at
 * once may be gone before the next poll, but it was enabled all the same.
 */
static bool scx_enabled(void)
{
	char state[32];

	read_line(SCX_STATE, state, sizeof(state));
	return !strcmp(state, "enabled") || enable_seq() > enable_seq_before;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Serve ptrace stops until @until says so, @deadline passes (-1) or
 * @main exits (1, *@status set).  @child, if not 0, is a plain child
 * whose exit ends the wait too (2, *@status set).
 */
struct wait_for {
	pid_t main, child;
	bool (*until)(void);
	double deadline;
};

static int serve(const struct wait_for *w, int *status)
{
	struct timespec poll = { 0, POLL_NS };
	int st;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &st, __WALL | WNOHANG);
		if (pid > 0 && WIFSTOPPED(st)) {
			on_stop(pid, st);
			continue;
		}
		if (pid > 0 && (pid == w->main || pid == w->child) &&
		    (WIFEXITED(st) || WIFSIGNALED(st))) {
			*status = st;
			return pid == w->main ? 1 : 2;
		}
		if (pid > 0) {
			forget(pid);
			continue;
		}
		if (w->until && w->until())
			return 0;
		if (now_s() > w->deadline)
			return -1;
		nanosleep(&poll, NULL);
	}
}

/* Which loads are still there: the scheduler's programs. */
static unsigned int mark_kept(void)
{
	unsigned int i, kept = 0;
	int fd;

	for (i = 0; i < nr_loads; i++) {
		if (!loads[i].prog.id)
			continue;
		fd = bpf_prog_get_fd_by_id(loads[i].prog.id);
		loads[i].kept = fd >= 0;
		kept += fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	return kept;
}

static void emit(FILE *out, json_t *rec)
{
	char *text = json_dumps(rec, JSON_COMPACT);

	if (text)
		fprintf(out, "%s\n", text);
	free(text);
	json_decref(rec);
}

static json_t *program_record(struct load *l)
{
	const char *type = libbpf_bpf_prog_type_str(l->prog_type);
	json_t *o;

	snprintf(l->prog.prog_type, sizeof(l->prog.prog_type), "%s",
		 type ? type : "unknown");
	l->prog.loaded = l->ret >= 0;
	if (l->ret < 0)
		snprintf(l->prog.error, sizeof(l->prog.error), "%s",
			 strerror(-l->ret));
	o = kt_verifier_prog_json(&l->prog);
	json_object_set_new(o, "type", json_string("verifier"));
	json_object_set_new(o, "kind", json_string("program"));
	return o;
}

/*
 * Once the scheduler is enabled, its programs are those still loaded;
 * before, the loads the verifier rejected (with their figures) say why
 * it was not.  A load that failed before the verifier ran (a feature
 * probe's EINVAL) has no figures and is left out with the probes.
 */
static bool reported(const struct load *l, bool enabled)
{
	return enabled ? l->kept : l->ret < 0 && l->prog.has_stats;
}

/*
 * A kept program must have both figures, and they must agree: the log's
 * processed count and verified_insns are the same kernel counter.
 */
static bool figures_agree(const struct load *l)
{
	const struct kt_verifier_prog *p = &l->prog;

	if (p->has_stats && p->has_info &&
	    p->stats.processed_insns == p->verified_insns)
		return true;
	fprintf(stderr, "ktstr-verifier: program %s (id %lu): %s\n", p->name,
		p->id, !p->has_stats || !p->has_info ? p->note :
		"the log's processed count differs from verified_insns");
	return false;
}

static int write_records(FILE *out, const char *ops, bool enabled,
			 unsigned int kept)
{
	unsigned int i, bad = 0;
	json_t *run;

	for (i = 0; i < nr_loads; i++) {
		if (!reported(&loads[i], enabled))
			continue;
		bad += loads[i].kept && !figures_agree(&loads[i]);
		emit(out, program_record(&loads[i]));
	}
	run = json_object();
	json_object_set_new(run, "type", json_string("verifier"));
	json_object_set_new(run, "kind", json_string("run"));
	json_object_set_new(run, "enabled", json_boolean(enabled));
	json_object_set_new(run, "ops", json_string(ops));
	json_object_set_new(run, "loads", json_integer(nr_loads));
	json_object_set_new(run, "kept", json_integer(kept));
	emit(out, run);
	fflush(out);
	return bad;
}

/*
 * CMD runs as long as it takes: the VM's --timeout bounds it.  0 when it
 * is done, 1 if BIN exited first, -1 if CMD could not start (said why).
 */
static int run_while_loaded(const char *cmd, const char *bin, pid_t main,
			    int *main_status)
{
	struct wait_for w = { .main = main, .deadline = HUGE_VAL };
	int st = 0, ret;

	w.child = fork();
	if (w.child < 0) {
		fprintf(stderr, "ktstr-verifier: cannot start the --while-loaded command: %s\n",
			strerror(errno));
		return -1;
	}
	if (!w.child) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	ret = serve(&w, &st);
	if (ret == 1) {
		*main_status = st;
		fprintf(stderr, "ktstr-verifier: %s exited while the --while-loaded command ran\n",
			bin);
		waitpid(w.child, &st, 0);
		return 1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fprintf(stderr, "ktstr-verifier: --while-loaded command exited with status %d\n",
			WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}

/*
 * Every traced process goes (kill() of a thread's id kills its whole
 * process), and is reaped for as long as @deadline allows: a blocking
 * wait could hang on one that escapes.  Whatever is left dies with us
 * (PTRACE_O_EXITKILL).
 */
static void kill_traced(double deadline)
{
	struct timespec poll = { 0, POLL_NS };
	unsigned int i;
	int st;
	pid_t pid;

	for (i = 0; i < nr_seen; i++)
		kill(seen[i], SIGKILL);
	while (now_s() < deadline) {
		pid = waitpid(-1, &st, __WALL | WNOHANG);
		if (pid < 0)
			return;
		if (!pid)
			nanosleep(&poll, NULL);
	}
}

/* SIGINT, as a user stops a scheduler; SIGKILL if it does not go. */
static void stop_scheduler(const char *bin, pid_t main)
{
	struct wait_for w = { .main = main, .deadline = now_s() + STOP_TIMEOUT_S };
	int st;

	kill(main, SIGINT);
	if (serve(&w, &st) == 1)
		return;
	fprintf(stderr, "ktstr-verifier: %s did not exit within %d s of SIGINT; killed\n",
		bin, STOP_TIMEOUT_S);
	kill_traced(now_s() + STOP_TIMEOUT_S);
}

static void describe_exit(const char *bin, int st, bool enabled)
{
	const char *when = enabled ? "after sched_ext was enabled (and disabled again)" :
			   "before sched_ext was enabled";

	if (WIFEXITED(st))
		fprintf(stderr, "ktstr-verifier: %s exited with status %d %s (%u BPF program loads seen)\n",
			bin, WEXITSTATUS(st), when, nr_loads);
	else
		fprintf(stderr, "ktstr-verifier: %s was killed by signal %d %s (%u BPF program loads seen)\n",
			bin, WTERMSIG(st), when, nr_loads);
}

/* Loads or threads past the agent's tables: the records miss some. */
static bool all_tracked(const char *bin)
{
	if (nr_unread)
		fprintf(stderr, "ktstr-verifier: %u BPF program loads of %s not read: more than %d loads, or more than %d threads loading at once\n",
			nr_unread, bin, MAX_LOADS, MAX_THREADS);
	if (nr_untracked)
		fprintf(stderr, "ktstr-verifier: %s ran more than %zu threads at once; %u were not tracked\n",
			bin, ARRAY_SIZE(seen), nr_untracked);
	return !nr_unread && !nr_untracked;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "ready-timeout", required_argument, NULL, 't' },
		{ "while-loaded", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *while_loaded = NULL, *results = getenv("KTSTR_RESULTS");
	struct wait_for w = { 0 };
	unsigned int timeout_s = 600, kept = 0;
	bool enabled = false, exited = false, failed = true;
	char ops[128] = "";
	int opt, st = 0, ret, bad;
	const char *bin;
	FILE *out = stdout;

	while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		if (opt == 't')
			timeout_s = strtoul(optarg, NULL, 10);
		else if (opt == 'w')
			while_loaded = optarg;
		else
			return usage(opt == 'h' ? stdout : stderr, opt == 'h' ? 0 : 2);
	}
	if (optind >= argc || !timeout_s)
		return usage(stderr, 2);
	bin = argv[optind];
	if (results && *results) {
		out = fopen(results, "we");
		if (!out) {
			fprintf(stderr, "ktstr-verifier: %s: %s\n", results, strerror(errno));
			return 1;
		}
	}
	enable_seq_before = enable_seq();
	w.main = start_traced(argv + optind);
	if (w.main < 0)
		return 1;
	w.until = scx_enabled;
	w.deadline = now_s() + timeout_s;
	ret = serve(&w, &st);
	if (ret == 0) {
		enabled = true;
		read_line(SCX_OPS, ops, sizeof(ops));
		kept = mark_kept();
		ret = while_loaded ? run_while_loaded(while_loaded, bin, w.main, &st) : 0;
		exited = ret == 1;
		failed = ret != 0;
	} else if (ret < 0) {
		fprintf(stderr, "ktstr-verifier: sched_ext was not enabled within %u s of starting %s\n",
			timeout_s, bin);
	} else {
		exited = true;
		enabled = enable_seq() > enable_seq_before;
		describe_exit(bin, st, enabled);
	}
	bad = write_records(out, ops, enabled, kept);
	if (!exited)
		stop_scheduler(bin, w.main);
	if (out != stdout)
		fclose(out);
	if (enabled && !exited && !kept)
		fprintf(stderr, "ktstr-verifier: sched_ext was enabled, but none of the %u BPF program loads of %s is still loaded\n",
			nr_loads, bin);
	if (!all_tracked(bin))
		failed = true;
	return failed || bad || !kept ? 1 : 0;
}
