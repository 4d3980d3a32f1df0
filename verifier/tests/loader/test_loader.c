// SPDX-License-Identifier: GPL-2.0
/*
 * A BPF loader for verifier_test: loads small socket filters with raw
 * bpf(), as a loader may set its log, and prints what the kernel left in
 * its attributes.  Run alone and under the agent (build/verifier-agent/
 * ktstr-verifier), it must print the same: the agent gives each load
 * back as it was.  Each mode tests one thing the agent must get right.
 *
 *   test-loader attrs          each way of setting the log, one line each
 *   test-loader loads N        N loads, one after the other
 *   test-loader threads N M    N threads, M at once; every 4th loads
 *   test-loader small-stack    a load on a 16 KiB thread stack that has a
 *                              writable neighbour below it
 *   test-loader ignore-sigint  ignores SIGINT, as does a child; both sleep
 *   test-loader common         rejected loads with BPF_COMMON_ATTRS (7.x),
 *                              with a log there and without one
 *   test-loader stopped-child  a child stops itself (SIGSTOP) and must stay
 *                              stopped until its parent sends SIGCONT
 *
 * Exit status 0 if every load went as it should, 1 if not, 2 if the
 * kernel refuses BPF altogether (EPERM: not root).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* A program whose level-1 log is over the agent's 32 KiB. */
#define LONG_PROG 3000
#define ATTR_SHORT offsetof(union bpf_attr, log_true_size)
#define STACK_SIZE (16 << 10)
#define NEIGHBOUR_SIZE (64 << 10)

static struct bpf_insn prog[LONG_PROG + 1];
static char log_buf[1 << 20];

static void make_prog(unsigned int n)
{
	unsigned int i;

	memset(prog, 0, sizeof(prog));
	for (i = 0; i < n; i++)
		prog[i] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K,
					     .dst_reg = BPF_REG_0 };
	prog[n] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };
}

static int load(union bpf_attr *attr, unsigned int size, unsigned int len)
{
	attr->prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr->insns = (unsigned long)prog;
	attr->insn_cnt = len + 1;
	attr->license = (unsigned long)"GPL";
	snprintf(attr->prog_name, sizeof(attr->prog_name), "test_loader");
	return syscall(__NR_bpf, BPF_PROG_LOAD, attr, size);
}

static const char *outcome(int fd)
{
	static char buf[32];

	if (fd >= 0) {
		close(fd);
		return "loaded";
	}
	snprintf(buf, sizeof(buf), "errno %d", errno);
	return buf;
}

/* One way to set the log; the fields the loader sees after the call. */
struct log_case {
	const char *name;
	__u32 level, size;
	bool buf;
	unsigned int attr_size, insns;
};

static void run_case(const struct log_case *c)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.log_level = c->level;
	attr.log_size = c->size;
	attr.log_buf = c->buf ? (unsigned long)log_buf : 0;
	attr.log_true_size = 12345;
	fd = load(&attr, c->attr_size, c->insns);
	printf("%s: %s, log_level %u, log_size %u, log_buf %s, log_true_size %u\n",
	       c->name, outcome(fd), attr.log_level, attr.log_size,
	       attr.log_buf == (c->buf ? (unsigned long)log_buf : 0) ?
	       "as set" : "changed",
	       c->attr_size > ATTR_SHORT ? attr.log_true_size : 0);
}

static int attrs(void)
{
	static const struct log_case cases[] = {
		{ "no log", 0, 0, false, sizeof(union bpf_attr), 1 },
		{ "no log, short attr", 0, 0, false, ATTR_SHORT, 1 },
		{ "size query", 1, 0, false, sizeof(union bpf_attr), LONG_PROG },
		{ "level 1 without buffer, short attr", 1, 0, false, ATTR_SHORT,
		  LONG_PROG },
		{ "level 2 without buffer, short attr", 2, 0, false, ATTR_SHORT,
		  LONG_PROG },
		{ "buffer without size", 1, 0, true, sizeof(union bpf_attr), 1 },
		{ "size without buffer", 1, 4096, false, sizeof(union bpf_attr), 1 },
		{ "buffer without level", 0, 4096, true, sizeof(union bpf_attr), 1 },
		{ "unknown level", 64, 0, false, sizeof(union bpf_attr), 1 },
		{ "rejected", 0, 0, false, sizeof(union bpf_attr), 0 },
	};
	union bpf_attr attr;
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		/* "rejected": r0 is read before it is set. */
		make_prog(cases[i].insns);
		run_case(&cases[i]);
	}
	/* Its own log: statistics join it; the rest is as it was. */
	make_prog(1);
	memset(&attr, 0, sizeof(attr));
	attr.log_level = 1;
	attr.log_size = sizeof(log_buf);
	attr.log_buf = (unsigned long)log_buf;
	fd = load(&attr, sizeof(attr), 1);
	printf("own log: %s, log_level %u, log_size %u, log_buf %s\n",
	       outcome(fd), attr.log_level, attr.log_size,
	       attr.log_buf == (unsigned long)log_buf ? "as set" : "changed");
	return 0;
}

