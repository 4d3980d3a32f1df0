# SPDX-License-Identifier: GPL-2.0
#
# The `ktstr verifier` guest agent, see Documentation/verifier.md.
# Included by the top-level Makefile.
#
#   $(O)/verifier-agent/ktstr-verifier   verifier/agent/agent.c with the
#                                        stats parser, static: the guest
#                                        has no libraries of its own

VERIFIER_AGENT := $(O)/verifier-agent/ktstr-verifier

$(VERIFIER_AGENT): verifier/agent/agent.c verifier/stats.c verifier/stats.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(KT_CFLAGS) -Iverifier -static -o $@ $(filter %.c,$^) \
		-ljansson -lbpf -lelf -lz -lzstd

verifier-agent: $(VERIFIER_AGENT)

.PHONY: verifier-agent

# The tests' BPF loader (verifier/tests/loader/): agent_test runs it alone
# and under the agent on the host, verifier_vm_test in a guest (static).
VERIFIER_TEST_LOADER := $(O)/verifier-agent/test-loader

$(VERIFIER_TEST_LOADER): verifier/tests/loader/test_loader.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(KT_CFLAGS) -static -o $@ $< -lpthread

all: $(VERIFIER_TEST_LOADER)
