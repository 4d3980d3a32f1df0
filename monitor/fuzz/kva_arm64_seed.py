#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A seed of kva_fuzz for its arm64 reading (FLAG_ARM64).

    kva_arm64_seed.py OUT_FILE

No arm64 guest snapshot is needed: the seed is the smallest arm64 guest
the monitor finds, built the way an arm64 kernel lays itself out.  RAM
(from 1 GiB) starts with the image, linked at 0xffff800080000000:

    page 0  the Image header: "ARM\\x64" at 0x38, flags 4 KiB pages, LE
    page 1  linux_banner, at 0x40
    page 2  memstart_addr, kimage_voffset, nr_cpu_ids, __per_cpu_offset[2]
    page 3  swapper_pg_dir (level 0), pages 4-6 levels 1 to 3
    page 7  CPU 1's per-CPU copy of the banner page

Level 3 maps the image's 8 pages by 4 KiB pages; the linear map is by its
offsets (PAGE_OFFSET of 48 bits, memstart_addr 1 GiB).  The header walks
and reads linux_banner's run-time address, and the same field per CPU.
"""
import struct
import sys

RAM_BASE = 0x40000000
TEXT = 0xFFFF800080000000
PAGE_OFFSET_48 = 0xFFFF000000000000
PAGE = 4096
FLAG_VMALLOC_BASE, FLAG_NR_CPU_IDS, FLAG_ARM64 = 2, 8, 0x10
BANNER = b"Linux version 7.3.4+deb13-cloud-arm64 (kva_arm64_seed) #1 SMP\n\0"
VALID_TABLE, PAGE_DESC = 0x3, 0x3 | (1 << 10)   # AF on leaves


def index(va, level):
    return (va >> (12 + 9 * (3 - level))) & 511


def main():
    out = sys.argv[1]
    pages = [bytearray(PAGE) for _ in range(8)]
    pages[0][0x38:0x3C] = b"ARM\x64"
    struct.pack_into("<Q", pages[0], 0x30, 1 << 1)
    pages[1][0x40:0x40 + len(BANNER)] = BANNER
    pages[7][0x40:0x40 + len(BANNER)] = BANNER
    banner_va = TEXT + PAGE + 0x40
    # CPU n's copy of a per-CPU variable: its address plus the offset.
    cpu1 = PAGE_OFFSET_48 + 7 * PAGE + 0x40 - banner_va
    struct.pack_into("<QQIxxxxQQ", pages[2], 0, RAM_BASE, TEXT - RAM_BASE,
                     2, 0, cpu1 & 0xFFFFFFFFFFFFFFFF)
    # swapper_pg_dir and its levels 1 to 3, mapping the image.
    for level, table in ((0, 3), (1, 4), (2, 5)):
        struct.pack_into("<Q", pages[table], index(TEXT, level) * 8,
                         (RAM_BASE + (table + 1) * PAGE) | VALID_TABLE)
    for n in range(8):
        struct.pack_into("<Q", pages[6], (index(TEXT, 3) + n) * 8,
                         (RAM_BASE + n * PAGE) | PAGE_DESC)
    # Offsets from _text: banner, memstart_addr (page_offset_base's
    # place), kimage_voffset (vmalloc_base's), swapper_pg_dir
    # (init_top_pgt's), __pgtable_l5_enabled (none), __per_cpu_offset,
    # nr_cpu_ids.
    syms = (PAGE + 0x40, 2 * PAGE, 2 * PAGE + 8, 3 * PAGE, 2 * PAGE + 0x100,
            2 * PAGE + 0x18, 2 * PAGE + 0x10)
    hdr = struct.pack("<BBHIQQ7IHHBB6x",
                      FLAG_ARM64 | FLAG_VMALLOC_BASE | FLAG_NR_CPU_IDS, 0,
                      64, 0, RAM_BASE + 3 * PAGE, banner_va, *syms,
                      16, 0, 8, 1)
    assert len(hdr) == 64
    with open(out, "wb") as f:
        f.write(hdr + b"".join(bytes(p) for p in pages))


if __name__ == "__main__":
    main()
