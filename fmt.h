/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fmt.h - a small printf and the address formatter.  Pure: they write
 * into the caller's buffer and nowhere else.
 */
#ifndef NTPSYNC_FMT_H
#define NTPSYNC_FMT_H

#include <sys/socket.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* An IPv6 address in text, with room to spare (INET6_ADDRSTRLEN is 46). */
#define ADDR_STR_LEN	48

/*
 * The conversions: %s %c %d %u %x with the flags '+' and '0', a width, the
 * l, ll and z sizes, %f with a precision of at most 9, and %%.  The format
 * attribute checks the arguments' types; tests/fmtcheck.py (make lint)
 * refuses any other conversion, which these functions would not implement.
 * The NTS build (NTPSYNC_NTS) has %X too, for wolfSSL.
 */
size_t	str_vfmt(char *buf, size_t len, const char *f, va_list ap);
size_t	str_fmt(char *buf, size_t len, const char *f, ...)
	    __attribute__((format(printf, 3, 4)));
/*
 * A broken-down time as "2026-11-25" sep "10:00:00" into buf, returned:
 * the one date format of the floor file ('T'), -d, -j and the RTC line.
 */
#define FMT_TM_LEN	24
const char *fmt_tm(const struct tm *tm, char sep, char *buf, size_t len);
void	fmt_addr(const struct sockaddr *sa, char *buf, size_t len);
int	fmt_parse_addr(const char *text, uint16_t port,
	    struct sockaddr_storage *ss, socklen_t *len);

#endif /* NTPSYNC_FMT_H */
