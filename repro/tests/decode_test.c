// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding against the default kernel's BTF: enum names for sched_ext
 * flags and DSQ ids, CPU masks, and a task_struct laid out as BTF says,
 * with fields that change between entry and exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "kselftest_harness.h"
#include "fixtures.h"
#include "decode.h"
#include "error.h"
#include "json.h"

FIXTURE(dec) {
	struct kt_decoder *d;
	struct btf *btf;
};

FIXTURE_SETUP(dec)
{
	char path[4096];

	ASSERT_EQ(0, default_vmlinux(path, sizeof(path)));
	self->d = kt_decoder_open(path);
	ASSERT_NE(NULL, self->d) TH_LOG("%s", kt_errmsg());
	self->btf = btf__parse_elf(path, NULL);
	ASSERT_NE(NULL, self->btf);
}

FIXTURE_TEARDOWN(dec)
{
	kt_decoder_free(self->d);
	btf__free(self->btf);
}

TEST_F(dec, dsq_ids)
{
	char buf[64];

	kt_decode_dsq_id(self->d, 0x8000000000000002ULL, buf, sizeof(buf));
	EXPECT_STREQ("SCX_DSQ_LOCAL", buf);
	kt_decode_dsq_id(self->d, 0x8000000000000001ULL, buf, sizeof(buf));
	EXPECT_STREQ("SCX_DSQ_GLOBAL", buf);
	kt_decode_dsq_id(self->d, 0x8000000000000000ULL, buf, sizeof(buf));
	EXPECT_STREQ("SCX_DSQ_INVALID", buf);
	kt_decode_dsq_id(self->d, 0xc000000000000003ULL, buf, sizeof(buf));
	EXPECT_STREQ("SCX_DSQ_LOCAL_ON|3", buf);
	kt_decode_dsq_id(self->d, 1, buf, sizeof(buf));
	EXPECT_STREQ("0x1 (user DSQ 1)", buf);
}

TEST_F(dec, flags)
{
	char buf[256];

	kt_decode_flags(self->d, "scx_enq_flags", 0x20000000001ULL, buf,
			sizeof(buf));
	EXPECT_STREQ("SCX_ENQ_WAKEUP|SCX_ENQ_LAST", buf);
	/* flag bits, then the state field (0x400: SCX_TASK_ENABLED) */
	kt_decode_flags(self->d, "scx_ent_flags", 0x40b, buf, sizeof(buf));
	EXPECT_STREQ("SCX_TASK_QUEUED|SCX_TASK_IN_CUSTODY|SCX_TASK_DEQD_FOR_SLEEP|SCX_TASK_ENABLED",
		     buf);
	kt_decode_flags(self->d, "scx_ops_state", 0x2 | (7 << 2), buf,
			sizeof(buf));
	EXPECT_STREQ("SCX_OPSS_QUEUED|0x1c", buf);
	kt_decode_flags(self->d, "scx_enq_flags", 0, buf, sizeof(buf));
	EXPECT_STREQ("0x0", buf);
	kt_decode_flags(self->d, "no_such_enum", 5, buf, sizeof(buf));
	EXPECT_STREQ("0x5", buf);
	kt_decode_scalar(self->d, "enq_flags", 1, buf, sizeof(buf));
	EXPECT_STREQ("SCX_ENQ_WAKEUP", buf);
}

TEST(cpumasks)
{
	uint8_t bits[8] = { 0x0f };
	char buf[64];

	kt_decode_cpumask(bits, sizeof(bits), buf, sizeof(buf));
	EXPECT_STREQ("0xf (0-3)", buf);
	bits[0] = 0x2d;
	bits[1] = 0x01;
	kt_decode_cpumask(bits, sizeof(bits), buf, sizeof(buf));
	EXPECT_STREQ("0x12d (0,2-3,5,8)", buf);
	memset(bits, 0, sizeof(bits));
	kt_decode_cpumask(bits, sizeof(bits), buf, sizeof(buf));
	EXPECT_STREQ("0x0 (none)", buf);
}

/* Byte offset of a member path ("scx.flags") of struct @type, by BTF. */
static long member_off(struct btf *btf, const char *type, const char *path)
{
	int id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);
	char buf[128], *name, *save = NULL;
	long off = 0;

	snprintf(buf, sizeof(buf), "%s", path);
	for (name = strtok_r(buf, ".", &save); name && id > 0;
	     name = strtok_r(NULL, ".", &save)) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_member *m = btf_members(t);
		int i, found = 0;

		for (i = 0; i < btf_vlen(t); i++, m++) {
			if (strcmp(btf__name_by_offset(btf, m->name_off), name))
				continue;
			off += btf_member_bit_offset(t, i) / 8;
			id = btf__resolve_type(btf, m->type);
			found = 1;
			break;
		}
		if (!found)
			return -1;
	}
	return off;
}

