#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Do the monitor's samples agree with what the guest read itself?

Usage: agree.py GUEST_LOG MONITOR_JSON

The guest log holds marks written by the guest at instants it records
with jiffies before and after (/proc/schedstat's timestamp), each with
/sys/kernel/debug/sched/debug, /sys/kernel/sched_ext/root/events and the
sched_ext state.  For every field both can see, the monitor's samples
within one sample interval of the instant must agree: equal for a level
(nr_running, the current pid of a CPU with one task, or where the guest
caught a kthread current for a moment, the task it interrupted),
bracketing for a counter (nr_switches, the rq clock, each event).  The
waiting tasks the monitor read on CPUs 2 and 3, where the guest pinned
its spinners (comm "sh"), must be runnable tasks of that CPU in the
guest's list, allowed on that CPU alone.

Dump marks bracket sched_ext's own dump (SysRq-D through the
sched_ext_dump trace event): each waiting task with its wait so far in
ms, that is the kernel's p->scx.runnable_at seen from the dump's instant.
A task waits without running from runnable_at on, so wherever the
monitor's reading of a task's runnable_at and the guest's cover the same
instants, they must be the same jiffy: a monitor sample taken after the
dump, of a wait begun before it, must find the task in the guest's dump
with that runnable_at; a monitor sample taken within a wait the dump
shows must read the dump's runnable_at.

The host's own reading, each vCPU thread's host CPU time (vcpu_run),
exists only where each vCPU has a thread (KVM, or TCG with
KTSTR_TCG_THREAD=multi): then it is known for every CPU in every sample
and never falls; all threads together never had more than the host's
CPUs; and in the second before the first mark, while the guest's CPU 0
only slept and CPUs 1 to 3 spun, vCPU 0's thread had less host CPU than
each of the others.  Under single-threaded TCG it is null throughout,
and the one thread's time (vm_run) is known in every sample, never
falls, and grew by more than nothing and at most the run's length.

