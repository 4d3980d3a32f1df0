#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The suite as `make run_tests` runs it: kselftest TAP 13 on stdout, each
# test in its own VM, the VM's own TAP nested under it as "# " lines the
# way the kernel's kselftest runner.sh does.  Exit 0 only if all passed.
#
# Today the suite is the topology verification of every preset.
set -u

cd "$(dirname "$0")/.."
presets=()
for f in topologies/*.topo; do
	presets+=("$(basename "$f" .topo)")
done

echo "TAP version 13"
echo "1..${#presets[@]}"
n=0 failed=0
for p in "${presets[@]}"; do
	n=$((n + 1))
	name="topo-verify-$p"
	echo "# selftests: ktstr: $name"
	./ktstr topo verify "$p" 2>&1 | sed -e 's/^/# /'
	if [ "${PIPESTATUS[0]}" -eq 0 ]; then
		echo "ok $n selftests: ktstr: $name"
	else
		echo "not ok $n selftests: ktstr: $name"
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]
