/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernels ktstr builds itself: from a kernel source tree, from a
 * kernel.org release (resolved through releases.json, downloaded with
 * libcurl, checksum verified) or from a git URL and ref.  Each ends as a
 * kernel cache entry (kt_kernel_install), so it is built once.
 *
 *	--kernel 6.12.5            a release: the tarball of that version
 *	--kernel 7.3               the newest 7.3.x in releases.json, else 7.3
 *	--kernel ~/src/linux       a source tree (not yet built)
 *	--kernel git+URL#REF       a shallow clone of REF
 *
 * Everything else goes to kt_kernel_resolve().
 */
#ifndef KTSTR_KERNEL_SOURCE_H
#define KTSTR_KERNEL_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "kernel.h"

/* Where kernel.org is: $KTSTR_KERNEL_ORG or https://www.kernel.org. */
#define KT_KERNEL_ORG_DEFAULT "https://www.kernel.org"

enum kt_kernel_spec_kind {
	KT_SPEC_RESOLVE,	/* cache key, boot image, built tree */
	KT_SPEC_VERSION,	/* 7.3, 6.12.5 */
	KT_SPEC_SOURCE,		/* an unbuilt source tree */
	KT_SPEC_GIT,		/* git+URL#REF */
};

/* What @spec names; -1 (message set) if it is malformed. */
int kt_kernel_spec_kind(const char *spec, enum kt_kernel_spec_kind *kind);

/* Resolves @spec, downloading and building the kernel first if needed. */
int kt_kernel_obtain(const char *spec, struct kt_kernel *k);

/*
 * The version's tarball URL and SHA-256 (hex) from kernel.org's
 * releases.json and the sha256sums.asc beside the tarball.
 */
int kt_kernel_org_locate(const char *base_url, const char *version,
			 char *resolved, size_t resolved_len, char *url,
			 size_t url_len, char *sha256, size_t sha_len);

/*
 * Downloads @url to @path atomically: written to a temporary file beside
 * it, checked against @sha256 (hex) and its announced length, renamed
 * into place.  On any failure nothing is left at @path or beside it.
 */
int kt_download(const char *url, const char *sha256, const char *path);

/*
 * The source tree of release @version in $KTSTR_CACHE_DIR/source/
 * linux-<version>, downloaded, verified and unpacked if missing.
 */
int kt_kernel_fetch_release(const char *base_url, const char *version,
			    char *tree, size_t len);

/*
 * Builds @tree: its .config (or defconfig) merged with the config/
 * fragments of ktstr (config/kernel/ *.config), make olddefconfig, the
 * image, checked with kt_kernel_check_config(), installed in the cache as
 * @version.
 */
int kt_kernel_build_tree(const char *tree, const char *version,
			 const char *origin);

#endif
