// SPDX-License-Identifier: GPL-2.0
/*
 * What the running scheduler claims to do, decided from the scheduler
 * itself, so that a check of a property it never claimed SKIPs with the
 * reason instead of failing:
 *
 *  - EEVDF honours nice, cgroup cpu.weight and CPU capacity;
 *  - a sched_ext scheduler honours nice unless its declaration says
 *    KTSTR_SCHED_IGNORES_NICE (a FIFO by design);
 *  - it honours cpu.weight only if its loaded struct_ops implements a
 *    cgroup weight callback (sched_ext_ops.cgroup_set_weight, or
 *    cpuctl_set_weight in the cid form sched_ext_ops_cid) and its
 *    declaration does not say KTSTR_SCHED_IGNORES_CGROUP_WEIGHT;
 *  - it honours CPU capacity unless its declaration says
 *    KTSTR_SCHED_IGNORES_CAPACITY (scx_simple: one global queue).
 *
 * The callbacks are read from the scheduler's struct_ops map: a lookup
 * of key 0 returns the value the loader registered, in which the kernel
 * has replaced the program of each implemented callback with its
 * program id (bpf_struct_ops_map_update_elem()); unimplemented
 * callbacks stay 0.  The map's btf_vmlinux_value_type_id names the
 * value type (bpf_struct_ops_<ops type>) in the kernel's BTF, which
 * gives the offsets.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>

#include "internal.h"

#define VALUE_PREFIX "bpf_struct_ops_"
#define SCX_OPS "sched_ext_ops"
#define SCX_OPS_CID "sched_ext_ops_cid"

/* A member of struct @type_id by name: its byte offset and type. */
static int member_of(const struct btf *btf, __u32 type_id, const char *name,
		     __u32 *offset, __u32 *member_type)
{
	const struct btf_type *t = btf__type_by_id(btf, type_id);
	const struct btf_member *m;
	unsigned int i;

	if (!t || !btf_is_struct(t))
		return -1;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		if (strcmp(btf__name_by_offset(btf, m->name_off), name))
			continue;
		*offset = btf_member_bit_offset(t, i) / 8;
		if (member_type)
			*member_type = m->type;
		return 0;
	}
	return -1;
}

/* The ops struct within a struct_ops value: "data" of bpf_struct_ops_X. */
struct ops_layout {
	const char *ops_type;		/* sched_ext_ops or sched_ext_ops_cid */
	__u32 data_off, data_type;
};

static bool scx_value_type(const struct btf *btf, __u32 value_type_id,
			   struct ops_layout *l)
{
	const struct btf_type *t = btf__type_by_id(btf, value_type_id);
	const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;

	if (!name || strncmp(name, VALUE_PREFIX, strlen(VALUE_PREFIX)))
		return false;
	name += strlen(VALUE_PREFIX);
	if (!strcmp(name, SCX_OPS))
		l->ops_type = SCX_OPS;
	else if (!strcmp(name, SCX_OPS_CID))
		l->ops_type = SCX_OPS_CID;
	else
		return false;
	return !member_of(btf, value_type_id, "data", &l->data_off,
			  &l->data_type);
}

struct scx_map {
	struct ops_layout layout;
	void *value;
	__u32 value_size;
	__u32 id;
};

/* Is @v (a struct_ops value) the scheduler named @ops? */
static bool value_named(const struct btf *btf, const struct scx_map *m,
			const char *ops)
{
	__u32 off;

	if (member_of(btf, m->layout.data_type, "name", &off, NULL))
		return false;
	off += m->layout.data_off;
	return off < m->value_size &&
	       !strncmp((const char *)m->value + off, ops,
			m->value_size - off);
}

/* Reads the value of map @id if it is a sched_ext struct_ops map. */
static int read_scx_map(const struct btf *btf, __u32 id, struct scx_map *m)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info), key = 0;
	int fd = bpf_map_get_fd_by_id(id);

	if (fd < 0)
		return 0;	/* gone meanwhile */
	if (bpf_map_get_info_by_fd(fd, &info, &len) ||
	    info.type != BPF_MAP_TYPE_STRUCT_OPS ||
	    !scx_value_type(btf, info.btf_vmlinux_value_type_id, &m->layout)) {
		close(fd);
		return 0;
	}
	m->value = calloc(1, info.value_size);
	m->value_size = info.value_size;
	m->id = id;
	if (!m->value || bpf_map_lookup_elem(fd, &key, m->value)) {
		close(fd);
		free(m->value);
		m->value = NULL;
		return ktstr_fail("read struct_ops map %u: %s", id,
				  strerror(errno));
	}
	close(fd);
	return 1;
}

