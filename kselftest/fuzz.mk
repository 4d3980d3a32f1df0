# SPDX-License-Identifier: GPL-2.0
#
# libFuzzer targets for the readers of guest-controlled and user-supplied
# data, see Documentation/fuzzing.md.  Included by the top-level Makefile.
#
#   make fuzz-targets        build $(O)/fuzz/<dir>/fuzz/<name>_fuzz
#   make fuzz FUZZ_SECONDS=N run each target for N seconds,
#             [FUZZ_JOBS=N]  N targets at a time
#
# Each target is <dir>/fuzz/<name>_fuzz.c; its seed corpus is
# <dir>/fuzz/corpus/<name>/, the inputs of crashes once found and fixed
# are <dir>/fuzz/regress/<name>/.  The host library is compiled again,
# with the sanitizers, into an archive: a target links only the readers
# it calls and what they need.

# libFuzzer's runtime comes with compiler-rt, which Debian packages
# apart from clang (libclang-rt-NN-dev): take the newest clang that has
# it, whatever clang the schedulers are built with.
ifeq ($(origin FUZZ_CC),undefined)
FUZZ_CC := $(shell for v in 29 28 27 26 25 24 23 22 21 20 19 18 17 16 15 14; do \
	     c=clang-$$v; command -v $$c >/dev/null || continue; \
	     for rt in libclang_rt.fuzzer-x86_64.a libclang_rt.fuzzer.a; do \
	       f=$$($$c -print-file-name=$$rt); \
	       [ "$${f#/}" != "$$f" ] && [ -f "$$f" ] && { echo $$c; exit; }; \
	     done; done)
endif

FUZZ_SECONDS ?= 60
# Targets fuzzed at a time, one CPU each.
FUZZ_JOBS ?= 1
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -g -O1 $(FUZZ_SANITIZE) -std=gnu11 -Wall -Wextra \
	       -Wno-unused-parameter -D_GNU_SOURCE -I. -Ivmm -Ivmm/kernel \
	       -Ivmm/util -Imonitor -Irepro -Ikselftest/runner -MMD -MP

FUZZ_OBJ := $(O)/fuzz/obj
FUZZ_LIB := $(O)/fuzz/libktstr.a
FUZZ_SRCS := $(wildcard $(addsuffix /fuzz/*_fuzz.c,$(TEST_DIRS)))
FUZZ_TARGETS := $(FUZZ_SRCS:%.c=$(O)/fuzz/%)

$(FUZZ_OBJ)/%.o: %.c
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_LIB): $(HOST_SRCS:%.c=$(FUZZ_OBJ)/%.o)
	$(call msg,AR,$@)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(O)/fuzz/%: %.c $(FUZZ_LIB)
	$(call msg,FUZZ-LD,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) \
		$(HOST_LIBS)

ifeq ($(FUZZ_CC),)
fuzz-targets:
	@echo "ktstr: no clang with libFuzzer (install libclang-rt-NN-dev): fuzz targets not built" >&2
else
fuzz-targets: $(FUZZ_TARGETS)
endif

fuzz: fuzz-targets
	$(Q)FUZZ_JOBS=$(FUZZ_JOBS) kselftest/fuzz.sh --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

.PHONY: fuzz fuzz-targets
