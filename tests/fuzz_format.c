/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tests/fuzz_format.c - libFuzzer target for fmt.c, ntpsync's own small
 * printf (str_vfmt): every conversion ntpsync uses, any value, any buffer
 * size.  It links fmt.c alone: no clock, no sockets, so it may run on the
 * host.
 * Built and run by `FUZZ_TARGET=format tests/fuzz.sh SECONDS`.
 *
 * Input: byte 0 = size of the output buffer (0..255), byte 1 = which
 * format (index into formats[] below), bytes 2..9 and 10..17 = two 64-bit
 * arguments (integers, or a double's bits), the rest = a string argument.
 *
 * Properties: it returns (no hang: libFuzzer's -timeout), writes nothing
 * past the buffer (ASan: the buffer is an exact-size heap block), always
 * terminates it, and returns the length the whole output would have; for
 * the integer, %c and %s conversions the output is byte for byte what the
 * C library's snprintf gives; for %f the untruncated output reads back as
 * the value to within one unit of the last digit printed.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "ntp_packet.h"

#include "fuzz_check.h"

enum kind { K_INT, K_LONG, K_LLONG, K_UINT, K_ULLONG, K_SIZE, K_CHAR, K_STR,
    K_STR_UINT, K_CHAR_STR, K_STR_INT, K_DOUBLE };

static const struct {
	const char	*fmt;
	enum kind	 kind;
	int		 prec;		/* K_DOUBLE: digits after the point */
} formats[] = {
	{ "%d", K_INT, 0 }, { "%02d", K_INT, 0 }, { "%2d", K_INT, 0 },
	{ "%04d", K_INT, 0 }, { "%+d", K_INT, 0 }, { "%ld", K_LONG, 0 },
	{ "%06ld", K_LONG, 0 }, { "%lld", K_LLONG, 0 },
	{ "%03lld", K_LLONG, 0 }, { "%u", K_UINT, 0 }, { "%x", K_UINT, 0 },
	{ "%04x", K_UINT, 0 }, { "%08x", K_UINT, 0 },
	{ "%016llx", K_ULLONG, 0 }, { "%zu", K_SIZE, 0 }, { "%c", K_CHAR, 0 },
	{ "%s", K_STR, 0 }, { "x%%y", K_STR, 0 },
	{ "%s%x", K_STR_UINT, 0 }, { "-p %s: samples must be %u to 8", K_STR_UINT, 0 },
	{ "\\%c%s", K_CHAR_STR, 0 }, { "%s: %d", K_STR_INT, 0 },
	{ "%+.6f", K_DOUBLE, 6 }, { "%.6f", K_DOUBLE, 6 }, { "%.9f", K_DOUBLE, 9 },
	{ "%.5f", K_DOUBLE, 5 }, { "%.3f", K_DOUBLE, 3 }, { "%.2f", K_DOUBLE, 2 },
	{ "%.1f", K_DOUBLE, 1 }, { "%.0f", K_DOUBLE, 0 },
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

static uint64_t
rd64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Both calls with the same arguments; F is a string literal for -Wformat. */
#define BOTH(F, ...) do {						\
	n = str_fmt(buf, len, F, __VA_ARGS__);				\
	r = snprintf(ref, sizeof(ref), F, __VA_ARGS__);		\
} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t in[18] = { 0 };
	char *buf, *str, ref[1024];
	size_t len, n, slen, i;
	uint64_t a, b;
	double d;
	int r = -1, fi;

	memcpy(in, data, size < sizeof(in) ? size : sizeof(in));
	len = in[0];
	fi = in[1] % NFORMATS;
	a = rd64(in + 2);
	b = rd64(in + 10);
	slen = size > sizeof(in) ? size - sizeof(in) : 0;
	if (slen > 600)
		slen = 600;
	str = malloc(slen + 1);
	buf = malloc(len ? len : 1);
	if (str == NULL || buf == NULL)
		abort();
	for (i = 0; i < slen; i++)	/* no NUL inside the string */
		str[i] = (char)(data[sizeof(in) + i] ? data[sizeof(in) + i] : 'z');
	str[slen] = '\0';
	memset(buf, 0x5a, len ? len : 1);

	switch (formats[fi].kind) {
	case K_INT:
		switch (fi) {
		case 0: BOTH("%d", (int)a); break;
		case 1: BOTH("%02d", (int)a); break;
		case 2: BOTH("%2d", (int)a); break;
		case 3: BOTH("%04d", (int)a); break;
		default: BOTH("%+d", (int)a); break;
		}
		break;
	case K_LONG:
		if (fi == 5)
			BOTH("%ld", (long)a);
		else
			BOTH("%06ld", (long)a);
		break;
	case K_LLONG:
		if (fi == 7)
			BOTH("%lld", (long long)a);
		else
			BOTH("%03lld", (long long)a);
		break;
	case K_UINT:
		switch (fi) {
		case 9: BOTH("%u", (unsigned)a); break;
		case 10: BOTH("%x", (unsigned)a); break;
		case 11: BOTH("%04x", (unsigned)a); break;
		default: BOTH("%08x", (unsigned)a); break;
		}
		break;
	case K_ULLONG:
		BOTH("%016llx", (unsigned long long)a);
		break;
	case K_SIZE:
		BOTH("%zu", (size_t)a);
		break;
	case K_CHAR:
		BOTH("%c", (int)(a % 255) + 1);
		break;
	case K_STR:
		if (fi == 16)
			BOTH("%s", str);
		else
			BOTH("x%%y%s", str);
		break;
	case K_STR_UINT:
		if (fi == 18)
			BOTH("%s%x", str, (unsigned)a);
		else
			BOTH("-p %s: samples must be %u to 8", str, (unsigned)a);
		break;
	case K_CHAR_STR:
		BOTH("\\%c%s", (int)(a % 255) + 1, str);
		break;
	case K_STR_INT:
		BOTH("%s: %d", str, (int)b);
		break;
	case K_DOUBLE:
		memcpy(&d, &a, sizeof(d));
		if (b & 1)	/* often a duration as ntpsync has them */
			d = ntp_dur_to_double((ntp_dur)a >> (b >> 1 & 63));
		switch (fi - 22) {
		case 0: n = str_fmt(buf, len, "%+.6f", d); break;
		case 1: n = str_fmt(buf, len, "%.6f", d); break;
		case 2: n = str_fmt(buf, len, "%.9f", d); break;
		case 3: n = str_fmt(buf, len, "%.5f", d); break;
		case 4: n = str_fmt(buf, len, "%.3f", d); break;
		case 5: n = str_fmt(buf, len, "%.2f", d); break;
		case 6: n = str_fmt(buf, len, "%.1f", d); break;
		default: n = str_fmt(buf, len, "%.0f", d); break;
		}
		if (len > 0) {
			CHECK(memchr(buf, '\0', len) != NULL, "not terminated");
			CHECK(strlen(buf) == (n < len ? n : len - 1),
			    "length %zu, returned %zu, buffer %zu", strlen(buf),
			    n, len);
		}
		/* Read back what ntpsync prints for values it can meet. */
		if (n < len && isfinite(d) && fabs(d) < 1e9) {
			double back = strtod(buf, NULL), ulp = 1;

			for (i = 0; i < (size_t)formats[fi].prec; i++)
				ulp /= 10;
			CHECK(fabs(back - d) <= ulp * 1.0001 + fabs(d) * 1e-15,
			    "%s of %.17g printed '%s'", formats[fi].fmt, d, buf);
			if (fi == 22)
				CHECK(buf[0] == '+' || buf[0] == '-', "'%s'", buf);
		}
		free(buf);
		free(str);
		return 0;
	}
	CHECK(r >= 0 && n == (size_t)r, "%s: returned %zu, snprintf %d",
	    formats[fi].fmt, n, r);
	if (len > 0)
		CHECK(strncmp(buf, ref, len - 1) == 0 &&
		    buf[(size_t)r < len ? (size_t)r : len - 1] == '\0',
		    "%s in %zu bytes: '%.*s', snprintf '%.*s'", formats[fi].fmt,
		    len, (int)len, buf, (int)len - 1, ref);
	free(buf);
	free(str);
	return 0;
}
