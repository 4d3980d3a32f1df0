#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run kselftest-harness test programs one after another, show their TAP,
# and finish with one summary line over all of them:
#   N passed, N failed, N skipped
# A program that dies before printing its totals counts as one failure.
set -u

pass=0 fail=0 skip=0
failed_names=()
for prog in "$@"; do
	name=${prog##*/}
	echo "# ==== $name"
	out=$(mktemp)
	"$prog" 2>&1 | tee "$out"
	status=${PIPESTATUS[0]}
	totals=$(grep -E '^# Totals: ' "$out" | tail -n 1)
	# CI logs are often read from their tail: name each failure there.
	while read -r t; do
		failed_names+=("$name: $t")
	done < <(sed -nE 's/^not ok [0-9]+ (.*)$/\1/p' "$out")
	# and each suite test a failed check logged from its nested TAP
	while read -r t; do
		failed_names+=("$name: (within) $t")
	done < <(sed -nE 's/^# not ok [0-9]+ selftests: ktstr: (.*)$/\1/p' "$out" | sort -u)
	rm -f "$out"
	if [ -z "$totals" ]; then
		echo "# $name: exited with status $status without printing totals"
		failed_names+=("$name: no totals (exit status $status)")
		fail=$((fail + 1))
		continue
	fi
	field() { sed -E "s/.*[ :]$1:([0-9]+).*/\\1/" <<<"$totals"; }
	p=$(field pass)
	f=$(field fail)
	xp=$(field xpass)
	e=$(field error)
	s=$(field skip)
	pass=$((pass + p))
	fail=$((fail + f + xp + e))
	skip=$((skip + s))
	if [ "$status" -ne 0 ] && [ $((f + xp + e)) -eq 0 ]; then
		echo "# $name: exited with status $status"
		fail=$((fail + 1))
	fi
done
for t in "${failed_names[@]}"; do
	echo "# failed: $t"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
