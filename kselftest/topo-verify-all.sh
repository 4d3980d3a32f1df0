#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `ktstr topo verify` on every preset in topologies/, under the Intel and
# the AMD CPU model, as nested TAP: one result per preset and model, each
# with the verify's own TAP (one result per property) indented below.
# The presets of 64 or more vCPUs only with --large (they take minutes).
#
#   kselftest/topo-verify-all.sh [--large] [--cpu-model intel|amd]
set -uo pipefail
cd "$(dirname "$0")/.."

large=0 models="intel amd"
while [ $# -gt 0 ]; do
	case $1 in
	--large) large=1 ;;
	--cpu-model) models=$2; shift ;;
	*) echo "usage: $0 [--large] [--cpu-model intel|amd]" >&2; exit 2 ;;
	esac
	shift
done

presets=()
while read -r name _ cpus _; do
	[ "$large" = 1 ] || [ "${cpus:-0}" -lt 64 ] && presets+=("$name")
done < <(./ktstr topo list)

n=0 failed=0
echo "TAP version 13"
echo "1..$(( ${#presets[@]} * $(wc -w <<<"$models") ))"
for model in $models; do
	for p in "${presets[@]}"; do
		n=$((n + 1))
		out=$(./ktstr topo verify --cpu-model "$model" "$p" 2>&1)
		status=$?
		sed 's/^/# /' <<<"$out"
		if [ $status = 0 ]; then
			echo "ok $n $p/$model"
		else
			echo "not ok $n $p/$model"
			failed=$((failed + 1))
		fi
	done
done
echo "# $((n - failed)) of $n preset and model pairs verified"
[ $failed = 0 ]
