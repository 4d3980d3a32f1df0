/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Auto-repro: after a test whose sched_ext scheduler exited, boot a
 * second VM with the same kernel, topology, scheduler and test, with the
 * probe agent on the crash path, and report what the probes saw
 * (the AUTO-PROBE section).  See Documentation/auto-repro.md.
 */
#ifndef KTSTR_REPRO_H
#define KTSTR_REPRO_H

#include <stdbool.h>

#include "vm.h"

struct kt_decoder;

#define KT_REPRO_GUEST_AGENT "/ktstr/repro/ktstr-probe"
/*
 * Kernel functions ("f1,f2") the agent probes with kprobe/kretprobe even
 * where fentry works, on the path or not (ktstr repro --kprobe FUNC).
 */
#define KT_REPRO_KPROBE_ENV "KTSTR_REPRO_KPROBE"

struct kt_repro_result {
	char *text;		/* the AUTO-PROBE section, malloc'd */
	char *json;		/* the same as a JSON object, malloc'd */
	double wall_s;		/* of the repro VM */
};

/*
 * Did the scheduler exit during the test (the guest library reported it
 * kicked out)?  With @expected_too also when the test expected it.
 */
bool kt_repro_wanted(const char *test_output, bool expected_too);
/*
 * The host path of the agent for guests of @arch ("x86_64", "arm64"):
 * build/repro-agent/ktstr-probe, build/arm64/repro-agent/ktstr-probe.
 * An error naming the arch and what to build if it is not there.
 */
int kt_repro_agent_path(const char *arch, char *buf, size_t len);
/* Is @name (@len bytes) a kernel symbol name: [A-Za-z0-9_.], < 128? */
bool kt_repro_func_name_ok(const char *name, size_t len);

/*
 * Rerun @command (the first VM's payload) in a VM of @vm (the first
 * VM's options), with the agent on the crash path that @test_output's
 * kernel log shows; decode with the BTF of @vmlinux.  A report is always
 * produced; it states why when nothing could be probed (no exit report
 * in @test_output: "AUTO-PROBE: skipped: ...").  -1 only if the VM could
 * not be started or $KTSTR_REPRO_KPROBE is not a list of function names.
 */
int kt_repro_run(const struct kt_vm_opts *vm, const char *command,
		 const char *test_output, const char *vmlinux,
		 struct kt_repro_result *res);
/*
 * The report alone: of the repro VM's output @vm_output (the agent's
 * KTSTR-PROBE lines) for the exit that @test_output's kernel log shows;
 * what kt_repro_run() does once its VM is done.  -1 only if out of
 * memory.
 */
int kt_repro_report(const char *test_output, const char *vm_output,
		    const char *vmlinux, double wall_s,
		    struct kt_repro_result *res);
/*
 * kt_repro_report() with the kernel's BTF already open (@d from
 * kt_decoder_open(), NULL if it failed): for a caller that reports on
 * many outputs of one kernel.
 */
int kt_repro_report_btf(const char *test_output, const char *vm_output,
			struct kt_decoder *d, double wall_s,
			struct kt_repro_result *res);
void kt_repro_result_free(struct kt_repro_result *res);

#endif
