/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device tree of an arm64 guest: QEMU's own for the machine, with
 * the declared topology written into it.
 */
#ifndef KTSTR_DTB_H
#define KTSTR_DTB_H

#include <stddef.h>

#include "qemu.h"
#include "topology.h"

/*
 * The tree for the guest of @spec (its topology, and the machine its
 * command line makes), as a file of the cache: $CACHE/dtb/<key>.dtb,
 * made once per key.  The key covers the QEMU binary, the command line
 * of the machine and the topology.  To make it, QEMU writes its own tree
 * (the same command line with -machine dumpdtb=) and kt_dtb_edit()
 * rewrites it; the file is renamed into place complete, and a failure
 * leaves nothing in the cache.
 */
int kt_dtb_build(const struct kt_qemu_spec *spec, char *path, size_t len);

/*
 * Rewrites the tree @fdt (of @size bytes, with room to grow) for @t:
 * /cpus/cpu-map (a socket per node with CPUs, a cluster per declared
 * cluster, a core per core, a thread per SMT thread), numa-node-id and
 * capacity-dmips-mhz on every CPU, and the caches: L1 on each CPU, an
 * L2 per core and an L3 per LLC, chained by next-level-cache, in place
 * of any the tree had.  Every CPU of @t must have its cpu@N node.
 */
int kt_dtb_edit(void *fdt, size_t size, const struct kt_topology *t);

#endif
