#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seeds of kva_fuzz from a real guest's RAM snapshot.

    kva_corpus.py SNAPSHOT_DIR SYSTEM_MAP OUT_DIR

SNAPSHOT_DIR is a `ktstr snapshot` directory (ram0, ... and info) of a
guest booted with `--nokaslr`; SYSTEM_MAP is its kernel's System.map.  For a
few virtual addresses (a kernel-image symbol, the per-CPU runqueues, the
direct map, a vmalloc page) the guest's own page tables are walked from
init_top_pgt, and the pages on the way (each table, the page the address
is in) and the pages of the symbols the monitor reads first are copied
into a compact image: page N of the image holds the N-th page copied,
and the table entries on each walk are rewritten to point at the copies.
Every other entry, and every byte, is the guest's.  Only the pages
needed are read from the (large, sparse) RAM files.

The header is struct kva_fuzz_header of kva_fuzz.c.
"""
import os
import struct
import sys

START_KERNEL_MAP = 0xFFFFFFFF80000000
PTE_PRESENT = 1
PTE_HUGE = 1 << 7
PTE_ADDR = 0x000FFFFFFFFFF000
PAGE = 4096
SYMS = ["linux_banner", "page_offset_base", "vmalloc_base", "init_top_pgt",
        "__pgtable_l5_enabled", "__per_cpu_offset", "nr_cpu_ids"]
FLAG_L5, FLAG_VMALLOC_BASE, FLAG_PGTABLE_L5, FLAG_NR_CPU_IDS = 1, 2, 4, 8


class Ram:
    """The snapshot's RAM files, one block in node order, below 4 GiB."""

    def __init__(self, snap):
        self.files = []
        n = 0
        while os.path.exists(os.path.join(snap, "ram%d" % n)):
            path = os.path.join(snap, "ram%d" % n)
            self.files.append((open(path, "rb"), os.path.getsize(path)))
            n += 1
        total = sum(size for _, size in self.files)
        # q35: RAM of 2.75 GiB or more is split at 2 GiB.
        self.below_4g = 0x80000000 if total >= 0xB0000000 else total

    def page(self, pa):
        pa &= ~(PAGE - 1)
        off = pa if pa < self.below_4g else pa - (1 << 32) + self.below_4g
        for f, size in self.files:
            if off < size:
                f.seek(off)
                return bytearray(f.read(PAGE))
            off -= size
        raise ValueError("0x%x is not RAM" % pa)

    def u64(self, pa):
        return struct.unpack_from("<Q", self.page(pa), pa % PAGE)[0]


class Image:
    """Pages copied from the guest, renumbered from 0."""

    def __init__(self, ram):
        self.ram = ram
        self.pages = []
        self.index = {}

    def copy(self, pa):
        pa &= ~(PAGE - 1)
        if pa not in self.index:
            self.index[pa] = len(self.pages)
            self.pages.append(self.ram.page(pa))
        return self.index[pa]

    def walk(self, top, va, levels):
        """Copies the walk of @va; returns the virtual address that lands
        in the copied page (for a huge page: the same offset in it)."""
        table = top
        for level in range(levels, 0, -1):
            shift = 12 + 9 * (level - 1)
            slot = (va >> shift) & 511
            entry = self.ram.u64(table + slot * 8)
            if not entry & PTE_PRESENT:
                raise ValueError("0x%x not mapped at level %d" % (va, level))
            src = self.copy(table)
            leaf = level == 1 or (level in (2, 3) and entry & PTE_HUGE)
            if leaf:
                size = 1 << shift
                base = entry & PTE_ADDR & ~(size - 1)
                data_pa = base | (va & (size - 1))
                # The copy goes where the leaf then points: base 0 and the
                # page's index as the offset, so the walk ends in the copy.
                dst = self.copy(data_pa)
                if size > PAGE:
                    new = (entry & ~PTE_ADDR) | 0
                    va = (va & ~(size - 1)) | (dst * PAGE) | (va % PAGE)
                    if dst * PAGE >= size:
                        raise ValueError("image too large for the page")
                else:
                    new = (entry & ~PTE_ADDR) | (dst * PAGE)
                struct.pack_into("<Q", self.pages[src], slot * 8, new)
                return va
            nxt = entry & PTE_ADDR
            dst = self.copy(nxt)
            new = (entry & ~PTE_ADDR) | (dst * PAGE)
            struct.pack_into("<Q", self.pages[src], slot * 8, new)
            table = nxt
        raise ValueError("walk did not end")


