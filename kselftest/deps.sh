#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What ktstr needs on the host: Debian packages, the default kernel and
# its source, the default arm64 kernel and the arm64 sysroot in the ktstr
# cache.
#
#   deps.sh ensure    silent when everything is there; otherwise installs
#                     what is missing (as root) or says what to run
#   deps.sh install   the same, but always says what it checks and does
#
# `make deps` runs install; `make check` and `make run_tests` run ensure.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
declare -A pin_files=([x86_64]=config/default-kernel [arm64]=config/default-kernel-arm64)

# clang-22 (bookworm-security): the kernel 7.3 example scx_qmap is only
# accepted by the verifier when built with it; clang-16 builds the rest.
# flex, bison, bc, libssl-dev and dwarves (pahole, for BTF): building a
# kernel from a source tree or a version (Documentation/kernels.md).
# libssl-dev is also ktstr's libcrypto, for SHA-256.
# libjansson-dev: JSON, on the host and (static) in the guest's tests.
# libclang-rt-22-dev: libFuzzer and the sanitizers' runtimes for clang-22
# (make fuzz, and the bounded fuzzing of make check).
# gcc-aarch64-linux-gnu and libc6-dev-arm64-cross: the arm64 guest image
# (make arm64; its libraries come from the sysroot, kselftest/sysroot.sh);
# libfdt-dev: the arm64 guests' device tree.
packages=(gcc make clang-16 llvm-16 clang-22 llvm-22 libelf-dev zlib1g-dev
	  libzstd-dev libcurl4-openssl-dev busybox-static pkg-config cpio zstd
	  xz-utils flex bison bc libssl-dev dwarves libjansson-dev
	  libclang-rt-22-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	  libfdt-dev)
# bookworm's own versions are too old: sched_ext schedulers need a newer
# libbpf and bpftool, and the topologies need QEMU 10 (smp-cache, dies);
# qemu-system-arm (qemu-system-aarch64) the same version as the x86 one.
backports=(libbpf-dev bpftool qemu-system-x86 qemu-system-arm python3-tap)
declare -A min_version=(
	[libbpf-dev]=1:1.4
	[bpftool]=7.5
	[qemu-system-x86]=1:10.0
	[qemu-system-arm]=1:10.0
)
backports_file=/etc/apt/sources.list.d/bookworm-backports.sources

case ${1:-} in
install) verbose=1 ;;
ensure) verbose= ;;
*)
	echo "usage: deps.sh install|ensure" >&2
	exit 2
	;;
esac

note() {
	if [ -n "$verbose" ]; then printf 'deps: %s\n' "$*"; fi
}
say() { printf 'deps: %s\n' "$*"; }
die() { printf 'ktstr: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Under `sudo make deps` the cache and the build belong to the user who
# ran sudo, not to root: root-owned files in their tree would break their
# next build.
sudo_user=
if is_root && [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ]; then
	sudo_user=$SUDO_USER
fi

cache_dir() {
	local home
	if [ -n "$sudo_user" ]; then
		home=$(getent passwd "$sudo_user" | cut -d: -f6)
		# sudo resets HOME, so a cache under root's home was not chosen
		# by the user.
		case ${KTSTR_CACHE_DIR:-} in
		''|"$HOME"/*) echo "$home/.cache/ktstr"; return ;;
		esac
	fi
	echo "${KTSTR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ktstr}"
}
cache=$(cache_dir)

as_user() {
	if [ -n "$sudo_user" ]; then
		runuser -u "$sudo_user" -- env KTSTR_CACHE_DIR="$cache" "$@"
	else
		KTSTR_CACHE_DIR=$cache "$@"
	fi
}

# Installed versions of all packages, from one dpkg-query call.
declare -A installed=()
read_installed() {
	local name status version
	installed=()
	while read -r name status version; do
		if [ "$status" = installed ]; then
			installed[$name]=$version
		fi
	done < <(dpkg-query -W -f='${Package} ${db:Status-Status} ${Version}\n' \
		 "${packages[@]}" "${backports[@]}" 2>/dev/null || true)
}

# Empty when QEMU is not installed (a fresh machine): under pipefail the
# missing command must not end the script.
qemu_major() {
	{ qemu-system-x86_64 --version 2>/dev/null || true; } |
		sed -n 's/^QEMU emulator version \([0-9]*\).*/\1/p'
}

missing=()
missing_backports=()
check_packages() {
	local p v
	missing=()
	missing_backports=()
	read_installed
	for p in "${packages[@]}"; do
		if [ -z "${installed[$p]:-}" ]; then missing+=("$p"); fi
	done
	for p in "${backports[@]}"; do
		v=${installed[$p]:-}
		if [ -z "$v" ] || dpkg --compare-versions "$v" lt \
				"${min_version[$p]:-0}"; then
			missing_backports+=("$p")
		fi
	done
	v=$(qemu_major)
	if [ -z "$v" ] || [ "$v" -lt 10 ]; then
		case " ${missing_backports[*]} " in
		*" qemu-system-x86 "*) ;;
		*) missing_backports+=(qemu-system-x86) ;;
		esac
	fi
}

