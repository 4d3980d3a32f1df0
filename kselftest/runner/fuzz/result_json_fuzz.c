// SPDX-License-Identifier: GPL-2.0
/*
 * A JSON result of `ktstr run --json` as `ktstr compare` reads it: the
 * file through the size-capped loader, then its metrics.  The files are
 * the user's (any directory given to compare); their fields are the
 * guest's.  Seeds: results of real runs.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "compare.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kt_result_metrics m;
	json_t *result;
	FILE *f;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	/* 1 MiB: what is larger than the cap is read up to it, then refused. */
	result = kt_json_loadf(f, "fuzz.json", 1);
	fclose(f);
	if (!result)
		return 0;
	kt_result_parse(result, "fuzz.json", &m);
	json_decref(result);
	return 0;
}
