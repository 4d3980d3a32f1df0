#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Seeds of decode_fuzz from real agent output.

    decode_corpus.py AGENT_OUTPUT... OUT_DIR

Each KTSTR-PROBE mem line (SEQ ARG TYPE ADDR NWIN OFF:LEN... HEX) is a
capture of a struct as the guest agent sent it; the first of each type,
and a pair of captures of one address (entry and exit) per type, become
struct decode_fuzz_header of decode_fuzz.c, the windows and the bytes.
"""
import os
import struct
import sys

TYPES = ["task_struct", "rq", "scx_dispatch_q", "scx_exit_info",
         "sched_ext_entity", "scx_rq", "cpumask", "no_such_struct"]


def captures(path):
    for line in open(path, errors="replace"):
        at = line.find("KTSTR-PROBE mem ")
        if at < 0:
            continue
        f = line[at:].split()[2:]
        seq, arg, typ, addr, nwin = f[0], f[1], f[2], int(f[3], 16), int(f[4])
        wins = [tuple(int(x) for x in w.split(":")) for w in f[5:5 + nwin]]
        data = bytes.fromhex(f[5 + nwin]) if len(f) > 5 + nwin else b""
        yield typ, addr, wins, data


def seed(out, name, typ, addr, wins, data, exit_data=None):
    flags = 1 if exit_data is not None else 0
    hdr = struct.pack("<BBBBQQ", TYPES.index(typ), len(wins), flags, 0,
                      0x8000000000000002, addr)
    body = b"".join(struct.pack("<II", o, n) for o, n in wins)
    with open(os.path.join(out, name), "wb") as f:
        f.write(hdr + body + data + (exit_data or b""))


def main():
    out = sys.argv[-1]
    os.makedirs(out, exist_ok=True)
    first, last = {}, {}
    for path in sys.argv[1:-1]:
        for typ, addr, wins, data in captures(path):
            if typ not in TYPES:
                continue
            first.setdefault(typ, (addr, wins, data))
            prev = last.get((typ, addr))
            if prev and prev[0] == wins and prev[1] != data and \
                    (typ + "-pair") not in first:
                first[typ + "-pair"] = (addr, wins, prev[1], data)
            last[(typ, addr)] = (wins, data)
    for key, v in first.items():
        typ = key.split("-")[0]
        seed(out, key, typ, *v)
        print(key, len(v[1]), "windows")


if __name__ == "__main__":
    main()