TEST_F(dec, task_struct_changes)
{
	int id = btf__find_by_name_kind(self->btf, "task_struct",
					BTF_KIND_STRUCT);
	long size = btf__resolve_size(self->btf, id);
	long pid = member_off(self->btf, "task_struct", "pid");
	long comm = member_off(self->btf, "task_struct", "comm");
	long flags = member_off(self->btf, "task_struct", "scx.flags");
	long ddsp = member_off(self->btf, "task_struct", "scx.ddsp_dsq_id");
	long mask = member_off(self->btf, "task_struct", "cpus_mask");
	struct kt_capture entry = { .addr = 0xffff888001234000ULL,
				    .nr_windows = 1 }, exit;
	struct kt_strbuf text = { 0 };
	json_t *json;
	char *dumped;
	uint8_t *a = calloc(1, size), *b = calloc(1, size);
	uint64_t v;
	int changed;

	ASSERT_LT(0, size);
	ASSERT_LT(0, pid);
	ASSERT_LT(0, flags);
	*(int32_t *)(a + pid) = 129;
	memcpy((char *)a + comm, "ktstr-trigger", sizeof("ktstr-trigger"));
	a[mask] = 0x0f;
	v = 0x8000000000000000ULL;	/* SCX_DSQ_INVALID */
	memcpy(a + ddsp, &v, 8);
	*(uint32_t *)(a + flags) = 0x400;
	memcpy(b, a, size);
	*(uint32_t *)(b + flags) = 0x401;
	memset(b + ddsp, 0, 8);
	entry.win[0].len = size;
	entry.data = a;
	entry.data_len = size;
	exit = entry;
	exit.data = b;
	changed = kt_decode_struct(self->d, "task_struct", &entry, &exit,
				   "  ", &text, &json);
	EXPECT_EQ(2, changed);
	EXPECT_NE(NULL, strstr(kt_sb_str(&text), "pid=129 comm=ktstr-trigger"))
		TH_LOG("%s", kt_sb_str(&text));
	EXPECT_NE(NULL, strstr(kt_sb_str(&text), "cpus_mask=0xf (0-3)"));
	EXPECT_NE(NULL, strstr(kt_sb_str(&text),
			       "scx.flags=SCX_TASK_ENABLED -> SCX_TASK_QUEUED|SCX_TASK_ENABLED"))
		TH_LOG("%s", kt_sb_str(&text));
	EXPECT_NE(NULL, strstr(kt_sb_str(&text),
			       "scx.ddsp_dsq_id=SCX_DSQ_INVALID -> 0x0 (user DSQ 0)"));
	ASSERT_NE(NULL, json);
	dumped = json_dumps(json, KT_JSON_FLAGS);
	ASSERT_NE(NULL, dumped);
	EXPECT_NE(NULL, strstr(dumped, "{\"type\":\"task_struct\",\"addr\":\"0xffff888001234000\",\"fields\":{"))
		TH_LOG("%s", dumped);
	EXPECT_NE(NULL, strstr(dumped, "\"pid\":\"129\"")) TH_LOG("%s", dumped);
	EXPECT_NE(NULL, strstr(dumped,
			       "\"scx.flags\":{\"entry\":\"SCX_TASK_ENABLED\",\"exit\":\"SCX_TASK_QUEUED|SCX_TASK_ENABLED\"}"))
		TH_LOG("%s", dumped);
	free(dumped);
	json_decref(json);
	/* only the windows captured are decoded */
	kt_sb_free(&text);
	entry.win[0].off = comm;
	entry.win[0].len = 16;
	entry.data = a + comm;
	entry.data_len = 16;
	EXPECT_EQ(0, kt_decode_struct(self->d, "task_struct", &entry, NULL,
				      "", &text, &json));
	EXPECT_STREQ("comm=ktstr-trigger\n", kt_sb_str(&text));
	EXPECT_EQ(1, json_object_size(json_object_get(json, "fields")));
	kt_sb_free(&text);
	json_decref(json);
	EXPECT_EQ(-1, kt_decode_struct(self->d, "no_such_struct", &entry, NULL,
				       "", &text, &json));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "no struct no_such_struct"));
	EXPECT_EQ(NULL, json);
	kt_sb_free(&text);
	free(a);
	free(b);
}

TEST_F(dec, callbacks_from_btf)
{
	const char *const *cb = kt_decoder_callbacks(self->d);
	int enqueue = 0, n = 0;

	for (; *cb; cb++, n++)
		enqueue |= !strcmp(*cb, "enqueue");
	EXPECT_TRUE(enqueue);
	EXPECT_LT(10, n);
}

/* An arm64 cache entry's BTF is raw, cut from its Image. */
TEST(raw_btf_of_an_arm64_kernel)
{
	const char *const *cb;
	struct kt_decoder *d;
	struct kt_kernel k;
	int enqueue = 0;

	if (kt_kernel_resolve_arch(NULL, KT_ARCH_ARM64, &k))
		SKIP(return, "no arm64 kernel in the cache: run './ktstr kernel fetch --arch arm64'");
	ASSERT_NE(NULL, strstr(k.btf, "vmlinux.btf")) TH_LOG("%s", k.btf);
	d = kt_decoder_open(k.btf);
	ASSERT_NE(NULL, d) TH_LOG("%s", kt_errmsg());
	for (cb = kt_decoder_callbacks(d); *cb; cb++)
		enqueue |= !strcmp(*cb, "enqueue");
	EXPECT_TRUE(enqueue);
	kt_decoder_free(d);
}

TEST(no_btf)
{
	EXPECT_EQ(NULL, kt_decoder_open("/nonexistent/vmlinux"));
	EXPECT_NE(NULL, strstr(kt_errmsg(), "no BTF in /nonexistent/vmlinux"));
}

TEST_HARNESS_MAIN
