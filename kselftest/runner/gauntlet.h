/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gauntlet: each planned test over every topology preset its
 * declared constraints allow, times its scheduler's flag profiles, times
 * the kernels given.  Then, optionally, the subset that fits a time
 * budget and one shard of it.
 *
 * Entry names are stable: <test>/<preset>[/<profile>][/<kernel>], the
 * profile only when it is not the default, the kernel only when more than
 * one was given.
 */
#ifndef KTSTR_RUNNER_GAUNTLET_H
#define KTSTR_RUNNER_GAUNTLET_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"
#include "topology.h"

#define KT_PRESET_MAX_FEATURES 12
/* Presets from this many vCPUs on run only when asked or budgeted. */
#define KT_PRESET_LARGE_CPUS 64

struct kt_preset {
	char name[64];
	struct kt_topology topo;
	/* What it exercises, e.g. "llcs=3", "smt", "nodes=2", "far". */
	char features[KT_PRESET_MAX_FEATURES][16];
	unsigned int nr_features;
	bool large;
	/* A test's own topology, not a file of the presets directory. */
	bool own;
};

struct kt_presets {
	struct kt_preset *v;
	size_t count;
};

/* Every *.topo of @dir, sorted by name. */
int kt_presets_load(const char *dir, struct kt_presets *out);
void kt_presets_free(struct kt_presets *p);
bool kt_preset_allows(const struct kt_preset *p, const struct kt_run_item *it);

struct kt_gauntlet_kernel {
	const char *spec;		/* as given to --kernel */
	char label[64];			/* its part of entry names */
};

struct kt_gauntlet_opts {
	const char *const *presets;	/* --preset: only these (NULL: all) */
	size_t nr_presets;
	bool large;			/* include the large presets */
	/* The guests': a preset this arch cannot realize is left out. */
	enum kt_arch arch;
	/*
	 * The matrix of `ktstr run --scheduler`: only the presets marked
	 * `matrix = yes`; a test that none of them allows runs on its own
	 * topology.
	 */
	bool matrix;
	bool own_topology;		/* every test on its own topology only */
	bool no_profiles;		/* a user's binary: none of our profiles */
	const struct kt_gauntlet_kernel *kernels;
	size_t nr_kernels;
};

struct kt_gauntlet_entry {
	struct kt_run_item item;	/* item.name is the entry name */
	char test[192];			/* the name without its preset part */
	const struct kt_preset *preset;
	char profile[32];		/* "" for the default */
	double cost_s;			/* estimated wall time */
	bool selected;
	char left_out[96];		/* why not, when not selected */
};

struct kt_gauntlet {
	struct kt_gauntlet_entry *v;
	size_t count;
	struct kt_preset **own;		/* the tests' own topologies */
	size_t nr_own;
};

/* The label of a --kernel spec in entry names: no '/', stable. */
void kt_gauntlet_kernel_label(const char *spec, char *buf, size_t len);

int kt_gauntlet_expand(const struct kt_plan *base,
		       const struct kt_presets *presets,
		       const struct kt_gauntlet_opts *o, struct kt_gauntlet *g);
void kt_gauntlet_free(struct kt_gauntlet *g);

/*
 * Marks the entries to run within @budget_s seconds of wall time with
 * @jobs VMs side by side: greedily the entry that adds the most new
 * (test, topology feature) pairs per estimated second, ties broken by
 * lower cost then name.  Entries that add nothing new are left out.
 */
void kt_gauntlet_budget(struct kt_gauntlet *g, double budget_s,
			unsigned int jobs);

/* --budget: seconds above 0; errors name the value. */
int kt_gauntlet_parse_budget(const char *s, double *out);
/* "K/N" with 1 <= K <= N; errors name the value. */
int kt_gauntlet_parse_shard(const char *s, unsigned int *k, unsigned int *n);
/* Which of @n shards (1-based) an entry name belongs to: by name only. */
unsigned int kt_gauntlet_shard_of(const char *name, unsigned int n);
/* Keeps the selected entries of shard @k of @n selected, leaves others out. */
void kt_gauntlet_shard(struct kt_gauntlet *g, unsigned int k, unsigned int n);

#endif
