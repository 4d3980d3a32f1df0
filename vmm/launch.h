/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every VM-booting command shares: its options (--topology,
 * --kernel, --include, --accel, --timeout, --log-dir, --cmdline,
 * --memory, --dry-run, --arch, ...), their resolution and the
 * "booting ..." line.
 */
#ifndef KTSTR_LAUNCH_H
#define KTSTR_LAUNCH_H

#include <getopt.h>
#include <limits.h>
#include <stdbool.h>

#include "arch.h"
#include "initramfs.h"
#include "kernel.h"
#include "topology.h"
#include "vm.h"

#define KT_LAUNCH_MAX_INCLUDES 64

enum {
	KT_OPT_KERNEL = 0x100,
	KT_OPT_INCLUDE,
	KT_OPT_ACCEL,
	KT_OPT_TIMEOUT,
	KT_OPT_LOG_DIR,
	KT_OPT_CMDLINE,
	KT_OPT_MEMORY,
	KT_OPT_DRY_RUN,
	KT_OPT_CPU_MODEL,
	KT_OPT_TOPOLOGY,
	KT_OPT_NO_SNAPSHOT,
	KT_OPT_NOKASLR,
	KT_OPT_ARCH,
};

#define KT_LAUNCH_MAX_OPTIONS 32

#define KT_LAUNCH_HELP							\
	"  --topology T     short form (2n4l2c2t), preset name or file\n"	\
	"  --kernel K       cache key, boot image, built or source tree, version\n" \
	"                   (7.3, 6.12.5) or git+URL#REF (default: newest cached)\n" \
	"  --include PATH   copy a file or directory into the guest (repeatable)\n" \
	"  --accel A        auto (default), kvm or tcg\n"		\
	"  --cpu-model M    intel or amd (default: the host's under KVM, intel)\n" \
	"  --timeout S      stop the VM after S seconds\n"		\
	"  --log-dir DIR    keep console.log and qemu.log in DIR\n"	\
	"  --cmdline ARGS   append to the guest kernel command line\n"	\
	"  --memory SIZE    override the topology's memory (e.g. 2G)\n"	\
	"  --dry-run        print the QEMU command line, boot nothing\n"	\
	"  --no-snapshot    boot every VM cold (default: restore a saved one)\n" \
	"  --nokaslr        boot without KASLR (the vmlinux, if it has a PVH entry)\n" \
	"  --arch A         the guest's architecture: x86_64 (default) or arm64\n"

struct kt_launch {
	const char *topology_spec;
	const char *kernel_spec;
	/* The guests' architecture (--arch; the zero value is x86_64). */
	enum kt_arch arch;
	char *includes[KT_LAUNCH_MAX_INCLUDES];
	unsigned int nr_includes;
	enum kt_accel accel;
	enum kt_cpu_vendor vendor;
	unsigned int timeout_s;
	const char *log_dir;
	const char *cmdline;
	unsigned long memory_mib;	/* --memory; 0: the topology's */
	bool dry_run;
	bool no_snapshot;
	bool nokaslr;
	/* If set: adds a command's own files to the guest image. */
	int (*add_files)(struct kt_initramfs *ir, void *ctx);
	void *add_files_ctx;

	struct kt_topology topo;
	struct kt_kernel kernel;
	const char *boot_image;
	char initramfs[PATH_MAX];
};

void kt_launch_init(struct kt_launch *l, unsigned int default_timeout_s);
/*
 * The getopt_long() table of a command: the launch options followed by
 * the command's own @extra (terminated by a zero entry).  @out holds
 * KT_LAUNCH_MAX_OPTIONS entries.
 */
void kt_launch_options(const struct option *extra, struct option *out);
/*
 * 1 if @opt is a launch option (consumed), 0 if not, -1 if bad.  Values
 * are checked here, so that a bad one is refused before anything runs,
 * even under --list or --dry-run.
 */
int kt_launch_option(struct kt_launch *l, int opt, const char *arg);
/*
 * Refuses the options an l->arch guest cannot have (for arm64:
 * --cpu-model, --accel kvm) with a usage error naming them.
 */
int kt_launch_check_arch(const struct kt_launch *l);
/*
 * The kernel @spec names for guests of l->arch: for x86_64 also a
 * version to download or a tree to build (kt_kernel_obtain()); for
 * arm64 one the cache has, or a path (kt_kernel_resolve_arch()).
 */
int kt_launch_obtain_kernel(const struct kt_launch *l, const char *spec,
			    struct kt_kernel *k);
/*
 * Check that there is a --topology and that --memory fits it, resolve
 * the kernel and build the guest image.
 */
int kt_launch_prepare(struct kt_launch *l);
/*
 * What to boot of @k: the bzImage, whose decompressor randomizes the
 * kernel's addresses (KASLR), unless --nokaslr, then the image
 * kt_kernel_boot_image() prefers (a vmlinux's PVH entry boots faster).
 */
const char *kt_launch_boot_image(const struct kt_launch *l,
				 const struct kt_kernel *k);
void kt_launch_vm_opts(const struct kt_launch *l, struct kt_vm_opts *o);
/* Print the outcome of a run that did not end with a payload exit. */
void kt_launch_report(const struct kt_vm_result *r);
int kt_launch_run(struct kt_launch *l, struct kt_vm_opts *o,
		  struct kt_vm_result *r);

#endif
