# SPDX-License-Identifier: GPL-2.0
#
# sched_ext schedulers for the suite, see Documentation/schedulers.md.
# Included by the top-level Makefile.
#
#   $(O)/schedulers/<name>         in-tree: tests/schedulers/<name>.bpf.c
#                                  (BPF) + <name>.c (loader) + loader.c
#   $(O)/schedulers/scx_simple     the kernel's examples, built by
#   $(O)/schedulers/scx_qmap       $(KSRC)/tools/sched_ext
#   $(O)/schedulers/ktstr-comm     runs something under a chosen comm
#
# $(O)/schedulers holds only these programs, so that it can be put in a
# guest whole; everything else goes to $(O)/tests/schedulers.
#
#   VMLINUX_BTF=FILE  the kernel whose BTF the schedulers are built against
#                     (default: the default kernel's vmlinux in the cache)
#   CLANG             for tests/schedulers (default clang-16)
#   SCX_CLANG         for the kernel's examples (default: the newest of
#                     clang-29 ... clang-20 found, else $(CLANG))
#   BPFTOOL           default bpftool

# Broken on purpose, one bug each (Documentation/schedulers.md, "Broken
# schedulers"): what the suite must catch.
SCHED_BROKEN := ktstr_bad_nice ktstr_bad_credit ktstr_bad_idle ktstr_bad_wakeup \
		ktstr_bad_leak ktstr_bad_numa ktstr_bad_smt ktstr_bad_llc \
		ktstr_bad_noslice ktstr_bad_affinity ktstr_bad_hotplug \
		ktstr_bad_rtlocal ktstr_bad_cgweight ktstr_bad_capacity
SCHED_NAMES := ktstr_fifo ktstr_pidq ktstr_llc_vtime ktstr_error ktstr_stall \
	       $(SCHED_BROKEN)
SCHED_SRC := tests/schedulers
SCHED_OUT := $(O)/schedulers
SCHED_OBJ := $(O)/tests/schedulers
# O= of the tools/sched_ext build; it puts everything under $(O)/build.
SCHED_KOUT := $(SCHED_OBJ)/kernel
SCHED_KBIN := $(SCHED_KOUT)/build/bin
SCHED_KEXAMPLES := scx_simple scx_qmap scx_central scx_flatcg

SCHED_PROGS := $(addprefix $(SCHED_OUT)/,$(SCHED_NAMES) $(SCHED_KEXAMPLES) \
		 ktstr-comm)

CLANG ?= clang-16
BPFTOOL ?= bpftool

# scx_qmap keeps its queues in a BPF arena.  clang-16 and clang-19 leave
# some arena stores without an address space cast, which the 7.3 verifier
# rejects ("invalid mem access 'scalar'"); clang-22 (bookworm-security)
# gets it right.  Evaluated once, here.
ifeq ($(origin SCX_CLANG),undefined)
SCX_CLANG := $(or $(shell for v in 29 28 27 26 25 24 23 22 21 20; do \
	       command -v clang-$$v >/dev/null && { echo clang-$$v; break; }; \
	       done),$(CLANG))
endif

# The default x86_64 kernel is the newest x86_64 release entry of the
# cache in version order (Documentation/kernels.md).
ifeq ($(origin VMLINUX_BTF),undefined)
VMLINUX_BTF := $(addsuffix /vmlinux,$(shell KTSTR_CACHE_DIR='$(KTSTR_CACHE_DIR)' \
		 vmm/kernel/default-kernel.sh x86_64))
endif

SCHED_BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_TARGET_ARCH) \
	-mcpu=v3 -mlittle-endian -Wall -Wno-compare-distinct-pointer-types \
	-fms-extensions -Wno-microsoft-anon-tag \
	-I$(SCHED_OBJ) -I$(KSRC)/tools/sched_ext/include -MMD -MP
SCHED_CFLAGS := $(KT_CFLAGS) -I$(SCHED_OBJ) -I$(SCHED_SRC) \
	-I$(KSRC)/tools/sched_ext/include
# A static libelf (make ARCH=arm64) needs libzstd as well.
SCHED_LIBS := -lbpf -lelf -lz $(if $(GUEST_LDFLAGS),-lzstd)

schedulers:: $(SCHED_PROGS)

# Settings that a file's timestamp does not show: each stamp file holds
# one and is rewritten only when it changes.  A new VMLINUX_BTF (say a
# new default kernel, whose vmlinux may be older than our vmlinux.h) or
# compiler rebuilds what depends on it.
sched-stamp = $(Q)mkdir -p $(@D); echo '$(1)' | cmp -s - $@ || \
	      { echo '$(1)' > $@; $(2) }

$(SCHED_OBJ)/vmlinux.stamp: sched-force
	$(call sched-stamp,$(VMLINUX_BTF))

$(SCHED_OBJ)/clang.stamp: sched-force
	$(call sched-stamp,$(CLANG))

# The kernel's Makefile follows neither: its build starts afresh.
$(SCHED_OBJ)/kernel.stamp: sched-force
	$(call sched-stamp,$(SCX_CLANG) $(VMLINUX_BTF),rm -rf $(SCHED_KOUT);)

# What to do about a missing one (make ARCH=arm64 has its own advice).
SCHED_BTF_HINT ?= run 'make deps' or set VMLINUX_BTF=
sched-check-btf = test -f "$(VMLINUX_BTF)" || \
	{ echo "ktstr: no vmlinux with BTF (VMLINUX_BTF='$(VMLINUX_BTF)'); $(SCHED_BTF_HINT)" >&2; exit 1; }

$(SCHED_OBJ)/vmlinux.h: $(SCHED_OBJ)/vmlinux.stamp $(VMLINUX_BTF)
	$(call msg,GEN,$@)
	$(Q)$(sched-check-btf)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp
	$(Q)mv $@.tmp $@

