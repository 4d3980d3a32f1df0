#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run `ktstr run` N times with the same arguments and summarize, per test,
# how often it passed and the extremes every check and monitor verdict
# measured (from the JSON results' check records, not from the TAP).
# This is how the defaults of the checks (kselftest/lib, monitor/verdict.c,
# Documentation/assertions.md) are chosen.
#
#   kselftest/calibrate.sh N [ktstr run arguments...]
#   kselftest/calibrate.sh 20 fair weights
#   kselftest/calibrate.sh 5 --scheduler build/schedulers/scx_qmap
#
# $CALIBRATE_DIR keeps the runs (default: a new directory in /tmp);
# `kselftest/calibrate.py DIR...` summarizes runs kept earlier, also
# several directories together.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:?usage: calibrate.sh N [ktstr run arguments...]}
shift
out=${CALIBRATE_DIR:-$(mktemp -d /tmp/ktstr-calibrate-XXXXXX)}
mkdir -p "$out"
echo "calibrate: $runs runs of 'ktstr run $*', results in $out" >&2

for i in $(seq "$runs"); do
	./ktstr run --json "$out/run$i" "$@" > "$out/run$i.tap" \
		2> "$out/run$i.err" || true
	echo "calibrate: run $i: $(grep -c '^ok' "$out/run$i.tap") ok, $(grep -c '^not ok' "$out/run$i.tap") not ok" >&2
done
/usr/bin/python3 kselftest/calibrate.py "$out"
