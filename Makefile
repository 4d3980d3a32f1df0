# SPDX-License-Identifier: GPL-2.0
#
# ktstr: kernel-style build.  Quiet by default; `make V=1` shows commands.
#
#   make            build ./ktstr and the guest programs
#   make deps       install what is missing (Debian packages, default kernel,
#                   kernel source); needs root
#   make check      test the project (unit tests, then VM integration tests)
#   make run_tests  run the suite, TAP on stdout
#   make bench      benchmarks, one `BENCH <name> <value>` line per figure
#   make fuzz       libFuzzer on the readers, FUZZ_SECONDS=N each
#   make arm64      the guest programs for arm64 guests, in build/arm64
#                   (the same as make ARCH=arm64), see Documentation/arm64.md
#   make clean

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
MAKEFLAGS += --no-print-directory
endif

KTSTR_CACHE_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/ktstr
export KTSTR_CACHE_DIR

# Kernel source tree: kselftest harness, sched_ext headers, checkpatch.
# Defaults to the newest linux-source-* that `make deps` unpacked.
# Not exported: check and run_tests re-enter make after `deps` may have
# unpacked it, and the inner make must look again.
KSRC ?= $(lastword $(sort $(wildcard $(KTSTR_CACHE_DIR)/source/linux-source-*)))

# ARCH: the guests' architecture.  The host's (x86_64, or x86 as the
# kernel spells it) builds everything; arm64 builds only the programs that
# run in a guest, with Debian's cross toolchain, into build/arm64,
# statically against the arm64 sysroot of kselftest/sysroot.sh.
ARCH ?= x86_64
CROSS_CFLAGS :=
CROSS_GUEST_FILES :=
# Links of guest programs: -static when the guest has no libraries.
GUEST_LDFLAGS :=
ifneq ($(filter-out x86 x86_64,$(ARCH)),)
include kselftest/cross.mk
else
O := build
CC := gcc
BPF_TARGET_ARCH := x86
HOST_PROGS := ktstr
endif
CFLAGS ?= -O2 -g
KT_CFLAGS := $(CFLAGS) -std=gnu11 -Wall -Wextra -Wno-unused-parameter \
	     -D_GNU_SOURCE -I. -Ivmm -Ivmm/kernel -Ivmm/util -MMD -MP \
	     $(CROSS_CFLAGS)
HOST_LIBS := -lbpf -lelf -lz -lzstd -lcurl -lcrypto -ljansson -lfdt -lm -lpthread
# The harness's macros compare mixed signedness by design.
HARNESS_CFLAGS := -I$(KSRC)/tools/testing/selftests -Wno-sign-compare