/*
 * The struct_ops map of the sched_ext scheduler named @ops: the newest
 * one of that name (an old one may linger while it is freed).
 */
static int find_scx_map(const struct btf *btf, const char *ops,
			struct scx_map *found)
{
	struct scx_map m = { 0 };
	__u32 id = 0;
	int rc;

	memset(found, 0, sizeof(*found));
	while (!bpf_map_get_next_id(id, &id)) {
		rc = read_scx_map(btf, id, &m);
		if (rc < 0)
			return -1;
		if (!rc)
			continue;
		if (value_named(btf, &m, ops)) {
			free(found->value);
			*found = m;
		} else {
			free(m.value);
		}
		memset(&m, 0, sizeof(m));
	}
	if (errno != ENOENT) {
		free(found->value);
		return ktstr_fail("list BPF maps: %s", strerror(errno));
	}
	if (!found->value)
		return ktstr_fail("no sched_ext struct_ops map of scheduler '%s' is loaded",
				  ops);
	return 0;
}

int ktstr_scx_implements(const char *ops, const char *callback)
{
	struct scx_map m;
	struct btf *btf;
	__u32 off;
	int rc;

	btf = btf__load_vmlinux_btf();
	if (!btf)
		return ktstr_fail("load the kernel's BTF (/sys/kernel/btf/vmlinux): %s",
				  strerror(errno));
	rc = find_scx_map(btf, ops, &m);
	if (rc < 0)
		goto out;
	if (member_of(btf, m.layout.data_type, callback, &off, NULL)) {
		rc = 0;		/* this kernel's ops have no such callback */
		goto out;
	}
	off += m.layout.data_off;
	rc = off + sizeof(__u64) <= m.value_size &&
	     *(const __u64 *)((const char *)m.value + off) != 0;
out:
	free(m.value);
	btf__free(btf);
	return rc;
}

/* The cgroup weight callback of @ops's form of struct_ops. */
static int implements_cgroup_weight(const char *ops)
{
	int rc = ktstr_scx_implements(ops, "cgroup_set_weight");

	if (rc)
		return rc;
	return ktstr_scx_implements(ops, "cpuctl_set_weight");
}

int ktstr_sched_claims(const struct ktstr_sched *s, enum ktstr_claim claim,
		       char *why, size_t len)
{
	unsigned int flags = s->decl ? s->decl->flags : 0;
	int rc;

	why[0] = '\0';
	if (!s->decl)
		return 1;	/* EEVDF */
	switch (claim) {
	case KTSTR_CLAIM_NICE:
		if (!(flags & KTSTR_SCHED_IGNORES_NICE))
			return 1;
		snprintf(why, len, "%s declares that it ignores nice (KTSTR_SCHED_IGNORES_NICE)",
			 s->name);
		return 0;
	case KTSTR_CLAIM_CGROUP_WEIGHT:
		if (flags & KTSTR_SCHED_IGNORES_CGROUP_WEIGHT) {
			snprintf(why, len, "%s declares that it ignores cgroup cpu.weight (KTSTR_SCHED_IGNORES_CGROUP_WEIGHT)",
				 s->name);
			return 0;
		}
		rc = implements_cgroup_weight(s->ops);
		if (!rc)
			snprintf(why, len, "%s implements no cgroup weight callback (cgroup_set_weight, cpuctl_set_weight)",
				 s->name);
		return rc;
	case KTSTR_CLAIM_CAPACITY:
		if (!(flags & KTSTR_SCHED_IGNORES_CAPACITY))
			return 1;
		snprintf(why, len, "%s declares that it ignores CPU capacity (KTSTR_SCHED_IGNORES_CAPACITY)",
			 s->name);
		return 0;
	}
	return ktstr_fail("unknown claim %d", claim);
}