# ARCH KEY: KEY's value in the arch's config/default-kernel*.
pin() {
	sed -n "s/^[[:space:]]*$2=//p" "$root/${pin_files[$1]}" | tail -n 1
}

# ARCH: the kernel the cache must hold for it: the pinned one, else the
# newest entry of that arch.
wanted_kernel() {
	local version flavour d
	version=$(pin "$1" version)
	flavour=$(pin "$1" flavour)
	if [ -n "$version" ]; then
		case $version in
		*-"$flavour") echo "$version" ;;
		*) echo "$version-$flavour" ;;
		esac
		return
	fi
	d=$(KTSTR_CACHE_DIR=$cache "$root/vmm/kernel/default-kernel.sh" "$1")
	if [ -n "$d" ]; then basename "$d"; fi
}

# ARCH: whether the cache holds its kernel.
kernel_present() {
	local rel
	rel=$(wanted_kernel "$1")
	[ -n "$rel" ] && [ -f "$cache/kernels/$rel/metadata" ]
}

kernel_missing=
source_missing=
check_kernel() {
	local rel mm
	kernel_missing=
	source_missing=
	if ! kernel_present x86_64; then
		kernel_missing="a kernel in $cache/kernels"
		return
	fi
	rel=$(wanted_kernel x86_64)
	mm=$(echo "$rel" | grep -oE '^[0-9]+\.[0-9]+' || true)
	if [ ! -f "$cache/source/linux-source-$mm/Makefile" ]; then
		source_missing="linux-source-$mm in $cache/source"
	fi
}

# The arm64 guests' kernel (config/default-kernel-arm64): the same
# source as the x86 one's, so only its entry.
arm64_kernel_missing=
check_arm64_kernel() {
	arm64_kernel_missing=
	if ! kernel_present arm64; then
		arm64_kernel_missing="an arm64 kernel in $cache/kernels"
	fi
}

# The arm64 guests' libraries (kselftest/sysroot.sh), in the cache.
sysroot_missing=
check_sysroot() {
	sysroot_missing=
	if ! KTSTR_CACHE_DIR=$cache "$root/kselftest/sysroot.sh" check; then
		sysroot_missing="the arm64 sysroot in $cache/sysroot"
	fi
}

check_all() {
	check_packages
	check_kernel
	check_arm64_kernel
	check_sysroot
	note "packages: ${#missing[@]} missing from the release, ${#missing_backports[@]} from backports"
	if [ -n "$kernel_missing" ]; then
		note "kernel: missing $kernel_missing"
	else
		note "kernel: $(wanted_kernel x86_64) in $cache/kernels"
		note "source: ${source_missing:-present}"
	fi
	if [ -n "$arm64_kernel_missing" ]; then
		note "arm64 kernel: missing $arm64_kernel_missing"
	else
		note "arm64 kernel: $(wanted_kernel arm64) in $cache/kernels"
	fi
	note "arm64 sysroot: ${sysroot_missing:+missing }$(KTSTR_CACHE_DIR=$cache "$root/kselftest/sysroot.sh" dir)"
}

