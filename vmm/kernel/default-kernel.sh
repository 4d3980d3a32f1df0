#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The default kernel of an arch, for makefiles and scripts that run before
# ./ktstr is built: the directory of the newest release entry of the
# cache whose metadata says arch=ARCH (no arch= means x86_64), in version
# order; nothing if there is none.  `./ktstr kernel show --arch ARCH`
# says the same once it is built (Documentation/kernels.md).
#
#   default-kernel.sh [x86_64|arm64]
set -euo pipefail

arch=${1:-x86_64}
case $arch in
x86_64|arm64) ;;
*)
	echo "ktstr: default-kernel.sh: arch '$arch': use x86_64 or arm64" >&2
	exit 2
	;;
esac
cache=${KTSTR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ktstr}

# Releases only: a tree built with --kernel is never the default.
for d in "$cache"/kernels/[0-9]*; do
	if [ ! -f "$d/metadata" ] || [ ! -f "$d/vmlinuz" ]; then
		continue
	fi
	a=$(sed -n 's/^arch=//p' "$d/metadata" | head -n 1)
	if [ "${a:-x86_64}" = "$arch" ]; then
		echo "$d"
	fi
done | sort -V | tail -n 1
