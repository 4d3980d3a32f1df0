# SPDX-License-Identifier: GPL-2.0
#
# make ARCH=arm64 (or make arm64): the guest programs for arm64 guests,
# see Documentation/arm64.md.  Included by the top-level Makefile in place
# of its host settings.
#
#   build/arm64/guest/init, suite/, schedulers/, repro-agent/
#                     as in build/, for arm64 and all static: the guest
#                     has no ld.so and no libraries (the verifier agent
#                     reads x86 registers: not yet for arm64)
#
#   SYSROOT=DIR       the arm64 headers and libraries (default: the one
#                     kselftest/sysroot.sh unpacked into the cache)
#   CROSS_COMPILE     default aarch64-linux-gnu- (gcc-aarch64-linux-gnu)
#   VMLINUX_BTF=FILE  the arm64 kernel's BTF (ELF or raw), for vmlinux.h
#                     (default: the newest arm64 kernel in the cache)
#
# Only the guest programs: ./ktstr and the unit tests are host programs.
# make ARCH=arm64 clean removes build/arm64.

ifneq ($(ARCH),arm64)
$(error ARCH=$(ARCH): ktstr builds for x86_64 (the host) or arm64)
endif

O := build/arm64
ifneq ($(filter-out all clean schedulers repro-agent $(O)/%,$(MAKECMDGOALS)),)
$(error ARCH=arm64 builds the guest programs only: make ARCH=arm64 [all|clean])
endif
CROSS_COMPILE ?= aarch64-linux-gnu-
BPF_TARGET_ARCH := arm64
HOST_PROGS :=

# Evaluated once, here; SYSROOT= on the command line skips the script.
ifeq ($(origin SYSROOT),undefined)
SYSROOT := $(shell kselftest/sysroot.sh dir)
ifneq ($(shell kselftest/sysroot.sh check && echo ok),ok)
$(error no complete arm64 sysroot in $(SYSROOT): run kselftest/sysroot.sh install (or make deps))
endif
endif
ifeq ($(wildcard $(SYSROOT)/usr/include/bpf/libbpf.h),)
$(error SYSROOT=$(SYSROOT) has no usr/include/bpf/libbpf.h: not an arm64 sysroot of kselftest/sysroot.sh)
endif

CC := $(CROSS_COMPILE)gcc --sysroot=$(SYSROOT)
ifeq ($(shell command -v $(CROSS_COMPILE)gcc),)
$(error $(CROSS_COMPILE)gcc not found: install gcc-aarch64-linux-gnu (make deps))
endif
# The sysroot's kernel uapi headers (those of the host's linux-libc-dev)
# before the cross toolchain's older ones; the C library's headers are
# the toolchain's, like its libc.a.
CROSS_CFLAGS := -isystem $(SYSROOT)/usr/include/aarch64-linux-gnu \
		-isystem $(SYSROOT)/usr/include
GUEST_LDFLAGS := -static

# The default: the newest arm64 kernel of the cache (its metadata says
# arch=arm64), whose BTF the kernel fetch stores as vmlinux.btf.
ifeq ($(origin VMLINUX_BTF),undefined)
VMLINUX_BTF := $(shell grep -lx 'arch=arm64' \
		 $(KTSTR_CACHE_DIR)/kernels/[0-9]*/metadata 2>/dev/null | \
		 sort -V | tail -n 1 | sed 's,metadata$$,vmlinux.btf,')
endif
SCHED_BTF_HINT := no arm64 kernel in $(KTSTR_CACHE_DIR)/kernels (an entry with arch=arm64 and its vmlinux.btf): fetch one (Documentation/kernels.md) or set VMLINUX_BTF=

# The guest's busybox, the sysroot's.  The host cannot run it to ask for
# its applets: when the host's busybox-static is the same Debian version,
# its list (busybox.applets) serves, else the guest's /init makes the
# links itself (vmm/guest.c).
CROSS_GUEST_FILES := $(O)/guest/busybox
.DEFAULT_GOAL := all

$(O)/guest/busybox: $(SYSROOT)/bin/busybox $(SYSROOT)/.ktstr-sysroot
	$(call msg,CP,$@)
	$(Q)mkdir -p $(@D)
	$(Q)cp $< $@
	$(Q)host=$$(dpkg-query -W -f='$${Version}' busybox-static 2>/dev/null); \
	guest=$$(sed -n 's/^busybox-static \([^ ]*\) .*/\1/p' \
		 $(SYSROOT)/.ktstr-sysroot); \
	if [ -n "$$host" ] && [ "$$host" = "$$guest" ]; then \
		/bin/busybox --list-full > $@.applets; \
	else \
		rm -f $@.applets; \
	fi
