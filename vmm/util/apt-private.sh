# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# apt from a private configuration, for downloading Debian packages of any
# suite and architecture without touching the host's apt sources, lists
# or package state.  Sourced by vmm/kernel/kernel-fetch.sh and
# kselftest/sysroot.sh.
#
#   apt_private_init DIR ARCH
#       makes DIR's lists and caches and sets the array apt_opts for
#       apt-get and apt-cache; the caller writes DIR/sources.list.
#       apt checks what it downloads against the signed Release files of
#       the sources' keyring, as it does for the host.

apt_private_init() {
	local dir=$1 arch=$2

	mkdir -p "$dir/lists/partial" "$dir/archives/partial" "$dir/cache"
	apt_opts=(
		-o "Dir::Etc::sourcelist=$dir/sources.list"
		-o Dir::Etc::sourceparts=/dev/null
		-o Dir::Etc::preferences=/dev/null
		-o Dir::Etc::preferencesparts=/dev/null
		-o "Dir::State::Lists=$dir/lists"
		-o Dir::State::status=/dev/null
		-o "Dir::Cache=$dir/cache"
		-o "Dir::Cache::Archives=$dir/archives"
		-o "APT::Architecture=$arch"
		-o "APT::Architectures=$arch"
		-o APT::Default-Release=
		-o Acquire::Languages=none
	)
	# As root apt drops to the _apt user, who cannot write into a private
	# mktemp directory; everything here is downloaded data, not installed.
	if [ "$(id -u)" -eq 0 ]; then
		apt_opts+=(-o APT::Sandbox::User=root)
	fi
}
