#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Writes a copy of VMLINUX whose linux_banner differs by one byte, as
another build of the same source would (its date, its builder): what the
monitor is given must then be refused, not matched to the guest.

Usage: other_build.py VMLINUX SYSTEM_MAP OUT
"""
import struct
import sys


def banner_address(system_map):
    with open(system_map) as f:
        for line in f:
            addr, _, name = line.split()[:3]
            if name == "linux_banner":
                return int(addr, 16)
    sys.exit("no linux_banner in " + system_map)


def file_offset(elf, addr):
    """The file offset of link address ADDR, from the program headers."""
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(
            "<IIQQQQ", elf, phoff + i * phentsize)
        if p_type == 1 and p_vaddr <= addr < p_vaddr + p_filesz:
            return p_offset + addr - p_vaddr
    sys.exit("0x%x is in no loadable segment" % addr)


def main():
    vmlinux, system_map, out = sys.argv[1:4]
    elf = bytearray(open(vmlinux, "rb").read())
    at = file_offset(elf, banner_address(system_map))
    if not elf[at:].startswith(b"Linux version "):
        sys.exit("no banner at linux_banner")
    end = elf.index(b"\n", at)
    # The last character before the newline: still a banner, not this one.
    elf[end - 1] = ord("#") if elf[end - 1] != ord("#") else ord("%")
    open(out, "wb").write(elf)


main()
