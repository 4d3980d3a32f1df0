#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `ktstr topo verify` on every preset in topologies/, under the Intel and
# the AMD CPU model, as nested TAP: one result per preset and model, each
# with the verify's own TAP (one result per property) indented below.
# The presets of 64 or more vCPUs only with --large (they take minutes).
# With --arch arm64, every preset in an arm64 guest; without, the presets
# with clusters or capacities (arm64's alone: an '@' or '|' in their
# shape) are left out.
#
#   kselftest/topo-verify-all.sh [--large] [--cpu-model intel|amd] [--arch arm64]
set -uo pipefail
cd "$(dirname "$0")/.."

large=0 models="intel amd" arch=x86_64
while [ $# -gt 0 ]; do
	case $1 in
	--large) large=1 ;;
	--cpu-model) models=$2; shift ;;
	--arch) arch=$2; shift ;;
	*) echo "usage: $0 [--large] [--cpu-model intel|amd] [--arch arm64]" >&2; exit 2 ;;
	esac
	shift
done
case $arch in
x86_64) ;;
arm64) models=max ;;
*) echo "$0: --arch '$arch': use x86_64 or arm64" >&2; exit 2 ;;
esac

presets=()
while read -r name shape cpus _; do
	[ "$arch" = arm64 ] || [[ $shape != *[@\|]* ]] || continue
	[ "$large" = 1 ] || [ "${cpus:-0}" -lt 64 ] && presets+=("$name")
done < <(./ktstr topo list)

n=0 failed=0
echo "TAP version 13"
echo "1..$(( ${#presets[@]} * $(wc -w <<<"$models") ))"
for model in $models; do
	for p in "${presets[@]}"; do
		n=$((n + 1))
		if [ "$arch" = arm64 ]; then
			out=$(./ktstr topo verify --arch arm64 "$p" 2>&1)
		else
			out=$(./ktstr topo verify --cpu-model "$model" "$p" 2>&1)
		fi
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