static int many_loads(unsigned int n)
{
	union bpf_attr attr;
	unsigned int i, ok = 0;

	make_prog(1);
	for (i = 0; i < n; i++) {
		memset(&attr, 0, sizeof(attr));
		ok += !strcmp(outcome(load(&attr, sizeof(attr), 1)), "loaded");
	}
	printf("%u of %u loads loaded\n", ok, n);
	return ok == n ? 0 : 1;
}

static pthread_barrier_t together;
static unsigned int nr_started, nr_loaded;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* Threads come in more than loads: only every 4th thread loads. */
static void *one_load(void *arg)
{
	union bpf_attr attr;
	bool ok;

	if (arg)
		pthread_barrier_wait(&together);
	pthread_mutex_lock(&lock);
	ok = nr_started++ % 4;
	pthread_mutex_unlock(&lock);
	if (ok)
		return NULL;
	memset(&attr, 0, sizeof(attr));
	ok = !strcmp(outcome(load(&attr, sizeof(attr), 1)), "loaded");
	pthread_mutex_lock(&lock);
	nr_loaded += ok;
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* @n threads in groups of @at_once, which run together. */
static int many_threads(unsigned int n, unsigned int at_once)
{
	unsigned int loads = (n + 3) / 4;

	pthread_t *t = calloc(at_once, sizeof(*t));
	pthread_attr_t small;
	unsigned int i, j, group;

	make_prog(1);
	pthread_attr_init(&small);
	pthread_attr_setstacksize(&small, 128 << 10);
	for (i = 0; t && i < n; i += group) {
		group = n - i < at_once ? n - i : at_once;
		pthread_barrier_init(&together, NULL, group);
		for (j = 0; j < group; j++)
			if (pthread_create(&t[j], &small, one_load, &together))
				return 1;
		for (j = 0; j < group; j++)
			pthread_join(t[j], NULL);
		pthread_barrier_destroy(&together);
	}
	free(t);
	printf("%u threads, %u of %u loads loaded\n", n, nr_loaded, loads);
	return nr_loaded == loads ? 0 : 1;
}

/*
 * A thread stack with a writable mapping right below it, of another kind
 * (shared), so that the two do not merge.  The agent's log must not go
 * there: it is the program's data.
 */
static int small_stack(void)
{
	char *area, *neighbour, *stack;
	pthread_attr_t a;
	pthread_t t;
	size_t i;

	area = mmap(NULL, NEIGHBOUR_SIZE + STACK_SIZE, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return 1;
	neighbour = mmap(area, NEIGHBOUR_SIZE, PROT_READ | PROT_WRITE,
			 MAP_FIXED | MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	stack = mmap(area + NEIGHBOUR_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE,
		     MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (neighbour == MAP_FAILED || stack == MAP_FAILED)
		return 1;
	memset(neighbour, 0xa5, NEIGHBOUR_SIZE);
	make_prog(1);
	pthread_attr_init(&a);
	pthread_attr_setstack(&a, stack, STACK_SIZE);
	if (pthread_create(&t, &a, one_load, NULL))
		return 1;
	pthread_join(t, NULL);
	for (i = 0; i < NEIGHBOUR_SIZE && (unsigned char)neighbour[i] == 0xa5; i++)
		;
	printf("small stack: %u loaded, the neighbour %s\n", nr_loaded,
	       i == NEIGHBOUR_SIZE ? "untouched" : "written");
	return nr_loaded == 1 && i == NEIGHBOUR_SIZE ? 0 : 1;
}

/* BPF_COMMON_ATTRS and struct bpf_common_attr (7.x uapi). */
#define COMMON_ATTRS (1u << 16)
struct common_attr {
	__u64 log_buf;
	__u32 log_size, log_level, log_true_size;
};

/* A rejected program (r0 read before it is set), with @common's log. */
static int load_common(struct common_attr *common)
{
	union bpf_attr attr;

	make_prog(0);
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (unsigned long)prog;
	attr.insn_cnt = 1;
	attr.license = (unsigned long)"GPL";
	snprintf(attr.prog_name, sizeof(attr.prog_name), "test_common");
	return syscall(__NR_bpf, BPF_PROG_LOAD | COMMON_ATTRS, &attr,
		       sizeof(attr), common, sizeof(*common));
}

/*
 * The log in the common attributes is the loader's: the agent must not
 * add one of its own (the kernel would refuse two).  Without one there,
 * the agent adds its own as for any load.
 */
static int common_log_loads(void)
{
	struct common_attr c = { 0 };
	int fd;

	log_buf[0] = '\0';
	c.log_buf = (unsigned long)log_buf;
	c.log_size = sizeof(log_buf);
	c.log_level = 1;
	fd = load_common(&c);
	printf("common log: %s, the log %s the verifier's error\n", outcome(fd),
	       strstr(log_buf, "R0 !read_ok") ? "holds" : "misses");
	memset(&c, 0, sizeof(c));
	fd = load_common(&c);
	printf("common without log: %s\n", outcome(fd));
	return 0;
}

/* The child of stopped_child(): stops, then says so on @out and loads. */
static int stop_then_load(int out)
{
	union bpf_attr attr;

	raise(SIGSTOP);
	if (write(out, "x", 1) != 1)
		return 1;
	memset(&attr, 0, sizeof(attr));
	return strcmp(outcome(load(&attr, sizeof(attr), 1)), "loaded") ? 1 : 0;
}

/*
 * A stop signal stops a traced child as it stops an untraced one: its
 * parent sees it stopped, and it does not go on (its pipe stays empty)
 * until SIGCONT.
 */
static int stopped_child(void)
{
	int pipefd[2], status = 0;
	bool stayed;
	char byte;
	pid_t pid;

	make_prog(1);
	if (pipe2(pipefd, O_NONBLOCK))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid)
		_exit(stop_then_load(pipefd[1]));
	close(pipefd[1]);
	if (waitpid(pid, &status, WUNTRACED) != pid || !WIFSTOPPED(status)) {
		printf("stopped child: not seen stopped (status %#x)\n", status);
		return 1;
	}
	usleep(300 * 1000);
	stayed = read(pipefd[0], &byte, 1) < 0 && errno == EAGAIN;
	kill(pid, SIGCONT);
	if (waitpid(pid, &status, 0) != pid)
		return 1;
	printf("stopped child: %s until SIGCONT, then exited with status %d\n",
	       stayed ? "stayed stopped" : "went on", WEXITSTATUS(status));
	return stayed && WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 1;
}

static int ignore_sigint(void)
{
	pid_t child;

	signal(SIGINT, SIG_IGN);
	child = fork();
	if (child < 0)
		return 1;
	printf("child %d\n", child ? child : getpid());
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	union bpf_attr attr;
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Can this process load BPF at all? */
	make_prog(1);
	memset(&attr, 0, sizeof(attr));
	fd = load(&attr, sizeof(attr), 1);
	if (fd < 0 && errno == EPERM) {
		printf("bpf: not permitted\n");
		return 2;
	}
	if (fd >= 0)
		close(fd);
	if (argc == 2 && !strcmp(argv[1], "attrs"))
		return attrs();
	if (argc == 3 && !strcmp(argv[1], "loads"))
		return many_loads(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "threads"))
		return many_threads(atoi(argv[2]), atoi(argv[3]));
	if (argc == 2 && !strcmp(argv[1], "small-stack"))
		return small_stack();
	if (argc == 2 && !strcmp(argv[1], "ignore-sigint"))
		return ignore_sigint();
	if (argc == 2 && !strcmp(argv[1], "common"))
		return common_log_loads();
	if (argc == 2 && !strcmp(argv[1], "stopped-child"))
		return stopped_child();
	fprintf(stderr, "usage: test-loader attrs | loads N | threads N M | small-stack | ignore-sigint | common | stopped-child\n");
	return 2;
}
