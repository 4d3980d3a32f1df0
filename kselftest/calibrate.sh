#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the suite (or the tests matching the given names) N times and
# summarize, per test, how often it passed and the extremes of what the
# checks measure: the longest scheduling gap, the largest fairness spread
# and the smallest work share.  This is how the defaults of the checks
# (kselftest/lib/checks.c, Documentation/assertions.md) were chosen.
#
#   kselftest/calibrate.sh N [TEST...]
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:?usage: calibrate.sh N [TEST...]}
shift
out=${CALIBRATE_DIR:-$(mktemp -d /tmp/ktstr-calibrate-XXXXXX)}
mkdir -p "$out"
echo "calibrate: $runs runs, TAP in $out" >&2

for i in $(seq "$runs"); do
	./ktstr run "$@" > "$out/run$i.tap" 2> "$out/run$i.err" || true
	echo "calibrate: run $i: $(grep -c '^ok' "$out/run$i.tap") ok, $(grep -c '^not ok' "$out/run$i.tap") not ok" >&2
done

cat "$out"/run*.tap | awk '
function end_group() {
	if (n >= 2 && sum > 0) {
		mean = sum / n
		spread = (hi - lo) / mean
		if (spread > maxspread[test]) maxspread[test] = spread
		if (!(test in minshare) || lo / mean < minshare[test])
			minshare[test] = lo / mean
	}
	n = 0; sum = 0; hi = 0; lo = -1
}
/^# selftests: ktstr: / { end_group(); test = $4 }
/^# # .*: [0-9]+ workers$/ { end_group() }
/^# #   worker / {
	for (f = 1; f <= NF; f++) {
		if ($f == "work") w = $(f + 1)
		if ($f == "max_gap") { g = $(f + 1); sub("ms", "", g) }
	}
	n++; sum += w
	if (w > hi) hi = w
	if (lo < 0 || w < lo) lo = w
	if (g + 0 > maxgap[test]) maxgap[test] = g + 0
}
/^(ok|not ok) [0-9]+ selftests: ktstr: / {
	end_group()
	name = $NF; if ($1 == "not") name = $(NF)
	for (f = 1; f <= NF; f++) if ($f == "ktstr:") name = $(f + 1)
	runs[name]++
	if ($1 == "ok") passes[name]++
	test = ""
}
END {
	printf "%-48s %7s %10s %10s %9s\n", "test", "passed", "max_gap_ms", "spread", "min_share"
	for (t in runs)
		printf "%-48s %3d/%-3d %10d %10.2f %9.2f\n", t, passes[t], runs[t], maxgap[t], maxspread[t], (t in minshare) ? minshare[t] : 1
}' | sort
