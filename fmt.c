/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fmt.c - a small printf and the address formatter, so that the static
 * binary carries neither musl's printf nor its inet_ntop.  The NTS build's
 * wolfSSL writes its few texts with it too (XSNPRINTF in
 * toolchains/wolfssl-nts-settings.h), and %X for them.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdint.h>
#include <string.h>

#include "fmt.h"

/*
 * A small printf: musl's brings its float formatting and stdio's printf
 * machinery, about 10 KB of a binary that must fit a 4 MB root
 * filesystem.  It knows what ntpsync prints: %s %c %d %u %x with the
 * flags '+' and '0', a width, the l, ll and z sizes, and %f with a
 * precision of at most 9 (rounded by scaling into an integer).
 */
size_t
str_vfmt(char *buf, size_t len, const char *f, va_list ap)
{
	static const char digits[] = "0123456789abcdef";
#ifdef NTPSYNC_NTS
	static const char upper[] = "0123456789ABCDEF";
	const char *set;
	unsigned base;
#endif
	char num[32];
	const char *s;
	size_t n = 0, k;
	uint64_t u, scale;
	double d;
	int plus, zero, width, prec, size, neg, i;

	/* c is evaluated even when the buffer is full: it may be num[--k]. */
#define PUT(c) do { char put_ = (c); if (n + 1 < len) buf[n] = put_; n++; } while (0)
	for (; *f != '\0'; f++) {
		if (*f != '%') {
			PUT(*f);
			continue;
		}
		plus = zero = width = size = neg = 0;
		prec = -1;
		for (f++; *f == '+' || *f == '0'; f++)
			*f == '+' ? (plus = 1) : (zero = 1);
		for (; *f >= '0' && *f <= '9'; f++)
			width = width * 10 + (*f - '0');
		if (*f == '.')
			for (prec = 0, f++; *f >= '0' && *f <= '9'; f++)
				prec = prec * 10 + (*f - '0');
		for (; *f == 'l' || *f == 'z'; f++)
			size += *f == 'z' && sizeof(size_t) > sizeof(int) ? 1 :
			    *f == 'l';
		k = 0;
		switch (*f) {
		case 's':
			for (s = va_arg(ap, const char *); *s != '\0'; s++)
				PUT(*s);
			continue;
		case 'c':
			PUT((char)va_arg(ap, int));
			continue;
		case 'd':
			{
				long long v = size > 1 ? va_arg(ap, long long) :
				    size ? va_arg(ap, long) : va_arg(ap, int);

				neg = v < 0;
				u = neg ? 0 - (uint64_t)v : (uint64_t)v;
			}
			break;
		case 'u':
		case 'x':
#ifdef NTPSYNC_NTS
		case 'X':	/* wolfSSL's, for a certificate's IPv6 addresses */
#endif
			u = size > 1 ? va_arg(ap, unsigned long long) :
			    size ? va_arg(ap, unsigned long) :
			    va_arg(ap, unsigned);
			break;
		case 'f':
			d = va_arg(ap, double);
			neg = d < 0;
			if (prec < 0 || prec > 9)
				prec = 6;
			for (scale = 1, i = 0; i < prec; i++)
				scale *= 10;
			d = (neg ? -d : d) * (double)scale + 0.5;
			u = d < 18e18 ? (uint64_t)d : UINT64_MAX;
			/* What rounds to zero is zero: no "-0.000000". */
			neg = neg && u != 0;
			for (i = 0; i < prec; i++, u /= 10)
				num[k++] = digits[u % 10];
			if (prec > 0)
				num[k++] = '.';
			break;
		case '%':
			PUT('%');
			continue;
		default:
			/*
			 * A conversion we do not know would leave its argument
			 * in the list and shift the rest: stop here instead.
			 */
			goto out;
		}
#ifdef NTPSYNC_NTS
		base = *f == 'x' || *f == 'X' ? 16 : 10;
		set = *f == 'X' ? upper : digits;
		do
			num[k++] = set[u % base];
		while ((u /= base) != 0);
#else
		do
			num[k++] = digits[u % (*f == 'x' ? 16 : 10)];
		while ((u /= *f == 'x' ? 16 : 10) != 0);
#endif
		if (neg || plus)
			width--;
		if (!zero)
			for (; (int)k < width; width--)
				PUT(' ');
		if (neg || plus)
			PUT(neg ? '-' : '+');
		for (; (int)k < width; width--)
			PUT('0');
		while (k > 0)
			PUT(num[--k]);
	}
out:
#undef PUT
	if (len > 0)
		buf[n < len ? n : len - 1] = '\0';
	return n;
}

size_t
str_fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, f);
	n = str_vfmt(buf, len, f, ap);
	va_end(ap);
	return n;
}

const char *
fmt_tm(const struct tm *tm, char sep, char *buf, size_t len)
{
	str_fmt(buf, len, "%04d-%02d-%02d%c%02d:%02d:%02d", tm->tm_year + 1900,
	    tm->tm_mon + 1, tm->tm_mday, sep, tm->tm_hour, tm->tm_min,
	    tm->tm_sec);
	return buf;
}

/* RFC 4291 section 2.5.5.2: an IPv4 address as IPv6, ::ffff:a.b.c.d. */
static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/*
 * The address in numbers, as inet_ntop() writes it (RFC 5952 for IPv6:
 * the longest run of two or more zero groups becomes "::"; an IPv4-mapped
 * address ends in dotted quad), then the scope of a link-local address
 * ("%2", RFC 4007 section 11, by number), without the printf that musl's
 * inet_ntop brings.
 */
void
fmt_addr(const struct sockaddr *sa, char *buf, size_t len)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	const uint8_t *a;
	size_t n = 0, groups = 8;
	size_t i, run, best = 8, bestlen = 1;	/* best 8: no run of zeros */

	if (sa->sa_family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
		str_fmt(buf, len, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return;
	}
	a = sin6->sin6_addr.s6_addr;
	if (memcmp(a, v4mapped, sizeof(v4mapped)) == 0)
		groups = 6;
	for (i = 0; i < groups; i += run ? run : 1) {
		for (run = 0; i + run < groups && (a[2 * (i + run)] |
		    a[2 * (i + run) + 1]) == 0; run++)
			;
		if (run > bestlen) {
			best = i;
			bestlen = run;
		}
	}
	buf[0] = '\0';
	for (i = 0; i < groups && n < len; i++) {
		if (i == best) {
			str_fmt(buf + n, len - n, "::");
			i += bestlen - 1;
		} else {
			str_fmt(buf + n, len - n, "%s%x",
			    n > 0 && buf[n - 1] != ':' ? ":" : "",
			    (unsigned)(a[2 * i] << 8 | a[2 * i + 1]));
		}
		n = strlen(buf);
	}
	if (groups == 6 && n < len)
		n += str_fmt(buf + n, len - n, ":%u.%u.%u.%u", a[12], a[13],
		    a[14], a[15]);
	if (sin6->sin6_scope_id != 0 && n < len)
		str_fmt(buf + n, len - n, "%%%u", (unsigned)sin6->sin6_scope_id);
}

/*
 * fmt_addr's inverse for the numeric IPv4 and IPv6 addresses it writes:
 * text and port into *ss.  Returns 0, or -1 when text is neither.
 */
int
fmt_parse_addr(const char *text, uint16_t port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		*len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}
