# SPDX-License-Identifier: GPL-2.0
#
# The auto-repro guest probe agent, see Documentation/auto-repro.md.
# Included by the top-level Makefile, after tests/schedulers/schedulers.mk
# (whose vmlinux.h, CLANG and BPFTOOL it uses).
#
#   $(O)/repro-agent/ktstr-probe   repro/agent/agent.c + probe.bpf.c,
#                                  put in the guest at /ktstr/repro/

REPRO_SRC := repro/agent
REPRO_OBJ := $(O)/tests/repro
REPRO_AGENT := $(O)/repro-agent/ktstr-probe

REPRO_BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_TARGET_ARCH) \
	-mcpu=v3 -mlittle-endian -Wall -Wno-missing-declarations -fms-extensions \
	-Wno-microsoft-anon-tag -I$(SCHED_OBJ) -I$(REPRO_SRC) -MMD -MP

repro-agent: $(REPRO_AGENT)

$(REPRO_OBJ)/probe.bpf.o: $(REPRO_SRC)/probe.bpf.c $(REPRO_SRC)/probe.h \
			  $(SCHED_OBJ)/vmlinux.h $(SCHED_OBJ)/clang.stamp
	$(call msg,CLNG-BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(REPRO_BPF_CFLAGS) -c -o $@ $<

# As for the schedulers: skeletons of bpftool >= 7.5 for libbpf 1.4.
$(REPRO_OBJ)/probe.bpf.skel.h: $(REPRO_OBJ)/probe.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name probe_bpf | sed '/map->link = /d' > $@.tmp
	$(Q)mv $@.tmp $@

$(REPRO_OBJ)/agent.o: $(REPRO_SRC)/agent.c $(REPRO_OBJ)/probe.bpf.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(KT_CFLAGS) -I$(REPRO_OBJ) -I$(REPRO_SRC) -c -o $@ $<

$(REPRO_AGENT): $(REPRO_OBJ)/agent.o
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(GUEST_LDFLAGS) -o $@ $^ -lbpf -lelf -lz \
		$(if $(GUEST_LDFLAGS),-lzstd)

.PHONY: repro-agent
