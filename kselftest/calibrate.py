#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Summarize repeated `ktstr run --json` results for calibration.

Usage: calibrate.py [--margins] DIR...   (each DIR holds run*/
directories of JSON results, or JSON results itself)

Per test (a gauntlet/matrix entry's preset part kept), how many runs
passed, and for every check record (check, value) and every monitor
verdict the smallest and largest value seen over all runs and groups.
The limits of the checks are chosen from these extremes.

--margins prints instead, per judged quantity, the worst value over all
the runs given (all of correct schedulers, presumably), the test that
showed it, and the limit it is judged against: a Markdown table.
"""
import glob
import json
import os
import sys
from collections import defaultdict


def result_files(paths):
    for path in paths:
        found = glob.glob(os.path.join(path, "run*", "*.json"))
        found += glob.glob(os.path.join(path, "*.json"))
        for f in sorted(found):
            yield f


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


# (check, measured value, its limit, "max" if the value must stay at or
# below the limit, "min" if at or above it).  share judges the distance
# of the measured share from the expected one.
JUDGED = [
    ("progress", "min_work_share", "limit", "min"),
    ("max_gap", "max_gap_ms", "limit_ms", "max"),
    ("fairness", "spread", "limit", "max"),
    ("share", "distance", "tolerance", "max"),
    ("latency", "p50_us", "limit_p50_us", "max"),
    ("latency", "p99_us", "limit_p99_us", "max"),
    ("latency", "max_us", "limit_max_us", "max"),
    ("latency", "worst_worker_p99_us", "limit_p99_us", "max"),
    ("latency", "on_waker_cpu", "limit_on_waker_cpu", "max"),
    ("conservation", "excess_idle_cpus", "limit_cpus", "max"),
    ("after_change", "min_work_share", "limit", "min"),
    ("kill_exit", "max_ms", "limit_ms", "max"),
    ("rt_displaced", "max_gap_ms", "limit_gap_ms", "max"),
    ("rt_displaced", "share_on_rt_cpus", "limit", "max"),
    ("storm", "failures", "limit_failures", "max"),
    ("storm", "tasks", "limit_tasks", "min"),
]


def judged_values(r):
    """Yields (quantity, value, limit, direction) of one result."""
    for c in r.get("checks", []):
        vals = dict(c.get("values", {}))
        if c.get("check") == "share" and "measured" in vals:
            vals["distance"] = abs(vals["measured"] - vals.get("expected", 0))
        for check, key, lim, way in JUDGED:
            if c.get("check") == check and key in vals and lim in vals:
                yield f"{check}.{key}", vals[key], vals[lim], way
    for v in (r.get("monitor") or {}).get("verdicts", []):
        if not isinstance(v, dict) or not v.get("evaluated") or \
                "value" not in v:
            continue
        # Beyond the limit yet not tripped: a window the verdict does not
        # judge (imbalance: under two tasks apart), shown for its ratio.
        if v.get("tripped") is False and v.get("limit") and \
                v["value"] > v["limit"]:
            continue
        yield f"monitor.{v.get('name')}", v["value"], v.get("limit"), "max"


# Schedulers and tests that fail on purpose: not calibration material.
ON_PURPOSE = (".ktstr_stall", ".ktstr_error", ".ktstr_bad_", "negative.")


def closeness(v, lim, way):
    """How close v came to its limit: 1.0 at the limit, above it beyond."""
    if way == "max":
        return v / lim
    return lim / v if v > 0 else float("inf")


def margins(paths):
    worst = {}      # quantity -> (closeness, value, limit, way, test)
    seen = defaultdict(int)
    for f in result_files(paths):
        try:
            r = load(f)
        except (OSError, ValueError):
            continue
        if not isinstance(r, dict) or "name" not in r:
            continue
        if any(p in r["name"] or r["name"].startswith(p) for p in ON_PURPOSE):
            continue
        for what, v, lim, way in judged_values(r):
            numbers = [x for x in (v, lim)
                       if isinstance(x, (int, float)) and not isinstance(x, bool)]
            if len(numbers) < 2 or lim <= 0:
                continue        # no limit: not judged in that test
            seen[what] += 1
            c = closeness(v, lim, way)
            if what not in worst or c > worst[what][0]:
                worst[what] = (c, v, lim, way, r["name"])
    print("| quantity | judged | closest to its limit | limit | value/limit | in |")
    print("| --- | --- | --- | --- | --- | --- |")
    for what in sorted(worst):
        c, v, lim, way, test = worst[what]
        print(f"| `{what}` | {seen[what]} | {v:.4g} | {way} {lim:g} | {c:.2f} | `{test}` |")
    return 0


def main(paths):
    runs = defaultdict(lambda: [0, 0])          # test -> [passed, runs]
    extremes = defaultdict(lambda: [None, None])  # (test, what) -> [lo, hi]
    failures = defaultdict(list)
    bad = 0
    for f in result_files(paths):
        try:
            r = load(f)
        except (OSError, ValueError) as e:
            print(f"calibrate: {f}: {e}", file=sys.stderr)
            bad += 1
            continue
        if not isinstance(r, dict) or "name" not in r:
            continue
        test = r["name"]
        runs[test][1] += 1
        if r.get("result") != "fail":
            runs[test][0] += 1
        else:
            failures[test].append(r.get("reason", "").split("\n")[0][:120])
        for c in r.get("checks", []):
            for key, v in c.get("values", {}).items():
                note(extremes, test, f"{c.get('check')}.{key}", v)
        mon = r.get("monitor") or {}
        for v in mon.get("verdicts", []):
            if isinstance(v, dict) and v.get("evaluated") and "value" in v:
                note(extremes, test, f"monitor.{v.get('name')}", v["value"])
    report(runs, extremes, failures)
    return 1 if bad else 0


def note(extremes, test, what, v):
    if not isinstance(v, (int, float)) or isinstance(v, bool):
        return
    e = extremes[(test, what)]
    e[0] = v if e[0] is None else min(e[0], v)
    e[1] = v if e[1] is None else max(e[1], v)


def report(runs, extremes, failures):
    for test in sorted(runs):
        passed, total = runs[test]
        print(f"{test}  {passed}/{total} passed")
        for reason in failures.get(test, []):
            print(f"    FAILED: {reason}")
        for (t, what), (lo, hi) in sorted(extremes.items()):
            if t == test:
                print(f"    {what:40s} {lo:12.4g} .. {hi:.4g}")
    total = sum(r[1] for r in runs.values())
    passed = sum(r[0] for r in runs.values())
    print(f"calibrate: {passed} of {total} test runs passed")


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1:] == ["--margins"]:
        sys.exit(__doc__)
    if sys.argv[1] == "--margins":
        sys.exit(margins(sys.argv[2:]))
    sys.exit(main(sys.argv[1:]))