# Host library: everything but main() and the tests.
HOST_SRCS := $(wildcard vmm/*.c vmm/kernel/*.c vmm/util/*.c monitor/*.c \
			 repro/*.c kselftest/runner/*.c verifier/*.c)
HOST_OBJS := $(HOST_SRCS:%.c=$(O)/%.o)
GUEST_PROGS := $(O)/guest/init $(CROSS_GUEST_FILES)
# Each directory's tests/*.c; a test is built against that directory's
# headers and the whole host library.
TEST_DIRS := vmm vmm/kernel vmm/util kselftest/runner monitor repro verifier
UNIT_TESTS := $(foreach d,$(TEST_DIRS),\
		$(patsubst $(d)/tests/%.c,$(O)/tests/%,$(wildcard $(d)/tests/*.c)))

# The suite: test programs (tests/*.c) linked statically with the guest
# test library (kselftest/lib), so they run in the guest and, as ordinary
# kselftests, anywhere else.
KLIB_SRCS := $(wildcard kselftest/lib/*.c)
KLIB_OBJS := $(KLIB_SRCS:%.c=$(O)/%.o)
# Linked statically into every test program.
KLIB_LIBS := -ljansson -lbpf -lelf -lz -lzstd -lpthread
SUITE := $(patsubst tests/%.c,$(O)/suite/%,$(wildcard tests/*.c))

all: $(HOST_PROGS) $(GUEST_PROGS) $(SUITE) schedulers

# In-tree and example sched_ext schedulers (defines `schedulers`).
-include tests/schedulers/schedulers.mk
schedulers::
# The auto-repro guest agent (defines $(REPRO_AGENT)).
-include repro/repro.mk
all: $(REPRO_AGENT)
# The `ktstr verifier` guest agent (defines $(VERIFIER_AGENT)); it reads
# x86 syscall registers, so there is none for arm64 guests yet.
include verifier/verifier.mk
ifneq ($(ARCH),arm64)
all: $(VERIFIER_AGENT)
endif
# The libFuzzer targets (defines fuzz-targets and fuzz).
include kselftest/fuzz.mk

ktstr: $(O)/ktstr.o $(HOST_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) -o $@ $^ $(HOST_LIBS)

$(O)/%.o: %.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KT_CFLAGS) -c -o $@ $<

# The guest's /init runs before any library is there: static.  It decodes
# the payload with the host's own encoder's file, so both agree.
$(O)/guest/init: vmm/payload.c
$(O)/guest/%: vmm/guest/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KT_CFLAGS) -static -o $@ $(filter %.c,$^)

$(O)/tests/%: vmm/tests/%.c $(HOST_OBJS) | check-ksrc
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KT_CFLAGS) $(HARNESS_CFLAGS) -o $@ $< $(HOST_OBJS) $(HOST_LIBS)

$(O)/tests/%: vmm/kernel/tests/%.c $(HOST_OBJS) | check-ksrc
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KT_CFLAGS) $(HARNESS_CFLAGS) -o $@ $< $(HOST_OBJS) $(HOST_LIBS)

$(O)/tests/%: vmm/util/tests/%.c $(HOST_OBJS) | check-ksrc
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KT_CFLAGS) $(HARNESS_CFLAGS) -o $@ $< $(HOST_OBJS) $(HOST_LIBS)

$(O)/tests/%: kselftest/runner/tests/%.c $(HOST_OBJS) | check-ksrc
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KT_CFLAGS) $(HARNESS_CFLAGS) -Ikselftest/runner -o $@ $< \
		$(HOST_OBJS) $(HOST_LIBS)

$(O)/tests/%: monitor/tests/%.c $(HOST_OBJS) | check-ksrc
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KT_CFLAGS) $(HARNESS_CFLAGS) -Imonitor -o $@ $< \
		$(HOST_OBJS) $(HOST_LIBS)

$(O)/tests/%: repro/tests/%.c $(HOST_OBJS) | check-ksrc
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KT_CFLAGS) $(HARNESS_CFLAGS) -Irepro -o $@ $< \
		$(HOST_OBJS) $(HOST_LIBS)

$(O)/tests/%: verifier/tests/%.c $(HOST_OBJS) | check-ksrc
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KT_CFLAGS) $(HARNESS_CFLAGS) -Iverifier -o $@ $< \
		$(HOST_OBJS) $(HOST_LIBS)

$(O)/kselftest/lib/%.o: kselftest/lib/%.c | check-ksrc
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KT_CFLAGS) $(HARNESS_CFLAGS) -Ikselftest/lib -c -o $@ $<

$(O)/suite/%: tests/%.c $(KLIB_OBJS) | check-ksrc
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(KT_CFLAGS) $(HARNESS_CFLAGS) -Ikselftest/lib -static \
		-o $@ $< $(KLIB_OBJS) $(KLIB_LIBS)

check-ksrc:
	@test -f "$(KSRC)/tools/testing/selftests/kselftest_harness.h" || \
	 { echo "ktstr: no kernel source with kselftest_harness.h (KSRC='$(KSRC)'); run 'make deps' or set KSRC=" >&2; exit 1; }

tests: all $(UNIT_TESTS)

# check and run_tests install what is missing first (as root), then re-enter
# make so that KSRC is evaluated after the kernel source exists.
deps:
	$(Q)kselftest/deps.sh install

ensure-deps:
	$(Q)kselftest/deps.sh ensure

# check, topo-verify and bench also cover arm64 guests: build/arm64 too.
check: ensure-deps
	$(Q)$(MAKE) -s tests fuzz-targets
	$(Q)$(MAKE) -s arm64
	$(Q)kselftest/run-checks.sh $(UNIT_TESTS) kselftest/fuzz.sh

# RUN_ARGS passes options to `ktstr run` (e.g. RUN_ARGS="--junit out.xml");
# KTSTR_OPT_IN=1 adds the tests that fail on purpose.
run_tests: ensure-deps
	$(Q)$(MAKE) -s all
	$(Q)./ktstr run $(if $(KTSTR_OPT_IN),--opt-in) $(RUN_ARGS)

# A kselftest install: run_kselftest.sh runs the guest-side tests on the
# machine it is on, as CI labs do.
INSTALL_PATH ?= $(CURDIR)/install
install: all
	$(Q)kselftest/install.sh "$(INSTALL_PATH)" "$(KSRC)" $(O)/suite $(O)/schedulers

# GAUNTLET_ARGS passes options to `ktstr gauntlet` (e.g. --budget 600).
gauntlet: ensure-deps
	$(Q)$(MAKE) -s all
	$(Q)./ktstr gauntlet $(GAUNTLET_ARGS)

# Every preset under the Intel and the AMD CPU model, and in an arm64
# guest (TOPO_ARGS=--large adds the 64 and 128 vCPU ones).
topo-verify: ensure-deps
	$(Q)$(MAKE) -s all
	$(Q)$(MAKE) -s arm64
	$(Q)kselftest/topo-verify-all.sh $(TOPO_ARGS)

bench: ensure-deps
	$(Q)$(MAKE) -s all
	$(Q)$(MAKE) -s arm64
	$(Q)kselftest/bench.sh

arm64:
	$(Q)$(MAKE) ARCH=arm64

# make ARCH=arm64 clean: build/arm64 only.
clean:
	$(call msg,CLEAN,$(strip $(O) $(HOST_PROGS)))
	$(Q)rm -rf $(O) $(HOST_PROGS)

.PHONY: all install schedulers tests deps ensure-deps check check-ksrc run_tests gauntlet topo-verify bench arm64 clean

-include $(shell find $(O) -name '*.d' -not -path '$(O)/tests/schedulers/kernel/*' \
	   -not -path '$(O)/arm64/*' 2>/dev/null)
