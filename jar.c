/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jar.c - the NTS cookie jar (see jar.h).  What is in it lets anyone who
 * reads it decrypt the replies the cookies bring and forge replies to
 * them: it is written 0600, through a temporary file renamed over the old
 * one after fsync, and wiped from memory after use.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fmt.h"
#include "jar.h"
#include "savefile.h"

#define JAR_WORD_MAX	8	/* words on a line, at most */
#define PORT_MAX	65535

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly 2 * len lower-case hex digits into out; -1 otherwise. */
static int
unhex(const char *s, size_t slen, uint8_t *out, size_t len)
{
	size_t i;
	int hi, lo;

	if (slen != 2 * len)
		return -1;
	for (i = 0; i < len; i++) {
		hi = hexval(s[2 * i]);
		lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int
port_of(const char *s, size_t len, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > PORT_MAX)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* A numeric address and a port into ss. */
static int
addr_of(const char *a, size_t alen, const char *p, size_t plen,
    struct sockaddr_storage *ss, socklen_t *sslen)
{
	char text[ADDR_STR_LEN];
	uint16_t port;

	if (alen == 0 || alen >= sizeof(text) || port_of(p, plen, &port) == -1)
		return -1;
	memcpy(text, a, alen);
	text[alen] = '\0';
	return fmt_parse_addr(text, port, ss, sslen);
}

/* The words of one line (up to its end), at most JAR_WORD_MAX. */
static size_t
split(const char *s, const char *end, const char **w, size_t *wl)
{
	size_t n = 0;

	while (s < end) {
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s == end)
			break;
		if (n == JAR_WORD_MAX)
			return JAR_WORD_MAX + 1;
		w[n] = s;
		while (s < end && *s != ' ' && *s != '\t')
			s++;
		wl[n] = (size_t)(s - w[n]);
		n++;
	}
	return n;
}

static int
is(const char *w, size_t wl, const char *word)
{
	return wl == strlen(word) && memcmp(w, word, wl) == 0;
}

/* Whether peer p, read from the file, can be used. */
static const char *
incomplete(const struct nts_peer *p, int keys)
{
	if (keys != 3)
		return "it lacks its c2s or s2c key";
	if (p->ncookies == 0)
		return "it has no cookie";
	return NULL;
}

int
jar_parse(const char *text, size_t len, char *const *names, size_t n,
    struct nts_table *t, char *err, size_t errlen)
{
	const char *s = text, *end = text + len, *eol, *w[JAR_WORD_MAX + 1];
	size_t wl[JAR_WORD_MAX + 1], nw, i, lineno = 0, start = 0;
	struct nts_peer *p = NULL;
	const char *why = NULL;
	int in_block = 0, keys = 0;

	for (; s < end; s = eol + 1) {
		lineno++;
		eol = memchr(s, '\n', (size_t)(end - s));
		if (eol == NULL)
			eol = end;
		nw = split(s, eol, w, wl);
		if (nw == 0 || w[0][0] == '#')
			continue;
		if (is(w[0], wl[0], "server")) {
			if (p != NULL && (why = incomplete(p, keys)) != NULL)
				goto bad_block;
			if (nw != 6) {
				why = "a server line is: server NAME KE-ADDRESS "
				    "KE-PORT NTP-ADDRESS NTP-PORT";
				goto bad;
			}
			in_block = 1;
			start = lineno;
			keys = 0;
			p = NULL;
			for (i = 0; i < n; i++)
				if (is(w[1], wl[1], names[i]))
					break;
			if (i == n)
				continue;	/* not asked this run */
			if ((p = nts_add(t, names[i])) == NULL) {
				why = "more servers than a run asks";
				goto bad;
			}
			if (addr_of(w[2], wl[2], w[3], wl[3], &p->ke,
			    &p->ke_len) == -1 || addr_of(w[4], wl[4], w[5],
			    wl[5], &p->ntp, &p->ntp_len) == -1) {
				why = "not a numeric address and port";
				goto bad;
			}
			continue;
		}
		if (!in_block) {
			why = "a line before the first server line";
			goto bad;
		}
		if (nw != 2) {
			why = "expected: c2s HEX, s2c HEX or cookie HEX";
			goto bad;
		}
		if (p == NULL)
			continue;
		if (is(w[0], wl[0], "c2s") || is(w[0], wl[0], "s2c")) {
			if (unhex(w[1], wl[1], w[0][0] == 'c' ? p->c2s : p->s2c,
			    NTS_KEY_LEN) == -1) {
				why = "a key is 64 lower-case hex digits";
				goto bad;
			}
			keys |= w[0][0] == 'c' ? 1 : 2;
		} else if (is(w[0], wl[0], "cookie")) {
			if (p->ncookies == NTS_COOKIES_MAX || wl[1] == 0 ||
			    wl[1] % 2 != 0 || wl[1] / 2 > NTS_COOKIE_MAX ||
			    unhex(w[1], wl[1], p->cookies[p->ncookies].bytes,
			    wl[1] / 2) == -1) {
				why = "a cookie is 2 to 512 lower-case hex "
				    "digits, at most 8 per server";
				goto bad;
			}
			p->cookies[p->ncookies++].len = (uint16_t)(wl[1] / 2);
		} else {
			why = "expected: c2s HEX, s2c HEX or cookie HEX";
			goto bad;
		}
	}
	if (p != NULL && (why = incomplete(p, keys)) != NULL)
		goto bad_block;
	return 0;
bad_block:
	lineno = start;
	str_fmt(err, errlen, "the server on line %zu: %s", lineno, why);
	nts_wipe(t);
	return -1;
bad:
	str_fmt(err, errlen, "line %zu: %s", lineno, why);
	nts_wipe(t);
	return -1;
}

static size_t
put(char *buf, size_t cap, size_t at, const char *s)
{
	size_t n = strlen(s);

	if (at + n >= cap)
		return cap;
	memcpy(buf + at, s, n + 1);
	return at + n;
}

static size_t
put_hex(char *buf, size_t cap, size_t at, const char *key,
    const uint8_t *b, size_t len)
{
	static const char digit[] = "0123456789abcdef";
	size_t i;

	at = put(buf, cap, at, key);
	if (at + 2 * len + 1 >= cap)
		return cap;
	for (i = 0; i < len; i++) {
		buf[at++] = digit[b[i] >> 4];
		buf[at++] = digit[b[i] & 0xf];
	}
	buf[at++] = '\n';
	buf[at] = '\0';
	return at;
}

static uint16_t
port_in(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET6 ?
	    ((const struct sockaddr_in6 *)ss)->sin6_port :
	    ((const struct sockaddr_in *)ss)->sin_port);
}