Exit 1 on any disagreement or if too little was compared.
"""
import json
import os
import re
import sys


PER_VCPU_THREADS = os.environ.get("KTSTR_TCG_THREAD") == "multi"
DUMP_CPU = re.compile(r"sched_ext_dump: CPU (\d+) *:")
# " %c%c %s[%d] %s%s %+ldms": running (*) or waiting, state, comm[pid],
# its scheduler, runnable_at relative to the dump's jiffies.
DUMP_TASK = re.compile(r"sched_ext_dump:  ([ *])\S (.*)\[(\d+)\] \S+ ([+-]\d+)ms$")


def parse_dump_line(dump, line):
    m = DUMP_CPU.search(line)
    if m:
        dump["cpu"] = int(m.group(1))
        return
    m = DUMP_TASK.search(line)
    if m and m.group(1) == " ":
        dump["tasks"][int(m.group(3))] = {"cpu": dump.get("cpu"),
                                          "ms": int(m.group(4))}


def parse_guest(path):
    """The marks, and the dumps with the jiffies that bracket each."""
    marks, cur, section, last_cpu = [], None, None, None
    dumps, dump = [], None
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        m = re.match(r"KT_MARK (\w+) ?(.*)", line)
        if m:
            what, rest = m.groups()
            if what == "dump":
                dump = {"j0": int(rest.split()[-1]), "tasks": {}}
            elif what == "dumped" and dump is not None:
                dump["j1"] = int(rest.split()[-1])
                dumps.append(dump)
            else:
                dump = None
            if what == "begin":
                cur = {"cpus": {}, "events": {}}
                cur["j0"] = int(rest.split()[-1])
            elif what == "end":
                cur["j1"] = int(rest.split()[-1])
                marks.append(cur)
                cur = None
            elif what == "state":
                cur["state"], cur["ops"] = rest.split()
            section = what
            continue
        if dump is not None and "j1" in dump:
            parse_dump_line(dump, line)
            continue
        if cur is None:
            continue
        m = re.match(r"cpu#(\d+),", line)
        if m:
            section = ("cpu", int(m.group(1)))
            last_cpu = section[1]
            cur["cpus"][last_cpu] = {}
            continue
        if line.startswith("runnable tasks") and last_cpu is not None:
            section = ("tasks", last_cpu)
            cur["cpus"][last_cpu]["runnable"] = set()
            cur["cpus"][last_cpu]["others_r"] = 0
            continue
        if line.startswith("cfs_rq") or line.startswith("rt_rq") or \
                line.startswith("dl_rq"):
            section = None
            continue
        if isinstance(section, tuple) and section[0] == "tasks":
            m = re.match(r"(>R| \w) +(.+?) +(\d+) ", line)
            if m:
                cpu = cur["cpus"][section[1]]
                running = m.group(1).endswith("R")
                cpu["runnable"].add(int(m.group(3)))
                if running:
                    cpu.setdefault("comm", {})[int(m.group(3))] = m.group(2)
                # A kthread passing through, not one of the spinners.
                cpu["others_r"] += running and m.group(2) != "sh"
            continue
        if isinstance(section, tuple):
            m = re.match(r"\s+\.(\S+)\s+: (-?[\d.]+)", line)
            if m:
                key, val = m.groups()
                cpu = cur["cpus"][section[1]]
                if key == "clock":
                    sec, _, frac = val.partition(".")
                    cpu[key] = int(sec) * 1000000 + int(frac.ljust(6, "0"))
                elif key in ("nr_running", "nr_switches", "curr->pid"):
                    cpu[key] = int(val)
        elif section == "events":
            m = re.match(r"(SCX_EV_\w+) (\d+)", line)
            if m:
                cur["events"][m.group(1)] = int(m.group(2))
    return marks, dumps


def monitor_waits(samples):
    """(sample jiffies, pid, runnable_at): every wait the monitor read."""
    waits = set()
    for s in samples:
        tasks = [c["longest_wait"] for c in s["cpus"]
                 if c.get("longest_wait")] + s["waiting"]
        for w in tasks:
            if w.get("runnable_at") is not None:
                waits.add((s["jiffies"], w["pid"], w["runnable_at"]))
    return sorted(waits)


def compare_waits(dumps, samples, hz, agree):
    """Where a monitor sample and a dump see the same wait, one runnable_at.

    The dump runs at some jiffy between j0 and j1, and shows each waiting
    task's runnable_at relative to it, in ms: the task has waited since
    one of j0 - ms, ..., j1 - ms.
    """
    waits = monitor_waits(samples)
    for d in dumps:
        for at, pid, since in waits:
            g = d["tasks"].get(pid)
            back = None if g is None else -g["ms"] * hz // 1000
            # The monitor's wait covers the dump: the guest must show it.
            if since < d["j0"] and at > d["j1"]:
                ok = back is not None and \
                    d["j0"] - back <= since <= d["j1"] - back
            # The guest's wait covers the sample: the monitor read it.
            elif back is not None and d["j1"] - back < at < d["j0"]:
                ok = d["j0"] - back <= since <= d["j1"] - back
            else:
                continue
            agree("runnable_at", ok,
                  "pid %d: monitor at jiffies %d: waiting since %d; "
                  "guest dump in jiffies %d..%d: %s" %
                  (pid, at, since, d["j0"], d["j1"],
                   "not waiting" if g is None else "%+d ms" % g["ms"]))


def compare_vcpu_run(marks, samples, hz, agree):
    """The host's vCPU thread times against what the guest ran where."""
    ncpu = len(samples[0]["cpus"])
    # QEMU's vCPU threads end at shutdown, before the last samples.
    while len(samples) > 10 and samples[-1]["vm_run"] is None and \
            samples[-1]["cpus"][0]["vcpu_run"] is None:
        samples = samples[:-1]
    runs = [[s["cpus"][c]["vcpu_run"] for s in samples] for c in range(ncpu)]
    if not PER_VCPU_THREADS:
        agree("vcpu_run", all(v is None for r in runs for v in r),
              "vCPU times under single-threaded TCG: %s" % runs[0][:8])
        vm = [s["vm_run"] for s in samples]
        span = samples[-1]["t"] - samples[0]["t"]
        agree("vm_run", None not in vm and
              all(a <= b for a, b in zip(vm, vm[1:])) and
              0 < vm[-1] - vm[0] <= span * 1.05e9,
              "the TCG thread's time: %s ... %s over %.1f s" %
              (vm[:4], vm[-1:], span))
        return
    for c, r in enumerate(runs):
        agree("vcpu_run", None not in r and
              all(a <= b for a, b in zip(r, r[1:])),
              "cpu %d: unknown or falling: %s" % (c, r[:8]))
    if any(None in r for r in runs):
        return
    span = samples[-1]["t"] - samples[0]["t"]
    total = sum(r[-1] - r[0] for r in runs) / 1e9
    agree("vcpu_run", total <= os.cpu_count() * span * 1.05,
          "%.1f s of host CPU in %.1f s on %d host CPUs" %
          (total, span, os.cpu_count()))
    if not marks:
        return
    j1 = marks[0]["j0"]
    win = [i for i, s in enumerate(samples) if j1 - hz <= s["jiffies"] <= j1]
    if len(win) < 2:
        agree("vcpu_run", False, "no samples in the second before mark 0")
        return
    a, b = win[0], win[-1]
    dt = samples[b]["t"] - samples[a]["t"]
    share = [(r[b] - r[a]) / 1e9 / dt for r in runs]
    agree("vcpu_run", all(share[0] < x for x in share[1:]),
          "before mark 0, CPU 0 slept and CPUs 1-3 spun, but their vCPU "
          "threads had %s of a host CPU" %
          ", ".join("%.2f" % x for x in share))


