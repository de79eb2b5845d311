/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/fuzz_check.h - the fuzz targets' property check: a violated one
 * says where and what, then aborts, which libFuzzer reports as a crash
 * and keeps the input.
 */
#ifndef NTPSYNC_FUZZ_CHECK_H
#define NTPSYNC_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: property violated: %s: ",	\
		    __FILE__, __LINE__, #cond);				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

#endif /* NTPSYNC_FUZZ_CHECK_H */