def read_map(path):
    syms = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                syms.setdefault(parts[2], int(parts[0], 16))
    return syms


def first_4k_leaf(ram, top, levels, lo, hi):
    """A virtual address in [lo, hi) mapped by a 4 KiB page, or None."""
    def scan(table, level, base):
        shift = 12 + 9 * (level - 1)
        page = ram.page(table)
        for slot in range(512):
            va = base | (slot << shift)
            if va + (1 << shift) <= lo or va >= hi:
                continue
            entry = struct.unpack_from("<Q", page, slot * 8)[0]
            if not entry & PTE_PRESENT:
                continue
            if level == 1:
                return va
            if level in (2, 3) and entry & PTE_HUGE:
                continue
            found = scan(entry & PTE_ADDR, level - 1, va)
            if found is not None:
                return found
        return None
    bits = 57 if levels == 5 else 48
    top_base = (~0 << (bits - 1)) & 0xFFFFFFFFFFFFFFFF  # the upper half
    return scan(top, levels, top_base)


def guest_levels(ram, syms):
    pa = syms["__pgtable_l5_enabled"] - START_KERNEL_MAP
    return 5 if struct.unpack_from("<I", ram.page(pa), pa % PAGE)[0] else 4


def seed(ram, syms, va, read_len, field_size, cpu, name, out, l5=False):
    """With @l5 on a 4-level guest, the walk starts one level up: a
    fifth-level table whose last entry (the upper half) is the guest's
    root, as a 5-level kernel's would be."""
    top = syms["init_top_pgt"] - START_KERNEL_MAP
    levels = guest_levels(ram, syms)
    im = Image(ram)
    root = im.copy(top)
    va = im.walk(top, va, levels)
    walk_root = root
    if l5 and levels == 4:
        walk_root = len(im.pages)
        im.pages.append(bytearray(PAGE))
        struct.pack_into("<Q", im.pages[walk_root], 511 * 8,
                         root * PAGE | 0x63)
        levels = 5
    # The symbols the target reads, each in a copied page.
    offs = []
    for s in SYMS:
        pa = syms[s] - START_KERNEL_MAP
        offs.append(im.copy(pa) * PAGE + pa % PAGE)
    # init_top_pgt is the root: the target walks the copy.
    offs[SYMS.index("init_top_pgt")] = root * PAGE
    flags = (FLAG_L5 if levels == 5 else 0) | FLAG_VMALLOC_BASE | \
        FLAG_PGTABLE_L5 | FLAG_NR_CPU_IDS
    nodes = 1 if len(im.pages) < 4 else 2
    hdr = struct.pack("<BBHIQQ7IHHBB6x", flags, nodes - 1, read_len,
                      len(im.pages) // 2, walk_root * PAGE, va, *offs,
                      16, 0, field_size, cpu)
    assert len(hdr) == 64
    data = hdr + b"".join(bytes(p) for p in im.pages)
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
    print("%s: %d pages, va 0x%x" % (name, len(im.pages), va))


def main():
    snap, system_map, out = sys.argv[1:4]
    ram = Ram(snap)
    syms = read_map(system_map)
    os.makedirs(out, exist_ok=True)
    top = syms["init_top_pgt"] - START_KERNEL_MAP
    pob = ram.u64(syms["page_offset_base"] - START_KERNEL_MAP)
    vmb = ram.u64(syms["vmalloc_base"] - START_KERNEL_MAP)
    pcpu1 = ram.u64(syms["__per_cpu_offset"] - START_KERNEL_MAP + 8)
    # The kernel image (2 MiB pages), read across a page.
    seed(ram, syms, syms["linux_banner"], 5000, 8, 0, "image-banner", out)
    # A per-CPU variable of CPU 1: the direct map (1 GiB or 2 MiB pages).
    seed(ram, syms, (syms["runqueues"] + pcpu1) & (2**64 - 1), 64, 8, 1,
         "percpu-runqueues",
         out)
    seed(ram, syms, pob + 0x100000, 4096, 4, 0, "direct-map", out)
    seed(ram, syms, pob + 0x100000, 4096, 4, 0, "direct-map-l5", out,
         l5=True)
    vm = first_4k_leaf(ram, top, guest_levels(ram, syms), vmb,
                       vmb + (1 << 40))
    if vm is not None:
        seed(ram, syms, vm + 0x10, 256, 2, 0, "vmalloc-4k", out)
        seed(ram, syms, vm + 0xff8, 16, 8, 0, "vmalloc-4k-l5", out,
             l5=True)


if __name__ == "__main__":
    main()
