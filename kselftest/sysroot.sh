#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The sysroot that the arm64 guest image is cross-built against: Debian's
# arm64 packages of config/sysroot-arm64, unpacked into the ktstr cache
# without `dpkg --add-architecture` (nothing is installed on the host).
#
#   sysroot.sh [--config FILE] dir       print the sysroot's path
#   sysroot.sh [--config FILE] check     exit 0 if it is there and complete
#   sysroot.sh [--config FILE] install   fetch and unpack it unless it is
#
# apt runs from a private configuration in a temporary directory
# (vmm/util/apt-private.sh): it checks each package against the signed
# archive's hashes.  The tree is unpacked beside its place and renamed in
# when complete, so the cache never holds a partial sysroot.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=vmm/util/apt-private.sh
. "$here/../vmm/util/apt-private.sh"
config=$here/../config/sysroot-arm64
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
# Written last: its presence means the tree is complete, its content says
# which package list it was made from.
manifest=.ktstr-sysroot

die() { printf 'ktstr: %s\n' "$*" >&2; exit 1; }
say() { printf 'sysroot: %s\n' "$*"; }

usage() {
	echo "usage: sysroot.sh [--config FILE] dir|check|install" >&2
	exit 2
}

if [ "${1:-}" = --config ]; then
	[ $# -ge 2 ] || usage
	config=$2
	shift 2
fi
[ $# -eq 1 ] || usage
case $1 in
dir|check|install) action=$1 ;;
*) usage ;;
esac

# KEY: its value in the config; the last assignment wins.
conf() {
	sed -n "s/^[[:space:]]*$1=//p" "$config" | tail -n 1
}

[ -r "$config" ] || die "cannot read $config"
arch=$(conf arch)
suite=$(conf suite)
packages=$(conf packages)
mirror=$(conf mirror)
mirror=${mirror:-http://deb.debian.org/debian}
security=$(conf security)
security=${security:-http://deb.debian.org/debian-security}
if [ -z "$arch" ] || [ -z "$suite" ] || [ -z "$packages" ]; then
	die "$config: needs arch=, suite= and packages="
fi
case $arch$suite in
*/*|*[[:space:]]*) die "$config: arch= and suite= must be plain names" ;;
esac

cache=${KTSTR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ktstr}
dest=$cache/sysroot/$arch-$suite

complete() {
	[ -f "$dest/$manifest" ] &&
		[ "$(head -n 1 "$dest/$manifest")" = "packages=$packages" ]
}

case $action in
dir)
	echo "$dest"
	exit 0
	;;
check)
	complete
	exit
	;;
esac

if complete; then
	say "$dest is up to date"
	exit 0
fi

for tool in apt-get dpkg dpkg-deb; do
	command -v "$tool" >/dev/null ||
		die "$tool not found: the sysroot needs a Debian system (apt, dpkg)"
done
[ -r "$keyring" ] ||
	die "$keyring not found: install debian-archive-keyring"
if ! mkdir -p "$cache/sysroot" 2>/dev/null || [ ! -w "$cache/sysroot" ]; then
	die "cannot write to $cache/sysroot (set KTSTR_CACHE_DIR)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ktstr-sysroot.XXXXXX")
partial=$cache/sysroot/.tmp-$arch-$suite-$$
old=
cleanup() {
	rm -rf "$work" "$partial"
	if [ -n "$old" ]; then rm -rf "$old"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$work/debs"
cat >"$work/sources.list" <<EOF
deb [signed-by=$keyring] $mirror $suite main
deb [signed-by=$keyring] $mirror $suite-updates main
deb [signed-by=$keyring] $mirror $suite-backports main
deb [signed-by=$keyring] $security $suite-security main
EOF
apt_private_init "$work" "$arch"

# apt's messages, indented, then ours.
fail() {
	sed 's/^/  /' "$work/err" >&2
	die "$@"
}

say "reading the package lists of $suite ($arch)"
apt-get "${apt_opts[@]}" -qq update 2>"$work/err" ||
	fail "apt-get update of $mirror $suite ($arch) failed"
# A suite that cannot be fetched is only a warning to apt: each must
# have its list.
for s in "$suite" "$suite-updates" "$suite-backports" "$suite-security"; do
	compgen -G "$work/lists/*_dists_${s}_main_binary-${arch}_Packages*" \
		>/dev/null ||
		fail "no package list of $s/main for $arch (from $mirror or $security)"
done

# apt-get download checks each file against the hashes of the signed
# Release file, and fails on a package it does not know.
say "downloading $packages"
# shellcheck disable=SC2086 # the list is split on purpose
(cd "$work/debs" && apt-get "${apt_opts[@]}" -qq download $packages) \
	2>"$work/err" ||
	fail "cannot download the packages of $config from $suite ($arch)"

rm -rf "$partial"
mkdir "$partial"
{
	echo "packages=$packages"
	for deb in "$work"/debs/*.deb; do
		# shellcheck disable=SC2016 # dpkg's fields, not the shell's
		dpkg-deb --show --showformat='${Package} ${Version} ${Architecture}\n' "$deb"
	done
} >"$work/manifest"
for deb in "$work"/debs/*.deb; do
	dpkg -x "$deb" "$partial" ||
		die "cannot unpack $(basename "$deb")"
done
mv "$work/manifest" "$partial/$manifest"
# Replaced whole: a process still reading the old tree keeps a complete
# one until it is removed.
if [ -e "$dest" ]; then
	old=$cache/sysroot/.old-$arch-$suite-$$
	mv -T "$dest" "$old"
fi
mv -T "$partial" "$dest"
say "unpacked $(($(wc -l <"$dest/$manifest") - 1)) packages into $dest"