size_t
jar_format(const struct nts_table *t, char *buf, size_t cap)
{
	char ke[ADDR_STR_LEN], ntp[ADDR_STR_LEN], line[2 * ADDR_STR_LEN + 300];
	const struct nts_peer *p;
	size_t i, c, at;

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	at = put(buf, cap, 0, "# ntpsync -C: NTS keys and cookies; secret, "
	    "keep it mode 0600\n");
	for (i = 0; i < t->n && at < cap; i++) {
		p = &t->peer[i];
		if (p->ncookies == 0 || p->nak)
			continue;
		fmt_addr((const struct sockaddr *)&p->ke, ke, sizeof(ke));
		fmt_addr((const struct sockaddr *)&p->ntp, ntp, sizeof(ntp));
		if (str_fmt(line, sizeof(line), "server %s %s %u %s %u\n",
		    p->host, ke, (unsigned)port_in(&p->ke), ntp,
		    (unsigned)port_in(&p->ntp)) >= sizeof(line))
			return 0;
		at = put(buf, cap, at, line);
		at = put_hex(buf, cap, at, "c2s ", p->c2s, sizeof(p->c2s));
		at = put_hex(buf, cap, at, "s2c ", p->s2c, sizeof(p->s2c));
		for (c = 0; c < p->ncookies; c++)
			at = put_hex(buf, cap, at, "cookie ",
			    p->cookies[c].bytes, p->cookies[c].len);
	}
	if (at >= cap) {
		explicit_bzero(buf, cap);
		return 0;
	}
	return at;
}

int
jar_load(const char *path, char *const *names, size_t n, struct nts_table *t,
    char *err, size_t errlen)
{
	static char buf[JAR_MAX + 1];
	char why[JAR_ERR_LEN];
	size_t len;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd == -1 && errno == ENOENT)
		return 1;
	if (fd == -1) {
		str_fmt(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = read_upto(fd, buf, sizeof(buf), &len);
	close(fd);
	if (rc != 0) {
		str_fmt(err, errlen, "%s: %s", path, strerror(rc));
		rc = -1;
	} else if (len == sizeof(buf)) {
		str_fmt(err, errlen, "%s: larger than %d bytes: not a cookie "
		    "jar", path, JAR_MAX);
		rc = -1;
	} else if ((rc = jar_parse(buf, len, names, n, t, why,
	    sizeof(why))) == -1) {
		str_fmt(err, errlen, "%s: %s", path, why);
	}
	explicit_bzero(buf, len);
	return rc;
}

/* The jar holds keys: 0600, through savefile.c's temporary file. */
int
jar_save(const char *path, const struct nts_table *t)
{
	static char buf[JAR_MAX];
	size_t len;
	int rc, e;

	if ((len = jar_format(t, buf, sizeof(buf))) == 0) {
		errno = EMSGSIZE;
		return -1;
	}
	rc = save_file(path, buf, len, S_IRUSR | S_IWUSR);
	e = errno;
	explicit_bzero(buf, len);
	errno = e;
	return rc;
}