$(SCHED_OBJ)/%.bpf.o: $(SCHED_SRC)/%.bpf.c $(SCHED_OBJ)/vmlinux.h \
		      $(SCHED_OBJ)/clang.stamp | check-ksrc
	$(call msg,CLNG-BPF,$@)
	$(Q)$(CLANG) $(SCHED_BPF_CFLAGS) -c -o $@ $<

# bpftool >= 7.5 writes skeletons for libbpf >= 1.5, whose map skeletons
# have a `link' member for auto-attaching struct_ops maps.  The scx
# loaders attach struct_ops maps themselves (SCX_OPS_ATTACH), so dropping
# that line lets the skeleton build with the system libbpf 1.4 as well.
$(SCHED_OBJ)/%.bpf.skel.h: $(SCHED_OBJ)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* | sed '/map->link = /d' > $@.tmp
	$(Q)mv $@.tmp $@

$(SCHED_NAMES:%=$(SCHED_OBJ)/%.o): $(SCHED_OBJ)/%.o: $(SCHED_OBJ)/%.bpf.skel.h

$(SCHED_OBJ)/%.o: $(SCHED_SRC)/%.c | check-ksrc
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(SCHED_CFLAGS) -c -o $@ $<

$(SCHED_NAMES:%=$(SCHED_OUT)/%): $(SCHED_OUT)/%: $(SCHED_OBJ)/%.o \
					       $(SCHED_OBJ)/loader.o
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(GUEST_LDFLAGS) -o $@ $^ $(SCHED_LIBS)

$(SCHED_OUT)/ktstr-comm: $(SCHED_OBJ)/set_comm.o
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -static -o $@ $<

# The kernel's examples, built by its own Makefile (libbpf and bpftool
# from the kernel tree, linked statically) with all output under
# $(SCHED_KOUT).  It is asked first whether anything is to do (-q), so
# that a build with nothing to do stays quiet; without V=1 only its
# stderr shows.  MAKEOVERRIDES is cleared so that our command line (say
# CFLAGS=) does not override its variables; they still reach it through
# the environment.
SCHED_KMAKE = $(MAKE) -C $(KSRC)/tools/sched_ext O=$(abspath $(SCHED_KOUT)) \
	      CLANG=$(SCX_CLANG) VMLINUX_BTF=$(VMLINUX_BTF) $(SCHED_KCROSS)
# make ARCH=arm64: its cross build (a host bpftool, an arm64 libbpf),
# against our sysroot.
ifneq ($(GUEST_LDFLAGS),)
SCHED_KCROSS = ARCH=$(ARCH) CROSS_COMPILE=$(CROSS_COMPILE) \
	       CC="$(CC) $(CROSS_CFLAGS)"
endif
SCHED_KTARGETS := $(addprefix $(abspath $(SCHED_KBIN))/,$(SCHED_KEXAMPLES))

sched-kernel-examples: MAKEOVERRIDES :=
sched-kernel-examples: $(SCHED_OBJ)/kernel.stamp | check-ksrc
	$(Q)$(sched-check-btf)
	$(Q)mkdir -p $(SCHED_KOUT)
	+$(Q)$(SCHED_KMAKE) -q $(SCHED_KTARGETS) 2>/dev/null || { \
	  $(if $(Q),printf '  %-8s %s\n' MAKE "$(KSRC)/tools/sched_ext";) \
	  $(SCHED_KMAKE) $(if $(Q),-s) $(SCHED_KEXAMPLES) $(if $(Q),>/dev/null) && \
	  { [ "$$($(SCX_CLANG) -dumpversion | cut -d. -f1)" -ge 20 ] || \
	    echo "ktstr: warning: $(SCX_CLANG) miscompiles scx_qmap's arena code (the verifier rejects it); install clang-22" >&2; }; }

$(SCHED_KEXAMPLES:%=$(SCHED_KBIN)/%): sched-kernel-examples ;

ifeq ($(GUEST_LDFLAGS),)
$(SCHED_KEXAMPLES:%=$(SCHED_OUT)/%): $(SCHED_OUT)/%: $(SCHED_KBIN)/%
	$(call msg,CP,$@)
	$(Q)mkdir -p $(@D)
	$(Q)cp $< $@
else
# The kernel's Makefile gives its LDFLAGS to the shared libbpf as well, so
# it cannot link statically: its objects are linked again, with its
# libbpf.a.
SCHED_KOBJ := $(SCHED_KOUT)/build/obj
$(SCHED_KEXAMPLES:%=$(SCHED_OUT)/%): $(SCHED_OUT)/%: $(SCHED_KBIN)/%
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(GUEST_LDFLAGS) -o $@ $(SCHED_KOBJ)/sched_ext/$*.o \
		$(SCHED_KOBJ)/libbpf/libbpf.a -lelf -lz -lzstd -lpthread
endif

# Tests of the loaders, on the host (tests/schedulers/tests/*.c): they run
# the built schedulers, so they depend on them.  Part of `make tests`.
SCHED_TESTS := $(patsubst $(SCHED_SRC)/tests/%.c,$(O)/tests/%,\
		 $(wildcard $(SCHED_SRC)/tests/*.c))
UNIT_TESTS += $(SCHED_TESTS)

$(SCHED_TESTS): $(O)/tests/%: $(SCHED_SRC)/tests/%.c $(SCHED_PROGS) | check-ksrc
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(KT_CFLAGS) $(HARNESS_CFLAGS) -Ikselftest/runner/tests -o $@ $<

.SECONDARY: $(SCHED_NAMES:%=$(SCHED_OBJ)/%.bpf.o)
.PHONY: sched-force sched-kernel-examples
