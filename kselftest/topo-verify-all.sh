#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `ktstr topo verify` on every preset in topologies/, under the Intel and
# the AMD CPU model and in an arm64 guest, as nested TAP: one result per
# preset and model, each with the verify's own TAP (one result per
# property) indented below.  The presets of 64 or more vCPUs only with
# --large (they take minutes).  arm64 guests take every preset; x86_64
# guests leave out those with clusters or capacities (arm64's alone: an
# '@' or '|' in their shape).  --arch picks one of the two, --cpu-model
# one x86 model (and the x86_64 guests).
#
#   kselftest/topo-verify-all.sh [--large] [--cpu-model intel|amd] [--arch x86_64|arm64]
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

usage() {
	echo "usage: $0 [--large] [--cpu-model intel|amd] [--arch x86_64|arm64]" >&2
	exit 2
}

large=0 models="intel amd" model='' arches="x86_64 arm64" arch=''
while [ $# -gt 0 ]; do
	case $1 in
	--large) large=1 ;;
	--cpu-model) [ $# -ge 2 ] || usage; model=$2; shift ;;
	--arch) [ $# -ge 2 ] || usage; arch=$2; shift ;;
	*) usage ;;
	esac
	shift
done
case $arch in
''|x86_64|arm64) ;;
*) echo "$0: --arch '$arch': use x86_64 or arm64" >&2; exit 2 ;;
esac
# A CPU model is an x86 one: it picks the x86_64 guests alone.
if [ -n "$model" ]; then
	if [ "$arch" = arm64 ]; then
		echo "$0: --cpu-model is for x86_64 guests; arm64 guests run QEMU's 'max' CPU" >&2
		exit 2
	fi
	models=$model arch=x86_64
fi
arches=${arch:-$arches}

# ARCH: the presets its guests verify, one a line.
presets_of() {
	local name shape cpus
	while read -r name shape cpus _; do
		[ "$1" = arm64 ] || [[ $shape != *[@\|]* ]] || continue
		[ "$large" = 1 ] || [ "${cpus:-0}" -lt 64 ] && echo "$name"
	done < <(./ktstr topo list)
}

# ARCH: the CPU models its guests are verified under.
models_of() {
	if [ "$1" = arm64 ]; then echo max; else echo "$models"; fi
}

total=0
for arch in $arches; do
	total=$((total + $(presets_of "$arch" | wc -l) *
			$(models_of "$arch" | wc -w)))
done

n=0 failed=0
echo "TAP version 13"
echo "1..$total"
for arch in $arches; do
	for model in $(models_of "$arch"); do
		for p in $(presets_of "$arch"); do
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
done
echo "# $((n - failed)) of $n preset and model pairs verified"
[ $failed = 0 ]
