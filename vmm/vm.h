/* SPDX-License-Identifier: GPL-2.0 */
/* Run one VM: start QEMU, relay the payload's output, enforce limits. */
#ifndef KTSTR_VM_H
#define KTSTR_VM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "control.h"
#include "qemu.h"
#include "topology.h"

/*
 * Something that watches a running guest from the host (the monitor):
 * started once the guest's /init runs, with the files that hold each
 * node's RAM and QEMU's pid, and stopped before those files are
 * removed.  A start that fails does not stop the VM; the observer keeps
 * its own reason.
 */
struct kt_vm_observer {
	int (*start)(void *ctx, const char *shm_prefix, unsigned int nodes,
		     pid_t qemu);
	void (*stop)(void *ctx);
	void *ctx;
};

struct kt_vm_opts {
	enum kt_arch arch;		/* the guest's (zero: x86_64) */
	const struct kt_topology *topo;
	const char *kernel;		/* boot image */
	const char *initramfs;
	const char *command;		/* payload; NULL: login shell */
	bool interactive;		/* payload on this process's terminal */
	enum kt_accel accel;		/* as requested; resolved by kt_vm_run */
	enum kt_cpu_vendor vendor;	/* as requested; resolved likewise */
	unsigned int timeout_s;		/* 0: no limit */
	const char *log_dir;		/* keep console.log and qemu.log here */
	const char *extra_cmdline;	/* appended to the kernel command line */
	bool nokaslr;			/* "nokaslr" on the kernel command line */
	int stdout_fd;			/* live copy of payload stdout, or -1 */
	int stderr_fd;			/* live copy of payload stderr, or -1 */
	char **capture_stdout;		/* if set: malloc'd copy of stdout */
	/*
	 * If set: the guest gets $KTSTR_RESULTS and its records land here
	 * (emptied first; the caller frees them with kt_records_free()).
	 */
	struct kt_records *records;
	/*
	 * If set: sent to /init as it is instead of the payload line built
	 * from the options above (tests of /init's own checks).
	 */
	const char *payload_line;
	bool dry_run;			/* print the QEMU command, run nothing */
	bool no_snapshot;		/* boot cold; never save (snapshot.h) */
	const struct kt_vm_observer *observer;	/* or NULL */
};

enum kt_vm_outcome {
	KT_VM_EXITED,		/* payload finished, exit_status valid */
	KT_VM_TIMEOUT,
	KT_VM_PANIC,
	KT_VM_QEMU_FAILED,	/* QEMU exited with an error */
	KT_VM_NO_STATUS,	/* guest stopped without reporting a status */
	KT_VM_INTERRUPTED,	/* SIGINT/SIGTERM/SIGHUP; signal valid */
	KT_VM_BOOT_STALL,	/* the kernel went silent before /init */
	KT_VM_BAD_PAYLOAD,	/* /init refused the payload line; detail */
};

/* How the guest came up. */
enum kt_vm_boot {
	KT_VM_BOOT_COLD,	/* booted; boot_note says why, if snapshots were on */
	KT_VM_BOOT_SAVED,	/* booted, and saved as a snapshot on the way */
	KT_VM_BOOT_RESTORED,	/* restored from a snapshot */
};

struct kt_vm_result {
	enum kt_vm_outcome outcome;
	enum kt_vm_boot boot;
	char boot_note[256];
	int exit_status;
	int signal;
	double wall_s;
	unsigned int boot_attempts;	/* >1 if a stalled boot was retried */
	enum kt_accel accel;
	char accel_reason[160];
	enum kt_cpu_vendor vendor;
	char detail[512];
	char console_tail[4096];	/* last console lines, on failure */
};

/* Returns -1 only if the VM could not be started; see kt_errmsg(). */
int kt_vm_run(const struct kt_vm_opts *o, struct kt_vm_result *r);
/* The process exit code a command should return for @r. */
int kt_vm_exit_code(const struct kt_vm_result *r);
const char *kt_vm_outcome_name(enum kt_vm_outcome outcome);
const char *kt_vm_boot_name(enum kt_vm_boot boot);
/* Remove /dev/shm files left by ktstr processes that no longer exist. */
void kt_vm_sweep_stale_shm(void);
/* Remove the run directories in $TMPDIR of process @pid, which is gone. */
void kt_vm_sweep_run_dirs(pid_t pid);

#endif
