#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Lay out the suite as a kselftest install, the way the kernel's
# `make -C tools/testing/selftests install` does, so that the kernel's
# run_kselftest.sh runs it on any machine:
#
#   INSTALL_PATH/run_kselftest.sh, kselftest/   (from the kernel source)
#   INSTALL_PATH/kselftest-list.txt             ktstr:<program> lines
#   INSTALL_PATH/ktstr/<program>, settings      the test programs
#   INSTALL_PATH/ktstr/schedulers/              the schedulers they start
set -euo pipefail

[ $# -eq 4 ] || { echo "usage: install.sh INSTALL_PATH KSRC SUITE_DIR SCHED_DIR" >&2; exit 2; }
dest=$1 ksrc=$2 suite=$3 scheds=$4
selftests=$ksrc/tools/testing/selftests

for f in "$selftests/run_kselftest.sh" "$selftests/kselftest/runner.sh"; do
	[ -f "$f" ] || { echo "ktstr: $f missing: is KSRC a kernel source tree?" >&2; exit 1; }
done

mkdir -p "$dest/ktstr/schedulers" "$dest/kselftest"
cp "$selftests/run_kselftest.sh" "$dest/"
cp "$selftests"/kselftest/*.sh "$selftests"/kselftest/*.pl "$dest/kselftest/" 2>/dev/null || true
# Programs only: the build directories also hold dependency files.
programs() { find "$1" -maxdepth 1 -type f -perm -u+x | sort; }
programs "$suite" | xargs -r cp -t "$dest/ktstr/"
if [ -d "$scheds" ]; then
	programs "$scheds" | xargs -r cp -t "$dest/ktstr/schedulers/"
fi

# The longest declared test, plus room for the scheduler to load.
timeout=$(./ktstr run --list | awk '{ t = $4 + 0; if (t > m) m = t } END { print m ? m : 600 }')
echo "timeout=$timeout" > "$dest/ktstr/settings"

: > "$dest/kselftest-list.txt"
for prog in $(programs "$suite"); do
	echo "ktstr:$(basename "$prog")" >> "$dest/kselftest-list.txt"
done
echo "installed $(wc -l < "$dest/kselftest-list.txt") test programs into $dest"
