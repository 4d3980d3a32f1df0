#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the libFuzzer targets (kselftest/fuzz.mk, Documentation/fuzzing.md).
#
#   kselftest/fuzz.sh                      make check: each target's
#                                          regression inputs once, then
#                                          $FUZZ_CHECK_SECONDS (3) of
#                                          fuzzing; kselftest TAP
#   kselftest/fuzz.sh --seconds N [BIN...] make fuzz: N seconds each,
#                                          $FUZZ_JOBS (1) at a time
#
# A target build/fuzz/<dir>/fuzz/<name>_fuzz starts from its seed corpus
# <dir>/fuzz/corpus/<name>/ and keeps what it finds in
# build/fuzz/corpus/<name>/ (make fuzz, which starts from that too) or
# build/fuzz/check/<name>/ (make check), never in the committed corpus; a
# crash's input lands in build/fuzz/crashes/<name>/.
set -u

O=${O:-build}
# A hang is an input that takes this long; memory beyond this a leak.
TIMEOUT=5
RSS_LIMIT_MB=2048

seconds=
if [ "${1:-}" = --seconds ]; then
	seconds=$2
	shift 2
fi

# The targets, from their sources, so that one that failed to build is
# reported, not skipped.
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for src in vmm/fuzz/*_fuzz.c vmm/kernel/fuzz/*_fuzz.c \
		   vmm/util/fuzz/*_fuzz.c kselftest/runner/fuzz/*_fuzz.c \
		   monitor/fuzz/*_fuzz.c repro/fuzz/*_fuzz.c; do
		[ -f "$src" ] && targets+=("$O/fuzz/${src%.c}")
	done
fi

# <dir>/fuzz/<sub>/<name> of target BIN (build/fuzz/<dir>/fuzz/<name>_fuzz).
target_dir() {
	local bin=$1 sub=$2 rel name
	rel=${bin#"$O"/fuzz/}
	name=${rel##*/}
	echo "${rel%/*}/$sub/${name%_fuzz}"
}

# fuzz BIN SECONDS SCRATCH: libFuzzer's last lines, its status.  New
# inputs go to SCRATCH (libFuzzer's first corpus directory).
fuzz() {
	local bin=$1 secs=$2 scratch=$3 name crashes log status
	name=${bin##*/}
	name=${name%_fuzz}
	crashes=$O/fuzz/crashes/$name
	log=$(mktemp)
	mkdir -p "$scratch" "$crashes"
	"$bin" -max_total_time="$secs" -timeout="$TIMEOUT" \
		-rss_limit_mb="$RSS_LIMIT_MB" -print_final_stats=1 \
		-artifact_prefix="$crashes/" "$scratch" \
		"$(target_dir "$bin" corpus)" >"$log" 2>&1
	status=$?
	if [ $status -ne 0 ]; then
		sed 's/^/# /' "$log" | tail -n 60
	else
		grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' \
			"$log" | sed 's/^/# /'
	fi
	rm -f "$log"
	return $status
}

# replay BIN: every regression input once.
replay() {
	local bin=$1 dir log status
	dir=$(target_dir "$bin" regress)
	compgen -G "$dir/*" >/dev/null || return 0
	log=$(mktemp)
	"$bin" -timeout="$TIMEOUT" -rss_limit_mb="$RSS_LIMIT_MB" "$dir"/* \
		>"$log" 2>&1
	status=$?
	if [ $status -ne 0 ]; then
		sed 's/^/# /' "$log" | tail -n 60
	else
		echo "# $(grep -c '^Running: ' "$log") regression inputs pass"
	fi
	rm -f "$log"
	return $status
}

# campaign BIN SECONDS RESULT: fuzz BIN, its report to RESULT.out and its
# status to RESULT.status, so that several can run at once.
campaign() {
	local bin=$1 secs=$2 result=$3 name
	name=${bin##*/}
	{
		echo "== $name: $secs s"
		fuzz "$bin" "$secs" "$O/fuzz/corpus/${name%_fuzz}"
		echo $? >"$result.status"
	} >"$result.out" 2>&1
}

if [ -n "$seconds" ]; then
	# make fuzz FUZZ_JOBS=N: N targets at a time, each on one CPU.
	jobs=${FUZZ_JOBS:-1}
	results=$(mktemp -d)
	i=0
	for bin in "${targets[@]}"; do
		while [ "$(jobs -pr | wc -l)" -ge "$jobs" ]; do
			wait -n
		done
		i=$((i + 1))
		campaign "$bin" "$seconds" "$results/$i" &
	done
	wait
	failed=0
	for ((j = 1; j <= i; j++)); do
		cat "$results/$j.out"
		[ "$(cat "$results/$j.status" 2>/dev/null)" = 0 ] ||
			failed=$((failed + 1))
	done
	rm -rf "$results"
	echo "$((${#targets[@]} - failed)) targets clean, $failed crashed"
	[ $failed -eq 0 ]
	exit
fi

secs=${FUZZ_CHECK_SECONDS:-3}
pass=0 fail=0 skip=0 n=0
echo "TAP version 13"
echo "1..$((2 * ${#targets[@]}))"
for bin in "${targets[@]}"; do
	name=${bin##*/}
	# From the seeds alone, each time: libFuzzer runs all of its corpus
	# before it counts time, and what make fuzz found would make a few
	# seconds many.
	scratch=$O/fuzz/check/${name%_fuzz}
	rm -rf "$scratch"
	for what in regress fuzz; do
		n=$((n + 1))
		if [ ! -x "$bin" ]; then
			echo "ok $n $name $what # SKIP not built (no clang with libFuzzer?)"
			skip=$((skip + 1))
		elif { [ $what = regress ] && replay "$bin"; } ||
		     { [ $what = fuzz ] && fuzz "$bin" "$secs" "$scratch"; }; then
			echo "ok $n $name $what"
			pass=$((pass + 1))
		else
			echo "not ok $n $name $what"
			fail=$((fail + 1))
		fi
	done
done
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ $fail -eq 0 ]
