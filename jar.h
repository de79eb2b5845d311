/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jar.h - the NTS cookie jar (-C FILE): each server's two keys and unused
 * cookies kept between runs, so that a cron run is one NTP exchange with
 * no NTS-KE.  A text file, one block per server:
 *
 *	server NAME KE-ADDRESS KE-PORT NTP-ADDRESS NTP-PORT
 *	c2s HEX
 *	s2c HEX
 *	cookie HEX		(one line per cookie)
 *
 * jar_parse() and jar_format() are pure; jar_load() and jar_save() are
 * the file's edges (mode 0600, written whole or not at all).
 */
#ifndef NTPSYNC_JAR_H
#define NTPSYNC_JAR_H

#include <stddef.h>

#include "auth_nts.h"

/* 16 servers of 8 cookies of 256 bytes, in hex, and their keys. */
#define JAR_MAX			(80 * 1024)
#define JAR_ERR_LEN		160

/*
 * The blocks of text (len bytes) whose NAME is one of names[0 .. n - 1]
 * into t (its peers' host point into names); the others are left out.
 * Returns 0, or -1 with err saying which line is wrong and why.
 */
int	jar_parse(const char *text, size_t len, char *const *names, size_t n,
	    struct nts_table *t, char *err, size_t errlen);
/* t's peers with cookies, as text into buf; the length, 0 if it is short. */
size_t	jar_format(const struct nts_table *t, char *buf, size_t cap);

/* 0, 1 when there is no such file yet, or -1 with err (and errno). */
int	jar_load(const char *path, char *const *names, size_t n,
	    struct nts_table *t, char *err, size_t errlen);
/* Replaces the file with t's peers: 0, or -1 with errno. */
int	jar_save(const char *path, const struct nts_table *t);

#endif /* NTPSYNC_JAR_H */
