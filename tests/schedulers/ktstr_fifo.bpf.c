// SPDX-License-Identifier: GPL-2.0
/*
 * ktstr_fifo: one global FIFO, see ktstr_fifo.bpf.h.
 */
#include "ktstr_fifo.bpf.h"

char _license[] SEC("license") = "GPL";

FIFO_OPS_DEFINE(ktstr_fifo);