def main():
    marks, dumps = parse_guest(sys.argv[1])
    mon = json.load(open(sys.argv[2]))
    samples = [s for s in mon["samples"] if s["jiffies"] is not None]
    if len(samples) < 10:
        sys.exit("only %d monitor samples" % len(samples))
    span_j = samples[-1]["jiffies"] - samples[0]["jiffies"]
    span_t = samples[-1]["t"] - samples[0]["t"]
    hz = span_j / span_t
    slack = max(1, round(mon["interval_ms"] / 1000.0 * hz)) + 1
    events = mon["events"]
    checked, bad = {}, []

    def agree(name, ok, detail):
        checked[name] = checked.get(name, 0) + 1
        if not ok:
            bad.append("%s: %s" % (name, detail))

    for i, m in enumerate(marks):
        win = [s for s in samples
               if m["j0"] - slack <= s["jiffies"] <= m["j1"] + slack]
        if len(win) < 2:
            bad.append("mark %d: %d samples in jiffies %d..%d" %
                       (i, len(win), m["j0"], m["j1"]))
            continue
        agree("state", all(s["state"] == "SCX_ENABLED" for s in win)
              and m["state"] == "enabled", (m["state"], win[0]["state"]))
        agree("scheduler", all(s["scheduler"] == m["ops"] for s in win),
              (m["ops"], win[0]["scheduler"]))
        for cpu, g in m["cpus"].items():
            vals = [s["cpus"][cpu] for s in win]
            if cpu > 0:
                # Less the kthreads the guest caught on the CPU for a
                # moment, which no sample need see.
                seen = [v["nr_running"] for v in vals]
                steady = g["nr_running"] - g.get("others_r", 0)
                agree("nr_running", g["nr_running"] in seen or
                      steady in seen,
                      "mark %d cpu %d: guest %d (%d without passing "
                      "kthreads), monitor %s" %
                      (i, cpu, g["nr_running"], steady, seen))
            for key, mkey in (("nr_switches", "nr_switches"),
                              ("clock", "clock")):
                lo = min(v[mkey] for v in vals)
                hi = max(v[mkey] for v in vals)
                agree(key, lo <= g[key] <= hi,
                      "mark %d cpu %d: guest %d outside monitor %d..%d" %
                      (i, cpu, g[key], lo, hi))
            if cpu >= 2 and "runnable" in g:
                waiting = [w for s in win if not s["waiting_unknown"]
                           for w in s["waiting"]
                           if w["cpu"] == cpu and w["comm"] == "sh"]
                for w in waiting:
                    agree("waiting", w["pid"] in g["runnable"] and
                          w["allowed"] == str(cpu),
                          "mark %d cpu %d: monitor %s, guest runnable %s" %
                          (i, cpu, w, sorted(g["runnable"])))
            if cpu == 1:
                seen = [v["curr_pid"] for v in vals]
                # A kthread the guest caught current for a moment, which no
                # sample need see: then the spinner it interrupted.
                want = {g["curr->pid"]}
                if g.get("comm", {}).get(g["curr->pid"], "sh") != "sh":
                    want |= {p for p, c in g["comm"].items() if c == "sh"}
                agree("curr_pid", bool(want & set(seen)),
                      "mark %d cpu 1: guest %d, monitor %s" %
                      (i, g["curr->pid"], seen))
        for e, gv in m["events"].items():
            if e not in events:
                bad.append("event %s not in the monitor's list" % e)
                continue
            k = events.index(e)
            tot = [sum(c["events"][k] for c in s["cpus"]) for s in win
                   if all(c["events"] is not None for c in s["cpus"])]
            agree("events", tot and min(tot) <= gv <= max(tot),
                  "mark %d %s: guest %d, monitor %s" % (i, e, gv, tot))
    compare_waits(dumps, samples, mon["hz"], agree)
    compare_vcpu_run(marks, samples, hz, agree)
    print("agree: %d marks, %d dumps, HZ %.0f (%d), window +-%d jiffies; "
          "compared %s" % (len(marks), len(dumps), hz, mon["hz"], slack,
           ", ".join("%s %d" % kv for kv in sorted(checked.items()))))
    for b in bad:
        print("agree: DISAGREE " + b)
    need = {"nr_running": 3 * 4, "nr_switches": 4 * 4, "clock": 4 * 4,
            "curr_pid": 4, "events": 4 * 10, "state": 4, "scheduler": 4,
            "waiting": 4, "runnable_at": 3,
            "vcpu_run": 4 + 2 if PER_VCPU_THREADS else 1,
            "vm_run": 0 if PER_VCPU_THREADS else 1}
    short = [k for k, n in need.items() if checked.get(k, 0) < n]
    if short:
        print("agree: too few comparisons of " + ", ".join(short))
    sys.exit(1 if bad or short else 0)


main()
