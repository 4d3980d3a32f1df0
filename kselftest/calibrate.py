#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Summarize repeated `ktstr run --json` results for calibration.

Usage: calibrate.py DIR...   (each DIR holds run*/ directories of JSON
results, or JSON results itself)

Per test (a gauntlet/matrix entry's preset part kept), how many runs
passed, and for every check record (check, value) and every monitor
verdict the smallest and largest value seen over all runs and groups.
The limits of the checks are chosen from these extremes.
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
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
