/* SPDX-License-Identifier: GPL-2.0 */
/* CPU sets and the kernel's cpulist format ("0-3,8,10-11"). */
#ifndef KTSTR_CPULIST_H
#define KTSTR_CPULIST_H

#include <stdbool.h>
#include <stddef.h>

#define KT_MAX_CPUS 256

struct kt_cpuset {
	unsigned long long bits[KT_MAX_CPUS / 64];
};

void kt_cpuset_clear(struct kt_cpuset *s);
void kt_cpuset_add(struct kt_cpuset *s, unsigned int cpu);
bool kt_cpuset_has(const struct kt_cpuset *s, unsigned int cpu);
bool kt_cpuset_equal(const struct kt_cpuset *a, const struct kt_cpuset *b);
unsigned int kt_cpuset_count(const struct kt_cpuset *s);
int kt_cpulist_parse(const char *text, struct kt_cpuset *s);
void kt_cpulist_format(const struct kt_cpuset *s, char *buf, size_t len);

#endif
