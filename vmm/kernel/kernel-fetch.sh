#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Download a Debian kernel that can run sched_ext, and its source, into the
# ktstr cache.  `./ktstr kernel fetch` runs this and passes its own path:
#
#   kernel-fetch.sh --ktstr PATH [--arch x86_64|arm64] [--version RELEASE]
#
# The suite, flavour and optional pin come from config/default-kernel
# (x86_64, the default) or config/default-kernel-arm64.  apt runs from a
# private configuration in a temporary directory: the host's apt sources,
# lists and package state are never touched.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=vmm/util/apt-private.sh
. "$here/../util/apt-private.sh"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

say() { printf 'fetch: %s\n' "$*"; }
die() { printf 'ktstr: %s\n' "$*" >&2; exit 1; }

usage() {
	echo "usage: kernel-fetch.sh --ktstr PATH [--arch x86_64|arm64] [--version RELEASE]" >&2
	exit 2
}

ktstr=
version=
guest_arch=x86_64
while [ $# -gt 0 ]; do
	case $1 in
	--ktstr|--version|--arch)
		[ $# -ge 2 ] || usage
		case $1 in
		--ktstr) ktstr=$2 ;;
		--version) version=$2 ;;
		--arch) guest_arch=$2 ;;
		esac
		shift 2
		;;
	*)
		usage
		;;
	esac
done
[ -x "$ktstr" ] || usage
case $guest_arch in
x86_64) pin_file=$here/../../config/default-kernel ;;
arm64) pin_file=$here/../../config/default-kernel-arm64 ;;
*)
	echo "ktstr: kernel-fetch.sh: architecture '$guest_arch': use x86_64 or arm64" >&2
	exit 2
	;;
esac

# KEY: its value in the pin file; the last assignment wins.
pin() {
	sed -n "s/^[[:space:]]*$1=//p" "$pin_file" | tail -n 1
}

