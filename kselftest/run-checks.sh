#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run kselftest-harness test programs one after another, show their TAP,
# and finish with one summary line over all of them:
#   N passed, N failed, N skipped
# A program that dies before printing its totals counts as one failure.
set -u

# For each test that failed in a nested TAP in @1 (ktstr's suite as
# run_test runs it, or a test program run in a VM), from program @2: its
# "# failed:" line, then up to MAX_REASONS of its lines that say why,
# each indented under it.  A failed check, a monitor verdict or a
# timeout comes first, then the lines its test logged, which may be many
# (a worker's figures each) and would crowd them out.  A test's lines
# are those since the previous test's result line.
MAX_REASONS=6
nested_failures() {
	awk -v max="$MAX_REASONS" -v prog="$2" '
		/^# (not )?ok [0-9]+ / {
			name = $0
			sub(/^# (not )?ok [0-9]+ (selftests: ktstr: )?/, "", name)
			sub(/ # .*$/, "", name)
			if ($2 == "not" && !seen[name]++) {
				print "# failed: " prog ": (within) " name
				for (i = 0; i < nwhy && i < max; i++)
					print "#    " why[i]
				for (i = 0; i < nlog && i + nwhy < max; i++)
					print "#    " logged[i]
			}
			nwhy = nlog = 0
			next
		}
		# lines of a nested test; the log of the outer harness that
		# opens the nested TAP is one level up
		/^# #.*(FAIL|Expected|[Tt]imed out|[Tt]imeout|\.c:[0-9]+:[^:]+:)/ {
			line = substr($0, 1, 320)
			sub(/^[# ]+/, "", line)
			# the summaries of the harnesses name no check
			if (line ~ /^(FAIL  |FAILED: [0-9]+ \/ |(not )?ok )/)
				next
			if (line ~ /FAIL|Expected|[Tt]imed out|[Tt]imeout/)
				why[nwhy++] = line
			else
				logged[nlog++] = line
		}
	' "$1"
}

pass=0 fail=0 skip=0
failed_lines=()
for prog in "$@"; do
	name=${prog##*/}
	echo "# ==== $name"
	out=$(mktemp)
	"$prog" 2>&1 | tee "$out"
	status=${PIPESTATUS[0]}
	totals=$(grep -E '^# Totals: ' "$out" | tail -n 1)
	# CI logs are often read from their tail: name each failure there.
	while read -r t; do
		failed_lines+=("# failed: $name: $t")
	done < <(sed -nE 's/^not ok [0-9]+ (.*)$/\1/p' "$out")
	# and each suite test a failed check logged from its nested TAP,
	# with the lines that say why (the rest of the log may be cut off)
	while IFS= read -r t; do
		failed_lines+=("$t")
	done < <(nested_failures "$out" "$name")
	rm -f "$out"
	if [ -z "$totals" ]; then
		echo "# $name: exited with status $status without printing totals"
		failed_lines+=("# failed: $name: no totals (exit status $status)")
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
for t in "${failed_lines[@]}"; do
	echo "$t"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