everything_present() {
	[ ${#missing[@]} -eq 0 ] && [ ${#missing_backports[@]} -eq 0 ] &&
		[ -z "$kernel_missing" ] && [ -z "$source_missing" ] &&
		[ -z "$arm64_kernel_missing" ] && [ -z "$sysroot_missing" ]
}

what_is_missing() {
	local what=("${missing[@]}" "${missing_backports[@]}")
	if [ -n "$kernel_missing" ]; then what+=("$kernel_missing"); fi
	if [ -n "$source_missing" ]; then what+=("$source_missing"); fi
	if [ -n "$arm64_kernel_missing" ]; then
		what+=("$arm64_kernel_missing")
	fi
	if [ -n "$sysroot_missing" ]; then what+=("$sysroot_missing"); fi
	local IFS=,
	local list="${what[*]}"
	echo "${list//,/, }"
}

codename() {
	sed -n 's/^VERSION_CODENAME=//p' /etc/os-release 2>/dev/null
}

# bookworm-backports only adds packages one asks for by name, so it is
# safe on a bookworm host (unlike trixie or sid, which would upgrade it).
add_backports_source() {
	if grep -qsE '^[^#]*bookworm-backports' /etc/apt/sources.list \
		/etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources; then
		return
	fi
	say "adding $backports_file"
	cat >"$backports_file" <<-EOF
	Types: deb
	URIs: http://deb.debian.org/debian
	Suites: bookworm-backports
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
}

# [SUITE] PACKAGE...: SUITE "" means the host's default release.
apt_install() {
	local suite=$1 target=()
	shift
	if [ -n "$suite" ]; then target=(-t "$suite"); fi
	say "installing $*${suite:+ from $suite}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${target[@]}" "$@"
}

install_packages() {
	local suite=
	if [ ${#missing[@]} -eq 0 ] && [ ${#missing_backports[@]} -eq 0 ]; then
		return
	fi
	if [ ${#missing_backports[@]} -gt 0 ] && [ "$(codename)" = bookworm ]
	then
		add_backports_source
		suite=bookworm-backports
	fi
	say "apt-get update"
	apt-get update -qq
	if [ ${#missing[@]} -gt 0 ]; then apt_install "" "${missing[@]}"; fi
	if [ ${#missing_backports[@]} -gt 0 ]; then
		apt_install "$suite" "${missing_backports[@]}"
	fi
}

# The x86 kernel and its source, then the arm64 kernel: ./ktstr fetches
# both (vmm/kernel/kernel-fetch.sh).
fetch_kernels() {
	if [ -z "$kernel_missing" ] && [ -z "$source_missing" ] &&
	   [ -z "$arm64_kernel_missing" ]; then
		return
	fi
	say "building ./ktstr"
	as_user make -s --no-print-directory -C "$root" ktstr
	if [ -n "$kernel_missing" ] || [ -n "$source_missing" ]; then
		say "fetching the kernel into $cache"
		as_user "$root/ktstr" kernel fetch
	fi
	if [ -n "$arm64_kernel_missing" ]; then
		say "fetching the arm64 kernel into $cache"
		as_user "$root/ktstr" kernel fetch --arch arm64
	fi
}

fetch_sysroot() {
	if [ -n "$sysroot_missing" ]; then
		as_user "$root/kselftest/sysroot.sh" install
	fi
}

check_all
if everything_present; then
	note "everything is installed"
	exit 0
fi
if ! is_root && { [ ${#missing[@]} -gt 0 ] ||
		  [ ${#missing_backports[@]} -gt 0 ]; }; then
	{
		echo "ktstr: missing: $(what_is_missing)"
		echo "ktstr: to install it, run: sudo make deps"
	} >&2
	exit 1
fi
if is_root; then install_packages; fi
# The kernels need no privileges: a user fetches them into their own cache.
fetch_kernels
fetch_sysroot
check_all
everything_present || die "still missing after install: $(what_is_missing)"
note "everything is installed"