[ -r "$pin_file" ] || die "cannot read $pin_file"
suite=$(pin suite)
flavour=$(pin flavour)
mirror=$(pin mirror)
mirror=${mirror:-http://deb.debian.org/debian}
version=${version:-$(pin version)}
if [ -z "$suite" ] || [ -z "$flavour" ]; then
	die "$pin_file: needs suite= and flavour="
fi
case $version in
''|*-"$flavour") ;;
*) version=$version-$flavour ;;
esac
# The flavour names the architecture (cloud-amd64): the packages must be
# for it whatever the host is.
arch=${flavour##*-}

for tool in apt-get apt-cache dpkg dpkg-deb tar xz; do
	command -v "$tool" >/dev/null ||
		die "$tool not found: kernel fetch needs a Debian system (apt, dpkg, tar, xz-utils)"
done
[ -r "$keyring" ] ||
	die "$keyring not found: install debian-archive-keyring"

cache=${KTSTR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ktstr}
# Find out now rather than after downloading hundreds of megabytes.
if ! mkdir -p "$cache/kernels" "$cache/source" 2>/dev/null ||
   [ ! -w "$cache/kernels" ]; then
	die "cannot write to the cache $cache (set KTSTR_CACHE_DIR)"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/ktstr-fetch.XXXXXX")
partial=
cleanup() {
	rm -rf "$work"
	if [ -n "$partial" ]; then rm -rf "$partial"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$work/debs"
echo "deb [signed-by=$keyring] $mirror $suite main" >"$work/sources.list"
apt_private_init "$work" "$arch"

apt_cache() { apt-cache "${apt_opts[@]}" "$@"; }

# PACKAGE[=VERSION] FIELD: the field of the candidate version, or "".
field() {
	apt_cache show --no-all-versions "$1" 2>/dev/null |
		sed -n "s/^$2: //p" | head -n 1
}

# PACKAGE: its downloaded .deb.
deb_path() {
	local f
	for f in "$work/debs/${1%%=*}"_*.deb; do
		echo "$f"
	done
}

# PACKAGE[=VERSION]: download it into $work/debs.
download() {
	local size
	size=$(field "$1" Size)
	[ -n "$size" ] || return 1
	if [ "$size" -ge 1000000 ]; then
		size="$((size / 1000000)) MB"
	else
		size="$((size / 1000)) kB"
	fi
	say "downloading ${1%%=*} ($size)"
	(cd "$work/debs" && apt-get "${apt_opts[@]}" -qq download "$1")
}

# The linux-image packages to try, newest first.
candidates() {
	if [ -n "$version" ]; then
		echo "linux-image-$version"
		return
	fi
	apt_cache pkgnames linux-image- |
		grep -E "^linux-image-[0-9][^ ]*-$flavour\$" | sort -rV || true
}

# The first of the arguments that is a file.
pick() {
	local f
	for f; do
		if [ -f "$f" ]; then
			echo "$f"
			return
		fi
	done
}

# Debian's linux-base has a one-line stub System.map; a real one lists text
# symbols.
real_system_map() {
	[ -n "$1" ] && grep -qm1 -E '^[0-9a-f]+ [Tt] ' "$1"
}

# RELEASE: unpack its image into $work/root and set vmlinuz, config and
# sysmap.  Up to 6.x the image package holds the files under /boot; from
# 7.x it is a meta package over linux-binary (vmlinuz) and linux-base
# (config).
unpack_image() {
	local rel=$1 dest=$work/root pkg depends
	local pkgs=("linux-image-$rel")
	depends=$(field "linux-image-$rel" Depends)
	for pkg in "linux-binary-$rel" "linux-base-$rel"; do
		case " $depends" in
		*" $pkg "*) pkgs+=("$pkg") ;;
		esac
	done
	rm -rf "$dest"
	mkdir -p "$dest"
	for pkg in "${pkgs[@]}"; do
		download "$pkg" || die "cannot download $pkg from $suite"
		dpkg -x "$(deb_path "$pkg")" "$dest"
		rm -f "$(deb_path "$pkg")"
	done
	vmlinuz=$(pick "$dest/boot/vmlinuz-$rel" \
		       "$dest/usr/lib/modules/$rel/vmlinuz")
	config=$(pick "$dest/boot/config-$rel" \
		      "$dest/usr/lib/modules/$rel/config")
	sysmap=$(pick "$dest/boot/System.map-$rel" \
		      "$dest/usr/lib/modules/$rel/System.map")
	[ -n "$vmlinuz" ] ||
		die "linux-image-$rel: no vmlinuz in it or its dependencies"
}

# The first llvm-objcopy there is: it handles ELF files of any arch.
llvm_objcopy() {
	local t
	for t in llvm-objcopy-22 llvm-objcopy-16 llvm-objcopy; do
		if command -v "$t" >/dev/null; then
			echo "$t"
			return
		fi
	done
}

# RELEASE: the real System.map from the -dbg package (350 MB), extracting
# only that member; sysmap is "" if there is none.  For an arm64 kernel
# also its vmlinux, which an Image, unlike a bzImage, cannot give: without
# its DWARF (--strip-debug keeps .symtab, .BTF and the loadable segments),
# in dbg_vmlinux; "" if there is none.
dbg_files() {
	local pkg=linux-image-$1-dbg objcopy members=('*/System.map*')
	sysmap=
	dbg_vmlinux=
	# The vmlinux is lib/modules/RELEASE/vmlinux, with a boot/vmlinux-
	# RELEASE symlink to it: both names, and whatever else is called so.
	if [ "$guest_arch" = arm64 ]; then
		members+=('*vmlinux*')
	fi
	if ! download "$pkg"; then
		return
	fi
	say "extracting ${members[*]} from $pkg"
	mkdir -p "$work/dbg"
	if dpkg-deb --fsys-tarfile "$(deb_path "$pkg")" |
	   tar -x -C "$work/dbg" --wildcards "${members[@]}" 2>/dev/null; then
		sysmap=$(find "$work/dbg" -type f -name 'System.map*' |
			 head -n 1)
		dbg_vmlinux=$(find "$work/dbg" -type f -size +1M \
			      \( -name vmlinux -o -name "vmlinux-$1" \) |
			      head -n 1)
	fi
	rm -f "$(deb_path "$pkg")"
	if ! real_system_map "$sysmap"; then
		sysmap=
	fi
	if [ -z "$dbg_vmlinux" ]; then
		return
	fi
	objcopy=$(llvm_objcopy)
	if [ -z "$objcopy" ] ||
	   ! "$objcopy" --strip-debug "$dbg_vmlinux" "$work/vmlinux"; then
		say "warning: cannot strip the vmlinux of $pkg (llvm-objcopy from llvm-16); the entry will have only its BTF"
		dbg_vmlinux=
		return
	fi
	rm -f "$dbg_vmlinux"
	dbg_vmlinux=$work/vmlinux
}

entry_present() {
	[ -f "$cache/kernels/$1/metadata" ] && [ -f "$cache/kernels/$1/vmlinuz" ]
}

# RELEASE: sets outcome to installed, unsuitable (cannot run sched_ext) or
# missing (not in the suite).
fetch_kernel() {
	local rel=$1 debver msg
	outcome=missing
	debver=$(field "linux-image-$rel" Version)
	if [ -z "$debver" ]; then
		return
	fi
	unpack_image "$rel"
	outcome=unsuitable
	if [ -z "$config" ]; then
		say "skipping $rel: no config in the package"
		return
	fi
	if ! msg=$("$ktstr" kernel check-config "$config" 2>&1); then
		msg=${msg#* lacks }
		say "skipping $rel: it lacks ${msg%%: ktstr needs*}"
		return
	fi
	dbg_vmlinux=
	if ! real_system_map "$sysmap" || [ "$guest_arch" = arm64 ]; then
		dbg_files "$rel"
	fi
	if [ -z "$sysmap" ]; then
		say "warning: no System.map for $rel; symbol lookups will not work"
	fi
	"$ktstr" kernel install ${dbg_vmlinux:+--vmlinux "$dbg_vmlinux"} \
		"$rel" "$vmlinuz" "$config" "$sysmap" \
		"debian $suite linux-image-$rel $debver" >/dev/null
	outcome=installed
	say "installed $rel into $cache/kernels/$rel"
}

# Sets release to the newest suitable kernel, fetching it if needed.
fetch_newest() {
	local pkg rel list skipped=
	release=
	list=$(candidates)
	[ -n "$list" ] || die "no linux-image-*-$flavour in $mirror $suite"
	for pkg in $list; do
		rel=${pkg#linux-image-}
		if [ -n "$skipped" ]; then
			say "trying the next older kernel, $rel"
		fi
		if entry_present "$rel"; then
			say "$rel is already in the cache"
			release=$rel
			return
		fi
		fetch_kernel "$rel"
		case $outcome in
		installed)
			release=$rel
			return
			;;
		missing)
			if [ -z "$version" ]; then
				continue
			fi
			die "linux-image-$rel is not in $suite (backports drops old releases): change version= in $pin_file"
			;;
		esac
		[ -z "$version" ] ||
			die "$rel (pinned in $pin_file) cannot run sched_ext"
		skipped=1
	done
	die "no linux-image-*-$flavour in $suite has CONFIG_SCHED_CLASS_EXT=y"
}

# RELEASE: unpack linux-source-<major.minor> into the cache, preferring the
# Debian version of the kernel so that headers match it.
fetch_source() {
	local rel=$1 mm pkg dest debver
	mm=$(echo "$rel" | grep -oE '^[0-9]+\.[0-9]+')
	pkg=linux-source-$mm
	dest=$cache/source/$pkg
	if [ -f "$dest/Makefile" ]; then
		say "$pkg is already in the cache"
		return
	fi
	debver=$(field "linux-image-$rel" Version)
	download "$pkg=$debver" || download "$pkg" ||
		die "$pkg is not in $suite: kernel $rel is in the cache, but without its source"
	mkdir -p "$cache/source"
	# Unpacked beside its final place and renamed in, so a tree in the
	# cache is always complete.
	partial=$cache/source/.tmp-$pkg-$$
	rm -rf "$partial"
	mkdir "$partial"
	say "unpacking $pkg into $dest"
	dpkg-deb --fsys-tarfile "$(deb_path "$pkg")" |
		tar -x -O "./usr/src/$pkg.tar.xz" |
		tar -xJ --no-same-owner -C "$partial"
	[ -f "$partial/$pkg/Makefile" ] ||
		die "$pkg: usr/src/$pkg.tar.xz has no $pkg/Makefile"
	mv -T "$partial/$pkg" "$dest"
	rm -rf "$partial"
	partial=
	rm -f "$(deb_path "$pkg")"
}

say "reading the package lists of $suite"
apt-get "${apt_opts[@]}" -qq update ||
	die "apt-get update of $mirror $suite failed (an old debian-archive-keyring lacks the trixie keys: upgrade it)"
fetch_newest
fetch_source "$release"
