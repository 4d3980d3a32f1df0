/* SPDX-License-Identifier: GPL-2.0 */
/* The few kernel-style helpers host code uses. */
#ifndef KTSTR_COMPILER_H
#define KTSTR_COMPILER_H

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
#ifndef __printf
#define __printf(a, b) __attribute__((format(printf, a, b)))
#endif
#ifndef __packed
#define __packed __attribute__((packed))
#endif

#endif
